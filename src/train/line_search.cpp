// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/train/line_search.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/evaluate.hpp"
#include "train/numeric_kinds.hpp"

#include <cmath>

namespace symgrad {

using detail::finite;
using detail::from_numeric;
using GiNaC::numeric;

namespace {

std::string text(double x) {
    return format_double(x, 17);
}
std::string text(const numeric& x) {
    return format_number(x, 17);
}

} // namespace

template <class T>
line_search_result<T> backtracking(objective_access<T>& f, const std::vector<T>& w, const T& loss,
                                   const std::vector<T>& g, const std::vector<T>& p, const T& s0,
                                   const line_search_settings& settings) {
    line_search_result<T> r;
    T slope = 0;
    for (std::size_t i = 0; i < g.size(); ++i)
        slope += g[i] * p[i];
    r.step = s0;
    if (!(slope < 0)) {
        r.failure = "the direction is not a descent direction (g . p = " + text(slope) + ")";
        return r;
    }
    const T c = from_numeric<T>(settings.armijo);
    const T rho = from_numeric<T>(settings.shrink);
    std::vector<T> trial(w.size());
    T s = s0;
    for (std::size_t k = 0; k < settings.max_trials; ++k) {
        ++r.trials;
        for (std::size_t i = 0; i < w.size(); ++i)
            trial[i] = w[i] + s * p[i];
        bool accepted = false;
        try {
            const T v = f.value(trial);
            // J(w + s p) <= J(w) + c s (g . p)
            if (finite(v) && v <= loss + c * s * slope) {
                r.value = v;
                accepted = true;
            }
        } catch (const domain_error&) {
            // not finite there: the step is too long
        }
        if (accepted) {
            r.ok = true;
            r.step = s;
            return r;
        }
        s = s * rho;
    }
    r.step = s;
    r.failure = "no step length from " + text(s0) + " down to " + text(s / rho) + " (" +
                std::to_string(settings.max_trials) + " trials) decreased the objective enough";
    return r;
}

template line_search_result<double> backtracking<double>(objective_access<double>&,
                                                         const std::vector<double>&, const double&,
                                                         const std::vector<double>&,
                                                         const std::vector<double>&, const double&,
                                                         const line_search_settings&);
template line_search_result<numeric>
backtracking<numeric>(objective_access<numeric>&, const std::vector<numeric>&, const numeric&,
                      const std::vector<numeric>&, const std::vector<numeric>&, const numeric&,
                      const line_search_settings&);

} // namespace symgrad
