// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file stable_forms.hpp
/// The numerics pass: what is evaluated in floating point is rewritten into forms without
/// catastrophic cancellation, while what is printed for people stays the textbook's. Every
/// rewrite is an identity on the whole real line (tests/stable_forms_test.cpp has the verifier
/// prove each one), so exact evaluation is unchanged:
///
///   1 - sigmoid(u)          -> sigmoid(-u)        (so sigma(1 - sigma) -> sigma(u) sigma(-u))
///   sigmoid(u) - 1          -> -sigmoid(-u)
///   sigmoid(u) - y          -> (1 - y) sigmoid(u) - y sigmoid(-u)     (y a label)
///   log sigmoid(u)          -> -softplus(-u)      (and log(1 - sigmoid(u)) -> -softplus(u))
///   logloss(sigmoid(u), y)  -> y softplus(-u) + (1 - y) softplus(u)   (on the logit)
///   logloss(e^v, y)         -> -y v - (1 - y) log(1 - e^v)      (log(1 - e^v) runs via expm1)
///   1 - tanh(u)^2           -> 4 sigmoid(2u) sigmoid(-2u)
///   1 - tanh(u), 1 + tanh(u) -> 2 sigmoid(-2u), 2 sigmoid(2u)
///   1 - sigmoid(u)^2        -> sigmoid(-u) (1 + sigmoid(u))
///   log(c sigmoid(u))       -> log(c) - softplus(-u)   (a number c > 0)
///   log cosh(u)             -> logsumexp(u, -u) - log 2
///   softplus(u) - u         -> softplus(-u),  softplus(u) - softplus(-u) -> u
///   sigmoid(u) - sigmoid(-u) -> tanh(u/2),  k - 2k sigmoid(u) -> -k tanh(u/2)
///   1/(1 + e^v)             -> sigmoid(-v),  e^v/(1 + e^v) -> sigmoid(v)
///   log(1 + e^u)            -> softplus(u)
///   log(sum of c_i e^{v_i} and c, all c > 0) -> logsumexp(v_i + log c_i, ..., log c)
///   g_l - [y = l]           -> (1 - [y = l]) g_l - [y = l] sum_{j != l} g_j  (g = softmax(z))
///   1 - g_l                 -> sum_{j != l} g_j
///   k - k/(1 + u)           -> k u/(1 + u)
///   log(g^k)                -> k log g          (g > 0 by its form: 1 + b^2, e^v, sums of those)
///   logloss(1/(1 + u), y)   -> log(1 + u) - (1 - y) log u   (u > 0 by its form)
///   logloss(c, y)           -> -y log c - (1 - y) log(1 - c)  (a number 0 < c < 1: constants)
///
/// In double, 1 - sigmoid(40) is 0 and logloss(sigmoid(40), 0) is infinite; the forms on the
/// right are accurate to a few ulps for every argument (bench/accuracy_bench.cpp measures it).
/// Program symbols are seen through: with o := sigmoid(h) defined, 1 - o becomes sigmoid(-h).
/// The tape compiler (tape.hpp) runs this pass on everything it compiles, and lowers
/// log(1 + u), e^u - 1 and sqrt(a^2 + b^2) to log1p, expm1 and hypot, and 1 - e^v and
/// log(1 - e^v) to -expm1(v) and log(-expm1(v)).
/// (Cross-entropy of a softmax is already built on the logits, functions.hpp.)

#include <ginac/ginac.h>

#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace symgrad {

/// The pass over one program: definitions are given in order, each output is rewritten.
class stable_forms {
public:
    /// @p labels are data known to be labels (targets): sigmoid(u) - y is rewritten for them.
    explicit stable_forms(const std::vector<GiNaC::ex>& labels = {});

    /// Rewrite @p value, record it as the definition of @p symbol, and return it.
    GiNaC::ex define(const GiNaC::ex& symbol, const GiNaC::ex& value);

    /// @p e rewritten, over the symbols defined so far. Linear in the size of e's DAG.
    GiNaC::ex operator()(const GiNaC::ex& e);

private:
    GiNaC::ex rewrite_node(const GiNaC::ex& e) const;
    GiNaC::ex rewrite_sum(const GiNaC::ex& e) const;
    /// True when @p e is sigmoid(u) or a symbol defined as one; sets @p u.
    bool sigmoid_of(const GiNaC::ex& e, GiNaC::ex& u) const;
    /// True when @p e is 1 + exp(v) (either possibly through symbols); sets @p v.
    bool one_plus_exp(const GiNaC::ex& e, GiNaC::ex& v) const;
    /// True when @p e is softmax component l (a softmax(l, z) or a program's exp(z_l - S) with
    /// S := logsumexp(z)); sets @p l and @p others = the sum of the other components.
    bool softmax_component_of(const GiNaC::ex& e, std::size_t& l, GiNaC::ex& others) const;
    /// True when @p e is softmax(l, z) (or a symbol defined as one); sets @p l and @p z.
    bool softmax_logits(const GiNaC::ex& e, std::size_t& l, GiNaC::exvector& z) const;
    /// True when @p e is tanh(u) or a symbol defined as one; sets @p u.
    bool tanh_of(const GiNaC::ex& e, GiNaC::ex& u) const;
    /// @p e itself, or the value of the symbol @p e.
    GiNaC::ex value_of(const GiNaC::ex& e) const;

    std::unordered_map<GiNaC::ex, GiNaC::ex> definitions_;
    std::unordered_set<GiNaC::ex> labels_;
    std::unordered_map<GiNaC::ex, GiNaC::ex> memo_;
};

/// One expression through the pass, with no program symbols or labels.
GiNaC::ex stable_form(const GiNaC::ex& e);

/// Whether @p e is a sum with the term 1: log(e) is then evaluated as log1p(e - 1), by the tape,
/// in double and in ball arithmetic alike.
bool has_term_one(const GiNaC::ex& e);

} // namespace symgrad
