// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/error.hpp"

#include "symgrad/core/assert.hpp"

#include <utility>

namespace symgrad {

std::string format_located_message(const std::string& message, const std::string& source,
                                   std::size_t line, std::size_t column,
                                   const std::string& line_text, std::size_t caret_length) {
    std::string out =
        source + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
    if (line_text.empty())
        return out;
    // Columns count characters, not bytes (UTF-8 continuation bytes are skipped), and tabs keep
    // their width, so the caret stays under the right character.
    std::string caret;
    std::size_t seen = 0;
    for (std::size_t i = 0; i < line_text.size() && seen + 1 < column; ++i) {
        const auto byte = static_cast<unsigned char>(line_text[i]);
        if ((byte & 0xC0u) == 0x80u)
            continue;
        caret += byte == '\t' ? '\t' : ' ';
        ++seen;
    }
    caret += '^';
    for (std::size_t i = 1; i < caret_length; ++i)
        caret += '~';
    out += "\n    " + line_text + "\n    " + caret;
    return out;
}

parse_error::parse_error(std::string message, std::string source, std::size_t line,
                         std::size_t column, std::string line_text, std::size_t caret_length)
    : error(format_located_message(message, source, line, column, line_text, caret_length)),
      message_(std::move(message)), source_(std::move(source)), line_(line), column_(column),
      line_text_(std::move(line_text)) {}

namespace {
std::string unbound_message(const std::string& where, const std::vector<std::string>& names) {
    std::string list;
    for (const auto& n : names)
        list += (list.empty() ? "" : ", ") + n;
    return where + ": no value given for " + (names.size() == 1 ? "symbol " : "symbols ") + list;
}
} // namespace

unbound_symbols::unbound_symbols(const std::string& where, std::vector<std::string> names)
    : error(unbound_message(where, names)), names_(std::move(names)) {}

namespace detail {

void assertion_failed(const char* condition, const char* file, long line) {
    throw internal_error(std::string(file) + ":" + std::to_string(line) +
                         ": internal error: the invariant " + condition + " does not hold");
}

} // namespace detail

} // namespace symgrad
