// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/compile/batch_evaluator.hpp"
#include "symgrad/compile/c_emitter.hpp"
#include "symgrad/compile/native.hpp"
#include "symgrad/compile/tape.hpp"
#include "symgrad/core/symbols.hpp"
#include "symgrad/text/parser.hpp"
#include "symgrad/train/model.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace {

using namespace symgrad;
namespace fs = std::filesystem;

/// A fresh private directory under the system's temporary directory, removed afterwards.
struct temporary_directory {
    fs::path path;
    temporary_directory() {
        std::string name = (fs::temp_directory_path() / "symgrad-native-test-XXXXXX").string();
        if (!::mkdtemp(name.data()))
            throw std::runtime_error("mkdtemp failed");
        path = name;
    }
    ~temporary_directory() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

bool have_cc() {
    static const bool yes = test::have_program("cc");
    if (!yes)
        BOOST_TEST_MESSAGE("no C compiler 'cc': native code is not tested here");
    return yes;
}

evaluator_options native_in(const fs::path& cache) {
    evaluator_options o;
    o.backend = backend_kind::native; // waited for
    o.native.cache_directory = cache.string();
    o.native.flags = {"-O1"}; // fast to compile; correctness does not depend on the flags
    o.notice = [](const std::string& text) { BOOST_TEST_MESSAGE("notice: " << text); };
    return o;
}

/// The code users run: the default flags (-O3 -march=native, and the required ones that keep
/// the interpreter's bits), with @p backend.
evaluator_options default_flags_in(const fs::path& cache, backend_kind backend) {
    evaluator_options o = native_in(cache);
    o.native.flags.clear();
    o.backend = backend;
    return o;
}

evaluator_options interpreter_only() {
    evaluator_options o;
    o.backend = backend_kind::interpreter;
    return o;
}

/// |a - b| <= tol max(|a|, |b|)
bool close(double a, double b, double tol) {
    return std::abs(a - b) <= tol * std::max(std::abs(a), std::abs(b));
}

struct mlp_case {
    model m;
    std::vector<double> w, x, y;
    std::size_t samples;
};

mlp_case random_mlp_case(std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(-1, 1);
    mlp_spec spec;
    spec.inputs = 3;
    spec.hidden = {5, 4};
    spec.output = mlp_output::softmax_crossentropy;
    spec.outputs = 3;
    mlp_case c{mlp(spec), {}, {}, {}, 301};
    for (std::size_t i = 0; i < c.m.weights.size(); ++i)
        c.w.push_back(u(rng));
    for (std::size_t i = 0; i < c.samples * spec.inputs; ++i)
        c.x.push_back(2 * u(rng));
    for (std::size_t i = 0; i < c.samples; ++i)
        c.y.push_back(static_cast<double>(rng() % 3));
    return c;
}

} // namespace

BOOST_AUTO_TEST_SUITE(native)

