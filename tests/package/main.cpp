// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// Uses the installed library: d/dz sigmoid(z) at z = 0 must be exactly 1/4.
#include <symgrad/symgrad.hpp>

#include <iostream>

int main() {
    const GiNaC::ex e = symgrad::parse("sigmoid(z)");
    const GiNaC::ex d = e.diff(symgrad::symbol_named("z"));
    const GiNaC::ex v = symgrad::evaluate_exact(d, {{symgrad::symbol_named("z"), 0}});
    std::cout << "d/dz sigmoid(z) = " << symgrad::to_text(d) << "; at 0: " << v << "\n";
    return v.is_equal(GiNaC::numeric(1, 4)) ? 0 : 1;
}
