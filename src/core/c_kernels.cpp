// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/c_kernels.hpp"

namespace symgrad {

namespace {

// C89 declarations at the top of each block, so that the bodies compile in every C mode.
const char* body(c_kernel k) {
    switch (k) {
    case c_kernel::sigmoid:
        // exp(-|z|) is exp(-z) for z >= 0 and exp(z) otherwise: the quotient is 1/(1 + e^-z) or
        // e^z/(1 + e^z) exactly as kernels::sigmoid rounds it, without a branch.
        return "const double e = exp(-fabs(z)); return (z >= 0 ? 1.0 : e) / (1.0 + e);";
    case c_kernel::softplus:
        return "return (z < 0.0 ? 0.0 : z) + log1p(exp(-fabs(z)));";
    case c_kernel::logsumexp:
        return "double m, s = 0; int j, top = 0; for (j = 1; j < n; ++j) if (z[j] > z[top]) "
               "top = j; m = z[top]; if (isinf(m)) return m; for (j = 0; j < n; ++j) if (j != "
               "top) s += exp(z[j] - m); return m + log1p(s);";
    }
    return "";
}

} // namespace

std::string c_kernel_definition(c_kernel k, std::string_view declaration) {
    return std::string(declaration) + " { " + body(k) + " }";
}

} // namespace symgrad
