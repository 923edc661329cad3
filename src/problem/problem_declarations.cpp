// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// Problem files: the declarations (weights, inputs, labels) and the data.
#include "statements.hpp"
#include "symgrad/core/error.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/input_file.hpp"
#include "symgrad/core/printers.hpp"
#include "symgrad/core/spelling.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/core/tensor.hpp"
#include "symgrad/problem/problem.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <optional>
#include <sstream>

namespace symgrad {

using GiNaC::ex;

namespace {

bool blank(const std::string& s) {
    return s.find_first_not_of(" \t") == std::string::npos;
}

struct item {
    std::string name;
    std::size_t offset;
    std::size_t rows = 0, cols = 0; // 0 x 0: a scalar
    bool vector = false;            // declared [N]: entries name_1 ... name_N
};

/// The shape after a declared name: [N] (a vector), [R x C], [RxC] or [R, C] (a matrix).
void read_shape(statement_reader& r, item& it) {
    const token open = r.take();
    // The closing ']' (for the caret's width), looked up first.
    lexer ahead = r.lex();
    while (!ahead.at(token_kind::end) && !ahead.at(token_kind::close))
        ahead.take();
    if (!ahead.at(token_kind::close, ']'))
        r.fail(open.begin, "'[' is never closed");
    const std::size_t width = ahead.peek().end - open.begin;
    auto bad = [&] { r.fail(open.begin, "a shape is [N] or [R x C] with positive sizes", width); };
    auto size = [&](std::string_view digits) {
        std::size_t n = 0;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
        if (ec != std::errc() || end != digits.data() + digits.size() || n == 0)
            bad();
        return n;
    };
    if (!r.lex().at(token_kind::number))
        bad();
    const std::size_t rows = size(r.lex().text_of(r.take()));
    std::size_t cols = 0;
    if (r.lex().at(token_kind::comma) || r.at_word("x") || r.at_word("X")) {
        r.take();
        if (!r.lex().at(token_kind::number))
            bad();
        cols = size(r.lex().text_of(r.take()));
    } else if (r.lex().at(token_kind::name)) {
        // [2x3] reads as the number 2 and the name x3.
        const std::string_view word = r.lex().text_of(r.take());
        if (word.size() < 2 || (word[0] != 'x' && word[0] != 'X'))
            bad();
        cols = size(word.substr(1));
    }
    if (!r.lex().at(token_kind::close, ']'))
        bad();
    r.take();
    if (cols == 0) { // [N]: a row vector 1 x N
        it.rows = 1;
        it.cols = rows;
        it.vector = true;
    } else {
        it.rows = rows;
        it.cols = cols;
    }
}

} // namespace

void declare_names(problem_state& state, const statement_source& s, const std::string& keyword,
                   std::size_t offset, problem_report&) {
    if (s.lines.size() > 1)
        s.fail(offset, keyword + ": a declaration takes one line");
    const std::string& t = s.lines.front().text;
    statement_reader r(s, 0, offset);
    std::vector<item> items;
    std::optional<token> equals, in;
    while (!r.at_end()) {
        if (r.lex().at(token_kind::comma)) {
            r.take();
            continue;
        }
        if (r.lex().at(token_kind::equals)) {
            equals = r.take();
            break;
        }
        const token name_token = r.take();
        if (name_token.kind != token_kind::name)
            r.fail(name_token.begin, keyword + ": expected a name, got '" +
                                         std::string(1, t[name_token.begin]) + "'");
        const std::string name(r.lex().text_of(name_token));
        if (name == "in" && keyword == "labels") {
            in = name_token;
            break;
        }
        if (!is_valid_symbol_name(name))
            r.fail(name_token, "'" + name + "' is not a valid name");
        item it{name, name_token.begin};
        if (r.lex().at(token_kind::open, '['))
            read_shape(r, it);
        if (state.is_defined(name))
            r.fail(name_token, "'" + name + "' is already declared or defined");
        items.push_back(it);
    }
    if (items.empty())
        s.fail(offset, keyword + ": name at least one " + keyword.substr(0, keyword.size() - 1));

    std::vector<ex> classes;
    const std::size_t classes_at = in ? r.peek().begin : 0;
    if (in) {
        if (r.at_end())
            r.fail(in->begin, "labels: write labels y in {0, 1}", 2);
        const ex v = read_expression_prefix(r.lex(), tensor_names{}).value;
        r.expect_end();
        const GiNaC::exvector list =
            is_tensor(v) ? entries(GiNaC::ex_to<GiNaC::matrix>(v)) : GiNaC::exvector{v};
        for (const auto& c : list) {
            if (!GiNaC::is_a<GiNaC::numeric>(c))
                s.fail(classes_at, "labels: the classes must be numbers, as in {0, 1}");
            classes.push_back(c);
        }
    }
    ex init = 0;
    const std::size_t init_at = equals ? equals->end : 0;
    if (equals) {
        if (keyword != "weights")
            s.fail(equals->begin, keyword + " take their values from the data, not from '='");
        if (r.at_end())
            s.fail(equals->begin, "missing value after '='");
        init = read_expression_prefix(r.lex(), tensor_names{}).value;
        r.expect_end();
    }
    const bool has_init = equals.has_value();

    auto& list = keyword == "weights"  ? state.weights
                 : keyword == "inputs" ? state.inputs
                                       : state.labels;
    auto& flat = keyword == "weights"  ? state.weight_symbols
                 : keyword == "inputs" ? state.input_symbols
                                       : state.label_symbols;
    for (const auto& it : items) {
        ex value;
        if (it.rows == 0)
            value = symbol_named(it.name);
        else if (it.vector)
            value = symbol_row(it.name, it.cols);
        else
            value = symbol_matrix(it.name, it.rows, it.cols);
        const GiNaC::exvector symbols =
            is_tensor(value) ? entries(GiNaC::ex_to<GiNaC::matrix>(value)) : GiNaC::exvector{value};
        // Initial values: a scalar for every entry, or a literal of the item's shape.
        GiNaC::exvector start(symbols.size(), ex(0));
        if (has_init) {
            if (is_tensor(init)) {
                const auto& m = GiNaC::ex_to<GiNaC::matrix>(init);
                if (items.size() != 1 || it.rows != m.rows() || it.cols != m.cols())
                    s.fail(init_at, "the initial value is a " + shape_description(init) + " but " +
                                        it.name + " is a " + shape_description(value));
                start = entries(m);
            } else {
                std::fill(start.begin(), start.end(), init);
            }
        }
        for (std::size_t k = 0; k < symbols.size(); ++k) {
            flat.push_back(symbols[k]);
            if (keyword == "weights") {
                state.weight_values[symbols[k]] = start[k];
                state.initial_weights[symbols[k]] = start[k];
            }
            if (is_tensor(value))
                state.names.values[symbol_name(symbols[k])] = symbols[k];
        }
        state.names.values[it.name] = value;
        list.push_back(
            declared_name{it.name, value, classes, classes.empty() ? nullptr : &s, classes_at});
    }
}

namespace {

/// Columns read from inline data lines or a CSV file: symbol name -> values.
using columns = std::vector<std::pair<std::string, std::vector<ex>>>;

/// A located error in a data file. It names the place but never shows the file's text: the
/// file need not be the problem file's author's, and its contents are not theirs to read.
[[noreturn]] void fail_in_file(const std::string& file, std::size_t line, std::size_t column,
                               const std::string& message) {
    throw parse_error(message, file, line, column, "");
}

/// "column 3": columns of a data file go by number, since their names are the file's text.
std::string column_text(std::size_t k) {
    return "column " + std::to_string(k + 1);
}

columns read_csv(problem_state& state, const statement_source& s, std::size_t offset,
                 const std::string& quoted) {
    namespace fs = std::filesystem;
    const std::size_t length = quoted.size() + 2;
    const std::string shown = (fs::path(state.file).parent_path() / quoted).string();
    std::string path, text;
    try {
        path = confined_path(state.file, quoted, state.paths);
    } catch (const invalid_input& e) {
        s.fail(offset, std::string("data: ") + e.what(), length);
    }
    try {
        text = read_regular_file(path, state.paths.data_limit, "data", "--max-data-size",
                                 confinement(state.file, state.paths));
    } catch (const invalid_input& e) {
        s.fail(offset, e.what(), length);
    }
    state.files_read.push_back(path);
    columns cols;
    std::istringstream in(text);
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0)
            line.erase(0, 3); // a byte-order mark
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (blank(line))
            continue;
        // The file's text is never shown: an error names the place only (fail_in_file).
        text_origin origin;
        origin.source = shown;
        origin.first_line = number;
        const source_text row(line, origin);
        // The cells: the text between commas (outside brackets in a row of values), from a
        // tolerant lexer: a cell's stray character is that cell's error, found when it is read.
        const comma_parts split = split_at_commas(row, 0, line.size(), !cols.empty());
        if (split.unclosed)
            fail_in_file(shown, number, row.locate(split.unclosed->begin).column,
                         "data: '" + std::string(1, split.unclosed->symbol) + "' is never closed");
        const auto& cells = split.parts; // byte ranges
        auto column_of = [&](std::size_t k) {
            const std::size_t b = line.find_first_not_of(" \t", cells[k].first);
            return row.locate(std::min(b, cells[k].second)).column;
        };
        auto cell_text = [&](std::size_t k) {
            const auto [b, e] = cells[k];
            const std::string cell = line.substr(b, e - b);
            const std::size_t first = cell.find_first_not_of(" \t");
            if (first == std::string::npos)
                return std::string();
            return cell.substr(first, cell.find_last_not_of(" \t") - first + 1);
        };
        if (cols.empty()) {
            // The header: names between commas.
            for (std::size_t k = 0; k < cells.size(); ++k) {
                const std::string name = cell_text(k);
                const std::size_t column = column_of(k);
                if (name.empty())
                    fail_in_file(shown, number, column,
                                 "data: the header's " + column_text(k) + " has no name");
                if (!is_valid_symbol_name(name))
                    fail_in_file(shown, number, column,
                                 "data: the header's " + column_text(k) +
                                     " is not a valid name (a letter or '_', then letters, "
                                     "digits and '_')");
                for (std::size_t j = 0; j < cols.size(); ++j)
                    if (cols[j].first == name)
                        fail_in_file(shown, number, column,
                                     "data: the header's " + column_text(k) +
                                         " has the name of its " + column_text(j));
                cols.emplace_back(name, std::vector<ex>{});
            }
            continue;
        }
        if (cells.size() != cols.size())
            fail_in_file(shown, number, 1,
                         "data: the row has " + std::to_string(cells.size()) +
                             " values but the header names " + std::to_string(cols.size()) +
                             " columns");
        for (std::size_t k = 0; k < cells.size(); ++k) {
            const std::size_t column = column_of(k);
            const std::string where = "data: the value in " + column_text(k);
            if (cell_text(k).empty())
                fail_in_file(shown, number, column, where + " is empty");
            ex v;
            try {
                parse_options o;
                static_cast<text_origin&>(o) = origin;
                v = read_tensor_expression(row, cells[k].first, cells[k].second, {}, o).value;
            } catch (const error&) {
                fail_in_file(shown, number, column, where + " is not a number");
            }
            const GiNaC::exvector parts =
                is_tensor(v) ? entries(GiNaC::ex_to<GiNaC::matrix>(v)) : GiNaC::exvector{v};
            for (const auto& part : parts)
                if (!GiNaC::is_a<GiNaC::numeric>(part.evalf()))
                    fail_in_file(shown, number, column, where + " is not a number");
            cols[k].second.push_back(v);
        }
    }
    return cols;
}

} // namespace

