// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file c_emitter.hpp
/// A tape (tape.hpp) as standalone C99 that needs only <math.h>: what the native backend
/// compiles (native.hpp) and what `symgrad emit c` prints for users to embed. It defines
///
///   void P_point(const double *w, const double *x, const double *y, double *out);
///       out[k] = output k at one sample (straight-line code);
///   void P_sum(const double *w, const double *x, const double *y,
///              size_t begin, size_t end, double *out);
///       out[k] = sum of output k over samples begin..end-1 of row-major x (I inputs per
///       sample) and y (Y labels per sample), a block of samples at a time: each loop runs one
///       group of instructions over the block, so the arithmetic vectorises. Sums are added in
///       the order of interpreter.hpp (8 lanes by sample index, folded pairwise), so the native
///       and the interpreted sums are bitwise equal up to the compiler's contraction of a*b + c.
///
/// The ML functions are C copies of kernels.hpp with the same formulas (sigmoid as
/// 1/(1 + e^-z) or e^z/(1 + e^z) by the sign of z, softplus as max(z, 0) + log1p(e^-|z|),
/// logsumexp shifted by its maximum). Names of symbols never reach the code: registers are
/// numbered, and names appear only in comments, reduced to [A-Za-z0-9_].

#include "symgrad/compile/tape.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace symgrad {

struct c_options {
    /// Prefix of the function names (reduced to a C identifier): P_point, P_sum.
    std::string prefix = "symgrad";
    /// Samples per block in P_sum.
    std::size_t block = 64;
    /// A comment with the argument layout and the outputs by name.
    bool layout_comment = true;
};

/// The C source for @p t. Throws invalid_input for a block size of 0.
std::string emit_c(const tape& t, const c_options& options = {});

/// @p text reduced to a C identifier: characters outside [A-Za-z0-9_] become '_', and a
/// leading digit (or an empty text) gets a leading '_'. Used for every name that reaches C.
std::string c_identifier(std::string_view text);

} // namespace symgrad
