// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/printers.hpp"

#include "symgrad/error.hpp"
#include "symgrad/functions.hpp"

#include <algorithm>
#include <array>
#include <set>
#include <sstream>

namespace symgrad {

using GiNaC::ex;
using GiNaC::numeric;

namespace {

constexpr std::array<std::string_view, 35> python_keywords = {
    "False", "None",     "True",  "and",    "as",   "assert", "async",  "await",    "break",
    "class", "continue", "def",   "del",    "elif", "else",   "except", "finally",  "for",
    "from",  "global",   "if",    "import", "in",   "is",     "lambda", "nonlocal", "not",
    "or",    "pass",     "raise", "return", "try",  "while",  "with",   "yield"};

constexpr std::array<std::string_view, 44> c_keywords = {
    "auto",     "break",  "case",     "char",     "const",    "continue", "default",  "do",
    "double",   "else",   "enum",     "extern",   "float",    "for",      "goto",     "if",
    "inline",   "int",    "long",     "register", "restrict", "return",   "short",    "signed",
    "sizeof",   "static", "struct",   "switch",   "typedef",  "union",    "unsigned", "void",
    "volatile", "while",  "_Bool",    "_Complex", "bool",     "true",     "false",    "main",
    "fabs",     "NAN",    "INFINITY", "M_PI"};

// Precedence levels of the code printers.
enum prec { p_add = 1, p_mul = 2, p_unary = 3, p_pow = 4, p_atom = 5 };

class code_printer {
public:
    explicit code_printer(output_format f) : f_(f) {}

    std::string print(const ex& e, int context = 0) {
        int own = p_atom;
        std::string s = render(e, own);
        return own < context ? "(" + s + ")" : s;
    }

private:
    bool c() const { return f_ == output_format::c; }

    std::string number(const numeric& n, int& own) {
        if (!n.is_real())
            throw invalid_input("printer: complex number " + show(n) + " has no real code form");
        if (n.is_integer()) {
            own = n.is_negative() ? p_unary : p_atom;
            return show(n) + (c() ? ".0" : "");
        }
        if (n.is_rational()) {
            own = p_mul;
            const numeric num = n.numer(), den = n.denom();
            std::string s = show(num) + (c() ? ".0/" : "/") + show(den) + (c() ? ".0" : "");
            return s;
        }
        own = n.is_negative() ? p_unary : p_atom;
        std::ostringstream os;
        os.precision(17);
        os << n.to_double();
        std::string s = os.str();
        if (c() && s.find_first_of(".e") == std::string::npos)
            s += ".0";
        return s;
    }

    static std::string show(const ex& e) {
        std::ostringstream os;
        os << e;
        return os.str();
    }

    std::string call(const std::string& name, const ex& e, std::size_t from = 0) {
        std::string s = name + "(";
        for (std::size_t i = from; i < e.nops(); ++i)
            s += (i > from ? ", " : "") + print(e.op(i));
        return s + ")";
    }

    std::string variadic_call(const std::string& name, const ex& e, std::size_t fixed) {
        // Python: name(fixed..., z0, z1, ...). C: symgrad_name(fixed..., n, (const double[]){...}).
        if (!c())
            return call(name, e);
        std::string s = "symgrad_" + name + "(";
        for (std::size_t i = 0; i < fixed; ++i)
            s += print(e.op(i)) + ", ";
        s += std::to_string(e.nops() - fixed) + ", (const double[]){";
        for (std::size_t i = fixed; i < e.nops(); ++i)
            s += (i > fixed ? ", " : "") + print(e.op(i));
        return s + "})";
    }

    std::string function(const ex& e) {
        const auto& fn = GiNaC::ex_to<GiNaC::function>(e);
        switch (ml_function_of(e)) {
        case ml_function::logsumexp:
            return variadic_call("logsumexp", e, 0);
        case ml_function::softmax:
            return variadic_call("softmax", e, 1);
        case ml_function::crossentropy:
            return variadic_call("crossentropy", e, 1);
        case ml_function::none:
            break;
        default:
            return call(std::string(ml_function_name(ml_function_of(e))), e);
        }
        std::string name = fn.get_name();
        static const std::set<std::string> direct{"exp",  "log",  "sin",  "cos",  "tan", "tanh",
                                                  "sinh", "cosh", "atan", "asin", "acos"};
        if (direct.count(name))
            return call(name, e);
        if (name == "abs")
            return call(c() ? "fabs" : "abs", e);
        if (name == "step")
            return call("step", e);
        throw invalid_input("printer: the function " + name + " has no " + (c() ? "C" : "Python") +
                            " form");
    }

