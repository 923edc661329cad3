// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// The shares of a two-term sum of exponentials are sigmoids: with u = z0 - z1,
//   exp(z0)/(exp(z0) + exp(z1)) = sigmoid(u),   exp(z1)/(exp(z0) + exp(z1)) = sigmoid(-u),
// and sigmoid(-u) = 1 - sigmoid(u), sigmoid(u) = (1 + tanh(u/2))/2. Which spelling gives the
// cheapest whole is for the search to find out.
#include "rules.hpp"

#include "symgrad/core/functions.hpp"

namespace symgrad::simplify_detail {

choice_point sigmoid_choices(const sum_of_exps& f, const std::vector<ex>& p,
                             const exp_atom_table& atoms, bool allow_tanh, temporaries& temps) {
    exponent_vector u = f.exponents[0];
    for (std::size_t i = 0; i < u.size(); ++i)
        u[i] -= f.exponents[1][i];
    const ex arg = atoms.exponent_expression(u);
    choice_point c;
    const ex s = temps.symbol_for(sigmoid(arg));
    c.options.push_back({{p[0], s}, {p[1], 1 - s}});
    const ex s_mirror = temps.symbol_for(sigmoid(-arg));
    c.options.push_back({{p[1], s_mirror}, {p[0], 1 - s_mirror}});
    if (allow_tanh) {
        const ex t = temps.symbol_for(GiNaC::tanh(arg / 2));
        c.options.push_back({{p[0], (1 + t) / 2}, {p[1], (1 - t) / 2}});
        const ex t_mirror = temps.symbol_for(GiNaC::tanh(-arg / 2));
        c.options.push_back({{p[1], (1 + t_mirror) / 2}, {p[0], (1 - t_mirror) / 2}});
    }
    return c;
}

bool has_even_difference(const sum_of_exps& f) {
    if (f.shifted.size() != 2)
        return false;
    for (std::size_t i = 0; i < f.shifted[0].size(); ++i) {
        const numeric d = f.shifted[0][i] - f.shifted[1][i];
        if (!d.is_integer() || !d.is_even())
            return false;
    }
    return true;
}

} // namespace symgrad::simplify_detail
