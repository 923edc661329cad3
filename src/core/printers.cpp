// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/printers.hpp"

#include "symgrad/core/c_kernels.hpp"
#include "symgrad/core/error.hpp"
#include "symgrad/core/expression_walk.hpp"
#include "symgrad/core/functions.hpp"
#include "symgrad/core/reserved_names.hpp"
#include "symgrad/core/size_limits.hpp"
#include "symgrad/core/stable_forms.hpp"
#include "symgrad/core/symbols.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <deque>
#include <optional>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace symgrad {

using GiNaC::ex;
using GiNaC::numeric;

namespace {

// Precedence levels shared by every dialect.
enum prec { p_add = 1, p_mul = 2, p_unary = 3, p_pow = 4, p_atom = 5 };

/// One printer for every output format. The dialects differ in spelling (powers, numbers,
/// function names); they share the layout decisions that make formulas read like a textbook:
/// positive terms first (1 - sigmoid(z), not -sigmoid(z)+1), a leading minus moved into a
/// difference factor (sigmoid(z)*(1 - sigmoid(z)), not -sigmoid(z)*(-1+sigmoid(z))), and
/// negative powers written as divisions.
class formula_printer {
public:
    explicit formula_printer(output_format f) : f_(f) {}

    std::string print(const ex& e, int context = 0) {
        // Only the outermost call checks how deep the whole expression nests.
        struct leave {
            int& d;
            ~leave() { --d; }
        } guard{++depth_};
        if (depth_ == 1)
            check_nesting_depth(e, "print");
        int own = p_atom;
        std::string s = render(e, own);
        return own < context ? open() + s + close() : s;
    }

private:
    bool c() const { return f_ == output_format::c; }
    bool latex() const { return f_ == output_format::latex; }
    bool code() const { return f_ == output_format::c || f_ == output_format::python; }
    std::string open() const { return latex() ? "\\left(" : "("; }
    std::string close() const { return latex() ? "\\right)" : ")"; }

    static std::string show(const ex& e) {
        std::ostringstream os;
        os << e;
        return os.str();
    }

    std::string integer(const numeric& n) const { return show(n) + (c() ? ".0" : ""); }

    std::string number(const numeric& n, int& own) const {
        if (!n.is_real()) {
            if (code())
                throw invalid_input("printer: complex number " + show(n) + " has no real form");
            own = p_add;
            return show(n);
        }
        if (n.is_integer()) {
            own = n.is_negative() ? p_unary : p_atom;
            return integer(n);
        }
        if (n.is_rational()) {
            if (latex()) {
                own = n.is_negative() ? p_unary : p_atom;
                return std::string(n.is_negative() ? "-" : "") + "\\frac{" +
                       show(GiNaC::abs(n.numer())) + "}{" + show(n.denom()) + "}";
            }
            own = p_mul;
            return integer(n.numer()) + "/" + integer(n.denom());
        }
        own = n.is_negative() ? p_unary : p_atom;
        std::ostringstream os;
        if (code()) {
            os.precision(17);
            os << n.to_double();
        } else {
            os << n;
        }
        std::string s = os.str();
        if (c() && s.find_first_of(".e") == std::string::npos)
            s += ".0";
        return s;
    }

    std::string args(const ex& e, std::size_t from = 0) {
        std::string s;
        for (std::size_t i = from; i < e.nops(); ++i)
            s += (i > from ? ", " : "") + print(e.op(i));
        return s;
    }

    std::string call(const std::string& name, const ex& e, std::size_t from = 0) {
        if (latex())
            return name + open() + args(e, from) + close();
        return name + "(" + args(e, from) + ")";
    }

    std::string variadic_call(const std::string& name, const ex& e, std::size_t fixed) {
        // C: symgrad_name(fixed..., n, (const double[]){...}) with the helper from c_helpers.
        if (!c())
            return call(name, e);
        std::string s = "symgrad_" + name + "(";
        for (std::size_t i = 0; i < fixed; ++i)
            s += print(e.op(i)) + ", ";
        return s + std::to_string(e.nops() - fixed) + ", (const double[]){" + args(e, fixed) + "})";
    }

