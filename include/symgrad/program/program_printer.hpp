// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file program_printer.hpp
/// A gradient_program as equations in the order they are computed, like the backpropagation
/// schema of the course material:
///
///   forward:
///     h1 = w1*x + w3
///     ...
///     L = lse1 - h1*indicator(y,0) - h2*indicator(y,1)
///   backward:
///     g1 = exp(h1 - lse1)
///     d_h1 = g1 - indicator(y,0)
///     ...
///     dL/dw1 = d_h1*x
///
/// in plain text (the parser's syntax on each right-hand side) or LaTeX (an aligned block).

#include "symgrad/core/printers.hpp"
#include "symgrad/program/gradient_program.hpp"

#include <string>

namespace symgrad {

/// Plain text: "forward:" and "backward:" sections, one "name = value" per line (indented by
/// two spaces), the partials last as "dL/dw = value".
std::string program_text(const gradient_program& program);

/// LaTeX: one aligned environment, \text{forward} and \text{backward} rows, the partials as
/// \frac{\partial L}{\partial w}.
std::string program_latex(const gradient_program& program);

/// program_text or program_latex; invalid_input for the code formats (compiling a program is
/// a compiler's job, not a printer's).
std::string program_to_format(const gradient_program& program, output_format format);

} // namespace symgrad