void read_data(problem_state& state, const statement_source& s, std::size_t offset,
               problem_report& report) {
    // New data replace the earlier rows (one file may work through several data sets).
    const std::size_t replaced = state.rows.size();
    state.rows.clear();
    columns cols;
    std::vector<std::pair<std::size_t, std::size_t>> where; // (line index, offset) per column
    bool from_file = false; // a data file's text is never shown in messages
    const std::string& first = s.lines.front().text;
    statement_reader head(s, 0, offset);
    if (head.peek().kind == token_kind::string) {
        const token file = head.take();
        head.expect_end();
        cols = read_csv(state, s, file.begin,
                        std::string(first.substr(file.begin + 1, file.end - file.begin - 2)));
        where.assign(cols.size(), {0, file.begin});
        from_file = true;
    } else {
        for (std::size_t li = 0; li < s.lines.size(); ++li) {
            statement_reader r(s, li, li == 0 ? offset : 0);
            const token name_token = r.take();
            if (name_token.kind != token_kind::name || !r.lex().at(token_kind::equals))
                r.fail(name_token.begin, "data: expected NAME = value, value, ...");
            const std::string name(r.lex().text_of(name_token));
            for (const auto& earlier : cols)
                if (earlier.first == name)
                    r.fail(name_token, "data: " + name + " is given twice");
            r.take(); // '='
            if (const auto open = split_at_commas(r.lex().source(), r.peek().begin).unclosed)
                r.fail(open->begin, "data: '" + std::string(1, open->symbol) + "' is never closed");
            std::vector<ex> values;
            for (;;) {
                if (r.at_end() || r.lex().at(token_kind::comma))
                    r.fail(r.peek().begin, "data: empty value");
                values.push_back(read_expression_prefix(r.lex(), tensor_names{}).value);
                if (!r.lex().at(token_kind::comma))
                    break;
                r.take();
            }
            r.expect_end();
            cols.emplace_back(name, values);
            where.emplace_back(li, name_token.begin);
        }
    }
    // Match columns to declared inputs and labels; vector inputs take vector values or a
    // column per component (x_1, x_2).
    std::vector<declared_name> wanted = state.inputs;
    wanted.insert(wanted.end(), state.labels.begin(), state.labels.end());
    std::size_t count = std::string::npos;
    std::map<std::string, std::vector<ex>> by_symbol;
    for (std::size_t k = 0; k < cols.size(); ++k) {
        const auto& [name, values] = cols[k];
        statement_source here{s.file, {s.lines[where[k].first]}, {}};
        auto decl =
            std::find_if(wanted.begin(), wanted.end(),
                         [&column = name](const declared_name& d) { return d.name == column; });
        bool component = false;
        for (const auto& d : wanted)
            if (is_tensor(d.value))
                for (const auto& e : entries(GiNaC::ex_to<GiNaC::matrix>(d.value)))
                    component = component || symbol_name(e) == name;
        if (decl == wanted.end() && !component) {
            std::vector<std::string> names;
            for (const auto& d : wanted)
                names.push_back(d.name);
            if (from_file) {
                std::string list;
                for (const auto& d : names)
                    list += (list.empty() ? "" : ", ") + d;
                here.fail(where[k].second,
                          "data: the name of the file's " + column_text(k) +
                              " is not a declared input or label (declared: " + list + ")",
                          first.find('"', where[k].second + 1) - where[k].second + 1);
            }
            here.fail(where[k].second,
                      "data: '" + name + "' is not a declared input or label" +
                          did_you_mean(name, names),
                      std::max<std::size_t>(name.size(), 1));
        }
        if (count != std::string::npos && values.size() != count)
            here.fail(where[k].second, "data: column " + name + " has " +
                                           std::to_string(values.size()) + " values, the one " +
                                           "before has " + std::to_string(count));
        count = values.size();
        if (component || !is_tensor(decl->value)) {
            for (const auto& v : values)
                if (is_tensor(v))
                    here.fail(where[k].second, "data: " + name + " is a scalar but a value is a " +
                                                   shape_description(v));
            by_symbol[name] = values;
            continue;
        }
        const auto symbols = entries(GiNaC::ex_to<GiNaC::matrix>(decl->value));
        for (std::size_t r = 0; r < values.size(); ++r) {
            if (!is_tensor(values[r]) ||
                entries(GiNaC::ex_to<GiNaC::matrix>(values[r])).size() != symbols.size())
                here.fail(where[k].second, "data: row " + std::to_string(r + 1) + ": " + name +
                                               " needs " + std::to_string(symbols.size()) +
                                               " components, got a " +
                                               shape_description(values[r]));
            const auto parts = entries(GiNaC::ex_to<GiNaC::matrix>(values[r]));
            for (std::size_t c = 0; c < symbols.size(); ++c)
                by_symbol[symbol_name(symbols[c])].push_back(parts[c]);
        }
    }
    std::vector<ex> all = state.input_symbols;
    all.insert(all.end(), state.label_symbols.begin(), state.label_symbols.end());
    for (const auto& sym : all)
        if (!by_symbol.count(symbol_name(sym)))
            s.fail(offset, "data: no values for " + symbol_name(sym));
    const std::size_t n = count == std::string::npos ? 0 : count;
    state.rows.assign(n, GiNaC::exmap{});
    for (const auto& sym : all) {
        const auto& values = by_symbol[symbol_name(sym)];
        for (std::size_t r = 0; r < n; ++r) {
            if (!GiNaC::is_a<GiNaC::numeric>(values[r].evalf()))
                s.fail(offset, "data: row " + std::to_string(r + 1) + ": " + symbol_name(sym) +
                                   " = " + to_text(values[r]) + " is not a number");
            state.rows[r][sym] = values[r];
        }
    }
    // Labels must be among their classes.
    for (const auto& d : state.labels) {
        if (d.classes.empty())
            continue;
        const auto symbols = is_tensor(d.value) ? entries(GiNaC::ex_to<GiNaC::matrix>(d.value))
                                                : GiNaC::exvector{d.value};
        for (std::size_t r = 0; r < n; ++r)
            for (const auto& sym : symbols) {
                const ex v = state.rows[r][sym];
                const bool ok = std::any_of(d.classes.begin(), d.classes.end(),
                                            [&](const ex& c) { return (v - c).is_zero(); });
                if (!ok) {
                    std::string list;
                    for (const auto& c : d.classes)
                        list += (list.empty() ? "" : ", ") + to_text(c);
                    s.fail(offset, "data: row " + std::to_string(r + 1) + ": label " +
                                       symbol_name(sym) + (from_file ? "" : " = " + to_text(v)) +
                                       " is not one of {" + list + "}");
                }
            }
    }
    report.text(
        std::to_string(n) + (n == 1 ? " row" : " rows") +
        (replaced ? " (in place of the " + std::to_string(replaced) + " given before)" : ""));
}

} // namespace symgrad
