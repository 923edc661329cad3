// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file printers.hpp
/// Expressions as text people read, LaTeX, and code they paste. The code forms are made to
/// work as pasted: Python output runs after `from math import *` plus the helper definitions
/// from python_helpers (which symgrad prints as comment lines), and C output compiles with
/// <math.h> plus the definitions from c_helpers. Names that are keywords of the target
/// language get a trailing underscore (lambda -> lambda_).

#include <ginac/ginac.h>

#include <string>
#include <string_view>
#include <vector>

namespace symgrad {

enum class output_format { text, latex, python, c };

/// "text", "latex", "python" or "c"; throws invalid_input naming the accepted values.
output_format parse_output_format(std::string_view name);

/// Plain text in the parser's syntax, laid out like a textbook (positive terms first, signs
/// moved into differences: sigmoid(z)*(1 - sigmoid(z))); parse() reads it back.
std::string to_text(const GiNaC::ex& e);

/// LaTeX: \frac for quotients, \sigma, e^{...}, \operatorname{softmax}_{k}, [y = k], ...
std::string to_latex(const GiNaC::ex& e);

/// A Python expression (math module names, ** for powers).
std::string to_python(const GiNaC::ex& e);

/// A C expression in double precision (math.h names, pow, fabs; numbers as double literals).
std::string to_c(const GiNaC::ex& e);

/// Any of the above.
std::string to_format(const GiNaC::ex& e, output_format f);

/// The name a symbol gets in Python or C code (keywords get a trailing underscore).
std::string code_name(std::string_view name, output_format f);

/// Python definitions (one line each) of the helper functions @p exprs use: sigmoid, softplus,
/// relu, step, logsumexp, softmax, logloss, indicator, crossentropy.
std::vector<std::string> python_helpers(const std::vector<GiNaC::ex>& exprs);

/// C definitions (static functions, C99) of the helper functions @p exprs use.
std::vector<std::string> c_helpers(const std::vector<GiNaC::ex>& exprs);

} // namespace symgrad
