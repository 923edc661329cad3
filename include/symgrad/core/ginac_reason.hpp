// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file ginac_reason.hpp
/// GiNaC's exception texts name its internal function ("power::eval(): division by zero");
/// users see the reason alone ("division by zero").

#include <exception>
#include <string>

namespace symgrad {

/// @p message without GiNaC's "function::eval(): " prefixes, and CLN's floating-point
/// exceptions in symgrad's words.
inline std::string ginac_reason(const std::string& message) {
    if (message.rfind("floating point underflow", 0) == 0)
        return "the value is too close to 0 for floating-point numbers (underflow)";
    if (message.rfind("floating point overflow", 0) == 0)
        return "the value is too large for floating-point numbers (overflow)";
    // CLN, when an exact step needs a machine integer (an exponent, a binomial's argument).
    if (message.rfind("Not a 32-bit integer", 0) == 0 ||
        message.rfind("Not a 64-bit integer", 0) == 0)
        return "a number is too large for this exact step (" + message + ")";
    if (auto p = message.rfind("): "); p != std::string::npos)
        return message.substr(p + 3);
    return message;
}

/// The text of @p x without GiNaC's "function::eval(): " prefixes.
inline std::string ginac_reason(const std::exception& x) {
    return ginac_reason(std::string(x.what()));
}

} // namespace symgrad
