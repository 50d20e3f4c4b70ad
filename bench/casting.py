"""Casting check: characters without a voice get distinct, gender-fitting voices, the same on every
run and unchanged when another character is added, first or last.

    .venv/bin/python bench/casting.py STORY "Tara:female,Willow:female,Spike:male" [--add Giles:male]

Writes a voices.yaml listing the characters with their gender and no voice, casts the book three
times (twice as given, once with the added character first, once last) and prints each
character's voice and whether every property holds.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.book import make_book  # noqa: E402
from pipeline.config import load_config  # noqa: E402
from pipeline.ingest import read_story  # noqa: E402
from pipeline.voices import describe  # noqa: E402


def parse_cast(text: str) -> list[tuple[str, str]]:
    return [tuple(item.split(":")) for item in text.split(",")]


def voices_yaml(characters: list[tuple[str, str]]) -> str:
    return "characters:\n" + "".join(f"  {name}: {{gender: {gender}}}\n" for name, gender in characters)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("story", type=Path)
    parser.add_argument("cast", type=parse_cast, help="NAME:GENDER,… with no voices")
    parser.add_argument("--add", type=lambda text: parse_cast(text)[0], default=("Giles", "male"))
    args = parser.parse_args()
    story = read_story(args.story)
    with tempfile.TemporaryDirectory() as tmp:
        def cast(characters):
            path = Path(tmp) / "voices.yaml"
            path.write_text(voices_yaml(characters), encoding="utf-8")
            return {c.name: c.voice for c in make_book(story, load_config(path)).cast}

        first, second = cast(args.cast), cast(args.cast)
        added_first, added_last = cast([args.add, *args.cast]), cast([*args.cast, args.add])
    names = [name for name, _ in args.cast]
    gender_of = dict(args.cast)
    for name in names:
        voice = describe(first[name].id)
        print(f"{name:12} {gender_of[name]:7} {first[name].id:28} ({voice.gender} variant)")
    narrator = load_config(None).narrator.id
    checks = {
        "distinct from each other and the narrator": len({first[n].id for n in names} | {narrator}) == len(names) + 1,
        "gender fits": all(describe(first[n].id).gender == gender_of[n] for n in names if gender_of[n] != "unknown"),
        "same on a second run": first == second,
        f"unchanged with {args.add[0]} added first": all(added_first[n] == first[n] for n in names),
        f"unchanged with {args.add[0]} added last": all(added_last[n] == first[n] for n in names),
    }
    for check, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':3}  {check}")
    sys.exit(0 if all(checks.values()) else 1)


if __name__ == "__main__":
    main()