    std::string ml_call(const ex& e, ml_function kind) {
        if (latex()) {
            switch (kind) {
            case ml_function::sigmoid:
                return call("\\sigma", e);
            case ml_function::softmax:
                return "\\operatorname{softmax}_{" + print(e.op(0)) + "}" + open() + args(e, 1) +
                       close();
            case ml_function::indicator:
                return "\\left[" + print(e.op(0)) + " = " + print(e.op(1)) + "\\right]";
            case ml_function::crossentropy:
                return "\\operatorname{CE}" + open() + "\\left\\{" + args(e, 1) + "\\right\\}, " +
                       print(e.op(0)) + close();
            case ml_function::relu:
                return call("\\operatorname{ReLU}", e);
            case ml_function::none:
            case ml_function::softplus:
            case ml_function::logloss:
            case ml_function::logsumexp:
                break;
            }
            return call("\\operatorname{" + std::string(ml_function_name(kind)) + "}", e);
        }
        switch (kind) {
        case ml_function::logsumexp:
            return variadic_call("logsumexp", e, 0);
        case ml_function::softmax:
            return variadic_call("softmax", e, 1);
        case ml_function::crossentropy:
            if (!code()) // the parser's form: crossentropy({p0, p1}, y)
                return "crossentropy({" + args(e, 1) + "}, " + print(e.op(0)) + ")";
            return variadic_call("crossentropy", e, 1);
        case ml_function::none:
        case ml_function::sigmoid:
        case ml_function::softplus:
        case ml_function::relu:
        case ml_function::logloss:
        case ml_function::indicator:
            break;
        }
        return call(std::string(ml_function_name(kind)), e);
    }

    std::string function(const ex& e) {
        if (const auto kind = ml_function_of(e); kind != ml_function::none)
            return ml_call(e, kind);
        const std::string name = GiNaC::ex_to<GiNaC::function>(e).get_name();
        static const std::set<std::string> common{"exp",  "log",  "sin",  "cos",  "tan", "tanh",
                                                  "sinh", "cosh", "atan", "asin", "acos"};
        if (latex()) {
            if (name == "exp")
                return "e^{" + print(e.op(0)) + "}";
            if (name == "abs")
                return "\\left|" + print(e.op(0)) + "\\right|";
            if (common.count(name))
                return call("\\" + name, e);
            return call("\\operatorname{" + name + "}", e);
        }
        if (name == "abs")
            return call(c() ? "fabs" : "abs", e);
        if (!code() || common.count(name) || name == "step" || name == "csgn")
            return call(name, e);
        throw invalid_input("printer: the function " + name + " has no " + (c() ? "C" : "Python") +
                            " form");
    }

    std::string power(const ex& e, int& own) {
        const ex& base = e.op(0);
        const ex& expo = e.op(1);
        // GiNaC picks the sign of a sum raised to an integer power by its run-dependent order,
        // (y - o)^2 or (o - y)^2, -(y - o)^3 or (o - y)^3; the product's layout picks it here.
        if (GiNaC::is_exactly_a<GiNaC::add>(base) && expo.info(GiNaC::info_flags::integer)) {
            bool negated = false;
            order_.sign_representative(base, negated);
            if (negated)
                return product(e, own);
        }
        if (expo.is_equal(numeric(1, 2))) {
            own = p_atom;
            return latex() ? "\\sqrt{" + print(base) + "}" : "sqrt(" + print(base) + ")";
        }
        if (GiNaC::is_exactly_a<numeric>(expo) && expo.info(GiNaC::info_flags::negative)) {
            // x^(-n) as a division.
            return product(e, own);
        }
        if (latex()) {
            own = p_pow;
            return print(base, p_atom) + "^{" + print(expo) + "}";
        }
        if (c()) {
            own = p_atom;
            return "pow(" + print(base) + ", " + print(expo) + ")";
        }
        own = p_pow;
        // ** and ^ are right-associative and bind tighter than a unary minus on their left.
        return print(base, p_pow + 1) + (code() ? "**" : "^") + print(expo, p_pow);
    }

    /// The factors of a product split into coefficient, numerator and denominator.
    struct factors {
        numeric coeff = 1;
        std::vector<ex> num, den;
    };

    /// Whether a term of the sum @p e carries a negative numeric coefficient.
    static bool has_negative_term(const ex& e) {
        for (std::size_t i = 0; i < e.nops(); ++i) {
            const ex& t = e.op(i);
            if (GiNaC::is_exactly_a<numeric>(t) && t.info(GiNaC::info_flags::negative))
                return true;
            if (GiNaC::is_a<GiNaC::mul>(t))
                for (std::size_t j = 0; j < t.nops(); ++j)
                    if (GiNaC::is_exactly_a<numeric>(t.op(j)) &&
                        t.op(j).info(GiNaC::info_flags::negative))
                        return true;
        }
        return false;
    }

