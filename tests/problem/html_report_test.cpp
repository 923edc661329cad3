// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// HTML worked solutions: the page is read back here as text (sections, badges, tables, plots)
// and checked against the problem file's own lines, values worked out by hand and the README's
// trained weight; the plotted weights are read back through the plot's own ticks and compared
// with the epoch table's cells. Rendering in a browser is tests/browser/check_pages.py.
#include "symgrad/problem/html_report.hpp"
#include "symgrad/problem/problem.hpp"
#include "symgrad/problem/problem_report.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

using namespace symgrad;
using symgrad::test::contains;
using symgrad::test::read_text;

namespace {

// Seed 000 (problems/README.md's example): at w = 0 the gradient is (1, -1, 0, 0) by hand (see
// problem_test.cpp); after 5 epochs of gd at rate 0.1, w1 = -0.4116026565396639 (the README).
const char* const seed000 = "# Seed 000: two-class softmax, data x = [-1, 1]\n"
                            "# The weights *start* at 0 <b>bold?</b> & $\\frac{1}{2}$ here\n"
                            "weights w1 w2 w3 w4 = 0\n"
                            "inputs  x\n"
                            "labels  y in {0, 1}\n"
                            "data    x = -1, 1\n"
                            "        y =  0, 1\n"
                            "z0 = w1*x + w3\n"
                            "z1 = w2*x + w4\n"
                            "loss = crossentropy(softmax([z0, z1]), y)\n"
                            "show diff(L, w1)\n"
                            "# the gradient at the start, by hand (1, -1, 0, 0)\n"
                            "show grad(L) at weights\n"
                            "check diff(L, w3) == 0 expect refuted\n"
                            "train gd rate 0.1 epochs 5\n"
                            "expect w1 == -0.4116026565396639 within 1e-13\n";

/// A page for @p text, with a stand-in for KaTeX (the page's own structure is under test).
std::string page(const std::string& text) {
    std::ostringstream out;
    const katex_assets stand_in{"/* katex */", "/* katex css */", ""};
    auto report = make_html_report(out, stand_in);
    run_problem(split_statements(text, "seed000.sg"), *report);
    return out.str();
}

std::size_t count(const std::string& s, const std::string& part) {
    std::size_t n = 0;
    for (std::size_t p = s.find(part); p != std::string::npos; p = s.find(part, p + 1))
        ++n;
    return n;
}

/// The column @p name of the epoch table: its cells, row by row.
std::vector<std::string> column(const std::string& html, const std::string& name) {
    const auto b = html.find("<table class=\"epochs\">");
    const auto e = html.find("</table>", b);
    const std::string t = html.substr(b, e - b);
    const std::regex th("<th>([^<]*)</th>");
    std::vector<std::string> heads;
    for (std::sregex_iterator it(t.begin(), t.end(), th), end; it != end; ++it)
        heads.push_back((*it)[1]);
    const auto k =
        static_cast<std::size_t>(std::find(heads.begin(), heads.end(), name) - heads.begin());
    std::vector<std::string> out;
    const std::regex tr("<tr>((?:<td[^>]*>[^<]*</td>)+)</tr>");
    const std::regex td("<td[^>]*>([^<]*)</td>");
    for (std::sregex_iterator it(t.begin(), t.end(), tr), end; it != end; ++it) {
        const std::string row = (*it)[1];
        std::vector<std::string> cells;
        for (std::sregex_iterator c(row.begin(), row.end(), td), ce; c != ce; ++c)
            cells.push_back((*c)[1]);
        out.push_back(k < cells.size() ? cells[k] : "");
    }
    return out;
}

/// The values a plot's series @p name shows: each point's y read back through the y axis's
/// first and last ticks (linear axis).
std::vector<double> plotted(const std::string& svg, const std::string& name) {
    const std::regex tick("<g class=\"tick\" data-value=\"([^\"]+)\"><line x1=\"[^\"]+\" "
                          "y1=\"([^\"]+)\"");
    const auto ya = svg.find("<g class=\"y-axis\">");
    const std::string axis = svg.substr(ya, svg.find("</g>\n<g class=\"series\"", ya) - ya);
    std::vector<std::pair<double, double>> ticks;
    for (std::sregex_iterator it(axis.begin(), axis.end(), tick), e; it != e; ++it)
        ticks.emplace_back(std::stod((*it)[1]), std::stod((*it)[2]));
    BOOST_TEST_REQUIRE(ticks.size() >= 2u);
    const auto sb = svg.find("<g class=\"series\" data-name=\"" + name + "\"");
    const auto pb = svg.find("points=\"", sb) + 8;
    const std::string pts = svg.substr(pb, svg.find('"', pb) - pb);
    const std::regex pt("(-?[0-9.]+),(-?[0-9.]+)");
    std::vector<double> out;
    const auto [v0, p0] = ticks.front();
    const auto [v1, p1] = ticks.back();
    for (std::sregex_iterator it(pts.begin(), pts.end(), pt), e; it != e; ++it)
        out.push_back(v0 + (std::stod((*it)[2]) - p0) / (p1 - p0) * (v1 - v0));
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(html_report)

BOOST_AUTO_TEST_CASE(base64_matches_rfc_4648_test_vectors) {
    BOOST_TEST(base64("") == "");
    BOOST_TEST(base64("f") == "Zg==");
    BOOST_TEST(base64("fo") == "Zm8=");
    BOOST_TEST(base64("foo") == "Zm9v");
    BOOST_TEST(base64("foob") == "Zm9vYg==");
    BOOST_TEST(base64("fooba") == "Zm9vYmE=");
    BOOST_TEST(base64("foobar") == "Zm9vYmFy");
    BOOST_TEST(base64(std::string("\xff\x00\xfe", 3)) == "/wD+");
}

BOOST_AUTO_TEST_CASE(printed_values_become_latex_numbers_and_matrices) {
    BOOST_TEST(value_latex(std::string("1/2")) == "\\frac{1}{2}");
    BOOST_TEST(value_latex(std::string("-3/4")) == "-\\frac{3}{4}");
    BOOST_TEST(value_latex(std::string("-0.25")) == "-0.25");
    BOOST_TEST(value_latex(std::string("1.5e-07")) == "1.5 \\cdot 10^{-7}");
    BOOST_TEST(value_latex(std::string("[[1, 2], [3, 4]]")) ==
               "\\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix}");
    BOOST_TEST(value_latex(std::string("[1, -2]")) == "\\begin{pmatrix}1 & -2\\end{pmatrix}");
    BOOST_TEST(value_latex(std::string("[[1], [2]]")) == "\\begin{pmatrix}1 \\\\ 2\\end{pmatrix}");
    BOOST_TEST(value_latex(std::string("exp(a_1)^2")) ==
               "\\texttt{exp(a\\_1)\\textasciicircum{}2}");
    BOOST_TEST(gradient_function("show grad(L) at weights") == "L");
    BOOST_TEST(gradient_function("show grad( loss ) at w1 = 1") == "loss");
    BOOST_TEST(gradient_function("show grad(L)") == "");
    BOOST_TEST(gradient_function("show diff(L, w1) at weights") == "");
}

BOOST_AUTO_TEST_CASE(every_statement_is_a_section_with_its_line_number) {
    const std::string html = page(seed000);
    BOOST_TEST(html.rfind("<!DOCTYPE html>", 0) == 0);
    BOOST_TEST(contains(html, "</html>\n"));
    // The statements are the lines that start neither with '#' nor with a blank.
    std::istringstream in(seed000);
    std::size_t number = 0, statements = 0;
    for (std::string line; std::getline(in, line);) {
        ++number;
        if (line.empty() || line[0] == '#' || line[0] == ' ')
            continue;
        ++statements;
        const std::string head = "<section class=\"statement\" id=\"line-" +
                                 std::to_string(number) +
                                 "\">\n<pre class=\"source\"><span "
                                 "class=\"line-number\">" +
                                 std::to_string(number) + "</span>";
        BOOST_TEST(contains(html, head), "line " << number);
    }
    BOOST_TEST(count(html, "<section class=\"statement\"") == statements);
    BOOST_TEST(count(html, "<section") == count(html, "</section>"));
}

BOOST_AUTO_TEST_CASE(results_are_typeset_and_verdicts_are_badges) {
    const std::string html = page(seed000);
    // The partial with its function named, and the gradient's rows dL/dw_i with the values
    // (1, -1, 0, 0) worked out by hand.
    BOOST_TEST(
        contains(html, "<div class=\"math display\">\\frac{\\partial L}{\\partial w_{1}} = "));
    for (const auto& [w, v] : {std::pair{"1", "1"}, {"2", "-1"}, {"3", "0"}, {"4", "0"}})
        BOOST_TEST(contains(html, std::string("<tr><th><span class=\"math\">\\dfrac{\\partial "
                                              "L}{\\partial w_{") +
                                      w + "}}</span></th><td><span class=\"math\">" + v +
                                      "</span></td></tr>"),
                   "w" << w);
    // dL/dw3 = 0 only at w = 0: as an identity it is refuted, with the evidence folded.
    BOOST_TEST(contains(html, "<details class=\"verdict\"><summary><span class=\"badge "
                              "refuted\">refuted</span>"));
    BOOST_TEST(contains(html, "<span class=\"badge ok\">ok</span>w1 = -0.411602656539663"));
    BOOST_TEST(contains(html, "<footer>2 expectations, 0 failed</footer>"));
}

BOOST_AUTO_TEST_CASE(comments_are_prose_shown_literally_with_dollar_maths) {
    const std::string html = page(seed000);
    BOOST_TEST(contains(html, "<h1>Seed 000: two-class softmax, data x = [-1, 1]</h1>"));
    BOOST_TEST(contains(html, "The weights *start* at 0 &lt;b&gt;bold?&lt;/b&gt; &amp; "
                              "<span class=\"math\">\\frac{1}{2}</span> here"));
    BOOST_TEST(!contains(html, "<b>"));
    BOOST_TEST(contains(html, "<div class=\"note\">\n<p>the gradient at the start, by hand "
                              "(1, -1, 0, 0)</p>\n</div>"));
}

BOOST_AUTO_TEST_CASE(the_plotted_weights_are_the_table_s) {
    const std::string html = page(seed000);
    // The table: the start and 5 epochs; the last w1 is the README's value to 4 decimals.
    const auto epochs = column(html, "epoch");
    BOOST_TEST_REQUIRE(epochs.size() == 6u);
    BOOST_TEST(epochs.front() == "0");
    BOOST_TEST(epochs.back() == "5");
    const auto w1 = column(html, "w1");
    BOOST_TEST(w1.front() == "0.0000");
    BOOST_TEST(w1.back() == "-0.4116");
    // The objective is recorded for the plot: 2 rows of log 2 at w = 0 (by hand), and it falls.
    const auto j = column(html, "objective J");
    BOOST_TEST_REQUIRE(j.size() == 6u);
    BOOST_TEST(std::abs(std::stod(j[0]) - 2 * std::log(2.0)) < 1e-3);
    for (std::size_t i = 1; i < j.size(); ++i)
        BOOST_TEST(std::stod(j[i]) < std::stod(j[i - 1]));
    // Two plots: the objective, then the weights; each point is its table row's value, read
    // back through the axis within a pixel's worth of value.
    const auto plots_at = html.find("<figure class=\"plots\">");
    BOOST_TEST_REQUIRE(plots_at != std::string::npos);
    const std::string figure = html.substr(plots_at, html.find("</figure>", plots_at) - plots_at);
    BOOST_TEST(count(figure, "<svg ") == 2u);
    const std::string weights_svg = figure.substr(figure.find("<svg", figure.find("<svg") + 1));
    BOOST_TEST(contains(weights_svg, "weights per epoch"));
    for (const std::string name : {"w1", "w2", "w3", "w4"}) {
        const auto cells = column(html, name);
        const auto points = plotted(weights_svg, name);
        BOOST_TEST_REQUIRE(points.size() == cells.size());
        for (std::size_t i = 0; i < cells.size(); ++i)
            BOOST_TEST(std::abs(points[i] - std::stod(cells[i])) < 0.005,
                       name << " epoch " << i << ": " << points[i] << " vs " << cells[i]);
    }
    const std::string objective_svg =
        figure.substr(0, figure.find("<svg", figure.find("<svg") + 1));
    const auto jp = plotted(objective_svg, "J");
    BOOST_TEST_REQUIRE(jp.size() == j.size());
    for (std::size_t i = 0; i < j.size(); ++i)
        BOOST_TEST(std::abs(jp[i] - std::stod(j[i])) < 0.01);
}

BOOST_AUTO_TEST_CASE(without_katex_the_page_says_so_and_keeps_the_latex) {
    std::ostringstream out;
    auto report = make_html_report(out, load_katex("/nonexistent/katex"));
    run_problem(split_statements(seed000, "seed000.sg"), *report);
    const std::string html = out.str();
    BOOST_TEST(contains(html, "KaTeX was not found (/nonexistent/katex/katex.min.js"));
    BOOST_TEST(contains(html, "\\frac{\\partial L}{\\partial w_{1}}"));
    BOOST_TEST(!contains(html, "<script>\n/*"));
}

BOOST_AUTO_TEST_CASE(katex_is_inlined_with_its_fonts) {
    const std::string dir = katex_directory();
    if (!std::filesystem::exists(dir + "/katex.min.js")) {
        BOOST_TEST_MESSAGE("skipped: no KaTeX at " << dir << " (apt: libjs-katex)");
        return;
    }
    const katex_assets k = load_katex(dir);
    BOOST_TEST(k.missing == "");
    BOOST_TEST(contains(k.script, "katex"));
    BOOST_TEST(!contains(k.script, "</script"));
    BOOST_TEST(!contains(k.style, "url(fonts/"));
    // Every @font-face has its woff2 font, and the fonts are the files' bytes: base64 of n bytes
    // is 4 * ceil(n / 3) characters, summed over the directory's woff2 files.
    BOOST_TEST(count(k.style, "@font-face") == count(k.style, "data:font/woff2;base64,"));
    std::size_t want = 0, got = 0;
    for (const auto& f : std::filesystem::directory_iterator(dir + "/fonts"))
        if (f.path().extension() == ".woff2")
            want += 4 * ((std::filesystem::file_size(f.path()) + 2) / 3);
    const std::string key = "data:font/woff2;base64,";
    for (auto at = k.style.find(key); at != std::string::npos; at = k.style.find(key, at + 1))
        got += k.style.find(')', at) - (at + key.size());
    BOOST_TEST(got == want);
}

BOOST_AUTO_TEST_CASE(the_command_writes_one_page_and_the_same_bytes_each_time) {
    const auto dir = test::scratch_directory("html_report");
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "seed000.txt") << seed000;
    const std::string file = (dir / "seed000.txt").string();
    // Separate processes: GiNaC's term order may differ from run to run; the bytes may not.
    auto a = test::run_process(
        {SYMGRAD_CLI_PATH, "run", file, "--format", "html", "-o", (dir / "a.html").string()});
    auto b = test::run_process(
        {SYMGRAD_CLI_PATH, "run", file, "--format", "html", "--output", (dir / "b.html").string()});
    BOOST_TEST(a.status == 0, a.out);
    BOOST_TEST(b.status == 0, b.out);
    const std::string page_a = read_text(dir / "a.html");
    BOOST_TEST(page_a.rfind("<!DOCTYPE html>", 0) == 0);
    BOOST_TEST(page_a == read_text(dir / "b.html"));
    // One page per run.
    auto two = test::run_command({"run", file, file, "--format", "html"});
    BOOST_TEST(two.status == 2);
    BOOST_TEST(contains(two.err, "--format html writes one page: give one FILE, not 2"), two.err);
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(train_plot_writes_an_svg_file_with_both_plots) {
    const auto dir = test::scratch_directory("html_report_plot");
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "seed000.txt") << seed000;
    const std::string file = (dir / "seed000.txt").string();
    const auto svg = dir / "train.svg";
    auto r = test::run_command(
        {"train", file, "gd", "rate", "0.1", "epochs", "5", "--plot", svg.string()});
    BOOST_TEST(r.status == 0, r.err);
    const std::string text = read_text(svg);
    BOOST_TEST(text.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg", 0) == 0);
    BOOST_TEST(count(text, "class=\"symgrad-plot\"") == 2u);
    // The plot's w1 ends at the README's trained value; the text table shows the objective.
    const auto w1 =
        plotted(text.substr(text.rfind("<svg y=", text.find("weights per epoch"))), "w1");
    BOOST_TEST_REQUIRE(w1.size() == 6u);
    BOOST_TEST(std::abs(w1.back() + 0.4116026565396639) < 0.005);
    BOOST_TEST(contains(r.out, "loss = "), r.out);
    // As a page: the train statement's section, closed, with its scripts.
    r = test::run_command({"train", file, "gd", "rate", "0.1", "epochs", "5", "--format", "html"});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(count(r.out, "<!DOCTYPE html>") == 1u);
    BOOST_TEST(count(r.out, "<section class=\"statement\"") == 1u);
    BOOST_TEST(contains(r.out, "train gd rate 0.1 epochs 5</pre>"), r.out.substr(0, 2000));
    BOOST_TEST(contains(r.out, "</script>\n</body>\n</html>\n"));
    r = test::run_command({"train", file, "gd", "epochs", "1", "--plot", (dir / "p.png").string()});
    BOOST_TEST(r.status == 2);
    BOOST_TEST(contains(r.err, "--plot: '" + (dir / "p.png").string() + "' does not end in .svg"),
               r.err);
    BOOST_TEST(!std::filesystem::exists(dir / "p.png"));
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
