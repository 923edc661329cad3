// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// symgrad check LHS RHS  (or  symgrad check 'LHS == RHS'): proved, equal where both are defined,
// refuted or probably equal, with the evidence. Exit status 0 proved, 1 refuted, 3 probably
// equal, 4 equal where both are defined, 2 bad input.
// symgrad check --derivation FILE: every line of a derivation (Markdown with LaTeX, or
// symgrad's language), the first wrong line and its slip; the same exit statuses, 1 for a
// wrong line.
#include "commands.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/input_file.hpp"
#include "symgrad/core/printers.hpp"
#include "symgrad/text/derivation_text.hpp"
#include "symgrad/text/parser.hpp"
#include "symgrad/verify/derivation.hpp"
#include "symgrad/verify/domain.hpp"
#include "symgrad/verify/verify.hpp"

#include <CLI/CLI.hpp>

#include <optional>
#include <ostream>
#include <tuple>

namespace symgrad::cli {

namespace {

/// Exit status of `check` when no proof was found but every sampled point agreed.
constexpr int probably_equal_status = 3;
/// Exit status of `check` when the sides are proved equal on their common domain but their
/// domains as written differ.
constexpr int equal_where_defined_status = 4;

struct check_options {
    std::optional<std::string> lhs;
    std::optional<std::string> rhs;
    std::optional<std::string> derivation_file;
    std::string format = "text";
    bool json = false;
    bool keep_going = false;
    std::size_t points = 24;
    long digits = 30;
    std::uint64_t seed = verify_options{}.seed;
    double timeout = verify_options{}.timeout_seconds;
};

/// Parse one side of @p argument (the command-line argument as typed), starting at byte
/// @p offset, so that an error's column and caret point into the argument.
written_expression parse_side(const std::string& argument, std::size_t offset, std::size_t length,
                              const std::string& source) {
    parse_options o;
    o.source = source;
    o.first_column = 1 + offset;
    o.first_line_text = argument.substr(0, argument.find('\n'));
    return parse_written(argument.substr(offset, length), o);
}

verify_options options_of(const check_options& o) {
    verify_options options;
    options.sample_points = o.points;
    options.digits = o.digits;
    options.seed = o.seed;
    options.timeout_seconds = o.timeout;
    return options;
}

int run_derivation(const check_options& o, std::ostream& out) {
    if (o.lhs || o.rhs)
        throw invalid_input("check: --derivation FILE takes no LHS or RHS");
    if (o.format != "text" && o.format != "markdown")
        throw invalid_input("check: --format is text or markdown, got '" + o.format + "'");
    const std::string& path = *o.derivation_file;
    const std::string text = read_regular_file(path, default_problem_file_limit, "derivation", "");
    const derivation d =
        read_derivation(text, path, derivation_syntax_of(path, text), o.keep_going);
    const derivation_report r = check_derivation(d, options_of(o));
    if (o.json)
        out << format_json(d, r);
    else if (o.format == "markdown")
        out << format_markdown(d, r);
    else
        out << format_text(d, r);
    return derivation_status(r);
}

int run_check(const check_options& o, std::ostream& out) {
    if (o.derivation_file)
        return run_derivation(o, out);
    if (!o.lhs)
        throw invalid_input("check: give LHS and RHS, one 'LHS == RHS', or --derivation FILE");
    if (o.format != "text")
        throw invalid_input("check: --format is for --derivation; use --json for a program");
    written_expression lhs, rhs;
    if (!o.rhs) {
        std::tie(lhs, rhs) = parse_equation(*o.lhs);
    } else {
        lhs = parse_side(*o.lhs, 0, std::string::npos, "<lhs>");
        rhs = parse_side(*o.rhs, 0, std::string::npos, "<rhs>");
    }
    const verify_result r = verify(lhs, rhs, options_of(o));
    if (o.json)
        out << format_json(r) << "\n";
    else
        out << format_text(r);
    switch (r.outcome) {
    case verdict::proved:
        return ok;
    case verdict::refuted:
        return failed;
    case verdict::equal_where_defined:
        return equal_where_defined_status;
    case verdict::probably_equal:
        break;
    }
    return probably_equal_status;
}

} // namespace

subcommand add_check_command(CLI::App& app) {
    auto o = std::make_shared<check_options>();
    auto* cmd = app.add_subcommand(
        "check", "is LHS equal to RHS? proved, refuted (with a point), probably equal, or equal "
                 "where both are defined (the domains differ); exit status 0, 1, 3, 4 "
                 "(2: bad input)");
    // Two options of one string each: CLI11 would split a bracketed argument of a vector option
    // at its commas, and a side may be a vector, [a, b].
    cmd->add_option("LHS", o->lhs,
                    "the left side, or one 'LHS == RHS'; either side may use diff(EXPR, VAR)");
    cmd->add_option("RHS", o->rhs, "the right side");
    cmd->add_option("--derivation", o->derivation_file,
                    "check a derivation line by line: Markdown with LaTeX maths ($$...$$, "
                    "\\[...\\], $...$, align), or symgrad's language (.txt); exit status 1 "
                    "at a wrong line");
    cmd->add_flag("--keep-going", o->keep_going,
                  "with --derivation: list display maths that cannot be read instead of stopping "
                  "at it");
    cmd->add_option("--format", o->format,
                    "with --derivation: text (default) or markdown (the wrong line marked)");
    cmd->add_flag("--json", o->json, "machine-readable output");
    cmd->add_option("--points", o->points, "points compared when there is no proof (default 24)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
    cmd->add_option("--digits", o->digits, "significant digits of printed values (default 30)")
        ->check(CLI::Range(5L, 1000L));
    cmd->add_option("--seed", o->seed, "seed of the random points");
    cmd->add_option("--timeout", o->timeout,
                    "time budget of the verdict in seconds (default 10): the exact decision "
                    "may use 70% of it, sampling the rest")
        ->check(CLI::Range(0.1, 86400.0));
    return {cmd, [o](std::ostream& out, std::ostream&) { return run_check(*o, out); }};
}

} // namespace symgrad::cli
