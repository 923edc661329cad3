// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file spelling.hpp
/// "Did you mean ...?": the closest known name to a misspelt one.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace symgrad {

/// Levenshtein distance (insertions, deletions, substitutions, and adjacent transpositions,
/// each costing 1) between @p a and @p b.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to @p name, if one is close enough to be a plausible typo: distance at
/// most 1 for names of up to 4 characters, at most 2 for longer ones. Ties go to the first.
std::optional<std::string> closest_name(std::string_view name,
                                        const std::vector<std::string>& candidates);

/// "; did you mean 'X'?" or "" — ready to append to an error message.
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);

} // namespace symgrad
