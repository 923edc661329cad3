// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
//
// How big and how fast gradient programs are, against GiNaC's ex::diff as the baseline.
//
//   symgrad_gradient_program_bench [--json] [--quick]
//
// For sigmoid MLPs (inputs = width, one linear output with MSE, or 10 softmax classes) of
// several depths and widths it measures, on one thread: the time to build the loss, the time
// to build the full gradient program, the loss's operation count, the program's operation count
// (see operation_count.hpp for how operations are counted) and their ratio. For small networks
// it also times ex::diff of every partial (the baseline) and the printed size of one partial.
#include "symgrad/program/gradient_program.hpp"
#include "symgrad/program/operation_count.hpp"
#include "symgrad/train/model.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

using namespace symgrad;

namespace {

using clock_type = std::chrono::steady_clock;

double ms_since(clock_type::time_point start) {
    return std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
}

/// The best of several runs of @p f (at least 3, more while the total stays under 0.3 s).
template <class F> double best_ms(F&& f) {
    double best = 1e300, total = 0;
    for (int run = 0; run < 30 && (run < 3 || total < 300); ++run) {
        const auto start = clock_type::now();
        f();
        const double t = ms_since(start);
        best = std::min(best, t);
        total += t;
    }
    return best;
}

struct measurement {
    std::string description;
    std::size_t depth = 0, width = 0, weights = 0;
    std::size_t loss_ops = 0, program_ops = 0, assignments = 0;
    double model_build_ms = 0, program_build_ms = 0;
    std::optional<double> diff_ms;         // all partials by ex::diff
    std::optional<double> diff_tree_nodes; // tree_size of dL/dW1_11 by diff
};

measurement measure(std::size_t depth, std::size_t width, mlp_output output, bool with_diff) {
    mlp_spec spec;
    spec.inputs = width;
    spec.hidden.assign(depth, width);
    spec.output = output;
    spec.outputs = output == mlp_output::softmax_crossentropy ? 10 : 1;
    measurement r;
    r.depth = depth;
    r.width = width;
    r.model_build_ms = best_ms([&] { (void)mlp(spec); });
    const model m = mlp(spec);
    r.description = m.description;
    r.weights = m.weights.size();
    r.loss_ops = operation_count(m.loss);
    r.program_build_ms = best_ms([&] { (void)per_sample_program(m); });
    const gradient_program p = per_sample_program(m);
    r.program_ops = p.operation_count();
    r.assignments = p.forward().size() + p.backward().size();
    if (with_diff) {
        r.diff_ms = best_ms([&] {
            for (const auto& w : m.weights)
                (void)m.loss.diff(GiNaC::ex_to<GiNaC::symbol>(w));
        });
        r.diff_tree_nodes = tree_size(m.loss.diff(GiNaC::ex_to<GiNaC::symbol>(m.weights.front())));
    }
    return r;
}

nlohmann::json to_json(const measurement& r) {
    nlohmann::json j{{"model", r.description},
                     {"depth", r.depth},
                     {"width", r.width},
                     {"weights", r.weights},
                     {"loss_operations", r.loss_ops},
                     {"program_operations", r.program_ops},
                     {"program_to_loss_operations_ratio",
                      static_cast<double>(r.program_ops) / static_cast<double>(r.loss_ops)},
                     {"program_assignments", r.assignments},
                     {"model_build_ms", r.model_build_ms},
                     {"program_build_ms", r.program_build_ms}};
    if (r.diff_ms) {
        j["diff_all_partials_ms"] = *r.diff_ms;
        j["diff_first_partial_tree_nodes"] = *r.diff_tree_nodes;
        j["diff_to_program_time_ratio"] = *r.diff_ms / r.program_build_ms;
    }
    return j;
}

} // namespace

int main(int argc, char** argv) {
    bool json = false, quick = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--json") == 0)
            json = true;
        else if (std::strcmp(argv[i], "--quick") == 0)
            quick = true;
        else {
            std::cerr << "usage: " << argv[0] << " [--json] [--quick]\n";
            return 2;
        }
    }
    struct config {
        std::size_t depth, width;
        mlp_output output;
        bool diff;
    };
    std::vector<config> configs;
    for (std::size_t depth : {1, 2, 3, 4})
        configs.push_back({depth, 4, mlp_output::linear_mse, true});
    for (std::size_t width : {4, 8, 16, 32})
        for (std::size_t depth : {1, 2, 4, 8})
            if (!quick || width * depth <= 64)
                configs.push_back({depth, width, mlp_output::linear_mse, false});
    configs.push_back({8, 32, mlp_output::softmax_crossentropy, false});

    // Wide enough for "32-32-32-32-32-32-32-32-32-10 sigmoid MLP, softmax output, cross-entropy".
    const std::size_t name_width = 72;
    if (!json) {
        fmt::print("Gradient programs of sigmoid MLPs (one thread). ops: operation_count; "
                   "ratio: program ops / loss ops.\n");
        fmt::print("Baseline: GiNaC ex::diff of every partial (depth <= 4, width 4); "
                   "diff/program: how many times slower diff is than building the program.\n\n");
        fmt::print("{:<{}} {:>7} {:>8} {:>9} {:>6} {:>8} {:>11} {:>12} {:>10} {:>12} {:>13}\n",
                   "model", name_width, "weights", "loss ops", "prog ops", "ratio", "assigns",
                   "model [ms]", "program [ms]", "diff [ms]", "diff/program", "diff partial");
    }
    for (const auto& c : configs) {
        const measurement r = measure(c.depth, c.width, c.output, c.diff);
        if (json) {
            std::cout << to_json(r).dump() << "\n";
            continue;
        }
        fmt::print("{:<{}} {:>7} {:>8} {:>9} {:>6.2f} {:>8} {:>11.3f} {:>12.3f} {:>10} {:>12} "
                   "{:>13}\n",
                   r.description, name_width, r.weights, r.loss_ops, r.program_ops,
                   static_cast<double>(r.program_ops) / static_cast<double>(r.loss_ops),
                   r.assignments, r.model_build_ms, r.program_build_ms,
                   r.diff_ms ? fmt::format("{:.3f}", *r.diff_ms) : "-",
                   r.diff_ms ? fmt::format("{:.1f}x", *r.diff_ms / r.program_build_ms) : "-",
                   r.diff_tree_nodes ? fmt::format("{:.0f} nodes", *r.diff_tree_nodes) : "-");
    }
    return 0;
}
