// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
//
// The exact zero test behind verify(): identities of the exp/log rewriting are zero, near
// misses are not, and the rewriting agrees numerically with the functions' own evaluation.
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/exp_normal_form.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/text/parser.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <random>

using GiNaC::ex;
using symgrad::parse;

namespace {

bool zero(const char* text) {
    return symgrad::exact_zero_test(parse(text)).zero;
}

} // namespace

BOOST_AUTO_TEST_SUITE(exp_normal_form)

BOOST_AUTO_TEST_CASE(rewriting_into_exponentials_keeps_the_values) {
    // Oracle: the functions' own numeric evaluation (stable kernels), at random points.
    std::mt19937_64 rng(symgrad::test::seed(4100, "rewrite points"));
    for (const char* text :
         {"sigmoid(x*y)", "softplus(x - y)", "logsumexp(x, y, 2*x)", "softmax(2, x, y, x*y)",
          "logloss(sigmoid(x), y)", "tanh(x)", "sinh(x) + cosh(y)",
          "crossentropy({sigmoid(x), 1 - sigmoid(x)}, 1)"}) {
        const ex e = parse(text);
        const ex rewritten = symgrad::rewrite_to_exponentials(e);
        BOOST_TEST(!rewritten.is_equal(e), text);
        for (int i = 0; i < 3; ++i) {
            const auto p = symgrad::test::random_point(e, rng, 0.1, 0.9);
            BOOST_TEST(symgrad::test::close(symgrad::evaluate_numeric(e, p, 40),
                                            symgrad::evaluate_numeric(rewritten, p, 40), 1e-35),
                       text);
        }
    }
}

BOOST_AUTO_TEST_CASE(exponentials_of_sums_become_products_of_atoms) {
    BOOST_TEST(zero("exp(w1 - w2 + x*w3) - exp(w1)*exp(x*w3)/exp(w2)"));
    BOOST_TEST(zero("exp(x/2)^2 - exp(x)"));
    BOOST_TEST(zero("exp(x/2)*exp(x/3) - exp(5*x/6)")); // atom exp(x/6)
    BOOST_TEST(zero("exp(1/2)^2 - exp(1)"));
    BOOST_TEST(!zero("exp(x/2) - exp(x)/2"));
    const auto report = symgrad::exact_zero_test(parse("exp(x/2)*exp(x/3) - exp(5*x/6)"));
    BOOST_TEST(report.exp_atoms.size() == 1u);
    BOOST_TEST(report.exp_atoms.at(0) == "exp(x/6)"); // the text printer, as everywhere
}

BOOST_AUTO_TEST_CASE(logarithms_of_positive_products_split_into_sums) {
    BOOST_TEST(zero("log(exp(a)*exp(b)) - a - b"));
    BOOST_TEST(zero("log(exp(a)/(exp(a) + exp(b))) - a + log(exp(a) + exp(b))"));
    BOOST_TEST(zero("log(12) - 2*log(2) - log(3)"));
    BOOST_TEST(zero("log((x - 1)^2) - 2*log(1 - x)")); // both 2 log|x - 1| on the domain
    BOOST_TEST(zero("log(x*y) - log(x) - log(y)"));    // on x > 0, y > 0
    BOOST_TEST(!zero("log(x + y) - log(x) - log(y)"));
}

