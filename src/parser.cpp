// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/parser.hpp"

#include "symgrad/domain.hpp"
#include "symgrad/error.hpp"
#include "symgrad/evaluate.hpp"
#include "symgrad/functions.hpp"
#include "symgrad/ginac_reason.hpp"
#include "symgrad/precision.hpp"
#include "symgrad/size_limits.hpp"
#include "symgrad/spelling.hpp"
#include "symgrad/symbols.hpp"

#include <cln/integer.h>
#include <cln/real.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>

namespace symgrad {

using GiNaC::ex;
using GiNaC::exvector;

namespace {

// ---------------------------------------------------------------------------------------------
// Readers for symgrad's functions in GiNaC's prototype table. A prototype with 0 parameters
// matches calls with any number of arguments (GiNaC's PrototypeLess), which is how the
// variadic forms are read.

exvector list_items(const ex& e) {
    exvector out;
    if (GiNaC::is_a<GiNaC::lst>(e)) {
        for (const auto& x : GiNaC::ex_to<GiNaC::lst>(e))
            out.push_back(x);
    } else if (GiNaC::is_a<GiNaC::matrix>(e)) {
        const auto& m = GiNaC::ex_to<GiNaC::matrix>(e);
        for (unsigned i = 0; i < m.nops(); ++i)
            out.push_back(m.op(i));
    } else {
        out.push_back(e);
    }
    return out;
}

bool is_list(const ex& e) {
    return GiNaC::is_a<GiNaC::lst>(e) || GiNaC::is_a<GiNaC::matrix>(e);
}

// GiNaC's parser stores the serials of registered functions in its table as odd "pointers"
// (serial << 1 | 1) and tells them from real reader functions by the low bit. Unoptimised
// builds do not align functions, so a reader could sit at an odd address and be taken for a
// serial: every reader here is explicitly aligned.
#define SYMGRAD_READER __attribute__((aligned(16)))

SYMGRAD_READER ex read_logsumexp(const exvector& a) {
    if (a.size() == 1 && is_list(a[0]))
        return logsumexp(list_items(a[0]));
    return logsumexp(a);
}

SYMGRAD_READER ex read_softmax(const exvector& a) {
    if (a.empty())
        throw invalid_input("softmax: write softmax({z0, z1, ...}) or softmax(k, z0, z1, ...)");
    if (a.size() == 1) {
        if (!is_list(a[0]))
            throw invalid_input("softmax: one argument must be a list of logits, as in "
                                "softmax({z0, z1}); for one component write softmax(k, z0, z1)");
        const exvector all = softmax(list_items(a[0]));
        return GiNaC::lst(all.begin(), all.end());
    }
    if (!a[0].info(GiNaC::info_flags::nonnegint))
        throw invalid_input("softmax: the first argument is the component index 0.." +
                            std::to_string(a.size() - 2) +
                            "; for the whole vector write softmax({z0, z1, ...})");
    return softmax(static_cast<std::size_t>(GiNaC::ex_to<GiNaC::numeric>(a[0]).to_long()),
                   exvector(a.begin() + 1, a.end()));
}

SYMGRAD_READER ex read_crossentropy(const exvector& a) {
    if (a.size() != 2 || !is_list(a[0]))
        throw invalid_input("crossentropy: write crossentropy({p0, p1, ...}, y) with y a class "
                            "index 0..K-1 or a one-hot list");
    const exvector p = list_items(a[0]);
    if (is_list(a[1]))
        return crossentropy(p, list_items(a[1]));
    return crossentropy(p, a[1]);
}

SYMGRAD_READER ex read_diff(const exvector& a) {
    if (!GiNaC::is_a<GiNaC::symbol>(a[1]))
        throw invalid_input("diff: the variable must be a name");
    long order = 1;
    if (a.size() == 3) {
        if (!a[2].info(GiNaC::info_flags::nonnegint))
            throw invalid_input("diff: the order must be a non-negative integer");
        order = GiNaC::ex_to<GiNaC::numeric>(a[2]).to_long();
    }
    return a[0].diff(GiNaC::ex_to<GiNaC::symbol>(a[1]), static_cast<unsigned>(order));
}

const std::set<std::string>& variadic_names() {
    static const std::set<std::string> names{"logsumexp", "softmax", "crossentropy"};
    return names;
}

/// The prototype table: GiNaC's default one, with symgrad's variadic functions read by the
/// readers above (whatever arities happen to be registered already are dropped in their favour).
const GiNaC::prototype_table& reader_table() {
    static const GiNaC::prototype_table table = [] {
        register_ml_functions();
        GiNaC::prototype_table t;
        for (const auto& [proto, reader] : GiNaC::get_default_reader())
            if (!variadic_names().count(proto.first))
                t.emplace(proto, reader);
        t[{"logsumexp", 0}] = read_logsumexp;
        t[{"softmax", 0}] = read_softmax;
        t[{"crossentropy", 0}] = read_crossentropy;
        t[{"diff", 2}] = read_diff;
        t[{"diff", 3}] = read_diff;
        return t;
    }();
    return table;
}

/// Arities by name (0 = any number of arguments).
const std::map<std::string, std::set<std::size_t>>& arities() {
    static const std::map<std::string, std::set<std::size_t>> table = [] {
        std::map<std::string, std::set<std::size_t>> t;
        for (const auto& entry : reader_table())
            t[entry.first.first].insert(entry.first.second);
        return t;
    }();
    return table;
}

/// Names that, written without parentheses, are almost surely a forgotten call rather than a
/// variable (names like beta, eta, zeta or psi stay usable as variables).
bool is_call_only_name(const std::string& name) {
    static const std::set<std::string> names{
        "sigmoid",      "softplus", "relu", "logloss", "indicator", "logsumexp", "softmax",
        "crossentropy", "exp",      "log",  "sin",     "cos",       "tan",       "tanh",
        "sinh",         "cosh",     "sqrt", "abs",     "step",      "diff",      "pow"};
    return names.count(name) != 0;
}

// ---------------------------------------------------------------------------------------------
// The pre-scan: one pass over the text that finds every error it can name precisely (and the
// depth that would overflow GiNaC's recursive-descent parser) before GiNaC sees the text.

enum class tok { ident, number, op, open, close, comma, end };

struct token {
    tok kind;
    std::size_t begin; // byte offsets
    std::size_t end;
};

class scanner {
public:
    scanner(std::string_view text, const parse_options& o) : text_(text), options_(o) {
        line_starts_.push_back(0);
        for (std::size_t i = 0; i < text.size(); ++i)
            if (text[i] == '\n')
                line_starts_.push_back(i + 1);
    }

