// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
//
// The expression grammar: the one reader of expressions, for the command line (parser.hpp's
// parse, with every name a variable) and for problem files (names bound to earlier
// definitions). Tokens come from lexer.hpp; GiNaC builds the values but parses no text.
//
//   expression = term { ("+" | "-") term }
//   term       = signed { ("*" | "/") signed }
//   signed     = ("+" | "-") signed | power          -b^2 is -(b^2); a*-b + c is a*(-b) + c
//   power      = primary [ "^" signed ]              right-associative: a^b^c is a^(b^c)
//   primary    = number | name | name "(" [ arguments ] ")" | "(" expression ")"
//              | "[" arguments "]" | "{" arguments "}"
//   arguments  = expression { "," expression }
//
// ** is read as ^. A run of scalar terms is summed once at its end: GiNaC copies a sum to add a
// term to it, so adding one term at a time took time quadratic in the run's length.
#include "symgrad/text/tensor_expression.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/functions.hpp"
#include "symgrad/core/ginac_reason.hpp"
#include "symgrad/core/object_identity.hpp"
#include "symgrad/core/printers.hpp"
#include "symgrad/core/size_limits.hpp"
#include "symgrad/core/spelling.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/core/tensor.hpp"
#include "symgrad/text/lexer.hpp"
#include "symgrad/verify/domain.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace symgrad {

using GiNaC::ex;
using GiNaC::exvector;
using GiNaC::matrix;

bool is_tensor(const ex& value) {
    return GiNaC::is_a<matrix>(value);
}

std::string shape_description(const ex& value) {
    if (!is_tensor(value))
        return "scalar";
    const auto& m = GiNaC::ex_to<matrix>(value);
    return shape_text(m) + (m.rows() == 1 || m.cols() == 1 ? " vector" : " matrix");
}

