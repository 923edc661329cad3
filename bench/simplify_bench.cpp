// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
//
// The simplifier on its corpus (tests/data/simplify_corpus.txt, the pairs the tests check): per
// pair the input's size, symgrad's output size, the hand form's size (expression_cost:
// operations + leaves) and the time (median of --repeat runs, each in a fresh simplify call);
// totals, with the whole corpus timed as one pass (wall and CPU time, best of --repeat passes).
// Baselines measured in the same run: GiNaC's normal() (which treats exp and log as opaque),
// and, when `python3 -c 'import sympy'` works, SymPy's simplify() on the same inputs (symbols
// declared real; sizes measured by parsing SymPy's result back and applying expression_cost).
//
// Usage: symgrad_simplify_bench [--json] [--repeat N] [--no-sympy] [--corpus PATH]
#include "symgrad/core/printers.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/simplify/simplify.hpp"
#include "symgrad/text/parser.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

using GiNaC::ex;

struct corpus_pair {
    std::string name, input, hand;
};

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos)
        return "";
    return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

std::vector<corpus_pair> load_corpus(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error("simplify_bench: cannot open the corpus " + path);
    std::vector<corpus_pair> pairs;
    std::string line;
    for (std::size_t number = 1; std::getline(in, line); ++number) {
        const std::string t = trim(line);
        if (t.empty() || t[0] == '#')
            continue;
        const auto a = t.find('|');
        const auto b = a == std::string::npos ? a : t.find('|', a + 1);
        if (b == std::string::npos)
            throw std::runtime_error("simplify_bench: " + path + ":" + std::to_string(number) +
                                     ": expected 'name | expression | hand form'");
        pairs.push_back(
            {trim(t.substr(0, a)), trim(t.substr(a + 1, b - a - 1)), trim(t.substr(b + 1))});
    }
    return pairs;
}

double wall_ms() {
    return std::chrono::duration<double, std::milli>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

double cpu_ms() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) * 1e-6;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

struct sympy_result {
    std::optional<std::size_t> size; // nothing when SymPy's output could not be read back
    double time_ms = 0;
    bool timed_out = false;
    std::string text;
};

// ---- SymPy, in one python3 subprocess -------------------------------------------------------

bool sympy_available() {
    return std::system("python3 -c 'import sympy' >/dev/null 2>&1") == 0;
}

/// SymPy's simplify() on every input (as printed by to_python, with the ML functions defined
/// in SymPy terms), 60 s at most each. Empty when python3 fails.
std::vector<sympy_result> run_sympy(const std::vector<ex>& inputs) {
    std::ostringstream script;
    script << "import json, signal, sys, time\n"
              "from sympy import *\n"
              "def sigmoid(z): return 1/(1 + exp(-z))\n"
              "def softplus(z): return log(1 + exp(z))\n"
              "def relu(z): return Max(z, 0)\n"
              "def step(z): return Heaviside(z, Rational(1, 2))\n"
              "def logsumexp(*z): return log(sum(exp(v) for v in z))\n"
              "def softmax(k, *z): return exp(z[k])/sum(exp(v) for v in z)\n"
              "def logloss(p, y): return -(y*log(p) + (1 - y)*log(1 - p))\n"
              "def indicator(y, k): return KroneckerDelta(y, k)\n"
              "def alarm(*a): raise TimeoutError()\n"
              "signal.signal(signal.SIGALRM, alarm)\n"
              "cases = json.loads(sys.stdin.read())\n"
              "for names, text in cases:\n"
              "    env = {k: v for k, v in globals().items() if callable(v)}\n"
              "    env.update({n: Symbol(n, real=True) for n in names})\n"
              "    e = eval(text, env)\n"
              "    signal.alarm(60)\n"
              "    try:\n"
              "        t0 = time.perf_counter(); r = simplify(e); t = time.perf_counter() - t0\n"
              "        signal.alarm(0)\n"
              "        print(json.dumps({'text': str(r), 'ms': t * 1e3}), flush=True)\n"
              "    except TimeoutError:\n"
              "        print(json.dumps({'timeout': True, 'ms': 60e3}), flush=True)\n";
    nlohmann::json cases = nlohmann::json::array();
    for (const auto& e : inputs) {
        nlohmann::json names = nlohmann::json::array();
        for (const auto& s : symgrad::free_symbols(e))
            names.push_back(symgrad::symbol_name(s));
        cases.push_back({names, symgrad::to_python(e)});
    }
    char script_path[] = "/tmp/symgrad_sympy_XXXXXX";
    char input_path[] = "/tmp/symgrad_sympy_in_XXXXXX";
    const int fd_script = mkstemp(script_path);
    const int fd_input = mkstemp(input_path);
    std::vector<sympy_result> results;
    if (fd_script < 0 || fd_input < 0)
        return results;
    close(fd_script);
    close(fd_input);
    std::ofstream(script_path) << script.str();
    std::ofstream(input_path) << cases.dump();
    const std::string command =
        std::string("python3 ") + script_path + " < " + input_path + " 2>/dev/null";
    if (FILE* p = popen(command.c_str(), "r")) {
        char buffer[1 << 16];
        while (std::fgets(buffer, sizeof buffer, p)) {
            const auto j = nlohmann::json::parse(buffer, nullptr, false);
            if (j.is_discarded())
                break;
            sympy_result r;
            r.time_ms = j.value("ms", 0.0);
            r.timed_out = j.value("timeout", false);
            r.text = j.value("text", "");
            if (!r.timed_out) {
                // SymPy's syntax back into symgrad's: ** is ^, KroneckerDelta is indicator.
                std::string t = r.text;
                for (std::size_t at; (at = t.find("**")) != std::string::npos;)
                    t.replace(at, 2, "^");
                for (std::size_t at; (at = t.find("KroneckerDelta")) != std::string::npos;)
                    t.replace(at, 14, "indicator");
                try {
                    r.size = symgrad::expression_cost(symgrad::parse(t));
                } catch (const std::exception&) {
                    r.size.reset();
                }
            }
            results.push_back(std::move(r));
        }
        pclose(p);
    }
    std::remove(script_path);
    std::remove(input_path);
    return results;
}

} // namespace

