// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/error.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/train/dataset.hpp"
#include "symgrad/train/model.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>

using namespace symgrad;
using GiNaC::ex;
using GiNaC::numeric;

namespace {

// The suite's namespace hides the class of the same name.
using table = symgrad::dataset;
using program = symgrad::gradient_program;

template <class F> std::string message_of(F&& f) {
    try {
        f();
    } catch (const error& e) {
        return e.what();
    }
    return "no exception";
}

/// Seed 001's least squares: y = beta*x on (x, y) = (1, 2), (2, 3).
struct least_squares {
    ex beta = symbol_named("beta");
    ex x = symbol_named("x");
    ex y = symbol_named("y");
    ex loss = GiNaC::pow(y - beta * x, 2);
    table data{{x}, {{y, 0}}};
    least_squares() {
        data.add_row({1, 2});
        data.add_row({2, 3});
    }
    program_options options() const {
        program_options o;
        o.inputs = {x};
        o.labels = {y};
        return o;
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(dataset)

BOOST_AUTO_TEST_CASE(rows_by_name_and_by_position_hold_exact_values) {
    const ex &x1 = symbol_named("x_1"), &x2 = symbol_named("x_2"), &y = symbol_named("y");
    table data({x1, x2}, {{y, 3}});
    data.add_row({numeric(1, 3), 2, 0});
    data.add_named_row(GiNaC::exmap{{y, 2}, {x2, numeric(0.5)}, {x1, -1}});
    BOOST_TEST(data.size() == 2u);
    BOOST_TEST(data.row(0).at(x1).is_equal(numeric(1, 3)));
    BOOST_TEST(data.row(1).at(y) == 2);
    BOOST_TEST(data.row_double(1).at(x2) == 0.5);
    BOOST_TEST(data.columns().size() == 3u);
}

BOOST_AUTO_TEST_CASE(a_row_with_a_missing_or_extra_value_is_named) {
    const ex &x1 = symbol_named("x_1"), &x2 = symbol_named("x_2"), &y = symbol_named("y"),
             &z = symbol_named("z");
    table data({x1, x2}, {{y, 2}});
    data.add_row({1, 2, 1});
    BOOST_TEST(message_of([&] {
                   data.add_named_row(GiNaC::exmap{{x1, 1}, {y, 0}});
               }) == "dataset: row 1 has no value for x_2 (columns: x_1, x_2, y)");
    BOOST_TEST(message_of([&] {
                   data.add_named_row(GiNaC::exmap{{x1, 1}, {x2, 1}, {y, 0}, {z, 4}});
               }) ==
               "dataset: row 1 has a value for z, which is not a column (columns: x_1, x_2, y)");
    BOOST_TEST(message_of([&] {
                   data.add_row({1, 2});
               }) == "dataset: row 1 has 2 values, expected 3 (x_1, x_2, y)");
    BOOST_TEST(message_of([&] {
                   data.add_row({1, 2, 0, 5});
               }) == "dataset: row 1 has 4 values, expected 3 (x_1, x_2, y)");
    BOOST_TEST(message_of([&] {
                   data.add_row({1, x1, 0});
               }) == "dataset: row 1: the value of x_2 is not a real number: x_1");
    BOOST_TEST(data.size() == 1u); // nothing half-added
}

BOOST_AUTO_TEST_CASE(a_label_outside_the_class_range_is_named) {
    const symgrad::model m =
        mlp({.inputs = 1, .hidden = {2}, .output = mlp_output::softmax_crossentropy, .outputs = 3});
    table data = dataset_for(m);
    data.add_row({numeric(1, 2), 2});
    BOOST_TEST(message_of([&] {
                   data.add_row({1, 3});
               }) == "dataset: row 1: the label y = 3 is outside the classes 0..2");
    BOOST_TEST(message_of([&] {
                   data.add_row({1, -1});
               }) == "dataset: row 1: the label y = -1 is outside the classes 0..2");
    BOOST_TEST(message_of([&] {
                   data.add_row({1, numeric(1, 2)});
               }) == "dataset: row 1: the label y = 1/2 is outside the classes 0..2");
    BOOST_TEST(message_of([&] {
                   table({symbol_named("x")}, {{symbol_named("x"), 0}});
               }) == "dataset: the column x appears twice");
}

BOOST_AUTO_TEST_CASE(objective_is_the_sum_by_default_or_the_mean_over_rows_or_a_subset) {
    least_squares ls;
    const ex& b = ls.beta;
    BOOST_TEST((objective(ls.loss, ls.data) - (GiNaC::pow(2 - b, 2) + GiNaC::pow(3 - 2 * b, 2)))
                   .expand()
                   .is_zero());
    BOOST_TEST((objective(ls.loss, ls.data, reduction::mean) -
                (GiNaC::pow(2 - b, 2) + GiNaC::pow(3 - 2 * b, 2)) / 2)
                   .expand()
                   .is_zero());
    BOOST_TEST((objective(ls.loss, ls.data, {1}) - GiNaC::pow(3 - 2 * b, 2)).expand().is_zero());
    BOOST_TEST(message_of([&] { objective(ls.loss, ls.data, {2}); }) ==
               "objective: row 2 is outside the data (2 rows, numbered from 0)");
    BOOST_TEST(message_of([&] { objective(ls.loss, ls.data, std::vector<std::size_t>{}); }) ==
               "objective: the set of rows is empty");
    BOOST_TEST((parse_reduction("mean") == reduction::mean));
    BOOST_TEST(message_of([] { parse_reduction("max"); }) ==
               "reduction: expected sum or mean, got 'max'");
}

BOOST_AUTO_TEST_CASE(seed_001_least_squares_gradients_are_exact) {
    // J(beta) = (2 - beta)^2 + (3 - 2 beta)^2: J'(0) = -16 (the mean: -8), J'(8/5) = 0
    // (the closed-form estimate), and one GD step with rate 0.1 from 0 gives 1.6.
    least_squares ls;
    const program per_sample(ls.loss, {ls.beta}, ls.options());
    const dataset_objective sum_objective(per_sample, ls.data);
    const dataset_objective mean_objective(per_sample, ls.data, reduction::mean);
    BOOST_TEST(sum_objective.value_exact({{ls.beta, 0}}).gradient[0] == -16);
    BOOST_TEST(mean_objective.value_exact({{ls.beta, 0}}).gradient[0] == -8);
    BOOST_TEST(sum_objective.value_exact({{ls.beta, numeric(8, 5)}}).gradient[0] == 0);
    BOOST_TEST(sum_objective.value_exact({{ls.beta, 0}}).loss == 13);
    const numeric step =
        numeric(0) - numeric(1, 10) * GiNaC::ex_to<numeric>(
                                          sum_objective.value_exact({{ls.beta, 0}}).gradient[0]);
    BOOST_TEST(step == numeric(8, 5));
    // SGD on one row: (x, y) = (2, 3) only: d/dbeta (3 - 2 beta)^2 at 0 = -12.
    const dataset_objective one_row(per_sample, ls.data, {1});
    BOOST_TEST(one_row.value_numeric({{ls.beta, 0}}).gradient[0] == -12);
    BOOST_TEST(one_row.value_double({{ls.beta, 0.0}}).gradient[0] == -12.0);
}

BOOST_AUTO_TEST_CASE(dataset_gradient_equals_diff_of_the_whole_objective) {
    const symgrad::model m =
        mlp({.inputs = 2, .hidden = {2}, .output = mlp_output::softmax_crossentropy, .outputs = 3});
    table data = dataset_for(m);
    std::mt19937_64 rng(test::seed(6001, "dataset objective"));
    for (int i = 0; i < 4; ++i)
        data.add_row(
            {test::random_rational(rng, -2, 2), test::random_rational(rng, -2, 2), numeric(i % 3)});
    const program per_sample = per_sample_program(m);
    GiNaC::exmap weights;
    for (const auto& w : m.weights)
        weights[w] = test::random_rational(rng, -1, 1);
    for (reduction r : {reduction::sum, reduction::mean})
        for (const std::vector<std::size_t>& rows :
             {all_rows(data), std::vector<std::size_t>{2, 0}, std::vector<std::size_t>{3}}) {
            const dataset_objective j(per_sample, data, rows, r);
            const program_numbers v = j.value_numeric(weights, 30);
            const ex whole = j.expression();
            BOOST_TEST(test::close(v.loss, evaluate_numeric(whole, weights, 30), 1e-28));
            for (std::size_t k = 0; k < m.weights.size(); ++k)
                BOOST_TEST(test::close(
                    v.gradient[k],
                    evaluate_numeric(whole.diff(GiNaC::ex_to<GiNaC::symbol>(m.weights[k])), weights,
                                     30),
                    1e-28));
            const program_doubles d = j.value_double(to_double_point(weights));
            BOOST_TEST(std::abs(d.loss - v.loss.to_double()) <= 1e-12 * std::abs(d.loss));
        }
}

BOOST_AUTO_TEST_CASE(seed_000_gradient_descent_reproduces_the_epoch_table) {
    // Data x = [-3, 1], y = [0, 1], rate 0.1, weights from 0, full-batch gradient of the sum.
    const symgrad::model m = seed000_softmax_classifier();
    table data = dataset_for(m);
    data.add_row({-3, 0});
    data.add_row({1, 1});
    const dataset_objective j(per_sample_program(m), data);
    double_point w;
    for (const auto& s : m.weights)
        w[s] = 0;
    const double epoch1[] = {-0.2, 0.2, 0, 0};
    const double epoch5[] = {-0.4930, 0.4930, -0.0773, 0.0773};
    for (int epoch = 1; epoch <= 5; ++epoch) {
        const program_doubles g = j.value_double(w);
        for (std::size_t k = 0; k < m.weights.size(); ++k)
            w[m.weights[k]] -= 0.1 * g.gradient[k];
        for (std::size_t k = 0; k < 4 && (epoch == 1 || epoch == 5); ++k)
            BOOST_TEST(std::abs(w[m.weights[k]] - (epoch == 1 ? epoch1 : epoch5)[k]) <= 5e-5,
                       "epoch " << epoch << " " << m.weights[k] << " = " << w[m.weights[k]]);
    }
}

BOOST_AUTO_TEST_CASE(seed_004_sgd_on_the_2221_network_from_zero_weights) {
    // Rows (x1, x2, y) = (1, 1, 1), (5, 2, 0); SGD takes row 1, then row 0, rate 1. With zero
    // weights every hidden value is 1/2 and yhat = 0: row 1 has y = 0, so its gradient is 0;
    // row 0 gives dL/dW3 = (yhat - y) o2 = (-1/2, -1/2) and nothing else (W3 = 0 blocks it).
    const symgrad::model m = seed004_network_2221();
    table data = dataset_for(m);
    data.add_row({1, 1, 1});
    data.add_row({5, 2, 0});
    const program per_sample = per_sample_program(m);
    GiNaC::exmap w;
    for (const auto& s : m.weights)
        w[s] = 0;
    const program_values first = dataset_objective(per_sample, data, {1}).value_exact(w);
    for (const auto& g : first.gradient)
        BOOST_TEST(g.is_zero());
    const program_values second = dataset_objective(per_sample, data, {0}).value_exact(w);
    for (std::size_t k = 0; k < m.weights.size(); ++k) {
        const bool output_weight = symbol_name(m.weights[k]).rfind("W3", 0) == 0;
        BOOST_TEST(second.gradient[k].is_equal(output_weight ? numeric(-1, 2) : numeric(0)),
                   m.weights[k] << ": " << second.gradient[k]);
    }
    BOOST_TEST(second.loss == numeric(1, 2));
}

BOOST_AUTO_TEST_CASE(program_symbols_must_be_columns_of_the_data) {
    least_squares ls;
    program_options o;
    o.inputs = {ls.x, symbol_named("extra")};
    o.labels = {ls.y};
    const program p(ls.loss, {ls.beta}, o);
    BOOST_TEST(message_of([&] { dataset_objective(p, ls.data); }) ==
               "dataset_objective: the program's input extra is not a column of the data "
               "(columns: x, y)");
}

BOOST_AUTO_TEST_SUITE_END()
