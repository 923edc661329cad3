// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/core/temporary_files.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

BOOST_AUTO_TEST_SUITE(temporary_files)

BOOST_AUTO_TEST_CASE(registered_files_are_removed_and_unregistered_ones_kept) {
    const fs::path dir = symgrad::test::scratch_directory("temporary_files");
    const fs::path kept = dir / "kept", registered = dir / "registered", done = dir / "done";
    for (const auto& p : {kept, registered, done})
        std::ofstream(p) << "x";
    {
        const symgrad::temporary_file_guard finished(done.string());
    } // its work finished: no longer registered
    const symgrad::temporary_file_guard in_progress(registered.string());
    symgrad::remove_temporary_files();
    BOOST_TEST(!fs::exists(registered));
    BOOST_TEST(fs::exists(kept));
    BOOST_TEST(fs::exists(done));
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
