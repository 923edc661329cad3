// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/enclosure.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/functions.hpp"
#include "symgrad/core/object_identity.hpp"
#include "symgrad/core/printers.hpp"
#include "symgrad/core/stable_forms.hpp"

#include <arb.h>
#include <cln/float.h>
#include <cln/integer.h>
#include <cln/integer_io.h>
#include <cln/rational.h>
#include <cln/real.h>
#include <flint/fmpq.h>
#include <flint/fmpz.h>

#include <cmath>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <unordered_map>
#include <utility>
#include <vector>

namespace symgrad {

using GiNaC::ex;
using GiNaC::numeric;

namespace {

arb_ptr as_arb(void* p) {
    return static_cast<arb_ptr>(p);
}

/// An fmpz with RAII.
struct big_integer {
    fmpz_t v;
    big_integer() { fmpz_init(v); }
    ~big_integer() { fmpz_clear(v); }
    big_integer(const big_integer&) = delete;
    big_integer& operator=(const big_integer&) = delete;
};

void set_integer(fmpz_t out, const cln::cl_I& i) {
    if (cln::integer_length(i) < 62) {
        fmpz_set_si(out, cln::cl_I_to_long(i));
        return;
    }
    // 64 bits at a time: through decimal text, a 5-million-digit integer took seconds, and a
    // verdict past its budget.
    const bool negative = cln::minusp(i);
    const cln::cl_I m = negative ? cln::cl_I(-i) : i;
    const std::size_t words = (cln::integer_length(m) + 63) / 64;
    std::vector<ulong> limbs(words);
    for (std::size_t w = 0; w < words; ++w)
        limbs[w] = cln::cl_I_to_UQ(cln::ldb(m, cln::cl_byte(64, 64 * w)));
    fmpz_set_ui_array(out, limbs.data(), static_cast<slong>(words));
    if (negative)
        fmpz_neg(out, out);
}

cln::cl_I integer_of(const fmpz_t v) {
    if (fmpz_fits_si(v))
        return cln::cl_I(static_cast<long>(fmpz_get_si(v)));
    char* s = fmpz_get_str(nullptr, 10, v);
    const bool negative = s[0] == '-';
    const std::size_t begin = negative ? 1 : 0;
    const cln::cl_I magnitude = cln::read_integer(10, 0, s, begin, std::strlen(s));
    flint_free(s);
    return negative ? -magnitude : magnitude;
}

/// CLN's floats have binary exponents below 2^62 in magnitude (exp(10^18), 2^(1.44*10^18), is
/// still one; exp(10^19) is not).
constexpr std::size_t max_cln_exponent_bits = 62;

/// The exact rational value of a real numeric (a float is the dyadic rational it stores).
cln::cl_RA rational_of(const numeric& n) {
    return cln::rational(cln::the<cln::cl_R>(n.to_cl_N())); // exact, also for a float
}

} // namespace

// ---------------------------------------------------------------------------------------------
// real_ball

void real_ball::deleter::operator()(void* p) const {
    if (p != nullptr) {
        arb_clear(as_arb(p));
        delete as_arb(p);
    }
}

real_ball::real_ball() : data_(new arb_struct) {
    arb_init(as_arb(data_.get()));
}

real_ball::~real_ball() = default;

real_ball::real_ball(const real_ball& other) : real_ball() {
    arb_set(as_arb(data_.get()), as_arb(other.raw()));
}

real_ball& real_ball::operator=(const real_ball& other) {
    if (this != &other)
        arb_set(as_arb(data_.get()), as_arb(other.raw()));
    return *this;
}

real_ball::real_ball(real_ball&& other) noexcept : real_ball() {
    arb_swap(as_arb(data_.get()), as_arb(other.raw()));
}

real_ball& real_ball::operator=(real_ball&& other) noexcept {
    arb_swap(as_arb(data_.get()), as_arb(other.raw()));
    return *this;
}

real_ball real_ball::from_numeric(const numeric& q, long precision_bits) {
    real_ball out;
    const cln::cl_RA r = rational_of(q);
    big_integer num, den;
    set_integer(num.v, cln::numerator(r));
    set_integer(den.v, cln::denominator(r));
    if (fmpz_is_one(den.v)) {
        arb_set_round_fmpz(as_arb(out.raw()), num.v, precision_bits);
    } else {
        arb_fmpz_div_fmpz(as_arb(out.raw()), num.v, den.v, precision_bits);
    }
    return out;
}

bool real_ball::contains_zero() const {
    return arb_contains_zero(as_arb(raw())) != 0;
}
bool real_ball::is_positive() const {
    return arb_is_positive(as_arb(raw())) != 0;
}
bool real_ball::is_negative() const {
    return arb_is_negative(as_arb(raw())) != 0;
}
bool real_ball::is_nonnegative() const {
    return arb_is_nonnegative(as_arb(raw())) != 0;
}
bool real_ball::is_exact_zero() const {
    return arb_is_zero(as_arb(raw())) != 0;
}
bool real_ball::is_finite() const {
    return arb_is_finite(as_arb(raw())) != 0;
}
long real_ball::relative_accuracy_bits() const {
    return static_cast<long>(arb_rel_accuracy_bits(as_arb(raw())));
}

std::string real_ball::beyond_range_message() const {
    // The value's own text when it is short: 10^(-10^100000) has a 100000-digit exponent.
    std::string value = text(10);
    if (value.size() > 60)
        value = value.find("e-") != std::string::npos ? "(near 0)" : "(of huge magnitude)";
    return "the value " + value +
           " is beyond the range of the floating-point numbers symgrad can print";
}

numeric real_ball::midpoint() const {
    big_integer man, exp;
    arf_get_fmpz_2exp(man.v, exp.v, arb_midref(as_arb(raw())));
    const cln::cl_I m = integer_of(man.v);
    const cln::cl_I e = integer_of(exp.v);
    if (cln::zerop(m))
        return numeric(0);
    // A float with as many bits as the mantissa (at least double's), scaled exactly.
    const auto bits = std::max<std::size_t>(64, cln::integer_length(m) + 2);
    // CLN's scale_float does not report an exponent far beyond its range: exp(10^6 exp(1000))
    // (2^(2.8*10^440)) came back as 1.02e242917855904618514.
    if (cln::integer_length(e) > max_cln_exponent_bits)
        throw domain_error(beyond_range_message());
    try {
        const cln::cl_F f = cln::scale_float(cln::cl_float(m, cln::float_format_t(bits)), e);
        return numeric(f);
    } catch (const cln::floating_point_exception&) {
        // exp(-200 (a^2 + 3)^(3/2)) at a = 10^4 is about 10^(-8.7*10^13): Arb's exponents are
        // unbounded, CLN's are not.
        throw domain_error(beyond_range_message());
    }
}

numeric real_ball::magnitude_bound() const {
    arb_t a;
    arb_init(a);
    arb_abs(a, as_arb(raw()));
    arf_t upper;
    arf_init(upper);
    arb_get_ubound_arf(upper, a, 64);
    big_integer man, exp;
    arf_get_fmpz_2exp(man.v, exp.v, upper);
    arf_clear(upper);
    arb_clear(a);
    const cln::cl_I m = integer_of(man.v);
    if (cln::zerop(m))
        return numeric(0);
    const cln::cl_I e = integer_of(exp.v);
    // Exact while the power of 2 is small; a float (m has at most 64 bits: still exact) past
    // 2^65536, where the exact rational has tens of thousands of digits (2^(10^18) has none
    // that fit in memory).
    if (cln::integer_length(e) <= 16)
        return numeric(cln::cl_N(m * cln::expt(cln::cl_RA(2), e)));
    if (cln::integer_length(e) > max_cln_exponent_bits)
        throw domain_error(beyond_range_message());
    return numeric(cln::scale_float(cln::cl_float(m, cln::float_format_t(64)), e));
}

std::string real_ball::text(long digits) const {
    char* s = arb_get_str(as_arb(raw()), digits, ARB_STR_NO_RADIUS);
    std::string out(s);
    flint_free(s);
    return out;
}

long bits_for_digits(long digits) {
    return static_cast<long>(std::ceil(static_cast<double>(digits) * 3.3219280948873623)) + 16;
}

// ---------------------------------------------------------------------------------------------
// enclose

class encloser {
public:
    explicit encloser(long precision) : prec_(precision) {}

