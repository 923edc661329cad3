// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// Problem files: running the statements (definitions, show, check, expect) in order.
#include "symgrad/problem/problem.hpp"

#include "statements.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/functions.hpp"
#include "symgrad/core/printers.hpp"
#include "symgrad/core/size_limits.hpp"
#include "symgrad/core/spelling.hpp"
#include "symgrad/core/substitute.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/core/tensor.hpp"
#include "symgrad/program/gradient_program.hpp"
#include "symgrad/program/program_evaluate.hpp"
#include "symgrad/program/program_printer.hpp"
#include "symgrad/simplify/simplify.hpp"
#include "symgrad/text/derivation_text.hpp"
#include "symgrad/verify/derivation.hpp"
#include "symgrad/verify/verify.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <sstream>

namespace symgrad {

using GiNaC::ex;

GiNaC::ex problem_state::objective() const {
    if (direct_objective)
        return *direct_objective;
    if (!loss)
        throw invalid_input("L: no objective yet; define loss = ... (or L = ...) first");
    if (rows.empty())
        return *loss;
    GiNaC::exvector terms;
    for (const auto& row : rows)
        terms.push_back(substitute(*loss, row));
    const ex total = sum_of(terms);
    return mean ? total / static_cast<long>(rows.size()) : total;
}

/// The names a statement sees: the problem's, and L for the objective. They are looked up in
/// the problem's map, not copied: a file of n definitions reads in time linear in n.
tensor_names names_in(const problem_state& state, bool allow_new_symbols) {
    tensor_names names;
    names.more_values = &state.names.values;
    names.allow_new_symbols = allow_new_symbols;
    names.declaration_hint = [](const std::string& name) {
        // Inputs are x, X, x1, ...; labels y, t, target; anything else most likely a weight.
        const char c = name.empty() ? 'w' : name[0];
        const char* kind = (c == 'x' || c == 'X')                                      ? "inputs"
                           : (c == 'y' || c == 'Y' || name == "t" || name == "target") ? "labels"
                                                                                       : "weights";
        return "declare it with '" + std::string(kind) + " " + name +
               "' (or inputs, labels, weights), or define it with '" + name + " = ...' above";
    };
    if ((state.loss || state.direct_objective) && !state.names.values.count("L"))
        names.values["L"] = state.objective();
    return names;
}

namespace {

/// format_value with the work of earlier values kept (several values over shared parts).
std::string format_value_in(const ex& value, long digits, numeric_evaluation& numbers) {
    if (is_tensor(value)) {
        const auto& m = GiNaC::ex_to<GiNaC::matrix>(value);
        std::string out = m.rows() == 1 ? "" : "[";
        for (unsigned i = 0; i < m.rows(); ++i) {
            out += i ? ", [" : "[";
            for (unsigned j = 0; j < m.cols(); ++j)
                out += (j ? ", " : "") + format_value_in(m(i, j), digits, numbers);
            out += "]";
        }
        return out + (m.rows() == 1 ? "" : "]");
    }
    if (GiNaC::is_a<GiNaC::numeric>(value) && value.info(GiNaC::info_flags::rational))
        return to_text(value);
    // A real constant is printed to its digits. Not decided by evalf(): it walks the value as a
    // tree, and a deep network's exact value shares its layers (exponential as a tree).
    if (numbers.real_constant(value))
        return format_number(numbers(value, {}, digits), digits);
    return to_text(value);
}

} // namespace

std::string format_value(const ex& value, long digits) {
    numeric_evaluation numbers;
    return format_value_in(value, digits, numbers);
}

namespace {

bool blank(const std::string& s) {
    return s.find_first_not_of(" \t") == std::string::npos;
}

std::string trimmed(const std::string& t, std::size_t b, std::size_t e) {
    b = t.find_first_not_of(" \t", b);
    if (b == std::string::npos || b >= e)
        return "";
    std::size_t last = t.find_last_not_of(" \t", e - 1);
    return t.substr(b, last - b + 1);
}

class runner {
public:
    runner(const problem_source& src, problem_report& report, const problem_options& options)
        : src_(src), report_(report), options_(options) {
        state_.file = src.file;
        state_.paths = options.paths;
        state_.files_read = {src.file};
    }

