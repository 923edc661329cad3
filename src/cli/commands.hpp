// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

// The `symgrad` command, as a function the tests can call in-process.

#include <iosfwd>
#include <string>
#include <vector>

namespace symgrad::cli {

/// Exit statuses of the command.
enum exit_status : int { ok = 0, failed = 1, bad_input = 2 };

/// Run the command with @p args (args[0] is the program name), writing results to @p out and
/// diagnostics to @p err. Returns the exit status: 0 on success, 2 on bad input.
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

} // namespace symgrad::cli