    /// Throws nothing; the first failure is kept in status_/why_.
    bool run(const ex& e, real_ball& out) {
        if (auto it = memo_.find(e); it != memo_.end()) {
            out = it->second;
            return true;
        }
        if (!compute(e, out))
            return false;
        if (!out.is_finite())
            return fail(enclosure_status::uncertain, e, "the enclosure is not finite");
        memo_.emplace(e, out);
        return true;
    }

    enclosure_status status_ = enclosure_status::ok;
    std::string why_;

private:
    bool fail(enclosure_status s, const ex& e, const std::string& reason) {
        if (status_ == enclosure_status::ok) {
            status_ = s;
            why_ = brief(e, 120) + ": " + reason;
        }
        return false;
    }

    arb_ptr a(real_ball& b) { return as_arb(b.raw()); }
    arb_srcptr c(const real_ball& b) { return as_arb(b.raw()); }

    bool args(const ex& e, std::vector<real_ball>& out, std::size_t from = 0) {
        out.resize(e.nops() - from);
        for (std::size_t i = from; i < e.nops(); ++i)
            if (!run(e.op(i), out[i - from]))
                return false;
        return true;
    }

    /// Requires x > 0: fails as undefined when x <= 0 surely, uncertain when undecided.
    bool need_positive(const ex& e, const real_ball& x, const char* what) {
        if (x.is_positive())
            return true;
        if (x.is_exact_zero() || arb_is_nonpositive(c(x)))
            return fail(enclosure_status::undefined, e, std::string(what) + " of a value <= 0");
        return fail(enclosure_status::uncertain, e,
                    std::string(what) + " of a value whose sign is not resolved at this "
                                        "precision");
    }