    /// b^k as it stands: GiNaC's evaluation would choose the sign of a sum b again.
    static ex held_power(const ex& b, const ex& k) {
        if (k.is_equal(1))
            return b;
        return GiNaC::dynallocate<GiNaC::power>(b, k).setflag(GiNaC::status_flags::evaluated);
    }

    factors split(const ex& e) {
        factors f;
        auto take = [&](const ex& x) {
            if (GiNaC::is_exactly_a<numeric>(x)) {
                f.coeff *= GiNaC::ex_to<numeric>(x);
                return;
            }
            ex base = x, expo = 1;
            if (GiNaC::is_a<GiNaC::power>(x)) {
                base = x.op(0);
                expo = x.op(1);
            }
            // Sums (to integer powers) with the sign of their representative, the product's
            // sign in the coefficient: (a - b)*(c - d) and (b - a)*(d - c) print alike.
            if (GiNaC::is_exactly_a<GiNaC::add>(base) && expo.info(GiNaC::info_flags::integer)) {
                bool negated = false;
                base = order_.sign_representative(base, negated);
                if (negated && expo.info(GiNaC::info_flags::odd))
                    f.coeff = -f.coeff;
            }
            if (GiNaC::is_exactly_a<numeric>(expo) && expo.info(GiNaC::info_flags::negative))
                f.den.push_back(held_power(base, -expo));
            else
                f.num.push_back(held_power(base, expo));
        };
        if (GiNaC::is_a<GiNaC::mul>(e)) {
            for (std::size_t i = 0; i < e.nops(); ++i)
                take(e.op(i));
        } else {
            take(e);
        }
        // -a*(b - 1) reads better as a*(1 - b): move the sign into a difference factor, when
        // the negated factor still has a positive term (-(a + b) stays as it is). Of several
        // such factors, the first in structural order (GiNaC's order changes from run to run).
        if (f.coeff.is_negative()) {
            std::optional<std::size_t> chosen;
            for (std::size_t i = 0; i < f.num.size(); ++i) {
                const ex& x = f.num[i];
                if (GiNaC::is_a<GiNaC::add>(x) && has_negative_term(x) &&
                    (!chosen || order_.less(x, f.num[*chosen])))
                    chosen = i;
            }
            if (chosen) {
                f.num[*chosen] = -f.num[*chosen];
                f.coeff = -f.coeff;
            }
        }
        return f;
    }

    /// Textbook order of factors: function values first, then differences and sums, then plain
    /// variables: sigmoid(z)*(1 - sigmoid(z))*x and (sigmoid(w*x) - y)*x.
    static int factor_rank(const ex& x) {
        const ex& base = GiNaC::is_a<GiNaC::power>(x) ? x.op(0) : x;
        if (GiNaC::is_a<GiNaC::function>(base))
            return 0;
        if (GiNaC::is_a<GiNaC::add>(base))
            return 1;
        return 2;
    }

