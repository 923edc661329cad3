// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

// The numeric oracle of the differential tests: values of expressions in CLN with a bound on
// their error, computed independently of symgrad's evaluators (evaluate.cpp, the registered
// evalf of functions.cpp), from GiNaC's numeric exp/log/tanh and the definitions of the ML
// functions written here again.
//
// Error bound (running error analysis, first order). Rational arithmetic is exact; every float
// operation rounds its result by at most u = 10^(2 - digits) relatively, and an error E_a in an
// argument moves f(a) by at most |f'(a)| E_a. So each node's value carries a bound E on its
// distance from the exact value, E(f(a)) = |f'(a)| E(a) + u |f(a)|, and sums and products
// combine them. This is what makes the oracle trustworthy where two evaluations at different
// precisions are not (1 - sigmoid(1000) is 0 at 60 and at 120 digits; here its bound is u, so
// the value is known to be unresolved and the ladder retries at 480 digits). A bound is valid
// while it is small against the value it applies to: when an argument of log, a divisor, the
// base of a fractional power or the argument of step/csgn is not separated from its critical
// point by its bound, the result is "ill_conditioned", never a guess.
//
// condition = E/u is the accumulated rounding in units of the working precision; the same
// computation in IEEE double has an error of about condition * 2^-53 (used as the error scale
// of the double evaluators).

#include <ginac/ginac.h>

#include <string>

namespace symgrad::test {

enum class reference_status {
    ok,
    undefined,       ///< log(-1), 1/0, a label that is not a class, ...
    near_switch,     ///< a piecewise argument within switch_margin of its switch point
    ill_conditioned, ///< the bound does not separate a value from a critical point
    out_of_range,    ///< an exponent beyond 10^7 (CLN would take too long)
    unsupported      ///< an object without a numeric rule here (named in reason)
};

const char* reference_status_name(reference_status s);

struct reference_options {
    /// Working precision, in decimal digits.
    long digits = 60;
    /// Arguments of abs, relu, step, csgn and indicator closer than this to their switch point
    /// make the point near_switch (for finite differences, which need the expression smooth
    /// around the point). 0: only exact switch points matter.
    GiNaC::numeric switch_margin = 0;
};

struct reference_value {
    reference_status status = reference_status::ok;
    /// The value: an exact rational where every operation was rational, else a float.
    GiNaC::numeric value;
    /// Bound on |value - exact value| (0 when exact).
    GiNaC::numeric error;
    /// error / u.
    GiNaC::numeric condition;
    /// Some subexpression's value lies outside double's normal range (above 1e300, or nonzero
    /// below 1e-300).
    bool outside_double = false;
    std::string reason;

    bool ok() const { return status == reference_status::ok; }
    /// error <= rel * |value| (or the value is exact).
    bool resolved(const GiNaC::numeric& rel) const;
};

/// The value of @p e at an exact @p point.
reference_value reference_evaluate(const GiNaC::ex& e, const GiNaC::exmap& point,
                                   const reference_options& options = {});

/// reference_evaluate at options.digits, and again at 8 times as many digits when the result is
/// ill-conditioned or not resolved to @p rel.
reference_value reference_resolved(const GiNaC::ex& e, const GiNaC::exmap& point,
                                   reference_options options, const GiNaC::numeric& rel);

/// log(1 + t) accurate for tiny t at the current precision.
GiNaC::numeric log1p(const GiNaC::numeric& t);

} // namespace symgrad::test
