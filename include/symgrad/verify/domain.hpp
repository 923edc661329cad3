// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file domain.hpp
/// The real domain of an expression as the user wrote it.
///
/// GiNaC simplifies while it builds: sqrt(x)*sqrt(x), sqrt(x)^2 and exp(log(x)) become x, x/x
/// becomes 1, log(x) - log(x) becomes 0. The values agree where the written form is defined,
/// but the domain is lost: sqrt(x)*sqrt(x) is not real at x = -2, x is. The expression reader
/// (parser.hpp) therefore records a condition for every operation that restricts the domain,
/// before GiNaC sees it:
///
///   log(u)          u > 0          sqrt(u), u^(p/q)   u >= 0 (u > 0 for a negative power)
///   a/u, u^(-n)     u != 0         u^v (v not a number)  u > 0
///   asin, acos(u)   1 - u^2 >= 0   logloss(p, y)      p > 0 and 1 - p > 0
///   crossentropy    every probability > 0
///
/// domain_of() finds the same conditions in an expression GiNaC holds (for expressions built
/// in code); a written expression's domain is the union of both.

#include <ginac/ginac.h>

#include <string>
#include <unordered_set>
#include <vector>

namespace symgrad {

enum class domain_kind {
    positive,    ///< expr > 0
    nonnegative, ///< expr >= 0
    nonzero      ///< expr != 0
};

struct domain_condition {
    GiNaC::ex expr;
    domain_kind kind;
};

/// An expression and the conditions under which it is defined as written.
struct written_expression {
    GiNaC::ex value;
    std::vector<domain_condition> domain;
};

/// Adds @p c to @p to unless an equal condition is there already.
void add_condition(std::vector<domain_condition>& to, const domain_condition& c);

/// The conditions of the operations of @p e that restrict its real domain (see above).
std::vector<domain_condition> domain_of(const GiNaC::ex& e);

/// domain_of over the expressions a reader builds bottom up: a subexpression visited by an
/// earlier call (the same object: GiNaC shares them) is not visited again, so reading costs
/// linear time where one domain_of per node would cost the square of the nesting depth (a
/// chain of 600 definitions z_i = sigmoid(z_{i-1}) took 37 s). Keeps what it visited alive.
class domain_collector {
public:
    /// The conditions of the subexpressions of @p e that earlier calls did not visit.
    std::vector<domain_condition> operator()(const GiNaC::ex& e);

private:
    std::unordered_set<const GiNaC::basic*> seen_;
    GiNaC::exvector keep_;
};

/// The conditions of @p w: those recorded as it was written and those of its value; the ones
/// that hold everywhere (exp(u) > 0, 1 + exp(-z) != 0, u^2 >= 0, ...) are left out.
std::vector<domain_condition> domain_conditions(const written_expression& w);

/// Does @p c hold everywhere? (A sufficient test: positivity of exp, sigmoid, softmax, squares,
/// sums and products of positives.)
bool holds_everywhere(const domain_condition& c);

/// "x > 0", "1 - p > 0", "x != 0".
std::string condition_text(const domain_condition& c);

enum class truth { holds, fails, unknown };

/// Whether @p c holds at @p point: exactly for rational values, else by a ball that excludes
/// the boundary; unknown when the ball cannot decide or the condition is itself undefined there.
/// A value the ball cannot tell from 0 gets an exact zero test in a child process for at most a
/// second (less in a deadline_scope: time_limit.hpp).
truth condition_at(const domain_condition& c, const GiNaC::exmap& point);

/// Whether every condition holds at @p point (fails when one certainly fails).
truth conditions_at(const std::vector<domain_condition>& cs, const GiNaC::exmap& point);

/// Whether @p c follows from @p given (conditions linear in one variable are intersected as
/// intervals; identical conditions follow trivially). False when it cannot be shown.
bool implied_by(const domain_condition& c, const std::vector<domain_condition>& given);

} // namespace symgrad
