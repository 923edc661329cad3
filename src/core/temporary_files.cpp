// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/temporary_files.hpp"

#include <atomic>
#include <chrono>
#include <list>
#include <mutex>
#include <utility>

#include <signal.h>
#include <unistd.h>

namespace symgrad {

namespace {

struct registry {
    std::timed_mutex mutex;
    std::list<std::string> paths;
};

/// Made when the program starts (remove_temporary_files() may run where nothing can be
/// allocated), and never destroyed: a thread may end the process while others still run.
registry* const the_registry = new registry;

registry& files() {
    return *the_registry;
}

/// Lock-free, so that a signal handler can read it.
std::atomic<int> child_groups[16];

} // namespace

child_process_group_guard::child_process_group_guard(int group) noexcept {
    for (int i = 0; i < 16; ++i) {
        int empty = 0;
        if (child_groups[i].compare_exchange_strong(empty, group)) {
            slot_ = i;
            return;
        }
    }
}

child_process_group_guard::~child_process_group_guard() {
    if (slot_ >= 0)
        child_groups[slot_].store(0);
}

temporary_file_guard::temporary_file_guard(std::string path) : path_(std::move(path)) {
    registry& r = files();
    std::lock_guard lock(r.mutex);
    r.paths.push_back(path_);
}

temporary_file_guard::~temporary_file_guard() {
    registry& r = files();
    std::lock_guard lock(r.mutex);
    for (auto it = r.paths.begin(); it != r.paths.end(); ++it)
        if (*it == path_) {
            r.paths.erase(it);
            break;
        }
}

void remove_temporary_files() noexcept {
    for (auto& g : child_groups)
        if (const int group = g.load(); group > 0)
            ::kill(-group, SIGTERM); // the driver removes its own temporaries (cc*.s) first
    registry& r = files();
    // The thread that holds the lock may be the one that ran out of memory: do not wait for it.
    if (!r.mutex.try_lock_for(std::chrono::milliseconds(100)))
        return;
    for (const auto& p : r.paths)
        ::unlink(p.c_str());
    r.mutex.unlock();
}

} // namespace symgrad
