// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
//
// The HTML worked solutions of every file in problems/ (issue 17's target: under 5 s for the
// folder), against the plain-text solutions of the same files measured in the same run: the
// difference is what the page costs (KaTeX inlined, tables, SVG plots, the objective recorded
// at every epoch for the plot). Each file runs text, html, text, html in one process and the
// best of each is kept, so caches (the native code cache, GiNaC's) are warm for both.
// Usage: symgrad_html_report_bench [--json]
#include "symgrad/problem.hpp"
#include "symgrad/problem_report.hpp"
#include "symgrad/problem_source.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

struct timing {
    double seconds = 1e300;
    std::size_t bytes = 0;
};

void run_once(const symgrad::problem_source& src, symgrad::report_format format, timing& t) {
    std::ostringstream out;
    symgrad::problem_options o;
    o.format = format;
    const auto t0 = clock_type::now();
    auto report = symgrad::make_report(format, out);
    symgrad::run_problem(src, *report, o);
    const std::string page = out.str();
    const double s = std::chrono::duration<double>(clock_type::now() - t0).count();
    t.seconds = std::min(t.seconds, s);
    t.bytes = page.size();
}

} // namespace

int main(int argc, char** argv) {
    const bool json = argc > 1 && std::strcmp(argv[1], "--json") == 0;
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(SYMGRAD_SOURCE_DIR "/problems"))
        if (e.path().extension() == ".txt")
            files.push_back(e.path());
    std::sort(files.begin(), files.end());

    double text_total = 0, html_total = 0;
    std::size_t html_bytes = 0;
    if (!json)
        fmt::print("{:<52} {:>9} {:>9} {:>9}\n", "problem", "text ms", "html ms", "page KiB");
    for (const auto& f : files) {
        const auto src = symgrad::read_problem_file(f.string());
        timing text, html;
        for (int k = 0; k < 2; ++k) {
            run_once(src, symgrad::report_format::text, text);
            run_once(src, symgrad::report_format::html, html);
        }
        text_total += text.seconds;
        html_total += html.seconds;
        html_bytes += html.bytes;
        if (json)
            fmt::print("{}\n", nlohmann::json{{"benchmark", "html_report"},
                                              {"problem", f.filename().string()},
                                              {"text_ms", text.seconds * 1e3},
                                              {"html_ms", html.seconds * 1e3},
                                              {"page_bytes", html.bytes}}
                                   .dump());
        else
            fmt::print("{:<52} {:>9.1f} {:>9.1f} {:>9.0f}\n", f.filename().string(),
                       text.seconds * 1e3, html.seconds * 1e3, html.bytes / 1024.0);
    }
    if (json) {
        fmt::print("{}\n", nlohmann::json{{"benchmark", "html_report"},
                                          {"problems", files.size()},
                                          {"text_total_s", text_total},
                                          {"html_total_s", html_total},
                                          {"html_bytes", html_bytes}}
                               .dump());
        return 0;
    }
    fmt::print("\n{} problems: html {:.2f} s in all (target 5 s: {}), text {:.2f} s (baseline, "
               "same run)\n",
               files.size(), html_total, html_total < 5 ? "met" : "NOT met", text_total);
    fmt::print("html / text = {:.2f}; the pages' own cost: {:.2f} s ({:.1f} ms per page), "
               "{:.1f} MiB of HTML\n",
               html_total / text_total, html_total - text_total,
               (html_total - text_total) * 1e3 / static_cast<double>(files.size()),
               static_cast<double>(html_bytes) / (1024.0 * 1024.0));
    return 0;
}
