// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/text/latex.hpp"

#include "symgrad/core/assert.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace symgrad {

namespace {

bool is_letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// ---- Markdown ---------------------------------------------------------------------------------

/// The display environments whose body is maths.
bool display_environment(std::string_view name) {
    static const std::set<std::string_view> names{"align",     "align*",   "aligned",   "equation",
                                                  "equation*", "gather",   "gather*",   "multline",
                                                  "multline*", "eqnarray", "eqnarray*", "split"};
    return names.count(name) != 0;
}

/// At @p i, "\begin{NAME}" of a display environment: the name's range.
std::optional<std::pair<std::size_t, std::size_t>> begin_environment(std::string_view s,
                                                                     std::size_t i) {
    constexpr std::string_view begin = "\\begin{";
    if (s.substr(i, begin.size()) != begin)
        return std::nullopt;
    const std::size_t name_begin = i + begin.size();
    const std::size_t close = s.find('}', name_begin);
    if (close == std::string_view::npos ||
        !display_environment(s.substr(name_begin, close - name_begin)))
        return std::nullopt;
    return std::make_pair(name_begin, close);
}

} // namespace

std::vector<math_block> find_math_blocks(std::string_view s) {
    std::vector<math_block> blocks;
    std::size_t i = 0;
    bool line_start = true;
    while (i < s.size()) {
        const char c = s[i];
        if (line_start && s.substr(i, 3) == "```") {
            // A fenced code block: up to the closing fence.
            const std::size_t close = s.find("\n```", i + 3);
            i = close == std::string_view::npos ? s.size() : s.find('\n', close + 4);
            if (i == std::string_view::npos)
                i = s.size();
            continue;
        }
        line_start = c == '\n';
        if (c == '`') {
            const std::size_t close = s.find('`', i + 1);
            const std::size_t line_end = s.find('\n', i + 1);
            if (close != std::string_view::npos && close < line_end) {
                i = close + 1;
                continue;
            }
            ++i;
            continue;
        }
        if (c == '\\' && i + 1 < s.size() && s[i + 1] == '$') {
            i += 2;
            continue;
        }
        if (c == '\\' && i + 1 < s.size() && s[i + 1] == '[') {
            const std::size_t close = s.find("\\]", i + 2);
            if (close == std::string_view::npos) {
                i += 2; // an unclosed \[ is text
                continue;
            }
            blocks.push_back({i + 2, close, true});
            i = close + 2;
            continue;
        }
        if (c == '\\') {
            if (const auto env = begin_environment(s, i)) {
                const std::string end_marker =
                    "\\end{" + std::string(s.substr(env->first, env->second - env->first)) + "}";
                const std::size_t close = s.find(end_marker, env->second);
                if (close == std::string_view::npos) {
                    i = env->second + 1; // an unclosed environment is text
                    continue;
                }
                blocks.push_back({env->second + 1, close, true});
                i = close + end_marker.size();
                continue;
            }
            ++i;
            continue;
        }
        if (c != '$') {
            ++i;
            continue;
        }
        const bool display = i + 1 < s.size() && s[i + 1] == '$';
        const std::size_t open = i + (display ? 2 : 1);
        std::size_t close = open;
        for (; close < s.size(); ++close) {
            if (s[close] == '\\') {
                ++close;
                continue;
            }
            if (s[close] == '$')
                break;
            // Inline maths does not run past a blank line.
            if (!display && s.substr(close, 2) == "\n\n")
                break;
        }
        if (close >= s.size() || s[close] != '$' ||
            (display && (close + 1 >= s.size() || s[close + 1] != '$'))) {
            if (display && close >= s.size()) {
                blocks.push_back({open, s.size(), true, true});
                break;
            }
            i = open;
            continue;
        }
        blocks.push_back({open, close, display});
        i = close + (display ? 2 : 1);
    }
    return blocks;
}

std::vector<std::pair<std::size_t, std::size_t>> math_rows(std::string_view s, std::size_t begin,
                                                           std::size_t end) {
    std::vector<std::pair<std::size_t, std::size_t>> rows;
    std::size_t depth = 0, row = begin;
    for (std::size_t i = begin; i < end; ++i) {
        if (s[i] == '\\' && i + 1 < end) {
            if (s[i + 1] == '\\' && depth == 0) {
                rows.emplace_back(row, i);
                row = i + 2;
            }
            ++i;
        } else if (s[i] == '{') {
            ++depth;
        } else if (s[i] == '}' && depth > 0) {
            --depth;
        }
    }
    rows.emplace_back(row, end);
    return rows;
}