    problem_outcome run() {
        report_.begin_file(src_.file, src_.header_comments);
        for (const auto& s : src_.statements) {
            if (!s.notes.empty())
                report_.note(s.notes);
            report_.statement(s.lines.front().number, s.text());
            execute(s);
        }
        if (!src_.trailing_comments.empty())
            report_.note(src_.trailing_comments);
        report_.end_file(outcome_.expectations, outcome_.failures.size());
        outcome_.files_read = state_.files_read;
        return outcome_;
    }

private:
    using handler = void (runner::*)(const statement_source&, const std::string&, std::size_t);

    /// The statements, by their first word. Each keyword is one only at the start of a
    /// statement and not before a single '=': "show = 2*x" defines a name show.
    static const std::map<std::string, handler, std::less<>>& statements() {
        static const std::map<std::string, handler, std::less<>> table{
            {"weights", &runner::declare},     {"inputs", &runner::declare},
            {"labels", &runner::declare},      {"data", &runner::data},
            {"objective", &runner::objective}, {"show", &runner::show},
            {"check", &runner::check},         {"expect", &runner::expect},
            {"train", &runner::train},         {"set", &runner::set_weights},
            {"reset", &runner::set_weights},   {"derive", &runner::derive}};
        return table;
    }

    void execute(const statement_source& s) {
        statement_reader r(s, 0, 0);
        const token first = r.peek();
        const std::string kw =
            first.kind == token_kind::name ? std::string(r.lex().text_of(first)) : "";
        const std::size_t after = first.end;
        r.take();
        if (!kw.empty() && r.lex().at(token_kind::equals) && r.lex().text_of(r.peek()).size() == 1)
            return define(s, kw, r.peek().end);
        if (auto it = statements().find(kw); it != statements().end())
            return (this->*(it->second))(s, kw, after);
        std::string list;
        std::vector<std::string> keywords;
        for (const auto& entry : statements()) {
            keywords.push_back(entry.first);
            list += (list.empty() ? "" : ", ") + entry.first;
        }
        const std::string& t = s.lines.front().text;
        const std::size_t b = t.find_first_not_of(" \t");
        s.fail(b,
               "unknown statement '" + (kw.empty() ? t.substr(b, 1) : kw) + "'" +
                   did_you_mean(kw, keywords) + "; statements are " + list + ", and NAME = EXPR",
               std::max<std::size_t>(kw.size(), 1));
    }

    void data(const statement_source& s, const std::string&, std::size_t after) {
        read_data(state_, s, after, report_);
        if (state_.loss)
            check_row_labels(s, *state_.loss, skip(s.lines.front().text, after));
        refresh_objective();
    }

    void train(const statement_source& s, const std::string&, std::size_t after) {
        run_train(state_, s, after, report_, options_);
    }

    static std::size_t skip(const std::string& t, std::size_t i) {
        while (i < t.size() && (t[i] == ' ' || t[i] == '\t'))
            ++i;
        return i;
    }

    void declare(const statement_source& s, const std::string& kw, std::size_t after) {
        declare_names(state_, s, kw, after, report_);
    }

    void objective(const statement_source& s, const std::string&, std::size_t after) {
        statement_reader r(s, 0, after);
        if (!r.last_word("sum") && !r.last_word("mean"))
            s.fail(skip(s.lines.front().text, after), "objective: write 'objective sum' or "
                                                      "'objective mean'");
        state_.mean = r.at_word("mean");
        refresh_objective();
    }

