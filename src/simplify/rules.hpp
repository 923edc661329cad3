// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

// Internal to the simplifier (src/simplify.cpp): the rule families, each in its own file.
//
//   positivity.cpp     real-ness and positivity (interval bounds), so log rules apply only
//                      where they are valid
//   lower_rules.cpp    sigmoid, softplus, softmax, logsumexp, logloss, tanh, sinh, cosh written
//                      with exp and log
//   exp_atoms.cpp      exp(a) as a monomial in exponentials of independent atoms, and back
//   exp_rational.cpp   sums of exponentials, and a rational function of exponentials as a
//                      function of their shares exp(z_k)/sum_j exp(z_j)
//   sigmoid_rules.cpp  the spellings of the shares of a two-term sum: sigmoid, 1 - sigmoid, tanh
//   softmax_rules.cpp  the spellings of the shares of a K-term sum: softmax components
//   exp_log_rules.cpp  logs of rational functions of exponentials as linear forms, softplus and
//                      logsumexp; exp(a)*exp(b) = exp(a + b)
//   tidy_rules.cpp     algebraic forms (expanded, normal, factored), temporaries, substitution

#include "symgrad/core/object_identity.hpp"

#include <ginac/ginac.h>

#include <cstddef>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace symgrad::simplify_detail {

using GiNaC::ex;
using GiNaC::exmap;
using GiNaC::numeric;

/// A vector of exponents over the atoms of an exp_atom_table.
using exponent_vector = std::vector<numeric>;

// ---- positivity.cpp ---------------------------------------------------------------------------

/// Whether @p e is real at every real point where it is defined (symbols are real).
bool is_real(const ex& e);

/// Whether @p e > 0 at every real point where it is defined: exp, sigmoid, softmax, softplus,
/// 1 - sigmoid, cosh, positive numbers, and sums, products and powers of those (interval bounds).
bool is_positive(const ex& e);

// ---- lower_rules.cpp --------------------------------------------------------------------------

/// The ML and hyperbolic functions of @p e's rational skeleton (sums, products, powers, and
/// arguments of log) written with exp and log:
///   sigmoid(z) = 1/(1 + exp(-z)),  softplus(z) = log(1 + exp(z)),
///   softmax_k(z) = exp(z_k)/sum_j exp(z_j),  logsumexp(z) = log(sum_j exp(z_j)),
///   logloss(p, y) = -(y log p + (1 - y) log(1 - p)),  tanh(z) = 2/(1 + exp(-2z)) - 1,
///   sinh(z) = (exp(z) - exp(-z))/2,  cosh(z) = (exp(z) + exp(-z))/2.
/// Arguments of exp and of other functions are left alone (they are simplified separately).
ex lower_ml_functions(const ex& e);

/// Whether @p e contains tanh, sinh or cosh (then tanh spellings are worth trying).
bool has_hyperbolic(const ex& e);

// ---- exp_atoms.cpp ----------------------------------------------------------------------------

/// The atoms of the exponents of an expression: every exp(a) of its skeleton with a real
/// argument is exp(sum_i c_i m_i) with rational c_i and monomials m_i (the constant part is the
/// monomial 1). Atom i gets the temporary symbol E_i = exp(u_i m_i), where the unit u_i is the
/// gcd of the numerators of its coefficients over the lcm of their denominators, so that
/// exp(a) = prod_i E_i^(c_i/u_i) with integer exponents, as small as they can be.
class exp_atom_table {
public:
    /// Collects the exponentials of @p skeleton's sums, products, powers and log arguments.
    explicit exp_atom_table(const ex& skeleton);

    std::size_t size() const { return atoms_.size(); }

    /// The temporary E_i.
    const ex& symbol(std::size_t i) const { return symbols_[i]; }

    /// @p skeleton with every collected exp(a) replaced by its monomial in the E_i.
    ex to_monomials(const ex& skeleton) const;

    /// @p e with monomials in the E_i turned back into exponentials, one exp per product:
    /// E_1^2 E_3^-1 -> exp(2 u_1 m_1 - u_3 m_3).
    ex to_exponentials(const ex& e) const;

    /// sum_i v_i u_i m_i.
    ex exponent_expression(const exponent_vector& v) const;

    /// The atom index of a temporary E_i, or nothing for any other expression.
    std::optional<std::size_t> index_of(const ex& symbol) const;

