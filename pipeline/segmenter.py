"""Prose to segments: narration, dialogue and thought, each dialogue with its speaker."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .attribution import attribute
from .names import Names
from .config import AttributionRules
from .model import NARRATION, NARRATOR, Chapter, Character, Segment
from .quotes import Quote, QuoteInContext, find_quotes, find_script_line, single_quote_kind
from .structure import Paragraph, has_words, story_paragraphs

# Narration between quotes often starts with the punctuation that closed the quote (", she said"),
# and with any white space, Unicode's line separators included.
_LEADING_SILENT = re.compile(r"[\s,;:.!?\u2014\u2013-]*")


def _narration(text: str, start: int, end: int, chapter: int, paragraph: int) -> Segment | None:
    if start >= end:
        return None
    first = _LEADING_SILENT.match(text, start, end).end()
    last = start + len(text[start:end].rstrip())
    if first >= last or not has_words(text, first, last):
        return None
    return Segment(first, last, NARRATION, NARRATOR, chapter, paragraph, text[first:last])


def _script_lines(text, paragraphs, names: Names) -> dict[int, Quote]:
    """Paragraphs written as ``NAME: words``, by paragraph number. A label counts when it names a
    character, or labels two lines or more and is not a word such as "Note" or "Summary"."""
    lines = {}
    for number, (_, paragraph) in enumerate(paragraphs):
        if not (paragraph.heading or paragraph.scene_break):
            line = find_script_line(text, paragraph.start, paragraph.end)
            if line:
                lines[number] = line
    labels = Counter(line.label for line in lines.values())
    return {
        number: line for number, line in lines.items()
        if names.resolve(line.label, discover=False) or (labels[line.label] >= 2 and names.resolve(line.label, True))
    }


def _quotes_in_context(text, paragraphs, single_kind, tag_words, script_lines) -> list[QuoteInContext]:
    found = []
    previous_left_open = False
    for number, (_, paragraph) in enumerate(paragraphs):
        if paragraph.heading or paragraph.scene_break:
            previous_left_open = False
            continue
        quotes = find_quotes(text, paragraph.start, paragraph.end, single_kind, tag_words)
        if not quotes and number in script_lines:
            quotes = [script_lines[number]]
        for k, quote in enumerate(quotes):
            before_start = quotes[k - 1].close_end if k else paragraph.start
            after_end = quotes[k + 1].open_start if k + 1 < len(quotes) else paragraph.end
            continues = k == 0 and previous_left_open and quote.open_start == paragraph.start
            found.append(
                QuoteInContext(quote, number, (before_start, quote.open_start), (quote.close_end, after_end), continues)
            )
        previous_left_open = bool(quotes) and quotes[-1].left_open
    return found


@dataclass(frozen=True)
class Segmentation:
    segments: tuple[Segment, ...]  # every stretch read aloud, in order
    discovered: tuple[str, ...]  # speakers named in speech tags that the cast does not list
    scene_breaks: tuple[int, ...]  # paragraph numbers of separators such as "* * *"


def segment(
    text: str,
    chapters: tuple[Chapter, ...],
    characters: tuple[Character, ...],
    rules: AttributionRules,
    narrator_character: str | None = None,
) -> Segmentation:
    """Split the story into narration, dialogue and thought, and find who speaks each quote.

    ``narrator_character`` names a first-person narrator: their "I said" quotes are theirs.
    """
    paragraphs: list[tuple[Chapter, Paragraph]] = story_paragraphs(text, chapters)
    names = Names(characters, rules, narrator_character)
    verbs = "|".join(re.escape(v) for v in rules.speech_verbs + rules.thought_verbs)
    tag_words = re.compile(rf"\s*[,\u2014\-]?\s*(?:\w+\s+){{0,3}}(?:{verbs})\b") if verbs else re.compile(r"(?!x)x")
    single_kind = single_quote_kind(text, rules.single_quotes)
    quotes = _quotes_in_context(text, paragraphs, single_kind, tag_words, _script_lines(text, paragraphs, names))
    speakers = attribute(text, quotes, names, rules)

    segments: list[Segment] = []
    by_paragraph: dict[int, list[int]] = {}
    for i, q in enumerate(quotes):
        by_paragraph.setdefault(q.paragraph, []).append(i)
    for number, (chapter, paragraph) in enumerate(paragraphs):
        if paragraph.scene_break:
            continue
        cursor = paragraph.start
        for i in by_paragraph.get(number, []):
            quote = quotes[i].quote
            narration = _narration(text, cursor, quote.open_start, chapter.number, number)
            if narration:
                segments.append(narration)
            attribution = speakers[i]
            segments.append(
                Segment(
                    quote.start, quote.end, quote.kind, attribution.speaker, chapter.number, number,
                    text[quote.start : quote.end], attribution.rule,
                )
            )
            cursor = quote.close_end
        narration = _narration(text, cursor, paragraph.end, chapter.number, number)
        if narration:
            segments.append(narration)
    scene_breaks = tuple(n for n, (_, p) in enumerate(paragraphs) if p.scene_break)
    return Segmentation(tuple(segments), tuple(names.discovered()), scene_breaks)
