// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/problem/problem_report.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/printers.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/problem/html_report.hpp"
#include "symgrad/text/lexer.hpp"
#include "symgrad/text/source_text.hpp"
#include "symgrad/text/tensor_expression.hpp"

#include <algorithm>
#include <optional>
#include <regex>
#include <sstream>

namespace symgrad {

namespace {

std::size_t display_width(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        n += (c & 0xC0u) != 0x80u;
    return n;
}

std::string pad(const std::string& s, std::size_t width) {
    const std::size_t w = display_width(s);
    return s + std::string(width > w ? width - w : 0, ' ');
}

/// A matrix or scalar as text: [[a, b], [c, d]].
std::string value_text(const GiNaC::ex& v, bool latex) {
    if (!is_tensor(v))
        return latex ? to_latex(v) : to_text(v);
    const auto& m = GiNaC::ex_to<GiNaC::matrix>(v);
    if (latex) {
        std::string s = "\\begin{pmatrix}";
        for (unsigned i = 0; i < m.rows(); ++i) {
            for (unsigned j = 0; j < m.cols(); ++j)
                s += (j ? " & " : "") + to_latex(m(i, j));
            s += i + 1 < m.rows() ? " \\\\ " : "";
        }
        return s + "\\end{pmatrix}";
    }
    std::string s = "[";
    for (unsigned i = 0; i < m.rows(); ++i) {
        s += (i ? ", [" : "[");
        for (unsigned j = 0; j < m.cols(); ++j)
            s += (j ? ", " : "") + to_text(m(i, j));
        s += "]";
    }
    return (m.rows() == 1 ? s.substr(1) : s + "]");
}

/// Whether the characters of @p s from @p i on are only spaces and tabs.
bool blank_from(const std::string& s, std::size_t i) {
    return s.find_first_not_of(" \t", i) == std::string::npos;
}

} // namespace

std::string markdown_escape(const std::string& line) {
    // Backslash escapes for the ASCII punctuation that both CommonMark and Python-Markdown
    // accept escaped; '<' and '&' as entities (Python-Markdown does not unescape "\\<"); a ']'
    // that would close a link or a link definition; the characters that open a block (# > + -
    // and "1." "1)") where the line starts. Brackets and braces are otherwise literal text.
    std::string out;
    const std::size_t first = line.find_first_not_of(" \t");
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        const char next = i + 1 < line.size() ? line[i + 1] : '\0';
        if (c == '<') {
            out += "&lt;";
            continue;
        }
        if (c == '&') {
            out += "&amp;";
            continue;
        }
        const bool inline_mark = c == '\\' || c == '`' || c == '*' || c == '_' || c == '|' ||
                                 (c == ']' && (next == '(' || next == '[' || next == ':'));
        const bool starts_block = i == first && (c == '#' || c == '>' || c == '+' || c == '-');
        // "1. text" or "1) text" at the start of a line opens an ordered list.
        const bool list_number = (c == '.' || c == ')') && first != std::string::npos &&
                                 i > first && line.find_first_not_of("0123456789", first) == i;
        if (inline_mark || starts_block || list_number)
            out += '\\';
        out += c;
    }
    // Two trailing spaces would be a hard line break.
    while (!out.empty() && (out.back() == ' ' || out.back() == '\t'))
        out.pop_back();
    return out;
}

