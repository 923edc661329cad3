// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#pragma once

/// @file output_file.hpp
/// Files symgrad writes (solutions, training logs) are whole or absent, and writing them is safe
/// in a directory other users can write to:
///   - the text goes to a new temporary file in the target's directory, created with
///     O_CREAT | O_EXCL | O_NOFOLLOW under a random name (never a name another user can plant a
///     symbolic link at), mode 0600 until it is complete;
///   - it gets the target's mode (or 0666 less the umask for a new file), is flushed to disk and
///     renamed over the target, and the directory is flushed too;
///   - only a regular file is replaced: a symbolic link, a directory, a FIFO or a device at the
///     target is refused, as is a target that is one of the command's input files;
///   - on every failure the temporary file is removed and the target is left as it was.

#include <string>
#include <sys/types.h>
#include <vector>

namespace symgrad {

/// What an output may not be, and where it must be.
struct output_rules {
    /// Files the command read (a problem file, its data): the output may not be one of them
    /// (same device and inode, whatever the spelling).
    std::vector<std::string> inputs;
    /// When not empty: directories (resolved, see input_file.hpp's confinement) that the
    /// output's directory must lie in, checked on the directory as opened, so a link swapped in
    /// after an earlier check of the path (say, during a long training) is caught.
    std::vector<std::string> confined_to;
};

/// Write @p text to @p path as described above, following @p rules. Throws invalid_input
/// "WHAT: cannot write PATH: REASON" when the file cannot or may not be written.
void write_file_atomically(const std::string& path, const std::string& text,
                           const std::string& what = "write", const output_rules& rules = {});

/// The checks write_file_atomically makes before it writes, on their own (to refuse before a
/// long computation, not after it): throws the same invalid_input when @p path exists and is
/// not a regular file, or is one of @p inputs, or does not exist and has no directory.
void check_output_path(const std::string& path, const std::string& what,
                       const std::vector<std::string>& inputs = {});

/// What a file that is not a regular file is, for messages: "a symbolic link", "a directory",
/// "a FIFO", "a device", "a socket".
std::string file_kind(mode_t mode);

} // namespace symgrad
