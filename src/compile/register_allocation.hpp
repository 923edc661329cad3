// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

// What the batch interpreter and the C emitter share when they give a tape's varying registers
// block slots (one array of a block's values each): the use counts, the outputs of each
// register, the products that are only an output (added up without being stored), and the
// pool of slots, where a slot freed after the last use of its value is taken again before a
// new one is opened. The two differ in when a value dies (after an instruction, after a group
// of instructions), so each keeps its own liveness.

#include "symgrad/compile/tape.hpp"
#include "symgrad/core/assert.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace symgrad::detail {

/// How many operands of @p t's instructions read each register.
inline std::vector<std::uint32_t> operand_uses(const tape& t) {
    std::vector<std::uint32_t> uses(t.register_count(), 0);
    for (const auto& in : t.instructions())
        for_each_operand(t, in, [&](std::uint32_t reg) { ++uses[reg]; });
    return uses;
}

/// For each register, the indices of the outputs of @p t that are that register.
inline std::vector<std::vector<std::size_t>> outputs_by_register(const tape& t) {
    std::vector<std::vector<std::size_t>> outputs_of(t.register_count());
    for (std::size_t k = 0; k < t.outputs().size(); ++k)
        outputs_of[t.outputs()[k].reg].push_back(k);
    return outputs_of;
}

/// Whether @p in is a product that no instruction reads and that is exactly one output: it can
/// be added into that output's sum as it is computed, never stored.
inline bool is_output_only_product(const instruction& in, const std::vector<std::uint32_t>& uses,
                                   const std::vector<std::vector<std::size_t>>& outputs_of) {
    return in.op == opcode::mul && uses[in.result] == 0 && outputs_of[in.result].size() == 1;
}

/// Slot numbers 0, 1, 2, ...: take() reuses the slot released last, else opens a new one.
class slot_pool {
public:
    std::size_t take() {
        if (!free_.empty()) {
            const std::size_t s = free_.back();
            free_.pop_back();
            return s;
        }
        return count_++;
    }

    /// @p slot may be taken again (its value has had its last use).
    void release(std::size_t slot) {
        SYMGRAD_ASSERT(slot < count_);
        free_.push_back(slot);
    }

    /// How many slots were opened: the size of the block array.
    std::size_t count() const noexcept { return count_; }

private:
    std::vector<std::size_t> free_;
    std::size_t count_ = 0;
};

} // namespace symgrad::detail