    struct location {
        std::size_t line;
        std::size_t column;
        std::string line_text;
    };

    /// 1-based line and column (in characters) of a byte offset, with that line's text.
    location locate(std::size_t offset) const {
        const auto line_index = static_cast<std::size_t>(
            std::upper_bound(line_starts_.begin(), line_starts_.end(), offset) -
            line_starts_.begin() - 1);
        const std::size_t start = line_starts_[line_index];
        std::size_t stop = text_.find('\n', start);
        if (stop == std::string_view::npos)
            stop = text_.size();
        std::size_t column = 1;
        for (std::size_t i = start; i < offset && i < text_.size(); ++i)
            if ((static_cast<unsigned char>(text_[i]) & 0xC0u) != 0x80u)
                ++column;
        std::string line_text(text_.substr(start, stop - start));
        if (!line_text.empty() && line_text.back() == '\r')
            line_text.pop_back();
        if (line_index == 0) {
            column += options_.first_column - 1;
            if (!options_.first_line_text.empty())
                line_text = options_.first_line_text;
        }
        return {options_.first_line + line_index, column, std::move(line_text)};
    }

    [[noreturn]] void fail(std::size_t offset, const std::string& message,
                           std::size_t length = 1) const {
        location at = locate(offset);
        throw parse_error(message, options_.source, at.line, at.column, std::move(at.line_text),
                          std::max<std::size_t>(1, length));
    }

    /// Whether the next non-space character after @p t is '(' (GiNaC reads "f (x)" as a call).
    bool followed_by_open(const token& t) const {
        std::size_t i = t.end;
        while (i < text_.size() && is_space(text_[i]))
            ++i;
        return i < text_.size() && text_[i] == '(';
    }

