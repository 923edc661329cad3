// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "commands.hpp"

#include "symgrad/symgrad.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <iostream>
#include <sstream>

namespace symgrad::cli {

namespace {

using GiNaC::ex;
using json = nlohmann::json;

struct common_options {
    bool json = false;
};

/// Parse a command-line expression, naming the argument in errors.
ex parse_argument(const std::string& text, const std::string& source) {
    parse_options o;
    o.source = source;
    return parse(text, o);
}

ex variable_named(const std::string& text, const std::string& where) {
    const ex v = parse_argument(text, where);
    if (!GiNaC::is_a<GiNaC::symbol>(v))
        throw invalid_input(where + ": '" + text +
                            "' is not a variable; differentiate with "
                            "respect to a name such as w1");
    return v;
}

std::vector<ex> variables(const std::vector<std::string>& names, const ex& e,
                          const std::string& where) {
    std::vector<ex> out;
    for (const auto& n : names) {
        // Accept "w1,w2" as well as separate arguments.
        std::stringstream ss(n);
        std::string item;
        while (std::getline(ss, item, ',')) {
            const auto b = item.find_first_not_of(" \t");
            if (b == std::string::npos)
                continue;
            const auto last = item.find_last_not_of(" \t");
            out.push_back(variable_named(item.substr(b, last - b + 1), where));
        }
    }
    if (out.empty())
        for (const auto& s : free_symbols(e))
            out.push_back(s);
    return out;
}

std::string partial_name(const ex& v, output_format f) {
    return "d_d" + code_name(symbol_name(v), f);
}

/// d e / d v for a variable held in an ex.
ex partial(const ex& e, const ex& v) {
    return e.diff(GiNaC::ex_to<GiNaC::symbol>(v));
}

// ---- diff -----------------------------------------------------------------------------------

struct diff_options {
    std::string expression;
    std::vector<std::string> variables;
    std::string format = "text";
};

int run_diff(const diff_options& o, const common_options& c, std::ostream& out) {
    const ex e = parse_argument(o.expression, "<expression>");
    const auto vars = variables(o.variables, e, "<variable>");
    const output_format f = parse_output_format(o.format);
    std::vector<ex> partials;
    for (const auto& v : vars)
        partials.push_back(partial(e, v));
    if (c.json) {
        json j;
        j["expression"] = to_text(e);
        j["derivatives"] = json::array();
        for (std::size_t i = 0; i < vars.size(); ++i)
            j["derivatives"].push_back({{"variable", symbol_name(vars[i])},
                                        {"text", to_text(partials[i])},
                                        {"latex", to_latex(partials[i])},
                                        {"python", to_python(partials[i])},
                                        {"c", to_c(partials[i])}});
        out << j.dump(2) << "\n";
        return ok;
    }
    switch (f) {
    case output_format::text:
        for (std::size_t i = 0; i < vars.size(); ++i)
            out << "d/d" << symbol_name(vars[i]) << " = " << to_text(partials[i]) << "\n";
        break;
    case output_format::latex:
        for (std::size_t i = 0; i < vars.size(); ++i)
            out << "\\frac{\\partial}{\\partial " << to_latex(vars[i])
                << "} = " << to_latex(partials[i]) << "\n";
        break;
    case output_format::python:
        out << "# from math import *\n";
        for (const auto& h : python_helpers(partials))
            out << "# " << h << "\n";
        for (std::size_t i = 0; i < vars.size(); ++i)
            out << partial_name(vars[i], f) << " = " << to_python(partials[i]) << "\n";
        break;
    case output_format::c: {
        // Each partial is a function of every variable of the expression, so the output
        // compiles as it is and can be called directly.
        std::string params;
        for (const auto& s : free_symbols(e))
            params += (params.empty() ? "" : ", ") + std::string("double ") +
                      code_name(symbol_name(s), f);
        if (params.empty())
            params = "void";
        out << "#include <math.h>\n";
        for (const auto& h : c_helpers(partials))
            out << h << "\n";
        for (std::size_t i = 0; i < vars.size(); ++i)
            out << "double " << partial_name(vars[i], f) << "(" << params << ") { return "
                << to_c(partials[i]) << "; }\n";
        break;
    }
    }
    return ok;
}

// ---- eval and grad --------------------------------------------------------------------------

struct value_options {
    std::string at;
    long digits = 17;
    bool in_double = false;
};

GiNaC::exmap point_from(const value_options& v) {
    parse_options o;
    o.source = "--at";
    return parse_point(v.at, o);
}

/// One value, as text, with whether it is exact.
std::pair<std::string, bool> value_text(const ex& e, const GiNaC::exmap& point,
                                        const value_options& v, const std::string& where) {
    if (v.in_double) {
        const double d = evaluate_double(e, to_double_point(point), where);
        return {format_double(d, static_cast<int>(std::min<long>(v.digits, 17))), false};
    }
    const GiNaC::numeric n = evaluate_numeric(e, point, v.digits, where);
    return {format_number(n, v.digits), n.is_rational()};
}

int run_eval(const std::string& expression, const value_options& v, const common_options& c,
             std::ostream& out) {
    const ex e = parse_argument(expression, "<expression>");
    const auto point = point_from(v);
    const auto [text, exact] = value_text(e, point, v, "eval");
    if (c.json) {
        out << json{{"expression", to_text(e)}, {"value", text}, {"exact", exact}}.dump(2) << "\n";
        return ok;
    }
    out << text << "\n";
    return ok;
}

int run_grad(const std::string& expression, const std::vector<std::string>& wrt,
             const value_options& v, const common_options& c, std::ostream& out) {
    const ex e = parse_argument(expression, "<expression>");
    const auto vars = variables(wrt, e, "--wrt");
    const auto point = point_from(v);
    if (auto missing = unbound_names(e, point); !missing.empty())
        throw unbound_symbols("grad", missing);
    std::vector<std::pair<std::string, bool>> values;
    for (const auto& var : vars)
        values.push_back(value_text(partial(e, var), point, v, "grad: d/d" + symbol_name(var)));
    if (c.json) {
        json j;
        j["expression"] = to_text(e);
        j["gradient"] = json::array();
        for (std::size_t i = 0; i < vars.size(); ++i)
            j["gradient"].push_back({{"variable", symbol_name(vars[i])},
                                     {"value", values[i].first},
                                     {"exact", values[i].second}});
        out << j.dump(2) << "\n";
        return ok;
    }
    for (std::size_t i = 0; i < values.size(); ++i)
        out << (i ? ", " : "") << values[i].first;
    out << "\n";
    return ok;
}

void add_value_options(CLI::App* cmd, value_options& v) {
    cmd->add_option("--at", v.at, "the point, e.g. 'w1=0, w2=1/2' (decimals are exact)");
    cmd->add_option("--digits", v.digits, "significant digits of inexact values")
        ->check(CLI::Range(1L, 100000L));
    cmd->add_flag("--double", v.in_double, "evaluate in IEEE double instead of exactly");
}

} // namespace

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    CLI::App app{"symgrad: symbolic gradients for machine-learning losses"};
    app.set_version_flag("--version", std::string("symgrad ") + symgrad::version);
    app.require_subcommand(1);
    common_options common;

