// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/substitute.hpp"

#include "symgrad/core/expression_walk.hpp"
#include "symgrad/core/object_identity.hpp"

namespace symgrad {

namespace {

/// The substituted form of an operand, from the memo. A sum's or product's op(i) is built
/// afresh on each call (GiNaC recombines coefficient and term), so such an operand can miss the
/// memo: it is then rebuilt from its own operands, which are the stored, shared objects.
struct substitution : GiNaC::map_function {
    const GiNaC::exmap& values;
    object_map<GiNaC::ex> memo;

    explicit substitution(const GiNaC::exmap& v) : values(v) {}

    GiNaC::ex node(const GiNaC::ex& x) {
        if (x.nops() == 0) {
            if (GiNaC::is_a<GiNaC::symbol>(x))
                if (auto it = values.find(x); it != values.end())
                    return it->second;
            return x;
        }
        return x.map(*this);
    }

    GiNaC::ex operator()(const GiNaC::ex& x) override {
        if (auto it = memo.find(x); it != memo.end())
            return it->second;
        GiNaC::ex r = node(x);
        memo.emplace(x, r);
        return r;
    }
};

} // namespace

GiNaC::ex substitute(const GiNaC::ex& e, const GiNaC::exmap& values) {
    if (values.empty())
        return e;
    substitution s(values);
    // Post-order with an explicit stack, so that a chain thousands of links deep is not
    // substituted by recursion.
    for_each_subexpression_postorder(
        e, [&](const GiNaC::ex& x) { return s.memo.count(x) > 0; },
        [&](const GiNaC::ex& x) { s.memo.emplace(x, s.node(x)); });
    return s.memo.at(e);
}

} // namespace symgrad
