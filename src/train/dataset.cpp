// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/train/dataset.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/printers.hpp"
#include "symgrad/core/substitute.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/core/tensor.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace symgrad {

using GiNaC::ex;
using GiNaC::numeric;

namespace {

std::string show(const ex& e) {
    return to_text(e); // not GiNaC's print, whose operand order changes from run to run
}

std::string column_list(const std::vector<ex>& columns) {
    std::string s;
    for (const auto& c : columns)
        s += (s.empty() ? "" : ", ") + symbol_name(c);
    return s;
}

std::string row_text(std::size_t i) {
    return "row " + std::to_string(i);
}

} // namespace

reduction parse_reduction(std::string_view name) {
    if (name == "sum")
        return reduction::sum;
    if (name == "mean")
        return reduction::mean;
    throw invalid_input("reduction: expected sum or mean, got '" + std::string(name) + "'");
}

dataset::dataset(std::vector<ex> inputs, std::vector<label> labels)
    : inputs_(std::move(inputs)), labels_(std::move(labels)) {
    columns_ = inputs_;
    for (const auto& l : labels_)
        columns_.push_back(l.symbol);
    std::unordered_set<ex> seen;
    for (const auto& c : columns_) {
        if (!GiNaC::is_a<GiNaC::symbol>(c))
            throw invalid_input("dataset: the column " + show(c) + " is not a symbol");
        if (!seen.insert(c).second)
            throw invalid_input("dataset: the column " + symbol_name(c) + " appears twice");
    }
    for (const auto& l : labels_)
        if (l.classes == 1)
            throw invalid_input("dataset: the class label " + symbol_name(l.symbol) +
                                " has 1 class; a class label needs at least 2 (0 for a real "
                                "target)");
}

void dataset::add_named_row(const GiNaC::exmap& values) {
    const std::size_t index = rows_.size();
    // The first stray key by name: an exmap is in GiNaC's order, which changes from run to run.
    std::vector<ex> stray;
    for (const auto& [k, v] : values) {
        (void)v;
        if (std::find_if(columns_.begin(), columns_.end(),
                         [&key = k](const ex& c) { return c.is_equal(key); }) == columns_.end())
            stray.push_back(k);
    }
    if (!stray.empty()) {
        const ex k = *std::min_element(stray.begin(), stray.end(), structural_less());
        throw invalid_input("dataset: " + row_text(index) + " has a value for " + show(k) +
                            ", which is not a column (columns: " + column_list(columns_) + ")");
    }
    std::vector<ex> ordered;
    for (const auto& c : columns_) {
        auto it = values.find(c);
        if (it == values.end())
            throw invalid_input("dataset: " + row_text(index) + " has no value for " +
                                symbol_name(c) + " (columns: " + column_list(columns_) + ")");
        ordered.push_back(it->second);
    }
    add_row(ordered);
}

void dataset::add_row(const std::vector<ex>& values) {
    const std::size_t index = rows_.size();
    if (values.size() != columns_.size())
        throw invalid_input("dataset: " + row_text(index) + " has " +
                            std::to_string(values.size()) + " values, expected " +
                            std::to_string(columns_.size()) + " (" + column_list(columns_) + ")");
    std::vector<numeric> row;
    for (std::size_t j = 0; j < values.size(); ++j) {
        const ex& v = values[j];
        if (!GiNaC::is_exactly_a<numeric>(v) || !GiNaC::ex_to<numeric>(v).is_real())
            throw invalid_input("dataset: " + row_text(index) + ": the value of " +
                                symbol_name(columns_[j]) + " is not a real number: " + show(v));
        row.push_back(GiNaC::ex_to<numeric>(v));
    }
    for (std::size_t k = 0; k < labels_.size(); ++k) {
        const std::size_t classes = labels_[k].classes;
        const numeric& y = row[inputs_.size() + k];
        if (classes > 0 && (!y.is_nonneg_integer() || y >= numeric(static_cast<long>(classes))))
            throw invalid_input("dataset: " + row_text(index) + ": the label " +
                                symbol_name(labels_[k].symbol) + " = " + show(y) +
                                " is outside the classes 0.." + std::to_string(classes - 1));
    }
    rows_.push_back(std::move(row));
}

const std::vector<numeric>& dataset::values(std::size_t i) const {
    if (i >= rows_.size())
        throw invalid_input("dataset: there is no " + row_text(i) + " (the data has " +
                            std::to_string(rows_.size()) + " rows, numbered from 0)");
    return rows_[i];
}

GiNaC::exmap dataset::row(std::size_t i) const {
    const auto& v = values(i);
    GiNaC::exmap out;
    for (std::size_t j = 0; j < columns_.size(); ++j)
        out[columns_[j]] = v[j];
    return out;
}

double_point dataset::row_double(std::size_t i) const {
    const auto& v = values(i);
    double_point out;
    for (std::size_t j = 0; j < columns_.size(); ++j)
        out[columns_[j]] = v[j].to_double();
    return out;
}

std::vector<std::size_t> all_rows(const dataset& data) {
    std::vector<std::size_t> rows(data.size());
    for (std::size_t i = 0; i < rows.size(); ++i)
        rows[i] = i;
    return rows;
}

