// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/compile/interpreter.hpp"

#include "compile/register_allocation.hpp"

#include "symgrad/core/assert.hpp"
#include "symgrad/core/error.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/ginac_reason.hpp"
#include "symgrad/core/kernels.hpp"
#include "symgrad/core/precision.hpp"
#include "symgrad/core/symbols.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace symgrad {

using GiNaC::ex;
using GiNaC::numeric;

namespace {

constexpr double nan_value = std::numeric_limits<double>::quiet_NaN();

// The double semantics of each opcode, shared by the point and the batch interpreter. Values
// that evaluate_double reports as errors come out as NaN here and are reported afterwards.
struct f_neg {
    template <class T> static T f(T a) { return -a; }
};
struct f_sqrt {
    static double f(double a) { return std::sqrt(a); }
};
struct f_exp {
    static double f(double a) { return std::exp(a); }
};
struct f_log {
    static double f(double a) { return std::log(a); }
};
struct f_tanh {
    static double f(double a) { return std::tanh(a); }
};
struct f_sinh {
    static double f(double a) { return std::sinh(a); }
};
struct f_cosh {
    static double f(double a) { return std::cosh(a); }
};
struct f_sin {
    static double f(double a) { return std::sin(a); }
};
struct f_cos {
    static double f(double a) { return std::cos(a); }
};
struct f_tan {
    static double f(double a) { return std::tan(a); }
};
struct f_atan {
    static double f(double a) { return std::atan(a); }
};
struct f_asin {
    static double f(double a) { return std::asin(a); }
};
struct f_acos {
    static double f(double a) { return std::acos(a); }
};
struct f_abs {
    static double f(double a) { return std::abs(a); }
};
struct f_step {
    static double f(double a) { return kernels::step(a); }
};
struct f_csgn {
    static double f(double a) { return a > 0 ? 1.0 : (a < 0 ? -1.0 : 0.0); }
};
struct f_sigmoid {
    // kernels::sigmoid without its branch (random signs mispredict it): exp(-|z|) is exp(-z)
    // for z >= 0 and exp(z) otherwise, so the quotient is 1/(1 + e^-z) or e^z/(1 + e^z)
    // rounded exactly as kernels::sigmoid rounds it (the tests check the bits).
    static double f(double z) { return kernels::sigmoid_e(z, std::exp(-std::abs(z))); }
};
struct f_log1p {
    static double f(double a) { return std::log1p(a); }
};
struct f_expm1 {
    static double f(double a) { return std::expm1(a); }
};
struct f_hypot {
    static double f(double a, double b) { return std::hypot(a, b); }
};
struct f_expnegabs {
    static double f(double a) { return std::exp(-std::abs(a)); }
};
struct f_sigmoid_e {
    static double f(double z, double e) { return kernels::sigmoid_e(z, e); }
};
struct f_softplus {
    static double f(double a) { return kernels::softplus(a); }
};
struct f_relu {
    static double f(double a) { return kernels::relu(a); }
};
struct f_add {
    template <class T> static T f(T a, T b) { return a + b; }
};
struct f_sub {
    template <class T> static T f(T a, T b) { return a - b; }
};
struct f_mul {
    template <class T> static T f(T a, T b) { return a * b; }
};
struct f_div {
    template <class T> static T f(T a, T b) { return a / b; }
};
struct f_pow {
    static double f(double a, double b) { return std::pow(a, b); }
};
struct f_expsum {
    static double f(double a, double b) { return kernels::exp_sum(a, b); }
};
struct f_logloss {
    // evaluate_double refuses p outside (0, 1); so does this, with a NaN.
    static double f(double p, double y) {
        // A probability rounded to exactly 0 or 1 is fine where its log has weight 0:
        // logloss(softmax(0, 587, b, -1), 1) is 2e-252, not NaN.
        return p >= 0 && p <= 1 && (p > 0 || y == 0) && (p < 1 || y == 1) ? kernels::logloss(p, y)
                                                                          : nan_value;
    }
};
struct f_indicator {
    static double f(double a, double b) { return a == b ? 1.0 : 0.0; }
};
struct f_muladd {
    template <class T> static T f(T a, T b, T c) { return a * b + c; }
};
struct f_mulsub {
    template <class T> static T f(T a, T b, T c) { return c - a * b; }
};

double powi(double a, std::int32_t n) {
    return std::pow(a, static_cast<double>(n));
}

/// -log p_y, NaN when y is not a class index 0..K-1.
double crossentropy(const double* v, std::size_t n) {
    const double y = v[0];
    if (!(y >= 0 && y < static_cast<double>(n - 1)) || std::floor(y) != y)
        return nan_value;
    return -std::log(v[static_cast<std::size_t>(y) + 1]);
}

double nary(opcode op, const double* z, std::size_t n, std::int32_t imm) {
    switch (op) {
    case opcode::logsumexp:
        return kernels::logsumexp(z, n);
    case opcode::softmax:
        return kernels::softmax(static_cast<std::size_t>(imm), z, n);
    case opcode::lse_max:
        return z[kernels::argmax(z, n)];
    case opcode::lse_tail:
        return kernels::lse_tail(z, n);
    case opcode::expdiff2:
        return kernels::exp_diff2(z[0], z[1], z[2]);
    default:
        return crossentropy(z, n);
    }
}

/// One instruction on scalar registers.
inline double scalar_step(const instruction& in, const double* r, const std::uint32_t* operands) {
    const double a = r[in.a];
    switch (in.op) {
    case opcode::neg:
        return f_neg::f(a);
    case opcode::sqrt:
        return f_sqrt::f(a);
    case opcode::exp:
        return f_exp::f(a);
    case opcode::log:
        return f_log::f(a);
    case opcode::tanh:
        return f_tanh::f(a);
    case opcode::sinh:
        return f_sinh::f(a);
    case opcode::cosh:
        return f_cosh::f(a);
    case opcode::sin:
        return f_sin::f(a);
    case opcode::cos:
        return f_cos::f(a);
    case opcode::tan:
        return f_tan::f(a);
    case opcode::atan:
        return f_atan::f(a);
    case opcode::asin:
        return f_asin::f(a);
    case opcode::acos:
        return f_acos::f(a);
    case opcode::abs:
        return f_abs::f(a);
    case opcode::step:
        return f_step::f(a);
    case opcode::csgn:
        return f_csgn::f(a);
    case opcode::sigmoid:
        return f_sigmoid::f(a);
    case opcode::softplus:
        return f_softplus::f(a);
    case opcode::expnegabs:
        return f_expnegabs::f(a);
    case opcode::log1p:
        return f_log1p::f(a);
    case opcode::expm1:
        return f_expm1::f(a);
    case opcode::relu:
        return f_relu::f(a);
    case opcode::add:
        return f_add::f(a, r[in.b]);
    case opcode::sub:
        return f_sub::f(a, r[in.b]);
    case opcode::mul:
        return f_mul::f(a, r[in.b]);
    case opcode::div:
        return f_div::f(a, r[in.b]);
    case opcode::pow:
        return f_pow::f(a, r[in.b]);
    case opcode::expsum:
        return f_expsum::f(a, r[in.b]);
    case opcode::sigmoid_e:
        return f_sigmoid_e::f(a, r[in.b]);
    case opcode::hypot:
        return f_hypot::f(a, r[in.b]);
    case opcode::logloss:
        return f_logloss::f(a, r[in.b]);
    case opcode::indicator:
        return f_indicator::f(a, r[in.b]);
    case opcode::muladd:
        return f_muladd::f(a, r[in.b], r[in.c]);
    case opcode::mulsub:
        return f_mulsub::f(a, r[in.b], r[in.c]);
    case opcode::powi:
        return powi(a, in.imm);
    case opcode::logsumexp:
    case opcode::softmax:
    case opcode::crossentropy:
    case opcode::lse_max:
    case opcode::lse_tail:
    case opcode::expdiff2: {
        const std::uint32_t* list = operands + in.a;
        double local[64];
        local[0] = 0; // n-ary instructions have at least one operand
        std::vector<double> heap(in.b > 64 ? in.b : 0);
        double* z = in.b > 64 ? heap.data() : local;
        for (std::uint32_t k = 0; k < in.b; ++k)
            z[k] = r[list[k]];
        return nary(in.op, z, in.b, in.imm);
    }
    }
    return nan_value;
}

void load_arguments(const tape& t, const double* w, const double* x, const double* y, double* r) {
    const std::size_t nw = t.weight_count(), ni = t.input_count(), nl = t.label_count();
    std::copy(w, w + nw, r);
    std::copy(x, x + ni, r + nw);
    std::copy(y, y + nl, r + nw + ni);
    std::copy(t.constants().begin(), t.constants().end(), r + t.first_constant());
}

} // namespace

