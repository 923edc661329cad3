// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// symgrad eval EXPR --at POINT : the value, exact where rational.
#include "commands.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/printers.hpp"
#include "symgrad/text/parser.hpp"
#include "symgrad/text/tensor_expression.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <ostream>

namespace symgrad::cli {

namespace {

struct eval_options {
    std::string expression;
    value_options values;
    bool json = false;
};

int run_eval(const eval_options& o, std::ostream& out) {
    const GiNaC::ex e = parse_argument(o.expression, "<expression>");
    const auto point = parse_at(o.values.at, e);
    // A vector or matrix ([a, b], softmax([z0, z1])) prints entry by entry, in its shape.
    printed_value v{"", true};
    if (is_tensor(e)) {
        const auto& m = GiNaC::ex_to<GiNaC::matrix>(e);
        std::string rows;
        for (unsigned i = 0; i < m.rows(); ++i) {
            std::string row;
            for (unsigned j = 0; j < m.cols(); ++j) {
                const printed_value entry = value_text(m(i, j), point, o.values, "eval");
                row += (j ? ", " : "") + entry.text;
                v.exact = v.exact && entry.exact;
            }
            rows += (i ? ", [" : "[") + row + "]";
        }
        v.text = m.rows() == 1 ? rows : "[" + rows + "]";
    } else {
        v = value_text(e, point, o.values, "eval");
    }
    if (o.json) {
        out << nlohmann::json{{"expression", to_text(e)}, {"value", v.text}, {"exact", v.exact}}
                   .dump(2)
            << "\n";
        return ok;
    }
    out << v.text << "\n";
    return ok;
}

} // namespace

subcommand add_eval_command(CLI::App& app) {
    auto o = std::make_shared<eval_options>();
    auto* cmd = app.add_subcommand("eval", "the value of EXPR at a point");
    cmd->add_option("EXPR", o->expression, "the expression")->required();
    add_value_options(*cmd, o->values);
    cmd->add_flag("--json", o->json, "machine-readable output");
    return {cmd, [o](std::ostream& out, std::ostream&) { return run_eval(*o, out); }};
}

} // namespace symgrad::cli
