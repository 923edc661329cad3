// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/exp_normal_form.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/expression_walk.hpp"
#include "symgrad/core/functions.hpp"
#include "symgrad/core/ginac_reason.hpp"
#include "symgrad/core/printers.hpp"
#include "symgrad/core/size_limits.hpp"

#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace symgrad {

using GiNaC::ex;
using GiNaC::exvector;
using GiNaC::numeric;

namespace {

bool is_function_named(const ex& e, const char* name) {
    return GiNaC::is_exactly_a<GiNaC::function>(e) &&
           GiNaC::ex_to<GiNaC::function>(e).get_name() == name;
}

bool is_leaf(const ex& e) {
    return GiNaC::is_exactly_a<numeric>(e) || GiNaC::is_a<GiNaC::symbol>(e) ||
           GiNaC::is_a<GiNaC::constant>(e);
}

/// The text of an expression over atoms: the atoms' variables print as their names, which are
/// made the same way, so the text depends on the expression only (GiNaC's own print follows its
/// run-dependent operand order, and two equal atoms of two components would print differently).
std::string text_of(const ex& e) {
    return to_text(e);
}

// ---------------------------------------------------------------------------------------------
// ML functions into exp and log.

class exponential_rewriter : public GiNaC::map_function {
public:
    ex operator()(const ex& e) override {
        if (is_leaf(e))
            return e;
        if (auto it = memo_.find(e); it != memo_.end())
            return it->second;
        const ex value = rewrite(e.map(*this));
        memo_.emplace(e, value);
        return value;
    }

private:
    static ex sum_of_exps(const ex& e, std::size_t from) {
        ex s = 0;
        for (std::size_t i = from; i < e.nops(); ++i)
            s += GiNaC::exp(e.op(i));
        return s;
    }

    static ex rewrite(const ex& e) {
        switch (ml_function_of(e)) {
        case ml_function::sigmoid:
            return 1 / (1 + GiNaC::exp(-e.op(0)));
        case ml_function::softplus:
            return GiNaC::log(1 + GiNaC::exp(e.op(0)));
        case ml_function::logsumexp:
            return GiNaC::log(sum_of_exps(e, 0));
        case ml_function::softmax:
            return GiNaC::exp(e.op(softmax_index(e) + 1)) / sum_of_exps(e, 1);
        case ml_function::crossentropy: {
            // A numeric label is evaluated by the function itself; a symbolic one selects its
            // class through indicators, which the caller splits into cases.
            ex s = 0;
            for (std::size_t k = 1; k < e.nops(); ++k)
                s -= indicator(e.op(0), static_cast<long>(k - 1)) * GiNaC::log(e.op(k));
            return s;
        }
        case ml_function::logloss: {
            const ex& p = e.op(0);
            const ex& y = e.op(1);
            return -(y * GiNaC::log(p) + (1 - y) * GiNaC::log(1 - p));
        }
        case ml_function::none:
        case ml_function::relu:
        case ml_function::indicator:
            break;
        }
        if (is_function_named(e, "tanh")) {
            const ex t = GiNaC::exp(2 * e.op(0));
            return (t - 1) / (t + 1);
        }
        if (is_function_named(e, "sinh"))
            return (GiNaC::exp(e.op(0)) - GiNaC::exp(-e.op(0))) / 2;
        if (is_function_named(e, "cosh"))
            return (GiNaC::exp(e.op(0)) + GiNaC::exp(-e.op(0))) / 2;
        return e;
    }

