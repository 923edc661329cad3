// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/program/closed_form.hpp"
#include "symgrad/train/model.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

using namespace symgrad;
using GiNaC::ex;
using GiNaC::numeric;

namespace {
// The suite's namespace hides the function of the same name.
closed_form_result partial_formula(const gradient_program& p, const ex& w,
                                   const closed_form_options& o = {}) {
    return symgrad::closed_form(p, w, o);
}
} // namespace

BOOST_AUTO_TEST_SUITE(closed_form)

BOOST_AUTO_TEST_CASE(chain_rule_exercise_closes_to_the_hand_derived_partials) {
    const ex &x = symbol_named("x"), &y = symbol_named("y");
    const gradient_program p(GiNaC::pow(x, 2) + x * y + GiNaC::pow(x + y, 2), {x, y});
    const closed_form_result dx = partial_formula(p, x), dy = partial_formula(p, y);
    BOOST_TEST(dx.available);
    BOOST_TEST((dx.value - (2 * x + y + 2 * (x + y))).expand().is_zero(), dx.value);
    BOOST_TEST((dy.value - (x + 2 * (x + y))).expand().is_zero(), dy.value);
    BOOST_TEST(dx.message.empty());
}

BOOST_AUTO_TEST_CASE(closed_forms_of_a_network_equal_diff_and_mention_no_intermediate) {
    const symgrad::model m = seed004_network_2221();
    const gradient_program p = per_sample_program(m);
    std::mt19937_64 rng(test::seed(7001, "closed forms"));
    GiNaC::exmap point;
    for (const auto& s : free_symbols(m.loss))
        point[s] = test::random_rational(rng, -2, 2);
    for (const auto& w : m.weights) {
        const closed_form_result r = partial_formula(p, w);
        BOOST_TEST_REQUIRE(r.available);
        for (const auto& s : free_symbols(r.value))
            BOOST_TEST(p.definition(s) == nullptr, s << " is a program intermediate");
        BOOST_TEST(test::close(
            evaluate_numeric(r.value, point, 40),
            evaluate_numeric(m.loss.diff(GiNaC::ex_to<GiNaC::symbol>(w)), point, 40), 1e-38));
    }
}

BOOST_AUTO_TEST_CASE(a_closed_form_past_the_size_limit_is_refused_with_its_size) {
    const symgrad::model m = mlp({.inputs = 4, .hidden = {4, 4, 4, 4, 4, 4}});
    const gradient_program p = per_sample_program(m);
    const ex w = symbol_named("W1_11");
    const closed_form_result r = partial_formula(p, w);
    BOOST_TEST(!r.available);
    BOOST_TEST(r.size > 20000);
    BOOST_TEST(r.message.find("closed_form: dL/dW1_11 would have ") == 0u, r.message);
    BOOST_TEST(r.message.find("nodes (limit 20000); the gradient program is the better answer") !=
                   std::string::npos,
               r.message);
    // A higher limit lets the output bias's partial through: it is 2 (yhat - y) written out.
    closed_form_options generous;
    generous.max_size = 1e6;
    const closed_form_result last = partial_formula(p, symbol_named("b7_1"), generous);
    BOOST_TEST(last.available);
    BOOST_TEST(last.size < 1e6);
}

BOOST_AUTO_TEST_CASE(the_simplifier_hook_runs_on_the_substituted_formula) {
    const ex &x = symbol_named("x"), &y = symbol_named("y");
    const gradient_program p(GiNaC::pow(x + y, 2) * x, {x, y});
    int calls = 0;
    closed_form_options o;
    o.simplify = [&](const ex& e) {
        ++calls;
        return e.expand();
    };
    const closed_form_result r = partial_formula(p, y, o);
    BOOST_TEST(calls == 1);
    BOOST_TEST(r.value.is_equal((2 * x * (x + y)).expand()), r.value);
    // Any expression over the program's symbols, e.g. the loss.
    const closed_form_result loss = closed_form_of(p, p.loss());
    BOOST_TEST((loss.value - GiNaC::pow(x + y, 2) * x).expand().is_zero());
}

BOOST_AUTO_TEST_SUITE_END()
