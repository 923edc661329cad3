// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
//
// The HTML worked solutions of every file in problems/ (issue 17's target: under 5 s for the
// folder), against the plain-text solutions of the same files measured in the same run: the
// difference is what the page costs (KaTeX inlined, tables, SVG plots, the objective recorded
// at every epoch for the plot). Each file runs text, html, text, html in one process and the
// best of each is kept, so caches (the native code cache, GiNaC's) are warm for both. Then the
// wall-clock time of `symgrad run FILE --format html -o PAGE` for every file, as many processes
// at a time as there are cores (how the browser test writes the pages).
// Usage: symgrad_html_report_bench [--json]
#include "symgrad/problem/problem.hpp"
#include "symgrad/problem/problem_report.hpp"
#include "symgrad/problem/problem_source.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <vector>

extern char** environ;

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

/// Seconds of wall-clock time for the command to write every page, @p jobs processes at a time;
/// negative when a run failed.
double parallel_pages(const std::vector<std::filesystem::path>& files, unsigned jobs) {
    const auto dir = std::filesystem::temp_directory_path() / "symgrad-html-bench";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const auto t0 = clock_type::now();
    std::size_t next = 0, running = 0;
    bool ok = true;
    while (next < files.size() || running > 0) {
        while (running < jobs && next < files.size()) {
            const std::string page = (dir / (files[next].stem().string() + ".html")).string();
            std::vector<std::string> args{
                SYMGRAD_CLI_PATH, "run", files[next].string(), "--format", "html", "-o", page};
            std::vector<char*> argv;
            for (auto& a : args)
                argv.push_back(a.data());
            argv.push_back(nullptr);
            pid_t pid = 0;
            if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0)
                return -1;
            ++next;
            ++running;
        }
        int status = 0;
        if (wait(&status) > 0) {
            --running;
            ok = ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
        }
    }
    const double s = std::chrono::duration<double>(clock_type::now() - t0).count();
    std::filesystem::remove_all(dir);
    return ok ? s : -1;
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
    const unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
    const double wall = parallel_pages(files, jobs);
    if (json) {
        fmt::print("{}\n", nlohmann::json{{"benchmark", "html_report"},
                                          {"problems", files.size()},
                                          {"text_total_s", text_total},
                                          {"html_total_s", html_total},
                                          {"html_bytes", html_bytes},
                                          {"command_jobs", jobs},
                                          {"command_wall_s", wall}}
                               .dump());
        return wall < 0;
    }
    fmt::print("\n{} problems: html {:.2f} s in all (target 5 s: {}), text {:.2f} s (baseline, "
               "same run)\n",
               files.size(), html_total, html_total < 5 ? "met" : "NOT met", text_total);
    fmt::print("html / text = {:.2f}; the pages' own cost: {:.2f} s ({:.1f} ms per page), "
               "{:.1f} MiB of HTML\n",
               html_total / text_total, html_total - text_total,
               (html_total - text_total) * 1e3 / static_cast<double>(files.size()),
               static_cast<double>(html_bytes) / (1024.0 * 1024.0));
    if (wall < 0) {
        fmt::print("symgrad run --format html failed on a problem file\n");
        return 1;
    }
    fmt::print("the command, {} at a time: every page written in {:.2f} s of wall-clock time "
               "(target 5 s: {})\n",
               jobs, wall, wall < 5 ? "met" : "NOT met");
    return 0;
}
