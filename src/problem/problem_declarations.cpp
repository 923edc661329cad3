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
#include <filesystem>
#include <sstream>

namespace symgrad {

using GiNaC::ex;

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t';
}
bool is_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

std::size_t skip_spaces(const std::string& t, std::size_t i) {
    while (i < t.size() && is_space(t[i]))
        ++i;
    return i;
}

/// Split @p text at commas that are outside brackets; returns (offset, piece) pairs. The offset
/// of a bracket that is never closed goes to @p unclosed (npos when all are closed).
std::vector<std::pair<std::size_t, std::string>>
split_top_level(const std::string& text, std::size_t base, std::size_t& unclosed) {
    std::vector<std::pair<std::size_t, std::string>> out;
    std::vector<std::size_t> open; // offsets of the brackets not closed yet
    std::size_t start = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        const char c = i < text.size() ? text[i] : ',';
        if (c == '(' || c == '[' || c == '{')
            open.push_back(i);
        else if ((c == ')' || c == ']' || c == '}') && !open.empty())
            open.pop_back();
        else if (c == ',' && (open.empty() || i == text.size())) {
            out.emplace_back(base + start, text.substr(start, i - start));
            start = i + 1;
        }
    }
    unclosed = open.empty() ? std::string::npos : base + open.front();
    return out;
}

bool blank(const std::string& s) {
    return s.find_first_not_of(" \t") == std::string::npos;
}

/// A real number from a data value; parse_error naming the place otherwise.
ex number_at(const statement_source& s, std::size_t line_index, std::size_t offset,
             const std::string& text) {
    statement_source one{s.file, {s.lines[line_index]}, {}};
    const ex v = evaluate_tensor_expression(text, tensor_names{}, one.options_at(offset));
    return v;
}

struct item {
    std::string name;
    std::size_t offset;
    std::size_t rows = 0, cols = 0; // 0 x 0: a scalar
    bool vector = false;            // declared [N]: entries name_1 ... name_N
};

} // namespace

