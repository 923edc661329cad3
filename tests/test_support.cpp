// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "test_support.hpp"

#include "cli/commands.hpp"
#include "symgrad/core/evaluate.hpp"
#include "symgrad/core/precision.hpp"
#include "symgrad/core/symbols.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace symgrad::test {

GiNaC::ex fresh_symbols_copy(const GiNaC::ex& e, unsigned skip, GiNaC::exmap* renaming) {
    for (unsigned i = 0; i < skip; ++i)
        GiNaC::realsymbol throwaway("throwaway");
    GiNaC::exmap m;
    for (const auto& s : free_symbols(e))
        m[s] = GiNaC::realsymbol(symbol_name(s), tex_name(symbol_name(s)));
    if (renaming)
        *renaming = m;
    return e.subs(m, GiNaC::subs_options::no_pattern);
}

std::string ginac_print(const GiNaC::ex& e) {
    std::ostringstream os;
    os << e;
    return os.str();
}

std::uint64_t seed(std::uint64_t fallback, const char* what) {
    std::uint64_t s = fallback;
    if (const char* env = std::getenv("SYMGRAD_TEST_SEED"))
        s = std::strtoull(env, nullptr, 10);
    BOOST_TEST_MESSAGE(what << ": random seed " << s << " (set SYMGRAD_TEST_SEED to replay)");
    return s;
}

GiNaC::numeric random_rational(std::mt19937_64& rng, double lo, double hi, long max_den) {
    std::uniform_int_distribution<long> den_dist(1, max_den);
    const long den = den_dist(rng);
    std::uniform_int_distribution<long> num_dist(static_cast<long>(std::ceil(lo * den)),
                                                 static_cast<long>(std::floor(hi * den)));
    return GiNaC::numeric(num_dist(rng), den);
}

GiNaC::exmap random_point(const GiNaC::ex& e, std::mt19937_64& rng, double lo, double hi) {
    GiNaC::exmap point;
    for (const auto& s : free_symbols(e))
        point[s] = random_rational(rng, lo, hi);
    return point;
}

GiNaC::numeric finite_difference(const GiNaC::ex& e, const GiNaC::ex& v,
                                 const GiNaC::exmap& point) {
    precision_guard guard(50);
    const GiNaC::numeric h("1e-12");
    auto at = [&](const GiNaC::numeric& offset) {
        GiNaC::exmap p = point;
        p[v] = p[v] + offset;
        return evaluate_numeric(e, p, 45, "finite_difference");
    };
    return (-at(2 * h) + 8 * at(h) - 8 * at(-h) + at(-2 * h)) / (12 * h);
}

bool close(const GiNaC::numeric& a, const GiNaC::numeric& b, double tol) {
    const GiNaC::numeric scale = std::max({GiNaC::numeric(1), GiNaC::abs(a), GiNaC::abs(b)});
    return GiNaC::abs(a - b) <= scale * GiNaC::numeric(tol);
}

command_result run_command(const std::vector<std::string>& args) {
    std::vector<std::string> full{"symgrad"};
    full.insert(full.end(), args.begin(), args.end());
    std::ostringstream out, err;
    const int status = cli::run(full, out, err);
    return {status, out.str(), err.str()};
}

command_result run_process(const std::vector<std::string>& argv, const std::string& input) {
    int in_pipe[2], out_pipe[2];
    if (pipe(in_pipe) != 0 || pipe(out_pipe) != 0)
        return {-1, "", "pipe failed"};
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(in_pipe[0], 0);
        dup2(out_pipe[1], 1);
        dup2(out_pipe[1], 2);
        ::close(in_pipe[1]);
        ::close(out_pipe[0]);
        std::vector<char*> cargv;
        for (const auto& a : argv)
            cargv.push_back(const_cast<char*>(a.c_str()));
        cargv.push_back(nullptr);
        execvp(cargv[0], cargv.data());
        _exit(127);
    }
    ::close(in_pipe[0]);
    ::close(out_pipe[1]);
    std::size_t written = 0;
    while (written < input.size()) {
        const ssize_t n = write(in_pipe[1], input.data() + written, input.size() - written);
        if (n <= 0)
            break;
        written += static_cast<std::size_t>(n);
    }
    ::close(in_pipe[1]);
    std::string output;
    char buffer[4096];
    ssize_t n;
    while ((n = read(out_pipe[0], buffer, sizeof buffer)) > 0)
        output.append(buffer, static_cast<std::size_t>(n));
    ::close(out_pipe[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output, ""};
}

bool have_program(const std::string& name) {
    return run_process({"sh", "-c", "command -v " + name}).status == 0;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::filesystem::path scratch_directory(const std::string& suite) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("symgrad_" + suite + "_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    return dir;
}

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

} // namespace symgrad::test
