# symgrad: symbolic gradients for machine-learning losses.
# Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
# Shared fixtures of the Python module's tests (run by CTest with the build tree's module on
# PYTHONPATH; see tests/python/CMakeLists.txt).
import os
import pathlib

import pytest

SOURCE_DIR = pathlib.Path(
    os.environ.get("SYMGRAD_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2])
)


@pytest.fixture
def source_dir():
    return SOURCE_DIR


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    """Native objects go to a private cache per test session, not the user's."""
    cache = tmp_path_factory.getbasetemp() / "native-cache"
    cache.mkdir(mode=0o700, exist_ok=True)
    monkeypatch.setenv("SYMGRAD_CACHE_DIR", str(cache))
