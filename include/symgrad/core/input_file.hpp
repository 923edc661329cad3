// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file input_file.hpp
/// Files symgrad reads, and the paths a problem file may name. Problem files come from other
/// people, so the files they name are confined: a `data "..."` or `log "..."` path is relative
/// to the problem file's directory and may not leave it, neither by an absolute path nor by
/// `..` nor through a symbolic link (symbolic links that stay inside are fine). A trusted user
/// allows more directories (`run --allow-path DIR`) or any path (`run --trust-paths`).
///
/// Only regular files are read, up to a size limit: a FIFO, a directory or a device such as
/// /dev/zero is refused at once, without waiting for it.

#include <cstdint>
#include <string>
#include <vector>

namespace symgrad {

/// The default size limits of files read: problem files and data files.
inline constexpr std::uintmax_t default_problem_file_limit = 16u << 20; // 16 MiB
inline constexpr std::uintmax_t default_data_file_limit = 64u << 20;    // 64 MiB

/// Which paths a problem file may name, and how large its data may be.
struct path_policy {
    /// Directories outside the problem file's own that its paths may name (absolute, or
    /// relative to the current directory).
    std::vector<std::string> allowed;
    /// Any path at all, relative ones still taken from the problem file's directory.
    bool trust_all = false;
    /// The largest data file read, in bytes.
    std::uintmax_t data_limit = default_data_file_limit;
};

/// Whether a path names a file to read or one to write.
enum class path_use { read, write };

/// The path a problem file @p problem_file names as @p named (a data file or a log), resolved
/// against the problem file's directory, with every existing symbolic link resolved (except
/// the last name of a file to write, which write_file_atomically refuses if it is a link). Throws
/// invalid_input saying why when @p policy does not allow it: an absolute path, a `..` or a
/// symbolic link that leads outside the problem file's directory (and the allowed ones). The
/// message does not start with a "where:" prefix; callers add the place.
std::string confined_path(const std::string& problem_file, const std::string& named,
                          const path_policy& policy, path_use use = path_use::read);

/// The directories, resolved, that @p policy confines @p problem_file's paths to: its own
/// directory and the allowed ones; empty when it trusts every path.
std::vector<std::string> confinement(const std::string& problem_file, const path_policy& policy);

/// Whether the file or directory open as @p fd lies in one of @p directories (resolved), by
/// the path the kernel gives for it (/proc/self/fd): a link swapped in after confined_path
/// checked the path is caught here. True when @p directories is empty or /proc is missing.
bool opened_within(int fd, const std::vector<std::string>& directories);

/// The whole contents of the regular file @p path, at most @p limit bytes. Throws
/// invalid_input "WHAT: PATH: REASON" when it cannot be opened, is not a regular file (FIFO,
/// directory, device: refused without blocking), is larger than @p limit (the message names
/// @p limit_option, the option that raises it), or is not, as opened, within @p confined_to
/// (when that is not empty; see opened_within).
std::string read_regular_file(const std::string& path, std::uintmax_t limit,
                              const std::string& what, const std::string& limit_option,
                              const std::vector<std::string>& confined_to = {});

} // namespace symgrad
