// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
//
// Time to a verdict for every check of issue 6's acceptance list: the nine seed-000 partials,
// seed 004's sigmoid properties, seed 002 at K = 3 for every k, l, y, and the wrong variants.
// Each case is timed cold (its first call in this process) and as the median of 5 more calls;
// the baseline is the same comparison by sampling alone (no exact decision), measured in the
// same run. Usage: symgrad_verify_bench [--json]
#include "symgrad/text/parser.hpp"
#include "symgrad/verify/verify.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct bench_case {
    std::string group;
    std::string lhs, rhs;
};

std::vector<bench_case> acceptance_cases() {
    std::vector<bench_case> cases;
    const std::string loss = "-log(exp(-w1+w3)/(exp(-w1+w3)+exp(-w2+w4)))"
                             " - log(exp(w2+w4)/(exp(w1+w3)+exp(w2+w4)))";
    const std::string a = "(exp(-w1+w3)+exp(-w2+w4))", b = "(exp(w1+w3)+exp(w2+w4))";
    const std::string d = "(exp(2*w3) + exp(2*w4) + exp(-w1+w2+w3+w4) + exp(w1-w2+w3+w4))";
    const std::vector<std::pair<std::string, std::string>> seed000 = {
        {"w1", "-1 + exp(-w1+w3)*(-1)/" + a + " + exp(w1+w3)/" + b},
        {"w2", "-1 + exp(-w2+w4)*(-1)/" + a + " + exp(w2+w4)/" + b},
        {"w3", "1 + exp(-w1+w3)/" + a + " + exp(w1+w3)/" + b},
        {"w4", "-1 + exp(-w2+w4)/" + a + " + exp(w2+w4)/" + b},
        {"w1", "-(exp(2*w3) + exp(2*w4) + 2*exp(-w1+w2+w3+w4))/" + d},
        {"w2", "-(exp(2*w3) + exp(2*w4) + 2*exp(w1-w2+w3+w4))/" + d},
        {"w3", "1 + exp(w1+w3)/" + b + " + exp(-w1+w3)/" + a},
        {"w4", "(-exp(2*w3) + exp(2*w4))/" + d},
        {"w1", "exp(-w2+w4)/" + a + " + exp(w1+w3)/" + b},
    };
    const char* seed000_names[] = {"Gemini dw1", "Gemini dw2", "Gemini dw3",
                                   "Gemini dw4", "OpenAI dw1", "OpenAI dw2",
                                   "OpenAI dw3", "OpenAI dw4", "forum dw1"};
    for (std::size_t i = 0; i < seed000.size(); ++i)
        cases.push_back({std::string("seed 000 ") + seed000_names[i],
                         "diff(" + loss + ", " + seed000[i].first + ")", seed000[i].second});
    for (const auto& [l, r] : std::vector<std::pair<std::string, std::string>>{
             {"sigmoid(-t)", "1 - sigmoid(t)"},
             {"diff(sigmoid(t), t)", "sigmoid(t)*sigmoid(-t)"},
             {"-diff(sigmoid(-t), t)", "diff(sigmoid(t), t)"},
             {"sigmoid(log(t/(1-t)))", "t"},
             {"diff(log(sigmoid(t)), t)", "sigmoid(-t)"},
             {"tanh(t)", "2*sigmoid(2*t) - 1"},
             {"softmax(1, z0, z1)", "sigmoid(z1 - z0)"},
             {"softmax({z0 + c, z1 + c, z2 + c})", "softmax({z0, z1, z2})"}})
        cases.push_back({"seed 004", l, r});
    auto g = [](int k) { return "softmax(" + std::to_string(k) + ", s0, s1, s2)"; };
    for (int k = 0; k < 3; ++k)
        for (int l = 0; l < 3; ++l)
            cases.push_back({"seed 002 dg", "diff(" + g(k) + ", s" + std::to_string(l) + ")",
                             g(k) + "*(indicator(" + std::to_string(k) + ", " + std::to_string(l) +
                                 ") - " + g(l) + ")"});
    for (int y = 0; y < 3; ++y)
        for (int l = 0; l < 3; ++l)
            cases.push_back(
                {"seed 002 dR",
                 "diff(crossentropy(softmax({s0, s1, s2}), " + std::to_string(y) + "), s" +
                     std::to_string(l) + ")",
                 g(l) + " - indicator(" + std::to_string(y) + ", " + std::to_string(l) + ")"});
    cases.push_back({"seed 002 dR", "diff(crossentropy(softmax({s0, s1, s2}), y), s1)",
                     g(1) + " - indicator(y, 1)"});
    cases.push_back({"seed 002 sigma'", "diff(1/(1 + exp(-z)), z)", "sigmoid(z)*(1 - sigmoid(z))"});
    for (const auto& [l, r] : std::vector<std::pair<std::string, std::string>>{
             {"diff(crossentropy(softmax({s0, s1, s2}), 1), s1)", "indicator(1, 1) - " + g(1)},
             {"diff(" + g(0) + ", s1)", g(0) + "*" + g(1)},
             {"diff(-log(softmax(0, w1*x + w3, w2*x + w4)), w1)",
              "-softmax(1, w1*x + w3, w2*x + w4)"},
             {"diff(sigmoid(z), z)", "sigmoid(z)*(1 + sigmoid(z))"},
             {"diff(crossentropy(softmax({s0, s1, s2}), 2), s2)", g(2) + " + indicator(2, 2)"},
             {"diff(crossentropy(softmax({s0, s1, s2}), y), s0)", g(0) + " + indicator(y, 0)"}})
        cases.push_back({"wrong variant", l, r});
    return cases;
}

