// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "support/reference_evaluator.hpp"

#include "symgrad/core/functions.hpp"
#include "symgrad/core/precision.hpp"

#include <sstream>
#include <unordered_map>
#include <vector>

namespace symgrad::test {

using GiNaC::ex;
using GiNaC::numeric;

const char* reference_status_name(reference_status s) {
    switch (s) {
    case reference_status::ok:
        return "ok";
    case reference_status::undefined:
        return "undefined";
    case reference_status::near_switch:
        return "near a switch point";
    case reference_status::ill_conditioned:
        return "ill-conditioned";
    case reference_status::out_of_range:
        return "out of range";
    case reference_status::unsupported:
        return "unsupported";
    }
    return "?";
}

bool reference_value::resolved(const numeric& rel) const {
    return ok() && (error.is_zero() || error <= rel * GiNaC::abs(value));
}

numeric log1p(const numeric& t) {
    const numeric small("1e-4");
    if (GiNaC::abs(t) > small)
        return GiNaC::log(numeric(1) + t);
    // log(1 + t) = t - t^2/2 + t^3/3 - ..., alternating with |t| <= 1e-4: stop when the terms
    // are below the working precision relative to t.
    const numeric eps = GiNaC::ex_to<numeric>(GiNaC::pow(ex(10), -GiNaC::Digits - 5).evalf());
    numeric sum = 0, power = t;
    for (int k = 1; k < 100000; ++k) {
        const numeric term = power / k;
        sum += (k % 2 ? term : -term);
        if (GiNaC::abs(term) <= eps * GiNaC::abs(t))
            break;
        power *= t;
    }
    return sum;
}

namespace {

struct stop {
    reference_status status;
    std::string reason;
};

struct node {
    numeric v; // value: rational when exact
    numeric e; // error bound
};

numeric to_float(const numeric& n) {
    return GiNaC::ex_to<numeric>(ex(n).evalf());
}

std::string text_of(const ex& e) {
    std::ostringstream os;
    os << e;
    std::string s = os.str();
    if (s.size() > 120)
        s = s.substr(0, 117) + "...";
    return s;
}

class evaluator {
public:
    evaluator(const GiNaC::exmap& point, const reference_options& o) : point_(point), o_(o) {
        u_ = to_float(GiNaC::ex_to<numeric>(GiNaC::pow(ex(10), 2 - o.digits)));
        huge_ = numeric("1e300");
        tiny_ = numeric("1e-300");
    }

    node run(const ex& e) {
        auto it = memo_.find(e);
        if (it != memo_.end())
            return it->second;
        node n = compute(e);
        const numeric a = GiNaC::abs(n.v);
        if (a > huge_ || (!a.is_zero() && a < tiny_))
            outside_double_ = true;
        memo_.emplace(e, n);
        return n;
    }

    const numeric& u() const { return u_; }
    bool outside_double() const { return outside_double_; }

private:
    /// A float result: value v from inexact operands or a transcendental function, with error
    /// propagated error plus one rounding.
    node rounded(const numeric& v, const numeric& propagated) {
        return {v, propagated + u_ * GiNaC::abs(v)};
    }

    static bool exact(const node& n) { return n.e.is_zero() && n.v.is_rational(); }

    [[noreturn]] void fail(reference_status s, const std::string& why, const ex& where) {
        throw stop{s, why + " at " + text_of(where)};
    }

    /// The switch-point test for piecewise functions: decided exactly for exact arguments,
    /// else the argument must be farther from 0 than its error (and than the margin).
    int side_of_switch(const node& a, const ex& where, bool continuous) {
        if (exact(a) && o_.switch_margin.is_zero())
            return a.v.is_zero() ? 0 : (a.v > 0 ? 1 : -1);
        const numeric m = GiNaC::abs(a.v);
        if (!o_.switch_margin.is_zero() && m <= o_.switch_margin + a.e)
            fail(reference_status::near_switch, "piecewise argument " + text_of(a.v), where);
        if (exact(a))
            return a.v.is_zero() ? 0 : (a.v > 0 ? 1 : -1);
        if (m <= a.e) {
            if (continuous)
                return 0; // abs, relu: Lipschitz, the value is right either way
            fail(reference_status::ill_conditioned, "sign of a discontinuity's argument unresolved",
                 where);
        }
        return a.v > 0 ? 1 : -1;
    }

