// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/simplify/simplify.hpp"

#include "symgrad/core/exp_normal_form.hpp"
#include "symgrad/core/object_identity.hpp"

#include "simplify/rules.hpp"
#include "symgrad/core/printers.hpp"
#include "symgrad/core/size_limits.hpp"
#include "symgrad/core/symbols.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace symgrad {

using GiNaC::ex;
using GiNaC::exmap;
using GiNaC::numeric;

namespace {

using namespace simplify_detail;

// ---------------------------------------------------------------------------------------------
// The cost measure (documented in simplify.hpp).

class cost_counter {
public:
    cost_counter() = default;
    /// Counting each symbol of @p leaf_costs at its given cost (a temporary standing for a
    /// function application costs what the application costs).
    explicit cost_counter(std::unordered_map<ex, std::size_t> leaf_costs)
        : leaf_costs_(std::move(leaf_costs)) {}

    std::size_t operator()(const ex& e) {
        const signed_cost c = cost_of(e);
        return c.magnitude + (c.needs_minus ? 1 : 0);
    }

private:
    /// The cost without a leading minus sign, and whether there is one that nothing absorbs
    /// (in a sum it becomes a subtraction).
    struct signed_cost {
        std::size_t magnitude;
        bool needs_minus;
    };

    signed_cost cost_of(const ex& e) {
        if (auto it = memo_.find(e); it != memo_.end())
            return it->second;
        const signed_cost c = compute(e);
        memo_.emplace(e, c);
        return c;
    }

    static bool negative_real(const ex& e) {
        return GiNaC::is_exactly_a<numeric>(e) && GiNaC::ex_to<numeric>(e).is_real() &&
               GiNaC::ex_to<numeric>(e) < 0;
    }

    /// Whether a factor takes a product's minus sign at no cost: a sum (or a sum to an odd
    /// power) with a term written with a minus, since -(a - b) = b - a.
    bool absorbs_minus(const ex& f) {
        ex sum;
        if (GiNaC::is_exactly_a<GiNaC::add>(f))
            sum = f;
        else if (GiNaC::is_exactly_a<GiNaC::power>(f) && GiNaC::is_exactly_a<GiNaC::add>(f.op(0)) &&
                 f.op(1).info(GiNaC::info_flags::odd))
            sum = f.op(0);
        else
            return false;
        for (std::size_t i = 0; i < sum.nops(); ++i)
            if (cost_of(sum.op(i)).needs_minus)
                return true;
        return false;
    }

    /// The cost of b^k for k > 0 (b itself when k = 1).
    std::size_t positive_power(const ex& b, const numeric& k) {
        return k == 1 ? (*this)(b) : (*this)(b) + 2;
    }

    signed_cost compute(const ex& e) {
        if (GiNaC::is_exactly_a<numeric>(e))
            return {1, negative_real(e)};
        if (GiNaC::is_exactly_a<GiNaC::add>(e)) {
            std::size_t c = e.nops() - 1;
            bool all_minus = true;
            for (std::size_t i = 0; i < e.nops(); ++i) {
                const signed_cost t = cost_of(e.op(i));
                c += t.magnitude;
                all_minus = all_minus && t.needs_minus;
            }
            return {c + (all_minus ? 1 : 0), false};
        }
        if (GiNaC::is_exactly_a<GiNaC::mul>(e)) {
            std::size_t c = 0, numerator = 0, denominator = 0;
            numeric coeff = 1;
            for (std::size_t i = 0; i < e.nops(); ++i) {
                const ex& f = e.op(i);
                if (GiNaC::is_exactly_a<numeric>(f)) {
                    coeff *= GiNaC::ex_to<numeric>(f);
                } else if (GiNaC::is_exactly_a<GiNaC::power>(f) && negative_real(f.op(1))) {
                    c += positive_power(f.op(0), -GiNaC::ex_to<numeric>(f.op(1)));
                    ++denominator;
                } else {
                    c += (*this)(f);
                    ++numerator;
                }
            }
            const bool negative = coeff.is_real() && coeff < 0;
            if ((negative ? -coeff : coeff) != 1) {
                c += 1;
                ++numerator;
            }
            if (numerator == 0) {
                c += 1; // the 1 of 1/g
                numerator = 1;
            }
            c += numerator + denominator - 1;
            // -(a - b)*c is written (b - a)*c.
            bool absorbed = false;
            for (std::size_t i = 0; negative && i < e.nops() && !absorbed; ++i)
                absorbed = absorbs_minus(e.op(i));
            return {c, negative && !absorbed};
        }
        if (GiNaC::is_exactly_a<GiNaC::power>(e)) {
            const ex& b = e.op(0);
            const ex& k = e.op(1);
            if (negative_real(k))
                return {2 + positive_power(b, -GiNaC::ex_to<numeric>(k)), false};
            return {(*this)(b) + (*this)(k) + 1, false};
        }
        if (!leaf_costs_.empty() && GiNaC::is_a<GiNaC::symbol>(e))
            if (auto it = leaf_costs_.find(e); it != leaf_costs_.end())
                return {it->second, false};
        std::size_t c = 1; // a leaf, or a function application
        for (std::size_t i = 0; i < e.nops(); ++i)
            c += (*this)(e.op(i));
        return {c, false};
    }

