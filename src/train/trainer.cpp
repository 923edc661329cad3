// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/train/trainer.hpp"

#include "symgrad/compile/tape.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/output_file.hpp"
#include "symgrad/core/precision.hpp"
#include "symgrad/core/size_limits.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/program/program_evaluate.hpp"
#include "train/numeric_kinds.hpp"

#include <nlohmann/json.hpp>

#include <cln/integer.h>
#include <cln/integer_io.h>
#include <cln/rational.h>
#include <cln/real.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <type_traits>
#include <unistd.h>

namespace symgrad {

using detail::finite;
using detail::from_numeric;
using GiNaC::ex;
using GiNaC::numeric;

// ---- schedules -------------------------------------------------------------------------------

numeric schedule::rate(const numeric& base, std::size_t e) const {
    switch (type) {
    case kind::constant:
        return base;
    case kind::step:
        return base * GiNaC::pow(factor, numeric(static_cast<long>(e / (every ? every : 1))));
    case kind::exponential:
        return base * GiNaC::pow(factor, numeric(static_cast<long>(e)));
    }
    return base;
}

std::string schedule::text() const {
    switch (type) {
    case kind::constant:
        return "constant rate";
    case kind::step:
        return "rate times " + setting_text(factor) + " every " + std::to_string(every) +
               (every == 1 ? " epoch" : " epochs");
    case kind::exponential:
        return "rate times " + setting_text(factor) + " every epoch";
    }
    return "";
}

const char* stop_reason_name(stop_reason r) {
    switch (r) {
    case stop_reason::epochs:
        return "epochs";
    case stop_reason::steps:
        return "steps";
    case stop_reason::gradient:
        return "gradient";
    case stop_reason::loss_change:
        return "loss change";
    case stop_reason::non_finite:
        return "not finite";
    case stop_reason::singular:
        return "singular";
    case stop_reason::line_search:
        return "line search";
    }
    return "?";
}

namespace {

numeric to_numeric(double x) {
    return numeric(x);
}
const numeric& to_numeric(const numeric& x) {
    return x;
}

std::string plain(const std::string& message) {
    // The evaluators prefix their messages with their names; the trainer names the place
    // itself.
    for (const std::string prefix : {"evaluate: ", "evaluate_program_numeric: "})
        if (message.rfind(prefix, 0) == 0)
            return message.substr(prefix.size());
    return message;
}

// A value of either number kind in a message.
std::string show(double v) {
    return double_text(v);
}
std::string show(const numeric& v) {
    return format_number(v, 17);
}

/// Rows of one epoch in the order they are visited.
class row_order {
public:
    row_order(std::size_t n, const batching& b) : order_(n), shuffle_(b.shuffle), rng_(b.seed) {
        for (std::size_t i = 0; i < n; ++i)
            order_[i] = i;
    }
    /// Fisher-Yates with an unbiased bounded draw, so the order is the same everywhere
    /// (std::shuffle and the standard distributions are implementation-defined).
    bool next_epoch() {
        if (!shuffle_ || order_.size() < 2)
            return false;
        for (std::size_t i = order_.size() - 1; i > 0; --i)
            std::swap(order_[i], order_[draw(i + 1)]);
        return true;
    }
    const std::vector<std::size_t>& order() const noexcept { return order_; }

private:
    std::size_t draw(std::size_t bound) {
        const std::uint64_t b = bound;
        const std::uint64_t limit = UINT64_MAX - UINT64_MAX % b;
        std::uint64_t r;
        do
            r = rng_();
        while (r >= limit);
        return static_cast<std::size_t>(r % b);
    }
    std::vector<std::size_t> order_;
    bool shuffle_;
    std::mt19937_64 rng_;
};

/// The Hessian of the per-sample loss: d^2 loss / dw_i dw_j for i <= j, row-major upper
/// triangle.
GiNaC::exvector hessian_entries(const gradient_program& p) {
    GiNaC::exvector out;
    const auto& w = p.weights();
    std::vector<ex> first;
    for (const auto& wi : w)
        first.push_back(p.objective().diff(GiNaC::ex_to<GiNaC::symbol>(wi)));
    for (std::size_t i = 0; i < w.size(); ++i)
        for (std::size_t j = i; j < w.size(); ++j)
            out.push_back(first[i].diff(GiNaC::ex_to<GiNaC::symbol>(w[j])));
    return out;
}

std::vector<std::string> hessian_names(const gradient_program& p) {
    std::vector<std::string> names;
    const auto& w = p.weights();
    for (std::size_t i = 0; i < w.size(); ++i)
        for (std::size_t j = i; j < w.size(); ++j)
            names.push_back("d2/d" + symbol_name(w[i]) + "d" + symbol_name(w[j]));
    return names;
}

// ---- the double path: compiled evaluators ---------------------------------------------------

class double_backend : public objective_access<double> {
public:
    using value_type = double;

