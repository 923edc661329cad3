// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "cli/budget.hpp"

#include "symgrad/core/error.hpp"
#include "symgrad/core/temporary_files.hpp"

#include <cln/malloc.h>
#include <flint/flint.h>
#include <fmt/format.h>
#include <gmp.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include <cerrno>
#include <cstring>

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>

// AddressSanitizer reserves terabytes of address space for its shadow memory: under it, the
// memory limit is not set (the time limit still is).
#if defined(__SANITIZE_ADDRESS__)
#define SYMGRAD_ADDRESS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SYMGRAD_ADDRESS_SANITIZER 1
#endif
#endif

namespace symgrad::cli {

namespace {

// Written when a limit is hit, prepared beforehand: nothing is allocated on the way out.
std::string* time_message = nullptr;
std::string* memory_message = nullptr;

/// Blocks (SIG_BLOCK) or unblocks (SIG_UNBLOCK) the time limit's SIGALRM in this thread.
void alarm_signal(int how) {
    sigset_t alarm;
    sigemptyset(&alarm);
    sigaddset(&alarm, SIGALRM);
    ::pthread_sigmask(how, &alarm, nullptr);
}

[[noreturn]] void stop_with(const std::string* message) {
    // One thread reports and ends the process; another that gets here (the timer while
    // memory runs out) waits for it, so the message is never cut short.
    // The timer's signal must not interrupt this thread's own way out (its handler would wait
    // below forever).
    alarm_signal(SIG_BLOCK);
    static std::atomic<bool> stopping{false};
    if (stopping.exchange(true))
        for (;;)
            ::pause();
    remove_temporary_files();
    if (message) {
        std::size_t written = 0;
        while (written < message->size()) {
            const ssize_t n = ::write(2, message->data() + written, message->size() - written);
            if (n <= 0)
                break;
            written += static_cast<std::size_t>(n);
        }
    }
    ::_exit(2);
}

[[noreturn]] void out_of_memory() {
    stop_with(memory_message);
}

void* checked_malloc(std::size_t size) {
    void* p = std::malloc(size ? size : 1);
    if (!p)
        out_of_memory();
    return p;
}

void* checked_calloc(std::size_t count, std::size_t size) {
    void* p = std::calloc(count ? count : 1, size ? size : 1);
    if (!p)
        out_of_memory();
    return p;
}

void* checked_realloc(void* old, std::size_t size) {
    void* p = std::realloc(old, size ? size : 1);
    if (!p)
        out_of_memory();
    return p;
}

void* gmp_realloc(void* old, std::size_t, std::size_t size) {
    return checked_realloc(old, size);
}

void gmp_free(void* p, std::size_t) {
    std::free(p);
}

/// SIGINT, SIGTERM, SIGHUP, SIGQUIT: the temporaries of work in progress (a compile's tmp-*.c,
/// an output's temporary) are removed, then the signal ends the process as it would have. The
/// registry's removal allocates nothing and never blocks for long (temporary_files.hpp); unlink
/// is async-signal-safe. SIGKILL cannot be caught: the native cache removes what a killed
/// process left on its next build.
/// SIGALRM, from the time limit's timer: the message, then exit status 2. Everything on the way
/// out is async-signal-safe (stop_with allocates nothing).
extern "C" void time_limit_reached(int) {
    stop_with(time_message);
}

extern "C" void remove_temporaries_and_reraise(int signal_number) {
    remove_temporary_files();
    ::signal(signal_number, SIG_DFL);
    ::raise(signal_number);
}

void remove_temporaries_on_signals() {
    for (const int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) {
        struct sigaction current {};
        // A signal the caller ignores (nohup, a background job's SIGINT) stays ignored.
        if (::sigaction(s, nullptr, &current) != 0 || current.sa_handler == SIG_IGN)
            continue;
        struct sigaction action {};
        action.sa_handler = remove_temporaries_and_reraise;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESETHAND;
        ::sigaction(s, &action, nullptr);
    }
}

std::string limit_text(double v) {
    return fmt::format("{:g}", v);
}

} // namespace

void add_budget_options(CLI::App& app, budget& b) {
    app.add_option("--time-limit", b.seconds,
                   "stop the command after SECONDS of wall-clock time, exit status 2 (default " +
                       limit_text(default_time_limit) + "; 0: no limit)")
        ->type_name("SECONDS")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--memory-limit", b.megabytes,
                   "stop the command when it needs more than MIB MiB of memory, exit status 2 "
                   "(default " +
                       limit_text(default_memory_limit) + "; 0: no limit)")
        ->type_name("MIB")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--max-digits", b.sizes.digits,
                   "refuse exact numbers (powers, factorials, exact training's weights) of more "
                   "than DIGITS digits, exit status 2 (default " +
                       fmt::format("{:.0f}", default_size_limits.digits) + "; 0: no limit)")
        ->type_name("DIGITS")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--max-nodes", b.sizes.nodes,
                   "refuse expressions (read, derived, simplified) of more than N distinct "
                   "subexpressions, exit status 2 (default " +
                       fmt::format("{:.0f}", default_size_limits.nodes) + "; 0: no limit)")
        ->type_name("N")
        ->check(CLI::NonNegativeNumber);
}

