"""Speaker attribution accuracy: `audiobook script` over the shared benchmarks, scored by score.py.

    .venv/bin/python bench/attribution.py [--shared ../shared] [--no-cast] [--only NAME,...]

--no-cast scripts each story with an empty character list, so speakers must be discovered (a first-person
narrator's ``narrator: {character: …}`` is kept: it names the narrator, not the cast).
For each benchmark set it prints score.py's per-type lines and final accuracy, the time scripting took,
and a table of the rules that decided the quotes: how many quotations each decided and how many of
those were right (a quotation counts for the rule of the segment covering most of it).
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def script_all(story_dirs: list[Path], predictions: Path, no_cast: bool) -> float:
    """Script every story into predictions/<name>.jsonl with --explain; the seconds it took."""
    started = time.perf_counter()
    for story_dir in story_dirs:
        voices = story_dir / "voices.yaml"
        if no_cast:
            narrator = (yaml.safe_load(voices.read_text(encoding="utf-8")) or {}).get("narrator")
            voices = predictions / f"{story_dir.name}-no-cast.yaml"
            voices.write_text(yaml.safe_dump({"narrator": narrator} if narrator else {}), encoding="utf-8")
        with open(predictions / f"{story_dir.name}.jsonl", "w", encoding="utf-8") as out:
            subprocess.run(
                [sys.executable, "-m", "pipeline", "script", str(story_dir / "story.txt"), "-c", str(voices),
                 "--format", "jsonl", "--explain"],
                stdout=out, check=True, cwd=ROOT,
            )
    return time.perf_counter() - started


def rule_table(score, story_dirs: list[Path], predictions: Path) -> dict[str, list[int]]:
    """rule -> [quotations decided, of those right], using score.py's name mapping."""
    table: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    for story_dir in story_dirs:
        names = score.NameMap(score.load_cast(str(story_dir / "voices.yaml")))
        rows = [json.loads(line) for line in open(predictions / f"{story_dir.name}.jsonl", encoding="utf-8")]
        quotes = [r for r in rows if r["kind"] != "narration"]
        gold = collections.defaultdict(list)
        for k, line in enumerate(open(story_dir / "gold.jsonl", encoding="utf-8")):
            span = json.loads(line)
            gold[span.get("qid", k)].append(span)
        starts = [q["start"] for q in quotes]
        for spans in gold.values():
            speaker = spans[0]["speaker"]
            if speaker in score.SPECIAL:
                continue
            overlap: collections.Counter = collections.Counter()
            for span in spans:
                i = max(0, _bisect(starts, span["start"]) - 1)
                while i < len(quotes) and quotes[i]["start"] < span["end"]:
                    shared = min(span["end"], quotes[i]["end"]) - max(span["start"], quotes[i]["start"])
                    if shared > 0:
                        overlap[i] += shared
                    i += 1
            if not overlap:
                table["(undetected)"][0] += 1
                continue
            best = quotes[overlap.most_common(1)[0][0]]
            entry = table[best.get("rule") or "(none)"]
            entry[0] += 1
            entry[1] += names.canon(best["speaker"]) == speaker
    return table


def _bisect(starts: list[int], value: int) -> int:
    import bisect

    return bisect.bisect_left(starts, value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--no-cast", action="store_true")
    parser.add_argument("--only", default="", help="comma-separated story directory names to run")
    args = parser.parse_args()
    score_path = args.shared / "bench" / "score.py"
    spec = importlib.util.spec_from_file_location("score", score_path)
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    only = set(filter(None, args.only.split(",")))
    for name in ("pdnc-dev", "seeds-dev"):
        data_dir = args.shared / "bench" / name
        story_dirs = sorted(p for p in data_dir.iterdir() if (p / "story.txt").exists() and (not only or p.name in only))
        if not story_dirs:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            gold_dir = Path(tmp) / "gold"
            gold_dir.mkdir()
            for story_dir in story_dirs:
                (gold_dir / story_dir.name).symlink_to(story_dir)
            seconds = script_all(story_dirs, Path(tmp), args.no_cast)
            result = subprocess.run([sys.executable, str(score_path), str(gold_dir), tmp],
                                    capture_output=True, text=True, check=True)
            table = rule_table(score, story_dirs, Path(tmp))
        per_story = [l.split() for l in result.stdout.splitlines() if " quotes=" in l]
        lines = [l for l in result.stdout.splitlines() if l.startswith(("  ", "accuracy", "detection recall, quot"))]
        print(f"== {name}{' (no cast)' if args.no_cast else ''}: scripted in {seconds:.1f} s")
        print("\n".join(lines[-12:]))
        print("  per story: " + ", ".join(f"{words[0]} {words[-1].split('=')[1]}" for words in per_story))
        print(f"  {'rule':<26}{'decided':>8}{'right':>8}{'accuracy':>10}")
        for rule, (decided, right) in sorted(table.items(), key=lambda item: -item[1][0]):
            print(f"  {rule:<26}{decided:>8}{right:>8}{right / decided:>10.3f}")


if __name__ == "__main__":
    main()