BOOST_AUTO_TEST_CASE(native_code_computes_the_interpreters_bits_on_a_random_mlp) {
    if (!have_cc())
        return;
    temporary_directory cache;
    const auto c = random_mlp_case(test::seed(5000, "native MLP"));
    const gradient_program program = per_sample_program(c.m);
    const evaluator native =
        compile(program, default_flags_in(cache.path / "cache", backend_kind::native));
    BOOST_TEST_REQUIRE(std::string(backend_name(native.backend())) == "native");
    const evaluator interpreted = compile(program, interpreter_only());
    const sample_view data{c.x.data(), c.y.data(), c.samples};
    const batch_result a = native.sum(c.w.data(), data);
    const batch_result b = interpreted.sum(c.w.data(), data);
    // The same bits, not only close: tiered execution switches between the two mid-run.
    // The values themselves are checked against CLN by the differential tests.
    BOOST_TEST(a.sums == b.sums, boost::test_tools::per_element());
    for (std::size_t s = 0; s < 5; ++s) {
        const std::vector<double> x(c.x.begin() + static_cast<long>(3 * s),
                                    c.x.begin() + static_cast<long>(3 * s + 3));
        const auto pa = native.point(c.w, x, {c.y[s]});
        const auto pb = interpreted.point(c.w, x, {c.y[s]});
        BOOST_TEST(pa == pb, boost::test_tools::per_element());
    }
    // Two threads, same bits.
    const batch_result two = native.sum(c.w.data(), data, 2);
    BOOST_TEST(two.sums == a.sums, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_tiered_run_has_the_same_bits_before_and_after_native_code_takes_over) {
    if (!have_cc())
        return;
    temporary_directory cache;
    const auto c = random_mlp_case(test::seed(5001, "tiered MLP"));
    const gradient_program program = per_sample_program(c.m);
    const evaluator_options to = default_flags_in(cache.path / "cache", backend_kind::tiered);
    const evaluator interpreted = compile(program, interpreter_only());
    const sample_view data{c.x.data(), c.y.data(), c.samples};
    const batch_result want = interpreted.sum(c.w.data(), data);
    const std::vector<double> x(c.x.begin(), c.x.begin() + 3);
    const auto want_point = interpreted.point(c.w, x, {c.y[0]});

    const evaluator tiered = compile(program, to);
    // At once, before any compile of -O3 code can have finished: the interpreter.
    BOOST_TEST(std::string(backend_name(tiered.backend())) == "interpreter");
    BOOST_TEST(tiered.sum(c.w.data(), data).sums == want.sums, boost::test_tools::per_element());
    BOOST_TEST(tiered.point(c.w, x, {c.y[0]}) == want_point, boost::test_tools::per_element());
    // Once the background compile is done: native code, the same bits.
    BOOST_TEST_REQUIRE(tiered.wait_for_native());
    BOOST_TEST(std::string(backend_name(tiered.backend())) == "native");
    BOOST_TEST(tiered.sum(c.w.data(), data).sums == want.sums, boost::test_tools::per_element());
    BOOST_TEST(tiered.point(c.w, x, {c.y[0]}) == want_point, boost::test_tools::per_element());
    // The next tiered evaluator of the same program finds it in the cache and starts native.
    const evaluator again = compile(program, to);
    BOOST_TEST(std::string(backend_name(again.backend())) == "native");
}

/// Whether process @p pid is gone (reaped, or never existed).
bool process_gone(pid_t pid) {
    return ::kill(pid, 0) != 0 && errno == ESRCH;
}

BOOST_AUTO_TEST_CASE(a_tiered_evaluator_gone_before_its_compile_ends_stops_the_compiler) {
    // Two slow "compilers": one that SIGTERM ends, and one that ignores it (and so gets SIGKILL
    // two seconds later). Each records its process id, then sleeps far longer than the test.
    for (const bool ignores_term : {false, true}) {
        temporary_directory dir;
        const fs::path cc = dir.path / "slow-cc", pid_file = dir.path / "pid";
        std::ofstream(cc) << "#!/bin/sh\n"
                          << (ignores_term ? "trap '' TERM\n" : "") << "echo $$ > '"
                          << pid_file.string() << ".tmp'\nmv '" << pid_file.string() << ".tmp' '"
                          << pid_file.string() << "'\nsleep 60\n";
        fs::permissions(cc, fs::perms::owner_all);
        evaluator_options o = native_in(dir.path / "cache");
        o.native.compiler = cc.string();
        o.backend = backend_kind::tiered;
        pid_t pid = 0;
        {
            const evaluator e = compile(per_sample_program(seed000_softmax_classifier()), o);
            // It computes at once, on the interpreter: at w = 0, L = log 2 (two equal scores).
            const auto v = e.point({0, 0, 0, 0}, {-3}, {0});
            BOOST_TEST(v[0] == std::log(2.0), boost::test_tools::tolerance(1e-15));
            for (int i = 0; i < 3000 && !fs::exists(pid_file); ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            BOOST_TEST_REQUIRE(fs::exists(pid_file));
            std::ifstream(pid_file) >> pid;
            BOOST_TEST(std::string(backend_name(e.backend())) == "interpreter");
            BOOST_TEST(e.fallback_reason().empty()); // still compiling
        }
        BOOST_TEST_INFO("ignores SIGTERM: " << ignores_term);
        BOOST_TEST(process_gone(pid));
        // The compile's temporary files are gone with it: the cache is empty.
        BOOST_TEST(fs::is_empty(dir.path / "cache"));
    }
}

BOOST_AUTO_TEST_CASE(a_tiered_compile_that_fails_is_said_once_and_changes_nothing) {
    temporary_directory cache;
    evaluator_options o;
    o.backend = backend_kind::tiered;
    o.native.compiler = "/bin/false";
    o.native.cache_directory = cache.path.string();
    std::vector<std::string> notices;
    o.notice = [&](const std::string& text) { notices.push_back(text); };
    const evaluator e = compile(per_sample_program(seed000_softmax_classifier()), o);
    BOOST_TEST(!e.wait_for_native());
    BOOST_TEST(e.fallback_reason() == "native: the C compiler /bin/false failed (exit status 1)");
    const auto v = e.point({0, 0, 0, 0}, {-3}, {0});
    BOOST_TEST(v[0] == std::log(2.0), boost::test_tools::tolerance(1e-15));
    // Said at most once per process and reason (another test may have said it first).
    BOOST_TEST(notices.size() <= 1u);
    BOOST_TEST(fs::is_empty(cache.path));
}

BOOST_AUTO_TEST_CASE(the_command_trains_at_once_while_a_slow_compiler_works) {
    // Tiered execution, the default: one epoch of the bundled problem needs no compiler. The
    // slow compiler is stopped when the command ends, and leaves nothing in the cache.
    temporary_directory dir;
    const fs::path cc = dir.path / "slow-cc", pid_file = dir.path / "pid",
                   cache = dir.path / "cache";
    std::ofstream(cc) << "#!/bin/sh\necho $$ > '" << pid_file.string() << "'\nexec sleep 60\n";
    fs::permissions(cc, fs::perms::owner_all);
    const std::string problem =
        std::string(SYMGRAD_SOURCE_DIR) + "/problems/seed000_softmax_data_minus1_1.txt";
    const auto r = test::run_process({"env", "SYMGRAD_CC=" + cc.string(),
                                      "SYMGRAD_CACHE_DIR=" + cache.string(), SYMGRAD_CLI_PATH,
                                      "train", problem, "gd", "rate", "0.1", "epochs", "1"});
    BOOST_TEST_INFO(r.out);
    BOOST_TEST(r.status == 0);
    // One step from w = 0, by hand (see the test above): w1 = -0.1.
    BOOST_TEST(test::contains(r.out, "w1 = -0.1"));
    BOOST_TEST(!test::contains(r.out, "note:"));
    if (fs::exists(pid_file)) { // the compiler may not have started before the end
        pid_t pid = 0;
        std::ifstream(pid_file) >> pid;
        BOOST_TEST(process_gone(pid));
    }
    BOOST_TEST((!fs::exists(cache) || fs::is_empty(cache)));
    // And a backend that does not exist is an error that names the variable.
    const auto bad = test::run_process({"env", "SYMGRAD_BACKEND=fast", SYMGRAD_CLI_PATH, "train",
                                        problem, "gd", "rate", "0.1", "epochs", "1"});
    BOOST_TEST(bad.status == 2);
    BOOST_TEST(test::contains(bad.out, "SYMGRAD_BACKEND must be 'tiered', 'native' or "
                                       "'interpreter', got 'fast'"),
               bad.out);
}

BOOST_AUTO_TEST_CASE(worked_solutions_are_the_same_bytes_on_either_backend) {
    // Tiered execution switches backends mid-run at a time nobody chooses: every printed
    // digit must be the same either way. Three bundled problems that train in double.
    if (!have_cc())
        return;
    temporary_directory cache;
    for (const char* name : {"seed003_fletcher_reeves.txt", "seed004_ch3_ex1g_adam.txt",
                             "seed001_sigmoid_221_backprop.txt"}) {
        const std::string problem = std::string(SYMGRAD_SOURCE_DIR) + "/problems/" + name;
        auto run = [&](const char* backend) {
            return test::run_process({"env", std::string("SYMGRAD_BACKEND=") + backend,
                                      "SYMGRAD_CACHE_DIR=" + cache.path.string(), SYMGRAD_CLI_PATH,
                                      "run", problem});
        };
        const auto interpreted = run("interpreter");
        const auto native = run("native");
        BOOST_TEST_INFO(name);
        BOOST_TEST(interpreted.status == 0);
        BOOST_TEST(native.status == 0);
        BOOST_TEST(test::contains(interpreted.out, "epoch")); // it trains
        BOOST_TEST(native.out == interpreted.out);
    }
}

BOOST_AUTO_TEST_CASE(native_kernels_are_overflow_safe_like_the_interpreter) {
    if (!have_cc())
        return;
    temporary_directory cache;
    argument_layout l;
    l.inputs = {symbol_named("z")};
    const GiNaC::exvector outputs{parse("sigmoid(z)"), parse("softplus(z)"),
                                  parse("logsumexp(z, 2*z)"), parse("relu(z) + step(z)")};
    const evaluator native = compile(outputs, l, native_in(cache.path));
    BOOST_TEST_REQUIRE(std::string(backend_name(native.backend())) == "native");
    evaluator_options io;
    io.backend = backend_kind::interpreter;
    const evaluator interpreted = compile(outputs, l, io);
    for (double z : {-1000.0, -30.0, -1e-3, 0.0, 1e-3, 30.0, 1000.0}) {
        BOOST_TEST_INFO("z = " << z);
        const auto a = native.point({}, {z}, {});
        const auto b = interpreted.point({}, {z}, {});
        for (std::size_t k = 0; k < a.size(); ++k)
            BOOST_TEST(a[k] == b[k]);
    }
}

BOOST_AUTO_TEST_CASE(the_cache_directory_is_private_and_reused) {
    if (!have_cc())
        return;
    temporary_directory base;
    const fs::path cache = base.path / "a" / "b";
    const tape t = compile_tape(per_sample_program(seed000_softmax_classifier()));
    native_options o;
    o.cache_directory = cache.string();
    o.flags = {"-O1"};
    const auto first = native_module::build(t, o);
    BOOST_TEST(!first->from_cache());
    struct stat st {};
    BOOST_TEST_REQUIRE(::stat(cache.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0700u);
    const auto second = native_module::build(t, o);
    BOOST_TEST(second->from_cache());
    BOOST_TEST(second->path() == first->path());
    // Only the object, its digest and its source, under their final names: no temporary is
    // left behind.
    std::size_t files = 0;
    for (const auto& entry : fs::directory_iterator(cache)) {
        ++files;
        const std::string name = entry.path().filename().string();
        BOOST_TEST(name.rfind("sg-", 0) == 0u);
    }
    BOOST_TEST(files == 3u);
    // The cached object computes what the interpreter does.
    const double w[4] = {0.5, -0.25, 0.125, 1}, x = -3, y = 1;
    double a[5], b[5];
    second->point()(w, &x, &y, a);
    std::vector<double> r(t.register_count());
    run_point(t, w, &x, &y, r.data(), b);
    for (int k = 0; k < 5; ++k)
        BOOST_TEST(close(a[k], b[k], 1e-15));
}

BOOST_AUTO_TEST_CASE(a_cache_entry_whose_source_differs_is_not_loaded) {
    if (!have_cc())
        return;
    temporary_directory cache;
    const tape t = compile_tape(per_sample_program(seed000_softmax_classifier()));
    native_options o;
    o.cache_directory = cache.path.string();
    o.flags = {"-O1"};
    const auto first = native_module::build(t, o);
    std::string source_path = first->path();
    source_path.replace(source_path.size() - 3, 3, ".c");
    std::ofstream(source_path) << "/* something else */\n";
    const auto second = native_module::build(t, o);
    BOOST_TEST(!second->from_cache());
}

BOOST_AUTO_TEST_CASE(a_cache_directory_others_can_read_is_refused) {
    temporary_directory cache;
    ::chmod(cache.path.c_str(), 0755);
    native_options o;
    o.cache_directory = cache.path.string();
    o.compiler = "/bin/true"; // never reached
    const tape t = compile_tape({parse("w")}, argument_layout{{symbol_named("w")}, {}, {}});
    try {
        native_module::build(t, o);
        BOOST_ERROR("expected native_unavailable");
    } catch (const native_unavailable& e) {
        BOOST_TEST_INFO(e.what());
        BOOST_TEST(std::string(e.what()).find("is accessible to other users (mode 0755)") !=
                   std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(without_a_compiler_the_interpreter_takes_over_and_says_so_once) {
    temporary_directory cache;
    evaluator_options o;
    o.native.compiler = "/nonexistent/symgrad-test-cc";
    o.native.cache_directory = cache.path.string();
    std::vector<std::string> notices;
    o.notice = [&](const std::string& text) { notices.push_back(text); };
    const gradient_program program = per_sample_program(seed000_softmax_classifier());
    const evaluator a = compile(program, o);
    const evaluator b = compile(program, o);
    BOOST_TEST(std::string(backend_name(a.backend())) == "interpreter");
    BOOST_TEST(std::string(backend_name(b.backend())) == "interpreter");
    BOOST_TEST(a.fallback_reason() ==
               "native: the C compiler /nonexistent/symgrad-test-cc does not exist or is not "
               "executable");
    BOOST_TEST_REQUIRE(notices.size() == 1u);
    BOOST_TEST(notices[0].find("using the interpreter") != std::string::npos);
    // And it computes: at w = 0, L = log 2.
    const auto v = a.point({0, 0, 0, 0}, {-3}, {0});
    BOOST_TEST(v[0] == std::log(2.0), boost::test_tools::tolerance(1e-15));
}

BOOST_AUTO_TEST_CASE(a_failing_compiler_is_reported_in_one_line_and_leaves_nothing) {
    if (!have_cc())
        return;
    temporary_directory cache;
    native_options o;
    o.cache_directory = cache.path.string();
    o.flags = {"-fsymgrad-no-such-flag"};
    const tape t = compile_tape({parse("w")}, argument_layout{{symbol_named("w")}, {}, {}});
    try {
        native_module::build(t, o);
        BOOST_ERROR("expected native_unavailable");
    } catch (const native_unavailable& e) {
        const std::string text = e.what();
        BOOST_TEST_INFO(text);
        BOOST_TEST(text.find("failed (exit status") != std::string::npos);
        BOOST_TEST(text.find("symgrad-no-such-flag") != std::string::npos);
        BOOST_TEST(text.find('\n') == std::string::npos);
    }
    // Nothing is left behind.
    BOOST_TEST(fs::is_empty(cache.path));
}

BOOST_AUTO_TEST_CASE(a_failing_compiler_falls_back_to_the_interpreter) {
    temporary_directory cache;
    evaluator_options o;
    o.backend = backend_kind::native;
    o.native.compiler = "/bin/false";
    o.native.cache_directory = cache.path.string();
    std::vector<std::string> notices;
    o.notice = [&](const std::string& text) { notices.push_back(text); };
    const gradient_program program = per_sample_program(seed000_softmax_classifier());
    const evaluator e = compile(program, o);
    BOOST_TEST(std::string(backend_name(e.backend())) == "interpreter");
    BOOST_TEST(e.fallback_reason() == "native: the C compiler /bin/false failed (exit status 1)");
    BOOST_TEST_REQUIRE(notices.size() <= 1u); // once per process and reason
    // At w = 0, L = log 2 (hand-derived: two classes with equal scores).
    const auto v = e.point({0, 0, 0, 0}, {-3}, {0});
    BOOST_TEST(v[0] == std::log(2.0), boost::test_tools::tolerance(1e-15));
    BOOST_TEST(fs::is_empty(cache.path));
}

BOOST_AUTO_TEST_CASE(the_command_trains_with_the_interpreter_when_the_compiler_fails) {
    temporary_directory cache;
    const std::string problem =
        std::string(SYMGRAD_SOURCE_DIR) + "/problems/seed000_softmax_data_minus1_1.txt";
    const auto r = test::run_process({"env", "SYMGRAD_BACKEND=native", "SYMGRAD_CC=/bin/false",
                                      "SYMGRAD_CACHE_DIR=" + cache.path.string(), SYMGRAD_CLI_PATH,
                                      "train", problem, "gd", "rate", "0.1", "epochs", "1"});
    BOOST_TEST_INFO(r.out);
    BOOST_TEST(r.status == 0);
    BOOST_TEST(test::contains(r.out, "symgrad: note: native: the C compiler /bin/false failed "
                                     "(exit status 1); using the interpreter\n"));
    // One step of gradient descent from w = 0 on x = (-1, 1), y = (0, 1), by hand: dL/dw1 =
    // sum (1/2 - [y = 0]) x = 1/2 + 1/2 = 1, so w1 = -0.1.
    BOOST_TEST(test::contains(r.out, "w1 = -0.1"));
    BOOST_TEST(fs::is_empty(cache.path));
}

BOOST_AUTO_TEST_CASE(an_object_that_never_loads_falls_back_after_one_rebuild) {
    temporary_directory dir;
    // A "compiler" that writes junk where the object should go, and counts its runs.
    const fs::path cc = dir.path / "junk-cc", runs = dir.path / "runs";
    std::ofstream(cc) << "#!/bin/sh\necho run >> '" << runs.string()
                      << "'\nwhile [ $# -gt 0 ]; do\n  if [ \"$1\" = -o ]; then echo junk > "
                         "\"$2\"; fi\n  shift\ndone\n";
    fs::permissions(cc, fs::perms::owner_all);
    native_options o;
    o.compiler = cc.string();
    o.cache_directory = (dir.path / "cache").string();
    const tape t = compile_tape({parse("w")}, argument_layout{{symbol_named("w")}, {}, {}});
    const std::string text = test::message_of([&] { native_module::build(t, o); });
    BOOST_TEST_INFO(text);
    BOOST_TEST(text.find("cannot load") != std::string::npos);
    BOOST_TEST(text.find("also after rebuilding it") != std::string::npos);
    BOOST_TEST(test::read_text(runs) == "run\nrun\n");
    BOOST_TEST(fs::is_empty(dir.path / "cache"));
}

namespace {

/// The cache entry's files of @p m: STEM.so, STEM.sha256, STEM.c.
struct entry_files {
    fs::path so, digest, c;
    explicit entry_files(const std::string& so_path)
        : so(so_path), digest(fs::path(so_path).replace_extension(".sha256")),
          c(fs::path(so_path).replace_extension(".c")) {}
};

/// The values of the tape's point function at a few points, natively and interpreted.
void check_against_the_interpreter(const native_module& m, const tape& t) {
    std::vector<double> r(t.register_count());
    for (double w : {-2.0, 0.5, 3.0}) {
        const double x = 1.5, y = 0;
        double a = 0, b = 0;
        m.point()(&w, &x, &y, &a);
        run_point(t, &w, &x, &y, r.data(), &b);
        BOOST_TEST(a == b);
    }
}

} // namespace

BOOST_AUTO_TEST_CASE(a_planted_object_is_rejected_and_rebuilt_without_running_it) {
    if (!have_cc())
        return;
    temporary_directory dir;
    const tape t = compile_tape({parse("sigmoid(w*x)")},
                                argument_layout{{symbol_named("w")}, {symbol_named("x")}, {}});
    native_options o;
    o.cache_directory = (dir.path / "cache").string();
    o.flags = {"-O1"};
    std::string so;
    {
        const auto first = native_module::build(t, o);
        so = first->path();
    } // unloaded: a later dlopen of the path opens the file again
    const entry_files files(so);
    BOOST_TEST(fs::exists(files.digest));
    // Someone replaces the object with their own: its constructor leaves a mark, and its
    // functions return 42.
    const fs::path mark = dir.path / "constructor-ran";
    std::ofstream(dir.path / "planted.c")
        << "#include <stdio.h>\n#include <stddef.h>\n"
           "__attribute__((constructor)) static void planted(void) {\n"
           "    FILE *f = fopen(\""
        << mark.string()
        << "\", \"w\"); if (f) fclose(f);\n}\n"
           "void symgrad_point(const double *w, const double *x, const double *y, double *out) "
           "{ (void)w; (void)x; (void)y; out[0] = 42; }\n"
           "void symgrad_sum(const double *w, const double *x, const double *y, size_t b, "
           "size_t e, double *out) { (void)w; (void)x; (void)y; (void)b; (void)e; out[0] = 42; "
           "}\n";
    const auto cc =
        test::run_process({"cc", "-shared", "-fPIC", "-o", so, (dir.path / "planted.c").string()});
    BOOST_TEST_REQUIRE(cc.status == 0, cc.out);
    const auto second = native_module::build(t, o);
    BOOST_TEST(!second->from_cache());
    BOOST_TEST(!fs::exists(mark));
    check_against_the_interpreter(*second, t);
    // The rebuilt object is recorded again: the next build takes it from the cache.
    const auto third = native_module::build(t, o);
    BOOST_TEST(third->from_cache());
}

BOOST_AUTO_TEST_CASE(a_truncated_object_or_a_missing_digest_is_rebuilt) {
    if (!have_cc())
        return;
    temporary_directory dir;
    const tape t = compile_tape({parse("softplus(w*x)")},
                                argument_layout{{symbol_named("w")}, {symbol_named("x")}, {}});
    native_options o;
    o.cache_directory = (dir.path / "cache").string();
    o.flags = {"-O1"};
    std::string so;
    {
        const auto first = native_module::build(t, o);
        so = first->path();
    }
    const entry_files files(so);
    // The digest file is in sha256sum's format: checked here by the system's sha256sum when
    // there is one (an independent implementation).
    if (test::have_program("sha256sum")) {
        const auto sum = test::run_process({"sha256sum", so});
        BOOST_TEST(sum.out.substr(0, 64) == test::read_text(files.digest).substr(0, 64));
    }
    fs::resize_file(files.so, fs::file_size(files.so) / 2);
    {
        const auto second = native_module::build(t, o);
        BOOST_TEST(!second->from_cache());
        check_against_the_interpreter(*second, t);
    }
    fs::remove(files.digest);
    {
        const auto third = native_module::build(t, o);
        BOOST_TEST(!third->from_cache());
        check_against_the_interpreter(*third, t);
    }
    struct stat st {};
    BOOST_TEST_REQUIRE(::stat(files.digest.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0600u);
}

BOOST_AUTO_TEST_CASE(temporary_files_of_a_killed_build_are_removed_by_the_next) {
    if (!have_cc())
        return;
    temporary_directory cache;
    const auto old = fs::file_time_type::clock::now() - std::chrono::minutes(5);
    auto make = [&](const std::string& name, bool is_old) {
        std::ofstream(cache.path / name) << "left over";
        if (is_old)
            fs::last_write_time(cache.path / name, old);
    };
    // A writer that has exited (no process has this id), one that is alive (this process),
    // a recent file, the old name format without a process id, and files that are not ours.
    make("tmp-99999999-abcdef.c", true);
    make("tmp-99999999-abcdef.so", true);
    make("tmp-" + std::to_string(::getpid()) + "-ghijkl.c", true);
    make("tmp-99999999-mnopqr.c", false);
    make("tmp-stuvwx.c", true);
    make("notes.txt", true);
    const tape t = compile_tape({parse("w")}, argument_layout{{symbol_named("w")}, {}, {}});
    native_options o;
    o.cache_directory = cache.path.string();
    o.flags = {"-O1"};
    native_module::build(t, o);
    BOOST_TEST(!fs::exists(cache.path / "tmp-99999999-abcdef.c"));
    BOOST_TEST(!fs::exists(cache.path / "tmp-99999999-abcdef.so"));
    BOOST_TEST(!fs::exists(cache.path / "tmp-stuvwx.c"));
    BOOST_TEST(fs::exists(cache.path / ("tmp-" + std::to_string(::getpid()) + "-ghijkl.c")));
    BOOST_TEST(fs::exists(cache.path / "tmp-99999999-mnopqr.c"));
    BOOST_TEST(fs::exists(cache.path / "notes.txt"));
}

BOOST_AUTO_TEST_CASE(a_compile_interrupted_by_a_signal_leaves_no_temporary_files) {
    // A "compiler" that says it has started, then takes its time; the command is sent SIGTERM
    // (and SIGINT, SIGHUP) while its tmp-*.c is in the cache. The signal still ends it, and the
    // cache holds nothing afterwards.
    for (const char* signal_name : {"TERM", "INT", "HUP"}) {
        temporary_directory dir;
        const fs::path cache = dir.path / "cache", cc = dir.path / "slow-cc",
                       started = dir.path / "started";
        std::ofstream(cc) << "#!/bin/sh\ntouch '" << started.string() << "'\nexec sleep 20\n";
        fs::permissions(cc, fs::perms::owner_all);
        const std::string problem =
            std::string(SYMGRAD_SOURCE_DIR) + "/problems/seed000_softmax_data_minus1_1.txt";
        // The shell waits for the compiler to start, signals the command and prints how the
        // command ended (128 + the signal's number when the signal ended it). A background job
        // of a shell starts with SIGINT ignored: env restores its default first.
        const std::string script =
            "SYMGRAD_BACKEND=native SYMGRAD_CC='" + cc.string() + "' SYMGRAD_CACHE_DIR='" +
            cache.string() + "' env --default-signal=INT '" + SYMGRAD_CLI_PATH + "' train '" +
            problem + "' gd rate 0.1 epochs 1 >/dev/null 2>&1 &\npid=$!\nn=0\nwhile [ ! -e '" +
            started.string() + "' ] && [ $n -lt 600 ]; do sleep 0.05; n=$((n+1)); done\nkill -" +
            signal_name + " $pid\nwait $pid\necho \"status $?\"\nls -A '" + cache.string() + "'\n";
        const auto r = test::run_process({"sh", "-c", script});
        BOOST_TEST_INFO(signal_name << ": " << r.out);
        BOOST_TEST(fs::exists(started));
        const int number = std::string(signal_name) == "TERM"  ? SIGTERM
                           : std::string(signal_name) == "INT" ? SIGINT
                                                               : SIGHUP;
        BOOST_TEST(test::contains(r.out, "status " + std::to_string(128 + number) + "\n"));
        BOOST_TEST(!test::contains(r.out, "tmp-"));
    }
}

BOOST_AUTO_TEST_CASE(symbol_names_never_reach_the_code) {
    argument_layout l;
    l.weights = {symbol_named("secret_weight")};
    l.inputs = {symbol_named("secret_input")};
    const tape t = compile_tape({parse("sigmoid(secret_weight*secret_input)")}, l);
    c_options o;
    o.layout_comment = false;
    const std::string code = emit_c(t, o);
    BOOST_TEST(code.find("secret") == std::string::npos);
    // With the layout comment, names appear in comments only, without '*'.
    o.layout_comment = true;
    const std::string commented = emit_c(t, o);
    const auto at = commented.find("secret_weight");
    BOOST_TEST(at != std::string::npos);
    BOOST_TEST(at > commented.find("/* Arguments:"));
    BOOST_TEST(at < commented.find("*/", commented.find("/* Arguments:")));
}

BOOST_AUTO_TEST_CASE(c_identifiers_are_sanitised) {
    BOOST_TEST(c_identifier("my model") == "my_model");
    BOOST_TEST(c_identifier("2nd") == "_2nd");
    BOOST_TEST(c_identifier("a*/b;system(\"x\")") == "a__b_system__x__");
    BOOST_TEST(c_identifier("") == "_");
}

BOOST_AUTO_TEST_CASE(emit_c_prints_code_that_compiles_and_runs_standalone) {
    if (!have_cc())
        return;
    temporary_directory dir;
    // The seed 000 classifier as users would type it.
    const auto r = test::run_command(
        {"emit", "c",
         "logsumexp(w1*x + w3, w2*x + w4) - indicator(y,0)*(w1*x + w3) - "
         "indicator(y,1)*(w2*x + w4)",
         "--wrt", "w1,w2,w3,w4", "--inputs", "x", "--labels", "y", "--name", "seed 000"});
    BOOST_TEST_REQUIRE(r.status == 0);
    BOOST_TEST(r.out.find("void seed_000_point(") != std::string::npos);
    BOOST_TEST(r.out.find("void seed_000_sum(") != std::string::npos);
    std::ofstream(dir.path / "grad.c") << r.out;
    // At w = 0: L = log 2 per sample; over x = (-3, 1), y = (0, 1):
    // dL/dw1 = sum (1/2 - [y=0]) x = 3/2 + 1/2 = 2, dL/dw3 = -1/2 + 1/2 = 0.
    std::ofstream(dir.path / "main.c")
        << "#include <stdio.h>\n#include <stddef.h>\n"
           "void seed_000_sum(const double*, const double*, const double*, size_t, size_t, "
           "double*);\n"
           "int main(void) {\n"
           "    const double w[4] = {0, 0, 0, 0}, x[2] = {-3, 1}, y[2] = {0, 1};\n"
           "    double out[5];\n"
           "    seed_000_sum(w, x, y, 0, 2, out);\n"
           "    printf(\"%.15g %.15g %.15g %.15g %.15g\\n\", out[0], out[1], out[2], out[3], "
           "out[4]);\n"
           "    return 0;\n}\n";
    const std::string exe = (dir.path / "grad").string();
    const auto cc =
        test::run_process({"cc", "-std=c99", "-O1", "-o", exe, (dir.path / "main.c").string(),
                           (dir.path / "grad.c").string(), "-lm"});
    BOOST_TEST_INFO(cc.out);
    BOOST_TEST_REQUIRE(cc.status == 0);
    const auto run = test::run_process({exe});
    std::istringstream in(run.out);
    std::vector<double> out(5);
    for (auto& v : out)
        in >> v;
    BOOST_TEST_REQUIRE(!in.fail());
    const std::vector<double> expected{2 * std::log(2.0), 2, -2, 0, 0};
    for (std::size_t k = 0; k < 5; ++k)
        BOOST_TEST(std::abs(out[k] - expected[k]) <= 1e-14);
}

BOOST_AUTO_TEST_CASE(emit_tape_lists_the_instructions) {
    const auto r = test::run_command({"emit", "tape", "sigmoid(w*x)", "--wrt", "w"});
    BOOST_TEST_REQUIRE(r.status == 0);
    BOOST_TEST(r.out.find("sigmoid") != std::string::npos);
    BOOST_TEST(r.out.find("d/dw = r") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(emit_rejects_an_unknown_format) {
    const auto r = test::run_command({"emit", "fortran", "w", "--wrt", "w"});
    BOOST_TEST(r.status == 2);
    BOOST_TEST(r.err.find("fortran") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
