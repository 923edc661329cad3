// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// Paths a problem file names stay in its directory; only regular files are read, up to a limit.
#include "symgrad/core/error.hpp"
#include "symgrad/core/input_file.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>

namespace fs = std::filesystem;
using symgrad::confined_path;
using symgrad::path_policy;
using symgrad::path_use;
using symgrad::test::contains;
using symgrad::test::message_of;

namespace {

/// A problem directory "home" with a problem file and a data file, beside a directory
/// "outside" with a file of its own; removed at the end.
struct tree {
    fs::path root = symgrad::test::scratch_directory("input_file");
    fs::path home = root / "home";
    fs::path outside = root / "outside";
    std::string problem = (home / "p.txt").string();

    tree() {
        fs::remove_all(root);
        fs::create_directories(home / "sub");
        fs::create_directories(outside);
        std::ofstream(home / "p.txt") << "weights w\n";
        std::ofstream(home / "data.csv") << "x\n1\n";
        std::ofstream(outside / "secret.csv") << "x\n2\n";
    }
    ~tree() { fs::remove_all(root); }
};

std::string refusal(const std::string& problem, const std::string& named,
                    const path_policy& policy = {}, path_use use = path_use::read) {
    return message_of([&] { confined_path(problem, named, policy, use); });
}

} // namespace

BOOST_AUTO_TEST_SUITE(input_file)

BOOST_AUTO_TEST_CASE(paths_inside_the_problem_files_directory_are_allowed) {
    const tree t;
    const fs::path real = fs::canonical(t.home);
    BOOST_TEST(confined_path(t.problem, "data.csv", {}) == (real / "data.csv").string());
    BOOST_TEST(confined_path(t.problem, "sub/../data.csv", {}) == (real / "data.csv").string());
    BOOST_TEST(confined_path(t.problem, "sub/new.json", {}, path_use::write) ==
               (real / "sub" / "new.json").string());
    // A link that stays inside is fine.
    fs::create_symlink(t.home / "data.csv", t.home / "alias.csv");
    BOOST_TEST(confined_path(t.problem, "alias.csv", {}) == (real / "data.csv").string());
    // A file to write keeps its last name: the writer sees (and refuses) the link itself.
    BOOST_TEST(confined_path(t.problem, "alias.csv", {}, path_use::write) ==
               (real / "alias.csv").string());
}

BOOST_AUTO_TEST_CASE(absolute_paths_dot_dot_and_links_that_lead_outside_are_refused) {
    const tree t;
    const std::string secret = (t.outside / "secret.csv").string();
    BOOST_TEST(contains(refusal(t.problem, secret), "is an absolute path"));
    BOOST_TEST(contains(refusal(t.problem, "/etc/passwd"), "'/etc/passwd' is an absolute path"));
    BOOST_TEST(contains(refusal(t.problem, "../outside/secret.csv"),
                        "leads outside the problem file's directory"));
    BOOST_TEST(contains(refusal(t.problem, "sub/../../outside/secret.csv"), "leads outside"));
    fs::create_symlink(t.outside / "secret.csv", t.home / "link.csv");
    BOOST_TEST(contains(refusal(t.problem, "link.csv"), "leads outside"));
    fs::create_symlink(t.outside, t.home / "linkdir");
    BOOST_TEST(contains(refusal(t.problem, "linkdir/secret.csv"), "leads outside"));
    BOOST_TEST(
        contains(refusal(t.problem, "linkdir/new.json", {}, path_use::write), "leads outside"));
    // A link that points nowhere yet: where it leads is decided by whoever creates the target.
    fs::create_symlink(t.outside / "later", t.home / "dangling");
    BOOST_TEST(contains(refusal(t.problem, "dangling/new.json", {}, path_use::write),
                        "symbolic link that points nowhere"));
    BOOST_TEST(contains(refusal(t.problem, ""), "the file name is empty"));
    // The messages say how a trusted file is run.
    BOOST_TEST(contains(refusal(t.problem, "/etc/passwd"), "--allow-path DIR or --trust-paths"));
}