int main(int argc, char** argv) {
    bool json = false, sympy = true;
    int repeat = 5;
    std::string corpus_path = std::string(SYMGRAD_SOURCE_DIR) + "/tests/data/simplify_corpus.txt";
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--json") == 0)
            json = true;
        else if (std::strcmp(argv[i], "--no-sympy") == 0)
            sympy = false;
        else if (std::strcmp(argv[i], "--repeat") == 0 && i + 1 < argc)
            repeat = std::max(1, std::atoi(argv[++i]));
        else if (std::strcmp(argv[i], "--corpus") == 0 && i + 1 < argc)
            corpus_path = argv[++i];
        else {
            std::fprintf(stderr, "usage: %s [--json] [--repeat N] [--no-sympy] [--corpus PATH]\n",
                         argv[0]);
            return 2;
        }
    }
    const auto pairs = load_corpus(corpus_path);
    std::vector<ex> inputs, hands, outputs;
    for (const auto& p : pairs) {
        inputs.push_back(symgrad::parse(p.input));
        hands.push_back(symgrad::parse(p.hand));
    }

    // Per pair: the cold call first (it pays for GiNaC's first-use costs), then the median.
    struct row {
        std::size_t input, output, hand, normal;
        double cold_ms, median_ms, normal_ms;
    };
    std::vector<row> rows;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        std::vector<double> times;
        ex out;
        double cold = 0;
        for (int r = 0; r <= repeat; ++r) {
            const double t0 = wall_ms();
            out = symgrad::simplify(inputs[i]);
            const double t = wall_ms() - t0;
            if (r == 0)
                cold = t;
            else
                times.push_back(t);
        }
        outputs.push_back(out);
        std::vector<double> normal_times;
        ex normal;
        for (int r = 0; r < repeat; ++r) {
            const double t0 = wall_ms();
            normal = inputs[i].normal();
            normal_times.push_back(wall_ms() - t0);
        }
        rows.push_back({symgrad::expression_cost(inputs[i]), symgrad::expression_cost(out),
                        symgrad::expression_cost(hands[i]), symgrad::expression_cost(normal), cold,
                        median(times), median(normal_times)});
    }

    // The whole corpus as one pass, best of `repeat` passes.
    double best_wall = 1e300, best_cpu = 1e300;
    for (int r = 0; r < repeat; ++r) {
        const double w0 = wall_ms(), c0 = cpu_ms();
        for (const auto& e : inputs)
            (void)symgrad::simplify(e);
        best_wall = std::min(best_wall, wall_ms() - w0);
        best_cpu = std::min(best_cpu, cpu_ms() - c0);
    }

    std::vector<sympy_result> sympy_rows;
    if (sympy && sympy_available())
        sympy_rows = run_sympy(inputs);
    const bool with_sympy = sympy_rows.size() == pairs.size();

    std::size_t above_hand = 0, total_in = 0, total_out = 0, total_hand = 0, total_normal = 0,
                total_sympy = 0, sympy_read = 0, total_out_read = 0;
    double total_sympy_ms = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        above_hand += rows[i].output > rows[i].hand ? 1 : 0;
        total_in += rows[i].input;
        total_out += rows[i].output;
        total_hand += rows[i].hand;
        total_normal += rows[i].normal;
        if (with_sympy) {
            total_sympy_ms += sympy_rows[i].time_ms;
            if (sympy_rows[i].size) {
                total_sympy += *sympy_rows[i].size;
                total_out_read += rows[i].output;
                ++sympy_read;
            }
        }
    }

    if (json) {
        for (std::size_t i = 0; i < rows.size(); ++i) {
            nlohmann::json j = {{"benchmark", "simplify"},
                                {"pair", pairs[i].name},
                                {"input_cost", rows[i].input},
                                {"output_cost", rows[i].output},
                                {"hand_cost", rows[i].hand},
                                {"output_at_most_hand", rows[i].output <= rows[i].hand},
                                {"time_ms", rows[i].median_ms},
                                {"cold_time_ms", rows[i].cold_ms},
                                {"normal_cost", rows[i].normal},
                                {"normal_time_ms", rows[i].normal_ms},
                                {"output", symgrad::to_text(outputs[i])}};
            if (with_sympy) {
                j["sympy_time_ms"] = sympy_rows[i].time_ms;
                j["sympy_timed_out"] = sympy_rows[i].timed_out;
                j["sympy_cost"] = sympy_rows[i].size ? nlohmann::json(*sympy_rows[i].size)
                                                     : nlohmann::json(nullptr);
            }
            std::printf("%s\n", j.dump().c_str());
        }
        nlohmann::json total = {{"benchmark", "simplify"},
                                {"pair", "corpus_total"},
                                {"pairs", rows.size()},
                                {"pairs_above_hand", above_hand},
                                {"input_cost", total_in},
                                {"output_cost", total_out},
                                {"hand_cost", total_hand},
                                {"normal_cost", total_normal},
                                {"corpus_wall_time_ms", best_wall},
                                {"corpus_cpu_time_ms", best_cpu}};
        if (with_sympy) {
            total["sympy_time_ms"] = total_sympy_ms;
            total["sympy_cost_of_pairs_read_back"] = total_sympy;
            total["output_cost_of_pairs_read_back"] = total_out_read;
            total["sympy_pairs_read_back"] = sympy_read;
        }
        std::printf("%s\n", total.dump().c_str());
        return 0;
    }

    fmt::print("symgrad simplify on {} ({} pairs); sizes are expression_cost (operations + "
               "leaves), times the median of {} runs\n\n",
               corpus_path, rows.size(), repeat);
    fmt::print("{:<40} {:>6} {:>6} {:>6} {:>3} {:>9} {:>7} {:>9}", "pair", "input", "output",
               "hand", "ok", "time ms", "normal", "normal ms");
    if (with_sympy)
        fmt::print(" {:>6} {:>10}", "sympy", "sympy ms");
    fmt::print("\n");
    for (std::size_t i = 0; i < rows.size(); ++i) {
        fmt::print("{:<40} {:>6} {:>6} {:>6} {:>3} {:>9.3f} {:>7} {:>9.3f}", pairs[i].name,
                   rows[i].input, rows[i].output, rows[i].hand,
                   rows[i].output <= rows[i].hand ? "<=" : "NO", rows[i].median_ms, rows[i].normal,
                   rows[i].normal_ms);
        if (with_sympy) {
            const auto& s = sympy_rows[i];
            fmt::print(" {:>6} {:>10}", s.size ? std::to_string(*s.size) : std::string("?"),
                       s.timed_out ? std::string(">60000") : fmt::format("{:.1f}", s.time_ms));
        }
        fmt::print("\n");
    }
    fmt::print("\n{:<40} {:>6} {:>6} {:>6}\n", "total size", total_in, total_out, total_hand);
    fmt::print("pairs where symgrad's output is bigger than the hand form: {}\n", above_hand);
    fmt::print("whole corpus, one pass: {:.1f} ms wall, {:.1f} ms CPU (best of {})\n", best_wall,
               best_cpu, repeat);
    fmt::print("baseline GiNaC normal(): total size {} (symgrad/normal = {:.2f})\n", total_normal,
               static_cast<double>(total_out) / static_cast<double>(total_normal));
    if (with_sympy)
        fmt::print("baseline SymPy simplify(): {:.0f} ms in all ({:.0f}x symgrad's CPU time); "
                   "total size {} over the {} pairs read back (symgrad: {} on the same pairs)\n",
                   total_sympy_ms, total_sympy_ms / best_cpu, total_sympy, sympy_read,
                   total_out_read);
    else
        fmt::print("SymPy not run (python3 with sympy not available, or --no-sympy)\n");
    return 0;
}