    std::string power(const ex& e, int& own) {
        const ex& base = e.op(0);
        const ex& expo = e.op(1);
        if (expo.is_equal(numeric(1, 2))) {
            own = p_atom;
            return "sqrt(" + print(base) + ")";
        }
        if (expo.is_equal(-1)) {
            own = p_mul;
            return (c() ? "1.0/" : "1/") + print(base, p_pow);
        }
        if (expo.is_equal(numeric(-1, 2))) {
            own = p_mul;
            return (c() ? "1.0/sqrt(" : "1/sqrt(") + print(base) + ")";
        }
        if (c()) {
            own = p_atom;
            return "pow(" + print(base) + ", " + print(expo) + ")";
        }
        own = p_pow;
        // Python's ** is right-associative and binds tighter than unary minus on its left.
        return print(base, p_pow + 1) + "**" + print(expo, p_unary);
    }

    std::string product(const ex& e, int& own) {
        // Split into numerator and denominator factors so that x*y^(-1) prints as x/y.
        std::vector<ex> num, den;
        numeric coeff = 1;
        for (std::size_t i = 0; i < e.nops(); ++i) {
            const ex& f = e.op(i);
            if (GiNaC::is_exactly_a<numeric>(f)) {
                coeff *= GiNaC::ex_to<numeric>(f);
            } else if (GiNaC::is_a<GiNaC::power>(f) && f.op(1).info(GiNaC::info_flags::negative) &&
                       GiNaC::is_exactly_a<numeric>(f.op(1))) {
                den.push_back(GiNaC::pow(f.op(0), -f.op(1)));
            } else {
                num.push_back(f);
            }
        }
        std::string sign;
        if (coeff.is_negative()) {
            sign = "-";
            coeff = -coeff;
        }
        std::string s;
        if (coeff.is_rational() && !coeff.is_integer()) {
            // p/q * rest / den  ->  p*rest/(q*den)
            if (!coeff.numer().is_equal(1) || num.empty()) {
                int o;
                s = number(coeff.numer(), o);
            }
            den.insert(den.begin(), coeff.denom());
        } else if (!coeff.is_equal(1) || num.empty()) {
            int o;
            s = number(coeff, o);
        }
        for (const auto& f : num)
            s += (s.empty() ? "" : "*") + print(f, p_mul + 1);
        if (!den.empty()) {
            std::string d;
            if (den.size() == 1) {
                d = print(den[0], p_pow);
            } else {
                for (const auto& f : den)
                    d += (d.empty() ? "" : "*") + print(f, p_mul + 1);
                d = "(" + d + ")";
            }
            if (den.size() == 1 && GiNaC::is_exactly_a<numeric>(den[0])) {
                int o;
                d = number(GiNaC::ex_to<numeric>(den[0]), o);
            }
            s += "/" + d;
        }
        own = sign.empty() ? p_mul : p_unary;
        return sign + s;
    }

    std::string sum(const ex& e, int& own) {
        std::string s;
        for (std::size_t i = 0; i < e.nops(); ++i) {
            int o = p_atom;
            std::string t = render(e.op(i), o);
            if (o < p_add)
                t = "(" + t + ")";
            if (i == 0) {
                s = t;
            } else if (!t.empty() && t[0] == '-') {
                s += " - " + t.substr(1);
            } else {
                s += " + " + t;
            }
        }
        own = p_add;
        return s;
    }