    /// Classes declared for a label (labels y in {1, 2, 3}) that a cross-entropy of the loss
    /// does not have (over 3 classes it takes 0, 1, 2: they are 0-based) are an error at the
    /// declaration: otherwise class 3 would silently pick no class at all.
    void check_declared_classes(const statement_source& s, const ex& loss) const {
        const auto labels = class_labels(loss);
        for (const auto& d : state_.labels) {
            if (d.classes.empty() || !d.declared_at || is_tensor(d.value))
                continue;
            for (const auto& c : labels) {
                if (!c.label.has(d.value))
                    continue;
                for (const auto& k : d.classes) {
                    const ex v = c.label.subs(GiNaC::exmap{{d.value, k}});
                    if (!GiNaC::is_a<GiNaC::numeric>(v) ||
                        (GiNaC::is_exactly_a<GiNaC::numeric>(v) &&
                         v.info(GiNaC::info_flags::nonnegint) &&
                         GiNaC::ex_to<GiNaC::numeric>(v) <
                             GiNaC::numeric(static_cast<long>(c.classes))))
                        continue;
                    std::string list;
                    for (const auto& x : d.classes)
                        list += (list.empty() ? "" : ", ") + to_text(x);
                    std::string zero_based;
                    for (std::size_t j = 0; j < c.classes; ++j)
                        zero_based += (j ? ", " : "") + std::to_string(j);
                    const std::string what =
                        c.label.is_equal(d.value) ? d.name : "the label " + to_text(c.label);
                    const std::string& line = d.declared_at->lines.front().text;
                    const std::size_t close = line.find('}', d.classes_offset);
                    d.declared_at->fail(
                        d.classes_offset,
                        "labels: " + d.name + " in {" + list +
                            "}, but the cross-entropy of the "
                            "loss (line " +
                            std::to_string(s.lines.front().number) + ") has " +
                            std::to_string(c.classes) + " classes, numbered from 0: " + what +
                            " = " + to_text(v) + " is not one of them (write " + d.name + " in {" +
                            zero_based + "} for 0-based classes)",
                        close == std::string::npos ? 1 : close - d.classes_offset + 1);
                }
            }
        }
    }

    /// Every data row's labels must be classes of the loss's cross-entropies.
    void check_row_labels(const statement_source& s, const ex& loss, std::size_t at) const {
        for (std::size_t r = 0; r < state_.rows.size(); ++r) {
            try {
                check_class_labels(loss, state_.rows[r], "data row " + std::to_string(r + 1));
            } catch (const invalid_input& e) {
                s.fail(at, e.what());
            }
        }
    }

    void refresh_objective() {
        if (state_.loss || state_.direct_objective)
            state_.names.values["L"] = state_.objective();
    }

    void define(const statement_source& s, const std::string& name, std::size_t at) {
        const std::string& t = s.lines.front().text;
        if (s.lines.size() > 1)
            s.fail(at, "a definition takes one line");
        if (blank(t.substr(at)))
            s.fail(at - 1, "missing expression after '='");
        const bool declared = name != "L" && name != "loss" && state_.names.values.count(name) != 0;
        if (declared && is_declared(name))
            s.fail(t.find(name),
                   "'" + name +
                       "' is declared; choose another name for the "
                       "definition",
                   name.size());
        statement_reader r(s, 0, at);
        const ex value = r.expression(state_).value.value;
        r.expect_end();
        if (name == "loss") {
            if (is_tensor(value))
                s.fail(at, "loss: the per-sample loss must be a scalar, got a " +
                               shape_description(value) + " (use sum() or mean())");
            check_declared_classes(s, value);
            check_row_labels(s, value, at);
            state_.loss = value;
            state_.names.values["loss"] = value;
            state_.direct_objective.reset();
            refresh_objective();
            return;
        }
        if (name == "L") {
            state_.direct_objective = value;
            refresh_objective();
            return;
        }
        state_.names.values[name] = value;
    }

    /// reset: the weights go back to their declared starts; set NAME = VALUE, ...: new values.
    void set_weights(const statement_source& s, const std::string& kw, std::size_t after) {
        const std::string& t = s.lines.front().text;
        statement_reader r(s, 0, after);
        if (kw == "reset") {
            if (!r.at_end())
                s.fail(skip(t, after), "reset takes nothing: it returns every weight to its "
                                       "declared start");
            state_.weight_values = state_.initial_weights;
        } else {
            if (r.at_end())
                s.fail(after, "set: write set NAME = VALUE, ... (weights only)");
            const GiNaC::exmap p = point(s, r);
            for (const auto& [symbol, value] : p) {
                const bool weight =
                    std::any_of(state_.weight_symbols.begin(), state_.weight_symbols.end(),
                                [&named = symbol](const ex& w) { return w.is_equal(named); });
                if (!weight)
                    s.fail(skip(t, after), "set: " + symbol_name(symbol) +
                                               " is not a weight (set changes weights only)");
                state_.weight_values[symbol] = value;
            }
        }
        std::vector<std::pair<std::string, std::string>> rows;
        for (const auto& w : state_.weight_symbols)
            rows.emplace_back(symbol_name(w),
                              format_value(state_.weight_values[w], options_.digits));
        report_.values(rows);
    }

