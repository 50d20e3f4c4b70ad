"""No shipped file or fixture copies text from the stories we benchmark on (../shared): seven words in
a row shared with them would be a copy, not a coincidence of common phrases."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
RUN = 7  # words in a row that make a copy
SHIPPED = ("pipeline/**/*.py", "pipeline/*.yaml", "tests/**/*.py", "tests/fixtures/*", "README.md", "bench/*.py",
           "stories/*", "voices.yaml")


def _runs(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z']+", text.lower())
    return {tuple(words[i : i + RUN]) for i in range(len(words) - RUN + 1)}


def test_no_shipped_file_shares_a_run_of_words_with_the_benchmark_stories():
    sources = sorted(SHARED.glob("stories/*.txt")) + sorted(SHARED.glob("bench/*/*/story.txt"))
    if not sources:  # data beside the project, not a tool: a clone elsewhere has nothing to compare with
        pytest.skip(f"no benchmark stories at {SHARED}")
    theirs = set().union(*(_runs(path.read_text(encoding="utf-8", errors="replace")) for path in sources))
    copied = []
    for path in sorted({p for pattern in SHIPPED for p in ROOT.glob(pattern) if p.is_file()}):
        try:
            ours = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary fixtures (encodings, EPUB) are checked through the text they decode to elsewhere
        shared = _runs(ours) & theirs
        if shared:
            copied.append(f"{path.relative_to(ROOT)}: {' '.join(min(shared))}")
    assert not copied, copied
