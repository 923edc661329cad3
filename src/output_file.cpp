// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/output_file.hpp"

#include "symgrad/error.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace symgrad {

void write_file_atomically(const std::string& path, const std::string& text,
                           const std::string& what) {
    namespace fs = std::filesystem;
    const fs::path target(path);
    const fs::path temp =
        target.parent_path() / (target.filename().string() + ".tmp." + std::to_string(getpid()));
    auto fail = [&](const std::string& reason) {
        std::error_code ignored;
        fs::remove(temp, ignored);
        throw invalid_input(what + ": cannot write " + path + ": " + reason);
    };
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        if (!out)
            fail(std::strerror(errno));
        out << text;
        out.flush();
        if (!out)
            fail("the write failed");
    }
    std::error_code ec;
    fs::rename(temp, target, ec);
    if (ec)
        fail(ec.message());
}

} // namespace symgrad
