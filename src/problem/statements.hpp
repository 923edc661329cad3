// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

// The problem layer's own header: the statement handlers (one concept per file:
// problem_declarations.cpp, problem.cpp, problem_train.cpp) and the reader of a statement's
// tokens they share. Not installed; problem.hpp is the public interface.

#include "symgrad/problem/problem.hpp"
#include "symgrad/text/lexer.hpp"
#include "symgrad/text/source_text.hpp"
#include "symgrad/text/tensor_expression.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace symgrad {

/// One line of a statement as tokens of the one lexer (lexer.hpp), and the expressions in it
/// read with the problem's names. The words inside statements (at, within, expect, in, ...)
/// are contextual: a word is taken as one only where an expression has ended or where the
/// statement's grammar expects it, so a variable may be named at, within or expect.
class statement_reader {
public:
    /// Tokens of line @p line of @p s from byte @p from.
    statement_reader(const statement_source& s, std::size_t line, std::size_t from);
    statement_reader(const statement_reader&) = delete;
    statement_reader& operator=(const statement_reader&) = delete;

    lexer& lex() noexcept { return lex_; }
    const token& peek() const noexcept { return lex_.peek(); }
    token take() { return lex_.take(); }
    bool at_end() const noexcept { return lex_.at(token_kind::end); }
    bool at_word(std::string_view word) const noexcept { return lex_.at_word(word); }
    /// Whether the current token is the name @p word and the token after it is of @p next.
    bool word_then(std::string_view word, token_kind next) const;
    /// Whether the current token is the name @p word and it is the last one.
    bool last_word(std::string_view word) const { return word_then(word, token_kind::end); }

    struct read_expression {
        written_expression value;
        std::size_t begin; ///< byte offsets of its text in the line
        std::size_t end;
    };
    /// One expression with the state's names (and, with @p allow_new_symbols, any other name
    /// as a variable), up to the first token that cannot continue it.
    read_expression expression(const problem_state& state, bool allow_new_symbols = false,
                               bool note_domain = false);

    /// The line's text from byte @p b to @p e.
    std::string text(std::size_t b, std::size_t e) const;
    /// The line's text from the current token to the end of the line (trimmed).
    std::string rest() const;
    /// Nothing more may follow: else the error for the token that stands there.
    void expect_end() const { expect_end_of_expression(lex_); }
    [[noreturn]] void fail(std::size_t offset, const std::string& message,
                           std::size_t length = 1) const {
        source_.fail(offset, message, length);
    }
    [[noreturn]] void fail(const token& t, const std::string& message) const {
        lex_.fail(t, message);
    }

private:
    source_text source_;
    lexer lex_;
};

/// The names a statement sees: the problem's, and L for the objective.
tensor_names names_in(const problem_state& state, bool allow_new_symbols);

void declare_names(problem_state& state, const statement_source& s, const std::string& keyword,
                   std::size_t offset, problem_report& report);
void read_data(problem_state& state, const statement_source& s, std::size_t offset,
               problem_report& report);
void run_train(problem_state& state, const statement_source& s, std::size_t offset,
               problem_report& report, const problem_options& options);

} // namespace symgrad
