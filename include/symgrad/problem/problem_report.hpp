// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file problem_report.hpp
/// How `symgrad run` shows a worked solution: each statement, then its results. Three forms:
/// aligned plain text for a terminal, Markdown with LaTeX maths ($$...$$) that renders on
/// common Markdown viewers, and a self-contained HTML page (html_report.hpp).

#include "symgrad/train/trainer.hpp"

#include <ginac/ginac.h>

#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace symgrad {

enum class report_format { text, markdown, html };

/// "text", "markdown" or "html"; invalid_input otherwise.
report_format parse_report_format(const std::string& name);

/// The results of a problem file as they are produced.
class problem_report {
public:
    virtual ~problem_report() = default;

    /// The file's title and description (its leading comment lines).
    virtual void begin_file(const std::string& file, const std::vector<std::string>& header) = 0;
    /// A statement about to be run (its source lines and line number).
    virtual void statement(std::size_t line, const std::string& text) = 0;
    /// A formula: "label = value" (the label as text and as LaTeX).
    virtual void formula(const std::string& label, const std::string& label_latex,
                         const GiNaC::ex& value) = 0;
    /// Several aligned "name = value" lines (a gradient, a point).
    virtual void values(const std::vector<std::pair<std::string, std::string>>& rows) = 0;
    /// A table (training epochs).
    virtual void table(const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows) = 0;
    /// Free text lines (a verdict and its evidence, a program).
    virtual void text(const std::string& lines) = 0;
    /// A training run: @p description says what ran (describe()), @p result holds the table's
    /// records and why it stopped. Default: through text(), the description, the start's loss
    /// and gradient norm when recorded, table_lines() and "stopped: MESSAGE".
    virtual void training(const std::string& description, const train_result& result,
                          const table_options& table);
    /// Whether this report wants the objective J at every record of a training table (to plot
    /// it), even where the train statement did not ask for it. Default: no.
    virtual bool wants_objective() const { return false; }
    /// The author's comment lines between statements (the explanation of a step, or of what
    /// the source got wrong), shown as prose. Default: not shown.
    virtual void note(const std::vector<std::string>& lines) { (void)lines; }
    /// An expectation's outcome.
    virtual void outcome(bool passed, const std::string& message) = 0;
    /// The summary at the end of a file.
    virtual void end_file(std::size_t expectations, std::size_t failures) = 0;
};

/// One line of prose as Markdown that shows it literally: the characters that would turn text
/// italic or bold, into code, a link, HTML or a table cell (* _ ` \ | < & and a ']' before
/// '(' '[' ':') escaped, and those that open a block (# > + -, "1." and "1)") where the line
/// starts. Trailing blanks (a hard line break) are dropped.
std::string markdown_escape(const std::string& line);

/// @p text as a Markdown code span, usable in a table cell (| escaped, fence longer than any
/// backtick run inside).
std::string markdown_code_span(const std::string& text);

/// A result in LaTeX: a matrix as a pmatrix, anything else through to_latex().
std::string value_latex(const GiNaC::ex& value);

/// A value as the reports print it ("1/2", "-0.25", "1.5e-07", "[1, 2]", "[[1, 2], [3, 4]]") in
/// LaTeX: numbers as numbers (a/b as a fraction, 1.5e-07 as 1.5 \cdot 10^{-7}), rows and
/// matrices as pmatrix, any other entry as \texttt.
std::string value_latex(const std::string& value);

/// F in a statement "show grad(F) at ...", trimmed: the function whose partials d/dw the
/// statement's rows are; "" for any other statement.
std::string gradient_function(const std::string& statement);

/// The verdict a verify text (format_text()) opens with: "proved", "refuted", "equal where both
/// are defined" or "probably equal"; "" for any other text.
std::string verdict_of(const std::string& text);

/// The cells of a table_lines() row: "epoch = 1, w1 = -0.2000" -> (epoch, 1), (w1, -0.2000).
std::vector<std::pair<std::string, std::string>> table_cells(const std::string& line);

/// A training's table as cells, row by row: the start (epoch 0) first, then table_lines()'s rows.
std::vector<std::vector<std::pair<std::string, std::string>>> training_rows(const train_result& r,
                                                                            const table_options& t);

/// A report writing to @p out in @p format.
std::unique_ptr<problem_report> make_report(report_format format, std::ostream& out);

} // namespace symgrad
