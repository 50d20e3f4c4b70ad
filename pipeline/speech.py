"""From segments to cues: what the engine says, sentence by sentence, and the silence after each.

Each sentence is its own clip so that the pauses in voices.yaml are exact (the engine's own pauses
are trimmed from every clip), a long paragraph never reaches the engine as one long text, and an
edit re-renders only the sentences it touched.
"""

from __future__ import annotations

import re

from .ingest import UNKNOWN_AUTHOR
from .model import Book, Cue, Pauses, Segment, Utterance
from .normalize import for_the_ear

# A sentence ends at . ! ? or … (with any closing quotes or brackets) before white space, except
# after the usual abbreviations and initials ("Mr. Darcy", "J. R. R.").
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Prof|Capt|Col|Gen|Lt|Sgt|Rev|Mt|vs|etc|e\.g|i\.e|No|Vol)|\b[A-Z])\.$"
)
_LONGEST_ABBREVIATION = 6  # characters before the full stop worth looking at ("Capt", "e.g")
# A spaced ellipsis ". . ." is one mark, not three full stops.
_SENTENCE_END = re.compile(r"(?:\.(?:[ \t]\.){2}|[.!?\u2026])+[\"'\u201d\u2019)\]]*(?=\s+\S)")
_LONG_SENTENCE = 600  # characters; longer ones are also cut at clause boundaries
_CLAUSE_END = re.compile(r"[;:,\u2014]\s+")


def speakable(text: str) -> str:
    """The text as the engine should receive it: one line, single spaces."""
    return " ".join(text.split())


def sentences(text: str) -> list[str]:
    """The sentences of one segment's text, each speakable and non-empty."""
    pieces = []
    cursor = 0
    for match in _SENTENCE_END.finditer(text):
        if _ABBREVIATION.search(text, max(0, match.start() - _LONGEST_ABBREVIATION), match.end()):
            continue
        pieces.append(text[cursor : match.end()])
        cursor = match.end()
    pieces.append(text[cursor:])
    result = []
    for piece in pieces:
        result.extend(_clauses(speakable(piece)))
    return [s for s in result if any(ch.isalnum() for ch in s)]


def _clauses(sentence: str) -> list[str]:
    """A very long sentence cut at clause boundaries so no clip grows unwieldy."""
    if len(sentence) <= _LONG_SENTENCE:
        return [sentence]
    parts, cursor = [], 0
    for match in _CLAUSE_END.finditer(sentence):
        if match.end() - cursor >= _LONG_SENTENCE // 2:
            parts.append(sentence[cursor : match.start() + 1])
            cursor = match.end()
    parts.append(sentence[cursor:])
    return [p.strip() for p in parts if p.strip()]


def pause_after(segment: Segment, following: Segment | None, book: Book, pauses: Pauses) -> int:
    """Silence after a segment's last sentence, from the boundary that follows it."""
    if following is None:
        return 0
    if following.chapter != segment.chapter:
        return pauses.chapter
    if any(segment.paragraph < p < following.paragraph for p in book.scene_breaks):
        return pauses.scene
    change = pauses.speaker_change if book.voice_of(following) != book.voice_of(segment) else 0
    if following.paragraph != segment.paragraph:
        return max(pauses.paragraph, change)
    return max(pauses.sentence, change)


def intro(book: Book) -> str:
    """The title and author read before the story with --read-front-matter."""
    return book.title if book.author == UNKNOWN_AUTHOR else f"{book.title}. By {book.author}."


def plan_cues(book: Book, pauses: Pauses, read_front_matter: bool = False) -> list[Cue]:
    """Every clip of the book in order, with the silence to leave after it.

    Each sentence is said for the ear (normalize.py) and cut where a reader pauses (ellipses,
    dashes); those cuts get a sentence's pause. With *read_front_matter* the title and author come first.
    """
    cues = []
    if read_front_matter and book.segments:
        for piece in for_the_ear(intro(book), book.pronounce):
            cues.append(Cue(Utterance(piece.text, book.narrator, piece.emphasis), pauses.paragraph, 1, 0))
    for index, segment in enumerate(book.segments):
        following = book.segments[index + 1] if index + 1 < len(book.segments) else None
        voice = book.voice_of(segment)
        parts = [piece for sentence in sentences(segment.text) for piece in for_the_ear(sentence, book.pronounce)]
        for k, part in enumerate(parts):
            last = k == len(parts) - 1
            pause = pause_after(segment, following, book, pauses) if last else pauses.sentence
            cues.append(Cue(Utterance(part.text, voice, part.emphasis), pause, segment.chapter, index))
    return cues