    token next() {
        while (pos_ < text_.size() && is_space(text_[pos_]))
            ++pos_;
        const std::size_t b = pos_;
        if (pos_ >= text_.size())
            return {tok::end, b, b};
        const char c = text_[pos_];
        if (is_alpha(c)) {
            while (pos_ < text_.size() && (is_alpha(text_[pos_]) || is_digit(text_[pos_])))
                ++pos_;
            return {tok::ident, b, pos_};
        }
        if (is_digit(c) || (c == '.' && pos_ + 1 < text_.size() && is_digit(text_[pos_ + 1]))) {
            pos_ = number_literal_end(text_, pos_);
            const std::string_view lit = text_.substr(b, pos_ - b);
            if (std::count(lit.begin(), lit.end(), '.') > 1)
                fail(b, "malformed number '" + std::string(lit) + "'", lit.size());
            longest_number_ = std::max(longest_number_, lit.size());
            return {tok::number, b, pos_};
        }
        ++pos_;
        switch (c) {
        case '+':
        case '-':
        case '*':
        case '/':
        case '^':
            return {tok::op, b, pos_};
        case '(':
        case '{':
            return {tok::open, b, pos_};
        case ')':
        case '}':
            return {tok::close, b, pos_};
        case ',':
            return {tok::comma, b, pos_};
        default:
            break;
        }
        // Report the whole UTF-8 character, not one byte of it.
        std::size_t len = 1;
        while (b + len < text_.size() &&
               (static_cast<unsigned char>(text_[b + len]) & 0xC0u) == 0x80u)
            ++len;
        const std::string ch(text_.substr(b, len));
        if (c == '=')
            fail(b, "'=' is not an operator in an expression");
        if (c == '[' || c == ']')
            fail(b, "square brackets are not used; write f(x) for calls and {a, b} for lists");
        fail(b, "unexpected character '" + ch + "'", 1);
    }

    std::string_view text_of(const token& t) const {
        return text_.substr(t.begin, t.end - t.begin);
    }
    std::size_t longest_number() const { return longest_number_; }

private:
    static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
    static bool is_alpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }
    static bool is_digit(char c) { return c >= '0' && c <= '9'; }

