// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file object_identity.hpp
/// Maps and sets of expressions keyed by the object an expression points to, for walks over an
/// expression's graph and for memos of values that depend on the subexpression only.
///
/// GiNaC's structural hash does not tell the links of a chain apart: a function's hash xors its
/// argument's hash into a constant of the function, so f(f(x)) hashes like x. A chain of
/// definitions z_k = sigmoid(z_{k-1}) puts every link in one of two buckets, and every lookup
/// compares whole chains: evaluating a 1000-link chain took cubic time. Keyed by address, each
/// object is visited once, which is linear in the memory the expression takes; structurally
/// equal copies at different addresses are visited once each. Maps that must identify equal
/// expressions built apart (common subexpressions, atoms) keep GiNaC's structural hash.

#include <ginac/ginac.h>

#include <cstddef>
#include <functional>
#include <unordered_map>
#include <unordered_set>

namespace symgrad {

struct same_object_hash {
    std::size_t operator()(const GiNaC::ex& e) const noexcept {
        return std::hash<const void*>()(&GiNaC::ex_to<GiNaC::basic>(e));
    }
};

struct same_object_equal {
    bool operator()(const GiNaC::ex& a, const GiNaC::ex& b) const noexcept {
        return GiNaC::are_ex_trivially_equal(a, b);
    }
};

/// A map from subexpressions, by object. Its keys hold their objects alive, so an address is
/// never reused while it is a key.
template <class Value>
using object_map = std::unordered_map<GiNaC::ex, Value, same_object_hash, same_object_equal>;

/// A set of subexpressions, by object.
using object_set = std::unordered_set<GiNaC::ex, same_object_hash, same_object_equal>;

} // namespace symgrad
