// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

// The `symgrad` command, as a function the tests can call in-process. Each subcommand lives in
// its own file (diff_command.cpp, ...) and registers itself with add_* below.

#include "symgrad/core/input_file.hpp"

#include <ginac/ginac.h>

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace symgrad::cli {

/// Exit statuses of the command.
enum exit_status : int { ok = 0, failed = 1, bad_input = 2 };

/// Run the command with @p args (args[0] is the program name), writing results to @p out and
/// diagnostics to @p err. Returns the exit status: 0 on success, 2 on bad input (each
/// subcommand may define more, e.g. `check` returns 1 for a refuted equality). Every command
/// takes --time-limit and --memory-limit (budget.hpp); with @p enforce_budget (symgrad's main()
/// only: the process ends when a limit is hit) they are enforced.
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
        bool enforce_budget = false);

/// What a subcommand runs once its options are parsed: writes to out/err, returns the status.
/// symgrad::error exceptions thrown from it are reported by run() with exit status 2.
using action = std::function<int(std::ostream& out, std::ostream& err)>;

/// A registered subcommand: its CLI11 object and what to run when it is chosen.
struct subcommand {
    CLI::App* app;
    action run;
};

/// The subcommands' registrations, one per file (diff_command.cpp, ...). Each adds its CLI11
/// subcommand to @p app; its options live in the returned action's captures.
subcommand add_diff_command(CLI::App& app);
subcommand add_eval_command(CLI::App& app);
subcommand add_grad_command(CLI::App& app);
subcommand add_run_command(CLI::App& app);
subcommand add_check_command(CLI::App& app);
subcommand add_train_command(CLI::App& app);
subcommand add_simplify_command(CLI::App& app);
subcommand add_emit_command(CLI::App& app);

// ---- helpers shared by the subcommands -----------------------------------------------------

/// Parse a command-line expression; @p source names the argument in error messages.
GiNaC::ex parse_argument(const std::string& text, const std::string& source);

/// Variables from arguments such as "w1,w2" "w3" (each must be a name); all variables of @p e
/// (in natural order) when @p names is empty.
std::vector<GiNaC::ex> parse_variables(const std::vector<std::string>& names, const GiNaC::ex& e,
                                       const std::string& where);

/// A point from an --at argument ("w1=0, w2=1/2") for the expression @p e; invalid_input when
/// it gives a class label of @p e a value that is not a class (check_class_labels).
GiNaC::exmap parse_at(const std::string& text, const GiNaC::ex& e);

/// d e / d v for a variable held in an ex.
GiNaC::ex partial(const GiNaC::ex& e, const GiNaC::ex& v);

/// Options of the commands that print values (eval, grad, ...).
struct value_options {
    std::string at;
    long digits = 17;
    bool in_double = false;
};

/// Adds --at, --digits and --double to @p cmd.
void add_value_options(CLI::App& cmd, value_options& v);

/// Options of the commands that run problem files (run, train): the paths a problem file may
/// name beyond its own directory, and the size limits of the files read (see input_file.hpp).
struct file_options {
    std::vector<std::string> allowed;
    bool trust_all = false;
    std::uintmax_t max_problem_mib = default_problem_file_limit >> 20;
    std::uintmax_t max_data_mib = default_data_file_limit >> 20;

    path_policy policy() const;
    std::uintmax_t problem_limit() const { return max_problem_mib << 20; }
};

/// Adds --allow-path, --trust-paths, --max-problem-size and --max-data-size to @p cmd.
void add_file_options(CLI::App& cmd, file_options& f);

/// "/* Renamed for C: int -> int_, M_E -> M_E_ */\n" for the variables of @p e whose names C
/// reserves (printers.hpp, code_name); "" when there are none. Printed above C functions.
std::string c_renaming_comment(const GiNaC::ex& e);

/// A value for printing: exact where rational, else v.digits significant digits (or double).
struct printed_value {
    std::string text;
    bool exact;
};
printed_value value_text(const GiNaC::ex& e, const GiNaC::exmap& point, const value_options& v,
                         const std::string& where);

} // namespace symgrad::cli
