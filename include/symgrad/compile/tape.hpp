// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file tape.hpp
/// A gradient program (or any list of expressions) compiled to a tape: a straight-line list of
/// numeric instructions over registers, with a fixed argument layout, ready for the
/// interpreters (interpreter.hpp) and for C (c_emitter.hpp, native.hpp).
///
/// Compilation, in order:
///   1. lowering: every distinct subexpression becomes one register (structural CSE across all
///      outputs); sums become chains of add/sub, products chains of mul with one div for the
///      factors of negative exponent (x*y^-1 -> x/y), x^2 -> x*x, x^(1/2) -> sqrt(x);
///   2. constant folding: a subexpression without free symbols is a constant, kept exact (for
///      the CLN backend) and in double; value numbering removes duplicate instructions and
///      identities (x*1, x + 0, -(-x));
///   3. dead-code elimination: only what some output needs is kept;
///   4. fusion: a product used once, by a sum, becomes part of it: t = a*b; r = t + c ->
///      r = muladd(a, b, c), and r = c - t -> mulsub(a, b, c) (dot products, adjoint sums);
///   5. hoisting: instructions that depend only on weights and constants (uniform) come first,
///      so batch evaluation runs them once, not once per sample.
///
/// Registers, in this order (SSA: each written once):
///   weights w[0..W), inputs x[0..I), labels y[0..Y)  (the argument layout)
///   constants c[0..C)
///   results of instructions 0..N in order; the first uniform_count() are uniform.

#include "symgrad/program/gradient_program.hpp"

#include <ginac/ginac.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace symgrad {

/// Where evaluators find their arguments: three arrays w (weights), x (one sample's inputs) and
/// y (its labels), each in the order given here.
struct argument_layout {
    std::vector<GiNaC::ex> weights;
    std::vector<GiNaC::ex> inputs;
    std::vector<GiNaC::ex> labels;

    std::size_t size() const noexcept { return weights.size() + inputs.size() + labels.size(); }
};

/// The operations of a tape. Their double semantics are those of evaluate_double (the kernels
/// of kernels.hpp); their CLN semantics those of the registered GiNaC functions.
enum class opcode : std::uint8_t {
    // r = f(a)
    neg,
    sqrt,
    exp,
    log,
    tanh,
    sinh,
    cosh,
    sin,
    cos,
    tan,
    atan,
    asin,
    acos,
    abs,
    step,      ///< Heaviside with step(0) = 1/2
    csgn,      ///< sign, csgn(0) = 0
    sigmoid,   ///< 1/(1 + e^-a)
    softplus,  ///< log(1 + e^a)
    expnegabs, ///< e^-|a|, shared by sigmoid(a) and sigmoid(-a) (sigmoid_e)
    log1p,     ///< log(1 + a), what log(1 + u) runs as
    expm1,     ///< e^a - 1, what e^u - 1 runs as
    relu,      ///< max(a, 0)
    // r = a op b
    add,
    sub,
    mul,
    div,
    pow,       ///< a^b for a non-integer exponent register b
    expsum,    ///< e^(a + b), with the rounding error of a + b put back (kernels::exp_sum)
    sigmoid_e, ///< sigmoid(a) from b = e^-|a|: one exp for both sigmoid(h) and sigmoid(-h)
    hypot,     ///< sqrt(a^2 + b^2) without overflow, what sqrt(u^2 + v^2) runs as
    logloss,   ///< -(b log a + (1 - b) log(1 - a)), a in (0, 1)
    indicator, ///< [a = b]
    // r = a*b + c and r = c - a*b (two roundings, like the mul and add they replace)
    muladd,
    mulsub,
    // r = a^imm for an integer imm (|imm| >= 4; smaller powers become products)
    powi,
    // n-ary over operands()[a .. a + b)
    logsumexp,    ///< log sum_j e^(z_j)
    softmax,      ///< e^(z_imm) / sum_j e^(z_j)
    crossentropy, ///< -log p_y over operands (y, p_0, ..., p_{K-1})
    lse_max,      ///< m = max_j z_j: logsumexp(z) runs as m + lse_tail(z)
    lse_tail,     ///< log1p(sum_{j != argmax} e^(z_j - m)), 0 when m is infinite
    expdiff2,     ///< e^(a - m - l) over (a, m, l), rounding errors of both differences put back
};

/// The name of an opcode ("mul", "sigmoid", ...).
const char* opcode_name(opcode op);

/// How many register operands an opcode takes: 1, 2, 3, or 0 for the n-ary ones.
unsigned opcode_arity(opcode op);

/// The value of an instruction over exact operands, as GiNaC builds it (GiNaC evaluates what it
/// can: rational arithmetic stays exact, sigmoid(0) = 1/2). For softmax @p imm is the component;
/// for crossentropy operands[0] is the label. Throws domain_error for a label that is not a
/// class index or an undefined value (1/0).
GiNaC::ex apply_opcode(opcode op, const GiNaC::exvector& operands, int imm = 0);

/// One step: registers[result] = op(registers[a], registers[b], registers[c]). For n-ary
/// opcodes the operands are operands()[a .. a + b).
struct instruction {
    opcode op = opcode::add;
    std::uint32_t result = 0;
    std::uint32_t a = 0;
    std::uint32_t b = 0;
    std::uint32_t c = 0;
    std::int32_t imm = 0;
};

