// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file c_kernels.hpp
/// The overflow-safe kernels of kernels.hpp as C99 source, written once for both kinds of C
/// symgrad writes: the helpers printed with C output (printers.hpp, c_helpers) and the prelude
/// of the C it compiles (c_emitter.hpp). Each caller gives the declaration (its own name,
/// storage class and parameter order); the body is the same.

#include <string>
#include <string_view>

namespace symgrad {

enum class c_kernel {
    /// 1/(1 + e^-z) for z >= 0, e^z/(1 + e^z) otherwise, from one e = exp(-|z|); parameter z.
    sigmoid,
    /// max(z, 0) + log1p(e^-|z|) (NaN stays NaN); parameter z.
    softplus,
    /// m + log1p(sum over j != k of e^(z_j - m)), m = z_k the first largest; parameters n
    /// (the count, at least 1) and z (the array).
    logsumexp,
};

/// "<declaration> { <body> }" on one line, e.g.
/// c_kernel_definition(c_kernel::softplus, "static double softplus(double z)").
std::string c_kernel_definition(c_kernel k, std::string_view declaration);

} // namespace symgrad