    std::string join(const std::vector<ex>& xs) {
        // GiNaC orders factors by hash, which depends on the order symbols were created in;
        // sorting by rank and then by printed form makes the output depend on the formula only.
        std::vector<std::pair<int, std::string>> parts;
        for (const auto& x : xs)
            parts.emplace_back(factor_rank(x), print(x, p_mul + 1));
        std::stable_sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) {
            if (a.first != b.first)
                return a.first < b.first;
            return natural_less(a.second, b.second);
        });
        std::string s;
        for (const auto& part : parts) {
            if (!s.empty())
                s += latex() ? " " : "*";
            s += part.second;
        }
        return s;
    }

    std::string product(const ex& e, int& own) {
        factors f = split(e);
        const bool negative = f.coeff.is_negative();
        if (negative)
            f.coeff = -f.coeff;
        const numeric top = f.coeff.numer(), bottom = f.coeff.denom();
        if (!bottom.is_equal(1))
            f.den.insert(f.den.begin(), bottom);
        std::string numerator;
        int o;
        if (!top.is_equal(1) || f.num.empty())
            numerator = number(top, o);
        const std::string rest = join(f.num);
        if (!rest.empty())
            numerator += (numerator.empty() ? "" : (latex() ? " " : "*")) + rest;
        std::string s;
        if (f.den.empty()) {
            s = numerator;
        } else if (latex()) {
            std::vector<ex> den = f.den;
            s = "\\frac{" + numerator + "}{" + join(den) + "}";
        } else {
            std::string d;
            if (f.den.size() == 1)
                d = GiNaC::is_exactly_a<numeric>(f.den[0])
                        ? number(GiNaC::ex_to<numeric>(f.den[0]), o)
                        : print(f.den[0], p_pow);
            else
                d = "(" + join(f.den) + ")";
            s = numerator + "/" + d;
        }
        own = negative ? p_unary : (latex() && !f.den.empty() ? p_atom : p_mul);
        return (negative ? "-" : "") + s;
    }

    static bool is_constant_text(const std::string& t) {
        return !t.empty() && (std::isdigit(static_cast<unsigned char>(t[0])) || t[0] == '\\');
    }

    std::string sum(const ex& e, int& own) {
        // Positive terms first, in GiNaC's order, then the negative ones.
        std::vector<std::string> positive, negative;
        for (std::size_t i = 0; i < e.nops(); ++i) {
            int o = p_atom;
            std::string t = render(e.op(i), o);
            if (o < p_add)
                t = open() + t + close();
            if (!t.empty() && t[0] == '-')
                negative.push_back(t.substr(1));
            else
                positive.push_back(t);
        }
        // Deterministic order (see join): constants first, then by printed form.
        auto order = [](const std::string& a, const std::string& b) {
            const bool ca = is_constant_text(a), cb = is_constant_text(b);
            if (ca != cb)
                return ca;
            return natural_less(a, b);
        };
        std::stable_sort(positive.begin(), positive.end(), order);
        std::stable_sort(negative.begin(), negative.end(), order);
        std::string s;
        for (const auto& t : positive)
            s += (s.empty() ? "" : " + ") + t;
        for (const auto& t : negative)
            s += (s.empty() ? "-" : " - ") + t;
        own = p_add;
        return s;
    }

    /// [[a, b], [c, d]], as the parser reads it (GiNaC's own print has its operand order).
    std::string matrix(const GiNaC::matrix& m) {
        std::string s = "[";
        for (unsigned i = 0; i < m.rows(); ++i) {
            s += i ? ", [" : "[";
            for (unsigned j = 0; j < m.cols(); ++j)
                s += (j ? ", " : "") + print(m(i, j));
            s += "]";
        }
        return s + "]";
    }

    std::string list(const ex& e) {
        std::string s = latex() ? "\\left\\{" : "{";
        for (std::size_t i = 0; i < e.nops(); ++i)
            s += (i ? ", " : "") + print(e.op(i));
        return s + (latex() ? "\\right\\}" : "}");
    }

    std::string render(const ex& e, int& own) {
        own = p_atom;
        if (GiNaC::is_exactly_a<numeric>(e))
            return number(GiNaC::ex_to<numeric>(e), own);
        if (GiNaC::is_a<GiNaC::symbol>(e)) {
            const auto& s = GiNaC::ex_to<GiNaC::symbol>(e);
            return latex() ? s.get_TeX_name() : code_name(s.get_name(), f_);
        }
        if (GiNaC::is_a<GiNaC::constant>(e)) {
            if (e.is_equal(GiNaC::Pi))
                return c() ? "3.141592653589793" : (latex() ? "\\pi" : (code() ? "pi" : "Pi"));
            if (!code())
                return show(e);
            int o;
            return number(GiNaC::ex_to<numeric>(e.evalf()), o);
        }
        if (GiNaC::is_a<GiNaC::add>(e))
            return sum(e, own);
        if (GiNaC::is_a<GiNaC::mul>(e))
            return product(e, own);
        if (GiNaC::is_a<GiNaC::power>(e))
            return power(e, own);
        if (GiNaC::is_a<GiNaC::function>(e))
            return function(e);
        if (!code() && GiNaC::is_a<GiNaC::lst>(e))
            return list(e);
        if (f_ == output_format::text && GiNaC::is_a<GiNaC::matrix>(e))
            return matrix(GiNaC::ex_to<GiNaC::matrix>(e));
        if (!code())
            return show(e);
        throw invalid_input("printer: " + show(e) + " has no " + (c() ? "C" : "Python") +
                            " form (vectors and matrices print component by component)");
    }

    output_format f_;
    int depth_ = 0;          // of print() calls
    structural_order order_; // shared by the whole formula: it memoises
};

/// Which helper functions an expression needs.
std::set<std::string> helpers_used(const std::vector<ex>& exprs) {
    std::set<std::string> used;
    for_each_subexpression(exprs, [&](const ex& e) {
        const auto kind = ml_function_of(e);
        if (kind != ml_function::none)
            used.insert(std::string(ml_function_name(kind)));
        else if (GiNaC::is_a<GiNaC::function>(e) &&
                 (GiNaC::ex_to<GiNaC::function>(e).get_name() == "step" ||
                  GiNaC::ex_to<GiNaC::function>(e).get_name() == "csgn"))
            used.insert(GiNaC::ex_to<GiNaC::function>(e).get_name());
    });
    return used;
}

