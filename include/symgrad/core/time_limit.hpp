// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file time_limit.hpp
/// Work that may not end: GiNaC's normal forms and factorisations cannot be interrupted from
/// inside (normal((t^200 + 1)/(t + 1)) factors for minutes), so symgrad runs such work in a
/// child process with a wall-clock limit and kills it when the limit passes. The child is a
/// fork: it sees the caller's state as it was, and its result comes back as text.

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace symgrad {

struct limited_result {
    /// The text the work returned; empty when it did not finish.
    std::optional<std::string> value;
    /// It ran out of time (else: it finished, or failed as failure says).
    bool timed_out = false;
    /// Why the work gave no result (a signal, an exception's text).
    std::string failure;
};

/// Runs @p work in a forked child for at most @p seconds and returns its text. An exception in
/// the work is reported in failure; the child never writes to the caller's streams.
limited_result run_with_time_limit(const std::function<std::string()>& work, double seconds);

/// A time by which this thread's work must end (a verdict's budget, verify.hpp): while a scope
/// is alive, run_with_time_limit gives its child at most the time left before the deadline, and
/// past it returns at once, timed out. Scopes nest; the earliest deadline counts. Each
/// undecided domain condition's one-second zero test ran past a verdict's budget.
class deadline_scope {
public:
    explicit deadline_scope(std::chrono::steady_clock::time_point deadline);
    ~deadline_scope();
    deadline_scope(const deadline_scope&) = delete;
    deadline_scope& operator=(const deadline_scope&) = delete;

private:
    std::optional<std::chrono::steady_clock::time_point> outer_;
};

} // namespace symgrad
