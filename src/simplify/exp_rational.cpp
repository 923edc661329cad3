// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// A rational function of exponentials as a function of shares. With F_j = sum_k exp(z_jk) the
// sums of exponentials dividing the denominator D = c E^v_M Q prod_j F_j^m_j, every term
// a E^v of the numerator satisfies, exactly,
//   a E^v / D = (a/(c Q)) prod_jk p_jk^n_jk E^r,   p_jk = exp(z_jk)/F_j,
// as soon as v - v_M = sum_jk n_jk z_jk + r and sum_k n_jk = m_j: a linear system over the
// rationals, solved once by Gaussian elimination for all terms. The shares are what sigmoid and
// softmax are made of, so this is where they are recognised.
#include "rules.hpp"

#include "symgrad/core/printers.hpp"
#include "symgrad/core/symbols.hpp"

#include <algorithm>

namespace symgrad::simplify_detail {

namespace {

/// The exponent vector of a term when it is a pure monomial in the E_i with coefficient 1.
std::optional<exponent_vector> pure_exponent(const ex& term, const exp_atom_table& atoms) {
    exponent_vector v;
    ex rest;
    if (!atoms.split_monomial(term, v, rest) || !rest.is_equal(1))
        return std::nullopt;
    return v;
}

std::optional<sum_of_exps> as_sum_of_exps(const ex& sum, const exp_atom_table& atoms) {
    if (!GiNaC::is_exactly_a<GiNaC::add>(sum))
        return std::nullopt;
    std::vector<std::pair<std::string, exponent_vector>> terms;
    for (std::size_t i = 0; i < sum.nops(); ++i) {
        auto v = pure_exponent(sum.op(i), atoms);
        if (!v)
            return std::nullopt;
        terms.emplace_back(to_text(atoms.exponent_expression(*v)), std::move(*v));
    }
    std::sort(terms.begin(), terms.end(),
              [](const auto& a, const auto& b) { return natural_less(a.first, b.first); });
    sum_of_exps f;
    exponent_vector low = terms.front().second;
    for (const auto& [text, v] : terms)
        for (std::size_t i = 0; i < v.size(); ++i)
            low[i] = std::min(low[i], v[i]);
    for (const auto& [text, v] : terms) {
        exponent_vector s(v.size());
        for (std::size_t i = 0; i < v.size(); ++i)
            s[i] = v[i] - low[i];
        f.exponents.push_back(v);
        f.shifted.push_back(std::move(s));
    }
    return f;
}

} // namespace

std::vector<sum_of_exps> find_sums_of_exps(const ex& monomials, const exp_atom_table& atoms) {
    std::vector<sum_of_exps> found;
    if (atoms.size() == 0)
        return found;
    std::unordered_set<ex> seen;
    std::vector<ex> stack{monomials};
    while (!stack.empty()) {
        const ex e = stack.back();
        stack.pop_back();
        if (!seen.insert(e).second)
            continue;
        if (auto f = as_sum_of_exps(e, atoms)) {
            // The primitive polynomial: the E_i to the shifted exponents.
            ex poly = 0;
            for (const auto& s : f->shifted) {
                ex monomial = 1;
                for (std::size_t i = 0; i < s.size(); ++i)
                    if (!s[i].is_zero())
                        monomial *= GiNaC::pow(atoms.symbol(i), s[i]);
                poly += monomial;
            }
            f->polynomial = poly;
            const bool known = std::any_of(found.begin(), found.end(), [&](const sum_of_exps& g) {
                return g.polynomial.is_equal(poly);
            });
            if (!known)
                found.push_back(std::move(*f));
            continue; // a sum of pure exponentials has no sums inside
        }
        const bool skeleton =
            GiNaC::is_exactly_a<GiNaC::add>(e) || GiNaC::is_exactly_a<GiNaC::mul>(e) ||
            GiNaC::is_exactly_a<GiNaC::power>(e) || GiNaC::is_the_function<GiNaC::log_SERIAL>(e);
        if (!skeleton)
            continue;
        const std::size_t children = GiNaC::is_exactly_a<GiNaC::power>(e) ? 1 : e.nops();
        for (std::size_t i = 0; i < children; ++i)
            stack.push_back(e.op(i));
    }
    // In an order of their own (the walk's follows GiNaC's run-dependent operand order): the
    // sums' order is the order of the share solver's columns and of the search's choices.
    auto exponents_less = [](const exponent_vector& a, const exponent_vector& b) {
        for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
            if (a[i] != b[i])
                return a[i] < b[i];
        return a.size() < b.size();
    };
    std::stable_sort(found.begin(), found.end(), [&](const sum_of_exps& f, const sum_of_exps& g) {
        if (f.exponents.size() != g.exponents.size())
            return f.exponents.size() < g.exponents.size();
        for (std::size_t k = 0; k < f.exponents.size(); ++k) {
            if (exponents_less(f.exponents[k], g.exponents[k]))
                return true;
            if (exponents_less(g.exponents[k], f.exponents[k]))
                return false;
        }
        return false;
    });
    return found;
}

sum_factorisation divide_by_sums(const ex& poly, const std::vector<sum_of_exps>& sums) {
    sum_factorisation r;
    r.multiplicity.assign(sums.size(), 0);
    r.rest = poly;
    if (poly.is_zero())
        return r;
    for (std::size_t j = 0; j < sums.size(); ++j) {
        // A bound on the multiplicity keeps this finite whatever divide() does.
        for (int guard = 0; guard < 64; ++guard) {
            ex q;
            bool divides = false;
            try {
                divides = GiNaC::divide(r.rest, sums[j].polynomial, q);
            } catch (const std::exception&) {
                divides = false;
            }
            if (!divides)
                break;
            r.rest = q;
            ++r.multiplicity[j];
        }
    }
    return r;
}

share_solver::share_solver(const std::vector<const sum_of_exps*>& sums, std::size_t atom_count)
    : sums_(sums), atom_count_(atom_count) {
    rows_ = atom_count + sums.size();
    std::size_t share_columns = 0;
    for (const auto* f : sums)
        share_columns += f->shifted.size();
    columns_ = share_columns + atom_count;
    reduced_.assign(rows_, std::vector<numeric>(columns_, numeric(0)));
    transform_.assign(rows_, std::vector<numeric>(rows_, numeric(0)));
    for (std::size_t i = 0; i < rows_; ++i)
        transform_[i][i] = 1;
    std::size_t column = 0;
    for (std::size_t j = 0; j < sums.size(); ++j)
        for (const auto& z : sums[j]->shifted) {
            for (std::size_t i = 0; i < atom_count; ++i)
                reduced_[i][column] = z[i];
            reduced_[atom_count + j][column] = 1;
            ++column;
        }
    for (std::size_t i = 0; i < atom_count; ++i)
        reduced_[i][share_columns + i] = 1; // the residual r
    // Gauss-Jordan elimination, pivots taken column by column: shares before residuals.
    std::size_t row = 0;
    for (std::size_t c = 0; c < columns_ && row < rows_; ++c) {
        std::size_t pivot = row;
        while (pivot < rows_ && reduced_[pivot][c].is_zero())
            ++pivot;
        if (pivot == rows_)
            continue;
        std::swap(reduced_[pivot], reduced_[row]);
        std::swap(transform_[pivot], transform_[row]);
        const numeric inv = reduced_[row][c].inverse();
        for (auto& x : reduced_[row])
            x *= inv;
        for (auto& x : transform_[row])
            x *= inv;
        for (std::size_t other = 0; other < rows_; ++other) {
            if (other == row || reduced_[other][c].is_zero())
                continue;
            const numeric factor = reduced_[other][c];
            for (std::size_t k = 0; k < columns_; ++k)
                reduced_[other][k] -= factor * reduced_[row][k];
            for (std::size_t k = 0; k < rows_; ++k)
                transform_[other][k] -= factor * transform_[row][k];
        }
        pivot_column_.push_back(c);
        ++row;
    }
}

void share_solver::solve(const exponent_vector& v, const std::vector<int>& degree,
                         std::vector<std::vector<numeric>>& n, exponent_vector& r) const {
    std::vector<numeric> b(rows_, numeric(0));
    for (std::size_t i = 0; i < atom_count_; ++i)
        b[i] = v[i];
    for (std::size_t j = 0; j < sums_.size(); ++j)
        b[atom_count_ + j] = degree[j];
    std::vector<numeric> x(columns_, numeric(0));
    for (std::size_t i = 0; i < pivot_column_.size(); ++i) {
        numeric c = 0;
        for (std::size_t k = 0; k < rows_; ++k)
            c += transform_[i][k] * b[k];
        x[pivot_column_[i]] = c;
    }
    n.clear();
    std::size_t column = 0;
    for (const auto* f : sums_) {
        n.emplace_back();
        for (std::size_t k = 0; k < f->shifted.size(); ++k)
            n.back().push_back(x[column++]);
    }
    r.assign(x.begin() + static_cast<std::ptrdiff_t>(column), x.end());
}

std::optional<share_form> to_share_form(const ex& rational, const exp_atom_table& atoms,
                                        const std::vector<sum_of_exps>& sums,
                                        std::size_t max_terms) {
    const ex nd = rational.normal().numer_denom();
    const ex numerator = nd.op(0).expand();
    const ex denominator = nd.op(1).expand();
    if (term_count(numerator) > max_terms || term_count(denominator) > max_terms)
        return std::nullopt;

    share_form form;
    form.normal_form = numerator / denominator;
    const sum_factorisation d = divide_by_sums(denominator, sums);
    std::vector<const sum_of_exps*> used;
    std::vector<int> degree;
    for (std::size_t j = 0; j < sums.size(); ++j)
        if (d.multiplicity[j] > 0) {
            used.push_back(&sums[j]);
            degree.push_back(d.multiplicity[j]);
            form.sum_indices.push_back(j);
        }
    if (used.empty()) {
        form.value = form.normal_form;
        return form;
    }
    for (std::size_t j = 0; j < used.size(); ++j) {
        form.shares.emplace_back();
        for (std::size_t k = 0; k < used[j]->shifted.size(); ++k)
            form.shares.back().push_back(
                GiNaC::symbol("p" + std::to_string(j) + "_" + std::to_string(k)));
    }

    // The denominator's leftover: a monomial c E^v_M Q, or a polynomial kept whole.
    exponent_vector v_m(atoms.size(), numeric(0));
    ex rest_denominator = d.rest;
    if (!GiNaC::is_exactly_a<GiNaC::add>(d.rest)) {
        exponent_vector v;
        ex q;
        if (atoms.split_monomial(d.rest, v, q)) {
            v_m = v;
            rest_denominator = q;
        }
    }

    const share_solver solver(used, atoms.size());
    ex value = 0;
    auto add_term = [&](const ex& term) {
        exponent_vector v;
        ex coefficient;
        if (!atoms.split_monomial(term, v, coefficient))
            return false;
        for (std::size_t i = 0; i < v.size(); ++i)
            v[i] -= v_m[i];
        std::vector<std::vector<numeric>> n;
        exponent_vector r;
        solver.solve(v, degree, n, r);
        ex t = coefficient;
        for (std::size_t j = 0; j < n.size(); ++j)
            for (std::size_t k = 0; k < n[j].size(); ++k)
                if (!n[j][k].is_zero())
                    t *= GiNaC::pow(form.shares[j][k], n[j][k]);
        for (std::size_t i = 0; i < r.size(); ++i)
            if (!r[i].is_zero())
                t *= GiNaC::pow(atoms.symbol(i), r[i]);
        value += t;
        return true;
    };
    if (GiNaC::is_exactly_a<GiNaC::add>(numerator)) {
        for (std::size_t i = 0; i < numerator.nops(); ++i)
            if (!add_term(numerator.op(i)))
                return std::nullopt;
    } else if (!add_term(numerator)) {
        return std::nullopt;
    }
    form.value = value / rest_denominator;
    return form;
}

} // namespace symgrad::simplify_detail
