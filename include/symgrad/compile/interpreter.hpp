// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file interpreter.hpp
/// Running a tape (tape.hpp) without a compiler:
///   - run_point: one sample in double, instruction by instruction;
///   - batch_interpreter: many samples, each instruction applied to a block of samples at once
///     (the dispatch cost is paid once per block and the inner loops vectorise), summing every
///     output over the samples;
///   - evaluate_tape_numeric: one sample in CLN at any precision, rationals kept exact.
///
/// Double semantics are those of evaluate_double: the overflow-safe kernels of kernels.hpp
/// (sigmoid(-1000) = 0, logsumexp(1000, 1000) = 1000 + log 2, cross-entropy of fused softmax
/// is z_y - logsumexp(z)). The double paths never throw on bad values: a value that is not
/// finite propagates to the outputs, which the caller checks (first_non_finite names where it
/// started).
///
/// Sums use a fixed order that depends only on the samples, never on the block size or on
/// threads: sample s of a range starting at `begin` is added to lane (s - begin) mod 8 of the
/// output, in sample order, and the 8 lanes are folded as ((l0+l1)+(l2+l3))+((l4+l5)+(l6+l7)).

#include "symgrad/compile/tape.hpp"

#include <ginac/ginac.h>

#include <cstddef>
#include <string>
#include <vector>

namespace symgrad {

/// Samples in row-major arrays: sample s has inputs x[s*I .. s*I + I) and labels
/// y[s*Y .. s*Y + Y), with I and Y the layout's input and label counts.
struct sample_view {
    const double* inputs = nullptr;
    const double* labels = nullptr;
    std::size_t samples = 0;
};

/// Lanes of the fixed summation order (see above).
inline constexpr std::size_t sum_lanes = 8;

/// ((a0+a1)+(a2+a3))+((a4+a5)+(a6+a7)): the fold of the summation lanes.
inline double fold_lanes(const double* a) {
    return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
}

/// One sample in double. @p registers must hold t.register_count() doubles; afterwards it
/// holds every intermediate value (for first_non_finite). outputs[k] = output k.
void run_point(const tape& t, const double* w, const double* x, const double* y, double* registers,
               double* outputs);

/// After run_point: a description of where the first value that is not finite appeared, e.g.
/// "o1_2 = sigmoid(h1_2) is nan although its operands are finite (h1_2 = 0.5)" or "the
/// input x1 is inf"; empty when every register is finite.
std::string first_non_finite(const tape& t, const double* registers);

/// Sums of the outputs over ranges of samples, a block at a time. Holds a workspace, so one
/// object per thread; the tape must outlive it.
class batch_interpreter {
public:
    /// @p block samples per block (a positive multiple of sum_lanes).
    explicit batch_interpreter(const tape& t, std::size_t block = 128);

    /// sums[k] = sum of output k over samples [begin, end) of @p data, in the fixed order.
    void sum(const double* w, const sample_view& data, std::size_t begin, std::size_t end,
             double* sums);

    /// Block slots the varying values need after register reuse (for benchmarks and tests).
    std::size_t slot_count() const noexcept { return slots_; }

private:
    struct step;
    using kernel = void (*)(const step&, std::size_t m);
    struct step {
        kernel run;
        double* r;
        const double* a;
        const double* b;
        const double* c;
        std::int32_t imm;
        std::vector<const double*> list;  // n-ary operands
        std::vector<std::size_t> strides; // 1 for a block, 0 for a scalar
    };
    struct accumulation {
        const double* value;
        bool varying;
        std::size_t output;
    };
    struct gather {
        double* slot;
        std::size_t column;
        bool label;
    };

    void prepare();

    const tape& tape_;
    std::size_t block_;
    std::size_t slots_ = 0;
    std::vector<double> scalars_; // weights, constants and uniform results
    std::vector<double> blocks_;  // slots_ blocks of block_ doubles
    std::vector<gather> gathers_;
    std::vector<step> steps_;
    // accumulations to run after step i: accumulate_[after_[i] .. after_[i + 1])
    std::vector<accumulation> accumulate_;
    std::vector<std::size_t> after_;
    std::vector<accumulation> block_accumulate_; // outputs that are not computed per block
    std::vector<double> lanes_;                  // outputs x sum_lanes
};

/// The outputs at one sample in CLN: exact rationals where every operation on the way is
/// rational, else floats correct to @p digits significant digits (run at increasing precision
/// until two runs agree). Throws domain_error naming the value that is undefined or not real,
/// invalid_input for digits outside 1..100000.
std::vector<GiNaC::numeric> evaluate_tape_numeric(const tape& t,
                                                  const std::vector<GiNaC::numeric>& w,
                                                  const std::vector<GiNaC::numeric>& x,
                                                  const std::vector<GiNaC::numeric>& y,
                                                  long digits = 17);

/// The same with values for the layout's symbols from a point (unbound_symbols names every
/// missing one; values must be real numbers).
std::vector<GiNaC::numeric> evaluate_tape_numeric(const tape& t, const GiNaC::exmap& point,
                                                  long digits = 17);

/// @p e at @p point in double as the compiled evaluators compute it: one tape (the stable
/// forms, the lowerings to log1p, expm1, hypot and the parts of logsumexp), every symbol a
/// label so that sigmoid(u) - y is rewritten for any y. What the tape cannot run, or gives as
/// not finite, goes to evaluate_double (evaluate.hpp), which names the cause. `symgrad eval
/// --double` and the Python module's evaluate(double=True).
double evaluate_as_compiled(const GiNaC::ex& e, const GiNaC::exmap& point,
                            const std::string& where);

} // namespace symgrad
