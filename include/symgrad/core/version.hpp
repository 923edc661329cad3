// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file version.hpp
/// symgrad's version.

#define SYMGRAD_VERSION_MAJOR 0
#define SYMGRAD_VERSION_MINOR 1
#define SYMGRAD_VERSION_PATCH 0

namespace symgrad {
/// "MAJOR.MINOR.PATCH"
inline constexpr const char* version = "0.1.0";
} // namespace symgrad
