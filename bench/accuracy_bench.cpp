// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
//
// How accurate double evaluation is: every ML function and its derivative, and the full
// gradients of the seed model and of MLPs with large weights, in ulps against CLN at 60 digits.
//
//   symgrad_accuracy_bench [--json]
//
// Backends: the tape interpreter and native code (the stable forms of stable_forms.hpp), the
// interpreter on the tape as written (what ran before the numerics pass), the printed Python
// code (`diff --format python`, run by /usr/bin/python3), and PyTorch's float64 autograd on the
// same points when Debian's python3-torch is installed (skipped with a note otherwise). The
// grid includes extreme arguments: |z| up to 745, values near 0, subnormal results.
// Reported per function and output (value, d/dz): the largest and the median error in ulps,
// and the points where a backend gives NaN or infinity for a finite true value. An error is
// counted where the true value is a finite double; a true value below the smallest subnormal
// counts in units of the smallest subnormal.
#include "symgrad/compile/batch_evaluator.hpp"
#include "symgrad/compile/interpreter.hpp"
#include "symgrad/compile/tape.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/functions.hpp"
#include "symgrad/core/printers.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/program/gradient_program.hpp"
#include "symgrad/simplify/simplify.hpp"
#include "symgrad/text/parser.hpp"
#include "symgrad/train/model.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

using namespace symgrad;
using GiNaC::ex;
using GiNaC::numeric;

