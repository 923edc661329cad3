// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// symgrad grad EXPR --wrt VARS --at POINT : the gradient vector at a point.
#include "commands.hpp"

#include "symgrad/compile/tape.hpp"
#include "symgrad/core/error.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/functions.hpp"
#include "symgrad/core/printers.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/program/gradient_program.hpp"
#include "symgrad/text/parser.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <ostream>

namespace symgrad::cli {

namespace {

struct grad_options {
    std::string expression;
    std::vector<std::string> wrt;
    value_options values;
    bool json = false;
};

/// A note on stderr for every switch point of a piecewise function (step, csgn, abs, relu) that
/// @p point lies on: the gradient is not defined there, and the printed value is the one the
/// conventions give (step(0) = 1/2, csgn(0) = 0).
void note_switch_points(const GiNaC::ex& e, const GiNaC::exmap& point, std::ostream& err) {
    GiNaC::exvector on;
    for (const auto& u : switch_arguments(e)) {
        const GiNaC::ex v = u.subs(point);
        if (GiNaC::is_exactly_a<GiNaC::numeric>(v) && v.is_zero())
            on.push_back(u);
    }
    std::sort(on.begin(), on.end(), structural_less());
    for (const auto& u : on)
        err << "note: the point is on the switch point " << to_text(u)
            << " = 0 of a piecewise function, where the gradient is not defined; the value "
               "shown uses step(0) = 1/2, csgn(0) = 0\n";
}

int run_grad(const grad_options& o, std::ostream& out, std::ostream& err) {
    const GiNaC::ex e = parse_argument(o.expression, "<expression>");
    const auto vars = parse_variables(o.wrt, e, "--wrt");
    const auto point = parse_at(o.values.at, e);
    // Name every missing value at once, before differentiating anything.
    if (auto missing = unbound_names(e, point); !missing.empty())
        throw unbound_symbols("grad", missing);
    note_switch_points(e, point, err);
    std::vector<printed_value> values;
    for (const auto& v : vars)
        values.push_back(value_text(partial(e, v), point, o.values, "grad: d/d" + symbol_name(v)));
    if (o.json) {
        nlohmann::json j;
        j["expression"] = to_text(e);
        j["gradient"] = nlohmann::json::array();
        for (std::size_t i = 0; i < vars.size(); ++i)
            j["gradient"].push_back({{"variable", symbol_name(vars[i])},
                                     {"value", values[i].text},
                                     {"exact", values[i].exact}});
        out << j.dump(2) << "\n";
        return ok;
    }
    for (std::size_t i = 0; i < values.size(); ++i)
        out << (i ? ", " : "") << values[i].text;
    out << "\n";
    return ok;
}

} // namespace

subcommand add_grad_command(CLI::App& app) {
    auto o = std::make_shared<grad_options>();
    auto* cmd = app.add_subcommand("grad", "the gradient of EXPR at a point");
    cmd->add_option("EXPR", o->expression, "the expression")->required();
    cmd->add_option("--wrt", o->wrt, "variables, e.g. w1,w2 (default: every variable of EXPR)");
    add_value_options(*cmd, o->values);
    cmd->add_flag("--json", o->json, "machine-readable output");
    return {cmd, [o](std::ostream& out, std::ostream& err) { return run_grad(*o, out, err); }};
}

} // namespace symgrad::cli
