"""The book's timeline as podcast apps read it: Podcasting 2.0 JSON chapters and a WebVTT transcript.

Both are timed from the assembled audio itself (the sample counts the assembler wrote), never
re-estimated from text, so they agree with the MP3's ID3 chapters to the millisecond. The
transcript has one cue per segment, from its first sentence's first sample to its last sentence's
last one; dialogue and thought carry a ``<v Speaker>`` voice span so an app can show who speaks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from .model import DIALOGUE, THOUGHT, Book, Cue
from .speech import speakable

CHAPTERS_VERSION = "1.2.0"  # the Podcasting 2.0 JSON chapters format this writes
_TIMESTAMP = r"(\d{2,}):(\d{2}):(\d{2})\.(\d{3})"
_TIMING = re.compile(rf"{_TIMESTAMP} --> {_TIMESTAMP}")


def chapters_json(book: Book, chapter_starts_ms: Sequence[int]) -> str:
    """Podcasting 2.0 JSON chapters: one entry per chapter, ``startTime`` in seconds, ascending."""
    chapters = sorted(book.chapters, key=lambda chapter: chapter.number)
    document = {
        "version": CHAPTERS_VERSION,
        "title": book.title,
        "author": book.author,
        "chapters": [
            {"startTime": start_ms / 1000, "title": chapter.title}
            for chapter, start_ms in zip(chapters, chapter_starts_ms)
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def segment_spans(cues: Sequence[Cue], cue_spans_ms: Sequence[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """``(segment, start_ms, end_ms)`` for every segment that was spoken, in book order.

    A segment runs from its first cue's start to its last cue's end; segments with nothing to say
    (no cues) have no span.
    """
    if len(cues) != len(cue_spans_ms):
        raise ValueError(f"{len(cues)} cues but {len(cue_spans_ms)} cue spans")
    spans: list[tuple[int, int, int]] = []
    for cue, (start, end) in zip(cues, cue_spans_ms):
        if spans and spans[-1][0] == cue.segment:
            spans[-1] = (cue.segment, spans[-1][1], end)
        else:
            spans.append((cue.segment, start, end))
    return spans


def webvtt(book: Book, cues: Sequence[Cue], cue_spans_ms: Sequence[tuple[int, int]]) -> str:
    """The WebVTT transcript: one cue per spoken segment, with a voice span for every known speaker's quote.

    The first cue is shown from the start of the file: before it the MP3 holds only the encoder's
    priming silence (50 ms), and a transcript that starts with the audio lines up with chapter 1 at 0.
    """
    lines = ["WEBVTT", ""]
    for number, (index, start_ms, end_ms) in enumerate(segment_spans(cues, cue_spans_ms)):
        start_ms = 0 if number == 0 else start_ms
        segment = book.segments[index]
        text = _escape(speakable(segment.text))
        if segment.kind in (DIALOGUE, THOUGHT) and segment.speaker:
            text = f"<v {_escape(segment.speaker)}>{text}</v>"
        lines += [f"{timestamp(start_ms)} --> {timestamp(end_ms)}", text, ""]
    return "\n".join(lines)


def timestamp(ms: int) -> str:
    """WebVTT's ``hh:mm:ss.ttt``."""
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def read_webvtt(text: str) -> list[tuple[int, int, str]]:
    """``(start_ms, end_ms, text)`` of every cue of a transcript :func:`webvtt` wrote, for checking it.

    Raises ValueError on anything else, so a malformed transcript cannot pass a check unnoticed.
    """
    if not text.startswith("WEBVTT\n\n"):
        raise ValueError("not a WebVTT file: no WEBVTT header")
    cues = []
    for block in text.removeprefix("WEBVTT\n\n").strip().split("\n\n"):
        timing, _, payload = block.partition("\n")
        match = _TIMING.fullmatch(timing)
        if match is None or not payload or "\n" in payload:
            raise ValueError(f"not a one-line cue: {block!r}")
        h1, m1, s1, ms1, h2, m2, s2, ms2 = map(int, match.groups())
        cues.append((((h1 * 60 + m1) * 60 + s1) * 1000 + ms1, ((h2 * 60 + m2) * 60 + s2) * 1000 + ms2, payload))
    return cues


def _escape(text: str) -> str:
    """Cue text is markup: a bare < or & would start a tag or an entity (and --> would end the cue)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