    double_backend(const gradient_program& p, const dataset& data, reduction r,
                   const evaluator_options& eo)
        : program_(p), options_(eo), eval_(compile(p, eo)),
          given_(to_samples(data, eval_.program().layout())), reduction_(r),
          weights_(p.weights().size()), inputs_(p.inputs().size()), labels_(p.labels().size()),
          out_(1 + weights_) {
        current_ = &given_;
    }

    std::size_t rows() const noexcept { return given_.samples; }

    /// Visit the rows in @p order from now on.
    void reorder(const std::vector<std::size_t>& order) {
        shuffled_.samples = order.size();
        shuffled_.inputs.resize(given_.inputs.size());
        shuffled_.labels.resize(given_.labels.size());
        for (std::size_t k = 0; k < order.size(); ++k) {
            std::copy_n(given_.inputs.data() + order[k] * inputs_, inputs_,
                        shuffled_.inputs.data() + k * inputs_);
            std::copy_n(given_.labels.data() + order[k] * labels_, labels_,
                        shuffled_.labels.data() + k * labels_);
        }
        current_ = &shuffled_;
    }

    /// J and dJ/dw over rows [begin, end) of the current order.
    double batch(const std::vector<double>& w, std::size_t begin, std::size_t end,
                 std::vector<double>& g) {
        const std::size_t count = end - begin;
        if (count == 1) {
            eval_.point(w.data(), current_->inputs.data() + begin * inputs_,
                        current_->labels.data() + begin * labels_, out_.data());
            std::copy_n(out_.data() + 1, weights_, g.data());
            return out_[0];
        }
        return sum(*current_, w, begin, end, g);
    }

    /// J and dJ/dw over all rows in the given order.
    double full(const std::vector<double>& w, std::vector<double>& g) {
        return sum(given_, w, 0, given_.samples, g);
    }

    double value(const std::vector<double>& w) override {
        std::vector<double> g(weights_);
        return full(w, g);
    }

    void hessian(const std::vector<double>& w, std::vector<double>& h) override {
        if (!hessian_)
            hessian_.emplace(
                compile(hessian_entries(program_), eval_.program().layout(), options_));
        const batch_result r = hessian_->sum(w.data(), given_.view());
        h.assign(weights_ * weights_, 0.0);
        std::size_t k = 0;
        for (std::size_t i = 0; i < weights_; ++i)
            for (std::size_t j = i; j < weights_; ++j, ++k) {
                double v = r.sums[k];
                if (reduction_ == reduction::mean)
                    v /= static_cast<double>(given_.samples);
                h[i * weights_ + j] = h[j * weights_ + i] = v;
            }
    }

private:
    double sum(const sample_table& t, const std::vector<double>& w, std::size_t begin,
               std::size_t end, std::vector<double>& g) {
        const std::size_t count = end - begin;
        if (count == 1) {
            eval_.point(w.data(), t.inputs.data() + begin * inputs_,
                        t.labels.data() + begin * labels_, out_.data());
            std::copy_n(out_.data() + 1, weights_, g.data());
            return out_[0];
        }
        const sample_view view{t.inputs.data() + begin * inputs_, t.labels.data() + begin * labels_,
                               count};
        const batch_result r = eval_.sum(w.data(), view);
        double loss = r.sums[0];
        std::copy_n(r.sums.data() + 1, weights_, g.data());
        if (reduction_ == reduction::mean) {
            const double n = static_cast<double>(count);
            loss /= n;
            for (auto& v : g)
                v /= n;
        }
        return loss;
    }

    const gradient_program& program_;
    evaluator_options options_;
    evaluator eval_;
    sample_table given_, shuffled_;
    const sample_table* current_;
    reduction reduction_;
    std::size_t weights_, inputs_, labels_;
    std::vector<double> out_;
    std::optional<evaluator> hessian_;
};

// ---- the exact path: the gradient program in GiNaC numerics ---------------------------------

class numeric_backend : public objective_access<numeric> {
public:
    using value_type = numeric;