std::vector<ex> stable_forms_of(const std::vector<ex>& exprs) {
    std::vector<ex> out;
    out.reserve(exprs.size());
    for (const auto& e : exprs)
        out.push_back(stable_form(e));
    return out;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// The structural order.

struct structural_order::impl {
    enum kind { k_number, k_constant, k_symbol, k_add, k_mul, k_power, k_function, k_other };

    struct node {
        ex e;
        kind k = k_other;
        std::string name; // symbol, constant, function or class name
        bool children_ready = false;
        std::vector<std::size_t> children; // canonical operands, sorted for sums and products
        std::optional<std::pair<std::size_t, bool>> representative; // sums: of +-e, negated
    };

    // A deque: nodes are added while references to others are in use.
    std::deque<node> nodes;
    std::unordered_map<ex, std::size_t> ids; // lookup only (equal expressions, one node)
    std::unordered_map<std::uint64_t, int> memo;

    static std::string show(const ex& e) {
        std::ostringstream os;
        os << e;
        return os.str();
    }

    std::size_t id_of(const ex& e) {
        auto [it, fresh] = ids.emplace(e, nodes.size());
        if (!fresh)
            return it->second;
        node n;
        n.e = e;
        if (GiNaC::is_exactly_a<numeric>(e)) {
            n.k = k_number;
        } else if (GiNaC::is_a<GiNaC::constant>(e)) {
            n.k = k_constant;
            n.name = show(e);
        } else if (GiNaC::is_a<GiNaC::symbol>(e)) {
            n.k = k_symbol;
            n.name = GiNaC::ex_to<GiNaC::symbol>(e).get_name();
        } else if (GiNaC::is_exactly_a<GiNaC::add>(e)) {
            n.k = k_add;
        } else if (GiNaC::is_exactly_a<GiNaC::mul>(e)) {
            n.k = k_mul;
        } else if (GiNaC::is_exactly_a<GiNaC::power>(e)) {
            n.k = k_power;
        } else if (GiNaC::is_a<GiNaC::function>(e)) {
            n.k = k_function;
            n.name = GiNaC::ex_to<GiNaC::function>(e).get_name();
        } else {
            n.k = k_other;
            n.name = GiNaC::ex_to<GiNaC::basic>(e).class_name();
        }
        nodes.push_back(std::move(n));
        return it->second;
    }

    static bool is_sum(const ex& e) { return GiNaC::is_exactly_a<GiNaC::add>(e); }

    static bool is_integer_power_of_sum(const ex& e) {
        return GiNaC::is_exactly_a<GiNaC::power>(e) && is_sum(e.op(0)) &&
               e.op(1).info(GiNaC::info_flags::integer);
    }

    /// The operands with GiNaC's run-dependent sign choices undone: a product's sum factors
    /// with their representative sign (the coefficient corrected), an even power's sum base
    /// likewise. The product (power) of the result is @p e.
    GiNaC::exvector canonical_operands(const ex& e) {
        GiNaC::exvector out;
        if (GiNaC::is_exactly_a<GiNaC::mul>(e)) {
            numeric coefficient = 1;
            bool flip = false;
            for (std::size_t i = 0; i < e.nops(); ++i) {
                const ex& f = e.op(i);
                if (GiNaC::is_exactly_a<numeric>(f)) {
                    coefficient *= GiNaC::ex_to<numeric>(f);
                    continue;
                }
                if (is_sum(f)) {
                    const auto [r, negated] = representative(id_of(f));
                    flip = flip != negated;
                    out.push_back(nodes[r].e);
                    continue;
                }
                if (is_integer_power_of_sum(f) && f.op(1).info(GiNaC::info_flags::odd)) {
                    const auto [r, negated] = representative(id_of(f.op(0)));
                    if (negated) {
                        // (-r)^k = -(r^k): the power as it stands (GiNaC's evaluation would
                        // choose its sign again), the sign to the coefficient.
                        flip = !flip;
                        out.push_back(GiNaC::dynallocate<GiNaC::power>(nodes[r].e, f.op(1))
                                          .setflag(GiNaC::status_flags::evaluated));
                        continue;
                    }
                }
                out.push_back(f);
            }
            if (flip)
                coefficient = -coefficient;
            if (coefficient != 1)
                out.push_back(coefficient);
            return out;
        }
        if (GiNaC::is_exactly_a<GiNaC::power>(e) && is_sum(e.op(0)) &&
            e.op(1).info(GiNaC::info_flags::even))
            return {nodes[representative(id_of(e.op(0))).first].e, e.op(1)};
        return GiNaC::exvector(e.begin(), e.end());
    }

    /// The operands' nodes as the order sees them: canonical_operands, and beyond that (for
    /// ordering only, the value is not kept) an odd power's sum base as its representative; a
    /// sum's and a product's operands in structural order (their GiNaC order is the
    /// run-dependent one).
    std::vector<std::size_t> children(std::size_t id) {
        if (nodes[id].children_ready)
            return nodes[id].children;
        const ex e = nodes[id].e;
        const kind k = nodes[id].k;
        std::vector<std::size_t> c;
        if (k == k_mul) {
            for (const ex& f : canonical_operands(e))
                c.push_back(id_of(f));
        } else if (k == k_power && is_integer_power_of_sum(e)) {
            c.push_back(representative(id_of(e.op(0))).first);
            c.push_back(id_of(e.op(1)));
        } else {
            for (std::size_t i = 0; i < e.nops(); ++i)
                c.push_back(id_of(e.op(i)));
        }
        if (k == k_add || k == k_mul)
            std::stable_sort(c.begin(), c.end(),
                             [this](std::size_t a, std::size_t b) { return compare(a, b) < 0; });
        nodes[id].children = c;
        nodes[id].children_ready = true;
        return c;
    }

    /// Whether a term of a sum is written with a minus: its (canonical) coefficient.
    bool negative_term(const ex& t) {
        if (GiNaC::is_exactly_a<numeric>(t))
            return GiNaC::ex_to<numeric>(t).is_real() && GiNaC::ex_to<numeric>(t).is_negative();
        if (!GiNaC::is_exactly_a<GiNaC::mul>(t))
            return false;
        for (std::size_t c : children(id_of(t)))
            if (nodes[c].k == k_number)
                return GiNaC::ex_to<numeric>(nodes[c].e).is_real() &&
                       GiNaC::ex_to<numeric>(nodes[c].e).is_negative();
        return false;
    }

    /// Of the sum s (node @p id) and -s, the one with fewer terms written with a minus, on a
    /// tie the first in structural order; and whether that is -s.
    std::pair<std::size_t, bool> representative(std::size_t id) {
        if (nodes[id].representative)
            return *nodes[id].representative;
        const ex s = nodes[id].e;
        const ex m = -s; // GiNaC distributes the sign over the terms (nothing is expanded)
        std::size_t ns = 0, nm = 0;
        for (std::size_t i = 0; i < s.nops(); ++i)
            ns += negative_term(s.op(i)) ? 1 : 0;
        for (std::size_t i = 0; i < m.nops(); ++i)
            nm += negative_term(m.op(i)) ? 1 : 0;
        const std::size_t mid = id_of(m);
        std::pair<std::size_t, bool> r{id, false};
        if (is_sum(m) && (nm < ns || (nm == ns && compare(mid, id) < 0)))
            r = {mid, true};
        nodes[id].representative = r;
        if (is_sum(m) && !nodes[mid].representative)
            nodes[mid].representative = std::make_pair(r.first, r.first != mid);
        return r;
    }

    static int sign(int x) { return (x > 0) - (x < 0); }

    static int compare_numbers(const numeric& a, const numeric& b) {
        const bool ra = a.is_rational(), rb = b.is_rational();
        if (ra != rb)
            return ra ? -1 : 1;
        if (ra) {
            // By size, then the positive one first: 1 - x is the representative of +-(1 - x).
            if (const int c = GiNaC::abs(a).compare(GiNaC::abs(b)); c != 0)
                return c;
            return b.compare(a);
        }
        if (a.is_real() && b.is_real())
            if (const int c = a.compare(b); c != 0)
                return c;
        return sign(show(a).compare(show(b)));
    }

    int compare(std::size_t a, std::size_t b) {
        if (a == b)
            return 0;
        const bool swapped = a > b;
        const std::uint64_t key =
            swapped ? (std::uint64_t{b} << 32) | a : (std::uint64_t{a} << 32) | b;
        if (auto it = memo.find(key); it != memo.end())
            return swapped ? -it->second : it->second;
        const int c = swapped ? -compute(b, a) : compute(a, b);
        memo.emplace(key, swapped ? -c : c);
        return c;
    }

    int compute(std::size_t a, std::size_t b) {
        const kind ka = nodes[a].k, kb = nodes[b].k;
        if (ka != kb)
            return ka < kb ? -1 : 1;
        switch (ka) {
        case k_number:
            return compare_numbers(GiNaC::ex_to<numeric>(nodes[a].e),
                                   GiNaC::ex_to<numeric>(nodes[b].e));
        case k_symbol: {
            const std::string &x = nodes[a].name, &y = nodes[b].name;
            if (natural_less(x, y))
                return -1;
            if (natural_less(y, x))
                return 1;
            if (const int c = x.compare(y); c != 0)
                return sign(c);
            // One name, different symbols (a realsymbol and a possymbol, say).
            return sign(std::strcmp(GiNaC::ex_to<GiNaC::basic>(nodes[a].e).class_name(),
                                    GiNaC::ex_to<GiNaC::basic>(nodes[b].e).class_name()));
        }
        case k_constant:
            return sign(nodes[a].name.compare(nodes[b].name));
        default:
            break;
        }
        if (const int c = nodes[a].name.compare(nodes[b].name); c != 0)
            return sign(c);
        const std::vector<std::size_t> ca = children(a), cb = children(b);
        for (std::size_t i = 0; i < ca.size() && i < cb.size(); ++i)
            if (const int c = compare(ca[i], cb[i]); c != 0)
                return c;
        if (ca.size() != cb.size())
            return ca.size() < cb.size() ? -1 : 1;
        return 0;
    }
};

structural_order::structural_order() : impl_(std::make_unique<impl>()) {}
structural_order::~structural_order() = default;

int structural_order::compare(const ex& a, const ex& b) {
    if (GiNaC::are_ex_trivially_equal(a, b))
        return 0;
    const std::size_t ia = impl_->id_of(a);
    const std::size_t ib = impl_->id_of(b);
    return impl_->compare(ia, ib);
}

int structural_compare(const ex& a, const ex& b) {
    structural_order order;
    return order.compare(a, b);
}

ex structural_order::sign_representative(const ex& s, bool& negated) {
    negated = false;
    if (!GiNaC::is_exactly_a<GiNaC::add>(s))
        return s;
    const auto [r, flipped] = impl_->representative(impl_->id_of(s));
    negated = flipped;
    return impl_->nodes[r].e;
}

GiNaC::exvector structural_order::canonical_operands(const ex& e) {
    return impl_->canonical_operands(e);
}

ex sign_representative(const ex& s, bool& negated) {
    structural_order order;
    return order.sign_representative(s, negated);
}

std::string brief(const ex& e, std::size_t max_chars) {
    // A number of thousands of digits stands in by its length: a message shows only the start
    // of the text, and printing 3^(10^6) took a verdict past its time budget.
    GiNaC::exmap huge;
    for_each_subexpression(e, [&huge](const ex& n) {
        if (!GiNaC::is_exactly_a<GiNaC::numeric>(n) || !GiNaC::ex_to<numeric>(n).is_rational())
            return;
        const numeric& q = GiNaC::ex_to<numeric>(n);
        const long bits = std::max(GiNaC::abs(q.numer()).int_length(), q.denom().int_length());
        if (bits > 3322 && !huge.count(n)) // 1000 digits
            huge[n] =
                GiNaC::symbol("(a number of about " + // no one can write this name
                              std::to_string(static_cast<long>(bits * 0.30103) + 1) + " digits)");
    });
    const ex shown = huge.empty() ? e : e.subs(huge, GiNaC::subs_options::no_pattern);
    std::string s;
    try {
        s = to_text(shown); // not GiNaC's print, whose operand order changes from run to run
    } catch (const size_limit_error&) {
        // the only limit print() checks: brief() serves messages, which must not throw
        return "(an expression nested more than " + std::to_string(max_nesting_depth) +
               " levels deep)";
    }
    if (s.size() > max_chars)
        s = s.substr(0, max_chars > 10 ? max_chars - 10 : 0) + " ... (" + std::to_string(s.size()) +
            " characters)";
    return s;
}

output_format parse_output_format(std::string_view name) {
    if (name == "text")
        return output_format::text;
    if (name == "latex")
        return output_format::latex;
    if (name == "python")
        return output_format::python;
    if (name == "c")
        return output_format::c;
    throw invalid_input("format: '" + std::string(name) + "' is not one of text, latex, python, c");
}

std::string code_name(std::string_view name, output_format f) {
    // A reserved name gets a trailing '_', and so does every name whose stem (the name without
    // its trailing underscores) is reserved: int -> int_, and a variable the user named int_
    // -> int__, so two variables never get one name.
    const std::string_view stem = name.substr(0, name.find_last_not_of('_') + 1);
    const bool c = f == output_format::c, python = f == output_format::python;
    const bool reserved = (c && (reserved_in_c(name) || reserved_in_c(stem))) ||
                          (python && (reserved_in_python(name) || reserved_in_python(stem)));
    return std::string(name) + (reserved ? "_" : "");
}

std::vector<std::pair<std::string, std::string>>
code_renamings(const std::vector<std::string>& names, output_format f) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& n : names)
        if (std::string code = code_name(n, f); code != n)
            out.emplace_back(n, std::move(code));
    return out;
}