    bool is_declared(const std::string& name) const {
        for (const auto* list : {&state_.weights, &state_.inputs, &state_.labels})
            for (const auto& d : *list)
                if (d.name == name)
                    return true;
        return false;
    }

    /// "at weights" or "at NAME = VALUE, ...": a point, starting from the current weights.
    GiNaC::exmap point(const statement_source& s, statement_reader& r) {
        const std::size_t start = r.peek().begin;
        GiNaC::exmap p = state_.weight_values;
        if (r.last_word("weights"))
            return p;
        for (;;) {
            assign(r, p);
            if (!r.lex().at(token_kind::comma))
                break;
            r.take();
        }
        r.expect_end();
        // A label given a value that is not a class of the loss's cross-entropy (at y = 3 over
        // three classes) would make the loss pick no class at all.
        if (state_.loss) {
            try {
                check_class_labels(*state_.loss, p, "at");
            } catch (const invalid_input& e) {
                s.fail(start, e.what());
            }
        }
        return p;
    }

    void assign(statement_reader& r, GiNaC::exmap& p) {
        const token name_token = r.peek();
        if (name_token.kind != token_kind::name) {
            r.fail(name_token.begin, "expected NAME = VALUE (or 'at weights')");
        }
        r.take();
        if (!r.lex().at(token_kind::equals) || r.lex().text_of(r.peek()).size() != 1)
            r.fail(name_token.begin, "expected NAME = VALUE (or 'at weights')");
        const token equals = r.take();
        const std::string name(r.lex().text_of(name_token));
        auto it = state_.names.values.find(name);
        if (it == state_.names.values.end()) {
            std::vector<std::string> names;
            for (const auto& kv : state_.names.values)
                names.push_back(kv.first);
            r.fail(name_token, "undefined name '" + name + "'" + did_you_mean(name, names));
        }
        if (r.at_end() || r.lex().at(token_kind::comma))
            r.fail(equals.begin, "missing value after '='");
        const ex value = r.expression(state_).value.value;
        const ex& target = it->second;
        if (is_tensor(target) != is_tensor(value) ||
            (is_tensor(target) && shape_description(target) != shape_description(value)))
            r.fail(equals.end, name + " is a " + shape_description(target) +
                                   " but the value is a " + shape_description(value));
        if (is_tensor(target)) {
            const auto names = entries(GiNaC::ex_to<GiNaC::matrix>(target));
            const auto values = entries(GiNaC::ex_to<GiNaC::matrix>(value));
            for (std::size_t k = 0; k < names.size(); ++k)
                p[names[k]] = values[k];
        } else {
            if (!GiNaC::is_a<GiNaC::symbol>(target))
                r.fail(name_token, "'" + name + "' is a definition, not a variable");
            p[target] = value;
        }
    }

    ex at_point(const statement_source& s, const ex& e, const GiNaC::exmap& p, std::size_t at) {
        try {
            if (is_tensor(e))
                return elementwise(GiNaC::ex_to<GiNaC::matrix>(e),
                                   [&](const ex& x) { return evaluate_exact(x, p, "at"); });
            return evaluate_exact(e, p, "at");
        } catch (const parse_error&) {
            throw;
        } catch (const error& x) {
            s.fail(at, x.what());
        }
    }

    /// LaTeX for a statement's label: diff(E, v) as a partial derivative, else typewriter text.
    static std::string label_latex(const std::string& text) {
        if (text.rfind("diff(", 0) == 0 && text.back() == ')') {
            const std::size_t comma = text.find(',');
            if (comma != std::string::npos && text.find(',', comma + 1) == std::string::npos) {
                const std::string f = trimmed(text, 5, comma);
                const std::string v = trimmed(text, comma + 1, text.size() - 1);
                if (is_valid_symbol_name(f) && is_valid_symbol_name(v))
                    return "\\frac{\\partial " + tex_name(f) + "}{\\partial " + tex_name(v) + "}";
            }
        }
        std::string escaped;
        for (char c : text) {
            if (c == '_' || c == '{' || c == '}' || c == '^' || c == '#' || c == '%' || c == '&')
                escaped += '\\';
            escaped += c;
        }
        return "\\texttt{" + escaped + "}";
    }