namespace {

void check_rows(const dataset& data, const std::vector<std::size_t>& rows, const char* where) {
    if (rows.empty())
        throw invalid_input(std::string(where) + ": the set of rows is empty");
    for (std::size_t i : rows)
        if (i >= data.size())
            throw invalid_input(std::string(where) + ": row " + std::to_string(i) +
                                " is outside the data (" + std::to_string(data.size()) +
                                " rows, numbered from 0)");
}

} // namespace

ex objective(const ex& loss, const dataset& data, reduction r) {
    return objective(loss, data, all_rows(data), r);
}

ex objective(const ex& loss, const dataset& data, const std::vector<std::size_t>& rows,
             reduction r) {
    check_rows(data, rows, "objective");
    GiNaC::exvector terms;
    for (std::size_t i : rows)
        terms.push_back(substitute(loss, data.row(i)));
    const ex total = sum_of(terms);
    return r == reduction::mean ? total / static_cast<long>(rows.size()) : total;
}

dataset_objective::dataset_objective(gradient_program per_sample, const dataset& data, reduction r)
    : dataset_objective(std::move(per_sample), data, all_rows(data), r) {}

dataset_objective::dataset_objective(gradient_program per_sample, const dataset& data,
                                     std::vector<std::size_t> rows, reduction r)
    : program_(std::move(per_sample)), data_(data), rows_(std::move(rows)), reduction_(r) {
    check_rows(data_, rows_, "dataset_objective");
    std::unordered_set<ex> columns(data_.columns().begin(), data_.columns().end());
    auto check = [&](const std::vector<ex>& list, const char* what) {
        for (const auto& s : list)
            if (!columns.count(s))
                throw invalid_input(
                    std::string("dataset_objective: the program's ") + what + " " + symbol_name(s) +
                    " is not a column of the data (columns: " + column_list(data_.columns()) + ")");
    };
    check(program_.inputs(), "input");
    check(program_.labels(), "label");
}

ex dataset_objective::expression() const {
    return objective(program_.objective(), data_, rows_, reduction_);
}

namespace {

/// Sums per-row results, then divides for the mean.
template <class Result, class Scalar, class RunRow>
Result reduce(const std::vector<std::size_t>& rows, reduction r, std::size_t weights, Scalar zero,
              RunRow run_row) {
    Result total;
    total.loss = zero;
    total.gradient.assign(weights, zero);
    for (std::size_t i : rows) {
        const Result one = run_row(i);
        total.loss = total.loss + one.loss;
        for (std::size_t k = 0; k < weights; ++k)
            total.gradient[k] = total.gradient[k] + one.gradient[k];
    }
    if (r == reduction::mean) {
        const auto n = static_cast<long>(rows.size());
        total.loss = total.loss / Scalar(n);
        for (auto& g : total.gradient)
            g = g / Scalar(n);
    }
    return total;
}

template <class Point> Point merged(const Point& weights, const Point& row) {
    Point p = row;
    for (const auto& [k, v] : weights)
        p[k] = v;
    return p;
}

} // namespace

program_values dataset_objective::value_exact(const GiNaC::exmap& weights) const {
    return reduce<program_values, ex>(
        rows_, reduction_, program_.weights().size(), ex(0), [&](std::size_t i) {
            return evaluate_program_exact(program_, merged(weights, data_.row(i)));
        });
}

program_numbers dataset_objective::value_numeric(const GiNaC::exmap& weights, long digits) const {
    return reduce<program_numbers, numeric>(
        rows_, reduction_, program_.weights().size(), numeric(0), [&](std::size_t i) {
            return evaluate_program_numeric(program_, merged(weights, data_.row(i)), digits + 10);
        });
}

program_doubles dataset_objective::value_double(const double_point& weights) const {
    return reduce<program_doubles, double>(
        rows_, reduction_, program_.weights().size(), 0.0, [&](std::size_t i) {
            return evaluate_program_double(program_, merged(weights, data_.row_double(i)));
        });
}

sample_table to_samples(const dataset& data, const argument_layout& layout) {
    std::unordered_map<GiNaC::ex, std::size_t> column;
    for (std::size_t i = 0; i < data.columns().size(); ++i)
        column.emplace(data.columns()[i], i);
    auto columns_of = [&](const std::vector<GiNaC::ex>& symbols, const char* what) {
        std::vector<std::size_t> out;
        for (const auto& s : symbols) {
            auto it = column.find(s);
            if (it == column.end())
                throw invalid_input(std::string("to_samples: the ") + what + " " + symbol_name(s) +
                                    " is not a column of the data");
            out.push_back(it->second);
        }
        return out;
    };
    const auto in_cols = columns_of(layout.inputs, "input");
    const auto label_cols = columns_of(layout.labels, "label");
    sample_table table;
    table.samples = data.size();
    table.inputs.reserve(data.size() * in_cols.size());
    table.labels.reserve(data.size() * label_cols.size());
    for (std::size_t r = 0; r < data.size(); ++r) {
        const double_point row = data.row_double(r);
        for (auto c : in_cols)
            table.inputs.push_back(row.at(data.columns()[c]));
        for (auto c : label_cols)
            table.labels.push_back(row.at(data.columns()[c]));
    }
    return table;
}

} // namespace symgrad