namespace {

/// The exact rational value of a double.
numeric exact(double a) {
    if (a == 0)
        return 0;
    int e = 0;
    const double m = std::frexp(a, &e);
    return numeric(static_cast<long>(std::ldexp(m, 53))) * numeric(2).power(e - 53);
}

constexpr double not_finite = std::numeric_limits<double>::infinity();

/// |a - r| in units of the spacing of doubles at r; infinity when a is not finite.
double ulps(double a, const numeric& r) {
    if (!std::isfinite(a))
        return not_finite;
    const double rd = std::fabs(r.to_double());
    const double spacing = std::nextafter(rd, not_finite) - rd;
    return GiNaC::abs(exact(a) - r).to_double() / spacing;
}

bool representable(const numeric& r) {
    return std::fabs(r.to_double()) <= std::numeric_limits<double>::max();
}

/// One function of z (and a label y) in symgrad's syntax and PyTorch's.
struct bench_case {
    std::string name;
    std::string loss;     // symgrad
    std::string torch;    // Python over the tensors z and y (float64, z requires grad)
    std::optional<int> y; // the label's value, when the loss has one
};

const std::vector<bench_case>& cases() {
    static const std::vector<bench_case> all{
        {"sigmoid(z)", "sigmoid(z)", "torch.sigmoid(z)", {}},
        {"softplus(z)", "softplus(z)", "torch.nn.functional.softplus(z)", {}},
        {"tanh(z)", "tanh(z)", "torch.tanh(z)", {}},
        {"relu(z)", "relu(z)", "torch.relu(z)", {}},
        {"exp(z)", "exp(z)", "torch.exp(z)", {}},
        {"logloss(sigmoid(z), 0)", "logloss(sigmoid(z), y)",
         "torch.nn.functional.binary_cross_entropy_with_logits(z, y)", 0},
        {"logloss(sigmoid(z), 1)", "logloss(sigmoid(z), y)",
         "torch.nn.functional.binary_cross_entropy_with_logits(z, y)", 1},
        {"-log(sigmoid(z))", "-log(sigmoid(z))", "-torch.nn.functional.logsigmoid(z)", {}},
        {"log(1 + exp(z))", "log(1 + exp(z))", "torch.log(1 + torch.exp(z))", {}},
        {"logsumexp(z, 0)", "logsumexp(z, 0)", "torch.logsumexp(torch.stack([z, 0*z]), 0)", {}},
        {"crossentropy(softmax({z, 0, -z}), 1)",
         "crossentropy(softmax({z, 0, -z}), 1)",
         "torch.nn.functional.cross_entropy(torch.stack([z, 0*z, -z]).unsqueeze(0), "
         "torch.tensor([1]))",
         {}},
        {"(sigmoid(z) - 1)^2", "(sigmoid(z) - 1)^2", "(torch.sigmoid(z) - 1)**2", {}},
    };
    return all;
}

std::vector<double> grid() {
    std::vector<double> z{0};
    for (double a : {1e-300, 1e-20, 1e-8, 1e-3, 0.1,  0.5,   1.0,   2.0,   5.0,   10.0, 17.5,
                     20.0,   25.0,  30.0, 36.7, 40.0, 100.0, 300.0, 700.0, 709.0, 745.0}) {
        z.push_back(a);
        z.push_back(-a);
    }
    return z;
}

/// The tally of one backend on one output of one case.
struct tally {
    std::vector<double> errors;
    std::vector<std::string> non_finite; // points where a finite true value was not finite
    double max() const {
        return errors.empty() ? 0 : *std::max_element(errors.begin(), errors.end());
    }
    double median() const {
        if (errors.empty())
            return 0;
        std::vector<double> e = errors;
        std::nth_element(e.begin(), e.begin() + static_cast<long>(e.size() / 2), e.end());
        return e[e.size() / 2];
    }
    void add(double value, const numeric& ref, double z) {
        if (!representable(ref))
            return;
        const double u = ulps(value, ref);
        if (std::isinf(u))
            non_finite.push_back(fmt::format("{:g}", z));
        else
            errors.push_back(u);
    }
};

/// Run a Python script with /usr/bin/python3; its standard output, or "" when it failed.
std::string run_python(const std::string& script) {
    char name[] = "/tmp/symgrad-accuracy-XXXXXX";
    const int fd = ::mkstemp(name);
    if (fd < 0)
        return "";
    ::close(fd);
    {
        std::ofstream out(name);
        out << script;
    }
    std::string output;
    const std::string command = std::string("/usr/bin/python3 ") + name + " 2>/dev/null";
    if (FILE* p = ::popen(command.c_str(), "r")) {
        char buffer[4096];
        std::size_t n;
        while ((n = std::fread(buffer, 1, sizeof buffer, p)) > 0)
            output.append(buffer, n);
        if (::pclose(p) != 0)
            output.clear();
    }
    std::filesystem::remove(name);
    return output;
}

/// Values printed one per line by a Python script: "value derivative" per point.
std::vector<std::pair<double, double>> parse_pairs(const std::string& text) {
    std::vector<std::pair<double, double>> out;
    std::istringstream in(text);
    std::string a, b;
    while (in >> a >> b)
        out.emplace_back(std::strtod(a.c_str(), nullptr), std::strtod(b.c_str(), nullptr));
    return out;
}

std::string python_list(const std::vector<double>& z) {
    std::string s = "[";
    for (double v : z)
        s += fmt::format("{:.17g}, ", v);
    return s + "]";
}

/// The printed Python code of the loss and of its derivative (what `diff --format python`
/// prints), run over the grid. Python's math raises on overflow: counted as not finite.
std::string python_script(const ex& loss, const ex& derivative, const std::vector<double>& z,
                          std::optional<int> y) {
    std::string s = "from math import *\n";
    for (const auto& h : python_helpers({loss, derivative}))
        s += h + "\n";
    s += "def f(z, y): return " + to_python(loss) + "\n";
    s += "def g(z, y): return " + to_python(derivative) + "\n";
    s += "def safe(h, z, y):\n    try:\n        return repr(float(h(z, y)))\n"
         "    except (OverflowError, ValueError, ZeroDivisionError):\n        return 'nan'\n";
    s += fmt::format("for z in {}:\n    print(safe(f, z, {}), safe(g, z, {}))\n", python_list(z),
                     y.value_or(0), y.value_or(0));
    return s;
}

std::string torch_script(const std::vector<double>& z) {
    std::string s = "import torch\ntorch.set_default_dtype(torch.float64)\n";
    for (std::size_t c = 0; c < cases().size(); ++c) {
        const auto& k = cases()[c];
        s += fmt::format("for v in {}:\n", python_list(z));
        s += "    z = torch.tensor(float(v), requires_grad=True)\n";
        s += fmt::format("    y = torch.tensor({}.0)\n", k.y.value_or(0));
        s += "    out = " + k.torch + "\n";
        s += "    out.backward()\n    print(repr(out.item()), repr(z.grad.item()))\n";
    }
    return s;
}

struct case_result {
    std::string name, output; // output: "value" or "d/dz"
    std::map<std::string, tally> backends;
};

double raw(const tape& t, double z, double y, std::size_t k) {
    std::vector<double> registers(t.register_count()), out(t.outputs().size());
    const double w[] = {z}, ys[] = {y};
    run_point(t, w, nullptr, t.label_count() ? ys : nullptr, registers.data(), out.data());
    return out[k];
}

double native_value(const evaluator& e, double z, double y, std::size_t k, std::size_t outputs) {
    std::vector<double> out(outputs);
    const double w[] = {z}, ys[] = {y};
    try {
        e.point(w, nullptr, ys, out.data());
    } catch (const std::exception&) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    return out[k];
}

} // namespace

