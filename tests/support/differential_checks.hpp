// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

// The properties of the differential tests (differential_test.cpp), one function per property
// and case, so that the random runs and the fixed regression list
// (tests/differential_regressions.txt) check exactly the same things. Each check prints every
// failure it finds (property, seed, case index, expression, values) into a failure_log and
// goes on; the test case then fails with the count.
//
// Oracles are independent of the code under test: values and finite differences come from
// reference_evaluator.hpp (CLN with error bounds), identities are checked by that evaluation at
// 100 digits, and the double evaluators are compared with it within an error bound that scales
// with the expression's condition (see check_evaluators).

#include "support/expression_generator.hpp"
#include "support/reference_evaluator.hpp"

#include <ginac/ginac.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace symgrad::test {

/// Cases per property: $SYMGRAD_DIFF_CASES when set (the long mode sets 100000), else
/// @p fallback.
std::size_t differential_case_count(std::size_t fallback);

/// The failures and outcomes of one property run.
class failure_log {
public:
    /// @p quiet: record failures for serialize() instead of printing them (in a child process).
    failure_log(std::string property, std::uint64_t seed, bool quiet = false);

    /// Print one failure ("<property> seed S case I [kind]: expression ... details") and count
    /// it under @p kind.
    void fail(std::size_t index, const std::string& kind, const std::string& expression,
              const std::string& details);

    /// Count an outcome that is not a failure ("compared", "skipped: undefined", ...).
    void count(const std::string& outcome, std::size_t n = 1);

    std::size_t failures() const { return failures_; }
    std::uint64_t seed() const { return seed_; }
    const std::string& property() const { return property_; }

    /// Outcome counts and failures by kind, one per line.
    std::string summary() const;

    /// A quiet log's failures and counts as text, and adding such a text to this log.
    std::string serialize() const;
    void absorb(const std::string& text);

private:
    struct failure {
        std::size_t index;
        std::string kind, expression, details;
    };
    std::string property_;
    std::uint64_t seed_;
    bool quiet_;
    std::size_t failures_ = 0;
    std::size_t printed_ = 0;
    std::map<std::string, std::size_t> outcomes_;
    std::map<std::string, std::size_t> kinds_;
    std::vector<failure> recorded_;
};

/// Inside run_isolated_cases: tell the parent which step the case is in ("simplify",
/// "verify", ...), so that a hang is reported with the step that hung. Elsewhere: nothing.
void enter_stage(const char* name);

/// Run cases 0 .. count-1 in child processes (a few at a time per child, all inputs prepared by
/// the parent before the fork), so that a case that hangs or crashes becomes a failure of that
/// case ("no result within T s", "crashes") and the run goes on with the next one; memory a
/// case allocates dies with its child. @p run_case(i, log) checks case i into a quiet log;
/// @p describe(i) names case i in hang and crash reports.
void run_isolated_cases(std::size_t count, double timeout_seconds, failure_log& log,
                        const std::function<void(std::size_t, failure_log&)>& run_case,
                        const std::function<std::string(std::size_t)>& describe);

/// A random exact point for @p variables (dyadic rationals, so exactly representable in
/// double: most in [-4, 4], some across many orders of magnitude) and the label y when
/// @p label_classes > 0.
GiNaC::exmap random_exact_point(const std::vector<std::string>& variables, int label_classes,
                                random_source& random);

/// "a = 3/8, x = -5/2" (parser syntax, accepted by --at).
std::string point_text(const GiNaC::exmap& point);

/// The variable names of an expression text (label y excluded), sorted.
std::vector<std::string> variables_of(const GiNaC::ex& e);

// ---- properties --------------------------------------------------------------------------

