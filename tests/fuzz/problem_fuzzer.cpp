// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).

// libFuzzer harness for the problem-file runner: split the input into statements and run them
// (declarations, data, definitions, show, check, expect, train) into a text or Markdown report,
// as `symgrad run` does, but in memory. The file "lives" in a private temporary directory, so
// relative `data "F.csv"` and `log "F.csv"` paths stay inside it (emptied after each input).
//
// Bounds, so that one input is one quick run rather than a long training: inputs whose train
// statements ask for more than 64 epochs, 256 steps, 100 digits or precision 100 are skipped,
// as are paths with a directory part (an absolute or ../ path would reach outside the private
// directory: /dev/zero as data would read forever, a log could overwrite any file). Training
// runs on the interpreter: SYMGRAD_CC names no compiler, so no C compiler is started per input.

#include "fuzz_support.hpp"

#include "symgrad/problem/problem.hpp"
#include "symgrad/problem/problem_report.hpp"
#include "symgrad/problem/problem_source.hpp"

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;

fs::path private_directory;

bool is_word_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

/// Whether @p text asks for more work than one fuzz input should take, or names a path outside
/// the private directory.
bool out_of_bounds(std::string_view text) {
    // Quoted strings and .csv/.json names (log takes them unquoted too) without directories.
    bool quoted = false;
    for (char c : text) {
        if (c == '"')
            quoted = !quoted;
        else if (quoted && (c == '/' || c == '\\'))
            return true;
    }
    for (std::string_view ext : {".csv", ".json"}) {
        for (std::size_t at = text.find(ext); at != std::string_view::npos;
             at = text.find(ext, at + 1)) {
            std::size_t b = at;
            while (b > 0 && !std::isspace(static_cast<unsigned char>(text[b - 1])) &&
                   text[b - 1] != '"')
                --b;
            const std::string_view word = text.substr(b, at - b);
            if (word.find_first_of("/\\~") != std::string_view::npos)
                return true;
        }
    }
    // Work limits: the number after each of these words.
    struct limit {
        std::string_view word;
        unsigned long max;
    };
    static constexpr limit limits[] = {
        {"epochs", 64}, {"epoch", 64},   {"steps", 256},     {"step", 256},
        {"every", 256}, {"digits", 100}, {"precision", 100}, {"restart", 256},
    };
    std::size_t i = 0;
    while (i < text.size()) {
        if (!is_word_char(text[i])) {
            ++i;
            continue;
        }
        std::size_t e = i;
        while (e < text.size() && is_word_char(text[e]))
            ++e;
        const std::string_view word = text.substr(i, e - i);
        std::size_t n = e;
        while (n < text.size() &&
               (text[n] == ' ' || text[n] == '\t' || text[n] == '\n' || text[n] == '"'))
            ++n;
        std::size_t value_end = n;
        while (value_end < text.size() && is_word_char(text[value_end]))
            ++value_end;
        for (const limit& l : limits) {
            if (word != l.word)
                continue;
            unsigned long value = 0;
            const char* first = text.data() + n;
            const auto [ptr, ec] = std::from_chars(first, text.data() + value_end, value);
            if (ptr != first && (ec == std::errc::result_out_of_range || value > l.max))
                return true;
        }
        i = e;
    }
    return false;
}

void empty_private_directory() {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(private_directory, ec))
        fs::remove_all(entry.path(), ec);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    std::string pattern = (fs::temp_directory_path() / "symgrad-fuzz-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
        std::perror("problem_fuzzer: mkdtemp");
        std::abort();
    }
    private_directory = pattern;
    // No native compilation (a compiler per input), no cache outside the private directory.
    setenv("SYMGRAD_CC", "/nonexistent/symgrad-fuzz-no-cc", 1);
    setenv("SYMGRAD_CACHE_DIR", (private_directory / "cache").c_str(), 1);
    std::atexit([] {
        std::error_code ec;
        fs::remove_all(private_directory, ec);
    });
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = symgrad::fuzz::as_text(data, size);
    if (size == 0 || out_of_bounds(text))
        return -1; // not added to the corpus
    const bool markdown = (data[0] & 1) != 0;
    std::ostringstream out;
    symgrad::fuzz::expect_only_symgrad_errors(text, [&] {
        const symgrad::problem_source source =
            symgrad::split_statements(text, (private_directory / "fuzz.txt").string());
        const auto report = symgrad::make_report(
            markdown ? symgrad::report_format::markdown : symgrad::report_format::text, out);
        const symgrad::problem_outcome outcome = symgrad::run_problem(source, *report);
        for (const std::string& f : outcome.failures)
            symgrad::fuzz::check_message(f, text);
    });
    symgrad::fuzz::check_message(out.str(), text);
    empty_private_directory();
    return 0;
}
