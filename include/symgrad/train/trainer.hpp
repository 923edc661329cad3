// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file trainer.hpp
/// Training: a per-sample gradient program over a dataset, an update rule (optimizer.hpp), a
/// learning-rate schedule and a stopping rule, with the epoch table of a worked solution.
///
///   model m = seed000_softmax_classifier();
///   dataset data = dataset_for(m);
///   data.add_row({-1, 0});
///   data.add_row({1, 1});
///   train_options o;
///   o.optimizer.kind = method::gd;
///   o.optimizer.rate = GiNaC::numeric(1, 10);
///   o.epochs = 5;
///   train_result r = train(m, data, {0, 0, 0, 0}, o);
///   for (const auto& line : table_lines(r, o.table)) std::cout << line << "\n";
///   // epoch = 1, w1 = -0.1000, w2 = 0.1000, w3 = 0.0000, w4 = 0.0000 ...
///
/// The objective over the data is stated, never implied: J(w) = sum_i loss(w; x_i, y_i) or
/// (1/n) sum_i loss(w; x_i, y_i), and a minibatch B uses the same reduction over its rows
/// (sum_{i in B} or (1/|B|) sum_{i in B}).
///
/// An epoch is one pass over the data in batches of `batch` rows (the last one may be
/// shorter), in the given row order or shuffled anew each epoch from a seed; each batch is one
/// step. Full-batch methods (gd, and by default every method but sgd) take one step per epoch.
///
/// Arithmetic: double on the compiled evaluators (batch_evaluator.hpp; the fast path), or
/// exact: the gradient program run in GiNaC::numeric, exact rationals where the model and the
/// data are rational, CLN floats correct to `digits` significant digits otherwise.
///
/// Values that are not finite stop training at once: the result says at which epoch and step,
/// names the gradient component or weight (and where its value started to be non-finite), and
/// keeps the last finite weights.

#include "symgrad/compile/batch_evaluator.hpp"
#include "symgrad/core/error.hpp"
#include "symgrad/core/output_file.hpp"
#include "symgrad/program/gradient_program.hpp"
#include "symgrad/train/dataset.hpp"
#include "symgrad/train/model.hpp"
#include "symgrad/train/optimizer.hpp"

#include <ginac/ginac.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace symgrad {

/// The learning rate of epoch e (0-based), from the base rate gamma_0:
///   constant:     gamma_e = gamma_0
///   step:         gamma_e = gamma_0 factor^floor(e / every)   (torch.optim.lr_scheduler.StepLR)
///   exponential:  gamma_e = gamma_0 factor^e                  (ExponentialLR)
struct schedule {
    enum class kind { constant, step, exponential };
    kind type = kind::constant;
    std::size_t every = 1;
    GiNaC::numeric factor = 1;

    /// gamma_e for @p base and epoch @p e (exact).
    GiNaC::numeric rate(const GiNaC::numeric& base, std::size_t e) const;
    /// "constant", "step decay by 0.5 every 10 epochs", "exponential decay by 0.9 per epoch".
    std::string text() const;
};

/// How the data are visited.
struct batching {
    /// Rows per step; 0 means all rows (full batch). Unset: 1 for sgd, 0 for every other method.
    std::optional<std::size_t> size;
    /// Shuffle the rows at the start of every epoch (else the given order).
    bool shuffle = false;
    /// The shuffle's seed (mt19937_64 and a Fisher-Yates shuffle, the same on every platform).
    std::uint64_t seed = 0;
};

/// What the epoch table shows.
struct table_options {
    /// Decimals of the weights (fixed, as Python's :.4f); loss and gradient norm get this many
    /// significant digits.
    int digits = 4;
    /// Record every this many epochs (the last epoch is always recorded); 0 records only the
    /// last.
    std::size_t every = 1;
    /// Record every step instead of every epoch (rows then say "step = k" too).
    bool steps = false;
    /// Add the objective J and the norm |dJ/dw| over all the data at the recorded weights.
    bool loss = false;
    bool gradient_norm = false;
};

enum class arithmetic {
    double_precision, ///< IEEE double on the compiled evaluators
    exact             ///< GiNaC numerics: rationals exact, else CLN at `digits` digits
};

