// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/error.hpp"
#include "symgrad/evaluate.hpp"
#include "symgrad/parser.hpp"
#include "symgrad/printers.hpp"
#include "symgrad/symbols.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <unistd.h>

using GiNaC::ex;
using symgrad::parse;

namespace {

/// Expressions whose printed forms must work; each uses the variables a, b, x, y.
const std::vector<std::string>& corpus() {
    static const std::vector<std::string> c{
        "sigmoid(a*x + b)*(1 - sigmoid(a*x + b))",
        "-(a - b)*(x - 1)/(y^2 + 1)",
        "x^-2*y/(3*a) + a^(1/2) - b^(-1/2)",
        "exp(-a)/(1 + exp(-a))^2",
        "softplus(a) - logsumexp(a, b, x)",
        "softmax(1, a, b, x) - indicator(y, 1)",
        "logloss(sigmoid(a), y)",
        "crossentropy({sigmoid(a), 1 - sigmoid(a)}, 1)",
        "relu(x - 1/2) + step(b) + abs(a - x)",
        "tanh(a)^2 - 2*x*y^3 + 5/7",
        "-a - b - x",
        "(a + b)^(x^2 + 1)",
        "log(1 + exp(a*b))*0.25 - Pi*x",
    };
    return c;
}

/// Values of a, b, x, y used for executing generated code; y is a label in {0, 1}.
GiNaC::exmap test_point() {
    return symgrad::parse_point("a=0.7, b=1.3, x=2.25, y=1");
}

std::string temp_path(const char* suffix) {
    static int counter = 0;
    return "/tmp/symgrad_printers_" + std::to_string(getpid()) + "_" + std::to_string(counter++) +
           suffix;
}

} // namespace

BOOST_AUTO_TEST_SUITE(printers)

BOOST_AUTO_TEST_CASE(text_reads_like_a_textbook) {
    const ex z = symgrad::symbol_named("z");
    BOOST_TEST(symgrad::to_text(parse("sigmoid(z)").diff(GiNaC::ex_to<GiNaC::symbol>(z))) ==
               "sigmoid(z)*(1 - sigmoid(z))");
    const ex w = symgrad::symbol_named("w");
    BOOST_TEST(
        symgrad::to_text(parse("logloss(sigmoid(w*x), y)").diff(GiNaC::ex_to<GiNaC::symbol>(w))) ==
        "(sigmoid(w*x) - y)*x");
    BOOST_TEST(symgrad::to_text(parse("-a - b")) == "-a - b");
    BOOST_TEST(symgrad::to_text(parse("-(a + b)*x")) == "-(a + b)*x");
    BOOST_TEST(symgrad::to_text(parse("x/(2*y)")) == "x/(2*y)");
}

BOOST_AUTO_TEST_CASE(text_round_trips_through_the_parser) {
    std::mt19937_64 rng(symgrad::test::seed(99, "text round trip"));
    for (const auto& text : corpus()) {
        const ex e = parse(text);
        const std::string printed = symgrad::to_text(e);
        const ex back = parse(printed);
        for (int i = 0; i < 5; ++i) {
            auto point = symgrad::test::random_point(e, rng, 0.1, 2);
            point[symgrad::symbol_named("y")] = 1;
            BOOST_TEST(symgrad::test::close(symgrad::evaluate_numeric(e, point, 30),
                                            symgrad::evaluate_numeric(back, point, 30), 1e-25),
                       text << " printed as " << printed);
        }
    }
}

BOOST_AUTO_TEST_CASE(latex_uses_fractions_and_named_operators) {
    BOOST_TEST(symgrad::to_latex(parse("sigmoid(z)*(1 - sigmoid(z))")) ==
               "\\sigma\\left(z\\right) \\left(1 - \\sigma\\left(z\\right)\\right)");
    BOOST_TEST(symgrad::to_latex(parse("x/(2*y)")) == "\\frac{x}{2 y}");
    BOOST_TEST(symgrad::to_latex(parse("exp(-w1)")) == "e^{-w_{1}}");
    BOOST_TEST(symgrad::to_latex(parse("softmax(1, a, b) - indicator(y, 1)")) ==
               "\\operatorname{softmax}_{1}\\left(a, b\\right) - \\left[y = 1\\right]");
    BOOST_TEST(symgrad::to_latex(parse("alpha^2")) == "\\alpha^{2}");
}