    std::unordered_map<ex, std::size_t> leaf_costs_;
    object_map<signed_cost> memo_;
};

// ---------------------------------------------------------------------------------------------
// The search.

class simplifier {
public:
    simplifier(const ex& input, const simplify_options& options)
        : options_(options), input_(input) {}

    ex run(const ex& e) {
        if (e.nops() == 0)
            return e;
        if (auto it = memo_.find(e); it != memo_.end())
            return it->second;
        best best_form{e, cost_(e), true, std::nullopt};
        const ex e1 = simplify_arguments(e);
        consider(best_form, e1);
        bool whole = false;
        if (is_polynomial(e1)) {
            // Nothing but sums, products and natural powers: expanded or with the common factor
            // pulled out (and factored below). Not when the expansion would be huge:
            // (a+b+c+d)^199 has 1.4 million terms, and could not be the cheaper form anyway.
            if (polynomial_terms(e1) <= static_cast<double>(options_.max_expanded_terms)) {
                const ex x = e1.expand();
                consider(best_form, x);
                if (auto c = content_form(x))
                    consider(best_form, *c);
            }
            whole = true;
        } else if (cost_(e1) <= options_.max_cost) {
            route r = route::too_big;
            try {
                r = exponential_route(e1, best_form);
            } catch (const std::bad_alloc&) {
                throw;
            } catch (const std::exception&) {
                // A candidate that GiNaC refuses to build (say, a division by zero discovered
                // while normalising) is no candidate; the route's other forms stay.
            }
            // Where the exponential route ran, it took algebraic forms of everything it built.
            if (r != route::done)
                algebraic_route(e1, best_form);
            whole = r != route::too_big;
        }
        // The parts one by one: always for a sum (its terms may simplify to sigmoids of
        // algebraically dependent arguments, which the common denominator would tangle), and for
        // anything too big for the whole-expression route.
        const bool is_sum = GiNaC::is_exactly_a<GiNaC::add>(e1);
        if ((is_sum || !whole) && (is_sum || GiNaC::is_exactly_a<GiNaC::mul>(e1) ||
                                   GiNaC::is_exactly_a<GiNaC::power>(e1))) {
            ex parts = e1;
            if (GiNaC::is_exactly_a<GiNaC::power>(e1)) {
                parts = GiNaC::pow(run(e1.op(0)), e1.op(1));
            } else {
                GiNaC::exvector ops;
                for (std::size_t i = 0; i < e1.nops(); ++i)
                    ops.push_back(run(e1.op(i)));
                parts = is_sum ? ex(GiNaC::add(ops)) : ex(GiNaC::mul(ops));
            }
            consider(best_form, parts);
            if (cost_(parts) <= options_.max_cost)
                algebraic_route(parts, best_form);
        }
        // GiNaC's factor() is slow: it is tried once, on the best form when that is a sum (it
        // finds (s - y)^2 in s^2 - 2*s*y + y^2, which the routes' content extraction does not).
        if (GiNaC::is_exactly_a<GiNaC::add>(best_form.form) &&
            best_form.form.nops() <= max_factor_terms)
            if (auto f = factored_form(best_form.form, max_factor_terms))
                consider(best_form, *f);
        memo_.emplace(e, best_form.form);
        return best_form.form;
    }

private:
    struct best {
        ex form;
        std::size_t cost;
        bool input = true;               // still the expression the search started from
        std::optional<std::string> text; // form's printed text, once a tie needed it
    };