    std::unordered_map<ex, ex> memo_;
};

// ---------------------------------------------------------------------------------------------
// Exponential and logarithmic atoms.

/// The largest power of an exponential atom the exact decision takes on.
const numeric max_atom_degree(2000);

/// exp(term/den), a positive variable.
struct exp_atom {
    ex variable;
    ex term;
    numeric den;
};

/// log|factor|, a real variable; |factor| is a positive variable when an exponential needs it.
struct log_atom {
    ex variable;
    ex factor;
    bool positive; // factor > 0 everywhere, so |factor| = factor
    std::optional<ex> abs_variable;
};

/// A logarithm's domain: the product of the signs of these (odd-power) factors equals sign.
struct log_domain_constraint {
    std::vector<std::size_t> factors; // indices into the log atoms
    int sign;
};

/// Positive rational q as sum_p e_p log p over its primes (trial division; a cofactor too large
/// to split stays whole).
ex log_of_positive_rational(const numeric& q) {
    ex out = 0;
    auto split = [&out](numeric n, int sign) {
        for (long p = 2; p <= 1000000; p = (p == 2 ? 3 : p + 2)) {
            const numeric np(p);
            if (np * np > n)
                break;
            long e = 0;
            while (GiNaC::irem(n, np).is_zero()) {
                n = GiNaC::iquo(n, np);
                ++e;
            }
            if (e != 0)
                out += sign * e * GiNaC::log(ex(np));
        }
        if (n != 1)
            out += sign * GiNaC::log(ex(n));
    };
    split(q.numer(), 1);
    split(q.denom(), -1);
    return out;
}

/// t = c * m with c the numeric coefficient of the term t.
void split_term(const ex& t, numeric& c, ex& m) {
    c = 1;
    m = 1;
    if (GiNaC::is_exactly_a<numeric>(t)) {
        c = GiNaC::ex_to<numeric>(t);
        return;
    }
    if (GiNaC::is_exactly_a<GiNaC::mul>(t)) {
        for (std::size_t i = 0; i < t.nops(); ++i) {
            if (GiNaC::is_exactly_a<numeric>(t.op(i)))
                c *= GiNaC::ex_to<numeric>(t.op(i));
            else
                m *= t.op(i);
        }
        return;
    }
    m = t;
}

/// Terms of the expanded @p e with a negative coefficient (to choose between f and -f).
std::size_t negative_terms(const ex& e) {
    std::size_t n = 0;
    auto count = [&n](const ex& t) {
        numeric c;
        ex m;
        split_term(t, c, m);
        if (c.is_real() && c.is_negative())
            ++n;
    };
    if (GiNaC::is_exactly_a<GiNaC::add>(e))
        for (const ex& t : e)
            count(t);
    else
        count(e);
    return n;
}

class exp_log_atomizer : public GiNaC::map_function {
public:
    ex operator()(const ex& e) override {
        if (is_leaf(e))
            return e;
        if (auto it = memo_.find(e); it != memo_.end())
            return it->second;
        ex value;
        if (GiNaC::is_exactly_a<GiNaC::power>(e)) {
            const ex base = (*this)(e.op(0));
            const ex& exponent = e.op(1);
            if (GiNaC::is_exactly_a<numeric>(exponent))
                value = GiNaC::pow(base, exponent);
            else // a^b = exp(b log a), a > 0 where a real power with a symbolic exponent is defined
                value = exp_of((*this)(exponent)*log_of(base));
        } else if (is_function_named(e, "exp")) {
            value = exp_of((*this)(e.op(0)));
        } else if (is_function_named(e, "log")) {
            value = log_of((*this)(e.op(0)));
        } else {
            value = e.map(*this);
        }
        memo_.emplace(e, value);
        return value;
    }

    /// Run over @p e until the atoms' denominators are stable (a later exponent may need a
    /// finer root of an atom than an earlier one did).
    ex run(const ex& e) {
        ex out;
        for (int round = 0; round < 6; ++round) {
            changed_ = false;
            memo_.clear();
            constraints_.clear();
            out = (*this)(e);
            if (!changed_)
                return out;
        }
        throw error("the exponents' denominators did not settle");
    }

