// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file model.hpp
/// Models as expressions: dense layers act(x*W + b) over row vectors, a per-sample loss over
/// named inputs and labels, the seeds' models, and a generic MLP builder. A model is data: its
/// loss is a GiNaC expression whose shared subexpressions (each layer's outputs) are built once,
/// and its names for forward values (h1_2, o1_2, z_1) become the names in its gradient program.
///
///   model m = mlp({.inputs = 2, .hidden = {2, 2}, .output = mlp_output::linear_mse});
///   gradient_program p = per_sample_program(m);
///   dataset data(m.inputs, m.labels);
///   data.add_row({1, 1, 1});
///   program_doubles g = dataset_objective(p, data).value_double(point);

#include "symgrad/program/gradient_program.hpp"
#include "symgrad/train/dataset.hpp"

#include <ginac/ginac.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace symgrad {

/// Elementwise activations.
enum class activation { identity, sigmoid, tanh, relu, softplus };

/// act(z): identity z, sigmoid(z) = 1/(1 + e^-z), tanh(z), relu(z) = max(0, z),
/// softplus(z) = log(1 + e^z).
GiNaC::ex activate(activation act, const GiNaC::ex& z);

/// "identity", "sigmoid", "tanh", "relu", "softplus".
std::string_view activation_name(activation act);

/// The activation called @p name; invalid_input naming the accepted names otherwise.
activation parse_activation(std::string_view name);

/// A dense layer over a row vector (or a matrix of rows): act(x*W).
GiNaC::matrix dense(const GiNaC::matrix& x, const GiNaC::matrix& w, activation act);

/// A dense layer with a bias row b (1 x units) broadcast over the rows: act(x*W + b).
GiNaC::matrix dense(const GiNaC::matrix& x, const GiNaC::matrix& w, const GiNaC::matrix& b,
                    activation act);

/// Squared error sum_k (t_k - p_k)^2 between a prediction and a target of the same shape.
GiNaC::ex squared_error(const GiNaC::matrix& prediction, const GiNaC::matrix& target);

/// Cross-entropy of softmax(z) against a class index y for a row of logits z, fused and
/// stable: logsumexp(z) - sum_k [y = k] z_k (its gradient in z_l is softmax_l(z) - [y = l]).
GiNaC::ex softmax_crossentropy(const GiNaC::matrix& logits, const GiNaC::ex& y);

/// Log-loss of sigmoid(z) against y in {0, 1}, fused and stable:
/// -(y log sigmoid(z) + (1 - y) log(1 - sigmoid(z))) = softplus(z) - y z,
/// whose derivative in z is sigmoid(z) - y.
GiNaC::ex sigmoid_logloss(const GiNaC::ex& z, const GiNaC::ex& y);

/// A per-sample loss with everything needed to differentiate it and feed it data.
struct model {
    /// A short description ("2-4-4-1 sigmoid MLP, MSE").
    std::string description;
    /// The loss of one sample, over weights, inputs and labels.
    GiNaC::ex loss;
    /// The model's output for one sample (a row: predictions or class probabilities).
    GiNaC::matrix prediction;
    /// Weights in layer order (each matrix row-major, then its bias).
    std::vector<GiNaC::ex> weights;
    std::vector<GiNaC::ex> inputs;
    std::vector<label> labels;
    /// Names for forward values in the gradient program.
    std::vector<named_value> names;
};

/// The label symbols of @p m.
std::vector<GiNaC::ex> label_symbols(const model& m);

/// The program for m.loss with m's weights, inputs, labels and names.
gradient_program per_sample_program(const model& m);

/// A dataset with m's inputs and labels as columns.
dataset dataset_for(const model& m);

/// Append names stem_1 ... stem_n for the entries of a vector (stem_i_j for a matrix).
void name_entries(std::vector<named_value>& names, const GiNaC::matrix& values,
                  std::string_view stem);

/// Output layer and loss of an MLP.
enum class mlp_output {
    linear_mse,          ///< yhat = o W + b, loss (1/K) sum_k (y_k - yhat_k)^2
    sigmoid_logloss,     ///< p = sigmoid(o W + b), loss sum_k logloss(p_k, y_k), fused
    softmax_crossentropy ///< p = softmax(o W + b), loss -log p_y, fused
};

struct mlp_spec {
    std::size_t inputs = 1;
    std::vector<std::size_t> hidden = {};
    activation hidden_activation = activation::sigmoid;
    mlp_output output = mlp_output::linear_mse;
    /// Output units; the number of classes for softmax_crossentropy (at least 2).
    std::size_t outputs = 1;
    bool biases = true;
};

/// A multi-layer perceptron: inputs x_1..x_n; layer l has weights W<l> (rows = previous width)
/// and, with biases, b<l> (1 x width); hidden values named h<l>_j (pre-activation) and
/// o<l>_j; logits z_k. Labels: y (one output) or y_1..y_K; for softmax a class label y with K
/// classes. invalid_input for a zero width or fewer than 2 softmax classes.
model mlp(const mlp_spec& spec);

/// Seed 000: two-class softmax classifier on a scalar input x, z0 = w1 x + w3,
/// z1 = w2 x + w4, loss -log softmax_y(z0, z1) for a class label y in {0, 1}.
model seed000_softmax_classifier();

/// Seed 003: one sigmoid layer applied twice with the same W (2x2, W_11..W_22):
/// y = sigmoid(x W), y1 = sigmoid(y W), error = sum((t - y1)^2); inputs x_1, x_2,
/// targets t_1, t_2.
model seed003_shared_sigmoid_layer();

/// Seed 004: the 2-2-2-1 sigmoid network of the backpropagation exercise, without biases:
/// yhat = sigmoid(sigmoid(x W1) W2) W3, loss (1/2)(y - yhat)^2.
model seed004_network_2221();

/// Seed 004: logistic regression without a constant, z = w x, p = sigmoid(z),
/// loss logloss(p, y) (fused: softplus(z) - y z, derivative (p - y) x).
model seed004_logistic_regression();

} // namespace symgrad
