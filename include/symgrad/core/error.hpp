// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file error.hpp
/// The exceptions symgrad throws. Every message reads "where: what is wrong, and the value".
/// All derive from symgrad::error, which derives from std::runtime_error, so a caller can catch
/// the whole family at once; the command maps each of them to exit status 2.

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace symgrad {

/// Base of every symgrad exception.
class error : public std::runtime_error {
public:
    explicit error(const std::string& message) : std::runtime_error(message) {}
};

/// Malformed text: knows the source name, 1-based line and column, and the offending line, and
/// renders them as "source:line:column: message" followed by the line and a caret.
class parse_error : public error {
public:
    parse_error(std::string message, std::string source, std::size_t line, std::size_t column,
                std::string line_text, std::size_t caret_length = 1);

    /// The bare message, without location.
    const std::string& message() const noexcept { return message_; }
    const std::string& source() const noexcept { return source_; }
    std::size_t line() const noexcept { return line_; }
    std::size_t column() const noexcept { return column_; }
    const std::string& line_text() const noexcept { return line_text_; }

private:
    std::string message_;
    std::string source_;
    std::size_t line_;
    std::size_t column_;
    std::string line_text_;
};

/// An input that is well formed but not acceptable (a bad option value, a non-symbol where a
/// variable is required, a label outside the class range, ...).
class invalid_input : public error {
public:
    using error::error;
};

/// Evaluation needs values for symbols that were never given; names every one of them.
class unbound_symbols : public error {
public:
    unbound_symbols(const std::string& where, std::vector<std::string> names);
    const std::vector<std::string>& names() const noexcept { return names_; }

private:
    std::vector<std::string> names_;
};

/// A value is undefined or not finite at the requested point (log(0), 1/0, overflow, a
/// non-real result); names the subexpression at fault.
class domain_error : public error {
public:
    using error::error;
};

/// Shapes of vectors or matrices do not fit the operation; names both shapes.
class shape_error : public error {
public:
    using error::error;
};

/// A broken invariant of symgrad itself (a bug, never bad input): what SYMGRAD_ASSERT throws
/// in a Debug build (assert.hpp), naming the file, the line and the condition.
class internal_error : public error {
public:
    using error::error;
};

/// Render "source:line:column: message\n<line>\n   ^~~" (the form every parse error takes).
std::string format_located_message(const std::string& message, const std::string& source,
                                   std::size_t line, std::size_t column,
                                   const std::string& line_text, std::size_t caret_length = 1);

} // namespace symgrad
