// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file exp_normal_form.hpp
/// An exact zero test for the expressions of machine learning: the ML functions are written
/// with exp and log, every exponential becomes a product of powers of new positive variables
/// (one per independent atom of the exponents), every logarithm of a product becomes a sum of
/// logarithms of irreducible factors, and the difference is then put into rational normal form
/// over exact rationals (GiNaC's normal). Zero there means zero on the whole common domain;
/// a non-zero normal form proves nothing by itself (the caller looks for a counterexample).
///
/// The rewriting rules, each an identity wherever the left side is defined:
///
///   sigmoid(z)            = 1/(1 + exp(-z))
///   softplus(z)           = log(1 + exp(z))
///   logsumexp(z...)       = log(sum_j exp(z_j))
///   softmax(k, z...)      = exp(z_k)/sum_j exp(z_j)
///   crossentropy(y, p...) = -sum_k [y = k] log p_k        (a symbolic label y)
///   logloss(p, y)         = -(y log p + (1 - y) log(1 - p))
///   tanh(z) = (exp(2z) - 1)/(exp(2z) + 1),  sinh(z) = (exp(z) - exp(-z))/2,
///   cosh(z) = (exp(z) + exp(-z))/2,  a^b = exp(b log a) for a symbolic exponent b (a > 0)
///
///   exp(c0 + sum_i c_i m_i) = E^(c0 D0) prod_i u_i^(c_i D_i),  u_i = exp(m_i/D_i) > 0
///       (c_i rational, m_i the distinct non-numeric terms, D_i the lcm of the denominators)
///   log(c prod_j f_j^e_j)   = log|c| + sum_j e_j log|f_j|   (the argument is > 0 on the domain;
///       f_j irreducible; log u_i = m_i/D_i; log|c| is split over the primes of c)
///   exp(q log|f|)           = |f|^q,  and |f| = +-f in each sign case that the logarithms'
///       domains allow (products of signs fixed by log arguments > 0; linear conditions in one
///       variable are checked exactly for contradictions)

#include <ginac/ginac.h>

#include <cstddef>
#include <string>
#include <vector>

namespace symgrad {

/// @p e with sigmoid, softplus, softmax, logsumexp, logloss, crossentropy (symbolic label),
/// tanh, sinh and cosh written with exp and log (rules above). Memoised over the DAG.
GiNaC::ex rewrite_to_exponentials(const GiNaC::ex& e);

/// A sign condition: expr > 0 (sign 1), expr < 0 (sign -1) or expr = 0 (sign 0); with
/// or_zero, expr >= 0 (sign 1) or expr <= 0 (sign -1).
struct sign_condition {
    GiNaC::ex expr;
    int sign;
    bool or_zero = false;
};

/// False only when @p conditions provably contradict each other. Conditions linear in a single
/// variable with rational coefficients are intersected exactly as intervals; numeric conditions
/// are checked; any other condition is assumed satisfiable.
bool may_be_satisfiable(const std::vector<sign_condition>& conditions);

/// Whether @p e has a fractional power of a fractional power, (x^(3/2))^(3/2). GiNaC 1.8's
/// normal() maps that one to x^(3/2) (its temporary symbols for the inner and the outer power
/// collide), so neither the zero test nor the simplifier relies on normal() for such input.
bool has_nested_fractional_power(const GiNaC::ex& e);

/// What the exact zero test did.
struct zero_test_report {
    /// The difference is identically zero on its domain (proved).
    bool zero = false;
    /// The exponential atoms introduced, as "exp(w1)", "exp(x*w2/2)", ...
    std::vector<std::string> exp_atoms;
    /// Number of distinct logarithms of irreducible factors (log|f| atoms).
    std::size_t log_atoms = 0;
    /// Sign cases of |f| examined (1 when no absolute value arose).
    std::size_t sign_cases = 1;
    /// Why no proof was found (empty when zero).
    std::string obstacle;
};

/// Decides exactly whether @p difference is zero wherever it is defined, under @p assumptions
/// (used only to discard impossible sign cases). Sound: zero is reported only when the normal
/// form of every admissible sign case is 0.
zero_test_report exact_zero_test(const GiNaC::ex& difference,
                                 const std::vector<sign_condition>& assumptions = {});

} // namespace symgrad
