"""Real `audiobook build` processes killed at every stage, run side by side, and failing engines.

Whatever happens, a file under its real name (the MP3, its cover, chapters and transcript, every
cache entry) is whole, and the next run finishes from what was already cached.
"""

from __future__ import annotations

import json
import os
import re
import signal
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import require_tool

from pipeline import synthesis
from pipeline.atomic import process_exists
from pipeline.chunks import count_frames, load_chunk
from pipeline.cli import cli
from pipeline.synthesis import is_valid_clip
from pipeline.synthesis import render_for_book as real_render_for_book

SUMMARY = re.compile(r"^segments: (\d+) total, (\d+) synthesized, (\d+) cached$", re.MULTILINE)


def lighthouse_story(path: Path, paragraphs: int = 6) -> Path:
    """A short story with two speakers and a narrator, every sentence different."""
    lines = ["Title: The Night Watch", "Author: Test Writer", "", "Chapter 1: The Lamp", ""]
    for n in range(paragraphs):
        if n == paragraphs // 2:
            lines += ["Chapter 2: The Dawn", ""]
        lines += [f'"Lamp {n} is burning low," said Tara. The keeper climbed stair number {n} slowly.', ""]
        lines += [f'"Then trim wick {n} before the tide turns," Finch answered.', ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def padded_png(path: Path, megabytes: int) -> Path:
    """A valid 1x1 PNG carrying *megabytes* of private data: a cover slow enough to write to be caught at it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x80")
    padding = bytes(megabytes << 20)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"prVt", padding) + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )  # fmt: skip
    return path


def build_command(story: Path, out: Path, cache: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "pipeline", "build", str(story), "-o", str(out), "--cache", str(cache), *extra]


def all_files(directory: Path) -> list[Path]:
    return [path for path in directory.rglob("*") if path.is_file()] if directory.exists() else []


def is_temp(path: Path) -> bool:
    return path.name.startswith(".") and ".tmp" in path.name


def assert_every_file_is_whole(out: Path, cache: Path) -> None:
    """Every file under its real name is complete and valid; only hidden temp files may be partial."""
    for path in all_files(out) + all_files(cache):
        if is_temp(path):
            continue
        assert ".tmp" not in path.name, path
        chunk = path.parent.parent.name == "chunks"
        if path.suffix == ".mp3" and chunk:
            count_frames(path)  # raises on a frame cut short; a chunk without its JSON is never used
        elif path.suffix == ".mp3":
            decoded = subprocess.run(
                [require_tool("ffmpeg"), "-v", "error", "-i", str(path), "-f", "null", "-"],
                capture_output=True, text=True,
            )  # fmt: skip
            assert decoded.returncode == 0 and not decoded.stderr, (path, decoded.stderr)
            assert ffprobe_duration(path) > 10
        elif path.suffix == ".json" and chunk:
            audio = load_chunk(cache, path.stem)
            assert audio is not None and count_frames(audio.path) == audio.frames, path
        elif path.suffix == ".json":
            assert json.loads(path.read_text(encoding="utf-8"))["chapters"], path
        elif path.suffix == ".wav":
            assert is_valid_clip(path), path
        elif path.suffix == ".vtt":
            text = path.read_text(encoding="utf-8")
            assert text.startswith("WEBVTT") and text.endswith("\n") and "-->" in text, path
        elif path.suffix == ".png":
            assert path.read_bytes().endswith(b"IEND\xaeB`\x82"), path
        elif path.suffix == ".jpg":
            data = path.read_bytes()
            assert data.startswith(b"\xff\xd8") and data.endswith(b"\xff\xd9"), path
        else:
            pytest.fail(f"unexpected file {path}")


def ffprobe_duration(path: Path) -> float:
    probe = subprocess.run(
        [require_tool("ffprobe"), "-v", "error", "-show_format", "-of", "json", str(path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return float(json.loads(probe.stdout)["format"]["duration"])


def wait_for(condition: Callable[[], bool], process: subprocess.Popen, timeout_s: float = 60) -> bool:
    """Poll *condition* until it holds (True) or *process* ends first (False)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.001)
    pytest.fail("the build neither reached the point nor ended")


