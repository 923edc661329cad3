// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/compile/native.hpp"

#include "symgrad/compile/c_emitter.hpp"
#include "symgrad/core/temporary_files.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <optional>
#include <sstream>

#include <nettle/sha2.h>

#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
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

/// Write @p text to a fresh file dir/tmp-PID-XXXXXX<suffix> (O_CREAT | O_EXCL | O_NOFOLLOW,
/// mode 0600); returns its path. The process id in the name tells remove_stale_temporaries
/// whether the writer is still alive.
std::string write_temporary(const std::string& dir, const std::string& suffix,
                            const std::string& text) {
    std::string name = dir + "/tmp-" + std::to_string(::getpid()) + "-XXXXXX" + suffix;
    std::vector<char> buffer(name.begin(), name.end());
    buffer.push_back('\0');
    const int fd =
        ::mkostemps(buffer.data(), static_cast<int>(suffix.size()), O_CLOEXEC | O_NOFOLLOW);
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
    if (::close(fd) != 0) {
        const int e = errno;
        ::unlink(name.c_str());
        throw native_unavailable("native: cannot write " + name + ": " + errno_text(e));
    }
    return name;
}

/// Temporary files older than this whose writer has exited are left over from a run that was
/// killed (SIGKILL, a watchdog, a power cut): removed by the next build in the directory.
constexpr std::time_t stale_seconds = 60;
/// Older than this, a temporary file is removed whatever its name says about its writer (a
/// process id may have been reused).
constexpr std::time_t abandoned_seconds = 24 * 3600;

/// Remove the tmp-* files a killed build left in @p dir. A signal handler could not do this
/// for SIGKILL or a crash, and a library should not take over its user's signals; files of a
/// build still running (its process is alive, or the file is recent) are kept.
void remove_stale_temporaries(const std::string& dir) {
    DIR* d = ::opendir(dir.c_str());
    if (!d)
        return;
    const std::time_t now = std::time(nullptr);
    while (const dirent* entry = ::readdir(d)) {
        const std::string name = entry->d_name;
        if (name.rfind("tmp-", 0) != 0)
            continue;
        struct stat st {};
        if (::fstatat(::dirfd(d), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            st.st_uid != ::geteuid() || (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)))
            continue;
        const std::time_t age = now - st.st_mtime;
        if (age < stale_seconds)
            continue;
        // tmp-PID-XXXXXX.ext: is PID still running?
        bool writer_alive = false;
        const std::size_t dash = name.find('-', 4);
        if (dash != std::string::npos && dash > 4) {
            const std::string digits = name.substr(4, dash - 4);
            if (digits.find_first_not_of("0123456789") == std::string::npos && digits.size() < 10) {
                const long pid = std::stol(digits);
                writer_alive =
                    pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH);
            }
        }
        if (!writer_alive || age >= abandoned_seconds)
            ::unlinkat(::dirfd(d), name.c_str(), 0);
    }
    ::closedir(d);
}

/// The files of one cache entry: STEM.c (the source), STEM.so (the object) and STEM.sha256
/// (the object's SHA-256, in the format of sha256sum).
struct cache_entry {
    std::string dir, stem;
    std::string c() const { return stem + ".c"; }
    std::string so() const { return stem + ".so"; }
    std::string digest() const { return stem + ".sha256"; }
    /// The digest file's text for an object of digest @p hex.
    std::string digest_text(const std::string& hex) const {
        return hex + "  " + so().substr(so().rfind('/') + 1) + "\n";
    }
    void remove() const {
        for (const auto& p : {so(), digest(), c()})
            ::unlink(p.c_str());
    }
};

/// The largest object symgrad would load: far beyond any compiled tape.
constexpr off_t max_object_bytes = off_t{1} << 30;

/// SHA-256 (nettle) of the regular file @p path, in hex, read without following a symbolic
/// link; empty with @p problem set when it cannot be read or is not a regular file of ours.
std::string file_sha256(const std::string& path, std::string& problem) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        problem = "cannot read " + path + ": " + errno_text(errno);
        return {};
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid() ||
        st.st_size > max_object_bytes) {
        ::close(fd);
        problem = path + " is not a regular file of this user's";
        return {};
    }
    sha256_ctx ctx;
    sha256_init(&ctx);
    std::vector<std::uint8_t> buffer(1 << 16);
    for (;;) {
        const ssize_t n = ::read(fd, buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            problem = "cannot read " + path + ": " + errno_text(errno);
            ::close(fd);
            return {};
        }
        if (n == 0)
            break;
        sha256_update(&ctx, static_cast<std::size_t>(n), buffer.data());
    }
    ::close(fd);
    std::uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
    std::string hex;
    for (std::uint8_t b : digest)
        hex += fmt::format("{:02x}", b);
    return hex;
}

