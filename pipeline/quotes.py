"""Finding quoted speech and thought inside a paragraph.

Double quotes (straight or curly) are speech. Single quotes are thought, speech or nothing, as the
``attribution.single_quotes`` setting says; in ``auto`` mode they are thought when the story also uses
double quotes, and speech when it uses single quotes only (British style).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .model import DIALOGUE, THOUGHT
from .structure import has_words

DOUBLE_OPEN = "\u201c\u201e\u00ab"  # “ „ «
DOUBLE_CLOSE = "\u201d\u00bb"  # ” »
SINGLE_OPEN = "\u2018"  # ‘
SINGLE_CLOSE = "\u2019"  # ’ (also the curly apostrophe)
_OPENING_CONTEXT = " \t\n([{\u2014\u2013-"
_DOUBLE_MARKS = re.compile('["\u201c\u201d\u201e\u00ab\u00bb]')
_SINGLE_MARKS = re.compile("['\u2018\u2019]")
# A single-quoted stretch only counts when it reads like a sentence (ends in punctuation inside the
# marks) or is tagged; otherwise it is a scare quote such as the 'spicy talk'.
_SENTENCE_END = re.compile(r"[.,!?\u2026\u2014\-;:]\s*$")


@dataclass(frozen=True)
class Quote:
    """The words inside one pair of quote marks (the marks themselves excluded)."""

    start: int
    end: int
    kind: str  # dialogue | thought
    open_start: int  # offset of the opening mark
    close_end: int  # offset just past the closing mark (the paragraph end when left open)
    left_open: bool  # no closing mark before the paragraph ended
    label: str | None = None  # the speaker a script line names: "SPIKE: Bloody hell."


@dataclass(frozen=True)
class QuoteInContext:
    """A quote with the narration around it inside its paragraph."""

    quote: Quote
    paragraph: int  # index among the story's paragraphs
    before: tuple[int, int]  # narration from the previous quote (or paragraph start) to this one
    after: tuple[int, int]  # narration from this quote to the next (or paragraph end)
    continues: bool  # carries on a quote left open at the end of the previous paragraph


@dataclass(frozen=True)
class Attribution:
    speaker: str | None
    rule: str | None


def single_quote_kind(text: str, mode: str) -> str | None:
    """What single-quoted text is in this story: THOUGHT, DIALOGUE, or None (not a quote)."""
    if mode == "ignore":
        return None
    if mode == "thought":
        return THOUGHT
    if mode == "dialogue":
        return DIALOGUE
    return THOUGHT if _DOUBLE_MARKS.search(text) else DIALOGUE


def _is_opening(text: str, i: int, start: int) -> bool:
    return i == start or text[i - 1] in _OPENING_CONTEXT


def _is_closing(text: str, i: int, end: int) -> bool:
    return i + 1 >= end or not text[i + 1].isalnum()


def _make_quote(text, open_at, close_at, kind, close_end, left_open) -> Quote | None:
    if not has_words(text, open_at + 1, close_at):
        return None
    inner = text[open_at + 1 : close_at]
    stripped = inner.strip()
    first = open_at + 1 + len(inner) - len(inner.lstrip())
    return Quote(first, first + len(stripped), kind, open_at, close_end, left_open)


def find_double_quotes(text: str, start: int, end: int) -> list[Quote]:
    """Speech in text[start:end]. A quote left open runs to the paragraph's end."""
    quotes = []
    open_at = None
    for match in _DOUBLE_MARKS.finditer(text, start, end):
        i = match.start()
        mark = text[i]
        if open_at is None:
            # A straight mark always opens (they toggle); a stray curly closing mark is ignored.
            if mark == '"' or mark in DOUBLE_OPEN:
                open_at = i
            continue
        # Inside a quote a closing mark ends it; an opening one means the last was never closed.
        if i > open_at + 1:  # marks side by side hold nothing (a line of a million of them is quick)
            quote = _make_quote(text, open_at, i, DIALOGUE, i + 1, left_open=False)
            if quote:
                quotes.append(quote)
        if mark == '"':
            open_at = i if _is_opening(text, i, start) and not _is_closing(text, i, end) else None
        else:
            open_at = i if mark in DOUBLE_OPEN else None
    if open_at is not None:
        quote = _make_quote(text, open_at, end, DIALOGUE, end, left_open=True)
        if quote:
            quotes.append(quote)
    return quotes


def find_single_quotes(text: str, start: int, end: int, kind: str, tag_words: re.Pattern) -> list[Quote]:
    """Single-quoted thought or speech in a stretch of narration (never nested inside speech)."""
    quotes = []
    open_at = None
    for match in _SINGLE_MARKS.finditer(text, start, end):
        i, mark = match.start(), match.group(0)
        between_letters = 0 < i < end - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()
        if between_letters:  # don't, it's, O'Brien
            continue
        if open_at is None:
            if mark != SINGLE_CLOSE and _is_opening(text, i, start) and i + 1 < end and not text[i + 1].isspace():
                open_at = i
            continue
        if mark != SINGLE_OPEN and not text[i - 1].isspace() and _is_closing(text, i, end):
            inner = text[open_at + 1 : i]
            tagged = tag_words.match(text, i + 1, end) is not None
            if _SENTENCE_END.search(inner) or tagged:
                quote = _make_quote(text, open_at, i, kind, i + 1, left_open=False)
                if quote:
                    quotes.append(quote)
            open_at = None
    return quotes


# "Spike: Bloody hell." / "MRS. BENNET: Oh, Mr. Bennet!": a script line, one to three name words
_SCRIPT_LINE = re.compile(
    r"(?P<label>(?:[A-Z][A-Za-z'\u2019-]*\.?)(?: [A-Z][A-Za-z'\u2019-]*\.?){0,2}):[ \t]+(?=\S)"
)


def find_script_line(text: str, start: int, end: int) -> Quote | None:
    """A paragraph written as a script line, ``NAME: words``, as a quote of NAME's (the label is not read)."""
    match = _SCRIPT_LINE.match(text, start, end)
    if not match or _DOUBLE_MARKS.search(text, start, end):
        return None
    quote = _make_quote(text, match.end() - 1, end, DIALOGUE, end, left_open=False)
    return replace(quote, open_start=start, label=" ".join(match.group("label").split())) if quote else None


def find_quotes(text: str, start: int, end: int, single_kind: str | None, tag_words: re.Pattern) -> list[Quote]:
    """All quotes of a paragraph in order: double-quoted speech, then single quotes between them."""
    double = find_double_quotes(text, start, end)
    if single_kind is None:
        return double
    found = []
    cursor = start
    for quote in double + [None]:
        stop = quote.open_start if quote else end
        found.extend(find_single_quotes(text, cursor, stop, single_kind, tag_words))
        if quote:
            found.append(quote)
            cursor = quote.close_end
    return found
