// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/error.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/functions.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/core/tensor.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

using namespace symgrad;
using GiNaC::ex;
using GiNaC::matrix;
using GiNaC::numeric;

namespace {

template <class F> std::string message_of(F&& f) {
    try {
        f();
    } catch (const error& e) {
        return e.what();
    }
    return "no exception";
}

bool same(const ex& a, const ex& b) {
    return (a - b).expand().is_zero();
}

} // namespace

BOOST_AUTO_TEST_SUITE(tensor)

BOOST_AUTO_TEST_CASE(symbol_matrix_names_entries_by_one_based_row_and_column) {
    const matrix w = symbol_matrix("W1", 2, 2);
    BOOST_TEST(symbol_name(w(0, 0)) == "W1_11");
    BOOST_TEST(symbol_name(w(0, 1)) == "W1_12");
    BOOST_TEST(symbol_name(w(1, 0)) == "W1_21");
    BOOST_TEST(symbol_name(w(1, 1)) == "W1_22");
    // The same symbols the parser gives for those names.
    BOOST_TEST(w(1, 0).is_equal(symbol_named("W1_21")));
    const matrix big = symbol_matrix("W", 10, 2);
    BOOST_TEST(symbol_name(big(9, 1)) == "W_10_2");
    BOOST_TEST(symbol_name(symbol_row("x", 3)(0, 2)) == "x_3");
    BOOST_TEST(symbol_column("x", 3).rows() == 3u);
    BOOST_TEST(message_of([] { symbol_matrix("W", 0, 2); }) ==
               "symbol_matrix: a matrix needs at least one row and column, got 0x2");
    BOOST_TEST(message_of([] { symbol_matrix("2W", 1, 2); }) ==
               "symbol_matrix: '2W' is not a valid symbol name");
}

BOOST_AUTO_TEST_CASE(matmul_of_a_row_and_a_matrix_is_the_books_layer) {
    // (h1 h2) = (x1 x2) [[w11 w12], [w21 w22]]: h_j = x1 w1j + x2 w2j.
    const matrix x = symbol_row("x", 2), w = symbol_matrix("w", 2, 2);
    const matrix h = matmul(x, w);
    const ex &x1 = symbol_named("x_1"), &x2 = symbol_named("x_2");
    BOOST_TEST(same(h(0, 0), x1 * symbol_named("w_11") + x2 * symbol_named("w_21")));
    BOOST_TEST(same(h(0, 1), x1 * symbol_named("w_12") + x2 * symbol_named("w_22")));
    const matrix a = matrix_from_rows({{1, 2}, {3, 4}}), b = matrix_from_rows({{5}, {6}});
    BOOST_TEST(matmul(a, b)(1, 0) == 39);
}

BOOST_AUTO_TEST_CASE(shape_mismatch_names_both_shapes_and_the_operation) {
    const matrix x = symbol_row("x", 3), w = symbol_matrix("w", 2, 2);
    BOOST_TEST(message_of([&] { matmul(x, w); }) ==
               "matmul: cannot multiply a 1x3 matrix by a 2x2 matrix (3 columns against 2 rows)");
    const std::string fit = " do not fit (they must be equal, or one a 1xn row matching the "
                            "columns, or 1x1)";
    BOOST_TEST(message_of([&] { add(w, x); }) == "add: the shapes 2x2 and 1x3" + fit);
    BOOST_TEST(message_of([&] { subtract(x, w); }) == "subtract: the shapes 1x3 and 2x2" + fit);
    BOOST_TEST(message_of([&] { hadamard(symbol_matrix("a", 3, 2), w); }) ==
               "hadamard: the shapes 3x2 and 2x2" + fit);
    BOOST_TEST(message_of([&] {
                   matrix_from_rows({{1, 2}, {3}});
               }) == "matrix_from_rows: row 1 has 1 entries, row 0 has 2");
}