std::string to_text(const ex& e) {
    return formula_printer(output_format::text).print(e);
}

std::string to_latex(const ex& e) {
    return formula_printer(output_format::latex).print(e);
}

// Code is for running in floating point: it prints the stable form (stable_forms.hpp).
std::string to_python(const ex& e) {
    return formula_printer(output_format::python).print(stable_form(e));
}

std::string to_c(const ex& e) {
    return formula_printer(output_format::c).print(stable_form(e));
}

std::string to_format(const ex& e, output_format f) {
    switch (f) {
    case output_format::text:
        return to_text(e);
    case output_format::latex:
        return to_latex(e);
    case output_format::python:
        return to_python(e);
    case output_format::c:
        return to_c(e);
    }
    return to_text(e);
}

std::vector<std::string> python_helpers(const std::vector<ex>& exprs) {
    const auto used = helpers_used(stable_forms_of(exprs));
    std::vector<std::string> out;
    auto add = [&](const char* name, const char* def) {
        if (used.count(name))
            out.emplace_back(def);
    };
    add("sigmoid", "def sigmoid(z): return 1/(1 + exp(-z)) if z >= 0 else exp(z)/(1 + exp(z))");
    add("softplus", "def softplus(z): return max(z, 0) + log1p(exp(-abs(z)))");
    add("relu", "def relu(z): return max(z, 0)");
    add("step", "def step(z): return 1.0 if z > 0 else (0.0 if z < 0 else 0.5)");
    add("csgn", "def csgn(z): return 1.0 if z > 0 else (-1.0 if z < 0 else 0.0)");
    add("logsumexp", "def logsumexp(*z): k = z.index(max(z)); return z[k] + log1p(sum(exp(v - "
                     "z[k]) for j, v in enumerate(z) if j != k))");
    add("softmax",
        "def softmax(k, *z): m = max(z); return exp(z[k] - m)/sum(exp(v - m) for v in z)");
    add("logloss", "def logloss(p, y): return -(y*log(p) + (1 - y)*log(1 - p))");
    add("indicator", "def indicator(y, k): return 1.0 if y == k else 0.0");
    add("crossentropy", "def crossentropy(y, *p): return -log(p[int(y)])");
    return out;
}