    /// A positive argument (log, crossentropy probability, base of a fractional power).
    void require_positive(const node& a, const ex& where, const char* what) {
        if (exact(a)) {
            if (a.v <= 0)
                fail(reference_status::undefined, std::string(what) + " of " + text_of(a.v), where);
            return;
        }
        if (a.v + a.e < 0)
            fail(reference_status::undefined, std::string(what) + " of a negative number", where);
        if (a.v <= 2 * a.e || a.e > a.v * numeric(1, 1000))
            fail(reference_status::ill_conditioned,
                 std::string(what) + ": argument " + text_of(a.v) + " not resolved from 0", where);
    }

    /// An argument about to be rounded to a float: an exact rational gets the rounding of its
    /// conversion (1 + 10^-600 is 1 at 60 digits) as its error.
    node inexact(const node& a) const {
        if (exact(a) && !a.v.is_integer())
            return {a.v, u_ * GiNaC::abs(a.v)};
        return a;
    }

    numeric exp_checked(const numeric& a, const ex& where) {
        if (GiNaC::abs(a) > numeric(10000000))
            fail(reference_status::out_of_range, "exp of " + text_of(a), where);
        return GiNaC::exp(to_float(a));
    }

    node compute(const ex& e) {
        if (GiNaC::is_exactly_a<numeric>(e)) {
            const numeric& n = GiNaC::ex_to<numeric>(e);
            if (!n.is_real())
                fail(reference_status::undefined, "complex number", e);
            if (n.is_rational())
                return {n, 0};
            return {n, u_ * GiNaC::abs(n)};
        }
        if (GiNaC::is_a<GiNaC::symbol>(e)) {
            const auto it = point_.find(e);
            if (it == point_.end() || !GiNaC::is_exactly_a<numeric>(it->second))
                fail(reference_status::unsupported, "unbound symbol", e);
            return {GiNaC::ex_to<numeric>(it->second), 0};
        }
        if (GiNaC::is_a<GiNaC::constant>(e)) {
            const numeric v = GiNaC::ex_to<numeric>(e.evalf());
            return {v, u_ * GiNaC::abs(v)};
        }
        if (GiNaC::is_exactly_a<GiNaC::add>(e)) {
            numeric v = 0, err = 0;
            for (const auto& t : e) {
                const node n = run(t);
                v += n.v;
                err += n.e;
            }
            if (v.is_rational() && err.is_zero())
                return {v, 0};
            numeric scale = 0;
            for (const auto& t : e)
                scale += GiNaC::abs(run(t).v);
            return {v, err + u_ * scale}; // one rounding per addition, relative to the terms
        }
        if (GiNaC::is_exactly_a<GiNaC::mul>(e)) {
            std::vector<node> f;
            for (const auto& t : e)
                f.push_back(run(t));
            numeric v = 1;
            for (const auto& n : f)
                v *= n.v;
            numeric err = 0;
            for (std::size_t i = 0; i < f.size(); ++i) {
                if (f[i].e.is_zero())
                    continue;
                numeric others = 1;
                for (std::size_t j = 0; j < f.size(); ++j)
                    if (j != i)
                        others *= GiNaC::abs(f[j].v);
                err += f[i].e * others;
            }
            if (v.is_rational() && err.is_zero())
                return {v, 0};
            return {v, err + u_ * GiNaC::abs(v) * numeric(f.size())};
        }
        if (GiNaC::is_exactly_a<GiNaC::power>(e))
            return power(e);
        if (GiNaC::is_a<GiNaC::function>(e))
            return function(e);
        fail(reference_status::unsupported, "no numeric rule", e);
    }

