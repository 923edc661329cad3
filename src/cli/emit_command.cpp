// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// symgrad emit c LOSS --wrt W... [--inputs X...] [--labels Y...] : standalone C computing the
// loss and its gradient, one sample at a time and summed over samples (see c_emitter.hpp).
#include "commands.hpp"

#include "symgrad/compile/batch_evaluator.hpp"
#include "symgrad/compile/c_emitter.hpp"
#include "symgrad/compile/tape.hpp"
#include "symgrad/core/error.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/program/gradient_program.hpp"
#include "symgrad/text/parser.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <ostream>

namespace symgrad::cli {

namespace {

struct emit_options {
    std::string format = "c";
    std::string expression;
    std::vector<std::string> wrt, inputs, labels;
    std::string name = "symgrad";
    std::size_t block = 64;
    bool loss_only = false;
    bool listing = false;
};

int run_emit(const emit_options& o, std::ostream& out) {
    const GiNaC::ex loss = parse_argument(o.expression, "<loss>");
    program_options po;
    // Data symbols are named explicitly; an empty list for both lets the program take every
    // symbol that is not a weight as an input.
    if (!o.inputs.empty())
        po.inputs = parse_variables(o.inputs, loss, "--inputs");
    if (!o.labels.empty())
        po.labels = parse_variables(o.labels, loss, "--labels");
    std::vector<GiNaC::ex> weights;
    if (o.wrt.empty()) {
        for (const auto& s : free_symbols(loss)) {
            const bool data = std::find(po.inputs.begin(), po.inputs.end(), s) != po.inputs.end() ||
                              std::find(po.labels.begin(), po.labels.end(), s) != po.labels.end();
            if (!data)
                weights.push_back(s);
        }
    } else {
        weights = parse_variables(o.wrt, loss, "--wrt");
    }
    const gradient_program program(loss, weights, po);
    const tape t = compile_tape(program, o.loss_only ? program_outputs::loss
                                                     : program_outputs::loss_and_gradient);
    if (o.listing) {
        out << t.listing();
        return ok;
    }
    c_options co;
    co.prefix = o.name;
    co.block = o.block;
    out << emit_c(t, co);
    return ok;
}

} // namespace

subcommand add_emit_command(CLI::App& app) {
    auto o = std::make_shared<emit_options>();
    auto* cmd = app.add_subcommand(
        "emit", "print standalone C for a loss and its gradient (or the compiled tape)");
    cmd->add_option("FORMAT", o->format, "c (C99 source) or tape (the instruction listing)")
        ->required()
        ->check(CLI::IsMember({"c", "tape"}));
    cmd->add_option("LOSS", o->expression, "the per-sample loss, e.g. 'logloss(sigmoid(w*x), y)'")
        ->required();
    cmd->add_option("--wrt", o->wrt,
                    "weights, e.g. w1,w2 (default: every symbol that is not an input or label)");
    cmd->add_option("--inputs", o->inputs, "per-sample inputs, e.g. x1,x2");
    cmd->add_option("--labels", o->labels, "per-sample labels, e.g. y");
    cmd->add_option("--name", o->name, "prefix of the C functions (default symgrad)");
    cmd->add_option("--block", o->block, "samples per block in the summing function (default 64)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 16));
    cmd->add_flag("--loss-only", o->loss_only, "the loss without its gradient");
    return {cmd, [o](std::ostream& out, std::ostream&) {
                emit_options run = *o;
                run.listing = run.format == "tape";
                return run_emit(run, out);
            }};
}

} // namespace symgrad::cli
