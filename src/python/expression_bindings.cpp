// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// Expr and the command's expression verbs: parse, diff, grad, simplify, evaluate, check.
#include "bindings.hpp"

#include "symgrad/compile/interpreter.hpp"
#include "symgrad/compile/tape.hpp"
#include "symgrad/core/error.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/functions.hpp"
#include "symgrad/core/printers.hpp"
#include "symgrad/core/spelling.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/simplify/simplify.hpp"
#include "symgrad/text/parser.hpp"
#include "symgrad/verify/domain.hpp"
#include "symgrad/verify/verify.hpp"

#include <cln/float.h>
#include <cln/real.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace symgrad::python {

using GiNaC::ex;

namespace {

std::string type_name(py::handle h) {
    return py::str(py::type::of(h).attr("__name__")).cast<std::string>();
}

/// Python's own text of a float (repr: the shortest decimal that reads back as the same
/// double), read as an exact decimal like the parser's literals.
ex float_value(double d, const std::string& where) {
    if (!std::isfinite(d))
        throw invalid_input(where + ": " + format_double(d) + " is not a finite number");
    const std::string text = py::repr(py::float_(d)).cast<std::string>();
    parse_options o;
    o.source = where;
    return parse(text, o);
}

bool is_sympy(py::handle h) {
    const std::string module = py::str(py::type::of(h).attr("__module__")).cast<std::string>();
    return module.rfind("sympy", 0) == 0;
}

std::string variable_list(const ex& e) {
    std::string list;
    for (const auto& s : free_symbols(e))
        list += (list.empty() ? "" : ", ") + symbol_name(s);
    return list;
}

/// One variable by name or symbol, which must occur in @p e (a misspelt name would give a
/// derivative of 0 that looks like an answer).
ex variable(py::handle h, const ex& e, const std::string& where) {
    ex v;
    std::string name;
    if (py::isinstance<py::str>(h)) {
        name = h.cast<std::string>();
        const auto b = name.find_first_not_of(" \t");
        const auto last = name.find_last_not_of(" \t");
        name = b == std::string::npos ? "" : name.substr(b, last - b + 1);
        if (!is_valid_symbol_name(name))
            throw invalid_input(where + ": '" + name +
                                "' is not a variable; differentiate with respect to a name "
                                "such as w1");
        v = symbol_named(name);
    } else {
        v = to_ex(h, where);
        if (!GiNaC::is_a<GiNaC::symbol>(v))
            throw invalid_input(where + ": '" + to_text(v) +
                                "' is not a variable; differentiate with respect to a name "
                                "such as w1");
        name = symbol_name(v);
    }
    if (!e.has(v)) {
        std::vector<std::string> known;
        for (const auto& s : free_symbols(e))
            known.push_back(symbol_name(s));
        std::string hint = did_you_mean(name, known);
        if (hint.empty() && !known.empty())
            hint = " (its variables: " + variable_list(e) + ")";
        throw invalid_input(where + ": '" + name + "' does not occur in the expression" + hint);
    }
    return v;
}

ex partial(const ex& e, const ex& v) {
    return e.diff(GiNaC::ex_to<GiNaC::symbol>(v));
}

/// @p n as a CLN float of @p digits significant digits (at least 17: shorter CLN formats are
/// machine floats, whose exponent range cannot hold 1e-435), so that it prints with about that
/// many digits rather than all the working precision's; rationals stay exact.
GiNaC::numeric rounded(const GiNaC::numeric& n, long digits) {
    if (n.is_rational() || !n.is_real())
        return n;
    const cln::cl_R r = cln::realpart(n.to_cl_N());
    return GiNaC::numeric(cln::cl_N(
        cln::cl_float(r, cln::float_format(static_cast<std::uint64_t>(std::max(digits, 17L))))));
}

/// A value: an exact Expr (exact), a float (in_double) or an Expr holding the number to
/// @p digits significant digits (exact where rational).
py::object value_of(const ex& e, const GiNaC::exmap& point, long digits, bool exact, bool in_double,
                    const std::string& where) {
    if (exact && in_double)
        throw invalid_input(where + ": choose exact=True or double=True, not both");
    if (auto missing = unbound_names(e, point); !missing.empty())
        throw unbound_symbols(where, missing);
    if (in_double)
        return py::float_(evaluate_as_compiled(e, point, where));
    if (exact)
        return py::cast(expr{evaluate_exact(e, point, where)});
    if (digits < 1 || digits > 100000)
        throw invalid_input(where + ": digits must be 1 to 100000, got " + std::to_string(digits));
    return py::cast(expr{rounded(evaluate_numeric(e, point, digits, where), digits)});
}

/// A side of check() as written: text keeps the domain it was written with
/// (sqrt(x)*sqrt(x) is undefined for x < 0), an Expr has the domain of its value.
written_expression written_side(py::handle h, const std::string& source) {
    if (py::isinstance<py::str>(h)) {
        parse_options o;
        o.source = source;
        return parse_written(h.cast<std::string>(), o);
    }
    const ex v = to_ex(h, source);
    return {v, domain_of(v)};
}

/// The structure of an expression for the Python side (symgrad.to_sympy walks it):
/// (kind, data, operands).
py::tuple node_of(const ex& e) {
    py::list operands;
    for (std::size_t i = 0; i < e.nops(); ++i)
        operands.append(expr{e.op(i)});
    if (GiNaC::is_exactly_a<GiNaC::numeric>(e)) {
        const auto& n = GiNaC::ex_to<GiNaC::numeric>(e);
        if (n.is_rational()) {
            std::ostringstream num, den;
            num << n.numer();
            den << n.denom();
            return py::make_tuple("rational", py::make_tuple(num.str(), den.str()), py::list());
        }
        if (n.is_real())
            return py::make_tuple("float", format_number(n, 40), py::list());
        return py::make_tuple("complex", py::make_tuple(expr{n.real()}, expr{n.imag()}),
                              py::list());
    }
    if (GiNaC::is_a<GiNaC::symbol>(e))
        return py::make_tuple("symbol", symbol_name(e), py::list());
    if (GiNaC::is_a<GiNaC::constant>(e)) {
        std::ostringstream name;
        name << e;
        return py::make_tuple("constant", name.str(), py::list());
    }
    if (GiNaC::is_a<GiNaC::add>(e))
        return py::make_tuple("add", "", operands);
    if (GiNaC::is_a<GiNaC::mul>(e))
        return py::make_tuple("mul", "", operands);
    if (GiNaC::is_a<GiNaC::power>(e))
        return py::make_tuple("pow", "", operands);
    if (GiNaC::is_a<GiNaC::function>(e))
        return py::make_tuple("function", GiNaC::ex_to<GiNaC::function>(e).get_name(), operands);
    if (GiNaC::is_a<GiNaC::lst>(e))
        return py::make_tuple("list", "", operands);
    if (GiNaC::is_a<GiNaC::matrix>(e)) {
        const auto& m = GiNaC::ex_to<GiNaC::matrix>(e);
        return py::make_tuple("matrix", py::make_tuple(m.rows(), m.cols()), operands);
    }
    return py::make_tuple("other", to_text(e), operands);
}

std::string repr_of(const ex& e) {
    return "Expr(" + py::repr(py::str(to_text(e))).cast<std::string>() + ")";
}

ex binary(const ex& a, py::handle b, char op, bool reflected) {
    const ex other = to_ex(b, "Expr");
    const ex& l = reflected ? other : a;
    const ex& r = reflected ? a : other;
    switch (op) {
    case '+':
        return l + r;
    case '-':
        return l - r;
    case '*':
        return l * r;
    case '/':
        if (r.is_zero())
            throw domain_error("Expr: division by zero in (" + to_text(l) + ")/0");
        return l / r;
    default:
        if (r.info(GiNaC::info_flags::negative) && l.is_zero())
            throw domain_error("Expr: 0 to the negative power " + to_text(r));
        return GiNaC::pow(l, r);
    }
}

} // namespace

