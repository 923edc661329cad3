// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

// Internal to the gradient program builder: the objective's DAG as a table of distinct
// subexpressions, children before parents, with what reverse accumulation needs to know about
// each of them before it names anything.

#include <ginac/ginac.h>

#include <cstddef>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace symgrad::detail {

/// One distinct subexpression of the objective.
struct dag_node {
    GiNaC::ex e;
    std::vector<std::size_t> ops;  // node indices of the canonical operands (see collect)
    bool leaf = false;             // a symbol, number or constant
    bool active = false;           // depends on a weight
    bool preactivation = false;    // a non-leaf argument of a function (named h)
    bool must_name = false;        // a function value or argument: always named
    unsigned refs = 0;             // forward uses + uses of its value by derivatives
    std::size_t level = 0;         // longest path down to a leaf
    GiNaC::ex rep;                 // what stands for it in the program: its symbol when named
    GiNaC::exvector contributions; // adjoint terms, while the reverse pass collects them
};

/// Symbols, numbers and constants (Pi): the DAG's leaves.
bool is_leaf(const GiNaC::ex& e);

/// The table of an objective's DAG. Shared subexpressions (GiNaC shares them by pointer;
/// equal ones are found by hash) are one node each, whatever their number of uses. Node ids
/// follow GiNaC's operand order (run-dependent): never let them decide anything printed.
class program_dag {
public:
    /// Collect and analyse @p objective; invalid_input for anything that is not a sum,
    /// product, power, function, symbol or number (a matrix, a relation, a list, ...).
    /// A node's operands are its canonical operands (structural_order::canonical_operands),
    /// except that a sum in @p named keeps its sign (the caller names it).
    program_dag(const GiNaC::ex& objective, const std::unordered_set<GiNaC::ex>& weights,
                const std::unordered_set<GiNaC::ex>& named = {});

    std::vector<dag_node> nodes;
    std::unordered_map<GiNaC::ex, std::size_t> index;
    /// Children before parents.
    std::vector<std::size_t> order;
    std::size_t root = 0;

    /// An inactive node over leaves only (indicator(y, 0), x_1*x_2): cheaper inline than named.
    bool trivial_inactive(const dag_node& n) const;

    /// Reorder `order` by increasing level (a topological order, since operands have lower
    /// levels), then by @p key in natural order (h1_1 before h1_2), then in structural order
    /// (printers.hpp), so that the order depends on the objective only.
    void sort_forward(const std::vector<std::string>& key);

    /// Decreasing level (parents before their operands, so adjoints are complete when
    /// used), then @p key in natural order, then as sort_forward left them.
    std::vector<std::size_t> backward_order(const std::vector<std::string>& key) const;

private:
    std::pair<std::size_t, bool> intern(const GiNaC::ex& e);
    void collect(const GiNaC::ex& objective, const std::unordered_set<GiNaC::ex>& named);
    void analyse(const std::unordered_set<GiNaC::ex>& weights);
};

} // namespace symgrad::detail