    /// Keeps @p candidate when it is cheaper. Of equally cheap candidates (not the input, which
    /// stays on a tie), the one with fewer terms (a product reads better than its expansion:
    /// sigmoid(z)*(1 - sigmoid(z)), not sigmoid(z) - sigmoid(z)^2), then the first in natural
    /// order of the printed text: which of them a route meets first follows GiNaC's operand
    /// order, and that changes from run to run.
    void consider(best& b, const ex& candidate) {
        const std::size_t c = cost_(candidate);
        if (c > b.cost || (c == b.cost && (b.input || candidate.is_equal(b.form))))
            return;
        if (c == b.cost && term_count(candidate) > term_count(b.form))
            return;
        if (has_foreign_symbol(candidate))
            return;
        std::optional<std::string> text;
        if (c == b.cost && term_count(candidate) == term_count(b.form)) {
            text = to_text(candidate);
            if (!b.text)
                b.text = to_text(b.form);
            if (!natural_less(*text, *b.text))
                return;
        }
        b.form = candidate;
        b.cost = c;
        b.input = false;
        b.text = std::move(text);
    }

    /// Whether @p candidate has a symbol the input does not have: a temporary that escaped
    /// its substitution would be a wrong result, so such a candidate is never taken.
    bool has_foreign_symbol(const ex& candidate) {
        if (!input_symbols_) {
            input_symbols_.emplace();
            for (const auto& s : free_symbols(input_))
                input_symbols_->insert(s);
        }
        return any_subexpression(candidate, [&](const ex& x) {
            return GiNaC::is_a<GiNaC::symbol>(x) && !input_symbols_->count(x);
        });
    }

    /// @p e with the arguments of every function simplified (exp and log included).
    ex simplify_arguments(const ex& e) {
        if (e.nops() == 0)
            return e;
        if (auto it = argument_memo_.find(e); it != argument_memo_.end())
            return it->second;
        ex r;
        if (GiNaC::is_exactly_a<GiNaC::function>(e)) {
            struct run_map : GiNaC::map_function {
                simplifier& s;
                explicit run_map(simplifier& owner) : s(owner) {}
                ex operator()(const ex& x) override { return s.run(x); }
            } m(*this);
            r = e.map(m);
        } else {
            struct args_map : GiNaC::map_function {
                simplifier& s;
                explicit args_map(simplifier& owner) : s(owner) {}
                ex operator()(const ex& x) override { return s.simplify_arguments(x); }
            } m(*this);
            r = e.map(m);
        }
        argument_memo_.emplace(e, r);
        return r;
    }

    /// Expanded, normal and content-factored forms, functions as opaque symbols.
    void algebraic_route(const ex& e, best& b) {
        try {
            const ex combined = combine_exponentials(e);
            consider(b, combined);
            for (const ex& f : algebraic_forms(combined, options_.max_terms))
                consider(b, f);
        } catch (const std::bad_alloc&) {
            throw;
        } catch (const std::exception&) {
            // as in run(): no candidate from here
        }
    }

    enum class route { not_applicable, done, too_big };

    /// Whether @p e is a polynomial: no functions, only natural powers.
    static bool is_polynomial(const ex& e) {
        return !any_subexpression(e, [](const ex& x) {
            return GiNaC::is_exactly_a<GiNaC::function>(x) ||
                   (GiNaC::is_exactly_a<GiNaC::power>(x) &&
                    !x.op(1).info(GiNaC::info_flags::posint));
        });
    }

    /// An upper bound on the number of terms of @p e expanded (a polynomial): a sum of m terms
    /// to the n-th power has at most binomial(n + m - 1, m - 1) monomials.
    static double polynomial_terms(const ex& e) {
        object_map<double> memo;
        std::function<double(const ex&)> terms = [&](const ex& x) -> double {
            if (auto it = memo.find(x); it != memo.end())
                return it->second;
            double r = 1;
            if (GiNaC::is_exactly_a<GiNaC::add>(x)) {
                r = 0;
                for (std::size_t i = 0; i < x.nops(); ++i)
                    r += terms(x.op(i));
            } else if (GiNaC::is_exactly_a<GiNaC::mul>(x)) {
                for (std::size_t i = 0; i < x.nops(); ++i)
                    r *= terms(x.op(i));
            } else if (GiNaC::is_exactly_a<GiNaC::power>(x) &&
                       GiNaC::is_exactly_a<numeric>(x.op(1)) &&
                       x.op(1).info(GiNaC::info_flags::posint)) {
                const double m = terms(x.op(0)), n = GiNaC::ex_to<numeric>(x.op(1)).to_double();
                // C(n + m - 1, m - 1) terms. For a huge n, lgamma(n + m) - lgamma(n + 1) cancels
                // to 0 in double ((b^2 + 100)^(10^20 - 1) counted 1 term, and its expansion
                // reached CLN's "Not a 32-bit integer"): sum the logarithms for a small m.
                if (m <= 1)
                    r = 1;
                else if (m <= 64)
                    r = std::exp([&] {
                        double log_c = -std::lgamma(m);
                        for (double k = 1; k < m; ++k)
                            log_c += std::log(n + k);
                        return log_c;
                    }());
                else
                    r = std::exp(std::lgamma(n + m) - std::lgamma(n + 1) - std::lgamma(m));
            }
            r = std::min(r, 1e18);
            memo.emplace(x, r);
            return r;
        };
        return terms(e);
    }