GiNaC::ex to_ex(py::handle h, const std::string& where) {
    if (py::isinstance<expr>(h))
        return h.cast<const expr&>().value;
    if (py::isinstance<py::str>(h)) {
        parse_options o;
        o.source = where;
        return parse(h.cast<std::string>(), o);
    }
    if (py::isinstance<py::bool_>(h))
        return h.cast<bool>() ? 1 : 0;
    if (py::isinstance<py::int_>(h) || (py::hasattr(h, "__index__") && !is_sympy(h))) {
        const std::string digits = py::str(py::int_(py::reinterpret_borrow<py::object>(h)));
        return GiNaC::numeric(digits.c_str());
    }
    if (py::isinstance<py::float_>(h))
        return float_value(h.cast<double>(), where);
    if (is_sympy(h))
        return to_ex(py::module_::import("symgrad").attr("from_sympy")(h), where);
    if (type_name(h) == "Fraction")
        return to_ex(h.attr("numerator"), where) / to_ex(h.attr("denominator"), where);
    if (py::isinstance<py::list>(h) || py::isinstance<py::tuple>(h)) {
        GiNaC::lst items;
        for (auto item : h)
            items.append(to_ex(item, where));
        return items;
    }
    if (py::hasattr(h, "__float__"))
        return float_value(py::float_(py::reinterpret_borrow<py::object>(h)).cast<double>(), where);
    throw invalid_input(where + ": a " + type_name(h) +
                        " is not an expression (give an Expr, a str, a number or a SymPy "
                        "expression)");
}