/// The text of the small regular file @p path (no symbolic link), or nullopt.
std::optional<std::string> read_small_file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return std::nullopt;
    struct stat st {};
    std::optional<std::string> text;
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == ::geteuid() &&
        st.st_size < 4096) {
        std::string s(static_cast<std::size_t>(st.st_size), '\0');
        std::size_t got = 0;
        while (got < s.size()) {
            const ssize_t n = ::read(fd, s.data() + got, s.size() - got);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            got += static_cast<std::size_t>(n);
        }
        if (got == s.size())
            text = std::move(s);
    }
    ::close(fd);
    return text;
}

struct process_result {
    int status = -1;
    int signal = 0;
    std::string output;
};

/// Run argv[0] (a path) with argv, no shell; stdout and stderr captured together. The child
/// leads a process group of its own, so that @p control (and a signal that ends symgrad, see
/// temporary_files.hpp) can end the compiler with everything it started.
process_result run(const std::vector<std::string>& argv, build_control* control) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) // other children must not inherit it
        throw native_unavailable("native: pipe failed: " + errno_text(errno));
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
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attributes, 0);
    pid_t pid = 0;
    const int rc =
        ::posix_spawn(&pid, argv[0].c_str(), &actions, &attributes, args.data(), environ);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipe_fds[1]);
    if (rc != 0) {
        ::close(pipe_fds[0]);
        throw native_unavailable("native: cannot run the C compiler " + argv[0] + ": " +
                                 errno_text(rc));
    }
    std::optional<child_process_group_guard> group(pid);
    // When already cancelled, attach() kills it at once; it is reaped below all the same.
    if (control)
        control->attach(pid);
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
    // Wait without reaping, so that the group's id cannot be reused while cancel() may still
    // kill it; detach, then reap.
    siginfo_t info{};
    while (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT) < 0 &&
           errno == EINTR) {
    }
    group.reset();
    if (control)
        control->detach();
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    return r;
}

/// The first line of the compiler's messages, shortened: the note about the fallback is one
/// line.
std::string first_line(const std::string& text) {
    std::string line = text.substr(0, text.find('\n'));
    if (line.size() > 200)
        line = line.substr(0, 200) + "...";
    return line;
}

/// Compile @p code into the cache entry: object, digest and source written under temporary
/// names and renamed into place. native_unavailable when the compiler fails (with the first
/// line of its messages) or the files cannot be stored; no temporary file is left behind.
void compile_into(const cache_entry& entry, const std::string& compiler,
                  const std::vector<std::string>& flags, const std::string& code,
                  build_control* control) {
    const std::string tmp_c = write_temporary(entry.dir, ".c", code);
    const std::string tmp_so = tmp_c.substr(0, tmp_c.size() - 2) + ".so";
    // Removed by a process that a limit ends in the middle of the compile.
    const temporary_file_guard c_guard(tmp_c), so_guard(tmp_so);
    std::optional<temporary_file_guard> digest_guard;
    std::string tmp_digest;
    auto remove_temporaries = [&] {
        ::unlink(tmp_c.c_str());
        ::unlink(tmp_so.c_str());
        if (!tmp_digest.empty())
            ::unlink(tmp_digest.c_str());
    };
    try {
        std::vector<std::string> argv{compiler};
        argv.insert(argv.end(), flags.begin(), flags.end());
        for (const char* f : {"-std=c99", "-fPIC", "-shared", "-o"})
            argv.emplace_back(f);
        argv.push_back(tmp_so);
        argv.push_back(tmp_c);
        argv.emplace_back("-lm");
        const process_result r = run(argv, control);
        if (control && control->cancelled())
            throw native_unavailable("native: the compile was cancelled");
        if (r.status != 0) {
            std::string what = "native: the C compiler " + compiler;
            what += r.signal ? " was killed by signal " + std::to_string(r.signal)
                             : " failed (exit status " + std::to_string(r.status) + ")";
            if (const std::string line = first_line(r.output); !line.empty())
                what += ": " + line;
            throw native_unavailable(what);
        }
        std::string problem;
        const std::string hex = file_sha256(tmp_so, problem);
        if (hex.empty())
            throw native_unavailable("native: the C compiler " + compiler +
                                     " made no usable object: " + problem);
        tmp_digest = write_temporary(entry.dir, ".sha256", entry.digest_text(hex));
        digest_guard.emplace(tmp_digest);
        // The object first: a reader that finds a new object with an old digest rebuilds.
        if (::rename(tmp_so.c_str(), entry.so().c_str()) != 0 ||
            ::rename(tmp_digest.c_str(), entry.digest().c_str()) != 0 ||
            ::rename(tmp_c.c_str(), entry.c().c_str()) != 0)
            throw native_unavailable("native: cannot store the compiled code in " + entry.dir +
                                     ": " + errno_text(errno));
    } catch (...) {
        remove_temporaries();
        throw;
    }
}

struct loaded_object {
    void* handle = nullptr;
    native_module::point_function point = nullptr;
    native_module::sum_function sum = nullptr;
    /// Why there is no handle.
    std::string problem;
};

