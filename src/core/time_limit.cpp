// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/time_limit.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <exception>
#include <optional>

#include <fcntl.h>
#include <poll.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif
#include <sys/wait.h>
#include <unistd.h>

namespace symgrad {

namespace {

void write_all(int fd, const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        done += static_cast<std::size_t>(n);
    }
}

} // namespace

namespace {

thread_local std::optional<std::chrono::steady_clock::time_point> current_deadline;

} // namespace

deadline_scope::deadline_scope(std::chrono::steady_clock::time_point deadline)
    : outer_(current_deadline) {
    if (!current_deadline || deadline < *current_deadline)
        current_deadline = deadline;
}

deadline_scope::~deadline_scope() {
    current_deadline = outer_;
}

limited_result run_with_time_limit(const std::function<std::string()>& work, double seconds) {
    limited_result out;
    if (current_deadline) {
        const double left =
            std::chrono::duration<double>(*current_deadline - std::chrono::steady_clock::now())
                .count();
        if (left < seconds)
            seconds = left;
        if (!(seconds > 0)) {
            out.timed_out = true;
            return out;
        }
    }
    int fds[2];
    // Close-on-exec: a compiler started meanwhile (tiered execution) must not hold the write
    // end, or the read below would wait for it to finish.
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        out.failure = std::string("pipe: ") + std::strerror(errno);
        return out;
    }
    const pid_t parent = ::getpid();
    const pid_t child = ::fork();
    if (child < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        out.failure = std::string("fork: ") + std::strerror(errno);
        return out;
    }
    if (child == 0) {
        ::close(fds[0]);
#if defined(__linux__)
        // Ended with its parent: when the command's time limit (--time-limit) ends symgrad, no
        // child goes on working in the background until its own limit.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent)
            ::_exit(0);
#else
        (void)parent;
#endif
        // 'R' + result, or 'E' + the exception's text.
        std::string message;
        try {
            message = "R" + work();
        } catch (const std::exception& x) {
            message = std::string("E") + x.what();
        } catch (...) {
            message = "Eunknown exception";
        }
        write_all(fds[1], message);
        ::close(fds[1]);
        ::_exit(0); // no atexit handlers, no flushing of the parent's buffered streams
    }
    ::close(fds[1]);
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::duration<double>(std::max(0.0, seconds));
    std::string received;
    bool finished = false;
    char buffer[65536];
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              deadline - std::chrono::steady_clock::now())
                              .count();
        if (left <= 0)
            break;
        pollfd p{fds[0], POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000)));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            continue;
        const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            finished = true; // end of file: the child is done
            break;
        }
        received.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    if (!finished)
        ::kill(child, SIGKILL);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (!finished) {
        out.timed_out = true;
        out.failure = "did not finish within the time limit";
        return out;
    }
    if (WIFSIGNALED(status)) {
        out.failure = std::string("stopped by signal ") + std::to_string(WTERMSIG(status));
        return out;
    }
    if (received.empty()) {
        out.failure = "no result";
        return out;
    }
    if (received[0] == 'E') {
        out.failure = received.substr(1);
        return out;
    }
    out.value = received.substr(1);
    return out;
}

} // namespace symgrad
