// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/error.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/functions.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/core/tensor.hpp"
#include "symgrad/program/operation_count.hpp"
#include "symgrad/train/model.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>

using namespace symgrad;
using GiNaC::ex;
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

} // namespace

BOOST_AUTO_TEST_SUITE(model)

BOOST_AUTO_TEST_CASE(activations_are_the_registered_functions) {
    const ex& z = symbol_named("z");
    BOOST_TEST(activate(activation::identity, z) == z);
    BOOST_TEST(activate(activation::sigmoid, z).is_equal(sigmoid(z)));
    BOOST_TEST(activate(activation::tanh, z).is_equal(GiNaC::tanh(z)));
    BOOST_TEST(activate(activation::relu, z).is_equal(relu(z)));
    BOOST_TEST(activate(activation::softplus, z).is_equal(softplus(z)));
    BOOST_TEST((parse_activation("tanh") == activation::tanh));
    BOOST_TEST(message_of([] { parse_activation("gelu"); }) ==
               "activation: expected identity, sigmoid, tanh, relu or softplus, got 'gelu'");
}

BOOST_AUTO_TEST_CASE(dense_layer_is_activation_of_x_times_w_plus_b) {
    const auto x = symbol_row("x", 2);
    const auto w = symbol_matrix("W", 2, 3);
    const auto b = symbol_row("b", 3);
    const auto o = dense(x, w, b, activation::sigmoid);
    BOOST_TEST(o.rows() == 1u);
    BOOST_TEST(o.cols() == 3u);
    const ex expected = sigmoid(symbol_named("x_1") * symbol_named("W_12") +
                                symbol_named("x_2") * symbol_named("W_22") + symbol_named("b_2"));
    BOOST_TEST(o(0, 1).is_equal(expected), o(0, 1));
    BOOST_TEST(message_of([&] { dense(x, w, symbol_row("b", 2), activation::relu); }) ==
               "dense: the bias must be a 1x3 row for weights of shape 2x3, got 1x2");
    BOOST_TEST(message_of([&] { dense(symbol_row("x", 3), w, activation::relu); }) ==
               "matmul: cannot multiply a 1x3 matrix by a 2x3 matrix (3 columns against 2 rows)");
}

BOOST_AUTO_TEST_CASE(seed_000_loss_is_minus_log_of_the_softmax_probability) {
    // The seed writes Pr(Y=k) = e^{z_k}/(e^{z0} + e^{z1}) and the loss -ln Pr(Y=y).
    const symgrad::model m = seed000_softmax_classifier();
    const ex &w1 = symbol_named("w1"), &w2 = symbol_named("w2"), &w3 = symbol_named("w3"),
             &w4 = symbol_named("w4"), &x = symbol_named("x"), &y = symbol_named("y");
    const ex z0 = w1 * x + w3, z1 = w2 * x + w4;
    std::mt19937_64 rng(test::seed(4001, "seed 000 loss"));
    for (long label = 0; label < 2; ++label) {
        const ex zy = label == 0 ? z0 : z1;
        const ex by_hand = -GiNaC::log(GiNaC::exp(zy) / (GiNaC::exp(z0) + GiNaC::exp(z1)));
        GiNaC::exmap point{{y, label}};
        for (const auto& s : {w1, w2, w3, w4, x})
            point[s] = test::random_rational(rng, -2, 2);
        BOOST_TEST(test::close(evaluate_numeric(m.loss, point, 40),
                               evaluate_numeric(by_hand, point, 40), 1e-38));
    }
    BOOST_TEST(m.labels.front().classes == 2u);
}

BOOST_AUTO_TEST_CASE(seed_003_first_layer_and_error_match_the_notebook) {
    const symgrad::model m = seed003_shared_sigmoid_layer();
    const auto x = symbol_row("x", 2), w = symbol_matrix("W", 2, 2);
    GiNaC::exmap point{{symbol_named("W_11"), -2},
                       {symbol_named("W_12"), 2},
                       {symbol_named("W_21"), numeric(2, 5)},
                       {symbol_named("W_22"), numeric(-9, 10)},
                       {symbol_named("x_1"), 1},
                       {symbol_named("x_2"), 1},
                       {symbol_named("t_1"), 1},
                       {symbol_named("t_2"), 0}};
    const auto y = dense(x, w, activation::sigmoid);
    BOOST_TEST(std::abs(evaluate_numeric(y(0, 0), point).to_double() - 0.16798161) <= 5e-9);
    BOOST_TEST(std::abs(evaluate_numeric(y(0, 1), point).to_double() - 0.75026011) <= 5e-9);
    BOOST_TEST(std::abs(evaluate_numeric(m.loss, point, 20).to_double() - 0.43208904098296796) <=
               1e-15);
}

BOOST_AUTO_TEST_CASE(seed_004_logistic_regression_is_the_logloss_of_the_sigmoid) {
    // logloss = -(y ln p + (1 - y) ln(1 - p)), p = 1/(1 + e^{-wx}); d/dw = (p - y) x.
    const symgrad::model m = seed004_logistic_regression();
    const ex &w = symbol_named("w"), &x = symbol_named("x"), &y = symbol_named("y");
    const ex p = 1 / (1 + GiNaC::exp(-w * x));
    const ex by_hand = -(y * GiNaC::log(p) + (1 - y) * GiNaC::log(1 - p));
    std::mt19937_64 rng(test::seed(4002, "logistic regression"));
    for (int trial = 0; trial < 4; ++trial) {
        GiNaC::exmap point{{w, test::random_rational(rng, -3, 3)},
                           {x, test::random_rational(rng, -3, 3)},
                           {y, trial % 2}};
        BOOST_TEST(test::close(evaluate_numeric(m.loss, point, 40),
                               evaluate_numeric(by_hand, point, 40), 1e-38));
        BOOST_TEST(
            test::close(evaluate_numeric(m.loss.diff(GiNaC::ex_to<GiNaC::symbol>(w)), point, 40),
                        evaluate_numeric((p - y) * x, point, 40), 1e-38));
    }
    // The exercise: x = -5, y = 1, w0 = 1: the derivative is about 4.96.
    const double d = evaluate_double(m.loss.diff(GiNaC::ex_to<GiNaC::symbol>(w)),
                                     {{w, 1.0}, {x, -5.0}, {y, 1.0}});
    BOOST_TEST(std::abs(d - 5 * (1 - 1 / (1 + std::exp(5.0)))) <= 1e-15);
}

