// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file symbols.hpp
/// One real symbol per name for the whole process. Weights, inputs and labels are real, so
/// symgrad's symbols are GiNaC::realsymbol; and since GiNaC compares symbols by identity, every
/// part of symgrad (parser, evaluator, models, problem files) gets them from this registry so
/// that "w1" typed twice is the same w1.

#include <ginac/ginac.h>

#include <string>
#include <string_view>
#include <vector>

namespace symgrad {

/// The real symbol called @p name (created on first use, thread-safe; the reference stays valid
/// for the life of the process). Its LaTeX name is tex_name(name).
/// Keep it as a realsymbol or an ex: copying it into a plain GiNaC::symbol object slices it into
/// a different symbol that no longer compares equal.
const GiNaC::realsymbol& symbol_named(std::string_view name);

/// True when @p name is a valid symbol name: [A-Za-z_][A-Za-z0-9_]*.
bool is_valid_symbol_name(std::string_view name);

/// LaTeX for a symbol name: greek letters become commands (alpha -> \alpha), a trailing run of
/// digits becomes a subscript (w1 -> w_{1}), and "W1_12" becomes W1_{12}.
std::string tex_name(std::string_view name);

/// The symbols of @p e (each an ex holding a symbol), sorted by natural order of their names
/// (w2 before w10).
std::vector<GiNaC::ex> free_symbols(const GiNaC::ex& e);

/// The name of a symbol held in an ex.
std::string symbol_name(const GiNaC::ex& s);

/// Natural order on names: digit runs compare as numbers ("w2" < "w10").
bool natural_less(std::string_view a, std::string_view b);

} // namespace symgrad
