// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/tensor.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/functions.hpp"
#include "symgrad/core/symbols.hpp"

namespace symgrad {

using GiNaC::ex;
using GiNaC::exvector;
using GiNaC::matrix;

namespace {

unsigned narrow(std::size_t n) {
    return static_cast<unsigned>(n);
}

std::size_t rows_of(const matrix& m) {
    return m.rows();
}

std::size_t cols_of(const matrix& m) {
    return m.cols();
}

void check_nonempty(std::size_t rows, std::size_t cols, const char* where) {
    if (rows == 0 || cols == 0)
        throw invalid_input(std::string(where) +
                            ": a matrix needs at least one row and column, got " +
                            std::to_string(rows) + "x" + std::to_string(cols));
}

void check_name(std::string_view name, const char* where) {
    if (!is_valid_symbol_name(name))
        throw invalid_input(std::string(where) + ": '" + std::string(name) +
                            "' is not a valid symbol name");
}

/// Which entry of b pairs with entry (i, j) of the broadcast result.
struct broadcast {
    std::size_t rows, cols;
    bool a_row, a_scalar, b_row, b_scalar;

    static broadcast of(const matrix& a, const matrix& b, const char* op) {
        const std::size_t ar = rows_of(a), ac = cols_of(a), br = rows_of(b), bc = cols_of(b);
        broadcast r{std::max(ar, br), std::max(ac, bc), false, false, false, false};
        r.a_scalar = ar == 1 && ac == 1;
        r.b_scalar = br == 1 && bc == 1;
        if (ar == br && ac == bc)
            return r;
        if (r.a_scalar || r.b_scalar)
            return r;
        if (ac == bc && (ar == 1 || br == 1)) {
            r.a_row = ar == 1;
            r.b_row = br == 1;
            return r;
        }
        throw shape_error(std::string(op) + ": the shapes " + shape_text(a) + " and " +
                          shape_text(b) +
                          " do not fit (they must be equal, or one a 1xn row matching the "
                          "columns, or 1x1)");
    }

    static ex pick(const matrix& m, bool is_row, bool is_scalar, std::size_t i, std::size_t j) {
        if (is_scalar)
            return m(0, 0);
        return m(narrow(is_row ? 0 : i), narrow(j));
    }
};

template <class Op> matrix combine(const matrix& a, const matrix& b, const char* op_name, Op op) {
    const broadcast bc = broadcast::of(a, b, op_name);
    matrix out(narrow(bc.rows), narrow(bc.cols));
    for (std::size_t i = 0; i < bc.rows; ++i)
        for (std::size_t j = 0; j < bc.cols; ++j)
            out(narrow(i), narrow(j)) = op(broadcast::pick(a, bc.a_row, bc.a_scalar, i, j),
                                           broadcast::pick(b, bc.b_row, bc.b_scalar, i, j));
    return out;
}

} // namespace

std::string shape_text(const matrix& m) {
    return std::to_string(m.rows()) + "x" + std::to_string(m.cols());
}

matrix symbol_matrix(std::string_view name, std::size_t rows, std::size_t cols) {
    check_nonempty(rows, cols, "symbol_matrix");
    check_name(name, "symbol_matrix");
    const bool separate = rows >= 10 || cols >= 10;
    matrix m(narrow(rows), narrow(cols));
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t j = 0; j < cols; ++j) {
            const std::string entry_name = std::string(name) + "_" + std::to_string(i + 1) +
                                           (separate ? "_" : "") + std::to_string(j + 1);
            m(narrow(i), narrow(j)) = symbol_named(entry_name);
        }
    return m;
}

matrix symbol_row(std::string_view name, std::size_t n) {
    check_nonempty(1, n, "symbol_row");
    check_name(name, "symbol_row");
    matrix m(1, narrow(n));
    for (std::size_t j = 0; j < n; ++j)
        m(0, narrow(j)) = symbol_named(std::string(name) + "_" + std::to_string(j + 1));
    return m;
}

matrix symbol_column(std::string_view name, std::size_t n) {
    return transpose(symbol_row(name, n));
}

matrix row_vector(const exvector& values) {
    check_nonempty(1, values.size(), "row_vector");
    matrix m(1, narrow(values.size()));
    for (std::size_t j = 0; j < values.size(); ++j)
        m(0, narrow(j)) = values[j];
    return m;
}

matrix column_vector(const exvector& values) {
    check_nonempty(values.size(), 1, "column_vector");
    return transpose(row_vector(values));
}

matrix matrix_from_rows(const std::vector<exvector>& rows) {
    check_nonempty(rows.size(), rows.empty() ? 0 : rows.front().size(), "matrix_from_rows");
    matrix m(narrow(rows.size()), narrow(rows.front().size()));
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].size() != rows.front().size())
            throw shape_error("matrix_from_rows: row " + std::to_string(i) + " has " +
                              std::to_string(rows[i].size()) + " entries, row 0 has " +
                              std::to_string(rows.front().size()));
        for (std::size_t j = 0; j < rows[i].size(); ++j)
            m(narrow(i), narrow(j)) = rows[i][j];
    }
    return m;
}

