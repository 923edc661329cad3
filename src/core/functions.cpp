// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/functions.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/expression_walk.hpp"
#include "symgrad/core/size_limits.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

namespace symgrad {

using GiNaC::ex;
using GiNaC::exvector;
using GiNaC::info_flags;
using GiNaC::numeric;

namespace {

// ---------------------------------------------------------------------------------------------
// Helpers shared by the eval/evalf rules.

/// A floating-point number (as opposed to an exact rational): GiNaC's cue to evaluate numerically.
bool is_float(const ex& x) {
    return GiNaC::is_exactly_a<numeric>(x) && !x.info(info_flags::crational);
}

bool is_real_number(const ex& x) {
    return GiNaC::is_exactly_a<numeric>(x) && GiNaC::ex_to<numeric>(x).is_real();
}

bool all_numeric(const exvector& v, std::size_t from = 0) {
    return std::all_of(v.begin() + static_cast<std::ptrdiff_t>(from), v.end(),
                       [](const ex& x) { return GiNaC::is_exactly_a<numeric>(x); });
}

bool any_float(const exvector& v, std::size_t from = 0) {
    return std::any_of(v.begin() + static_cast<std::ptrdiff_t>(from), v.end(), is_float);
}

bool all_real_numbers(const exvector& v, std::size_t from = 0) {
    return std::all_of(v.begin() + static_cast<std::ptrdiff_t>(from), v.end(), is_real_number);
}

bool all_equal(const exvector& v, std::size_t from = 0) {
    for (std::size_t i = from + 1; i < v.size(); ++i)
        if (!v[i].is_equal(v[from]))
            return false;
    return true;
}

const numeric& num(const ex& x) {
    return GiNaC::ex_to<numeric>(x);
}

/// The largest of real numbers v[from..].
numeric max_of(const exvector& v, std::size_t from) {
    numeric m = num(v[from]);
    for (std::size_t i = from + 1; i < v.size(); ++i)
        if (num(v[i]) > m)
            m = num(v[i]);
    return m;
}

std::string show(const ex& e) {
    std::ostringstream os;
    os << e;
    return os.str();
}

/// A non-negative integer index from an expression, or a clear error naming the function.
std::size_t index_from(const ex& k, std::size_t count, const char* where, const char* what) {
    // evalf() turns every argument into a float, the index too: accept integral floats.
    if (is_float(k) && num(k).is_real()) {
        const double v = num(k).to_double();
        if (v >= 0 && v < 1e9 && std::floor(v) == v && num(k) == numeric(static_cast<long>(v)))
            return index_from(numeric(static_cast<long>(v)), count, where, what);
    }
    if (!k.info(info_flags::nonnegint))
        throw invalid_input(std::string(where) + ": the " + what + " must be an integer 0.." +
                            std::to_string(count - 1) + ", got " + show(k));
    const numeric& n = num(k);
    if (n >= numeric(static_cast<long>(count)))
        throw invalid_input(std::string(where) + ": the " + what + " " + show(k) +
                            " is outside 0.." + std::to_string(count - 1));
    return static_cast<std::size_t>(n.to_long());
}

void print_args(const exvector& v, std::size_t from, const GiNaC::print_context& c) {
    for (std::size_t i = from; i < v.size(); ++i) {
        if (i > from)
            c.s << (GiNaC::is_a<GiNaC::print_latex>(c) ? ", " : ",");
        v[i].print(c);
    }
}

bool info_real_args(const exvector& v, std::size_t from) {
    return std::all_of(v.begin() + static_cast<std::ptrdiff_t>(from), v.end(),
                       [](const ex& x) { return x.info(info_flags::real); });
}

// ---------------------------------------------------------------------------------------------
// sigmoid

ex sigmoid_evalf(const exvector& a) {
    if (!GiNaC::is_exactly_a<numeric>(a[0]))
        return sigmoid(a[0]).hold();
    const numeric& x = num(a[0]);
    if (!x.is_real())
        return 1 / (1 + GiNaC::exp(-x));
    // Never exp of a large positive number: exp(-|x|) is in (0, 1].
    if (x >= 0)
        return 1 / (1 + GiNaC::exp(-x));
    const numeric e = GiNaC::exp(x);
    return e / (1 + e);
}

ex sigmoid_eval(const exvector& a) {
    if (a[0].is_zero())
        return GiNaC::numeric(1, 2);
    if (is_float(a[0]))
        return sigmoid_evalf(a);
    // sigmoid(q log r) = 1/(1 + r^-q): exact where r^-q is rational (sigmoid(log 3) = 3/4).
    numeric q, r;
    // Not when r^-q is too big to compute (q log r with q = 10^600 came from a held power).
    if (rational_log_multiple(a[0], q, r) && q.is_integer() &&
        exact_power_bits(r, -q) <= max_exact_bits() && exponent_bits(q) <= max_exponent_bits)
        return 1 / (1 + GiNaC::pow(r, -q));
    return sigmoid(a[0]).hold();
}

ex sigmoid_deriv(const exvector& a, unsigned) {
    const ex s = sigmoid(a[0]);
    return s * (1 - s);
}

bool sigmoid_info(const exvector& a, unsigned inf) {
    switch (inf) {
    case info_flags::real:
    case info_flags::positive:
    case info_flags::nonnegative:
        return a[0].info(info_flags::real);
    default:
        return false;
    }
}

// ---------------------------------------------------------------------------------------------
// softplus

/// log(1 + e) for a float 0 <= e <= 1 at the current precision: the series sum_k (-1)^(k+1)
/// e^k / k where e is small (1 + e would lose e's digits), log(1 + e) otherwise.
numeric log1p_small(const numeric& e) {
    if (e > numeric(1, 1024))
        return GiNaC::ex_to<numeric>(GiNaC::log(1 + e));
    const numeric eps = GiNaC::ex_to<numeric>(
        GiNaC::pow(numeric(10), -static_cast<long>(GiNaC::Digits) - 5).evalf());
    numeric sum = 0, power = e;
    for (long k = 1; k < 100000; ++k) {
        const numeric term = power / k;
        sum += k % 2 ? term : numeric(-term);
        if (GiNaC::abs(term) <= eps * GiNaC::abs(sum))
            break;
        power *= e;
    }
    return sum;
}

ex softplus_evalf(const exvector& a) {
    if (!GiNaC::is_exactly_a<numeric>(a[0]))
        return softplus(a[0]).hold();
    const numeric& x = num(a[0]);
    if (!x.is_real())
        return GiNaC::log(1 + GiNaC::exp(x));
    // softplus(x) = max(x, 0) + log(1 + exp(-|x|)): no overflow for large |x|, and log1p's
    // series where 1 + e^-|x| would round to 1 (softplus(-255) is e^-255, not 0).
    const numeric e = GiNaC::exp(x > 0 ? numeric(-x) : x);
    const numeric tail = log1p_small(e);
    return x > 0 ? ex(x + tail) : ex(tail);
}

ex softplus_eval(const exvector& a) {
    if (a[0].is_zero())
        return GiNaC::log(ex(2));
    if (is_float(a[0]))
        return softplus_evalf(a);
    return softplus(a[0]).hold();
}

ex softplus_deriv(const exvector& a, unsigned) {
    return sigmoid(a[0]);
}

bool softplus_info(const exvector& a, unsigned inf) {
    return sigmoid_info(a, inf); // softplus is real and > 0 wherever its argument is real
}

// ---------------------------------------------------------------------------------------------
// relu

ex relu_eval(const exvector& a) {
    if (is_real_number(a[0]))
        return num(a[0]) > 0 ? a[0] : (is_float(a[0]) ? ex(numeric(0.0)) : ex(0));
    if (a[0].info(info_flags::nonnegative))
        return a[0];
    return relu(a[0]).hold();
}

ex relu_evalf(const exvector& a) {
    if (is_real_number(a[0]))
        return num(a[0]) > 0 ? a[0] : ex(0);
    return relu(a[0]).hold();
}

ex relu_deriv(const exvector& a, unsigned) {
    return GiNaC::step(a[0]);
}

bool relu_info(const exvector& a, unsigned inf) {
    switch (inf) {
    case info_flags::real:
    case info_flags::nonnegative:
        return a[0].info(info_flags::real);
    default:
        return false;
    }
}

void relu_print_latex(const exvector& a, const GiNaC::print_context& c) {
    c.s << "\\operatorname{ReLU}\\left(";
    a[0].print(c);
    c.s << "\\right)";
}

// ---------------------------------------------------------------------------------------------
// logloss(p, y)

ex logloss_formula(const ex& p, const ex& y) {
    if (y.is_zero())
        return -GiNaC::log(1 - p);
    if (y.is_equal(1))
        return -GiNaC::log(p);
    return -(y * GiNaC::log(p) + (1 - y) * GiNaC::log(1 - p));
}

ex logloss_evalf(const exvector& a) {
    if (!all_numeric(a))
        return logloss(a[0], a[1]).hold();
    return logloss_formula(a[0], a[1]).evalf();
}

ex logloss_eval(const exvector& a) {
    // A known label selects one branch: logloss(p, 1) = -log p, logloss(p, 0) = -log(1 - p).
    if (a[1].is_zero() || a[1].is_equal(1) || all_numeric(a)) {
        if (any_float(a))
            return logloss_evalf(a);
        return logloss_formula(a[0], a[1]);
    }
    return logloss(a[0], a[1]).hold();
}

ex logloss_deriv(const exvector& a, unsigned param) {
    const ex& p = a[0];
    const ex& y = a[1];
    if (param == 0)
        return (p - y) / (p * (1 - p));
    return GiNaC::log(1 - p) - GiNaC::log(p);
}

bool logloss_info(const exvector&, unsigned inf) {
    return inf == info_flags::real;
}

void logloss_print_latex(const exvector& a, const GiNaC::print_context& c) {
    c.s << "\\operatorname{logloss}\\left(";
    print_args(a, 0, c);
    c.s << "\\right)";
}

// ---------------------------------------------------------------------------------------------
// indicator(y, k) = [y = k]

ex indicator_eval(const exvector& a) {
    if (a[0].is_equal(a[1]))
        return 1;
    if (GiNaC::is_exactly_a<numeric>(a[0]) && GiNaC::is_exactly_a<numeric>(a[1]))
        return num(a[0]) == num(a[1]) ? 1 : 0;
    return indicator(a[0], a[1]).hold();
}

ex indicator_deriv(const exvector&, unsigned) {
    return 0;
}

bool indicator_info(const exvector&, unsigned inf) {
    return inf == info_flags::real || inf == info_flags::nonnegative ||
           inf == info_flags::integer || inf == info_flags::nonnegint;
}

void indicator_print_latex(const exvector& a, const GiNaC::print_context& c) {
    c.s << "\\left[";
    a[0].print(c);
    c.s << " = ";
    a[1].print(c);
    c.s << "\\right]";
}

// ---------------------------------------------------------------------------------------------
// Variadic families: logsumexp(z...), softmax(k, z...), crossentropy(y, p...). GiNaC functions
// have a fixed number of parameters, so each family is registered once per arity (on demand),
// all arities sharing the same rules through the exvector interface.

struct family {
    const char* name;
    ml_function kind;
    std::size_t fixed_args; // arguments before the vector: 0, or 1 for the index/label
    GiNaC::function_options (*options)(unsigned nparams);
    std::map<std::size_t, unsigned> serial_by_nargs;
};

std::shared_mutex& registry_mutex() {
    static std::shared_mutex m;
    return m;
}

/// ml_function by GiNaC serial, for every function symgrad registered.
std::map<unsigned, ml_function>& kind_by_serial() {
    static std::map<unsigned, ml_function> table;
    return table;
}

family& logsumexp_family();
family& softmax_family();
family& crossentropy_family();

unsigned serial_for(family& f, std::size_t nargs) {
    {
        std::shared_lock lock(registry_mutex());
        if (auto it = f.serial_by_nargs.find(nargs); it != f.serial_by_nargs.end())
            return it->second;
    }
    std::unique_lock lock(registry_mutex());
    if (auto it = f.serial_by_nargs.find(nargs); it != f.serial_by_nargs.end())
        return it->second;
    const unsigned serial =
        GiNaC::function::register_new(f.options(static_cast<unsigned>(nargs)).overloaded(1u << 20));
    f.serial_by_nargs.emplace(nargs, serial);
    kind_by_serial().emplace(serial, f.kind);
    return serial;
}

/// The function application, marked as evaluated (what an eval rule returns when it has no
/// simplification to make).
ex held(family& f, const exvector& args) {
    return GiNaC::function(serial_for(f, args.size()), args).hold();
}

ex make_variadic(family& f, exvector args) {
    const std::size_t nargs = args.size();
    return GiNaC::function(serial_for(f, nargs), std::move(args));
}

// logsumexp ----------------------------------------------------------------------------------

ex logsumexp_evalf(const exvector& z) {
    if (!all_numeric(z))
        return held(logsumexp_family(), z);
    if (!all_real_numbers(z)) {
        numeric s = 0;
        for (const auto& x : z)
            s += GiNaC::exp(num(x));
        return GiNaC::log(s);
    }
    // m + log(sum exp(z_j - m)): every exponent is <= 0.
    const numeric m = max_of(z, 0);
    numeric s = 0;
    for (const auto& x : z)
        s += GiNaC::exp(num(x) - m);
    return m + GiNaC::log(s);
}

ex logsumexp_eval(const exvector& z) {
    if (z.size() == 1)
        return z[0];
    if (all_equal(z))
        return z[0] + GiNaC::log(ex(static_cast<long>(z.size())));
    if (all_numeric(z) && any_float(z))
        return logsumexp_evalf(z);
    return held(logsumexp_family(), z);
}

ex logsumexp_deriv(const exvector& z, unsigned l) {
    return softmax(l, z);
}

bool logsumexp_info(const exvector& z, unsigned inf) {
    return inf == info_flags::real && info_real_args(z, 0);
}

void logsumexp_print_latex(const exvector& z, const GiNaC::print_context& c) {
    c.s << "\\operatorname{logsumexp}\\left(";
    print_args(z, 0, c);
    c.s << "\\right)";
}

GiNaC::function_options logsumexp_options(unsigned n) {
    return GiNaC::function_options("logsumexp", n)
        .eval_func(logsumexp_eval)
        .evalf_func(logsumexp_evalf)
        .derivative_func(logsumexp_deriv)
        .info_func(logsumexp_info)
        .print_func<GiNaC::print_latex>(logsumexp_print_latex);
}

family& logsumexp_family() {
    static family f{"logsumexp", ml_function::logsumexp, 0, logsumexp_options, {}};
    return f;
}

// softmax(k, z...) ---------------------------------------------------------------------------

exvector logits_of(const exvector& a) {
    return exvector(a.begin() + 1, a.end());
}

ex softmax_evalf(const exvector& a) {
    if (!all_numeric(a))
        return held(softmax_family(), a);
    const std::size_t k = index_from(a[0], a.size() - 1, "softmax", "component index");
    const exvector z = logits_of(a);
    if (!all_real_numbers(z)) {
        numeric s = 0;
        for (const auto& x : z)
            s += GiNaC::exp(num(x));
        return GiNaC::exp(num(z[k])) / s;
    }
    const numeric m = max_of(z, 0);
    numeric s = 0;
    for (const auto& x : z)
        s += GiNaC::exp(num(x) - m);
    return GiNaC::exp(num(z[k]) - m) / s;
}

ex softmax_eval(const exvector& a) {
    const std::size_t count = a.size() - 1;
    index_from(a[0], count, "softmax", "component index");
    if (count == 1)
        return 1;
    if (all_equal(a, 1))
        return numeric(1, static_cast<long>(count));
    if (all_numeric(a, 1) && any_float(a, 1))
        return softmax_evalf(a);
    return held(softmax_family(), a);
}

ex softmax_deriv(const exvector& a, unsigned param) {
    if (param == 0)
        return 0; // the component index is not a variable
    const std::size_t k = index_from(a[0], a.size() - 1, "softmax", "component index");
    const std::size_t l = param - 1;
    const exvector z = logits_of(a);
    const ex sk = softmax(k, z);
    return sk * ((k == l ? 1 : 0) - softmax(l, z));
}

bool softmax_info(const exvector& a, unsigned inf) {
    switch (inf) {
    case info_flags::real:
    case info_flags::positive:
    case info_flags::nonnegative:
        return info_real_args(a, 1);
    default:
        return false;
    }
}

void softmax_print_latex(const exvector& a, const GiNaC::print_context& c) {
    c.s << "\\operatorname{softmax}_{";
    a[0].print(c);
    c.s << "}\\left(";
    print_args(a, 1, c);
    c.s << "\\right)";
}

GiNaC::function_options softmax_options(unsigned n) {
    return GiNaC::function_options("softmax", n)
        .eval_func(softmax_eval)
        .evalf_func(softmax_evalf)
        .derivative_func(softmax_deriv)
        .info_func(softmax_info)
        .print_func<GiNaC::print_latex>(softmax_print_latex);
}

family& softmax_family() {
    static family f{"softmax", ml_function::softmax, 1, softmax_options, {}};
    return f;
}

// crossentropy(y, p...) ----------------------------------------------------------------------

ex crossentropy_evalf(const exvector& a) {
    if (!all_numeric(a))
        return held(crossentropy_family(), a);
    const std::size_t y = index_from(a[0], a.size() - 1, "crossentropy", "class label");
    return -GiNaC::log(num(a[y + 1]));
}

ex crossentropy_eval(const exvector& a) {
    if (GiNaC::is_exactly_a<numeric>(a[0])) {
        const std::size_t y = index_from(a[0], a.size() - 1, "crossentropy", "class label");
        return -GiNaC::log(a[y + 1]);
    }
    return held(crossentropy_family(), a);
}

ex crossentropy_deriv(const exvector& a, unsigned param) {
    if (param == 0)
        return 0; // the label is data
    const long k = static_cast<long>(param) - 1;
    return -indicator(a[0], k) / a[param];
}

bool crossentropy_info(const exvector&, unsigned inf) {
    return inf == info_flags::real;
}

void crossentropy_print(const exvector& a, const GiNaC::print_context& c) {
    const bool latex = GiNaC::is_a<GiNaC::print_latex>(c);
    c.s << (latex ? "\\operatorname{CE}\\left(\\left\\{" : "crossentropy({");
    print_args(a, 1, c);
    c.s << (latex ? "\\right\\}, " : "},");
    a[0].print(c);
    c.s << (latex ? "\\right)" : ")");
}

GiNaC::function_options crossentropy_options(unsigned n) {
    return GiNaC::function_options("crossentropy", n)
        .eval_func(crossentropy_eval)
        .evalf_func(crossentropy_evalf)
        .derivative_func(crossentropy_deriv)
        .info_func(crossentropy_info)
        .print_func<GiNaC::print_dflt>(crossentropy_print)
        .print_func<GiNaC::print_latex>(crossentropy_print);
}

family& crossentropy_family() {
    static family f{"crossentropy", ml_function::crossentropy, 1, crossentropy_options, {}};
    return f;
}

/// When p is exactly (softmax(0, z), ..., softmax(K-1, z)), its logits z.
bool softmax_logits(const exvector& p, exvector& z) {
    if (p.empty())
        return false;
    for (std::size_t k = 0; k < p.size(); ++k) {
        if (ml_function_of(p[k]) != ml_function::softmax || p[k].nops() != p.size() + 1)
            return false;
        if (!p[k].op(0).is_equal(static_cast<long>(k)))
            return false;
        for (std::size_t j = 0; j < p.size(); ++j)
            if (!p[k].op(j + 1).is_equal(p[0].op(j + 1)))
                return false;
    }
    z.clear();
    for (std::size_t j = 0; j < p.size(); ++j)
        z.push_back(p[0].op(j + 1));
    return true;
}

} // namespace

bool rational_log_multiple(const ex& e, numeric& q, numeric& r) {
    ex l = e;
    q = 1;
    if (GiNaC::is_exactly_a<GiNaC::mul>(e) && e.nops() == 2 &&
        GiNaC::is_exactly_a<numeric>(e.op(1)) && num(e.op(1)).is_rational()) {
        l = e.op(0);
        q = num(e.op(1));
    }
    if (!GiNaC::is_the_function<GiNaC::log_SERIAL>(l) || !GiNaC::is_exactly_a<numeric>(l.op(0)))
        return false;
    r = num(l.op(0));
    return r.is_rational() && r.is_positive();
}

// ---------------------------------------------------------------------------------------------
// Fixed-arity functions.

REGISTER_FUNCTION(sigmoid, eval_func(sigmoid_eval)
                               .evalf_func(sigmoid_evalf)
                               .derivative_func(sigmoid_deriv)
                               .info_func(sigmoid_info)
                               .latex_name("\\sigma"))

REGISTER_FUNCTION(softplus, eval_func(softplus_eval)
                                .evalf_func(softplus_evalf)
                                .derivative_func(softplus_deriv)
                                .info_func(softplus_info)
                                .latex_name("\\operatorname{softplus}"))

REGISTER_FUNCTION(relu, eval_func(relu_eval)
                            .evalf_func(relu_evalf)
                            .derivative_func(relu_deriv)
                            .info_func(relu_info)
                            .print_func<GiNaC::print_latex>(relu_print_latex))

REGISTER_FUNCTION(logloss, eval_func(logloss_eval)
                               .evalf_func(logloss_evalf)
                               .derivative_func(logloss_deriv)
                               .info_func(logloss_info)
                               .print_func<GiNaC::print_latex>(logloss_print_latex))

REGISTER_FUNCTION(indicator, eval_func(indicator_eval)
                                 .derivative_func(indicator_deriv)
                                 .info_func(indicator_info)
                                 .print_func<GiNaC::print_latex>(indicator_print_latex))

namespace {

// ---------------------------------------------------------------------------------------------
// Derivatives of GiNaC's own piecewise functions. GiNaC registers step and csgn without a
// derivative (so diff gives the unevaluated D[0](step)(x), which evaluates as if it were step)
// and abs with the complex rule (x + conj(x))/(2|x|). symgrad's variables are real: every one
// of them is constant on each side of its switch point 0, where it is not differentiable.

/// Access to GiNaC's table of registered functions (a protected static of GiNaC::function).
struct ginac_function_table : GiNaC::function {
    static GiNaC::function_options& options(unsigned serial) {
        return registered_functions()[serial];
    }
};

// step'(u) = 0 and csgn'(u) = 0 for u != 0.
ex zero_almost_everywhere(const ex&, unsigned) {
    return 0;
}

// |u|' = csgn(u) for real u != 0.
ex abs_real_derivative(const ex& u, unsigned) {
    return GiNaC::csgn(u);
}

void register_piecewise_derivatives() {
    ginac_function_table::options(GiNaC::step_SERIAL::serial)
        .derivative_func(zero_almost_everywhere);
    ginac_function_table::options(GiNaC::csgn_SERIAL::serial)
        .derivative_func(zero_almost_everywhere);
    // The explicit (complex) rule takes precedence over the chain rule: remove it.
    ginac_function_table::options(GiNaC::abs_SERIAL::serial)
        .expl_derivative_func(static_cast<GiNaC::expl_derivative_funcp_1>(nullptr))
        .derivative_func(abs_real_derivative);
}

/// Fill the serial -> kind table for the fixed functions and pre-register small arities of the
/// variadic ones (so that the common cases never register while other threads evaluate).
bool register_all() {
    register_piecewise_derivatives();
    {
        std::unique_lock lock(registry_mutex());
        auto& t = kind_by_serial();
        t[sigmoid_SERIAL::serial] = ml_function::sigmoid;
        t[softplus_SERIAL::serial] = ml_function::softplus;
        t[relu_SERIAL::serial] = ml_function::relu;
        t[logloss_SERIAL::serial] = ml_function::logloss;
        t[indicator_SERIAL::serial] = ml_function::indicator;
    }
    for (std::size_t k = 1; k <= 8; ++k) {
        serial_for(logsumexp_family(), k);
        serial_for(softmax_family(), k + 1);
        serial_for(crossentropy_family(), k + 1);
    }
    return true;
}
const bool registered = register_all();
} // namespace

void register_ml_functions() {
    (void)registered;
}

ml_function ml_function_of(const ex& e) {
    if (!GiNaC::is_exactly_a<GiNaC::function>(e))
        return ml_function::none;
    const unsigned serial = GiNaC::ex_to<GiNaC::function>(e).get_serial();
    std::shared_lock lock(registry_mutex());
    const auto& t = kind_by_serial();
    auto it = t.find(serial);
    return it == t.end() ? ml_function::none : it->second;
}

std::string_view ml_function_name(ml_function f) {
    switch (f) {
    case ml_function::sigmoid:
        return "sigmoid";
    case ml_function::softplus:
        return "softplus";
    case ml_function::relu:
        return "relu";
    case ml_function::logloss:
        return "logloss";
    case ml_function::indicator:
        return "indicator";
    case ml_function::logsumexp:
        return "logsumexp";
    case ml_function::softmax:
        return "softmax";
    case ml_function::crossentropy:
        return "crossentropy";
    case ml_function::none:
        break;
    }
    return "";
}

exvector switch_arguments(const ex& e) {
    exvector out;
    for (auto it = e.preorder_begin(); it != e.preorder_end(); ++it) {
        const ex& n = *it;
        const bool piecewise = GiNaC::is_the_function<GiNaC::step_SERIAL>(n) ||
                               GiNaC::is_the_function<GiNaC::csgn_SERIAL>(n) ||
                               GiNaC::is_the_function<GiNaC::abs_SERIAL>(n) ||
                               ml_function_of(n) == ml_function::relu;
        if (!piecewise || GiNaC::is_exactly_a<numeric>(n.op(0)))
            continue;
        // u = 0 and -u = 0 are one point.
        if (std::none_of(out.begin(), out.end(), [&](const ex& u) {
                return u.is_equal(n.op(0)) || (u + n.op(0)).expand().is_zero();
            }))
            out.push_back(n.op(0));
    }
    return out;
}

std::vector<class_label> class_labels(const ex& e) {
    std::vector<class_label> out;
    auto add = [&](const ex& y, std::size_t k) {
        for (auto& c : out)
            if (c.label.is_equal(y)) {
                c.classes = std::max(c.classes, k);
                return;
            }
        out.push_back({y, k});
    };
    // Per label, the k of its indicators [y = k]; and the argument lists of the logsumexps.
    std::vector<std::pair<ex, std::vector<long>>> compared;
    std::vector<exvector> sums;
    for_each_subexpression(e, [&](const ex& n) {
        switch (ml_function_of(n)) {
        case ml_function::crossentropy:
            if (!GiNaC::is_exactly_a<numeric>(n.op(0)))
                add(n.op(0), n.nops() - 1);
            break;
        case ml_function::logsumexp:
            sums.emplace_back(n.begin(), n.end());
            break;
        case ml_function::indicator: {
            if (GiNaC::is_exactly_a<numeric>(n.op(0)) || !n.op(1).info(info_flags::nonnegint))
                break;
            const long k = num(n.op(1)).to_long();
            auto c = std::find_if(compared.begin(), compared.end(),
                                  [&](const auto& p) { return p.first.is_equal(n.op(0)); });
            if (c == compared.end())
                compared.push_back({n.op(0), {k}});
            else if (std::find(c->second.begin(), c->second.end(), k) == c->second.end())
                c->second.push_back(k);
            break;
        }
        case ml_function::none:
        case ml_function::sigmoid:
        case ml_function::softplus:
        case ml_function::relu:
        case ml_function::logloss:
        case ml_function::softmax:
            break;
        }
    });
    for (auto& [y, ks] : compared) {
        std::sort(ks.begin(), ks.end());
        for (const auto& z : sums) {
            std::vector<long> nonzero;
            for (std::size_t k = 0; k < z.size(); ++k)
                if (!z[k].is_zero())
                    nonzero.push_back(static_cast<long>(k));
            if (nonzero == ks)
                add(y, z.size());
        }
    }
    return out;
}

void check_class_labels(const ex& e, const GiNaC::exmap& point, const std::string& where) {
    for (const auto& c : class_labels(e)) {
        const ex v = c.label.subs(point);
        if (!GiNaC::is_exactly_a<numeric>(v))
            continue;
        if (v.info(info_flags::nonnegint) && num(v) < numeric(static_cast<long>(c.classes)))
            continue;
        const std::string name = GiNaC::is_a<GiNaC::symbol>(c.label)
                                     ? show(c.label) + " = " + show(v)
                                     : "the label " + show(c.label) + " = " + show(v);
        throw invalid_input(where + ": " + name + " is not a class: the cross-entropy over " +
                            std::to_string(c.classes) + " classes takes the labels 0.." +
                            std::to_string(c.classes - 1) + " (classes are 0-based)");
    }
}

std::size_t softmax_index(const ex& e) {
    if (ml_function_of(e) != ml_function::softmax)
        throw invalid_input("softmax_index: not a softmax component");
    return index_from(e.op(0), e.nops() - 1, "softmax", "component index");
}

ex logsumexp(const exvector& z) {
    if (z.empty())
        throw invalid_input("logsumexp: needs at least one argument");
    return make_variadic(logsumexp_family(), z);
}

ex softmax(std::size_t k, const exvector& z) {
    if (z.empty())
        throw invalid_input("softmax: needs at least one logit");
    if (k >= z.size())
        throw invalid_input("softmax: component " + std::to_string(k) + " is outside 0.." +
                            std::to_string(z.size() - 1));
    exvector args;
    args.reserve(z.size() + 1);
    args.push_back(static_cast<long>(k));
    args.insert(args.end(), z.begin(), z.end());
    return make_variadic(softmax_family(), std::move(args));
}

exvector softmax(const exvector& z) {
    exvector out;
    for (std::size_t k = 0; k < z.size(); ++k)
        out.push_back(softmax(k, z));
    return out;
}

ex crossentropy_with_logits(const exvector& z, const ex& y) {
    if (z.empty())
        throw invalid_input("crossentropy: needs at least one class");
    if (GiNaC::is_exactly_a<numeric>(y))
        return logsumexp(z) - z[index_from(y, z.size(), "crossentropy", "class label")];
    ex picked = 0;
    for (std::size_t k = 0; k < z.size(); ++k)
        picked += indicator(y, static_cast<long>(k)) * z[k];
    return logsumexp(z) - picked;
}

ex crossentropy(const exvector& p, const ex& y) {
    if (p.empty())
        throw invalid_input("crossentropy: needs at least one class probability");
    exvector z;
    if (softmax_logits(p, z))
        return crossentropy_with_logits(z, y);
    exvector args;
    args.reserve(p.size() + 1);
    args.push_back(y);
    args.insert(args.end(), p.begin(), p.end());
    return make_variadic(crossentropy_family(), std::move(args));
}

ex crossentropy(const exvector& p, const exvector& target) {
    if (p.size() != target.size())
        throw shape_error("crossentropy: " + std::to_string(p.size()) +
                          " probabilities but a target of " + std::to_string(target.size()) +
                          " components");
    exvector z;
    ex total_weight = 0, picked = 0;
    if (softmax_logits(p, z)) {
        for (std::size_t k = 0; k < z.size(); ++k) {
            total_weight += target[k];
            picked += target[k] * z[k];
        }
        return logsumexp(z) * total_weight - picked;
    }
    ex sum = 0;
    for (std::size_t k = 0; k < p.size(); ++k)
        sum -= target[k] * GiNaC::log(p[k]);
    return sum;
}

namespace {

bool is_conjugate(const ex& e) {
    return GiNaC::is_the_function<GiNaC::conjugate_function_SERIAL>(e);
}

/// A factor without its conjugate: conjugate(u) -> u, conjugate(u)^k -> u^k; null when there
/// is none.
std::optional<ex> unconjugated_factor(const ex& f) {
    if (is_conjugate(f))
        return f.op(0);
    if (GiNaC::is_exactly_a<GiNaC::power>(f) && is_conjugate(f.op(0)))
        return GiNaC::pow(f.op(0).op(0), f.op(1));
    return std::nullopt;
}

/// Applies @p f to each operand (GiNaC copies the object only when one changes).
template <class F> struct each_operand : GiNaC::map_function {
    explicit each_operand(F f) : f_(std::move(f)) {}
    ex operator()(const ex& x) override { return f_(x); }
    F f_;
};

/// A product (or a single factor) without its conjugates.
ex unconjugated_product(const ex& e) {
    auto factor = [](const ex& f) { return unconjugated_factor(f).value_or(f); };
    if (!GiNaC::is_exactly_a<GiNaC::mul>(e))
        return factor(e);
    each_operand<decltype(factor)> each(factor);
    return e.map(each);
}

} // namespace

ex without_conjugates(const ex& e) {
    if (!GiNaC::is_exactly_a<GiNaC::add>(e))
        return unconjugated_product(e);
    auto term = [](const ex& t) { return unconjugated_product(t); };
    each_operand<decltype(term)> each(term);
    return e.map(each);
}

} // namespace symgrad
