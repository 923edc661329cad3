// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file derivation.hpp
/// Checking a derivation line by line: each claim (a line of a chain A = B = C, a restated
/// L(w) = ..., a line starting with =, or dL/dw_1 = ... against the true derivative of the L
/// defined earlier) is compared with what it must equal by verify(), so a line is "proved",
/// "probably equal", "equal where both are defined" or wrong with a certified witness point
/// inside the real domain of both. The first wrong line is marked. For a wrong line the checker
/// names the kind of slip where it recognises one, each candidate fix tried numerically and the
/// chosen one verified:
///
///   sign_of_line       the line is the negative of what it should be
///   sign_of_term       one written term (or two or three together) has the wrong sign
///   term_dropped       a term of the line before (or of the true derivative) is missing
///   term_added         a written term should not be there
///   number_slip        a number is wrong (-4 - 4 where -2(3 - 2*0)*2 is -12)
///   chain_rule_factor_missing   a derivative line lacks the derivative of an inner function
///   factor_dropped     the line lacks a simple factor (a number, a variable or its power)
///   factor_added       the line has a simple factor too many
///
/// and, for terms, which written term is wrong and what it should be. A wrong derivative line
/// that equals the derivative of a wrongly restated function is said to follow from that line.
/// Reading derivations (Markdown with LaTeX, or symgrad's language) is text/derivation_text.hpp.

#include "symgrad/verify/domain.hpp"
#include "symgrad/verify/verify.hpp"

#include <ginac/ginac.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace symgrad {

/// A term of a line as written: "- \ln(e^{-w_1+w_3})" and its value, sign included.
struct written_term {
    std::string text;
    GiNaC::ex value;
};

/// One claim: a line's expression and what it must equal.
struct derivation_claim {
    /// Where the claimed expression starts in the source (1-based), and that source line.
    std::size_t line = 0;
    std::size_t column = 0;
    std::string source_line;
    /// The claimed expression as written, and the expression it is compared with, as written
    /// (for a derivative line: "\frac{\partial L}{\partial w_1}").
    std::string written;
    std::string reference_written;
    /// "line 7", "the derivative of L by w1".
    std::string reference_name;
    written_expression claimed;
    written_expression reference;
    /// Their top-level terms as written (empty when a side is not a sum of terms read alone).
    std::vector<written_term> claimed_terms;
    std::vector<written_term> reference_terms;

    /// A restatement of a defined name (L in L(w) = ... and the lines continuing it): the name.
    std::string subject;

    /// A derivative line: the function as first defined, the variable, and the function's
    /// latest restatement with its line when that differs from the definition.
    std::optional<GiNaC::ex> function;
    std::string function_name;
    GiNaC::ex variable;
    std::optional<GiNaC::ex> restated_function;
    std::size_t restated_line = 0;
};

/// Maths the reader passed over: inline maths it could not read, with why.
struct skipped_maths {
    std::size_t line = 0;
    std::size_t column = 0;
    std::string text;
    std::string reason;
};

struct derivation {
    std::string source;
    std::vector<derivation_claim> claims;
    /// Definitions read (L(w) = ..., z_0 = ..., f(t) = ...), as "line 3: L".
    std::vector<std::string> definitions;
    std::vector<skipped_maths> skipped;
    /// Maths blocks (or lines, in symgrad's language), and how many of them had a row that
    /// could not be read.
    std::size_t blocks = 0;
    std::size_t unread_blocks = 0;
};

enum class slip_kind {
    sign_of_line,
    sign_of_term,
    term_dropped,
    term_added,
    number_slip,
    chain_rule_factor_missing,
    factor_dropped,
    factor_added
};

/// "sign_of_line", ... (the JSON names).
std::string slip_id(slip_kind k);
/// "the sign of the whole line", ... (for people).
std::string slip_description(slip_kind k);

/// What kind of slip a wrong line has, and where.
struct slip {
    slip_kind kind = slip_kind::sign_of_line;
    /// One sentence: "-(w_1-w_3) should be w_1 - w_3 (= -\ln(e^{-w_1+w_3}))".
    std::string explanation;
    /// The wrong part as written (a term, or the whole line) and what it should be.
    std::string wrong_part;
    std::string corrected_part;
    /// The line with the fix applied, compared with what it must equal: proved or probably.
    verdict fix_verdict = verdict::probably_equal;
};

struct claim_result {
    verify_result check;
    /// Why the line could not be checked (no point where both sides are defined, and no
    /// proof); empty when it was.
    std::string not_checked;
    /// The line is wrong (refuted).
    bool wrong = false;
    std::optional<slip> found_slip;
    /// A wrong derivative line that is the derivative of the function as restated: the line
    /// where that restatement first went wrong (the error is carried from there).
    std::optional<std::size_t> follows_from;
};

struct derivation_report {
    std::vector<claim_result> results;
    /// Index into the claims of the first wrong one.
    std::optional<std::size_t> first_wrong;
};

/// Checks every claim of @p d (each within options.timeout_seconds).
derivation_report check_derivation(const derivation& d, const verify_options& options = {});

/// Exit status of `check --derivation`: 1 when a line is wrong, else 4 when a line is equal
/// only where both sides are defined, else 3 when a line is only probably equal or could not
/// be checked, else 0.
int derivation_status(const derivation_report& r);

/// For people: one block per claim, the first wrong line marked, then a summary.
std::string format_text(const derivation& d, const derivation_report& r);
/// One JSON object: source, first_wrong_line, status, definitions, skipped, and per claim its
/// line, column, written text, reference, verdict, slip (kind, explanation, wrong and corrected
/// part, fix_verdict), follows_from_line and the evidence of verify's format_json.
std::string format_json(const derivation& d, const derivation_report& r);
/// Markdown: a table of the claims with the first wrong line in bold and marked, and the
/// evidence of each wrong line under it.
std::string format_markdown(const derivation& d, const derivation_report& r);

} // namespace symgrad