    numeric_backend(const gradient_program& p, const dataset& data, reduction r, long digits)
        : program_(p), reduction_(r), digits_(digits) {
        for (std::size_t i = 0; i < data.size(); ++i)
            rows_.push_back(data.row(i));
        order_.resize(rows_.size());
        for (std::size_t i = 0; i < order_.size(); ++i)
            order_[i] = i;
    }

    std::size_t rows() const noexcept { return rows_.size(); }
    void reorder(const std::vector<std::size_t>& order) { order_ = order; }

    numeric batch(const std::vector<numeric>& w, std::size_t begin, std::size_t end,
                  std::vector<numeric>& g) {
        return run(w, begin, end, order_, g);
    }

    numeric full(const std::vector<numeric>& w, std::vector<numeric>& g) {
        std::vector<std::size_t> given(rows_.size());
        for (std::size_t i = 0; i < given.size(); ++i)
            given[i] = i;
        return run(w, 0, rows_.size(), given, g);
    }

    numeric value(const std::vector<numeric>& w) override {
        std::vector<numeric> g(w.size());
        return full(w, g);
    }

    void hessian(const std::vector<numeric>& w, std::vector<numeric>& h) override {
        if (entries_.empty()) {
            entries_ = hessian_entries(program_);
            names_ = hessian_names(program_);
        }
        const std::size_t n = w.size();
        std::vector<numeric> sums(entries_.size(), numeric(0));
        for (const auto& row : rows_) {
            const GiNaC::exmap point = merged(w, row);
            for (std::size_t k = 0; k < entries_.size(); ++k)
                sums[k] += evaluate_numeric(entries_[k], point, digits_ + 10, names_[k]);
        }
        h.assign(n * n, numeric(0));
        std::size_t k = 0;
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = i; j < n; ++j, ++k) {
                numeric v = sums[k];
                if (reduction_ == reduction::mean)
                    v = v / numeric(static_cast<long>(rows_.size()));
                h[i * n + j] = h[j * n + i] = v;
            }
    }

private:
    GiNaC::exmap merged(const std::vector<numeric>& w, const GiNaC::exmap& row) const {
        GiNaC::exmap p = row;
        for (std::size_t i = 0; i < w.size(); ++i)
            p[program_.weights()[i]] = w[i];
        return p;
    }

    numeric run(const std::vector<numeric>& w, std::size_t begin, std::size_t end,
                const std::vector<std::size_t>& order, std::vector<numeric>& g) {
        numeric loss = 0;
        g.assign(w.size(), numeric(0));
        for (std::size_t k = begin; k < end; ++k) {
            const program_numbers r =
                evaluate_program_numeric(program_, merged(w, rows_[order[k]]), digits_ + 10);
            loss += r.loss;
            for (std::size_t i = 0; i < g.size(); ++i)
                g[i] += r.gradient[i];
        }
        if (reduction_ == reduction::mean) {
            const numeric n(static_cast<long>(end - begin));
            loss = loss / n;
            for (auto& v : g)
                v = v / n;
        }
        return loss;
    }

    const gradient_program& program_;
    reduction reduction_;
    long digits_;
    std::vector<GiNaC::exmap> rows_;
    std::vector<std::size_t> order_;
    GiNaC::exvector entries_;
    std::vector<std::string> names_;
};

// ---- the loop --------------------------------------------------------------------------------

double norm_of(const std::vector<double>& g, long) {
    double s = 0;
    for (double v : g)
        s += v * v;
    return std::sqrt(s);
}
numeric norm_of(const std::vector<numeric>& g, long digits) {
    numeric s = 0;
    for (const auto& v : g)
        s += v * v;
    return numeric_sqrt(s, digits);
}

/// |g| <= tol, exactly in exact arithmetic (g . g <= tol^2).
bool within(const std::vector<double>& g, const numeric& tol) {
    return norm_of(g, 0) <= tol.to_double();
}
bool within(const std::vector<numeric>& g, const numeric& tol) {
    numeric s = 0;
    for (const auto& v : g)
        s += v * v;
    return s <= tol * tol;
}

/// A progress line on standard error, only for a terminal and only after a second.
class progress_line {
public:
    explicit progress_line(bool wanted)
        : enabled_(wanted && isatty(STDERR_FILENO) != 0), start_(std::chrono::steady_clock::now()),
          last_(start_) {}
    ~progress_line() {
        if (shown_)
            std::cerr << "\r\033[K" << std::flush;
    }
    progress_line(const progress_line&) = delete;
    progress_line& operator=(const progress_line&) = delete;

