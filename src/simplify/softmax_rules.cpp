// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// The shares of a K-term sum of exponentials are the softmax components,
//   exp(z_k)/sum_j exp(z_j) = softmax_k(z),
// which add up to 1: any one of them may be spelled 1 - (the others), and the search tries each
// (softmax_k (1 - softmax_k) is the textbook form of a sum softmax_k (softmax_i + softmax_j)).
#include "rules.hpp"

#include "symgrad/core/functions.hpp"

namespace symgrad::simplify_detail {

choice_point softmax_choices(const sum_of_exps& f, const std::vector<ex>& p,
                             const exp_atom_table& atoms, temporaries& temps) {
    GiNaC::exvector z;
    for (const auto& v : f.exponents)
        z.push_back(atoms.exponent_expression(v));
    std::vector<ex> q;
    for (std::size_t k = 0; k < z.size(); ++k)
        q.push_back(temps.symbol_for(softmax(k, z)));
    choice_point c;
    exmap plain;
    for (std::size_t k = 0; k < z.size(); ++k)
        plain[p[k]] = q[k];
    c.options.push_back(plain);
    for (std::size_t eliminated = 0; eliminated < z.size(); ++eliminated) {
        exmap m;
        ex others = 0;
        for (std::size_t k = 0; k < z.size(); ++k)
            if (k != eliminated) {
                m[p[k]] = q[k];
                others += q[k];
            }
        m[p[eliminated]] = 1 - others;
        c.options.push_back(m);
    }
    return c;
}

} // namespace symgrad::simplify_detail
