// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file batch_evaluator.hpp
/// A compiled gradient (or list of expressions) ready to call: one sample at a time, or summed
/// over a dataset with threads. The backend is native code (native.hpp) when a C compiler is
/// available, else the interpreter (interpreter.hpp); a missing compiler is said once per
/// process and the interpreter takes over.
///
/// Tiered execution (the default, backend_kind::tiered): a run starts on the interpreter at
/// once while the C compiler works in a background thread, and native code takes over from the
/// next call after it is loaded; an object already in the cache is used from the start. Small
/// runs never wait for a compiler: when the evaluator is destroyed first, the compile is
/// cancelled (the compiler's process group gets SIGTERM) and leaves nothing behind. The switch
/// changes no result: native code is compiled without fused multiply-add and sums in the
/// interpreter's lane order, so both compute the same bits for every output, sample and sum
/// (tests/compile/native_test.cpp checks it on random programs). A compile that fails in the
/// background is said (once per process) at the next sum() or point() after it is known.
/// $SYMGRAD_BACKEND (tiered, native or interpreter) overrides the default.
///
///   gradient_program p = per_sample_program(mlp({...}));
///   evaluator e = compile(p);                        // loss and gradient, native if possible
///   sample_table data = to_samples(d, e.program().layout());
///   batch_result r = e.sum(w.data(), data.view());   // r.sums[0] = sum of losses, r.sums[1..]
///                                                    // the gradient; r.mean(k) = sums[k]/N
///
/// Determinism: the samples are cut into chunks of a fixed size (evaluator_options::chunk);
/// each chunk is summed in the fixed lane order of interpreter.hpp and the chunk sums are added
/// in chunk order. Threads only decide who computes which chunk, so the result has the same
/// bits for any number of threads.
///
/// Results are checked: a sum or a value that is not finite is an error (domain_error) naming
/// the output, the first sample where it is not finite and the value where that started.

#include "symgrad/compile/interpreter.hpp"
#include "symgrad/compile/native.hpp"
#include "symgrad/compile/tape.hpp"
#include "symgrad/program/gradient_program.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace symgrad {

enum class backend_kind {
    interpreter, ///< the tape interpreters, no compiler needed
    native,      ///< compiled C, waited for; falls back to the interpreter when there is none
    tiered,      ///< the interpreter until native code is ready (see above)
};

/// "interpreter" or "native".
const char* backend_name(backend_kind b);

/// The backend named @p name ("tiered", "native" or "interpreter"); invalid_input naming
/// @p what otherwise.
backend_kind backend_named(const std::string& name, const std::string& what);

struct evaluator_options {
    /// tiered: $SYMGRAD_BACKEND when it is set.
    backend_kind backend = backend_kind::tiered;
    native_options native;
    /// Threads for sum(); 0 means std::thread::hardware_concurrency().
    std::size_t threads = 1;
    /// Samples per chunk: the unit of work and of the ordered reduction (results depend on
    /// it, never on threads).
    std::size_t chunk = 8192;
    /// Samples per block in the batch interpreter (a multiple of 8).
    std::size_t block = 128;
    /// Where the note about a missing compiler goes (once per process and reason); default
    /// standard error.
    std::function<void(const std::string&)> notice;
};

/// Sums of the outputs over samples.
struct batch_result {
    std::size_t samples = 0;
    std::vector<double> sums;
    double mean(std::size_t k) const { return sums.at(k) / static_cast<double>(samples); }
};

/// A compiled tape with its backend.
class evaluator {
public:
    explicit evaluator(tape t, const evaluator_options& options = {});

    const tape& program() const noexcept { return *tape_; }
    /// The backend in use now: native or interpreter (the interpreter after a fallback, and
    /// in a tiered run until native code is loaded).
    backend_kind backend() const noexcept;
    /// Why the native backend is not in use, when it was asked for and has failed; empty
    /// otherwise (and while a tiered compile is still running).
    std::string fallback_reason() const;
    /// Wait for a tiered compile to end (for tests and benchmarks); true when native code is
    /// in use afterwards.
    bool wait_for_native() const;
    const evaluator_options& options() const noexcept { return options_; }

    /// outputs[k] = output k at one sample. Thread-safe. Throws domain_error when an output is
    /// not finite, naming it and the value where it started.
    void point(const double* w, const double* x, const double* y, double* outputs) const;
    std::vector<double> point(const std::vector<double>& w, const std::vector<double>& x,
                              const std::vector<double>& y) const;

    /// Sums over every sample of @p data with options().threads threads (or @p threads).
    /// Throws domain_error when a sum is not finite (see above).
    batch_result sum(const double* w, const sample_view& data) const;
    batch_result sum(const double* w, const sample_view& data, std::size_t threads) const;

    /// point() and sum() without the check: they touch numbers only, never an expression, so
    /// they may run where symbolic work may not (the Python module runs them without the
    /// interpreter lock: GiNaC's reference counts are not atomic). point_unchecked says whether
    /// every output is finite; for the message, call point() or sum() again where symbolic work
    /// is allowed.
    bool point_unchecked(const double* w, const double* x, const double* y, double* outputs) const;
    batch_result sum_unchecked(const double* w, const sample_view& data, std::size_t threads) const;

private:
    void sum_chunk(const double* w, const sample_view& data, std::size_t begin, std::size_t end,
                   double* sums) const;
    [[noreturn]] void report_point(const double* w, const double* x, const double* y,
                                   const double* outputs) const;
    [[noreturn]] void report_sum(const double* w, const sample_view& data,
                                 const std::vector<double>& sums) const;

    /// The native module to use now, or null.
    const native_module* native() const noexcept;
    /// Say a background compile's failure, once, from the calling thread.
    void say_background_failure() const;

    struct background_build;

    std::shared_ptr<const tape> tape_;
    evaluator_options options_;
    std::string fallback_;
    std::shared_ptr<native_module> native_;
    std::shared_ptr<background_build> background_;
    /// Batch interpreters kept for reuse between calls, one per concurrent worker.
    struct interpreter_pool {
        std::mutex mutex;
        std::vector<std::unique_ptr<batch_interpreter>> free;
    };
    std::shared_ptr<interpreter_pool> pool_;
};

/// Compile a gradient program: outputs "L", then "d/dw" for each weight (tape.hpp).
evaluator compile(const gradient_program& program, const evaluator_options& options = {},
                  program_outputs what = program_outputs::loss_and_gradient);

/// Compile expressions over a layout.
evaluator compile(const GiNaC::exvector& outputs, const argument_layout& layout,
                  const evaluator_options& options = {});

/// Samples as row-major doubles in a layout's order of inputs and labels.
struct sample_table {
    std::vector<double> inputs;
    std::vector<double> labels;
    std::size_t samples = 0;
    sample_view view() const noexcept { return {inputs.data(), labels.data(), samples}; }
};

} // namespace symgrad
