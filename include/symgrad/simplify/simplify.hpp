// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file simplify.hpp
/// An ML-aware simplifier: derivatives of losses back to their textbook forms,
///
///   exp(-z)/(1 + exp(-z))^2                    ->  sigmoid(z)*(1 - sigmoid(z))
///   d/dw -(y log sigma(wx) + (1-y) log(1 - sigma(wx)))  ->  (sigmoid(w*x) - y)*x
///   d/ds_l -log(exp(s_y)/sum_j exp(s_j))      ->  softmax_l(s) - [y = l]
///
/// and never anything costlier than its input (see expression_cost).
///
/// Everything is real: symbols are real (symbol_named), so exp(a) > 0 and log(exp(a)) = a. Log
/// rules are applied only to factors proven positive (exp, sigmoid, softmax, 1 - sigmoid, sums
/// and products of positives): log(a*b) = log a + log b, log(a^n) = n log a, log(exp(a)) = a.
///
/// How it works. The ML functions are written with exponentials (sigmoid(z) = 1/(1 + exp(-z)),
/// softmax, logsumexp, softplus, tanh, logloss), every exp(a) becomes a monomial in
/// exponentials of independent atoms (the monomials of the expanded exponents), and the result
/// is a rational function N/D of those exponentials. Its denominator is divided by the sums of
/// exponentials F = sum_k exp(z_k) found in the expression; each such sum defines shares
/// p_k = exp(z_k)/F, i.e. a softmax (K >= 3) or sigmoid(z_0 - z_1) and its complement (K = 2),
/// and every term of N/D is rewritten exactly as a monomial in the shares (a small linear
/// system over the rationals). Logs of such rational functions become linear forms plus
/// softplus/logsumexp of the sums. Each share has a few spellings (sigmoid(u) or 1 - sigmoid(-u),
/// or (1 + tanh(u/2))/2; which softmax component to eliminate with sum_k p_k = 1; a + softplus(b
/// - a) or b + softplus(a - b)); the search tries them (all combinations up to
/// simplify_options::max_combinations, else one choice at a time), in expanded, factored and
/// normal form, with signs normalised, and keeps the cheapest. Function arguments are simplified
/// first (memoised over the expression DAG); expressions too big for the whole-expression route
/// are simplified part by part. Every step is a bounded construction, not an open-ended rewrite
/// system, so simplify always terminates.

#include <ginac/ginac.h>

#include <cstddef>

namespace symgrad {

/// Limits of the search. With the defaults the whole corpus (tests/data/simplify_corpus.txt,
/// 56 pairs) takes about 50 ms of CPU time; an expression of a few hundred operations takes
/// tens of milliseconds, one of a thousand up to a second or two.
struct simplify_options {
    /// Most combinations of spellings tried for one expression; when the product of the numbers
    /// of spellings per choice is larger, the choices are optimised one at a time (two sweeps).
    std::size_t max_combinations = 64;
    /// Most terms the numerator of the exponential normal form may have; beyond it the
    /// whole-expression route gives up and the parts of a sum or product are simplified one by
    /// one.
    std::size_t max_terms = 64;
    /// Most distinct sums of exponentials (sigmoid and softmax denominators) the
    /// whole-expression route takes on; with more, the parts are simplified one by one.
    std::size_t max_sums = 3;
    /// Largest expression_cost the whole-expression route takes on (bigger expressions are
    /// simplified part by part).
    std::size_t max_cost = 800;
    /// Most terms a polynomial's expansion may have for the expanded form to be tried
    /// ((a+b+c+d)^200 has 1.4 million: expanding it took minutes and gigabytes).
    std::size_t max_expanded_terms = 5000;
    /// Largest degree in one exponential atom that the whole-expression route takes on: it
    /// works with polynomials in E = exp(u*m), and exp(10^20)*exp(-1) (E^(10^20)) or
    /// exp(x + 1)^10000 would be polynomials of that degree (GiNaC's division reserved 10^20
    /// coefficients; degree 10000 took a minute). Beyond it the parts are simplified one by one.
    std::size_t max_exponential_degree = 2000;
    /// Most exponential atoms the whole-expression route takes on: tanh(c (x^2 + 3)^615) has
    /// 616 (e^(c 3^615), e^(c 615 3^614 x^2), ...), and the common denominator's GCDs in 616
    /// variables took 47 s. Beyond it the parts are simplified one by one.
    std::size_t max_exponential_atoms = 64;
};

/// An expression equal to @p e at every real point where @p e is defined, with
/// expression_cost(simplify(e)) <= expression_cost(e): the cheapest form the search found (@p e
/// itself when nothing cheaper was found). Symbols are taken to be real.
GiNaC::ex simplify(const GiNaC::ex& e, const simplify_options& options = {});

/// The size of an expression as a person writes it: operations plus leaves.
///
///   number, symbol, constant      1 (a leaf; -3 or -x alone count 1 more for the minus)
///   f(a1, ..., an)                1 + sum cost(ai)   (every function: exp, sigmoid, softmax
///                                                     counts its index argument as a leaf)
///   a1 + ... + an                 (n - 1) + sum cost(|ai|), where |ai| drops a negative sign
///                                 (a - b is one subtraction), + 1 when every term is negative
///   c * f1 * ... / g1 / ...       (number of factors - 1) + sum cost(fi) + sum cost(gi), the
///                                 numeric coefficient c counting as a factor when |c| != 1, and
///                                 1 more when c < 0 unless a sum factor with a negative term
///                                 absorbs the minus (-(s - 1)*s is (1 - s)*s); a quotient with
///                                 no numerator factor counts the leaf 1 (1/g: 1 + 1 + cost(g))
///   b^n, n a negative number      as 1/b^(-n):  2 + cost(b^(-n)),  b^1 costing cost(b)
///   b^e otherwise                 cost(b) + cost(e) + 1
///
/// So sigmoid(z)*(1 - sigmoid(z)) costs 7, exp(-z)/(1 + exp(-z))^2 costs 11, and
/// softmax(0, s0, s1, s2) costs 5.
std::size_t expression_cost(const GiNaC::ex& e);

} // namespace symgrad
