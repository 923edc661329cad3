// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/tensor_expression.hpp"

#include "symgrad/domain.hpp"

#include "symgrad/error.hpp"
#include "symgrad/evaluate.hpp"
#include "symgrad/functions.hpp"
#include "symgrad/ginac_reason.hpp"
#include "symgrad/size_limits.hpp"
#include "symgrad/spelling.hpp"
#include "symgrad/symbols.hpp"
#include "symgrad/tensor.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
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

enum class tk { number, name, op, open, close, comma, end };

struct token {
    tk kind;
    std::size_t begin, end;
};

/// What went wrong, for a user: symgrad's own messages as they are; GiNaC's and CLN's without
/// their internal function ("power::eval(): division by zero" -> "division by zero").
std::string reason(const std::exception& e) {
    std::string s = e.what();
    if (dynamic_cast<const error*>(&e) != nullptr)
        return s;
    return ginac_reason(s);
}

/// GiNaC computes a rational number to a power exactly, at once: 3^(3^22) would take minutes and
/// gigabytes (exact_power_bits, evaluate.hpp).
void refuse_huge_exact_power(const ex& base, const ex& exponent) {
    // NaN (an exponent beyond double) fails the comparison too.
    if (!(exact_power_bits(base, exponent) <= max_exact_bits()))
        throw size_limit_error("power: the exact value would have " + digits_limit_text());
}

/// The functions this reader handles itself (tensor operations and calculus).
const std::set<std::string>& tensor_functions() {
    static const std::set<std::string> names{
        "diff",  "sum",     "mean",      "transpose",    "hadamard", "dot", "inverse", "det",
        "trace", "softmax", "logsumexp", "crossentropy", "sqrt",     "pow", "max",     "min"};
    return names;
}

class reader {
public:
    reader(std::string_view text, const tensor_names& names, const parse_options& options)
        : text_(text), names_(names), options_(options) {
        lines_.push_back(0);
        for (std::size_t i = 0; i < text.size(); ++i)
            if (text[i] == '\n')
                lines_.push_back(i + 1);
    }

    ex run() {
        if (text_.size() > options_.max_bytes)
            fail(0, "input is " + std::to_string(text_.size()) + " bytes; the limit is " +
                        std::to_string(options_.max_bytes));
        advance();
        if (tok_.kind == tk::end)
            fail(tok_.begin, "empty expression");
        ex v = expression(0);
        if (tok_.kind != tk::end)
            fail(tok_.begin,
                 tok_.kind == tk::close ? "unmatched '" + text(tok_) + "'"
                                        : "missing operator before '" + text(tok_) + "'",
                 tok_.end - tok_.begin);
        return v;
    }

private:
    // ---- errors and tokens ------------------------------------------------------------------

    [[noreturn]] void fail(std::size_t offset, const std::string& message,
                           std::size_t length = 1) const {
        const auto li = static_cast<std::size_t>(
            std::upper_bound(lines_.begin(), lines_.end(), offset) - lines_.begin() - 1);
        const std::size_t start = lines_[li];
        std::size_t stop = text_.find('\n', start);
        if (stop == std::string_view::npos)
            stop = text_.size();
        std::size_t column = 1;
        for (std::size_t i = start; i < offset && i < text_.size(); ++i)
            if ((static_cast<unsigned char>(text_[i]) & 0xC0u) != 0x80u)
                ++column;
        std::string line_text(text_.substr(start, stop - start));
        if (li == 0) {
            column += options_.first_column - 1;
            if (!options_.first_line_text.empty())
                line_text = options_.first_line_text;
        }
        throw parse_error(message, options_.source, options_.first_line + li, column,
                          std::move(line_text), std::max<std::size_t>(length, 1));
    }

    std::string text(const token& t) const {
        return t.kind == tk::end ? "end of input"
                                 : std::string(text_.substr(t.begin, t.end - t.begin));
    }

