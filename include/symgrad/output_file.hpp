// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file output_file.hpp
/// Files symgrad writes (solutions, training logs) are whole or absent: the text goes to a
/// temporary file next to the target, which is renamed into place only once it is complete.

#include <string>

namespace symgrad {

/// Write @p text to @p path through a temporary file in the same directory and a rename, so a
/// failure never leaves a half-written file (nor the temporary). Throws invalid_input
/// "WHAT: cannot write PATH: REASON" when the file cannot be written.
void write_file_atomically(const std::string& path, const std::string& text,
                           const std::string& what = "write");

} // namespace symgrad
