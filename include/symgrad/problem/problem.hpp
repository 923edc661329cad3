// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file problem.hpp
/// Problem files: course exercises written as short files that read like the maths, run as a
/// worked solution (`symgrad run`). The language is documented in problems/README.md.
///
///   weights w1 w2 w3 w4 = 0                # declarations: weights, inputs, labels
///   inputs  x
///   labels  y in {0, 1}
///   data    x = -1, 1                      # inline columns (or data "file.csv")
///           y =  0, 1
///   z0 = w1*x + w3                         # definitions
///   loss = crossentropy(softmax([z0, z1]), y)   # per-sample loss; L = its sum over the data
///   show diff(L, w1)                       # closed form, simplified
///   show grad(L) at weights                # values at the current weights
///   check diff(L, w1) == ... expect proved
///   train gd rate 0.1 epochs 5
///   expect w1 == -0.4116026565396639 within 1e-13

#include "symgrad/core/input_file.hpp"
#include "symgrad/problem/problem_report.hpp"
#include "symgrad/problem/problem_source.hpp"
#include "symgrad/text/tensor_expression.hpp"

#include <ginac/ginac.h>

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace symgrad {

/// A declared weight, input or label: a scalar symbol, or a vector/matrix of symbols.
struct declared_name {
    std::string name;
    GiNaC::ex value;
    /// For labels: the allowed class values (empty: any real value).
    std::vector<GiNaC::ex> classes;
    /// For labels with classes: the declaring statement and the byte offset of the class list
    /// in its line, where an error about the classes points.
    const statement_source* declared_at = nullptr;
    std::size_t classes_offset = 0;
};

/// Everything a problem file has declared and computed so far.
struct problem_state {
    std::string file;
    /// The paths `data` and `log` may name (see input_file.hpp).
    path_policy paths;
    /// The files read so far (the problem file, its data files): a log may not replace them.
    std::vector<std::string> files_read;
    std::vector<declared_name> weights, inputs, labels;
    /// The scalar symbols of weights, inputs and labels, flattened in declaration order
    /// (matrices row by row).
    std::vector<GiNaC::ex> weight_symbols, input_symbols, label_symbols;
    /// Current weight values (exact numbers, or floats after training in double).
    GiNaC::exmap weight_values;
    /// The values the weights were declared with (`reset` returns to them).
    GiNaC::exmap initial_weights;
    /// Data rows: values of every input and label symbol.
    std::vector<GiNaC::exmap> rows;
    /// The objective averages (true) or sums (false, the default) the loss over the rows.
    bool mean = false;
    /// Names expressions may use: declared names and definitions (and L, once there is a loss).
    tensor_names names;
    /// The per-sample loss, once defined.
    std::optional<GiNaC::ex> loss;
    /// The objective, when defined directly (L = ...) rather than through a loss and data.
    std::optional<GiNaC::ex> direct_objective;

    /// The objective L: the direct one, or the sum (mean) of the loss over the rows, or the loss
    /// itself when there is no data. Throws invalid_input when there is neither.
    GiNaC::ex objective() const;
    /// Current values of the weights as a point (for evaluating at the current weights).
    const GiNaC::exmap& current_weights() const { return weight_values; }
    /// Whether @p name is declared or defined.
    bool is_defined(const std::string& name) const { return names.values.count(name) != 0; }
};

/// Options of `symgrad run`.
struct problem_options {
    report_format format = report_format::text;
    /// Significant digits of inexact values.
    long digits = 17;
    /// Show progress of long training on stderr (when it is a terminal).
    bool progress = false;
    /// The paths `data` and `log` may name, and the data size limit (see input_file.hpp).
    path_policy paths;
};

/// What a file's run came to.
struct problem_outcome {
    std::size_t expectations = 0;
    /// One line per failed expectation or check: "file:line: expected ..., got ...".
    std::vector<std::string> failures;
    /// The files the run read: the problem file and its data files.
    std::vector<std::string> files_read;
};

/// Run a problem file's statements in order, writing the worked solution to @p report.
/// Errors in the file (syntax, undefined names, shapes, bad data) are parse_error or other
/// symgrad::error exceptions naming file:line:column; failed expectations are collected in the
/// outcome, not thrown.
problem_outcome run_problem(const problem_source& source, problem_report& report,
                            const problem_options& options = {});

/// Format a value (number or matrix of numbers) for people: exact rationals stay exact,
/// others get @p digits significant digits.
std::string format_value(const GiNaC::ex& value, long digits);

} // namespace symgrad
