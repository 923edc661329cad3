// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/compile/batch_evaluator.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/symbols.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <iostream>
#include <set>
#include <thread>
#include <unordered_map>

namespace symgrad {

namespace {

/// Say each reason for a fallback once per process.
void notice_once(const evaluator_options& o, const std::string& text) {
    static std::mutex mutex;
    static std::set<std::string> said;
    {
        std::lock_guard lock(mutex);
        if (!said.insert(text).second)
            return;
    }
    if (o.notice)
        o.notice(text);
    else
        std::cerr << "symgrad: note: " << text << "\n";
}

std::vector<double>& point_registers(std::size_t n) {
    thread_local std::vector<double> registers;
    if (registers.size() < n)
        registers.resize(n);
    return registers;
}

} // namespace

const char* backend_name(backend_kind b) {
    switch (b) {
    case backend_kind::native:
        return "native";
    case backend_kind::tiered:
        return "tiered";
    case backend_kind::interpreter:
        break;
    }
    return "interpreter";
}

backend_kind backend_named(const std::string& name, const std::string& what) {
    for (backend_kind b : {backend_kind::tiered, backend_kind::native, backend_kind::interpreter})
        if (name == backend_name(b))
            return b;
    throw invalid_input(what + " must be 'tiered', 'native' or 'interpreter', got '" + name + "'");
}

/// The compile of a tiered evaluator, in its own thread. The last evaluator that shares it
/// cancels the compile and waits for the thread.
struct evaluator::background_build {
    build_control control;
    std::shared_ptr<native_module> module; ///< written by the thread before `ready`
    std::atomic<const native_module*> ready{nullptr};
    std::atomic<bool> done{false};
    std::mutex mutex;
    std::condition_variable finished; ///< notified (under `mutex`) when `done` is set
    std::string failure;              ///< under `mutex`, once `done`
    std::thread thread;

    explicit background_build(native_build build)
        : thread([this, b = std::move(build)] {
              std::string why;
              try {
                  module = b.finish(&control);
                  ready.store(module.get(), std::memory_order_release);
              } catch (const std::exception& x) {
                  why = x.what();
              }
              std::lock_guard lock(mutex);
              if (!control.cancelled())
                  failure = std::move(why);
              done = true;
              finished.notify_all();
          }) {}

    ~background_build() {
        control.cancel();
        // A compiler that ignores SIGTERM gets SIGKILL after 2 s.
        {
            std::unique_lock lock(mutex);
            if (!finished.wait_for(lock, std::chrono::seconds(2), [this] { return done.load(); }))
                control.kill();
        }
        thread.join();
    }

