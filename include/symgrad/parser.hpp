// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file parser.hpp
/// Expressions from text: a pre-scan that names every malformed input precisely, then a
/// recursive-descent reader (grammar in parser.cpp) in which GiNaC builds the nodes, with
/// symgrad's functions in GiNaC's prototype table. Grammar: numbers, names, + - * / ^
/// (right-associative), parentheses, calls f(a, b), and {a, b} lists (vectors). Besides GiNaC's
/// functions (exp, log, tanh, sqrt, abs, step, ...):
///
///   sigmoid(z)  softplus(z)  relu(z)  logloss(p, y)  indicator(y, k)
///   logsumexp(z0, ..., zK)  or  logsumexp({z0, ..., zK})
///   softmax(k, z0, ..., zK)   component k (0-based);  softmax({z0, ..., zK})  all components
///   crossentropy({p0, ..., pK}, y)   y a class index or a one-hot list
///   diff(EXPR, VAR)  diff(EXPR, VAR, N)   derivative, usable anywhere an expression goes
///
/// Every name that is not a function is a real symbol (symbol_named). Decimal literals are
/// exact: 0.1 is 1/10 (unless parse_options::exact_decimals is false).
///
/// Errors are symgrad::parse_error with source:line:column, the line and a caret: unknown
/// characters, unbalanced brackets, unknown functions (with the closest known name), wrong
/// argument counts, nesting deeper than max_depth, input longer than max_bytes.

#include "symgrad/domain.hpp"

#include <ginac/ginac.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace symgrad {

struct parse_options {
    /// Name used in error locations, e.g. a file name; "<input>" for command-line text.
    std::string source = "<input>";
    /// 1-based line and column of the text's first character inside that source (for
    /// expressions embedded in larger files).
    std::size_t first_line = 1;
    std::size_t first_column = 1;
    /// The whole source line the text starts in, when the text is part of it (an expression
    /// after "loss = " in a file): errors on the first line show this line, so that the caret
    /// at first_column + offset stands under the right character. Empty: the text's own line.
    std::string first_line_text;
    /// Longest accepted input, in bytes.
    std::size_t max_bytes = std::size_t{16} << 20;
    /// Deepest accepted nesting of brackets, unary signs and powers.
    std::size_t max_depth = 256;
    /// Read decimal literals as exact rationals (0.1 -> 1/10).
    bool exact_decimals = true;
};

/// Where the number literal starting at @p begin of @p text ends: digits and points, then an
/// exponent (1e-5, 2.5E+3) when digits follow the e. Both expression readers use it, so they
/// agree on what a number is.
std::size_t number_literal_end(std::string_view text, std::size_t begin);

/// The largest power of ten a decimal literal may write (1e100000).
constexpr long max_decimal_exponent = 100000;

/// The exact rational a decimal literal writes (digits, at most one point, an exponent: 1.5e-3
/// is 3/2000), or nullopt when @p literal is not one or its power of ten is beyond
/// max_decimal_exponent. Both expression readers use it.
std::optional<GiNaC::numeric> decimal_value(std::string_view literal);

/// Parse one expression.
GiNaC::ex parse(std::string_view text, const parse_options& options = {});

/// Parse one expression and record the conditions of its real domain as written (domain.hpp):
/// GiNaC simplifies sqrt(x)*sqrt(x) to x while building it, but its domain stays x >= 0.
written_expression parse_written(std::string_view text, const parse_options& options = {});

/// An equation "LHS == RHS" (or with a single '='), each side read with parse_written in place,
/// so that an error's column and caret point into @p text (source "<equation>"). Throws
/// invalid_input when there is no '=' or more than one.
std::pair<written_expression, written_expression> parse_equation(const std::string& text);

/// Parse "name = value, name = value, ..." (separated by commas or semicolons) into a map from
/// symbols to exact real values (decimals are exact; values may be constant expressions such
/// as 1/3 or log(2)). Throws parse_error on malformed lists, naming the place.
GiNaC::exmap parse_point(std::string_view text, const parse_options& options = {});

/// Names of every function the parser knows, sorted.
std::vector<std::string> known_functions();

} // namespace symgrad
