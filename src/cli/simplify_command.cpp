// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// symgrad simplify EXPR : the cheapest form of EXPR the simplifier finds (sigmoid, softmax,
// softplus, logsumexp recognised), as text, LaTeX, Python or C.
#include "commands.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/printers.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/simplify/simplify.hpp"
#include "symgrad/text/parser.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <ostream>

namespace symgrad::cli {

namespace {

using GiNaC::ex;

struct simplify_command_options {
    std::string expression;
    std::string format = "text";
    bool json = false;
};

/// "double w, double x" for the symbols of @p e ("void" when there are none).
std::string c_parameters(const ex& e) {
    std::string params;
    for (const auto& s : free_symbols(e))
        params += (params.empty() ? "" : ", ") + std::string("double ") +
                  code_name(symbol_name(s), output_format::c);
    return params.empty() ? "void" : params;
}

int run_simplify(const simplify_command_options& o, std::ostream& out) {
    const ex e = parse_argument(o.expression, "<expression>");
    const output_format f = parse_output_format(o.format);
    const ex s = simplify(e);
    if (o.json) {
        nlohmann::json j;
        j["expression"] = to_text(e);
        j["simplified"] = {
            {"text", to_text(s)}, {"latex", to_latex(s)}, {"python", to_python(s)}, {"c", to_c(s)}};
        j["cost"] = {{"input", expression_cost(e)}, {"output", expression_cost(s)}};
        out << j.dump(2) << "\n";
        return ok;
    }
    switch (f) {
    case output_format::text:
        out << to_text(s) << "\n";
        break;
    case output_format::latex:
        out << to_latex(s) << "\n";
        break;
    case output_format::python:
        // Runs after `from math import *` and the helper lines (printed as comments).
        out << "# from math import *\n";
        for (const auto& h : python_helpers({s}))
            out << "# " << h << "\n";
        out << "simplified = " << to_python(s) << "\n";
        break;
    case output_format::c:
        // A function of every symbol of the input, so that it compiles as it is.
        out << "#include <math.h>\n";
        for (const auto& h : c_helpers({s}))
            out << h << "\n";
        out << c_renaming_comment(e);
        out << "double simplified(" << c_parameters(e) << ") { return " << to_c(s) << "; }\n";
        break;
    }
    return ok;
}

} // namespace

subcommand add_simplify_command(CLI::App& app) {
    auto o = std::make_shared<simplify_command_options>();
    auto* cmd = app.add_subcommand(
        "simplify", "print the simplest form of EXPR found (never bigger than EXPR)");
    cmd->add_option("EXPR", o->expression, "the expression, e.g. 'exp(-z)/(1 + exp(-z))^2'")
        ->required();
    cmd->add_option("--format", o->format, "text (default), latex, python or c")
        ->check(CLI::IsMember({"text", "latex", "python", "c"}));
    cmd->add_flag("--json", o->json,
                  "machine-readable output: the simplified form in every format and the costs");
    return {cmd, [o](std::ostream& out, std::ostream&) { return run_simplify(*o, out); }};
}

} // namespace symgrad::cli
