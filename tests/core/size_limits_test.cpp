// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/size_limits.hpp"

#include "symgrad/core/evaluate.hpp"
#include "symgrad/simplify/simplify.hpp"
#include "symgrad/text/parser.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

namespace {

using namespace symgrad;
using GiNaC::ex;
using GiNaC::numeric;
using symgrad::test::contains;
using symgrad::test::message_of;

} // namespace

BOOST_AUTO_TEST_SUITE(size_limits)

BOOST_AUTO_TEST_CASE(nodes_are_counted_once_however_often_they_are_shared) {
    // h_k = sin(h_{k-1}) + cos(h_{k-1}): the tree has 2^k leaves, the graph 1 + 3k nodes (x, and
    // per level a sin, a cos and a sum), by hand.
    const GiNaC::symbol x("x");
    ex h = x;
    const int levels = 60;
    for (int k = 0; k < levels; ++k)
        h = GiNaC::sin(h) + GiNaC::cos(h);
    BOOST_TEST(distinct_nodes(h, 1000) == 1u + 3u * levels);
    BOOST_TEST(distinct_nodes(h, 10) == 11u); // stops counting past the bound
    BOOST_TEST(distinct_nodes(x, 10) == 1u);
}

BOOST_AUTO_TEST_CASE(an_expression_over_the_node_limit_is_refused_with_the_option_named) {
    const GiNaC::symbol x("x");
    ex h = x;
    for (int k = 0; k < 40; ++k) // 121 nodes
        h = GiNaC::sin(h) + GiNaC::cos(h);
    {
        const size_limits_guard limit({default_size_limits.digits, 100});
        const std::string m = message_of([&] { check_expression_size(h, "diff"); });
        BOOST_TEST(m == "diff: the expression has more than 100 distinct subexpressions, the size "
                        "limit (raise it with --max-nodes N; 0: no limit)");
        BOOST_CHECK_THROW(simplify(h), size_limit_error);
        BOOST_CHECK_NO_THROW(check_expression_size(x, "diff"));
    }
    {
        const size_limits_guard limit({default_size_limits.digits, 121});
        BOOST_CHECK_NO_THROW(check_expression_size(h, "diff"));
    }
    {
        const size_limits_guard none({default_size_limits.digits, 0});
        BOOST_CHECK_NO_THROW(check_expression_size(h, "diff"));
    }
    // The guard restored the defaults.
    BOOST_TEST(current_size_limits().nodes == default_size_limits.nodes);
    BOOST_TEST(current_size_limits().digits == default_size_limits.digits);
}

BOOST_AUTO_TEST_CASE(exact_numbers_over_the_digits_limit_are_refused) {
    const size_limits_guard limit({10, default_size_limits.nodes});
    // 10^9 has 10 digits, 10^10 has 11; a denominator counts as much as a numerator.
    BOOST_CHECK_NO_THROW(check_number_size(numeric(1000000000), "x"));
    BOOST_CHECK_THROW(check_number_size(numeric(10000000000LL), "x"), size_limit_error);
    BOOST_CHECK_THROW(check_number_size(numeric(1) / numeric(10000000000LL), "x"),
                      size_limit_error);
    BOOST_CHECK_NO_THROW(check_number_size(numeric(1.5e300), "x")); // a float is not exact
    // The readers: 3^20 = 3486784401 (10 digits) is read, 3^30 = 205891132094649 is not.
    BOOST_TEST(parse("3^20").is_equal(numeric(3486784401LL)));
    const std::string m = message_of([] { parse("3^30"); });
    BOOST_TEST(contains(m, "the exact power would have more than 10 digits, the size limit "
                           "(raise it with --max-digits DIGITS; 0: no limit)"),
               m);
    BOOST_TEST(contains(message_of([] { parse("factorial(14)"); }), "--max-digits"));
    BOOST_TEST(parse("factorial(13)").is_equal(numeric(6227020800LL)));
    // The evaluators: a product of numbers that are each within the limit (99999 * 9999 =
    // 999890001, 99999 * 999999 = 99998900001). A power of a variable is left unevaluated
    // exactly and enclosed in a ball instead: 3^30 to 17 digits is exact.
    const GiNaC::exmap big = parse_point("a = 99999, b = 9999");
    BOOST_TEST(evaluate_exact(parse("a*b"), big, "eval").is_equal(numeric(999890001)));
    const GiNaC::exmap bigger = parse_point("a = 99999, b = 999999");
    const std::string e = message_of([&] { evaluate_exact(parse("a*b"), bigger, "eval"); });
    BOOST_TEST(e == "eval: the exact value would have more than 10 digits, the size limit (raise "
                    "it with --max-digits DIGITS; 0: no limit)");
    const GiNaC::exmap at = parse_point("n = 30");
    BOOST_TEST(evaluate_numeric(parse("3^n"), at, 17, "eval").to_double() == 205891132094649.0);
}

BOOST_AUTO_TEST_CASE(the_content_of_a_sum_counts_in_its_power) {
    // Found by the differential tests: GiNaC takes the numeric content out of an integer power
    // of a sum, so (b^2 + 6/7)^(10^300) = (1/7)^(10^300) (7 b^2 + 6)^(10^300) computed 7^(10^300)
    // while reading it. A sum whose content is 1 computes nothing and is read.
    const std::string m = message_of([] { parse("(b^2 + 6/7)^(10^300)"); });
    BOOST_TEST(contains(m, "--max-digits"), m);
    BOOST_TEST(contains(message_of([] { parse("(2*b + 4)^(10^7)"); }), "--max-digits"));
    const ex e = parse("(b + 1)^(10^300)");
    BOOST_TEST(GiNaC::is_exactly_a<GiNaC::power>(e));
    BOOST_TEST(e.op(1).is_equal(numeric(10).power(300)));
}

BOOST_AUTO_TEST_CASE(without_a_digits_limit_exact_numbers_are_computed) {
    const size_limits_guard none({0, default_size_limits.nodes});
    BOOST_TEST(parse("3^30").is_equal(numeric(205891132094649LL)));
}

BOOST_AUTO_TEST_SUITE_END()