std::string markdown_code_span(const std::string& text) {
    // A code span is delimited by a backtick run longer than any inside it; '|' is escaped
    // because a table cell ends at an unescaped one even inside a code span.
    std::size_t longest = 0, run = 0;
    for (char c : text) {
        run = c == '`' ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    const std::string fence(longest + 1, '`');
    std::string body;
    for (char c : text)
        body += c == '|' ? std::string("\\|") : std::string(1, c);
    const bool pad = !body.empty() && (body.front() == '`' || body.back() == '`');
    return fence + (pad ? " " : "") + body + (pad ? " " : "") + fence;
}

namespace {

/// A fenced code block holding @p text (a fence longer than any backtick run in it).
std::string code_block(const std::string& text) {
    std::size_t longest = 0, run = 0;
    for (char c : text) {
        run = c == '`' ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    const std::string fence(std::max<std::size_t>(3, longest + 1), '`');
    std::string body = text;
    if (!body.empty() && body.back() != '\n')
        body += '\n';
    return fence + "\n" + body + fence + "\n";
}

class text_report : public problem_report {
public:
    explicit text_report(std::ostream& out) : out_(out) {}

    void begin_file(const std::string& file, const std::vector<std::string>& header) override {
        out_ << "== " << file << "\n";
        for (const auto& h : header)
            out_ << "   " << h << "\n";
        separate_ = true;
    }
    // Statements without results (declarations, definitions) follow each other line by line;
    // a blank line separates a statement's results from the next statement.
    void statement(std::size_t line, const std::string& text) override {
        if (separate_)
            out_ << "\n";
        separate_ = false;
        std::istringstream lines(text);
        std::string l;
        bool first = true;
        while (std::getline(lines, l)) {
            out_ << (first ? pad(std::to_string(line), 4) + "> " : "      ") << l << "\n";
            first = false;
        }
    }
    void formula(const std::string& label, const std::string&, const GiNaC::ex& value) override {
        separate_ = true;
        out_ << "      " << label << " = " << value_text(value, false) << "\n";
    }
    void values(const std::vector<std::pair<std::string, std::string>>& rows) override {
        separate_ = true;
        std::size_t w = 0;
        for (const auto& r : rows)
            w = std::max(w, display_width(r.first));
        for (const auto& r : rows)
            out_ << "      " << pad(r.first, w) << " = " << r.second << "\n";
    }
    void table(const std::vector<std::string>& header,
               const std::vector<std::vector<std::string>>& rows) override {
        separate_ = true;
        std::vector<std::size_t> w(header.size());
        for (std::size_t j = 0; j < header.size(); ++j) {
            w[j] = display_width(header[j]);
            for (const auto& r : rows)
                if (j < r.size())
                    w[j] = std::max(w[j], display_width(r[j]));
        }
        auto line = [&](const std::vector<std::string>& cells) {
            out_ << "     ";
            for (std::size_t j = 0; j < header.size(); ++j)
                out_ << " " << pad(j < cells.size() ? cells[j] : "", w[j]);
            out_ << "\n";
        };
        line(header);
        for (const auto& r : rows)
            line(r);
    }
    void text(const std::string& lines) override {
        separate_ = true;
        std::istringstream in(lines);
        for (std::string l; std::getline(in, l);)
            out_ << "      " << l << "\n";
    }
    void note(const std::vector<std::string>& lines) override {
        if (separate_)
            out_ << "\n";
        for (const auto& l : lines)
            out_ << "    # " << l << "\n";
        separate_ = false;
    }
    void outcome(bool passed, const std::string& message) override {
        separate_ = true;
        out_ << "      " << (passed ? "ok: " : "FAILED: ") << message << "\n";
    }
    void end_file(std::size_t expectations, std::size_t failures) override {
        out_ << "\n" << expectations << " expectations, " << failures << " failed\n";
    }

private:
    std::ostream& out_;
    bool separate_ = false;
};

/// A values row's label in LaTeX: "d/dw1" as the partial of @p f (dL/dw1), a name as itself,
/// anything else as \texttt.
std::string row_label_latex(const std::string& label, const std::string& f) {
    if (label.rfind("d/d", 0) == 0 && is_valid_symbol_name(label.substr(3)))
        return is_valid_symbol_name(f)
                   ? "\\frac{\\partial " + tex_name(f) + "}{\\partial " +
                         tex_name(label.substr(3)) + "}"
                   : "\\frac{\\partial}{\\partial " + tex_name(label.substr(3)) + "}";
    if (is_valid_symbol_name(label))
        return tex_name(label);
    std::string escaped;
    for (char c : label) {
        if (c == '_' || c == '{' || c == '}' || c == '#' || c == '%' || c == '&' || c == '$')
            escaped += '\\';
        escaped += c;
    }
    return "\\texttt{" + escaped + "}";
}

/// A table cell: a number as it is (no block starts inside a cell, so "-0.5" and "0.5" need no
/// escapes), anything else escaped.
std::string markdown_cell(const std::string& s) {
    static const std::regex number(R"([-+]?[0-9]+(?:[./][0-9]+)?(?:e[-+]?[0-9]+)?)");
    return std::regex_match(s, number) ? s : markdown_escape(s);
}

class markdown_report : public problem_report {
public:
    explicit markdown_report(std::ostream& out) : out_(out) {}

    void begin_file(const std::string& file, const std::vector<std::string>& header) override {
        out_ << "# " << markdown_escape(header.empty() ? file : header.front()) << "\n\n";
        for (std::size_t i = 1; i < header.size(); ++i)
            out_ << (blank_from(header[i], 0) ? "" : markdown_escape(header[i])) << "\n";
        out_ << "\n*Source: " << markdown_code_span(file) << "*\n";
    }
    // Consecutive statements without results (declarations, definitions) share one code block.
    void statement(std::size_t line, const std::string& text) override {
        if (pending_.empty())
            first_line_ = line;
        last_line_ = line;
        pending_ += text + "\n";
        gradient_of_ = gradient_function(text);
    }
    void formula(const std::string&, const std::string& label_latex,
                 const GiNaC::ex& value) override {
        flush();
        out_ << "$$\n" << label_latex << " = " << value_text(value, true) << "\n$$\n";
    }
    void values(const std::vector<std::pair<std::string, std::string>>& rows) override {
        flush();
        // A matrix or a vector is maths (a pmatrix); numbers go in a table, a partial named
        // with its function (dL/dw1).
        const bool matrix = std::any_of(rows.begin(), rows.end(),
                                        [](const auto& r) { return r.second.rfind('[', 0) == 0; });
        if (matrix) {
            for (const auto& [label, value] : rows)
                out_ << "$$\n"
                     << row_label_latex(label, gradient_of_) << " = " << value_latex(value)
                     << "\n$$\n";
            return;
        }
        out_ << "| | value |\n|---|---|\n";
        for (const auto& [label, value] : rows) {
            const bool partial = label.rfind("d/d", 0) == 0 && !gradient_of_.empty();
            out_ << "| "
                 << markdown_code_span(partial ? "d" + gradient_of_ + label.substr(1) : label)
                 << " | " << markdown_cell(value) << " |\n";
        }
    }
    void table(const std::vector<std::string>& header,
               const std::vector<std::vector<std::string>>& rows) override {
        flush();
        for (const auto& h : header)
            out_ << "| " << markdown_escape(h) << " ";
        out_ << "|\n";
        for (std::size_t j = 0; j < header.size(); ++j)
            out_ << "|---";
        out_ << "|\n";
        for (const auto& r : rows) {
            for (const auto& c : r)
                out_ << "| " << markdown_escape(c) << " ";
            out_ << "|\n";
        }
    }
    void text(const std::string& lines) override {
        flush();
        if (verdict_of(lines).empty()) {
            out_ << code_block(lines);
            return;
        }
        // A verdict as prose that wraps (a code block clips its long "how:" lines): the first
        // line, then the evidence as a list.
        std::istringstream in(lines);
        std::string line;
        std::getline(in, line);
        out_ << "\n" << markdown_escape(line) << "\n\n";
        while (std::getline(in, line)) {
            const std::size_t b = line.find_first_not_of(' ');
            if (b != std::string::npos)
                out_ << "- " << markdown_escape(line.substr(b)) << "\n";
        }
        out_ << "\n";
    }
    void training(const std::string& description, const train_result& r,
                  const table_options& t) override {
        flush();
        out_ << "\n" << markdown_escape(description) << "\n\n";
        const auto rows = training_rows(r, t);
        std::vector<std::string> columns;
        for (const auto& row : rows)
            for (const auto& cell : row)
                if (std::find(columns.begin(), columns.end(), cell.first) == columns.end())
                    columns.push_back(cell.first);
        if (!rows.empty()) {
            for (const auto& c : columns)
                out_ << "| " << markdown_escape(c) << " ";
            out_ << "|\n";
            for (std::size_t j = 0; j < columns.size(); ++j)
                out_ << "|---:";
            out_ << "|\n";
            for (const auto& row : rows) {
                for (const auto& c : columns) {
                    std::string v;
                    for (const auto& cell : row)
                        if (cell.first == c)
                            v = cell.second;
                    out_ << "| " << markdown_cell(v) << " ";
                }
                out_ << "|\n";
            }
        }
        out_ << "\nstopped: " << markdown_escape(r.message) << "\n\n";
    }
    void note(const std::vector<std::string>& lines) override {
        flush();
        // Comment lines as a paragraph (a blank comment line starts a new one).
        out_ << "\n";
        for (const auto& l : lines)
            out_ << (blank_from(l, 0) ? "\n" : markdown_escape(l) + "\n");
        out_ << "\n";
    }
    void outcome(bool passed, const std::string& message) override {
        flush();
        out_ << (passed ? "**ok**: " : "**FAILED**: ") << markdown_escape(message) << "\n";
    }
    void end_file(std::size_t expectations, std::size_t failures) override {
        flush();
        out_ << "\n---\n" << expectations << " expectations, " << failures << " failed\n";
    }

private:
    void flush() {
        if (pending_.empty())
            return;
        out_ << "\n"
             << code_block(pending_) << "<sub>"
             << (first_line_ == last_line_
                     ? "line " + std::to_string(first_line_)
                     : "lines " + std::to_string(first_line_) + "-" + std::to_string(last_line_))
             << "</sub>\n\n";
        pending_.clear();
    }

    std::ostream& out_;
    std::string pending_;
    std::size_t first_line_ = 0, last_line_ = 0;
    std::string gradient_of_;
};

} // namespace

void problem_report::training(const std::string& description, const train_result& r,
                              const table_options& table) {
    std::string lines = description + "\n";
    if (r.start.loss || r.start.gradient_norm) {
        lines += "start";
        if (r.start.loss)
            lines += ", loss = " + format_number(*r.start.loss, std::max(table.digits, 1));
        if (r.start.gradient_norm)
            lines +=
                ", gradnorm = " + format_number(*r.start.gradient_norm, std::max(table.digits, 1));
        lines += "\n";
    }
    for (const auto& line : table_lines(r, table))
        lines += line + "\n";
    lines += "stopped: " + r.message;
    text(lines);
}

std::string value_latex(const GiNaC::ex& value) {
    return value_text(value, true);
}

namespace {

/// One entry of a printed value in LaTeX.
std::string entry_latex(const std::string& e) {
    static const std::regex decimal(R"(([-+]?[0-9]+(?:\.[0-9]+)?)(?:[eE]([-+]?)0*([0-9]+))?)");
    static const std::regex fraction(R"((-?)([0-9]+)/([0-9]+))");
    std::smatch m;
    if (std::regex_match(e, m, decimal)) {
        if (!m[3].matched)
            return m[1];
        return m[1].str() + " \\cdot 10^{" + (m[2] == "-" ? "-" : "") + m[3].str() + "}";
    }
    if (std::regex_match(e, m, fraction))
        return m[1].str() + "\\frac{" + m[2].str() + "}{" + m[3].str() + "}";
    std::string escaped;
    for (char c : e) {
        if (c == '\\')
            escaped += "\\textbackslash{}";
        else if (c == '^')
            escaped += "\\textasciicircum{}";
        else if (c == '~')
            escaped += "\\textasciitilde{}";
        else if (c == '_' || c == '{' || c == '}' || c == '#' || c == '%' || c == '&' || c == '$')
            escaped += std::string("\\") + c;
        else
            escaped += c;
    }
    return "\\texttt{" + escaped + "}";
}

/// The top-level comma-separated items of @p s (brackets nest), trimmed (the value is symgrad's
/// own text, read back for its LaTeX form).
std::vector<std::string> items(const std::string& s) {
    const source_text text(s, {});
    std::vector<std::string> out;
    for (const auto& [b, e] : split_at_commas(text).parts) {
        const std::size_t first = s.find_first_not_of(' ', b);
        const std::size_t last = e == 0 ? std::string::npos : s.find_last_not_of(' ', e - 1);
        out.push_back(first >= e || last == std::string::npos || first > last
                          ? ""
                          : s.substr(first, last - first + 1));
    }
    return out;
}

/// "[a, b]" -> "a, b"; nullopt when @p s is not one bracketed list.
std::optional<std::string> inside_brackets(const std::string& s) {
    const source_text text(s, {});
    lexer scan(text, 0, std::string_view::npos, true);
    if (!scan.at(token_kind::open, '['))
        return std::nullopt;
    std::size_t depth = 0;
    for (; !scan.at(token_kind::end); scan.take()) {
        const token t = scan.peek();
        depth += t.kind == token_kind::open;
        if (t.kind == token_kind::close && --depth == 0) {
            scan.take();
            if (!scan.at(token_kind::end) || t.symbol != ']')
                return std::nullopt; // "[a], [b]": two lists
            return s.substr(1, t.begin - 1);
        }
    }
    return std::nullopt;
}

} // namespace

std::string value_latex(const std::string& value) {
    // Rows of a matrix: "[[a, b], [c, d]]"; a row vector: "[a, b]".
    const auto outer = inside_brackets(value);
    if (!outer)
        return entry_latex(value);
    std::vector<std::vector<std::string>> rows;
    for (const auto& item : items(*outer)) {
        const auto inner = inside_brackets(item);
        rows.push_back(inner ? items(*inner) : std::vector<std::string>{item});
    }
    // [a, b] is one row; [[a], [b]] rows of one.
    if (!rows.empty() &&
        std::all_of(rows.begin(), rows.end(), [](const auto& r) { return r.size() == 1; })) {
        bool nested = true;
        for (const auto& item : items(*outer))
            nested = nested && inside_brackets(item).has_value();
        if (!nested) {
            std::vector<std::string> row;
            for (const auto& r : rows)
                row.push_back(r.front());
            rows = {row};
        }
    }
    std::string s = "\\begin{pmatrix}";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        for (std::size_t j = 0; j < rows[i].size(); ++j)
            s += (j ? " & " : "") + entry_latex(rows[i][j]);
        s += i + 1 < rows.size() ? " \\\\ " : "";
    }
    return s + "\\end{pmatrix}";
}

std::string gradient_function(const std::string& statement) {
    // show grad(F) at ...: F, read with the one lexer (statement text is the user's own).
    const std::string first = statement.substr(0, statement.find('\n'));
    const source_text text(first, {});
    lexer scan(text, 0, std::string_view::npos, true);
    if (!scan.at_word("show"))
        return "";
    scan.take();
    if (!scan.at_word("grad"))
        return "";
    scan.take();
    if (!scan.at(token_kind::open, '('))
        return "";
    const std::size_t begin = scan.take().end;
    for (std::size_t depth = 1; !scan.at(token_kind::end); scan.take()) {
        depth += scan.at(token_kind::open);
        if (scan.at(token_kind::close) && --depth == 0) {
            const std::size_t end = scan.take().begin;
            if (!scan.at_word("at"))
                return "";
            const std::size_t b = first.find_first_not_of(" \t", begin);
            const std::size_t e = first.find_last_not_of(" \t", end - 1);
            return b >= end || e == std::string::npos ? "" : first.substr(b, e - b + 1);
        }
    }
    return "";
}

std::string verdict_of(const std::string& text) {
    for (const char* v : {"proved", "refuted", "equal where both are defined", "probably equal"})
        if (text.rfind(std::string(v) + ": ", 0) == 0)
            return v;
    return "";
}

std::vector<std::pair<std::string, std::string>> table_cells(const std::string& line) {
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t i = 0;
    while (i < line.size()) {
        // A value holds no ", " followed by "NAME = " (names are identifiers, values numbers).
        std::size_t end = line.find(", ", i);
        while (end != std::string::npos && line.find(" = ", end) == std::string::npos)
            end = line.find(", ", end + 2);
        const std::string cell = line.substr(i, end == std::string::npos ? end : end - i);
        const std::size_t eq = cell.find(" = ");
        if (eq == std::string::npos)
            out.emplace_back("", cell);
        else
            out.emplace_back(cell.substr(0, eq), cell.substr(eq + 3));
        if (end == std::string::npos)
            break;
        i = end + 2;
    }
    return out;
}

std::vector<std::vector<std::pair<std::string, std::string>>>
training_rows(const train_result& r, const table_options& t) {
    train_result start;
    start.weight_names = r.weight_names;
    start.records = {r.start};
    std::vector<std::vector<std::pair<std::string, std::string>>> rows;
    for (const train_result* result : {static_cast<const train_result*>(&start), &r})
        for (const auto& line : table_lines(*result, t))
            rows.push_back(table_cells(line));
    return rows;
}

report_format parse_report_format(const std::string& name) {
    if (name == "text")
        return report_format::text;
    if (name == "markdown")
        return report_format::markdown;
    if (name == "html")
        return report_format::html;
    throw invalid_input("format: '" + name + "' is not one of text, markdown, html");
}

std::unique_ptr<problem_report> make_report(report_format format, std::ostream& out) {
    if (format == report_format::markdown)
        return std::make_unique<markdown_report>(out);
    if (format == report_format::html)
        return make_html_report(out);
    return std::make_unique<text_report>(out);
}

} // namespace symgrad