namespace {

// ---- LaTeX tokens -----------------------------------------------------------------------------

enum class lkind { command, word, number, symbol, open_group, close_group, end };

struct ltoken {
    lkind kind = lkind::end;
    std::size_t begin = 0, end = 0;
    std::string text; ///< the command without its backslash, the word, number or symbol
};

std::vector<ltoken> tokenize(std::string_view s, std::size_t begin, std::size_t end) {
    std::vector<ltoken> out;
    std::size_t i = begin;
    while (i < end) {
        const char c = s[i];
        if (is_space(c) || c == '~' || c == '&') {
            ++i;
            continue;
        }
        if (c == '%') { // a comment, to the end of the line
            while (i < end && s[i] != '\n')
                ++i;
            continue;
        }
        ltoken t;
        t.begin = i;
        if (c == '\\') {
            std::size_t j = i + 1;
            if (j < end && is_letter(s[j])) {
                while (j < end && is_letter(s[j]))
                    ++j;
            } else if (j < end) {
                j += character_length(s, j);
            }
            t.kind = lkind::command;
            t.text = std::string(s.substr(i + 1, j - i - 1));
            i = j;
        } else if (is_letter(c)) {
            // After ^ or _, TeX takes one character: e^xy is e^x y, w_12 is w_1 2.
            const bool one = !out.empty() && out.back().kind == lkind::symbol &&
                             (out.back().text == "^" || out.back().text == "_");
            std::size_t j = i + 1;
            while (!one && j < end && is_letter(s[j]))
                ++j;
            t.kind = lkind::word;
            t.text = std::string(s.substr(i, j - i));
            i = j;
        } else if (is_digit(c) || (c == '.' && i + 1 < end && is_digit(s[i + 1]))) {
            const bool one = !out.empty() && out.back().kind == lkind::symbol &&
                             (out.back().text == "^" || out.back().text == "_");
            std::size_t j = i + 1;
            while (!one && j < end &&
                   (is_digit(s[j]) || (s[j] == '.' && j + 1 < end && is_digit(s[j + 1]))))
                ++j;
            t.kind = lkind::number;
            t.text = std::string(s.substr(i, j - i));
            i = j;
        } else if (c == '{' || c == '}') {
            t.kind = c == '{' ? lkind::open_group : lkind::close_group;
            t.text = std::string(1, c);
            ++i;
        } else {
            const std::size_t n = character_length(s, i);
            t.kind = lkind::symbol;
            t.text = std::string(s.substr(i, n));
            i += n;
        }
        t.end = i;
        out.push_back(std::move(t));
    }
    ltoken e;
    e.begin = e.end = end;
    out.push_back(e);
    return out;
}

// ---- what commands and words mean -------------------------------------------------------------

/// Commands that only space or style.
bool is_skipped_command(std::string_view c) {
    static const std::set<std::string_view> names{
        ",",           ";",        ":",        "!",     " ",     "displaystyle", "textstyle",
        "scriptstyle", "limits",   "nolimits", "big",   "Big",   "bigg",         "Bigg",
        "bigl",        "bigr",     "Bigl",     "Bigr",  "biggl", "biggr",        "Biggl",
        "Biggr",       "nonumber", "notag",    "middle"};
    return names.count(c) != 0;
}

/// Commands that separate statements at the top level.
bool is_separator_command(std::string_view c) {
    static const std::set<std::string_view> names{"quad",           "qquad",      "Rightarrow",
                                                  "implies",        "rightarrow", "to",
                                                  "Longrightarrow", "iff",        "Leftrightarrow"};
    return names.count(c) != 0;
}

/// Functions written as a command (\ln) or a word (ln), and their names in symgrad.
std::optional<std::string> known_function(std::string_view name) {
    static const std::map<std::string_view, std::string_view> names{
        {"exp", "exp"},           {"ln", "log"},          {"log", "log"},
        {"tanh", "tanh"},         {"sinh", "sinh"},       {"cosh", "cosh"},
        {"sin", "sin"},           {"cos", "cos"},         {"tan", "tan"},
        {"max", "max"},           {"min", "min"},         {"sigmoid", "sigmoid"},
        {"softplus", "softplus"}, {"relu", "relu"},       {"ReLU", "relu"},
        {"ReLu", "relu"},         {"softmax", "softmax"}, {"logsumexp", "logsumexp"},
        {"sqrt", "sqrt"},         {"abs", "abs"},         {"logloss", "logloss"}};
    if (auto it = names.find(name); it != names.end())
        return std::string(it->second);
    return std::nullopt;
}

/// Greek letters, read as names.
bool is_greek(std::string_view c) {
    static const std::set<std::string_view> names{
        "alpha",  "beta",  "gamma",    "delta",  "epsilon", "varepsilon", "zeta",
        "eta",    "theta", "vartheta", "iota",   "kappa",   "lambda",     "mu",
        "nu",     "xi",    "rho",      "varrho", "tau",     "upsilon",    "phi",
        "varphi", "chi",   "psi",      "omega",  "Gamma",   "Delta",      "Theta",
        "Lambda", "Xi",    "Sigma",    "Phi",    "Psi",     "Omega",      "sigma"};
    return names.count(c) != 0;
}

/// Accents that make a new name: \hat{y} is y_hat.
std::optional<std::string_view> accent_suffix(std::string_view c) {
    static const std::map<std::string_view, std::string_view> names{
        {"hat", "hat"},     {"widehat", "hat"},     {"bar", "bar"}, {"overline", "bar"},
        {"tilde", "tilde"}, {"widetilde", "tilde"}, {"dot", "dot"}, {"vec", "vec"},
        {"mathbf", ""},     {"boldsymbol", ""},     {"bm", ""}};
    if (auto it = names.find(c); it != names.end())
        return it->second;
    return std::nullopt;
}

std::string describe(const ltoken& t) {
    switch (t.kind) {
    case lkind::command:
        return "'\\" + printable(t.text) + "'";
    case lkind::end:
        return "the end of the maths";
    default:
        return "'" + printable(t.text) + "'";
    }
}

// ---- the translation --------------------------------------------------------------------------

class translator {
public:
    translator(const source_text& latex, const latex_names& names, latex_translation& out)
        : latex_(latex), names_(names), out_(out) {}

    /// Translates @p toks from @p from to its end (the last token is the end marker).
    void run(const std::vector<ltoken>& toks) {
        cursor c{&toks, 0};
        sequence(c, stop::none);
        out_.offsets.push_back(toks.back().end);
        close_statement();
    }

private:
    struct cursor {
        const std::vector<ltoken>* toks;
        std::size_t i;
        const ltoken& peek() const { return (*toks)[i]; }
        const ltoken& take() {
            const ltoken& t = (*toks)[i];
            if (t.kind != lkind::end)
                ++i;
            return t;
        }
        bool at_symbol(std::string_view s) const {
            return peek().kind == lkind::symbol && peek().text == s;
        }
        bool at_command(std::string_view s) const {
            return peek().kind == lkind::command && peek().text == s;
        }
    };

    enum class stop { none, group, paren, bracket, abs_bar, right };

    [[noreturn]] void fail(const ltoken& t, const std::string& message) const {
        latex_.fail(t.begin, message,
                    std::max<std::size_t>(
                        1, character_count(latex_.text().substr(t.begin, t.end - t.begin))));
    }

    void emit(std::string_view s, std::size_t offset) {
        out_.text += s;
        out_.offsets.insert(out_.offsets.end(), s.size(), offset);
    }

    /// Before an operand: a product written side by side gets its '*'.
    void begin_operand(std::size_t offset) {
        if (operand_ended_)
            emit("*", offset);
        operand_ended_ = false;
    }

    void close_statement() {
        // A final full stop or comma is punctuation.
        std::size_t end = out_.text.size();
        while (end > statement_begin_ && (out_.text[end - 1] == ',' || out_.text[end - 1] == ' '))
            --end;
        std::size_t first = statement_begin_;
        if (end > first) {
            out_.statements.emplace_back(first, end);
            out_.solved.push_back(next_is_implied_ || implication_follows_);
        }
        statement_begin_ = out_.text.size();
        next_is_implied_ = implication_follows_;
        implication_follows_ = false;
    }

