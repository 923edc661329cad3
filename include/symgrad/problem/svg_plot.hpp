// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file svg_plot.hpp
/// Line plots as standalone SVG text (training curves: the objective and each weight per
/// epoch), with axes, ticks, a legend and a logarithmic y axis when the values span a wide
/// positive range. The text depends only on the data and the options (same input, same bytes).
///
///   plot_series j{"J", {0, 1, 2}, {0.69, 0.41, 0.30}};
///   std::string svg = svg_plot({j}, plot_options{"objective", "epoch", "J"});
///
/// Layout: the plot area is a rectangle; a value v on a linear axis from lo to hi lands at
///   px = left + (v - lo) / (hi - lo) * width
/// and on a log axis at left + (log10 v - log10 lo) / (log10 hi - log10 lo) * width (y grows
/// downwards in SVG, so the y axis maps lo to the bottom). The axis ends are the outer ticks.

#include <cstddef>
#include <string>
#include <vector>

namespace symgrad {

/// One curve: points (x_i, y_i). Non-finite values (and, on a log axis, values <= 0) break the
/// line there instead of being drawn.
struct plot_series {
    std::string name;
    std::vector<double> x, y;
};

enum class axis_scale { automatic, linear, log };

struct plot_options {
    std::string title;
    std::string x_label = "epoch";
    std::string y_label;
    /// Width and height of the plot with its axes' labels, in CSS pixels; each row of the
    /// legend adds 18 below. (The SVG scales down to its container through its viewBox.)
    int width = 640;
    int height = 300;
    /// automatic: log when log_scale_fits(), else linear.
    axis_scale y_scale = axis_scale::automatic;
};

/// Round tick values covering [lo, hi]: multiples of a step of 1, 2 or 5 times a power of ten,
/// about @p target of them, the first <= lo and the last >= hi. lo == hi (or a range below a
/// billionth of the values) gets a range around it; a range wider than the largest double, the
/// two ends alone. Throws invalid_input for non-finite bounds or lo > hi.
std::vector<double> linear_ticks(double lo, double hi, std::size_t target = 6);

/// Powers of ten from 10^floor(log10 lo) to 10^ceil(log10 hi) (every k-th power when there are
/// more than 8). Throws invalid_input unless 0 < lo <= hi, both finite.
std::vector<double> log_ticks(double lo, double hi);

/// Whether a log y axis shows the series better: every finite y is positive and the largest is
/// at least 100 times the smallest (a loss falling by orders of magnitude).
bool log_scale_fits(const std::vector<plot_series>& series);

/// A tick's label: the shortest of fixed or exponent notation that tells ticks @p step apart
/// ("0.25", "1500", "1e-06"); "0" for values within step/1e9 of zero.
std::string tick_label(double value, double step);

/// The plot as an <svg> element (no XML declaration, so it can be inlined in HTML; add one
/// for a standalone file). Series with no finite point still get a legend entry.
std::string svg_plot(const std::vector<plot_series>& series, const plot_options& options);

/// @p text with & < > " ' as character references, for XML and HTML text and attribute values.
std::string xml_escape(const std::string& text);

} // namespace symgrad
