// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).

// libFuzzer harness for `check --derivation` on Markdown with LaTeX: read the input as a pasted
// derivation (text/derivation_text.hpp, with the LaTeX reader of text/latex.hpp behind it),
// check it line by line (verify/derivation.hpp) and print the report as text, JSON and
// Markdown, as the command does. Any bytes must give a report or a symgrad::error (a
// parse_error for maths that cannot be read), never a crash, a hang, unbounded memory or an
// internal message in an error or in the report.
//
// Bounds, so that one input stays well inside -timeout=10: the whole check gets 4 s, shared
// among the claims (at least 0.2 s each), and only the first 16 claims are checked (each claim
// carries its own reference, so a prefix of the claims is a derivation of its own).

#include "fuzz_support.hpp"

#include "symgrad/text/derivation_text.hpp"
#include "symgrad/verify/derivation.hpp"

#include <algorithm>
#include <cstddef>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = symgrad::fuzz::as_text(data, size);
    symgrad::fuzz::expect_only_symgrad_errors(text, [&] {
        symgrad::derivation d =
            symgrad::read_derivation(text, "<fuzz>", symgrad::derivation_syntax::latex,
                                     /*skip_unread_display=*/false);
        for (const symgrad::skipped_maths& s : d.skipped)
            symgrad::fuzz::check_message(s.reason, text);
        constexpr std::size_t max_claims = 16;
        if (d.claims.size() > max_claims)
            d.claims.resize(max_claims);
        symgrad::verify_options options;
        options.sample_points = 8;
        options.timeout_seconds =
            std::max(0.2, 4.0 / static_cast<double>(std::max<std::size_t>(d.claims.size(), 1)));
        const symgrad::derivation_report r = symgrad::check_derivation(d, options);
        (void)symgrad::derivation_status(r);
        symgrad::fuzz::check_message(symgrad::format_text(d, r), text);
        symgrad::fuzz::check_message(symgrad::format_json(d, r), text);
        symgrad::fuzz::check_message(symgrad::format_markdown(d, r), text);
    });
    return 0;
}
