"""Front matter, back matter and separators kept out of narration, checked on the shared stories.

    .venv/bin/python bench/frontmatter.py [--shared ../shared]

For each seeds-dev story, runs `audiobook script --format jsonl` and lists every segment that
overlaps a range of its frontmatter.json (front, back, separators): there should be none. For every
story in shared/stories, prints the title and author tags the header gave. Exits 1 on any overlap.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.ingest import read_story  # noqa: E402  (the checkout's pipeline, not an installed one)


def unheard_ranges(frontmatter: dict) -> list[tuple[str, int, int]]:
    """("front" | "back" | "separator", start, end) for every range a listener should not hear."""
    ranges = [(name, *frontmatter[name]) for name in ("front", "back") if frontmatter.get(name)]
    return ranges + [("separator", start, end) for start, end in frontmatter.get("separators", [])]


def script_segments(story: Path, voices: Path) -> list[dict]:
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "script", str(story), "-c", str(voices), "--format", "jsonl"],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def check_seed(story_dir: Path) -> int:
    """Print the overlaps of one seeds-dev story; how many there were."""
    ranges = unheard_ranges(json.loads((story_dir / "frontmatter.json").read_text(encoding="utf-8")))
    segments = script_segments(story_dir / "story.txt", story_dir / "voices.yaml")
    overlaps = 0
    for segment in segments:
        for name, start, end in ranges:
            if segment["start"] < end and start < segment["end"]:
                overlaps += 1
                print(f"  OVERLAP {name} [{start},{end}) <- segment [{segment['start']},{segment['end']}): "
                      f"{segment['text'][:60]!r}")
    print(f"{story_dir.name}: {len(ranges)} unheard range(s), {len(segments)} segments, {overlaps} overlap(s)")
    return overlaps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    shared = parser.parse_args().shared
    seeds = sorted(p for p in (shared / "bench" / "seeds-dev").iterdir() if (p / "frontmatter.json").exists())
    overlaps = sum(check_seed(story_dir) for story_dir in seeds)
    print()
    for path in sorted((shared / "stories").glob("*.txt")):
        story = read_story(path)
        skipped = story.body_start + len(story.text) - (story.body_end if story.body_end is not None else len(story.text))
        print(f"{path.name}: title={story.title!r} author={story.author!r} (front+back matter: {skipped} chars)")
    print(f"\noverlaps={overlaps}")
    sys.exit(1 if overlaps else 0)


if __name__ == "__main__":
    main()
