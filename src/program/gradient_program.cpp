// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/program/gradient_program.hpp"

#include "program/reverse_accumulation.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/functions.hpp"
#include "symgrad/core/printers.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/core/tensor.hpp"
#include "symgrad/program/operation_count.hpp"

#include <algorithm>
#include <map>
#include <unordered_set>

namespace symgrad {

using GiNaC::ex;
using GiNaC::exvector;

namespace {

std::vector<ex> checked_symbols(const std::vector<ex>& list, const char* what) {
    for (const auto& s : list)
        if (!GiNaC::is_a<GiNaC::symbol>(s))
            throw invalid_input(std::string("gradient_program: the ") + what + " " + brief(s) +
                                " is not a symbol");
    return list;
}

} // namespace

gradient_program::gradient_program(const ex& objective, const std::vector<ex>& weights,
                                   const program_options& options)
    : objective_(objective), weights_(checked_symbols(weights, "weight")),
      inputs_(checked_symbols(options.inputs, "input")),
      labels_(checked_symbols(options.labels, "label")) {
    std::unordered_map<ex, std::string> role;
    auto claim = [&](const std::vector<ex>& list, const std::string& what) {
        for (const auto& s : list)
            if (auto [it, fresh] = role.emplace(s, what); !fresh)
                throw invalid_input("gradient_program: " + symbol_name(s) +
                                    (it->second == what
                                         ? " is listed twice as " + what
                                         : " is listed as " + it->second + " and as " + what));
    };
    claim(weights_, "a weight");
    claim(inputs_, "an input");
    claim(labels_, "a label");
    const bool classify = inputs_.empty() && labels_.empty();
    for (const auto& s : free_symbols(objective)) {
        if (role.count(s))
            continue;
        if (!classify)
            throw invalid_input("gradient_program: the symbol " + symbol_name(s) +
                                " of the objective is neither a weight, an input nor a label");
        inputs_.push_back(s);
    }
    std::vector<ex> data = inputs_;
    data.insert(data.end(), labels_.begin(), labels_.end());
    detail::program_parts parts = detail::reverse_accumulate(objective, weights_, options, data);
    forward_ = std::move(parts.forward);
    backward_ = std::move(parts.backward);
    loss_ = parts.loss;
    gradient_ = std::move(parts.gradient);
    for (std::size_t i = 0; i < weights_.size(); ++i)
        weight_index_.emplace(weights_[i], i);
    for (std::size_t i = 0; i < forward_.size(); ++i)
        definition_index_.emplace(forward_[i].symbol, i);
    for (std::size_t i = 0; i < backward_.size(); ++i)
        definition_index_.emplace(backward_[i].symbol, forward_.size() + i);
}

std::size_t gradient_program::weight_index(const ex& weight) const {
    auto it = weight_index_.find(weight);
    if (it == weight_index_.end())
        throw invalid_input("gradient_program: " + brief(weight) + " is not one of the weights");
    return it->second;
}

const assignment* gradient_program::definition(const ex& symbol) const {
    auto it = definition_index_.find(symbol);
    if (it == definition_index_.end())
        return nullptr;
    return it->second < forward_.size() ? &forward_[it->second]
                                        : &backward_[it->second - forward_.size()];
}

std::size_t gradient_program::operation_count() const {
    std::size_t total = symgrad::operation_count(loss_);
    for (const auto& a : forward_)
        total += symgrad::operation_count(a.value);
    for (const auto& a : backward_)
        total += symgrad::operation_count(a.value);
    for (const auto& g : gradient_)
        total += symgrad::operation_count(g);
    return total;
}

} // namespace symgrad
