// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
//
// 10^6 SGD steps on seed 000's softmax classifier (z0 = w1 x + w3, z1 = w2 x + w4,
// cross-entropy), 1000 rows x 1000 epochs, rate 0.01, batch 1, rows in the given order: the
// trainer on the native and the interpreter backends, against a hand-written C++ loop with the
// gradient typed in ((p_k - [y = k]) x and p_k - [y = k]), measured in the same run (each the
// best of 3). Also 10^6 per-sample gradients as full-batch gradient descent (1000 epochs over
// the same rows). The final weights of the trainer and the loop are compared as a check.
// Usage: symgrad_trainer_bench [--json]
#include "symgrad/train/model.hpp"
#include "symgrad/train/trainer.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

constexpr std::size_t rows = 1000;
constexpr std::size_t epochs = 1000;
constexpr double rate = 0.01;

struct data_rows {
    std::vector<double> x, y;
};

data_rows make_rows() {
    std::mt19937_64 rng(573071);
    std::uniform_real_distribution<double> u(-3, 3);
    data_rows d;
    for (std::size_t i = 0; i < rows; ++i) {
        const double x = u(rng);
        d.x.push_back(x);
        // mostly separable, with some label noise
        d.y.push_back((x > 0.3) != (u(rng) > 2.4) ? 1 : 0);
    }
    return d;
}

/// The hand-written loop: SGD with the gradient of -log softmax_y(z0, z1) typed in.
std::vector<double> hand_sgd(const data_rows& d, std::size_t n_epochs) {
    double w1 = 0, w2 = 0, w3 = 0, w4 = 0;
    for (std::size_t e = 0; e < n_epochs; ++e)
        for (std::size_t i = 0; i < rows; ++i) {
            const double x = d.x[i];
            const double z0 = w1 * x + w3, z1 = w2 * x + w4;
            const double p1 = 1 / (1 + std::exp(z0 - z1)); // softmax_1 = sigmoid(z1 - z0)
            const double p0 = 1 - p1;
            const double g0 = p0 - (d.y[i] == 0 ? 1 : 0), g1 = p1 - (d.y[i] == 1 ? 1 : 0);
            w1 -= rate * g0 * x;
            w2 -= rate * g1 * x;
            w3 -= rate * g0;
            w4 -= rate * g1;
        }
    return {w1, w2, w3, w4};
}

struct measurement {
    std::string name;
    std::size_t steps = 0;
    double seconds = 0;
    std::vector<double> weights;
};

template <class F> measurement best_of(const std::string& name, std::size_t steps, F&& f) {
    measurement m{name, steps, 1e300, {}};
    for (int k = 0; k < 3; ++k) {
        const auto t0 = clock_type::now();
        m.weights = f();
        const double s = std::chrono::duration<double>(clock_type::now() - t0).count();
        m.seconds = std::min(m.seconds, s);
    }
    return m;
}

} // namespace

int main(int argc, char** argv) {
    const bool json = argc > 1 && std::strcmp(argv[1], "--json") == 0;
    const data_rows d = make_rows();
    const symgrad::model m = symgrad::seed000_softmax_classifier();
    symgrad::dataset data = symgrad::dataset_for(m);
    for (std::size_t i = 0; i < rows; ++i)
        data.add_row({GiNaC::numeric(d.x[i]), GiNaC::numeric(static_cast<long>(d.y[i]))});
    const std::vector<GiNaC::numeric> start(4, 0);

    auto trainer_run = [&](symgrad::method method, symgrad::backend_kind backend) {
        symgrad::train_options o;
        o.optimizer.kind = method;
        o.optimizer.rate = GiNaC::numeric(1, 100);
        o.epochs = epochs;
        o.table.every = 0; // the last epoch only
        o.evaluator.backend = backend;
        o.evaluator.notice = [](const std::string&) {};
        return [&data, &m, &start, o] {
            const symgrad::train_result r = symgrad::train(m, data, start, o);
            std::vector<double> w;
            for (const auto& v : r.weights)
                w.push_back(v.to_double());
            return w;
        };
    };

    // Warm the native cache (compiling C is setup, not training).
    trainer_run(symgrad::method::sgd, symgrad::backend_kind::native)();

    std::vector<measurement> ms;
    ms.push_back(
        best_of("hand-written C++ loop, SGD", rows * epochs, [&] { return hand_sgd(d, epochs); }));
    ms.push_back(best_of("trainer, SGD, native", rows * epochs,
                         trainer_run(symgrad::method::sgd, symgrad::backend_kind::native)));
    ms.push_back(best_of("trainer, SGD, interpreter", rows * epochs,
                         trainer_run(symgrad::method::sgd, symgrad::backend_kind::interpreter)));
    ms.push_back(best_of("trainer, full-batch GD, native", rows * epochs,
                         trainer_run(symgrad::method::gd, symgrad::backend_kind::native)));

    const double baseline = ms[0].seconds;
    double worst_difference = 0;
    for (std::size_t k = 1; k < 3; ++k)
        for (std::size_t i = 0; i < 4; ++i)
            worst_difference =
                std::max(worst_difference, std::fabs(ms[k].weights[i] - ms[0].weights[i]));

    if (json) {
        for (const auto& x : ms)
            fmt::print("{}\n", nlohmann::json{{"benchmark", "trainer"},
                                              {"name", x.name},
                                              {"sample_gradients", x.steps},
                                              {"time_s", x.seconds},
                                              {"steps_per_s", x.steps / x.seconds},
                                              {"time_ratio_to_hand_loop", x.seconds / baseline}}
                                   .dump());
        fmt::print("{}\n", nlohmann::json{{"benchmark", "trainer"},
                                          {"name", "agreement with the hand-written loop"},
                                          {"max_weight_difference", worst_difference}}
                               .dump());
        return 0;
    }
    fmt::print("seed 000 softmax classifier, {} rows x {} epochs = {} sample gradients, "
               "rate {}\n\n",
               rows, epochs, rows * epochs, rate);
    fmt::print("{:<34} {:>10} {:>16} {:>12}\n", "run", "time (s)", "steps/s", "x hand loop");
    for (const auto& x : ms)
        fmt::print("{:<34} {:>10.4f} {:>16.0f} {:>12.2f}\n", x.name, x.seconds, x.steps / x.seconds,
                   x.seconds / baseline);
    fmt::print("\nfinal weights, hand loop: {:.12f} {:.12f} {:.12f} {:.12f}\n", ms[0].weights[0],
               ms[0].weights[1], ms[0].weights[2], ms[0].weights[3]);
    fmt::print("largest difference of the trainer's SGD weights from the hand loop: {:.3g}\n",
               worst_difference);
    fmt::print("target: 10^6 SGD steps in under 0.5 s: {}\n",
               ms[1].seconds < 0.5 ? "met" : "NOT met");
    return 0;
}
