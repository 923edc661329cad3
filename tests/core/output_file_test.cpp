// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
// The safe file writer: planted symbolic links are never followed, only regular files are
// replaced, an input is never overwritten, and a failure leaves the directory as it was. The
// oracle is the file system itself (lstat, the files' bytes), read independently of the writer.
#include "symgrad/core/error.hpp"
#include "symgrad/core/output_file.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;
using symgrad::test::contains;
using symgrad::test::message_of;
using symgrad::test::read_text;

namespace {

/// An empty directory for a test (left-overs of an earlier failed run removed).
fs::path fresh_directory() {
    const auto dir = symgrad::test::scratch_directory("output_file");
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

/// The names in @p dir.
std::set<std::string> listing(const fs::path& dir) {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir))
        names.insert(entry.path().filename().string());
    return names;
}

void write(const fs::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary) << text;
}

mode_t permissions(const fs::path& p) {
    struct stat st {};
    BOOST_REQUIRE(::lstat(p.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

bool is_link(const fs::path& p) {
    struct stat st {};
    return ::lstat(p.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
}

/// Sets the umask for a scope.
struct umask_scope {
    mode_t old;
    explicit umask_scope(mode_t m) : old(::umask(m)) {}
    ~umask_scope() { ::umask(old); }
};

/// A refused write: invalid_input whose message has @p text, and a directory unchanged.
void expect_refused(const fs::path& dir, const fs::path& target, const std::string& text,
                    const std::vector<std::string>& inputs = {}) {
    const auto before = listing(dir);
    std::string message = "no exception";
    try {
        symgrad::write_file_atomically(target.string(), "new text\n", "--output", {inputs, {}});
    } catch (const symgrad::invalid_input& e) {
        message = e.what();
    }
    BOOST_TEST(contains(message, "--output: cannot write " + target.string() + ": "), message);
    BOOST_TEST(contains(message, text), message);
    BOOST_TEST((listing(dir) == before), "a file was created or removed in " << dir);
}

} // namespace

BOOST_AUTO_TEST_SUITE(output_file)

BOOST_AUTO_TEST_CASE(a_new_file_gets_0666_less_the_umask_and_the_whole_text) {
    const auto dir = fresh_directory();
    const umask_scope mask(022);
    symgrad::write_file_atomically((dir / "new.txt").string(), "line 1\nline 2\n");
    BOOST_TEST(read_text(dir / "new.txt") == "line 1\nline 2\n");
    BOOST_TEST(permissions(dir / "new.txt") == 0644u);
    BOOST_TEST((listing(dir) == std::set<std::string>{"new.txt"}));
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(an_existing_file_keeps_its_mode_and_gets_the_new_text) {
    const auto dir = fresh_directory();
    write(dir / "old.txt", "old text that is longer than the new one\n");
    fs::permissions(dir / "old.txt", fs::perms::owner_read | fs::perms::owner_write);
    symgrad::write_file_atomically((dir / "old.txt").string(), "new\n");
    BOOST_TEST(read_text(dir / "old.txt") == "new\n");
    BOOST_TEST(permissions(dir / "old.txt") == 0600u);
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(a_symbolic_link_at_the_target_is_refused_and_never_followed) {
    const auto dir = fresh_directory();
    write(dir / "victim", "secret\n");
    fs::permissions(dir / "victim", fs::perms::owner_read | fs::perms::owner_write);
    fs::create_symlink(dir / "victim", dir / "out.txt");
    expect_refused(dir, dir / "out.txt", "it is a symbolic link");
    BOOST_TEST(read_text(dir / "victim") == "secret\n");
    BOOST_TEST(permissions(dir / "victim") == 0600u);
    BOOST_TEST(is_link(dir / "out.txt"));
    // A dangling link too (it would create the file it points at).
    fs::create_symlink(dir / "created", dir / "dangling.txt");
    expect_refused(dir, dir / "dangling.txt", "it is a symbolic link");
    BOOST_TEST(!fs::exists(dir / "created"));
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(links_and_files_at_the_old_predictable_temporary_name_are_untouched) {
    // The old writer used OUT.tmp.PID: a link planted there made it write through the link.
    // The race is forced by planting that name before the write; the writer must pick another
    // name (random, created with O_EXCL | O_NOFOLLOW), and leave the planted ones alone.
    const auto dir = fresh_directory();
    write(dir / "victim", "secret\n");
    const std::string pid = std::to_string(::getpid());
    fs::create_symlink(dir / "victim", dir / ("out.txt.tmp." + pid));
    write(dir / ("other.txt.tmp." + pid), "planted\n");
    symgrad::write_file_atomically((dir / "out.txt").string(), "result\n");
    symgrad::write_file_atomically((dir / "other.txt").string(), "result\n");
    BOOST_TEST(read_text(dir / "victim") == "secret\n");
    BOOST_TEST(is_link(dir / ("out.txt.tmp." + pid)));
    BOOST_TEST(read_text(dir / ("other.txt.tmp." + pid)) == "planted\n");
    BOOST_TEST(read_text(dir / "out.txt") == "result\n");
    BOOST_TEST(read_text(dir / "other.txt") == "result\n");
    BOOST_TEST(!is_link(dir / "out.txt"));
    BOOST_TEST(listing(dir).size() == 5u); // no temporary file left behind
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(directories_fifos_and_devices_are_refused) {
    const auto dir = fresh_directory();
    fs::create_directory(dir / "sub");
    expect_refused(dir, dir / "sub", "it is a directory");
    BOOST_REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
    expect_refused(dir, dir / "fifo", "it is a FIFO");
    struct stat st {};
    BOOST_REQUIRE(::stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
    BOOST_TEST(contains(message_of([] { symgrad::write_file_atomically("/dev/null", "x"); }),
                        "/dev/null: it is a device"));
    BOOST_REQUIRE(::stat("/dev/null", &st) == 0);
    BOOST_TEST(S_ISCHR(st.st_mode));
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(an_input_file_is_refused_whatever_its_spelling) {
    const auto dir = fresh_directory();
    fs::create_directory(dir / "sub");
    write(dir / "problem.txt", "weights w\n");
    const std::vector<std::string> inputs{(dir / "problem.txt").string()};
    expect_refused(dir, dir / "problem.txt", "it is the input file", inputs);
    expect_refused(dir, dir / "sub" / ".." / "problem.txt", "it is the input file", inputs);
    fs::create_hard_link(dir / "problem.txt", dir / "hard.txt");
    expect_refused(dir, dir / "hard.txt", "it is the input file", inputs);
    BOOST_TEST(read_text(dir / "problem.txt") == "weights w\n");
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(a_directory_swapped_for_a_link_after_the_check_is_refused) {
    // A log's path is checked before training and written after it: in between, another user
    // can turn a subdirectory into a link. The writer checks the directory it actually opened.
    const auto dir = fresh_directory();
    fs::create_directories(dir / "home");
    fs::create_directories(dir / "elsewhere");
    fs::create_symlink(dir / "elsewhere", dir / "home" / "sub");
    const symgrad::output_rules rules{{}, {fs::canonical(dir / "home").string()}};
    const std::string target = (dir / "home" / "sub" / "log.json").string();
    BOOST_TEST(contains(
        message_of([&] { symgrad::write_file_atomically(target, "{}", "train: log", rules); }),
        "its directory is outside the problem file's directory"));
    BOOST_TEST(fs::is_empty(dir / "elsewhere"));
    // Without the link the same path is written.
    fs::remove(dir / "home" / "sub");
    fs::create_directory(dir / "home" / "sub");
    symgrad::write_file_atomically(target, "{}", "train: log", rules);
    BOOST_TEST(read_text(target) == "{}");
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(a_missing_directory_or_an_empty_name_is_an_error) {
    const auto dir = fresh_directory();
    const std::string missing = (dir / "none" / "out.txt").string();
    BOOST_TEST(contains(message_of([&] { symgrad::write_file_atomically(missing, "x"); }),
                        "cannot open its directory"));
    BOOST_TEST(contains(message_of([] { symgrad::write_file_atomically("", "x"); }),
                        "the file name is empty"));
    BOOST_TEST(listing(dir).empty());
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(check_output_path_refuses_as_the_writer_does_and_accepts_new_files) {
    const auto dir = fresh_directory();
    fs::create_symlink("/etc/passwd", dir / "link");
    BOOST_TEST(contains(
        message_of([&] { symgrad::check_output_path((dir / "link").string(), "train: log"); }),
        "train: log: cannot write " + (dir / "link").string() + ": it is a symbolic link"));
    BOOST_CHECK_NO_THROW(symgrad::check_output_path((dir / "new.csv").string(), "train: log"));
    BOOST_TEST(!fs::exists(dir / "new.csv"));
    BOOST_TEST(contains(message_of([&] {
                            symgrad::check_output_path((dir / "none" / "new.csv").string(),
                                                       "train: log");
                        }),
                        "cannot open its directory: No such file or directory"));
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
