// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file expression_walk.hpp
/// Walks over an expression's DAG that visit each distinct subexpression once, by object
/// (object_identity.hpp), with an explicit stack: expressions built by backpropagation share
/// subexpressions (a tree walk visits them exponentially often), and deep networks make chains
/// thousands of links deep (too deep for recursion).

#include "symgrad/core/object_identity.hpp"

#include <ginac/ginac.h>

#include <cstddef>
#include <type_traits>
#include <utility>
#include <vector>

namespace symgrad {

/// Call @p f(node) once for each distinct subexpression of the @p roots (by object, the roots
/// included), depth first and left to right: a node before the operands first reached through
/// it (a shared operand comes after its first parent only). When @p f returns bool, false
/// stops the walk.
template <class F> void for_each_subexpression(const std::vector<GiNaC::ex>& roots, F&& f) {
    object_set visited;
    std::vector<GiNaC::ex> stack(roots.rbegin(), roots.rend());
    while (!stack.empty()) {
        const GiNaC::ex node = std::move(stack.back());
        stack.pop_back();
        if (!visited.insert(node).second)
            continue;
        if constexpr (std::is_same_v<std::invoke_result_t<F&, const GiNaC::ex&>, bool>) {
            if (!f(node))
                return;
        } else {
            f(node);
        }
        for (std::size_t i = node.nops(); i-- > 0;)
            stack.push_back(node.op(i));
    }
}

/// for_each_subexpression over the one root @p root.
template <class F> void for_each_subexpression(const GiNaC::ex& root, F&& f) {
    for_each_subexpression(std::vector<GiNaC::ex>{root}, std::forward<F>(f));
}

/// Post-order: call @p visit(node) once for each distinct subexpression of @p root (by object,
/// @p root included) after it has been called for all of the node's operands, left to right.
/// A subexpression for which @p done(node) is true (a memo already has it) is not visited, and
/// neither are the operands below it that are reached only through it. For memoising folds:
/// @p visit finds the values of the operands in the memo and puts in the node's.
template <class Done, class Visit>
void for_each_subexpression_postorder(const GiNaC::ex& root, Done&& done, Visit&& visit) {
    if (done(root))
        return;
    // A node enters the stack once; while it is there, the nodes above it are its descendants,
    // so in a DAG no operand of theirs can be it.
    object_set entered{root};
    std::vector<std::pair<GiNaC::ex, std::size_t>> stack{{root, 0}};
    while (!stack.empty()) {
        auto& [node, next] = stack.back();
        if (next < node.nops()) {
            GiNaC::ex operand = node.op(next++);
            if (!done(operand) && entered.insert(operand).second)
                stack.emplace_back(std::move(operand), 0);
            continue;
        }
        const GiNaC::ex finished = std::move(node);
        stack.pop_back();
        visit(finished);
    }
}

} // namespace symgrad
