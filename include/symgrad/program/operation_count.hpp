// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file operation_count.hpp
/// How big an expression is, counted the way a straight-line evaluation would pay for it.
///
/// operation_count walks the DAG (each distinct subexpression once, as an evaluator that
/// remembers values would) and counts:
///   - a sum of n terms: n - 1 additions; a product of n factors: n - 1 multiplications
///     (a numeric coefficient is a factor, so -x and 2*x cost one operation each; the sums
///     among the factors are taken with their representative sign, structural_order::
///     canonical_operands, so that the count does not depend on where GiNaC's run-dependent
///     order put a minus sign);
///   - a power: 1;
///   - a function application: 1 per argument that is not a number (sigmoid(h): 1,
///     logsumexp(z0, z1, z2): 3, softmax(0, z0, z1): 2);
///   - symbols and numbers: 0.
/// tree_size counts the nodes of the expression as a tree, i.e. as it prints: the measure of a
/// closed form's size (it grows exponentially where the DAG is shared).

#include <ginac/ginac.h>

#include <cstddef>

namespace symgrad {

/// Operations to evaluate @p e once, shared subexpressions counted once (see above).
std::size_t operation_count(const GiNaC::ex& e);

/// Operations of one node of @p e alone (its top-level operator), by the rules above.
std::size_t node_operation_count(const GiNaC::ex& e);

/// Nodes of @p e as a tree (symbols and numbers count 1). A double, because it can exceed any
/// integer type for deep shared expressions; computed in time linear in the DAG.
double tree_size(const GiNaC::ex& e);

} // namespace symgrad
