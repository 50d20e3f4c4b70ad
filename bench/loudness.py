"""Loudness of built books: integrated LUFS and true peak of each story's MP3, as FFmpeg's EBU R128 meter reads them.

    .venv/bin/python bench/loudness.py ../shared/stories [--cache DIR]

Builds every story (into a temporary directory, with its cast discovered, and the given or default
clip cache) and prints,
per book, integrated loudness (target -16 +-1 LUFS) and true peak (target <= -1 dBTP).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from pipeline.loudness import measure_file



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stories", type=Path)
    parser.add_argument("--cache", type=Path, default=None)
    args = parser.parse_args()
    stories = sorted(args.stories.glob("*.txt")) if args.stories.is_dir() else [args.stories]
    print(f"{'story':28} {'LUFS':>6} {'dBTP':>6}  verdict")
    failed = False
    with tempfile.TemporaryDirectory() as out:
        for story in stories:
            command = [sys.executable, "-m", "pipeline", "build", str(story.resolve()), "-o", out]
            if args.cache:
                command += ["--cache", str(args.cache.resolve())]
            subprocess.run(command, check=True, capture_output=True, cwd=out)  # no ./voices.yaml: cast discovered
            integrated, peak = measure_file(Path(out) / f"{story.stem}.mp3")
            ok = abs(integrated + 16) <= 1 and peak <= -1
            failed |= not ok
            print(f"{story.stem:28} {integrated:6.1f} {peak:6.1f}  {'ok' if ok else 'OUT OF RANGE'}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
