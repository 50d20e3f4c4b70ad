"""Render speed against the raw tools: cold build, no-change rebuild, one-voice-change rebuild.

    .venv/bin/python bench/render.py ../shared/stories
    .venv/bin/python bench/render.py ../shared/bench/pdnc-dev/PrideAndPrejudice --rounds 1

For each story (a .txt, a folder of them, or a folder holding story.txt and voices.yaml), in
alternating rounds, the wall time and peak memory (the whole process tree's resident memory,
sampled every 10 ms) of:

  raw     `espeak-ng -f story.txt -w story.wav` then `ffmpeg -i story.wav -ac 1 -c:a libmp3lame
          -b:a 64k story.mp3`: the floor, with the same encoder settings as a build;
  cold    `audiobook build` with an empty cache;
  same    the same build again, nothing changed;
  voice   the build again after one character's voice changed in voices.yaml.

The builds use a voices.yaml that pins every character's voice as the cast gives it (so changing one
moves no other); the changed character is the one with the most segments unless --character names
one. Printed: medians over the rounds, ratios to raw (voice also to cold), the voice rebuild's
summary line, and the MP3's length as ffprobe reads it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.book import make_book  # noqa: E402
from pipeline.config import load_config  # noqa: E402
from pipeline.ingest import read_story  # noqa: E402
from pipeline.voices import list_voices  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")


def audiobook_command() -> list[str]:
    """The installed `audiobook` script, as a user runs it; else the module."""
    script = Path(sys.executable).parent / "audiobook"
    return [str(script)] if script.exists() else [sys.executable, "-m", "pipeline"]


class TreeMemory:
    """Peak resident memory of a process and all its descendants, sampled while it runs."""

    def __init__(self, pid: int):
        self.pid = pid
        self.peak = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        parents: dict[int, int] = {}  # pid -> parent pid, read once per process: cheap enough at 50 Hz
        while not self._done.wait(0.02):
            pids = [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]
            for pid in pids:
                if pid not in parents:
                    parents[pid] = _parent(pid)
            tree, grew = {self.pid}, True
            while grew:
                more = {pid for pid in pids if parents[pid] in tree} - tree
                tree |= more
                grew = bool(more)
            self.peak = max(self.peak, sum(_resident(pid) for pid in tree))

    def stop(self) -> int:
        self._done.set()
        self._thread.join()
        return self.peak


def _parent(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as file:
            return int(file.read().rsplit(")", 1)[1].split()[1])
    except OSError:
        return -1


def _resident(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as file:
            return int(file.read().split()[1]) * PAGE
    except OSError:
        return 0


def run(command: list[str], cwd: Path) -> tuple[float, int, str]:
    """Wall seconds, peak tree memory in bytes and stderr of *command*; exits if it fails."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    memory = TreeMemory(process.pid)
    _, stderr = process.communicate()
    elapsed = time.perf_counter() - started
    peak = memory.stop()
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed: {stderr.strip()}")
    return elapsed, peak, stderr


def raw_tools(story: Path, work: Path) -> tuple[float, int]:
    wav, mp3 = work / "raw.wav", work / "raw.mp3"
    first, memory_first, _ = run(["espeak-ng", "-f", str(story), "-w", str(wav)], work)
    second, memory_second, _ = run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(wav), "-ac", "1", "-c:a", "libmp3lame", "-b:a", "64k", str(mp3)], work
    )
    return first + second, max(memory_first, memory_second)


def pinned_voices(story: Path, voices: Path | None) -> tuple[dict, Counter]:
    """voices.yaml content with every cast member's voice fixed; segments per speaker."""
    config = load_config(voices)
    book = make_book(read_story(story), config)
    document = yaml.safe_load(voices.read_text(encoding="utf-8")) if voices else {}
    document = document or {}
    characters = document.setdefault("characters", {}) or {}
    document["characters"] = characters
    for character in book.cast:
        entry = characters.setdefault(character.name, {}) or {}
        characters[character.name] = entry
        entry.setdefault("gender", character.gender)
        voice = character.voice
        entry.update(voice=voice.id, rate=voice.rate, pitch=voice.pitch, volume=voice.volume)
    spoken = Counter(s.speaker for s in book.segments if s.speaker and s.speaker in characters)
    return document, spoken


