// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// Real-ness and positivity for the simplifier's log rules, by interval bounds: sigmoid and
// softmax lie in (0, 1), so 1 - sigmoid(z) lies in (0, 1) and is positive; exp and softplus in
// (0, inf); tanh in (-1, 1); sums and products combine the bounds.
#include "rules.hpp"

#include "symgrad/core/functions.hpp"
#include "symgrad/core/object_identity.hpp"

#include <unordered_map>

namespace symgrad::simplify_detail {

namespace {

using GiNaC::info_flags;

/// An interval of the reals; a missing end is infinite. Ends carry whether they are open.
struct interval {
    bool real = false; // false: nothing is known (not even that the value is real)
    std::optional<numeric> lo, hi;
    bool lo_open = true, hi_open = true;

    static interval unknown() { return {}; }
    static interval reals() { return {true, std::nullopt, std::nullopt, true, true}; }
    static interval point(const numeric& x) { return {true, x, x, false, false}; }
    static interval open(std::optional<numeric> a, std::optional<numeric> b) {
        return {true, std::move(a), std::move(b), true, true};
    }
    static interval closed_open(numeric a) {
        return {true, std::move(a), std::nullopt, false, true};
    }

    bool positive() const { return real && lo && (*lo > 0 || (lo->is_zero() && lo_open)); }
    bool nonnegative() const { return real && lo && *lo >= 0; }
};

interval add_intervals(const interval& a, const interval& b) {
    if (!a.real || !b.real)
        return interval::unknown();
    interval r = interval::reals();
    if (a.lo && b.lo) {
        r.lo = *a.lo + *b.lo;
        r.lo_open = a.lo_open || b.lo_open;
    }
    if (a.hi && b.hi) {
        r.hi = *a.hi + *b.hi;
        r.hi_open = a.hi_open || b.hi_open;
    }
    return r;
}

interval negate(const interval& a) {
    if (!a.real)
        return a;
    interval r = interval::reals();
    if (a.hi) {
        r.lo = -*a.hi;
        r.lo_open = a.hi_open;
    }
    if (a.lo) {
        r.hi = -*a.lo;
        r.hi_open = a.lo_open;
    }
    return r;
}

interval scale(const interval& a, const numeric& c) {
    if (!a.real)
        return a;
    if (c.is_zero())
        return interval::point(0);
    interval r = c > 0 ? a : negate(a);
    const numeric m = abs(c);
    if (r.lo)
        r.lo = *r.lo * m;
    if (r.hi)
        r.hi = *r.hi * m;
    return r;
}

/// Product of two intervals; exact when both are nonnegative (the case positivity needs),
/// else only the sign information that survives.
interval multiply(const interval& a, const interval& b) {
    if (!a.real || !b.real)
        return interval::unknown();
    if (a.lo && a.hi && !a.lo_open && !a.hi_open && *a.lo == *a.hi)
        return scale(b, *a.lo);
    if (b.lo && b.hi && !b.lo_open && !b.hi_open && *b.lo == *b.hi)
        return scale(a, *b.lo);
    if (a.nonnegative() && b.nonnegative()) {
        interval r = interval::reals();
        r.lo = *a.lo * *b.lo;
        r.lo_open = (a.lo_open && !b.lo->is_zero()) || (b.lo_open && !a.lo->is_zero()) ||
                    (a.lo_open && b.lo_open);
        if (a.hi && b.hi) {
            r.hi = *a.hi * *b.hi;
            r.hi_open = a.hi_open || b.hi_open;
        }
        return r;
    }
    return interval::reals();
}

class bounds_finder {
public:
    interval operator()(const ex& e) {
        if (auto it = memo_.find(e); it != memo_.end())
            return it->second;
        interval r = compute(e);
        memo_.emplace(e, r);
        return r;
    }

    bool real(const ex& e) { return (*this)(e).real; }

private:
    interval all_args_real(const ex& e, interval if_real) {
        for (std::size_t i = 0; i < e.nops(); ++i)
            if (!real(e.op(i)))
                return interval::unknown();
        return if_real;
    }