    node power(const ex& e) {
        const node b = run(e.op(0));
        if (GiNaC::is_exactly_a<numeric>(e.op(1)) && GiNaC::ex_to<numeric>(e.op(1)).is_integer()) {
            const numeric n = GiNaC::ex_to<numeric>(e.op(1));
            if (b.v.is_zero() && b.e.is_zero()) {
                if (n.is_negative())
                    fail(reference_status::undefined, "division by zero", e);
                return {n.is_zero() ? numeric(1) : numeric(0), 0};
            }
            if (n.is_negative() && GiNaC::abs(b.v) <= 4 * b.e)
                fail(reference_status::ill_conditioned, "divisor not resolved from 0", e);
            if (GiNaC::abs(n) > numeric(100000))
                fail(reference_status::out_of_range, "huge exponent", e);
            const numeric v = b.v.power(n);
            if (exact(b))
                return {v, 0};
            // d b^n = n b^(n-1) db; first order needs |db| << |b|/|n|
            if (b.e * GiNaC::abs(n) > GiNaC::abs(b.v) * numeric(1, 1000))
                fail(reference_status::ill_conditioned, "power of an unresolved base", e);
            return rounded(v, GiNaC::abs(n * b.v.power(n - 1)) * b.e);
        }
        const node x0 = run(e.op(1));
        if (b.v.is_zero() && b.e.is_zero() && exact(x0) && x0.v > 0)
            return {0, 0};
        const node x = inexact(x0);
        require_positive(b, e, "power base");
        const numeric lb = GiNaC::log(to_float(b.v));
        const numeric v = exp_checked(x.v * lb, e);
        // d b^x = b^x (x/b db + log b dx); the exponent, when it is a fraction such as 1/3, is
        // rounded too in every other evaluator: count that rounding (|v x log b| u) as well.
        numeric err = GiNaC::abs(v) * (GiNaC::abs(x.v / b.v) * b.e + GiNaC::abs(lb) * x.e);
        err += GiNaC::abs(v * x.v * lb) * u_;
        return rounded(v, err);
    }

    std::vector<node> args(const ex& e, std::size_t from = 0) {
        std::vector<node> out;
        for (std::size_t i = from; i < e.nops(); ++i)
            out.push_back(run(e.op(i)));
        return out;
    }

    /// An exact class label: the value of a label symbol (or an exact integer).
    long label(const node& y, const ex& where) {
        if (!exact(y) || !y.v.is_integer())
            fail(reference_status::undefined, "label " + text_of(y.v) + " is not an integer",
                 where);
        return y.v.to_long();
    }

    node sigmoid(const node& a) {
        if (exact(a) && a.v.is_zero())
            return {numeric(1, 2), 0};
        const numeric z = to_float(a.v);
        const numeric t = GiNaC::exp(-GiNaC::abs(z)); // in (0, 1]
        const numeric v = z > 0 ? 1 / (1 + t) : t / (1 + t);
        const numeric slope = t / ((1 + t) * (1 + t));
        return rounded(v, slope * a.e + 3 * u_ * GiNaC::abs(v));
    }

