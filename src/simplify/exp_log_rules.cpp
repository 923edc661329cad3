// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// Logs of rational functions of exponentials, split over positive factors only:
//   log(exp(a)) = a (a real),  log(a*b) = log a + log b and log(a^n) = n log a  (a > 0),
//   log(exp(z0) + exp(z1)) = z0 + softplus(z1 - z0) = z1 + softplus(z0 - z1) = logsumexp(z0, z1),
//   log(sum_k exp(z_k)) = logsumexp(z).
// Splitting a product inside a log is valid as soon as the split-off factor is positive: for
// P > 0 and any real Q, log(P Q) = log P + log Q (the principal log takes arg Q either way). The
// exponentials and sums of exponentials are positive by construction; what is left (R) is split
// further only into factors is_positive proves positive. And exp(a)*exp(b) = exp(a + b).
#include "rules.hpp"

#include "symgrad/core/functions.hpp"
#include "symgrad/core/object_identity.hpp"

#include <map>

namespace symgrad::simplify_detail {

namespace {

/// log x, split over the factors of x that are provably positive.
ex log_split(const ex& x) {
    if (x.is_equal(1))
        return 0;
    if (GiNaC::is_exactly_a<GiNaC::power>(x) && is_positive(x.op(0)) && is_real(x.op(1)))
        return x.op(1) * log_split(x.op(0));
    if (GiNaC::is_the_function<GiNaC::exp_SERIAL>(x) && is_real(x.op(0)))
        return x.op(0);
    if (GiNaC::is_exactly_a<GiNaC::mul>(x)) {
        ex split = 0;
        ex kept = 1;
        for (std::size_t i = 0; i < x.nops(); ++i) {
            const ex& f = x.op(i);
            if (is_positive(f) && !(GiNaC::is_exactly_a<numeric>(f) && f.is_equal(1)))
                split += log_split(f);
            else
                kept *= f;
        }
        if (!split.is_zero())
            return split + (kept.is_equal(1) ? ex(0) : GiNaC::log(kept));
    }
    return GiNaC::log(x);
}

class log_expansion : public GiNaC::map_function {
public:
    log_expansion(const exp_atom_table& atoms, const std::vector<sum_of_exps>& sums,
                  std::vector<choice_point>& choices, temporaries& temps)
        : atoms_(atoms), sums_(sums), choices_(choices), temps_(temps) {}

    ex operator()(const ex& e) override {
        if (auto it = memo_.find(e); it != memo_.end())
            return it->second;
        ex r = e;
        if (GiNaC::is_the_function<GiNaC::log_SERIAL>(e))
            r = expand_log((*this)(e.op(0)));
        else if (GiNaC::is_exactly_a<GiNaC::power>(e))
            r = GiNaC::pow((*this)(e.op(0)), e.op(1));
        else if (GiNaC::is_exactly_a<GiNaC::add>(e) || GiNaC::is_exactly_a<GiNaC::mul>(e))
            r = e.map(*this);
        memo_.emplace(e, r);
        return r;
    }

private:
    /// The temporary standing for log F_j, with its spellings registered as a choice.
    ex log_of_sum(std::size_t j) {
        if (auto it = log_symbols_.find(j); it != log_symbols_.end())
            return it->second;
        const sum_of_exps& f = sums_[j];
        // log of the shifted polynomial = log(sum_k exp(z_k)) - low.atoms
        exponent_vector low = f.exponents[0];
        for (std::size_t i = 0; i < low.size(); ++i)
            low[i] -= f.shifted[0][i];
        const ex shift = atoms_.exponent_expression(low);
        GiNaC::exvector z;
        for (const auto& v : f.exponents)
            z.push_back(atoms_.exponent_expression(v));
        const ex symbol = GiNaC::symbol("logF" + std::to_string(j));
        log_symbols_.emplace(j, symbol);
        choice_point c;
        if (z.size() == 2) {
            c.options.push_back(
                {{symbol, z[0] + temps_.symbol_for(softplus(z[1] - z[0])) - shift}});
            c.options.push_back(
                {{symbol, z[1] + temps_.symbol_for(softplus(z[0] - z[1])) - shift}});
        }
        c.options.push_back({{symbol, temps_.symbol_for(logsumexp(z)) - shift}});
        log_choices_.emplace(j, std::move(c));
        return symbol;
    }

public:
    /// The spellings of the logs of sums met, in order of the sums (not in the order the
    /// walk met them, which follows GiNaC's run-dependent operand order).
    void hand_over_choices() {
        for (auto& [j, c] : log_choices_)
            choices_.push_back(std::move(c));
        log_choices_.clear();
    }

private:
    ex expand_log(const ex& arg) {
        exmap repl;
        ex numerator, denominator;
        try {
            const ex nd = arg.to_rational(repl).normal().numer_denom();
            numerator = nd.op(0).expand();
            denominator = nd.op(1).expand();
        } catch (const std::exception&) {
            return GiNaC::log(arg);
        }
        const sum_factorisation fn = divide_by_sums(numerator, sums_);
        const sum_factorisation fd = divide_by_sums(denominator, sums_);
        ex result = 0;
        for (std::size_t j = 0; j < sums_.size(); ++j) {
            const int m = fn.multiplicity[j] - fd.multiplicity[j];
            if (m != 0)
                result += m * log_of_sum(j);
        }
        // Exponentials left in monomial numerator or denominator come out as linear forms.
        ex rest_n = fn.rest, rest_d = fd.rest;
        exponent_vector v(atoms_.size(), numeric(0));
        auto take_monomial = [&](ex& rest, int sign) {
            if (GiNaC::is_exactly_a<GiNaC::add>(rest))
                return;
            exponent_vector w;
            ex q;
            if (!atoms_.split_monomial(rest, w, q))
                return;
            for (std::size_t i = 0; i < v.size(); ++i)
                v[i] += sign * w[i];
            rest = q;
        };
        take_monomial(rest_n, 1);
        take_monomial(rest_d, -1);
        result += atoms_.exponent_expression(v);
        const ex rest = atoms_.to_exponentials(substitute_all(rest_n / rest_d, repl));
        return result + log_split(rest);
    }

