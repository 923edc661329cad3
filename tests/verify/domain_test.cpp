// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
//
// The domain of an expression as written: GiNaC has already simplified sqrt(x)*sqrt(x) to x,
// x/x to 1 and log(x) - log(x) to 0 when the parser returns; the recorded conditions must still
// say where the written form is defined. Oracle: the conditions written out by hand.
#include "symgrad/core/symbols.hpp"
#include "symgrad/text/parser.hpp"
#include "symgrad/verify/domain.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>
#include <vector>

using GiNaC::ex;
using symgrad::truth;

namespace {

std::vector<std::string> conditions_of(const std::string& text) {
    std::vector<std::string> out;
    for (const auto& c : symgrad::domain_conditions(symgrad::parse_written(text)))
        out.push_back(symgrad::condition_text(c));
    std::sort(out.begin(), out.end());
    return out;
}

using texts = std::vector<std::string>;

} // namespace

BOOST_AUTO_TEST_SUITE(domain)

BOOST_AUTO_TEST_CASE(conditions_survive_what_ginac_simplifies_away) {
    BOOST_TEST(symgrad::parse("sqrt(x)*sqrt(x)").is_equal(symgrad::symbol_named("x")));
    BOOST_TEST(conditions_of("sqrt(x)*sqrt(x)") == texts{"x >= 0"});
    BOOST_TEST(conditions_of("sqrt(x)^2") == texts{"x >= 0"});
    BOOST_TEST(conditions_of("exp(log(x))") == texts{"x > 0"});
    BOOST_TEST(conditions_of("x/x") == texts{"x != 0"});
    BOOST_TEST(conditions_of("log(x) - log(x)") == texts{"x > 0"});
    BOOST_TEST(conditions_of("0*log(y)") == texts{"y > 0"});
    BOOST_TEST(conditions_of("relu(x)/x") == texts{"x != 0"});
    BOOST_TEST(conditions_of("x^(-2)") == texts{"x != 0"});
    BOOST_TEST(conditions_of("x^(-1/2)") == texts{"x > 0"});
    BOOST_TEST(conditions_of("2^x") == texts{});
    BOOST_TEST(conditions_of("x^y") == texts{"x > 0"});
}

BOOST_AUTO_TEST_CASE(conditions_that_hold_everywhere_are_left_out) {
    BOOST_TEST(conditions_of("1/(1 + exp(-z))") == texts{});
    BOOST_TEST(conditions_of("log(sigmoid(z))") == texts{});
    BOOST_TEST(conditions_of("log(1 + x^2)") == texts{});
    BOOST_TEST(conditions_of("sqrt(x^2)") == texts{});
    BOOST_TEST(conditions_of("log(softmax(0, a, b))") == texts{});
    BOOST_TEST(conditions_of("log(a*b)") == texts{"a*b > 0"});
    BOOST_TEST(conditions_of("log(a) + log(b)") == (texts{"a > 0", "b > 0"}));
}

BOOST_AUTO_TEST_CASE(conditions_are_judged_exactly_or_by_balls) {
    const ex x = symgrad::symbol_named("x");
    const symgrad::domain_condition positive{x, symgrad::domain_kind::positive};
    const symgrad::domain_condition nonneg{x, symgrad::domain_kind::nonnegative};
    BOOST_TEST((symgrad::condition_at(positive, {{x, 0}}) == truth::fails));
    BOOST_TEST((symgrad::condition_at(nonneg, {{x, 0}}) == truth::holds));
    // 1 - sigmoid(1000 x) > 0 at x = 1: true by 5e-435; a ball decides it.
    const symgrad::domain_condition tiny{symgrad::parse("1 - sigmoid(1000*x)"),
                                         symgrad::domain_kind::positive};
    BOOST_TEST((symgrad::condition_at(tiny, {{x, 1}}) == truth::holds));
}

BOOST_AUTO_TEST_CASE(implication_between_linear_conditions) {
    const ex x = symgrad::symbol_named("x");
    using symgrad::domain_kind;
    BOOST_TEST(symgrad::implied_by({x, domain_kind::nonnegative}, {{x, domain_kind::positive}}));
    BOOST_TEST(symgrad::implied_by({x, domain_kind::nonzero}, {{x, domain_kind::positive}}));
    BOOST_TEST(
        symgrad::implied_by({x - 1, domain_kind::positive}, {{x - 2, domain_kind::positive}}));
    BOOST_TEST(!symgrad::implied_by({x, domain_kind::positive}, {{x, domain_kind::nonnegative}}));
    BOOST_TEST(!symgrad::implied_by({x, domain_kind::positive}, {}));
}

BOOST_AUTO_TEST_SUITE_END()
