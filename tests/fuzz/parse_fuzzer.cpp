// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).

// libFuzzer harness for the expression reader, parse() (src/parser.cpp): any bytes must give an
// expression or a symgrad::parse_error, never a crash, a hang or an internal message. What it
// reads is printed as text and LaTeX, as `symgrad diff` would print it.

#include "fuzz_support.hpp"

#include "symgrad/core/printers.hpp"
#include "symgrad/text/parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = symgrad::fuzz::as_text(data, size);
    symgrad::fuzz::expect_only_symgrad_errors(text, [&] {
        const GiNaC::ex e = symgrad::parse(text);
        (void)symgrad::to_text(e);
        (void)symgrad::to_latex(e);
    });
    return 0;
}
