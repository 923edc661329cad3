// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "commands.hpp"

#include "cli/budget.hpp"

#include "symgrad/compile/interpreter.hpp"
#include "symgrad/core/error.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/functions.hpp"
#include "symgrad/core/ginac_reason.hpp"
#include "symgrad/core/input_file.hpp"
#include "symgrad/core/printers.hpp"
#include "symgrad/core/size_limits.hpp"
#include "symgrad/core/spelling.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/core/version.hpp"
#include "symgrad/text/parser.hpp"
#include "symgrad/verify/domain.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <set>
#include <sstream>

namespace symgrad::cli {

using GiNaC::ex;

ex parse_argument(const std::string& text, const std::string& source) {
    parse_options o;
    o.source = source;
    return parse(text, o);
}

std::vector<ex> parse_variables(const std::vector<std::string>& names, const ex& e,
                                const std::string& where) {
    std::vector<ex> out;
    for (const auto& n : names) {
        for (const std::string& name : split_list(n)) {
            const ex v = parse_argument(name, where);
            if (!GiNaC::is_a<GiNaC::symbol>(v))
                throw invalid_input(where + ": '" + name +
                                    "' is not a variable; differentiate with respect to a name "
                                    "such as w1");
            // A name that does not occur is almost surely misspelt (w_1 for w1): its derivative,
            // 0, would be printed as if it were an answer.
            if (!e.has(v)) {
                std::vector<std::string> known;
                for (const auto& s : free_symbols(e))
                    known.push_back(symbol_name(s));
                std::string hint = did_you_mean(name, known);
                if (hint.empty() && !known.empty()) {
                    std::string list;
                    for (const auto& n2 : known)
                        list += (list.empty() ? "" : ", ") + n2;
                    hint = " (its variables: " + list + ")";
                }
                throw invalid_input(where + ": '" + name + "' does not occur in the expression" +
                                    hint);
            }
            out.push_back(v);
        }
    }
    if (out.empty())
        out = free_symbols(e);
    return out;
}

GiNaC::exmap parse_at(const std::string& text, const ex& e) {
    parse_options o;
    o.source = "--at";
    GiNaC::exmap point = parse_point(text, o);
    check_class_labels(e, point, "--at");
    return point;
}

ex partial(const ex& e, const ex& v) {
    check_nesting_depth(e, "diff");
    ex d = e.diff(GiNaC::ex_to<GiNaC::symbol>(v));
    check_expression_size(d, "diff");
    return d;
}

void add_value_options(CLI::App& cmd, value_options& v) {
    cmd.add_option("--at", v.at, "the point, e.g. 'w1=0, w2=1/2' (decimals are exact)");
    cmd.add_option("--digits", v.digits, "significant digits of inexact values (default 17)")
        ->check(CLI::Range(1L, 100000L));
    cmd.add_flag("--double", v.in_double, "evaluate in IEEE double instead of exactly");
}

path_policy file_options::policy() const {
    path_policy p;
    p.allowed = allowed;
    p.trust_all = trust_all;
    p.data_limit = max_data_mib << 20;
    return p;
}

void add_file_options(CLI::App& cmd, file_options& f) {
    cmd.add_option("--allow-path", f.allowed,
                   "a directory whose files the problem files may name in data and log paths, "
                   "besides their own directory (repeatable)")
        ->check(CLI::ExistingDirectory);
    cmd.add_flag("--trust-paths", f.trust_all,
                 "let the problem files name any path (absolute, or outside their directory)");
    cmd.add_option("--max-problem-size", f.max_problem_mib,
                   "the largest problem file read, in MiB (default " +
                       std::to_string(default_problem_file_limit >> 20) + ")")
        ->check(CLI::Range(std::uintmax_t{1}, std::uintmax_t{1} << 20));
    cmd.add_option("--max-data-size", f.max_data_mib,
                   "the largest data file read, in MiB (default " +
                       std::to_string(default_data_file_limit >> 20) + ")")
        ->check(CLI::Range(std::uintmax_t{1}, std::uintmax_t{1} << 20));
}

std::string c_renaming_comment(const ex& e) {
    std::vector<std::string> names;
    for (const auto& s : free_symbols(e))
        names.push_back(symbol_name(s));
    std::string list;
    for (const auto& [from, to] : code_renamings(names, output_format::c))
        list += (list.empty() ? "" : ", ") + from + " -> " + to;
    return list.empty() ? "" : "/* Renamed for C: " + list + " */\n";
}

printed_value value_text(const ex& e, const GiNaC::exmap& point, const value_options& v,
                         const std::string& where) {
    if (v.in_double) {
        const double d = evaluate_as_compiled(e, point, where);
        return {format_double(d, static_cast<int>(std::min<long>(v.digits, 17))), false};
    }
    const GiNaC::numeric n = evaluate_numeric(e, point, v.digits, where);
    return {format_number(n, v.digits), n.is_rational()};
}

namespace {

/// The short options ("-h", "-o", ...) of @p app and its subcommands.
std::set<std::string> short_options(const CLI::App& app) {
    std::set<std::string> names{"-h"};
    for (const CLI::Option* opt : app.get_options())
        for (const auto& n : opt->get_snames())
            names.insert("-" + n);
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
        for (const auto& n : short_options(*sub))
            names.insert(n);
    return names;
}

/// CLI11 reads any argument that starts with '-' as an option, but "-log(p)" or "-x" is an
/// expression: arguments that are not a known option (long, or short such as -o) get a leading
/// space, which the expression parser ignores.
std::vector<std::string> protect_negative_arguments(const std::vector<std::string>& args,
                                                    const std::set<std::string>& options) {
    std::vector<std::string> out = args;
    for (std::size_t i = 1; i < out.size(); ++i) {
        const std::string& a = out[i];
        if (a.size() < 2 || a[0] != '-' || a[1] == '-' || options.count(a))
            continue;
        out[i] = " " + a;
    }
    return out;
}

} // namespace

int run(const std::vector<std::string>& raw_args, std::ostream& out, std::ostream& err,
        bool enforce_budget) {
    CLI::App app{"symgrad: symbolic gradients for machine-learning losses"};
    app.set_version_flag("--version", std::string("symgrad ") + symgrad::version);
    app.require_subcommand(1);
    app.fallthrough(false);

    const std::vector<subcommand> commands{
        add_diff_command(app),     add_eval_command(app),  add_grad_command(app),
        add_run_command(app),      add_check_command(app), add_train_command(app),
        add_simplify_command(app), add_emit_command(app),
    };

    // The limits go before the command's name or among its own options.
    budget limits;
    add_budget_options(app, limits);
    for (const auto& c : commands)
        add_budget_options(*c.app, limits);

    // An unknown command gets a suggestion and the list (CLI11 would only say that a
    // subcommand is required).
    if (raw_args.size() > 1 && !raw_args[1].empty() && raw_args[1][0] != '-') {
        std::vector<std::string> names;
        for (const auto& c : commands)
            names.push_back(c.app->get_name());
        if (std::find(names.begin(), names.end(), raw_args[1]) == names.end()) {
            std::string list;
            for (const auto& n : names)
                list += (list.empty() ? "" : ", ") + n;
            err << "symgrad: error: unknown command '" << raw_args[1] << "'"
                << did_you_mean(raw_args[1], names) << " (commands: " << list << ")\n";
            return bad_input;
        }
    }
    const std::vector<std::string> args = protect_negative_arguments(raw_args, short_options(app));
    std::vector<const char*> argv;
    for (const auto& a : args)
        argv.push_back(a.c_str());
    try {
        app.parse(static_cast<int>(argv.size()), argv.data());
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e, out, err);
        return rc == 0 ? ok : bad_input;
    }
    // A command's results are held until it has finished: when it fails (exit status 2) it
    // prints nothing on stdout, not half a result. Diagnostics go to err as they come.
    std::ostringstream results;
    const size_limits_guard sizes(limits.sizes);
    try {
        if (enforce_budget)
            start_budget(limits);
        for (const auto& c : commands) {
            if (!c.app->parsed())
                continue;
            const int status = c.run(results, err);
            finish_budget(); // from here on, no limit can cut the output short
            if (status != bad_input)
                out << results.str() << std::flush;
            return status;
        }
    } catch (const error& e) {
        finish_budget(); // one error line, not this one and then the time limit's
        err << "symgrad: error: " << e.what() << "\n";
        return bad_input;
    } catch (const std::bad_alloc&) {
        finish_budget();
        err << "symgrad: error: out of memory\n";
        return bad_input;
    } catch (const std::exception& e) {
        // Not symgrad's own error: a library's (GiNaC, CLN), in symgrad's words where known.
        finish_budget();
        err << "symgrad: error: " << ginac_reason(e) << "\n";
        return bad_input;
    }
    return bad_input;
}

} // namespace symgrad::cli