    interval compute(const ex& e) {
        if (GiNaC::is_exactly_a<numeric>(e)) {
            const numeric& x = GiNaC::ex_to<numeric>(e);
            return x.is_real() ? interval::point(x) : interval::unknown();
        }
        if (GiNaC::is_a<GiNaC::symbol>(e))
            return e.info(info_flags::real) ? interval::reals() : interval::unknown();
        if (GiNaC::is_a<GiNaC::constant>(e)) {
            // Pi, Euler, Catalan: positive reals.
            return e.info(info_flags::positive) ? interval::open(numeric(0), std::nullopt)
                                                : interval::unknown();
        }
        if (GiNaC::is_exactly_a<GiNaC::add>(e)) {
            interval r = interval::point(0);
            for (std::size_t i = 0; i < e.nops(); ++i)
                r = add_intervals(r, (*this)(e.op(i)));
            return r;
        }
        if (GiNaC::is_exactly_a<GiNaC::mul>(e)) {
            interval r = interval::point(1);
            for (std::size_t i = 0; i < e.nops(); ++i)
                r = multiply(r, (*this)(e.op(i)));
            return r;
        }
        if (GiNaC::is_exactly_a<GiNaC::power>(e))
            return power_bounds(e.op(0), e.op(1));
        if (GiNaC::is_exactly_a<GiNaC::function>(e))
            return function_bounds(e);
        return interval::unknown();
    }

    interval power_bounds(const ex& base, const ex& exponent) {
        const interval b = (*this)(base);
        if (!b.real)
            return interval::unknown();
        if (GiNaC::is_exactly_a<numeric>(exponent) && exponent.info(info_flags::integer)) {
            const numeric n = GiNaC::ex_to<numeric>(exponent);
            if (b.positive()) {
                if (n.is_zero())
                    return interval::point(1);
                return interval::open(numeric(0), std::nullopt);
            }
            if (n.is_even() && n > 0)
                return interval::closed_open(0);
            return interval::reals(); // may be undefined at 0, real elsewhere
        }
        if (b.positive() && real(exponent))
            return interval::open(numeric(0), std::nullopt);
        if (b.nonnegative() && exponent.info(info_flags::positive) &&
            exponent.info(info_flags::rational))
            return interval::closed_open(0);
        return interval::unknown();
    }

    interval function_bounds(const ex& e) {
        const interval positive = interval::open(numeric(0), std::nullopt);
        const interval unit = interval::open(numeric(0), numeric(1));
        switch (ml_function_of(e)) {
        case ml_function::sigmoid:
            return all_args_real(e, unit);
        case ml_function::softplus:
            return all_args_real(e, positive);
        case ml_function::relu:
            return all_args_real(e, interval::closed_open(0));
        case ml_function::indicator: {
            interval r = interval::point(0);
            r.hi = numeric(1);
            r.hi_open = false;
            return r;
        }
        case ml_function::logsumexp:
            return all_args_real(e, interval::reals());
        case ml_function::softmax: {
            for (std::size_t i = 1; i < e.nops(); ++i)
                if (!real(e.op(i)))
                    return interval::unknown();
            return unit;
        }
        case ml_function::logloss: {
            // Real where defined: p in (0, 1) (else the log is not real); y real.
            if (!real(e.op(1)))
                return interval::unknown();
            return real(e.op(0)) ? interval::reals() : interval::unknown();
        }
        case ml_function::crossentropy:
            return interval::unknown();
        case ml_function::none:
            break;
        }
        if (GiNaC::is_the_function<GiNaC::exp_SERIAL>(e))
            return real(e.op(0)) ? positive : interval::unknown();
        if (GiNaC::is_the_function<GiNaC::log_SERIAL>(e))
            return (*this)(e.op(0)).positive() ? interval::reals() : interval::unknown();
        if (GiNaC::is_the_function<GiNaC::tanh_SERIAL>(e))
            return all_args_real(e, interval::open(numeric(-1), numeric(1)));
        if (GiNaC::is_the_function<GiNaC::cosh_SERIAL>(e)) {
            interval r = interval::closed_open(1);
            return all_args_real(e, r);
        }
        if (GiNaC::is_the_function<GiNaC::sinh_SERIAL>(e) ||
            GiNaC::is_the_function<GiNaC::atan_SERIAL>(e) ||
            GiNaC::is_the_function<GiNaC::sin_SERIAL>(e) ||
            GiNaC::is_the_function<GiNaC::cos_SERIAL>(e))
            return all_args_real(e, interval::reals());
        if (GiNaC::is_the_function<GiNaC::abs_SERIAL>(e))
            return all_args_real(e, interval::closed_open(0));
        if (GiNaC::is_the_function<GiNaC::step_SERIAL>(e)) {
            interval r = interval::point(0);
            r.hi = numeric(1);
            r.hi_open = false;
            return all_args_real(e, r);
        }
        return e.info(info_flags::real) ? interval::reals() : interval::unknown();
    }

    object_map<interval> memo_;
};

} // namespace

bool is_real(const ex& e) {
    bounds_finder b;
    return b.real(e);
}

bool is_positive(const ex& e) {
    bounds_finder b;
    return b(e).positive();
}

} // namespace symgrad::simplify_detail