double time_ms(const GiNaC::ex& lhs, const GiNaC::ex& rhs, const symgrad::verify_options& o,
               symgrad::verify_result* out = nullptr) {
    const auto start = std::chrono::steady_clock::now();
    auto r = symgrad::verify(lhs, rhs, o);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (out)
        *out = std::move(r);
    return ms;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace

int main(int argc, char** argv) {
    const bool json = argc > 1 && std::strcmp(argv[1], "--json") == 0;
    const auto cases = acceptance_cases();
    symgrad::verify_options exact;
    symgrad::verify_options sampling_only;
    sampling_only.exact = false;
    if (!json)
        fmt::print("{:<16} {:<58} {:<15} {:>9} {:>10} {:>12} {:>7}\n", "group", "check", "verdict",
                   "cold ms", "median ms", "baseline ms", "ratio");
    double slowest = 0;
    std::string slowest_case;
    for (const auto& c : cases) {
        const GiNaC::ex lhs = symgrad::parse(c.lhs), rhs = symgrad::parse(c.rhs);
        symgrad::verify_result r;
        const double cold = time_ms(lhs, rhs, exact, &r);
        std::vector<double> warm, base;
        for (int i = 0; i < 5; ++i) {
            warm.push_back(time_ms(lhs, rhs, exact));
            base.push_back(time_ms(lhs, rhs, sampling_only));
        }
        const double m = median(warm), b = median(base);
        const std::string what = c.rhs.size() > 56 ? c.rhs.substr(0, 53) + "..." : c.rhs;
        if (std::max(cold, m) > slowest) {
            slowest = std::max(cold, m);
            slowest_case = c.group + ": " + c.rhs;
        }
        if (json) {
            nlohmann::json j{{"group", c.group},
                             {"lhs", c.lhs},
                             {"rhs", c.rhs},
                             {"verdict", std::string(symgrad::verdict_name(r.outcome))},
                             {"cold_ms", cold},
                             {"median_ms", m},
                             {"baseline_sampling_only_median_ms", b},
                             {"ratio_to_baseline", m / b},
                             {"sample_points", r.sample_points}};
            fmt::print("{}\n", j.dump());
        } else {
            fmt::print("{:<16} {:<58} {:<15} {:>9.2f} {:>10.2f} {:>12.2f} {:>7.2f}\n", c.group,
                       what, symgrad::verdict_name(r.outcome), cold, m, b, m / b);
        }
    }
    if (!json)
        fmt::print("\n{} checks; slowest verdict {:.2f} ms ({}); baseline = the same comparison "
                   "by sampling only (24 points, no exact decision)\n",
                   cases.size(), slowest, slowest_case);
    return 0;
}