BOOST_AUTO_TEST_CASE(allowed_directories_and_trust_widen_the_confinement) {
    const tree t;
    path_policy allow;
    allow.allowed = {t.outside.string()};
    const std::string secret = (fs::canonical(t.outside) / "secret.csv").string();
    BOOST_TEST(confined_path(t.problem, (t.outside / "secret.csv").string(), allow) == secret);
    BOOST_TEST(confined_path(t.problem, "../outside/secret.csv", allow) == secret);
    BOOST_TEST(contains(refusal(t.problem, "/etc/passwd", allow), "absolute path"));
    path_policy trust;
    trust.trust_all = true;
    BOOST_TEST(confined_path(t.problem, "/etc/passwd", trust) == "/etc/passwd");
    BOOST_TEST(confined_path(t.problem, "../outside/secret.csv", trust) ==
               (t.home / "../outside/secret.csv").string());
}

BOOST_AUTO_TEST_CASE(only_regular_files_are_read_and_fifos_do_not_block) {
    const tree t;
    BOOST_TEST(symgrad::read_regular_file((t.home / "data.csv").string(), 100, "data", "--x") ==
               "x\n1\n");
    // A FIFO with no writer would block an ordinary open, and one with a writer never ends.
    const fs::path fifo = t.home / "fifo";
    BOOST_REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    BOOST_TEST(
        contains(message_of([&] { symgrad::read_regular_file(fifo.string(), 100, "data", "--x"); }),
                 "data: " + fifo.string() + ": it is a FIFO, not a regular file"));
    BOOST_TEST(contains(
        message_of([&] { symgrad::read_regular_file(t.home.string(), 100, "data", "--x"); }),
        "it is a directory, not a regular file"));
    BOOST_TEST(
        contains(message_of([] { symgrad::read_regular_file("/dev/zero", 100, "data", "--x"); }),
                 "data: /dev/zero: it is a device, not a regular file"));
    BOOST_TEST(contains(message_of([&] {
                            symgrad::read_regular_file((t.home / "none").string(), 100, "data",
                                                       "--x");
                        }),
                        "cannot open the file: No such file or directory"));
}

BOOST_AUTO_TEST_CASE(a_file_reached_through_a_link_swapped_in_after_the_check_is_refused) {
    // confined_path resolved the path; a link put in its place before the open leads outside.
    const tree t;
    fs::create_symlink(t.outside, t.home / "sub2");
    const std::vector<std::string> home{fs::canonical(t.home).string()};
    const std::string through = (t.home / "sub2" / "secret.csv").string();
    BOOST_TEST(
        contains(message_of([&] { symgrad::read_regular_file(through, 100, "data", "--x", home); }),
                 "the file opened is outside the problem file's directory"));
    BOOST_TEST(symgrad::read_regular_file((t.home / "data.csv").string(), 100, "data", "--x",
                                          home) == "x\n1\n");
    BOOST_TEST((symgrad::confinement(t.problem, {}) == home));
    path_policy trust;
    trust.trust_all = true;
    BOOST_TEST(symgrad::confinement(t.problem, trust).empty());
}

BOOST_AUTO_TEST_CASE(files_over_the_limit_are_refused_naming_the_option) {
    const tree t;
    std::ofstream(t.home / "big.csv") << std::string(2000, '1');
    BOOST_TEST(
        symgrad::read_regular_file((t.home / "big.csv").string(), 2000, "data", "--max-data-size")
            .size() == 2000u);
    BOOST_TEST(contains(message_of([&] {
                            symgrad::read_regular_file((t.home / "big.csv").string(), 1999, "data",
                                                       "--max-data-size");
                        }),
                        "the file is larger than the limit of 1999 bytes (raise it with "
                        "--max-data-size)"));
    BOOST_TEST(symgrad::default_data_file_limit == 64u << 20);
    BOOST_TEST(symgrad::default_problem_file_limit == 16u << 20);
}

BOOST_AUTO_TEST_SUITE_END()
