// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/stable_forms.hpp"

#include "symgrad/core/expression_walk.hpp"
#include "symgrad/core/functions.hpp"
#include "symgrad/core/printers.hpp"
#include "symgrad/core/symbols.hpp"

#include <algorithm>
#include <utility>

namespace symgrad {

using GiNaC::ex;
using GiNaC::exvector;

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

/// The operands of @p e in structural order (printers.hpp), not GiNaC's run-dependent one:
/// where two rewrites apply, the same one is chosen in every run (the tape must not change).
exvector sorted_ops(const ex& e) {
    exvector ops(e.begin(), e.end());
    std::sort(ops.begin(), ops.end(), structural_less());
    return ops;
}

/// Whether @p e is > 0 (strict) or >= 0 wherever it is defined, by its form alone: positive
/// numbers, exp, sigmoid, softplus, even powers, and sums and products of those.
bool sign_known(const ex& e, bool strict) {
    if (GiNaC::is_exactly_a<GiNaC::numeric>(e)) {
        const auto& n = GiNaC::ex_to<GiNaC::numeric>(e);
        return n.is_real() && (strict ? n.is_positive() : !n.is_negative());
    }
    if (GiNaC::is_the_function<GiNaC::exp_SERIAL>(e))
        return true;
    const ml_function f = ml_function_of(e);
    if (f == ml_function::sigmoid || f == ml_function::softplus)
        return true;
    if (GiNaC::is_exactly_a<GiNaC::power>(e) && GiNaC::is_exactly_a<GiNaC::numeric>(e.op(1)) &&
        GiNaC::ex_to<GiNaC::numeric>(e.op(1)).is_even())
        return !strict || sign_known(e.op(0), true);
    if (GiNaC::is_exactly_a<GiNaC::add>(e)) {
        bool some_strict = false;
        for (const ex& t : e) {
            if (!sign_known(t, false))
                return false;
            some_strict = some_strict || sign_known(t, true);
        }
        return !strict || some_strict;
    }
    if (GiNaC::is_exactly_a<GiNaC::mul>(e))
        return std::all_of(e.begin(), e.end(),
                           [strict](const ex& factor) { return sign_known(factor, strict); });
    return false;
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
    // Post-order without recursion (programs can be deep chains). A leaf, and whatever else
    // has no operands to rewrite (a list, a matrix), stands for itself.
    auto known = [this](const ex& e) {
        if (memo_.count(e))
            return true;
        if (has_operands(e))
            return false;
        memo_.emplace(e, e);
        return true;
    };
    for_each_subexpression_postorder(root, known, [this](const ex& node) {
        bool changed = false;
        for (std::size_t i = 0; i < node.nops() && !changed; ++i)
            changed = !memo_.at(node.op(i)).is_equal(node.op(i));
        from_memo substitute(memo_);
        const ex rebuilt = changed ? node.map(substitute) : node;
        memo_.emplace(node, rewrite_node(rebuilt));
    });
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

bool stable_forms::softmax_component_of(const ex& e, std::size_t& l, ex& others) const {
    const ex v = value_of(e);
    exvector z;
    if (softmax_logits(e, l, z)) {
        others = 0;
        for (std::size_t j = 0; j < z.size(); ++j)
            if (j != l)
                others += softmax(j, z);
        return true;
    }
    // exp(z_l - S) with S a symbol defined as logsumexp(z): the gradient program's g_l.
    if (!GiNaC::is_the_function<GiNaC::exp_SERIAL>(v) || !GiNaC::is_exactly_a<GiNaC::add>(v.op(0)))
        return false;
    const ex& arg = v.op(0);
    for (std::size_t i = 0; i < arg.nops(); ++i) {
        const ex lse = -arg.op(i);
        const ex sum = value_of(lse);
        if (!GiNaC::is_a<GiNaC::symbol>(lse) || ml_function_of(sum) != ml_function::logsumexp)
            continue;
        const ex u = arg + lse;
        for (std::size_t j = 0; j < sum.nops(); ++j)
            if (sum.op(j).is_equal(u)) {
                l = j;
                others = 0;
                for (std::size_t m = 0; m < sum.nops(); ++m)
                    if (m != j)
                        others += GiNaC::exp(sum.op(m) - lse);
                return true;
            }
    }
    return false;
}

ex stable_forms::rewrite_sum(const ex& e) const {
    ex u;
    // sigmoid(u) - y = (1 - y) sigmoid(u) - y sigmoid(-u): for y = 1 this is -sigmoid(-u),
    // which the left side loses to cancellation once sigmoid(u) rounds to 1.
    if (e.nops() == 2 && !labels_.empty())
        for (int s = 0; s < 2; ++s) {
            // c (sigmoid(u) - y) with c = 1 or -1 (GiNaC may write it y - sigmoid(u)).
            const auto [c, t] = split_coefficient(e.op(s));
            const ex y = -c * e.op(1 - s);
            if ((c.is_equal(1) || c.is_equal(-1)) && sigmoid_of(t, u) && labels_.count(y))
                return c * ((1 - y) * t - y * sigmoid(-u));
        }
    // Differences that are small where their terms are not:
    //   softplus(u) - u = softplus(-u),  softplus(u) - softplus(-u) = u,
    //   sigmoid(u) - sigmoid(-u) = tanh(u/2).
    if (e.nops() == 2)
        for (int s = 0; s < 2; ++s) {
            const auto [c, t] = split_coefficient(e.op(s));
            const ex other = -e.op(1 - s) / c; // e = c (t - other)
            if (ml_function_of(t) == ml_function::softplus) {
                if (other.is_equal(t.op(0)))
                    return c * softplus(-t.op(0));
                if (other.is_equal(softplus(-t.op(0))))
                    return c * t.op(0);
            }
            ex v;
            if (sigmoid_of(t, u) && sigmoid_of(other, v) && v.is_equal(-u))
                return c * GiNaC::tanh(u / 2);
            // logsumexp(z) - z_k = softplus(logsumexp(z without z_k) - z_k): a cross-entropy,
            // which cancels to 0 once z_k is far the largest (and c = -1 inside step(-...)).
            if (ml_function_of(t) == ml_function::logsumexp && t.nops() > 1)
                for (std::size_t k = 0; k < t.nops(); ++k)
                    if (t.op(k).is_equal(other)) {
                        exvector rest;
                        for (std::size_t j = 0; j < t.nops(); ++j)
                            if (j != k)
                                rest.push_back(t.op(j));
                        const ex lse = rest.size() == 1 ? rest.front() : logsumexp(rest);
                        return c * softplus(lse - other);
                    }
        }
    // g_l - [y = l] = (1 - [y = l]) g_l - [y = l] sum_{j != l} g_j for a softmax component
    // g_l: the cross-entropy gradient, which cancels once g_l rounds to 1 (a confident class).
    ex others;
    if (e.nops() == 2)
        for (int s = 0; s < 2; ++s) {
            const ex& t = e.op(s);
            const ex y_is_l = -e.op(1 - s);
            std::size_t l = 0;
            if (ml_function_of(y_is_l) == ml_function::indicator &&
                GiNaC::is_exactly_a<GiNaC::numeric>(y_is_l.op(1)) &&
                softmax_component_of(t, l, others) && y_is_l.op(1).is_equal(static_cast<long>(l)))
                return (1 - y_is_l) * t - y_is_l * others;
        }
    // k + c*r with c = -k: k (1 - sigmoid(u)) = k sigmoid(-u), k (1 - tanh(u)^2) =
    // 4k sigmoid(2u) sigmoid(-2u), k (1 - g_l) = k sum_{j != l} g_j.
    ex k = 0;
    for (std::size_t i = 0; i < e.nops(); ++i)
        if (GiNaC::is_exactly_a<GiNaC::numeric>(e.op(i)))
            k = e.op(i);
    if (k.is_zero())
        return e;
    for (const ex& t : sorted_ops(e)) {
        if (GiNaC::is_exactly_a<GiNaC::numeric>(t))
            continue;
        const auto [c, r] = split_coefficient(t);
        // k (1 + tanh(u)) = 2k sigmoid(2u)
        if ((c - GiNaC::ex_to<GiNaC::numeric>(k)).is_zero() && tanh_of(r, u))
            return e - k - t + 2 * k * sigmoid(2 * u);
        // k + c sigmoid(u) with c = -2k: (c/2) (2 sigmoid(u) - 1) = (c/2) tanh(u/2)
        if ((c + 2 * GiNaC::ex_to<GiNaC::numeric>(k)).is_zero() && sigmoid_of(r, u))
            return e - k - t + c / 2 * GiNaC::tanh(u / 2);
        if (!(c + GiNaC::ex_to<GiNaC::numeric>(k)).is_zero())
            continue;
        if (sigmoid_of(r, u))
            return e - k - t + k * sigmoid(-u);
        // k (1 - 1/(1 + u)) = k u/(1 + u): 1/(1 + u) rounds to 1 once |u| < 2^-53.
        if (GiNaC::is_exactly_a<GiNaC::power>(r) && r.op(1).is_equal(-1) &&
            has_term_one(value_of(r.op(0))))
            return e - k - t + k * (value_of(r.op(0)) - 1) * r;
        // k (1 - sigmoid(u)^2) = k sigmoid(-u) (1 + sigmoid(u)); k (1 - tanh(u)) = 2k sigmoid(-2u)
        if (GiNaC::is_exactly_a<GiNaC::power>(r) && r.op(1).is_equal(2) && sigmoid_of(r.op(0), u))
            return e - k - t + k * sigmoid(-u) * (1 + r.op(0));
        if (tanh_of(r, u))
            return e - k - t + 2 * k * sigmoid(-2 * u);
        if (GiNaC::is_exactly_a<GiNaC::power>(r) && r.op(1).is_equal(2) && tanh_of(r.op(0), u))
            return e - k - t + 4 * k * sigmoid(2 * u) * sigmoid(-2 * u);
        std::size_t l = 0;
        if (softmax_component_of(r, l, others))
            return e - k - t + k * others;
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
        for (const ex& f : sorted_ops(e)) {
            const ex exp_v = value_of(f);
            if (!GiNaC::is_the_function<GiNaC::exp_SERIAL>(exp_v))
                continue;
            const ex partner = sigmoid(-exp_v.op(0));
            for (std::size_t j = 0; j < e.nops(); ++j)
                if (value_of(e.op(j)).is_equal(partner))
                    return e / f / e.op(j) * sigmoid(exp_v.op(0));
        }
    // log cosh(u) = logsumexp(u, -u) - log 2: cosh overflows from |u| = 711 on.
    if (GiNaC::is_the_function<GiNaC::log_SERIAL>(e) &&
        GiNaC::is_the_function<GiNaC::cosh_SERIAL>(value_of(e.op(0)))) {
        const ex v = value_of(e.op(0)).op(0);
        return logsumexp({v, -v}) - GiNaC::log(ex(2));
    }
    // log(1 + e^u) = softplus(u), which neither overflows nor loses the small values.
    if (GiNaC::is_the_function<GiNaC::log_SERIAL>(e) && one_plus_exp(e.op(0), u))
        return softplus(u);
    // log(c_1 e^{v_1} + ... + c_n e^{v_n} + c) with positive numbers c_i, c: logsumexp(v_1 +
    // log c_1, ..., log c). log(2^-500 + e^{-a^2}) at a = 0 rounds the sum to 1 and its log to 0
    // in double; the logsumexp adds the small terms through log1p.
    if (GiNaC::is_the_function<GiNaC::log_SERIAL>(e) &&
        GiNaC::is_exactly_a<GiNaC::add>(value_of(e.op(0)))) {
        const ex sum = value_of(e.op(0));
        exvector z;
        bool has_exp = false;
        for (std::size_t i = 0; i < sum.nops(); ++i) {
            const bool number = GiNaC::is_exactly_a<GiNaC::numeric>(sum.op(i));
            const auto [c, r] = number
                                    ? std::make_pair(GiNaC::ex_to<GiNaC::numeric>(sum.op(i)), ex(1))
                                    : split_coefficient(sum.op(i));
            const ex term = value_of(r);
            if (!c.is_positive() || !c.is_rational())
                break;
            if (r.is_equal(1)) {
                z.push_back(GiNaC::log(ex(c)));
            } else if (GiNaC::is_the_function<GiNaC::exp_SERIAL>(term)) {
                z.push_back(term.op(0) + (c.is_equal(1) ? ex(0) : GiNaC::log(ex(c))));
                has_exp = true;
            } else {
                break;
            }
        }
        if (has_exp && z.size() == sum.nops() && z.size() >= 2)
            return logsumexp(z);
    }
    // log sigmoid(u) = -softplus(-u): never the log of an underflowed probability; and
    // log(c sigmoid(u)) = log(c) - softplus(-u) for a number c > 0.
    if (GiNaC::is_the_function<GiNaC::log_SERIAL>(e) && sigmoid_of(e.op(0), u))
        return -softplus(-u);
    if (GiNaC::is_the_function<GiNaC::log_SERIAL>(e)) {
        const auto [c, r] = split_coefficient(e.op(0));
        if (c.is_positive() && !c.is_equal(1) && sigmoid_of(r, u))
            return GiNaC::log(ex(c)) - softplus(-u);
    }
    // logloss(e^v, y) = -y v - (1 - y) log(1 - e^v): e^(-10^-20) rounds to 1 in double, and
    // logloss of 1 is undefined; the tape runs log(1 - e^v) as log(-expm1(v)).
    if (ml_function_of(e) == ml_function::logloss &&
        GiNaC::is_the_function<GiNaC::exp_SERIAL>(value_of(e.op(0)))) {
        const ex v = value_of(e.op(0)).op(0);
        const ex& y = e.op(1);
        return -y * v - (1 - y) * GiNaC::log(1 - GiNaC::exp(v));
    }
    // logloss(c, y) = -y log c - (1 - y) log(1 - c) for a number c in (0, 1): the compiled
    // code folds both logs into constants computed exactly, where 1/(1 + 10^-300) is 1 in double
    // and logloss(1, 0) undefined.
    if (ml_function_of(e) == ml_function::logloss && GiNaC::is_exactly_a<GiNaC::numeric>(e.op(0))) {
        const auto& c = GiNaC::ex_to<GiNaC::numeric>(e.op(0));
        const ex& y = e.op(1);
        if (c.is_rational() && c.is_positive() && c < 1)
            return -y * GiNaC::log(ex(c)) - (1 - y) * GiNaC::log(ex(1 - c));
    }
    // logloss(1/(1 + u), y) = log(1 + u) - (1 - y) log u for u > 0 by its form: 1/(1 + 10^-300)
    // rounds to 1, where logloss(1, 0) is undefined; log(1 + u) runs as log1p.
    // (GiNaC writes 1/(1 + u^2 + 1/7) as 7/(7 u^2 + 8): p = c/s, and u = s/c - 1.)
    if (ml_function_of(e) == ml_function::logloss) {
        const auto [c, r] = split_coefficient(value_of(e.op(0)));
        if (c.is_positive() && c.is_rational() && GiNaC::is_exactly_a<GiNaC::power>(r) &&
            r.op(1).is_equal(-1) && GiNaC::is_exactly_a<GiNaC::add>(value_of(r.op(0)))) {
            const ex v = value_of(r.op(0)) / c - 1;
            if (sign_known(v, true))
                return GiNaC::log(1 + v) - (1 - e.op(1)) * GiNaC::log(v);
        }
    }
    // logloss on the logit: y softplus(-u) + (1 - y) softplus(u), both terms accurate.
    if (ml_function_of(e) == ml_function::logloss && sigmoid_of(e.op(0), u)) {
        const ex& y = e.op(1);
        return y * softplus(-u) + (1 - y) * softplus(u);
    }
    // A softmax component is a sigmoid: g_l = sigmoid(u) with u = z_l - logsumexp(z without
    // z_l). So log g_l = -softplus(-u), log(1 - g_l) = -softplus(u) and logloss(g_l, y) =
    // y softplus(-u) + (1 - y) softplus(u): a probability that rounds to 0 or 1 is never taken
    // the log of, and neither log is a difference of two nearly equal logsumexps.
    exvector z;
    std::size_t l = 0;
    auto logit = [&] {
        exvector rest;
        for (std::size_t j = 0; j < z.size(); ++j)
            if (j != l)
                rest.push_back(z[j]);
        return z[l] - (rest.size() == 1 ? rest.front() : logsumexp(rest));
    };
    if (GiNaC::is_the_function<GiNaC::log_SERIAL>(e)) {
        const ex& a = e.op(0);
        if (softmax_logits(a, l, z) && z.size() > 1)
            return -softplus(-logit());
        // log(g^k) = k log g for g > 0 by its form: (1 + b^2)^-3 rounds to 1 for |b| < 2^-27,
        // and its log to 0, where -3 log1p(b^2) is not 0.
        const ex g = GiNaC::is_exactly_a<GiNaC::power>(a) ? value_of(a.op(0)) : ex();
        if (GiNaC::is_exactly_a<GiNaC::power>(a) && GiNaC::is_exactly_a<GiNaC::numeric>(a.op(1)) &&
            GiNaC::ex_to<GiNaC::numeric>(a.op(1)).is_real() && sign_known(g, true) &&
            !softmax_logits(a.op(0), l, z))
            return a.op(1) * rewrite_node(GiNaC::log(a.op(0)));
        // log(g^k) = k log g for every real k, since g > 0 (g^(-5/2) underflows or overflows
        // long before its log does).
        if (GiNaC::is_exactly_a<GiNaC::power>(a) && GiNaC::is_exactly_a<GiNaC::numeric>(a.op(1)) &&
            GiNaC::ex_to<GiNaC::numeric>(a.op(1)).is_real() && softmax_logits(a.op(0), l, z) &&
            z.size() > 1)
            return -a.op(1) * softplus(-logit());
    }
    if (ml_function_of(e) == ml_function::logloss && softmax_logits(e.op(0), l, z) &&
        z.size() > 1) {
        const ex& y = e.op(1);
        const ex v = logit();
        return y * softplus(-v) + (1 - y) * softplus(v);
    }
    return e;
}

bool stable_forms::softmax_logits(const ex& e, std::size_t& l, exvector& z) const {
    const ex v = value_of(e);
    if (ml_function_of(v) != ml_function::softmax)
        return false;
    z.clear();
    for (std::size_t j = 1; j < v.nops(); ++j)
        z.push_back(v.op(j));
    l = softmax_index(v);
    return l < z.size();
}

bool has_term_one(const ex& e) {
    if (!GiNaC::is_exactly_a<GiNaC::add>(e))
        return false;
    for (std::size_t i = 0; i < e.nops(); ++i)
        if (e.op(i).is_equal(1))
            return true;
    return false;
}

ex stable_form(const ex& e) {
    // Printed code does not say which symbols are labels: sigmoid(u) - y is rewritten for every
    // symbol y, which is as accurate for any y (both terms keep their sign).
    stable_forms pass(free_symbols(e));
    return pass(e);
}

} // namespace symgrad
