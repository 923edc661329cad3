// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// The command with untrusted problem files on a shared machine (issue 19): outputs never
// follow planted links nor replace devices or inputs, problem files read and write only in
// their own directory, FIFOs and devices are refused at once, other files' contents never
// appear in messages, and a failing command prints nothing on stdout. Every refusal is checked
// for its exit status (2), its message, and the files it must leave alone.
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>

namespace fs = std::filesystem;
using symgrad::test::contains;
using symgrad::test::read_text;
using symgrad::test::run_command;

namespace {

/// rows.csv: at w = 0 the loss (w x - y)^2 sums to 2^2 + 3^2 = 13.
const std::string rows_csv = "x,y\n1,2\n2,3\n";
const std::string header = "weights w = 0\ninputs x\nlabels y\n";
const std::string with_rows = header + "data \"rows.csv\"\nloss = (w*x - y)^2\nexpect L == 13\n";

/// A problem directory "home" (p.txt reads rows.csv) beside a directory "outside" holding a
/// victim file and a secret data file; removed at the end.
struct tree {
    fs::path root = symgrad::test::scratch_directory("security");
    fs::path home = root / "home";
    fs::path outside = root / "outside";
    fs::path victim = outside / "victim";

    tree() {
        fs::remove_all(root);
        fs::create_directories(home);
        fs::create_directories(outside);
        write("p.txt", with_rows);
        write("rows.csv", rows_csv);
        std::ofstream(victim) << "victim's text\n";
        std::ofstream(outside / "secret.csv") << rows_csv;
    }
    ~tree() { fs::remove_all(root); }

    std::string path(const std::string& name) const { return (home / name).string(); }
    void write(const std::string& name, const std::string& text) const {
        std::ofstream(home / name, std::ios::binary) << text;
    }
    /// Run `symgrad run FILE ARGS...` on a problem file written with @p text.
    symgrad::test::command_result run(const std::string& text,
                                      std::vector<std::string> args = {}) const {
        write("q.txt", text);
        args.insert(args.begin(), {"run", path("q.txt")});
        return run_command(args);
    }
};

/// Exit status 2, nothing on stdout, @p text on stderr.
void expect_refused(const symgrad::test::command_result& r, const std::string& text) {
    BOOST_TEST(r.status == 2, "status " << r.status << ", stderr: " << r.err);
    BOOST_TEST(r.out.empty(), "stdout: " << r.out);
    BOOST_TEST(contains(r.err, text), "stderr: " << r.err);
}

bool is_link(const fs::path& p) {
    struct stat st {};
    return ::lstat(p.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
}

} // namespace

BOOST_AUTO_TEST_SUITE(security)

BOOST_AUTO_TEST_CASE(output_onto_a_link_a_device_a_fifo_or_an_input_is_refused) {
    const tree t;
    fs::create_symlink(t.victim, t.home / "link.md");
    auto r = run_command({"run", t.path("p.txt"), "--output", t.path("link.md")});
    expect_refused(r, "--output: cannot write " + t.path("link.md") + ": it is a symbolic link");
    BOOST_TEST(read_text(t.victim) == "victim's text\n");
    BOOST_TEST(is_link(t.home / "link.md"));

    expect_refused(run_command({"run", t.path("p.txt"), "--output", "/dev/null"}),
                   "cannot write /dev/null: it is a device");
    struct stat st {};
    BOOST_TEST((::stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode)));

    BOOST_REQUIRE(::mkfifo(t.path("fifo").c_str(), 0600) == 0);
    expect_refused(run_command({"run", t.path("p.txt"), "--output", t.path("fifo")}),
                   "it is a FIFO");

    // The problem file itself (also spelt another way), and the data file it read.
    expect_refused(run_command({"run", t.path("p.txt"), "--output", t.path("p.txt")}),
                   "it is the input file");
    expect_refused(
        run_command({"run", t.path("p.txt"), "--output", (t.home / "." / "p.txt").string()}),
        "it is the input file");
    BOOST_TEST(read_text(t.home / "p.txt") == with_rows);
    expect_refused(run_command({"run", t.path("p.txt"), "--output", t.path("rows.csv")}),
                   "it is the input file");
    BOOST_TEST(read_text(t.home / "rows.csv") == rows_csv);

    // And an ordinary output is written.
    r = run_command({"run", t.path("p.txt"), "--output", t.path("solution.txt")});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(contains(read_text(t.home / "solution.txt"), "L = 13"));
}

