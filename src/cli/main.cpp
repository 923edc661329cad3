// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "commands.hpp"

#include <iostream>

int main(int argc, char** argv) {
    std::vector<std::string> args(argv, argv + argc);
    // The budgets (--time-limit, --memory-limit) are enforced here only: they end the process.
    return symgrad::cli::run(args, std::cout, std::cerr, /*enforce_budget=*/true);
}
