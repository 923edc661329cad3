// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file line_search.hpp
/// Backtracking line search with the Armijo (sufficient decrease) condition, for the methods
/// that work on the whole objective (gradient descent with line search, conjugate gradient,
/// Newton). Along a descent direction p (g . p < 0) from w with J(w) = J0, try
///     s = s0, s0 rho, s0 rho^2, ...
/// and take the first s with
///     J(w + s p) <= J0 + c s (g . p).
/// A trial point where J is not finite (an overflow, log(0)) counts as too long a step.

#include <ginac/ginac.h>

#include <cstddef>
#include <string>
#include <vector>

namespace symgrad {

/// What an update rule may ask of the objective besides the gradient at the current point.
template <class T> class objective_access {
public:
    virtual ~objective_access() = default;
    /// J(w) (the line search's trial points). May throw domain_error for a value that is not
    /// finite; the line search then shortens the step.
    virtual T value(const std::vector<T>& w) = 0;
    /// The Hessian of J at w, row-major n x n (Newton).
    virtual void hessian(const std::vector<T>& w, std::vector<T>& h) = 0;
};

struct line_search_settings {
    /// c in the Armijo condition, 0 < c < 1.
    GiNaC::numeric armijo = GiNaC::numeric(1, 10000);
    /// rho, 0 < rho < 1.
    GiNaC::numeric shrink = GiNaC::numeric(1, 2);
    /// Trials before giving up.
    std::size_t max_trials = 60;
};

template <class T> struct line_search_result {
    bool ok = false;
    /// The accepted step length s (the last one tried when not ok).
    T step{};
    /// J(w + s p) at the accepted step.
    T value{};
    std::size_t trials = 0;
    /// Why no step was accepted.
    std::string failure;
};

/// The backtracking search described above. @p p must be a descent direction (g . p < 0),
/// else the result is not ok and says so. For T = GiNaC::numeric the arithmetic is exact where
/// the values are rational.
template <class T>
line_search_result<T> backtracking(objective_access<T>& f, const std::vector<T>& w, const T& loss,
                                   const std::vector<T>& g, const std::vector<T>& p, const T& s0,
                                   const line_search_settings& settings = {});

extern template line_search_result<double>
backtracking<double>(objective_access<double>&, const std::vector<double>&, const double&,
                     const std::vector<double>&, const std::vector<double>&, const double&,
                     const line_search_settings&);
extern template line_search_result<GiNaC::numeric>
backtracking<GiNaC::numeric>(objective_access<GiNaC::numeric>&, const std::vector<GiNaC::numeric>&,
                             const GiNaC::numeric&, const std::vector<GiNaC::numeric>&,
                             const std::vector<GiNaC::numeric>&, const GiNaC::numeric&,
                             const line_search_settings&);

} // namespace symgrad