BOOST_AUTO_TEST_CASE(keywords_get_a_trailing_underscore) {
    BOOST_TEST(symgrad::to_python(parse("lambda*x")) == "lambda_*x");
    BOOST_TEST(symgrad::to_c(parse("double + 1")) == "1.0 + double_");
}

BOOST_AUTO_TEST_CASE(python_output_runs_and_gives_the_same_values) {
    BOOST_TEST_REQUIRE(symgrad::test::have_program("python3"));
    const auto point = test_point();
    std::string script = "from math import *\n";
    for (const auto& h : symgrad::python_helpers([] {
             std::vector<ex> all;
             for (const auto& t : corpus())
                 all.push_back(parse(t));
             return all;
         }()))
        script += h + "\n";
    for (const auto& [k, v] : point)
        script += symgrad::symbol_name(k) + " = " + symgrad::to_python(v) + "\n";
    for (const auto& text : corpus())
        script += "print(repr(float(" + symgrad::to_python(parse(text)) + ")))\n";
    const auto run = symgrad::test::run_process({"python3", "-"}, script);
    BOOST_TEST_REQUIRE(run.status == 0, "python3 failed:\n" << run.out << "\n" << script);
    std::istringstream lines(run.out);
    for (const auto& text : corpus()) {
        double got = 0;
        lines >> got;
        const double want = symgrad::evaluate_double(parse(text), symgrad::to_double_point(point));
        BOOST_TEST(std::abs(got - want) <= 1e-12 * std::max(1.0, std::abs(want)),
                   text << ": python " << got << " vs " << want);
    }
}

BOOST_AUTO_TEST_CASE(c_output_compiles_and_gives_the_same_values) {
    BOOST_TEST_REQUIRE(symgrad::test::have_program("cc"));
    const auto point = test_point();
    std::vector<ex> all;
    for (const auto& t : corpus())
        all.push_back(parse(t));
    std::string code = "#include <math.h>\n#include <stdio.h>\n";
    for (const auto& h : symgrad::c_helpers(all))
        code += h + "\n";
    code += "int main(void) {\n";
    for (const auto& [k, v] : point)
        code += "    double " +
                symgrad::code_name(symgrad::symbol_name(k), symgrad::output_format::c) + " = " +
                symgrad::to_c(v) + ";\n";
    for (const auto& e : all)
        code += "    printf(\"%.17g\\n\", " + symgrad::to_c(e) + ");\n";
    code += "    return 0;\n}\n";
    const std::string source = temp_path(".c"), binary = temp_path(".out");
    std::ofstream(source) << code;
    const auto compile = symgrad::test::run_process(
        {"cc", "-std=c99", "-Wall", "-Werror", "-o", binary, source, "-lm"});
    BOOST_TEST_REQUIRE(compile.status == 0, "cc failed:\n" << compile.out << "\n" << code);
    const auto run = symgrad::test::run_process({binary});
    std::remove(source.c_str());
    std::remove(binary.c_str());
    BOOST_TEST_REQUIRE(run.status == 0);
    std::istringstream lines(run.out);
    for (const auto& e : all) {
        double got = 0;
        lines >> got;
        const double want = symgrad::evaluate_double(e, symgrad::to_double_point(point));
        BOOST_TEST(std::abs(got - want) <= 1e-12 * std::max(1.0, std::abs(want)),
                   symgrad::to_text(e) << ": C " << got << " vs " << want);
    }
}

BOOST_AUTO_TEST_CASE(output_format_names_are_checked) {
    BOOST_TEST((symgrad::parse_output_format("latex") == symgrad::output_format::latex));
    BOOST_CHECK_EXCEPTION(symgrad::parse_output_format("rust"), symgrad::invalid_input,
                          [](const symgrad::invalid_input& e) {
                              return std::string(e.what()) ==
                                     "format: 'rust' is not one of text, latex, python, c";
                          });
}

BOOST_AUTO_TEST_SUITE_END()
