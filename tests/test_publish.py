"""Sidecar files beside the MP3: their names, and atomic writes that leave nothing half-done."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import atomic
from pipeline.errors import PublishError
from pipeline.publish import chapters_path, cover_path, publish_cover, transcript_path, write_atomically
from pipeline.tags import CoverArt

PNG = CoverArt(mime="image/png", data=b"\x89PNG\r\n\x1a\nnot really")
JPEG = CoverArt(mime="image/jpeg", data=b"\xff\xd8\xffnot really")


def test_sidecar_names_keep_dots_in_the_stem():
    mp3 = Path("out/vol.2 the storm.mp3")
    assert chapters_path(mp3) == Path("out/vol.2 the storm.chapters.json")
    assert transcript_path(mp3) == Path("out/vol.2 the storm.vtt")


def test_a_cover_of_another_type_replaces_the_old_one(tmp_path):
    mp3 = tmp_path / "book.mp3"
    assert cover_path(mp3) is None
    assert publish_cover(mp3, JPEG) == tmp_path / "book.jpg"
    assert publish_cover(mp3, PNG) == tmp_path / "book.png"
    assert cover_path(mp3) == tmp_path / "book.png"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.png"]


def test_write_atomically_replaces_the_whole_file(tmp_path):
    target = tmp_path / "a.vtt"
    target.write_text("old and longer")
    write_atomically(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["a.vtt"]


def test_a_failed_write_keeps_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "a.vtt"
    target.write_text("old")

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full_disk)
    with pytest.raises(PublishError, match=r"a\.vtt: No space left on device"):
        write_atomically(target, b"new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.vtt"]


def test_a_file_that_already_holds_the_data_is_not_rewritten(tmp_path):
    path = tmp_path / "book.vtt"
    write_atomically(path, b"WEBVTT\n")
    before = path.stat().st_mtime_ns, path.stat().st_ino
    write_atomically(path, b"WEBVTT\n")
    assert (path.stat().st_mtime_ns, path.stat().st_ino) == before
    write_atomically(path, b"WEBVTT\n\n")
    assert path.read_bytes() == b"WEBVTT\n\n"
