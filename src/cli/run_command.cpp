// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// symgrad run FILE... : problem files as worked solutions.
#include "commands.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/input_file.hpp"
#include "symgrad/core/output_file.hpp"
#include "symgrad/problem/problem.hpp"
#include "symgrad/problem/problem_report.hpp"
#include "symgrad/problem/problem_source.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>
#include <unistd.h>

namespace symgrad::cli {

namespace {

struct run_options {
    std::vector<std::string> files;
    std::string format = "text";
    std::string output;
    long digits = 17;
    file_options paths;
};

int run_files(const run_options& o, std::ostream& out, std::ostream& err) {
    problem_options po;
    po.format = parse_report_format(o.format);
    po.digits = o.digits;
    po.paths = o.paths.policy();
    // Refused before any work: --output onto a link, a device or one of the problem files.
    if (!o.output.empty())
        check_output_path(o.output, "--output", o.files);
    if (po.format == report_format::html && o.files.size() > 1)
        throw invalid_input("run: --format html writes one page: give one FILE, not " +
                            std::to_string(o.files.size()));
    std::ostringstream buffer;
    std::ostream& sink = o.output.empty() ? out : buffer;
    std::vector<std::string> failures, inputs;
    std::size_t expectations = 0;
    for (const auto& file : o.files) {
        const problem_source src = read_problem_file(file, o.paths.problem_limit());
        auto report = make_report(po.format, sink);
        const problem_outcome r = run_problem(src, *report, po);
        expectations += r.expectations;
        failures.insert(failures.end(), r.failures.begin(), r.failures.end());
        inputs.insert(inputs.end(), r.files_read.begin(), r.files_read.end());
    }
    if (!o.output.empty())
        write_file_atomically(o.output, buffer.str(), "--output", output_rules{inputs, {}});
    for (const auto& f : failures)
        err << "symgrad: expectation failed: " << f << "\n";
    if (o.files.size() > 1)
        out << "total: " << expectations << " expectations, " << failures.size() << " failed\n";
    return failures.empty() ? ok : failed;
}

} // namespace

subcommand add_run_command(CLI::App& app) {
    auto o = std::make_shared<run_options>();
    auto* cmd = app.add_subcommand("run", "run problem files as worked solutions");
    cmd->add_option("FILE", o->files, "problem files (see problems/README.md)")->required();
    cmd->add_option("--format", o->format,
                    "text (default), markdown, or html (one self-contained page per FILE)")
        ->check(CLI::IsMember({"text", "markdown", "html"}));
    cmd->add_option("--output,-o", o->output, "write the solution to this file");
    cmd->add_option("--digits", o->digits, "significant digits of inexact values (default 17)")
        ->check(CLI::Range(1L, 1000L));
    add_file_options(*cmd, o->paths);
    return {cmd, [o](std::ostream& out, std::ostream& err) { return run_files(*o, out, err); }};
}

} // namespace symgrad::cli
