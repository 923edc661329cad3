// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file tensor_expression.hpp
/// The expression reader: symgrad's one grammar for expressions over scalars, vectors and
/// matrices, on the command line (parser.hpp's parse reads with every name a variable) and in
/// problem files (names bound to definitions). Tokens come from lexer.hpp; the grammar is
/// written out in tensor_expression.cpp and problems/README.md. The reader evaluates as it
/// parses, into GiNaC values: a scalar GiNaC::ex, or a GiNaC::matrix (vectors are 1 x n rows,
/// as in the course material); GiNaC's multiplication is commutative, so matrix products are
/// formed here, in order, with their shapes checked.
///
///   [1, 2]  [[4, -2], [-1, -2]]  {a, b}     vector and matrix literals
///   x*W                                    matrix product when both are matrices (shapes
///                                          checked); scalar*matrix scales
///   x*W + b                                entrywise sum; a 1 x n row broadcasts over rows
///   sigmoid(x*W)                           a scalar function of a matrix applies entrywise
///   (y - o)^2                              a matrix to a scalar power is entrywise
///   sum(v) mean(v) transpose(A) hadamard(A, B) dot(a, b) inverse(A) det(A) trace(A) diag(v)
///   max(a, b) min(a, b)                    b + relu(a - b), a - relu(a - b); entrywise
///   softmax(v) logsumexp(v) crossentropy(p, y)    over a vector's entries
///   diff(E, v)                             d E/d v; entrywise for a matrix E, and for a scalar E
///                                          and a matrix of variables v, the matrix dE/dv_ij
///   derivative(f, x)                       f'(x) for a function of one argument (sigmoid,
///                                          tanh, log, a function the text defined, ...)
///
/// Besides GiNaC's functions (exp, log, tanh, sqrt, abs, step, ...) and the tensor operations:
///
///   sigmoid(z)  softplus(z)  relu(z)  logloss(p, y)  indicator(y, k)  ln(z) (= log)
///   logsumexp(z0, ..., zK)  or  logsumexp(v)
///   softmax(k, z0, ..., zK)   component k (0-based);  softmax(v)  all components
///
/// Operator precedence is conventional: ^ (right-associative; ** is the same) binds tighter
/// than a sign, which binds tighter than * and /, then + and -. Decimal literals are exact:
/// 0.1 is 1/10 (unless parse_options::exact_decimals is false). Every operation that restricts
/// the real domain (a division, log, sqrt, a power, ...) records its condition before GiNaC
/// simplifies it away (domain.hpp). A value that is not real (sqrt(-1)) is an error.

#include "symgrad/text/source_text.hpp"
#include "symgrad/verify/domain.hpp"

#include <ginac/ginac.h>

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace symgrad {

class lexer;

/// How expressions are read: where the text stands (for error locations) and limits.
struct parse_options : text_origin {
    /// Longest accepted input, in bytes.
    std::size_t max_bytes = std::size_t{16} << 20;
    /// Deepest accepted nesting of brackets, unary signs and powers.
    std::size_t max_depth = 256;
    /// Read decimal literals as exact rationals (0.1 -> 1/10).
    bool exact_decimals = true;
};

/// A function the text being read defines, as f(t) = e^t / (1 + e^t) in a derivation: a call
/// f(a) is the body with a for t.
struct user_function {
    std::vector<GiNaC::ex> parameters; ///< each a symbol (held as an ex: a realsymbol)
    GiNaC::ex body;
};

/// The names an expression may use.
struct tensor_names {
    /// Bound names: each value a scalar expression or a GiNaC::matrix.
    std::map<std::string, GiNaC::ex, std::less<>> values;
    /// Unbound names become real variables (symbol_named) instead of an error.
    bool allow_new_symbols = false;
    /// More bound names, looked up after values and not copied (a problem file's earlier
    /// definitions, read once per statement); may be null.
    const std::map<std::string, GiNaC::ex, std::less<>>* more_values = nullptr;
    /// For an undefined name: what to declare ("declare it: weights b"); may be empty.
    std::function<std::string(const std::string&)> declaration_hint;
    /// Functions defined by the text (looked up before the known functions).
    std::map<std::string, user_function, std::less<>> functions;
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

/// The text of @p source from @p begin to @p end (npos: its end) as one expression.
written_expression read_tensor_expression(const source_text& source, std::size_t begin,
                                          std::size_t end, const tensor_names& names,
                                          const parse_options& options = {});

/// One expression from @p lex, up to the first token that cannot continue it (a keyword of a
/// statement, a ',' between items), where @p lex is left: how statements and point lists read
/// the expressions inside them.
written_expression read_expression_prefix(lexer& lex, const tensor_names& names,
                                          const parse_options& options = {},
                                          bool note_domain = true);

/// The error for the token @p lex is at, which cannot continue an expression: "missing
/// operator before 'y'", "unmatched ')'", ... (at the end of input: nothing to report).
void expect_end_of_expression(const lexer& lex);

/// Names of every function the reader knows, sorted.
std::vector<std::string> known_functions();

/// Whether @p value is a matrix (vector) rather than a scalar.
bool is_tensor(const GiNaC::ex& value);

/// "scalar", "1x2 vector" or "2x3 matrix", for messages.
std::string shape_description(const GiNaC::ex& value);

} // namespace symgrad
