// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file derivation_text.hpp
/// Reading a derivation (verify/derivation.hpp checks it): Markdown with LaTeX maths, as notes
/// and chatbots write it, or symgrad's own language, one statement per line.
///
/// Each statement is a chain P0 = P1 = ... = Pk, read left to right:
///   - P0 a name, or a name with a list of names (L, L(w), z_0, f(t)), not yet defined: a
///     definition; P1 is its value (f(t) with t in the body defines a function of t), and
///     P2, P3, ... are claims, each equal to the part before it.
///   - P0 a name already defined: a restatement; P1 must equal the name's latest statement.
///   - P0 a derivative (\frac{\partial L}{\partial w_1}, diff(L, w1)) of a defined name: P1
///     must equal the true derivative of the name as first defined.
///   - P0 empty (a line starting with =): P1 must equal the last part of the statement before.
///   - Otherwise (-2(2 - 0) \cdot 1 = -4): each part must equal the one before it.
/// Statements without '=' are passed over. Display maths that cannot be read is an error at
/// its place (parse_error); inline maths ($...$ in prose) that cannot be read is listed as
/// skipped, with the reason, since prose uses it for more than equations ($i = 1, 2, 3$).

#include "symgrad/verify/derivation.hpp"

#include <string>
#include <string_view>

namespace symgrad {

enum class derivation_syntax { latex, symgrad };

/// The syntax of a file: symgrad's language for .txt and .sg files without $ or \[, LaTeX in
/// Markdown otherwise.
derivation_syntax derivation_syntax_of(std::string_view file_name, std::string_view text);

/// Reads the derivation in @p text; @p source names it in errors and output. With
/// @p skip_unread_display, display maths that cannot be read is listed as skipped too (to count
/// what a text's maths the reader takes) instead of being an error.
derivation read_derivation(std::string_view text, const std::string& source,
                           derivation_syntax syntax, bool skip_unread_display = false);

} // namespace symgrad