    /// Tokens up to the one that @p until stops at (not taken).
    void sequence(cursor& c, stop until) {
        for (;;) {
            const ltoken& t = c.peek();
            if (t.kind == lkind::end) {
                if (until != stop::none)
                    fail(t, "this maths ends before its bracket or group is closed");
                return;
            }
            if (until == stop::group && t.kind == lkind::close_group)
                return;
            if (until == stop::paren && t.kind == lkind::symbol && t.text == ")")
                return;
            if (until == stop::bracket && t.kind == lkind::symbol && t.text == "]")
                return;
            if (until == stop::abs_bar && t.kind == lkind::symbol && t.text == "|" &&
                operand_ended_)
                return;
            if (until == stop::right && t.kind == lkind::command && t.text == "right")
                return;
            item(c, until);
        }
    }

    /// One item: an operator, or an operand with what follows it (sub- and superscripts).
    void item(cursor& c, stop until) {
        const ltoken t = c.take();
        // Every nesting (groups, brackets, fractions, powers) passes through here: the
        // grammar's depth limit, before the translation grows with it.
        struct depth_guard {
            std::size_t& n;
            explicit depth_guard(std::size_t& d) : n(++d) {}
            ~depth_guard() { --n; }
        } guard(nesting_);
        if (nesting_ > max_nesting)
            fail(t, "the maths is nested deeper than " + std::to_string(max_nesting) + " levels");
        switch (t.kind) {
        case lkind::number:
            begin_operand(t.begin);
            emit(t.text, t.begin);
            operand_ended_ = true;
            postfix(c);
            return;
        case lkind::word:
            word(c, t);
            return;
        case lkind::open_group:
            bracketed(c, t, "(", stop::group);
            return;
        case lkind::close_group:
            fail(t, "unmatched '}'");
        case lkind::command:
            command(c, t, until);
            return;
        case lkind::symbol:
            symbol(c, t);
            return;
        case lkind::end:
            return;
        }
    }

    void symbol(cursor& c, const ltoken& t) {
        const std::string& s = t.text;
        if (s == "+" || s == "-" || s == "/" || s == "*" || s == "=" || s == ",") {
            if (s == "," && depth_ == 0 && statement_ends_after(c)) {
                return; // punctuation
            }
            emit(s, t.begin);
            operand_ended_ = false;
            return;
        }
        if (s == "(" || s == "[") {
            bracketed(c, t, "(", s == "(" ? stop::paren : stop::bracket);
            return;
        }
        if (s == "|") {
            bracketed(c, t, "abs(", stop::abs_bar);
            return;
        }
        if (s == "." && depth_ == 0 && statement_ends_after(c))
            return; // a full stop
        if (s == ")" || s == "]")
            fail(t, "unmatched '" + s + "'");
        if (s == "'")
            fail(t, "a prime means a derivative only after a function's name, as in "
                    "\\sigma'(z) or f'(x)");
        if (s == "<" || s == ">")
            fail(t, "only equalities can be checked");
        fail(t, "cannot read " + describe(t) + " in maths");
    }

    /// A bracket, a group or |...| opened by @p t: its maths between @p opening and ')', then
    /// a prime (a derivative, after a bracket) and a power.
    void bracketed(cursor& c, const ltoken& t, std::string_view opening, stop until) {
        begin_operand(t.begin);
        const std::size_t start = out_.text.size();
        emit(opening, t.begin);
        ++depth_;
        sequence(c, until);
        --depth_;
        emit(")", c.take().begin);
        operand_ended_ = true;
        if (until == stop::paren || until == stop::bracket)
            derivative_of_bracket(c, start, t);
        postfix(c);
    }

    /// (1 + e^{-z})': the bracket just read, differentiated by the argument of the line's head
    /// (z in \sigma'(z) = ...).
    void derivative_of_bracket(cursor& c, std::size_t start, const ltoken& t) {
        if (!c.at_symbol("'"))
            return;
        const ltoken prime = c.take();
        if (!names_.implicit_argument || names_.implicit_argument->empty())
            fail(prime, "a prime after a bracket is a derivative by the variable of the line, "
                        "and this line names none (write \\sigma'(z) = ... first)");
        const std::string head = "diff(";
        out_.text.insert(start, head);
        out_.offsets.insert(out_.offsets.begin() + static_cast<std::ptrdiff_t>(start), head.size(),
                            t.begin);
        emit(", " + *names_.implicit_argument + ")", prime.begin);
    }

    /// Whether only punctuation, spacing and the end (or a separator) follow.
    static bool statement_ends_after(const cursor& c) {
        for (std::size_t j = c.i;; ++j) {
            const ltoken& t = (*c.toks)[j];
            if (t.kind == lkind::end)
                return true;
            if (t.kind == lkind::command && is_separator_command(t.text))
                return true;
            if (t.kind == lkind::command && is_skipped_command(t.text))
                continue;
            if (t.kind == lkind::symbol && (t.text == "." || t.text == ","))
                continue;
            return false;
        }
    }

