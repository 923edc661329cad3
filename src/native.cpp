// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/native.hpp"

#include "symgrad/c_emitter.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include <dlfcn.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace symgrad {

namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

std::string errno_text(int e) {
    return std::strerror(e);
}

bool executable_file(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
           ::access(path.c_str(), X_OK) == 0;
}

/// FNV-1a over the bytes, from two different starting points and directions: 128 bits for
/// file names (a collision is harmless: the stored source is compared before use).
std::string hash_hex(const std::string& text) {
    std::uint64_t a = 0xcbf29ce484222325ULL, b = 0x84222325cbf29ce4ULL;
    for (unsigned char c : text) {
        a ^= c;
        a *= 0x100000001b3ULL;
    }
    for (auto it = text.rbegin(); it != text.rend(); ++it) {
        b ^= static_cast<unsigned char>(*it);
        b *= 0x100000001b3ULL;
    }
    return fmt::format("{:016x}{:016x}", a, b);
}

/// What the compiled code may depend on besides its source: the CPU and the compiler binary.
std::string machine_signature(const std::string& compiler) {
    std::string s;
    struct utsname u {};
    if (::uname(&u) == 0)
        s += std::string(u.sysname) + " " + u.machine;
    // The CPU's model and feature flags (Linux); -march=native code depends on them.
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    bool model = false, features = false;
    while ((!model || !features) && std::getline(cpuinfo, line)) {
        if (!model && line.rfind("model name", 0) == 0) {
            s += " " + line;
            model = true;
        } else if (!features && (line.rfind("flags", 0) == 0 || line.rfind("Features", 0) == 0)) {
            s += " " + line;
            features = true;
        }
    }
    struct stat st {};
    if (::stat(compiler.c_str(), &st) == 0)
        s += fmt::format(" cc={}:{}:{}", compiler, static_cast<long long>(st.st_size),
                         static_cast<long long>(st.st_mtime));
    return s;
}

/// mkdir -p with mode 0700 for what it creates; then the last directory must be private.
void ensure_private_directory(const std::string& dir) {
    if (dir.empty())
        throw native_unavailable("native: no cache directory (set SYMGRAD_CACHE_DIR or HOME)");
    std::string path;
    std::size_t pos = 0;
    while (pos != std::string::npos) {
        pos = dir.find('/', pos + 1);
        path = dir.substr(0, pos);
        if (path.empty())
            continue;
        if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
            throw native_unavailable("native: cannot create the cache directory " + path + ": " +
                                     errno_text(errno));
    }
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0)
        throw native_unavailable("native: cannot use the cache directory " + dir + ": " +
                                 errno_text(errno));
    if (!S_ISDIR(st.st_mode))
        throw native_unavailable("native: the cache directory " + dir +
                                 " is not a directory (or is a symbolic link)");
    if (st.st_uid != ::geteuid())
        throw native_unavailable("native: the cache directory " + dir +
                                 " belongs to another user (uid " + std::to_string(st.st_uid) +
                                 ")");
    if ((st.st_mode & 077) != 0)
        throw native_unavailable(fmt::format(
            "native: the cache directory {} is accessible to other users (mode {:04o}); "
            "make it private (chmod 700) or choose another",
            dir, st.st_mode & 07777));
}

bool read_file(const std::string& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return false;
    std::ostringstream os;
    os << in.rdbuf();
    out = os.str();
    return true;
}

/// Write @p text to a fresh file dir/tmp-XXXXXX<suffix> (O_EXCL, 0600); returns its path.
std::string write_temporary(const std::string& dir, const std::string& suffix,
                            const std::string& text) {
    std::string name = dir + "/tmp-XXXXXX" + suffix;
    std::vector<char> buffer(name.begin(), name.end());
    buffer.push_back('\0');
    const int fd = ::mkstemps(buffer.data(), static_cast<int>(suffix.size()));
    if (fd < 0)
        throw native_unavailable("native: cannot create a file in " + dir + ": " +
                                 errno_text(errno));
    name = buffer.data();
    std::size_t written = 0;
    while (written < text.size()) {
        const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            const int e = errno;
            ::close(fd);
            ::unlink(name.c_str());
            throw native_unavailable("native: cannot write " + name + ": " + errno_text(e));
        }
        written += static_cast<std::size_t>(n);
    }
    ::close(fd);
    return name;
}

struct process_result {
    int status = -1;
    std::string output;
};

/// Run argv[0] (a path) with argv, no shell; stdout and stderr captured together.
process_result run(const std::vector<std::string>& argv) {
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0)
        throw error("native: pipe failed: " + errno_text(errno));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[1]);
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    const int rc = ::posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipe_fds[1]);
    if (rc != 0) {
        ::close(pipe_fds[0]);
        throw native_unavailable("native: cannot run the C compiler " + argv[0] + ": " +
                                 errno_text(rc));
    }
    process_result r;
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        r.output.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(pipe_fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

std::string first_lines(const std::string& text, std::size_t lines) {
    std::size_t pos = 0;
    for (std::size_t i = 0; i < lines && pos != std::string::npos; ++i)
        pos = text.find('\n', pos + 1);
    return pos == std::string::npos ? text : text.substr(0, pos) + "\n...";
}

} // namespace

