// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/stable_forms.hpp"

#include "symgrad/functions.hpp"

#include <utility>

namespace symgrad {

using GiNaC::ex;

namespace {

bool has_operands(const ex& e) {
    return GiNaC::is_exactly_a<GiNaC::add>(e) || GiNaC::is_exactly_a<GiNaC::mul>(e) ||
           GiNaC::is_exactly_a<GiNaC::power>(e) || GiNaC::is_a<GiNaC::function>(e);
}

/// t = c*r with c the numeric coefficient (1 when there is none).
std::pair<GiNaC::numeric, ex> split_coefficient(const ex& t) {
    if (GiNaC::is_exactly_a<GiNaC::mul>(t) && t.nops() > 0) {
        const ex& last = t.op(t.nops() - 1);
        if (GiNaC::is_exactly_a<GiNaC::numeric>(last))
            return {GiNaC::ex_to<GiNaC::numeric>(last), t / last};
    }
    return {GiNaC::numeric(1), t};
}

/// Substitutes already-rewritten operands when an expression is rebuilt.
struct from_memo : GiNaC::map_function {
    explicit from_memo(const std::unordered_map<ex, ex>& memo) : memo_(memo) {}
    ex operator()(const ex& e) override { return memo_.at(e); }
    const std::unordered_map<ex, ex>& memo_;
};

} // namespace

stable_forms::stable_forms(const std::vector<ex>& labels) : labels_(labels.begin(), labels.end()) {}

ex stable_forms::define(const ex& symbol, const ex& value) {
    ex v = (*this)(value);
    definitions_[symbol] = v;
    return v;
}

ex stable_forms::operator()(const ex& root) {
    // Post-order over the DAG with an explicit stack: programs can be deep chains.
    std::vector<std::pair<ex, bool>> stack{{root, false}};
    while (!stack.empty()) {
        auto& [e, expanded] = stack.back();
        if (memo_.count(e)) {
            stack.pop_back();
            continue;
        }
        if (!has_operands(e)) {
            memo_.emplace(e, e);
            stack.pop_back();
            continue;
        }
        if (!expanded) {
            expanded = true;
            const ex node = e; // the push below may move the stack
            for (std::size_t i = 0; i < node.nops(); ++i)
                if (!memo_.count(node.op(i)))
                    stack.emplace_back(node.op(i), false);
            continue;
        }
        const ex node = e;
        stack.pop_back();
        bool changed = false;
        for (std::size_t i = 0; i < node.nops() && !changed; ++i)
            changed = !memo_.at(node.op(i)).is_equal(node.op(i));
        from_memo substitute(memo_);
        const ex rebuilt = changed ? node.map(substitute) : node;
        memo_.emplace(node, rewrite_node(rebuilt));
    }
    return memo_.at(root);
}

ex stable_forms::value_of(const ex& e) const {
    if (GiNaC::is_a<GiNaC::symbol>(e))
        if (auto it = definitions_.find(e); it != definitions_.end())
            return it->second;
    return e;
}

bool stable_forms::sigmoid_of(const ex& e, ex& u) const {
    const ex v = value_of(e);
    if (ml_function_of(v) != ml_function::sigmoid)
        return false;
    u = v.op(0);
    return true;
}

bool stable_forms::one_plus_exp(const ex& e, ex& v) const {
    const ex sum = value_of(e);
    if (!GiNaC::is_exactly_a<GiNaC::add>(sum) || sum.nops() != 2)
        return false;
    const ex rest = value_of(sum - 1);
    if (!GiNaC::is_the_function<GiNaC::exp_SERIAL>(rest))
        return false;
    v = rest.op(0);
    return true;
}

bool stable_forms::tanh_of(const ex& e, ex& u) const {
    const ex v = value_of(e);
    if (!GiNaC::is_the_function<GiNaC::tanh_SERIAL>(v))
        return false;
    u = v.op(0);
    return true;
}

ex stable_forms::rewrite_sum(const ex& e) const {
    ex u;
    // sigmoid(u) - y = (1 - y) sigmoid(u) - y sigmoid(-u): for y = 1 this is -sigmoid(-u),
    // which the left side loses to cancellation once sigmoid(u) rounds to 1.
    if (e.nops() == 2 && !labels_.empty())
        for (int s = 0; s < 2; ++s) {
            const ex& t = e.op(s);
            const ex& other = e.op(1 - s);
            if (sigmoid_of(t, u) && labels_.count(-other)) {
                const ex y = -other;
                return (1 - y) * t - y * sigmoid(-u);
            }
        }
    // k + c*r with c = -k: k (1 - sigmoid(u)) = k sigmoid(-u), k (1 - tanh(u)^2) = k/cosh(u)^2.
    ex k = 0;
    for (std::size_t i = 0; i < e.nops(); ++i)
        if (GiNaC::is_exactly_a<GiNaC::numeric>(e.op(i)))
            k = e.op(i);
    if (k.is_zero())
        return e;
    for (std::size_t i = 0; i < e.nops(); ++i) {
        const ex& t = e.op(i);
        if (GiNaC::is_exactly_a<GiNaC::numeric>(t))
            continue;
        const auto [c, r] = split_coefficient(t);
        if (!(c + GiNaC::ex_to<GiNaC::numeric>(k)).is_zero())
            continue;
        if (sigmoid_of(r, u))
            return e - k - t + k * sigmoid(-u);
        if (GiNaC::is_exactly_a<GiNaC::power>(r) && r.op(1).is_equal(2) && tanh_of(r.op(0), u))
            return e - k - t + k * GiNaC::pow(GiNaC::cosh(u), -2);
    }
    return e;
}

ex stable_forms::rewrite_node(const ex& e) const {
    if (GiNaC::is_exactly_a<GiNaC::add>(e))
        return rewrite_sum(e);
    ex u;
    // 1/(1 + e^v) = sigmoid(-v): e^v overflows long before the quotient is 0.
    if (GiNaC::is_exactly_a<GiNaC::power>(e) && e.op(1).is_equal(-1) && one_plus_exp(e.op(0), u))
        return sigmoid(-u);
    // e^v sigmoid(-v) = sigmoid(v) (what e^v/(1 + e^v) became above).
    if (GiNaC::is_exactly_a<GiNaC::mul>(e))
        for (std::size_t i = 0; i < e.nops(); ++i) {
            const ex& f = e.op(i);
            const ex exp_v = value_of(f);
            if (!GiNaC::is_the_function<GiNaC::exp_SERIAL>(exp_v))
                continue;
            const ex partner = sigmoid(-exp_v.op(0));
            for (std::size_t j = 0; j < e.nops(); ++j)
                if (value_of(e.op(j)).is_equal(partner))
                    return e / f / e.op(j) * sigmoid(exp_v.op(0));
        }
    // log(1 + e^u) = softplus(u), which neither overflows nor loses the small values.
    if (GiNaC::is_the_function<GiNaC::log_SERIAL>(e) && one_plus_exp(e.op(0), u))
        return softplus(u);
    // log sigmoid(u) = -softplus(-u): never the log of an underflowed probability.
    if (GiNaC::is_the_function<GiNaC::log_SERIAL>(e) && sigmoid_of(e.op(0), u))
        return -softplus(-u);
    // logloss on the logit: y softplus(-u) + (1 - y) softplus(u), both terms accurate.
    if (ml_function_of(e) == ml_function::logloss && sigmoid_of(e.op(0), u)) {
        const ex& y = e.op(1);
        return y * softplus(-u) + (1 - y) * softplus(u);
    }
    return e;
}

ex stable_form(const ex& e) {
    stable_forms pass;
    return pass(e);
}

} // namespace symgrad
