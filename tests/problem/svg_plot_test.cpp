// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// Plots as SVG: ticks are round numbers at evenly spaced pixels on the frame's edges, and every
// drawn point lies where the axes' own ticks say its value is (linear or logarithmic
// interpolation between two ticks, computed here from the SVG text, not from the plotter).
#include "symgrad/core/error.hpp"
#include "symgrad/problem/svg_plot.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <regex>
#include <string>
#include <vector>

using namespace symgrad;
using symgrad::test::contains;
using symgrad::test::message_of;

namespace {

struct tick {
    double value;
    double position;   // x of an x tick, y of a y tick
    std::string label; // the text shown
};

/// The ticks of the axis group @p axis ("x-axis" or "y-axis") of @p svg.
std::vector<tick> ticks_of(const std::string& svg, const std::string& axis) {
    const auto begin = svg.find("<g class=\"" + axis + "\">");
    const auto end = svg.find("</g>\n<", svg.find("class=\"label\"", begin));
    const std::string part = svg.substr(begin, end - begin);
    const std::regex re("<g class=\"tick\" data-value=\"([^\"]+)\"><line x1=\"([^\"]+)\" "
                        "y1=\"([^\"]+)\"[^>]*/><text[^>]*>([^<]+)</text>");
    std::vector<tick> out;
    for (std::sregex_iterator it(part.begin(), part.end(), re), e; it != e; ++it)
        out.push_back({std::stod((*it)[1]), std::stod((*it)[axis == "x-axis" ? 2 : 3]), (*it)[4]});
    return out;
}

/// The points of every polyline of the series named @p name, as (x, y) pixels.
std::vector<std::vector<std::pair<double, double>>> lines_of(const std::string& svg,
                                                             const std::string& name) {
    const auto begin = svg.find("<g class=\"series\" data-name=\"" + name + "\"");
    // Up to the next series or the legend.
    const auto end = std::min(svg.find("<g class=\"series\"", begin + 1),
                              svg.find("<g class=\"legend\"", begin));
    const std::string part = svg.substr(begin, end - begin);
    const std::regex re("points=\"([^\"]+)\"");
    std::vector<std::vector<std::pair<double, double>>> out;
    for (std::sregex_iterator it(part.begin(), part.end(), re), e; it != e; ++it) {
        std::vector<std::pair<double, double>> line;
        const std::string pts = (*it)[1];
        const std::regex pt("(-?[0-9.]+),(-?[0-9.]+)");
        for (std::sregex_iterator p(pts.begin(), pts.end(), pt), q; p != q; ++p)
            line.emplace_back(std::stod((*p)[1]), std::stod((*p)[2]));
        out.push_back(line);
    }
    return out;
}

/// Where @p v falls by interpolating between the first and last ticks (log10 when @p log).
double expected_position(const std::vector<tick>& t, double v, bool log) {
    auto f = [log](double u) { return log ? std::log10(u) : u; };
    const tick& a = t.front();
    const tick& b = t.back();
    return a.position + (f(v) - f(a.value)) / (f(b.value) - f(a.value)) * (b.position - a.position);
}

void check_even_spacing(const std::vector<tick>& t) {
    BOOST_TEST_REQUIRE(t.size() >= 2u);
    const double d = t[1].position - t[0].position;
    for (std::size_t i = 1; i < t.size(); ++i)
        BOOST_TEST(std::abs(t[i].position - t[i - 1].position - d) < 0.02);
}

} // namespace

BOOST_AUTO_TEST_SUITE(svg_plot)

BOOST_AUTO_TEST_CASE(linear_ticks_are_round_steps_covering_the_range) {
    // (2.7 - 0.3) / 5 = 0.48 rounds up to the step 0.5; 0 <= 0.3 and 3 >= 2.7.
    const std::vector<double> want{0, 0.5, 1, 1.5, 2, 2.5, 3};
    const auto t = linear_ticks(0.3, 2.7, 6);
    BOOST_TEST_REQUIRE(t.size() == want.size());
    for (std::size_t i = 0; i < t.size(); ++i)
        BOOST_TEST(std::abs(t[i] - want[i]) < 1e-12);
    const auto n = linear_ticks(-1.2, 0.7, 6); // 1.9 / 5 = 0.38: step 0.5
    BOOST_TEST(n.size() == 6u);
    BOOST_TEST(std::abs(n.front() + 1.5) < 1e-12);
    BOOST_TEST(std::abs(n.back() - 1.0) < 1e-12);
    BOOST_TEST(std::count(n.begin(), n.end(), 0.0) == 1); // zero is exactly zero, not 1e-17
}

BOOST_AUTO_TEST_CASE(a_single_value_gets_a_range_around_it) {
    const auto t = linear_ticks(5, 5, 6);
    BOOST_TEST(t.front() <= 4.5);
    BOOST_TEST(t.back() >= 5.5);
    const auto z = linear_ticks(0, 0, 6);
    BOOST_TEST(z.front() <= -1);
    BOOST_TEST(z.back() >= 1);
}

