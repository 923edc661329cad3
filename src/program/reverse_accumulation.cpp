// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "program/reverse_accumulation.hpp"

#include "program/program_dag.hpp"

#include "symgrad/core/functions.hpp"
#include "symgrad/core/printers.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/core/tensor.hpp"

#include <cctype>
#include <map>
#include <unordered_set>

namespace symgrad::detail {

using GiNaC::ex;
using GiNaC::exvector;

namespace {

ex product_of(const exvector& factors) {
    if (factors.empty())
        return 1;
    if (factors.size() == 1)
        return factors.front();
    return GiNaC::dynallocate<GiNaC::mul>(factors);
}

/// LaTeX for an intermediate's name: h1_2 -> h_{1,2} (layer 1, unit 2), d_h1_2 -> d_{h_{1,2}},
/// anything else as tex_name (z_1 -> z_{1}, lse1 -> \mathit{lse}_{1}). Never two subscripts on
/// one base, which TeX rejects.
std::string intermediate_tex_name(const std::string& name) {
    if (name.size() > 2 && name.compare(0, 2, "d_") == 0)
        return "d_{" + intermediate_tex_name(name.substr(2)) + "}";
    std::size_t stem = 0;
    while (stem < name.size() && std::isalpha(static_cast<unsigned char>(name[stem])))
        ++stem;
    std::size_t digits = stem;
    while (digits < name.size() && std::isdigit(static_cast<unsigned char>(name[digits])))
        ++digits;
    const std::size_t underscore = name.find('_');
    if (stem == 0 || digits == stem || underscore != digits || digits + 1 >= name.size())
        return tex_name(name);
    std::string indices = name.substr(stem, digits - stem);
    for (std::size_t i = digits; i < name.size(); ++i) {
        const char c = name[i];
        if (c == '_')
            indices += ',';
        else if (std::isdigit(static_cast<unsigned char>(c)))
            indices += c;
        else
            return tex_name(name);
    }
    return tex_name(name.substr(0, stem)) + "_{" + indices + "}";
}

bool is_activation(ml_function f, const ex& e) {
    if (f == ml_function::sigmoid || f == ml_function::softplus || f == ml_function::relu)
        return true;
    return f == ml_function::none && GiNaC::is_a<GiNaC::function>(e) &&
           GiNaC::ex_to<GiNaC::function>(e).get_name() == "tanh";
}

/// Softmax components over the same logits, differentiated together: with s = softmax(z) and
/// adjoints a_k, dL/dz_l = s_l (a_l - sum_k a_k s_k), linear in K instead of quadratic.
struct softmax_group {
    std::size_t members = 0, seen = 0;
    std::map<std::size_t, std::size_t> node_of_component;
    std::map<std::size_t, ex> adjoint_of_component;
};

/// The builder: one pass to collect the DAG, one forward pass emitting named values, one
/// reverse pass accumulating adjoints.
class reverse_accumulation {
public:
    reverse_accumulation(const ex& objective, const std::vector<ex>& weights,
                         const program_options& options, const std::vector<ex>& data_symbols)
        : options_(options), dag_(objective, std::unordered_set<ex>(weights.begin(), weights.end()),
                                  named_values(options)),
          nodes_(dag_.nodes) {
        for (const auto& w : weights)
            used_names_.insert(symbol_name(w));
        for (const auto& s : data_symbols)
            used_names_.insert(symbol_name(s));
        for (const auto& h : options.names)
            hints_.emplace(h.value, h.name);
        for (std::size_t id = 0; id < nodes_.size(); ++id)
            if (nodes_[id].active && ml_function_of(nodes_[id].e) == ml_function::softmax) {
                softmax_group& g = groups_[logits_key(nodes_[id].e)];
                ++g.members;
                g.node_of_component[softmax_index(nodes_[id].e)] = id;
            }
        std::vector<std::string> key(nodes_.size());
        for (std::size_t id = 0; id < nodes_.size(); ++id)
            if (auto h = hints_.find(nodes_[id].e); h != hints_.end())
                key[id] = h->second;
        dag_.sort_forward(key);
        emit_forward();
        loss_ = nodes_[dag_.root].rep;
        emit_backward();
        for (const auto& w : weights) {
            auto it = dag_.index.find(w);
            gradient_.push_back(it == dag_.index.end() ? ex(0)
                                                       : sum_of(nodes_[it->second].contributions));
        }
    }

