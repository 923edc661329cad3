// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/text/lexer.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace symgrad {

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

/// Characters pasted from typeset maths, and what to write for them.
constexpr std::array<std::pair<std::string_view, std::string_view>, 9> typeset_signs{{
    {"\xE2\x88\x92", "-"},   // − minus sign
    {"\xC3\x97", "*"},       // × times
    {"\xC2\xB7", "*"},       // · middle dot
    {"\xE2\x8B\x85", "*"},   // ⋅ dot operator
    {"\xC2\xB2", "^2"},      // ²
    {"\xC2\xB3", "^3"},      // ³
    {"\xCF\x83", "sigmoid"}, // σ
    {"\xE2\x88\x9A", "sqrt(...)"},
    {"\xE2\x80\x93", "-"}, // – en dash
}};

} // namespace

std::size_t number_literal_end(std::string_view text, std::size_t begin) {
    auto digit = [&](std::size_t i) { return i < text.size() && is_digit(text[i]); };
    std::size_t p = begin;
    while (digit(p) || (p < text.size() && text[p] == '.'))
        ++p;
    if (p < text.size() && (text[p] == 'e' || text[p] == 'E')) {
        std::size_t q = p + 1;
        if (q < text.size() && (text[q] == '+' || text[q] == '-'))
            ++q;
        if (digit(q)) {
            p = q;
            while (digit(p))
                ++p;
        }
    }
    return p;
}

std::optional<GiNaC::numeric> decimal_value(std::string_view literal) {
    // digits [. digits] [e [+-] digits]: an integer mantissa times a power of ten.
    std::string mantissa;
    long scale = 0;
    std::size_t i = 0;
    bool after_point = false;
    for (; i < literal.size() && literal[i] != 'e' && literal[i] != 'E'; ++i) {
        if (literal[i] == '.') {
            if (after_point)
                return std::nullopt;
            after_point = true;
        } else if (is_digit(literal[i])) {
            mantissa += literal[i];
            if (after_point)
                --scale;
        } else {
            return std::nullopt;
        }
    }
    if (mantissa.empty())
        return std::nullopt;
    if (i < literal.size()) {
        std::string_view exponent = literal.substr(i + 1);
        const bool negative = !exponent.empty() && exponent[0] == '-';
        if (!exponent.empty() && (exponent[0] == '+' || exponent[0] == '-'))
            exponent.remove_prefix(1);
        if (exponent.empty() || exponent.size() > 6 ||
            exponent.find_first_not_of("0123456789") != std::string_view::npos)
            return std::nullopt;
        const long e = std::stol(std::string(exponent));
        scale += negative ? -e : e;
    }
    if (scale > max_decimal_exponent || scale < -max_decimal_exponent)
        return std::nullopt;
    mantissa.erase(0, std::min(mantissa.find_first_not_of('0'), mantissa.size()));
    if (mantissa.empty())
        return GiNaC::numeric(0);
    return GiNaC::numeric(mantissa.c_str()) * GiNaC::numeric(10).power(scale);
}

lexer::lexer(const source_text& source, std::size_t begin, std::size_t end, bool tolerant)
    : source_(source), pos_(begin), end_(std::min(end, source.text().size())), last_end_(begin),
      tolerant_(tolerant) {
    current_ = scan();
}

token lexer::take() {
    token t = current_;
    if (t.kind != token_kind::end) {
        last_end_ = t.end;
        current_ = scan();
    }
    return t;
}

bool lexer::at_word(std::string_view word) const noexcept {
    return current_.kind == token_kind::name && text_of(current_) == word;
}

std::string lexer::describe(const token& t) const {
    return t.kind == token_kind::end ? "end of input" : std::string(text_of(t));
}

void lexer::fail(const token& t, const std::string& message) const {
    source_.fail(t.begin, message, std::max<std::size_t>(1, character_count(text_of(t))));
}