BOOST_AUTO_TEST_CASE(extreme_ranges_give_few_ticks_and_never_hang) {
    // 1e4 + 1e-12 - 1e4 is a few ulps: counting steps of 2e-13 from 5e16 would never end.
    const auto narrow = linear_ticks(1e4, 1e4 + 1e-12, 6);
    BOOST_TEST(narrow.size() >= 2u);
    BOOST_TEST(narrow.size() <= 12u);
    BOOST_TEST(narrow.front() <= 1e4);
    BOOST_TEST(narrow.back() >= 1e4 + 1e-12);
    const auto wide = linear_ticks(-1e308, 1e308, 6); // hi - lo overflows
    BOOST_TEST(wide.size() == 2u);
    const std::string svg =
        symgrad::svg_plot({{"w", {0, 1, 2}, {0, 1e308, -1e308}}}, {"diverging", "epoch", "w"});
    const auto lines = lines_of(svg, "w");
    BOOST_TEST_REQUIRE(lines.size() == 1u);
    BOOST_TEST(lines[0].size() == 3u);
    BOOST_TEST(!contains(svg, "nan"));
}

BOOST_AUTO_TEST_CASE(log_ticks_are_powers_of_ten_and_thin_out_over_many_decades) {
    const auto t = log_ticks(0.003, 250);
    BOOST_TEST_REQUIRE(t.size() == 7u); // 1e-3 ... 1e3
    for (std::size_t i = 0; i < t.size(); ++i)
        BOOST_TEST(std::abs(t[i] / std::pow(10.0, static_cast<double>(i) - 3) - 1) < 1e-12);
    const auto wide = log_ticks(1e-12, 1); // 12 decades: every second power
    BOOST_TEST_REQUIRE(wide.size() == 7u);
    BOOST_TEST(std::abs(wide[1] / 1e-10 - 1) < 1e-12);
    BOOST_TEST(contains(message_of([] { log_ticks(0, 1); }), "log_ticks: the range must"));
    BOOST_TEST(contains(message_of([] { linear_ticks(2, 1); }), "lo <= hi, got [2, 1]"));
}

BOOST_AUTO_TEST_CASE(log_scale_for_positive_values_spanning_two_decades) {
    BOOST_TEST(log_scale_fits({{"J", {0, 1}, {100, 1}}}));
    BOOST_TEST(!log_scale_fits({{"J", {0, 1}, {50, 1}}}));
    BOOST_TEST(!log_scale_fits({{"J", {0, 1, 2}, {100, 1, 0}}}));
    BOOST_TEST(!log_scale_fits({{"w", {0, 1, 2}, {100, 1, -1}}}));
    BOOST_TEST(log_scale_fits({{"J", {0, 1, 2}, {1e3, NAN, 1}}})); // NaN is not drawn
}

BOOST_AUTO_TEST_CASE(tick_labels_have_the_step_s_decimals) {
    BOOST_TEST(tick_label(0.5, 0.5) == "0.5");
    BOOST_TEST(tick_label(1.25, 0.25) == "1.25");
    BOOST_TEST(tick_label(1500, 500) == "1500");
    BOOST_TEST(tick_label(2e-6, 1e-6) == "2e-06");
    BOOST_TEST(tick_label(3e7, 1e7) == "3e+07");
    BOOST_TEST(tick_label(1e-17, 0.1) == "0");
}

BOOST_AUTO_TEST_CASE(points_lie_where_the_ticks_put_their_values) {
    const std::vector<double> x{0, 1, 2, 3, 4, 5};
    const std::vector<double> j{0.69, 0.5, 0.4, 0.35, 0.33, 0.32};
    const std::vector<double> w{0, -0.2, -0.3, -0.35, -0.38, -0.4};
    const std::string svg =
        symgrad::svg_plot({{"J", x, j}, {"w1", x, w}}, {"training", "epoch", "value"});
    BOOST_TEST(contains(svg, "data-y-scale=\"linear\""));
    const auto xt = ticks_of(svg, "x-axis");
    const auto yt = ticks_of(svg, "y-axis");
    check_even_spacing(xt);
    check_even_spacing(yt);
    // Labels say the values; the outer ticks cover the data.
    for (const auto& t : yt)
        BOOST_TEST(std::abs(std::stod(t.label) - t.value) < 1e-12, t.label);
    BOOST_TEST(yt.front().value <= -0.4);
    BOOST_TEST(yt.back().value >= 0.69);
    BOOST_TEST(xt.front().value <= 0);
    BOOST_TEST(xt.back().value >= 5);
    for (const auto& [name, ys] :
         {std::pair{std::string("J"), j}, std::pair{std::string("w1"), w}}) {
        const auto lines = lines_of(svg, name);
        BOOST_TEST_REQUIRE(lines.size() == 1u);
        BOOST_TEST_REQUIRE(lines[0].size() == x.size());
        for (std::size_t i = 0; i < x.size(); ++i) {
            BOOST_TEST(std::abs(lines[0][i].first - expected_position(xt, x[i], false)) < 0.02);
            BOOST_TEST(std::abs(lines[0][i].second - expected_position(yt, ys[i], false)) < 0.02);
        }
    }
    // The y axis grows upwards: the largest value is highest (smallest SVG y).
    BOOST_TEST(yt.back().position < yt.front().position);
    BOOST_TEST(contains(svg, ">J</text>"));
    BOOST_TEST(contains(svg, ">w1</text>"));
}

