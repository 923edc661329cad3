// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file precision.hpp
/// GiNaC's working precision (GiNaC::Digits) is one global; symgrad changes it only through
/// this guard, which restores the previous value when it goes out of scope.

#include <ginac/ginac.h>

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

} // namespace symgrad
