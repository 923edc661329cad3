// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/functions.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/program/operation_count.hpp"

#include <boost/test/unit_test.hpp>

using namespace symgrad;
using GiNaC::ex;

BOOST_AUTO_TEST_SUITE(operation_count)

BOOST_AUTO_TEST_CASE(sums_and_products_of_n_operands_cost_n_minus_one) {
    const ex &x = symbol_named("x"), &y = symbol_named("y"), &z = symbol_named("z");
    BOOST_TEST(symgrad::operation_count(x) == 0u);
    BOOST_TEST(symgrad::operation_count(x + y + z) == 2u);
    BOOST_TEST(symgrad::operation_count(x * y * z) == 2u);
    BOOST_TEST(symgrad::operation_count(2 * x) == 1u);
    BOOST_TEST(symgrad::operation_count(-x) == 1u);
    BOOST_TEST(symgrad::operation_count(GiNaC::pow(x, 3)) == 1u);
    // x*y + 2*z: the product (1), the coefficient (1), the sum (1).
    BOOST_TEST(symgrad::operation_count(x * y + 2 * z) == 3u);
}

BOOST_AUTO_TEST_CASE(functions_cost_one_per_argument_that_is_not_a_number) {
    const ex &x = symbol_named("x"), &y = symbol_named("y"), &z = symbol_named("z");
    BOOST_TEST(symgrad::operation_count(sigmoid(x)) == 1u);
    BOOST_TEST(symgrad::operation_count(logsumexp({x, y, z})) == 3u);
    BOOST_TEST(symgrad::operation_count(softmax(0, {x, y})) == 2u);
    BOOST_TEST(node_operation_count(sigmoid(x + y)) == 1u);
}

BOOST_AUTO_TEST_CASE(shared_subexpressions_count_once_but_print_every_time) {
    const ex &x = symbol_named("x"), &y = symbol_named("y");
    ex e = x + y;
    for (int i = 0; i < 40; ++i)
        e = sigmoid(e) + softplus(e); // e is used twice per level
    // Per level: sigmoid, softplus and their sum. (A product would do too, but GiNaC's
    // operator* asks every factor for its return type, a walk that is exponential here.)
    BOOST_TEST(symgrad::operation_count(e) == 1u + 40 * 3);
    BOOST_TEST(tree_size(e) > 1e12);
    BOOST_TEST(tree_size(x + y) == 3.0);
    BOOST_TEST(tree_size(sigmoid(x) * y) == 4.0);
}

BOOST_AUTO_TEST_SUITE_END()
