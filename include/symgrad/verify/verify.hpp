// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file verify.hpp
/// Is a hand-derived formula right? verify(lhs, rhs) answers with evidence, in one of three
/// verdicts:
///
///  - proved: lhs - rhs is exactly 0 on the common domain. The decision (exp_normal_form.hpp)
///    writes the ML functions with exp and log, turns exponentials into products of powers of
///    independent positive atoms, splits logarithms of products, and takes the rational normal
///    form over exact rationals. Labels (the y of indicator(y, k) or crossentropy) are split
///    into their finitely many classes, and relu, step, abs and csgn into the sign cases of
///    their arguments (> 0, < 0, and = 0 when the argument can be solved for a variable).
///  - equal where both are defined: the difference is proved 0 on the common domain, but the
///    sides as written have different real domains (log(a*b) and log(a) + log(b); log(x^2) and
///    2*log(x)): the witness is a point where one side is defined and the other is not. When no
///    such point is found the conditions that differ are listed; "proved" is never said then.
///  - refuted: an exact rational point inside the real domain of both sides as written (domain.hpp)
///    where they differ, both values and the difference, the difference certified nonzero by
///    ball arithmetic (enclosure.hpp: its ball excludes 0), or exact for rational values.
///  - probably equal: no proof was found, and the sides agree at every sampled point to the
///    stated number of digits. Said only with the number of points and digits.
///
/// Points are sampled only where both sides are defined as written, over many orders of
/// magnitude and both signs, near the expressions' constants, and on and beside the switch
/// points of piecewise functions. Lists ({a, b}) and matrices compare component-wise; a
/// refutation names the first component that differs.
///
/// Every verdict comes within a time budget (verify_options::timeout_seconds): the exact
/// decision runs in a child process that is stopped when its share of the budget is spent,
/// and sampling stops at the budget's end.

#include "symgrad/verify/domain.hpp"

#include <ginac/ginac.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace symgrad {

/// 10 seconds, or SYMGRAD_VERIFY_TIMEOUT (seconds, 0.1 to 86400) when that is set.
double default_verify_timeout();

enum class verdict { proved, equal_where_defined, refuted, probably_equal };

/// "proved", "equal where both are defined", "refuted", "probably equal".
std::string_view verdict_name(verdict v);

struct verify_options {
    /// Points compared when there is no proof (the verdict "probably equal" needs them all).
    std::size_t sample_points = 24;
    /// Significant digits of the printed values.
    long digits = 30;
    /// Agreement needed at a sample point, in significant digits (evaluated with 20 more).
    long agreement_digits = 50;
    /// Seed of the random points (the same seed gives the same points and witness).
    std::uint64_t seed = 20260101;
    /// Try the exact decision first (false: sampling only).
    bool exact = true;
    /// The budget of the whole verdict, in seconds: the exact decision may use 70% of it.
    /// Default 10, or SYMGRAD_VERIFY_TIMEOUT from the environment (the fuzzers use 3).
    double timeout_seconds = default_verify_timeout();
    /// Run the exact decision in a child process so that it can be stopped (false: in this
    /// process, without a time limit on the exact part).
    bool exact_in_child = true;
};

/// The evidence behind a verdict.
struct verify_result {
    verdict outcome = verdict::probably_equal;
    /// The compared expressions (for vectors: the component that decided the verdict).
    GiNaC::ex lhs, rhs;

    /// proved: how; otherwise why no proof was found.
    std::string method;

    /// refuted: the point, exact rationals for every variable of both sides; equal where both
    /// are defined: a point where one side is defined and the other is not (may be empty).
    GiNaC::exmap witness;
    /// refuted: both values and lhs - rhs there, to `digits` significant digits (exact
    /// fractions when rational).
    std::string lhs_value, rhs_value, difference;
    /// refuted: the values are rational and the difference exact.
    bool exact_values = false;
    /// refuted: the working precision, in bits, at which the ball of the difference excluded 0
    /// (0 when exact).
    long certified_bits = 0;
    /// Significant digits of the printed values.
    long digits = 30;

    /// Points where both sides were defined and compared, and how many of them agreed.
    std::size_t sample_points = 0;
    std::size_t agreeing_points = 0;
    /// probably equal: the agreement, in significant digits, at every point.
    long agreement_digits = 0;

    /// Vectors and matrices: number of components, and the component that decided the verdict
    /// (the first that differs, for refuted; the first without proof, for probably equal).
    std::size_t component_count = 1;
    std::optional<std::size_t> component;
    /// "[1]" for lists and row or column vectors, "[0][1]" for matrices and lists of lists
    /// (0-based, like softmax indices).
    std::string component_name;

    /// Domain remarks (a side undefined where the other is defined), partial agreement (the
    /// sides agree on part of the domain, with a point), the classes a label ranges over.
    std::vector<std::string> notes;

    /// The conditions of each side's real domain as written that do not hold everywhere.
    std::vector<std::string> lhs_domain, rhs_domain;
    /// The exact decision ran out of its share of the time budget.
    bool exact_timed_out = false;

    /// Wall-clock time of the decision.
    double milliseconds = 0;
};

/// Compare @p lhs and @p rhs (expressions, lists or matrices of the same shape). Throws
/// shape_error when the shapes differ, invalid_input when no point has both sides defined and
/// no proof was found.
verify_result verify(const GiNaC::ex& lhs, const GiNaC::ex& rhs,
                     const verify_options& options = {});

/// The same for expressions with the domain conditions recorded as they were written (parser.hpp
/// parse_written): sqrt(x)*sqrt(x) is compared as an expression undefined for x < 0.
verify_result verify(const written_expression& lhs, const written_expression& rhs,
                     const verify_options& options = {});

/// "w1 = 0, w2 = 1/2" (variables in natural order).
std::string format_point(const GiNaC::exmap& point);

/// The verdict on one line, then the evidence, one item per line (indented).
std::string format_text(const verify_result& r);

/// The result as one JSON object: verdict, method, witness (name -> exact value), lhs_value,
/// rhs_value, difference, exact_values, certified_bits, digits, sample_points,
/// agreeing_points, agreement_digits, component (index, name, count), notes, milliseconds,
/// lhs and rhs.
std::string format_json(const verify_result& r);

} // namespace symgrad