BOOST_AUTO_TEST_CASE(train_logs_stay_in_the_directory_and_never_replace_inputs_or_links) {
    const tree t;
    const std::string train = "train gd rate 0.1 epochs 1 log ";
    const std::string loss = header + "data \"rows.csv\"\nloss = (w*x - y)^2\n";
    const std::string outside_log = (t.outside / "log.json").string();
    expect_refused(t.run(loss + train + "\"" + outside_log + "\"\n"),
                   "log: '" + outside_log + "' is an absolute path");
    expect_refused(t.run(loss + train + "\"../outside/log.json\"\n"),
                   "leads outside the problem file's directory");
    BOOST_TEST(!fs::exists(outside_log));
    expect_refused(t.run(loss + train + "\"rows.csv\"\n"), "it is the input file");
    BOOST_TEST(read_text(t.home / "rows.csv") == rows_csv);
    expect_refused(t.run(loss + train + "\"q.txt\"\n"), "log: the file name must end in .csv");
    fs::create_symlink(t.victim, t.home / "link.json");
    expect_refused(t.run(loss + train + "\"link.json\"\n"), "it is a symbolic link");
    BOOST_TEST(read_text(t.victim) == "victim's text\n");
    // An ordinary log is written; with --allow-path the outside one too.
    auto r = t.run(loss + train + "\"log.json\"\n");
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(contains(read_text(t.home / "log.json"), "\"epoch\""));
    r = t.run(loss + train + "\"../outside/log.json\"\n", {"--allow-path", t.outside.string()});
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(fs::exists(outside_log));
}

BOOST_AUTO_TEST_CASE(data_paths_stay_in_the_directory_and_other_files_are_never_quoted) {
    const tree t;
    const std::string tail = "loss = (w*x - y)^2\nexpect L == 13\n";
    auto r = t.run(header + "data \"/etc/passwd\"\n" + tail);
    expect_refused(r, "q.txt:4:6: data: '/etc/passwd' is an absolute path");
    BOOST_TEST(!contains(r.err, "root:"), r.err);
    r = t.run(header + "data \"../outside/secret.csv\"\n" + tail);
    expect_refused(r, "leads outside the problem file's directory");
    fs::create_symlink(t.outside / "secret.csv", t.home / "link.csv");
    expect_refused(t.run(header + "data \"link.csv\"\n" + tail), "leads outside");
    fs::create_symlink(t.outside, t.home / "linkdir");
    expect_refused(t.run(header + "data \"linkdir/secret.csv\"\n" + tail), "leads outside");

    // A trusted user allows more; the file's rows then give L = 13.
    r = t.run(header + "data \"link.csv\"\n" + tail, {"--allow-path", t.outside.string()});
    BOOST_TEST(r.status == 0, r.err);
    r = t.run(header + "data \"" + (t.outside / "secret.csv").string() + "\"\n" + tail,
              {"--trust-paths"});
    BOOST_TEST(r.status == 0, r.err);

    // Errors in a data file name the place, never its text.
    t.write("bad.csv", "x,y\n1,2\nSECRET_VALUE_42,3\n");
    r = t.run(header + "data \"bad.csv\"\n" + tail);
    expect_refused(r, "bad.csv:3:1: data: the value in column 1 is not a number");
    BOOST_TEST(!contains(r.err, "SECRET"), r.err);
    t.write("bad.csv", "x,y\n1,2\nroot:x:0:0\n");
    r = t.run(header + "data \"bad.csv\"\n" + tail);
    expect_refused(r, "bad.csv:3:1: data: the row has 1 values but the header names 2 columns");
    BOOST_TEST(!contains(r.err, "root"), r.err);
    t.write("bad.csv", "x,hunter2\n1,2\n");
    r = t.run(header + "data \"bad.csv\"\n" + tail);
    expect_refused(r, "q.txt:4:6: data: the name of the file's column 2 is not a declared input or "
                      "label (declared: x, y)");
    BOOST_TEST(!contains(r.err, "hunter2"), r.err);
    t.write("bad.csv", "x,y\n1,7\n");
    r = t.run("weights w = 0\ninputs x\nlabels y in {0, 1}\ndata \"bad.csv\"\n");
    expect_refused(r, "q.txt:4:5: data: row 1: label y is not one of {0, 1}");
    BOOST_TEST(!contains(r.err, "= 7"), r.err);
    t.write("bad.csv", "root:x:0:0,y\n1,2\n");
    r = t.run(header + "data \"bad.csv\"\n" + tail);
    expect_refused(r, "bad.csv:1:1: data: the header's column 1 is not a valid name");
    BOOST_TEST(!contains(r.err, "root"), r.err);
}

