// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/text/derivation_text.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/text/latex.hpp"
#include "symgrad/text/lexer.hpp"
#include "symgrad/text/source_text.hpp"
#include "symgrad/text/tensor_expression.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>

namespace symgrad {

derivation_syntax derivation_syntax_of(std::string_view file_name, std::string_view text) {
    auto ends_with = [&](std::string_view suffix) {
        return file_name.size() >= suffix.size() &&
               file_name.substr(file_name.size() - suffix.size()) == suffix;
    };
    const bool plain_name = ends_with(".txt") || ends_with(".sg");
    const bool has_maths = text.find('$') != std::string_view::npos ||
                           text.find("\\[") != std::string_view::npos ||
                           text.find("\\begin{") != std::string_view::npos;
    return plain_name && !has_maths ? derivation_syntax::symgrad : derivation_syntax::latex;
}

namespace {

std::string trimmed(std::string_view s) {
    const std::size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos)
        return "";
    const std::size_t e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e + 1 - b));
}

/// An expression stated by a part of a statement, as written.
struct stated {
    written_expression value;
    std::vector<written_term> terms;
    std::string written;
    std::size_t line = 0;
    std::size_t column = 0;
};

/// A statement's text, in symgrad's language (the file itself, or a LaTeX row translated).
struct statement_text {
    const source_text* source;
    /// The written text of a byte range of source (the LaTeX it came from).
    std::function<std::string(std::size_t, std::size_t)> written;
};

class derivation_reader {
public:
    derivation_reader(std::string_view text, const std::string& source, derivation_syntax syntax,
                      bool skip_unread_display)
        : text_(text), file_(text, origin(source)), syntax_(syntax),
          skip_unread_display_(skip_unread_display) {
        out_.source = source;
        names_.allow_new_symbols = true;
        options_.source = source;
    }

    derivation read() {
        if (syntax_ == derivation_syntax::symgrad)
            read_plain();
        else
            read_markdown();
        return std::move(out_);
    }

private:
    static text_origin origin(const std::string& source) {
        text_origin o;
        o.source = source;
        return o;
    }

    void read_plain() {
        const statement_text st{&file_, [this](std::size_t b, std::size_t e) {
                                    return trimmed(text_.substr(b, e - b));
                                }};
        std::size_t begin = 0;
        while (begin < text_.size()) {
            std::size_t end = text_.find('\n', begin);
            if (end == std::string_view::npos)
                end = text_.size();
            std::size_t stop = end;
            if (const std::size_t hash = text_.substr(begin, end - begin).find('#');
                hash != std::string_view::npos)
                stop = begin + hash;
            if (!trimmed(text_.substr(begin, stop - begin)).empty()) {
                ++out_.blocks;
                statement(st, begin, stop);
            }
            begin = end + 1;
        }
    }

    void read_markdown() {
        for (const math_block& block : find_math_blocks(text_)) {
            ++out_.blocks;
            if (block.unclosed)
                file_.fail(block.begin - 2, "this $$ is never closed");
            bool unread = false;
            display_ = block.display;
            for (const auto& [rb, re] : math_rows(text_, block.begin, block.end)) {
                if (trimmed(text_.substr(rb, re - rb)).empty())
                    continue;
                try {
                    row(rb, re);
                } catch (const error& e) {
                    if (block.display && !skip_unread_display_)
                        throw;
                    const auto* pe = dynamic_cast<const parse_error*>(&e);
                    const source_location at = file_.locate(rb);
                    out_.skipped.push_back({pe ? pe->line() : at.line,
                                            pe ? pe->column() : at.column,
                                            trimmed(text_.substr(rb, re - rb)),
                                            pe ? pe->message() : std::string(e.what())});
                    unread = true;
                    previous_.reset();
                }
            }
            out_.unread_blocks += unread ? 1 : 0;
        }
    }

