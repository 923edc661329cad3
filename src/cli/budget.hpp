// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

// Budgets for a command's work: symbolic work can grow without end on a small input
// ((a+b+c+d)^200 expanded, factorial(10^9)), and problem files come from other people. Every
// command runs with a limit on wall-clock time and on memory (address space); past either, the
// command stops with exit status 2 and one line on standard error that names the limit and the
// option that raises it. GiNaC's work cannot be interrupted from inside, so the limits are
// enforced for the whole process: a timer (SIGALRM) that ends the process at the deadline (not a
// thread: the verifier forks, and a fork beside another thread can hang the child), and
// setrlimit(RLIMIT_AS) with allocation-failure hooks (operator new, GMP, CLN, FLINT) that end
// it when memory runs out. SIGINT, SIGTERM, SIGHUP and SIGQUIT remove the temporary files of
// work in progress before they end the process. Output is written only when the command has
// finished (main.cpp), so a stopped command leaves nothing half-written on standard output.

#include "symgrad/core/size_limits.hpp"

#include <CLI/CLI.hpp>

namespace symgrad::cli {

/// The default time limit of every command, in seconds.
constexpr double default_time_limit = 60;
/// The default memory limit of every command (address space), in MiB.
constexpr double default_memory_limit = 8192;

struct budget {
    /// Wall-clock seconds; 0 for no limit.
    double seconds = default_time_limit;
    /// MiB of address space; 0 for no limit.
    double megabytes = default_memory_limit;
    /// Digits of exact numbers and nodes of expressions (symgrad/size_limits.hpp).
    size_limits sizes = default_size_limits;
};

/// Adds --time-limit, --memory-limit, --max-digits and --max-nodes to @p app.
void add_budget_options(CLI::App& app, budget& b);

/// Enforce @p b on this process from now on (symgrad's main() only: the end is _exit(2)).
void start_budget(const budget& b);

/// The command has finished: the time limit no longer applies. Once this returns, the timer
/// can no longer end the process, so output written afterwards is written whole.
void finish_budget();

} // namespace symgrad::cli
