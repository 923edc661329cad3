// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).

// libFuzzer harness for the tensor expression reader (src/tensor_expression.cpp), with the
// kinds of names a problem file binds: a scalar weight, a row vector, a matrix of symbols, a
// numeric matrix, and new names allowed as free variables.

#include "fuzz_support.hpp"

#include "symgrad/core/symbols.hpp"
#include "symgrad/text/tensor_expression.hpp"

namespace {

const symgrad::tensor_names& names() {
    static const symgrad::tensor_names n = [] {
        using symgrad::symbol_named;
        symgrad::tensor_names t;
        t.allow_new_symbols = true;
        t.values["w"] = symbol_named("w");
        t.values["x"] = GiNaC::matrix{{symbol_named("x_1"), symbol_named("x_2")}};
        t.values["W"] = GiNaC::matrix{{symbol_named("W_11"), symbol_named("W_12")},
                                      {symbol_named("W_21"), symbol_named("W_22")}};
        t.values["A"] = GiNaC::matrix{{1, 2, 3}, {4, 5, 6}};
        t.values["y"] = GiNaC::matrix{{0, 1}};
        return t;
    }();
    return n;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = symgrad::fuzz::as_text(data, size);
    symgrad::fuzz::expect_only_symgrad_errors(text, [&] {
        const GiNaC::ex v = symgrad::evaluate_tensor_expression(text, names());
        (void)symgrad::shape_description(v);
    });
    return 0;
}