    std::string render(const ex& e, int& own) {
        own = p_atom;
        if (GiNaC::is_exactly_a<numeric>(e))
            return number(GiNaC::ex_to<numeric>(e), own);
        if (GiNaC::is_a<GiNaC::symbol>(e))
            return code_name(GiNaC::ex_to<GiNaC::symbol>(e).get_name(), f_);
        if (GiNaC::is_a<GiNaC::constant>(e)) {
            if (e.is_equal(GiNaC::Pi))
                return c() ? "M_PI" : "pi";
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
        throw invalid_input("printer: " + show(e) + " has no " + (c() ? "C" : "Python") +
                            " form (vectors and matrices print component by component)");
    }

    output_format f_;
};

/// Which helper functions an expression needs.
std::set<std::string> helpers_used(const std::vector<ex>& exprs) {
    std::set<std::string> used;
    for (const auto& e : exprs) {
        for (auto it = e.preorder_begin(); it != e.preorder_end(); ++it) {
            const auto kind = ml_function_of(*it);
            if (kind != ml_function::none)
                used.insert(std::string(ml_function_name(kind)));
            else if (GiNaC::is_a<GiNaC::function>(*it) &&
                     GiNaC::ex_to<GiNaC::function>(*it).get_name() == "step")
                used.insert("step");
        }
    }
    return used;
}

} // namespace

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
    std::string s(name);
    if (f == output_format::python &&
        std::find(python_keywords.begin(), python_keywords.end(), name) != python_keywords.end())
        s += "_";
    if (f == output_format::c &&
        std::find(c_keywords.begin(), c_keywords.end(), name) != c_keywords.end())
        s += "_";
    return s;
}

std::string to_text(const ex& e) {
    std::ostringstream os;
    os << e;
    return os.str();
}

std::string to_latex(const ex& e) {
    std::ostringstream os;
    os << GiNaC::latex << e << GiNaC::dflt;
    return os.str();
}

std::string to_python(const ex& e) {
    return code_printer(output_format::python).print(e);
}

std::string to_c(const ex& e) {
    return code_printer(output_format::c).print(e);
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
    const auto used = helpers_used(exprs);
    std::vector<std::string> out;
    auto add = [&](const char* name, const char* def) {
        if (used.count(name))
            out.emplace_back(def);
    };
    add("sigmoid", "def sigmoid(z): return 1/(1 + exp(-z)) if z >= 0 else exp(z)/(1 + exp(z))");
    add("softplus", "def softplus(z): return max(z, 0) + log1p(exp(-abs(z)))");
    add("relu", "def relu(z): return max(z, 0)");
    add("step", "def step(z): return 1.0 if z > 0 else (0.0 if z < 0 else 0.5)");
    add("logsumexp", "def logsumexp(*z): m = max(z); return m + log(sum(exp(v - m) for v in z))");
    add("softmax",
        "def softmax(k, *z): m = max(z); return exp(z[k] - m)/sum(exp(v - m) for v in z)");
    add("logloss", "def logloss(p, y): return -(y*log(p) + (1 - y)*log(1 - p))");
    add("indicator", "def indicator(y, k): return 1.0 if y == k else 0.0");
    add("crossentropy", "def crossentropy(y, *p): return -log(p[int(y)])");
    return out;
}

std::vector<std::string> c_helpers(const std::vector<ex>& exprs) {
    const auto used = helpers_used(exprs);
    std::vector<std::string> out;
    auto add = [&](const char* name, const char* def) {
        if (used.count(name))
            out.emplace_back(def);
    };
    add("sigmoid", "static double sigmoid(double z) { if (z >= 0) return 1.0/(1.0 + exp(-z)); "
                   "double e = exp(z); return e/(1.0 + e); }");
    add("softplus",
        "static double softplus(double z) { return fmax(z, 0.0) + log1p(exp(-fabs(z))); }");
    add("relu", "static double relu(double z) { return z > 0 ? z : 0.0; }");
    add("step", "static double step(double z) { return z > 0 ? 1.0 : (z < 0 ? 0.0 : 0.5); }");
    add("logsumexp", "static double symgrad_logsumexp(int n, const double* z) { double m = z[0], "
                     "s = 0; for (int j = 1; j < n; ++j) m = fmax(m, z[j]); for (int j = 0; j < "
                     "n; ++j) s += exp(z[j] - m); return m + log(s); }");
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