    bool compute(const ex& e, real_ball& out) {
        if (GiNaC::is_exactly_a<numeric>(e)) {
            const numeric& n = GiNaC::ex_to<numeric>(e);
            if (!n.is_real())
                return fail(enclosure_status::undefined, e, "not a real number");
            out = real_ball::from_numeric(n, prec_);
            return true;
        }
        if (GiNaC::is_a<GiNaC::constant>(e)) {
            if (e.is_equal(GiNaC::Pi))
                arb_const_pi(a(out), prec_);
            else if (e.is_equal(GiNaC::Euler))
                arb_const_euler(a(out), prec_);
            else if (e.is_equal(GiNaC::Catalan))
                arb_const_catalan(a(out), prec_);
            else
                return fail(enclosure_status::unsupported, e, "an unknown constant");
            return true;
        }
        if (GiNaC::is_a<GiNaC::symbol>(e))
            return fail(enclosure_status::unsupported, e, "a free variable");
        if (GiNaC::is_exactly_a<GiNaC::add>(e))
            if (auto pair = logsumexp_minus_argument(e))
                return logsumexp_minus(e, pair->first, pair->second, out);
        if (GiNaC::is_exactly_a<GiNaC::add>(e) || GiNaC::is_exactly_a<GiNaC::mul>(e)) {
            const bool sum = GiNaC::is_exactly_a<GiNaC::add>(e);
            std::vector<real_ball> v;
            if (!args(e, v))
                return false;
            arb_set_si(a(out), sum ? 0 : 1);
            for (const auto& x : v) {
                if (sum)
                    arb_add(a(out), c(out), c(x), prec_);
                else
                    arb_mul(a(out), c(out), c(x), prec_);
            }
            return true;
        }
        if (GiNaC::is_exactly_a<GiNaC::power>(e))
            return power(e, out);
        if (GiNaC::is_exactly_a<GiNaC::function>(e))
            return function(e, out);
        return fail(enclosure_status::unsupported, e, "not a real-valued expression");
    }

    /// sum_{j != k} e^(z_j - z_k).
    void sum_of_exp_differences(const std::vector<real_ball>& z, std::size_t k, real_ball& out) {
        real_ball t;
        arb_zero(a(out));
        for (std::size_t j = 0; j < z.size(); ++j) {
            if (j == k)
                continue;
            arb_sub(a(t), c(z[j]), c(z[k]), prec_);
            arb_exp(a(t), c(t), prec_);
            arb_add(a(out), c(out), c(t), prec_);
        }
    }