    const std::vector<exp_atom>& exp_atoms() const { return exp_atoms_; }
    const std::vector<log_atom>& log_atoms() const { return log_atoms_; }
    const std::vector<log_domain_constraint>& constraints() const { return constraints_; }

private:
    /// exp(m)^c for a rational c, through the atom exp(m/den).
    ex atom_power(const ex& m, const numeric& c) {
        auto it = exp_index_.find(m);
        if (it == exp_index_.end()) {
            const std::string name = "exp(" + text_of(m) + ")";
            exp_atoms_.push_back({GiNaC::possymbol(name), m, 1});
            it = exp_index_.emplace(m, exp_atoms_.size() - 1).first;
        }
        exp_atom& a = exp_atoms_[it->second];
        const numeric needed = GiNaC::lcm(a.den, c.denom());
        if (needed != a.den) {
            a.den = needed;
            changed_ = true;
        }
        // exp(-2) beside exp(-2/10^6) is E^2000000 over the atom E = exp(10^-6): factor() and
        // normal() of a polynomial of that degree take minutes (and exp(10^20) beside exp(1)
        // gigabytes). Such a difference is left to the balls.
        if (GiNaC::abs(c * a.den) > max_atom_degree)
            throw size_limit_error("an exponential is a power of degree " + brief(c * a.den, 40) +
                                   " of its atom exp(" + brief(m / a.den, 80) + ")");
        return GiNaC::pow(a.variable, c * a.den);
    }

    std::optional<std::size_t> log_atom_index(const ex& variable) const {
        if (auto it = log_by_variable_.find(variable); it != log_by_variable_.end())
            return it->second;
        return std::nullopt;
    }

    ex abs_variable(log_atom& a) {
        if (!a.abs_variable) {
            a.abs_variable = GiNaC::possymbol("abs(" + text_of(a.factor) + ")");
            abs_index_.emplace(*a.abs_variable, static_cast<std::size_t>(&a - log_atoms_.data()));
        }
        return *a.abs_variable;
    }

    ex exp_of(const ex& argument) {
        const ex a = argument.expand();
        exvector terms;
        if (GiNaC::is_exactly_a<GiNaC::add>(a))
            terms.assign(a.begin(), a.end());
        else
            terms.push_back(a);
        numeric constant = 0;
        ex out = 1;
        for (const ex& t : terms) {
            numeric c;
            ex m;
            split_term(t, c, m);
            if (!c.is_rational()) {
                out *= GiNaC::is_exactly_a<numeric>(t) ? GiNaC::exp(t) : atom_power(t, 1);
                continue;
            }
            if (m.is_equal(1)) {
                constant += c;
                continue;
            }
            if (auto li = log_atom_index(m)) {
                // exp(c log|f|) = |f|^c
                log_atom& la = log_atoms_[*li];
                if (la.positive || (c.is_even()))
                    out *= GiNaC::pow(la.factor, c);
                else
                    out *= GiNaC::pow(abs_variable(la), c);
                continue;
            }
            if (is_function_named(m, "log") && m.op(0).info(GiNaC::info_flags::posint)) {
                out *= GiNaC::pow(m.op(0), c); // exp(c log n) = n^c
                continue;
            }
            out *= atom_power(m, c);
        }
        if (!constant.is_zero())
            out *= atom_power(1, constant);
        return out;
    }

    /// log|f|^e for one factor f of a log argument; flips @p sign when f is replaced by -f.
    ex log_of_factor(const ex& f, const numeric& e, int& sign, std::vector<std::size_t>& odd) {
        for (const auto& a : exp_atoms_)
            if (f.is_equal(a.variable))
                return e * a.term / a.den;
        if (auto it = abs_index_.find(f); it != abs_index_.end())
            return e * log_atoms_[it->second].variable;
        const bool positive = f.info(GiNaC::info_flags::positive);
        ex key = f.expand();
        if (!positive) {
            // log|f| = log|-f|: one representative of +-f.
            const ex negated = (-f).expand();
            const std::size_t nk = negative_terms(key), nn = negative_terms(negated);
            if (nn < nk || (nn == nk && structural_compare(negated, key) < 0)) {
                key = negated;
                if (e.is_odd())
                    sign = -sign;
            }
        }
        auto it = log_index_.find(key);
        if (it == log_index_.end()) {
            const std::string name = "log(" + std::string(positive ? "" : "|") + text_of(key) +
                                     std::string(positive ? "" : "|") + ")";
            log_atoms_.push_back({GiNaC::symbol(name), key, positive, std::nullopt});
            it = log_index_.emplace(key, log_atoms_.size() - 1).first;
            log_by_variable_.emplace(log_atoms_.back().variable, log_atoms_.size() - 1);
        }
        if (!positive && e.is_odd())
            odd.push_back(it->second);
        return e * log_atoms_[it->second].variable;
    }

