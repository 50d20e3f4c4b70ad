"""Build time and audio length per story, cold (empty cache) and again (all cached).

    .venv/bin/python bench/build_stories.py ../shared/stories [-c voices.yaml] [--jobs 2]

For each *.txt: wall time of `audiobook build` with an empty cache and then with a warm one, the
MP3's duration, chapters and tags as ffprobe reads them, and the voices used.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed_build(story: Path, out: Path, cache: Path, voices: Path | None, jobs: int) -> tuple[float, str]:
    command = [sys.executable, "-m", "pipeline", "build", str(story), "-o", str(out), "--cache", str(cache),
               "--jobs", str(jobs)]
    if voices:
        command += ["-c", str(voices)]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - started
    if result.returncode:
        raise SystemExit(f"{story}: build failed: {result.stderr.strip()}")
    return elapsed, result.stderr.strip().splitlines()[-1]


def probe(mp3: Path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_format", "-show_chapters", "-of", "json", str(mp3)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def voices_used(story: Path, voices: Path | None) -> int:
    command = [sys.executable, "-m", "pipeline", "script", str(story), "--format", "jsonl"]
    if voices:
        command += ["-c", str(voices)]
    rows = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT).stdout.splitlines()
    return len({json.loads(r)["voice"] for r in rows})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stories", type=Path)
    parser.add_argument("-c", "--voices", type=Path, default=None)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    stories = sorted(args.stories.glob("*.txt")) if args.stories.is_dir() else [args.stories]
    print(f"{'story':28} {'cold s':>7} {'warm s':>7} {'audio':>7} {'x rt':>6} {'ch':>3} {'voices':>6}  title / author")
    for story in stories:
        with tempfile.TemporaryDirectory() as tmp:
            out, cache = Path(tmp) / "out", Path(tmp) / "cache"
            cold, _ = timed_build(story, out, cache, args.voices, args.jobs)
            warm, summary = timed_build(story, out, cache, args.voices, args.jobs)
            info = probe(out / f"{story.stem}.mp3")
        audio = float(info["format"]["duration"])
        tags = info["format"].get("tags", {})
        print(f"{story.stem[:28]:28} {cold:7.2f} {warm:7.2f} {audio:6.0f}s {audio / cold:6.0f} "
              f"{len(info['chapters']):3} {voices_used(story, args.voices):6}  "
              f"{tags.get('title')} / {tags.get('artist')}   [{summary}]")


if __name__ == "__main__":
    main()
