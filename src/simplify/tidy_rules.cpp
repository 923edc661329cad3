// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// Algebraic forms of a candidate (expanded, normal, factored), and the helpers the search
// shares: temporaries for real subexpressions, substitution to a fixed point.
#include "rules.hpp"
#include "symgrad/core/object_identity.hpp"

#include <cmath>
#include <functional>

namespace symgrad::simplify_detail {

ex temporaries::symbol_for(const ex& value) {
    if (auto it = symbol_of_.find(value); it != symbol_of_.end())
        return it->second;
    const ex s = GiNaC::symbol("t" + std::to_string(values_.size()));
    values_.emplace(s, value);
    symbol_of_.emplace(value, s);
    return s;
}

std::size_t term_count(const ex& e) {
    return GiNaC::is_exactly_a<GiNaC::add>(e) ? e.nops() : 1;
}

ex substitute_all(const ex& e, const exmap& m) {
    if (m.empty())
        return e;
    ex current = e;
    for (std::size_t round = 0; round <= m.size(); ++round) {
        const ex next = current.subs(m, GiNaC::subs_options::no_pattern);
        if (next.is_equal(current))
            break;
        current = next;
    }
    return current;
}

namespace {

/// Whether GiNaC's factor() can find more than content_form: a sum of at least three terms,
/// not all of degree one (linear forms and binomials gain nothing from factoring).
bool worth_factoring(const ex& polynomial) {
    if (term_count(polynomial) < 3)
        return false;
    for (std::size_t i = 0; i < polynomial.nops(); ++i) {
        const ex& t = polynomial.op(i);
        std::size_t degree = 0;
        auto count = [&](const ex& f) {
            if (GiNaC::is_exactly_a<numeric>(f))
                return;
            if (GiNaC::is_exactly_a<GiNaC::power>(f) && GiNaC::is_exactly_a<numeric>(f.op(1)) &&
                f.op(1).info(GiNaC::info_flags::posint))
                degree += static_cast<std::size_t>(GiNaC::ex_to<numeric>(f.op(1)).to_long());
            else
                degree += 1;
        };
        if (GiNaC::is_exactly_a<GiNaC::mul>(t))
            for (std::size_t k = 0; k < t.nops(); ++k)
                count(t.op(k));
        else
            count(t);
        if (degree >= 2)
            return true;
    }
    return false;
}

/// The factorisation @p f from GiNaC's factor() with each factor expanded. factor() returns an
/// irreducible factor partly collected in one of its variables (x1^2 + x2^2 + x3^2 - x1*x2 -
/// x1*x3 - x2*x3 comes back with -(x2 + x3)*x1, or -(x1 + x3)*x2, ...), and which variable
/// follows GiNaC's run-dependent order: that would make the printed result change from run to
/// run. Only the factorisation itself is kept.
ex expanded_factors(const ex& f) {
    if (GiNaC::is_exactly_a<GiNaC::mul>(f)) {
        GiNaC::exvector factors;
        for (std::size_t i = 0; i < f.nops(); ++i)
            factors.push_back(expanded_factors(f.op(i)));
        return GiNaC::mul(factors);
    }
    if (GiNaC::is_exactly_a<GiNaC::power>(f))
        return GiNaC::pow(expanded_factors(f.op(0)), f.op(1));
    if (GiNaC::is_exactly_a<GiNaC::add>(f))
        return f.expand();
    return f;
}

} // namespace

std::optional<ex> factored_form(const ex& e, std::size_t max_terms) {
    try {
        exmap repl;
        const ex nd = e.to_rational(repl).normal().numer_denom();
        const ex numerator = nd.op(0).expand();
        const ex denominator = nd.op(1).expand();
        if (term_count(numerator) > max_terms || term_count(denominator) > max_terms)
            return std::nullopt;
        if (!worth_factoring(numerator) && !worth_factoring(denominator))
            return std::nullopt;
        const ex f = expanded_factors(GiNaC::factor(numerator)) /
                     expanded_factors(GiNaC::factor(denominator));
        return substitute_all(f, repl);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

namespace {

/// A product as numeric coefficient and base -> exponent (numeric exponents only; other
/// factors are bases with exponent 1).
struct factor_list {
    numeric coefficient = 1;
    std::vector<std::pair<ex, numeric>> powers;
};

factor_list factors_of(const ex& term) {
    factor_list f;
    auto take = [&](const ex& x) {
        if (GiNaC::is_exactly_a<numeric>(x))
            f.coefficient *= GiNaC::ex_to<numeric>(x);
        else if (GiNaC::is_exactly_a<GiNaC::power>(x) && GiNaC::is_exactly_a<numeric>(x.op(1)))
            f.powers.emplace_back(x.op(0), GiNaC::ex_to<numeric>(x.op(1)));
        else
            f.powers.emplace_back(x, numeric(1));
    };
    if (GiNaC::is_exactly_a<GiNaC::mul>(term))
        for (std::size_t i = 0; i < term.nops(); ++i)
            take(term.op(i));
    else
        take(term);
    return f;
}

} // namespace

std::optional<ex> content_form(const ex& e) {
    if (!GiNaC::is_exactly_a<GiNaC::add>(e))
        return std::nullopt;
    std::vector<factor_list> terms;
    for (std::size_t i = 0; i < e.nops(); ++i)
        terms.push_back(factors_of(e.op(i)));
    // Numeric content: gcd of numerators over lcm of denominators (rationals only).
    numeric content = 0;
    bool rational = true;
    for (const auto& t : terms) {
        if (!t.coefficient.is_rational()) {
            rational = false;
            break;
        }
        content = content.is_zero() ? abs(t.coefficient)
                                    : GiNaC::gcd(content.numer(), t.coefficient.numer()) /
                                          GiNaC::lcm(content.denom(), t.coefficient.denom());
    }
    if (!rational || content.is_zero())
        content = 1;
    // Monomial content: bases present in every term, to the smallest exponent of the same sign.
    ex common = 1;
    for (const auto& [base, k] : terms.front().powers) {
        numeric low = k;
        bool everywhere = true;
        for (std::size_t i = 1; i < terms.size() && everywhere; ++i) {
            everywhere = false;
            for (const auto& [b, kk] : terms[i].powers)
                if (b.is_equal(base) && (kk > 0) == (k > 0)) {
                    low = k > 0 ? std::min(low, kk) : std::max(low, kk);
                    everywhere = true;
                    break;
                }
        }
        if (everywhere)
            common *= GiNaC::pow(base, low);
    }
    if (content == 1 && common.is_equal(1))
        return std::nullopt;
    const ex divisor = content * common;
    ex rest = 0;
    for (std::size_t i = 0; i < e.nops(); ++i)
        rest += (e.op(i) / divisor).expand();
    return divisor * rest;
}

double expanded_size(const ex& e) {
    object_map<double> memo;
    std::function<double(const ex&)> size = [&](const ex& x) -> double {
        if (auto it = memo.find(x); it != memo.end())
            return it->second;
        double r = 1;
        if (GiNaC::is_exactly_a<GiNaC::add>(x)) {
            r = 0;
            for (std::size_t i = 0; i < x.nops(); ++i)
                r += size(x.op(i));
        } else if (GiNaC::is_exactly_a<GiNaC::mul>(x)) {
            for (std::size_t i = 0; i < x.nops(); ++i)
                r *= size(x.op(i));
        } else if (GiNaC::is_exactly_a<GiNaC::power>(x) && GiNaC::is_exactly_a<numeric>(x.op(1)) &&
                   x.op(1).info(GiNaC::info_flags::posint)) {
            r = std::pow(size(x.op(0)), GiNaC::ex_to<numeric>(x.op(1)).to_double());
        }
        r = std::min(r, 1e18);
        memo.emplace(x, r);
        return r;
    };
    return size(e);
}

std::vector<ex> algebraic_forms(const ex& e, std::size_t max_terms) {
    std::vector<ex> forms;
    // Expanding (and normal(), which expands numerators) a product of many sums explodes.
    if (expanded_size(e) > static_cast<double>(max_terms))
        return forms;
    try {
        const ex x = e.expand();
        if (term_count(x) <= max_terms) {
            if (auto c = content_form(x))
                forms.push_back(*c);
            forms.push_back(x);
        }
        if (GiNaC::is_exactly_a<GiNaC::add>(e) || GiNaC::is_exactly_a<GiNaC::mul>(e) ||
            GiNaC::is_exactly_a<GiNaC::power>(e)) {
            const ex n = e.normal();
            forms.push_back(n);
            // One numer_denom(), not numer() and denom(): each call normalises afresh, with new
            // temporaries for the functions, and may choose the opposite sign for the pair.
            const ex nd = n.numer_denom();
            if (auto c = content_form(nd.op(0).expand()))
                forms.push_back(*c / nd.op(1));
        }
    } catch (const std::exception&) {
        // normal() and expand() throw only on pathological input (say, division by zero
        // discovered on the way); the input itself stays a candidate.
    }
    return forms;
}

} // namespace symgrad::simplify_detail