    /// log a for a > 0 (the domain of log): log|content| + sum e_j log|f_j|.
    ex log_of(const ex& a) {
        if (GiNaC::is_exactly_a<numeric>(a)) {
            const numeric& q = GiNaC::ex_to<numeric>(a);
            if (q.is_rational() && q.is_positive())
                return log_of_positive_rational(q);
            return GiNaC::log(a);
        }
        // log(r b_1^q_1 ... b_n^q_n) = log r + sum_i q_i log b_i for rational, non-integer q_i: a
        // real fractional power is defined only where b_i > 0, and there r > 0 wherever the log
        // is. to_rational below would make each b_i^q_i an opaque symbol, unrelated to log b_i.
        {
            exvector factors;
            if (GiNaC::is_exactly_a<GiNaC::mul>(a))
                factors.assign(a.begin(), a.end());
            else
                factors.push_back(a);
            ex rest = 1;
            ex powers = 0;
            bool fractional = false;
            for (const ex& f : factors) {
                if (GiNaC::is_exactly_a<GiNaC::power>(f) && GiNaC::is_exactly_a<numeric>(f.op(1))) {
                    const numeric& q = GiNaC::ex_to<numeric>(f.op(1));
                    if (q.is_rational() && !q.is_integer()) {
                        powers += q * log_of(f.op(0));
                        fractional = true;
                        continue;
                    }
                }
                rest *= f;
            }
            // A negative number left over (the log is undefined) goes the general way.
            const bool negative_rest =
                GiNaC::is_exactly_a<numeric>(rest) && !GiNaC::ex_to<numeric>(rest).is_positive();
            if (fractional && !negative_rest)
                return log_of(rest) + powers;
        }
        GiNaC::exmap replaced;
        const ex rational = a.to_rational(replaced);
        const ex nd = GiNaC::numer_denom(rational);
        numeric content = 1;
        int sign = 1;
        std::vector<std::size_t> odd;
        ex out = 0;
        for (int side = 0; side < 2; ++side) {
            const int direction = side == 0 ? 1 : -1;
            const ex factored = GiNaC::factor(nd.op(static_cast<std::size_t>(side)));
            exvector factors;
            if (GiNaC::is_exactly_a<GiNaC::mul>(factored))
                factors.assign(factored.begin(), factored.end());
            else
                factors.push_back(factored);
            for (const ex& f : factors) {
                ex base = f;
                numeric e = 1;
                if (GiNaC::is_exactly_a<GiNaC::power>(f) && GiNaC::is_exactly_a<numeric>(f.op(1)) &&
                    f.op(1).info(GiNaC::info_flags::integer)) {
                    base = f.op(0);
                    e = GiNaC::ex_to<numeric>(f.op(1));
                }
                if (GiNaC::is_exactly_a<numeric>(base)) {
                    content *= GiNaC::pow(GiNaC::ex_to<numeric>(base), e * direction);
                    continue;
                }
                out += log_of_factor(base.subs(replaced), e * direction, sign, odd);
            }
        }
        if (content.is_negative()) {
            sign = -sign;
            content = -content;
        }
        if (!odd.empty())
            constraints_.push_back({odd, sign});
        return out + log_of_positive_rational(content);
    }

