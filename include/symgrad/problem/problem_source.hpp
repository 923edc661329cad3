// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file problem_source.hpp
/// A problem file as statements: UTF-8 text, one statement per line, '#' starts a comment
/// (outside double quotes), and a line that starts with white space continues the statement
/// above it (for data tables). Each statement remembers where it came from, so every error can
/// name file:line:column with the line and a caret.

#include "symgrad/core/input_file.hpp"
#include "symgrad/text/source_text.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace symgrad {

/// One physical line of a statement.
struct source_line {
    std::size_t number;  ///< 1-based line number in the file
    std::string text;    ///< the line without its comment and trailing white space
    std::string comment; ///< the comment text after '#', if any
};

/// One statement: its first line and its continuation lines.
struct statement_source {
    std::string file;
    std::vector<source_line> lines;
    /// The comment lines that stand directly before the statement (after the file's header).
    std::vector<std::string> notes;

    /// The statement's text with continuation lines joined by '\n'.
    std::string text() const;
    /// The first word (the keyword, or a definition's name).
    std::string keyword() const;
    /// The first line as a source text, for error locations.
    source_text first_line_source() const;
    /// A parse_error at byte @p offset of the first line.
    [[noreturn]] void fail(std::size_t offset, const std::string& message,
                           std::size_t length = 1) const;
};

/// A file's statements, plus the comment lines that stand before the first statement (the
/// file's title and description).
struct problem_source {
    std::string file;
    std::vector<std::string> header_comments;
    std::vector<statement_source> statements;
    /// Comment lines after the last statement.
    std::vector<std::string> trailing_comments;
};

/// Split @p text (the contents of @p file) into statements. Throws parse_error for invalid
/// UTF-8 or a continuation line with nothing to continue.
problem_source split_statements(std::string_view text, const std::string& file);

/// Read and split a file; invalid_input if it cannot be read, is not a regular file (a
/// directory, a FIFO, a device) or is larger than @p limit bytes.
problem_source read_problem_file(const std::string& path,
                                 std::uintmax_t limit = default_problem_file_limit);

} // namespace symgrad