    void wait() {
        std::unique_lock lock(mutex);
        finished.wait(lock, [this] { return done.load(); });
    }
    background_build(const background_build&) = delete;
    background_build& operator=(const background_build&) = delete;
};

evaluator::evaluator(tape t, const evaluator_options& options)
    : tape_(std::make_shared<const tape>(std::move(t))), options_(options),
      pool_(std::make_shared<interpreter_pool>()) {
    if (options_.chunk == 0)
        throw invalid_input("evaluator: the chunk size must be positive, got 0");
    if (options_.block == 0 || options_.block % sum_lanes != 0)
        throw invalid_input("evaluator: the block size must be a positive multiple of 8, got " +
                            std::to_string(options_.block));
    if (options_.backend == backend_kind::tiered)
        if (const char* b = std::getenv("SYMGRAD_BACKEND"); b && *b)
            options_.backend = backend_named(b, "SYMGRAD_BACKEND");
    if (options_.backend == backend_kind::interpreter)
        return;
    try {
        native_build build = native_build::prepare(*tape_, options_.native);
        if (build.cached())
            native_ = build.cached();
        else if (options_.backend == backend_kind::native)
            native_ = build.finish();
        else
            background_ = std::make_shared<background_build>(std::move(build));
    } catch (const native_unavailable& x) {
        fallback_ = x.what();
        notice_once(options_, fallback_ + "; using the interpreter");
    }
}

const native_module* evaluator::native() const noexcept {
    if (native_)
        return native_.get();
    return background_ ? background_->ready.load(std::memory_order_acquire) : nullptr;
}

backend_kind evaluator::backend() const noexcept {
    return native() ? backend_kind::native : backend_kind::interpreter;
}

std::string evaluator::fallback_reason() const {
    if (!fallback_.empty() || !background_ || !background_->done)
        return fallback_;
    std::lock_guard lock(background_->mutex);
    return background_->failure;
}

bool evaluator::wait_for_native() const {
    if (background_)
        background_->wait();
    say_background_failure();
    return native() != nullptr;
}

void evaluator::say_background_failure() const {
    if (!background_ || !background_->done || background_->ready.load())
        return;
    if (const std::string why = fallback_reason(); !why.empty())
        notice_once(options_, why + "; using the interpreter");
}

void evaluator::point(const double* w, const double* x, const double* y, double* outputs) const {
    say_background_failure();
    if (!point_unchecked(w, x, y, outputs))
        report_point(w, x, y, outputs);
}

bool evaluator::point_unchecked(const double* w, const double* x, const double* y,
                                double* outputs) const {
    const tape& t = *tape_;
    if (const native_module* m = native())
        m->point()(w, x, y, outputs);
    else
        run_point(t, w, x, y, point_registers(t.register_count()).data(), outputs);
    for (std::size_t k = 0; k < t.outputs().size(); ++k)
        if (!std::isfinite(outputs[k]))
            return false;
    return true;
}

std::vector<double> evaluator::point(const std::vector<double>& w, const std::vector<double>& x,
                                     const std::vector<double>& y) const {
    const tape& t = *tape_;
    auto check = [](const char* what, std::size_t got, std::size_t want) {
        if (got != want)
            throw invalid_input(std::string("evaluator: expected ") + std::to_string(want) + " " +
                                what + ", got " + std::to_string(got));
    };
    check("weights", w.size(), t.weight_count());
    check("inputs", x.size(), t.input_count());
    check("labels", y.size(), t.label_count());
    std::vector<double> out(t.outputs().size());
    point(w.data(), x.data(), y.data(), out.data());
    return out;
}

void evaluator::report_point(const double* w, const double* x, const double* y,
                             const double* outputs) const {
    const tape& t = *tape_;
    std::vector<double> registers(t.register_count()), again(t.outputs().size());
    run_point(t, w, x, y, registers.data(), again.data());
    for (std::size_t k = 0; k < t.outputs().size(); ++k)
        if (!std::isfinite(outputs[k])) {
            std::string text =
                "evaluate: " + t.outputs()[k].name + " is " + double_text(outputs[k]);
            const std::string where = first_non_finite(t, registers.data());
            if (!where.empty())
                text += ": " + where;
            throw domain_error(text);
        }
    throw domain_error("evaluate: an output is not finite");
}

void evaluator::sum_chunk(const double* w, const sample_view& data, std::size_t begin,
                          std::size_t end, double* sums) const {
    if (const native_module* m = native()) {
        m->sum()(w, data.inputs, data.labels, begin, end, sums);
        return;
    }
    std::unique_ptr<batch_interpreter> b;
    {
        std::lock_guard lock(pool_->mutex);
        if (!pool_->free.empty()) {
            b = std::move(pool_->free.back());
            pool_->free.pop_back();
        }
    }
    if (!b)
        b = std::make_unique<batch_interpreter>(*tape_, options_.block);
    b->sum(w, data, begin, end, sums);
    std::lock_guard lock(pool_->mutex);
    pool_->free.push_back(std::move(b));
}

batch_result evaluator::sum(const double* w, const sample_view& data) const {
    return sum(w, data, options_.threads);
}

batch_result evaluator::sum(const double* w, const sample_view& data, std::size_t threads) const {
    say_background_failure();
    batch_result r = sum_unchecked(w, data, threads);
    for (double s : r.sums)
        if (!std::isfinite(s))
            report_sum(w, data, r.sums);
    return r;
}

batch_result evaluator::sum_unchecked(const double* w, const sample_view& data,
                                      std::size_t threads) const {
    const tape& t = *tape_;
    const std::size_t nout = t.outputs().size();
    const std::size_t n = data.samples;
    if (n > 0 && ((t.input_count() > 0 && !data.inputs) || (t.label_count() > 0 && !data.labels)))
        throw invalid_input("evaluator: the samples have no input or label array");
    const std::size_t chunk = options_.chunk;
    const std::size_t chunks = (n + chunk - 1) / chunk;
    std::vector<double> partial(chunks * nout, 0.0);
    if (threads == 0)
        threads = std::max(1u, std::thread::hardware_concurrency());
    threads = std::min(threads, std::max<std::size_t>(chunks, 1));
    std::atomic<std::size_t> next{0};
    std::exception_ptr failure;
    std::mutex failure_mutex;
    auto work = [&]() {
        try {
            for (std::size_t c = next++; c < chunks; c = next++)
                sum_chunk(w, data, c * chunk, std::min(n, (c + 1) * chunk), &partial[c * nout]);
        } catch (...) {
            std::lock_guard lock(failure_mutex);
            if (!failure)
                failure = std::current_exception();
            next = chunks;
        }
    };
    if (threads <= 1) {
        work();
    } else {
        std::vector<std::thread> pool;
        for (std::size_t i = 0; i < threads; ++i)
            pool.emplace_back(work);
        for (auto& th : pool)
            th.join();
    }
    if (failure)
        std::rethrow_exception(failure);
    batch_result r;
    r.samples = n;
    r.sums.assign(nout, 0.0);
    for (std::size_t c = 0; c < chunks; ++c)
        for (std::size_t k = 0; k < nout; ++k)
            r.sums[k] += partial[c * nout + k];
    return r;
}

void evaluator::report_sum(const double* w, const sample_view& data,
                           const std::vector<double>& sums) const {
    const tape& t = *tape_;
    std::size_t k = 0;
    while (k < sums.size() && std::isfinite(sums[k]))
        ++k;
    std::string text = "evaluate: the sum of " + t.outputs()[k].name + " over " +
                       std::to_string(data.samples) + " samples is " + double_text(sums[k]);
    std::vector<double> registers(t.register_count()), outputs(t.outputs().size());
    const std::size_t ni = t.input_count(), nl = t.label_count();
    for (std::size_t s = 0; s < data.samples; ++s) {
        run_point(t, w, data.inputs + s * ni, data.labels + s * nl, registers.data(),
                  outputs.data());
        if (std::isfinite(outputs[k]))
            continue;
        text += ": sample " + std::to_string(s) + " gives " + double_text(outputs[k]);
        const std::string where = first_non_finite(t, registers.data());
        if (!where.empty())
            text += "; " + where;
        throw domain_error(text);
    }
    throw domain_error(text + ": every sample's value is finite, the sum overflows");
}

evaluator compile(const gradient_program& program, const evaluator_options& options,
                  program_outputs what) {
    return evaluator(compile_tape(program, what), options);
}

evaluator compile(const GiNaC::exvector& outputs, const argument_layout& layout,
                  const evaluator_options& options) {
    return evaluator(compile_tape(outputs, layout), options);
}

} // namespace symgrad
