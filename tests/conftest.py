"""Shared fixtures. Real tools are required: under CI a missing one fails the test, never skips it."""

from __future__ import annotations

import importlib
import os
import shutil
from pathlib import Path

import pytest

from pipeline.config import AttributionRules, packaged_defaults
from pipeline.model import NARRATION, Character
from pipeline.segmenter import segment
from pipeline.structure import find_chapters

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


def require_module(name: str):
    """An importable Python module (an optional extra); skip locally, fail under CI, when it is missing."""
    try:
        return importlib.import_module(name)
    except ImportError:
        message = f"the Python module {name} is not installed"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)


# The small cast the segmentation and attribution fixtures are written for.
NELL = Character("Nell", gender="female")
ROWAN = Character("Rowan", gender="male")
IDA = Character("Ida", gender="female")


def decided(fixture_path, name, rules, cast=(NELL, ROWAN, IDA), narrator_character=None):
    """(quote, speaker, rule) for every quote of a fixture story."""
    text = fixture_path(name).read_text(encoding="utf-8")
    result = segment(text, find_chapters(text, "Test"), tuple(cast), rules, narrator_character)
    return [(s.text, s.speaker, s.rule) for s in result.segments if s.kind != NARRATION]


@pytest.fixture(scope="module")
def rules() -> AttributionRules:
    """The packaged attribution words and switches."""
    return packaged_defaults().attribution


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


@pytest.fixture(scope="session")
def published(tmp_path_factory):
    """Two real builds into one directory, as `audiobook feed` and `serve` find them.

    Named part-2 and part-10 so that story order (natural) differs from plain string order.
    Returns the directory and the build reports, in story order.
    """
    from pipeline.build import build_story
    from pipeline.config import load_config

    require_tool("espeak-ng")
    require_tool("ffmpeg")
    stories = tmp_path_factory.mktemp("stories")
    out = tmp_path_factory.mktemp("published")
    cache = tmp_path_factory.mktemp("published-cache")
    reports = []
    for name, fixture in (("part-2", "feed-two-chapters-with-speakers.txt"), ("part-10", "feed-one-paragraph.txt")):
        story = stories / f"{name}.txt"
        story.write_bytes((FIXTURES / fixture).read_bytes())
        reports.append(build_story(story, load_config(None), out, cache, jobs=2))
    return out, reports