    ex present(const ex& e) const {
        if (is_tensor(e))
            return elementwise(GiNaC::ex_to<GiNaC::matrix>(e),
                               [](const ex& x) { return simplify(x); });
        return simplify(e);
    }

    void show(const statement_source& s, const std::string&, std::size_t after) {
        const std::string& t = s.lines.front().text;
        const std::size_t b = skip(t, after);
        statement_reader r(s, 0, after);
        if (r.last_word("program"))
            return show_program(s);
        if (r.at_end())
            s.fail(b, "show: what? (an expression, grad(EXPR) or program)");
        if (r.word_then("grad", token_kind::open)) {
            const token grad = r.take();
            const token open = r.take();
            if (open.symbol != '(')
                r.fail(open, "grad: write grad(EXPR)");
            const ex e = r.expression(state_).value.value;
            if (!r.lex().at(token_kind::close, ')'))
                r.lex().at(token_kind::end) ? r.fail(open, "'(' is never closed") : r.expect_end();
            r.take();
            const std::string text = r.text(grad.begin, r.lex().last_end());
            const bool at = r.at_word("at");
            if (at)
                r.take();
            else
                r.expect_end();
            return show_gradient(s, r, text, e, at);
        }
        const auto e = r.expression(state_);
        const std::string text = r.text(e.begin, e.end);
        if (!r.at_word("at")) {
            r.expect_end();
            ex shown;
            try {
                shown = present(e.value.value);
            } catch (const size_limit_error& x) {
                s.fail(e.begin, x.what(), e.end - e.begin); // a formula too deep to print
            }
            report_.formula(text, label_latex(text), shown);
            return;
        }
        r.take();
        const std::size_t at = r.peek().begin;
        const ex v = at_point(s, e.value.value, point(s, r), at);
        report_.values({{text, format_value(v, options_.digits)}});
    }

    void show_gradient(const statement_source& s, statement_reader& r, const std::string& text,
                       const ex& e, bool at) {
        if (is_tensor(e))
            s.fail(s.lines.front().text.find(text),
                   "grad: the expression must be a scalar, got a " + shape_description(e));
        if (state_.weight_symbols.empty())
            s.fail(s.lines.front().text.find(text), "grad: no weights are declared");
        std::vector<std::pair<std::string, std::string>> rows;
        if (!at) {
            try {
                check_nesting_depth(e, "grad"); // GiNaC's diff() recurses
            } catch (const size_limit_error& x) {
                s.fail(s.lines.front().text.find(text), x.what(), text.size());
            }
            // The function differentiated in the numerator: its name (grad(L): dL/dw1), or the
            // expression itself in parentheses.
            const std::string f = text.substr(5, text.size() - 6);
            const std::string name = trimmed(f, 0, f.size());
            const bool named = is_valid_symbol_name(name);
            for (const auto& w : state_.weight_symbols)
                report_.formula("d/d" + symbol_name(w),
                                named ? "\\frac{\\partial " + tex_name(name) + "}{\\partial " +
                                            to_latex(w) + "}"
                                      : "\\frac{\\partial}{\\partial " + to_latex(w) + "}\\left(" +
                                            to_latex(e) + "\\right)",
                                present(e.diff(GiNaC::ex_to<GiNaC::symbol>(w))));
            return;
        }
        const std::size_t where = r.peek().begin;
        const GiNaC::exmap p = point(s, r);
        // By reverse accumulation over the expression's graph: GiNaC's diff() walks it as a
        // tree, exponential in an MLP's depth (a 4-layer, 8-wide one took 26 s).
        program_values values;
        try {
            if (auto missing = unbound_names(e, p); !missing.empty())
                throw unbound_symbols("at", std::move(missing));
            // The inputs and labels it has: L over data rows has none left.
            const std::vector<ex> used = free_symbols(e);
            auto in_e = [&](const ex& x) {
                return std::any_of(used.begin(), used.end(),
                                   [&](const ex& u) { return u.is_equal(x); });
            };
            program_options o;
            std::copy_if(state_.input_symbols.begin(), state_.input_symbols.end(),
                         std::back_inserter(o.inputs), in_e);
            std::copy_if(state_.label_symbols.begin(), state_.label_symbols.end(),
                         std::back_inserter(o.labels), in_e);
            values = evaluate_program_exact(gradient_program(e, state_.weight_symbols, o), p);
        } catch (const parse_error&) {
            throw;
        } catch (const error& x) {
            s.fail(where, x.what());
        }
        numeric_evaluation numbers;
        for (std::size_t i = 0; i < state_.weight_symbols.size(); ++i)
            rows.emplace_back("d/d" + symbol_name(state_.weight_symbols[i]),
                              format_value_in(values.gradient[i], options_.digits, numbers));
        report_.values(rows);
    }