    std::vector<assignment> forward_, backward_;
    ex loss_;
    exvector gradient_;

private:
    static std::unordered_set<ex> named_values(const program_options& options) {
        std::unordered_set<ex> out;
        for (const auto& h : options.names)
            out.insert(h.value);
        return out;
    }

    static ex logits_key(const ex& softmax_node) {
        GiNaC::lst z;
        for (std::size_t i = 1; i < softmax_node.nops(); ++i)
            z.append(softmax_node.op(i));
        return z;
    }

    bool wants_name(std::size_t id) const {
        const dag_node& n = nodes_[id];
        if (id == dag_.root || hints_.count(n.e))
            return true;
        if (dag_.trivial_inactive(n))
            return false;
        return n.must_name || n.refs >= 2 || GiNaC::is_a<GiNaC::function>(n.e);
    }

    std::string stem_for(const dag_node& n) const {
        const ml_function f = ml_function_of(n.e);
        if (is_activation(f, n.e))
            return "o";
        if (f == ml_function::logsumexp)
            return "lse";
        if (f == ml_function::softmax)
            return "s";
        if (n.preactivation)
            return "h";
        return "t";
    }

    ex fresh(std::string name) {
        while (!used_names_.insert(name).second)
            name += "_";
        return GiNaC::realsymbol(name, intermediate_tex_name(name));
    }

    ex fresh_numbered(const std::string& stem) {
        for (;;) {
            const std::string name = stem + std::to_string(++counters_[stem]);
            if (!used_names_.count(name))
                return fresh(name);
        }
    }

    /// The node rebuilt over its operands' representations.
    ex rebuild(const dag_node& n) const {
        bool changed = false;
        exvector reps;
        reps.reserve(n.ops.size());
        for (std::size_t c : n.ops) {
            reps.push_back(nodes_[c].rep);
            changed = changed || !GiNaC::are_ex_trivially_equal(nodes_[c].rep, nodes_[c].e);
        }
        if (!changed)
            return n.e;
        if (GiNaC::is_exactly_a<GiNaC::add>(n.e))
            return sum_of(reps);
        if (GiNaC::is_exactly_a<GiNaC::mul>(n.e))
            return product_of(reps);
        if (GiNaC::is_exactly_a<GiNaC::power>(n.e))
            return GiNaC::pow(reps[0], reps[1]);
        return GiNaC::function(GiNaC::ex_to<GiNaC::function>(n.e).get_serial(), reps);
    }

    void emit_forward() {
        for (std::size_t id : dag_.order) {
            dag_node& n = nodes_[id];
            if (n.leaf) {
                n.rep = n.e;
                continue;
            }
            const ex body = rebuild(n);
            if (!wants_name(id)) {
                n.rep = body;
                continue;
            }
            ex symbol;
            if (id == dag_.root)
                symbol = fresh(options_.loss_name);
            else if (auto h = hints_.find(n.e); h != hints_.end())
                symbol = fresh(h->second);
            else
                symbol = fresh_numbered(stem_for(n));
            forward_.push_back({symbol, body});
            n.rep = symbol;
        }
    }

    void contribute(std::size_t id, const ex& value) {
        if (nodes_[id].active && !value.is_zero())
            nodes_[id].contributions.push_back(value);
    }

    ex define(const ex& symbol, const ex& value) {
        backward_.push_back({symbol, value});
        return symbol;
    }

