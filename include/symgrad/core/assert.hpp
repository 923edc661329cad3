// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file assert.hpp
/// SYMGRAD_ASSERT(condition): an invariant symgrad's own code relies on (an index in range, two
/// tables of one length), checked in Debug builds. There a false condition throws
/// symgrad::internal_error "file:line: internal error: the invariant <condition> does not hold";
/// with NDEBUG (Release) the condition is compiled (it must stay well formed) but never
/// evaluated. Checks of input, which must hold in Release too, throw their own error instead.

#include "symgrad/core/error.hpp"

namespace symgrad::detail {

/// Throws internal_error naming @p file, @p line and @p condition.
[[noreturn]] void assertion_failed(const char* condition, const char* file, long line);

} // namespace symgrad::detail

#ifdef NDEBUG
#define SYMGRAD_ASSERT(condition) static_cast<void>(sizeof((condition) ? true : false))
#else
#define SYMGRAD_ASSERT(condition)                                                                  \
    ((condition) ? static_cast<void>(0)                                                            \
                 : ::symgrad::detail::assertion_failed(#condition, __FILE__, __LINE__))
#endif