std::vector<std::string> c_helpers(const std::vector<ex>& exprs) {
    const auto used = helpers_used(stable_forms_of(exprs));
    std::vector<std::string> out;
    auto add = [&](const char* name, const char* def) {
        if (used.count(name))
            out.emplace_back(def);
    };
    auto add_kernel = [&](const char* name, c_kernel k, const char* declaration) {
        if (used.count(name))
            out.push_back(c_kernel_definition(k, declaration));
    };
    add_kernel("sigmoid", c_kernel::sigmoid, "static double sigmoid(double z)");
    add_kernel("softplus", c_kernel::softplus, "static double softplus(double z)");
    add("relu", "static double relu(double z) { return z > 0 ? z : 0.0; }");
    add("step", "static double step(double z) { return z > 0 ? 1.0 : (z < 0 ? 0.0 : 0.5); }");
    add("csgn", "static double csgn(double z) { return z > 0 ? 1.0 : (z < 0 ? -1.0 : 0.0); }");
    add_kernel("logsumexp", c_kernel::logsumexp,
               "static double symgrad_logsumexp(int n, const double* z)");
    add("softmax", "static double symgrad_softmax(double k, int n, const double* z) { double m "
                   "= z[0], s = 0; for (int j = 1; j < n; ++j) m = fmax(m, z[j]); for (int j = "
                   "0; j < n; ++j) s += exp(z[j] - m); return exp(z[(int)k] - m)/s; }");
    add("logloss", "static double logloss(double p, double y) { return -(y*log(p) + (1.0 - "
                   "y)*log(1.0 - p)); }");
    add("indicator", "static double indicator(double y, double k) { return y == k ? 1.0 : 0.0; }");
    add("crossentropy", "static double symgrad_crossentropy(double y, int n, const double* p) "
                        "{ (void)n; return -log(p[(int)y]); }");
    return out;
}

} // namespace symgrad
