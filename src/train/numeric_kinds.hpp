// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

// The training loop, the optimizers and the line search run in one of two number kinds: double,
// or GiNaC::numeric at a chosen precision. These convert a setting (held as a numeric) to the
// kind a loop runs in, and say whether a value of that kind is finite.

#include <ginac/ginac.h>

#include <cmath>

namespace symgrad::detail {

template <class T> T from_numeric(const GiNaC::numeric& x);

template <> inline double from_numeric<double>(const GiNaC::numeric& x) {
    return x.to_double();
}

template <> inline GiNaC::numeric from_numeric<GiNaC::numeric>(const GiNaC::numeric& x) {
    return x;
}

inline bool finite(double x) {
    return std::isfinite(x);
}

/// A numeric is always finite (arbitrary precision does not overflow; an undefined value throws).
inline bool finite(const GiNaC::numeric&) {
    return true;
}

} // namespace symgrad::detail