    void emit_backward() {
        nodes_[dag_.root].contributions.push_back(1);
        for (std::size_t id : backward_order()) {
            dag_node& n = nodes_[id];
            if (n.leaf || !n.active)
                continue;
            ex adjoint = sum_of(n.contributions);
            n.contributions.clear();
            n.contributions.shrink_to_fit();
            const ml_function f = ml_function_of(n.e);
            if (!adjoint.is_zero() || f == ml_function::softmax)
                adjoint = name_adjoint(n, adjoint);
            if (f == ml_function::softmax) {
                softmax_member(id, adjoint);
                continue;
            }
            if (adjoint.is_zero())
                continue;
            if (GiNaC::is_exactly_a<GiNaC::add>(n.e)) {
                for (std::size_t c : n.ops)
                    contribute(c, adjoint);
            } else if (GiNaC::is_exactly_a<GiNaC::mul>(n.e)) {
                backward_mul(n, adjoint);
            } else if (GiNaC::is_exactly_a<GiNaC::power>(n.e)) {
                backward_power(n, adjoint);
            } else if (f == ml_function::logsumexp) {
                backward_logsumexp(n, adjoint);
            } else {
                backward_function(n, adjoint);
            }
        }
    }

    /// Parents before operands; within a level, named values in natural order (d_h1_1 before
    /// d_h1_2), so the backward pass reads like the book's.
    std::vector<std::size_t> backward_order() const {
        std::vector<std::string> key(nodes_.size());
        for (std::size_t id = 0; id < nodes_.size(); ++id)
            if (!nodes_[id].leaf && GiNaC::is_a<GiNaC::symbol>(nodes_[id].rep))
                key[id] = symbol_name(nodes_[id].rep);
        return dag_.backward_order(key);
    }

    /// Name an adjoint that would otherwise be written out more than once.
    ex name_adjoint(const dag_node& n, const ex& adjoint) {
        if (is_leaf(adjoint))
            return adjoint;
        if (GiNaC::is_a<GiNaC::symbol>(n.rep))
            return define(fresh("d_" + symbol_name(n.rep)), adjoint);
        std::size_t active = 0;
        for (std::size_t c : n.ops)
            active += nodes_[c].active ? 1 : 0;
        return active >= 2 ? define(fresh_numbered("d"), adjoint) : adjoint;
    }

    // d(c f_1 ... f_n)/d f_i = c prod_{j != i} f_j. With many active factors, prefix and suffix
    // products keep the cost linear instead of quadratic.
    void backward_mul(const dag_node& n, const ex& adjoint) {
        std::vector<std::size_t> active;
        exvector inactive{adjoint};
        for (std::size_t c : n.ops)
            (nodes_[c].active ? active.push_back(c) : inactive.push_back(nodes_[c].rep));
        if (active.size() <= 3) {
            for (std::size_t i = 0; i < active.size(); ++i) {
                exvector factors = inactive;
                for (std::size_t j = 0; j < active.size(); ++j)
                    if (j != i)
                        factors.push_back(nodes_[active[j]].rep);
                contribute(active[i], product_of(factors));
            }
            return;
        }
        // The prefix and suffix products get names in factor order: the structural one, not
        // GiNaC's (which changes from run to run).
        structural_order structure;
        std::stable_sort(active.begin(), active.end(), [&](std::size_t a, std::size_t b) {
            return structure.less(nodes_[a].e, nodes_[b].e);
        });
        const std::size_t m = active.size();
        exvector prefix(m + 1, ex(1)), suffix(m + 1, ex(1));
        for (std::size_t i = 0; i < m; ++i) {
            prefix[i + 1] = prefix[i] * nodes_[active[i]].rep;
            if (!is_leaf(prefix[i + 1]) && i + 1 < m)
                prefix[i + 1] = define(fresh_numbered("q"), prefix[i + 1]);
        }
        for (std::size_t i = m; i-- > 0;) {
            suffix[i] = nodes_[active[i]].rep * suffix[i + 1];
            if (!is_leaf(suffix[i]) && i > 0)
                suffix[i] = define(fresh_numbered("q"), suffix[i]);
        }
        ex common = product_of(inactive);
        if (!is_leaf(common))
            common = define(fresh_numbered("d"), common);
        for (std::size_t i = 0; i < m; ++i)
            contribute(active[i], common * prefix[i] * suffix[i + 1]);
    }