    void command(cursor& c, const ltoken& t, stop until) {
        const std::string& name = t.text;
        if (is_skipped_command(name))
            return;
        if (is_separator_command(name)) {
            if (depth_ == 0) {
                implication_follows_ = name != "quad" && name != "qquad";
                close_statement();
                operand_ended_ = false;
            }
            return;
        }
        if (name == "begin" || name == "end") {
            // The environments of rows of equations; a matrix or an array is not read.
            const std::size_t at = c.i;
            if (c.peek().kind == lkind::open_group)
                skip_group(c);
            std::string env;
            for (std::size_t j = at + 1; j + 1 < c.i; ++j)
                env += (*c.toks)[j].text;
            if (!display_environment(env) && env != "cases")
                fail(t, "cannot read \\" + name + "{" + printable(env) +
                            "}: derivations are read with scalars, in rows of equations");
            return;
        }
        if (name == "label" || name == "tag") {
            if (c.peek().kind == lkind::open_group)
                skip_group(c);
            return;
        }
        if (name == "cdot" || name == "times" || name == "ast") {
            emit(" * ", t.begin); // spaced: \cdot \cdot is two operators, never **
            operand_ended_ = false;
            return;
        }
        if (name == "div") {
            emit("/", t.begin);
            operand_ended_ = false;
            return;
        }
        if (name == "left") {
            left(c, t);
            return;
        }
        if (name == "right")
            fail(t, "'\\right' without its '\\left'");
        if (name == "{") {
            begin_operand(t.begin);
            emit("(", t.begin);
            ++depth_;
            while (!c.at_command("}")) {
                if (c.peek().kind == lkind::end)
                    fail(t, "'\\{' is never closed");
                item(c, until);
            }
            --depth_;
            emit(")", c.take().begin);
            operand_ended_ = true;
            postfix(c);
            return;
        }
        if (name == "frac" || name == "dfrac" || name == "tfrac" || name == "cfrac") {
            fraction(c, t);
            return;
        }
        if (name == "sqrt") {
            square_root(c, t);
            return;
        }
        if (name == "sum") {
            sum(c, t);
            return;
        }
        if (name == "Pr" && c.at_symbol("(")) {
            probability(c, t);
            return;
        }
        if (name == "sigma" && !defined("sigma") && !c.at_symbol("=")) {
            function_call(c, t, "sigmoid");
            return;
        }
        if (name == "underbrace" || name == "overbrace" || name == "boxed" || name == "cancel" ||
            name == "bcancel" || name == "xcancel" || name == "underset" || name == "overset" ||
            name == "stackrel") {
            // The marked maths itself: \underbrace{A}_{note} and \underset{note}{A} are A.
            if (name == "underset" || name == "overset" || name == "stackrel")
                group_tokens(c, t);
            std::vector<ltoken> body = group_tokens(c, t);
            begin_operand(t.begin);
            emit("(", t.begin);
            nested(std::move(body));
            emit(")", t.begin);
            if ((name == "underbrace" && c.at_symbol("_")) ||
                (name == "overbrace" && c.at_symbol("^"))) {
                c.take();
                group_tokens(c, t);
            }
            operand_ended_ = true;
            postfix(c);
            return;
        }
        if (name == "operatorname" || name == "mathrm" || name == "text" || name == "textrm" ||
            name == "mathit" || name == "textit" || name == "mathsf" || name == "mathfrak" ||
            name == "mathcal" || name == "mathbb" || name == "textsf" || name == "textbf") {
            const auto [word_text, at] = group_word(c, t);
            if (auto f = known_function(word_text)) {
                function_call(c, at, *f);
                return;
            }
            if (name == "operatorname")
                fail(t, "unknown function '" + word_text + "'");
            if (name == "mathrm" && word_text == "d")
                fail(at, "a differential d stands only in a derivative \\frac{d L}{d w}");
            named_operand(c, at, word_text);
            return;
        }
        if (auto f = known_function(name)) {
            function_call(c, t, *f);
            return;
        }
        if (is_greek(name)) {
            named_operand(c, t, name == "varepsilon" ? "epsilon" : name);
            return;
        }
        if (name == "pi") {
            begin_operand(t.begin);
            emit("Pi", t.begin);
            operand_ended_ = true;
            postfix(c);
            return;
        }
        if (auto suffix = accent_suffix(name)) {
            const auto [word_text, at] = group_word(c, t);
            named_operand(c, at,
                          suffix->empty() ? word_text : word_text + "_" + std::string(*suffix));
            return;
        }
        if (name == "dots" || name == "ldots" || name == "cdots" || name == "vdots" ||
            name == "ddots")
            fail(t, "cannot read " + describe(t) +
                        ": write the terms out, or a \\sum with "
                        "numeric bounds");
        if (name == "approx" || name == "neq" || name == "ne" || name == "le" || name == "leq" ||
            name == "ge" || name == "geq" || name == "sim" || name == "propto")
            fail(t, "only equalities can be checked, not " + describe(t));
        if (name == "partial")
            fail(t, "\\partial stands only in a derivative \\frac{\\partial L}{\\partial w}");
        fail(t, "cannot read " + describe(t) + " in maths");
    }

    void skip_group(cursor& c) {
        const ltoken open = c.take();
        std::size_t level = 1;
        while (level > 0) {
            const ltoken t = c.take();
            if (t.kind == lkind::end)
                fail(open, "this group is never closed");
            if (t.kind == lkind::open_group)
                ++level;
            if (t.kind == lkind::close_group)
                --level;
        }
    }

    /// The letters of a group such as {softmax} or {net}, or one token.
    std::pair<std::string, ltoken> group_word(cursor& c, const ltoken& command_token) {
        if (c.peek().kind != lkind::open_group) {
            const ltoken t = c.take();
            if (t.kind != lkind::word)
                fail(t, describe(command_token) + " needs a name in braces");
            return {t.text, t};
        }
        const ltoken open = c.take();
        std::string text;
        ltoken whole = open;
        for (;;) {
            const ltoken t = c.take();
            if (t.kind == lkind::close_group)
                break;
            if (t.kind == lkind::word || t.kind == lkind::number) {
                text += t.text;
            } else if (t.kind == lkind::command && is_greek(t.text)) {
                text += t.text;
            } else if (t.kind == lkind::symbol && t.text == "-" && !text.empty()) {
                text += '_';
            } else {
                fail(t, "cannot read " + describe(t) + " in " + describe(command_token) +
                            "{...}: a name is letters and digits");
            }
            whole.end = t.end;
        }
        if (text.empty())
            fail(open, describe(command_token) + " needs a name in braces");
        if (is_digit(text[0]))
            fail(open, "a name starts with a letter");
        return {text, whole};
    }

    bool defined(std::string_view name) const {
        return names_.is_defined && names_.is_defined(name);
    }
    bool user_function(std::string_view name) const {
        return names_.is_function && names_.is_function(name);
    }

    /// The name a base and subscript read as (the rule in latex.hpp).
    std::string subscripted(const std::string& base, const std::string& sub) const {
        if (sub.empty())
            return base;
        const std::string with = base + "_" + sub, without = base + sub;
        if (defined(with) || user_function(with))
            return with;
        if (defined(without) || user_function(without))
            return without;
        return std::all_of(sub.begin(), sub.end(), is_digit) ? without : with;
    }

    /// A subscript's text: _1, _{12}, _i (a bound index: its value), _{\beta}.
    std::string subscript(cursor& c) {
        const ltoken underscore = c.take();
        auto piece = [&](const ltoken& t) -> std::string {
            if (t.kind == lkind::word) {
                if (auto b = bound_.find(t.text); b != bound_.end())
                    return std::to_string(b->second);
                // w_{ij} inside two sums: each letter its index's value.
                if (t.text.size() > 1 && std::all_of(t.text.begin(), t.text.end(), [&](char ch) {
                        return bound_.count(std::string(1, ch)) != 0;
                    })) {
                    std::string v;
                    for (char ch : t.text)
                        v += std::to_string(bound_.at(std::string(1, ch)));
                    return v;
                }
                return t.text;
            }
            if (t.kind == lkind::number && t.text.find('.') == std::string::npos)
                return t.text;
            if (t.kind == lkind::command && is_greek(t.text))
                return t.text;
            if (t.kind == lkind::symbol && t.text == ",")
                return "";
            fail(t, "cannot read " + describe(t) + " in a subscript: write letters and digits");
        };
        if (c.peek().kind == lkind::open_group) {
            c.take();
            std::string s;
            while (c.peek().kind != lkind::close_group) {
                if (c.peek().kind == lkind::end)
                    fail(underscore, "this subscript's group is never closed");
                s += piece(c.take());
            }
            c.take();
            return s;
        }
        return piece(c.take());
    }