int main(int argc, char** argv) {
    bool json = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--json") == 0) {
            json = true;
        } else {
            std::cerr << "usage: symgrad_accuracy_bench [--json]\n";
            return 2;
        }
    }
    const std::vector<double> z = grid();
    const ex zs = symbol_named("z"), ys = symbol_named("y");

    const std::string torch_out = run_python(torch_script(z));
    const auto torch_pairs = parse_pairs(torch_out);
    const bool have_torch = torch_pairs.size() == z.size() * cases().size();
    if (!have_torch)
        std::cerr << "PyTorch: not installed for /usr/bin/python3 (python3-torch); its column is "
                     "left out\n";

    std::vector<case_result> results;
    evaluator_options native_options;
    native_options.backend = backend_kind::native; // compiled before the clock starts
    bool have_native = true;
    for (std::size_t c = 0; c < cases().size(); ++c) {
        const bench_case& k = cases()[c];
        const ex loss = parse(k.loss);
        program_options po;
        if (k.y)
            po.labels = {ys};
        const gradient_program program(loss, {zs}, po);
        const tape stable = compile_tape(program);
        const tape written =
            compile_tape(program, program_outputs::loss_and_gradient, numerics::as_written);
        const evaluator native(stable, native_options);
        have_native = have_native && native.backend() == backend_kind::native;
        const ex derivative = loss.diff(GiNaC::ex_to<GiNaC::symbol>(zs));
        const ex printed = simplify(derivative);
        const auto python = parse_pairs(run_python(python_script(loss, printed, z, k.y)));

        case_result value{k.name, "value", {}}, slope{k.name, "d/dz", {}};
        for (std::size_t i = 0; i < z.size(); ++i) {
            GiNaC::exmap at{{zs, exact(z[i])}};
            if (k.y)
                at[ys] = numeric(*k.y);
            const double yv = k.y.value_or(0);
            numeric ref[2];
            try {
                ref[0] = evaluate_numeric(loss, at, 60);
                ref[1] = evaluate_numeric(derivative, at, 60);
            } catch (const std::exception& e) {
                std::cerr << k.name << " at z = " << z[i] << ": no reference (" << e.what()
                          << ")\n";
                continue;
            }
            for (std::size_t out = 0; out < 2; ++out) {
                case_result& r = out == 0 ? value : slope;
                r.backends["interpreter"].add(raw(stable, z[i], yv, out), ref[out], z[i]);
                if (have_native)
                    r.backends["native"].add(native_value(native, z[i], yv, out, 2), ref[out],
                                             z[i]);
                r.backends["as written"].add(raw(written, z[i], yv, out), ref[out], z[i]);
                if (python.size() == z.size())
                    r.backends["python"].add(out == 0 ? python[i].first : python[i].second,
                                             ref[out], z[i]);
                // relu'(0) is 0 in PyTorch and step(0) = 1/2 here: a convention, not an error.
                const bool convention = k.name == "relu(z)" && out == 1 && z[i] == 0;
                if (have_torch && !convention) {
                    const auto& t = torch_pairs[c * z.size() + i];
                    r.backends["pytorch"].add(out == 0 ? t.first : t.second, ref[out], z[i]);
                }
            }
        }
        results.push_back(std::move(value));
        results.push_back(std::move(slope));
    }

    // ---- full gradients of models with large weights: every weight's partial --------------
    std::mt19937_64 rng(20261207);
    std::uniform_real_distribution<double> u(-1, 1);
    auto model_rows = [&](const std::string& name, const model& m, double scale, int points) {
        const gradient_program program = per_sample_program(m);
        const tape stable = compile_tape(program);
        const tape written =
            compile_tape(program, program_outputs::loss_and_gradient, numerics::as_written);
        case_result r{name, "gradient", {}};
        for (int p = 0; p < points; ++p) {
            GiNaC::exmap at;
            std::vector<double> w, x, y;
            for (const auto& s : m.weights) {
                w.push_back(std::round(scale * u(rng) * 64) / 64);
                at[s] = exact(w.back());
            }
            for (const auto& s : m.inputs) {
                x.push_back(std::round(2 * u(rng) * 64) / 64);
                at[s] = exact(x.back());
            }
            for (const auto& l : m.labels) {
                y.push_back(l.classes ? static_cast<double>(rng() % l.classes) : 1.0);
                at[l.symbol] = exact(y.back());
            }
            std::vector<double> registers(stable.register_count()), a(stable.outputs().size()),
                registers_w(written.register_count()), b(written.outputs().size());
            run_point(stable, w.data(), x.data(), y.data(), registers.data(), a.data());
            run_point(written, w.data(), x.data(), y.data(), registers_w.data(), b.data());
            for (std::size_t i = 0; i < m.weights.size(); ++i) {
                const numeric ref = evaluate_numeric(
                    m.loss.diff(GiNaC::ex_to<GiNaC::symbol>(m.weights[i])), at, 60);
                r.backends["interpreter"].add(a[i + 1], ref, static_cast<double>(p));
                r.backends["as written"].add(b[i + 1], ref, static_cast<double>(p));
            }
        }
        results.push_back(std::move(r));
    };
    model_rows("seed 000 softmax classifier, weights in [-30, 30]", seed000_softmax_classifier(),
               30, 20);
    for (activation act : {activation::sigmoid, activation::tanh}) {
        mlp_spec spec;
        spec.inputs = 2;
        spec.hidden = {3};
        spec.hidden_activation = act;
        spec.output = mlp_output::sigmoid_logloss;
        const model m = mlp(spec);
        model_rows(m.description + ", weights in [-20, 20]", m, 20, 10);
    }
    {
        mlp_spec spec;
        spec.inputs = 2;
        spec.hidden = {3};
        spec.output = mlp_output::softmax_crossentropy;
        spec.outputs = 3;
        const model m = mlp(spec);
        model_rows(m.description + ", weights in [-20, 20]", m, 20, 10);
    }

    // ---- report ----------------------------------------------------------------------------
    const std::vector<std::string> order{"interpreter", "native", "python", "as written",
                                         "pytorch"};
    if (json) {
        for (const auto& r : results)
            for (const auto& name : order) {
                auto it = r.backends.find(name);
                if (it == r.backends.end())
                    continue;
                nlohmann::json j;
                j["benchmark"] = "accuracy";
                j["function"] = r.name;
                j["output"] = r.output;
                j["backend"] = name;
                j["max_ulps"] = it->second.max();
                j["median_ulps"] = it->second.median();
                j["points"] = it->second.errors.size() + it->second.non_finite.size();
                j["non_finite_at"] = it->second.non_finite;
                std::cout << j.dump() << "\n";
            }
        return 0;
    }
    std::cout << fmt::format("error in ulps against CLN at 60 digits; {} points per function "
                             "(|z| up to 745); max / median; 'n NaN' = not finite for a finite "
                             "true value at n points\n\n",
                             z.size());
    std::cout << fmt::format("{:<52} {:<8}", "function", "output");
    for (const auto& name : order)
        std::cout << fmt::format(" {:>19}", name);
    std::cout << "\n";
    std::vector<std::string> torch_worse;
    for (const auto& r : results) {
        std::cout << fmt::format("{:<52} {:<8}", r.name, r.output);
        for (const auto& name : order) {
            auto it = r.backends.find(name);
            if (it == r.backends.end()) {
                std::cout << fmt::format(" {:>19}", "-");
                continue;
            }
            const tally& t = it->second;
            std::string cell = fmt::format("{:.3g} / {:.2g}", t.max(), t.median());
            if (!t.non_finite.empty())
                cell = fmt::format("{} NaN, {:.3g}", t.non_finite.size(), t.max());
            std::cout << fmt::format(" {:>19}", cell);
        }
        std::cout << "\n";
        auto s = r.backends.find("interpreter");
        auto t = r.backends.find("pytorch");
        if (s != r.backends.end() && t != r.backends.end() &&
            (t->second.max() > s->second.max() + 0.5 ||
             t->second.non_finite.size() > s->second.non_finite.size()))
            torch_worse.push_back(fmt::format(
                "{} {}: PyTorch {:.3g} ulps{} against symgrad {:.3g}", r.name, r.output,
                t->second.max(),
                t->second.non_finite.empty() ? ""
                                             : fmt::format(" and not finite at z = {}",
                                                           fmt::join(t->second.non_finite, ", ")),
                s->second.max()));
    }
    if (!torch_worse.empty()) {
        std::cout << "\nwhere PyTorch is worse than symgrad's interpreter:\n";
        for (const auto& line : torch_worse)
            std::cout << "  " << line << "\n";
    }
    return 0;
}
