// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file lexer.hpp
/// The one lexer of symgrad's language: expressions on the command line, point lists and
/// problem-file statements are all cut into these tokens.
///
///   number   digits with at most one point and an exponent: 3  0.25  .5  1e-5  2.5E+3
///   name     a letter or '_', then letters, digits and '_'
///   op       + - * / ^, and ** (read as ^: Python and SymPy write it)
///   open     ( [ {          close  ) ] }
///   comma ,   semicolon ;   equals = or ==   string "..." (a file name)
///
/// Spaces, tabs and line breaks separate tokens. Anything else is an error with its place and,
/// for habits from other tools, what to write instead: np.exp or math.log (no module prefix),
/// the Unicode signs − × · (write - and *), ² and ³ (write ^2).

#include "symgrad/text/source_text.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <ginac/ginac.h>

namespace symgrad {

enum class token_kind {
    number,
    name,
    op,
    open,
    close,
    comma,
    semicolon,
    equals,
    string,
    /// Only from a tolerant lexer: a character the language does not use, or an unclosed
    /// string (the rest of the text). For readers of other formats (CSV cells), which report
    /// the error in their own words.
    unknown,
    end
};

struct token {
    token_kind kind = token_kind::end;
    std::size_t begin = 0; ///< byte offsets into the source text
    std::size_t end = 0;
    /// The operator or bracket: '+', '-', '*', '/', '^' (also for **), '(', '[', '{', ')', ...;
    /// '=' for both = and ==, which tells them apart by their length.
    char symbol = 0;
};

/// Where the number literal starting at @p begin of @p text ends: digits and points, then an
/// exponent (1e-5, 2.5E+3) when digits follow the e.
std::size_t number_literal_end(std::string_view text, std::size_t begin);

/// The largest power of ten a decimal literal may write (1e100000).
constexpr long max_decimal_exponent = 100000;

/// The exact rational a decimal literal writes (digits, at most one point, an exponent: 1.5e-3
/// is 3/2000), or nullopt when @p literal is not one or its power of ten is beyond
/// max_decimal_exponent.
std::optional<GiNaC::numeric> decimal_value(std::string_view literal);

class lexer {
public:
    /// Tokens of source.text() from @p begin to @p end (npos: its end). A @p tolerant lexer
    /// returns unknown tokens where it would report an error.
    lexer(const source_text& source, std::size_t begin = 0,
          std::size_t end = std::string_view::npos, bool tolerant = false);

    /// The current token (end of input: kind end, at the end offset).
    const token& peek() const noexcept { return current_; }
    /// The current token, and moves to the next.
    token take();
    /// The end offset of the last token taken (the begin offset before any).
    std::size_t last_end() const noexcept { return last_end_; }

    bool at(token_kind kind) const noexcept { return current_.kind == kind; }
    bool at(token_kind kind, char symbol) const noexcept {
        return current_.kind == kind && current_.symbol == symbol;
    }
    /// Whether the current token is the name @p word.
    bool at_word(std::string_view word) const noexcept;

    std::string_view text_of(const token& t) const noexcept {
        return source_.text().substr(t.begin, t.end - t.begin);
    }
    /// The token's text for messages ("end of input" at the end).
    std::string describe(const token& t) const;

    const source_text& source() const noexcept { return source_; }
    [[noreturn]] void fail(const token& t, const std::string& message) const;
    [[noreturn]] void fail(std::size_t offset, const std::string& message,
                           std::size_t length = 1) const {
        source_.fail(offset, message, length);
    }

private:
    token scan();

    const source_text& source_;
    std::size_t pos_;
    std::size_t end_;
    std::size_t last_end_;
    bool tolerant_;
    token current_;
};

/// Text cut at its commas: each part a byte range (untrimmed; an empty text is one empty part).
struct comma_parts {
    std::vector<std::pair<std::size_t, std::size_t>> parts;
    /// The first bracket that is never closed, if any.
    std::optional<token> unclosed;
};

/// The text of @p source from @p begin to @p end (npos: its end), cut at the commas outside
/// brackets (at every comma, when @p nested is false: a CSV header), read by a tolerant lexer:
/// a list of names or values, a row of a data file, a printed matrix.
comma_parts split_at_commas(const source_text& source, std::size_t begin = 0,
                            std::size_t end = std::string_view::npos, bool nested = true);

} // namespace symgrad
