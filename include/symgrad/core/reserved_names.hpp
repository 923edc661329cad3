// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file reserved_names.hpp
/// Names a variable cannot have in the code symgrad prints (printers.hpp): code_name renames
/// them. For C: the keywords of C89 to C23, every identifier <math.h> declares or defines in
/// glibc (functions with their f, l, f32... variants, macros such as M_E, FP_NAN,
/// math_errhandling, HUGE_VAL, INFINITY, NAN, the Bessel functions j0, y1 ...), the
/// compiler's own macros (linux, unix), errno and main, the helpers of c_helpers (sigmoid,
/// relu, symgrad_...), and identifiers C reserves (__x, _X). For Python: its keywords.

#include <string_view>

namespace symgrad {

/// Whether a variable named @p name would not compile (or would change meaning) in C output.
bool reserved_in_c(std::string_view name);

/// Whether @p name is a Python keyword.
bool reserved_in_python(std::string_view name);

} // namespace symgrad
