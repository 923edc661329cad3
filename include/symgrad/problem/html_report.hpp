// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file html_report.hpp
/// A worked solution as one self-contained HTML page (`symgrad run FILE --format html`): each
/// statement a section with its source line and number, results typeset by KaTeX (matrices as
/// pmatrix, scrolling sideways when wide), verdicts as coloured badges with their evidence
/// folded under them, training tables with SVG plots of the objective and of each weight per
/// epoch (svg_plot.hpp), and the file's comments as prose (text between $...$ in a comment is
/// typeset as maths).
///
/// The page needs no network: KaTeX's script and style sheet are read from Debian's
/// libjs-katex (katex_directory()) when the page is written and inlined into it, its woff2
/// fonts as data: URLs. Without them the page still works: the maths shows as its LaTeX
/// source, and the page says why. The bytes depend only on the input and the KaTeX files.

#include "symgrad/problem/problem_report.hpp"

#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace symgrad {

/// KaTeX's files, ready to inline: the script, and the style sheet with its fonts as data: URLs
/// (woff2 only, which every current browser reads). Empty when the files were not found;
/// @c missing then says what was looked for.
struct katex_assets {
    std::string script;
    std::string style;
    std::string missing;
};

/// Where KaTeX is read from: $SYMGRAD_KATEX_DIR when set, else the directory configured at
/// build time (SYMGRAD_KATEX_DIR in CMake, default /usr/share/javascript/katex).
std::string katex_directory();

/// KaTeX's files from @p directory (katex.min.js, katex.min.css, fonts/).
katex_assets load_katex(const std::string& directory);

/// @p bytes in base64 (RFC 4648, with padding).
std::string base64(const std::string& bytes);

/// The plots of a training run as SVG elements: the objective J per epoch when the records
/// have it, then every weight per epoch (per step when the table records steps), the start
/// (epoch 0) included.
std::vector<std::string> training_plots(const train_result& r, const table_options& t);

/// The same as one standalone SVG file (`symgrad train ... --plot F.svg`): the plots stacked.
std::string training_plot_svg(const train_result& r, const table_options& t);

/// A report writing one HTML page to @p out (KaTeX from katex_directory(), read once per
/// process).
std::unique_ptr<problem_report> make_html_report(std::ostream& out);

/// The same with the KaTeX files given (tests; an empty katex_assets gives the page without).
std::unique_ptr<problem_report> make_html_report(std::ostream& out, const katex_assets& katex);

} // namespace symgrad