    static bool alpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }
    static bool digit(char c) { return c >= '0' && c <= '9'; }

    void advance() {
        std::size_t p = tok_.end;
        while (p < text_.size() &&
               (text_[p] == ' ' || text_[p] == '\t' || text_[p] == '\n' || text_[p] == '\r'))
            ++p;
        if (p >= text_.size()) {
            tok_ = {tk::end, p, p};
            return;
        }
        const std::size_t b = p;
        const char c = text_[p];
        if (alpha(c)) {
            while (p < text_.size() && (alpha(text_[p]) || digit(text_[p])))
                ++p;
            tok_ = {tk::name, b, p};
            return;
        }
        if (digit(c) || (c == '.' && p + 1 < text_.size() && digit(text_[p + 1]))) {
            tok_ = {tk::number, b, number_literal_end(text_, p)};
            return;
        }
        switch (c) {
        case '+':
        case '-':
        case '*':
        case '/':
        case '^':
            tok_ = {tk::op, b, p + 1};
            return;
        case '(':
        case '[':
        case '{':
            tok_ = {tk::open, b, p + 1};
            return;
        case ')':
        case ']':
        case '}':
            tok_ = {tk::close, b, p + 1};
            return;
        case ',':
            tok_ = {tk::comma, b, p + 1};
            return;
        default:
            break;
        }
        std::size_t len = 1;
        while (b + len < text_.size() &&
               (static_cast<unsigned char>(text_[b + len]) & 0xC0u) == 0x80u)
            ++len;
        if (c == '=')
            fail(b, "'=' is not an operator in an expression (compare with '==' in check and "
                    "expect statements)");
        fail(b, "unexpected character '" + std::string(text_.substr(b, len)) + "'");
    }

    bool is_op(char c) const { return tok_.kind == tk::op && text_[tok_.begin] == c; }

    void expect_close(char want, const token& opened) {
        if (tok_.kind != tk::close) {
            if (tok_.kind == tk::end)
                fail(opened.begin, "'" + text(opened) + "' is never closed");
            fail(tok_.begin,
                 "expected '" + std::string(1, want) + "' or ',', got '" + text(tok_) + "'");
        }
        if (text_[tok_.begin] != want)
            fail(tok_.begin, "'" + text(tok_) + "' does not match the '" + text(opened) + "'");
        advance();
    }

    // ---- grammar ----------------------------------------------------------------------------

    struct depth_guard {
        reader& r;
        explicit depth_guard(reader& rr, std::size_t at) : r(rr) {
            if (++r.depth_ > r.options_.max_depth)
                r.fail(at, "expression nested deeper than " + std::to_string(r.options_.max_depth) +
                               " levels");
        }
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
        depth_guard guard(*this, tok_.begin);
        ex left = prefix();
        // A run of scalar terms joined by + and - is summed once at its end: GiNaC copies a sum
        // to add a term to it, so building it a term at a time took time quadratic in its
        // length. While terms is not empty, left is its first term.
        exvector terms;
        auto sum_terms = [&] {
            if (!terms.empty())
                left = sum_of(terms);
            terms.clear();
        };
        while (tok_.kind == tk::op) {
            const char op = text_[tok_.begin];
            const int p = precedence(op);
            if (p < min)
                break;
            const token at = tok_;
            advance();
            if (tok_.kind == tk::end || tok_.kind == tk::close || tok_.kind == tk::comma)
                fail(at.begin, "expected an operand after '" + std::string(1, op) + "'");
            const ex right = expression(op == '^' ? p : p + 1);
            if ((op == '+' || op == '-') && !is_tensor(left) && !is_tensor(right)) {
                if (terms.empty())
                    terms.push_back(left);
                terms.push_back(op == '+' ? right : -right);
                continue;
            }
            sum_terms();
            left = binary(op, left, right, at);
        }
        sum_terms();
        return left;
    }

    ex prefix() {
        const token t = tok_;
        switch (t.kind) {
        case tk::number: {
            advance();
            // Read here: the whole parser for every number of a long sum, with a copy of the
            // line each, cost time quadratic in its length. parse() reports a malformed one.
            if (options_.exact_decimals)
                if (auto v = decimal_value(text(t)))
                    return ex(*v);
            return parse(text(t), number_options(t));
        }
        case tk::name:
            advance();
            if (tok_.kind == tk::open && text_[tok_.begin] == '(')
                return call(t);
            return lookup(t);
        case tk::open: {
            advance();
            if (text_[t.begin] == '(') {
                ex v = expression(0);
                expect_close(')', t);
                return v;
            }
            return literal(t);
        }
        case tk::op:
            if (is_op('-') || is_op('+')) {
                advance();
                const ex v = expression(3);
                return text_[t.begin] == '-' ? negate(v) : v;
            }
            fail(t.begin, "expected an operand before '" + text(t) + "'");
        case tk::close:
            fail(t.begin, "unmatched '" + text(t) + "'");
        case tk::comma:
            fail(t.begin, "unexpected ','");
        case tk::end:
            break;
        }
        fail(t.begin, "expected an operand");
    }

    parse_options number_options(const token& t) const {
        parse_options o = options_;
        o.first_column = options_.first_column + t.begin; // single-line numbers only
        return o;
    }

    /// [a, b], [[a, b], [c, d]], {a, b}: a row vector or a matrix.
    ex literal(const token& opened) {
        const char close = text_[opened.begin] == '[' ? ']' : '}';
        std::vector<exvector> rows;
        exvector flat;
        bool nested = false;
        if (tok_.kind == tk::close)
            fail(opened.begin, "empty vector");
        for (;;) {
            const token item_at = tok_;
            const ex item = expression(0);
            if (is_tensor(item)) {
                const auto& m = GiNaC::ex_to<matrix>(item);
                if (m.rows() != 1)
                    fail(item_at.begin, "a row of a matrix literal must be a vector, got a " +
                                            shape_description(item));
                nested = true;
                rows.push_back(entries(m));
            } else {
                flat.push_back(item);
            }
            if (nested && !flat.empty())
                fail(item_at.begin, "mixing numbers and vectors in one literal");
            if (tok_.kind == tk::comma) {
                advance();
                continue;
            }
            expect_close(close, opened);
            break;
        }
        if (!nested)
            return row_vector(flat);
        for (std::size_t i = 1; i < rows.size(); ++i)
            if (rows[i].size() != rows[0].size())
                fail(opened.begin, "the rows of this matrix have different lengths (" +
                                       std::to_string(rows[0].size()) + " and " +
                                       std::to_string(rows[i].size()) + ")");
        return matrix_from_rows(rows);
    }

    ex lookup(const token& t) {
        const std::string name = text(t);
        if (auto it = names_.values.find(name); it != names_.values.end())
            return it->second;
        if (names_.more_values)
            if (auto it = names_.more_values->find(name); it != names_.more_values->end())
                return it->second;
        if (name == "Pi")
            return GiNaC::Pi;
        if (names_.allow_new_symbols && name != "I")
            return symbol_named(name);
        std::vector<std::string> candidates;
        for (const auto& entry : names_.values)
            candidates.push_back(entry.first);
        if (names_.more_values)
            for (const auto& entry : *names_.more_values)
                candidates.push_back(entry.first);
        fail(t.begin, "undefined name '" + name + "'" + did_you_mean(name, candidates),
             t.end - t.begin);
    }

    std::vector<std::pair<token, ex>> arguments() {
        const token opened = tok_;
        advance(); // (
        std::vector<std::pair<token, ex>> args;
        if (tok_.kind == tk::close) {
            expect_close(')', opened);
            return args;
        }
        for (;;) {
            const token at = tok_;
            if (tok_.kind == tk::comma || tok_.kind == tk::close)
                fail(at.begin, "empty argument");
            args.emplace_back(at, expression(0));
            if (tok_.kind == tk::comma) {
                advance();
                continue;
            }
            expect_close(')', opened);
            return args;
        }
    }

    // ---- semantics --------------------------------------------------------------------------

    static const matrix& mat(const ex& e) { return GiNaC::ex_to<matrix>(e); }

    ex negate(const ex& v) { return is_tensor(v) ? ex(scale(mat(v), -1)) : -v; }

    ex binary(char op, const ex& a, const ex& b, const token& at) {
        try {
            const bool ta = is_tensor(a), tb = is_tensor(b);
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
                    fail(at.begin, "cannot divide by a " + shape_description(b) +
                                       "; use inverse() or hadamard() with 1/x entries");
                add_condition(domain_, {b, domain_kind::nonzero});
                if (ta)
                    return scale(mat(a), 1 / b);
                return a / b;
            case '^':
                if (tb)
                    fail(at.begin, "the exponent must be a scalar, got a " + shape_description(b));
                for (const ex& base : entries_of(a))
                    refuse_huge_exact_power(base, b);
                if (ta)
                    return elementwise(mat(a), [&](const ex& x) {
                        note_power(x, b);
                        return GiNaC::pow(x, b);
                    });
                note_power(a, b);
                return GiNaC::pow(a, b);
            default:
                break;
            }
        } catch (const shape_error& e) {
            fail(at.begin, e.what());
        } catch (const std::exception& e) {
            fail(at.begin, reason(e));
        }
        fail(at.begin, "unknown operator");
    }

    static matrix as_matrix(const ex& v) {
        if (is_tensor(v))
            return mat(v);
        return matrix{{v}};
    }

    exvector entries_of(const ex& v) { return is_tensor(v) ? entries(mat(v)) : exvector{v}; }

    ex call(const token& name_token) {
        const std::string name = text(name_token);
        const auto args = arguments();
        exvector values;
        for (const auto& a : args)
            values.push_back(a.second);
        try {
            if (tensor_functions().count(name))
                return tensor_call(name, name_token, args, values);
            return scalar_call(name, name_token, values);
        } catch (const parse_error&) {
            throw;
        } catch (const std::exception& e) {
            fail(name_token.begin, reason(e), name.size());
        }
    }

    void want_args(const std::string& name, const token& at, std::size_t got, std::size_t lo,
                   std::size_t hi) {
        if (got >= lo && got <= hi)
            return;
        const std::string want =
            lo == hi ? std::to_string(lo) + (lo == 1 ? " argument" : " arguments")
                     : std::to_string(lo) + " to " + std::to_string(hi) + " arguments";
        fail(at.begin, name + " takes " + want + ", got " + std::to_string(got), name.size());
    }

    ex tensor_call(const std::string& name, const token& at,
                   const std::vector<std::pair<token, ex>>& args, const exvector& v) {
        if (name == "diff") {
            want_args(name, at, v.size(), 2, 3);
            unsigned order = 1;
            if (v.size() == 3) {
                if (!v[2].info(GiNaC::info_flags::nonnegint))
                    fail(args[2].first.begin, "diff: the order must be a non-negative integer");
                order = static_cast<unsigned>(GiNaC::ex_to<GiNaC::numeric>(v[2]).to_int());
            }
            return differentiate(v[0], v[1], order, args[1].first);
        }
        if (name == "max" || name == "min") {
            // max(a, b) = b + relu(a - b), min(a, b) = a - relu(a - b): exact, differentiable
            // off the kink, and max(t, 0) is relu(t). Entrywise over matrices.
            want_args(name, at, v.size(), 2, 2);
            auto pick = [&](const ex& a, const ex& b) {
                const ex r = GiNaC::function(GiNaC::function::find_function("relu", 1), a - b);
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
                fail(at.begin,
                     name + ": the shapes differ, " + shape_text(a) + " and " + shape_text(b),
                     name.size());
            matrix out(a.rows(), a.cols());
            for (unsigned i = 0; i < a.rows(); ++i)
                for (unsigned j = 0; j < a.cols(); ++j)
                    out(i, j) = pick(a(i, j), b(i, j));
            return out;
        }
        if (name == "sqrt") {
            want_args(name, at, v.size(), 1, 1);
            return map_scalar(v[0], [&](const ex& x) {
                add_condition(domain_, {x, domain_kind::nonnegative});
                return GiNaC::sqrt(x);
            });
        }
        if (name == "pow") {
            want_args(name, at, v.size(), 2, 2);
            return binary('^', v[0], v[1], at);
        }
        if (name == "sum" || name == "mean" || name == "transpose" || name == "inverse" ||
            name == "det" || name == "trace") {
            want_args(name, at, v.size(), 1, 1);
            if (!is_tensor(v[0])) {
                if (name == "inverse")
                    add_condition(domain_, {v[0], domain_kind::nonzero});
                return name == "inverse" ? 1 / v[0] : v[0];
            }
            const matrix& m = mat(v[0]);
            if (name == "sum")
                return symgrad::sum(m);
            if (name == "mean")
                return symgrad::mean(m);
            if (name == "transpose")
                return symgrad::transpose(m);
            if (m.rows() != m.cols())
                fail(at.begin, name + ": needs a square matrix, got " + shape_text(m), name.size());
            if (name == "inverse") {
                const ex d = m.determinant();
                if (d.is_zero())
                    fail(at.begin, "inverse: the matrix is singular", name.size());
                add_condition(domain_, {d, domain_kind::nonzero});
                return m.inverse();
            }
            if (name == "det")
                return m.determinant();
            return m.trace();
        }
        if (name == "hadamard" || name == "dot") {
            want_args(name, at, v.size(), 2, 2);
            const matrix h = symgrad::hadamard(as_matrix(v[0]), as_matrix(v[1]));
            if (name == "dot")
                return symgrad::sum(h);
            return h;
        }
        if (name == "softmax") {
            if (v.size() == 1 && is_tensor(v[0])) {
                // A column vector is one vector of logits, like a row (a matrix: row by row).
                const matrix& m = mat(v[0]);
                if (m.cols() == 1 && m.rows() > 1)
                    return symgrad::transpose(softmax_rows(symgrad::transpose(m)));
                return softmax_rows(m);
            }
            if (v.size() >= 2 && !is_tensor(v[0]) && v[0].info(GiNaC::info_flags::nonnegint)) {
                exvector z(v.begin() + 1, v.end());
                return symgrad::softmax(
                    static_cast<std::size_t>(GiNaC::ex_to<GiNaC::numeric>(v[0]).to_long()), z);
            }
            fail(at.begin,
                 "softmax: write softmax(v) for a vector of logits, or softmax(k, z0, "
                 "z1, ...) for component k",
                 name.size());
        }
        if (name == "logsumexp") {
            if (v.empty())
                want_args(name, at, 0, 1, 1);
            exvector z;
            for (const auto& x : v)
                for (const auto& e : entries_of(x))
                    z.push_back(e);
            return symgrad::logsumexp(z);
        }
        // crossentropy(p, y): p a vector of probabilities, y a class index or a one-hot vector
        want_args(name, at, v.size(), 2, 2);
        const exvector p = entries_of(v[0]);
        if (is_tensor(v[1]))
            return symgrad::crossentropy(p, entries_of(v[1]));
        return symgrad::crossentropy(p, v[1]);
    }

    template <class F> static ex map_scalar(const ex& v, F f) {
        if (is_tensor(v))
            return elementwise(mat(v), f);
        return f(v);
    }

    ex scalar_call(const std::string& name, const token& at, const exvector& v) {
        unsigned serial = 0;
        try {
            serial = GiNaC::function::find_function(name, static_cast<unsigned>(v.size()));
        } catch (const std::exception&) {
            std::vector<std::string> known(tensor_functions().begin(), tensor_functions().end());
            bool exists = false;
            for (const auto& f : known_functions()) {
                known.push_back(f);
                exists = exists || f == name;
            }
            if (exists)
                fail(at.begin,
                     name + " does not take " + std::to_string(v.size()) +
                         (v.size() == 1 ? " argument" : " arguments"),
                     name.size());
            fail(at.begin, "unknown function '" + name + "'" + did_you_mean(name, known),
                 name.size());
        }
        // A scalar function of one matrix applies entrywise; of several, entries must line up.
        const bool any_tensor = std::any_of(v.begin(), v.end(), is_tensor);
        if (!any_tensor)
            return call_noting_domain(serial, v);
        if (v.size() == 1)
            return elementwise(mat(v[0]),
                               [&](const ex& x) { return call_noting_domain(serial, {x}); });
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
                        throw shape_error(name + ": arguments of shapes " + shape_text(mat(x)) +
                                          " and " + shape_text(shape) + " do not line up");
                    args.push_back(mat(x)(i, j));
                }
                out(i, j) = call_noting_domain(serial, args);
            }
        return out;
    }

    /// f(args), with the conditions of its real domain as written (log's argument > 0, ...)
    /// recorded before GiNaC simplifies (exp(log(x)) is x).
    ex call_noting_domain(unsigned serial, const exvector& args) {
        if (note_domain_)
            for (const auto& c : collect_domain_(GiNaC::function(serial, args).hold()))
                add_condition(domain_, c);
        return GiNaC::function(serial, args);
    }

    void note_power(const ex& base, const ex& exponent) {
        if (!note_domain_)
            return;
        for (const auto& c : collect_domain_(GiNaC::power(base, exponent).hold()))
            if (c.expr.is_equal(base))
                add_condition(domain_, c);
    }