def wait_for_group_to_end(pgid: int, timeout_s: float = 30) -> None:
    """Every process of the build (engine workers, encoders) is gone: orphans must not linger."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.killpg(pgid, signal.SIGKILL)
    pytest.fail("processes of the killed build outlived it")


def new_files(directory: Path, before: set[Path], pattern: str) -> list[Path]:
    return [path for path in directory.rglob(pattern) if path not in before] if directory.exists() else []


def test_a_build_killed_at_every_stage_leaves_only_whole_files_and_the_next_run_finishes(tmp_path):
    require_tool("espeak-ng")
    require_tool("lame")
    story = lighthouse_story(tmp_path / "night-watch.txt")
    cover = padded_png(tmp_path / "cover.png", 8)  # writing it takes long enough to be killed meanwhile
    out, cache = tmp_path / "out", tmp_path / "cache"
    command = build_command(story, out, cache, "--jobs", "1", "--cover", str(cover))
    mp3 = out / "night-watch.mp3"
    # (signal, where the build is when it arrives, how to tell it is there)
    kills: list[tuple[signal.Signals, str, Callable[[set[Path]], Callable[[], bool]]]] = [
        (signal.SIGINT, "synthesis: first clip stored", lambda before: lambda: bool(new_files(cache, before, "*.wav"))),
        (signal.SIGKILL, "synthesis: third clip stored", lambda before: lambda: len(new_files(cache, before, "*.wav")) >= 3),
        (signal.SIGTERM, "encoding: first chunk stored", lambda before: lambda: bool(new_files(cache / "chunks", before, "*.json"))),
        (signal.SIGKILL, "publishing the cover", lambda before: lambda: bool(list(out.glob(".night-watch.png.*.tmp")))),
        (signal.SIGTERM, "assembling the MP3", lambda before: lambda: bool(list(out.glob(".night-watch.mp3.*.tmp.mp3")))),
        (signal.SIGKILL, "assembling the MP3", lambda before: lambda: bool(list(out.glob(".night-watch.mp3.*.tmp.mp3")))),
    ]  # fmt: skip
    landed = []
    for signum, point, reached in kills:
        before = set(all_files(cache))
        if point.startswith(("publishing", "assembling")):
            for published in (mp3, mp3.with_suffix(".png")):
                published.unlink(missing_ok=True)  # so that it is written again, and can be caught at it
        process = subprocess.Popen(
            command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
        )
        if wait_for(reached(before), process):
            process.send_signal(signum)  # the main process only, as `kill` would; its workers are left to it
            landed.append(point)
        _, stderr = process.communicate(timeout=60)
        wait_for_group_to_end(process.pid)
        if signum != signal.SIGKILL:
            assert "Traceback" not in stderr, (point, stderr)
            assert process.returncode != 0 or point not in landed, (point, stderr)
            # Ctrl-C and SIGTERM clean up after themselves: no temp file of this run is left.
            assert not [p for p in all_files(out) + all_files(cache) if f".{process.pid}.tmp" in p.name], point
        assert_every_file_is_whole(out, cache)
    assert len(landed) >= 5, landed  # the last points race the build's end; nearly all must be caught

    finished = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    total, synthesized, cached = map(int, SUMMARY.search(finished.stderr).groups())
    assert cached == total and synthesized == 0  # every kill kept what it had finished
    assert_every_file_is_whole(out, cache)
    assert sorted(p.name for p in out.iterdir()) == [
        "night-watch.chapters.json", "night-watch.mp3", "night-watch.png", "night-watch.vtt"
    ]  # fmt: skip
    stale = [p for p in all_files(cache) if is_temp(p) and not process_exists(int(re.search(r"\.(\d+)\.tmp", p.name)[1]))]
    assert not stale, stale


def test_two_builds_of_one_story_into_one_directory_and_cache_at_once_both_succeed(tmp_path):
    require_tool("espeak-ng")
    require_tool("lame")
    story = lighthouse_story(tmp_path / "night-watch.txt", paragraphs=3)
    out, cache = tmp_path / "out", tmp_path / "cache"
    command = build_command(story, out, cache, "--jobs", "1")
    builds = [subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for _ in range(2)]  # fmt: skip
    results = [build.communicate(timeout=120) for build in builds]

    for build, (stdout, stderr) in zip(builds, results):
        assert build.returncode == 0, stderr
        assert stdout.startswith(f"{out / 'night-watch.mp3'}: ")
    assert_every_file_is_whole(out, cache)
    assert not [path for path in all_files(out) + all_files(cache) if is_temp(path)]
    assert sorted(p.name for p in out.iterdir()) == [
        "night-watch.chapters.json", "night-watch.jpg", "night-watch.mp3", "night-watch.vtt"
    ]  # fmt: skip
    again = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    total, synthesized, cached = map(int, SUMMARY.search(again.stderr).groups())
    assert (synthesized, cached) == (0, total)  # the cache they shared holds every clip, whole


DOOMED = "The doomed sentence"


def crash_on_the_doomed_sentence(utterance):
    """The engine task, except that it dies (as a segfault in eSpeak NG would) on one sentence."""
    if DOOMED in utterance.text:
        os._exit(11)
    return real_render_for_book(utterance)


def test_a_segment_that_always_crashes_the_engine_stops_the_build_naming_story_and_offset(tmp_path, monkeypatch):
    require_tool("espeak-ng")
    story = tmp_path / "doomed.txt"
    story.write_text(f"The first sentence is fine.\n\n\"{DOOMED} kills the engine,\" said Tara.\n", encoding="utf-8")
    offset = story.read_text(encoding="utf-8").index(DOOMED)
    monkeypatch.setattr(synthesis, "render_for_book", crash_on_the_doomed_sentence)  # pickled by name for workers

    result = CliRunner().invoke(cli, ["build", str(story), "-o", str(tmp_path / "out"), "--cache", str(tmp_path / "cache"), "-j", "1"])

    assert result.exit_code == 1
    assert result.output == (
        f"Error: {story}: character {offset}: the speech engine failed 3 times on"
        f" '{DOOMED} kills the engine,': the engine process died (exit code 11)\n"
    )
    assert not (tmp_path / "out" / "doomed.mp3").exists()
    assert [path.name for path in all_files(tmp_path / "cache") if path.suffix == ".wav"]  # the good clip is kept