    void row(std::size_t begin, std::size_t end) {
        latex_names ln;
        ln.is_defined = [this](std::string_view n) { return names_.values.count(n) != 0; };
        ln.is_function = [this](std::string_view n) { return names_.functions.count(n) != 0; };
        ln.implicit_argument = &implicit_argument_;
        // The translation and its mapped source must live as long as the claims read from it
        // need their text: they are used only within this call.
        const latex_translation t = translate_latex(file_, begin, end, ln);
        const source_text mapped(t.text, file_, t.offsets);
        const statement_text st{
            &mapped, [this, &t](std::size_t b, std::size_t e) {
                const std::size_t lb = t.offsets[b];
                const std::size_t le = t.offsets[std::min(e, t.text.size())];
                std::string w = trimmed(text_.substr(lb, le > lb ? le - lb : 0));
                while (!w.empty() && (w.back() == ',' || w.back() == '.'))
                    w.pop_back();
                for (char& ch : w)
                    if (ch == '\n' || ch == '\r' || ch == '\t')
                        ch = ' ';
                // Environment markers are not part of what the line says.
                for (const char* marker : {"\\end{", "\\begin{"})
                    if (const auto at = w.rfind(marker);
                        at != std::string::npos && w.find('}', at) == w.size() - 1)
                        w.erase(at);
                return trimmed(w);
            }};
        for (std::size_t k = 0; k < t.statements.size(); ++k) {
            const auto [b, e] = t.statements[k];
            if (!t.solved[k]) {
                statement(st, b, e);
                continue;
            }
            // w^2 = 4 \Rightarrow w = 2: equations being solved, neither identities nor
            // definitions. Listed, not checked.
            const source_location at = mapped.locate(b);
            out_.skipped.push_back({at.line, at.column, st.written(b, e),
                                    "an equation being solved (next to an implication "
                                    "arrow), not an identity: not checked"});
            previous_.reset();
        }
    }

    struct range {
        std::size_t begin, end;
    };

    /// The parts of a statement, cut at its top-level '='.
    std::vector<range> parts(const source_text& src, std::size_t begin, std::size_t end) {
        std::vector<range> out;
        std::size_t depth = 0, part = begin;
        for (lexer lex(src, begin, end); !lex.at(token_kind::end); lex.take()) {
            const token& t = lex.peek();
            if (t.kind == token_kind::open)
                ++depth;
            else if (t.kind == token_kind::close && depth > 0)
                --depth;
            else if (t.kind == token_kind::equals && depth == 0) {
                out.push_back({part, t.begin});
                part = t.end;
            }
        }
        out.push_back({part, end});
        return out;
    }

    enum class head_kind { empty, name, derivative, expression };
    struct head {
        head_kind kind = head_kind::expression;
        std::string name;                ///< the name, or the function differentiated
        std::vector<std::string> params; ///< L(w1, w2): w1, w2
        range variable{0, 0};            ///< the derivative's variable
    };

    head head_of(const source_text& src, range r) {
        std::vector<token> toks;
        for (lexer lex(src, r.begin, r.end); !lex.at(token_kind::end); lex.take())
            toks.push_back(lex.peek());
        head h;
        if (toks.empty()) {
            h.kind = head_kind::empty;
            return h;
        }
        auto text = [&](const token& t) {
            return std::string(src.text().substr(t.begin, t.end - t.begin));
        };
        if (toks[0].kind != token_kind::name)
            return h;
        if (toks.size() == 1) {
            h.kind = head_kind::name;
            h.name = text(toks[0]);
            return h;
        }
        // diff(L, w) as the whole head: a derivative of a defined name.
        if (text(toks[0]) == "diff" && toks.size() == 6 && toks[1].kind == token_kind::open &&
            toks[2].kind == token_kind::name && toks[3].kind == token_kind::comma &&
            toks[4].kind == token_kind::name && toks[5].kind == token_kind::close &&
            names_.values.count(text(toks[2])) != 0) {
            h.kind = head_kind::derivative;
            h.name = text(toks[2]);
            h.variable = {toks[4].begin, toks[4].end};
            return h;
        }
        // NAME(a, b, ...): names only.
        if (toks.size() >= 4 && toks[1].kind == token_kind::open &&
            toks.back().kind == token_kind::close) {
            std::vector<std::string> params;
            for (std::size_t i = 2; i + 1 < toks.size(); ++i) {
                if (i % 2 == 0 && toks[i].kind == token_kind::name)
                    params.push_back(text(toks[i]));
                else if (i % 2 == 1 && toks[i].kind == token_kind::comma)
                    continue;
                else
                    return h;
            }
            // A function the text defined is restated only with its own parameters (f(x)
            // after f(t) = ... is a call).
            const auto defined = parameters_.find(text(toks[0]));
            if (params.empty() || known_name(text(toks[0])) ||
                (defined == parameters_.end() && names_.values.count(text(toks[0])) != 0))
                return h;
            h.kind = head_kind::name;
            h.name = text(toks[0]);
            h.params = std::move(params);
        }
        return h;
    }

    /// A function the grammar knows (a head sigmoid(z) = ... is an expression, not a name).
    static bool known_name(const std::string& name) {
        static const std::vector<std::string> known = known_functions();
        return std::binary_search(known.begin(), known.end(), name);
    }

    written_expression read(const source_text& src, range r) {
        return read_tensor_expression(src, r.begin, r.end, names_, options_);
    }