    /// log1p(sum_{j != k} e^(z_j - z_k)) = logsumexp(z) - z_k = -log softmax_k(z).
    void log1p_of_exp_differences(const std::vector<real_ball>& z, std::size_t k, real_ball& out) {
        sum_of_exp_differences(z, k, out);
        arb_log1p(a(out), c(out), prec_);
    }

    /// The logits of softmax(k, z...) and its component k; false (with the failure recorded)
    /// when k is not a component or a logit cannot be enclosed.
    bool softmax_parts(const ex& e, std::vector<real_ball>& z, std::size_t& k) {
        const ex& index = e.op(0);
        if (!GiNaC::is_exactly_a<numeric>(index) || !index.info(GiNaC::info_flags::nonnegint) ||
            GiNaC::ex_to<numeric>(index).to_long() + 1 >= static_cast<long>(e.nops()))
            return fail(enclosure_status::unsupported, e, "a softmax component out of range");
        k = static_cast<std::size_t>(GiNaC::ex_to<numeric>(index).to_long());
        return args(e, z, 1);
    }

    /// In the sum @p e, a term logsumexp(z) and a term -z_k (the cross-entropy over the
    /// logits at a point: 3/2 + logsumexp(-3/2, -7995392)): the logsumexp's index in e and k.
    static std::optional<std::pair<std::size_t, std::size_t>>
    logsumexp_minus_argument(const ex& e) {
        for (std::size_t i = 0; i < e.nops(); ++i) {
            if (ml_function_of(e.op(i)) != ml_function::logsumexp)
                continue;
            const ex& lse = e.op(i);
            for (std::size_t j = 0; j < e.nops(); ++j)
                for (std::size_t k = 0; j != i && k < lse.nops(); ++k)
                    if ((e.op(j) + lse.op(k)).is_zero())
                        return std::make_pair(i, j);
        }
        return std::nullopt;
    }

    /// logsumexp(z) - z_k = log1p(sum_{j != k} e^(z_j - z_k)), plus the other terms: the
    /// difference is not taken of two nearly equal values (it is about 10^-3,472,354 above).
    bool logsumexp_minus(const ex& e, std::size_t lse_at, std::size_t term_at, real_ball& out) {
        const ex& lse = e.op(lse_at);
        std::size_t k = 0;
        while (!(e.op(term_at) + lse.op(k)).is_zero())
            ++k;
        std::vector<real_ball> z;
        if (!args(lse, z))
            return false;
        log1p_of_exp_differences(z, k, out);
        real_ball t;
        for (std::size_t i = 0; i < e.nops(); ++i) {
            if (i == lse_at || i == term_at)
                continue;
            if (!run(e.op(i), t))
                return false;
            arb_add(a(out), c(out), c(t), prec_);
        }
        return true;
    }

    bool power(const ex& e, real_ball& out) {
        real_ball base;
        if (!run(e.op(0), base))
            return false;
        const ex& x = e.op(1);
        if (GiNaC::is_exactly_a<numeric>(x) && GiNaC::ex_to<numeric>(x).is_integer()) {
            const numeric& n = GiNaC::ex_to<numeric>(x);
            if (n.is_negative() && base.contains_zero())
                return fail(base.is_exact_zero() ? enclosure_status::undefined
                                                 : enclosure_status::uncertain,
                            e, "division by a value that may be 0");
            big_integer k;
            set_integer(k.v, cln::the<cln::cl_I>(n.to_cl_N()));
            arb_pow_fmpz(a(out), c(base), k.v, prec_);
            return true;
        }
        if (GiNaC::is_exactly_a<numeric>(x) && GiNaC::ex_to<numeric>(x).is_rational()) {
            // A real power with a fractional exponent: defined for bases >= 0 (0 only with a
            // positive exponent); GiNaC's value of a negative base is complex.
            const numeric& q = GiNaC::ex_to<numeric>(x);
            if (base.is_exact_zero()) {
                if (q.is_positive()) {
                    arb_zero(a(out));
                    return true;
                }
                return fail(enclosure_status::undefined, e, "0 to a negative power");
            }
            if (!need_positive(e, base, "a fractional power"))
                return false;
            fmpq_t f;
            fmpq_init(f);
            set_integer(fmpq_numref(f), cln::the<cln::cl_I>(q.numer().to_cl_N()));
            set_integer(fmpq_denref(f), cln::the<cln::cl_I>(q.denom().to_cl_N()));
            arb_pow_fmpq(a(out), c(base), f, prec_);
            fmpq_clear(f);
            return true;
        }
        real_ball exponent;
        if (!run(x, exponent))
            return false;
        if (!need_positive(e, base, "a real power"))
            return false;
        arb_pow(a(out), c(base), c(exponent), prec_);
        return true;
    }

