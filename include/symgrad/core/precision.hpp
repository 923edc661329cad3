// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file precision.hpp
/// GiNaC's working precision (GiNaC::Digits) is one global; symgrad changes it only through
/// this guard, which restores the previous value when it goes out of scope. Also the test
/// that two numbers computed at some precision agree to a number of digits.

#include <ginac/ginac.h>

#include <algorithm>

namespace symgrad {

/// Sets GiNaC::Digits to at least @p digits decimal digits for the guard's lifetime.
class precision_guard {
public:
    explicit precision_guard(long digits) : saved_(GiNaC::Digits) {
        if (digits > saved_)
            GiNaC::Digits = digits;
    }
    ~precision_guard() { GiNaC::Digits = saved_; }
    precision_guard(const precision_guard&) = delete;
    precision_guard& operator=(const precision_guard&) = delete;

private:
    long saved_;
};

/// Whether |a - b| <= 10^-digits * max(|a|, |b|), or both are zero: @p a and @p b agree to
/// @p digits significant decimal digits.
inline bool agree_to_digits(const GiNaC::numeric& a, const GiNaC::numeric& b, long digits) {
    const GiNaC::numeric scale = std::max(GiNaC::abs(a), GiNaC::abs(b));
    if (scale.is_zero())
        return true;
    return GiNaC::abs(a - b) <= scale * GiNaC::pow(GiNaC::numeric(10), GiNaC::numeric(-digits));
}

} // namespace symgrad
