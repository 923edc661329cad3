// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/problem/problem_source.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/input_file.hpp"
#include "symgrad/text/lexer.hpp"

#include <sstream>

namespace symgrad {

namespace {

std::string trim_right(std::string s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.pop_back();
    return s;
}

/// The byte offset of the first invalid UTF-8 sequence, or npos.
std::size_t invalid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = c < 0x80           ? 1
                          : (c >> 5) == 0x6  ? 2
                          : (c >> 4) == 0xE  ? 3
                          : (c >> 3) == 0x1E ? 4
                                             : 0;
        if (len == 0 || i + len > s.size())
            return i;
        for (std::size_t k = 1; k < len; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0u) != 0x80u)
                return i;
        i += len;
    }
    return std::string_view::npos;
}

} // namespace

std::string statement_source::text() const {
    std::string out;
    for (std::size_t i = 0; i < lines.size(); ++i)
        out += (i ? "\n" : "") + lines[i].text;
    return out;
}

std::string statement_source::keyword() const {
    const source_text line = first_line_source();
    const lexer words(line);
    return words.at(token_kind::name) ? std::string(words.text_of(words.peek())) : "";
}

source_text statement_source::first_line_source() const {
    text_origin origin;
    origin.source = file;
    origin.first_line = lines.front().number;
    return source_text(lines.front().text, std::move(origin));
}

void statement_source::fail(std::size_t offset, const std::string& message,
                            std::size_t length) const {
    first_line_source().fail(offset, message, length);
}

problem_source split_statements(std::string_view text, const std::string& file) {
    problem_source src;
    src.file = file;
    if (const std::size_t bad = invalid_utf8(text); bad != std::string_view::npos) {
        std::size_t line = 1;
        for (std::size_t i = 0; i < bad; ++i)
            line += text[i] == '\n';
        throw parse_error("the file is not valid UTF-8", file, line, 1, "");
    }
    // Lines end in \n, \r\n or a lone \r (old Mac files): all read as line breaks.
    std::string lines(text);
    for (std::size_t i = 0; i < lines.size(); ++i)
        if (lines[i] == '\r' && (i + 1 == lines.size() || lines[i + 1] != '\n'))
            lines[i] = '\n';
    std::istringstream in{lines};
    std::string raw;
    std::size_t number = 0;
    std::vector<std::string> pending; // comment lines waiting for their statement
    while (std::getline(in, raw)) {
        ++number;
        if (number == 1 && raw.rfind("\xEF\xBB\xBF", 0) == 0)
            raw.erase(0, 3); // a byte-order mark
        // Cut the comment: '#' outside double quotes.
        bool quoted = false;
        std::size_t hash = std::string::npos;
        for (std::size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] == '"')
                quoted = !quoted;
            else if (raw[i] == '#' && !quoted) {
                hash = i;
                break;
            }
        }
        source_line line{number, trim_right(raw.substr(0, hash)),
                         hash == std::string::npos ? "" : trim_right(raw.substr(hash + 1))};
        const bool blank = line.text.find_first_not_of(" \t") == std::string::npos;
        if (blank) {
            // Comment lines: the file's header before the first statement, else notes for the
            // statement that follows. "#   x" keeps its indentation after the first space.
            if (line.comment.empty() && raw.find('#') == std::string::npos)
                continue;
            const std::string note =
                line.comment.rfind(' ', 0) == 0 ? line.comment.substr(1) : line.comment;
            if (src.statements.empty()) {
                if (!note.empty())
                    src.header_comments.push_back(note);
            } else {
                pending.push_back(note);
            }
            continue;
        }
        const bool continuation = line.text[0] == ' ' || line.text[0] == '\t';
        if (continuation) {
            if (src.statements.empty())
                throw parse_error("an indented line continues a statement, but there is none "
                                  "above it",
                                  file, number, 1, line.text);
            src.statements.back().lines.push_back(std::move(line));
            continue;
        }
        src.statements.push_back(statement_source{file, {std::move(line)}, std::move(pending)});
        pending.clear();
    }
    src.trailing_comments = std::move(pending);
    return src;
}

problem_source read_problem_file(const std::string& path, std::uintmax_t limit) {
    return split_statements(read_regular_file(path, limit, "problem file", "--max-problem-size"),
                            path);
}

} // namespace symgrad