    bool function(const ex& e, real_ball& out) {
        switch (ml_function_of(e)) {
        case ml_function::none:
            break;
        case ml_function::sigmoid:
            return sigmoid(e, out);
        case ml_function::softplus:
            return softplus(e, out);
        case ml_function::relu:
            return relu(e, out);
        case ml_function::logloss:
            return logloss(e, out);
        case ml_function::indicator:
            return indicator(e, out);
        case ml_function::logsumexp:
            return logsumexp(e, out);
        case ml_function::softmax:
            return softmax(e, out);
        case ml_function::crossentropy:
            return crossentropy(e, out);
        }
        const std::string name = GiNaC::ex_to<GiNaC::function>(e).get_name();
        if (e.nops() != 1)
            return fail(enclosure_status::unsupported, e, "the function " + name);
        if (name == "log" && ml_function_of(e.op(0)) == ml_function::softmax) {
            if (!minus_log_softmax(e.op(0), out))
                return false;
            arb_neg(a(out), c(out));
            return true;
        }
        if (name == "log" && has_term_one(e.op(0))) {
            // log(1 + u) as log1p(u): log(1 - e^(-161203)) needs no 70,000 digits to see that
            // 1 - e^(-161203) is below 1.
            real_ball u;
            if (!run(e.op(0) - 1, u))
                return false;
            arb_t one;
            arb_init(one);
            arb_one(one);
            arb_add(one, one, c(u), prec_);
            const bool positive = arb_is_positive(one);
            const bool nonpositive = arb_is_nonpositive(one);
            arb_clear(one);
            if (nonpositive)
                return fail(enclosure_status::undefined, e, "log of a value <= 0");
            if (!positive)
                return fail(enclosure_status::uncertain, e,
                            "log of a value whose sign is not resolved at this precision");
            arb_log1p(a(out), c(u), prec_);
            return true;
        }
        real_ball x;
        if (!run(e.op(0), x))
            return false;
        if (name == "exp") {
            arb_exp(a(out), c(x), prec_);
        } else if (name == "log") {
            if (!need_positive(e, x, "log"))
                return false;
            arb_log(a(out), c(x), prec_);
        } else if (name == "sin") {
            arb_sin(a(out), c(x), prec_);
        } else if (name == "cos") {
            arb_cos(a(out), c(x), prec_);
        } else if (name == "tan") {
            real_ball co;
            arb_cos(a(co), c(x), prec_);
            if (co.contains_zero())
                return fail(co.is_exact_zero() ? enclosure_status::undefined
                                               : enclosure_status::uncertain,
                            e, "tan at a pole");
            arb_tan(a(out), c(x), prec_);
        } else if (name == "sinh") {
            arb_sinh(a(out), c(x), prec_);
        } else if (name == "cosh") {
            arb_cosh(a(out), c(x), prec_);
        } else if (name == "tanh") {
            arb_tanh(a(out), c(x), prec_);
        } else if (name == "atan") {
            arb_atan(a(out), c(x), prec_);
        } else if (name == "asin" || name == "acos") {
            // Defined on [-1, 1].
            real_ball m;
            arb_abs(a(m), c(x));
            arb_sub_ui(a(m), c(m), 1, prec_);
            if (!arb_is_nonpositive(c(m)))
                return fail(arb_is_positive(c(m)) ? enclosure_status::undefined
                                                  : enclosure_status::uncertain,
                            e, name + " outside [-1, 1]");
            if (name == "asin")
                arb_asin(a(out), c(x), prec_);
            else
                arb_acos(a(out), c(x), prec_);
        } else if (name == "abs") {
            arb_abs(a(out), c(x));
        } else if (name == "step" || name == "csgn") {
            // step(0) = 1/2 (GiNaC's convention), csgn(0) = 0.
            const bool step = name == "step";
            if (x.is_positive())
                arb_one(a(out));
            else if (x.is_negative())
                arb_set_si(a(out), step ? 0 : -1);
            else if (x.is_exact_zero())
                step ? arb_set_d(a(out), 0.5) : arb_zero(a(out));
            else
                return fail(enclosure_status::uncertain, e,
                            "the sign of the argument is not resolved at this precision");
        } else {
            return fail(enclosure_status::unsupported, e, "the function " + name);
        }
        return true;
    }

