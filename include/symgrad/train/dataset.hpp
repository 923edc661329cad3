// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file dataset.hpp
/// Rows of data (values of a per-sample loss's inputs and labels) and the objective they make:
///   sum:  J(w) = sum_{i in rows} loss(w; x_i, y_i)        (the default)
///   mean: J(w) = (1/|rows|) sum_{i in rows} loss(w; x_i, y_i)
/// over all rows (full-batch gradient descent) or a subset (a minibatch, or one row for SGD).
///
/// The gradient of J is the per-sample gradient_program, built once and run per row, summed
/// (and divided for the mean): it is never re-derived per row. Rows are numbered from 0.

#include "symgrad/compile/batch_evaluator.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/program/gradient_program.hpp"
#include "symgrad/program/program_evaluate.hpp"

#include <ginac/ginac.h>

#include <cstddef>
#include <string_view>
#include <vector>

namespace symgrad {

/// A label column: its symbol, and the number of classes for a class label (values 0..K-1,
/// checked when rows are added); 0 for a real-valued target.
struct label {
    GiNaC::ex symbol;
    std::size_t classes = 0;
};

/// How rows combine into the objective.
enum class reduction { sum, mean };

/// "sum" or "mean"; invalid_input naming the accepted values otherwise.
reduction parse_reduction(std::string_view name);

/// A table of rows: one value per input and per label, all real numbers (exact rationals
/// stay exact).
class dataset {
public:
    /// Columns: the inputs, then the labels. Every column must be a distinct symbol.
    dataset(std::vector<GiNaC::ex> inputs, std::vector<label> labels);

    /// Add a row given by symbol. Errors name the row: a column without a value, a value for a
    /// symbol that is not a column, a value that is not a real number, a class label that is not
    /// one of 0..K-1.
    void add_named_row(const GiNaC::exmap& values);

    /// Add a row by position: the inputs' values in order, then the labels'. A row with too few
    /// or too many values is an error naming the row and the columns.
    void add_row(const std::vector<GiNaC::ex>& values);

    std::size_t size() const noexcept { return rows_.size(); }
    const std::vector<GiNaC::ex>& inputs() const noexcept { return inputs_; }
    const std::vector<label>& labels() const noexcept { return labels_; }
    /// Input symbols then label symbols.
    const std::vector<GiNaC::ex>& columns() const noexcept { return columns_; }

    /// Row @p i as values by symbol; invalid_input when there is no such row.
    GiNaC::exmap row(std::size_t i) const;
    /// Row @p i in double precision.
    double_point row_double(std::size_t i) const;

private:
    const std::vector<GiNaC::numeric>& values(std::size_t i) const;
    void check_and_add(std::vector<GiNaC::numeric> values);

    std::vector<GiNaC::ex> inputs_;
    std::vector<label> labels_;
    std::vector<GiNaC::ex> columns_;
    std::vector<std::vector<GiNaC::numeric>> rows_;
};

/// All row indices 0..n-1 of @p data.
std::vector<std::size_t> all_rows(const dataset& data);

/// The objective as one expression: the per-sample @p loss with each row's values substituted,
/// summed (or averaged) over @p rows. For checks and small data; the gradient of large
/// objectives is the job of dataset_objective.
GiNaC::ex objective(const GiNaC::ex& loss, const dataset& data, reduction r = reduction::sum);
GiNaC::ex objective(const GiNaC::ex& loss, const dataset& data,
                    const std::vector<std::size_t>& rows, reduction r = reduction::sum);

/// The objective over data with its gradient: a per-sample program, the data, the reduction
/// and the rows. The program's inputs and labels must be columns of the data.
class dataset_objective {
public:
    dataset_objective(gradient_program per_sample, const dataset& data,
                      reduction r = reduction::sum);
    /// Over a subset of rows (a minibatch; one row for SGD). Rows must exist; duplicates
    /// count twice; an empty subset is an error.
    dataset_objective(gradient_program per_sample, const dataset& data,
                      std::vector<std::size_t> rows, reduction r = reduction::sum);

    const gradient_program& per_sample() const noexcept { return program_; }
    const dataset& data() const noexcept { return data_; }
    const std::vector<std::size_t>& rows() const noexcept { return rows_; }
    reduction kind() const noexcept { return reduction_; }

    /// The objective as one expression (see objective()).
    GiNaC::ex expression() const;

    /// J and dJ/dw at @p weights exactly.
    program_values value_exact(const GiNaC::exmap& weights) const;
    /// J and dJ/dw to @p digits significant digits (rationals stay exact); each row is
    /// evaluated with 10 guard digits before the rows are added up.
    program_numbers value_numeric(const GiNaC::exmap& weights, long digits = 17) const;
    /// J and dJ/dw in double precision.
    program_doubles value_double(const double_point& weights) const;

private:
    gradient_program program_;
    dataset data_;
    std::vector<std::size_t> rows_;
    reduction reduction_;
};

/// The rows of @p data in @p layout's order. Every input and label of the layout must be a
/// column of the data (invalid_input names the first that is not).
sample_table to_samples(const dataset& data, const argument_layout& layout);

} // namespace symgrad