def other_voice(document: dict) -> str:
    """An English voice id no one in *document* uses."""
    used = {entry.get("voice") for entry in document["characters"].values()}
    used.add((document.get("narrator") or {}).get("voice", "en-us"))
    for voice in list_voices():
        for variant in ("", "+m4", "+f4"):
            candidate = voice.id + variant
            if voice.id.startswith("en") and candidate not in used:
                return candidate
    raise SystemExit("no unused English voice left")


def stories_in(path: Path) -> list[tuple[Path, Path | None]]:
    if path.is_file():
        return [(path, None)]
    if (path / "story.txt").is_file():
        voices = path / "voices.yaml"
        return [(path / "story.txt", voices if voices.is_file() else None)]
    return [(story, None) for story in sorted(path.glob("*.txt"))]


def audio_seconds(mp3: Path) -> float:
    output = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(mp3)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return float(output)


def bench_story(story: Path, voices: Path | None, rounds: int, jobs: int, character: str | None) -> None:
    document, spoken = pinned_voices(story, voices)
    changed = character or (spoken.most_common(1)[0][0] if spoken else None)
    new_voice = other_voice(document)
    steps = ("raw", "cold", "same", "voice") if changed else ("raw", "cold", "same")
    times: dict[str, list[float]] = {name: [] for name in steps}
    peaks: dict[str, int] = dict.fromkeys(times, 0)
    summary = ""
    seconds = 0.0
    for _ in range(rounds):
        with tempfile.TemporaryDirectory(prefix="render-bench-") as tmp:
            work = Path(tmp)
            config = work / "voices.yaml"
            config.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
            build = audiobook_command() + [
                "build", str(story.resolve()), "-c", str(config), "-o", str(work / "out"),
                "--cache", str(work / "cache"), "--jobs", str(jobs),
            ]  # fmt: skip
            elapsed, peak = raw_tools(story.resolve(), work)
            times["raw"].append(elapsed)
            peaks["raw"] = max(peaks["raw"], peak)
            for name in steps[1:]:
                if name == "voice":
                    edited = dict(document, characters=dict(document["characters"]))
                    edited["characters"][changed] = dict(document["characters"][changed], voice=new_voice)
                    config.write_text(yaml.safe_dump(edited, allow_unicode=True, sort_keys=False), encoding="utf-8")
                elapsed, peak, stderr = run(build, work)
                times[name].append(elapsed)
                peaks[name] = max(peaks[name], peak)
                if name == "voice":
                    summary = next(line for line in stderr.splitlines() if line.startswith("segments:"))
            seconds = audio_seconds(work / "out" / f"{story.stem}.mp3")
    median = {name: statistics.median(values) for name, values in times.items()}
    raw = median["raw"]
    change = (f"{changed!r} changed to {new_voice} ({spoken[changed]} of {sum(spoken.values())} character segments)"
              if changed else "no character speaks: no voice change")
    print(f"{story.parent.name if story.name == 'story.txt' else story.stem}: {seconds:.0f} s of audio, "
          f"{rounds} round(s), medians; {change}")
    for name in steps:
        extra = f"  {median[name] / median['cold']:.2f}x cold  [{summary}]" if name == "voice" else ""
        print(f"  {name:6} {median[name]:7.2f} s  {median[name] / raw:5.2f}x raw  "
              f"peak {peaks[name] / 2**20:6.0f} MB{extra}")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", type=Path, nargs="+")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--character", default=None, help="whose voice to change (default: the most heard)")
    args = parser.parse_args()
    for tool in ("espeak-ng", "ffmpeg", "ffprobe"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed")
    for path in args.paths:
        for story, voices in stories_in(path):
            bench_story(story, voices, args.rounds, args.jobs, args.character)


if __name__ == "__main__":
    main()
