// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file tensor_expression.hpp
/// Expressions over scalars, vectors and matrices, as problem files write them. The syntax is
/// the expression parser's (parser.hpp) plus matrix literals and ordered matrix products, which
/// GiNaC's parser cannot express (GiNaC multiplication is commutative, and its ncmul of
/// matrices does not survive a sum), so this reader evaluates as it parses, into GiNaC values:
/// a scalar GiNaC::ex, or a GiNaC::matrix (vectors are 1 x n rows, as in the course material).
///
///   [1, 2]  [[4, -2], [-1, -2]]  {a, b}     vector and matrix literals
///   x*W                                    matrix product when both are matrices (shapes
///                                          checked); scalar*matrix scales
///   x*W + b                                entrywise sum; a 1 x n row broadcasts over rows
///   sigmoid(x*W)                           a scalar function of a matrix applies entrywise
///   (y - o)^2                              a matrix to a scalar power is entrywise
///   sum(v) mean(v) transpose(A) hadamard(A, B) dot(a, b) inverse(A) det(A) trace(A)
///   softmax(v) logsumexp(v) crossentropy(p, y)    over a vector's entries
///   diff(E, v)                             d E/d v; entrywise for a matrix E, and for a scalar E
///                                          and a matrix of variables v, the matrix dE/dv_ij
///
/// Operator precedence is conventional: ^ (right-associative) binds tighter than a sign, which
/// binds tighter than * and /, then + and -. Decimal literals are exact.

#include "symgrad/parser.hpp"

#include "symgrad/domain.hpp"

#include <ginac/ginac.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace symgrad {

/// The names an expression may use.
struct tensor_names {
    /// Bound names: each value a scalar expression or a GiNaC::matrix.
    std::map<std::string, GiNaC::ex, std::less<>> values;
    /// Unbound names become real variables (symbol_named) instead of an error.
    bool allow_new_symbols = false;
    /// More bound names, looked up after values and not copied (a problem file's earlier
    /// definitions, read once per statement); may be null.
    const std::map<std::string, GiNaC::ex, std::less<>>* more_values = nullptr;
};

/// Parse and evaluate @p text, without the conditions of its domain (read_tensor_expression
/// collects them, at a cost linear in the size of the names' values it uses). Errors are
/// parse_error (with source:line:column and a caret)
/// for syntax, undefined names (with the closest defined one) and unknown functions, and
/// shape_error naming the operation and both shapes.
GiNaC::ex evaluate_tensor_expression(std::string_view text, const tensor_names& names,
                                     const parse_options& options = {});

/// The same, with the conditions of the real domain as written (domain.hpp): each division,
/// inverse (det != 0), sqrt, power and function call records its condition before GiNaC
/// simplifies it away. Names defined earlier contribute their values only.
written_expression read_tensor_expression(std::string_view text, const tensor_names& names,
                                          const parse_options& options = {});

/// Whether @p value is a matrix (vector) rather than a scalar.
bool is_tensor(const GiNaC::ex& value);

/// "scalar", "1x2 vector" or "2x3 matrix", for messages.
std::string shape_description(const GiNaC::ex& value);

} // namespace symgrad