/// dlopen the entry's object after checking its bytes against the recorded digest.
loaded_object load_verified(const cache_entry& entry) {
    loaded_object o;
    const auto recorded = read_small_file(entry.digest());
    if (!recorded) {
        o.problem = "no digest recorded for " + entry.so();
        return o;
    }
    const std::string hex = file_sha256(entry.so(), o.problem);
    if (hex.empty())
        return o;
    if (*recorded != entry.digest_text(hex)) {
        o.problem = entry.so() + " does not match the digest recorded when it was built";
        return o;
    }
    o.handle = ::dlopen(entry.so().c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!o.handle) {
        const char* why = ::dlerror();
        o.problem = "cannot load " + entry.so() + ": " + first_line(why ? why : "unknown error");
        return o;
    }
    o.point = reinterpret_cast<native_module::point_function>(::dlsym(o.handle, "symgrad_point"));
    o.sum = reinterpret_cast<native_module::sum_function>(::dlsym(o.handle, "symgrad_sum"));
    if (!o.point || !o.sum) {
        ::dlclose(o.handle);
        o = {};
        o.problem = entry.so() + " does not define symgrad_point and symgrad_sum";
    }
    return o;
}

} // namespace

std::vector<std::string> default_native_flags() {
    return {"-O3", "-march=native"};
}

std::vector<std::string> required_native_flags() {
    std::vector<std::string> flags{"-ffp-contract=off"};
    for (const char* f : {"exp", "log", "log1p", "expm1", "pow", "hypot", "tanh", "sinh", "cosh",
                          "sin", "cos", "tan", "atan", "asin", "acos"})
        flags.push_back(std::string("-fno-builtin-") + f);
    return flags;
}

void build_control::cancel() noexcept {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    if (group_ > 0)
        ::kill(-group_, SIGTERM);
}

void build_control::kill() noexcept {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    if (group_ > 0)
        ::kill(-group_, SIGKILL);
}

bool build_control::cancelled() const noexcept {
    std::lock_guard lock(mutex_);
    return cancelled_;
}

bool build_control::attach(int group) noexcept {
    std::lock_guard lock(mutex_);
    if (cancelled_) {
        ::kill(-group, SIGTERM);
        return false;
    }
    group_ = group;
    return true;
}

void build_control::detach() noexcept {
    std::lock_guard lock(mutex_);
    group_ = 0;
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

native_build native_build::prepare(const tape& t, const native_options& options) {
    native_build b;
    b.compiler_ = resolve_compiler(options);
    b.flags_ = options.flags.empty() ? default_native_flags() : options.flags;
    for (const auto& f : required_native_flags())
        b.flags_.push_back(f);
    b.dir_ = options.cache_directory.empty() ? default_cache_directory() : options.cache_directory;
    ensure_private_directory(b.dir_);
    remove_stale_temporaries(b.dir_);

    c_options co;
    co.prefix = "symgrad";
    co.block = options.block;
    co.layout_comment = false;
    b.code_ = emit_c(t, co);
    std::string key_text = b.code_;
    key_text += '\0';
    for (const auto& f : b.flags_)
        key_text += f + '\0';
    key_text += machine_signature(b.compiler_);
    b.stem_ = b.dir_ + "/sg-" + hash_hex(key_text);
    const cache_entry entry{b.dir_, b.stem_};

    // A cached object is used only when its source is the one wanted and its bytes are the
    // ones recorded when it was built; anything else (planted, truncated, corrupted, from
    // another build) is removed and built again.
    std::string stored;
    if (read_file(entry.c(), stored) && stored == b.code_) {
        loaded_object o = load_verified(entry);
        if (o.handle) {
            b.cached_.reset(new native_module());
            b.cached_->adopt(entry.so(), o.handle, o.point, o.sum);
            b.cached_->from_cache_ = true;
            return b;
        }
        entry.remove();
    }
    return b;
}

std::shared_ptr<native_module> native_build::finish(build_control* control) const {
    if (cached_)
        return cached_;
    const cache_entry entry{dir_, stem_};
    std::string problem;
    // One build, and one more when what was built does not load.
    for (int attempt = 0; attempt < 2; ++attempt) {
        compile_into(entry, compiler_, flags_, code_, control);
        loaded_object o = load_verified(entry);
        if (o.handle) {
            std::shared_ptr<native_module> m(new native_module());
            m->adopt(entry.so(), o.handle, o.point, o.sum);
            return m;
        }
        problem = std::move(o.problem);
        entry.remove();
    }
    throw native_unavailable("native: " + problem + " (also after rebuilding it)");
}

std::shared_ptr<native_module> native_module::build(const tape& t, const native_options& options) {
    return native_build::prepare(t, options).finish();
}

void native_module::adopt(std::string path, void* handle, point_function point_fn,
                          sum_function sum_fn) {
    path_ = std::move(path);
    handle_ = handle;
    point_ = point_fn;
    sum_ = sum_fn;
}

native_module::~native_module() {
    if (handle_)
        ::dlclose(handle_);
}

} // namespace symgrad