    /// A word: a known function, a defined name, or one name per letter.
    void word(cursor& c, const ltoken& t) {
        if (bound_.count(t.text) != 0) {
            begin_operand(t.begin);
            emit("(" + std::to_string(bound_.at(t.text)) + ")", t.begin);
            operand_ended_ = true;
            postfix(c);
            return;
        }
        if (defined(t.text) || user_function(t.text)) {
            named_operand(c, t, t.text);
            return;
        }
        if (auto f = known_function(t.text)) {
            function_call(c, t, *f);
            return;
        }
        if (t.text == "e" && c.at_symbol("^")) {
            c.take();
            begin_operand(t.begin);
            emit("exp(", t.begin);
            superscript_argument(c);
            emit(")", t.begin);
            operand_ended_ = true;
            return;
        }
        if (t.text == "e") {
            begin_operand(t.begin);
            emit("exp(1)", t.begin);
            operand_ended_ = true;
            return;
        }
        // In maths, xy is x times y: each letter a name; the last takes what follows it.
        for (std::size_t k = 0; k + 1 < t.text.size(); ++k) {
            begin_operand(t.begin + k);
            emit(subscripted(t.text.substr(k, 1), ""), t.begin + k);
            operand_ended_ = true;
        }
        ltoken last = t;
        last.begin = t.begin + t.text.size() - 1;
        last.text = t.text.substr(t.text.size() - 1);
        named_operand(c, last, last.text);
    }

    /// A name with its subscript, prime, call or power.
    void named_operand(cursor& c, const ltoken& t, const std::string& base) {
        std::string name = base;
        if (c.at_symbol("_"))
            name = subscripted(base, subscript(c));
        if (c.at_symbol("'")) {
            const ltoken prime = c.take();
            if (c.at_symbol("_")) {
                // L'_{w}: the derivative of L by w.
                c.take();
                std::vector<ltoken> var = group_tokens(c, prime);
                begin_operand(t.begin);
                emit("diff(" + name + ", ", t.begin);
                nested(std::move(var));
                emit(")", t.begin);
                operand_ended_ = true;
                postfix(c);
                return;
            }
            if (!user_function(name))
                fail(prime, "'" + name +
                                "' is not a function defined before; define it first, "
                                "as " +
                                name + "(t) = ...");
            function_call(c, t, name, true);
            return;
        }
        if (user_function(name) && (c.at_symbol("(") || c.at_command("left"))) {
            function_call(c, t, name);
            return;
        }
        if (out_.text.size() == statement_begin_ && definition_head_follows(c)) {
            // L(w) = ... or f(t) = ...: a name with its arguments, defined here.
            emit(name, t.begin);
            operand_ended_ = false;
            return;
        }
        if ((name == "f" || name == "g" || name == "h") && c.at_symbol("(") && !defined(name))
            fail(t, "'" + name + "' is not defined; define it first, as " + name + "(t) = ...");
        begin_operand(t.begin);
        emit(name, t.begin);
        operand_ended_ = true;
        postfix(c);
    }

    /// At the start of a statement, after a name: "(a, b_1) =", the arguments of a definition.
    static bool definition_head_follows(const cursor& c) {
        const auto& toks = *c.toks;
        std::size_t j = c.i;
        if (!(toks[j].kind == lkind::symbol && toks[j].text == "("))
            return false;
        std::size_t group = 0;
        for (++j; j < toks.size(); ++j) {
            const ltoken& t = toks[j];
            if (t.kind == lkind::open_group) {
                ++group;
                continue;
            }
            if (t.kind == lkind::close_group && group > 0) {
                --group;
                continue;
            }
            if (t.kind == lkind::symbol && t.text == ")" && group == 0)
                return j + 1 < toks.size() && toks[j + 1].kind == lkind::symbol &&
                       toks[j + 1].text == "=";
            const bool name_part = t.kind == lkind::word || t.kind == lkind::number ||
                                   (t.kind == lkind::symbol && (t.text == "_" || t.text == ",")) ||
                                   (t.kind == lkind::command && is_greek(t.text));
            if (!name_part)
                return false;
        }
        return false;
    }

    /// A function applied: f(args), or f x / f \frac{..}{..} (one factor) without parentheses;
    /// \sigma'(z) as derivative(sigmoid, z).
    void function_call(cursor& c, const ltoken& t, const std::string& f, bool prime = false) {
        if (!prime && c.at_symbol("'")) {
            c.take();
            prime = true;
        }
        if (c.at_symbol("^"))
            fail(c.peek(), "write a power of a function's value as (f(x))^2");
        // A head \sigma(z) or \sigma'(z): z is the argument the text leaves out later.
        if (out_.text.size() == statement_begin_ && names_.implicit_argument)
            if (auto arg = single_name_argument(c))
                *names_.implicit_argument = *arg;
        // \sigma written alone (\sigma \cdot ..., \sigma(1 - \sigma)): \sigma at that argument.
        if (!prime && f == "sigmoid" && names_.implicit_argument &&
            !names_.implicit_argument->empty() &&
            (!has_argument(c) || paren_holds_bare_sigma(c) || bracket_starts_one_minus(c))) {
            begin_operand(t.begin);
            emit("sigmoid(" + *names_.implicit_argument + ")", t.begin);
            operand_ended_ = true;
            return;
        }
        begin_operand(t.begin);
        emit(prime ? "derivative(" + f + ", " : f + "(", t.begin);
        operand_ended_ = false;
        ++depth_;
        if (c.at_symbol("(")) {
            c.take();
            sequence(c, stop::paren);
            c.take();
        } else if (c.at_command("left")) {
            const ltoken l = c.take();
            left_body(c, l);
        } else if (c.peek().kind == lkind::open_group) {
            c.take();
            sequence(c, stop::group);
            c.take();
        } else {
            // One factor: a name or number with its power, a fraction, a function; and the
            // names and numbers written right after it (\sin 2x is sin(2x), \ln x + 1 is
            // ln(x) + 1).
            if (c.peek().kind == lkind::end ||
                (c.peek().kind == lkind::symbol && c.peek().text != "|"))
                fail(t, describe(t) + " needs its argument");
            item(c, stop::none);
            while ((c.peek().kind == lkind::number ||
                    (c.peek().kind == lkind::word && !known_function(c.peek().text) &&
                     !user_function(c.peek().text))) &&
                   !(c.peek().kind == lkind::word && c.peek().text == "e" &&
                     (*c.toks)[c.i + 1].kind == lkind::symbol && (*c.toks)[c.i + 1].text == "^"))
                item(c, stop::none);
        }
        --depth_;
        emit(")", t.begin);
        operand_ended_ = true;
        if (!prime)
            postfix(c);
    }

