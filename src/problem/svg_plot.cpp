// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/problem/svg_plot.hpp"

#include "symgrad/core/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace symgrad {

namespace {

std::string format(const char* spec, double v) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, spec, v);
    return buffer;
}

/// Pixel coordinates with two decimals: the same bytes on every run.
std::string px(double v) {
    std::string s = format("%.2f", v);
    return s == "-0.00" ? "0.00" : s;
}

/// Tableau 10: told apart by most readers with a colour vision deficiency; beyond ten series the
/// colours repeat with a dash pattern.
constexpr const char* palette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                   "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
constexpr const char* dashes[] = {"", "6 3", "2 2", "8 3 2 3"};

/// An axis from its outer ticks: value to pixel.
struct axis {
    double lo = 0, hi = 1;
    bool log = false;
    double from = 0, to = 1; // pixels of lo and hi

    double position(double v) const {
        const double t = log ? (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo))
                             : (v / 2 - lo / 2) / (hi / 2 - lo / 2); // halves: no overflow
        return from + t * (to - from);
    }
};

bool usable(double v, bool log) {
    return std::isfinite(v) && (!log || v > 0);
}

/// The label of a power of ten on a log axis: fixed notation from 0.001 to 100000, else 1e-6.
std::string power_label(double value) {
    const int e = static_cast<int>(std::lround(std::log10(value)));
    if (e >= -3 && e <= 5)
        return format(("%." + std::to_string(std::max(0, -e)) + "f").c_str(), value);
    return "1e" + std::to_string(e);
}

} // namespace

std::vector<double> linear_ticks(double lo, double hi, std::size_t target) {
    if (!std::isfinite(lo) || !std::isfinite(hi) || lo > hi)
        throw invalid_input("linear_ticks: the range must be finite with lo <= hi, got [" +
                            format("%.17g", lo) + ", " + format("%.17g", hi) + "]");
    // A range too narrow for its magnitude to tell ticks apart (a weight that moves by 1e-12
    // around 1e4) is drawn as a constant: a range around it.
    if (hi - lo <= std::max(std::abs(lo), std::abs(hi)) * 1e-9) {
        const double centre = lo / 2 + hi / 2;
        const double d = centre == 0 ? 1 : std::abs(centre) * 0.1;
        lo = centre - d;
        hi = centre + d;
    }
    if (!std::isfinite(hi - lo)) // beyond the doubles (a diverging weight): the ends alone
        return {lo, hi};
    const double raw = (hi - lo) / static_cast<double>(std::max<std::size_t>(target, 2) - 1);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    const double f = raw / magnitude;
    const double step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude;
    // A tolerance of a millionth of a step keeps lo = 0.3 (stored as 0.29999...) at tick 0.3.
    const double first = std::floor(lo / step + 1e-6);
    const double last = std::ceil(hi / step - 1e-6);
    std::vector<double> ticks;
    for (double k = first; k <= last; ++k) {
        const double v = k * step;
        ticks.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
    }
    return ticks;
}

std::vector<double> log_ticks(double lo, double hi) {
    if (!(lo > 0) || !std::isfinite(hi) || lo > hi)
        throw invalid_input("log_ticks: the range must satisfy 0 < lo <= hi, got [" +
                            format("%.17g", lo) + ", " + format("%.17g", hi) + "]");
    const int a = static_cast<int>(std::floor(std::log10(lo) + 1e-9));
    int b = static_cast<int>(std::ceil(std::log10(hi) - 1e-9));
    if (b <= a)
        b = a + 1;
    const int every = (b - a + 7) / 8;
    b = a + every * ((b - a + every - 1) / every);
    std::vector<double> ticks;
    for (int e = a; e <= b; e += every)
        ticks.push_back(std::pow(10.0, e));
    return ticks;
}

bool log_scale_fits(const std::vector<plot_series>& series) {
    double lo = std::numeric_limits<double>::infinity(), hi = 0;
    for (const auto& s : series)
        for (double y : s.y) {
            if (!std::isfinite(y))
                continue;
            if (y <= 0)
                return false;
            lo = std::min(lo, y);
            hi = std::max(hi, y);
        }
    return hi > 0 && hi >= 100 * lo;
}

