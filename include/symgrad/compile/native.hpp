// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file native.hpp
/// A tape as machine code: the C of c_emitter.hpp, compiled by the system C compiler into a
/// shared object and loaded with dlopen.
///
/// Safety:
///   - no shell: the compiler is run with an argument vector (posix_spawn), found on PATH or
///     given as a path; its output is captured for error messages;
///   - the generated code contains no symbol names (registers are numbered);
///   - the cache directory is private: created with mode 0700, and refused when it is not a
///     directory owned by the user without group or other permissions;
///   - files are written under a fresh temporary name (O_CREAT | O_EXCL | O_NOFOLLOW, mode 0600)
///     and renamed into place, so a reader never sees a partial file; a cached object is used
///     only when the source stored next to it is exactly the source wanted (a hash collision
///     cannot load the wrong code);
///   - a verified cache: when an object is built, its SHA-256 (nettle) is recorded beside it in
///     STEM.sha256 (sha256sum's format, mode 0600), and an object is loaded only when its bytes
///     have that digest. A planted, truncated or corrupted object, a missing digest, or an
///     object that dlopen or dlsym refuses is removed and built again, once; when that fails
///     too, or the compiler fails, build() throws native_unavailable and the evaluator falls
///     back to the interpreter with a one-line note;
///   - temporary files (tmp-PID-XXXXXX.c/.so/.sha256) are removed on every path that returns
///     or throws, and registered (temporary_files.hpp) so that a command stopped by its time or
///     memory limit removes them too; those of a build that was killed by a signal are removed
///     by the next build in the directory once they are a minute old and their process has
///     exited. A library cannot clean up after SIGKILL, and should not take over its
///     user's signal handlers, so the next run does it.
/// The cache key hashes the source, the compiler (path, size, modification time), the flags
/// and the CPU (so -march=native objects never move between different machines).

#include "symgrad/compile/c_emitter.hpp"
#include "symgrad/compile/tape.hpp"
#include "symgrad/core/error.hpp"

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace symgrad {

/// The native backend cannot be used here (no compiler, a failing compiler, no usable cache
/// directory, an object that does not load); the message says why, in one line. Callers fall
/// back to the interpreter.
class native_unavailable : public error {
public:
    using error::error;
};

struct native_options {
    /// The C compiler: a name looked up on PATH or a path. Empty: $SYMGRAD_CC, else "cc".
    std::string compiler;
    /// Compiler flags. Empty: default_native_flags().
    std::vector<std::string> flags;
    /// Where compiled objects are kept. Empty: default_cache_directory().
    std::string cache_directory;
    /// Samples per block in the summing function.
    std::size_t block = 64;
};

/// -O3 -march=native (what the benchmark's hand-written baseline is compiled with too).
std::vector<std::string> default_native_flags();

/// Added to any flags: native code must compute the interpreter's bits, operation for
/// operation (tiered execution switches from one to the other in the middle of a run;
/// batch_evaluator.hpp). -ffp-contract=off: no fused multiply-add. -fno-builtin-exp and the
/// like for every libm function the code calls: the compiler would otherwise compute calls on
/// constants itself, correctly rounded, where glibc at run time may differ in the last bit
/// (-log1p(-1/4.75) did). Flags that change rounding (-ffast-math) break the guarantee.
std::vector<std::string> required_native_flags();

/// $SYMGRAD_CACHE_DIR, else $XDG_CACHE_HOME/symgrad, else $HOME/.cache/symgrad.
std::string default_cache_directory();

/// The compiler the options name, resolved to a path; native_unavailable when there is none.
std::string resolve_compiler(const native_options& options);

/// Stops a native build running in another thread: cancel() sends SIGTERM to the compiler's
/// whole process group (the driver removes its temporaries, cc1 and as end too), kill() sends
/// SIGKILL, and the build then throws native_unavailable. Safe from any thread, before, during
/// or after the compile.
class build_control {
public:
    void cancel() noexcept;
    void kill() noexcept;
    bool cancelled() const noexcept;

    /// For the build: the compiler's process group, which cancel() kills until it is
    /// detached. attach() returns false (and kills the group) when already cancelled.
    bool attach(int group) noexcept;
    void detach() noexcept;

private:
    mutable std::mutex mutex_;
    bool cancelled_ = false;
    int group_ = 0;
};

class native_module;

/// build() in two halves, for tiered execution (batch_evaluator.hpp): prepare() does the quick
/// part in the calling thread (finds the compiler and the private cache directory, writes the
/// C source, loads a verified cached object); finish() compiles and loads, touches no
/// expression (GiNaC is not thread-safe) and so may run in another thread.
class native_build {
public:
    /// Throws native_unavailable as build() does for the quick part's reasons.
    static native_build prepare(const tape& t, const native_options& options = {});

    /// The module, when the cache had it; null when finish() must compile it.
    const std::shared_ptr<native_module>& cached() const noexcept { return cached_; }

    /// Compile, store in the cache and load; native_unavailable as build() throws, or when
    /// @p control cancels it.
    std::shared_ptr<native_module> finish(build_control* control = nullptr) const;

private:
    native_build() = default;
    std::string compiler_, dir_, stem_, code_;
    std::vector<std::string> flags_;
    std::shared_ptr<native_module> cached_;
};

/// A loaded shared object computing a tape (see c_emitter.hpp for the two functions).
class native_module {
public:
    using point_function = void (*)(const double* w, const double* x, const double* y, double* out);
    using sum_function = void (*)(const double* w, const double* x, const double* y,
                                  std::size_t begin, std::size_t end, double* out);

    /// Emit, compile (or find and verify in the cache) and load the code for @p t. Throws
    /// native_unavailable, with a one-line reason, when there is no compiler or no private
    /// cache directory, when the compiler fails (with the first line of its messages), or when
    /// the object cannot be loaded even after rebuilding it once.
    static std::shared_ptr<native_module> build(const tape& t, const native_options& options = {});

    ~native_module();
    native_module(const native_module&) = delete;
    native_module& operator=(const native_module&) = delete;

    point_function point() const noexcept { return point_; }
    sum_function sum() const noexcept { return sum_; }
    /// The shared object's path in the cache.
    const std::string& path() const noexcept { return path_; }
    /// True when the object came from the cache (nothing was compiled).
    bool from_cache() const noexcept { return from_cache_; }

private:
    friend class native_build;
    native_module() = default;
    void adopt(std::string path, void* handle, point_function point_fn, sum_function sum_fn);
    void* handle_ = nullptr;
    point_function point_ = nullptr;
    sum_function sum_ = nullptr;
    std::string path_;
    bool from_cache_ = false;
};

} // namespace symgrad
