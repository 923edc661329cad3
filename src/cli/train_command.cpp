// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// symgrad train FILE METHOD [OPTIONS]... : run a problem file's declarations, data and
// definitions, then train with the method and options given on the command line (the words
// of a problem file's train statement, e.g. `symgrad train seed000.sg gd rate 0.1 epochs 5`).
#include "commands.hpp"

#include "symgrad/compile/tape.hpp"
#include "symgrad/core/error.hpp"
#include "symgrad/core/input_file.hpp"
#include "symgrad/core/output_file.hpp"
#include "symgrad/core/printers.hpp"
#include "symgrad/problem/html_report.hpp"
#include "symgrad/problem/problem.hpp"
#include "symgrad/problem/problem_report.hpp"
#include "symgrad/problem/problem_source.hpp"
#include "symgrad/problem/svg_plot.hpp"
#include "symgrad/train/dataset.hpp"
#include "symgrad/train/model.hpp"
#include "symgrad/train/optimizer.hpp"
#include "symgrad/train/trainer.hpp"

#include <CLI/CLI.hpp>

#include <ostream>

namespace symgrad::cli {

namespace {

struct train_command_options {
    std::string file;
    std::vector<std::string> words;
    std::string format = "text";
    std::string plot;
    long digits = 17;
    file_options paths;
};

/// Passes on only the output of the statements from the @p first one on (the train statement),
/// so that the declarations and definitions run silently.
class tail_report : public problem_report {
public:
    tail_report(problem_report& inner, std::size_t first, bool plot, bool close_page)
        : inner_(inner), first_(first), plot_(plot), close_page_(close_page) {}

    void begin_file(const std::string& file, const std::vector<std::string>& header) override {
        inner_.begin_file(file, header);
    }
    void statement(std::size_t line, const std::string& text) override {
        if (++seen_ >= first_)
            inner_.statement(line, text);
    }
    void formula(const std::string& label, const std::string& latex,
                 const GiNaC::ex& value) override {
        if (seen_ >= first_)
            inner_.formula(label, latex, value);
    }
    void values(const std::vector<std::pair<std::string, std::string>>& rows) override {
        if (seen_ >= first_)
            inner_.values(rows);
    }
    void table(const std::vector<std::string>& header,
               const std::vector<std::vector<std::string>>& rows) override {
        if (seen_ >= first_)
            inner_.table(header, rows);
    }
    void text(const std::string& lines) override {
        if (seen_ >= first_)
            inner_.text(lines);
    }
    void training(const std::string& description, const train_result& r,
                  const table_options& t) override {
        if (seen_ < first_)
            return;
        inner_.training(description, r, t);
        plot_svg_ = training_plot_svg(r, t);
    }
    bool wants_objective() const override { return plot_ || inner_.wants_objective(); }
    void outcome(bool passed, const std::string& message) override {
        if (seen_ >= first_)
            inner_.outcome(passed, message);
    }
    void end_file(std::size_t expectations, std::size_t failures) override {
        if (close_page_) // an HTML page ends with its scripts
            inner_.end_file(expectations, failures);
    }

    /// The plot of the command's training, as an SVG file ("" before it ran).
    const std::string& plot_svg() const { return plot_svg_; }

private:
    problem_report& inner_;
    std::size_t first_;
    std::size_t seen_ = 0;
    bool plot_;
    bool close_page_;
    std::string plot_svg_;
};

/// A word for the statement line: quoted when it has white space or quotes in it.
std::string word_text(const std::string& w) {
    std::string t = w;
    const auto b = t.find_first_not_of(' '); // run() protects "-x" with a leading space
    t = b == std::string::npos ? "" : t.substr(b);
    if (t.find_first_of(" \t") != std::string::npos || t.empty())
        return "\"" + t + "\"";
    return t;
}

int train_file(const train_command_options& o, std::ostream& out, std::ostream& err) {
    problem_options po;
    po.format = parse_report_format(o.format);
    po.digits = o.digits;
    po.progress = true;
    po.paths = o.paths.policy();
    if (!o.plot.empty()) {
        if (o.plot.size() < 4 || o.plot.compare(o.plot.size() - 4, 4, ".svg") != 0)
            throw invalid_input("--plot: '" + o.plot +
                                "' does not end in .svg (the plot is written as SVG only; a "
                                "browser shows it and converts it)");
        check_output_path(o.plot, "--plot", {o.file});
    }
    const problem_source file = read_problem_file(o.file, o.paths.problem_limit());
    problem_source src;
    src.file = file.file;
    src.header_comments = file.header_comments;
    for (const auto& s : file.statements) {
        const std::string kw = s.keyword();
        if (kw == "show" || kw == "check" || kw == "expect" || kw == "train")
            continue;
        src.statements.push_back(s);
    }
    std::string line = "train";
    for (const auto& w : o.words)
        line += " " + word_text(w);
    src.statements.push_back(statement_source{"command line", {source_line{1, line, ""}}, {}});
    auto report = make_report(po.format, out);
    tail_report tail(*report, src.statements.size(), !o.plot.empty(),
                     po.format == report_format::html);
    int status = ok;
    std::vector<std::string> inputs{o.file};
    try {
        inputs = run_problem(src, tail, po).files_read;
    } catch (const training_failed& e) {
        err << "symgrad: error: " << e.what() << "\n";
        status = failed;
    }
    // The plot also when training stopped on a failure: it shows where it went wrong.
    if (!o.plot.empty() && !tail.plot_svg().empty())
        write_file_atomically(o.plot, tail.plot_svg(), "--plot", output_rules{inputs, {}});
    return status;
}

} // namespace

subcommand add_train_command(CLI::App& app) {
    auto o = std::make_shared<train_command_options>();
    auto* cmd = app.add_subcommand(
        "train", "train a problem file's model: symgrad train FILE METHOD [OPTIONS]... "
                 "(e.g. gd rate 0.1 epochs 5; see the train section of problems/README.md)");
    cmd->add_option("FILE", o->file, "problem file with weights, data and a loss")->required();
    cmd->add_option("METHOD", o->words,
                    "the method and its options, as in a train statement: gd, sgd, momentum, "
                    "nesterov, adagrad, rmsprop, adam, fletcher-reeves, polak-ribiere, newton; "
                    "rate R, epochs N, batch N, shuffle SEED, loss, gradnorm, exact, "
                    "log FILE.csv, ...");
    cmd->add_option("--format", o->format, "text (default), markdown or html")
        ->check(CLI::IsMember({"text", "markdown", "html"}));
    cmd->add_option("--plot", o->plot,
                    "write the objective and each weight per epoch to this SVG file (the table "
                    "then has the objective too)");
    cmd->add_option("--digits", o->digits, "significant digits of the final weights (default 17)")
        ->check(CLI::Range(1L, 1000L));
    add_file_options(*cmd, o->paths);
    return {cmd, [o](std::ostream& out, std::ostream& err) { return train_file(*o, out, err); }};
}

} // namespace symgrad::cli
