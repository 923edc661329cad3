// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file closed_form.hpp
/// One partial derivative of a gradient_program as a single formula: the program's
/// intermediates substituted back, then (optionally) simplified. Closed forms of deep networks
/// swell exponentially, so the size of the formula (its tree_size, i.e. as printed) is computed
/// first, in time linear in the program, and past a limit the answer is "too large: the
/// program is the better answer" instead of a formula nobody can read.

#include "symgrad/program/gradient_program.hpp"

#include <ginac/ginac.h>

#include <cstddef>
#include <functional>
#include <string>

namespace symgrad {

struct closed_form_options {
    /// The largest closed form (in tree_size nodes, before simplification) worth building.
    double max_size = 20000;
    /// The simplifier applied to the substituted formula; empty = none. A hook: pass e.g.
    /// [](const GiNaC::ex& e) { return e.normal(); } or a rule-based simplifier.
    std::function<GiNaC::ex(const GiNaC::ex&)> simplify;
};

struct closed_form_result {
    /// True when the formula was built (size <= max_size).
    bool available = false;
    /// tree_size of the substituted formula, before simplification (computed even when it is
    /// too large to build).
    double size = 0;
    /// The formula (over weights, inputs and labels only) when available.
    GiNaC::ex value;
    /// Why there is no formula, when there is none.
    std::string message;
};

/// d objective / d weight in closed form. invalid_input when @p weight is not a weight.
closed_form_result closed_form(const gradient_program& program, const GiNaC::ex& weight,
                               const closed_form_options& options = {});

/// Any expression over the program's symbols (the loss, a partial, an adjoint such as d_h1)
/// with the program's intermediates substituted back, limited and simplified as above.
closed_form_result closed_form_of(const gradient_program& program, const GiNaC::ex& e,
                                  const closed_form_options& options = {});

} // namespace symgrad
