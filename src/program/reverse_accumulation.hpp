// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

// Internal: the reverse-accumulation builder behind gradient_program's constructor.
//
// Three passes over the objective's DAG (program_dag.hpp): the analysis counts every use of
// every value; the forward pass names the values used more than once (and every function value
// and argument: the book's o and h) and emits them in order of level; the reverse pass visits
// nodes parents-first, sums each node's adjoint from its parents' contributions, names it
// (d_<name>) when it is used more than once, and hands each operand its contribution by the
// node's local derivative: 1 for sums, the other factors for products, e b^(e-1) and
// log(b) b^e for powers, exp(z_l - lse) for logsumexp, s_l (a_l - sum_k a_k s_k) for softmax
// components over the same logits, and the registered derivative for any other function.

#include "symgrad/program/gradient_program.hpp"

#include <ginac/ginac.h>

#include <vector>

namespace symgrad::detail {

struct program_parts {
    std::vector<assignment> forward, backward;
    GiNaC::ex loss;
    GiNaC::exvector gradient;
};

/// The program for d objective / d weights. @p data_symbols are the inputs and labels (their
/// names are taken, so intermediates get other names).
program_parts reverse_accumulate(const GiNaC::ex& objective, const std::vector<GiNaC::ex>& weights,
                                 const program_options& options,
                                 const std::vector<GiNaC::ex>& data_symbols);

} // namespace symgrad::detail