BOOST_AUTO_TEST_CASE(seed_004_network_has_the_books_shapes_and_loss) {
    const symgrad::model m = seed004_network_2221();
    BOOST_TEST(m.weights.size() == 10u); // W1 2x2, W2 2x2, W3 2x1
    BOOST_TEST(m.inputs.size() == 2u);
    // With all weights 0: o1 = o2 = (1/2, 1/2), yhat = 0, loss y^2/2.
    GiNaC::exmap point{{symbol_named("x_1"), 5}, {symbol_named("x_2"), 2}, {symbol_named("y"), 1}};
    for (const auto& w : m.weights)
        point[w] = 0;
    BOOST_TEST(evaluate_exact(m.loss, point).is_equal(numeric(1, 2)));
}

BOOST_AUTO_TEST_CASE(mlp_builder_counts_weights_and_names_labels) {
    const symgrad::model plain = mlp({.inputs = 3, .hidden = {4, 5}, .outputs = 2});
    BOOST_TEST(plain.weights.size() == 3u * 4 + 4 + 4 * 5 + 5 + 5 * 2 + 2);
    BOOST_TEST(plain.labels.size() == 2u);
    BOOST_TEST(symbol_name(plain.labels[1].symbol) == "y_2");
    BOOST_TEST(plain.labels[1].classes == 0u);
    const symgrad::model no_bias = mlp({.inputs = 3, .hidden = {4}, .outputs = 1, .biases = false});
    BOOST_TEST(no_bias.weights.size() == 3u * 4 + 4);
    const symgrad::model softmax_net =
        mlp({.inputs = 2, .hidden = {2}, .output = mlp_output::softmax_crossentropy, .outputs = 4});
    BOOST_TEST(softmax_net.labels.size() == 1u);
    BOOST_TEST(softmax_net.labels[0].classes == 4u);
    BOOST_TEST(softmax_net.prediction.cols() == 4u);
    const symgrad::model logistic =
        mlp({.inputs = 2, .hidden = {}, .output = mlp_output::sigmoid_logloss});
    BOOST_TEST(logistic.labels[0].classes == 2u);
    BOOST_TEST(logistic.description == "2-1 sigmoid MLP, sigmoid output, logloss");
}

BOOST_AUTO_TEST_CASE(mlp_losses_equal_their_textbook_formulas) {
    // One hidden unit, one output: check each output kind against the formula written out.
    const ex &x = symbol_named("x_1"), &w1 = symbol_named("W1_11"), &b1 = symbol_named("b1_1"),
             &w2 = symbol_named("W2_11"), &b2 = symbol_named("b2_1"), &y = symbol_named("y");
    const ex o = GiNaC::tanh(x * w1 + b1);
    const ex z = o * w2 + b2;
    std::mt19937_64 rng(test::seed(4003, "mlp formulas"));
    GiNaC::exmap point;
    for (const auto& s : {x, w1, b1, w2, b2})
        point[s] = test::random_rational(rng, -2, 2);
    point[y] = 1;
    const mlp_spec base{.inputs = 1, .hidden = {1}, .hidden_activation = activation::tanh};
    mlp_spec mse = base, logistic = base;
    logistic.output = mlp_output::sigmoid_logloss;
    const ex p = 1 / (1 + GiNaC::exp(-z));
    BOOST_TEST(test::close(evaluate_numeric(mlp(mse).loss, point, 40),
                           evaluate_numeric(GiNaC::pow(y - z, 2), point, 40), 1e-38));
    BOOST_TEST(test::close(evaluate_numeric(mlp(logistic).loss, point, 40),
                           evaluate_numeric(-GiNaC::log(p), point, 40), 1e-38));
}

BOOST_AUTO_TEST_CASE(mlp_rejects_empty_layers_and_one_class_softmax) {
    BOOST_TEST(message_of([] {
                   mlp({.inputs = 2, .hidden = {3, 0}});
               }) == "mlp: hidden layer 2 has width 0 in 2-3-0-1");
    BOOST_TEST(message_of([] { mlp({.inputs = 0}); }) ==
               "mlp: the network needs at least one input and one output, got 0-1");
    BOOST_TEST(message_of([] {
                   mlp({.inputs = 2, .output = mlp_output::softmax_crossentropy, .outputs = 1});
               }) == "mlp: a softmax output needs at least 2 classes, got 1");
}

BOOST_AUTO_TEST_CASE(deep_mlp_loss_shares_each_layer_once) {
    // Sharing keeps the DAG linear in depth although the printed tree is exponential.
    const symgrad::model m = mlp({.inputs = 4, .hidden = {4, 4, 4, 4, 4, 4}});
    const double tree = tree_size(m.loss);
    const std::size_t ops = operation_count(m.loss);
    BOOST_TEST(ops < 400u);
    BOOST_TEST(tree > 100.0 * static_cast<double>(ops), tree << " nodes for " << ops << " ops");
}

BOOST_AUTO_TEST_SUITE_END()