public:
    /// The conditions of the expression's real domain as written (domain.hpp).
    std::vector<domain_condition> domain_;
    /// Whether to collect domain_ (the walk into the values of names costs their size).
    bool note_domain_ = true;

private:
    domain_collector collect_domain_;
    ex differentiate(const ex& e, const ex& v, unsigned order, const token& at) {
        auto by = [&](const ex& f, const ex& var) {
            if (!GiNaC::is_a<GiNaC::symbol>(var))
                fail(at.begin,
                     "diff: differentiate with respect to a variable, not " +
                         std::string(is_tensor(var) ? "a matrix expression" : "an expression"),
                     at.end - at.begin);
            return map_scalar(
                f, [&](const ex& x) { return x.diff(GiNaC::ex_to<GiNaC::symbol>(var), order); });
        };
        if (!is_tensor(v))
            return by(e, v);
        if (is_tensor(e))
            fail(at.begin,
                 "diff: a matrix by a matrix is not supported; differentiate each "
                 "entry or a scalar function of it",
                 at.end - at.begin);
        const matrix& vars = mat(v);
        matrix out(vars.rows(), vars.cols());
        for (unsigned i = 0; i < vars.rows(); ++i)
            for (unsigned j = 0; j < vars.cols(); ++j)
                out(i, j) = by(e, vars(i, j));
        return out;
    }

    std::string_view text_;
    const tensor_names& names_;
    const parse_options& options_;
    std::vector<std::size_t> lines_;
    token tok_{tk::end, 0, 0};
    std::size_t depth_ = 0;
};

} // namespace

ex evaluate_tensor_expression(std::string_view text, const tensor_names& names,
                              const parse_options& options) {
    reader r(text, names, options);
    r.note_domain_ = false;
    return r.run();
}

written_expression read_tensor_expression(std::string_view text, const tensor_names& names,
                                          const parse_options& options) {
    reader r(text, names, options);
    written_expression out;
    out.value = r.run();
    out.domain = std::move(r.domain_);
    return out;
}

} // namespace symgrad