BOOST_AUTO_TEST_CASE(a_loss_falling_by_decades_is_drawn_on_a_log_axis) {
    const std::vector<double> x{0, 8, 16, 24, 32};
    const std::vector<double> j{2.5, 3e-2, 4e-4, 5e-6, 6e-8};
    const std::string svg = symgrad::svg_plot({{"J", x, j}}, {"objective", "epoch", "J"});
    BOOST_TEST(contains(svg, "data-y-scale=\"log\""));
    BOOST_TEST(contains(svg, "J (log scale)"));
    const auto yt = ticks_of(svg, "y-axis");
    check_even_spacing(yt);
    for (const auto& t : yt) // powers of ten
        BOOST_TEST(std::abs(std::log10(t.value) - std::round(std::log10(t.value))) < 1e-12);
    BOOST_TEST(yt.front().value <= 6e-8);
    BOOST_TEST(yt.back().value >= 2.5);
    const auto lines = lines_of(svg, "J");
    BOOST_TEST_REQUIRE(lines.size() == 1u);
    BOOST_TEST_REQUIRE(lines[0].size() == x.size());
    const auto xt = ticks_of(svg, "x-axis");
    for (std::size_t i = 0; i < x.size(); ++i) {
        BOOST_TEST(std::abs(lines[0][i].first - expected_position(xt, x[i], false)) < 0.02);
        BOOST_TEST(std::abs(lines[0][i].second - expected_position(yt, j[i], true)) < 0.02);
    }
}

BOOST_AUTO_TEST_CASE(a_value_that_is_not_finite_breaks_the_line) {
    const std::string svg =
        symgrad::svg_plot({{"w", {0, 1, 2, 3, 4}, {1, 2, NAN, 3, INFINITY}}}, {"", "epoch", "w"});
    const auto lines = lines_of(svg, "w");
    BOOST_TEST_REQUIRE(lines.size() == 2u);
    BOOST_TEST(lines[0].size() == 2u);
    BOOST_TEST(lines[1].size() == 1u);
    BOOST_TEST(!contains(svg, "nan"));
    BOOST_TEST(!contains(svg, "inf"));
}

BOOST_AUTO_TEST_CASE(epochs_get_whole_number_ticks_and_names_are_escaped) {
    const std::string svg =
        symgrad::svg_plot({{"a<b & \"c\"", {0, 1}, {1, 2}}}, {"t", "epoch", "y"});
    const auto xt = ticks_of(svg, "x-axis");
    for (const auto& t : xt)
        BOOST_TEST(t.value == std::round(t.value));
    BOOST_TEST(contains(svg, ">a&lt;b &amp; &quot;c&quot;</text>"));
    BOOST_TEST(!contains(svg, "a<b"));
}

BOOST_AUTO_TEST_CASE(many_series_wrap_the_legend_into_rows_inside_the_picture) {
    std::vector<plot_series> s;
    for (int k = 0; k < 14; ++k)
        s.push_back({"weight_" + std::to_string(k), {0, 1}, {0, static_cast<double>(k)}});
    const std::string svg = symgrad::svg_plot(s, {"weights", "epoch", "w"});
    const std::regex height("<svg[^>]* height=\"([0-9.]+)\"");
    std::smatch m;
    BOOST_TEST_REQUIRE(std::regex_search(svg, m, height));
    const double h = std::stod(m[1]);
    const std::regex entry("<g class=\"legend-entry\"><line x1=\"([0-9.]+)\" y1=\"([0-9.]+)\"");
    std::size_t n = 0;
    for (std::sregex_iterator it(svg.begin(), svg.end(), entry), e; it != e; ++it, ++n) {
        BOOST_TEST(std::stod((*it)[1]) + 24 <= 640);
        BOOST_TEST(std::stod((*it)[2]) < h);
    }
    BOOST_TEST(n == 14u);
    BOOST_TEST(contains(svg, "stroke-dasharray")); // the 11th series on repeats a colour
}

BOOST_AUTO_TEST_SUITE_END()
