// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/error.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/program/program_evaluate.hpp"
#include "symgrad/train/model.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>

using namespace symgrad;
using GiNaC::ex;
using GiNaC::numeric;

BOOST_AUTO_TEST_SUITE(program_evaluate)

BOOST_AUTO_TEST_CASE(polynomial_losses_give_exact_rationals) {
    // Linear regression with an intercept: L = (y - a x - b)^2.
    const ex &a = symbol_named("a"), &b = symbol_named("b"), &x = symbol_named("x"),
             &y = symbol_named("y");
    const gradient_program p(GiNaC::pow(y - a * x - b, 2), {a, b});
    const GiNaC::exmap at{{a, numeric(1, 3)}, {b, numeric(-1, 7)}, {x, 2}, {y, numeric(1, 2)}};
    const program_values v = evaluate_program_exact(p, at);
    const numeric r = numeric(1, 2) - numeric(2, 3) + numeric(1, 7); // y - a x - b
    BOOST_TEST(v.loss.is_equal(r * r));
    BOOST_TEST(v.gradient[0].is_equal(-2 * r * 2));
    BOOST_TEST(v.gradient[1].is_equal(-2 * r));
    const program_numbers n = evaluate_program_numeric(p, at, 30);
    BOOST_TEST(n.gradient[0].is_rational());
    BOOST_TEST(n.gradient[0] == -4 * r);
}

BOOST_AUTO_TEST_CASE(cln_values_at_any_precision_agree_with_diff) {
    const symgrad::model m = seed003_shared_sigmoid_layer();
    const gradient_program p = per_sample_program(m);
    std::mt19937_64 rng(test::seed(8001, "precision"));
    GiNaC::exmap point;
    for (const auto& s : free_symbols(m.loss))
        point[s] = test::random_rational(rng, -2, 2);
    for (long digits : {10L, 50L, 200L}) {
        const program_numbers v = evaluate_program_numeric(p, point, digits);
        for (std::size_t k = 0; k < m.weights.size(); ++k) {
            const numeric expected = evaluate_numeric(
                m.loss.diff(GiNaC::ex_to<GiNaC::symbol>(m.weights[k])), point, digits + 5);
            BOOST_TEST(test::close(v.gradient[k], expected, std::pow(10.0, -digits + 1)),
                       digits << " digits: " << v.gradient[k] << " vs " << expected);
        }
    }
    // Exact values are exact expressions; their numeric values agree too.
    const program_values exact = evaluate_program_exact(p, point);
    BOOST_TEST(test::close(evaluate_numeric(exact.loss, {}, 30),
                           evaluate_program_numeric(p, point, 30).loss, 1e-28));
}

BOOST_AUTO_TEST_CASE(double_values_stay_finite_where_naive_formulas_overflow) {
    // Logits of 800 and -800: exp(800) overflows a double, the program never computes it.
    const symgrad::model m = seed000_softmax_classifier();
    const gradient_program p = per_sample_program(m);
    const double_point at{{symbol_named("w1"), 400}, {symbol_named("w2"), -400},
                          {symbol_named("w3"), 0},   {symbol_named("w4"), 0},
                          {symbol_named("x"), 2},    {symbol_named("y"), 1}};
    const program_doubles v = evaluate_program_double(p, at);
    BOOST_TEST(v.loss == 1600.0);
    BOOST_TEST(v.gradient[0] == 2.0);  // (g0 - 0) x with g0 = 1
    BOOST_TEST(v.gradient[1] == -2.0); // (g1 - 1) x with g1 = e^-1600 = 0
}

BOOST_AUTO_TEST_CASE(missing_values_are_all_named_at_once) {
    const symgrad::model m = seed004_logistic_regression();
    const gradient_program p = per_sample_program(m);
    try {
        evaluate_program_double(p, {{symbol_named("x"), 1.0}});
        BOOST_FAIL("no exception");
    } catch (const unbound_symbols& e) {
        BOOST_TEST(e.names() == (std::vector<std::string>{"w", "y"}));
    }
    BOOST_CHECK_THROW(evaluate_program_exact(p, {}), unbound_symbols);
    BOOST_CHECK_THROW(evaluate_program_numeric(p, {}), unbound_symbols);
}

BOOST_AUTO_TEST_CASE(an_undefined_value_names_the_program_symbol) {
    const ex &w = symbol_named("w"), &x = symbol_named("x");
    const gradient_program p(GiNaC::log(w * x + 1) * w, {w});
    try {
        evaluate_program_exact(p, {{w, 1}, {x, -1}});
        BOOST_FAIL("no exception");
    } catch (const domain_error& e) {
        BOOST_TEST(std::string(e.what()).find("evaluate_program_exact: t1") == 0, e.what());
    }
}

BOOST_AUTO_TEST_SUITE_END()