    std::unordered_map<ex, ex> memo_;
    std::vector<exp_atom> exp_atoms_;
    std::map<ex, std::size_t, GiNaC::ex_is_less> exp_index_;
    std::vector<log_atom> log_atoms_;
    std::map<ex, std::size_t, GiNaC::ex_is_less> log_index_;
    std::map<ex, std::size_t, GiNaC::ex_is_less> log_by_variable_;
    std::map<ex, std::size_t, GiNaC::ex_is_less> abs_index_;
    std::vector<log_domain_constraint> constraints_;
    bool changed_ = false;
};

/// The symbols of @p e, walking the DAG (shared subexpressions once).
std::set<ex, GiNaC::ex_is_less> symbols_in(const ex& e) {
    std::set<ex, GiNaC::ex_is_less> out;
    for_each_subexpression(e, [&out](const ex& node) {
        if (GiNaC::is_a<GiNaC::symbol>(node))
            out.insert(node);
    });
    return out;
}

int sign_of(const numeric& n) {
    return n.is_zero() ? 0 : (n.is_positive() ? 1 : -1);
}

/// Bounds on one variable: lo < v < hi (or <=), possibly unbounded.
struct interval {
    std::optional<numeric> lo, hi;
    bool lo_closed = false, hi_closed = false;

    void lower(const numeric& x, bool closed) {
        if (!lo || x > *lo || (x == *lo && !closed)) {
            lo = x;
            lo_closed = closed;
        }
    }
    void upper(const numeric& x, bool closed) {
        if (!hi || x < *hi || (x == *hi && !closed)) {
            hi = x;
            hi_closed = closed;
        }
    }
    bool empty() const {
        if (!lo || !hi)
            return false;
        return *lo > *hi || (*lo == *hi && !(lo_closed && hi_closed));
    }
};

} // namespace

ex rewrite_to_exponentials(const ex& e) {
    exponential_rewriter r;
    return r(e);
}

bool may_be_satisfiable(const std::vector<sign_condition>& conditions) {
    std::map<ex, interval, GiNaC::ex_is_less> bounds;
    for (const auto& c : conditions) {
        const ex e = c.expr.expand();
        if (GiNaC::is_exactly_a<numeric>(e)) {
            const numeric& n = GiNaC::ex_to<numeric>(e);
            if (n.is_real() && sign_of(n) != c.sign && !(c.or_zero && n.is_zero()))
                return false;
            continue;
        }
        const auto vars = symbols_in(e);
        if (vars.size() != 1)
            continue;
        const ex& v = *vars.begin();
        // degree() throws on a non-integer power (sqrt(n)): such a condition is not linear.
        if (!e.is_polynomial(v) || e.degree(v) != 1 || e.ldegree(v) < 0)
            continue;
        const ex a = e.coeff(v, 1), b = e.coeff(v, 0);
        if (!GiNaC::is_exactly_a<numeric>(a) || !GiNaC::is_exactly_a<numeric>(b) ||
            !a.info(GiNaC::info_flags::rational) || !b.info(GiNaC::info_flags::rational))
            continue;
        const numeric& an = GiNaC::ex_to<numeric>(a);
        const numeric root = -GiNaC::ex_to<numeric>(b) / an;
        const int s = c.sign * sign_of(an); // sign of v - root
        interval& iv = bounds[v];
        if (s > 0)
            iv.lower(root, c.or_zero);
        else if (s < 0)
            iv.upper(root, c.or_zero);
        else {
            iv.lower(root, true);
            iv.upper(root, true);
        }
        if (iv.empty())
            return false;
    }
    return true;
}

bool has_nested_fractional_power(const ex& e) {
    auto fractional = [](const ex& p) {
        return GiNaC::is_exactly_a<GiNaC::power>(p) && !p.op(1).info(GiNaC::info_flags::integer);
    };
    for (GiNaC::const_preorder_iterator i = e.preorder_begin(); i != e.preorder_end(); ++i)
        if (fractional(*i)) {
            for (GiNaC::const_preorder_iterator j = i->op(0).preorder_begin();
                 j != i->op(0).preorder_end(); ++j)
                if (fractional(*j))
                    return true;
        }
    return false;
}