std::vector<GiNaC::ex> to_variables(py::handle h, const GiNaC::ex& e, const std::string& where) {
    std::vector<ex> out;
    if (h.is_none())
        return free_symbols(e);
    if (py::isinstance<py::str>(h)) {
        std::stringstream list(h.cast<std::string>());
        std::string item;
        while (std::getline(list, item, ','))
            if (item.find_first_not_of(" \t") != std::string::npos)
                out.push_back(variable(py::str(item), e, where));
    } else if (py::isinstance<expr>(h) || is_sympy(h)) {
        out.push_back(variable(h, e, where));
    } else {
        for (auto item : h)
            out.push_back(variable(item, e, where));
    }
    if (out.empty())
        throw invalid_input(where + ": no variables given");
    return out;
}

GiNaC::exmap to_point(py::handle h, const GiNaC::ex& e, const std::string& where) {
    GiNaC::exmap point;
    if (h.is_none())
        return point;
    if (py::isinstance<py::str>(h)) {
        parse_options o;
        o.source = where;
        point = parse_point(h.cast<std::string>(), o);
    } else if (py::isinstance<py::dict>(h)) {
        for (auto item : h.cast<py::dict>()) {
            ex key;
            if (py::isinstance<py::str>(item.first)) {
                const auto name = item.first.cast<std::string>();
                if (!is_valid_symbol_name(name))
                    throw invalid_input(where + ": '" + name + "' is not a variable name");
                key = symbol_named(name);
            } else {
                key = to_ex(item.first, where);
                if (!GiNaC::is_a<GiNaC::symbol>(key))
                    throw invalid_input(where + ": '" + to_text(key) + "' is not a variable");
            }
            const ex value = to_ex(item.second, where + ": " + symbol_name(key));
            if (!free_symbols(value).empty())
                throw invalid_input(where + ": the value of " + symbol_name(key) + ", " +
                                    to_text(value) + ", is not a number");
            point[key] = value;
        }
    } else {
        throw invalid_input(where +
                            ": a point is a dict {name: value} or a str 'w1 = 0, "
                            "w2 = 1/2', not a " +
                            type_name(h));
    }
    check_class_labels(e, point, where);
    return point;
}

GiNaC::numeric to_numeric(py::handle h, const std::string& where) {
    ex v = to_ex(h, where);
    if (!GiNaC::is_exactly_a<GiNaC::numeric>(v) && free_symbols(v).empty())
        v = evaluate_numeric(v, {}, 30, where);
    if (!GiNaC::is_exactly_a<GiNaC::numeric>(v) || !GiNaC::ex_to<GiNaC::numeric>(v).is_real())
        throw invalid_input(where + ": " + to_text(v) + " is not a real number");
    return GiNaC::ex_to<GiNaC::numeric>(v);
}

