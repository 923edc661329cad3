// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).

// libFuzzer harness for the point reader, parse_point() ("w1 = 0, w2 = 1/2", as --at and
// problem files' `at` write it).

#include "fuzz_support.hpp"

#include "symgrad/text/parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = symgrad::fuzz::as_text(data, size);
    symgrad::fuzz::expect_only_symgrad_errors(text, [&] { (void)symgrad::parse_point(text); });
    return 0;
}
