// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file size_limits.hpp
/// Limits on the size of what symgrad computes. Symbolic work can grow without end on a small
/// input (factorial(10^9) has 2.5*10^10 bits, a diverging exact training run doubles its
/// rationals' digits, a derivative of a deep composition repeats its inner parts), and problem
/// files come from other people. Two measures, each with a default and a command-line option
/// (the time and memory budgets are in cli/budget.hpp):
///   - **digits**: of an exact integer, or a rational's numerator or denominator, that symgrad
///     would compute: powers and factorials of numbers in the readers and the evaluators, and
///     the weights of exact training. `--max-digits`, default 300,000 (about a million bits).
///   - **nodes**: the distinct subexpressions of an expression symgrad has built (its size as a
///     graph, so that shared parts count once): what is read, derivatives, simplified forms,
///     exact values and the objectives of problem files. `--max-nodes`, default 2,000,000.
/// Past a limit, size_limit_error names the measure, the limit and the option that raises it.
/// The limits are one setting for the process (like GiNaC::Digits): the command sets them once
/// from its options; size_limits_guard changes them for a scope.

#include "symgrad/core/error.hpp"

#include <ginac/ginac.h>

#include <cstddef>
#include <string>

namespace symgrad {

struct size_limits {
    /// Decimal digits of an exact number; 0 for no limit.
    double digits = 300'000;
    /// Distinct subexpressions of an expression; 0 for no limit.
    double nodes = 2'000'000;
};

/// The defaults, as documented above.
constexpr size_limits default_size_limits{};

size_limits current_size_limits() noexcept;
void set_size_limits(const size_limits& limits) noexcept;

/// Sets the limits for the guard's lifetime, then restores the previous ones.
class size_limits_guard {
public:
    explicit size_limits_guard(const size_limits& limits) : saved_(current_size_limits()) {
        set_size_limits(limits);
    }
    ~size_limits_guard() { set_size_limits(saved_); }
    size_limits_guard(const size_limits_guard&) = delete;
    size_limits_guard& operator=(const size_limits_guard&) = delete;

private:
    size_limits saved_;
};

/// A result would be larger than a size limit.
class size_limit_error : public error {
public:
    using error::error;
};

/// The largest exact number allowed, in bits (infinity when there is no digits limit).
double max_exact_bits() noexcept;

/// "more than 300000 digits, the size limit (raise it with --max-digits DIGITS; 0: no limit)",
/// for messages about a number that is over the limit.
std::string digits_limit_text();

/// Throws size_limit_error, prefixed by @p what, when @p x is an exact rational with more
/// digits than the limit in its numerator or denominator.
void check_number_size(const GiNaC::numeric& x, const std::string& what);

/// The number of distinct subexpressions of @p e, counted up to @p stop_after (a count over it
/// is returned as stop_after + 1). Linear in the size of the graph.
std::size_t distinct_nodes(const GiNaC::ex& e, std::size_t stop_after);

/// Throws size_limit_error, prefixed by @p what, when @p e has more distinct subexpressions
/// than the limit.
void check_expression_size(const GiNaC::ex& e, const std::string& what);

/// How deeply an expression may nest (a chain of definitions z_k = sigmoid(z_{k-1}) nests one
/// level per link) for the parts of symgrad that recurse over it: printing, simplifying,
/// differentiating in closed form. Past it the stack would overflow (10,000 links crashed the
/// simplifier). Values at a point are computed without recursion and have no such limit.
constexpr std::size_t max_nesting_depth = 1000;

/// The nesting depth of @p e (1 for a symbol or number), counted up to @p stop_after (a depth
/// over it is returned as stop_after + 1). Linear in the size of the graph, without recursion.
std::size_t nesting_depth(const GiNaC::ex& e, std::size_t stop_after);

/// Throws size_limit_error, prefixed by @p what, when @p e nests deeper than
/// max_nesting_depth.
void check_nesting_depth(const GiNaC::ex& e, const std::string& what);

} // namespace symgrad