    std::string_view text_;
    const parse_options& options_;
    std::vector<std::size_t> line_starts_;
    std::size_t pos_ = 0;
    std::size_t longest_number_ = 0;
};

struct group {
    token open;
    bool call = false;
    std::string name;
    token name_token{};
    std::size_t args = 0;           // completed arguments
    std::size_t arg_tokens = 0;     // tokens in the current argument
    token arg_first{};              // first token of the current argument
    bool arg_single_ident = false;  // the current argument is one plain name
    bool arg_single_number = false; // ... or one number
    std::size_t unary = 0;          // unary signs inside this group (each nests in GiNaC)
    std::size_t power_chain = 0;    // pending '^' in a chain (right-associative nesting)
};

std::string plural(std::size_t n, const char* word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string arity_text(const std::set<std::size_t>& counts) {
    std::string s;
    std::size_t i = 0;
    for (auto n : counts) {
        if (i > 0)
            s += (i + 1 == counts.size()) ? " or " : ", ";
        s += std::to_string(n);
        ++i;
    }
    return s;
}

class prescan {
public:
    prescan(std::string_view text, const parse_options& o) : sc_(text, o), options_(o) {}

    /// Returns the longest numeric literal (for the working precision of decimal reading).
    std::size_t run() {
        groups_.push_back(group{});
        groups_.back().open = {tok::open, 0, 0};
        token prev{tok::end, 0, 0}; // "start"
        bool at_start = true;
        for (;;) {
            token t = sc_.next();
            const bool after_operand =
                !at_start &&
                (prev.kind == tok::ident || prev.kind == tok::number || prev.kind == tok::close);
            switch (t.kind) {
            case tok::ident:
            case tok::number:
                if (after_operand)
                    sc_.fail(t.begin,
                             "missing operator before '" + std::string(sc_.text_of(t)) + "'",
                             t.end - t.begin);
                note_operand(t);
                break;
            case tok::open: {
                const bool call = after_operand && prev.kind == tok::ident;
                if (after_operand && !call)
                    sc_.fail(t.begin,
                             "missing operator before '" + std::string(sc_.text_of(t)) + "'");
                open_group(t, call ? &prev : nullptr);
                break;
            }
            case tok::close:
                close_group(t, prev, at_start);
                break;
            case tok::comma:
                end_argument(t, prev, at_start, false);
                break;
            case tok::op:
                note_operator(t, after_operand);
                break;
            case tok::end:
                finish(t, prev, at_start);
                return sc_.longest_number();
            }
            prev = t;
            at_start = false;
            check_depth(t);
        }
    }

private:
    void note_operand(const token& t) {
        group& g = groups_.back();
        if (g.arg_tokens == 0) {
            g.arg_first = t;
            g.arg_single_ident = t.kind == tok::ident;
            g.arg_single_number = t.kind == tok::number;
        } else {
            g.arg_single_ident = g.arg_single_number = false;
        }
        ++g.arg_tokens;
        if (t.kind == tok::ident && !sc_.followed_by_open(t)) {
            check_plain_name(t);
            idents_.push_back(t);
        }
    }

    void open_group(const token& t, const token* callee) {
        group& outer = groups_.back();
        if (callee == nullptr) {
            if (outer.arg_tokens == 0)
                outer.arg_first = t;
            outer.arg_single_ident = outer.arg_single_number = false;
            ++outer.arg_tokens;
        } else {
            outer.arg_single_ident = outer.arg_single_number = false;
        }
        group g;
        g.open = t;
        if (callee != nullptr) {
            if (sc_.text_of(t) == "{")
                sc_.fail(t.begin, "missing operator before '{'");
            g.call = true;
            g.name = std::string(sc_.text_of(*callee));
            g.name_token = *callee;
            check_function_name(g);
        }
        groups_.push_back(std::move(g));
    }

    void check_function_name(const group& g) {
        const auto& table = arities();
        if (table.count(g.name))
            return;
        std::vector<std::string> names;
        for (const auto& entry : table)
            names.push_back(entry.first);
        sc_.fail(g.name_token.begin,
                 "unknown function '" + g.name + "'" + did_you_mean(g.name, names), g.name.size());
    }

    void check_plain_name(const token& t) {
        const std::string name(sc_.text_of(t));
        if (name == "I")
            sc_.fail(t.begin, "'I' is GiNaC's imaginary unit and symgrad works over the reals; "
                              "choose another name");
        if (is_call_only_name(name))
            sc_.fail(t.begin, "'" + name + "' is a function; call it as " + name + "(...)",
                     name.size());
    }

    void end_argument(const token& t, const token& prev, bool at_start, bool closing) {
        group& g = groups_.back();
        if (!closing && groups_.size() == 1)
            sc_.fail(t.begin, "',' outside an argument list or a {list}");
        if (g.arg_tokens == 0) {
            if (closing && g.args == 0) {
                if (!g.call && sc_.text_of(g.open) == "(")
                    sc_.fail(g.open.begin, "empty parentheses");
                return; // f() or {}
            }
            sc_.fail(t.begin, "empty argument");
        }
        if (!at_start && prev.kind == tok::op)
            sc_.fail(prev.begin,
                     "expected an operand after '" + std::string(sc_.text_of(prev)) + "'");
        if (g.call && g.name == "diff") {
            if (g.args == 1 && !g.arg_single_ident)
                sc_.fail(g.arg_first.begin, "diff: the second argument must be a variable name");
            if (g.args == 2 && !g.arg_single_number)
                sc_.fail(g.arg_first.begin, "diff: the third argument must be the order, a "
                                            "non-negative integer");
        }
        ++g.args;
        g.arg_tokens = 0;
        g.power_chain = 0;
        g.arg_single_ident = g.arg_single_number = false;
    }

    void close_group(const token& t, const token& prev, bool at_start) {
        if (groups_.size() == 1)
            sc_.fail(t.begin, "unmatched '" + std::string(sc_.text_of(t)) + "'");
        const group& g = groups_.back();
        const char want = sc_.text_of(g.open) == "(" ? ')' : '}';
        if (sc_.text_of(t)[0] != want)
            sc_.fail(t.begin, "'" + std::string(sc_.text_of(t)) + "' does not match the '" +
                                  std::string(sc_.text_of(g.open)) + "' opened at column " +
                                  std::to_string(column_of(g.open)));
        end_argument(t, prev, at_start, true);
        if (g.call)
            check_arity(groups_.back());
        groups_.pop_back();
        group& outer = groups_.back();
        outer.arg_single_ident = outer.arg_single_number = false;
    }

    std::size_t column_of(const token& t) const { return sc_.locate(t.begin).column; }

    void check_arity(const group& g) {
        const auto& counts = arities().at(g.name);
        if (counts.count(0) || counts.count(g.args))
            return;
        sc_.fail(g.name_token.begin,
                 g.name + " takes " +
                     (counts.size() == 1 ? plural(*counts.begin(), "argument")
                                         : arity_text(counts) + " arguments") +
                     ", got " + std::to_string(g.args),
                 g.name.size());
    }

    void note_operator(const token& t, bool after_operand) {
        group& g = groups_.back();
        const char c = sc_.text_of(t)[0];
        if (!after_operand) {
            if (c == '+' || c == '-') {
                ++g.unary;
                ++unary_total_;
                return;
            }
            sc_.fail(t.begin, "expected an operand before '" + std::string(1, c) + "'");
        }
        if (c == '^') {
            ++g.power_chain;
            ++power_total_;
        } else {
            power_total_ -= g.power_chain;
            g.power_chain = 0;
        }
        if (g.arg_tokens > 0)
            g.arg_single_ident = g.arg_single_number = false;
        ++g.arg_tokens;
    }

    void finish(const token& t, const token& prev, bool at_start) {
        if (groups_.size() > 1) {
            const group& g = groups_.back();
            sc_.fail(g.open.begin, "'" + std::string(sc_.text_of(g.open)) + "' is never closed");
        }
        if (at_start)
            sc_.fail(t.begin, "empty expression");
        if (prev.kind == tok::op)
            sc_.fail(prev.begin,
                     "expected an operand after '" + std::string(sc_.text_of(prev)) + "'");
    }

    void check_depth(const token& t) {
        // Recompute the running totals when a group closes.
        std::size_t unary = 0, power = 0;
        if (t.kind == tok::close || t.kind == tok::open) {
            for (const auto& g : groups_) {
                unary += g.unary;
                power += g.power_chain;
            }
            unary_total_ = unary;
            power_total_ = power;
        }
        const std::size_t depth = groups_.size() - 1 + unary_total_ + power_total_;
        if (depth > options_.max_depth)
            sc_.fail(t.begin, "expression nested deeper than " +
                                  std::to_string(options_.max_depth) +
                                  " levels (brackets, signs and powers)");
    }

public:
    const std::vector<token>& symbol_tokens() const { return idents_; }
    std::string_view text_of(const token& t) const { return sc_.text_of(t); }

private:
    scanner sc_;
    const parse_options& options_;
    std::vector<group> groups_;
    std::vector<token> idents_;
    std::size_t unary_total_ = 0;
    std::size_t power_total_ = 0;
};

/// Builds the expression from the tokens the pre-scan validated, by recursive descent with
/// conventional precedence:
///
///   sum     = product { ("+" | "-") product }
///   product = signed { ("*" | "/") signed }
///   signed  = ("+" | "-") signed | power          (-b^2 is -(b^2); a*-b+c is a*(-b) + c)
///   power   = primary [ "^" signed ]              (right-associative: a^b^c is a^(b^c))
///   primary = number | name | name "(" [ sum { "," sum } ] ")" | "(" sum ")"
///           | "{" [ sum { "," sum } ] "}"
///
/// GiNaC builds each node, and simplifies as it does (x/x is 1, sqrt(x)^2 is x); every operation
/// that restricts the real domain is recorded before that, in domain.hpp's terms, so that the
/// expression as written keeps its domain. Decimal literals are exact rationals read from their
/// digits (1e-80 is 10^-80).
class builder {
public:
    builder(std::string_view text, const parse_options& o) : text_(text), sc_(text, o) {
        for (token t = sc_.next(); t.kind != tok::end; t = sc_.next())
            toks_.push_back(t);
        toks_.push_back({tok::end, text.size(), text.size()});
    }

    ex run() {
        ex e = sum();
        return e;
    }

    std::vector<domain_condition> domain;

private:
    domain_collector collect_domain_;
    const token& peek() const { return toks_[pos_]; }
    bool at_op(char c) const { return peek().kind == tok::op && text_[peek().begin] == c; }
    bool at(tok k, char c) const { return peek().kind == k && text_[peek().begin] == c; }
    token take() { return toks_[pos_++]; }

    /// GiNaC's evaluation can throw while it builds a node (1/0, 0^-1): an error at @p where.
    template <typename F> ex build(const token& where, F&& make) {
        ex value;
        try {
            value = make();
        } catch (const error&) {
            throw;
        } catch (const std::exception& x) {
            sc_.fail(where.begin, "undefined: " + ginac_reason(x), where.end - where.begin);
        }
        if (value.has(GiNaC::I))
            sc_.fail(where.begin, "not a real number (symgrad works over the reals)",
                     where.end - where.begin);
        return value;
    }

    /// One sum of all the terms, built once: adding them one at a time (and testing each
    /// partial sum for I) was quadratic in their number. Each term was tested as it was built,
    /// and a sum of real terms is real.
    ex sum() {
        ex first = product();
        if (!at_op('+') && !at_op('-'))
            return first;
        GiNaC::exvector terms{first};
        token last = peek();
        while (at_op('+') || at_op('-')) {
            last = take();
            const ex rhs = product();
            terms.push_back(text_[last.begin] == '+' ? rhs : build(last, [&] { return -rhs; }));
        }
        ex total;
        try {
            total = GiNaC::dynallocate<GiNaC::add>(terms);
        } catch (const error&) {
            throw;
        } catch (const std::exception& x) {
            sc_.fail(last.begin, "undefined: " + ginac_reason(x), last.end - last.begin);
        }
        return total;
    }

    ex product() {
        ex e = signed_operand();
        while (at_op('*') || at_op('/')) {
            const token op = take();
            const ex rhs = signed_operand();
            if (text_[op.begin] == '/') {
                add_condition(domain, {rhs, domain_kind::nonzero});
                e = build(op, [&] { return e / rhs; });
            } else {
                e = build(op, [&] { return e * rhs; });
            }
        }
        return e;
    }

    ex signed_operand() {
        if (at_op('-') || at_op('+')) {
            const token op = take();
            const ex operand = signed_operand();
            return text_[op.begin] == '-' ? build(op, [&] { return -operand; }) : operand;
        }
        return power();
    }

    ex power() {
        ex base = primary();
        if (!at_op('^'))
            return base;
        const token op = take();
        const ex exponent = signed_operand();
        check_exact_power_size(base, exponent, op);
        note_power(base, exponent);
        return build(op, [&] { return GiNaC::pow(base, exponent); });
    }

    /// An exact power of numbers is computed at once: 2^(10^9) would take minutes and a
    /// gigabyte (exact_power_bits, evaluate.hpp).
    void check_exact_power_size(const ex& base, const ex& exponent, const token& op) {
        if (!(exact_power_bits(base, exponent) <= max_exact_bits()))
            sc_.fail(op.begin, "the exact power would have " + digits_limit_text() +
                                   "; write exp(k*log(b)) to work with its value");
    }

    /// factorial(10^9), tgamma, binomial, psi and zeta(2n) at numbers are computed at once, digit
    /// by digit (exact_function_bits, evaluate.hpp).
    void check_exact_function_size(const std::string& name, const exvector& args, const token& at) {
        if (!(exact_function_bits(name, args) <= max_exact_bits()))
            sc_.fail(at.begin,
                     "the exact value of " + name + "(...) would have " + digits_limit_text(),
                     name.size());
    }

    void note_power(const ex& base, const ex& exponent) {
        for (const auto& c : collect_domain_(GiNaC::power(base, exponent).hold()))
            if (c.expr.is_equal(base))
                add_condition(domain, c);
    }

    ex primary() {
        const token t = take();
        switch (t.kind) {
        case tok::number:
            return number(t);
        case tok::ident:
            if (peek().kind == tok::open && text_[peek().begin] == '(')
                return call(t);
            return name(t);
        case tok::open: {
            if (text_[t.begin] == '{') {
                GiNaC::lst items;
                for (const ex& x : arguments('}'))
                    items.append(x);
                return items;
            }
            const ex inner = sum();
            take(); // ')'
            return inner;
        }
        default:
            break;
        }
        sc_.fail(t.begin, "expected an operand"); // the pre-scan reports this first
    }

    /// A name: GiNaC's constants Pi, Euler and Catalan (as GiNaC's own parser reads them), else
    /// a real symbol.
    ex name(const token& t) {
        const std::string_view n = sc_.text_of(t);
        if (n == "Pi")
            return GiNaC::Pi;
        if (n == "Euler")
            return GiNaC::Euler;
        if (n == "Catalan")
            return GiNaC::Catalan;
        return symbol_named(n);
    }

    exvector arguments(char close) {
        exvector args;
        if (peek().kind == tok::close) {
            take();
            return args;
        }
        for (;;) {
            args.push_back(sum());
            const token t = take();
            if (t.kind == tok::comma)
                continue;
            if (t.kind == tok::close && text_[t.begin] == close)
                return args;
            sc_.fail(t.begin, std::string("expected ',' or '") + close + "'");
        }
    }

    ex number(const token& t) {
        const std::string_view lit = sc_.text_of(t);
        if (!exact_) {
            const std::string copy(lit);
            return GiNaC::numeric(copy.c_str());
        }
        // The scanner has checked the literal's form: only its exponent can be out of range.
        if (auto v = decimal_value(lit))
            return *v;
        sc_.fail(t.begin,
                 "the exponent of '" + std::string(lit) + "' is out of range (at most 10^" +
                     std::to_string(max_decimal_exponent) + " in magnitude)",
                 lit.size());
    }

    ex call(const token& name_token) {
        take(); // '('
        const std::string name(sc_.text_of(name_token));
        const exvector args = arguments(')');
        const auto& table = reader_table();
        const auto reader = table.find({name, args.size()});
        if (reader == table.end())
            sc_.fail(name_token.begin, "unknown function '" + name + "'", name.size());
        check_exact_function_size(name, args, name_token);
        note_call(name, args);
        return build(name_token, [&]() -> ex {
            // GiNaC's table stores a registered function's serial as (serial << 1) | 1.
            const auto bits = reinterpret_cast<std::uintptr_t>(reader->second);
            if ((bits & 1u) != 0)
                return GiNaC::function(static_cast<unsigned>(bits >> 1), args);
            return reader->second(args);
        });
    }

    void note_call(const std::string& name, const exvector& args) {
        if ((name == "log" || name == "sqrt" || name == "asin" || name == "acos" || name == "tan" ||
             name == "logloss") &&
            !args.empty()) {
            ex written;
            if (name == "log")
                written = GiNaC::log(args[0]).hold();
            else if (name == "sqrt")
                written = GiNaC::power(args[0], GiNaC::numeric(1, 2)).hold();
            else if (name == "asin")
                written = GiNaC::asin(args[0]).hold();
            else if (name == "acos")
                written = GiNaC::acos(args[0]).hold();
            else if (name == "tan")
                written = GiNaC::tan(args[0]).hold();
            else if (args.size() == 2)
                written = logloss(args[0], args[1]).hold();
            for (const auto& c : collect_domain_(written))
                add_condition(domain, c);
        } else if ((name == "pow" || name == "power") && args.size() == 2) {
            note_power(args[0], args[1]);
        } else if (name == "crossentropy" && !args.empty()) {
            for (const ex& p : list_items(args[0]))
                add_condition(domain, {p, domain_kind::positive});
        }
    }

    std::string_view text_;
    scanner sc_;
    std::vector<token> toks_;
    std::size_t pos_ = 0;

public:
    bool exact_ = true;
};

} // namespace

std::vector<std::string> known_functions() {
    std::vector<std::string> out;
    for (const auto& entry : arities())
        out.push_back(entry.first);
    return out;
}

written_expression parse_written(std::string_view text, const parse_options& options) {
    if (text.size() > options.max_bytes)
        throw parse_error("input is " + std::to_string(text.size()) + " bytes; the limit is " +
                              std::to_string(options.max_bytes),
                          options.source, options.first_line, options.first_column, "");
    // The pre-scan names every malformed input precisely; the builder then reads valid text.
    prescan scan(text, options);
    scan.run();
    builder build(text, options);
    build.exact_ = options.exact_decimals;
    written_expression out;
    out.value = build.run();
    out.domain = std::move(build.domain);
    return out;
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
        } else if (literal[i] >= '0' && literal[i] <= '9') {
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

std::pair<written_expression, written_expression> parse_equation(const std::string& text) {
    std::size_t at = text.find("==");
    std::size_t width = 2;
    if (at == std::string::npos) {
        at = text.find('=');
        width = 1;
    }
    if (at == std::string::npos)
        throw invalid_input("check: one argument must be an equation 'LHS == RHS', got '" + text +
                            "'; or give the two sides as two arguments");
    if (text.find('=', at + width) != std::string::npos)
        throw invalid_input("check: more than one '==' in '" + text + "'");
    parse_options lhs;
    lhs.source = "<equation>";
    lhs.first_line_text = text.substr(0, text.find('\n'));
    parse_options rhs = lhs;
    rhs.first_column = 1 + at + width;
    return {parse_written(std::string_view(text).substr(0, at), lhs),
            parse_written(std::string_view(text).substr(at + width), rhs)};
}

ex parse(std::string_view text, const parse_options& options) {
    ex e = parse_written(text, options).value;
    check_expression_size(e, options.source);
    return e;
}

} // namespace symgrad

namespace symgrad {

std::size_t number_literal_end(std::string_view text, std::size_t begin) {
    auto digit = [&](std::size_t i) { return i < text.size() && text[i] >= '0' && text[i] <= '9'; };
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

GiNaC::exmap parse_point(std::string_view text, const parse_options& options) {
    GiNaC::exmap point;
    std::map<std::string, bool> seen;
    std::size_t start = 0;
    int depth = 0;
    auto fail_at = [&](std::size_t offset, const std::string& message, std::size_t length = 1) {
        // Reuse the expression parser's error rendering through an empty-message parse error.
        std::size_t col = options.first_column, line = options.first_line, line_start = 0;
        for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
            if (text[i] == '\n') {
                ++line;
                col = 1;
                line_start = i + 1;
            } else if ((static_cast<unsigned char>(text[i]) & 0xC0u) != 0x80u) {
                ++col;
            }
        }
        std::size_t stop = text.find('\n', line_start);
        if (stop == std::string_view::npos)
            stop = text.size();
        std::string line_text(text.substr(line_start, stop - line_start));
        if (line_start == 0 && !options.first_line_text.empty())
            line_text = options.first_line_text;
        throw parse_error(message, options.source, line, col, std::move(line_text), length);
    };
    auto handle = [&](std::size_t b, std::size_t e) {
        std::string_view item = text.substr(b, e - b);
        const std::size_t first = item.find_first_not_of(" \t\r\n");
        if (first == std::string_view::npos)
            fail_at(b, "empty assignment; write name = value");
        const std::size_t eq = item.find('=');
        if (eq == std::string_view::npos)
            fail_at(b + first, "expected name = value", item.size() - first);
        std::string_view name = item.substr(0, eq);
        const std::size_t nb = name.find_first_not_of(" \t\r\n");
        const std::size_t ne = name.find_last_not_of(" \t\r\n");
        if (nb == std::string_view::npos)
            fail_at(b + eq, "missing name before '='");
        name = name.substr(nb, ne - nb + 1);
        if (!is_valid_symbol_name(name))
            fail_at(b + nb, "'" + std::string(name) + "' is not a valid name", name.size());
        if (seen[std::string(name)])
            fail_at(b + nb, "'" + std::string(name) + "' is given twice", name.size());
        seen[std::string(name)] = true;
        parse_options value_options = options;
        // Column of the value inside the whole text (single-line point lists are the norm).
        std::size_t line = options.first_line, col = options.first_column;
        for (std::size_t i = 0; i < b + eq + 1; ++i) {
            if (text[i] == '\n') {
                ++line;
                col = 1;
            } else if ((static_cast<unsigned char>(text[i]) & 0xC0u) != 0x80u) {
                ++col;
            }
        }
        value_options.first_line = line;
        value_options.first_column = col;
        // The value's errors show the whole line it stands in (columns count from its start).
        const std::size_t value_line_start =
            text.rfind('\n', b + eq) == std::string_view::npos ? 0 : text.rfind('\n', b + eq) + 1;
        const std::size_t value_line_stop = text.find('\n', value_line_start);
        value_options.first_line_text =
            value_line_start == 0 && !options.first_line_text.empty()
                ? options.first_line_text
                : std::string(text.substr(value_line_start, value_line_stop - value_line_start));
        const std::string_view value_text = item.substr(eq + 1);
        if (value_text.find_first_not_of(" \t\r\n") == std::string_view::npos)
            fail_at(b + eq, "missing value after '='");
        const ex value = parse(value_text, value_options);
        if (!free_symbols(value).empty() || !GiNaC::is_a<GiNaC::numeric>(value.evalf()) ||
            !GiNaC::ex_to<GiNaC::numeric>(value.evalf()).is_real())
            fail_at(b + eq + 1 + value_text.find_first_not_of(" \t\r\n"),
                    "the value of " + std::string(name) + " must be a real number",
                    value_text.size() - value_text.find_first_not_of(" \t\r\n"));
        point[symbol_named(name)] = value;
    };
    for (std::size_t i = 0; i <= text.size(); ++i) {
        const char c = i < text.size() ? text[i] : ',';
        if (c == '(' || c == '{')
            ++depth;
        else if (c == ')' || c == '}')
            --depth;
        else if ((c == ',' || c == ';') && (depth <= 0 || i == text.size())) {
            if (i == text.size() &&
                text.substr(start).find_first_not_of(" \t\r\n") == std::string_view::npos &&
                start > 0)
                fail_at(start > 0 ? start - 1 : 0, "trailing separator");
            if (!(i == text.size() && start == 0 &&
                  text.find_first_not_of(" \t\r\n") == std::string_view::npos))
                handle(start, i);
            start = i + 1;
        }
    }
    return point;
}

} // namespace symgrad