    // d(b^e)/db = e b^(e-1),  d(b^e)/de = log(b) b^e.
    void backward_power(const dag_node& n, const ex& adjoint) {
        const dag_node& base = nodes_[n.ops[0]];
        const dag_node& exponent = nodes_[n.ops[1]];
        if (base.active)
            contribute(n.ops[0], adjoint * exponent.rep * GiNaC::pow(base.rep, exponent.rep - 1));
        if (exponent.active)
            contribute(n.ops[1], adjoint * GiNaC::log(base.rep) * n.rep);
    }

    // d logsumexp(z)/d z_l = softmax_l(z) = exp(z_l - logsumexp(z)): stable (the exponent is
    // never positive) and linear in K. For cross-entropy this makes the logits' adjoint g - y.
    void backward_logsumexp(const dag_node& n, const ex& adjoint) {
        exvector logits;
        for (std::size_t c : n.ops)
            logits.push_back(nodes_[c].e);
        for (std::size_t l = 0; l < n.ops.size(); ++l) {
            const std::size_t c = n.ops[l];
            if (!nodes_[c].active)
                continue;
            ex g;
            if (auto s = dag_.index.find(softmax(l, logits));
                s != dag_.index.end() && GiNaC::is_a<GiNaC::symbol>(nodes_[s->second].rep))
                g = nodes_[s->second].rep;
            else
                g = define(fresh_numbered("g"), GiNaC::exp(nodes_[c].rep - n.rep));
            contribute(c, adjoint * g);
        }
    }

    void softmax_member(std::size_t id, const ex& adjoint) {
        const dag_node& n = nodes_[id];
        softmax_group& g = groups_[logits_key(n.e)];
        g.adjoint_of_component[softmax_index(n.e)] = adjoint;
        if (++g.seen < g.members)
            return;
        // All components' adjoints are known: t = sum_k a_k s_k, dL/dz_l = s_l (a_l - t).
        exvector terms;
        for (const auto& [k, a] : g.adjoint_of_component)
            terms.push_back(a * nodes_[g.node_of_component.at(k)].rep);
        ex t = sum_of(terms);
        std::size_t active = 0;
        for (std::size_t i = 1; i < n.ops.size(); ++i)
            active += nodes_[n.ops[i]].active ? 1 : 0;
        if (!is_leaf(t) && active >= 2)
            t = define(fresh_numbered("d"), t);
        exvector logit_reps;
        for (std::size_t i = 1; i < n.ops.size(); ++i)
            logit_reps.push_back(nodes_[n.ops[i]].rep);
        for (std::size_t l = 0; l + 1 < n.ops.size(); ++l) {
            const std::size_t c = n.ops[l + 1];
            if (!nodes_[c].active)
                continue;
            ex s;
            if (auto m = g.node_of_component.find(l); m != g.node_of_component.end())
                s = nodes_[m->second].rep;
            else
                s = define(fresh_numbered("s"), softmax(l, logit_reps));
            auto a = g.adjoint_of_component.find(l);
            contribute(c, s * ((a == g.adjoint_of_component.end() ? ex(0) : a->second) - t));
        }
    }