    /// \Pr(Y=0): a name, Pr_Y_0 (the value may be a bound index: \Pr(Y=i) in a \sum).
    void probability(cursor& c, const ltoken& t) {
        const ltoken open = c.take();
        const ltoken var = c.take();
        const ltoken eq = c.take();
        const ltoken value = c.take();
        const ltoken close = c.take();
        if (var.kind != lkind::word || !(eq.kind == lkind::symbol && eq.text == "=") ||
            !(value.kind == lkind::number || value.kind == lkind::word) ||
            !(close.kind == lkind::symbol && close.text == ")"))
            fail(open, "\\Pr reads as a name only in the form \\Pr(Y=0)");
        std::string v = value.text;
        if (auto b = bound_.find(v); b != bound_.end())
            v = std::to_string(b->second);
        if (v.find('.') != std::string::npos)
            fail(value, "\\Pr(Y=...) names a class: a whole number or a name");
        begin_operand(t.begin);
        emit("Pr_" + var.text + "_" + v, t.begin);
        operand_ended_ = true;
        postfix(c);
    }

    /// At "(NAME)": the name as symgrad writes it (z, w1).
    std::optional<std::string> single_name_argument(const cursor& c) const {
        const auto& toks = *c.toks;
        const std::size_t j = c.i;
        if (!(toks[j].kind == lkind::symbol && toks[j].text == "(") || j + 2 >= toks.size())
            return std::nullopt;
        if (toks[j + 1].kind == lkind::word && toks[j + 1].text.size() == 1 &&
            toks[j + 2].kind == lkind::symbol && toks[j + 2].text == ")")
            return subscripted(toks[j + 1].text, "");
        return std::nullopt;
    }

    /// Whether a function's argument follows (a bracket, a group, a name, a number, maths).
    static bool has_argument(const cursor& c) {
        const ltoken& t = c.peek();
        switch (t.kind) {
        case lkind::word:
        case lkind::number:
        case lkind::open_group:
            return true;
        case lkind::symbol:
            return t.text == "(" || t.text == "[" || t.text == "|";
        case lkind::command:
            return !(t.text == "cdot" || t.text == "times" || t.text == "ast" || t.text == "div" ||
                     is_separator_command(t.text) || is_skipped_command(t.text) ||
                     t.text == "right" || t.text == "end");
        default:
            return false;
        }
    }

    /// At "(" or "\left(": whether the bracket starts with "1 -", as in
    /// \sigma \left(1 - \frac{1}{1 + e^{-z}}\right): the factor 1 - \sigma of the derivative.
    static bool bracket_starts_one_minus(const cursor& c) {
        const auto& toks = *c.toks;
        std::size_t j = c.i;
        if (toks[j].kind == lkind::command && toks[j].text == "left")
            ++j;
        if (!(toks[j].kind == lkind::symbol && toks[j].text == "(") || j + 2 >= toks.size())
            return false;
        return toks[j + 1].kind == lkind::number && toks[j + 1].text == "1" &&
               toks[j + 2].kind == lkind::symbol && toks[j + 2].text == "-";
    }

    /// At "(": whether the bracket holds a \sigma without its own argument, as in
    /// \sigma(1 - \sigma): a product, not a call.
    static bool paren_holds_bare_sigma(const cursor& c) {
        const auto& toks = *c.toks;
        if (!(toks[c.i].kind == lkind::symbol && toks[c.i].text == "("))
            return false;
        std::size_t level = 0;
        for (std::size_t j = c.i; j < toks.size(); ++j) {
            const ltoken& t = toks[j];
            if (t.kind == lkind::symbol && t.text == "(")
                ++level;
            if (t.kind == lkind::symbol && t.text == ")" && --level == 0)
                return false;
            if (t.kind == lkind::command && t.text == "sigma" && j + 1 < toks.size()) {
                const ltoken& n = toks[j + 1];
                const bool call = (n.kind == lkind::symbol && (n.text == "(" || n.text == "'")) ||
                                  n.kind == lkind::open_group ||
                                  (n.kind == lkind::command && n.text == "left");
                if (!call)
                    return true;
            }
            if (t.kind == lkind::end)
                return false;
        }
        return false;
    }

    /// \left( ... \right) as parentheses (\left| ... \right| as abs).
    void left(cursor& c, const ltoken& t) {
        if (c.at_symbol(".")) {
            // \left. ... \right|: an evaluation bar.
            fail(t, "cannot read an evaluation bar \\left. ... \\right|");
        }
        begin_operand(t.begin);
        const bool bar = c.at_symbol("|") || c.at_command("vert") || c.at_command("lvert");
        emit(bar ? "abs(" : "(", t.begin);
        ++depth_;
        left_body(c, t);
        --depth_;
        emit(")", t.begin);
        operand_ended_ = true;
        postfix(c);
    }

    /// After \left: its delimiter, the body, \right and its delimiter.
    void left_body(cursor& c, const ltoken& t) {
        const ltoken delim = c.take();
        if (delim.kind == lkind::end)
            fail(t, "'\\left' needs a delimiter");
        operand_ended_ = false;
        sequence(c, stop::right);
        c.take(); // \right
        const ltoken close = c.take();
        if (close.kind == lkind::end)
            fail(t, "'\\right' needs a delimiter");
    }

    /// ^x or ^{...} after an operand; primes are read by the name.
    void postfix(cursor& c) {
        while (c.at_symbol("^")) {
            c.take();
            emit("^(", c.peek().begin);
            superscript_argument(c);
            emit(")", c.peek().begin);
            operand_ended_ = true;
        }
        if (c.at_symbol("_"))
            fail(c.peek(), "a subscript stands only after a name");
    }