// A real fractional power b^q is defined only where b > 0, so log(b^q) = q log b wherever the
// log is (by hand); to_rational used to make b^q an opaque symbol, so these were not proved.
BOOST_AUTO_TEST_CASE(logarithms_of_fractional_powers_are_multiples_of_the_logarithm) {
    BOOST_TEST(zero("log(x^(5/2)) - 5/2*log(x)"));
    BOOST_TEST(zero("log((x - 1)^(1/3)) - log(x - 1)/3"));
    BOOST_TEST(zero("log(3*x^(1/3)*y^2) - log(3) - log(x)/3 - log(y^2)"));
    BOOST_TEST(zero("log(sqrt(x)/sqrt(y)) - log(x)/2 + log(y)/2"));
    BOOST_TEST(zero("log(softmax(0, a, b)^(-5/2)) - 5/2*softplus(b - a)"));
    BOOST_TEST(zero("log(sigmoid(a)^(2/3)) + 2/3*softplus(-a)"));
    // Near misses (at x = 2 the sides of the first differ by log(2)/2).
    BOOST_TEST(!zero("log(x^(5/2)) - 2*log(x)"));
    BOOST_TEST(!zero("log(x^(1/3)) - log(x)/2"));
    BOOST_TEST(!zero("log(softmax(0, a, b)^(-5/2)) - 5/2*softplus(a - b)"));
}

// exp(-2) beside exp(2/10^6) is E^-2000000 over the atom E = exp(10^-6): factoring a
// polynomial of that degree took minutes (evaluate_numeric's zero test of a softmax at
// a = -2 hit its time limit at every point). The decision gives up at once and says why;
// a low degree is still proved (both are 0 by hand).
BOOST_AUTO_TEST_CASE(exponentials_of_huge_degree_are_left_undecided_at_once) {
    BOOST_TEST(zero("exp(-2)*exp(2/10^3)^1000 - 1"));
    const auto start = std::chrono::steady_clock::now();
    const auto report = symgrad::exact_zero_test(
        parse("log(softmax(0, 10^6*softmax(1, -2, -2/10^6), 25/2)^(-5/2)) - "
              "5/2*softplus(25/2 - 10^6*softmax(1, -2, -2/10^6))"));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    BOOST_TEST(!report.zero);
    BOOST_TEST(report.obstacle.find("degree") != std::string::npos, report.obstacle);
    BOOST_TEST(seconds < 2, seconds << " s");
}

BOOST_AUTO_TEST_CASE(absolute_values_from_logarithms_take_the_signs_the_domain_allows) {
    // log(t/(1 - t)) needs 0 < t < 1: of the sign cases of t and 1 - t only (+, +) and the
    // impossible (-, -) satisfy t/(1 - t) > 0, and the linear check drops (-, -).
    const auto r = symgrad::exact_zero_test(parse("sigmoid(log(t/(1 - t))) - t"));
    BOOST_TEST(r.zero, r.obstacle);
    BOOST_TEST(r.sign_cases == 1u);
    BOOST_TEST(!zero("sigmoid(log(t/(1 + t))) - t"));
}

BOOST_AUTO_TEST_CASE(the_ml_identities_of_the_seeds_are_zero) {
    BOOST_TEST(zero("sigmoid(-t) - 1 + sigmoid(t)"));
    BOOST_TEST(zero("tanh(t) - 2*sigmoid(2*t) + 1"));
    BOOST_TEST(zero("softplus(x) - softplus(-x) - x"));
    BOOST_TEST(zero("logsumexp(a + c, b + c) - logsumexp(a, b) - c"));
    BOOST_TEST(zero("diff(logsumexp(a, b, c), b) - softmax(1, a, b, c)"));
    BOOST_TEST(!zero("sigmoid(-t) - sigmoid(t)"));
}

BOOST_AUTO_TEST_CASE(sign_conditions_are_refuted_only_when_provably_inconsistent) {
    const ex x = symgrad::symbol_named("x"), y = symgrad::symbol_named("y");
    BOOST_TEST(!symgrad::may_be_satisfiable({{x - 1, 1}, {x, -1}}));
    BOOST_TEST(!symgrad::may_be_satisfiable({{2 * x - 1, 0}, {x, -1}}));
    BOOST_TEST(!symgrad::may_be_satisfiable({{ex(-3), 1}}));
    BOOST_TEST(symgrad::may_be_satisfiable({{x, 1}, {1 - x, 1}}));
    BOOST_TEST(symgrad::may_be_satisfiable({{x - y, 1}, {y - x, 1}})); // not checked: two variables
}

BOOST_AUTO_TEST_SUITE_END()
