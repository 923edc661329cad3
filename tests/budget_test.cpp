// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// The budgets of src/cli/budget.hpp end the process, so these tests run the built command in a
// separate process (SYMGRAD_CLI_PATH) with small limits.
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

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

BOOST_AUTO_TEST_CASE(an_expansion_without_end_stops_at_the_time_limit) {
    // (a+b+c+d)^200 has 1,373,701 terms: differentiating and simplifying it ran over 120 s.
    expect_stopped_by({"--time-limit", "2", "diff", "(a+b+c+d)^200", "a"}, "time limit",
                      "--time-limit SECONDS");
    // The option is also accepted after the command's name.
    expect_stopped_by({"diff", "(a+b+c+d)^200", "a", "--time-limit", "2"}, "time limit",
                      "--time-limit SECONDS");
}

BOOST_AUTO_TEST_CASE(a_huge_exact_value_stops_with_a_clear_error) {
    for (const char* e : {"2^(10^9)", "factorial(10^9)", "EllipticK(1)"}) {
        const auto r = symgrad_process({"--time-limit", "2", "eval", e});
        BOOST_TEST_INFO(e << ": " << r.out);
        BOOST_TEST(r.status == 2);
        BOOST_TEST(r.out.rfind("symgrad: error: ", 0) == 0u);
    }
}

BOOST_AUTO_TEST_CASE(memory_past_the_limit_stops_with_a_clear_error) {
    // The expansion needs gigabytes; 200 MiB is reached within a second or two.
    expect_stopped_by({"--memory-limit", "200", "--time-limit", "20", "diff", "(a+b+c+d)^200", "a"},
                      "memory limit", "--memory-limit MIB");
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

BOOST_AUTO_TEST_CASE(a_negative_limit_is_refused) {
    const auto r = symgrad_process({"--time-limit", "-1", "eval", "1"});
    BOOST_TEST(r.status == 2, r.out);
    BOOST_TEST(contains(r.out, "--time-limit"));
}

BOOST_AUTO_TEST_SUITE_END()