    const exp_atom_table& atoms_;
    const std::vector<sum_of_exps>& sums_;
    std::vector<choice_point>& choices_;
    temporaries& temps_;
    std::map<std::size_t, ex> log_symbols_;
    std::map<std::size_t, choice_point> log_choices_;
    object_map<ex> memo_;
};

class exponential_combination : public GiNaC::map_function {
public:
    ex operator()(const ex& e) override {
        if (e.nops() == 0)
            return e;
        if (auto it = memo_.find(e); it != memo_.end())
            return it->second;
        const ex mapped = e.map(*this);
        ex r = mapped;
        if (GiNaC::is_exactly_a<GiNaC::power>(mapped)) {
            std::optional<ex> a = exponent_of(mapped);
            if (a)
                r = GiNaC::exp(*a);
        } else if (GiNaC::is_exactly_a<GiNaC::mul>(mapped)) {
            ex exponent = 0, rest = 1;
            int count = 0;
            bool any_power = false;
            for (std::size_t i = 0; i < mapped.nops(); ++i) {
                if (auto a = exponent_of(mapped.op(i))) {
                    exponent += *a;
                    ++count;
                    any_power = any_power || GiNaC::is_exactly_a<GiNaC::power>(mapped.op(i));
                } else {
                    rest *= mapped.op(i);
                }
            }
            if (count >= 2 || any_power)
                r = rest * GiNaC::exp(exponent);
        }
        memo_.emplace(e, r);
        return r;
    }

private:
    /// a*n for exp(a)^n (real a, or integer n), a for exp(a).
    static std::optional<ex> exponent_of(const ex& f) {
        if (GiNaC::is_the_function<GiNaC::exp_SERIAL>(f))
            return f.op(0);
        if (GiNaC::is_exactly_a<GiNaC::power>(f) &&
            GiNaC::is_the_function<GiNaC::exp_SERIAL>(f.op(0)) &&
            GiNaC::is_exactly_a<numeric>(f.op(1)) &&
            (f.op(1).info(GiNaC::info_flags::integer) || is_real(f.op(0).op(0))))
            return f.op(0).op(0) * f.op(1);
        return std::nullopt;
    }

    object_map<ex> memo_;
};

} // namespace

ex expand_logs(const ex& monomials, const exp_atom_table& atoms,
               const std::vector<sum_of_exps>& sums, std::vector<choice_point>& choices,
               temporaries& temps) {
    log_expansion l(atoms, sums, choices, temps);
    const ex r = l(monomials);
    l.hand_over_choices();
    return r;
}

ex combine_exponentials(const ex& e) {
    exponential_combination c;
    return c(e);
}

} // namespace symgrad::simplify_detail
