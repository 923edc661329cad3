// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file kernels.hpp
/// Overflow-safe double-precision kernels for the ML functions, shared by every double
/// evaluator. None of them evaluates exp of a large positive number:
///   sigmoid(-1000) = 0 exactly, softplus(1000) = 1000, logsumexp(1000, 1000) = 1000 + log 2.

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace symgrad::kernels {

/// 1/(1 + e^-z) for z >= 0, e^z/(1 + e^z) otherwise.
inline double sigmoid(double z) {
    if (z >= 0)
        return 1.0 / (1.0 + std::exp(-z));
    const double e = std::exp(z);
    return e / (1.0 + e);
}

/// sigmoid(z) from e = e^-|z|, rounded as sigmoid(z) is; sigmoid(-z) = sigmoid_e(-z, e) shares
/// the exp (the derivative sigmoid(z) sigmoid(-z) costs no second one).
inline double sigmoid_e(double z, double e) {
    return (z >= 0 ? 1.0 : e) / (1.0 + e);
}

/// max(z, 0) + log1p(e^-|z|).
inline double softplus(double z) {
    return std::max(z, 0.0) + std::log1p(std::exp(-std::abs(z)));
}

inline double relu(double z) {
    return z > 0 ? z : 0.0;
}

/// GiNaC's Heaviside convention: step(0) = 1/2.
inline double step(double z) {
    return z > 0 ? 1.0 : (z < 0 ? 0.0 : 0.5);
}

/// The exact rounding error of s = a + b: a + b = s + two_sum_error(a, b, s) (Knuth's TwoSum).
inline double two_sum_error(double a, double b, double s) {
    const double bb = s - a;
    return (a - (s - bb)) + (b - bb);
}

/// e^(a + b) with the rounding error of a + b put back: e^(s + err) = e^s (1 + err). exp turns
/// an absolute error of the exponent into a relative one: e^(z_l - logsumexp(z)) at z_l = -40
/// lost 12 ulps to the subtraction alone.
inline double exp_sum(double a, double b) {
    const double s = a + b;
    const double r = std::exp(s);
    if (!std::isfinite(s))
        return r;
    return r + r * two_sum_error(a, b, s);
}

/// The index of the first largest z_j.
inline std::size_t argmax(const double* z, std::size_t n) {
    std::size_t top = 0;
    for (std::size_t j = 1; j < n; ++j)
        if (z[j] > z[top])
            top = j;
    return top;
}

/// lse_tail with the argmax known.
inline double lse_tail_at(const double* z, std::size_t n, std::size_t top) {
    const double m = z[top];
    if (std::isinf(m))
        return 0;
    double s = 0;
    for (std::size_t j = 0; j < n; ++j)
        if (j != top)
            s += std::exp(z[j] - m);
    return std::log1p(s);
}

/// logsumexp(z) - max_j z_j = log1p(sum_{j != k} e^(z_j - m)) with z_k = m = max_j z_j; 0
/// when m is infinite.
inline double lse_tail(const double* z, std::size_t n) {
    return lse_tail_at(z, n, argmax(z, n));
}

/// m + lse_tail(z): what the other terms add goes through log1p, so logsumexp(-745, 0) is
/// e^-745, not 0.
inline double logsumexp(const double* z, std::size_t n) {
    const std::size_t top = argmax(z, n);
    return z[top] + lse_tail_at(z, n, top);
}

/// e^(a - m - l), the rounding errors of both subtractions put back (as exp_sum does): with m
/// and l the parts of logsumexp(z), this is softmax component a to a few ulps, where
/// e^(a - logsumexp(z)) loses the rounding error of the logsumexp, times |a|.
inline double exp_diff2(double a, double m, double l) {
    const double d = a - m;
    if (!std::isfinite(d))
        return std::exp(d - l);
    const double t = d - l;
    const double r = std::exp(t);
    return r + r * (two_sum_error(a, -m, d) + two_sum_error(d, -l, t));
}

/// e^(z_k - m) / sum_j e^(z_j - m).
inline double softmax(std::size_t k, const double* z, std::size_t n) {
    double m = z[0];
    for (std::size_t j = 1; j < n; ++j)
        m = std::max(m, z[j]);
    double s = 0;
    for (std::size_t j = 0; j < n; ++j)
        s += std::exp(z[j] - m);
    return std::exp(z[k] - m) / s;
}

/// log softmax_k(z) = z_k - logsumexp(z): never the log of an underflowed probability.
inline double log_softmax(std::size_t k, const double* z, std::size_t n) {
    return z[k] - logsumexp(z, n);
}

/// -(y log p + (1 - y) log(1 - p)), with 0 log 0 = 0 for a label of exactly 0 or 1.
inline double logloss(double p, double y) {
    double r = 0;
    if (y != 0)
        r -= y * std::log(p);
    if (y != 1)
        r -= (1 - y) * std::log1p(-p);
    return r;
}

} // namespace symgrad::kernels