void start_budget(const budget& b) {
    time_message = new std::string(
        "symgrad: error: time limit: the command did not finish within " + limit_text(b.seconds) +
        " s; raise the limit with --time-limit SECONDS (0: no limit)\n");
#if defined(SYMGRAD_ADDRESS_SANITIZER)
    const bool memory_limited = false;
#else
    const bool memory_limited = b.megabytes > 0 && b.megabytes * 1024 * 1024 < 1e18;
#endif
    memory_message = new std::string(
        memory_limited ? "symgrad: error: memory limit: the command needed more than " +
                             limit_text(b.megabytes) +
                             " MiB; raise the limit with --memory-limit MIB (0: no limit)\n"
                       : std::string("symgrad: error: out of memory\n"));

    remove_temporaries_on_signals();

    // The time limit is a timer's signal, not a watchdog thread: the verifier forks children
    // that allocate, and a fork while another thread exists can leave the child waiting forever
    // on an allocator lock (it did, under AddressSanitizer). Beyond 10^9 s (31 years): no limit.
    if (b.seconds > 0 && b.seconds < 1e9) {
        struct sigaction action {};
        action.sa_handler = time_limit_reached;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        itimerval timer{};
        timer.it_value.tv_sec = static_cast<time_t>(b.seconds);
        timer.it_value.tv_usec = static_cast<suseconds_t>(
            (b.seconds - static_cast<double>(timer.it_value.tv_sec)) * 1e6);
        if (timer.it_value.tv_sec == 0 && timer.it_value.tv_usec == 0)
            timer.it_value.tv_usec = 1;
        if (::sigaction(SIGALRM, &action, nullptr) != 0 ||
            ::setitimer(ITIMER_REAL, &timer, nullptr) != 0)
            throw error(std::string("time limit: cannot start the timer: ") + std::strerror(errno));
        alarm_signal(SIG_UNBLOCK);
    }

    // Every allocator symgrad's libraries use ends the process with the message when memory
    // runs out, instead of aborting (GMP, CLN, FLINT) or throwing through code that may report
    // it as something else (operator new).
    std::set_new_handler(out_of_memory);
    mp_set_memory_functions(checked_malloc, gmp_realloc, gmp_free);
    cln::malloc_hook = checked_malloc;
    __flint_set_memory_functions(checked_malloc, checked_calloc, checked_realloc, std::free);
    if (memory_limited) {
        const double bytes = b.megabytes * 1024 * 1024;
        rlimit limit{};
        if (::getrlimit(RLIMIT_AS, &limit) == 0) {
            const auto wanted = static_cast<rlim_t>(bytes);
            if (limit.rlim_max == RLIM_INFINITY || wanted < limit.rlim_max)
                limit.rlim_cur = wanted;
            else
                limit.rlim_cur = limit.rlim_max;
            ::setrlimit(RLIMIT_AS, &limit);
        }
    }
}

void finish_budget() {
    // From here on the output is written whole: the timer's signal is blocked, then disarmed.
    alarm_signal(SIG_BLOCK);
    const itimerval off{};
    ::setitimer(ITIMER_REAL, &off, nullptr);
}

} // namespace symgrad::cli