    /// A loss on a sigmoid's output, differentiated straight to the logit z: the book's
    /// d/dz logloss(sigmoid(z), y) = sigmoid(z) - y, d/dz log sigmoid(z) = 1 - sigmoid(z) and
    /// d/dz log(1 - sigmoid(z)) = -sigmoid(z). The chain through the probability would divide
    /// by sigmoid(z)(1 - sigmoid(z)), which is 0/0 in floating point once sigmoid(z) rounds
    /// to 0 or 1. True when it applied (operand 0 then gets no contribution).
    bool backward_through_sigmoid(const dag_node& n, const ex& adjoint) {
        const bool logloss_node = ml_function_of(n.e) == ml_function::logloss;
        const bool log_node = GiNaC::is_the_function<GiNaC::log_SERIAL>(n.e);
        if (!logloss_node && !log_node)
            return false;
        const ex& p = n.e.op(0);
        const bool complement = log_node && ml_function_of(1 - p) == ml_function::sigmoid;
        if (ml_function_of(p) != ml_function::sigmoid && !complement)
            return false;
        const auto s = dag_.index.find(complement ? ex(1 - p) : p);
        if (s == dag_.index.end() || nodes_[s->second].ops.size() != 1)
            return false;
        const std::size_t z = nodes_[s->second].ops[0];
        const ex& o = nodes_[s->second].rep;
        if (logloss_node)
            contribute(z, adjoint * (o - nodes_[n.ops[1]].rep));
        else
            contribute(z, complement ? ex(-adjoint * o) : ex(adjoint * (1 - o)));
        return true;
    }

    /// Any other function: its registered derivative, taken once per function and argument
    /// pattern on placeholder symbols, then instantiated with the operands' representations.
    void backward_function(const dag_node& n, const ex& adjoint) {
        const bool fused = backward_through_sigmoid(n, adjoint);
        exvector args;
        GiNaC::exmap instantiate;
        for (std::size_t i = 0; i < n.ops.size(); ++i) {
            const ex& rep = nodes_[n.ops[i]].rep;
            if (GiNaC::is_exactly_a<GiNaC::numeric>(rep)) {
                args.push_back(rep);
            } else {
                args.push_back(placeholder(i));
                instantiate[placeholder(i)] = rep;
            }
        }
        instantiate[self_placeholder()] = n.rep;
        const ex pattern = GiNaC::function(GiNaC::ex_to<GiNaC::function>(n.e).get_serial(), args);
        auto cached = derivatives_.find(pattern);
        if (cached == derivatives_.end()) {
            exvector d(n.ops.size());
            for (std::size_t i = 0; i < n.ops.size(); ++i)
                if (!GiNaC::is_exactly_a<GiNaC::numeric>(args[i]))
                    d[i] =
                        pattern.diff(GiNaC::ex_to<GiNaC::symbol>(args[i]))
                            .subs(pattern == self_placeholder(), GiNaC::subs_options::no_pattern);
            cached = derivatives_.emplace(pattern, std::move(d)).first;
        }
        for (std::size_t i = fused ? 1 : 0; i < n.ops.size(); ++i)
            if (nodes_[n.ops[i]].active)
                contribute(n.ops[i], adjoint * cached->second[i].subs(
                                                   instantiate, GiNaC::subs_options::no_pattern));
    }

    const ex& placeholder(std::size_t i) {
        while (placeholders_.size() <= i)
            placeholders_.push_back(
                GiNaC::realsymbol("arg" + std::to_string(placeholders_.size())));
        return placeholders_[i];
    }

    const ex& self_placeholder() { return self_; }

    const program_options& options_;
    std::unordered_map<ex, std::string> hints_;
    std::unordered_set<std::string> used_names_;
    std::map<std::string, unsigned> counters_;
    program_dag dag_;
    std::vector<dag_node>& nodes_;
    std::unordered_map<ex, softmax_group> groups_;
    std::unordered_map<ex, exvector> derivatives_;
    exvector placeholders_;
    ex self_ = GiNaC::realsymbol("self");
};

} // namespace

program_parts reverse_accumulate(const ex& objective, const std::vector<ex>& weights,
                                 const program_options& options,
                                 const std::vector<ex>& data_symbols) {
    reverse_accumulation build(objective, weights, options, data_symbols);
    return {std::move(build.forward_), std::move(build.backward_), build.loss_,
            std::move(build.gradient_)};
}

} // namespace symgrad::detail
