// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file gradient_program.hpp
/// The gradient of a loss as a straight-line program, built by reverse accumulation over the
/// loss's expression DAG: what backpropagation does by hand in the course material.
///
///   forward:   h1 = x_1*W1_11 + x_2*W1_21        (pre-activations, named h)
///              o1 = sigmoid(h1)                  (activations, named o)
///              L  = ...
///   backward:  d_o1 = ...                        (adjoints d_v = dL/dv, the book's d)
///              d_h1 = d_o1*o1*(1 - o1)
///              dL/dW1_11 = d_h1*x_1              (the partials: gradient())
///
/// (A model's names replace the generic h1, o1: a layer's values are h<l>_<unit>, o<l>_<unit>.)
/// Every value that is used more than once (forward, or by a derivative in the backward pass)
/// gets a name, so nothing is computed twice and the program grows linearly with the loss:
/// at most a small constant times operation_count(loss) (see operation_count.hpp; about 2.5x
/// for sigmoid MLPs), where ex::diff of a deep network swells exponentially. Over a dataset the
/// per-sample program is built once and run per row (dataset.hpp).
///
/// The program is a plain data structure meant to be compiled: ordered assignments, each a
/// fresh symbol = an expression over weights, inputs, labels and earlier symbols using only
/// +, *, ^ and registered functions; the loss and each partial are expressions over them.
///
/// Numerically delicate pieces come out in their stable form: the adjoint of the logits of
/// logsumexp (softmax + cross-entropy) is g_l - [y = l] with g_l = exp(z_l - logsumexp(z)),
/// never a derivative of the log of a probability.

#include <ginac/ginac.h>

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

namespace symgrad {

/// One step of a straight-line program: symbol = value.
struct assignment {
    /// A fresh real symbol private to the program (never equal to a symbol_named() symbol).
    GiNaC::ex symbol;
    /// Over weights, inputs, labels and the symbols of earlier assignments.
    GiNaC::ex value;
};

/// A name the caller wants a forward value to have in the program (a model's h1_2, o1_2).
struct named_value {
    GiNaC::ex value;
    std::string name;
};

/// How to read the objective's symbols, and what to call things.
struct program_options {
    /// Per-sample inputs. When both inputs and labels are empty, every free symbol of the
    /// objective that is not a weight is taken as an input.
    std::vector<GiNaC::ex> inputs;
    /// Labels (targets). Like inputs they are data: nothing is differentiated by them.
    std::vector<GiNaC::ex> labels;
    /// Preferred names of forward values; a value with a name is always named in the program.
    std::vector<named_value> names;
    /// The name of the loss.
    std::string loss_name = "L";
};

/// The straight-line program computing an objective and its gradient with respect to weights.
class gradient_program {
public:
    /// Build the program for d objective / d weights by reverse accumulation. Each weight must
    /// be a distinct symbol; every free symbol of the objective must be a weight, an input or a
    /// label (invalid_input names the first one that is not). Cost: linear in the size of the
    /// objective's DAG.
    gradient_program(const GiNaC::ex& objective, const std::vector<GiNaC::ex>& weights,
                     const program_options& options = {});

    /// The objective as given.
    const GiNaC::ex& objective() const noexcept { return objective_; }
    const std::vector<GiNaC::ex>& weights() const noexcept { return weights_; }
    const std::vector<GiNaC::ex>& inputs() const noexcept { return inputs_; }
    const std::vector<GiNaC::ex>& labels() const noexcept { return labels_; }

    /// Forward assignments, in order: everything the loss needs.
    const std::vector<assignment>& forward() const noexcept { return forward_; }
    /// Backward assignments, in order: adjoints and the values only the gradient needs.
    const std::vector<assignment>& backward() const noexcept { return backward_; }

    /// The loss over the forward symbols (usually the symbol L itself).
    const GiNaC::ex& loss() const noexcept { return loss_; }
    /// gradient()[i] = d objective / d weights()[i], over all program symbols (0 when the
    /// objective does not depend on that weight).
    const std::vector<GiNaC::ex>& gradient() const noexcept { return gradient_; }

    /// The index of @p weight in weights(); invalid_input when it is not a weight.
    std::size_t weight_index(const GiNaC::ex& weight) const;
    /// d objective / d weight as an expression over the program's symbols.
    const GiNaC::ex& partial(const GiNaC::ex& weight) const {
        return gradient_[weight_index(weight)];
    }

    /// The assignment defining a program symbol, or nullptr for any other expression.
    const assignment* definition(const GiNaC::ex& symbol) const;

    /// Operations in the program: operation_count of every assignment's value, of the loss and
    /// of every partial, added up (program symbols count as leaves, like weights and inputs).
    std::size_t operation_count() const;

private:
    GiNaC::ex objective_;
    std::vector<GiNaC::ex> weights_, inputs_, labels_;
    std::vector<assignment> forward_, backward_;
    GiNaC::ex loss_;
    std::vector<GiNaC::ex> gradient_;
    std::unordered_map<GiNaC::ex, std::size_t> weight_index_;
    /// symbol -> position in forward_, or forward_.size() + position in backward_.
    std::unordered_map<GiNaC::ex, std::size_t> definition_index_;
};

} // namespace symgrad
