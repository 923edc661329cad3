// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file functions.hpp
/// The machine-learning functions, registered with GiNaC with their derivative, exact values,
/// numeric evaluation (stable at any CLN precision) and LaTeX form, so that ex::diff, evalf,
/// subs and printing work on them like on GiNaC's own exp and log.
///
/// Indices are 0-based, like the class labels of the course material: softmax(0, z0, z1) is
/// Pr(Y = 0) and crossentropy over (p0, p1) with y = 1 is -log p1.

#include <ginac/ginac.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace symgrad {

/// sigma(z) = 1/(1 + exp(-z)).  sigma'(z) = sigma(z)*(1 - sigma(z)),  sigma(0) = 1/2.
DECLARE_FUNCTION_1P(sigmoid)

/// softplus(z) = log(1 + exp(z)).  softplus'(z) = sigma(z),  softplus(0) = log 2.
DECLARE_FUNCTION_1P(softplus)

/// relu(z) = max(0, z).  relu'(z) = step(z), GiNaC's Heaviside function, so at the kink
/// relu'(0) = step(0) = 1/2, the midpoint of the subdifferential [0, 1]. (PyTorch uses 0 there;
/// the two agree at every other point.)
DECLARE_FUNCTION_1P(relu)

/// Binary log-loss of a probability p against a label y in {0, 1}:
/// logloss(p, y) = -(y log p + (1 - y) log(1 - p)),
/// d/dp = (p - y)/(p (1 - p)),  d/dy = log((1 - p)/p).
DECLARE_FUNCTION_2P(logloss)

/// The indicator (Iverson bracket) [y = k]: 1 when y equals k, else 0. Its derivative is 0 in
/// both arguments (labels are data, not parameters).
DECLARE_FUNCTION_2P(indicator)

/// logsumexp(z0, ..., z_{K-1}) = log(sum_j exp(z_j)).  d/dz_l = softmax_l(z).
/// Requires K >= 1; logsumexp(z) = z, and logsumexp(z, ..., z) = z + log K.
GiNaC::ex logsumexp(const GiNaC::exvector& z);

/// Component k (0-based) of softmax(z): exp(z_k)/sum_j exp(z_j).
/// d softmax_k/d z_l = softmax_k (delta_kl - softmax_l). Throws invalid_input when k >= K.
GiNaC::ex softmax(std::size_t k, const GiNaC::exvector& z);

/// All K components of softmax(z).
GiNaC::exvector softmax(const GiNaC::exvector& z);

/// Multi-class cross-entropy of probabilities p against a class index y (0-based):
/// -log p_y, kept as crossentropy(y, p...) while y is symbolic, with
/// d/dp_k = -[y = k]/p_k. When p is exactly softmax(z) (all K components of the same logits),
/// the result is fused into logsumexp(z) - sum_k [y = k] z_k: stable for any logits, and its
/// derivative in z_l is the textbook softmax_l(z) - [y = l].
GiNaC::ex crossentropy(const GiNaC::exvector& p, const GiNaC::ex& y);

/// Cross-entropy against a one-hot (or any probability) target t: -sum_k t_k log p_k, fused with
/// softmax like the index form (logsumexp(z) * sum_k t_k - sum_k t_k z_k).
GiNaC::ex crossentropy(const GiNaC::exvector& p, const GiNaC::exvector& target);

/// Cross-entropy directly from logits: logsumexp(z) - sum_k [y = k] z_k.
GiNaC::ex crossentropy_with_logits(const GiNaC::exvector& z, const GiNaC::ex& y);

/// Whether @p e is q*log(r) with q rational and r a positive rational, so that exp(e) = r^q
/// exactly; q and r are set when it is. sigmoid(e) and exp(e) are then evaluated exactly.
bool rational_log_multiple(const GiNaC::ex& e, GiNaC::numeric& q, GiNaC::numeric& r);

/// @p e without the complex conjugates GiNaC puts at its top (in a factor, a power's base, or a
/// term's factor): GiNaC writes abs(u)^2 and abs(u)*abs(u) as u*conjugate(u) when it cannot tell
/// that u is real, and symgrad's values are real, so conjugate(u) is u. Shallow: for the
/// readers, which call it on every node they build.
GiNaC::ex without_conjugates(const GiNaC::ex& e);

/// The switch points of the piecewise functions in @p e: the arguments u of every step(u),
/// csgn(u), abs(u) and relu(u), each once (in no particular order). Each of these functions is
/// differentiable wherever u != 0, with step'(u) = csgn'(u) = 0, |u|' = csgn(u) and
/// relu'(u) = step(u) (GiNaC's step and csgn get their derivative when this library loads), and
/// not differentiable at u = 0 (step and csgn jump there; abs and relu have a kink).
GiNaC::exvector switch_arguments(const GiNaC::ex& e);

/// A class label of a cross-entropy in an expression, and its number of classes K: the label
/// must be one of 0..K-1 (labels are 0-based).
struct class_label {
    GiNaC::ex label;
    std::size_t classes;
};

/// The class labels of the cross-entropies in @p e that are not numbers yet: the y of every
/// crossentropy(y, p_0, ..., p_{K-1}), and of every fused form logsumexp(z_0, ..., z_{K-1}) -
/// sum_k [y = k] z_k that crossentropy over softmax builds (recognised by the indicators of y
/// being exactly those k with z_k != 0: the terms with z_k = 0 vanish). Once y has a value the
/// fused form no longer depends on it being a class (y = 3 over 3 classes would silently pick
/// nothing), so check points with check_class_labels first.
std::vector<class_label> class_labels(const GiNaC::ex& e);

/// Throws invalid_input "WHERE: y = 3 is not a class: ..." when @p point gives a class label of
/// @p e a value that is not one of its classes 0..K-1.
void check_class_labels(const GiNaC::ex& e, const GiNaC::exmap& point, const std::string& where);

/// The kinds of function symgrad defines, for visitors that need to tell them apart.
enum class ml_function {
    none,
    sigmoid,
    softplus,
    relu,
    logloss,
    indicator,
    logsumexp,
    softmax,
    crossentropy
};

/// Which ML function @p e is an application of (ml_function::none for anything else).
ml_function ml_function_of(const GiNaC::ex& e);

/// The name of an ML function as the parser and printers spell it.
std::string_view ml_function_name(ml_function f);

/// For softmax(k, z...): k. For crossentropy(y, p...): nothing (the label is op(0)).
std::size_t softmax_index(const GiNaC::ex& e);

/// Make sure GiNaC knows these functions (their registration runs at load time; calling this is
/// harmless and forces the translation unit to be linked from a static library).
void register_ml_functions();

} // namespace symgrad
