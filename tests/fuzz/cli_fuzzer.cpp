// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).

// libFuzzer harness for the command's `check`, `diff` and `eval`, through the same in-process
// entry the CLI tests use (cli::run), so that argument handling (CLI11, negative expressions,
// --at, --digits, --format, ...) is fuzzed with the readers and the commands behind them.
//
// Input: one argument per line. The first line picks the command by its first byte modulo 3
// (so "check", "diff" and "eval" pick themselves: 'c' % 3 == 0, 'd' % 3 == 1, 'e' % 3 == 2);
// the other lines are its arguments (at most 8). A finding, besides crashes, hangs and
// sanitizer reports: an exit status other than 0 to 4, or an internal message on stdout or
// stderr (run() reports any std::exception, so a GiNaC text would reach the user there).

#include "fuzz_support.hpp"

#include "cli/commands.hpp"

#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = symgrad::fuzz::as_text(data, size);
    if (size == 0)
        return -1;
    static constexpr const char* commands[] = {"check", "diff", "eval"};
    std::vector<std::string> args{"symgrad", commands[data[0] % 3]};
    const std::size_t first_line_end = text.find('\n');
    if (first_line_end != std::string_view::npos) {
        std::size_t at = first_line_end + 1;
        while (at <= text.size() && args.size() < 10) {
            std::size_t end = text.find('\n', at);
            if (end == std::string_view::npos)
                end = text.size();
            args.emplace_back(text.substr(at, end - at));
            at = end + 1;
        }
    }
    std::ostringstream out, err;
    int status = 0;
    symgrad::fuzz::expect_only_symgrad_errors(text,
                                              [&] { status = symgrad::cli::run(args, out, err); });
    if (status < 0 || status > 4)
        symgrad::fuzz::finding("exit status " + std::to_string(status), err.str());
    symgrad::fuzz::check_message(out.str(), text);
    symgrad::fuzz::check_message(err.str(), text);
    return 0;
}