    void show_program(const statement_source& s) {
        if (!state_.loss && !state_.direct_objective)
            s.fail(s.lines.front().text.find("program"),
                   "show program: define loss = ... (or "
                   "L = ...) first",
                   7);
        program_options o;
        o.inputs = state_.input_symbols;
        o.labels = state_.label_symbols;
        o.loss_name = state_.loss ? "loss" : "L";
        // The file's own definitions name the program's intermediate values (z0, h, o...).
        for (const auto& [name, value] : state_.names.values) {
            if (name == "L" || name == "loss" || is_declared(name))
                continue;
            if (!is_tensor(value)) {
                if (!GiNaC::is_a<GiNaC::symbol>(value) && !GiNaC::is_a<GiNaC::numeric>(value))
                    o.names.push_back({value, name});
                continue;
            }
            const auto& m = GiNaC::ex_to<GiNaC::matrix>(value);
            for (unsigned i = 0; i < m.rows(); ++i)
                for (unsigned j = 0; j < m.cols(); ++j) {
                    const ex& e = m(i, j);
                    if (GiNaC::is_a<GiNaC::symbol>(e) || GiNaC::is_a<GiNaC::numeric>(e))
                        continue;
                    const std::string index = m.rows() == 1 ? std::to_string(j + 1)
                                              : m.cols() == 1
                                                  ? std::to_string(i + 1)
                                                  : std::to_string(i + 1) + std::to_string(j + 1);
                    o.names.push_back({e, name + "_" + index});
                }
        }
        const gradient_program program(state_.loss ? *state_.loss : *state_.direct_objective,
                                       state_.weight_symbols, o);
        report_.text(program_text(program));
    }

    void check(const statement_source& s, const std::string&, std::size_t after) {
        const std::string& t = s.lines.front().text;
        statement_reader r(s, 0, after);
        auto usage = [&] {
            s.fail(skip(t, after), "check: write check LHS == RHS [expect proved|refuted|"
                                   "probably equal]");
        };
        if (r.at_end())
            usage();
        const auto lhs = r.expression(state_, true, true);
        if (!r.lex().at(token_kind::equals))
            r.at_end() ? usage() : r.expect_end();
        if (r.lex().text_of(r.peek()).size() != 2)
            r.fail(r.peek(), "check: compare with '==' (a single '=' defines a name)");
        r.take();
        const auto rhs = r.expression(state_, true, true);
        const bool expects = r.at_word("expect");
        if (!expects)
            r.expect_end();
        verify_result v;
        try {
            v = verify(lhs.value, rhs.value);
        } catch (const shape_error& e) {
            s.fail(skip(t, after), std::string("check: ") + e.what());
        }
        report_.text(format_text(v));
        note_free_names(s, lhs.begin, rhs.end);
        if (!expects)
            return;
        const std::size_t exp = r.take().begin;
        const std::string want = r.rest();
        if (want != "proved" && want != "refuted" && want != "probably equal" &&
            want != verdict_name(verdict::equal_where_defined))
            s.fail(exp + 6, "check: expect proved, refuted, probably equal or equal where both "
                            "are defined");
        ++outcome_.expectations;
        const std::string got(verdict_name(v.outcome));
        const bool passed = got == want;
        const std::string message = "expected " + want + ", got " + got;
        report_.outcome(passed, message);
        if (!passed)
            outcome_.failures.push_back(s.file + ":" + std::to_string(s.lines.front().number) +
                                        ": " + message);
    }