    /// The top-level terms of a part as written, each read alone (empty when one cannot be).
    std::vector<written_term> terms(const statement_text& st, range r) {
        std::vector<range> pieces;
        std::size_t depth = 0, piece = r.begin;
        bool after_operand = false;
        for (lexer lex(*st.source, r.begin, r.end); !lex.at(token_kind::end); lex.take()) {
            const token& t = lex.peek();
            if (t.kind == token_kind::open)
                ++depth;
            if (t.kind == token_kind::close && depth > 0)
                --depth;
            if (depth == 0 && t.kind == token_kind::op && (t.symbol == '+' || t.symbol == '-') &&
                after_operand) {
                pieces.push_back({piece, t.begin});
                piece = t.begin;
            }
            after_operand = t.kind == token_kind::number || t.kind == token_kind::name ||
                            t.kind == token_kind::close;
        }
        pieces.push_back({piece, r.end});
        std::vector<written_term> out;
        try {
            for (const range& p : pieces) {
                written_term w;
                w.value = read(*st.source, p).value;
                w.text = st.written(p.begin, p.end);
                if (!w.text.empty() && w.text[0] == '+')
                    w.text = trimmed(w.text.substr(1));
                else if (!w.text.empty() && w.text[0] == '-')
                    w.text = "-" + trimmed(w.text.substr(1));
                out.push_back(std::move(w));
            }
        } catch (const error&) {
            return {};
        }
        return out;
    }

    stated state(const statement_text& st, range r) {
        stated s;
        s.value = read(*st.source, r);
        s.terms = terms(st, r);
        s.written = st.written(r.begin, r.end);
        const source_location at = st.source->locate(first_character(*st.source, r));
        s.line = at.line;
        s.column = at.column;
        return s;
    }

    static std::size_t first_character(const source_text& src, range r) {
        std::size_t b = r.begin;
        while (b < r.end && (src.text()[b] == ' ' || src.text()[b] == '\t'))
            ++b;
        return b;
    }

    void claim(const statement_text& st, range r, const stated& now, const stated& before,
               const std::string& reference_name) {
        derivation_claim c;
        const source_location at = st.source->locate(first_character(*st.source, r));
        c.line = at.line;
        c.column = at.column;
        c.source_line = at.line_text;
        c.written = now.written;
        c.reference_written = before.written;
        c.reference_name = reference_name;
        c.claimed = now.value;
        c.reference = before.value;
        c.claimed_terms = now.terms;
        c.reference_terms = before.terms;
        out_.claims.push_back(std::move(c));
    }

    /// "line 7", or "line 7:31" for a part on the same line as the claim.
    static std::string line_name(const stated& s, std::size_t claim_line) {
        return "line " + std::to_string(s.line) +
               (s.line == claim_line ? ":" + std::to_string(s.column) : "");
    }

