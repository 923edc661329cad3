// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/input_file.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/output_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace symgrad {

namespace {

namespace fs = std::filesystem;

/// @p p made absolute, with its existing symbolic links and its `.` and `..` resolved.
fs::path resolved(const fs::path& p) {
    std::error_code ec;
    fs::path r = fs::weakly_canonical(fs::absolute(p), ec);
    if (ec)
        throw invalid_input("cannot resolve " + p.string() + ": " + ec.message());
    return r;
}

/// Whether @p p is @p dir or lies under it (both resolved).
bool inside(const fs::path& p, const fs::path& dir) {
    auto d = dir.begin();
    auto q = p.begin();
    for (; d != dir.end(); ++d, ++q) {
        if (d->empty() && std::next(d) == dir.end())
            break; // a trailing separator ("/tmp/")
        if (q == p.end() || *q != *d)
            return false;
    }
    return true;
}

std::string mebibytes(std::uintmax_t bytes) {
    const std::uintmax_t mib = bytes >> 20;
    return mib << 20 == bytes ? std::to_string(mib) + " MiB" : std::to_string(bytes) + " bytes";
}

} // namespace

std::vector<std::string> confinement(const std::string& problem_file, const path_policy& policy) {
    if (policy.trust_all)
        return {};
    const fs::path home = fs::path(problem_file).parent_path();
    std::vector<std::string> dirs{resolved(home.empty() ? fs::path(".") : home).string()};
    for (const auto& dir : policy.allowed)
        dirs.push_back(resolved(dir).string());
    return dirs;
}

bool opened_within(int fd, const std::vector<std::string>& directories) {
    if (directories.empty())
        return true;
    std::error_code ec;
    const fs::path real = fs::read_symlink("/proc/self/fd/" + std::to_string(fd), ec);
    if (ec || !real.is_absolute())
        return true; // no /proc: the path check before the open is all there is
    for (const auto& dir : directories)
        if (inside(real, dir))
            return true;
    return false;
}

std::string confined_path(const std::string& problem_file, const std::string& named,
                          const path_policy& policy, path_use use) {
    if (named.empty())
        throw invalid_input("the file name is empty");
    const fs::path name(named);
    const fs::path home = fs::path(problem_file).parent_path();
    const fs::path joined = name.is_absolute() ? name : home / name;
    if (policy.trust_all)
        return joined.string();
    // A file to write keeps its last name unresolved: the writer refuses to replace a link.
    const fs::path real = use == path_use::read || !joined.has_filename()
                              ? resolved(joined)
                              : resolved(joined.parent_path()) / joined.filename();
    // weakly_canonical resolves the links of the part that exists; a link found below that
    // points nowhere, and where it leads is not known until something creates it.
    // (A link as the last name of a file to write is left to the writer, which refuses it.)
    for (fs::path p = use == path_use::read ? real : real.parent_path(); p.has_relative_path();
         p = p.parent_path()) {
        struct stat st {};
        if (::lstat(p.c_str(), &st) == 0 && S_ISLNK(st.st_mode))
            throw invalid_input("'" + named + "' goes through a symbolic link that points nowhere");
    }
    for (const auto& dir : confinement(problem_file, policy))
        if (inside(real, dir))
            return real.string();
    const fs::path base = resolved(home.empty() ? fs::path(".") : home);
    const std::string how =
        name.is_absolute()
            ? "an absolute path"
            : "a path that leads outside the problem file's directory " + base.string();
    throw invalid_input("'" + named + "' is " + how +
                        "; a problem file may name only files in its own directory (a trusted "
                        "file may be run with --allow-path DIR or --trust-paths)");
}

std::string read_regular_file(const std::string& path, std::uintmax_t limit,
                              const std::string& what, const std::string& limit_option,
                              const std::vector<std::string>& confined_to) {
    auto refuse = [&](const std::string& reason) {
        throw invalid_input(what + ": " + path + ": " + reason);
    };
    // O_NONBLOCK: opening a FIFO with no writer returns at once (and fstat then refuses it)
    // instead of waiting for one.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        refuse("cannot open the file: " + std::string(std::strerror(errno)));
    struct guard {
        int fd;
        ~guard() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        refuse("cannot read the file: " + std::string(std::strerror(errno)));
    if (!S_ISREG(st.st_mode))
        refuse("it is " + file_kind(st.st_mode) + ", not a regular file");
    if (!opened_within(fd, confined_to))
        refuse("the file opened is outside the problem file's directory (a link was changed "
               "while it was read)");
    const std::string too_large = "the file is larger than the limit of " + mebibytes(limit) +
                                  " (raise it with " + limit_option + ")";
    if (static_cast<std::uintmax_t>(st.st_size) > limit)
        refuse(too_large);
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0)
        refuse("cannot read the file: " + std::string(std::strerror(errno)));
    std::string text;
    char buffer[1 << 16];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            refuse("cannot read the file: " + std::string(std::strerror(errno)));
        if (n == 0)
            break;
        // The file may grow while it is read.
        if (text.size() + static_cast<std::size_t>(n) > limit)
            refuse(too_large);
        text.append(buffer, static_cast<std::size_t>(n));
    }
    return text;
}

} // namespace symgrad