void run_point(const tape& t, const double* w, const double* x, const double* y, double* registers,
               double* outputs) {
    load_arguments(t, w, x, y, registers);
    const std::uint32_t* operands = t.operands().data();
    for (const auto& in : t.instructions())
        registers[in.result] = scalar_step(in, registers, operands);
    for (std::size_t k = 0; k < t.outputs().size(); ++k)
        outputs[k] = registers[t.outputs()[k].reg];
}

std::string first_non_finite(const tape& t, const double* r) {
    for (std::size_t i = 0; i < t.argument_count(); ++i)
        if (!std::isfinite(r[i])) {
            const char* what = i < t.weight_count()                     ? "weight"
                               : i < t.weight_count() + t.input_count() ? "input"
                                                                        : "label";
            return std::string("the ") + what + " " + t.describe(i) + " is " + double_text(r[i]);
        }
    for (const auto& in : t.instructions()) {
        if (std::isfinite(r[in.result]))
            continue;
        std::string operands;
        auto add = [&](std::uint32_t reg) {
            if (reg >= t.first_constant() && reg < t.first_result())
                return;
            operands +=
                (operands.empty() ? "" : ", ") + t.describe(reg) + " = " + double_text(r[reg]);
        };
        if (opcode_arity(in.op) == 0) {
            for (std::uint32_t k = 0; k < in.b; ++k)
                add(t.operands()[in.a + k]);
        } else {
            add(in.a);
            if (opcode_arity(in.op) >= 2)
                add(in.b);
            if (opcode_arity(in.op) == 3)
                add(in.c);
        }
        std::string text =
            t.describe(in.result) + " (" + opcode_name(in.op) + ") is " + double_text(r[in.result]);
        if (!operands.empty())
            text += " at " + operands;
        return text;
    }
    return {};
}

