// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/evaluate.hpp"
#include "symgrad/parser.hpp"
#include "symgrad/printers.hpp"
#include "symgrad/symbols.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <unistd.h>

using symgrad::test::run_command;

namespace {

/// Seed 000's loss (Stepik 573071): two samples of a two-class softmax classifier.
const std::string seed_loss = "-log(exp(-w1+w3)/(exp(-w1+w3)+exp(-w2+w4))) - "
                              "log(exp(w2+w4)/(exp(w1+w3)+exp(w2+w4)))";

/// An error run: exit status 2, nothing on stdout, and stderr containing @p text.
void expect_bad_input(const std::vector<std::string>& args, const std::string& text) {
    const auto r = run_command(args);
    BOOST_TEST(r.status == 2, (args.empty() ? "(no arguments)" : args.front())
                                  << ": status " << r.status);
    BOOST_TEST(r.out.empty(), "stdout: " << r.out);
    BOOST_TEST(r.err.find(text) != std::string::npos, "stderr: " << r.err);
}

} // namespace

BOOST_AUTO_TEST_SUITE(cli)

BOOST_AUTO_TEST_CASE(diff_prints_the_textbook_sigmoid_derivative) {
    const auto r = run_command({"diff", "sigmoid(z)", "z"});
    BOOST_TEST(r.status == 0);
    BOOST_TEST(r.out == "d/dz = sigmoid(z)*(1 - sigmoid(z))\n");
}

BOOST_AUTO_TEST_CASE(eval_prints_exact_rationals) {
    BOOST_TEST(run_command({"eval", "sigmoid(0)"}).out == "1/2\n");
    BOOST_TEST(run_command({"eval", "0.1 + 0.2"}).out == "3/10\n");
    BOOST_TEST(run_command({"eval", "w1*x", "--at", "w1=1/3, x=0.3"}).out == "1/10\n");
}

BOOST_AUTO_TEST_CASE(eval_prints_the_requested_digits_or_double) {
    BOOST_TEST(run_command({"eval", "sigmoid(1)"}).out == "0.73105857863000488\n");
    BOOST_TEST(run_command({"eval", "sigmoid(1)", "--digits", "5"}).out == "0.73106\n");
    BOOST_TEST(run_command({"eval", "logsumexp(1000, 1000)", "--double"}).out ==
               "1000.6931471805599\n");
}

BOOST_AUTO_TEST_CASE(grad_of_the_seed_loss_at_zero_is_one_minus_one_zero_zero) {
    const auto r =
        run_command({"grad", seed_loss, "--wrt", "w1,w2,w3,w4", "--at", "w1=0, w2=0, w3=0, w4=0"});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(r.out == "1, -1, 0, 0\n");
    // Same in double, and with separate --wrt arguments in another order.
    BOOST_TEST(run_command({"grad", seed_loss, "--wrt", "w2", "--wrt", "w1", "--at",
                            "w1=0, w2=0, w3=0, w4=0", "--double"})
                   .out == "-1, 1\n");
}

BOOST_AUTO_TEST_CASE(grad_agrees_with_finite_differences_at_a_random_point) {
    std::mt19937_64 rng(symgrad::test::seed(573071, "cli grad"));
    const GiNaC::ex loss = symgrad::parse(seed_loss);
    const auto point = symgrad::test::random_point(loss, rng);
    std::string at;
    for (const auto& [k, v] : point)
        at += (at.empty() ? "" : ", ") + symgrad::symbol_name(k) + "=" + symgrad::to_text(v);
    const auto r = run_command({"grad", seed_loss, "--at", at, "--digits", "25"});
    BOOST_TEST_REQUIRE(r.status == 0, r.err);
    std::istringstream values(r.out);
    for (const auto& v : symgrad::free_symbols(loss)) { // default order: natural, w1..w4
        std::string item;
        std::getline(values, item, ',');
        const GiNaC::numeric got = GiNaC::ex_to<GiNaC::numeric>(symgrad::parse(item));
        const GiNaC::numeric fd = symgrad::test::finite_difference(loss, v, point);
        BOOST_TEST(symgrad::test::close(got, fd, 1e-22), symgrad::symbol_name(v) << ": " << item);
    }
}

BOOST_AUTO_TEST_CASE(json_output_is_machine_readable) {
    const auto d = nlohmann::json::parse(run_command({"diff", "sigmoid(w*x)", "w", "--json"}).out);
    BOOST_TEST(d["derivatives"][0]["variable"] == "w");
    BOOST_TEST(d["derivatives"][0]["text"] == "sigmoid(w*x)*(1 - sigmoid(w*x))*x");
    const auto e = nlohmann::json::parse(run_command({"eval", "sigmoid(0)", "--json"}).out);
    BOOST_TEST(e["value"] == "1/2");
    BOOST_TEST(e["exact"] == true);
    const auto g =
        nlohmann::json::parse(run_command({"grad", "x^2*y", "--at", "x=3, y=2", "--json"}).out);
    BOOST_TEST(g["gradient"][0]["variable"] == "x");
    BOOST_TEST(g["gradient"][0]["value"] == "12");
    BOOST_TEST(g["gradient"][1]["value"] == "9");
}

