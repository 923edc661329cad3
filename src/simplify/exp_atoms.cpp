// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// Exponentials as monomials in exponentials of independent atoms: GiNaC's normal() treats
// exp(a) as opaque, so exp(-w1 + w3) and exp(w1 + w3) would be unrelated symbols to it; as
// E1^-1 E3 and E1 E3 they are monomials of one polynomial ring, where exp(a)*exp(b) = exp(a + b)
// holds by construction.
#include "rules.hpp"

#include "symgrad/core/object_identity.hpp"
#include "symgrad/core/printers.hpp"

#include <algorithm>
#include <unordered_set>

namespace symgrad::simplify_detail {

namespace {

bool is_skeleton_node(const ex& e) {
    return GiNaC::is_exactly_a<GiNaC::add>(e) || GiNaC::is_exactly_a<GiNaC::mul>(e) ||
           GiNaC::is_exactly_a<GiNaC::power>(e) || GiNaC::is_the_function<GiNaC::log_SERIAL>(e);
}

/// The children of a skeleton node that are skeleton too (a power's exponent is not).
std::size_t skeleton_children(const ex& e) {
    return GiNaC::is_exactly_a<GiNaC::power>(e) ? 1 : e.nops();
}

/// Splits a term of an expanded sum into numeric coefficient and monomial.
void split_coefficient(const ex& term, numeric& c, ex& monomial) {
    if (GiNaC::is_exactly_a<numeric>(term)) {
        c = GiNaC::ex_to<numeric>(term);
        monomial = 1;
        return;
    }
    c = 1;
    monomial = 1;
    if (GiNaC::is_exactly_a<GiNaC::mul>(term)) {
        for (std::size_t i = 0; i < term.nops(); ++i) {
            if (GiNaC::is_exactly_a<numeric>(term.op(i)))
                c *= GiNaC::ex_to<numeric>(term.op(i));
            else
                monomial *= term.op(i);
        }
        return;
    }
    monomial = term;
}

} // namespace

exp_atom_table::exp_atom_table(const ex& skeleton) {
    collect(skeleton);
    // Atoms in structural order, not in the order the walk met them (GiNaC's operand order,
    // which changes from run to run): the atoms' order decides the share solver's particular
    // solution, and so the forms the search sees.
    {
        std::vector<std::size_t> by_structure(atoms_.size());
        for (std::size_t i = 0; i < by_structure.size(); ++i)
            by_structure[i] = i;
        structural_order order;
        std::stable_sort(
            by_structure.begin(), by_structure.end(),
            [&](std::size_t a, std::size_t b) { return order.less(atoms_[a], atoms_[b]); });
        std::vector<std::size_t> new_index(atoms_.size());
        std::vector<ex> sorted;
        for (std::size_t i = 0; i < by_structure.size(); ++i) {
            new_index[by_structure[i]] = i;
            sorted.push_back(atoms_[by_structure[i]]);
        }
        atoms_ = std::move(sorted);
        for (auto& [atom, i] : index_of_atom_)
            i = new_index[i];
        for (auto& [arg, d] : arguments_)
            if (d)
                for (auto& [i, c] : d->coefficients)
                    i = new_index[i];
    }
    // The unit of atom i: the gcd of its coefficients' numerators over the lcm of their
    // denominators, so that exp(1000 x) is E^1 (not E^1000, a polynomial of degree 1000) and
    // exp(x/2), exp(x/3) are E^3, E^2.
    std::vector<numeric> numerators(atoms_.size(), numeric(0));
    std::vector<numeric> denominators(atoms_.size(), numeric(1));
    for (const auto& [arg, d] : arguments_) {
        if (!d)
            continue;
        for (const auto& [i, c] : d->coefficients) {
            numerators[i] = GiNaC::gcd(numerators[i], GiNaC::abs(c.numer()));
            denominators[i] = GiNaC::lcm(denominators[i], c.denom());
        }
    }
    for (std::size_t i = 0; i < atoms_.size(); ++i)
        units_.push_back(numerators[i].is_zero() ? numeric(1) : numerators[i] / denominators[i]);
    for (std::size_t i = 0; i < atoms_.size(); ++i) {
        symbols_.push_back(GiNaC::symbol("E" + std::to_string(i)));
        index_of_symbol_.emplace(symbols_.back(), i);
    }
}

void exp_atom_table::collect(const ex& skeleton) {
    std::unordered_set<ex> seen;
    std::vector<ex> stack{skeleton};
    while (!stack.empty()) {
        const ex e = stack.back();
        stack.pop_back();
        if (!seen.insert(e).second)
            continue;
        if (GiNaC::is_the_function<GiNaC::exp_SERIAL>(e)) {
            add_argument(e.op(0));
            continue;
        }
        if (!is_skeleton_node(e))
            continue;
        for (std::size_t i = 0; i < skeleton_children(e); ++i)
            stack.push_back(e.op(i));
    }
}

void exp_atom_table::add_argument(const ex& arg) {
    if (arguments_.count(arg))
        return;
    const ex expanded = arg.expand();
    std::vector<std::pair<ex, numeric>> terms;
    auto add_term = [&](const ex& t) {
        numeric c;
        ex m;
        split_coefficient(t, c, m);
        terms.emplace_back(m, c);
    };
    if (GiNaC::is_exactly_a<GiNaC::add>(expanded))
        for (std::size_t i = 0; i < expanded.nops(); ++i)
            add_term(expanded.op(i));
    else
        add_term(expanded);
    for (const auto& [m, c] : terms) {
        // A complex exponent (say, log of something negative) breaks exp > 0: leave it opaque.
        if (!c.is_rational() || !is_real(m)) {
            arguments_.emplace(arg, std::nullopt);
            return;
        }
    }
    decomposition d;
    for (const auto& [m, c] : terms) {
        auto [it, fresh] = index_of_atom_.emplace(m, atoms_.size());
        if (fresh)
            atoms_.push_back(m);
        d.coefficients.emplace_back(it->second, c);
    }
    arguments_.emplace(arg, std::move(d));
}

ex exp_atom_table::to_monomials(const ex& skeleton) const {
    struct substitution : GiNaC::map_function {
        const exp_atom_table& t;
        object_map<ex> memo;
        explicit substitution(const exp_atom_table& table) : t(table) {}
        ex operator()(const ex& e) override {
            if (auto it = memo.find(e); it != memo.end())
                return it->second;
            ex r = e;
            if (GiNaC::is_the_function<GiNaC::exp_SERIAL>(e)) {
                auto it = t.arguments_.find(e.op(0));
                if (it != t.arguments_.end() && it->second) {
                    r = 1;
                    for (const auto& [i, c] : it->second->coefficients)
                        r *= GiNaC::pow(t.symbols_[i], c / t.units_[i]);
                }
            } else if (GiNaC::is_exactly_a<GiNaC::power>(e)) {
                r = GiNaC::pow((*this)(e.op(0)), e.op(1));
            } else if (is_skeleton_node(e)) {
                r = e.map(*this);
            }
            memo.emplace(e, r);
            return r;
        }
    };
    substitution s(*this);
    return s(skeleton);
}

ex exp_atom_table::exponent_expression(const exponent_vector& v) const {
    ex sum = 0;
    for (std::size_t i = 0; i < v.size() && i < atoms_.size(); ++i)
        if (!v[i].is_zero())
            sum += v[i] * units_[i] * atoms_[i];
    return sum;
}

std::optional<std::size_t> exp_atom_table::index_of(const ex& symbol) const {
    if (!GiNaC::is_a<GiNaC::symbol>(symbol))
        return std::nullopt;
    auto it = index_of_symbol_.find(symbol);
    if (it == index_of_symbol_.end())
        return std::nullopt;
    return it->second;
}

bool exp_atom_table::split_monomial(const ex& term, exponent_vector& v, ex& rest) const {
    v.assign(atoms_.size(), numeric(0));
    rest = 1;
    auto take = [&](const ex& f) {
        if (auto i = index_of(f)) {
            v[*i] += 1;
            return true;
        }
        if (GiNaC::is_exactly_a<GiNaC::power>(f)) {
            if (auto i = index_of(f.op(0))) {
                if (!GiNaC::is_exactly_a<numeric>(f.op(1)) ||
                    !f.op(1).info(GiNaC::info_flags::integer))
                    return false;
                v[*i] += GiNaC::ex_to<numeric>(f.op(1));
                return true;
            }
        }
        rest *= f;
        return true;
    };
    if (GiNaC::is_exactly_a<GiNaC::mul>(term)) {
        for (std::size_t i = 0; i < term.nops(); ++i)
            if (!take(term.op(i)))
                return false;
        return true;
    }
    return take(term);
}

numeric exp_atom_table::degree_bound(const ex& monomials) const {
    numeric largest = 0;
    for (std::size_t atom = 0; atom < atoms_.size(); ++atom) {
        object_map<numeric> memo;
        auto bound = [&](auto& self, const ex& e) -> numeric {
            if (auto i = index_of(e))
                return *i == atom ? 1 : 0;
            if (e.nops() == 0)
                return 0;
            if (auto it = memo.find(e); it != memo.end())
                return it->second;
            numeric d = 0;
            if (GiNaC::is_exactly_a<GiNaC::power>(e)) {
                const numeric base = self(self, e.op(0));
                // A symbolic exponent keeps E_i^x opaque (to_exponentials makes it exp(a*x)).
                if (!base.is_zero() && GiNaC::is_exactly_a<numeric>(e.op(1)))
                    d = base * GiNaC::abs(GiNaC::ex_to<numeric>(e.op(1)));
            } else if (GiNaC::is_exactly_a<GiNaC::mul>(e)) {
                for (std::size_t i = 0; i < e.nops(); ++i)
                    d += self(self, e.op(i));
            } else {
                for (std::size_t i = 0; i < e.nops(); ++i)
                    d = std::max(d, self(self, e.op(i)));
            }
            memo.emplace(e, d);
            return d;
        };
        largest = std::max(largest, bound(bound, monomials));
    }
    return largest;
}

ex exp_atom_table::to_exponentials(const ex& e) const {
    if (atoms_.empty())
        return e;
    struct back : GiNaC::map_function {
        const exp_atom_table& t;
        object_map<ex> memo;
        explicit back(const exp_atom_table& table) : t(table) {}
        ex operator()(const ex& e) override {
            if (auto it = memo.find(e); it != memo.end())
                return it->second;
            ex r = convert(e);
            memo.emplace(e, r);
            return r;
        }
        ex convert(const ex& e) {
            // E_i^x with a symbolic exponent (from exp(a)^x: GiNaC keeps the power of an
            // exponential as it is written) is exp(a)^x = exp(a*x) for real a and x. It is not
            // a monomial: taking it apart as one would map it to itself without end.
            if (GiNaC::is_exactly_a<GiNaC::power>(e) && t.index_of(e.op(0)) &&
                !GiNaC::is_exactly_a<numeric>(e.op(1))) {
                exponent_vector unit(t.size(), numeric(0));
                unit[*t.index_of(e.op(0))] = 1;
                return GiNaC::exp(t.exponent_expression(unit) * (*this)(e.op(1)));
            }
            const bool e_power = GiNaC::is_exactly_a<GiNaC::power>(e) &&
                                 t.index_of(e.op(0)).has_value() &&
                                 GiNaC::is_exactly_a<numeric>(e.op(1));
            if (GiNaC::is_exactly_a<GiNaC::mul>(e) || e_power || t.index_of(e)) {
                exponent_vector v(t.size(), numeric(0));
                ex rest = 1;
                bool any = false;
                auto take = [&](const ex& f) {
                    if (auto i = t.index_of(f)) {
                        v[*i] += 1;
                        any = true;
                    } else if (GiNaC::is_exactly_a<GiNaC::power>(f) && t.index_of(f.op(0)) &&
                               GiNaC::is_exactly_a<numeric>(f.op(1))) {
                        v[*t.index_of(f.op(0))] += GiNaC::ex_to<numeric>(f.op(1));
                        any = true;
                    } else {
                        rest *= (*this)(f);
                    }
                };
                if (GiNaC::is_exactly_a<GiNaC::mul>(e))
                    for (std::size_t i = 0; i < e.nops(); ++i)
                        take(e.op(i));
                else
                    take(e);
                if (!any)
                    return rest;
                return rest * GiNaC::exp(t.exponent_expression(v));
            }
            if (GiNaC::is_exactly_a<GiNaC::power>(e))
                return GiNaC::pow((*this)(e.op(0)), (*this)(e.op(1)));
            if (e.nops() == 0)
                return e;
            return e.map(*this);
        }
    };
    back b(*this);
    return b(e);
}

} // namespace symgrad::simplify_detail