    /// sigma(z) = 1/(1 + exp(-z)); Arb's exponent range is unbounded, so this keeps its
    /// relative accuracy for any z.
    bool sigmoid(const ex& e, real_ball& out) {
        real_ball z;
        if (!run(e.op(0), z))
            return false;
        arb_neg(a(out), c(z));
        arb_exp(a(out), c(out), prec_);
        arb_add_ui(a(out), c(out), 1, prec_);
        arb_inv(a(out), c(out), prec_);
        return true;
    }

    /// softplus(z) = log1p(exp(z)): relative accuracy also for z = -1000 (5e-435).
    bool softplus(const ex& e, real_ball& out) {
        real_ball z;
        if (!run(e.op(0), z))
            return false;
        arb_exp(a(out), c(z), prec_);
        arb_log1p(a(out), c(out), prec_);
        return true;
    }

    bool relu(const ex& e, real_ball& out) {
        real_ball z;
        if (!run(e.op(0), z))
            return false;
        if (z.is_nonnegative())
            out = z;
        else if (arb_is_nonpositive(c(z)))
            arb_zero(a(out));
        else
            arb_nonnegative_part(a(out), c(z)); // max(0, z) over the ball
        return true;
    }

    /// logloss(p, y) = -(y log p + (1 - y) log(1 - p)); a term with a zero weight is left out.
    bool logloss(const ex& e, real_ball& out) {
        std::vector<real_ball> v;
        if (!args(e, v))
            return false;
        const real_ball& p = v[0];
        const real_ball& y = v[1];
        arb_zero(a(out));
        if (!y.is_exact_zero()) {
            if (!need_positive(e, p, "log"))
                return false;
            real_ball t;
            arb_log(a(t), c(p), prec_);
            arb_mul(a(t), c(t), c(y), prec_);
            arb_sub(a(out), c(out), c(t), prec_);
        }
        real_ball one_minus_y;
        arb_sub_ui(a(one_minus_y), c(y), 1, prec_);
        if (!one_minus_y.is_exact_zero()) {
            real_ball q;
            arb_sub_ui(a(q), c(p), 1, prec_);
            arb_neg(a(q), c(q));
            if (!need_positive(e, q, "log of 1 - p"))
                return false;
            arb_neg(a(q), c(p));
            arb_log1p(a(q), c(q), prec_); // log(1 - p)
            arb_mul(a(q), c(q), c(one_minus_y), prec_);
            arb_add(a(out), c(out), c(q), prec_); // -(1 - y) log(1 - p)
        }
        return true;
    }

    bool indicator(const ex& e, real_ball& out) {
        const ex d = e.op(0) - e.op(1);
        if (!GiNaC::is_exactly_a<numeric>(d))
            return fail(enclosure_status::unsupported, e, "an indicator of a non-number");
        arb_set_si(a(out), d.is_zero() ? 1 : 0);
        return true;
    }

    /// logsumexp(z) = z_m + log1p(sum_{j != m} exp(z_j - z_m)) for the largest z_m: an identity
    /// for any m, accurate when z_m is the largest.
    bool logsumexp_of(const std::vector<real_ball>& z, real_ball& out) {
        const std::size_t m = largest(z);
        real_ball s;
        log1p_of_exp_differences(z, m, s);
        arb_add(a(out), c(z[m]), c(s), prec_);
        return true;
    }