struct train_options {
    optimizer_settings optimizer;
    reduction objective = reduction::sum;
    batching batches;
    schedule rates;
    /// At most this many epochs / steps; at least one of them must be set.
    std::optional<std::size_t> epochs, steps;
    /// Stop when |dJ/dw| <= this at the end of an epoch (or at the start).
    std::optional<GiNaC::numeric> gradient_tolerance;
    /// Stop when |J(w_k) - J(w_{k-1})| <= this between the ends of two epochs.
    std::optional<GiNaC::numeric> loss_tolerance;
    arithmetic numbers = arithmetic::double_precision;
    /// Significant digits of CLN floats in exact arithmetic.
    long digits = 17;
    table_options table;
    /// Logs written when training ends (also when it stops on a non-finite value), each through
    /// a temporary file renamed into place.
    std::string csv_log, json_log;
    /// What the logs may not replace (the problem file, its data) and where they must be.
    output_rules log_rules;
    /// A progress line on standard error for runs longer than a second, when it is a terminal.
    bool progress = false;
    /// The evaluators of the double path (backend, threads).
    evaluator_options evaluator;
};

/// One row of the table: the state after @p epoch epochs (@p step steps in all).
struct train_record {
    std::size_t epoch = 0;
    std::size_t step = 0;
    /// The learning rate of the last step.
    GiNaC::numeric rate;
    /// The weights: exact numbers in exact arithmetic, doubles (as CLN double floats) otherwise.
    std::vector<GiNaC::numeric> weights;
    std::optional<GiNaC::numeric> loss, gradient_norm;
    /// A state in the middle of an epoch (a step record, or where training stopped).
    bool within_epoch = false;
};

enum class stop_reason {
    epochs,      ///< the epoch limit
    steps,       ///< the step limit
    gradient,    ///< |dJ/dw| <= gradient_tolerance
    loss_change, ///< |J(w_k) - J(w_{k-1})| <= loss_tolerance
    non_finite,  ///< a gradient component or weight was not finite (or undefined)
    singular,    ///< Newton: the Hessian (plus damping) is singular
    line_search  ///< the line search found no step
};

/// "epochs", "steps", "gradient", "loss change", "not finite", "singular", "line search".
const char* stop_reason_name(stop_reason r);

struct train_result {
    stop_reason reason = stop_reason::epochs;
    /// Why training stopped, in words ("5 epochs done", "epoch 3, step 6: d/dw1 is nan ...").
    std::string message;
    /// Completed epochs and steps (a stopped epoch counts as started, not completed).
    std::size_t epochs = 0, steps = 0;
    /// The final weights (the last finite ones when training stopped on a non-finite value).
    std::vector<GiNaC::numeric> weights;
    std::vector<std::string> weight_names;
    /// The state before training (epoch 0), with loss and gradient norm when the table has them.
    train_record start;
    std::vector<train_record> records;
    /// False when training stopped because something went wrong (non_finite, singular,
    /// line_search).
    bool ok() const noexcept {
        return reason != stop_reason::non_finite && reason != stop_reason::singular &&
               reason != stop_reason::line_search;
    }
};

/// Training stopped on a failure (what the command and problem files report, exit status
/// non-zero): carries the message and the result.
class training_failed : public domain_error {
public:
    explicit training_failed(const std::string& message) : domain_error(message) {}
};

/// Train the per-sample program over @p data from @p start (one value per program weight, in
/// the program's order). The program's inputs and labels must be columns of the data; a dataset
/// with no columns and one row trains an objective that has no data. Throws invalid_input for
/// bad options (naming the option); a non-finite value is not thrown but reported in the
/// result.
train_result train(const gradient_program& per_sample, const dataset& data,
                   const std::vector<GiNaC::numeric>& start, const train_options& options);

/// The same for a model.
train_result train(const model& m, const dataset& data, const std::vector<GiNaC::numeric>& start,
                   const train_options& options);

/// One line per record, in the seeds' shape:
///   "epoch = 1, w1 = -0.2000, w2 = 0.2000, w3 = 0.0000, w4 = 0.0000"
/// with ", step = k" after the epoch for step records and ", loss = ..., gradnorm = ..." at the
/// end when recorded. Exact rationals print exactly ("w = 32/25"); other values in fixed
/// decimals (weights) or significant digits (loss, gradient norm).
std::vector<std::string> table_lines(const train_result& r, const table_options& t);

/// "gd (rate 0.1), objective sum over 2 rows, full batch, 5 epochs": what was run, stated.
/// @p rows = 0: no data, the objective was given directly.
std::string describe(const train_options& o, std::size_t rows);

/// The logs as text: CSV with a header (epoch, step, rate, weights, loss, gradnorm) and one line
/// per record (the start as epoch 0), numbers with 17 significant digits; JSON with the
/// settings, the records and the stop reason (exact values also as strings).
std::string csv_log_text(const train_result& r);
std::string json_log_text(const train_result& r, const train_options& o, std::size_t rows);

} // namespace symgrad