    /// Splits a monomial (a product of numbers, symbols and powers) into its E part and the
    /// rest: term = rest * prod_i E_i^v_i. False when an E_i has a non-integer exponent.
    bool split_monomial(const ex& term, exponent_vector& v, ex& rest) const;

    /// An upper bound on the degree of @p monomials (an expression from to_monomials) in any
    /// one E_i: E_i counts 1, b^n counts |n| deg(b), a product the sum of its factors', a sum
    /// or function the largest of its operands'.
    numeric degree_bound(const ex& monomials) const;

private:
    struct decomposition {
        std::vector<std::pair<std::size_t, numeric>> coefficients; // atom index, c_i
    };
    void collect(const ex& skeleton);
    void add_argument(const ex& arg);

    std::vector<ex> atoms_;
    std::vector<numeric> units_;
    std::vector<ex> symbols_;
    std::unordered_map<ex, std::size_t> index_of_atom_;
    std::unordered_map<ex, std::size_t> index_of_symbol_;
    std::unordered_map<ex, std::optional<decomposition>> arguments_;
};

// ---- exp_rational.cpp -------------------------------------------------------------------------

/// A sum of exponentials F = sum_k exp(z_k), K >= 2, all coefficients 1.
struct sum_of_exps {
    /// F as a primitive polynomial in the E_i (the z_k shifted so that no exponent is negative
    /// and their componentwise minimum is 0).
    ex polynomial;
    /// The exponents z_k as they appear in the input (before the shift), in natural order of
    /// their printed form; polynomial's terms are prod_i E_i^(z_k - min).
    std::vector<exponent_vector> exponents;
    /// The same shifted: the exponents of polynomial's terms, in the order of exponents.
    std::vector<exponent_vector> shifted;
};

/// Every sum of exponentials in @p monomials (an expression from to_monomials), deduplicated.
std::vector<sum_of_exps> find_sums_of_exps(const ex& monomials, const exp_atom_table& atoms);

/// A polynomial divided by the sums: poly = rest * prod_j F_j^multiplicity_j.
struct sum_factorisation {
    std::vector<int> multiplicity;
    ex rest;
};
sum_factorisation divide_by_sums(const ex& poly, const std::vector<sum_of_exps>& sums);

/// A rational function of exponentials as a function of shares: value is an expression in the
/// share symbols p[j][k] = exp(z_jk)/F_j, the E_i, and the other symbols; opaque holds the
/// temporaries standing for non-rational subexpressions (GiNaC's to_rational).
struct share_form {
    ex value;
    std::vector<std::size_t> sum_indices; // which sums of exps the shares belong to
    std::vector<std::vector<ex>> shares;  // p[j][k]
    ex normal_form;                       // N/D in the E_i (the exponential normal form)
};

/// @p rational (a rational function of the E_i and other symbols, already through to_rational)
/// as a function of shares of @p sums; nothing when its numerator exceeds @p max_terms terms.
std::optional<share_form> to_share_form(const ex& rational, const exp_atom_table& atoms,
                                        const std::vector<sum_of_exps>& sums,
                                        std::size_t max_terms);

/// Solves sum_j sum_k n_jk z_jk + r = v, sum_k n_jk = degree_j for the share exponents n and a
/// residual r (an exponent vector), preferring shares: a particular solution by Gaussian
/// elimination over the rationals (always solvable, since r is free).
class share_solver {
public:
    share_solver(const std::vector<const sum_of_exps*>& sums, std::size_t atom_count);
    /// Share exponents n[j][k] and residual r for exponent @p v and degrees @p degree.
    void solve(const exponent_vector& v, const std::vector<int>& degree,
               std::vector<std::vector<numeric>>& n, exponent_vector& r) const;

private:
    std::vector<const sum_of_exps*> sums_;
    std::size_t atom_count_;
    std::size_t rows_;
    std::size_t columns_;
    // Reduced row echelon form of the system matrix, with the row operations recorded as a
    // matrix applied to right-hand sides.
    std::vector<std::vector<numeric>> reduced_;
    std::vector<std::vector<numeric>> transform_;
    std::vector<std::size_t> pivot_column_;
};

// ---- choices (sigmoid_rules.cpp, softmax_rules.cpp, exp_log_rules.cpp) ------------------------

/// One choice of the search: alternative substitutions for some temporary symbols.
struct choice_point {
    std::vector<exmap> options;
};