void bind_expressions(py::module_& m) {
    py::class_<expr>(m, "Expr",
                     "An expression: immutable, shared, printed as text, LaTeX, Python or C.")
        .def(py::init([](py::handle h) { return expr{to_ex(h, "<expression>")}; }),
             py::arg("value"))
        .def("__str__", [](const expr& e) { return to_text(e.value); })
        .def("__repr__", [](const expr& e) { return repr_of(e.value); })
        .def(
            "text", [](const expr& e) { return to_text(e.value); },
            "The parser's syntax (parse() reads it back).")
        .def("latex", [](const expr& e) { return to_latex(e.value); })
        .def(
            "python", [](const expr& e) { return to_python(e.value); },
            "A Python expression over the math module (helpers: python_helpers()).")
        .def(
            "c", [](const expr& e) { return to_c(e.value); },
            "A C expression in double (helpers: c_helpers()).")
        .def("python_helpers", [](const expr& e) { return python_helpers({e.value}); })
        .def("c_helpers", [](const expr& e) { return c_helpers({e.value}); })
        .def("_repr_latex_",
             [](const expr& e) { return "$\\displaystyle " + to_latex(e.value) + "$"; })
        .def("_node", [](const expr& e) { return node_of(e.value); })
        .def_property_readonly(
            "variables",
            [](const expr& e) {
                std::vector<std::string> names;
                for (const auto& s : free_symbols(e.value))
                    names.push_back(symbol_name(s));
                return names;
            },
            "Names of the free symbols, in natural order (w2 before w10).")
        .def_property_readonly("is_number",
                               [](const expr& e) { return GiNaC::is_a<GiNaC::numeric>(e.value); })
        .def_property_readonly("is_rational",
                               [](const expr& e) {
                                   return GiNaC::is_a<GiNaC::numeric>(e.value) &&
                                          GiNaC::ex_to<GiNaC::numeric>(e.value).is_rational();
                               })
        .def(
            "cost", [](const expr& e) { return expression_cost(e.value); },
            "expression_cost: operations plus leaves, as a person writes it.")
        .def(
            "subs",
            [](const expr& e, py::handle values) {
                GiNaC::exmap replacements;
                for (auto item : values.cast<py::dict>()) {
                    const ex key = py::isinstance<py::str>(item.first)
                                       ? ex(symbol_named(item.first.cast<std::string>()))
                                       : to_ex(item.first, "subs");
                    replacements[key] = to_ex(item.second, "subs");
                }
                return expr{e.value.subs(replacements)};
            },
            py::arg("values"), "Substitute {name or Expr: value}.")
        .def("__float__",
             [](const expr& e) {
                 // Through text: CLN's own conversion throws on values beyond double's range,
                 // strtod rounds them to 0 or infinity as float() does.
                 const GiNaC::numeric n = evaluate_numeric(e.value, {}, 17, "float");
                 std::ostringstream text;
                 text << (n.is_rational() ? GiNaC::ex_to<GiNaC::numeric>(n.evalf()) : n);
                 std::string digits = text.str();
                 std::replace(digits.begin(), digits.end(), 'E', 'e');
                 return std::strtod(digits.c_str(), nullptr);
             })
        .def("__eq__",
             [](const expr& a, py::handle b) {
                 if (!py::isinstance<expr>(b))
                     return false;
                 return a.value.is_equal(b.cast<const expr&>().value);
             })
        .def("__ne__",
             [](const expr& a, py::handle b) {
                 if (!py::isinstance<expr>(b))
                     return true;
                 return !a.value.is_equal(b.cast<const expr&>().value);
             })
        .def("__hash__", [](const expr& e) { return static_cast<std::size_t>(e.value.gethash()); })
        .def("__neg__", [](const expr& e) { return expr{-e.value}; })
        .def("__pos__", [](const expr& e) { return e; })
        .def("__add__",
             [](const expr& a, py::handle b) { return expr{binary(a.value, b, '+', 0)}; })
        .def("__radd__",
             [](const expr& a, py::handle b) { return expr{binary(a.value, b, '+', 1)}; })
        .def("__sub__",
             [](const expr& a, py::handle b) { return expr{binary(a.value, b, '-', 0)}; })
        .def("__rsub__",
             [](const expr& a, py::handle b) { return expr{binary(a.value, b, '-', 1)}; })
        .def("__mul__",
             [](const expr& a, py::handle b) { return expr{binary(a.value, b, '*', 0)}; })
        .def("__rmul__",
             [](const expr& a, py::handle b) { return expr{binary(a.value, b, '*', 1)}; })
        .def("__truediv__",
             [](const expr& a, py::handle b) { return expr{binary(a.value, b, '/', 0)}; })
        .def("__rtruediv__",
             [](const expr& a, py::handle b) { return expr{binary(a.value, b, '/', 1)}; })
        .def("__pow__",
             [](const expr& a, py::handle b) { return expr{binary(a.value, b, '^', 0)}; })
        .def("__rpow__",
             [](const expr& a, py::handle b) { return expr{binary(a.value, b, '^', 1)}; });

    m.def(
        "parse",
        [](const std::string& text, bool exact_decimals) {
            parse_options o;
            o.exact_decimals = exact_decimals;
            return expr{parse(text, o)};
        },
        py::arg("text"), py::arg("exact_decimals") = true,
        "Parse an expression in the command's syntax (decimals are exact: 0.1 is 1/10).");

    m.def(
        "symbol",
        [](const std::string& name) {
            if (!is_valid_symbol_name(name))
                throw invalid_input("symbol: '" + name +
                                    "' is not a name ([A-Za-z_][A-Za-z0-9_]*)");
            return expr{symbol_named(name)};
        },
        py::arg("name"), "The real symbol called name (the same object for the same name).");

    m.def(
        "diff",
        [](py::handle e, py::args vars, bool raw) -> py::object {
            const ex f = to_ex(e, "<expression>");
            std::vector<ex> wrt;
            if (vars.empty())
                wrt = free_symbols(f);
            for (auto v : vars)
                for (const auto& s : to_variables(v, f, "diff"))
                    wrt.push_back(s);
            std::vector<expr> out;
            for (const auto& v : wrt)
                out.push_back(expr{raw ? partial(f, v) : simplify(partial(f, v))});
            if (vars.size() == 1 && out.size() == 1)
                return py::cast(out[0]);
            return py::cast(out);
        },
        py::arg("expr"), py::kw_only(), py::arg("raw") = false,
        "d expr / d var, simplified (raw=True: as differentiated). One variable gives an Expr, "
        "several (or none: every variable) a list.");

    m.def(
        "grad",
        [](py::handle e, py::handle wrt, py::handle at, long digits, bool exact, bool in_double,
           bool raw) -> py::object {
            const ex f = to_ex(e, "<expression>");
            const auto vars = to_variables(wrt, f, "grad");
            if (at.is_none()) {
                std::vector<expr> out;
                for (const auto& v : vars)
                    out.push_back(expr{raw ? partial(f, v) : simplify(partial(f, v))});
                return py::cast(out);
            }
            const auto point = to_point(at, f, "grad: at");
            if (auto missing = unbound_names(f, point); !missing.empty())
                throw unbound_symbols("grad", missing);
            if (in_double) {
                py::array_t<double> out(static_cast<py::ssize_t>(vars.size()));
                for (std::size_t i = 0; i < vars.size(); ++i)
                    out.mutable_at(static_cast<py::ssize_t>(i)) = evaluate_as_compiled(
                        partial(f, vars[i]), point, "grad: d/d" + symbol_name(vars[i]));
                return py::object(std::move(out));
            }
            py::list out;
            for (const auto& v : vars)
                out.append(value_of(partial(f, v), point, digits, exact, false,
                                    "grad: d/d" + symbol_name(v)));
            return py::object(std::move(out));
        },
        py::arg("expr"), py::arg("wrt") = py::none(), py::kw_only(), py::arg("at") = py::none(),
        py::arg("digits") = 17, py::arg("exact") = false, py::arg("double") = false,
        py::arg("raw") = false,
        "The gradient: without at, the partials (simplified) as a list of Expr; with at, their "
        "values (digits significant digits, exact=True exact, double=True a NumPy array).");

    m.def(
        "simplify",
        [](py::handle e) {
            const ex f = to_ex(e, "<expression>");
            return expr{simplify(f)};
        },
        py::arg("expr"), "The cheapest equal form the simplifier finds.");

    m.def(
        "evaluate",
        [](py::handle e, py::handle at, long digits, bool exact, bool in_double) {
            const ex f = to_ex(e, "<expression>");
            const auto point = to_point(at, f, "evaluate: at");
            return value_of(f, point, digits, exact, in_double, "evaluate");
        },
        py::arg("expr"), py::arg("at") = py::none(), py::kw_only(), py::arg("digits") = 17,
        py::arg("exact") = false, py::arg("double") = false,
        "The value at a point: an Expr number correct to digits significant digits (exact where "
        "rational), exact=True the exact value, double=True a float (the compiled evaluators' "
        "stable forms).");

    py::class_<verify_result>(m, "CheckResult", "A verdict and its evidence (see check).")
        .def_property_readonly(
            "verdict", [](const verify_result& r) { return std::string(verdict_name(r.outcome)); })
        .def_property_readonly("proved",
                               [](const verify_result& r) { return r.outcome == verdict::proved; })
        .def_property_readonly("refuted",
                               [](const verify_result& r) { return r.outcome == verdict::refuted; })
        .def_readonly("method", &verify_result::method)
        .def_property_readonly("witness",
                               [](const verify_result& r) {
                                   // in natural order of the names (w2 before w10)
                                   std::vector<std::pair<std::string, ex>> items;
                                   for (const auto& [s, v] : r.witness)
                                       items.emplace_back(symbol_name(s), v);
                                   std::sort(items.begin(), items.end(),
                                             [](const auto& a, const auto& b) {
                                                 return natural_less(a.first, b.first);
                                             });
                                   py::dict d;
                                   for (const auto& [name, v] : items)
                                       d[py::str(name)] = expr{v};
                                   return d;
                               })
        .def_readonly("lhs_value", &verify_result::lhs_value)
        .def_readonly("rhs_value", &verify_result::rhs_value)
        .def_readonly("difference", &verify_result::difference)
        .def_readonly("exact_values", &verify_result::exact_values)
        .def_readonly("certified_bits", &verify_result::certified_bits)
        .def_readonly("sample_points", &verify_result::sample_points)
        .def_readonly("agreeing_points", &verify_result::agreeing_points)
        .def_readonly("agreement_digits", &verify_result::agreement_digits)
        .def_readonly("component", &verify_result::component)
        .def_readonly("component_name", &verify_result::component_name)
        .def_readonly("notes", &verify_result::notes)
        .def_readonly("milliseconds", &verify_result::milliseconds)
        .def_property_readonly("lhs", [](const verify_result& r) { return expr{r.lhs}; })
        .def_property_readonly("rhs", [](const verify_result& r) { return expr{r.rhs}; })
        .def(
            "json", [](const verify_result& r) { return format_json(r); },
            "The command's --json object, as a str.")
        .def("__str__", [](const verify_result& r) { return format_text(r); })
        .def("__repr__",
             [](const verify_result& r) {
                 return "<CheckResult " + std::string(verdict_name(r.outcome)) + ">";
             })
        .def("_repr_markdown_", [](const verify_result& r) {
            const std::string text = format_text(r);
            const auto end = text.find('\n');
            std::string md = "**" + text.substr(0, end) + "**\n";
            if (end != std::string::npos && end + 1 < text.size())
                md += "\n```text\n" + text.substr(end + 1) + "```\n";
            return md;
        });

    m.def(
        "check",
        [](py::handle lhs, py::handle rhs, std::size_t points, long digits,
           std::optional<std::uint64_t> seed, std::optional<double> timeout, bool exact) {
            std::pair<written_expression, written_expression> sides;
            if (rhs.is_none()) {
                if (!py::isinstance<py::str>(lhs))
                    throw invalid_input("check: give two sides, or one str 'LHS == RHS'");
                sides = parse_equation(lhs.cast<std::string>());
            } else {
                sides = {written_side(lhs, "<lhs>"), written_side(rhs, "<rhs>")};
            }
            if (points < 1 || points > 100000)
                throw invalid_input("check: points must be 1 to 100000, got " +
                                    std::to_string(points));
            if (digits < 5 || digits > 1000)
                throw invalid_input("check: digits must be 5 to 1000, got " +
                                    std::to_string(digits));
            verify_options o;
            o.sample_points = points;
            o.digits = digits;
            if (seed)
                o.seed = *seed;
            if (timeout) {
                if (!(*timeout >= 0.1 && *timeout <= 86400))
                    throw invalid_input("check: timeout must be 0.1 to 86400 seconds, got " +
                                        format_double(*timeout));
                o.timeout_seconds = *timeout;
            }
            o.exact = exact;
            return verify(sides.first, sides.second, o);
        },
        py::arg("lhs"), py::arg("rhs") = py::none(), py::kw_only(), py::arg("points") = 24,
        py::arg("digits") = 30, py::arg("seed") = py::none(), py::arg("timeout") = py::none(),
        py::arg("exact") = true,
        "Is lhs equal to rhs? proved, equal where both are defined, refuted (with a witness "
        "point) or probably equal. check('LHS == RHS') takes one equation.");

    m.def("known_functions", &known_functions, "Every function name the parser knows.");
}

} // namespace symgrad::python