    void update(std::size_t epoch, std::optional<std::size_t> epochs, std::size_t step) {
        if (!enabled_ || (++calls_ & 1023u) != 0)
            return;
        const auto now = std::chrono::steady_clock::now();
        if (now - start_ < std::chrono::seconds(1) || now - last_ < std::chrono::milliseconds(200))
            return;
        last_ = now;
        shown_ = true;
        std::cerr << "\rsymgrad train: epoch " << epoch
                  << (epochs ? "/" + std::to_string(*epochs) : std::string()) << ", step " << step
                  << std::flush;
    }

private:
    bool enabled_;
    bool shown_ = false;
    std::uint64_t calls_ = 0;
    std::chrono::steady_clock::time_point start_, last_;
};

template <class Backend> class loop {
public:
    using T = typename Backend::value_type;

    loop(Backend& backend, const gradient_program& program, const train_options& o)
        : b_(backend), o_(o), settings_(resolved(o.optimizer)), n_(program.weights().size()),
          opt_(settings_, n_, o.digits), g_(n_), full_g_(n_) {
        for (const auto& w : program.weights())
            names_.push_back(symbol_name(w));
    }

    train_result run(const std::vector<numeric>& start) {
        r_.weight_names = names_;
        if (start.size() != n_)
            throw invalid_input("train: expected " + std::to_string(n_) +
                                " starting values (one per weight), got " +
                                std::to_string(start.size()));
        w_.resize(n_);
        for (std::size_t i = 0; i < n_; ++i)
            w_[i] = from_numeric<T>(start[i]);
        const std::size_t rows = b_.rows();
        if (rows == 0)
            throw invalid_input("train: the data have no rows");
        const bool whole = is_whole_objective_method(settings_.kind) || settings_.line_search;
        std::size_t batch = o_.batches.size.value_or(settings_.kind == method::sgd ? 1 : 0);
        if (whole && batch != 0 && batch < rows)
            throw invalid_input("train: " + std::string(method_name(settings_.kind)) +
                                (settings_.line_search ? " with a line search" : "") +
                                " works on the whole objective; it takes no minibatches (batch " +
                                std::to_string(batch) + ")");
        if (batch == 0 || batch > rows)
            batch = rows;
        const bool full_batch = batch == rows;
        if (!o_.epochs && !o_.steps)
            throw invalid_input("train: say how long: epochs N or steps N (gradtol and losstol "
                                "can stop it earlier)");
        row_order order(rows, o_.batches);
        progress_line progress(o_.progress);
        const numeric base = *settings_.rate;
        rate_ = base;

        const bool tolerances = o_.gradient_tolerance || o_.loss_tolerance;
        r_.start = record(0, false, tolerances);
        if (failed_)
            return finish();
        if (o_.gradient_tolerance && within(full_g_, *o_.gradient_tolerance))
            return stop(stop_reason::gradient,
                        "the gradient norm " + text(norm_of(full_g_, o_.digits)) +
                            " is within the tolerance " + setting_text(*o_.gradient_tolerance) +
                            " at the start");
        std::optional<T> previous_loss;
        if (o_.loss_tolerance)
            previous_loss = loss_at_cache_;

        std::vector<T> before(n_);
        for (std::size_t epoch = 0;; ++epoch) {
            if (o_.epochs && epoch >= *o_.epochs)
                return stop(stop_reason::epochs,
                            std::to_string(epoch) + (epoch == 1 ? " epoch" : " epochs") + " done");
            epoch_ = epoch + 1;
            epoch_start_ = steps_;
            rate_ = o_.rates.rate(base, epoch);
            const T rate = from_numeric<T>(rate_);
            if (!full_batch && order.next_epoch())
                b_.reorder(order.order());
            for (std::size_t begin = 0; begin < rows; begin += batch) {
                if (o_.steps && steps_ >= *o_.steps)
                    return stop(stop_reason::steps, std::to_string(steps_) +
                                                        (steps_ == 1 ? " step" : " steps") +
                                                        " done");
                const std::size_t end = std::min(rows, begin + batch);
                // built only for a message: the hot loop must not allocate
                auto where = [this] {
                    return "epoch " + std::to_string(epoch_) + ", step " +
                           std::to_string(steps_ + 1);
                };
                T loss;
                try {
                    if (full_batch) {
                        evaluate_full();
                        loss = loss_at_cache_;
                        g_ = full_g_;
                    } else {
                        loss = b_.batch(w_, begin, end, g_);
                    }
                } catch (const domain_error& e) {
                    return stop(stop_reason::non_finite, where() + ": " + plain(e.what()));
                } catch (const size_limit_error& e) {
                    throw size_limit_error("train: " + where() + ": " + plain(e.what()));
                }
                before = w_;
                step_status status;
                try {
                    status = opt_.step(w_, g_, rate, loss, &b_);
                } catch (const domain_error& e) {
                    w_ = before;
                    return stop(stop_reason::non_finite, where() + ": " + plain(e.what()));
                } catch (const size_limit_error& e) {
                    throw size_limit_error("train: " + where() + ": " + plain(e.what()));
                } catch (const std::overflow_error&) {
                    // GiNaC's division by zero (eps = 0 with a zero accumulator)
                    w_ = before;
                    return stop(stop_reason::non_finite,
                                where() + ": the " + std::string(method_name(settings_.kind)) +
                                    " update divides by zero" + zero_hint() +
                                    "; the weights before this step are kept");
                }
                if (status != step_status::ok) {
                    w_ = before;
                    return stop(status == step_status::singular ? stop_reason::singular
                                                                : stop_reason::line_search,
                                where() + ": " + opt_.failure());
                }
                for (std::size_t i = 0; i < n_; ++i)
                    if (!finite(w_[i])) {
                        const std::string message =
                            where() + ": the update made " + names_[i] + " = " + show(w_[i]) +
                            " (it was " + show(before[i]) + ", its gradient component d/d" +
                            names_[i] + " = " + show(g_[i]) + ")" +
                            (g_[i] == T(0) ? zero_hint() : "") +
                            "; the weights before this step are kept";
                        w_ = before;
                        return stop(stop_reason::non_finite, message);
                    }
                // Exact rationals of a diverging run grow by digits every step.
                if constexpr (std::is_same_v<T, numeric>)
                    for (std::size_t i = 0; i < n_; ++i)
                        check_number_size(w_[i], "train: " + where() + ": " + names_[i] +
                                                     " in exact arithmetic");
                ++steps_;
                cache_valid_ = false;
                if (o_.table.steps && end != rows && o_.table.every &&
                    steps_ % o_.table.every == 0) {
                    r_.records.push_back(record(steps_, true, false));
                    if (failed_)
                        return finish();
                }
                progress.update(epoch_, o_.epochs, steps_);
            }
            // The end of an epoch.
            r_.epochs = epoch_;
            const bool last =
                (o_.epochs && epoch_ >= *o_.epochs) || (o_.steps && steps_ >= *o_.steps);
            const std::size_t count = o_.table.steps ? steps_ : epoch_;
            const bool wanted = last || (o_.table.every && count % o_.table.every == 0);
            if (!wanted && !tolerances)
                continue;
            train_record rec = record(steps_, false, tolerances);
            if (failed_) {
                r_.records.push_back(rec); // the last finite weights, without the objective
                return finish();
            }
            if (wanted)
                r_.records.push_back(rec);
            std::optional<std::pair<stop_reason, std::string>> done;
            if (o_.gradient_tolerance && within(full_g_, *o_.gradient_tolerance))
                done.emplace(stop_reason::gradient, "the gradient norm " +
                                                        text(norm_of(full_g_, o_.digits)) +
                                                        " is within the tolerance " +
                                                        setting_text(*o_.gradient_tolerance) +
                                                        " after epoch " + std::to_string(epoch_));
            if (!done && o_.loss_tolerance) {
                const T change = loss_at_cache_ - *previous_loss;
                const T size = change < T(0) ? T(-change) : change;
                if (size <= from_numeric<T>(*o_.loss_tolerance))
                    done.emplace(stop_reason::loss_change,
                                 "the objective changed by " + text(size) +
                                     ", within the tolerance " + setting_text(*o_.loss_tolerance) +
                                     ", in epoch " + std::to_string(epoch_));
                previous_loss = loss_at_cache_;
            }
            if (done) {
                if (!wanted)
                    r_.records.push_back(rec);
                return stop(done->first, done->second);
            }
        }
    }

private:
    static std::string text(double v) { return format_double(v, 6); }
    static std::string text(const numeric& v) { return format_number(v, 6); }

    std::string zero_hint() const {
        if (settings_.eps && settings_.eps->is_zero())
            return " (a zero gradient component with eps 0 gives 0/0; use eps above 0)";
        return "";
    }

    /// J and dJ/dw over all the data at the current weights, kept until they change.
    void evaluate_full() {
        if (cache_valid_)
            return;
        loss_at_cache_ = b_.full(w_, full_g_);
        cache_valid_ = true;
    }

    /// The current state after @p step steps; @p evaluate forces J and dJ/dw (for the
    /// stopping rules). A non-finite J or dJ/dw stops training (failed_).
    train_record record(std::size_t step, bool within_epoch, bool evaluate) {
        train_record rec;
        rec.epoch = step == 0 ? 0 : epoch_;
        rec.step = step;
        rec.rate = rate_;
        rec.within_epoch = within_epoch;
        for (const auto& v : w_)
            rec.weights.push_back(to_numeric(v));
        if (!(evaluate || o_.table.loss || o_.table.gradient_norm))
            return rec;
        try {
            evaluate_full();
        } catch (const domain_error& e) {
            failed_ = true;
            r_.reason = stop_reason::non_finite;
            r_.message = (step == 0 ? std::string("at the start")
                                    : "epoch " + std::to_string(epoch_) + ", after step " +
                                          std::to_string(step)) +
                         ": the objective over all the data is not finite: " + plain(e.what());
            r_.steps = steps_;
            return rec;
        }
        if (o_.table.loss)
            rec.loss = to_numeric(loss_at_cache_);
        if (o_.table.gradient_norm)
            rec.gradient_norm = to_numeric(norm_of(full_g_, o_.digits));
        return rec;
    }

    train_result finish() {
        r_.steps = steps_;
        r_.weights.clear();
        for (const auto& v : w_)
            r_.weights.push_back(to_numeric(v));
        return r_;
    }

    /// Stop; the table always ends with the final weights (after a failure or a step limit in
    /// the middle of an epoch, a record of the last finite weights is added, without the
    /// objective, which may be what failed).
    train_result stop(stop_reason reason, const std::string& message) {
        r_.reason = reason;
        r_.message = message;
        const std::size_t last = r_.records.empty() ? 0 : r_.records.back().step;
        if (steps_ > 0 && last != steps_) {
            const bool within = steps_ != epoch_start_;
            train_record rec;
            rec.epoch = within ? epoch_ : epoch_ - 1;
            rec.step = steps_;
            rec.rate = rate_;
            rec.within_epoch = within;
            for (const auto& v : w_)
                rec.weights.push_back(to_numeric(v));
            r_.records.push_back(rec);
        }
        return finish();
    }

    Backend& b_;
    const train_options& o_;
    optimizer_settings settings_;
    std::size_t n_;
    std::vector<std::string> names_;
    optimizer<T> opt_;
    std::vector<T> w_, g_, full_g_;
    T loss_at_cache_{};
    bool cache_valid_ = false;
    bool failed_ = false;
    std::size_t epoch_ = 0, steps_ = 0, epoch_start_ = 0;
    numeric rate_;
    train_result r_;
};

// ---- text ------------------------------------------------------------------------------------

/// x rounded to @p decimals, as printf's %.Nf (correctly rounded, ties to even, the sign of x
/// kept for a value that rounds to zero: "-0.0000" as Python prints it).
std::string fixed(const numeric& x, int decimals) {
    const cln::cl_R value = cln::the<cln::cl_R>(x.to_cl_N());
    const cln::cl_RA exact = cln::rational(value);
    cln::cl_I scale = 1;
    for (int k = 0; k < decimals; ++k)
        scale = scale * cln::cl_I(10);
    const cln::cl_I rounded = cln::round1(exact * scale);
    const cln::cl_I magnitude = cln::minusp(rounded) ? cln::cl_I(-rounded) : rounded;
    std::ostringstream os;
    cln::print_integer(os, 10, magnitude);
    std::string digits = os.str();
    const auto d = static_cast<std::size_t>(decimals);
    if (digits.size() <= d)
        digits = std::string(d + 1 - digits.size(), '0') + digits;
    std::string text =
        d == 0 ? digits
               : digits.substr(0, digits.size() - d) + "." + digits.substr(digits.size() - d);
    const bool negative = cln::minusp(value) || (cln::zerop(value) && std::signbit(x.to_double()));
    return (negative ? "-" : "") + text;
}

/// A weight in the table: exact rationals as they are; others in fixed decimals like Python's
/// :.4f, except beyond 1e15 in magnitude (a diverging run), where fixed notation would print
/// every digit: there scientific notation with as many decimals.
std::string weight_text(const numeric& x, int decimals) {
    if (x.is_rational())
        return format_number(x, 17);
    if (GiNaC::abs(x) >= numeric(1000000000000000L)) {
        const double d = x.to_double();
        if (!std::isfinite(d)) // a CLN float beyond double's range
            return format_number(x, decimals + 1);
        std::ostringstream os;
        os.precision(decimals);
        os << std::scientific << d;
        return os.str();
    }
    return fixed(x, decimals);
}

std::string json_string(const std::string& s) {
    // Invalid UTF-8 (a name from a file) is replaced rather than thrown on.
    return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string csv_number(const numeric& x) {
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%.17g", x.to_double());
    return buffer;
}

std::string json_number(const numeric& x) {
    const double d = x.to_double();
    if (!std::isfinite(d))
        return "null";
    return csv_number(x);
}

} // namespace

// ---- entry points ----------------------------------------------------------------------------

train_result train(const gradient_program& per_sample, const dataset& data,
                   const std::vector<numeric>& start, const train_options& options) {
    if (options.table.digits < 0 || options.table.digits > 100)
        throw invalid_input("train: digits must be between 0 and 100, got " +
                            std::to_string(options.table.digits));
    if (options.digits < 1 || options.digits > 100000)
        throw invalid_input("train: the precision must be between 1 and 100000 digits, got " +
                            std::to_string(options.digits));
    if (options.rates.type != schedule::kind::constant &&
        (options.rates.factor <= 0 || options.rates.every == 0))
        throw invalid_input("train: a decaying schedule needs a factor above 0 and a period of at "
                            "least 1 epoch");
    train_result r;
    if (options.numbers == arithmetic::exact) {
        numeric_backend b(per_sample, data, options.objective, options.digits);
        loop<numeric_backend> l(b, per_sample, options);
        r = l.run(start);
    } else {
        double_backend b(per_sample, data, options.objective, options.evaluator);
        loop<double_backend> l(b, per_sample, options);
        r = l.run(start);
    }
    if (!options.csv_log.empty())
        write_file_atomically(options.csv_log, csv_log_text(r), "train: log", options.log_rules);
    if (!options.json_log.empty())
        write_file_atomically(options.json_log, json_log_text(r, options, data.size()),
                              "train: log", options.log_rules);
    return r;
}

train_result train(const model& m, const dataset& data, const std::vector<numeric>& start,
                   const train_options& options) {
    return train(per_sample_program(m), data, start, options);
}

std::vector<std::string> table_lines(const train_result& r, const table_options& t) {
    std::vector<std::string> lines;
    for (const auto& rec : r.records) {
        std::string line = "epoch = " + std::to_string(rec.epoch);
        if (t.steps || rec.within_epoch)
            line += ", step = " + std::to_string(rec.step);
        for (std::size_t i = 0; i < rec.weights.size(); ++i)
            line += ", " + r.weight_names.at(i) + " = " + weight_text(rec.weights[i], t.digits);
        if (rec.loss)
            line += ", loss = " + format_number(*rec.loss, std::max(t.digits, 1));
        if (rec.gradient_norm)
            line += ", gradnorm = " + format_number(*rec.gradient_norm, std::max(t.digits, 1));
        lines.push_back(line);
    }
    return lines;
}

std::string describe(const train_options& o, std::size_t rows) {
    const optimizer_settings s = resolved(o.optimizer);
    std::string out = std::string(method_name(s.kind)) + " (" + describe(s) + ")";
    if (rows == 0) // no data: the objective is given directly
        out += ", objective: L as given (no data)";
    else
        out += ", objective: " + std::string(o.objective == reduction::sum ? "sum" : "mean") +
               " of the loss over " + std::to_string(rows) + (rows == 1 ? " row" : " rows");
    const bool whole = is_whole_objective_method(s.kind) || s.line_search;
    const std::size_t batch = o.batches.size.value_or(s.kind == method::sgd ? 1 : 0);
    if (rows == 0) {
    } else if (whole || batch == 0 || batch >= rows) {
        out += ", full batch";
    } else {
        out += ", batches of " + std::to_string(batch) + (batch == 1 ? " row" : " rows");
        out += o.batches.shuffle
                   ? ", shuffled each epoch (seed " + std::to_string(o.batches.seed) + ")"
                   : ", rows in the given order";
    }
    if (o.rates.type != schedule::kind::constant)
        out += ", " + o.rates.text();
    std::vector<std::string> limits;
    if (o.epochs)
        limits.push_back(std::to_string(*o.epochs) + (*o.epochs == 1 ? " epoch" : " epochs"));
    if (o.steps)
        limits.push_back(std::to_string(*o.steps) + (*o.steps == 1 ? " step" : " steps"));
    if (o.gradient_tolerance)
        limits.push_back("until |grad| <= " + setting_text(*o.gradient_tolerance));
    if (o.loss_tolerance)
        limits.push_back("until the objective changes by <= " + setting_text(*o.loss_tolerance));
    for (std::size_t i = 0; i < limits.size(); ++i)
        out += (i == 0 ? ", at most " : " or ") + limits[i];
    out += o.numbers == arithmetic::exact
               ? ", exact arithmetic (floats at " + std::to_string(o.digits) + " digits)"
               : ", double precision";
    return out;
}

std::string csv_log_text(const train_result& r) {
    std::string out = "epoch,step,rate";
    for (const auto& n : r.weight_names)
        out += "," + n;
    out += ",loss,gradnorm\n";
    auto line = [&](const train_record& rec) {
        out +=
            std::to_string(rec.epoch) + "," + std::to_string(rec.step) + "," + csv_number(rec.rate);
        for (const auto& w : rec.weights)
            out += "," + csv_number(w);
        out += "," + (rec.loss ? csv_number(*rec.loss) : std::string());
        out += "," + (rec.gradient_norm ? csv_number(*rec.gradient_norm) : std::string());
        out += "\n";
    };
    line(r.start);
    for (const auto& rec : r.records)
        line(rec);
    return out;
}

std::string json_log_text(const train_result& r, const train_options& o, std::size_t rows) {
    std::string out = "{\n  \"settings\": " + json_string(describe(o, rows)) + ",\n";
    out += "  \"method\": " + json_string(std::string(method_name(o.optimizer.kind))) + ",\n";
    out += "  \"objective\": " + json_string(o.objective == reduction::sum ? "sum" : "mean") +
           ",\n  \"rows\": " + std::to_string(rows) + ",\n  \"weights\": [";
    for (std::size_t i = 0; i < r.weight_names.size(); ++i)
        out += (i ? ", " : "") + json_string(r.weight_names[i]);
    out += "],\n  \"records\": [\n";
    auto record = [&](const train_record& rec) {
        std::string s = "    {\"epoch\": " + std::to_string(rec.epoch) +
                        ", \"step\": " + std::to_string(rec.step) +
                        ", \"rate\": " + json_number(rec.rate) + ", \"w\": [";
        for (std::size_t i = 0; i < rec.weights.size(); ++i)
            s += (i ? ", " : "") + json_number(rec.weights[i]);
        s += "]";
        if (o.numbers == arithmetic::exact) {
            s += ", \"w_exact\": [";
            for (std::size_t i = 0; i < rec.weights.size(); ++i)
                s += (i ? ", " : "") + json_string(format_number(rec.weights[i], o.digits));
            s += "]";
        }
        if (rec.loss)
            s += ", \"loss\": " + json_number(*rec.loss);
        if (rec.gradient_norm)
            s += ", \"gradnorm\": " + json_number(*rec.gradient_norm);
        return s + "}";
    };
    out += record(r.start);
    for (const auto& rec : r.records)
        out += ",\n" + record(rec);
    out += "\n  ],\n  \"stop\": {\"reason\": " + json_string(stop_reason_name(r.reason)) +
           ", \"message\": " + json_string(r.message) +
           ", \"epochs\": " + std::to_string(r.epochs) + ", \"steps\": " + std::to_string(r.steps) +
           ", \"ok\": " + (r.ok() ? "true" : "false") + "}\n}\n";
    return out;
}

} // namespace symgrad
