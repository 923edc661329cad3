// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/output_file.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/input_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

namespace symgrad {

namespace {

[[noreturn]] void refuse(const std::string& what, const std::string& path,
                         const std::string& reason) {
    throw invalid_input(what + ": cannot write " + path + ": " + reason);
}

/// The file at @p path as lstat sees it; false when there is none.
bool look(const std::string& what, const std::string& path, struct stat& st) {
    if (::lstat(path.c_str(), &st) == 0)
        return true;
    if (errno == ENOENT)
        return false;
    refuse(what, path, std::strerror(errno));
}

void check_existing(const std::string& what, const std::string& path, const struct stat& st,
                    const std::vector<std::string>& inputs) {
    if (!S_ISREG(st.st_mode))
        refuse(what, path,
               "it is " + file_kind(st.st_mode) + "; symgrad replaces only regular files");
    for (const auto& input : inputs) {
        struct stat in {};
        if (::stat(input.c_str(), &in) == 0 && in.st_dev == st.st_dev && in.st_ino == st.st_ino)
            refuse(what, path, "it is the input file " + input);
    }
}

/// The permission bits a new file gets: 0666 less the process's umask.
mode_t new_file_mode() {
    // /proc/self/status shows the umask without changing it; umask() can only be read by
    // setting it, and a file another thread creates meanwhile would get the wrong mode.
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("Umask:", 0) == 0)
            return 0666 & ~static_cast<mode_t>(std::stoul(line.substr(6), nullptr, 8));
    const mode_t mask = ::umask(0);
    ::umask(mask);
    return 0666 & ~mask;
}

/// A random file-name part of 12 letters and digits.
std::string random_name() {
    static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    std::random_device device;
    std::uniform_int_distribution<std::size_t> pick(0, sizeof letters - 2);
    std::string s;
    for (int i = 0; i < 12; ++i)
        s += letters[pick(device)];
    return s;
}

/// A file descriptor closed when it goes out of scope.
struct descriptor {
    int fd = -1;
    descriptor() = default;
    explicit descriptor(int f) : fd(f) {}
    descriptor(const descriptor&) = delete;
    descriptor& operator=(const descriptor&) = delete;
    ~descriptor() {
        if (fd >= 0)
            ::close(fd);
    }
    /// Close now, reporting the error (a delayed write error shows here on some file systems).
    int close() {
        const int r = ::close(fd);
        fd = -1;
        return r;
    }
};

} // namespace

std::string file_kind(mode_t mode) {
    if (S_ISLNK(mode))
        return "a symbolic link";
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return "a device";
    if (S_ISSOCK(mode))
        return "a socket";
    return "not a regular file";
}

void check_output_path(const std::string& path, const std::string& what,
                       const std::vector<std::string>& inputs) {
    if (path.empty())
        refuse(what, "''", "the file name is empty");
    struct stat st {};
    if (look(what, path, st)) {
        check_existing(what, path, st, inputs);
        return;
    }
    // A new file: its directory must be there (found now, not after the work).
    const std::filesystem::path target(path);
    const std::string dir = target.has_parent_path() ? target.parent_path().string() : ".";
    if (::stat(dir.c_str(), &st) != 0)
        refuse(what, path, "cannot open its directory: " + std::string(std::strerror(errno)));
    if (!S_ISDIR(st.st_mode))
        refuse(what, path, "cannot open its directory: " + dir + " is not a directory");
}

void write_file_atomically(const std::string& path, const std::string& text,
                           const std::string& what, const output_rules& rules) {
    const std::vector<std::string>& inputs = rules.inputs;
    namespace fs = std::filesystem;
    if (path.empty())
        refuse(what, "''", "the file name is empty");
    const fs::path target(path);
    const std::string name = target.filename().string();
    if (name.empty() || name == "." || name == "..")
        refuse(what, path, "it names a directory, not a file");
    const std::string dir = target.has_parent_path() ? target.parent_path().string() : ".";

    // The directory is opened once and every later step is relative to it, so the temporary
    // file and the rename stay in the directory that was checked.
    descriptor dirfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dirfd.fd < 0)
        refuse(what, path, "cannot open its directory: " + std::string(std::strerror(errno)));
    if (!opened_within(dirfd.fd, rules.confined_to))
        refuse(what, path,
               "its directory is outside the problem file's directory (a link was changed "
               "after the path was checked)");

    mode_t mode = new_file_mode();
    struct stat st {};
    if (::fstatat(dirfd.fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
        check_existing(what, path, st, inputs);
        mode = st.st_mode & 0777;
    } else if (errno != ENOENT) {
        refuse(what, path, std::strerror(errno));
    }

    std::string temp;
    descriptor out;
    for (int attempt = 0; attempt < 100 && out.fd < 0; ++attempt) {
        temp = "." + name + ".tmp-" + random_name();
        out.fd = ::openat(dirfd.fd, temp.c_str(),
                          O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
        if (out.fd < 0 && errno != EEXIST)
            refuse(what, path,
                   "cannot create a temporary file in " + dir + ": " + std::strerror(errno));
    }
    if (out.fd < 0)
        refuse(what, path, "cannot create a temporary file in " + dir + ": all names are taken");

    auto fail = [&](const std::string& reason) {
        const int e = errno;
        out.close();
        ::unlinkat(dirfd.fd, temp.c_str(), 0);
        refuse(what, path, reason + (e ? ": " + std::string(std::strerror(e)) : std::string()));
    };
    std::size_t written = 0;
    while (written < text.size()) {
        const ssize_t n = ::write(out.fd, text.data() + written, text.size() - written);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            fail("the write failed");
        written += static_cast<std::size_t>(n);
    }
    errno = 0;
    if (::fchmod(out.fd, mode) != 0)
        fail("cannot set the file's mode");
    if (::fsync(out.fd) != 0)
        fail("cannot flush the file to disk");
    if (out.close() != 0)
        fail("the write failed");
    // The target may have changed since it was checked: look again just before the rename.
    // (rename replaces a symbolic link itself and never writes through it.)
    if (::fstatat(dirfd.fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
        try {
            check_existing(what, path, st, inputs);
        } catch (...) {
            ::unlinkat(dirfd.fd, temp.c_str(), 0);
            throw;
        }
    }
    if (::renameat(dirfd.fd, temp.c_str(), dirfd.fd, name.c_str()) != 0)
        fail("cannot rename the temporary file into place");
    // The rename is durable once the directory is on disk; some file systems refuse fsync on
    // a directory (EINVAL), which is no failure of the write.
    ::fsync(dirfd.fd);
}

} // namespace symgrad