BOOST_AUTO_TEST_CASE(expressions_may_start_with_a_minus_sign) {
    BOOST_TEST(run_command({"eval", "-x", "--at", "x=2"}).out == "-2\n");
    BOOST_TEST(run_command({"eval", "-log(x)", "--at", "x=1"}).out == "0\n");
}

BOOST_AUTO_TEST_CASE(every_bad_input_exits_2_with_a_clear_message) {
    expect_bad_input({"eval", "w1*x + w2"}, "eval: no value given for symbols w1, w2, x");
    expect_bad_input({"eval", "log(x - 1)", "--at", "x=1"},
                     "eval: log(x - 1) is undefined at this point (log(0))");
    expect_bad_input({"eval", "1/(x - 1)", "--at", "x=1"}, "division by zero");
    expect_bad_input({"eval", "exp(1000*x)", "--at", "x=1", "--double"},
                     "exp(1000*x) is not finite at this point (inf in double precision)");
    expect_bad_input({"diff", "x^2", "2*x"}, "'2*x' is not a variable");
    expect_bad_input({"eval", "x", "--at", "x 1"},
                     "--at:1:1: expected name = value\n    x 1\n    ^~~");
    expect_bad_input({"eval", "x", "--at", "x=1, x=2"}, "'x' is given twice");
    expect_bad_input({"eval", "sigmod(z)"},
                     "<expression>:1:1: unknown function 'sigmod'; did you mean 'sigmoid'?\n"
                     "    sigmod(z)\n    ^~~~~~");
    expect_bad_input({"grad", "x*y", "--at", "x=1"}, "grad: no value given for symbol y");
    expect_bad_input({"diff", "x", "--format", "rust"}, "--format");
    expect_bad_input({"eval", "x", "--digits", "0"}, "--digits");
    expect_bad_input({"frobnicate"}, "unknown command 'frobnicate' (commands: diff, eval, grad");
    expect_bad_input({"dif", "x"}, "unknown command 'dif'; did you mean 'diff'?");
    expect_bad_input({}, "A subcommand is required");
}

BOOST_AUTO_TEST_CASE(help_and_version_succeed) {
    const auto h = run_command({"diff", "--help"});
    BOOST_TEST(h.status == 0);
    BOOST_TEST(h.out.find("--format") != std::string::npos);
    const auto v = run_command({"--version"});
    BOOST_TEST(v.status == 0);
    BOOST_TEST(v.out.find("symgrad 0.1.0") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(diff_python_output_runs_when_pasted) {
    BOOST_TEST_REQUIRE(symgrad::test::have_program("python3"));
    const auto r =
        run_command({"diff", "logloss(sigmoid(w*x + b), y)", "w", "b", "--format", "python"});
    BOOST_TEST_REQUIRE(r.status == 0);
    // What a user does: `from math import *`, the helper lines uncommented, values, the output.
    std::string script;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);)
        script += (line.rfind("# ", 0) == 0 ? line.substr(2) : line) + "\n";
    const std::string program =
        "w, x, b, y = 0.5, 2.0, -0.25, 1.0\n" + script + "print(repr(d_dw)); print(repr(d_db))\n";
    const auto run = symgrad::test::run_process({"python3", "-"}, program);
    BOOST_TEST_REQUIRE(run.status == 0, run.out << "\n" << program);
    // Hand-derived: d/dw = (sigmoid(wx + b) - y) x, d/db = sigmoid(wx + b) - y.
    const double s = 1 / (1 + std::exp(-(0.5 * 2.0 - 0.25)));
    std::istringstream values(run.out);
    double dw = 0, db = 0;
    values >> dw >> db;
    BOOST_TEST(std::abs(dw - (s - 1) * 2.0) < 1e-14);
    BOOST_TEST(std::abs(db - (s - 1)) < 1e-14);
}

BOOST_AUTO_TEST_CASE(diff_c_output_compiles_when_pasted) {
    BOOST_TEST_REQUIRE(symgrad::test::have_program("cc"));
    const auto r =
        run_command({"diff", "crossentropy(softmax({a*x, b}), y)", "a", "--format", "c"});
    BOOST_TEST_REQUIRE(r.status == 0);
    const std::string source = "/tmp/symgrad_cli_" + std::to_string(getpid()) + ".c";
    std::ofstream(source) << r.out;
    const auto cc = symgrad::test::run_process(
        {"cc", "-std=c99", "-Wall", "-Werror", "-c", "-o", "/dev/null", source});
    std::remove(source.c_str());
    BOOST_TEST(cc.status == 0, cc.out << "\n" << r.out);
}

BOOST_AUTO_TEST_SUITE_END()