token lexer::scan() {
    const std::string_view text = source_.text().substr(0, end_);
    while (pos_ < text.size() && is_space(text[pos_]))
        ++pos_;
    const std::size_t b = pos_;
    if (pos_ >= text.size())
        return {token_kind::end, b, b, 0};
    const char c = text[pos_];
    if (is_alpha(c)) {
        while (pos_ < text.size() && (is_alpha(text[pos_]) || is_digit(text[pos_])))
            ++pos_;
        if (!tolerant_ && pos_ + 1 < text.size() && text[pos_] == '.' && is_alpha(text[pos_ + 1])) {
            std::size_t e = pos_ + 1;
            while (e < text.size() && (is_alpha(text[e]) || is_digit(text[e])))
                ++e;
            const std::string prefix(text.substr(b, pos_ - b + 1));
            const std::string name(text.substr(pos_ + 1, e - pos_ - 1));
            source_.fail(b,
                         "'" + prefix + name + "': names have no module prefix; write " + name +
                             " without '" + prefix + "'",
                         e - b);
        }
        return {token_kind::name, b, pos_, 0};
    }
    if (is_digit(c) || (c == '.' && pos_ + 1 < text.size() && is_digit(text[pos_ + 1]))) {
        pos_ = number_literal_end(text, pos_);
        const std::string_view literal = text.substr(b, pos_ - b);
        if (std::count(literal.begin(), literal.end(), '.') > 1 && tolerant_)
            return {token_kind::unknown, b, pos_, c};
        if (std::count(literal.begin(), literal.end(), '.') > 1)
            source_.fail(b, "malformed number '" + std::string(literal) + "'", literal.size());
        return {token_kind::number, b, pos_, 0};
    }
    ++pos_;
    switch (c) {
    case '*':
        if (pos_ < text.size() && text[pos_] == '*') {
            ++pos_;
            return {token_kind::op, b, pos_, '^'};
        }
        return {token_kind::op, b, pos_, c};
    case '+':
    case '-':
    case '/':
    case '^':
        return {token_kind::op, b, pos_, c};
    case '(':
    case '[':
    case '{':
        return {token_kind::open, b, pos_, c};
    case ')':
    case ']':
    case '}':
        return {token_kind::close, b, pos_, c};
    case ',':
        return {token_kind::comma, b, pos_, c};
    case ';':
        return {token_kind::semicolon, b, pos_, c};
    case '=':
        if (pos_ < text.size() && text[pos_] == '=')
            ++pos_;
        return {token_kind::equals, b, pos_, '='};
    case '"': {
        const std::size_t close = text.find('"', pos_);
        if (close == std::string_view::npos && tolerant_) {
            pos_ = text.size();
            return {token_kind::unknown, b, pos_, '"'};
        }
        if (close == std::string_view::npos)
            source_.fail(b, "the string opened here is never closed (a closing '\"')");
        pos_ = close + 1;
        return {token_kind::string, b, pos_, '"'};
    }
    default:
        break;
    }
    const std::size_t len = character_length(text, b);
    if (tolerant_) {
        pos_ = b + len;
        return {token_kind::unknown, b, pos_, c};
    }
    const std::string_view ch = text.substr(b, len);
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) // a control character: its code
        source_.fail(b, "unexpected control character " + printable(ch));
    for (const auto& [sign, write] : typeset_signs)
        if (ch == sign)
            source_.fail(b, "unexpected character '" + std::string(ch) + "'; write " +
                                std::string(write));
    source_.fail(b, "unexpected character '" + std::string(ch) + "'");
}

comma_parts split_at_commas(const source_text& source, std::size_t begin, std::size_t end,
                            bool nested) {
    comma_parts out;
    std::vector<token> open;
    std::size_t start = begin;
    lexer scan(source, begin, end, true);
    for (; !scan.at(token_kind::end); scan.take()) {
        const token t = scan.peek();
        if (t.kind == token_kind::open && nested)
            open.push_back(t);
        else if (t.kind == token_kind::close && !open.empty())
            open.pop_back();
        else if (t.kind == token_kind::comma && open.empty()) {
            out.parts.emplace_back(start, t.begin);
            start = t.end;
        }
    }
    out.parts.emplace_back(start, std::min(end, source.text().size()));
    if (!open.empty())
        out.unclosed = open.front();
    return out;
}

} // namespace symgrad
