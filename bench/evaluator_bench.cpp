// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
//
// How fast compiled gradients run, against a hand-written C++ gradient measured in the same run.
//
//   symgrad_evaluator_bench [--json] [--quick]
//
// Model: 8-16-16-3 sigmoid MLP with biases, softmax + cross-entropy, float64, N = 100,000
// samples (20,000 with --quick), full-batch gradient (sum over the samples). Baseline:
// bench/mlp_handwritten.cpp, compiled at run time with the native backend's compiler flags
// (flag for flag) by the C++ compiler. Measured, each as the best of several runs:
//   - ns/sample of the full-batch gradient: hand-written, native and batch interpreter, on one
//     and two threads, with the ratio to the hand-written time;
//   - the loss alone with the same backends (gradient cost / loss cost);
//   - one sample's 4-weight gradient of the seed 000 model, ns per call;
//   - compile latency: gradient program -> tape -> callable evaluator (interpreter, native with
//     an empty cache, native from the cache);
//   - what the numerics pass (stable_forms.hpp) costs: the tape as written against the stable
//     tape, same backend, same run.
#include "symgrad/compile/batch_evaluator.hpp"
#include "symgrad/compile/interpreter.hpp"
#include "symgrad/compile/native.hpp"
#include "symgrad/compile/tape.hpp"
#include "symgrad/train/model.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <dlfcn.h>
#include <spawn.h>
#include <sys/wait.h>

extern char** environ;

using namespace symgrad;
namespace fs = std::filesystem;

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point start) {
    return std::chrono::duration<double>(clock_type::now() - start).count();
}

/// The best time of @p runs runs of @p f, in seconds.
template <class F> double best_of(int runs, F&& f) {
    double best = 1e300;
    for (int r = 0; r < runs; ++r) {
        const auto start = clock_type::now();
        f();
        best = std::min(best, seconds_since(start));
    }
    return best;
}