    void statement(const statement_text& st, std::size_t begin, std::size_t end) {
        std::vector<range> ps = parts(*st.source, begin, end);
        // "A = \\ = B" across rows: a trailing '=' leaves an empty last part.
        if (ps.size() >= 2 &&
            trimmed(st.source->text().substr(ps.back().begin, ps.back().end - ps.back().begin))
                .empty())
            ps.pop_back();
        if (ps.size() < 2) {
            // An expression alone: what a following line starting with '=' continues.
            previous_.reset();
            previous_subject_.clear();
            try {
                if (head_of(*st.source, ps[0]).kind == head_kind::expression)
                    previous_ = state(st, ps[0]);
            } catch (const error&) {
            }
            return;
        }
        const head h = head_of(*st.source, ps[0]);
        std::size_t first_claim = 1;
        std::optional<stated> before;
        if (h.kind == head_kind::empty) {
            if (!previous_) {
                st.source->fail(ps[0].end, "a line starting with '=' continues the equation "
                                           "before it, and there is none");
            }
            before = *previous_;
        } else if (h.kind == head_kind::name &&
                   ((names_.values.count(h.name) == 0 && names_.functions.count(h.name) == 0) ||
                    redefines(h) || (!display_ && defined_inline_.count(h.name) != 0))) {
            // (A name defined in prose, "$y_0 = 1$", defined there again is an example or a
            // case, "$y_0 = 0$", not a step of the derivation.)
            // A new name, or a function defined again with other parameters (f(t), later
            // f(x, y)): a definition.
            define(st, h, ps[1]);
            before = latest_.at(h.name);
            first_claim = 2;
        } else if (h.kind == head_kind::name && latest_.count(h.name) != 0) {
            // A restatement, with the function's parameters renamed as this line writes them
            // (f(x) = ... after f(t) = ...).
            before = latest_.at(h.name);
            const auto& old = parameters_[h.name];
            if (!old.empty() && old.size() == h.params.size() && old != h.params) {
                GiNaC::exmap renamed;
                for (std::size_t i = 0; i < old.size(); ++i)
                    renamed[symbol_named(old[i])] = symbol_named(h.params[i]);
                before->value.value = before->value.value.subs(renamed);
                for (auto& term : before->terms)
                    term.value = term.value.subs(renamed);
            }
        } else if (h.kind == head_kind::derivative) {
            before = state(st, ps[0]);
            before->written = st.written(ps[0].begin, ps[0].end);
            const written_expression var = read(*st.source, h.variable);
            for (std::size_t k = 1; k < ps.size(); ++k) {
                const stated now = state(st, ps[k]);
                const std::string ref =
                    k == 1 ? "the derivative of " + h.name + " by " +
                                 std::string(st.source->text().substr(
                                     h.variable.begin, h.variable.end - h.variable.begin))
                           : line_name(*before, now.line);
                claim(st, ps[k], now, *before, ref);
                if (k == 1) {
                    derivation_claim& c = out_.claims.back();
                    c.function = names_.values.at(h.name);
                    c.function_name = h.name;
                    c.variable = var.value;
                    const stated& latest = latest_.at(h.name);
                    if (latest.line != definition_line_.at(h.name)) {
                        c.restated_function = latest.value.value;
                        c.restated_line = latest.line;
                    }
                }
                before = now;
            }
            previous_ = before;
            previous_subject_.clear();
            return;
        } else {
            before = state(st, ps[0]);
        }
        // A chain that restates a name, or follows one: its claims are about that name.
        std::string subject = h.kind == head_kind::name ? h.name : "";
        if (h.kind == head_kind::empty)
            subject = previous_subject_;
        for (std::size_t k = first_claim; k < ps.size(); ++k) {
            const stated now = state(st, ps[k]);
            claim(st, ps[k], now, *before, line_name(*before, now.line));
            out_.claims.back().subject = subject;
            before = now;
        }
        if (!subject.empty())
            latest_[subject] = *before;
        previous_subject_ = subject;
        previous_ = before;
    }

    /// A function defined again with another number of parameters (f(t), later f(x, y)) is
    /// a new definition; L restated as L(w), or f(t) as f(x), is not.
    bool redefines(const head& h) const {
        const auto old = parameters_.find(h.name);
        return old != parameters_.end() && !old->second.empty() && !h.params.empty() &&
               old->second.size() != h.params.size();
    }

    void define(const statement_text& st, const head& h, range value_range) {
        stated value = state(st, value_range);
        names_.values[h.name] = value.value.value;
        bool function = !h.params.empty();
        for (const auto& p : h.params)
            function =
                function && value.value.value.has(symbol_named(p)) && names_.values.count(p) == 0;
        names_.functions.erase(h.name);
        if (function) {
            user_function f;
            for (const auto& p : h.params)
                f.parameters.push_back(symbol_named(p));
            f.body = value.value.value;
            names_.functions[h.name] = f;
        }
        out_.definitions.push_back("line " + std::to_string(value.line) + ": " + h.name +
                                   (h.params.empty() ? "" : "(" + join(h.params) + ")"));
        definition_line_[h.name] = value.line;
        if (!display_)
            defined_inline_.insert(h.name);
        else
            defined_inline_.erase(h.name);
        parameters_[h.name] = h.params;
        latest_[h.name] = value;
    }

    static std::string join(const std::vector<std::string>& v) {
        std::string s;
        for (const auto& x : v)
            s += (s.empty() ? "" : ", ") + x;
        return s;
    }

    std::string_view text_;
    source_text file_;
    derivation_syntax syntax_;
    bool skip_unread_display_;
    tensor_names names_;
    parse_options options_;
    std::map<std::string, stated> latest_;
    std::map<std::string, std::size_t> definition_line_;
    std::map<std::string, std::vector<std::string>> parameters_;
    std::optional<stated> previous_;
    std::string previous_subject_;
    std::string implicit_argument_;
    /// Whether the maths being read is displayed (or inline, in prose), and the names defined
    /// inline.
    bool display_ = true;
    std::set<std::string> defined_inline_;
    derivation out_;
};

} // namespace

derivation read_derivation(std::string_view text, const std::string& source,
                           derivation_syntax syntax, bool skip_unread_display) {
    return derivation_reader(text, source, syntax, skip_unread_display).read();
}

} // namespace symgrad
