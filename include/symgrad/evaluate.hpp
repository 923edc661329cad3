// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file evaluate.hpp
/// Values of expressions at a point: exactly (rationals stay rational, CLN for the rest at any
/// precision) or in IEEE double with overflow-safe kernels. Every function here checks its
/// input first: unbound symbols are all named at once, and a subexpression that is undefined
/// (log(0), 1/0), not real (log of a negative number) or not finite (overflow in double) is
/// named with the reason, instead of a NaN or a crash.

#include <ginac/ginac.h>

#include <map>
#include <string>
#include <vector>

namespace symgrad {

/// Values for symbols, in double.
using double_point = std::map<GiNaC::ex, double, GiNaC::ex_is_less>;

/// Names of the symbols of @p e that @p point does not bind, sorted naturally.
std::vector<std::string> unbound_names(const GiNaC::ex& e, const GiNaC::exmap& point);

/// The exact value of @p e at @p point: a rational number where it is one, otherwise an exact
/// constant expression (log(2), sigmoid(1), ...). Throws unbound_symbols or domain_error.
/// @p where prefixes error messages (e.g. "eval").
GiNaC::ex evaluate_exact(const GiNaC::ex& e, const GiNaC::exmap& point,
                         const std::string& where = "evaluate");

/// A real number for @p e at @p point: the exact rational when the value is rational, else a
/// CLN float correct to @p digits significant digits (the working precision is raised until two
/// evaluations agree to that many digits).
GiNaC::numeric evaluate_numeric(const GiNaC::ex& e, const GiNaC::exmap& point, long digits = 17,
                                const std::string& where = "evaluate");

/// The value in IEEE double (overflow-safe kernels for the ML functions). Throws domain_error
/// naming the first subexpression whose value is not finite although its inputs are.
double evaluate_double(const GiNaC::ex& e, const double_point& point,
                       const std::string& where = "evaluate");

/// A double_point from an exact point.
double_point to_double_point(const GiNaC::exmap& point);

/// A number for people: "1/2" for rationals (or integers), else @p digits significant digits
/// in plain or scientific notation ("0.62245933120185456", "-1.2e-30").
std::string format_number(const GiNaC::numeric& value, long digits = 17);

/// A double for people, to @p digits significant digits (shortest exact form when digits is 0).
std::string format_double(double value, int digits = 17);

} // namespace symgrad
