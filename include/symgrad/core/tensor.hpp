// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file tensor.hpp
/// Vectors and matrices of expressions for models over data. They are plain GiNaC::matrix
/// values (symgrad builds on GiNaC, it does not wrap it); these functions add readable symbol
/// names, checked shapes and the operations of a dense network, each entry built so that
/// shared subexpressions stay shared (a layer's outputs appear once in the DAG however many
/// units of the next layer read them).
///
/// Conventions follow the course material: a sample is a row vector x (1 x n), a layer computes
/// x * W with W of shape n x m, so each column of W is one unit. Indices in names are 1-based
/// (W1_12 is row 1, column 2); indices in function arguments are 0-based.
///
/// Every shape check throws shape_error naming the operation and both shapes:
/// "matmul: cannot multiply a 1x3 matrix by a 2x2 matrix (3 columns against 2 rows)".

#include <ginac/ginac.h>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace symgrad {

/// "2x3": the shape of @p m for messages.
std::string shape_text(const GiNaC::matrix& m);

/// A rows x cols matrix of the symbols name_ij (from symbol_named, 1-based):
/// W1 of 2x2 -> [[W1_11, W1_12], [W1_21, W1_22]]. When a dimension reaches 10 the two indices
/// are separated so that names stay unambiguous: W2_3_12. Throws invalid_input for an empty
/// shape or a name that is not a valid symbol name.
GiNaC::matrix symbol_matrix(std::string_view name, std::size_t rows, std::size_t cols);

/// A 1 x n row vector of the symbols name_1 ... name_n.
GiNaC::matrix symbol_row(std::string_view name, std::size_t n);

/// An n x 1 column vector of the symbols name_1 ... name_n.
GiNaC::matrix symbol_column(std::string_view name, std::size_t n);

/// A 1 x n row vector holding @p values.
GiNaC::matrix row_vector(const GiNaC::exvector& values);

/// An n x 1 column vector holding @p values.
GiNaC::matrix column_vector(const GiNaC::exvector& values);

/// A matrix from rows of values; every row must have the same length (shape_error otherwise).
GiNaC::matrix matrix_from_rows(const std::vector<GiNaC::exvector>& rows);

/// The entries in row-major order (for a vector: its components).
GiNaC::exvector entries(const GiNaC::matrix& m);

/// Entry (i, j), 0-based; throws shape_error naming the index and the shape when outside.
GiNaC::ex entry(const GiNaC::matrix& m, std::size_t i, std::size_t j);

/// Component i (0-based) of a row or column vector; shape_error for a matrix or a bad index.
GiNaC::ex component(const GiNaC::matrix& v, std::size_t i);

/// Row i (0-based) as a 1 x cols matrix.
GiNaC::matrix row(const GiNaC::matrix& m, std::size_t i);

/// Column j (0-based) as a rows x 1 matrix.
GiNaC::matrix column(const GiNaC::matrix& m, std::size_t j);

/// The matrix product (A B)_ij = sum_k A_ik B_kj; A's columns must equal B's rows.
GiNaC::matrix matmul(const GiNaC::matrix& a, const GiNaC::matrix& b);

/// The transpose (A^T)_ij = A_ji: GiNaC's own, so that an unqualified transpose(m) is never
/// ambiguous.
using GiNaC::transpose;

/// A + B with broadcasting: equal shapes add entrywise; a 1 x n row adds to every row of an
/// m x n matrix (a bias); a 1 x 1 matrix adds to every entry. Otherwise shape_error.
GiNaC::matrix add(const GiNaC::matrix& a, const GiNaC::matrix& b);

/// A - B, broadcasting like add.
GiNaC::matrix subtract(const GiNaC::matrix& a, const GiNaC::matrix& b);

/// The entrywise (Hadamard) product A o B, broadcasting like add.
GiNaC::matrix hadamard(const GiNaC::matrix& a, const GiNaC::matrix& b);

/// s * A for an expression s.
GiNaC::matrix scale(const GiNaC::matrix& a, const GiNaC::ex& s);

/// f applied to every entry (an elementwise activation).
GiNaC::matrix elementwise(const GiNaC::matrix& a,
                          const std::function<GiNaC::ex(const GiNaC::ex&)>& f);

/// Every entry squared.
GiNaC::matrix square(const GiNaC::matrix& a);

/// softmax over each row: row i of the result is softmax(a_i1, ..., a_in), built from the
/// registered softmax function (a row vector gives the class probabilities of its logits).
GiNaC::matrix softmax_rows(const GiNaC::matrix& a);

/// The sum of all entries, as one sum (not a chain of additions).
GiNaC::ex sum(const GiNaC::matrix& a);

/// The mean of all entries: sum(a) / (rows * cols).
GiNaC::ex mean(const GiNaC::matrix& a);

/// The sum of @p terms built in one step (GiNaC sums built term by term cost quadratic time).
GiNaC::ex sum_of(const GiNaC::exvector& terms);

} // namespace symgrad