std::string tick_label(double value, double step) {
    if (std::abs(value) <= std::abs(step) * 1e-9)
        return "0";
    const int v_exp = static_cast<int>(std::floor(std::log10(std::abs(value)) + 1e-9));
    const int s_exp = static_cast<int>(std::floor(std::log10(std::abs(step)) + 1e-9));
    if (std::abs(value) >= 1e6 || std::abs(value) < 1e-4) {
        const int digits = std::max(0, v_exp - s_exp);
        return format(("%." + std::to_string(digits) + "e").c_str(), value);
    }
    // As many decimals as the step has (0.25 needs two, 0.5 one).
    int decimals = std::max(0, -s_exp);
    while (decimals < 12) {
        const double scaled = std::abs(step) * std::pow(10.0, decimals);
        if (std::abs(scaled - std::round(scaled)) <= 1e-6 * scaled)
            break;
        ++decimals;
    }
    return format(("%." + std::to_string(decimals) + "f").c_str(), value);
}

std::string svg_plot(const std::vector<plot_series>& series, const plot_options& o) {
    // The data's range, over the points that can be drawn.
    const bool log = o.y_scale == axis_scale::log ||
                     (o.y_scale == axis_scale::automatic && log_scale_fits(series));
    double x_lo = std::numeric_limits<double>::infinity(), x_hi = -x_lo;
    double y_lo = x_lo, y_hi = -x_lo;
    bool integer_x = true;
    for (const auto& s : series)
        for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
            if (!std::isfinite(s.x[i]) || !usable(s.y[i], log))
                continue;
            x_lo = std::min(x_lo, s.x[i]);
            x_hi = std::max(x_hi, s.x[i]);
            y_lo = std::min(y_lo, s.y[i]);
            y_hi = std::max(y_hi, s.y[i]);
            integer_x = integer_x && s.x[i] == std::floor(s.x[i]);
        }
    if (x_lo > x_hi) { // nothing to draw: an empty frame
        x_lo = 0;
        x_hi = 1;
        y_lo = log ? 1 : 0;
        y_hi = log ? 10 : 1;
    }
    std::vector<double> x_ticks = linear_ticks(x_lo, x_hi, 8);
    if (integer_x && x_ticks.size() > 1 && x_ticks[1] - x_ticks[0] < 1) {
        x_ticks.clear(); // epochs: whole numbers only
        for (double k = std::floor(x_lo) - (x_lo == x_hi); k <= std::ceil(x_hi) + (x_lo == x_hi);
             ++k)
            x_ticks.push_back(k);
    }
    const std::vector<double> y_ticks = log ? log_ticks(y_lo, y_hi) : linear_ticks(y_lo, y_hi, 6);

    // Layout: title above, y tick labels on the left, x labels below, then the legend's rows.
    const double left = 70, right = 16, top = o.title.empty() ? 12 : 30, bottom = 44;
    const double plot_w = o.width - left - right, plot_h = o.height - top - bottom;
    const axis ax{x_ticks.front(), x_ticks.back(), false, left, left + plot_w};
    const axis ay{y_ticks.front(), y_ticks.back(), log, top + plot_h, top};

    const double entry_w = [&] {
        std::size_t longest = 1;
        for (const auto& s : series)
            longest = std::max(longest, s.name.size());
        return 34 + 7.0 * static_cast<double>(longest);
    }();
    const std::size_t per_row =
        std::max<std::size_t>(1, static_cast<std::size_t>((o.width - left) / entry_w));
    const std::size_t legend_rows = (series.size() + per_row - 1) / per_row;
    const double height = o.height + 18.0 * static_cast<double>(legend_rows);

    std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"symgrad-plot\" width=\"" +
                      std::to_string(o.width) + "\" height=\"" + px(height) + "\" viewBox=\"0 0 " +
                      std::to_string(o.width) + " " + px(height) + "\" data-y-scale=\"" +
                      (log ? "log" : "linear") +
                      "\" font-family=\"sans-serif\" font-size=\"11\" role=\"img\" aria-label=\"" +
                      xml_escape(o.title) + "\">\n";
    svg += "<title>" + xml_escape(o.title) + "</title>\n";
    svg += "<rect class=\"frame\" x=\"" + px(left) + "\" y=\"" + px(top) + "\" width=\"" +
           px(plot_w) + "\" height=\"" + px(plot_h) + "\" fill=\"#fff\" stroke=\"#888\"/>\n";
    if (!o.title.empty())
        svg += "<text class=\"title\" x=\"" + px(left + plot_w / 2) +
               "\" y=\"18\" text-anchor=\"middle\" font-size=\"13\">" + xml_escape(o.title) +
               "</text>\n";

    // Ticks: a grid line across the plot, a mark outside it and the label.
    svg += "<g class=\"x-axis\">\n";
    const double x_step = x_ticks.size() > 1 ? x_ticks[1] - x_ticks[0] : 1;
    for (double t : x_ticks) {
        const std::string p = px(ax.position(t));
        svg += "<g class=\"tick\" data-value=\"" + format("%.17g", t) + "\"><line x1=\"" + p +
               "\" y1=\"" + px(top) + "\" x2=\"" + p + "\" y2=\"" + px(top + plot_h + 4) +
               "\" stroke=\"#e4e4e4\"/><text x=\"" + p + "\" y=\"" + px(top + plot_h + 16) +
               "\" text-anchor=\"middle\">" + tick_label(t, x_step) + "</text></g>\n";
    }
    svg += "<text class=\"label\" x=\"" + px(left + plot_w / 2) + "\" y=\"" +
           px(top + plot_h + 34) + "\" text-anchor=\"middle\">" + xml_escape(o.x_label) +
           "</text>\n</g>\n<g class=\"y-axis\">\n";
    const double y_step = y_ticks.size() > 1 ? y_ticks[1] - y_ticks[0] : 1;
    for (double t : y_ticks) {
        const std::string p = px(ay.position(t));
        svg += "<g class=\"tick\" data-value=\"" + format("%.17g", t) + "\"><line x1=\"" +
               px(left - 4) + "\" y1=\"" + p + "\" x2=\"" + px(left + plot_w) + "\" y2=\"" + p +
               "\" stroke=\"#e4e4e4\"/><text x=\"" + px(left - 7) + "\" y=\"" +
               px(ay.position(t) + 4) + "\" text-anchor=\"end\">" +
               (log ? power_label(t) : tick_label(t, y_step)) + "</text></g>\n";
    }
    svg += "<text class=\"label\" transform=\"translate(14 " + px(top + plot_h / 2) +
           ") rotate(-90)\" text-anchor=\"middle\">" + xml_escape(o.y_label) +
           (log ? " (log scale)" : "") + "</text>\n</g>\n";

    // The curves: one polyline per run of drawable points, and a dot on each point when there
    // are few (a one-epoch run is a single segment).
    for (std::size_t k = 0; k < series.size(); ++k) {
        const auto& s = series[k];
        const std::string colour = palette[k % 10];
        const std::string dash = dashes[(k / 10) % 4];
        svg += "<g class=\"series\" data-name=\"" + xml_escape(s.name) + "\" stroke=\"" + colour +
               "\"" + (dash.empty() ? "" : " stroke-dasharray=\"" + dash + "\"") + ">\n";
        const std::size_t n = std::min(s.x.size(), s.y.size());
        std::string points, dots;
        auto flush = [&] {
            if (!points.empty())
                svg += "<polyline fill=\"none\" stroke-width=\"1.8\" points=\"" + points + "\"/>\n";
            points.clear();
        };
        for (std::size_t i = 0; i < n; ++i) {
            if (!std::isfinite(s.x[i]) || !usable(s.y[i], log)) {
                flush();
                continue;
            }
            const std::string xy = px(ax.position(s.x[i])) + "," + px(ay.position(s.y[i]));
            points += (points.empty() ? "" : " ") + xy;
            if (n <= 60)
                dots += "<circle r=\"2.5\" cx=\"" + px(ax.position(s.x[i])) + "\" cy=\"" +
                        px(ay.position(s.y[i])) + "\" fill=\"" + colour + "\"/>";
        }
        flush();
        if (!dots.empty())
            svg += "<g class=\"points\" stroke=\"none\">" + dots + "</g>\n";
        svg += "</g>\n";
    }

    svg += "<g class=\"legend\">\n";
    for (std::size_t k = 0; k < series.size(); ++k) {
        const double x = left + entry_w * static_cast<double>(k % per_row);
        const double y = o.height + 18.0 * static_cast<double>(k / per_row) + 4;
        const std::string dash = dashes[(k / 10) % 4];
        svg += "<g class=\"legend-entry\"><line x1=\"" + px(x) + "\" y1=\"" + px(y) + "\" x2=\"" +
               px(x + 24) + "\" y2=\"" + px(y) + "\" stroke=\"" + palette[k % 10] +
               "\" stroke-width=\"2.5\"" +
               (dash.empty() ? "" : " stroke-dasharray=\"" + dash + "\"") + "/><text x=\"" +
               px(x + 29) + "\" y=\"" + px(y + 4) + "\">" + xml_escape(series[k].name) +
               "</text></g>\n";
    }
    svg += "</g>\n</svg>\n";
    return svg;
}

std::string xml_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

} // namespace symgrad