/// Call @p f with each operand register of @p in, in order. @p operands is the operand list
/// the n-ary opcodes index (a tape's operands(), or one being built).
template <class F>
void for_each_operand(const std::vector<std::uint32_t>& operands, const instruction& in, F&& f) {
    const unsigned arity = opcode_arity(in.op);
    if (arity == 0) {
        for (std::uint32_t k = 0; k < in.b; ++k)
            f(operands[in.a + k]);
        return;
    }
    f(in.a);
    if (arity >= 2)
        f(in.b);
    if (arity == 3)
        f(in.c);
}

/// An output: a register and the name it is reported under ("L", "d/dw1").
struct tape_output {
    std::uint32_t reg = 0;
    std::string name;
};

/// The compiled program. Immutable; cheap to share by const reference between threads.
class tape {
public:
    const argument_layout& layout() const noexcept { return layout_; }

    std::size_t weight_count() const noexcept { return layout_.weights.size(); }
    std::size_t input_count() const noexcept { return layout_.inputs.size(); }
    std::size_t label_count() const noexcept { return layout_.labels.size(); }
    std::size_t argument_count() const noexcept { return layout_.size(); }
    std::size_t constant_count() const noexcept { return constants_.size(); }
    /// The first register holding a constant (= argument_count()).
    std::size_t first_constant() const noexcept { return argument_count(); }
    /// The register written by instruction 0.
    std::size_t first_result() const noexcept { return argument_count() + constant_count(); }
    std::size_t register_count() const noexcept { return first_result() + code_.size(); }

    const std::vector<instruction>& instructions() const noexcept { return code_; }
    /// Instructions [0, uniform_count()) read only weights, constants and each other.
    std::size_t uniform_count() const noexcept { return uniform_count_; }
    /// Operand lists of the n-ary instructions.
    const std::vector<std::uint32_t>& operands() const noexcept { return operands_; }

    /// Constant i in double, and exactly (a rational, or an exact constant such as log(2)).
    const std::vector<double>& constants() const noexcept { return constants_; }
    const GiNaC::exvector& exact_constants() const noexcept { return exact_constants_; }

    const std::vector<tape_output>& outputs() const noexcept { return outputs_; }

    /// True when register @p reg depends on an input or a label (differs from sample to sample).
    bool is_varying(std::size_t reg) const;

    /// For messages: the name of an argument, the value of a constant, the program symbol an
    /// instruction computes (o1_2) or else the expression it computes, cut short.
    std::string describe(std::size_t reg) const;

    /// One line per instruction, "r12 = mul r3 r5  # h1_1", for people and tests.
    std::string listing() const;

private:
    friend class tape_builder;

    argument_layout layout_;
    std::vector<instruction> code_;
    std::size_t uniform_count_ = 0;
    std::vector<std::uint32_t> operands_;
    std::vector<double> constants_;
    GiNaC::exvector exact_constants_;
    std::vector<tape_output> outputs_;
    std::vector<std::string> names_; // per instruction: program symbol name or ""
    GiNaC::exvector origins_;        // per instruction: the expression it computes
};

/// for_each_operand over @p t's operand list.
template <class F> void for_each_operand(const tape& t, const instruction& in, F&& f) {
    for_each_operand(t.operands(), in, std::forward<F>(f));
}

/// Which forms a tape computes.
enum class numerics {
    stable,     ///< the cancellation-free forms of stable_forms.hpp (always, except to measure)
    as_written, ///< the expressions as given: only for measuring what the stable forms cost
};

/// What to compile: definitions evaluated in order (each may use the layout's symbols and the
/// symbols of earlier definitions), then the outputs over all of them.
struct tape_source {
    argument_layout layout;
    std::vector<assignment> definitions;
    GiNaC::exvector outputs;
    /// Names of the outputs in messages (default "output 0", "output 1", ...).
    std::vector<std::string> output_names;
    numerics forms = numerics::stable;
};

/// Compile @p source: its stable forms (stable_forms.hpp) unless it says otherwise. Throws
/// invalid_input for a symbol that is neither in the layout nor defined (naming it), a layout
/// symbol listed twice, an expression kind or function that has no numeric rule; domain_error
/// for a constant subexpression that is undefined (log(0)). Cost: linear in the size of the
/// expressions' DAG.
tape compile_tape(const tape_source& source);

/// Compile expressions over the layout's symbols.
tape compile_tape(const GiNaC::exvector& outputs, const argument_layout& layout,
                  const std::vector<std::string>& output_names = {});

/// What to take from a gradient program.
enum class program_outputs {
    loss_and_gradient, ///< output 0 the loss "L", outputs 1..W the partials "d/dw"
    loss,              ///< output 0 only: the backward pass is dropped
};

/// The layout of @p program: its weights, inputs and labels in its order.
argument_layout layout_of(const gradient_program& program);

/// Compile a gradient program: its forward (and backward) assignments as definitions, the loss
/// and gradient as outputs.
tape compile_tape(const gradient_program& program,
                  program_outputs what = program_outputs::loss_and_gradient,
                  numerics forms = numerics::stable);

} // namespace symgrad