namespace {

/// The functions this reader handles itself: tensor operations, calculus, the variadic ML
/// functions, and the GiNaC functions it reads with a domain condition or another name.
const std::map<std::string, std::pair<std::size_t, std::size_t>, std::less<>>& own_functions() {
    // name -> (fewest, most) arguments; most = 0: any number.
    static const std::map<std::string, std::pair<std::size_t, std::size_t>, std::less<>> table{
        {"diff", {2, 3}},         {"sum", {1, 1}},  {"mean", {1, 1}},      {"transpose", {1, 1}},
        {"hadamard", {2, 2}},     {"dot", {2, 2}},  {"inverse", {1, 1}},   {"det", {1, 1}},
        {"trace", {1, 1}},        {"diag", {1, 1}}, {"softmax", {1, 0}},   {"logsumexp", {1, 0}},
        {"crossentropy", {2, 2}}, {"sqrt", {1, 1}}, {"pow", {2, 2}},       {"power", {2, 2}},
        {"max", {2, 2}},          {"min", {2, 2}},  {"derivative", {2, 2}}};
    return table;
}

/// Other names for functions, as the course material and other tools write them.
const std::map<std::string, std::string, std::less<>>& synonyms() {
    static const std::map<std::string, std::string, std::less<>> table{{"ln", "log"}};
    return table;
}

/// GiNaC's registered functions (symgrad's among them) by name, with their arities.
const std::map<std::string, std::set<std::size_t>, std::less<>>& registered_functions() {
    static const std::map<std::string, std::set<std::size_t>, std::less<>> table = [] {
        register_ml_functions();
        std::map<std::string, std::set<std::size_t>, std::less<>> t;
        for (const auto& entry : GiNaC::get_default_reader()) {
            const std::string& name = entry.first.first;
            if (own_functions().count(name) == 0)
                t[name].insert(entry.first.second);
        }
        return t;
    }();
    return table;
}

/// Names that, written without parentheses, are almost surely a forgotten call rather than a
/// variable (names like beta, eta, zeta or psi stay usable as variables).
bool is_call_only_name(std::string_view name) {
    static const std::set<std::string, std::less<>> names{
        "sigmoid", "softplus",     "relu", "logloss", "indicator", "logsumexp",
        "softmax", "crossentropy", "exp",  "log",     "ln",        "sin",
        "cos",     "tan",          "tanh", "sinh",    "cosh",      "sqrt",
        "abs",     "step",         "diff", "pow"};
    return names.count(name) != 0;
}

std::string arguments_text(std::size_t n) {
    return std::to_string(n) + (n == 1 ? " argument" : " arguments");
}

/// "2", "2 or 3", "1, 2 or 4".
std::string counts_text(const std::set<std::size_t>& counts) {
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

/// For 0,25 (a decimal comma, as many countries write it): what to write instead.
std::string decimal_comma_hint(const lexer& lex, const token& comma) {
    const std::string_view s = lex.source().text();
    auto digit = [&](std::size_t i) { return i < s.size() && s[i] >= '0' && s[i] <= '9'; };
    if (comma.begin == 0 || !digit(comma.begin - 1) || !digit(comma.end))
        return "";
    std::size_t b = comma.begin, e = comma.end;
    while (b > 0 && digit(b - 1))
        --b;
    while (digit(e))
        ++e;
    return "; for a decimal, write a point: " + std::string(s.substr(b, comma.begin - b)) + "." +
           std::string(s.substr(comma.end, e - comma.end));
}

std::string equals_message(const lexer& lex, const token& t) {
    return "'" + lex.describe(t) +
           "' is not an operator in an expression (compare with '==' in check and expect "
           "statements)";
}

class reader {
public:
    reader(lexer& lex, const tensor_names& names, const parse_options& options)
        : lex_(lex), names_(names), options_(options) {}

    /// One expression, up to the first token that cannot continue it.
    ex expression_prefix() {
        if (lex_.at(token_kind::end))
            lex_.fail(lex_.peek(), "empty expression");
        return expression(0);
    }

    /// The conditions of the expression's real domain as written (domain.hpp).
    std::vector<domain_condition> domain;
    /// Whether to collect domain (the walk into the values of names costs their size).
    bool note_domain = true;

private:
    // ---- errors ------------------------------------------------------------------------------

    /// What went wrong while GiNaC built a value: symgrad's own messages as they are; GiNaC's
    /// and CLN's without their internal function ("power::eval(): division by zero" ->
    /// "undefined: division by zero").
    [[noreturn]] void fail_building(const token& at, const std::exception& e) const {
        if (const auto* located = dynamic_cast<const parse_error*>(&e))
            throw *located;
        if (dynamic_cast<const error*>(&e) != nullptr)
            lex_.fail(at, e.what());
        lex_.fail(at, "undefined: " + ginac_reason(e.what()));
    }

    /// @p make() builds a node from @p parts; GiNaC's errors become errors at @p at, and a
    /// value that is not real (sqrt(-1), log(-2)) is refused.
    template <typename F> ex build(const token& at, const exvector& parts, F&& make) {
        ex value;
        try {
            value = without_conjugates(make());
        } catch (const std::exception& e) {
            fail_building(at, e);
        }
        object_set known(parts.begin(), parts.end());
        if (has_imaginary_unit(value, known))
            lex_.fail(at, "not a real number (symgrad works over the reals)");
        return value;
    }

    // ---- grammar ----------------------------------------------------------------------------

    struct depth_guard {
        reader& r;
        depth_guard(reader& rr, const token& at) : r(rr) {
            if (++r.depth_ > r.options_.max_depth)
                r.lex_.fail(at.begin, "expression nested deeper than " +
                                          std::to_string(r.options_.max_depth) +
                                          " levels (brackets, signs and powers)");
        }
        depth_guard(const depth_guard&) = delete;
        depth_guard& operator=(const depth_guard&) = delete;
        ~depth_guard() { --r.depth_; }
    };

    static int precedence(char op) {
        switch (op) {
        case '+':
        case '-':
            return 1;
        case '*':
        case '/':
            return 2;
        case '^':
            return 4;
        default:
            return -1;
        }
    }

    /// Binary operators of precedence >= min.
    ex expression(int min) {
        depth_guard guard(*this, lex_.peek());
        ex left = prefix();
        // While terms is not empty, left is its first term.
        exvector terms;
        token last_sign;
        auto sum_terms = [&] {
            if (!terms.empty()) {
                try {
                    left = sum_of(terms);
                } catch (const std::exception& e) {
                    fail_building(last_sign, e);
                }
            }
            terms.clear();
        };
        while (lex_.at(token_kind::op)) {
            const char op = lex_.peek().symbol;
            const int p = precedence(op);
            if (p < min)
                break;
            const token at = lex_.take();
            const token next = lex_.peek();
            if (next.kind == token_kind::end || next.kind == token_kind::close ||
                next.kind == token_kind::comma || next.kind == token_kind::semicolon)
                lex_.fail(at, "expected an operand after '" + lex_.describe(at) + "'");
            if (next.kind == token_kind::op && next.symbol != '-' && next.symbol != '+')
                lex_.fail(next, "expected an operand before '" + lex_.describe(next) + "'");
            const ex right = expression(op == '^' ? p : p + 1);
            if ((op == '+' || op == '-') && !is_tensor(left) && !is_tensor(right)) {
                if (terms.empty())
                    terms.push_back(left);
                terms.push_back(op == '+' ? right : -right);
                last_sign = at;
                continue;
            }
            sum_terms();
            left = binary(op, left, right, at);
            if (!is_tensor(left))
                left = without_conjugates(left);
        }
        sum_terms();
        return left;
    }

    ex prefix() {
        const token t = lex_.peek();
        switch (t.kind) {
        case token_kind::number:
            lex_.take();
            return number(t);
        case token_kind::name:
            lex_.take();
            if (lex_.at(token_kind::open, '('))
                return call(t);
            return lookup(t);
        case token_kind::open: {
            lex_.take();
            if (t.symbol == '(') {
                if (lex_.at(token_kind::close))
                    lex_.fail(t.begin, "empty parentheses");
                ex v = expression(0);
                expect_close(t);
                return v;
            }
            return literal(t);
        }
        case token_kind::op:
            if (t.symbol == '-' || t.symbol == '+') {
                lex_.take();
                if (lex_.at(token_kind::end))
                    lex_.fail(t, "expected an operand after '" + lex_.describe(t) + "'");
                const ex v = expression(3);
                if (t.symbol == '+')
                    return v;
                return is_tensor(v) ? ex(scale(mat(v), -1)) : -v;
            }
            lex_.fail(t, "expected an operand before '" + lex_.describe(t) + "'");
        case token_kind::close:
            lex_.fail(t.begin, "unmatched '" + lex_.describe(t) + "'");
        case token_kind::comma:
        case token_kind::semicolon:
            lex_.fail(t.begin, "expected an operand before '" + lex_.describe(t) + "'");
        case token_kind::equals:
            lex_.fail(t.begin, equals_message(lex_, t));
        case token_kind::string:
            lex_.fail(t, "a string has no value in an expression");
        case token_kind::unknown:
            lex_.fail(t, "unexpected character '" + lex_.describe(t) + "'");
        case token_kind::end:
            break;
        }
        lex_.fail(t.begin, "expected an operand");
    }

    static char closing(char open) { return open == '(' ? ')' : open == '[' ? ']' : '}'; }

    /// The closing bracket of @p opened, or an error naming what stands there instead.
    void expect_close(const token& opened) {
        const char want = closing(opened.symbol);
        const token t = lex_.peek();
        if (t.kind == token_kind::close) {
            if (t.symbol != want)
                lex_.fail(t.begin, "'" + lex_.describe(t) + "' does not match the '" +
                                       lex_.describe(opened) + "' opened at column " +
                                       std::to_string(lex_.source().locate(opened.begin).column));
            lex_.take();
            return;
        }
        if (t.kind == token_kind::end)
            lex_.fail(opened.begin, "'" + lex_.describe(opened) + "' is never closed");
        if (t.kind == token_kind::comma)
            lex_.fail(t.begin, "',' inside parentheses; write f(a, b) for a call and [a, b] "
                               "for a vector");
        expect_end_of_expression(lex_); // the error for what stands there instead
    }

    ex number(const token& t) {
        const std::string literal(lex_.text_of(t));
        if (!options_.exact_decimals)
            return GiNaC::numeric(literal.c_str());
        if (auto v = decimal_value(literal))
            return *v;
        lex_.fail(t, "the exponent of '" + literal + "' is out of range (at most 10^" +
                         std::to_string(max_decimal_exponent) + " in magnitude)");
    }

    /// Items up to the closing bracket of @p opened, each with the token it starts at.
    std::vector<std::pair<token, ex>> items(const token& opened) {
        std::vector<std::pair<token, ex>> out;
        if (lex_.at(token_kind::close, closing(opened.symbol))) {
            lex_.take();
            return out;
        }
        for (;;) {
            const token at = lex_.peek();
            if (at.kind == token_kind::comma || at.kind == token_kind::close)
                lex_.fail(at.begin, "empty argument");
            out.emplace_back(at, expression(0));
            if (lex_.at(token_kind::comma)) {
                lex_.take();
                continue;
            }
            expect_close(opened);
            return out;
        }
    }

    /// [a, b], [[a, b], [c, d]], {a, b}: a row vector or a matrix.
    ex literal(const token& opened) {
        if (lex_.at(token_kind::close))
            lex_.fail(opened.begin, "empty vector");
        std::vector<exvector> rows;
        exvector flat;
        for (const auto& [at, item] : items(opened)) {
            if (is_tensor(item)) {
                const auto& m = mat(item);
                if (m.rows() != 1)
                    lex_.fail(at.begin, "a row of a matrix literal must be a vector, got a " +
                                            shape_description(item));
                rows.push_back(entries(m));
            } else {
                flat.push_back(item);
            }
            if (!rows.empty() && !flat.empty())
                lex_.fail(at.begin, "mixing numbers and vectors in one literal");
        }
        if (rows.empty())
            return row_vector(flat);
        for (std::size_t i = 1; i < rows.size(); ++i)
            if (rows[i].size() != rows[0].size())
                lex_.fail(opened.begin, "the rows of this matrix have different lengths (" +
                                            std::to_string(rows[0].size()) + " and " +
                                            std::to_string(rows[i].size()) + ")");
        return matrix_from_rows(rows);
    }

    ex lookup(const token& t) {
        const std::string name(lex_.text_of(t));
        if (auto it = names_.values.find(name); it != names_.values.end())
            return it->second;
        if (names_.more_values)
            if (auto it = names_.more_values->find(name); it != names_.more_values->end())
                return it->second;
        if (name == "Pi")
            return GiNaC::Pi;
        if (name == "Euler")
            return GiNaC::Euler;
        if (name == "Catalan")
            return GiNaC::Catalan;
        if (name == "I")
            lex_.fail(t, "'I' is the imaginary unit, and symgrad works over the reals; "
                         "choose another name");
        if (is_call_only_name(name))
            lex_.fail(t, "'" + name + "' is a function; call it as " + name + "(...)");
        if (names_.allow_new_symbols)
            return symbol_named(name);
        std::vector<std::string> candidates;
        for (const auto& entry : names_.values)
            candidates.push_back(entry.first);
        if (names_.more_values)
            for (const auto& entry : *names_.more_values)
                candidates.push_back(entry.first);
        std::string message = "undefined name '" + name + "'" + did_you_mean(name, candidates);
        if (names_.declaration_hint)
            message += "; " + names_.declaration_hint(name);
        lex_.fail(t, message);
    }

    // ---- calls ------------------------------------------------------------------------------

    static const matrix& mat(const ex& e) { return GiNaC::ex_to<matrix>(e); }
    static matrix as_matrix(const ex& v) { return is_tensor(v) ? mat(v) : matrix{{v}}; }
    static exvector entries_of(const ex& v) { return is_tensor(v) ? entries(mat(v)) : exvector{v}; }
    template <class F> static ex map_scalar(const ex& v, F f) {
        if (is_tensor(v))
            return elementwise(mat(v), f);
        return f(v);
    }

    /// The name a call means (ln is log), or an error naming the closest known function.
    std::string function_name(const token& t) const {
        std::string name(lex_.text_of(t));
        if (auto it = synonyms().find(name); it != synonyms().end())
            name = it->second;
        if (own_functions().count(name) || registered_functions().count(name))
            return name;
        // GiNaC's one- and two-letter functions (G, H, S, Li) are no one's typo of f or g.
        std::vector<std::string> candidates;
        for (const std::string& known : known_functions())
            if (known.size() > 2 || known == "ln")
                candidates.push_back(known);
        lex_.fail(t, "unknown function '" + name + "'" + did_you_mean(name, candidates));
    }

    void check_count(const std::string& name, const token& at, std::size_t got) const {
        std::set<std::size_t> counts;
        if (auto own = own_functions().find(name); own != own_functions().end()) {
            const auto [lo, hi] = own->second;
            if (got >= lo && (hi == 0 || got <= hi))
                return;
            if (hi == 0)
                lex_.fail(at, name + " takes at least " + arguments_text(lo) + ", got " +
                                  std::to_string(got));
            for (std::size_t n = lo; n <= hi; ++n)
                counts.insert(n);
        } else {
            counts = registered_functions().at(name);
            if (counts.count(got) || counts.count(0))
                return;
        }
        lex_.fail(at, name + " takes " +
                          (counts.size() == 1 ? arguments_text(*counts.begin())
                                              : counts_text(counts) + " arguments") +
                          ", got " + std::to_string(got));
    }

    ex call(const token& name_token) {
        if (lex_.text_of(name_token) == "derivative")
            return derivative_call(name_token);
        if (const user_function* f = user_function_named(name_token))
            return user_call(*f, name_token);
        const std::string name = function_name(name_token);
        const token opened = lex_.take();
        const auto args = items(opened);
        check_count(name, name_token, args.size());
        exvector values;
        for (const auto& a : args)
            values.push_back(a.second);
        if (own_functions().count(name))
            return own_call(name, name_token, args, values);
        return registered_call(name, name_token, values);
    }

    const user_function* user_function_named(const token& t) const {
        const auto it = names_.functions.find(lex_.text_of(t));
        return it == names_.functions.end() ? nullptr : &it->second;
    }

    ex user_call(const user_function& f, const token& name_token) {
        const token opened = lex_.take();
        const auto args = items(opened);
        if (args.size() != f.parameters.size())
            lex_.fail(name_token, std::string(lex_.text_of(name_token)) + " takes " +
                                      arguments_text(f.parameters.size()) + ", got " +
                                      std::to_string(args.size()));
        GiNaC::exmap with;
        for (std::size_t i = 0; i < args.size(); ++i) {
            if (is_tensor(args[i].second))
                lex_.fail(args[i].first, "a function defined by the text takes scalars, got a " +
                                             shape_description(args[i].second));
            with[f.parameters[i]] = args[i].second;
        }
        const ex value = build(name_token, {}, [&] { return f.body.subs(with); });
        if (note_domain)
            for (const auto& c : collect_domain_(value))
                add_condition(domain, c);
        return value;
    }

    /// derivative(f, x): f'(x) for a function of one argument, the derivative of f at a fresh
    /// variable, evaluated at x (entrywise for a matrix x). The domain is that of f(x).
    ex derivative_call(const token& at) {
        const token opened = lex_.take();
        const token f = lex_.take();
        if (f.kind != token_kind::name)
            lex_.fail(f, "derivative: the first argument is a function's name, as in "
                         "derivative(sigmoid, z)");
        if (!lex_.at(token_kind::comma))
            lex_.fail(lex_.peek(), "derivative: expected ',' after the function's name");
        lex_.take();
        const ex x = expression(0);
        expect_close(opened);
        const GiNaC::symbol t("t");
        std::function<ex(const ex&)> f_at; // f at a value, held so that its domain is seen
        if (const user_function* u = user_function_named(f)) {
            if (u->parameters.size() != 1)
                lex_.fail(f, "derivative: " + std::string(lex_.text_of(f)) +
                                 " is not a function of one argument");
            f_at = [u](const ex& v) -> ex { return u->body.subs(u->parameters[0] == v); };
        } else {
            const std::string name = function_name(f);
            if (name == "sqrt") {
                f_at = [](const ex& v) -> ex {
                    return GiNaC::power(v, GiNaC::numeric(1, 2)).hold();
                };
            } else if (own_functions().count(name) ||
                       registered_functions().at(name).count(1) == 0) {
                lex_.fail(f, "derivative: " + name + " is not a function of one argument");
            } else {
                const unsigned serial = GiNaC::function::find_function(name, 1);
                f_at = [serial](const ex& v) -> ex { return GiNaC::function(serial, v).hold(); };
            }
        }
        map_scalar(x, [&](const ex& v) {
            for (const auto& c : domain_of(f_at(v))) {
                if (condition_at(c, {}) == truth::fails)
                    lex_.fail(f, "derivative: " + std::string(lex_.text_of(f)) +
                                     " is not defined at " + brief(v) + " (" + condition_text(c) +
                                     " fails)");
                if (note_domain)
                    add_condition(domain, c);
            }
            return v;
        });
        return build(at, {}, [&] {
            const ex d = f_at(t).diff(t);
            return map_scalar(x, [&](const ex& v) { return d.subs(t == v); });
        });
    }

    ex own_call(const std::string& name, const token& at,
                const std::vector<std::pair<token, ex>>& args, const exvector& v) {
        try {
            return own_call_unchecked(name, at, args, v);
        } catch (const std::exception& e) {
            fail_building(at, e);
        }
    }

    ex own_call_unchecked(const std::string& name, const token& at,
                          const std::vector<std::pair<token, ex>>& args, const exvector& v) {
        if (name == "diff")
            return differentiate(args);
        if (name == "max" || name == "min")
            return max_or_min(name, at, v);
        if (name == "sqrt")
            return map_scalar(v[0],
                              [&](const ex& x) { return power_of(x, GiNaC::numeric(1, 2), at); });
        if (name == "pow" || name == "power")
            return binary('^', v[0], v[1], at);
        if (name == "softmax")
            return softmax_of(at, v);
        if (name == "logsumexp") {
            exvector z;
            for (const auto& x : v)
                for (const auto& e : entries_of(x))
                    z.push_back(e);
            return symgrad::logsumexp(z);
        }
        if (name == "crossentropy") {
            // crossentropy(p, y): p the probabilities, y a class index or a one-hot vector.
            const exvector p = entries_of(v[0]);
            for (const ex& x : p)
                note(x, domain_kind::positive);
            if (is_tensor(v[1]))
                return symgrad::crossentropy(p, entries_of(v[1]));
            return symgrad::crossentropy(p, v[1]);
        }
        if (name == "hadamard" || name == "dot") {
            const matrix h = symgrad::hadamard(as_matrix(v[0]), as_matrix(v[1]));
            return name == "dot" ? symgrad::sum(h) : ex(h);
        }
        if (name == "diag")
            return diagonal(at, v[0]);
        // sum, mean, transpose, inverse, det, trace
        if (!is_tensor(v[0])) {
            if (name == "inverse") {
                note(v[0], domain_kind::nonzero);
                return build(at, v, [&] { return 1 / v[0]; });
            }
            return v[0];
        }
        const matrix& m = mat(v[0]);
        if (name == "sum")
            return symgrad::sum(m);
        if (name == "mean")
            return symgrad::mean(m);
        if (name == "transpose")
            return symgrad::transpose(m);
        if (m.rows() != m.cols())
            lex_.fail(at, name + ": needs a square matrix, got " + shape_text(m));
        if (name == "inverse") {
            const ex d = m.determinant();
            if (d.is_zero())
                lex_.fail(at, "inverse: the matrix is singular");
            note(d, domain_kind::nonzero);
            return m.inverse();
        }
        if (name == "det")
            return m.determinant();
        return m.trace();
    }

    ex max_or_min(const std::string& name, const token& at, const exvector& v) {
        // max(a, b) = b + relu(a - b), min(a, b) = a - relu(a - b): exact, differentiable off
        // the kink, and max(t, 0) is relu(t). Entrywise over matrices.
        auto pick = [&](const ex& a, const ex& b) {
            const ex r = relu(a - b);
            return name == "max" ? b + r : a - r;
        };
        if (!is_tensor(v[0]) && !is_tensor(v[1]))
            return pick(v[0], v[1]);
        if (!is_tensor(v[0]))
            return elementwise(mat(v[1]), [&](const ex& y) { return pick(v[0], y); });
        if (!is_tensor(v[1]))
            return elementwise(mat(v[0]), [&](const ex& x) { return pick(x, v[1]); });
        const matrix &a = mat(v[0]), &b = mat(v[1]);
        if (a.rows() != b.rows() || a.cols() != b.cols())
            lex_.fail(at, name + ": the shapes differ, " + shape_text(a) + " and " + shape_text(b));
        matrix out(a.rows(), a.cols());
        for (unsigned i = 0; i < a.rows(); ++i)
            for (unsigned j = 0; j < a.cols(); ++j)
                out(i, j) = pick(a(i, j), b(i, j));
        return out;
    }

    ex softmax_of(const token& at, const exvector& v) {
        if (v.size() == 1 && is_tensor(v[0])) {
            // A column vector is one vector of logits, like a row (a matrix: row by row).
            const matrix& m = mat(v[0]);
            if (m.cols() == 1 && m.rows() > 1)
                return symgrad::transpose(softmax_rows(symgrad::transpose(m)));
            return softmax_rows(m);
        }
        if (v.size() >= 2 && !is_tensor(v[0])) {
            if (!GiNaC::is_exactly_a<GiNaC::numeric>(v[0]) ||
                !v[0].info(GiNaC::info_flags::nonnegint) ||
                GiNaC::ex_to<GiNaC::numeric>(v[0]).to_long() >= static_cast<long>(v.size() - 1))
                lex_.fail(at, "softmax: the first argument is the component index 0.." +
                                  std::to_string(v.size() - 2) +
                                  "; for the whole vector write softmax([z0, z1, ...])");
            return symgrad::softmax(
                static_cast<std::size_t>(GiNaC::ex_to<GiNaC::numeric>(v[0]).to_long()),
                exvector(v.begin() + 1, v.end()));
        }
        lex_.fail(at, "softmax: write softmax(v) for a vector of logits, or softmax(k, z0, "
                      "z1, ...) for component k");
    }

    /// diag(v): the square matrix with v on its diagonal; diag(M) of a square matrix: its
    /// diagonal, as a vector.
    ex diagonal(const token& at, const ex& v) {
        if (!is_tensor(v))
            return v;
        const matrix& m = mat(v);
        if (m.rows() == 1 || m.cols() == 1) {
            const exvector d = entries(m);
            matrix out(static_cast<unsigned>(d.size()), static_cast<unsigned>(d.size()));
            for (unsigned i = 0; i < d.size(); ++i)
                out(i, i) = d[i];
            return out;
        }
        if (m.rows() != m.cols())
            lex_.fail(at, "diag: needs a vector or a square matrix, got " + shape_text(m));
        exvector d;
        for (unsigned i = 0; i < m.rows(); ++i)
            d.push_back(m(i, i));
        return row_vector(d);
    }

    /// A GiNaC function (sigmoid, exp, log, ...); of one matrix it applies entrywise, of
    /// several the entries must line up.
    ex registered_call(const std::string& name, const token& at, const exvector& v) {
        unsigned serial = 0;
        try {
            serial = GiNaC::function::find_function(name, static_cast<unsigned>(v.size()));
        } catch (const std::exception&) {
            lex_.fail(at, name + " does not take " + arguments_text(v.size()));
        }
        const bool any_tensor = std::any_of(v.begin(), v.end(), is_tensor);
        if (!any_tensor)
            return apply(serial, name, at, v);
        if (v.size() == 1)
            return elementwise(mat(v[0]),
                               [&](const ex& x) { return apply(serial, name, at, {x}); });
        matrix shape;
        for (const auto& x : v)
            if (is_tensor(x))
                shape = mat(x);
        matrix out(shape.rows(), shape.cols());
        for (unsigned i = 0; i < shape.rows(); ++i)
            for (unsigned j = 0; j < shape.cols(); ++j) {
                exvector args;
                for (const auto& x : v) {
                    if (!is_tensor(x)) {
                        args.push_back(x);
                        continue;
                    }
                    if (mat(x).rows() != shape.rows() || mat(x).cols() != shape.cols())
                        lex_.fail(at, name + ": arguments of shapes " + shape_text(mat(x)) +
                                          " and " + shape_text(shape) + " do not line up");
                    args.push_back(mat(x)(i, j));
                }
                out(i, j) = apply(serial, name, at, args);
            }
        return out;
    }

    /// f(args), with the conditions of its real domain as written (log's argument > 0, ...)
    /// recorded before GiNaC simplifies (exp(log(x)) is x). Exact values that would take too
    /// long (factorial(10^9)) are refused first.
    ex apply(unsigned serial, const std::string& name, const token& at, const exvector& args) {
        if (!(exact_function_bits(name, args) <= max_exact_bits()))
            lex_.fail(at, "the exact value of " + name + "(...) would have " + digits_limit_text());
        if (note_domain)
            for (const auto& c : collect_domain_(GiNaC::function(serial, args).hold()))
                add_condition(domain, c);
        return build(at, args, [&] { return ex(GiNaC::function(serial, args)); });
    }

    void note(const ex& e, domain_kind kind) {
        if (note_domain)
            add_condition(domain, {e, kind});
    }

    /// base^exponent for scalars, with its domain; an exact power of numbers that would be too
    /// large (2^(10^9) takes minutes and a gigabyte) is refused first.
    ex power_of(const ex& base, const ex& exponent, const token& at) {
        // NaN (an exponent beyond double) fails the comparison too.
        if (exponent_bits(exponent) > max_exponent_bits)
            lex_.fail(at, "the exponent has more than 19728 digits: too long for an exact power");
        if (!(exact_power_bits(base, exponent) <= max_exact_bits()))
            lex_.fail(at, "the exact power would have " + digits_limit_text() +
                              "; write exp(k*log(b)) to work with its value");
        if (note_domain)
            for (const auto& c : collect_domain_(GiNaC::power(base, exponent).hold()))
                if (c.expr.is_equal(base))
                    add_condition(domain, c);
        return build(at, {base, exponent}, [&] { return GiNaC::pow(base, exponent); });
    }

    ex binary(char op, const ex& a, const ex& b, const token& at) {
        const bool ta = is_tensor(a), tb = is_tensor(b);
        try {
            switch (op) {
            case '+':
                if (!ta && !tb)
                    return a + b;
                return add(as_matrix(a), as_matrix(b));
            case '-':
                if (!ta && !tb)
                    return a - b;
                return subtract(as_matrix(a), as_matrix(b));
            case '*':
                if (ta && tb) {
                    // A 1x1 product (x*A*transpose(x), a row times a column) is a scalar.
                    const matrix m = matmul(mat(a), mat(b));
                    if (m.rows() == 1 && m.cols() == 1)
                        return m(0, 0);
                    return m;
                }
                if (ta)
                    return scale(mat(a), b);
                if (tb)
                    return scale(mat(b), a);
                return a * b;
            case '/':
                if (tb)
                    lex_.fail(at, "cannot divide by a " + shape_description(b) +
                                      "; use inverse() or hadamard() with 1/x entries");
                note(b, domain_kind::nonzero);
                if (ta)
                    return scale(mat(a), 1 / b);
                return a / b;
            case '^':
                if (tb)
                    lex_.fail(at, "the exponent must be a scalar, got a " + shape_description(b));
                if (ta)
                    return elementwise(mat(a), [&](const ex& x) { return power_of(x, b, at); });
                return power_of(a, b, at);
            default:
                break;
            }
        } catch (const std::exception& e) {
            fail_building(at, e);
        }
        lex_.fail(at, "unknown operator");
    }

    ex differentiate(const std::vector<std::pair<token, ex>>& args) {
        const ex& e = args[0].second;
        const ex& v = args[1].second;
        const token& var_at = args[1].first;
        unsigned order = 1;
        if (args.size() == 3) {
            if (!GiNaC::is_exactly_a<GiNaC::numeric>(args[2].second) ||
                !args[2].second.info(GiNaC::info_flags::nonnegint) ||
                GiNaC::ex_to<GiNaC::numeric>(args[2].second).to_long() > 1000)
                lex_.fail(args[2].first.begin, "diff: the third argument must be the order, a "
                                               "non-negative integer (at most 1000)");
            order = static_cast<unsigned>(GiNaC::ex_to<GiNaC::numeric>(args[2].second).to_int());
        }
        auto by = [&](const ex& f, const ex& var) {
            if (!GiNaC::is_a<GiNaC::symbol>(var))
                lex_.fail(var_at.begin, "diff: the second argument must be a variable name");
            return map_scalar(f, [&](const ex& x) {
                // GiNaC differentiates by recursion: a chain nested too deep would overflow the
                // stack (reported by the caller at the statement).
                check_nesting_depth(x, "diff");
                return x.diff(GiNaC::ex_to<GiNaC::symbol>(var), order);
            });
        };
        if (!is_tensor(v))
            return by(e, v);
        if (is_tensor(e))
            lex_.fail(var_at.begin, "diff: a matrix by a matrix is not supported; differentiate "
                                    "each entry or a scalar function of it");
        const matrix& vars = mat(v);
        matrix out(vars.rows(), vars.cols());
        for (unsigned i = 0; i < vars.rows(); ++i)
            for (unsigned j = 0; j < vars.cols(); ++j)
                out(i, j) = by(e, vars(i, j));
        return out;
    }

    lexer& lex_;
    const tensor_names& names_;
    const parse_options& options_;
    domain_collector collect_domain_;
    std::size_t depth_ = 0;
};

/// The reader's work on the text from @p begin to @p end: size check, lexer, expression.
written_expression read_range(const source_text& source, std::size_t begin, std::size_t end,
                              const tensor_names& names, const parse_options& options,
                              bool note_domain) {
    end = std::min(end, source.text().size());
    if (end - begin > options.max_bytes) {
        const source_location at = source.locate(begin);
        throw parse_error("input is " + std::to_string(end - begin) + " bytes; the limit is " +
                              std::to_string(options.max_bytes),
                          options.source, at.line, at.column, "");
    }
    lexer lex(source, begin, end);
    written_expression out = read_expression_prefix(lex, names, options, note_domain);
    expect_end_of_expression(lex);
    return out;
}

} // namespace

std::vector<std::string> known_functions() {
    std::set<std::string> names;
    for (const auto& entry : registered_functions())
        names.insert(entry.first);
    for (const auto& entry : own_functions())
        names.insert(entry.first);
    for (const auto& entry : synonyms())
        names.insert(entry.first);
    return {names.begin(), names.end()};
}

ex evaluate_tensor_expression(std::string_view text, const tensor_names& names,
                              const parse_options& options) {
    const source_text source(text, options);
    return read_range(source, 0, text.size(), names, options, false).value;
}

written_expression read_tensor_expression(std::string_view text, const tensor_names& names,
                                          const parse_options& options) {
    const source_text source(text, options);
    return read_range(source, 0, text.size(), names, options, true);
}

written_expression read_tensor_expression(const source_text& source, std::size_t begin,
                                          std::size_t end, const tensor_names& names,
                                          const parse_options& options) {
    return read_range(source, begin, end, names, options, true);
}

void expect_end_of_expression(const lexer& lex) {
    const token t = lex.peek();
    switch (t.kind) {
    case token_kind::end:
        return;
    case token_kind::close:
        lex.fail(t.begin, "unmatched '" + lex.describe(t) + "'");
    case token_kind::comma:
        lex.fail(t.begin, "',' outside an argument list or a [list]" + decimal_comma_hint(lex, t));
    case token_kind::equals:
        lex.fail(t.begin, equals_message(lex, t));
    case token_kind::number:
    case token_kind::name:
    case token_kind::op:
    case token_kind::open:
    case token_kind::semicolon:
    case token_kind::string:
        break;
    case token_kind::unknown:
        lex.fail(t, "unexpected character '" + lex.describe(t) + "'");
    }
    lex.fail(t, "missing operator before '" + lex.describe(t) + "'");
}

written_expression read_expression_prefix(lexer& lex, const tensor_names& names,
                                          const parse_options& options, bool note_domain) {
    reader r(lex, names, options);
    r.note_domain = note_domain;
    written_expression out;
    out.value = r.expression_prefix();
    out.domain = std::move(r.domain);
    return out;
}

} // namespace symgrad