std::vector<std::string> default_native_flags() {
    return {"-O3", "-march=native"};
}

std::string default_cache_directory() {
    if (auto d = env("SYMGRAD_CACHE_DIR"); !d.empty())
        return d;
    if (auto d = env("XDG_CACHE_HOME"); !d.empty() && d[0] == '/')
        return d + "/symgrad";
    if (auto h = env("HOME"); !h.empty())
        return h + "/.cache/symgrad";
    return {};
}

std::string resolve_compiler(const native_options& options) {
    std::string name = options.compiler;
    if (name.empty())
        name = env("SYMGRAD_CC");
    if (name.empty())
        name = "cc";
    if (name.find('/') != std::string::npos) {
        if (!executable_file(name))
            throw native_unavailable("native: the C compiler " + name +
                                     " does not exist or is not executable");
        return name;
    }
    std::string path = env("PATH");
    if (path.empty())
        path = "/usr/local/bin:/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t end = path.find(':', start);
        std::string dir =
            path.substr(start, end == std::string::npos ? std::string::npos : end - start);
        if (dir.empty())
            dir = ".";
        const std::string candidate = dir + "/" + name;
        if (executable_file(candidate))
            return candidate;
        if (end == std::string::npos)
            break;
        start = end + 1;
    }
    throw native_unavailable("native: no C compiler: " + name + " was not found on PATH");
}

std::shared_ptr<native_module> native_module::build(const tape& t, const native_options& options) {
    const std::string compiler = resolve_compiler(options);
    const std::vector<std::string> flags =
        options.flags.empty() ? default_native_flags() : options.flags;
    const std::string dir =
        options.cache_directory.empty() ? default_cache_directory() : options.cache_directory;
    ensure_private_directory(dir);

    c_options co;
    co.prefix = "symgrad";
    co.block = options.block;
    co.layout_comment = false;
    const std::string code = emit_c(t, co);
    std::string key_text = code;
    key_text += '\0';
    for (const auto& f : flags)
        key_text += f + '\0';
    key_text += machine_signature(compiler);
    const std::string stem = dir + "/sg-" + hash_hex(key_text);
    const std::string so_path = stem + ".so", c_path = stem + ".c";

    std::shared_ptr<native_module> m(new native_module());
    m->path_ = so_path;
    std::string stored;
    if (read_file(c_path, stored) && stored == code && ::access(so_path.c_str(), R_OK) == 0) {
        m->from_cache_ = true;
    } else {
        const std::string tmp_c = write_temporary(dir, ".c", code);
        const std::string tmp_so = tmp_c.substr(0, tmp_c.size() - 2) + ".so";
        std::vector<std::string> argv{compiler};
        argv.insert(argv.end(), flags.begin(), flags.end());
        for (const char* f : {"-std=c99", "-fPIC", "-shared", "-o"})
            argv.emplace_back(f);
        argv.push_back(tmp_so);
        argv.push_back(tmp_c);
        argv.emplace_back("-lm");
        process_result r;
        try {
            r = run(argv);
        } catch (...) {
            ::unlink(tmp_c.c_str());
            throw;
        }
        if (r.status != 0) {
            ::unlink(tmp_c.c_str());
            ::unlink(tmp_so.c_str());
            throw error("native: the C compiler " + compiler + " failed (exit status " +
                        std::to_string(r.status) + "):\n" + first_lines(r.output, 20));
        }
        if (::rename(tmp_so.c_str(), so_path.c_str()) != 0 ||
            ::rename(tmp_c.c_str(), c_path.c_str()) != 0) {
            const int e = errno;
            ::unlink(tmp_c.c_str());
            ::unlink(tmp_so.c_str());
            throw native_unavailable("native: cannot store the compiled code in " + dir + ": " +
                                     errno_text(e));
        }
    }
    m->handle_ = ::dlopen(so_path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!m->handle_) {
        const char* why = ::dlerror();
        throw error("native: cannot load " + so_path + ": " + (why ? why : "unknown error"));
    }
    m->point_ = reinterpret_cast<point_function>(::dlsym(m->handle_, "symgrad_point"));
    m->sum_ = reinterpret_cast<sum_function>(::dlsym(m->handle_, "symgrad_sum"));
    if (!m->point_ || !m->sum_)
        throw error("native: " + so_path + " does not define symgrad_point and symgrad_sum");
    return m;
}

native_module::~native_module() {
    if (handle_)
        ::dlclose(handle_);
}

} // namespace symgrad
