// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// symgrad diff EXPR VAR... : the partial derivatives, simplified (--raw: as differentiated), as
// text, LaTeX, Python or C.
#include "commands.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/functions.hpp"
#include "symgrad/core/printers.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/simplify/simplify.hpp"
#include "symgrad/text/parser.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <ostream>

namespace symgrad::cli {

namespace {

using GiNaC::ex;

struct diff_options {
    std::string expression;
    std::vector<std::string> variables;
    std::string format = "text";
    bool json = false;
    bool raw = false;
};

/// One form of a derivative in every output format, with its cost.
nlohmann::json forms_of(const ex& d) {
    return {{"text", to_text(d)},
            {"latex", to_latex(d)},
            {"python", to_python(d)},
            {"c", to_c(d)},
            {"cost", expression_cost(d)}};
}

std::string partial_name(const ex& v, output_format f) {
    return "d_d" + code_name(symbol_name(v), f);
}

void print_python(const std::vector<ex>& vars, const std::vector<ex>& partials, std::ostream& out) {
    out << "# from math import *\n";
    for (const auto& h : python_helpers(partials))
        out << "# " << h << "\n";
    for (std::size_t i = 0; i < vars.size(); ++i)
        out << partial_name(vars[i], output_format::python) << " = " << to_python(partials[i])
            << "\n";
}

void print_c(const ex& e, const std::vector<ex>& vars, const std::vector<ex>& partials,
             std::ostream& out) {
    // Each partial becomes a function of every variable of the expression, so the output
    // compiles as it is and can be called directly.
    std::string params;
    for (const auto& s : free_symbols(e))
        params += (params.empty() ? "" : ", ") + std::string("double ") +
                  code_name(symbol_name(s), output_format::c);
    if (params.empty())
        params = "void";
    out << "#include <math.h>\n";
    for (const auto& h : c_helpers(partials))
        out << h << "\n";
    out << c_renaming_comment(e);
    for (std::size_t i = 0; i < vars.size(); ++i)
        out << "double " << partial_name(vars[i], output_format::c) << "(" << params
            << ") { return " << to_c(partials[i]) << "; }\n";
}

/// "x = 0, w*x - y = 0": where the piecewise functions of @p e switch ("" when there are none),
/// in structural order so that the text is the same in every run.
std::string switch_points_text(const ex& e) {
    GiNaC::exvector points = switch_arguments(e);
    std::sort(points.begin(), points.end(), structural_less());
    std::string text;
    for (const auto& u : points)
        text += (text.empty() ? "" : ", ") + to_text(u) + " = 0";
    return text;
}

int run_diff(const diff_options& o, std::ostream& out) {
    const ex e = parse_argument(o.expression, "<expression>");
    const auto vars = parse_variables(o.variables, e, "<variable>");
    const output_format f = parse_output_format(o.format);
    // The derivatives as differentiated, and simplified (what is printed, unless --raw).
    std::vector<ex> raw_partials, simplified, partials;
    for (const auto& v : vars) {
        raw_partials.push_back(partial(e, v));
        simplified.push_back(o.raw && !o.json ? raw_partials.back()
                                              : simplify(raw_partials.back()));
        partials.push_back(o.raw ? raw_partials.back() : simplified.back());
    }
    if (o.json) {
        // The printed form at the top level of each entry, and both forms in full.
        nlohmann::json j;
        j["expression"] = to_text(e);
        j["switch_points"] = nlohmann::json::array();
        {
            GiNaC::exvector points = switch_arguments(e);
            std::sort(points.begin(), points.end(), structural_less());
            for (const auto& u : points)
                j["switch_points"].push_back(to_text(u) + " = 0");
        }
        j["derivatives"] = nlohmann::json::array();
        for (std::size_t i = 0; i < vars.size(); ++i)
            j["derivatives"].push_back({{"variable", symbol_name(vars[i])},
                                        {"text", to_text(partials[i])},
                                        {"latex", to_latex(partials[i])},
                                        {"python", to_python(partials[i])},
                                        {"c", to_c(partials[i])},
                                        {"simplified", !o.raw},
                                        {"raw_form", forms_of(raw_partials[i])},
                                        {"simplified_form", forms_of(simplified[i])}});
        out << j.dump(2) << "\n";
        return ok;
    }
    // Piecewise functions (step, csgn, abs, relu) are not differentiable where they switch:
    // the derivatives printed hold everywhere else, and the output says where that is.
    const std::string switches = switch_points_text(e);
    const std::string note = switches.empty() ? ""
                                              : "note: piecewise at " + switches +
                                                    ": the derivatives hold "
                                                    "everywhere else";
    switch (f) {
    case output_format::text:
        for (std::size_t i = 0; i < vars.size(); ++i)
            out << "d/d" << symbol_name(vars[i]) << " = " << to_text(partials[i]) << "\n";
        if (!note.empty())
            out << note << "\n";
        break;
    case output_format::latex:
        for (std::size_t i = 0; i < vars.size(); ++i)
            out << "\\frac{\\partial}{\\partial " << to_latex(vars[i]) << "}\\left(" << to_latex(e)
                << "\\right) = " << to_latex(partials[i]) << "\n";
        if (!note.empty())
            out << "% " << note << "\n";
        break;
    case output_format::python:
        // "## ": the helper lines below are "# " comments meant to be uncommented; this stays one.
        if (!note.empty())
            out << "## " << note << "\n";
        print_python(vars, partials, out);
        break;
    case output_format::c:
        if (!note.empty())
            out << "/* " << note << " */\n";
        print_c(e, vars, partials, out);
        break;
    }
    return ok;
}

} // namespace

subcommand add_diff_command(CLI::App& app) {
    auto o = std::make_shared<diff_options>();
    auto* cmd = app.add_subcommand("diff", "print the partial derivatives of EXPR, simplified");
    cmd->add_option("EXPR", o->expression, "the expression, e.g. 'sigmoid(w*x)'")->required();
    cmd->add_option("VAR", o->variables,
                    "variables to differentiate by (default: every variable of EXPR)");
    cmd->add_option("--format", o->format, "text (default), latex, python or c")
        ->check(CLI::IsMember({"text", "latex", "python", "c"}));
    cmd->add_flag("--json", o->json,
                  "machine-readable output (with both the raw and the simplified derivative)");
    cmd->add_flag("--raw", o->raw, "print the derivatives as differentiated, not simplified");
    return {cmd, [o](std::ostream& out, std::ostream&) { return run_diff(*o, out); }};
}

} // namespace symgrad::cli