BOOST_AUTO_TEST_CASE(fifos_directories_devices_and_large_files_are_refused_at_once) {
    const tree t;
    const std::string tail = "loss = (w*x - y)^2\n";
    BOOST_REQUIRE(::mkfifo(t.path("fifo.csv").c_str(), 0600) == 0);
    expect_refused(t.run(header + "data \"fifo.csv\"\n" + tail),
                   "fifo.csv: it is a FIFO, not a regular file");
    expect_refused(t.run(header + "data \"/dev/zero\"\n" + tail, {"--trust-paths"}),
                   "data: /dev/zero: it is a device, not a regular file");
    expect_refused(run_command({"run", t.home.string()}),
                   "problem file: " + t.home.string() + ": it is a directory");
    expect_refused(run_command({"run", t.path("fifo.csv")}), "it is a FIFO");
    expect_refused(run_command({"run", "/dev/zero"}), "it is a device");

    std::string big = "x,y\n";
    while (big.size() <= (1u << 20))
        big += "1,2\n";
    t.write("big.csv", big);
    expect_refused(t.run(header + "data \"big.csv\"\n" + tail, {"--max-data-size", "1"}),
                   "the file is larger than the limit of 1 MiB (raise it with --max-data-size)");
    auto r = t.run(header + "data \"big.csv\"\n" + tail, {"--max-data-size", "2"});
    BOOST_TEST(r.status == 0, r.err);
    t.write("big.txt", header + "#" + std::string(1u << 20, ' ') + "\n");
    expect_refused(run_command({"run", t.path("big.txt"), "--max-problem-size", "1"}),
                   "raise it with --max-problem-size");
}

BOOST_AUTO_TEST_CASE(csv_headers_lose_their_bom_and_bad_names_are_errors) {
    const tree t;
    const std::string tail = "loss = (w*x - y)^2\nexpect L == 13\n";
    t.write("bom.csv", "\xEF\xBB\xBFx,y\r\n1,2\r\n2,3\r\n");
    auto r = t.run(header + "data \"bom.csv\"\n" + tail);
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(contains(r.out, "2 rows"), r.out);

    t.write("twice.csv", "x,x\n1,2\n");
    expect_refused(t.run(header + "data \"twice.csv\"\n" + tail),
                   "twice.csv:1:3: data: the header's column 2 has the name of its column 1");
    // A bracket in a name is an error about that column, not a header silently skipped.
    t.write("paren.csv", "x,y(\n1,2\n2,3\n");
    expect_refused(t.run(header + "data \"paren.csv\"\n" + tail),
                   "paren.csv:1:3: data: the header's column 2 is not a valid name");
    t.write("empty.csv", "x,,y\n1,2,3\n");
    expect_refused(t.run(header + "data \"empty.csv\"\n" + tail),
                   "empty.csv:1:3: data: the header's column 2 has no name");
    t.write("open.csv", "x,y\n1,2\n2,(3\n");
    expect_refused(t.run(header + "data \"open.csv\"\n" + tail),
                   "open.csv:3:3: data: '(' is never closed");
}

BOOST_AUTO_TEST_CASE(an_unclosed_bracket_in_inline_data_is_an_error_with_a_caret) {
    const tree t;
    const auto r = t.run(header + "data x = 1, 2, (3\n     y = 2, 3, 4\n");
    expect_refused(r, "q.txt:4:16: data: '(' is never closed\n    data x = 1, 2, (3\n"
                      "                   ^");
    BOOST_TEST(!contains(r.err, "2 rows"), r.err);
    expect_refused(t.run(header + "data x = 1, 2\n     x = 3, 4\n     y = 2, 3\n"),
                   "q.txt:5:6: data: x is given twice");
}

BOOST_AUTO_TEST_CASE(a_failing_command_prints_nothing_on_stdout) {
    const tree t;
    expect_refused(run_command({"diff", "{x, x^2}", "x", "--format", "c"}), "error");
    // run: the statements before the failing one printed nothing either.
    const auto r = t.run(header + "show 1 + 1\nshow diff(w^2, w)\nshow w9 + \n");
    expect_refused(r, "q.txt:6:");
    // Without the failing statement the same file prints its results.
    const auto ok = t.run(header + "show 1 + 1\nshow diff(w^2, w)\n");
    BOOST_TEST(ok.status == 0, ok.err);
    BOOST_TEST(contains(ok.out, "2*w"), ok.out);
}

BOOST_AUTO_TEST_SUITE_END()
