// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file parser.hpp
/// Expressions from command-line text: symgrad's one expression grammar (tensor_expression.hpp)
/// with every name a real variable (symbol_named), and the point lists and equations the
/// commands take. Vectors and matrices are read as in problem files ([a, b], {a, b},
/// [[1, 2], [3, 4]], sum(...), hadamard(...)), into GiNaC matrices: check compares them entry
/// by entry, diff differentiates each entry, and the commands that need a scalar say so.
///
/// Errors are symgrad::parse_error with source:line:column, the line and a caret: unknown
/// characters, unbalanced brackets, unknown functions (with the closest known name), wrong
/// argument counts, nesting deeper than max_depth, input longer than max_bytes, and habits
/// from other tools (np.exp, a decimal comma) with what to write instead.

#include "symgrad/text/lexer.hpp"
#include "symgrad/text/tensor_expression.hpp"
#include "symgrad/verify/domain.hpp"

#include <ginac/ginac.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace symgrad {

/// Parse one expression.
GiNaC::ex parse(std::string_view text, const parse_options& options = {});

/// Parse one expression and record the conditions of its real domain as written (domain.hpp):
/// GiNaC simplifies sqrt(x)*sqrt(x) to x while building it, but its domain stays x >= 0.
written_expression parse_written(std::string_view text, const parse_options& options = {});

/// An equation "LHS == RHS" (or with a single '='), each side read with parse_written in place,
/// so that an error's column and caret point into @p text (source "<equation>"). Throws
/// invalid_input when there is no '=' or more than one.
std::pair<written_expression, written_expression> parse_equation(const std::string& text);

/// The items of a comma-separated list ("w1, w2", "a, f(b, c)"), each trimmed, cut by the
/// lexer at the commas outside brackets; empty items are dropped. Each item is then read on its
/// own (a name list of --wrt, of the Python module's arguments).
std::vector<std::string> split_list(std::string_view text);

/// Parse "name = value, name = value, ..." (separated by commas or semicolons) into a map from
/// symbols to exact real values (decimals are exact; values may be constant expressions such
/// as 1/3 or log(2)). Throws parse_error on malformed lists, naming the place.
GiNaC::exmap parse_point(std::string_view text, const parse_options& options = {});

} // namespace symgrad
