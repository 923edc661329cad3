// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file temporary_files.hpp
/// Temporary files of work in progress (a compile's tmp-*.c and tmp-*.so, an output file's
/// temporary before its rename), registered while they exist so that a process ended early by
/// the command's time or memory limit (cli/budget.hpp) removes them on its way out. Code that
/// finishes normally removes or renames its files itself and then unregisters them (the guard
/// does that). The command also removes them when SIGINT, SIGTERM, SIGHUP or SIGQUIT ends it.
/// A process killed by SIGKILL or a crash cannot: the native cache removes the stale
/// temporaries of dead processes (native.hpp).

#include <string>

namespace symgrad {

/// Registers a path for the lifetime of the guard.
class temporary_file_guard {
public:
    explicit temporary_file_guard(std::string path);
    ~temporary_file_guard();
    temporary_file_guard(const temporary_file_guard&) = delete;
    temporary_file_guard& operator=(const temporary_file_guard&) = delete;

private:
    std::string path_;
};

/// Registers a child's process group (the C compiler's: native.cpp) for the lifetime of the
/// guard: a process ended early kills it, instead of leaving the compiler running for minutes.
/// At most 16 at once; more are not registered.
class child_process_group_guard {
public:
    explicit child_process_group_guard(int group) noexcept;
    ~child_process_group_guard();
    child_process_group_guard(const child_process_group_guard&) = delete;
    child_process_group_guard& operator=(const child_process_group_guard&) = delete;

private:
    int slot_ = -1;
};

/// Unlink every registered path, and kill every registered process group. For a process's last
/// moments: allocates nothing, and waits at most a moment for a registration in progress (then
/// removes nothing rather than block).
void remove_temporary_files() noexcept;

} // namespace symgrad