    /// derive [latex] [expect correct | expect wrong line N], then the derivation on the
    /// indented lines below: checked line by line as `check --derivation` does (its own names;
    /// line numbers are the problem file's).
    void derive(const statement_source& s, const std::string&, std::size_t after) {
        statement_reader r(s, 0, after);
        const bool latex = r.at_word("latex");
        if (latex)
            r.take();
        std::optional<std::size_t> want_line;
        bool expects = false;
        if (r.at_word("expect")) {
            r.take();
            expects = true;
            const token kind = r.peek();
            if (r.last_word("correct")) {
                r.take();
            } else if (r.word_then("wrong", token_kind::name)) {
                r.take();
                if (!r.at_word("line"))
                    r.fail(r.peek(), "derive: write expect wrong line N");
                r.take();
                const token n = r.take();
                const std::string digits = r.text(n.begin, n.end);
                if (n.kind != token_kind::number ||
                    digits.find_first_not_of("0123456789") != std::string::npos ||
                    digits.size() > 9)
                    r.fail(n, "derive: the line is a line number of this file");
                want_line = std::stoul(digits);
            } else {
                r.fail(kind, "derive: expect correct, or expect wrong line N");
            }
        }
        r.expect_end();
        if (s.lines.size() < 2)
            s.fail(0, "derive: write the derivation on the indented lines below 'derive'");
        // The derivation's text with the file's line numbers: blank lines stand for the
        // comment lines the statement leaves out.
        std::string text;
        std::size_t at_line = 1;
        for (std::size_t i = 1; i < s.lines.size(); ++i) {
            text.append(s.lines[i].number - at_line, '\n');
            at_line = s.lines[i].number;
            text += s.lines[i].text;
        }
        text += '\n';
        const derivation d = read_derivation(
            text, s.file, latex ? derivation_syntax::latex : derivation_syntax::symgrad);
        const derivation_report rep = check_derivation(d);
        report_.text(format_text(d, rep));
        if (!expects)
            return;
        ++outcome_.expectations;
        const std::optional<std::size_t> got =
            rep.first_wrong ? std::optional<std::size_t>(d.claims[*rep.first_wrong].line)
                            : std::nullopt;
        auto say = [](const std::optional<std::size_t>& l) {
            return l ? "the first wrong line " + std::to_string(*l) : std::string("no wrong line");
        };
        const bool passed = got == want_line && !d.claims.empty();
        const std::string message = "expected " + say(want_line) + ", got " + say(got);
        report_.outcome(passed, message);
        if (!passed)
            outcome_.failures.push_back(s.file + ":" + std::to_string(s.lines.front().number) +
                                        ": " + message);
    }

    /// A free variable in a check whose name is close to a declared one is most likely a typo
    /// (x_12 for x_2): say so, since the check takes it as an independent variable. The names
    /// are read from the text: a typo may vanish from the expression (diff(E, x_12) is 0).
    void note_free_names(const statement_source& s, std::size_t begin, std::size_t end) {
        std::vector<std::string> declared;
        for (const auto* list :
             {&state_.weight_symbols, &state_.input_symbols, &state_.label_symbols})
            for (const auto& sym : *list)
                declared.push_back(symbol_name(sym));
        if (declared.empty())
            return;
        std::set<std::string> free;
        const source_text line(s.lines.front().text, {});
        for (lexer names(line, begin, end); !names.at(token_kind::end);) {
            const token t = names.take();
            if (t.kind != token_kind::name || names.at(token_kind::open, '('))
                continue;
            const std::string name(names.text_of(t));
            if (!state_.is_defined(name) && name != "L" && name != "loss")
                free.insert(name);
        }
        // Only names with a declared one's stem (x_12 against x_1, x_2; not t1 against s1).
        auto stem = [](const std::string& n) {
            std::size_t k = 0;
            while (k < n.size() && std::isalpha(static_cast<unsigned char>(n[k])))
                ++k;
            return n.substr(0, k);
        };
        std::string notes;
        for (const auto& name : free) {
            std::vector<std::string> alike;
            for (const auto& d : declared)
                if (stem(d) == stem(name))
                    alike.push_back(d);
            if (const std::string hint = did_you_mean(name, alike); !hint.empty())
                notes += (notes.empty() ? "" : "\n") + ("note: " + name) +
                         " is not declared, so the check takes it as a free variable" + hint;
        }
        if (!notes.empty())
            report_.text(notes);
    }