/// Temporary symbols standing for real subexpressions (sigmoid(u), softmax(k, z), softplus(u),
/// ...), so that polynomial algorithms (factor, normal) see symbols.
class temporaries {
public:
    /// The temporary for @p value (the same symbol for the same value).
    ex symbol_for(const ex& value);
    const exmap& values() const { return values_; }

private:
    exmap values_;
    std::unordered_map<ex, ex> symbol_of_;
};

/// Spellings of the shares (p0, p1) of a two-term sum exp(z0) + exp(z1), with u = z0 - z1:
/// p0 = sigmoid(u), p1 = 1 - sigmoid(u);  p1 = sigmoid(-u), p0 = 1 - sigmoid(-u);  and when
/// @p allow_tanh, p0 = (1 + tanh(u/2))/2, p1 = (1 - tanh(u/2))/2 and its mirror.
choice_point sigmoid_choices(const sum_of_exps& f, const std::vector<ex>& p,
                             const exp_atom_table& atoms, bool allow_tanh, temporaries& temps);

/// Spellings of the shares of a K-term sum: p_k = softmax(k, z) for every k, with one
/// component (each in turn) eliminated as 1 - sum of the others, or none.
choice_point softmax_choices(const sum_of_exps& f, const std::vector<ex>& p,
                             const exp_atom_table& atoms, temporaries& temps);

/// Whether every component of z0 - z1 is an even integer (then tanh((z0 - z1)/2) is as simple
/// as sigmoid(z0 - z1)).
bool has_even_difference(const sum_of_exps& f);

// ---- exp_log_rules.cpp ------------------------------------------------------------------------

/// The logs of @p monomials (an expression from to_monomials) expanded over positive factors:
///   log(prod E^v * prod_j F_j^a_j * R) = v.atoms + sum_j a_j log F_j + log R
/// for the sums F_j of @p sums (R, numbers included, stays whole or is split into its provably
/// positive factors: log(2 x) = log 2 + log x only when x > 0 is proven).
/// Each log F_j is a temporary whose spellings are added to @p choices:
///   z0 + softplus(z1 - z0),  z1 + softplus(z0 - z1),  logsumexp(z) (K = 2);  logsumexp(z).
/// A log F_j inside another log ends up inside an opaque subexpression: the search substitutes
/// the choices there too.
ex expand_logs(const ex& monomials, const exp_atom_table& atoms,
               const std::vector<sum_of_exps>& sums, std::vector<choice_point>& choices,
               temporaries& temps);

/// exp(a)*exp(b) = exp(a + b) and exp(a)^n = exp(n a), everywhere in @p e.
ex combine_exponentials(const ex& e);

// ---- tidy_rules.cpp ---------------------------------------------------------------------------

/// @p e expanded, through normal(), and with common factors pulled out of sums (content_form),
/// each as a candidate; forms that fail or grow past @p max_terms terms are skipped.
std::vector<ex> algebraic_forms(const ex& e, std::size_t max_terms);

/// A sum with its common numeric and monomial factor pulled out: x s - x y -> x (s - y);
/// nothing when there is none.
std::optional<ex> content_form(const ex& e);

/// The numerator and denominator of normal(@p e) factored (GiNaC's factor, slow); nothing when
/// they are bigger than @p max_terms, when factoring cannot gain (linear forms, binomials), or
/// on failure.
std::optional<ex> factored_form(const ex& e, std::size_t max_terms);

/// Repeatedly substitutes @p m into @p e until no key of @p m is left (bounded by @p m's size,
/// for temporaries whose values contain other temporaries).
ex substitute_all(const ex& e, const exmap& m);

/// An upper bound on the number of terms of @p e.expand() (sums add, products multiply, natural
/// powers raise), without expanding.
double expanded_size(const ex& e);

/// Number of terms of @p e when it is a sum, else 1.
std::size_t term_count(const ex& e);

/// Whether some subexpression of @p e (e included) satisfies @p pred; each distinct
/// subexpression of the DAG is visited once.
template <class Predicate> bool any_subexpression(const ex& e, Predicate pred) {
    object_set seen;
    std::vector<ex> stack{e};
    while (!stack.empty()) {
        const ex x = stack.back();
        stack.pop_back();
        if (!seen.insert(x).second)
            continue;
        if (pred(x))
            return true;
        for (std::size_t i = 0; i < x.nops(); ++i)
            stack.push_back(x.op(i));
    }
    return false;
}

} // namespace symgrad::simplify_detail