struct private_directory {
    fs::path path;
    private_directory() {
        std::string name = (fs::temp_directory_path() / "symgrad-bench-XXXXXX").string();
        if (!::mkdtemp(name.data()))
            throw std::runtime_error("mkdtemp failed");
        path = name;
    }
    ~private_directory() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

/// Run a program with an argument vector (no shell); returns its exit status.
int run_program(const std::vector<std::string>& argv) {
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    if (::posix_spawnp(&pid, argv[0].c_str(), nullptr, nullptr, args.data(), environ) != 0)
        return -1;
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

using handwritten_gradient = void (*)(const double*, const double*, const double*, std::size_t,
                                      double*);
using handwritten_loss = double (*)(const double*, const double*, const double*, std::size_t);

struct baseline {
    void* handle = nullptr;
    handwritten_gradient gradient = nullptr;
    handwritten_loss loss = nullptr;
};

/// bench/mlp_handwritten.cpp compiled with the native backend's flags.
baseline compile_baseline(const fs::path& dir, const std::vector<std::string>& flags) {
    const std::string so = (dir / "libmlp_handwritten.so").string();
    std::vector<std::string> argv{"c++"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    for (const char* a : {"-std=c++17", "-fPIC", "-shared", "-o"})
        argv.emplace_back(a);
    argv.push_back(so);
    argv.push_back(std::string(SYMGRAD_SOURCE_DIR) + "/bench/mlp_handwritten.cpp");
    if (run_program(argv) != 0)
        throw std::runtime_error("cannot compile the hand-written baseline with c++");
    baseline b;
    b.handle = ::dlopen(so.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!b.handle)
        throw std::runtime_error(std::string("cannot load the baseline: ") + ::dlerror());
    b.gradient =
        reinterpret_cast<handwritten_gradient>(::dlsym(b.handle, "mlp_handwritten_gradient"));
    b.loss = reinterpret_cast<handwritten_loss>(::dlsym(b.handle, "mlp_handwritten_loss"));
    return b;
}

struct row {
    std::string what, backend;
    std::size_t threads = 1;
    double value = 0;
    std::string unit;
    double ratio = 0; // to the hand-written time, or gradient/loss; 0 when none
    std::string ratio_label;
};

row make_row(std::string what, std::string backend, std::size_t threads, double value,
             std::string unit, double ratio = 0, std::string ratio_label = "") {
    return {std::move(what), std::move(backend),    threads, value, std::move(unit),
            ratio,           std::move(ratio_label)};
}

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v)
        s += (s.empty() ? "" : " ") + x;
    return s;
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
            std::cerr << "usage: symgrad_evaluator_bench [--json] [--quick]\n";
            return 2;
        }
    }
    const std::size_t n = quick ? 20000 : 100000;
    const int runs = quick ? 3 : 7;
    std::vector<row> rows;

    // ---- the model and its compilation ------------------------------------------------------
    mlp_spec spec;
    spec.inputs = 8;
    spec.hidden = {16, 16};
    spec.hidden_activation = activation::sigmoid;
    spec.output = mlp_output::softmax_crossentropy;
    spec.outputs = 3;
    spec.biases = true;
    const model m = mlp(spec);
    auto start = clock_type::now();
    const gradient_program program = per_sample_program(m);
    const double program_s = seconds_since(start);
    start = clock_type::now();
    tape gradient_tape = compile_tape(program);
    const double tape_s = seconds_since(start);
    const tape loss_tape = compile_tape(program, program_outputs::loss);

    private_directory scratch;
    evaluator_options native_options;
    native_options.backend = backend_kind::native; // compiled before the clock starts
    native_options.native.cache_directory = (scratch.path / "cache").string();
    evaluator_options interpreter_options;
    interpreter_options.backend = backend_kind::interpreter;
    start = clock_type::now();
    const evaluator interpreted(gradient_tape, interpreter_options);
    const double interpreter_s = seconds_since(start);
    start = clock_type::now();
    const evaluator native(gradient_tape, native_options);
    const double native_cold_s = seconds_since(start);
    start = clock_type::now();
    const evaluator native_again(gradient_tape, native_options);
    const double native_warm_s = seconds_since(start);
    const bool have_native = native.backend() == backend_kind::native;
    if (!have_native)
        std::cerr << "no native backend: " << native.fallback_reason() << "\n";
    const evaluator native_loss(loss_tape, native_options);
    const evaluator interpreted_loss(loss_tape, interpreter_options);

    rows.push_back(
        make_row("compile: gradient program (model -> program)", "-", 1, program_s * 1e3, "ms"));
    rows.push_back(make_row("compile: tape (program -> tape)", "tape", 1, tape_s * 1e3, "ms"));
    rows.push_back(make_row("compile: tape + interpreter (program -> callable)", "interpreter", 1,
                            (tape_s + interpreter_s) * 1e3, "ms"));
    if (have_native) {
        rows.push_back(make_row("compile: tape + native, empty cache (program -> callable)",
                                "native", 1, (tape_s + native_cold_s) * 1e3, "ms"));
        rows.push_back(make_row("compile: tape + native, from the cache", "native", 1,
                                (tape_s + native_warm_s) * 1e3, "ms"));
    }

    // ---- data ------------------------------------------------------------------------------
    std::mt19937_64 rng(20260101);
    std::uniform_real_distribution<double> u(-1, 1);
    std::vector<double> w(gradient_tape.weight_count()), x(n * 8), y(n);
    for (auto& v : w)
        v = u(rng);
    for (auto& v : x)
        v = 2 * u(rng);
    for (auto& v : y)
        v = static_cast<double>(rng() % 3);
    const sample_view data{x.data(), y.data(), n};

    // ---- the baseline ----------------------------------------------------------------------
    const std::vector<std::string> flags = default_native_flags();
    const baseline hand = compile_baseline(scratch.path, flags);
    std::vector<double> hand_out(1 + w.size());
    const double hand_s =
        best_of(runs, [&] { hand.gradient(w.data(), x.data(), y.data(), n, hand_out.data()); });
    double hand_loss_value = 0;
    const double hand_loss_s =
        best_of(runs, [&] { hand_loss_value = hand.loss(w.data(), x.data(), y.data(), n); });
    const double per = 1e9 / static_cast<double>(n);
    rows.push_back(make_row("full-batch gradient", "handwritten", 1, hand_s * per, "ns/sample", 1.0,
                            "x handwritten"));

    // ---- compiled backends -----------------------------------------------------------------
    batch_result check;
    auto measure = [&](const evaluator& e, std::size_t threads) {
        return best_of(runs, [&] { check = e.sum(w.data(), data, threads); });
    };
    double max_difference = 0;
    std::vector<std::pair<const evaluator*, std::string>> backends{{&interpreted, "interpreter"}};
    if (have_native)
        backends.insert(backends.begin(), {&native, "native"});
    for (const auto& [e, name] : backends) {
        for (std::size_t threads : {1u, 2u}) {
            const double s = measure(*e, threads);
            rows.push_back(make_row("full-batch gradient", name, threads, s * per, "ns/sample",
                                    s / hand_s, "x handwritten"));
            for (std::size_t k = 0; k < hand_out.size(); ++k)
                max_difference =
                    std::max(max_difference, std::abs(check.sums[k] - hand_out[k]) /
                                                 std::max(1e-300, std::abs(hand_out[k])));
        }
    }
    // What the numerics pass costs: the same program compiled as written, without the stable
    // forms (stable_forms.hpp), against the stable tape measured above, one thread.
    {
        const tape as_written =
            compile_tape(program, program_outputs::loss_and_gradient, numerics::as_written);
        std::vector<std::pair<std::unique_ptr<evaluator>, std::string>> plain;
        if (have_native)
            plain.emplace_back(std::make_unique<evaluator>(as_written, native_options), "native");
        plain.emplace_back(std::make_unique<evaluator>(as_written, interpreter_options),
                           "interpreter");
        for (const auto& [e, name] : plain) {
            const evaluator& stable = name == "native" ? native : interpreted;
            const double before = measure(*e, 1);
            const double after = measure(stable, 1);
            rows.push_back(make_row("full-batch gradient, as written (no numerics pass)", name, 1,
                                    before * per, "ns/sample"));
            rows.push_back(make_row("full-batch gradient, stable forms (numerics pass)", name, 1,
                                    after * per, "ns/sample", after / before, "x as written"));
        }
    }
    // Gradient cost over loss cost, same backend, one thread.
    rows.push_back(make_row("loss only", "handwritten", 1, hand_loss_s * per, "ns/sample",
                            hand_s / hand_loss_s, "gradient/loss"));
    std::vector<std::pair<const evaluator*, const evaluator*>> pairs{
        {&interpreted, &interpreted_loss}};
    std::vector<std::string> pair_names{"interpreter"};
    if (have_native) {
        pairs.insert(pairs.begin(), {&native, &native_loss});
        pair_names.insert(pair_names.begin(), "native");
    }
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        const double g = measure(*pairs[i].first, 1);
        const double l = measure(*pairs[i].second, 1);
        rows.push_back(
            make_row("loss only", pair_names[i], 1, l * per, "ns/sample", g / l, "gradient/loss"));
    }

    // ---- one sample of the seed 000 model --------------------------------------------------
    const gradient_program seed = per_sample_program(seed000_softmax_classifier());
    const tape seed_tape = compile_tape(seed);
    const evaluator seed_native(seed_tape, native_options);
    const evaluator seed_interpreted(seed_tape, interpreter_options);
    const int calls = quick ? 200000 : 1000000;
    std::vector<double> xs(1024), ys(1024);
    for (std::size_t i = 0; i < xs.size(); ++i) {
        xs[i] = 3 * u(rng);
        ys[i] = static_cast<double>(i % 2);
    }
    const double sw[4] = {0.1, -0.2, 0.3, 0.05};
    double out[5], sink = 0;
    auto per_call = [&](const evaluator& e) {
        return best_of(runs,
                       [&] {
                           for (int c = 0; c < calls; ++c) {
                               const std::size_t i = static_cast<std::size_t>(c) & 1023;
                               e.point(sw, &xs[i], &ys[i], out);
                               sink += out[1];
                           }
                       }) *
               1e9 / calls;
    };
    if (seed_native.backend() == backend_kind::native)
        rows.push_back(make_row("seed 000: one sample's 4-weight gradient", "native", 1,
                                per_call(seed_native), "ns/call"));
    rows.push_back(make_row("seed 000: one sample's 4-weight gradient", "interpreter", 1,
                            per_call(seed_interpreted), "ns/call"));
    {
        std::vector<double> registers(seed_tape.register_count());
        const double s = best_of(runs, [&] {
            for (int c = 0; c < calls; ++c) {
                const std::size_t i = static_cast<std::size_t>(c) & 1023;
                run_point(seed_tape, sw, &xs[i], &ys[i], registers.data(), out);
                sink += out[1];
            }
        });
        rows.push_back(make_row("seed 000: one sample's 4-weight gradient (run_point, unchecked)",
                                "interpreter", 1, s * 1e9 / calls, "ns/call"));
    }

    // ---- report ----------------------------------------------------------------------------
    const std::string model_text = fmt::format(
        "{}; N = {}; tape {} instructions ({} for the loss alone); flags: {} (hand-written); "
        "native adds -ffp-contract=off and -fno-builtin-exp etc. (the interpreter's bits)",
        m.description, n, gradient_tape.instructions().size(), loss_tape.instructions().size(),
        join(flags));
    if (json) {
        for (const auto& r : rows) {
            nlohmann::json j;
            j["benchmark"] = "evaluator";
            j["measurement"] = r.what;
            j["backend"] = r.backend;
            j["threads"] = r.threads;
            std::string unit = r.unit;
            for (auto& ch : unit)
                if (ch == '/')
                    ch = '_';
            j[unit == "ms" ? "ms" : (unit == "ns_sample" ? "ns_per_sample" : "ns_per_call")] =
                r.value;
            if (r.ratio > 0)
                j[r.ratio_label == "gradient/loss"  ? "gradient_over_loss_ratio"
                  : r.ratio_label == "x as written" ? "ratio_to_as_written"
                                                    : "ratio_to_handwritten"] = r.ratio;
            j["samples"] = n;
            j["model"] = m.description;
            j["flags"] = join(flags);
            std::cout << j.dump() << "\n";
        }
        nlohmann::json j;
        j["benchmark"] = "evaluator";
        j["measurement"] = "agreement with the hand-written gradient";
        j["max_relative_difference"] = max_difference;
        std::cout << j.dump() << "\n";
        return sink == 12345.678 ? 1 : 0;
    }
    std::cout << model_text << "\n\n";
    std::cout << fmt::format("{:<66} {:>12} {:>3} {:>12}  {}\n", "measurement", "backend", "thr",
                             "value", "ratio");
    for (const auto& r : rows) {
        std::string ratio = r.ratio > 0 ? fmt::format("{:.2f} {}", r.ratio, r.ratio_label) : "";
        std::cout << fmt::format("{:<66} {:>12} {:>3} {:>9.1f} {:<9} {}\n", r.what, r.backend,
                                 r.threads, r.value, r.unit, ratio);
    }
    std::cout << fmt::format(
        "\nlargest relative difference from the hand-written gradient: {:.2e}\n", max_difference);
    return sink == 12345.678 ? 1 : 0;
}