    node function(const ex& e) {
        const std::string name = GiNaC::ex_to<GiNaC::function>(e).get_name();
        const ml_function ml = ml_function_of(e);
        switch (ml) {
        case ml_function::sigmoid: {
            const node a = inexact(run(e.op(0)));
            if (GiNaC::abs(a.v) > numeric(10000000))
                fail(reference_status::out_of_range, "sigmoid of a huge number", e);
            return sigmoid(a);
        }
        case ml_function::softplus: {
            const node a = inexact(run(e.op(0)));
            if (GiNaC::abs(a.v) > numeric(10000000))
                fail(reference_status::out_of_range, "softplus of a huge number", e);
            const numeric z = to_float(a.v);
            const numeric v = (z > 0 ? z : numeric(0)) + log1p(GiNaC::exp(-GiNaC::abs(z)));
            return rounded(v, sigmoid(a).v * a.e + 2 * u_ * (GiNaC::abs(z) + GiNaC::abs(v)));
        }
        case ml_function::relu: {
            const node a = run(e.op(0));
            side_of_switch(a, e, true);
            if (a.v <= 0)
                return {0, a.v.is_rational() ? numeric(0) : a.e};
            return a;
        }
        case ml_function::indicator: {
            const node y = run(e.op(0));
            const node k = run(e.op(1));
            const numeric d = y.v - k.v;
            if (exact(y) && exact(k))
                return {d.is_zero() ? numeric(1) : numeric(0), 0};
            if (GiNaC::abs(d) <= y.e + k.e)
                fail(reference_status::ill_conditioned, "indicator of an unresolved label", e);
            return {0, 0};
        }
        case ml_function::logloss: {
            const node p = inexact(run(e.op(0)));
            const node y = run(e.op(1));
            numeric v = 0, err = 0;
            const bool y_is_0 = exact(y) && y.v.is_zero();
            const bool y_is_1 = exact(y) && y.v == 1;
            numeric lp = 0, lq = 0;
            if (!y_is_0) {
                require_positive(p, e, "logloss: log p");
                lp = GiNaC::log(to_float(p.v));
                v -= y.v * lp;
                err += GiNaC::abs(y.v) * p.e / GiNaC::abs(p.v) + u_ * GiNaC::abs(y.v * lp);
            }
            if (!y_is_1) {
                const node q{numeric(1) - p.v, p.e + (exact(p) ? numeric(0) : u_)};
                require_positive(q, e, "logloss: log(1 - p)");
                lq = GiNaC::log(to_float(q.v));
                v -= (1 - y.v) * lq;
                err += GiNaC::abs(1 - y.v) * q.e / q.v + u_ * GiNaC::abs((1 - y.v) * lq);
            }
            err += GiNaC::abs(lp - lq) * y.e;
            return rounded(v, err);
        }
        case ml_function::logsumexp:
        case ml_function::softmax: {
            const bool is_softmax = ml == ml_function::softmax;
            std::vector<node> z = args(e, is_softmax ? 1 : 0);
            for (auto& n : z)
                n = inexact(n);
            std::size_t top = 0;
            for (std::size_t j = 1; j < z.size(); ++j)
                if (z[j].v > z[top].v)
                    top = j;
            const numeric m = z[top].v;
            // s = 1 + rest, with log(s) = log1p(rest): log(1 + 1e-272) is not 0.
            numeric rest = 0;
            std::vector<numeric> t;
            for (std::size_t j = 0; j < z.size(); ++j) {
                t.push_back(j == top ? numeric(1) : exp_checked(z[j].v - m, e));
                if (j != top)
                    rest += t.back();
            }
            const numeric s = 1 + rest;
            numeric weighted = 0; // sum softmax_j E_j
            for (std::size_t j = 0; j < z.size(); ++j)
                weighted += t[j] / s * z[j].e;
            if (!is_softmax) {
                const numeric v = to_float(m) + log1p(rest);
                return rounded(v, weighted + 4 * u_ * (GiNaC::abs(m) + GiNaC::abs(v)));
            }
            const node k = run(e.op(0));
            const long index = label(k, e);
            if (index < 0 || static_cast<std::size_t>(index) >= z.size())
                fail(reference_status::undefined, "softmax component out of range", e);
            const auto i = static_cast<std::size_t>(index);
            const numeric v = t[i] / s;
            return rounded(v, v * (z[i].e + weighted) + 4 * u_ * v);
        }
        case ml_function::crossentropy: {
            const node y = run(e.op(0));
            const long index = label(y, e);
            if (index < 0 || static_cast<std::size_t>(index) + 1 >= e.nops())
                fail(reference_status::undefined, "label is not a class", e);
            const node p = inexact(run(e.op(static_cast<std::size_t>(index) + 1)));
            require_positive(p, e, "crossentropy: log p_y");
            const numeric v = -GiNaC::log(to_float(p.v));
            return rounded(v, p.e / p.v);
        }
        case ml_function::none:
            break;
        }
        if (e.nops() != 1)
            fail(reference_status::unsupported, "function " + name, e);
        const node a = run(e.op(0));
        const node af = inexact(a); // for the smooth functions below
        if (name == "exp") {
            if (exact(a) && a.v.is_zero())
                return {1, 0};
            const numeric v = exp_checked(a.v, e);
            return rounded(v, v * af.e);
        }
        if (name == "log") {
            if (exact(a) && a.v == 1)
                return {0, 0};
            require_positive(a, e, "log");
            if (exact(a) && GiNaC::abs(a.v - 1) < numeric(1, 10000))
                return rounded(log1p(to_float(a.v - 1)), 0); // log(1 + 10^-600) is not 0
            return rounded(GiNaC::log(to_float(a.v)), af.e / a.v);
        }
        if (name == "abs") {
            side_of_switch(a, e, true);
            return {GiNaC::abs(a.v), a.e};
        }
        if (name == "step" || name == "csgn") {
            const int s = side_of_switch(a, e, false);
            if (name == "csgn")
                return {numeric(s), 0};
            return {s == 0 ? numeric(1, 2) : numeric(s > 0 ? 1 : 0), 0};
        }
        if (name == "Dirac") {
            if (side_of_switch(a, e, false) == 0)
                fail(reference_status::undefined, "Dirac at its switch point", e);
            return {0, 0};
        }
        if (name == "conjugate" || name == "real_part")
            return a;
        if (name == "imag_part")
            return {0, 0};
        if (exact(a) && a.v.is_zero() && (name == "tanh" || name == "sin" || name == "sinh"))
            return {0, 0};
        const numeric x = to_float(a.v);
        if (name == "tanh") {
            if (GiNaC::abs(x) > numeric(10000000))
                return {x > 0 ? numeric(1) : numeric(-1), 0};
            const numeric v = GiNaC::tanh(x);
            return rounded(v, (1 - v * v) * af.e);
        }
        if (GiNaC::abs(x) > numeric(10000000))
            fail(reference_status::out_of_range, "argument too large", e);
        if (name == "sin")
            return rounded(GiNaC::sin(x), af.e);
        if (name == "cos")
            return rounded(GiNaC::cos(x), af.e);
        if (name == "atan")
            return rounded(GiNaC::atan(x), af.e);
        if (name == "sinh")
            return rounded(GiNaC::sinh(x), GiNaC::cosh(x) * af.e);
        if (name == "cosh")
            return rounded(GiNaC::cosh(x), GiNaC::abs(GiNaC::sinh(x)) * af.e);
        fail(reference_status::unsupported, "function " + name, e);
    }

