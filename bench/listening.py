"""Listening table for the text-for-the-ear rules: what eSpeak NG says before and after each one.

    .venv/bin/python bench/listening.py [--voice en-us]

For one example per rule in pipeline/normalize.py: the text as written and as the engine now
receives it (pieces joined by " | ", each read as its own clip with a pause between), eSpeak NG's
phonemes (`espeak-ng -x`) for both, and the audio length of both (`espeak-ng -w`, pieces summed,
without the pauses the pipeline adds). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.normalize import for_the_ear  # noqa: E402  (the checkout's pipeline, not an installed one)

LEXICON = (("Giles", "Jyles"), ("Hermione", "Her-my-oh-nee"))
EXAMPLES = [
    ("emphasis *word*", "It was *very* cold."),
    ("emphasis _word_", "It was _so_ cold."),
    ("emphasis -word-", "Give that -traitor- nothing."),
    ("separator *** in a line", "He said *** then left."),
    ("A/N", "A/N: sorry for the wait."),
    ("Shh", "Shh, it's late."),
    ("Hmm / Mmm", "Mmm. Hm."),
    ("Grr / Hmph / Pfft / Mhm", "Grr. Hmph! Pfft. Mhm."),
    ("<3", "I <3 you. Thanks! <3"),
    ("Roman numeral heading", "Chapter IV"),
    ("Roman numeral part", "Part XII: The Road"),
    ("stutter I-I-'m", "I-I-'m sorry."),
    ("stutter li-life", "It was my li-life."),
    ("stutter w-w-what", "W-w-what?"),
    ("elongation", "Pleeeease, nooooo."),
    ("ellipsis", "Wait...what?"),
    ("em dash", "She ran\u2014no, flew."),
    ("double hyphen", "She ran -- no, flew."),
    ("lexicon Hermione: Her-my-oh-nee", "Hermione cleaned her glasses."),
    ("Markdown heading", "## The Storm"),
]


def phonemes(espeak: str, voice: str, text: str) -> str:
    done = subprocess.run([espeak, "-q", "-x", "-v", voice, "--", text], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


def seconds(espeak: str, voice: str, text: str) -> float:
    with tempfile.NamedTemporaryFile(suffix=".wav") as out:
        subprocess.run([espeak, "-v", voice, "-w", out.name, "--", text], check=True)
        with wave.open(out.name) as audio:
            return audio.getnframes() / audio.getframerate()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voice", default="en-us")
    parser.add_argument("--espeak", default="espeak-ng")
    voice, espeak = parser.parse_args().voice, parser.parse_args().espeak
    print("| rule | written | engine receives | eSpeak NG before | eSpeak NG after | s before | s after |")
    print("|---|---|---|---|---|---|---|")
    for rule, written in EXAMPLES:
        pieces = [piece.text for piece in for_the_ear(written, LEXICON)]
        after = " | ".join(phonemes(espeak, voice, piece) for piece in pieces)
        length_after = sum(seconds(espeak, voice, piece) for piece in pieces)
        print(
            f"| {rule} | `{written}` | `{' | '.join(pieces)}` | `{phonemes(espeak, voice, written)}` | `{after}` "
            f"| {seconds(espeak, voice, written):.2f} | {length_after:.2f} |"
        )


if __name__ == "__main__":
    main()
