// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/text/parser.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/size_limits.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/text/lexer.hpp"
#include "symgrad/text/source_text.hpp"

#include <optional>
#include <set>

namespace symgrad {

using GiNaC::ex;

namespace {

/// Every name is a variable.
const tensor_names& free_names() {
    static const tensor_names names = [] {
        tensor_names n;
        n.allow_new_symbols = true;
        return n;
    }();
    return names;
}

written_expression read_free(const source_text& source, std::size_t begin, std::size_t end,
                             const parse_options& options) {
    return read_tensor_expression(source, begin, end, free_names(), options);
}

} // namespace

written_expression parse_written(std::string_view text, const parse_options& options) {
    const source_text source(text, options);
    return read_free(source, 0, text.size(), options);
}

ex parse(std::string_view text, const parse_options& options) {
    ex e = parse_written(text, options).value;
    check_expression_size(e, options.source);
    return e;
}

std::pair<written_expression, written_expression> parse_equation(const std::string& text) {
    parse_options o;
    o.source = "<equation>";
    o.first_line_text = text.substr(0, text.find('\n'));
    const source_text source(text, o);
    std::optional<token> equals;
    for (lexer scan(source); !scan.at(token_kind::end); scan.take()) {
        if (!scan.at(token_kind::equals))
            continue;
        if (equals)
            throw invalid_input("check: more than one '==' in '" + text + "'");
        equals = scan.peek();
    }
    if (!equals)
        throw invalid_input("check: one argument must be an equation 'LHS == RHS', got '" + text +
                            "'; or give the two sides as two arguments");
    return {read_free(source, 0, equals->begin, o), read_free(source, equals->end, text.size(), o)};
}

std::vector<std::string> split_list(std::string_view text) {
    const source_text source(text, {});
    std::vector<std::string> items;
    for (const auto& [b, e] : split_at_commas(source).parts) {
        const std::string_view item = text.substr(b, e - b);
        const std::size_t first = item.find_first_not_of(" \t\r\n");
        if (first != std::string_view::npos)
            items.emplace_back(item.substr(first, item.find_last_not_of(" \t\r\n") + 1 - first));
    }
    return items;
}

GiNaC::exmap parse_point(std::string_view text, const parse_options& options) {
    const source_text source(text, options);
    lexer lex(source);
    GiNaC::exmap point;
    std::set<std::string, std::less<>> seen;
    auto separator = [&] { return lex.at(token_kind::comma) || lex.at(token_kind::semicolon); };
    while (!lex.at(token_kind::end)) {
        const token first = lex.peek();
        if (separator())
            lex.fail(first.begin, "empty assignment; write name = value");
        // The item's extent and its '=' (outside brackets), looked up with a second lexer.
        std::optional<token> equals;
        std::size_t item_end = first.end;
        int depth = 0;
        for (lexer ahead(source, first.begin); !ahead.at(token_kind::end); ahead.take()) {
            const token& t = ahead.peek();
            depth += t.kind == token_kind::open ? 1 : t.kind == token_kind::close ? -1 : 0;
            if (depth <= 0 && (t.kind == token_kind::comma || t.kind == token_kind::semicolon))
                break;
            if (depth <= 0 && t.kind == token_kind::equals && !equals)
                equals = t;
            item_end = t.end;
        }
        if (!equals) {
            std::string hint;
            if (first.kind == token_kind::number && first.begin > 0 &&
                text[first.begin - 1] == ',' && first.begin >= 2 && text[first.begin - 2] >= '0' &&
                text[first.begin - 2] <= '9')
                hint = "; for a decimal, write a point, not a comma";
            lex.fail(first.begin, "expected name = value" + hint,
                     character_count(text.substr(first.begin, item_end - first.begin)));
        }
        if (first.kind == token_kind::equals)
            lex.fail(first.begin, "missing name before '='");
        const std::string_view name = text.substr(first.begin, equals->begin - first.begin);
        const std::size_t name_end = name.find_last_not_of(" \t\r\n") + 1;
        if (first.kind != token_kind::name || first.begin + name_end != first.end ||
            !is_valid_symbol_name(name.substr(0, name_end)))
            lex.fail(first.begin,
                     "'" + std::string(name.substr(0, name_end)) + "' is not a valid name",
                     character_count(name.substr(0, name_end)));
        const std::string key(lex.text_of(first));
        if (!seen.insert(key).second)
            lex.fail(first, "'" + key + "' is given twice");
        lex.take(); // the name
        lex.take(); // '='
        if (lex.at(token_kind::end) || separator())
            lex.fail(equals->begin, "missing value after '='");
        const token value_at = lex.peek();
        const written_expression w = read_expression_prefix(lex, free_names(), options);
        const ex value = w.value;
        const std::size_t value_end = lex.at(token_kind::end) ? text.size() : lex.peek().begin;
        const std::string_view value_text = text.substr(value_at.begin, value_end - value_at.begin);
        const std::size_t value_length =
            character_count(value_text.substr(0, value_text.find_last_not_of(" \t\r\n") + 1));
        if (!lex.at(token_kind::end) && !separator())
            lex.fail(lex.peek(), "missing operator before '" + lex.describe(lex.peek()) + "'");
        bool real_number = !is_tensor(value) && free_symbols(value).empty();
        if (real_number) {
            const ex approximate = value.evalf();
            real_number = GiNaC::is_a<GiNaC::numeric>(approximate) &&
                          GiNaC::ex_to<GiNaC::numeric>(approximate).is_real();
        }
        if (!real_number)
            lex.fail(value_at.begin, "the value of " + key + " must be a real number",
                     value_length);
        point[symbol_named(key)] = value;
        if (separator()) {
            const token sep = lex.take();
            if (lex.at(token_kind::end))
                lex.fail(sep.begin, "trailing separator");
        }
    }
    return point;
}

} // namespace symgrad
