// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// symgrad check LHS RHS  (or  symgrad check 'LHS == RHS'): proved, equal where both are defined,
// refuted or probably equal, with the evidence. Exit status 0 proved, 1 refuted, 3 probably
// equal, 4 equal where both are defined, 2 bad input.
#include "commands.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/printers.hpp"
#include "symgrad/text/parser.hpp"
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
    std::string lhs;
    std::optional<std::string> rhs;
    bool json = false;
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

int run_check(const check_options& o, std::ostream& out) {
    written_expression lhs, rhs;
    if (!o.rhs) {
        std::tie(lhs, rhs) = parse_equation(o.lhs);
    } else {
        lhs = parse_side(o.lhs, 0, std::string::npos, "<lhs>");
        rhs = parse_side(*o.rhs, 0, std::string::npos, "<rhs>");
    }
    verify_options options;
    options.sample_points = o.points;
    options.digits = o.digits;
    options.seed = o.seed;
    options.timeout_seconds = o.timeout;
    const verify_result r = verify(lhs, rhs, options);
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
                    "the left side, or one 'LHS == RHS'; either side may use diff(EXPR, VAR)")
        ->required();
    cmd->add_option("RHS", o->rhs, "the right side");
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
