// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// The budgets of src/cli/budget.hpp end the process, so these tests run the built command in a
// separate process (SYMGRAD_CLI_PATH) with small limits.
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>
#include <ginac/ginac.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include <string>
#include <tuple>
#include <vector>

// Under AddressSanitizer the command sets no memory limit (budget.hpp): its shadow memory
// needs terabytes of address space.
#if defined(__SANITIZE_ADDRESS__)
#define SYMGRAD_TEST_ADDRESS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SYMGRAD_TEST_ADDRESS_SANITIZER 1
#endif
#endif

namespace {

using symgrad::test::contains;

/// `symgrad ARGS...` in a separate process (stdout and stderr together).
symgrad::test::command_result symgrad_process(const std::vector<std::string>& args) {
    std::vector<std::string> argv{SYMGRAD_CLI_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    return symgrad::test::run_process(argv);
}

/// A run stopped by a limit: exit status 2, and its one line of output (stdout is empty) names
/// the limit and the option that raises it.
void expect_stopped_by(const std::vector<std::string>& args, const std::string& limit,
                       const std::string& option) {
    const auto r = symgrad_process(args);
    BOOST_TEST_INFO(args.back() << ": " << r.out);
    BOOST_TEST(r.status == 2);
    BOOST_TEST(r.out.rfind("symgrad: error: " + limit, 0) == 0u);
    BOOST_TEST(contains(r.out, option));
    BOOST_TEST(r.out.find('\n') == r.out.size() - 1);
}

} // namespace

BOOST_AUTO_TEST_SUITE(budget)

BOOST_AUTO_TEST_CASE(work_without_end_stops_at_the_time_limit) {
    // A billion epochs of training; the interpreter (no compiler), so nothing is cached.
    const std::string problem =
        std::string(SYMGRAD_SOURCE_DIR) + "/problems/seed000_softmax_data_minus1_1.txt";
    const std::vector<std::string> train{"train", problem,  "sgd",       "rate",
                                         "0.001", "epochs", "1000000000"};
    std::vector<std::string> args{"env", "SYMGRAD_CC=/nonexistent/cc", SYMGRAD_CLI_PATH,
                                  "--time-limit", "1"};
    args.insert(args.end(), train.begin(), train.end());
    auto r = symgrad::test::run_process(args);
    BOOST_TEST_INFO(r.out);
    BOOST_TEST(r.status == 2);
    BOOST_TEST(contains(r.out, "symgrad: error: time limit: the command did not finish within 1 s; "
                               "raise the limit with --time-limit SECONDS (0: no limit)\n"));
    // Nothing of the training's output reached stdout (only the note about the compiler and the
    // error, both on stderr).
    BOOST_TEST(!contains(r.out, "epoch"));
    // The option is also accepted among the command's own.
    args = {"env", "SYMGRAD_CC=/nonexistent/cc", SYMGRAD_CLI_PATH};
    args.insert(args.end(), train.begin(), train.end());
    args.insert(args.end(), {"--time-limit", "1"});
    r = symgrad::test::run_process(args);
    BOOST_TEST(r.status == 2);
    BOOST_TEST(contains(r.out, "symgrad: error: time limit"), r.out);
}

BOOST_AUTO_TEST_CASE(a_compile_cut_short_by_the_time_limit_leaves_no_temporary_file) {
    namespace fs = std::filesystem;
    const fs::path dir = symgrad::test::scratch_directory("budget_compile");
    const fs::path compiler = dir / "slow-cc", cache = dir / "cache";
    std::ofstream(compiler) << "#!/bin/sh\nsleep 2\n"; // outlasts the limit
    fs::permissions(compiler, fs::perms::owner_all);
    const std::string problem =
        std::string(SYMGRAD_SOURCE_DIR) + "/problems/seed000_softmax_data_minus1_1.txt";
    const auto r = symgrad::test::run_process(
        {"env", "SYMGRAD_BACKEND=native", "SYMGRAD_CC=" + compiler.string(),
         "SYMGRAD_CACHE_DIR=" + cache.string(), SYMGRAD_CLI_PATH, "--time-limit", "1", "train",
         problem, "gd", "rate", "0.1", "epochs", "1"});
    BOOST_TEST(r.status == 2, r.out);
    BOOST_TEST(contains(r.out, "symgrad: error: time limit"), r.out);
    BOOST_TEST_REQUIRE(fs::exists(cache)); // the compile had begun
    for (const auto& entry : fs::directory_iterator(cache))
        BOOST_ERROR("left behind: " << entry.path().filename());
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(memory_past_the_limit_stops_with_a_clear_error) {
#if defined(SYMGRAD_TEST_ADDRESS_SANITIZER)
    BOOST_TEST_MESSAGE("AddressSanitizer: symgrad sets no memory limit under it");
    return;
#endif
    // 1 MiB of address space is less than the program and its libraries take: the first
    // large allocation (3^500000 has 238,561 digits) stops the command.
    expect_stopped_by({"--memory-limit", "1", "eval", "3^500000"}, "memory limit",
                      "--memory-limit MIB");
    // Within the limit the same command prints its digits.
    const auto r = symgrad_process({"--memory-limit", "1024", "eval", "3^500000"});
    BOOST_TEST(r.status == 0);
    BOOST_TEST(r.out.size() == 238562u); // digits of 3^500000: floor(500000 log10 3) + 1, and \n
}

BOOST_AUTO_TEST_CASE(the_issues_examples_end_quickly_with_an_answer_or_a_clear_error) {
    // d/da (a+b+c+d)^200 = 200 (a+b+c+d)^199 (by hand); simplifying it expanded 1.4 million
    // terms for minutes. The 8-variable sum to the 30th power is left as it is.
    auto r = symgrad_process({"--time-limit", "20", "diff", "(a+b+c+d)^200", "a"});
    BOOST_TEST(r.status == 0, r.out);
    BOOST_TEST(r.out == "d/da = 200*(a + b + c + d)^199\n");
    r = symgrad_process({"--time-limit", "20", "simplify", "(a+b+c+d+e+f+g+h)^30"});
    BOOST_TEST(r.status == 0, r.out);
    BOOST_TEST(r.out == "(a + b + c + d + e + f + g + h)^30\n");
    for (const char* e : {"2^(10^9)", "factorial(10^9)", "EllipticK(1)"}) {
        r = symgrad_process({"--time-limit", "20", "eval", e});
        BOOST_TEST_INFO(e << ": " << r.out);
        BOOST_TEST(r.status == 2);
        BOOST_TEST(r.out.rfind("symgrad: error: ", 0) == 0u);
        BOOST_TEST(!contains(r.out, "time limit"));
    }
}

BOOST_AUTO_TEST_CASE(a_long_chain_of_definitions_is_read_in_linear_time) {
    // z_i = sigmoid(z_{i-1}): each definition's domain was collected over the whole chain
    // again (600 definitions took 37 s), and GiNaC's hash puts every link of such a chain in one
    // of two buckets (f(f(x)) hashes like x). The value is checked against the plain iteration.
    const auto dir = symgrad::test::scratch_directory("budget");
    const int n = 2000, shown = 900; // the formula is printed below the nesting limit
    {
        std::ofstream f(dir / "chain.txt");
        f << "weights w = 1/2\nz0 = w\n";
        for (int i = 1; i <= n; ++i)
            f << "z" << i << " = sigmoid(z" << i - 1 << ")\n";
        f << "show z" << n << " at w = 1/2\n";
        f << "show z" << shown << "\n";
    }
    const auto r = symgrad_process({"--time-limit", "60", "run", (dir / "chain.txt").string()});
    BOOST_TEST(r.status == 0, r.out);
    double z = 0.5;
    for (int i = 0; i < n; ++i)
        z = 1 / (1 + std::exp(-z));
    const std::string key = "      z" + std::to_string(n) + " = ";
    const auto at = r.out.find(key + "0.");
    BOOST_TEST_REQUIRE(at != std::string::npos, r.out);
    BOOST_TEST(std::fabs(std::stod(r.out.substr(at + key.size())) - z) <= 1e-13);
    // The formula itself: the simplifier's memos compared whole chains too (400 links took
    // 11 s, 1000 over a minute). Nothing in it simplifies.
    std::string formula = "      z" + std::to_string(shown) + " = ";
    for (int i = 0; i < shown; ++i)
        formula += "sigmoid(";
    formula += "w" + std::string(shown, ')') + "\n";
    BOOST_TEST(contains(r.out, formula));
    // Deeper than max_nesting_depth, the formula is a clear error: printing and simplifying
    // recurse, and 10,000 links overflowed the stack (a crash).
    {
        std::ofstream f(dir / "chain.txt", std::ios::app);
        f << "show z" << n << "\n";
    }
    const auto deep = symgrad_process({"--time-limit", "60", "run", (dir / "chain.txt").string()});
    BOOST_TEST(deep.status == 2, deep.out.substr(0, 500));
    BOOST_TEST(contains(deep.out, "nests more than 1000 levels deep"), deep.out.substr(0, 500));
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(a_deep_network_over_data_shows_its_gradient_in_linear_time) {
    // An 8-layer, 32-wide tanh MLP with a data row: substituting the row into the loss unshared
    // its graph (7 layers of 8 took 18 s and 0.9 GB), and show grad(L) at weights took GiNaC's
    // diff() per weight, a tree walk (4 layers of 8: 26 s). The oracle: the same network in
    // long double, differentiated by central differences.
    const int depth = 8, width = 32, inputs = 4;
    auto weight = [](int layer, int i, int j) {
        return static_cast<double>((layer * 7 + i * 37 + j * 11) % 19 - 9) / 20;
    };
    const std::vector<double> x{0.5, -0.25, 1, 0.75};
    const auto dir = symgrad::test::scratch_directory("budget_mlp");
    {
        std::ofstream f(dir / "mlp.txt");
        f << "inputs x[" << inputs << "x1]\nlabels y in {0, 1}\n";
        std::string previous = "x";
        for (int l = 1; l <= depth + 1; ++l) {
            const int rows = l <= depth ? width : 1, cols = l == 1 ? inputs : width;
            f << "weights W" << l << "[" << rows << "x" << cols << "] = [";
            for (int i = 0; i < rows; ++i) {
                f << (i ? ", [" : "[");
                for (int j = 0; j < cols; ++j)
                    f << (j ? ", " : "") << weight(l, i, j);
                f << "]";
            }
            f << "]\n";
            if (l <= depth) {
                f << "h" << l << " = tanh(W" << l << "*" << previous << ")\n";
                previous = "h" + std::to_string(l);
            }
        }
        f << "loss = logloss(sigmoid(sum(W" << depth + 1 << "*" << previous << ")), y)\n";
        f << "data x_11 = 0.5\n     x_21 = -0.25\n     x_31 = 1\n     x_41 = 0.75\n"
             "     y = 1\n";
        f << "show grad(L) at weights\n";
    }
    const auto r = symgrad_process({"--time-limit", "60", "run", (dir / "mlp.txt").string()});
    BOOST_TEST_REQUIRE(r.status == 0, r.out.substr(0, 2000));
    // The loss with one weight changed by h.
    auto loss = [&](int layer, int row, int col, long double h) {
        std::vector<long double> a(x.begin(), x.end());
        for (int l = 1; l <= depth + 1; ++l) {
            const int rows = l <= depth ? width : 1;
            std::vector<long double> next(rows, 0);
            for (int i = 0; i < rows; ++i) {
                for (std::size_t j = 0; j < a.size(); ++j)
                    next[i] += (weight(l, i, static_cast<int>(j)) +
                                (l == layer && i == row && static_cast<int>(j) == col ? h : 0)) *
                               a[j];
                if (l <= depth)
                    next[i] = std::tanh(next[i]);
            }
            a = next;
        }
        return std::log1p(std::exp(-a[0])); // logloss(sigmoid(z), 1)
    };
    for (const auto& [layer, row, col] : std::vector<std::tuple<int, int, int>>{
             {1, 0, 0}, {1, 31, 3}, {4, 12, 7}, {8, 2, 31}, {9, 0, 4}}) {
        const long double h = 1e-5L;
        const double want =
            static_cast<double>((loss(layer, row, col, h) - loss(layer, row, col, -h)) / (2 * h));
        const std::string key = "d/dW" + std::to_string(layer) + "_" +
                                (layer <= depth ? std::to_string(row + 1) + "_" : "1_") +
                                std::to_string(col + 1) + " ";
        const auto at = r.out.find(key);
        BOOST_TEST_REQUIRE(at != std::string::npos, key);
        const double got = std::stod(r.out.substr(r.out.find('=', at) + 1));
        BOOST_TEST(std::fabs(got - want) <= 1e-8 * std::max(1.0, std::fabs(want)),
                   key << ": " << got << ", by differences " << want);
    }
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(a_long_sum_is_read_in_linear_time) {
    // 1*x1 + 2*x2 + ... + 8000*x8000: each partial sum was tested for I as it grew (quadratic:
    // 10,000 terms took 14.6 s). d/dx7919 = 7919 by hand.
    std::string sum;
    for (int i = 1; i <= 8000; ++i)
        sum += (i > 1 ? " + " : "") + std::to_string(i) + "*x" + std::to_string(i);
    const auto r = symgrad_process({"--time-limit", "60", "diff", sum, "x7919", "--raw"});
    BOOST_TEST(r.status == 0, r.out.substr(0, 300));
    BOOST_TEST(r.out == "d/dx7919 = 7919\n");
}

BOOST_AUTO_TEST_CASE(a_long_sum_in_a_problem_file_is_read_in_linear_time) {
    // L = sum_{i=1}^{n} (w - i)^2: the problem-file reader built the sum a term at a time and
    // read every number with a copy of the whole line (80,000 terms took over 60 s). By hand,
    // dL/dw at w = 1/2 is 2 sum (1/2 - i) = n - n(n + 1) = -n^2.
    const auto dir = symgrad::test::scratch_directory("budget_sum");
    const long n = 40000;
    {
        std::ofstream f(dir / "sum.txt");
        f << "weights w = 1/2\nL = ";
        for (long i = 1; i <= n; ++i)
            f << (i > 1 ? " + " : "") << "(w - " << i << ")^2";
        f << "\nshow diff(L, w) at w = 1/2\n";
    }
    const auto r = symgrad_process({"--time-limit", "60", "run", (dir / "sum.txt").string()});
    BOOST_TEST(r.status == 0, r.out.substr(0, 300));
    BOOST_TEST(contains(r.out, "diff(L, w) = " + std::to_string(-n * n) + "\n"));
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(work_within_the_limits_is_not_affected) {
    const auto r = symgrad_process(
        {"--time-limit", "30", "--memory-limit", "1024", "diff", "sigmoid(z)", "z"});
    BOOST_TEST(r.status == 0, r.out);
    BOOST_TEST(r.out == "d/dz = sigmoid(z)*(1 - sigmoid(z))\n");
    const auto unlimited =
        symgrad_process({"--time-limit", "0", "--memory-limit", "0", "eval", "2^10"});
    BOOST_TEST(unlimited.status == 0, unlimited.out);
    BOOST_TEST(unlimited.out == "1024\n");
}

BOOST_AUTO_TEST_CASE(sizes_past_their_limits_stop_with_a_clear_error) {
    // 7^12 = 13841287201 has 11 digits.
    auto r = symgrad_process({"--max-digits", "10", "eval", "7^12"});
    BOOST_TEST(r.status == 2, r.out);
    BOOST_TEST(r.out.rfind("symgrad: error: ", 0) == 0u, r.out);
    BOOST_TEST(contains(r.out, "more than 10 digits, the size limit (raise it with --max-digits "
                               "DIGITS; 0: no limit)"),
               r.out);
    r = symgrad_process({"--max-digits", "11", "eval", "7^12"});
    BOOST_TEST(r.status == 0, r.out);
    BOOST_TEST(r.out == "13841287201\n");
    r = symgrad_process({"--max-digits", "10", "eval", "factorial(14)"}); // 87178291200
    BOOST_TEST(r.status == 2, r.out);
    BOOST_TEST(contains(r.out, "--max-digits"), r.out);

    // The derivative of a fourfold composition has more than 10 distinct subexpressions: the
    // four sigmoids, x, and the products and sums of the chain rule.
    const std::string nested = "sigmoid(sigmoid(sigmoid(sigmoid(x))))";
    r = symgrad_process({"--max-nodes", "10", "diff", nested, "x"});
    BOOST_TEST(r.status == 2, r.out);
    BOOST_TEST(contains(r.out, "distinct subexpressions, the size limit (raise it with "
                               "--max-nodes N; 0: no limit)"),
               r.out);
    r = symgrad_process({"diff", nested, "x"});
    BOOST_TEST(r.status == 0, r.out);
    r = symgrad_process({"--max-nodes", "0", "diff", nested, "x"});
    BOOST_TEST(r.status == 0, r.out);
}

BOOST_AUTO_TEST_CASE(exact_training_that_diverges_stops_at_the_digits_limit) {
    // L(beta) = (2 - beta)^2 + (3 - 2 beta)^2, L' = 10 beta - 16 (by hand); with rate 3/10 from
    // beta = 0, beta_k = -2 beta_{k-1} + 24/5 = 8 (1 - (-2)^k) / 5 grows by a digit every few
    // epochs. Step k computes the gradient 10 beta_{k-1} - 16 and then beta_k: the first step
    // where one of them has more than 30 digits is the last step that can run. The gradient
    // program's own intermediate values (small multiples of beta, such as 8 beta - 12) may pass
    // the limit a digit earlier, about three steps.
    using GiNaC::numeric;
    auto over = [](const numeric& v) {
        const numeric limit = numeric(10).power(30);
        return GiNaC::abs(v.numer()) >= limit || v.denom() >= limit;
    };
    numeric beta = 0;
    int last = 0;
    for (int k = 1; last == 0; ++k) {
        const numeric gradient = 10 * beta - 16;
        beta = -2 * beta + numeric(24, 5);
        if (over(gradient) || over(beta))
            last = k;
    }
    const std::string problem =
        std::string(SYMGRAD_SOURCE_DIR) + "/problems/seed001_least_squares_gd.txt";
    const auto r = symgrad_process(
        {"--max-digits", "30", "train", problem, "gd", "rate", "0.3", "epochs", "1000", "exact"});
    BOOST_TEST(r.status == 2, r.out.substr(0, 2000));
    const std::string start = "symgrad: error: train: epoch ";
    BOOST_TEST_REQUIRE(r.out.rfind(start, 0) == 0u, r.out.substr(0, 2000));
    const int epoch = std::stoi(r.out.substr(start.size()));
    BOOST_TEST(epoch <= last);
    BOOST_TEST(epoch >= last - 7);
    BOOST_TEST(contains(r.out, ", step " + std::to_string(epoch) + ": "), r.out);
    const std::string end = "more than 30 digits, the size limit (raise it with --max-digits "
                            "DIGITS; 0: no limit)\n";
    BOOST_TEST(r.out.size() > end.size());
    BOOST_TEST(r.out.substr(r.out.size() - std::min(r.out.size(), end.size())) == end, r.out);
    BOOST_TEST(r.out.find('\n') == r.out.size() - 1); // one line, nothing on stdout
}

BOOST_AUTO_TEST_CASE(a_negative_limit_is_refused) {
    const auto r = symgrad_process({"--time-limit", "-1", "eval", "1"});
    BOOST_TEST(r.status == 2, r.out);
    BOOST_TEST(contains(r.out, "--time-limit"));
}

BOOST_AUTO_TEST_SUITE_END()
