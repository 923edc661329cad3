// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/problem/html_report.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/problem/svg_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#ifndef SYMGRAD_KATEX_DIR
#define SYMGRAD_KATEX_DIR "/usr/share/javascript/katex"
#endif

namespace symgrad {

namespace {

/// Whether the file at @p path could be read whole into @p out.
bool read_all(const std::string& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return false;
    std::ostringstream s;
    s << in.rdbuf();
    out = s.str();
    return static_cast<bool>(in) || in.eof();
}

/// @p css with each @font-face's src list replaced by its woff2 font as a data: URL (woff and
/// truetype copies would only add weight: every browser that runs KaTeX reads woff2).
std::string inline_fonts(const std::string& css, const std::string& directory,
                         std::string& missing) {
    std::string out;
    std::size_t i = 0;
    while (true) {
        const std::size_t src = css.find("src:", i);
        if (src == std::string::npos)
            break;
        const std::size_t end = css.find_first_of(";}", src);
        const std::string list = css.substr(src, end - src);
        out += css.substr(i, src - i);
        const std::size_t url = list.find("url(fonts/");
        const std::size_t woff2 = list.find(".woff2)");
        if (url == std::string::npos || woff2 == std::string::npos) {
            out += list;
        } else {
            const std::size_t name = list.rfind("url(fonts/", woff2) + 10;
            const std::string file = list.substr(name, woff2 + 6 - name);
            std::string font;
            if (!read_all(directory + "/fonts/" + file, font)) {
                missing += (missing.empty() ? "" : ", ") + directory + "/fonts/" + file;
                out += list;
            } else {
                out += "src:url(data:font/woff2;base64," + base64(font) + ") format('woff2')";
            }
        }
        i = end;
    }
    return out + css.substr(i);
}

/// A script's text safe inside <script>: no "</script" can end it early.
std::string script_safe(std::string s) {
    for (std::size_t p = 0; (p = s.find("</", p)) != std::string::npos; p += 3)
        s.replace(p, 2, "<\\/");
    return s;
}

const char* page_style = R"(
:root { color-scheme: light; }
body { margin: 0; background: #f6f7f9; color: #1f2328;
       font: 16px/1.5 "DejaVu Sans", "Segoe UI", system-ui, sans-serif; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem 1.25rem 2rem; box-sizing: border-box; }
h1 { font-size: 1.45rem; line-height: 1.3; margin: .6rem 0; overflow-wrap: anywhere; }
p { overflow-wrap: anywhere; }
.description p { margin: .3rem 0; }
.source-file { color: #57606a; font-size: .9rem; }
code, pre { font-family: "DejaVu Sans Mono", ui-monospace, monospace; font-size: .88rem; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: .35rem 0; }
section.statement { background: #fff; border: 1px solid #d0d7de; border-radius: 6px;
                    margin: .8rem 0; padding: .45rem .9rem; }
pre.source { background: #f2f4f7; border-radius: 4px; padding: .3rem .55rem; }
.line-number { color: #8c959f; margin-right: .8em; user-select: none; }
.math-display { overflow-x: auto; overflow-y: hidden; max-width: 100%; padding: .2rem 0; }
.math-display .katex-display { margin: .3rem 0; text-align: left; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: .35rem 0; }
th, td { border: 1px solid #d0d7de; padding: .12rem .55rem; vertical-align: middle; }
th { background: #f2f4f7; font-weight: 600; }
td.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.badge { display: inline-block; border-radius: 999px; padding: 0 .65rem; color: #fff;
         font-weight: 600; font-size: .85rem; margin-right: .5rem; }
.badge.proved, .badge.ok { background: #1a7f37; }
.badge.refuted, .badge.failed { background: #cf222e; }
.badge.where-defined { background: #9a6700; }
.badge.probably { background: #0969da; }
details { margin: .3rem 0; }
details > summary { cursor: pointer; overflow-wrap: anywhere; }
details > pre { background: #f6f8fa; border-radius: 4px; padding: .3rem .55rem; }
.note { border-left: 3px solid #8fb3d9; padding: .1rem .8rem; margin: .8rem 0; color: #2d333b; }
.note p { margin: .25rem 0; }
.training p { margin: .25rem 0; }
figure { margin: .5rem 0; }
svg.symgrad-plot { display: block; max-width: 100%; height: auto; }
.katex-missing { background: #fff8c5; border: 1px solid #d4a72c; padding: .4rem .8rem; }
footer { margin-top: 1rem; color: #57606a; }
)";

/// Renders every .math element with KaTeX (display mode for .display), leaving the LaTeX source
/// as the text when KaTeX is absent. Errors are shown in place (throwOnError: false), as
/// .katex-error elements the browser test looks for.
const char* render_script = R"(
(function () {
  var done = 0;
  if (typeof katex !== "undefined") {
    document.querySelectorAll(".math").forEach(function (e) {
      katex.render(e.textContent, e, { displayMode: e.classList.contains("display"),
                                       throwOnError: false });
      done++;
    });
  }
  document.documentElement.setAttribute("data-math-rendered", String(done));
})();
)";

/// LaTeX inside an element: escaped, rendered by the script.
std::string math(const std::string& latex, bool display) {
    if (display)
        return "<div class=\"math-display\"><div class=\"math display\">" + xml_escape(latex) +
               "</div></div>\n";
    return "<span class=\"math\">" + xml_escape(latex) + "</span>";
}

/// One comment line as HTML: escaped text, with $...$ typeset.
std::string prose(const std::string& line) {
    std::string out;
    std::size_t i = 0;
    while (i < line.size()) {
        const std::size_t a = line.find('$', i);
        const std::size_t b = a == std::string::npos ? a : line.find('$', a + 1);
        if (b == std::string::npos || b == a + 1) {
            out += xml_escape(line.substr(i));
            break;
        }
        out += xml_escape(line.substr(i, a - i)) + math(line.substr(a + 1, b - a - 1), false);
        i = b + 1;
    }
    return out;
}

/// Comment lines as paragraphs (a blank line starts a new one).
std::string paragraphs(const std::vector<std::string>& lines, std::size_t from = 0) {
    std::string out, para;
    for (std::size_t k = from; k <= lines.size(); ++k) {
        const bool blank =
            k == lines.size() || lines[k].find_first_not_of(" \t") == std::string::npos;
        if (!blank) {
            para += (para.empty() ? "" : "\n") + prose(lines[k]);
            continue;
        }
        if (!para.empty())
            out += "<p>" + para + "</p>\n";
        para.clear();
    }
    return out;
}

/// "d/dw1" with the gradient's function @p f: dF/dw1 typeset (\dfrac: full size in a row
/// label); else the label as code.
std::string value_label(const std::string& label, const std::string& f) {
    if (label.rfind("d/d", 0) == 0 && is_valid_symbol_name(label.substr(3))) {
        const std::string v = tex_name(label.substr(3));
        if (is_valid_symbol_name(f))
            return math("\\dfrac{\\partial " + tex_name(f) + "}{\\partial " + v + "}", false);
        return math("\\dfrac{\\partial}{\\partial " + v + "}", false) +
               (f.empty() ? "" : " <code>" + xml_escape(f) + "</code>");
    }
    return "<code>" + xml_escape(label) + "</code>";
}

/// A verdict's badge class.
std::string verdict_class(const std::string& verdict) {
    if (verdict == "proved" || verdict == "refuted")
        return verdict;
    return verdict == "probably equal" ? "probably" : "where-defined";
}

class html_report : public problem_report {
public:
    html_report(std::ostream& out, katex_assets katex) : out_(out), katex_(std::move(katex)) {}

    void begin_file(const std::string& file, const std::vector<std::string>& header) override {
        const std::string title = header.empty() ? file : header.front();
        out_ << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
             << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
             << "<meta name=\"generator\" content=\"symgrad\">\n"
             << "<title>" << xml_escape(title) << "</title>\n";
        if (!katex_.style.empty())
            out_ << "<style>\n" << katex_.style << "\n</style>\n";
        out_ << "<style>" << page_style << "</style>\n</head>\n<body>\n<main>\n<header>\n"
             << "<h1>" << prose(title) << "</h1>\n";
        if (header.size() > 1)
            out_ << "<div class=\"description\">\n" << paragraphs(header, 1) << "</div>\n";
        out_ << "<p class=\"source-file\">Source: <code>" << xml_escape(file) << "</code></p>\n";
        if (!katex_.missing.empty())
            out_ << "<p class=\"katex-missing\">The maths is shown as LaTeX source: KaTeX was "
                    "not found ("
                 << xml_escape(katex_.missing)
                 << "; install Debian's libjs-katex, or set SYMGRAD_KATEX_DIR).</p>\n";
        out_ << "</header>\n";
    }
    void statement(std::size_t line, const std::string& text) override {
        close();
        out_ << "<section class=\"statement\" id=\"line-" << line << "\">\n<pre class=\"source\">"
             << "<span class=\"line-number\">" << line << "</span>" << xml_escape(text)
             << "</pre>\n";
        open_ = true;
        gradient_of_ = gradient_function(text);
    }
    void formula(const std::string&, const std::string& label_latex,
                 const GiNaC::ex& value) override {
        out_ << math(label_latex + " = " + value_latex(value), true);
    }
    void values(const std::vector<std::pair<std::string, std::string>>& rows) override {
        out_ << "<div class=\"scroll\"><table class=\"values\">\n";
        for (const auto& [label, value] : rows)
            out_ << "<tr><th>" << value_label(label, gradient_of_) << "</th><td>"
                 << math(value_latex(value), false) << "</td></tr>\n";
        out_ << "</table></div>\n";
    }
    void table(const std::vector<std::string>& header,
               const std::vector<std::vector<std::string>>& rows) override {
        out_ << "<div class=\"scroll\"><table>\n<tr>";
        for (const auto& h : header)
            out_ << "<th>" << xml_escape(h) << "</th>";
        out_ << "</tr>\n";
        for (const auto& r : rows) {
            out_ << "<tr>";
            for (const auto& c : r)
                out_ << "<td class=\"number\">" << xml_escape(c) << "</td>";
            out_ << "</tr>\n";
        }
        out_ << "</table></div>\n";
    }
    void text(const std::string& lines) override {
        const std::size_t nl = lines.find('\n');
        const std::string first = lines.substr(0, nl);
        const std::string verdict = verdict_of(lines);
        if (verdict.empty()) {
            out_ << "<pre class=\"text\">" << xml_escape(lines) << "</pre>\n";
            return;
        }
        // A verdict: the badge and its one-line reason; the evidence folded under it.
        const std::size_t colon = first.find(": ");
        std::string evidence = nl == std::string::npos ? "" : lines.substr(nl + 1);
        while (!evidence.empty() && evidence.back() == '\n')
            evidence.pop_back();
        const std::string head = "<span class=\"badge " + verdict_class(verdict) + "\">" +
                                 xml_escape(first.substr(0, colon)) + "</span>" +
                                 xml_escape(first.substr(colon + 2));
        if (evidence.empty()) {
            out_ << "<p class=\"verdict\">" << head << "</p>\n";
            return;
        }
        out_ << "<details class=\"verdict\"><summary>" << head << "</summary><pre>"
             << xml_escape(evidence) << "</pre></details>\n";
    }
    void training(const std::string& description, const train_result& r,
                  const table_options& t) override {
        out_ << "<div class=\"training\">\n<p>" << xml_escape(description) << "</p>\n";
        const auto rows = training_rows(r, t);
        // The columns: the union of the rows' names, in the order they first appear.
        std::vector<std::string> columns;
        for (const auto& row : rows)
            for (const auto& [name, value] : row)
                if (std::find(columns.begin(), columns.end(), name) == columns.end())
                    columns.push_back(name);
        out_ << "<div class=\"scroll\"><table class=\"epochs\">\n<tr>";
        for (const auto& c : columns)
            out_ << "<th>" << xml_escape(c == "loss" ? "objective J" : c) << "</th>";
        out_ << "</tr>\n";
        for (const auto& row : rows) {
            out_ << "<tr>";
            for (const auto& c : columns) {
                std::string v;
                for (const auto& [name, value] : row)
                    if (name == c)
                        v = value;
                out_ << "<td class=\"number\">" << xml_escape(v) << "</td>";
            }
            out_ << "</tr>\n";
        }
        out_ << "</table></div>\n<p>stopped: " << xml_escape(r.message) << "</p>\n";
        out_ << "<figure class=\"plots\">\n";
        for (const auto& svg : training_plots(r, t))
            out_ << svg;
        out_ << "</figure>\n</div>\n";
    }
    bool wants_objective() const override { return true; }
    void note(const std::vector<std::string>& lines) override {
        close();
        out_ << "<div class=\"note\">\n" << paragraphs(lines) << "</div>\n";
    }
    void outcome(bool passed, const std::string& message) override {
        out_ << "<p class=\"outcome\"><span class=\"badge "
             << (passed ? "ok\">ok" : "failed\">FAILED") << "</span>" << xml_escape(message)
             << "</p>\n";
    }
    void end_file(std::size_t expectations, std::size_t failures) override {
        close();
        out_ << "<footer>" << expectations
             << (expectations == 1 ? " expectation, " : " expectations, ") << failures
             << " failed</footer>\n</main>\n";
        if (!katex_.script.empty())
            out_ << "<script>\n" << katex_.script << "\n</script>\n";
        out_ << "<script>" << render_script << "</script>\n</body>\n</html>\n";
    }

private:
    void close() {
        if (open_)
            out_ << "</section>\n";
        open_ = false;
    }

    std::ostream& out_;
    katex_assets katex_;
    bool open_ = false;
    std::string gradient_of_;
};

/// A number of a record for a plot (NaN for a complex one, which is not drawn).
double plotted(const GiNaC::numeric& v) {
    return v.is_real() ? v.to_double() : std::nan("");
}

} // namespace

std::vector<std::string> training_plots(const train_result& r, const table_options& t) {
    bool by_step = t.steps;
    for (const auto& rec : r.records)
        by_step = by_step || rec.within_epoch;
    std::vector<const train_record*> recs{&r.start};
    for (const auto& rec : r.records)
        recs.push_back(&rec);
    auto x_of = [&](const train_record& rec) {
        return static_cast<double>(by_step ? rec.step : rec.epoch);
    };
    const std::string x_label = by_step ? "step" : "epoch";
    plot_series objective{"J", {}, {}};
    for (const auto* rec : recs)
        if (rec->loss) {
            objective.x.push_back(x_of(*rec));
            objective.y.push_back(plotted(*rec->loss));
        }
    std::vector<plot_series> weights;
    for (std::size_t i = 0; i < r.weight_names.size(); ++i) {
        plot_series s{r.weight_names[i], {}, {}};
        for (const auto* rec : recs)
            if (i < rec->weights.size()) {
                s.x.push_back(x_of(*rec));
                s.y.push_back(plotted(rec->weights[i]));
            }
        weights.push_back(s);
    }
    std::vector<std::string> out;
    if (!objective.x.empty())
        out.push_back(svg_plot({objective}, {"objective J per " + x_label, x_label, "J"}));
    out.push_back(svg_plot(weights, {"weights per " + x_label, x_label, "weight"}));
    return out;
}

std::string training_plot_svg(const train_result& r, const table_options& t) {
    // The plots one above the other, each a nested <svg> at its offset.
    std::string body;
    double y = 0;
    int width = 0;
    for (const auto& svg : training_plots(r, t)) {
        const std::size_t h = svg.find(" height=\"") + 9;
        const double height = std::stod(svg.substr(h, svg.find('"', h) - h));
        const std::size_t w = svg.find(" width=\"") + 8;
        width = std::max(width, std::stoi(svg.substr(w, svg.find('"', w) - w)));
        char offset[32];
        std::snprintf(offset, sizeof offset, "%.2f", y);
        body += "<svg y=\"" + std::string(offset) + svg.substr(4);
        y += height;
    }
    char total[32];
    std::snprintf(total, sizeof total, "%.2f", y);
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
           "width=\"" +
           std::to_string(width) + "\" height=\"" + total + "\" viewBox=\"0 0 " +
           std::to_string(width) + " " + total + "\">\n" + body + "</svg>\n";
}

std::string base64(const std::string& bytes) {
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const unsigned n = static_cast<unsigned char>(bytes[i]) << 16 |
                           static_cast<unsigned char>(bytes[i + 1]) << 8 |
                           static_cast<unsigned char>(bytes[i + 2]);
        out += alphabet[n >> 18 & 63];
        out += alphabet[n >> 12 & 63];
        out += alphabet[n >> 6 & 63];
        out += alphabet[n & 63];
    }
    if (i < bytes.size()) {
        const bool two = i + 1 < bytes.size();
        const unsigned n = static_cast<unsigned char>(bytes[i]) << 16 |
                           (two ? static_cast<unsigned char>(bytes[i + 1]) << 8 : 0u);
        out += alphabet[n >> 18 & 63];
        out += alphabet[n >> 12 & 63];
        out += two ? alphabet[n >> 6 & 63] : '=';
        out += '=';
    }
    return out;
}

std::string katex_directory() {
    if (const char* dir = std::getenv("SYMGRAD_KATEX_DIR"); dir && *dir)
        return dir;
    return SYMGRAD_KATEX_DIR;
}

katex_assets load_katex(const std::string& directory) {
    katex_assets k;
    std::string css;
    if (!read_all(directory + "/katex.min.js", k.script) ||
        !read_all(directory + "/katex.min.css", css)) {
        k.script.clear();
        k.missing = directory + "/katex.min.js and katex.min.css";
        return k;
    }
    k.script = script_safe(k.script);
    k.style = inline_fonts(css, directory, k.missing);
    return k;
}

std::unique_ptr<problem_report> make_html_report(std::ostream& out) {
    // Read once: a run of many files inlines the same bytes.
    static const katex_assets katex = load_katex(katex_directory());
    return make_html_report(out, katex);
}

std::unique_ptr<problem_report> make_html_report(std::ostream& out, const katex_assets& katex) {
    return std::make_unique<html_report>(out, katex);
}

} // namespace symgrad