// ---- batch ---------------------------------------------------------------------------------

namespace {

// Kernels run over the block in groups of sum_lanes samples, and a partial last block is
// computed up to the next multiple of sum_lanes (those extra lanes hold stale values and are
// never added up). Arithmetic runs on packs of two doubles (SSE2, the x86-64 baseline, or what
// the target has), written out rather than left to the auto-vectoriser, which -O2 leaves off.
constexpr std::size_t group = sum_lanes;

std::size_t round_up(std::size_t m) {
    return (m + group - 1) / group * group;
}

typedef double pack __attribute__((vector_size(2 * sizeof(double))));
constexpr std::size_t pack_size = 2;

inline pack load(const double* p) {
    pack v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

inline void store(double* p, pack v) {
    std::memcpy(p, &v, sizeof v);
}

inline pack splat(double x) {
    return pack{x, x};
}

template <class F> constexpr bool on_packs1 = requires(pack x) {
    F::f(x);
};
template <class F> constexpr bool on_packs2 = requires(pack x) {
    F::f(x, x);
};
template <class F> constexpr bool on_packs3 = requires(pack x) {
    F::f(x, x, x);
};

template <class F> void unary_kernel(const auto& s, std::size_t m) {
    const double* a = s.a;
    double* r = s.r;
    const std::size_t n = round_up(m);
    if constexpr (on_packs1<F>) {
        for (std::size_t l = 0; l < n; l += pack_size)
            store(r + l, F::f(load(a + l)));
    } else {
        for (std::size_t l = 0; l < n; ++l)
            r[l] = F::f(a[l]);
    }
}

template <class F, bool AV, bool BV> void binary_kernel(const auto& s, std::size_t m) {
    const double* a = s.a;
    const double* b = s.b;
    double* r = s.r;
    const std::size_t n = round_up(m);
    if constexpr (on_packs2<F>) {
        const pack as = splat(a[0]), bs = splat(b[0]);
        for (std::size_t l = 0; l < n; l += pack_size)
            store(r + l, F::f(AV ? load(a + l) : as, BV ? load(b + l) : bs));
    } else {
        const double as = a[0], bs = b[0];
        for (std::size_t l = 0; l < n; ++l)
            r[l] = F::f(AV ? a[l] : as, BV ? b[l] : bs);
    }
}

template <class F, bool AV, bool BV, bool CV> void ternary_kernel(const auto& s, std::size_t m) {
    static_assert(on_packs3<F>);
    const double* a = s.a;
    const double* b = s.b;
    const double* c = s.c;
    double* r = s.r;
    const pack as = splat(a[0]), bs = splat(b[0]), cs = splat(c[0]);
    const std::size_t n = round_up(m);
    for (std::size_t l = 0; l < n; l += pack_size)
        store(r + l, F::f(AV ? load(a + l) : as, BV ? load(b + l) : bs, CV ? load(c + l) : cs));
}

/// lanes[(l mod 8)] += a[l]*b[l] for the m samples: a product that is only an output is added
/// up without being stored. Each lane is a sequential sum, as in accumulate_lanes.
template <bool AV, bool BV> void product_sum_kernel(const auto& s, std::size_t m) {
    const double* a = s.a;
    const double* b = s.b;
    double* lanes = s.r;
    const pack as = splat(a[0]), bs = splat(b[0]);
    pack acc[4] = {load(lanes), load(lanes + 2), load(lanes + 4), load(lanes + 6)};
    std::size_t l0 = 0;
    for (; l0 + group <= m; l0 += group)
        for (std::size_t j = 0; j < 4; ++j) {
            const std::size_t l = l0 + 2 * j;
            acc[j] += (AV ? load(a + l) : as) * (BV ? load(b + l) : bs);
        }
    for (std::size_t j = 0; j < 4; ++j)
        store(lanes + 2 * j, acc[j]);
    for (std::size_t l = l0; l < m; ++l)
        lanes[l - l0] += (AV ? a[l] : a[0]) * (BV ? b[l] : b[0]);
}

void powi_kernel(const auto& s, std::size_t m) {
    const std::size_t n = round_up(m);
    for (std::size_t l = 0; l < n; ++l)
        s.r[l] = powi(s.a[l], s.imm);
}

template <opcode Op> void nary_kernel(const auto& s, std::size_t m) {
    const std::size_t k = s.list.size();
    double z[64];
    z[0] = 0;
    std::vector<double> heap(k > 64 ? k : 0);
    double* zp = k > 64 ? heap.data() : z;
    const std::size_t n = round_up(m);
    for (std::size_t l = 0; l < n; ++l) {
        for (std::size_t j = 0; j < k; ++j)
            zp[j] = s.list[j][l * s.strides[j]];
        s.r[l] = nary(Op, zp, k, s.imm);
    }
}

template <class Step> using kernel_of = void (*)(const Step&, std::size_t);

template <class Step> kernel_of<Step> unary_for(opcode op) {
    switch (op) {
    case opcode::neg:
        return unary_kernel<f_neg>;
    case opcode::sqrt:
        return unary_kernel<f_sqrt>;
    case opcode::exp:
        return unary_kernel<f_exp>;
    case opcode::log:
        return unary_kernel<f_log>;
    case opcode::tanh:
        return unary_kernel<f_tanh>;
    case opcode::sinh:
        return unary_kernel<f_sinh>;
    case opcode::cosh:
        return unary_kernel<f_cosh>;
    case opcode::sin:
        return unary_kernel<f_sin>;
    case opcode::cos:
        return unary_kernel<f_cos>;
    case opcode::tan:
        return unary_kernel<f_tan>;
    case opcode::atan:
        return unary_kernel<f_atan>;
    case opcode::asin:
        return unary_kernel<f_asin>;
    case opcode::acos:
        return unary_kernel<f_acos>;
    case opcode::abs:
        return unary_kernel<f_abs>;
    case opcode::step:
        return unary_kernel<f_step>;
    case opcode::csgn:
        return unary_kernel<f_csgn>;
    case opcode::sigmoid:
        return unary_kernel<f_sigmoid>;
    case opcode::softplus:
        return unary_kernel<f_softplus>;
    case opcode::expnegabs:
        return unary_kernel<f_expnegabs>;
    case opcode::log1p:
        return unary_kernel<f_log1p>;
    case opcode::expm1:
        return unary_kernel<f_expm1>;
    case opcode::relu:
        return unary_kernel<f_relu>;
    case opcode::powi:
        return powi_kernel;
    default:
        return nullptr;
    }
}

template <class Step, class F> kernel_of<Step> binary_variant(bool av, bool bv) {
    if (av && bv)
        return binary_kernel<F, true, true>;
    if (av)
        return binary_kernel<F, true, false>;
    return binary_kernel<F, false, true>;
}

template <class Step> kernel_of<Step> binary_for(opcode op, bool av, bool bv) {
    switch (op) {
    case opcode::add:
        return binary_variant<Step, f_add>(av, bv);
    case opcode::sub:
        return binary_variant<Step, f_sub>(av, bv);
    case opcode::mul:
        return binary_variant<Step, f_mul>(av, bv);
    case opcode::div:
        return binary_variant<Step, f_div>(av, bv);
    case opcode::pow:
        return binary_variant<Step, f_pow>(av, bv);
    case opcode::expsum:
        return binary_variant<Step, f_expsum>(av, bv);
    case opcode::sigmoid_e:
        return binary_variant<Step, f_sigmoid_e>(av, bv);
    case opcode::hypot:
        return binary_variant<Step, f_hypot>(av, bv);
    case opcode::logloss:
        return binary_variant<Step, f_logloss>(av, bv);
    case opcode::indicator:
        return binary_variant<Step, f_indicator>(av, bv);
    default:
        return nullptr;
    }
}

template <class Step, class F> kernel_of<Step> ternary_variant(bool av, bool bv, bool cv) {
    switch ((av ? 4 : 0) + (bv ? 2 : 0) + (cv ? 1 : 0)) {
    case 1:
        return ternary_kernel<F, false, false, true>;
    case 2:
        return ternary_kernel<F, false, true, false>;
    case 3:
        return ternary_kernel<F, false, true, true>;
    case 4:
        return ternary_kernel<F, true, false, false>;
    case 5:
        return ternary_kernel<F, true, false, true>;
    case 6:
        return ternary_kernel<F, true, true, false>;
    default:
        return ternary_kernel<F, true, true, true>;
    }
}

template <class Step> kernel_of<Step> ternary_for(opcode op, bool av, bool bv, bool cv) {
    return op == opcode::muladd ? ternary_variant<Step, f_muladd>(av, bv, cv)
                                : ternary_variant<Step, f_mulsub>(av, bv, cv);
}

template <class Step> kernel_of<Step> product_sum_for(bool av, bool bv) {
    if (av && bv)
        return product_sum_kernel<true, true>;
    if (av)
        return product_sum_kernel<true, false>;
    return product_sum_kernel<false, true>;
}

template <class Step> kernel_of<Step> nary_for(opcode op) {
    switch (op) {
    case opcode::logsumexp:
        return nary_kernel<opcode::logsumexp>;
    case opcode::softmax:
        return nary_kernel<opcode::softmax>;
    case opcode::lse_max:
        return nary_kernel<opcode::lse_max>;
    case opcode::lse_tail:
        return nary_kernel<opcode::lse_tail>;
    case opcode::expdiff2:
        return nary_kernel<opcode::expdiff2>;
    default:
        return nary_kernel<opcode::crossentropy>;
    }
}

/// Adds m values (or m copies of v[0]) to the lanes of an output in the fixed order.
void accumulate_lanes(double* lanes, const double* v, bool varying, std::size_t m) {
    const pack vs = splat(v[0]);
    pack acc[4] = {load(lanes), load(lanes + 2), load(lanes + 4), load(lanes + 6)};
    std::size_t l0 = 0;
    for (; l0 + group <= m; l0 += group)
        for (std::size_t j = 0; j < 4; ++j)
            acc[j] += varying ? load(v + l0 + 2 * j) : vs;
    for (std::size_t j = 0; j < 4; ++j)
        store(lanes + 2 * j, acc[j]);
    for (std::size_t l = l0; l < m; ++l)
        lanes[l - l0] += varying ? v[l] : v[0];
}

} // namespace

batch_interpreter::batch_interpreter(const tape& t, std::size_t block) : tape_(t), block_(block) {
    if (block_ == 0 || block_ % sum_lanes != 0)
        throw invalid_input("batch_interpreter: the block size must be a positive multiple of " +
                            std::to_string(sum_lanes) + ", got " + std::to_string(block));
    prepare();
}

void batch_interpreter::prepare() {
    const tape& t = tape_;
    const std::size_t nregs = t.register_count();
    const std::size_t first = t.first_result();
    const auto& code = t.instructions();
    const std::size_t nu = t.uniform_count();
    const std::size_t nvary = code.size() - nu;
    scalars_.assign(nregs, 0.0);
    std::copy(t.constants().begin(), t.constants().end(),
              scalars_.begin() + static_cast<std::ptrdiff_t>(t.first_constant()));

    const auto uses = detail::operand_uses(t);
    const auto outputs_of = detail::outputs_by_register(t);
    // A product whose only use is one output is added up without being stored.
    auto product_sum = [&](std::size_t i) {
        return detail::is_output_only_product(code[i], uses, outputs_of);
    };

    // Last use of each varying register, as a position in the varying instructions (-1: only
    // by the block accumulations before them).
    constexpr std::ptrdiff_t never = -2;
    std::vector<std::ptrdiff_t> last_use(nregs, never);
    for (std::size_t i = nu; i < code.size(); ++i) {
        const auto pos = static_cast<std::ptrdiff_t>(i - nu);
        for_each_operand(t, code[i], [&](std::uint32_t reg) {
            if (t.is_varying(reg))
                last_use[reg] = std::max(last_use[reg], pos);
        });
        last_use[code[i].result] = std::max(last_use[code[i].result], pos);
    }
    for (const auto& o : t.outputs())
        if (t.is_varying(o.reg) && o.reg < first)
            last_use[o.reg] = std::max<std::ptrdiff_t>(last_use[o.reg], -1);

    // Slots: data columns first, then instruction results, each slot reused after the last use
    // of its value (a result never shares a slot with its own operands).
    std::vector<std::size_t> slot(nregs, 0);
    detail::slot_pool pool;
    std::vector<std::uint32_t> data_registers;
    for (std::size_t reg = t.weight_count(); reg < t.argument_count(); ++reg)
        if (last_use[reg] != never) {
            slot[reg] = pool.take();
            data_registers.push_back(static_cast<std::uint32_t>(reg));
        }
    std::vector<std::vector<std::uint32_t>> dies_at(nvary + 1);
    for (std::size_t reg = t.weight_count(); reg < nregs; ++reg)
        if (t.is_varying(reg) && last_use[reg] >= 0)
            dies_at[static_cast<std::size_t>(last_use[reg])].push_back(
                static_cast<std::uint32_t>(reg));
    for (auto reg : data_registers)
        if (last_use[reg] == -1)
            pool.release(slot[reg]);
    std::vector<bool> stored(nregs, true);
    for (std::size_t i = nu; i < code.size(); ++i) {
        if (product_sum(i))
            stored[code[i].result] = false;
        else
            slot[code[i].result] = pool.take();
        for (auto reg : dies_at[i - nu])
            if (stored[reg])
                pool.release(slot[reg]);
    }
    slots_ = pool.count();
    blocks_.assign(std::max<std::size_t>(slots_, 1) * block_, 0.0);
    lanes_.assign(t.outputs().size() * sum_lanes, 0.0);

    auto where = [&](std::uint32_t reg) -> double* {
        SYMGRAD_ASSERT(reg < nregs && (!t.is_varying(reg) || slot[reg] < slots_));
        return t.is_varying(reg) ? blocks_.data() + slot[reg] * block_ : scalars_.data() + reg;
    };

    for (auto reg : data_registers) {
        const bool label = reg >= t.weight_count() + t.input_count();
        const std::size_t column =
            label ? reg - t.weight_count() - t.input_count() : reg - t.weight_count();
        gathers_.push_back({where(reg), column, label});
    }

    // Outputs computed per block are accumulated right after their instruction; the others
    // (weights, constants, uniform values, data columns) once per block.
    for (std::size_t k = 0; k < t.outputs().size(); ++k) {
        const std::uint32_t reg = t.outputs()[k].reg;
        if (!t.is_varying(reg) || reg < first)
            block_accumulate_.push_back({where(reg), t.is_varying(reg), k});
    }
    after_.push_back(0);
    for (std::size_t i = nu; i < code.size(); ++i) {
        const instruction& in = code[i];
        step s{};
        s.imm = in.imm;
        const unsigned arity = opcode_arity(in.op);
        if (product_sum(i)) {
            s.r = &lanes_[outputs_of[in.result].front() * sum_lanes];
            s.a = where(in.a);
            s.b = where(in.b);
            s.run = product_sum_for<step>(t.is_varying(in.a), t.is_varying(in.b));
            steps_.push_back(std::move(s));
            after_.push_back(accumulate_.size());
            continue;
        }
        s.r = where(in.result);
        if (arity == 0) {
            s.run = nary_for<step>(in.op);
            for (std::uint32_t k = 0; k < in.b; ++k) {
                const std::uint32_t reg = t.operands()[in.a + k];
                s.list.push_back(where(reg));
                s.strides.push_back(t.is_varying(reg) ? 1 : 0);
            }
        } else if (arity == 1) {
            s.run = unary_for<step>(in.op);
            s.a = where(in.a);
        } else if (arity == 2) {
            s.run = binary_for<step>(in.op, t.is_varying(in.a), t.is_varying(in.b));
            s.a = where(in.a);
            s.b = where(in.b);
        } else {
            s.run = ternary_for<step>(in.op, t.is_varying(in.a), t.is_varying(in.b),
                                      t.is_varying(in.c));
            s.a = where(in.a);
            s.b = where(in.b);
            s.c = where(in.c);
        }
        steps_.push_back(std::move(s));
        for (std::size_t k : outputs_of[in.result])
            accumulate_.push_back({where(in.result), true, k});
        after_.push_back(accumulate_.size());
    }
}

void batch_interpreter::sum(const double* w, const sample_view& data, std::size_t begin,
                            std::size_t end, double* sums) {
    const tape& t = tape_;
    std::copy(w, w + t.weight_count(), scalars_.begin());
    const auto& code = t.instructions();
    for (std::size_t i = 0; i < t.uniform_count(); ++i)
        scalars_[code[i].result] = scalar_step(code[i], scalars_.data(), t.operands().data());
    std::fill(lanes_.begin(), lanes_.end(), 0.0);
    const std::size_t ni = t.input_count(), nl = t.label_count();
    for (std::size_t s0 = begin; s0 < end; s0 += block_) {
        const std::size_t m = std::min(block_, end - s0);
        for (const auto& g : gathers_) {
            const std::size_t stride = g.label ? nl : ni;
            const double* src = (g.label ? data.labels : data.inputs) + s0 * stride + g.column;
            for (std::size_t l = 0; l < m; ++l)
                g.slot[l] = src[l * stride];
        }
        for (const auto& acc : block_accumulate_)
            accumulate_lanes(&lanes_[acc.output * sum_lanes], acc.value, acc.varying, m);
        for (std::size_t i = 0; i < steps_.size(); ++i) {
            steps_[i].run(steps_[i], m);
            for (std::size_t k = after_[i]; k < after_[i + 1]; ++k)
                accumulate_lanes(&lanes_[accumulate_[k].output * sum_lanes], accumulate_[k].value,
                                 true, m);
        }
    }
    for (std::size_t k = 0; k < t.outputs().size(); ++k)
        sums[k] = fold_lanes(&lanes_[k * sum_lanes]);
}

// ---- CLN -----------------------------------------------------------------------------------

namespace {

numeric to_number(const ex& v, const tape& t, std::size_t reg) {
    if (GiNaC::is_exactly_a<numeric>(v) && GiNaC::ex_to<numeric>(v).is_rational())
        return GiNaC::ex_to<numeric>(v);
    ex f;
    try {
        f = v.evalf();
    } catch (const error&) {
        throw;
    } catch (const std::exception& x) {
        throw domain_error("evaluate_tape_numeric: " + t.describe(reg) + " is undefined (" +
                           ginac_reason(x) + ")");
    }
    if (!GiNaC::is_exactly_a<numeric>(f) || !GiNaC::ex_to<numeric>(f).is_real())
        throw domain_error("evaluate_tape_numeric: " + t.describe(reg) +
                           " is not a real number at this point");
    return GiNaC::ex_to<numeric>(f);
}

std::vector<numeric> run_numeric(const tape& t, const std::vector<numeric>& args) {
    std::vector<numeric> r(t.register_count());
    std::copy(args.begin(), args.end(), r.begin());
    for (std::size_t i = 0; i < t.constant_count(); ++i)
        r[t.first_constant() + i] = to_number(t.exact_constants()[i], t, t.first_constant() + i);
    for (const auto& in : t.instructions()) {
        GiNaC::exvector operands;
        if (opcode_arity(in.op) == 0) {
            for (std::uint32_t k = 0; k < in.b; ++k)
                operands.push_back(r[t.operands()[in.a + k]]);
        } else {
            operands.push_back(r[in.a]);
            if (opcode_arity(in.op) >= 2)
                operands.push_back(r[in.b]);
            if (opcode_arity(in.op) == 3)
                operands.push_back(r[in.c]);
        }
        ex v;
        try {
            v = apply_opcode(in.op, operands, in.imm);
        } catch (const domain_error& x) {
            throw domain_error("evaluate_tape_numeric: " + t.describe(in.result) + ": " + x.what());
        } catch (const error&) {
            throw;
        } catch (const std::exception& x) {
            throw domain_error("evaluate_tape_numeric: " + t.describe(in.result) +
                               " is undefined at this point (" + ginac_reason(x) + ")");
        }
        r[in.result] = to_number(v, t, in.result);
    }
    std::vector<numeric> out;
    for (const auto& o : t.outputs())
        out.push_back(r[o.reg]);
    return out;
}

bool agree(const numeric& a, const numeric& b, long digits) {
    const numeric scale = std::max(GiNaC::abs(a), GiNaC::abs(b));
    if (scale.is_zero())
        return true;
    return GiNaC::abs(a - b) <= scale * GiNaC::pow(numeric(10), numeric(-digits));
}

void check_count(const char* what, std::size_t got, std::size_t want) {
    if (got != want)
        throw invalid_input(std::string("evaluate_tape_numeric: expected ") + std::to_string(want) +
                            " " + what + ", got " + std::to_string(got));
}

} // namespace

std::vector<numeric> evaluate_tape_numeric(const tape& t, const std::vector<numeric>& w,
                                           const std::vector<numeric>& x,
                                           const std::vector<numeric>& y, long digits) {
    if (digits < 1 || digits > 100000)
        throw invalid_input("evaluate_tape_numeric: digits must be between 1 and 100000, got " +
                            std::to_string(digits));
    check_count("weights", w.size(), t.weight_count());
    check_count("inputs", x.size(), t.input_count());
    check_count("labels", y.size(), t.label_count());
    std::vector<numeric> args = w;
    args.insert(args.end(), x.begin(), x.end());
    args.insert(args.end(), y.begin(), y.end());
    for (std::size_t i = 0; i < args.size(); ++i)
        if (!args[i].is_real())
            throw invalid_input("evaluate_tape_numeric: the value of " + t.describe(i) +
                                " is not a real number");
    long precision = digits + 10;
    auto run = [&](long p) {
        precision_guard guard(p);
        return run_numeric(t, args);
    };
    std::vector<numeric> previous = run(precision);
    for (int round = 0; round < 5; ++round) {
        precision *= 2;
        std::vector<numeric> next = run(precision);
        bool same = true;
        for (std::size_t k = 0; k < next.size() && same; ++k)
            same = agree(previous[k], next[k], digits + 1);
        if (same)
            return next;
        previous = std::move(next);
    }
    return previous;
}

std::vector<numeric> evaluate_tape_numeric(const tape& t, const GiNaC::exmap& point, long digits) {
    std::vector<std::string> missing;
    auto values = [&](const GiNaC::exvector& symbols) {
        std::vector<numeric> out;
        for (const auto& s : symbols) {
            auto it = point.find(s);
            if (it == point.end()) {
                missing.push_back(symbol_name(s));
                continue;
            }
            ex v = it->second;
            if (!GiNaC::is_exactly_a<numeric>(v))
                v = v.evalf();
            if (!GiNaC::is_exactly_a<numeric>(v) || !GiNaC::ex_to<numeric>(v).is_real())
                throw invalid_input("evaluate_tape_numeric: the value of " + symbol_name(s) +
                                    " is not a real number");
            out.push_back(GiNaC::ex_to<numeric>(v));
        }
        return out;
    };
    auto w = values(t.layout().weights);
    auto x = values(t.layout().inputs);
    auto y = values(t.layout().labels);
    if (!missing.empty())
        throw unbound_symbols("evaluate_tape_numeric", std::move(missing));
    return evaluate_tape_numeric(t, w, x, y, digits);
}

double evaluate_as_compiled(const GiNaC::ex& e, const GiNaC::exmap& point,
                            const std::string& where) {
    argument_layout layout;
    std::vector<double> values;
    bool bound = true;
    for (const auto& s : free_symbols(e)) {
        auto it = point.find(s);
        if (it == point.end() || !GiNaC::is_exactly_a<GiNaC::numeric>(it->second)) {
            bound = false;
            break;
        }
        layout.labels.push_back(s);
        values.push_back(GiNaC::ex_to<GiNaC::numeric>(it->second).to_double());
    }
    if (bound) {
        try {
            const tape t = compile_tape({e}, layout);
            std::vector<double> registers(t.register_count()), out(1);
            run_point(t, nullptr, nullptr, values.data(), registers.data(), out.data());
            if (std::isfinite(out[0]))
                return out[0];
        } catch (const error&) {
            // evaluate_double below says what is wrong
        }
    }
    return evaluate_double(e, to_double_point(point), where);
}

} // namespace symgrad
