// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/train/model.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/functions.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/core/tensor.hpp"

namespace symgrad {

using GiNaC::ex;
using GiNaC::matrix;

ex activate(activation act, const ex& z) {
    switch (act) {
    case activation::identity:
        return z;
    case activation::sigmoid:
        return sigmoid(z);
    case activation::tanh:
        return GiNaC::tanh(z);
    case activation::relu:
        return relu(z);
    case activation::softplus:
        return softplus(z);
    }
    return z;
}

std::string_view activation_name(activation act) {
    switch (act) {
    case activation::identity:
        return "identity";
    case activation::sigmoid:
        return "sigmoid";
    case activation::tanh:
        return "tanh";
    case activation::relu:
        return "relu";
    case activation::softplus:
        return "softplus";
    }
    return "identity";
}

activation parse_activation(std::string_view name) {
    for (auto act : {activation::identity, activation::sigmoid, activation::tanh, activation::relu,
                     activation::softplus})
        if (activation_name(act) == name)
            return act;
    throw invalid_input("activation: expected identity, sigmoid, tanh, relu or softplus, got '" +
                        std::string(name) + "'");
}

matrix dense(const matrix& x, const matrix& w, activation act) {
    return elementwise(matmul(x, w), [act](const ex& z) { return activate(act, z); });
}

matrix dense(const matrix& x, const matrix& w, const matrix& b, activation act) {
    if (b.rows() != 1 || b.cols() != w.cols())
        throw shape_error("dense: the bias must be a 1x" + std::to_string(w.cols()) +
                          " row for weights of shape " + shape_text(w) + ", got " + shape_text(b));
    return elementwise(add(matmul(x, w), b), [act](const ex& z) { return activate(act, z); });
}

ex squared_error(const matrix& prediction, const matrix& target) {
    if (prediction.rows() != target.rows() || prediction.cols() != target.cols())
        throw shape_error("squared_error: the prediction is " + shape_text(prediction) +
                          " but the target is " + shape_text(target));
    return sum(square(subtract(target, prediction)));
}

ex softmax_crossentropy(const matrix& logits, const ex& y) {
    if (logits.rows() != 1)
        throw shape_error("softmax_crossentropy: the logits must be one row, got " +
                          shape_text(logits));
    return crossentropy_with_logits(entries(logits), y);
}

ex sigmoid_logloss(const ex& z, const ex& y) {
    return softplus(z) - y * z;
}

std::vector<ex> label_symbols(const model& m) {
    std::vector<ex> out;
    for (const auto& l : m.labels)
        out.push_back(l.symbol);
    return out;
}

gradient_program per_sample_program(const model& m) {
    program_options options;
    options.inputs = m.inputs;
    options.labels = label_symbols(m);
    options.names = m.names;
    return gradient_program(m.loss, m.weights, options);
}

dataset dataset_for(const model& m) {
    return dataset(m.inputs, m.labels);
}

void name_entries(std::vector<named_value>& names, const matrix& values, std::string_view stem) {
    const bool vector = values.rows() == 1 || values.cols() == 1;
    for (unsigned i = 0; i < values.rows(); ++i)
        for (unsigned j = 0; j < values.cols(); ++j) {
            std::string name(stem);
            if (values.nops() > 1)
                name += vector ? "_" + std::to_string(i + j + 1)
                               : "_" + std::to_string(i + 1) + "_" + std::to_string(j + 1);
            names.push_back({values(i, j), name});
        }
}

namespace {

void append(std::vector<ex>& to, const matrix& m) {
    const auto e = entries(m);
    to.insert(to.end(), e.begin(), e.end());
}

/// GiNaC keeps (t - p)^2 as (p - t)^2 when that is its canonical form, so a residual is named
/// both ways: r = target - prediction, and e = prediction - target (the error).
void name_residuals(std::vector<named_value>& names, const matrix& residual) {
    name_entries(names, residual, "r");
    name_entries(names, scale(residual, -1), "e");
}

std::string widths_text(const mlp_spec& s) {
    std::string t = std::to_string(s.inputs);
    for (auto w : s.hidden)
        t += "-" + std::to_string(w);
    return t + "-" + std::to_string(s.outputs);
}

} // namespace

model mlp(const mlp_spec& spec) {
    if (spec.inputs == 0 || spec.outputs == 0)
        throw invalid_input("mlp: the network needs at least one input and one output, got " +
                            widths_text(spec));
    for (std::size_t l = 0; l < spec.hidden.size(); ++l)
        if (spec.hidden[l] == 0)
            throw invalid_input("mlp: hidden layer " + std::to_string(l + 1) + " has width 0 in " +
                                widths_text(spec));
    if (spec.output == mlp_output::softmax_crossentropy && spec.outputs < 2)
        throw invalid_input("mlp: a softmax output needs at least 2 classes, got " +
                            std::to_string(spec.outputs));
    model m;
    const matrix x = symbol_row("x", spec.inputs);
    append(m.inputs, x);
    matrix o = x;
    std::vector<std::size_t> widths = spec.hidden;
    widths.push_back(spec.outputs);
    matrix z;
    for (std::size_t l = 0; l < widths.size(); ++l) {
        const std::string layer = std::to_string(l + 1);
        const matrix w = symbol_matrix("W" + layer, o.cols(), widths[l]);
        append(m.weights, w);
        z = matmul(o, w);
        if (spec.biases) {
            const matrix b = symbol_row("b" + layer, widths[l]);
            append(m.weights, b);
            z = add(z, b);
        }
        if (l + 1 == widths.size())
            break;
        name_entries(m.names, z, "h" + layer);
        o = elementwise(z, [&](const ex& v) { return activate(spec.hidden_activation, v); });
        name_entries(m.names, o, "o" + layer);
    }
    const std::size_t k = spec.outputs;
    switch (spec.output) {
    case mlp_output::linear_mse: {
        const matrix y = k == 1 ? matrix{{symbol_named("y")}} : symbol_row("y", k);
        for (const auto& s : entries(y))
            m.labels.push_back({s, 0});
        const matrix residual = subtract(y, z);
        name_residuals(m.names, residual);
        m.prediction = z;
        m.loss = sum(square(residual)) / static_cast<long>(k);
        break;
    }
    case mlp_output::sigmoid_logloss: {
        const matrix y = k == 1 ? matrix{{symbol_named("y")}} : symbol_row("y", k);
        GiNaC::exvector terms;
        for (std::size_t j = 0; j < k; ++j) {
            m.labels.push_back({component(y, j), 2});
            terms.push_back(sigmoid_logloss(component(z, j), component(y, j)));
        }
        name_entries(m.names, z, "z");
        m.prediction = elementwise(z, [](const ex& v) { return sigmoid(v); });
        m.loss = sum_of(terms);
        break;
    }
    case mlp_output::softmax_crossentropy: {
        const ex& y = symbol_named("y");
        m.labels.push_back({y, k});
        name_entries(m.names, z, "z");
        m.prediction = softmax_rows(z);
        m.loss = softmax_crossentropy(z, y);
        break;
    }
    }
    static constexpr const char* output_names[] = {"linear output, MSE", "sigmoid output, logloss",
                                                   "softmax output, cross-entropy"};
    m.description = widths_text(spec) + " " + std::string(activation_name(spec.hidden_activation)) +
                    " MLP, " + output_names[static_cast<int>(spec.output)] +
                    (spec.biases ? "" : ", no biases");
    return m;
}

model seed000_softmax_classifier() {
    const ex &w1 = symbol_named("w1"), &w2 = symbol_named("w2"), &w3 = symbol_named("w3"),
             &w4 = symbol_named("w4"), &x = symbol_named("x"), &y = symbol_named("y");
    model m;
    m.description = "seed 000: softmax classifier, z0 = w1 x + w3, z1 = w2 x + w4";
    const matrix z = row_vector({w1 * x + w3, w2 * x + w4});
    m.loss = softmax_crossentropy(z, y);
    m.prediction = softmax_rows(z);
    m.weights = {w1, w2, w3, w4};
    m.inputs = {x};
    m.labels = {{y, 2}};
    m.names = {{z(0, 0), "z0"}, {z(0, 1), "z1"}};
    return m;
}

model seed003_shared_sigmoid_layer() {
    model m;
    m.description = "seed 003: sigmoid layer applied twice with the same W, squared error";
    const matrix x = symbol_row("x", 2), w = symbol_matrix("W", 2, 2), t = symbol_row("t", 2);
    const matrix h1 = matmul(x, w);
    const matrix y = dense(x, w, activation::sigmoid);
    const matrix h2 = matmul(y, w);
    const matrix y1 = dense(y, w, activation::sigmoid);
    const matrix r = subtract(t, y1);
    m.loss = sum(square(r));
    m.prediction = y1;
    append(m.weights, w);
    append(m.inputs, x);
    for (const auto& s : entries(t))
        m.labels.push_back({s, 0});
    name_entries(m.names, h1, "h1");
    name_entries(m.names, y, "y");
    name_entries(m.names, h2, "h2");
    name_entries(m.names, y1, "y1");
    name_residuals(m.names, r);
    return m;
}

model seed004_network_2221() {
    model m = mlp({.inputs = 2,
                   .hidden = {2, 2},
                   .hidden_activation = activation::sigmoid,
                   .output = mlp_output::linear_mse,
                   .outputs = 1,
                   .biases = false});
    // The exercise's loss is (1/2)(y - yhat)^2, the MLP's MSE without the 1/2.
    m.loss = m.loss / 2;
    m.description = "seed 004: 2-2-2-1 sigmoid network without biases, (1/2)(y - yhat)^2";
    return m;
}

model seed004_logistic_regression() {
    const ex &w = symbol_named("w"), &x = symbol_named("x"), &y = symbol_named("y");
    model m;
    m.description = "seed 004: logistic regression z = w x, logloss";
    const ex z = w * x;
    m.loss = sigmoid_logloss(z, y);
    m.prediction = matrix{{sigmoid(z)}};
    m.weights = {w};
    m.inputs = {x};
    m.labels = {{y, 2}};
    m.names = {{z, "z"}};
    return m;
}

} // namespace symgrad
