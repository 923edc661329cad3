// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file program_evaluate.hpp
/// The loss and gradient of a gradient_program at a point (values for its weights, inputs and
/// labels), by running its assignments in order: exactly (rationals stay rational), in CLN at
/// any precision, or in double with the overflow-safe kernels. Each assignment is evaluated once,
/// so the cost is linear in the program, never in the size of the closed forms.
///
/// Errors are those of evaluate.hpp: unbound_symbols names every missing weight, input or
/// label at once; domain_error names the program symbol whose value is undefined.

#include "symgrad/core/evaluate.hpp"
#include "symgrad/program/gradient_program.hpp"

#include <ginac/ginac.h>

#include <vector>

namespace symgrad {

/// Exact values: rational numbers where the values are rational, exact constant expressions
/// (sigmoid(1/2), log(2), ...) otherwise.
struct program_values {
    GiNaC::ex loss;
    GiNaC::exvector gradient; // parallel to gradient_program::weights()
};

/// Real numbers: exact rationals where the values are rational, else CLN floats.
struct program_numbers {
    GiNaC::numeric loss;
    std::vector<GiNaC::numeric> gradient;
};

/// IEEE doubles.
struct program_doubles {
    double loss = 0;
    std::vector<double> gradient;
};

/// Exact evaluation. Throws unbound_symbols or domain_error.
program_values evaluate_program_exact(const gradient_program& program, const GiNaC::exmap& point);

/// Values correct to @p digits significant digits: the program is run in CLN at a working
/// precision above @p digits and again at twice that, until the two runs agree (cancellation
/// cannot eat the digits unnoticed). Rational values stay exact.
program_numbers evaluate_program_numeric(const gradient_program& program, const GiNaC::exmap& point,
                                         long digits = 17);

/// Double precision, with the kernels of kernels.hpp (no overflow in sigmoid, logsumexp, ...).
program_doubles evaluate_program_double(const gradient_program& program, const double_point& point);

} // namespace symgrad
