// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/error.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/printers.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/text/parser.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
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

// GiNaC's term order changes from run to run (it compares hashes mixed with addresses and
// symbol serial numbers); copies of an expression over fresh symbols of the same names are in
// other orders, as other runs are. What symgrad prints must not change with it.
BOOST_AUTO_TEST_CASE(printed_forms_do_not_depend_on_ginac_term_order) {
    std::vector<std::string> texts = corpus();
    for (const char* more :
         {"(w*x1 - y1)*x1 + (w*x2 - y2)*x2", "(y - sigmoid(w*x))^2/2", "x/(a - b) + y/(b - x)^3",
          "(a - b)*(x - y)*(1 - sigmoid(a))", "-(1 - a)*(b - x)^2*(y - a)^3"})
        texts.emplace_back(more);
    for (const auto& text : texts) {
        const ex e = parse(text);
        const std::string want = symgrad::to_text(e);
        std::set<std::string> orders;
        for (unsigned k = 0; k < 16; ++k) {
            const ex copy = symgrad::test::fresh_symbols_copy(e, 3 * k + 1);
            orders.insert(symgrad::test::ginac_print(copy));
            BOOST_TEST(symgrad::to_text(copy) == want, text);
            BOOST_TEST(symgrad::to_latex(copy) == symgrad::to_latex(e), text);
        }
        if (text.find('-') != std::string::npos && symgrad::free_symbols(e).size() > 1)
            BOOST_TEST(orders.size() > 1u, text << ": the copies are all in one order");
    }
}

BOOST_AUTO_TEST_CASE(sums_print_with_one_sign_whatever_ginac_chose) {
    using symgrad::to_text;
    const ex a = symgrad::symbol_named("a"), b = symgrad::symbol_named("b"),
             x = symgrad::symbol_named("x"), y = symgrad::symbol_named("y");
    // GiNaC makes the leading term of a sum in a product, or of the base of an integer power,
    // positive in its own order: these pairs are the same expression written two ways.
    BOOST_TEST(to_text((a - b) * (x - y)) == to_text((b - a) * (y - x)));
    BOOST_TEST(to_text(-(a - b) * x) == to_text((b - a) * x));
    BOOST_TEST(to_text(GiNaC::pow(y - x, 2)) == to_text(GiNaC::pow(x - y, 2)));
    BOOST_TEST(to_text(1 / (a - b)) == to_text(-1 / (b - a)));
    BOOST_TEST(to_text(GiNaC::pow(a - b, 3)) == to_text(-GiNaC::pow(b - a, 3)));
    BOOST_TEST(to_text(-(a - b) * x) == "(b - a)*x");
    const ex s = parse("sigmoid(z)");
    BOOST_TEST(to_text(s * (s - 1) * -1) == "sigmoid(z)*(1 - sigmoid(z))");
    bool negated = false;
    BOOST_TEST(to_text(symgrad::sign_representative(s - 1, negated)) == "1 - sigmoid(z)");
    BOOST_TEST(negated);
    BOOST_TEST(to_text(symgrad::sign_representative(a - b, negated)) == "a - b");
    BOOST_TEST(!negated);
    BOOST_TEST(to_text(symgrad::sign_representative(b - a, negated)) == "a - b");
    BOOST_TEST(negated);
}

BOOST_AUTO_TEST_CASE(structural_order_is_a_total_order_on_structure) {
    using symgrad::structural_compare;
    const std::vector<std::string> sorted{"-1/2",  "1",   "-1",  "2",          "Pi",
                                          "a",     "b",   "w2",  "w10",        "a + b",
                                          "a - b", "a*b", "a^2", "sigmoid(a)", "sigmoid(b)"};
    for (std::size_t i = 0; i < sorted.size(); ++i)
        for (std::size_t j = 0; j < sorted.size(); ++j) {
            const int c = structural_compare(parse(sorted[i]), parse(sorted[j]));
            BOOST_TEST((c < 0) == (i < j), sorted[i] << " vs " << sorted[j]);
            BOOST_TEST((c == 0) == (i == j), sorted[i] << " vs " << sorted[j]);
        }
    // The order of copies in other GiNaC orders is the same.
    const ex e = parse("sigmoid(w1*x1 + w2*x2) + (w2*x1 - w1*x2)^2 - w10");
    std::vector<ex> subs;
    for (const ex& t : e)
        subs.push_back(t);
    std::sort(subs.begin(), subs.end(), symgrad::structural_less());
    std::vector<std::string> want;
    for (const ex& t : subs)
        want.push_back(symgrad::to_text(t));
    for (unsigned k = 0; k < 8; ++k) {
        const ex copy = symgrad::test::fresh_symbols_copy(e, 5 * k + 2);
        std::vector<ex> terms(copy.begin(), copy.end());
        std::sort(terms.begin(), terms.end(), symgrad::structural_less());
        std::vector<std::string> got;
        for (const ex& t : terms)
            got.push_back(symgrad::to_text(t));
        BOOST_TEST(got == want, boost::test_tools::per_element());
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