    /// The rational-function-of-exponentials route.
    route exponential_route(const ex& e, best& b) {
        const ex lowered = lower_ml_functions(e);
        const exp_atom_table atoms(lowered);
        if (atoms.size() == 0) {
            // Nothing exponential (but lowering alone may have cancelled something, as in
            // tanh(x) - 2*sigmoid(2*x) = -1).
            if (!lowered.is_equal(e))
                algebraic_route(lowered, b);
            return route::not_applicable;
        }
        if (atoms.size() > options_.max_exponential_atoms)
            return route::too_big;
        const ex monomials = atoms.to_monomials(lowered);
        if (atoms.degree_bound(monomials) > numeric(options_.max_exponential_degree))
            return route::too_big;
        const std::vector<sum_of_exps> sums = find_sums_of_exps(monomials, atoms);
        // Every sum multiplies the common denominator (and the spellings to try): past a few,
        // the parts are better simplified one by one.
        if (sums.size() > options_.max_sums)
            return route::too_big;
        temporaries temps;
        std::vector<choice_point> choices;
        const ex logs_expanded = expand_logs(monomials, atoms, sums, choices, temps);
        exmap opaque;
        std::optional<share_form> form;
        try {
            const ex rational = logs_expanded.to_rational(opaque);
            form = to_share_form(rational, atoms, sums, options_.max_terms);
        } catch (const std::exception&) {
            return route::too_big;
        }
        if (!form)
            return route::too_big;

        exmap back = temps.values();
        for (const auto& [k, v] : opaque)
            back[k] = v;
        // Back from temporaries and E_i to sigmoid, softmax, exp, ... (E_i only where present:
        // to_exponentials rebuilds the whole expression).
        auto has_atoms = [&](const ex& x) {
            return any_subexpression(x, [&](const ex& y) { return atoms.index_of(y).has_value(); });
        };
        bool opaque_atoms = false;
        for (const auto& [k, v] : opaque)
            opaque_atoms = opaque_atoms || has_atoms(v);
        bool value_atoms = true;
        // The chosen spellings go in with the temporaries: a log of a sum may sit inside an
        // opaque subexpression (a log of a log), out of reach of a substitution into the value.
        auto realize = [&](const ex& x, const exmap& chosen) {
            exmap all = back;
            all.insert(chosen.begin(), chosen.end());
            const ex r = substitute_all(x, all);
            return value_atoms ? atoms.to_exponentials(r) : r;
        };

        const bool tanh_everywhere = has_hyperbolic(e);
        for (std::size_t j = 0; j < form->shares.size(); ++j) {
            const sum_of_exps& f = sums[form->sum_indices[j]];
            if (f.shifted.size() == 2)
                choices.push_back(sigmoid_choices(
                    f, form->shares[j], atoms, tanh_everywhere || has_even_difference(f), temps));
            else
                choices.push_back(softmax_choices(f, form->shares[j], atoms, temps));
        }
        // New temporaries were made for the spellings.
        for (const auto& [k, v] : temps.values())
            back[k] = v;

        // The exponential normal form itself (first spelling of every log of a sum).
        {
            exmap first;
            for (const auto& c : choices)
                for (const auto& [k, v] : c.options.front())
                    first[k] = v;
            consider(b, realize(form->normal_form, first));
        }
        value_atoms = opaque_atoms || has_atoms(form->value);
        // Without exponentials left over, a realised form costs what its temporaries stand for.
        std::optional<cost_counter> estimate;
        if (!value_atoms) {
            std::unordered_map<ex, std::size_t> leaf_costs;
            for (const auto& [k, v] : back)
                leaf_costs.emplace(k, cost_(v));
            estimate.emplace(std::move(leaf_costs));
        }
        search(form->value, opaque, choices, realize, estimate ? &*estimate : nullptr, b);
        return route::done;
    }