zero_test_report exact_zero_test(const ex& difference,
                                 const std::vector<sign_condition>& assumptions) {
    zero_test_report report;
    if (has_nested_fractional_power(difference)) {
        report.obstacle = "a fractional power of a fractional power, for which GiNaC's "
                          "normal form is not reliable";
        return report;
    }
    try {
        const ex rewritten = rewrite_to_exponentials(difference);
        exp_log_atomizer atomizer;
        const ex form = atomizer.run(rewritten);
        for (const auto& a : atomizer.exp_atoms())
            report.exp_atoms.push_back("exp(" + text_of(a.term / a.den) + ")");
        report.log_atoms = atomizer.log_atoms().size();

        // The |f| variables that survived, each to be replaced by +f or -f; in structural
        // order of f (the atoms were made in GiNaC's run-dependent operand order), which
        // orders the sign cases and so decides which failing case is reported.
        std::vector<std::size_t> signed_factors;
        const auto present = symbols_in(form);
        for (std::size_t i = 0; i < atomizer.log_atoms().size(); ++i) {
            const auto& la = atomizer.log_atoms()[i];
            if (la.abs_variable && present.count(*la.abs_variable) != 0)
                signed_factors.push_back(i);
        }
        {
            structural_order order;
            std::stable_sort(signed_factors.begin(), signed_factors.end(),
                             [&](std::size_t a, std::size_t b) {
                                 return order.less(atomizer.log_atoms()[a].factor,
                                                   atomizer.log_atoms()[b].factor);
                             });
        }
        if (signed_factors.empty()) {
            report.zero = GiNaC::normal(form).is_zero();
            if (!report.zero)
                report.obstacle = "the rational normal form of the difference is not 0";
            return report;
        }
        if (signed_factors.size() > 10) {
            report.obstacle = "too many sign cases of absolute values";
            return report;
        }
        const std::size_t cases = std::size_t{1} << signed_factors.size();
        report.sign_cases = 0;
        for (std::size_t mask = 0; mask < cases; ++mask) {
            std::map<std::size_t, int> sign_by_atom;
            std::vector<sign_condition> conditions = assumptions;
            GiNaC::exmap substitution;
            for (std::size_t j = 0; j < signed_factors.size(); ++j) {
                const int s = (mask >> j) & 1u ? -1 : 1;
                const auto& la = atomizer.log_atoms()[signed_factors[j]];
                sign_by_atom[signed_factors[j]] = s;
                conditions.push_back({la.factor, s});
                substitution[*la.abs_variable] = s * la.factor;
            }
            // The logarithms' arguments are positive: a product of signs is fixed.
            bool allowed = true;
            for (const auto& c : atomizer.constraints()) {
                int product = 1;
                bool known = true;
                for (std::size_t f : c.factors) {
                    auto it = sign_by_atom.find(f);
                    if (it == sign_by_atom.end()) {
                        known = false;
                        break;
                    }
                    product *= it->second;
                }
                if (known && product != c.sign)
                    allowed = false;
            }
            if (!allowed || !may_be_satisfiable(conditions))
                continue;
            ++report.sign_cases;
            if (!GiNaC::normal(form.subs(substitution)).is_zero()) {
                std::string where;
                for (std::size_t j = 0; j < signed_factors.size(); ++j)
                    where += (j ? ", " : "") +
                             text_of(atomizer.log_atoms()[signed_factors[j]].factor) +
                             ((mask >> j) & 1u ? " < 0" : " > 0");
                report.obstacle = "the rational normal form is not 0 where " + where;
                return report;
            }
        }
        report.zero = true;
    } catch (const std::exception& x) {
        report.zero = false;
        report.obstacle = "the exact decision stopped: " + ginac_reason(x);
    }
    return report;
}

} // namespace symgrad