    const GiNaC::exmap& point_;
    const reference_options& o_;
    numeric u_, huge_, tiny_;
    bool outside_double_ = false;
    std::unordered_map<ex, node> memo_;
};

} // namespace

reference_value reference_evaluate(const ex& e, const GiNaC::exmap& point,
                                   const reference_options& options) {
    precision_guard guard(options.digits);
    const long saved = GiNaC::Digits;
    GiNaC::Digits = options.digits; // exactly this precision, also below the current one
    reference_value r;
    try {
        evaluator ev(point, options);
        const node n = ev.run(e);
        r.value = n.v;
        r.error = n.e;
        r.condition = n.e / ev.u();
        r.outside_double = ev.outside_double();
    } catch (const stop& s) {
        r.status = s.status;
        r.reason = s.reason;
    } catch (const std::exception& x) {
        // CLN or GiNaC refusing something (overflow of a float exponent, ...).
        r.status = reference_status::out_of_range;
        r.reason = x.what();
    }
    GiNaC::Digits = saved;
    return r;
}

reference_value reference_resolved(const ex& e, const GiNaC::exmap& point,
                                   reference_options options, const numeric& rel) {
    reference_value r = reference_evaluate(e, point, options);
    if (r.status == reference_status::ill_conditioned || (r.ok() && !r.resolved(rel))) {
        options.digits *= 8;
        r = reference_evaluate(e, point, options);
    }
    return r;
}

} // namespace symgrad::test