exvector entries(const matrix& m) {
    exvector out;
    out.reserve(m.nops());
    for (std::size_t i = 0; i < rows_of(m); ++i)
        for (std::size_t j = 0; j < cols_of(m); ++j)
            out.push_back(m(narrow(i), narrow(j)));
    return out;
}

ex entry(const matrix& m, std::size_t i, std::size_t j) {
    if (i >= rows_of(m) || j >= cols_of(m))
        throw shape_error("entry: the index (" + std::to_string(i) + ", " + std::to_string(j) +
                          ") is outside a " + shape_text(m) + " matrix (indices are 0-based)");
    return m(narrow(i), narrow(j));
}

ex component(const matrix& v, std::size_t i) {
    if (rows_of(v) != 1 && cols_of(v) != 1)
        throw shape_error("component: a " + shape_text(v) + " matrix is not a vector");
    const std::size_t n = std::max(rows_of(v), cols_of(v));
    if (i >= n)
        throw shape_error("component: the index " + std::to_string(i) + " is outside a vector of " +
                          std::to_string(n) + " (" + shape_text(v) + ", indices are 0-based)");
    return rows_of(v) == 1 ? v(0, narrow(i)) : v(narrow(i), 0);
}

matrix row(const matrix& m, std::size_t i) {
    if (i >= rows_of(m))
        throw shape_error("row: the index " + std::to_string(i) + " is outside a " + shape_text(m) +
                          " matrix (indices are 0-based)");
    matrix out(1, m.cols());
    for (std::size_t j = 0; j < cols_of(m); ++j)
        out(0, narrow(j)) = m(narrow(i), narrow(j));
    return out;
}

matrix column(const matrix& m, std::size_t j) {
    if (j >= cols_of(m))
        throw shape_error("column: the index " + std::to_string(j) + " is outside a " +
                          shape_text(m) + " matrix (indices are 0-based)");
    matrix out(m.rows(), 1);
    for (std::size_t i = 0; i < rows_of(m); ++i)
        out(narrow(i), 0) = m(narrow(i), narrow(j));
    return out;
}

ex sum_of(const exvector& terms) {
    if (terms.empty())
        return 0;
    if (terms.size() == 1)
        return terms.front();
    return GiNaC::dynallocate<GiNaC::add>(terms);
}

matrix matmul(const matrix& a, const matrix& b) {
    if (cols_of(a) != rows_of(b))
        throw shape_error("matmul: cannot multiply a " + shape_text(a) + " matrix by a " +
                          shape_text(b) + " matrix (" + std::to_string(a.cols()) +
                          " columns against " + std::to_string(b.rows()) + " rows)");
    matrix out(a.rows(), b.cols());
    exvector terms;
    for (std::size_t i = 0; i < rows_of(a); ++i)
        for (std::size_t j = 0; j < cols_of(b); ++j) {
            terms.clear();
            for (std::size_t k = 0; k < cols_of(a); ++k)
                terms.push_back(a(narrow(i), narrow(k)) * b(narrow(k), narrow(j)));
            out(narrow(i), narrow(j)) = sum_of(terms);
        }
    return out;
}

matrix add(const matrix& a, const matrix& b) {
    return combine(a, b, "add", [](const ex& x, const ex& y) { return x + y; });
}

matrix subtract(const matrix& a, const matrix& b) {
    return combine(a, b, "subtract", [](const ex& x, const ex& y) { return x - y; });
}

matrix hadamard(const matrix& a, const matrix& b) {
    return combine(a, b, "hadamard", [](const ex& x, const ex& y) { return x * y; });
}

matrix scale(const matrix& a, const ex& s) {
    return elementwise(a, [&](const ex& x) { return s * x; });
}

matrix elementwise(const matrix& a, const std::function<ex(const ex&)>& f) {
    matrix out(a.rows(), a.cols());
    for (std::size_t i = 0; i < rows_of(a); ++i)
        for (std::size_t j = 0; j < cols_of(a); ++j)
            out(narrow(i), narrow(j)) = f(a(narrow(i), narrow(j)));
    return out;
}

matrix square(const matrix& a) {
    return elementwise(a, [](const ex& x) { return GiNaC::pow(x, 2); });
}

matrix softmax_rows(const matrix& a) {
    matrix out(a.rows(), a.cols());
    for (std::size_t i = 0; i < rows_of(a); ++i) {
        const exvector p = softmax(entries(row(a, i)));
        for (std::size_t j = 0; j < cols_of(a); ++j)
            out(narrow(i), narrow(j)) = p[j];
    }
    return out;
}

ex sum(const matrix& a) {
    return sum_of(entries(a));
}

ex mean(const matrix& a) {
    return sum(a) / static_cast<long>(a.nops());
}

} // namespace symgrad
