"""``audiobook script``: what will be spoken, by whom, as JSON lines or as a screenplay."""

from __future__ import annotations

import json
from typing import Iterator

from .model import NARRATION, THOUGHT, Book


def jsonl_lines(book: Book) -> Iterator[str]:
    """One JSON object per segment, in order; ``text == story[start:end]``."""
    for segment in book.segments:
        yield json.dumps(
            {
                "start": segment.start,
                "end": segment.end,
                "kind": segment.kind,
                "speaker": segment.speaker,
                "voice": book.voice_of(segment).id,
                "chapter": segment.chapter,
                "text": segment.text,
            },
            ensure_ascii=False,
        )


def text_lines(book: Book) -> Iterator[str]:
    """A screenplay: ``Spike (en-gb-x-rp+m3): …``, with chapter titles as headings."""
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
        yield f"{who} ({book.voice_of(segment).id}): {words}"