BOOST_AUTO_TEST_CASE(a_bias_row_broadcasts_over_every_row) {
    const matrix h = matrix_from_rows({{1, 2}, {3, 4}, {5, 6}});
    const matrix b = matrix_from_rows({{10, 20}});
    const matrix s = add(h, b);
    BOOST_TEST(s(2, 0) == 15);
    BOOST_TEST(s(2, 1) == 26);
    BOOST_TEST(add(b, h)(0, 1) == 22);
    BOOST_TEST(add(h, matrix_from_rows({{1}}))(1, 1) == 5);
    BOOST_TEST(hadamard(h, b)(1, 1) == 80);
    BOOST_TEST(subtract(h, b)(0, 0) == -9);
    BOOST_TEST(scale(h, 2)(2, 1) == 12);
}

BOOST_AUTO_TEST_CASE(transpose_rows_columns_and_indexing) {
    const matrix w = symbol_matrix("W", 2, 3);
    const matrix t = transpose(w);
    BOOST_TEST(t.rows() == 3u);
    BOOST_TEST(t(2, 1).is_equal(symbol_named("W_23")));
    BOOST_TEST(entry(w, 1, 2).is_equal(symbol_named("W_23")));
    BOOST_TEST(row(w, 1)(0, 0).is_equal(symbol_named("W_21")));
    BOOST_TEST(column(w, 2)(1, 0).is_equal(symbol_named("W_23")));
    BOOST_TEST(component(symbol_column("v", 3), 2).is_equal(symbol_named("v_3")));
    BOOST_TEST(entries(w).size() == 6u);
    BOOST_TEST(message_of([&] { entry(w, 2, 0); }) ==
               "entry: the index (2, 0) is outside a 2x3 matrix (indices are 0-based)");
    BOOST_TEST(message_of([&] { component(w, 0); }) == "component: a 2x3 matrix is not a vector");
    BOOST_TEST(message_of([&] { component(symbol_row("v", 2), 2); }) ==
               "component: the index 2 is outside a vector of 2 (1x2, indices are 0-based)");
    BOOST_TEST(message_of([&] { row(w, 5); }) ==
               "row: the index 5 is outside a 2x3 matrix (indices are 0-based)");
    BOOST_TEST(message_of([&] { column(w, 3); }) ==
               "column: the index 3 is outside a 2x3 matrix (indices are 0-based)");
}

BOOST_AUTO_TEST_CASE(softmax_rows_sum_to_one_and_elementwise_applies_to_every_entry) {
    const matrix z = symbol_row("z", 3);
    const matrix p = softmax_rows(z);
    std::mt19937_64 rng(test::seed(5001, "softmax rows"));
    GiNaC::exmap point;
    for (const auto& s : entries(z))
        point[s] = test::random_rational(rng, -3, 3);
    BOOST_TEST(test::close(evaluate_numeric(sum(p), point, 40), numeric(1), 1e-38));
    BOOST_TEST((ml_function_of(p(0, 2)) == ml_function::softmax));
    const matrix s = elementwise(z, [](const ex& v) { return sigmoid(v); });
    BOOST_TEST(s(0, 1).is_equal(sigmoid(symbol_named("z_2"))));
    BOOST_TEST(square(z)(0, 0).is_equal(GiNaC::pow(symbol_named("z_1"), 2)));
}

BOOST_AUTO_TEST_CASE(sum_and_mean_over_all_entries) {
    const matrix m = matrix_from_rows({{1, 2, 3}, {4, 5, 6}});
    BOOST_TEST(sum(m) == 21);
    BOOST_TEST(mean(m) == numeric(7, 2));
    BOOST_TEST(sum_of({}) == 0);
    BOOST_TEST(same(sum(symbol_row("a", 3)),
                    symbol_named("a_1") + symbol_named("a_2") + symbol_named("a_3")));
}

BOOST_AUTO_TEST_SUITE_END()