    void expect(const statement_source& s, const std::string&, std::size_t after) {
        const std::string& t = s.lines.front().text;
        // expect EXPR == VALUE [within TOLERANCE] [at POINT]
        statement_reader r(s, 0, after);
        auto usage = [&] {
            s.fail(skip(t, after), "expect: write expect EXPR == VALUE [within TOLERANCE]");
        };
        if (r.at_end())
            usage();
        const auto lhs = r.expression(state_);
        if (!r.lex().at(token_kind::equals))
            r.at_end() ? usage() : r.expect_end();
        if (r.lex().text_of(r.peek()).size() != 2)
            r.fail(r.peek(), "expect: compare with '==' (a single '=' defines a name)");
        const std::size_t value_at = r.take().end;
        const auto want_read = r.expression(state_);
        std::optional<ex> tolerance_read;
        if (r.at_word("within")) {
            r.take();
            tolerance_read = r.expression(state_).value.value;
        }
        GiNaC::exmap where = state_.weight_values;
        if (r.at_word("at")) {
            r.take();
            where = point(s, r);
        }
        r.expect_end();
        const std::string lhs_text = r.text(lhs.begin, lhs.end);
        const std::string want_text = r.text(want_read.begin, want_read.end);
        const ex got = at_point(s, lhs.value.value, where, lhs.begin);
        const ex want = at_point(s, want_read.value.value, where, value_at);
        const bool within = tolerance_read.has_value();
        const ex tolerance = within ? *tolerance_read : ex(0);
        if (is_tensor(got) != is_tensor(want) ||
            (is_tensor(got) && shape_description(got) != shape_description(want)))
            s.fail(value_at, "expect: " + lhs_text + " is a " + shape_description(got) +
                                 " but the expected value is a " + shape_description(want));
        const GiNaC::exvector g =
            is_tensor(got) ? entries(GiNaC::ex_to<GiNaC::matrix>(got)) : GiNaC::exvector{got};
        const GiNaC::exvector w =
            is_tensor(want) ? entries(GiNaC::ex_to<GiNaC::matrix>(want)) : GiNaC::exvector{want};
        bool passed = true;
        const GiNaC::numeric tol = evaluate_numeric(tolerance, {}, 30, "expect");
        for (std::size_t k = 0; k < g.size() && passed; ++k) {
            if (!within) {
                // Exactly equal: rationals compare as they are; other constants (exp(1),
                // softmax components) need a proof, never a numerical guess.
                const ex d = (g[k] - w[k]).expand();
                if (GiNaC::is_a<GiNaC::numeric>(d) && d.info(GiNaC::info_flags::rational))
                    passed = d.is_zero();
                else
                    passed = verify(g[k], w[k]).outcome == verdict::proved;
                continue;
            }
            passed = evaluate_numeric(abs(g[k] - w[k]), {}, 30, "expect") <= tol;
        }
        ++outcome_.expectations;
        const std::string got_text = format_value(got, options_.digits);
        const std::string message = passed ? lhs_text + " = " + got_text
                                           : "expected " + lhs_text + " == " + want_text +
                                                 (!within ? "" : " within " + to_text(tolerance)) +
                                                 ", got " + got_text;
        report_.outcome(passed, message);
        if (!passed)
            outcome_.failures.push_back(s.file + ":" + std::to_string(s.lines.front().number) +
                                        ": " + message);
    }

    const problem_source& src_;
    problem_report& report_;
    const problem_options& options_;
    problem_state state_;
    problem_outcome outcome_;
};

} // namespace

problem_outcome run_problem(const problem_source& source, problem_report& report,
                            const problem_options& options) {
    runner r(source, report, options);
    return r.run();
}

} // namespace symgrad
