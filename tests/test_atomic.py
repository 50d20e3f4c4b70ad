"""Whole files or none, and the temporary files of killed writers swept, never a live writer's."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pipeline import atomic
from pipeline.atomic import process_exists, sweep_stale_temps, temp_path, write_bytes_atomically

DEAD_PID = 2**22 + 1  # above the largest pid Linux hands out


def test_a_temp_file_is_hidden_beside_its_target_and_named_for_this_process(tmp_path):
    target = tmp_path / "book.mp3"
    assert temp_path(target) == tmp_path / f".book.mp3.{os.getpid()}.tmp"
    assert temp_path(target, ".mp3") == tmp_path / f".book.mp3.{os.getpid()}.tmp.mp3"


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "a.json"
    target.write_bytes(b"old")

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_bytes_atomically(target, b"new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]
    assert target.read_bytes() == b"old"


def test_sweeping_removes_only_the_temp_files_of_processes_that_are_gone(tmp_path):
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    gone = int(finished.stdout)  # a pid that existed a moment ago and has exited
    stale = [
        tmp_path / f".{'a' * 64}.wav.{gone}.tmp",  # a clip
        tmp_path / f".book.mp3.{DEAD_PID}.tmp.mp3",  # a book
        tmp_path / f".book.vtt.{DEAD_PID}.tmp",  # a transcript
    ]
    kept = [
        temp_path(tmp_path / "ours.wav"),  # this process is alive
        tmp_path / f".theirs.wav.{os.getppid()}.tmp",  # so is our parent
        tmp_path / "book.mp3",  # finished files
        tmp_path / f"notes.{DEAD_PID}.tmp",  # not hidden: not one of ours
        tmp_path / f".book.mp3.{DEAD_PID}.tmpx",
    ]
    for path in stale + kept:
        path.write_bytes(b"x")
    if process_exists(gone):
        pytest.skip("the pid was reused at once")

    assert sweep_stale_temps(tmp_path) == len(stale)
    assert sorted(tmp_path.iterdir()) == sorted(kept)


def test_sweeping_a_missing_directory_does_nothing(tmp_path):
    assert sweep_stale_temps(tmp_path / "not-yet") == 0


def test_pids_no_process_can_have_do_not_exist():
    assert process_exists(os.getpid())
    assert not process_exists(DEAD_PID)
    assert not process_exists(2**63)