    void superscript_argument(cursor& c) {
        const bool was = operand_ended_;
        operand_ended_ = false;
        ++depth_;
        const ltoken t = c.peek();
        if (t.kind == lkind::open_group) {
            c.take();
            sequence(c, stop::group);
            c.take();
        } else if (t.kind == lkind::end) {
            fail(t, "a power needs its exponent");
        } else if (t.kind == lkind::symbol && t.text == "-") {
            fail(t, "write a negative exponent in braces: ^{-1}");
        } else if ((t.kind == lkind::word && t.text == "T") ||
                   (t.kind == lkind::command && (t.text == "top" || t.text == "intercal"))) {
            fail(t, "^T is a transpose: derivations are read with scalars (write the "
                    "components out)");
        } else {
            item(c, stop::none);
        }
        --depth_;
        operand_ended_ = was;
    }

    /// The tokens of the group at @p c (taken), without its braces.
    std::vector<ltoken> group_tokens(cursor& c, const ltoken& command_token) {
        if (c.peek().kind != lkind::open_group) {
            const ltoken t = c.take();
            if (t.kind == lkind::end)
                fail(command_token, describe(command_token) + " needs its argument");
            if ((t.kind == lkind::word || t.kind == lkind::number) && t.text.size() > 1 &&
                command_token.text != "_" && command_token.text != "^")
                fail(t, "write the arguments in braces: \\" + command_token.text + "{" +
                            t.text.substr(0, 1) + "}{" + t.text.substr(1) + "}");
            return {t, end_marker(t.end)};
        }
        const ltoken open = c.take();
        std::vector<ltoken> inner;
        std::size_t level = 1;
        for (;;) {
            const ltoken t = c.take();
            if (t.kind == lkind::end)
                fail(open, "this group is never closed");
            if (t.kind == lkind::open_group)
                ++level;
            if (t.kind == lkind::close_group && --level == 0) {
                inner.push_back(end_marker(t.begin));
                return inner;
            }
            inner.push_back(t);
        }
    }

    static ltoken end_marker(std::size_t at) {
        ltoken e;
        e.begin = e.end = at;
        return e;
    }

    /// Translates @p toks (ending with an end marker) in place, as a parenthesised operand.
    void nested(std::vector<ltoken> toks) {
        cursor inner{&toks, 0};
        const bool was = operand_ended_;
        operand_ended_ = false;
        ++depth_;
        sequence(inner, stop::none);
        --depth_;
        operand_ended_ = was;
    }

    /// \partial or a d (a word "d", or "dL"): the rest of the group after it, or nullopt.
    std::optional<std::vector<ltoken>> after_differential(std::vector<ltoken> toks) {
        if (toks.empty())
            return std::nullopt;
        ltoken& first = toks.front();
        if (first.kind == lkind::command && first.text == "partial") {
            toks.erase(toks.begin());
            return toks;
        }
        if (first.kind == lkind::command && first.text == "mathrm" && toks.size() >= 4 &&
            toks[1].kind == lkind::open_group && toks[2].text == "d" &&
            toks[3].kind == lkind::close_group) {
            toks.erase(toks.begin(), toks.begin() + 4);
            return toks;
        }
        if (first.kind == lkind::word && first.text[0] == 'd' && !defined("d") &&
            !defined(first.text)) {
            if (first.text.size() == 1) {
                toks.erase(toks.begin());
            } else {
                first.text.erase(0, 1);
                first.begin += 1;
            }
            return toks;
        }
        return std::nullopt;
    }

    /// \frac{a}{b}: (a)/(b); \frac{\partial L}{\partial w}: diff(L, w).
    void fraction(cursor& c, const ltoken& t) {
        std::vector<ltoken> num, den;
        if (c.peek().kind == lkind::number && c.peek().text.size() == 2 &&
            is_digit(c.peek().text[1])) {
            // \frac12: TeX takes one digit for each argument.
            ltoken two = c.take();
            ltoken one = two;
            one.end = one.begin + 1;
            one.text.resize(1);
            two.begin += 1;
            two.text.erase(0, 1);
            num = {one, end_marker(one.end)};
            den = {two, end_marker(two.end)};
        } else {
            num = group_tokens(c, t);
            den = group_tokens(c, t);
        }
        if (auto d_den = after_differential(den)) {
            if (auto d_num = after_differential(num)) {
                derivative(c, t, *d_num, *d_den);
                return;
            }
        }
        begin_operand(t.begin);
        emit("((", t.begin);
        nested(std::move(num));
        emit(")/(", t.begin);
        nested(std::move(den));
        emit("))", t.begin);
        operand_ended_ = true;
        postfix(c);
    }

    /// The derivative written as a fraction: the numerator's rest (maybe ^n, then the function,
    /// or nothing: the factor after the fraction) over the variable (maybe ^n).
    void derivative(cursor& c, const ltoken& t, std::vector<ltoken> num, std::vector<ltoken> den) {
        // Order in the numerator: \partial^2 L.
        std::string order = "1";
        if (!num.empty() && num.front().kind == lkind::symbol && num.front().text == "^") {
            if (num.size() < 2 || num[1].kind != lkind::number)
                fail(t, "the order of a derivative is a number: \\partial^2 L");
            order = num[1].text;
            num.erase(num.begin(), num.begin() + 2);
        }
        // The variable: one name, maybe with a subscript and ^order.
        std::vector<ltoken> var_toks;
        std::string den_order = "1";
        for (std::size_t j = 0; j + 1 < den.size(); ++j) {
            if (den[j].kind == lkind::symbol && den[j].text == "^") {
                if (j + 1 >= den.size() || den[j + 1].kind != lkind::number)
                    fail(t, "the order of a derivative is a number: \\partial w^2");
                den_order = den[j + 1].text;
                break;
            }
            if (den[j].kind == lkind::command && den[j].text == "partial")
                fail(den[j], "mixed derivatives: write one derivative at a time");
            var_toks.push_back(den[j]);
        }
        if (order != den_order)
            fail(t, "the orders of this derivative differ (" + order + " above, " + den_order +
                        " below)");
        if (var_toks.empty())
            fail(t, "a derivative needs the variable: \\frac{\\partial L}{\\partial w}");
        var_toks.push_back(end_marker(den.back().end));
        const bool function_follows = num.size() <= 1; // only the end marker
        begin_operand(t.begin);
        emit("diff(", t.begin);
        ++in_derivative_;
        if (function_follows) {
            // \frac{\partial}{\partial w} 3 w^2: the product that follows the fraction, up to
            // the next + or - outside brackets.
            std::vector<ltoken> term = product_tokens(c);
            if (term.size() <= 1)
                fail(t, "a derivative needs what it differentiates");
            nested(std::move(term));
        } else {
            const std::size_t from = out_.text.size();
            nested(std::move(num));
            // \frac{\partial J}{\partial w} of a J never defined would be 0: an error instead.
            const std::string what = out_.text.substr(from);
            const bool plain_name =
                !what.empty() && std::all_of(what.begin(), what.end(), [](char ch) {
                    return is_letter(ch) || is_digit(ch) || ch == '_';
                });
            if (plain_name && !defined(what) && !user_function(what))
                fail(t, "'" + what +
                            "' is not defined before its derivative; define it first, "
                            "as " +
                            what + " = ...");
        }
        emit(", ", t.begin);
        const std::size_t var_from = out_.text.size();
        nested(std::move(var_toks));
        if (const std::string var = out_.text.substr(var_from); defined(var))
            fail(t, "'" + var +
                        "' has a value defined before, so it is no variable to "
                        "differentiate by");
        if (order != "1")
            emit(", " + order, t.begin);
        emit(")", t.begin);
        --in_derivative_;
        operand_ended_ = true;
        postfix(c);
    }

