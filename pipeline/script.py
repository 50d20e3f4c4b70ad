"""``audiobook script``: what will be spoken, by whom, as JSON lines or as a screenplay."""

from __future__ import annotations

import json
from typing import Iterator

from .model import NARRATION, THOUGHT, Book


def jsonl_lines(book: Book, explain: bool = False) -> Iterator[str]:
    """One JSON object per segment, in order; ``text == story[start:end]``.

    With ``explain``, quotes also carry ``"rule"``: the attribution rule that chose the speaker (null
    when none did).
    """
    for segment in book.segments:
        row = {
            "start": segment.start,
            "end": segment.end,
            "kind": segment.kind,
            "speaker": segment.speaker,
            "voice": book.voice_of(segment).id,
            "chapter": segment.chapter,
            "text": segment.text,
        }
        if explain and segment.kind != NARRATION:
            row["rule"] = segment.rule
        yield json.dumps(row, ensure_ascii=False)


def text_lines(book: Book, explain: bool = False) -> Iterator[str]:
    """A screenplay: ``Spike (en-gb-x-rp+m3): …``, with chapter titles as headings.

    With ``explain``, each quote ends with the rule that chose its speaker: ``[tag_after]``, or
    ``[none]`` when no rule did.
    """
    chapter = None
    for segment in book.segments:
        if segment.chapter != chapter:
            if chapter is not None:
                yield ""
            chapter = segment.chapter
            yield f"== {book.chapters[chapter - 1].title} =="
        who = "Narrator" if segment.kind == NARRATION else (segment.speaker or "Unknown")
        if segment.kind == THOUGHT:
            who += ", thinking"
        words = " ".join(segment.text.split())
        because = f" [{segment.rule or 'none'}]" if explain and segment.kind != NARRATION else ""
        yield f"{who} ({book.voice_of(segment).id}): {words}{because}"
