"""Speaker attribution accuracy: `audiobook script` over the shared benchmarks, scored by score.py.

    .venv/bin/python bench/attribution.py [--shared ../shared] [--no-cast]

--no-cast scripts each story with an empty character list, so speakers must be discovered.
Prints score.py's per-type lines and the final accuracy for each benchmark set, and the time taken.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def script_all(data_dir: Path, predictions: Path, no_cast: bool) -> float:
    """Script every story under data_dir into predictions/<name>.jsonl; the seconds it took."""
    empty = predictions / "empty-voices.yaml"
    empty.write_text("characters: {}\n", encoding="utf-8")
    started = time.perf_counter()
    for story_dir in sorted(p for p in data_dir.iterdir() if (p / "story.txt").exists()):
        voices = empty if no_cast else story_dir / "voices.yaml"
        with open(predictions / f"{story_dir.name}.jsonl", "w", encoding="utf-8") as out:
            subprocess.run(
                [sys.executable, "-m", "pipeline", "script", str(story_dir / "story.txt"), "-c", str(voices),
                 "--format", "jsonl"],
                stdout=out, check=True, cwd=ROOT,
            )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--no-cast", action="store_true")
    args = parser.parse_args()
    score = args.shared / "bench" / "score.py"
    for name in ("pdnc-dev", "seeds-dev"):
        data_dir = args.shared / "bench" / name
        with tempfile.TemporaryDirectory() as tmp:
            seconds = script_all(data_dir, Path(tmp), args.no_cast)
            result = subprocess.run([sys.executable, str(score), str(data_dir), tmp, "--quiet"],
                                    capture_output=True, text=True, check=True)
        lines = [l for l in result.stdout.splitlines() if l.startswith(("  ", "accuracy", "detection recall, quot"))]
        print(f"== {name}{' (no cast)' if args.no_cast else ''}: scripted in {seconds:.1f} s")
        print("\n".join(lines))


if __name__ == "__main__":
    main()
