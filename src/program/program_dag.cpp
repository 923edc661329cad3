// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "program/program_dag.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/functions.hpp"
#include "symgrad/core/printers.hpp"
#include "symgrad/core/symbols.hpp"

#include <algorithm>

namespace symgrad::detail {

using GiNaC::ex;

bool is_leaf(const ex& e) {
    return GiNaC::is_a<GiNaC::symbol>(e) || GiNaC::is_exactly_a<GiNaC::numeric>(e) ||
           GiNaC::is_a<GiNaC::constant>(e);
}

program_dag::program_dag(const ex& objective, const std::unordered_set<ex>& weights,
                         const std::unordered_set<ex>& named) {
    collect(objective, named);
    analyse(weights);
}

std::pair<std::size_t, bool> program_dag::intern(const ex& e) {
    auto [it, fresh] = index.emplace(e, nodes.size());
    if (fresh) {
        if (!is_leaf(e) && !GiNaC::is_exactly_a<GiNaC::add>(e) &&
            !GiNaC::is_exactly_a<GiNaC::mul>(e) && !GiNaC::is_exactly_a<GiNaC::power>(e) &&
            !GiNaC::is_a<GiNaC::function>(e))
            throw invalid_input("gradient_program: cannot differentiate through a " +
                                std::string(GiNaC::ex_to<GiNaC::basic>(e).class_name()) + ": " +
                                brief(e));
        dag_node n;
        n.e = e;
        n.leaf = is_leaf(e);
        nodes.push_back(std::move(n));
    }
    return {it->second, fresh};
}

// Post-order without recursion: deep networks make deep expressions. A node's operands are its
// canonical operands (printers.hpp): GiNaC writes a product's sums and an even power's base
// with the sign its run-dependent order prefers, -(y - o)*x or (o - y)*x, and a program must
// not name a different t1 in every run.
void program_dag::collect(const ex& objective, const std::unordered_set<ex>& named) {
    structural_order structure;
    root = intern(objective).first;
    struct frame {
        std::size_t id;
        GiNaC::exvector operands;
        std::size_t next = 0;
    };
    std::vector<frame> stack;
    auto expand = [&](std::size_t id) {
        const ex& e = nodes[id].e;
        GiNaC::exvector operands = structure.canonical_operands(e);
        // A sum the caller names keeps the sign it was named with (in a product, or as the base
        // of an even power: the sign of an odd power's base is not free).
        if (!named.empty() &&
            (GiNaC::is_exactly_a<GiNaC::mul>(e) ||
             (GiNaC::is_exactly_a<GiNaC::power>(e) && e.op(1).info(GiNaC::info_flags::even)))) {
            bool flip = false;
            const std::size_t sums = GiNaC::is_exactly_a<GiNaC::power>(e) ? 1 : operands.size();
            for (std::size_t i = 0; i < sums; ++i) {
                ex& o = operands[i];
                if (GiNaC::is_exactly_a<GiNaC::add>(o) && !named.count(o) && named.count(-o)) {
                    o = -o;
                    flip = !flip;
                } else if (GiNaC::is_exactly_a<GiNaC::mul>(e) &&
                           GiNaC::is_exactly_a<GiNaC::power>(o) &&
                           GiNaC::is_exactly_a<GiNaC::add>(o.op(0)) &&
                           o.op(1).info(GiNaC::info_flags::odd) && !named.count(o.op(0)) &&
                           named.count(-o.op(0))) {
                    // (-r)^k = -(r^k), built as it stands (see canonical_operands).
                    o = GiNaC::dynallocate<GiNaC::power>(-o.op(0), o.op(1))
                            .setflag(GiNaC::status_flags::evaluated);
                    flip = !flip;
                }
            }
            if (flip && GiNaC::is_exactly_a<GiNaC::mul>(e)) {
                if (GiNaC::is_exactly_a<GiNaC::numeric>(operands.back())) {
                    operands.back() = -operands.back();
                    if (operands.back().is_equal(1))
                        operands.pop_back();
                } else {
                    operands.push_back(-1);
                }
            }
        }
        stack.push_back({id, std::move(operands), 0});
    };
    if (!nodes[root].leaf)
        expand(root);
    else
        order.push_back(root);
    while (!stack.empty()) {
        frame& f = stack.back();
        if (f.next < f.operands.size()) {
            const std::size_t id = f.id;
            const ex child = f.operands[f.next++];
            const auto [c, fresh] = intern(child);
            nodes[id].ops.push_back(c);
            if (fresh && !nodes[c].leaf)
                expand(c); // invalidates f
            else if (fresh)
                order.push_back(c);
        } else {
            order.push_back(f.id);
            stack.pop_back();
        }
    }
}

// Counts every use of every value, forward and by the derivatives the reverse pass will
// write, so that a value used twice gets a name instead of being written out twice.
void program_dag::analyse(const std::unordered_set<ex>& weights) {
    for (std::size_t id : order) {
        dag_node& n = nodes[id];
        if (n.leaf) {
            n.active = weights.count(n.e) > 0;
            continue;
        }
        for (std::size_t c : n.ops)
            n.level = std::max(n.level, nodes[c].level + 1);
        // Labels pass through indicators, whose derivative is zero.
        if (ml_function_of(n.e) != ml_function::indicator)
            for (std::size_t c : n.ops)
                n.active = n.active || nodes[c].active;
        for (std::size_t c : n.ops)
            ++nodes[c].refs;
        if (!n.active)
            continue;
        if (GiNaC::is_exactly_a<GiNaC::mul>(n.e)) {
            std::size_t active = 0;
            for (std::size_t c : n.ops)
                active += nodes[c].active ? 1 : 0;
            for (std::size_t c : n.ops)
                if (active - (nodes[c].active ? 1 : 0) >= 1)
                    ++nodes[c].refs; // its value multiplies another factor's adjoint
        } else if (GiNaC::is_exactly_a<GiNaC::power>(n.e)) {
            dag_node& base = nodes[n.ops[0]];
            dag_node& exponent = nodes[n.ops[1]];
            if (base.active) {
                ++base.refs; // d(b^e)/db = e b^(e-1)
                ++exponent.refs;
            }
            if (exponent.active) {
                ++base.refs; // d(b^e)/de = log(b) b^e
                ++n.refs;
            }
        } else if (GiNaC::is_a<GiNaC::function>(n.e)) {
            n.must_name = true;
            for (std::size_t c : n.ops)
                if (!nodes[c].leaf)
                    nodes[c].must_name = nodes[c].preactivation = true;
        }
    }
}

bool program_dag::trivial_inactive(const dag_node& n) const {
    if (n.active)
        return false;
    for (std::size_t c : n.ops)
        if (!nodes[c].leaf)
            return false;
    return true;
}

void program_dag::sort_forward(const std::vector<std::string>& key) {
    // Collection order follows GiNaC's operand order, which changes from run to run: ties are
    // broken by the structural order (sigmoid(a) before sigmoid(b), W1_11*x1 + W1_21*x2 before
    // W1_12*x1 + W1_22*x2), which does not.
    structural_order structure;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (nodes[a].level != nodes[b].level)
            return nodes[a].level < nodes[b].level;
        if (key[a] != key[b])
            return natural_less(key[a], key[b]);
        return structure.less(nodes[a].e, nodes[b].e);
    });
}

std::vector<std::size_t> program_dag::backward_order(const std::vector<std::string>& key) const {
    std::vector<std::size_t> out = order;
    std::stable_sort(out.begin(), out.end(), [&](std::size_t a, std::size_t b) {
        if (nodes[a].level != nodes[b].level)
            return nodes[a].level > nodes[b].level;
        return natural_less(key[a], key[b]);
    });
    return out;
}

} // namespace symgrad::detail
