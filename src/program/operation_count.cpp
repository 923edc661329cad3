// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/program/operation_count.hpp"

#include "symgrad/core/printers.hpp"

#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace symgrad {

using GiNaC::ex;

std::size_t node_operation_count(const ex& e) {
    const std::size_t n = e.nops();
    if (GiNaC::is_exactly_a<GiNaC::add>(e) || GiNaC::is_exactly_a<GiNaC::mul>(e))
        return n == 0 ? 0 : n - 1;
    if (GiNaC::is_exactly_a<GiNaC::power>(e))
        return 1;
    if (GiNaC::is_a<GiNaC::function>(e)) {
        std::size_t args = 0;
        for (std::size_t i = 0; i < n; ++i)
            if (!GiNaC::is_exactly_a<GiNaC::numeric>(e.op(i)))
                ++args;
        return std::max<std::size_t>(args, 1);
    }
    return 0;
}

std::size_t operation_count(const ex& e) {
    // Iterative walk: deep networks make deep DAGs. Products are counted over their canonical
    // operands (printers.hpp): GiNaC puts the sign of a sum in a product into the coefficient
    // or into the sum as its run-dependent order has it, -(y - w*x)*x or (w*x - y)*x, and the
    // count must not follow it.
    structural_order order;
    std::unordered_set<ex> seen;
    std::vector<ex> stack{e};
    std::size_t total = 0;
    while (!stack.empty()) {
        const ex node = stack.back();
        stack.pop_back();
        if (node.nops() == 0 || !seen.insert(node).second)
            continue;
        if (GiNaC::is_exactly_a<GiNaC::mul>(node)) {
            const GiNaC::exvector operands = order.canonical_operands(node);
            total += operands.size() - 1;
            stack.insert(stack.end(), operands.begin(), operands.end());
            continue;
        }
        total += node_operation_count(node);
        for (std::size_t i = 0; i < node.nops(); ++i)
            stack.push_back(node.op(i));
    }
    return total;
}

double tree_size(const ex& e) {
    // Products over their canonical operands, as in operation_count.
    structural_order order;
    auto operands = [&](const ex& node) {
        return GiNaC::is_exactly_a<GiNaC::mul>(node) ? order.canonical_operands(node)
                                                     : GiNaC::exvector(node.begin(), node.end());
    };
    std::unordered_map<ex, double> memo;
    // Post-order without recursion: a node is finished once all its children are.
    std::vector<std::pair<ex, bool>> stack{{e, false}};
    while (!stack.empty()) {
        auto [node, expanded] = stack.back();
        stack.pop_back();
        if (memo.count(node))
            continue;
        if (node.nops() == 0) {
            memo.emplace(node, 1.0);
            continue;
        }
        if (!expanded) {
            stack.emplace_back(node, true);
            for (const ex& child : operands(node))
                stack.emplace_back(child, false);
            continue;
        }
        double size = 1;
        for (const ex& child : operands(node))
            size += memo.at(child);
        memo.emplace(node, size);
    }
    return memo.at(e);
}

} // namespace symgrad