    /// Tries the combinations of spellings of @p value's choices; keeps the cheapest form.
    template <class Realize>
    void search(const ex& value, const exmap& opaque, const std::vector<choice_point>& all_choices,
                Realize& realize, cost_counter* estimate, best& b) {
        auto occurs = [&](const ex& symbol) {
            return value.has(symbol) ||
                   std::any_of(opaque.begin(), opaque.end(),
                               [&](const auto& kv) { return kv.second.has(symbol); });
        };
        std::vector<const choice_point*> choices;
        for (const auto& c : all_choices) {
            const bool used = std::any_of(c.options.begin(), c.options.end(), [&](const exmap& m) {
                return std::any_of(m.begin(), m.end(),
                                   [&](const auto& kv) { return occurs(kv.first); });
            });
            if (used)
                choices.push_back(&c);
        }
        struct scored {
            std::size_t cost;
            ex substituted;
            exmap chosen;
        };
        std::vector<scored> tried;
        auto evaluate = [&](const std::vector<std::size_t>& pick) {
            exmap m;
            for (std::size_t i = 0; i < choices.size(); ++i)
                for (const auto& [k, v] : choices[i]->options[pick[i]])
                    m[k] = v;
            const ex substituted = value.subs(m, GiNaC::subs_options::no_pattern);
            const ex form = expanded_size(substituted) <= static_cast<double>(options_.max_terms)
                                ? substituted.expand()
                                : substituted;
            // Ranking only: the temporaries' costs stand in for realising each combination.
            const std::size_t c = estimate ? (*estimate)(form) : cost_(realize(form, m));
            tried.push_back({c, substituted, m});
            return c;
        };

        std::size_t combinations = 1;
        for (const auto* c : choices) {
            combinations *= c->options.size();
            if (combinations > options_.max_combinations)
                break;
        }
        std::vector<std::size_t> pick(choices.size(), 0);
        if (combinations <= options_.max_combinations) {
            for (;;) {
                evaluate(pick);
                std::size_t i = 0;
                while (i < choices.size() && ++pick[i] == choices[i]->options.size())
                    pick[i++] = 0;
                if (i == choices.size())
                    break;
            }
        } else {
            // Coordinate descent: one choice at a time, two sweeps.
            std::size_t current = evaluate(pick);
            for (int sweep = 0; sweep < 2; ++sweep)
                for (std::size_t i = 0; i < choices.size(); ++i) {
                    std::size_t keep = pick[i];
                    for (std::size_t o = 0; o < choices[i]->options.size(); ++o) {
                        if (o == keep)
                            continue;
                        pick[i] = o;
                        const std::size_t c = evaluate(pick);
                        if (c < current) {
                            current = c;
                            keep = o;
                        }
                    }
                    pick[i] = keep;
                }
        }

        // The most promising combinations in other forms.
        std::stable_sort(tried.begin(), tried.end(),
                         [](const scored& x, const scored& y) { return x.cost < y.cost; });
        const std::size_t keep = std::min<std::size_t>(tried.size(), 3);
        for (std::size_t i = 0; i < keep; ++i) {
            const ex& s = tried[i].substituted;
            for (const ex& f : algebraic_forms(s, options_.max_terms))
                consider(b, realize(f, tried[i].chosen));
            consider(b, realize(s, tried[i].chosen));
        }
    }

    /// Largest sums handed to GiNaC's factor().
    static constexpr std::size_t max_factor_terms = 12;

    simplify_options options_;
    ex input_;
    std::optional<std::unordered_set<ex>> input_symbols_;
    cost_counter cost_;
    object_map<ex> memo_;
    object_map<ex> argument_memo_;
};

} // namespace

std::size_t expression_cost(const ex& e) {
    cost_counter c;
    return c(e);
}

ex simplify(const ex& e, const simplify_options& options) {
    check_expression_size(e, "simplify");
    check_nesting_depth(e, "simplify");
    // GiNaC's normal() turns (x^(3/2))^(3/2) into x^(3/2): such input is left as it is.
    if (has_nested_fractional_power(e))
        return e;
    simplifier s(e, options);
    return s.run(e);
}

} // namespace symgrad