void declare_names(problem_state& state, const statement_source& s, const std::string& keyword,
                   std::size_t offset, problem_report&) {
    if (s.lines.size() > 1)
        s.fail(offset, keyword + ": a declaration takes one line");
    const std::string& t = s.lines.front().text;
    std::vector<item> items;
    std::size_t i = skip_spaces(t, offset);
    std::size_t init_at = std::string::npos, classes_at = std::string::npos;
    while (i < t.size()) {
        if (t[i] == ',') {
            i = skip_spaces(t, i + 1);
            continue;
        }
        if (t[i] == '=') {
            init_at = i + 1;
            break;
        }
        const std::size_t b = i;
        while (i < t.size() && is_name_char(t[i]))
            ++i;
        const std::string name = t.substr(b, i - b);
        if (name.empty())
            s.fail(b, keyword + ": expected a name, got '" + std::string(1, t[b]) + "'");
        if (name == "in" && keyword == "labels") {
            classes_at = i;
            break;
        }
        if (!is_valid_symbol_name(name))
            s.fail(b, "'" + name + "' is not a valid name", name.size());
        item it{name, b};
        if (i < t.size() && t[i] == '[') {
            const std::size_t close = t.find(']', i);
            if (close == std::string::npos)
                s.fail(i, "'[' is never closed");
            std::string shape = t.substr(i + 1, close - i - 1);
            std::replace(shape.begin(), shape.end(), ',', 'x');
            std::replace(shape.begin(), shape.end(), 'X', 'x');
            std::size_t r = 0, c = 0;
            char sep = 0;
            std::istringstream ss(shape);
            if (!(ss >> r) || r == 0)
                s.fail(i, "a shape is [N] or [R x C] with positive sizes", close - i + 1);
            if (ss >> sep) {
                if (sep != 'x' || !(ss >> c) || c == 0)
                    s.fail(i, "a shape is [N] or [R x C] with positive sizes", close - i + 1);
            } else {
                c = r; // [N]: a row vector 1 x N
                r = 1;
                it.vector = true;
            }
            it.rows = r;
            it.cols = c;
            i = close + 1;
        }
        if (state.is_defined(name))
            s.fail(b, "'" + name + "' is already declared or defined", name.size());
        items.push_back(it);
        i = skip_spaces(t, i);
    }
    if (items.empty())
        s.fail(offset, keyword + ": name at least one " + keyword.substr(0, keyword.size() - 1));

    std::vector<ex> classes;
    if (classes_at != std::string::npos) {
        const ex v = number_at(s, 0, classes_at, t.substr(classes_at));
        const GiNaC::exvector list =
            is_tensor(v) ? entries(GiNaC::ex_to<GiNaC::matrix>(v)) : GiNaC::exvector{v};
        for (const auto& c : list) {
            if (!GiNaC::is_a<GiNaC::numeric>(c))
                s.fail(classes_at, "labels: the classes must be numbers, as in {0, 1}");
            classes.push_back(c);
        }
    }
    ex init = 0;
    bool has_init = false;
    if (init_at != std::string::npos) {
        if (keyword != "weights")
            s.fail(init_at - 1, keyword + " take their values from the data, not from '='");
        if (blank(t.substr(init_at)))
            s.fail(init_at - 1, "missing value after '='");
        init = number_at(s, 0, init_at, t.substr(init_at));
        has_init = true;
    }

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
            declared_name{it.name, value, classes, classes.empty() ? nullptr : &s,
                          classes_at == std::string::npos ? 0 : skip_spaces(t, classes_at)});
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
        if (cols.empty()) {
            // The header: names between commas (brackets have no place in a name).
            std::vector<std::pair<std::size_t, std::string>> cells;
            for (std::size_t start = 0;;) {
                const std::size_t comma = std::min(line.find(',', start), line.size());
                cells.emplace_back(start, line.substr(start, comma - start));
                if (comma == line.size())
                    break;
                start = comma + 1;
            }
            for (std::size_t k = 0; k < cells.size(); ++k) {
                const std::string& cell = cells[k].second;
                const std::size_t b = cell.find_first_not_of(" \t");
                const std::size_t e = cell.find_last_not_of(" \t");
                const std::string name = b == std::string::npos ? "" : cell.substr(b, e - b + 1);
                const std::size_t column = cells[k].first + (b == std::string::npos ? 0 : b) + 1;
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
        std::size_t unclosed = 0;
        const auto cells = split_top_level(line, 0, unclosed);
        if (unclosed != std::string::npos)
            fail_in_file(shown, number, unclosed + 1,
                         "data: '" + std::string(1, line[unclosed]) + "' is never closed");
        if (cells.size() != cols.size())
            fail_in_file(shown, number, 1,
                         "data: the row has " + std::to_string(cells.size()) +
                             " values but the header names " + std::to_string(cols.size()) +
                             " columns");
        for (std::size_t k = 0; k < cells.size(); ++k) {
            const std::size_t column = cells[k].first + 1;
            const std::string where = "data: the value in " + column_text(k);
            if (blank(cells[k].second))
                fail_in_file(shown, number, column, where + " is empty");
            parse_options o;
            o.source = shown;
            o.first_line = number;
            o.first_column = column;
            ex v;
            try {
                v = evaluate_tensor_expression(cells[k].second, {}, o);
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
    const std::size_t q = skip_spaces(first, offset);
    if (q < first.size() && first[q] == '"') {
        const std::size_t close = first.find('"', q + 1);
        if (close == std::string::npos)
            s.fail(q, "data: the file name's quote is never closed");
        cols = read_csv(state, s, q, first.substr(q + 1, close - q - 1));
        where.assign(cols.size(), {0, q});
        from_file = true;
    } else {
        for (std::size_t li = 0; li < s.lines.size(); ++li) {
            const std::string& t = s.lines[li].text;
            const std::size_t b = skip_spaces(t, li == 0 ? offset : 0);
            const std::size_t eq = t.find('=', b);
            statement_source here{s.file, {s.lines[li]}, {}};
            if (eq == std::string::npos)
                here.fail(b, "data: expected NAME = value, value, ...");
            std::string name = t.substr(b, eq - b);
            while (!name.empty() && is_space(name.back()))
                name.pop_back();
            for (const auto& earlier : cols)
                if (earlier.first == name)
                    here.fail(b, "data: " + name + " is given twice",
                              std::max<std::size_t>(name.size(), 1));
            std::vector<ex> values;
            std::size_t unclosed = 0;
            const auto pieces = split_top_level(t.substr(eq + 1), eq + 1, unclosed);
            if (unclosed != std::string::npos)
                here.fail(unclosed, "data: '" + std::string(1, t[unclosed]) + "' is never closed");
            for (const auto& [at, piece] : pieces) {
                if (blank(piece))
                    here.fail(at, "data: empty value");
                values.push_back(number_at(s, li, at, piece));
            }
            cols.emplace_back(name, values);
            where.emplace_back(li, b);
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