/// 1. For every variable v: e.diff(v) (as symgrad's diff command computes it) and
/// simplify(e.diff(v)) agree with central finite differences in CLN (60 digits, h = 1e-20;
/// 400 digits, h = 1e-120 when that is not resolved) at @p points, within the error bound of
/// both (rounding bound of the reference values / 2h plus the truncation error estimated from
/// the differences at h and 2h). Points where e is undefined in the stencil or a piecewise
/// argument is within 1e-6 of its switch point are skipped.
void check_derivative(const std::string& text, const std::vector<GiNaC::exmap>& points,
                      failure_log& log, std::size_t index);

/// 2. simplify(e) costs no more than e (expression_cost) and equals e at every point of
/// @p points where e is defined: both evaluated by the reference at 50 digits (400 when the
/// bound does not resolve 20 digits); a difference beyond 4x the sum of both error bounds is a
/// failure; simplify(e) undefined where e is defined is a failure; points where either is
/// ill-conditioned even at 400 digits are skipped (counted).
/// With @p of_derivative, e is the derivative of the parsed text by its first variable
/// (derivatives are what the simplifier is made for).
void check_simplify(const std::string& text, const std::vector<GiNaC::exmap>& points,
                    failure_log& log, std::size_t index, bool of_derivative = false);

/// 3a. verify(lhs, rhs) for sides known to be equal where both are defined: never "refuted",
/// no internal (non-symgrad) error. (Run it through run_isolated_cases for the time budget.)
void check_verify_equal(const std::string& lhs, const std::string& rhs, failure_log& log,
                        std::size_t index);

/// 3b. verify(lhs, rhs) for sides that differ by a nonzero amount everywhere: never "proved",
/// "probably equal" or any other verdict of equality, no internal error.
/// With @p confirm (for sides that may agree somewhere or everywhere, such as one with a
/// constant changed), a verdict of equality is a failure only when the reference evaluation finds
/// a point (of 40 random ones) where both sides are defined and differ beyond their error
/// bounds; the random point generator draws from @p random.
void check_verify_differs(const std::string& lhs, const std::string& rhs, failure_log& log,
                          std::size_t index, random_source* confirm = nullptr);

/// @p text with one integer literal (a run of digits, chosen by @p random) increased by one.
std::string change_a_constant(const std::string& text, random_source& random);

/// 4. The double evaluators (tape interpreter, native code when @p native, evaluate_double)
/// and the CLN evaluator evaluate_numeric(e, point, 17) against the reference. All expressions
/// of the batch go into one tape (one compiled unit for the native code), compiled in this
/// process; the expressions are then checked by run_isolated_cases. See the .cpp for the
/// error bound.
void check_evaluators(const std::vector<std::string>& texts,
                      const std::vector<std::vector<GiNaC::exmap>>& points, bool native,
                      failure_log& log, std::size_t first_index, double timeout_seconds);

/// 5. parse(to_text(e)) equals e exactly (is_equal, or the expanded difference is 0); the
/// parsed generated text has only exact numbers (decimals exact).
void check_print_parse(const std::string& text, failure_log& log, std::size_t index);

/// 6. `symgrad ARGS...` run @p runs times in separate processes gives the same exit status,
/// stdout and stderr bytes, within @p timeout_seconds each.
void check_same_bytes(const std::vector<std::string>& args, failure_log& log, std::size_t index,
                      int runs, double timeout_seconds);

// ---- identities --------------------------------------------------------------------------

/// A known identity lhs = rhs, valid where both sides are defined, over placeholders $A, $B,
/// $C, $Z (any real expressions) and $P, $Q (positive expressions).
struct identity {
    const char* name;
    const char* lhs;
    const char* rhs;
};

/// The table of identities used as rewrites.
const std::vector<identity>& identity_table();

/// @p pattern with each placeholder $X replaced by "(" + args[X] + ")".
std::string instantiate(const std::string& pattern, const std::map<char, std::string>& args);

/// The placeholders (A, B, C, Z, P, Q) that occur in @p pattern.
std::vector<char> placeholders(const std::string& pattern);

} // namespace symgrad::test