    static std::size_t largest(const std::vector<real_ball>& z) {
        std::size_t m = 0;
        for (std::size_t j = 1; j < z.size(); ++j)
            if (arf_cmp(arb_midref(as_arb(z[j].raw())), arb_midref(as_arb(z[m].raw()))) > 0)
                m = j;
        return m;
    }

    bool logsumexp(const ex& e, real_ball& out) {
        std::vector<real_ball> z;
        if (!args(e, z) || z.empty())
            return z.empty() ? fail(enclosure_status::unsupported, e, "no arguments") : false;
        return logsumexp_of(z, out);
    }

    /// -log softmax_k(z) = log1p(sum_{j != k} e^(z_j - z_k)): never the log of a quotient that
    /// is 1 to the working precision. crossentropy(softmax({a, b}), 0) at b - a = -8e6 (about
    /// 10^-3,472,329) could not be certified at 39,400 digits through -log(1/(1 + e^(b - a))).
    bool minus_log_softmax(const ex& e, real_ball& out) {
        std::vector<real_ball> z;
        std::size_t k = 0;
        if (!softmax_parts(e, z, k))
            return false;
        log1p_of_exp_differences(z, k, out);
        return true;
    }

    /// softmax_k(z) = 1/(1 + sum_{j != k} exp(z_j - z_k)).
    bool softmax(const ex& e, real_ball& out) {
        std::vector<real_ball> z;
        std::size_t k = 0;
        if (!softmax_parts(e, z, k))
            return false;
        real_ball s;
        sum_of_exp_differences(z, k, s);
        arb_add_ui(a(s), c(s), 1, prec_);
        arb_inv(a(out), c(s), prec_);
        return true;
    }

    /// crossentropy(y, p0, ..., pK-1) = -log p_y for a class index y in 0..K-1.
    bool crossentropy(const ex& e, real_ball& out) {
        const ex& y = e.op(0);
        const long classes = static_cast<long>(e.nops()) - 1;
        if (!GiNaC::is_exactly_a<numeric>(y) || !y.info(GiNaC::info_flags::integer))
            return fail(enclosure_status::unsupported, e, "a class label that is not an integer");
        const long k = GiNaC::ex_to<numeric>(y).to_long();
        if (k < 0 || k >= classes)
            return fail(enclosure_status::undefined, e,
                        "the class " + std::to_string(k) + " is outside 0.." +
                            std::to_string(classes - 1));
        const ex& chosen = e.op(static_cast<std::size_t>(k) + 1);
        if (ml_function_of(chosen) == ml_function::softmax)
            return minus_log_softmax(chosen, out);
        real_ball p;
        if (!run(chosen, p))
            return false;
        if (!need_positive(e, p, "log"))
            return false;
        arb_log(a(out), c(p), prec_);
        arb_neg(a(out), c(out));
        return true;
    }

    long prec_;
    object_map<real_ball> memo_;
};

namespace {

enclosure enclose_with(encloser& worker, const ex& e) {
    worker.status_ = enclosure_status::ok;
    worker.why_.clear();
    enclosure out;
    if (worker.run(e, out.value)) {
        out.status = enclosure_status::ok;
        return out;
    }
    out.status = worker.status_;
    out.why = worker.why_;
    return out;
}

} // namespace

enclosure enclose(const ex& e, long precision_bits) {
    encloser worker(std::max<long>(precision_bits, 32));
    return enclose_with(worker, e);
}

enclosure_cache::enclosure_cache(long precision_bits)
    : worker_(std::make_unique<encloser>(std::max<long>(precision_bits, 32))) {}
enclosure_cache::~enclosure_cache() = default;
enclosure_cache::enclosure_cache(enclosure_cache&&) noexcept = default;
enclosure_cache& enclosure_cache::operator=(enclosure_cache&&) noexcept = default;

enclosure enclosure_cache::enclose(const ex& e) {
    return enclose_with(*worker_, e);
}

} // namespace symgrad