    void square_root(cursor& c, const ltoken& t) {
        std::optional<std::vector<ltoken>> index;
        if (c.at_symbol("[")) {
            c.take();
            std::vector<ltoken> idx;
            while (!c.at_symbol("]")) {
                if (c.peek().kind == lkind::end)
                    fail(t, "the index of this root is never closed");
                idx.push_back(c.take());
            }
            idx.push_back(end_marker(c.take().begin));
            index = std::move(idx);
        }
        std::vector<ltoken> body = group_tokens(c, t);
        begin_operand(t.begin);
        if (!index) {
            emit("sqrt(", t.begin);
            nested(std::move(body));
            emit(")", t.begin);
        } else {
            emit("((", t.begin);
            nested(std::move(body));
            emit(")^(1/(", t.begin);
            nested(std::move(*index));
            emit(")))", t.begin);
        }
        operand_ended_ = true;
        postfix(c);
    }

    /// The tokens of the product that starts at @p c (taken), up to the next + - = or comma
    /// outside brackets, a closing bracket or a separator; with an end marker.
    std::vector<ltoken> product_tokens(cursor& c) {
        std::vector<ltoken> body;
        std::size_t level = 0;
        for (;;) {
            const ltoken& b = c.peek();
            if (b.kind == lkind::end)
                break;
            const bool opens = b.kind == lkind::open_group ||
                               (b.kind == lkind::symbol && (b.text == "(" || b.text == "[")) ||
                               (b.kind == lkind::command && b.text == "left");
            const bool closes = b.kind == lkind::close_group ||
                                (b.kind == lkind::symbol && (b.text == ")" || b.text == "]")) ||
                                (b.kind == lkind::command && b.text == "right");
            const bool stops = closes ||
                               (b.kind == lkind::symbol && (b.text == "+" || b.text == "-" ||
                                                            b.text == "=" || b.text == ",")) ||
                               (b.kind == lkind::command && is_separator_command(b.text));
            if (level == 0 && stops && (!body.empty() || closes))
                break;
            if (opens)
                ++level;
            if (closes && level > 0)
                --level;
            body.push_back(c.take());
        }
        body.push_back(end_marker(body.empty() ? c.peek().begin : body.back().end));
        return body;
    }

    /// \sum_{i=a}^{b} body: the body for i = a, ..., b, where the body runs to the next + or -
    /// (or = , or closing bracket) outside brackets.
    void sum(cursor& c, const ltoken& t) {
        if (!c.at_symbol("_"))
            fail(t, "cannot read a \\sum without bounds: write \\sum_{i=1}^{3} ...");
        c.take();
        std::vector<ltoken> lower = group_tokens(c, t);
        if (lower.size() != 4 || lower[0].kind != lkind::word || lower[1].text != "=" ||
            lower[2].kind != lkind::number)
            fail(t, "a \\sum needs numeric bounds: \\sum_{i=1}^{3}");
        if (!c.at_symbol("^"))
            fail(t, "a \\sum needs numeric bounds: \\sum_{i=1}^{3}");
        c.take();
        std::vector<ltoken> upper = group_tokens(c, t);
        if (upper.size() != 2 || upper[0].kind != lkind::number)
            fail(t, "a \\sum needs numeric bounds: \\sum_{i=1}^{3}");
        const std::string index = lower[0].text;
        const long from = std::stol(lower[2].text), to = std::stol(upper[0].text);
        if (to < from || to - from > 1000)
            fail(t, "a \\sum runs over at most 1001 values, from its lower bound up");
        std::vector<ltoken> body = product_tokens(c);
        if (body.size() <= 1)
            fail(t, "this \\sum has nothing to add");
        begin_operand(t.begin);
        emit("(", t.begin);
        const bool shadowed = bound_.count(index) != 0;
        const long saved = shadowed ? bound_[index] : 0;
        for (long k = from; k <= to; ++k) {
            if (k > from)
                emit("+", t.begin);
            bound_[index] = k;
            emit("(", t.begin);
            nested(body);
            emit(")", t.begin);
        }
        if (shadowed)
            bound_[index] = saved;
        else
            bound_.erase(index);
        emit(")", t.begin);
        operand_ended_ = true;
    }

    const source_text& latex_;
    const latex_names& names_;
    latex_translation& out_;
    bool operand_ended_ = false;
    std::size_t depth_ = 0;
    std::size_t statement_begin_ = 0;
    int in_derivative_ = 0;
    std::map<std::string, long> bound_;
    std::size_t nesting_ = 0;
    /// An implication arrow ends the statement being read, or ended the one before.
    bool implication_follows_ = false;
    bool next_is_implied_ = false;
    /// As the grammar's parse_options::max_depth.
    static constexpr std::size_t max_nesting = 256;
};

} // namespace

latex_translation translate_latex(const source_text& latex, std::size_t begin, std::size_t end,
                                  const latex_names& names) {
    latex_translation out;
    std::vector<ltoken> toks = tokenize(latex.text(), begin, end);
    translator(latex, names, out).run(toks);
    SYMGRAD_ASSERT(out.offsets.size() == out.text.size() + 1);
    return out;
}

} // namespace symgrad
