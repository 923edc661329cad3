// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file source_text.hpp
/// Text and where it stands in its source: the one place that turns a byte offset into
/// source:line:column with the line's text and a caret (parse_error). Every reader of text
/// (expressions, points, problem files) reports its errors through it. Columns count
/// characters, not bytes; a line's trailing '\r' is not shown.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace symgrad {

/// Where a piece of text starts in its source.
struct text_origin {
    /// Name used in error locations, e.g. a file name; "<input>" for command-line text.
    std::string source = "<input>";
    /// 1-based line and column of the text's first character inside that source (for
    /// expressions embedded in larger files).
    std::size_t first_line = 1;
    std::size_t first_column = 1;
    /// The whole source line the text starts in, when the text is part of it (an expression
    /// after "loss = " in a file): errors on the first line show this line, so that the caret
    /// at first_column + offset stands under the right character. Empty: the text's own line.
    std::string first_line_text;
};

struct source_location {
    std::size_t line;
    std::size_t column;
    std::string line_text;
};

/// The number of characters (UTF-8 sequences) in @p s.
std::size_t character_count(std::string_view s);

/// @p s with each control character as its code, U+XXXX: a message must carry no NUL, escape
/// or line break from the input.
std::string printable(std::string_view s);

/// The length in bytes of the UTF-8 character starting at @p at (1 for a stray byte).
std::size_t character_length(std::string_view s, std::size_t at);

class source_text {
public:
    /// @p text must outlive this object.
    source_text(std::string_view text, text_origin origin);

    /// Text made from another text (LaTeX translated into symgrad's language, latex.hpp):
    /// @p written_offsets[i] is where byte i of @p text came from in @p written (one more entry
    /// for the end). Errors are located in @p written, which must outlive this object.
    source_text(std::string_view text, const source_text& written,
                std::vector<std::size_t> written_offsets);

    std::string_view text() const noexcept { return text_; }
    const text_origin& origin() const noexcept { return origin_; }

    /// Line, column and line text of a byte offset.
    source_location locate(std::size_t offset) const;

    /// Throws parse_error at @p offset, the caret @p length characters wide.
    [[noreturn]] void fail(std::size_t offset, const std::string& message,
                           std::size_t length = 1) const;

    /// The origin of the text from @p offset on, for a part read on its own.
    text_origin origin_at(std::size_t offset) const;

private:
    std::string_view text_;
    text_origin origin_;
    std::vector<std::size_t> line_starts_;
    const source_text* written_ = nullptr;
    std::vector<std::size_t> written_offsets_;
};

} // namespace symgrad
