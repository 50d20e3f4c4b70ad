"""Shared fixtures. Real tools are required: under CI a missing one fails the test, never skips it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def require_tool(name: str) -> str:
    """The path of an external program; skip locally, fail under CI, when it is missing."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def fixture_path():
    """Path of a story or config under tests/fixtures/."""

    def find(name: str) -> Path:
        path = FIXTURES / name
        assert path.exists(), path
        return path

    return find


@pytest.fixture
def cache_dir(tmp_path) -> Path:
    path = tmp_path / "cache"
    path.mkdir()
    return path
