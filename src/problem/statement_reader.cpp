// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "statements.hpp"

namespace symgrad {

namespace {

text_origin origin_of(const statement_source& s, std::size_t line) {
    text_origin o;
    o.source = s.file;
    o.first_line = s.lines.at(line).number;
    return o;
}

} // namespace

statement_reader::statement_reader(const statement_source& s, std::size_t line, std::size_t from)
    : source_(s.lines.at(line).text, origin_of(s, line)), lex_(source_, from) {}

bool statement_reader::word_then(std::string_view word, token_kind next) const {
    if (!lex_.at_word(word))
        return false;
    lexer ahead = lex_;
    ahead.take();
    return ahead.at(next);
}

statement_reader::read_expression
statement_reader::expression(const problem_state& state, bool allow_new_symbols, bool note_domain) {
    read_expression out;
    out.begin = lex_.peek().begin;
    parse_options options;
    static_cast<text_origin&>(options) = source_.origin();
    out.value =
        read_expression_prefix(lex_, names_in(state, allow_new_symbols), options, note_domain);
    out.end = lex_.last_end();
    return out;
}

std::string statement_reader::text(std::size_t b, std::size_t e) const {
    return std::string(source_.text().substr(b, e - b));
}

std::string statement_reader::rest() const {
    const std::string_view t = source_.text();
    std::size_t e = t.size();
    while (e > peek().begin && (t[e - 1] == ' ' || t[e - 1] == '\t'))
        --e;
    return std::string(t.substr(peek().begin, e - std::min(e, peek().begin)));
}

} // namespace symgrad