    diff_options d;
    auto* diff = app.add_subcommand("diff", "print partial derivatives of EXPR");
    diff->add_option("EXPR", d.expression, "the expression, e.g. 'sigmoid(w*x)'")->required();
    diff->add_option("VAR", d.variables,
                     "variables to differentiate by (default: every variable of EXPR)");
    diff->add_option("--format", d.format, "text, latex, python or c")
        ->check(CLI::IsMember({"text", "latex", "python", "c"}));
    diff->add_flag("--json", common.json, "machine-readable output");

    std::string eval_expression;
    value_options ev;
    auto* eval = app.add_subcommand("eval", "the value of EXPR at a point");
    eval->add_option("EXPR", eval_expression, "the expression")->required();
    add_value_options(eval, ev);
    eval->add_flag("--json", common.json, "machine-readable output");

    std::string grad_expression;
    std::vector<std::string> wrt;
    value_options gv;
    auto* grad = app.add_subcommand("grad", "the gradient of EXPR at a point");
    grad->add_option("EXPR", grad_expression, "the expression")->required();
    grad->add_option("--wrt", wrt, "variables, e.g. w1,w2 (default: every variable of EXPR)")
        ->delimiter(',');
    add_value_options(grad, gv);
    grad->add_flag("--json", common.json, "machine-readable output");

    std::vector<const char*> argv;
    for (const auto& a : args)
        argv.push_back(a.c_str());
    try {
        app.parse(static_cast<int>(argv.size()), argv.data());
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e, out, err);
        return rc == 0 ? ok : bad_input;
    }
    try {
        if (*diff)
            return run_diff(d, common, out);
        if (*eval)
            return run_eval(eval_expression, ev, common, out);
        if (*grad)
            return run_grad(grad_expression, wrt, gv, common, out);
    } catch (const error& e) {
        err << "symgrad: error: " << e.what() << "\n";
        return bad_input;
    } catch (const std::bad_alloc&) {
        err << "symgrad: error: out of memory\n";
        return bad_input;
    } catch (const std::exception& e) {
        err << "symgrad: error: " << e.what() << "\n";
        return bad_input;
    }
    return bad_input;
}

} // namespace symgrad::cli
