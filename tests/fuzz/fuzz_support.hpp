// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

// What every fuzz harness counts as a finding, besides what libFuzzer, ASan and UBSan catch
// themselves (crashes, hangs, memory errors, undefined behaviour): an exception that is not a
// symgrad::error, and an error text that shows a user GiNaC's, CLN's or the standard library's
// internal message instead of symgrad's own ("power::eval(): division by zero"). Such a finding
// aborts, so that libFuzzer saves the input as a crash.

#include "symgrad/core/error.hpp"

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <typeinfo>

namespace symgrad::fuzz {

/// The input as text.
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

[[noreturn]] inline void finding(const std::string& what, std::string_view detail) {
    std::fprintf(stderr, "\n==symgrad-fuzz== FINDING: %s\n%.*s\n", what.c_str(),
                 static_cast<int>(detail.size()), detail.data());
    std::abort();
}

/// The first internal message in @p text that does not come from @p input itself (an input
/// may well contain "GiNaC" as a name, and errors quote the input), or empty.
inline std::string internal_message_in(std::string_view original, std::string_view input) {
    // symgrad's own messages that name GiNaC on purpose.
    static constexpr std::string_view own[] = {"GiNaC's imaginary unit"};
    std::string copy(original);
    for (std::string_view o : own)
        for (std::size_t at = copy.find(o); at != std::string::npos; at = copy.find(o, at))
            copy.replace(at, o.size(), std::string(o.size(), ' '));
    const std::string_view text = copy;
    static constexpr std::string_view markers[] = {
        "GiNaC",
        "::eval()",
        "_eval()",
        "log_eval",
        "power::",
        "numeric::",
        "add::",
        "mul::",
        "function::",
        "basic::",
        "matrix::",
        "Division by zero",
        "floating point underflow",
        "floating point overflow",
        "basic_string",
        "vector::",
        "_M_",
        "std::",
        "bad_any_cast",
        "bad_variant_access",
    };
    for (std::string_view m : markers)
        if (text.find(m) != std::string_view::npos && input.find(m) == std::string_view::npos)
            return std::string(m);
    // A "name(): " prefix is how GiNaC and CLN start their messages.
    for (std::size_t at = text.find("(): "); at != std::string_view::npos;
         at = text.find("(): ", at + 1)) {
        std::size_t b = at;
        while (b > 0 && (std::isalnum(static_cast<unsigned char>(text[b - 1])) ||
                         text[b - 1] == '_' || text[b - 1] == ':'))
            --b;
        const std::string_view call = text.substr(b, at - b + 2);
        if (at > b && input.find(call) == std::string_view::npos)
            return std::string(call);
    }
    return {};
}

/// Abort when @p message shows an internal message that is not part of @p input.
inline void check_message(std::string_view message, std::string_view input) {
    if (const std::string m = internal_message_in(message, input); !m.empty())
        finding("internal message '" + m + "' in an error text", message);
}

/// Run @p body on @p input: symgrad::error is the expected way to refuse bad input (its text
/// must be symgrad's own); any other exception is a finding.
template <class Body> void expect_only_symgrad_errors(std::string_view input, Body&& body) {
    try {
        body();
    } catch (const symgrad::error& e) {
        check_message(e.what(), input);
    } catch (const std::exception& e) {
        finding(std::string("exception ") + typeid(e).name() + " escaped", e.what());
    } catch (...) {
        finding("an exception that is not a std::exception escaped", "");
    }
}

} // namespace symgrad::fuzz
