"""The story's shape: chapters from headings, paragraphs within them, and scene breaks.

Offsets index the decoded story text; nothing is rewritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import Chapter

_NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"
    r"|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
)
_ORDINAL = r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|final)"
_NUMBERING = (
    rf"(?:\d{{1,4}}|[IVXLCDM]{{1,7}}|{_NUMBER_WORD}(?:[- ]{_NUMBER_WORD})?|the\s+{_ORDINAL})"
)
# "Chapter 2", "Chapter Two: The Crypt", "CHAPTER IV.", "Part II", "BOOK THE FIRST", "Prologue".
# A title after the number needs a separator, so prose such as "Chapter 2 was dull." is not a heading.
_HEADING = re.compile(
    rf"^[ \t]*(?P<label>(?:chapter|part|book)[ \t]+{_NUMBERING}\b|prologue|epilogue|interlude)"
    r"[ \t]*(?:[.:\-\u2013\u2014][ \t]*(?P<title>[^\n]{0,100}?))?[ \t]*[.:]?[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
# A Markdown heading: "# The Crypt", "## Chapter 3". A lone "#" is a scene separator.
_MARKDOWN_HEADING = re.compile(r"^[ \t]*#{1,3}[ \t]+(?P<text>[^\n#]*\w[^\n]*?)[ \t#]*$", re.MULTILINE)
# A heading with no title of its own may carry one on the next line ("CHAPTER I.\nDown the Rabbit-Hole").
_TITLE_LINE = re.compile(r"\n[ \t]*(?P<title>[^\n.!?\"\u201c\u201d]{1,70}?)[ \t]*(?=\n|$)")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_LINE = re.compile(r"[^\n]+")
_WRAPPED_WIDTH = 100  # hard-wrapped texts (Project Gutenberg) keep lines under this


@dataclass(frozen=True)
class Paragraph:
    start: int
    end: int
    heading: bool = False  # a chapter heading, read by the narrator
    scene_break: bool = False  # a separator such as "* * *": a pause, never spoken


def _heading_label(label: str) -> str:
    # "CHAPTER IV" reads as "Chapter IV": shouted labels are a typesetting habit, not a title.
    words = label.split()
    return " ".join([words[0].capitalize(), *words[1:]])


@dataclass(frozen=True)
class _Heading:
    start: int
    end: int
    title: str


def is_heading(line: str) -> bool:
    """True when *line* on its own is a chapter heading ("Chapter Two: The Crypt", "# Prologue")."""
    return bool(_HEADING.fullmatch(line) or _MARKDOWN_HEADING.fullmatch(line))


def _markdown_headings(text: str) -> list[_Heading]:
    headings = []
    for match in _MARKDOWN_HEADING.finditer(text):
        inner = _HEADING.fullmatch(match.group("text"))  # "## CHAPTER IV" reads like "CHAPTER IV"
        title = match.group("text").strip()
        if inner:
            label = _heading_label(" ".join(inner.group("label").split()))
            title = f"{label}: {inner.group('title').strip()}" if (inner.group("title") or "").strip() else label
        start = match.start() + len(match.group(0)) - len(match.group(0).lstrip())
        headings.append(_Heading(start, match.end(), title))
    return headings


def _find_headings(text: str) -> list[_Heading]:
    headings = _markdown_headings(text)
    for match in _HEADING.finditer(text):
        end = match.end()
        title = (match.group("title") or "").strip()
        if not title:
            next_line = _TITLE_LINE.match(text, end)
            candidate = next_line.group("title") if next_line else ""
            if has_words(candidate) and not _HEADING.match(candidate):  # "* * *" is a separator, not a title
                title, end = next_line.group("title").strip(), next_line.end()
        label = _heading_label(" ".join(match.group("label").split()))
        start = match.start() + len(match.group(0)) - len(match.group(0).lstrip())
        headings.append(_Heading(start, end, f"{label}: {title}" if title else label))
    return sorted(headings, key=lambda heading: heading.start)


def opening_heading(text: str, start: int, end: int) -> tuple[int, int, str] | None:
    """(start, end, title) of a heading that opens text[start:end], if one does."""
    for heading in _find_headings(text):
        if start <= heading.start < end and not has_words(text[start : heading.start]):
            return heading.start, min(heading.end, end), heading.title
        if heading.start >= start:
            return None
    return None


def find_chapters(
    text: str, book_title: str, body_start: int = 0, body_end: int | None = None
) -> tuple[Chapter, ...]:
    """One Chapter per heading in text[body_start:body_end]; speakable text before the first heading
    is a chapter of its own.

    Headings with nothing but white space between them ("BOOK I" then "CHAPTER I") make one chapter
    whose title joins theirs. A story without headings is one chapter named after the story.
    """
    body_end = len(text) if body_end is None else body_end
    merged: list[_Heading] = []
    for heading in _find_headings(text):
        if not body_start <= heading.start < body_end:
            continue
        if merged and not text[merged[-1].end : heading.start].strip():
            heading = _Heading(merged[-1].start, heading.end, f"{merged[-1].title} \u2014 {heading.title}")
            merged.pop()
        merged.append(heading)
    if not merged or has_words(text[body_start : merged[0].start]):
        merged.insert(0, _Heading(body_start, body_start, book_title))
    ends = [h.start for h in merged[1:]] + [body_end]
    return tuple(
        Chapter(number, h.title, h.start, end, body_start=min(h.end, end) if h.end > h.start else None)
        for number, (h, end) in enumerate(zip(merged, ends), start=1)
    )


_WORD_CHARACTER = re.compile(r"[^\W_]")  # what str.isalnum() accepts, found at C speed


def has_words(text: str, start: int = 0, end: int | None = None) -> bool:
    """Whether text[start:end] holds a letter or digit: something to say."""
    return _WORD_CHARACTER.search(text, start, len(text) if end is None else end) is not None


_QUOTE_MARKS = frozenset("\"'\u201c\u201d\u2018\u2019\u00ab\u00bb")
# "oOo", "xXx", "-o0o-", "~O~": letters drawn as an ornament, so they must mix cases or sit between symbols.
_ORNAMENT = re.compile(
    r"[^\w\s]*\s*(?:(?:o+[O0]+)+o+|(?:[O0]+o+)+[O0]+|(?:x+X+)+x+|(?:X+x+)+X+)\s*[^\w\s]*|[^\w\s]+\s*[oOxX]\s*[^\w\s]+"
)
_LONGEST_ORNAMENT = 200  # a line of them; a paragraph of a million quote marks is not tried
# A paragraph the author addresses to readers, wherever it stands: "A/N: …", "(Author's note: …)".
_NOTE_LABEL = re.compile(
    r"[ \t]*[(\[]?[ \t]*(?:a/n\b|an:|author'?s\s+notes?\b|disclaimers?\s*:|beta'?d\s+by\b|notes?\s*:)",
    re.IGNORECASE,
)


# What an author says to readers and a story's prose seldom does.
_AUTHOR_TALK = re.compile(
    r"\b(?:fics?|fanfics?|fan\s+fiction|reviews?|reviewing|r\s*&\s*r|a/n|author'?s\s+notes?|kudos|betas?"
    r"|beta'?d|thanks\s+for\s+reading|next\s+chapter|update\s+soon|disclaimers?"
    r"|(?:don'?t|do\s+not)\s+own\s+(?:anything|any\s+of|them|the\s+characters)|owns?\s+nothing"
    r"|my\s+first\s+(?:story|fic))\b",
    re.IGNORECASE,
)


def sounds_like_the_author(paragraph: str) -> bool:
    """Talk about the fic rather than the story: "Please review!", "Thanks to my beta"."""
    return bool(_AUTHOR_TALK.search(paragraph))


def is_separator(paragraph: str) -> bool:
    """"* * *", "~~~", "----", "oOo": no words. A quoted "..." is a character saying nothing, not a new scene."""
    paragraph = paragraph.strip()
    if len(paragraph) <= _LONGEST_ORNAMENT and _ORNAMENT.fullmatch(paragraph):
        return True
    return not has_words(paragraph) and not _QUOTE_MARKS.intersection(paragraph)


def is_authors_note(paragraph: str) -> bool:
    """A paragraph the author addresses to readers ("A/N: …", "Disclaimer: …"): never read aloud."""
    return bool(_NOTE_LABEL.match(paragraph))


def is_hard_wrapped(text: str) -> bool:
    """True when paragraphs are blank-line blocks of short lines rather than one line each.

    A wrapped line ends only because the next word would not fit on it; a line that is a paragraph of
    its own ("I'm aware.") usually ends far short of the width. So besides short lines in multi-line
    blocks, most line breaks inside blocks must fall where a greedy wrap would have put them.
    """
    blocks = [b.strip() for b in _BLANK_LINE.split(text) if b.strip()]
    if not blocks:
        return False
    multi_line = [b for b in blocks if "\n" in b]
    lengths = sorted(len(line.rstrip()) for line in text.split("\n") if line.strip())
    width = lengths[int(len(lengths) * 0.9)]
    if len(multi_line) < 0.3 * len(blocks) or width > _WRAPPED_WIDTH:
        return False
    breaks = filled = 0
    for block in multi_line:
        lines = [line.rstrip() for line in block.split("\n")]
        for line, following in zip(lines, lines[1:]):
            if line.strip() and following.strip():
                breaks += 1
                filled += len(line) + 1 + len(following.split()[0]) > width
    return filled > 0.5 * breaks


def split_paragraphs(text: str, start: int, end: int, wrapped: bool) -> list[Paragraph]:
    """Paragraph spans in text[start:end], trimmed of white space; empty ones and author's notes are dropped."""
    pattern = _BLANK_LINE if wrapped else re.compile(r"\n")
    paragraphs = []
    cursor = start
    for separator in list(pattern.finditer(text, start, end)) + [None]:
        stop = separator.start() if separator else end
        piece = text[cursor:stop]
        stripped = piece.strip()
        if stripped:
            first = cursor + len(piece) - len(piece.lstrip())
            if not is_authors_note(stripped):
                paragraphs.append(Paragraph(first, first + len(stripped), scene_break=is_separator(stripped)))
        cursor = separator.end() if separator else end
    return paragraphs


def story_paragraphs(text: str, chapters: tuple[Chapter, ...]) -> list[tuple[Chapter, Paragraph]]:
    """Every paragraph of the story in order with its chapter; headings are paragraphs of their own."""
    wrapped = is_hard_wrapped(text)
    result = []
    for chapter in chapters:
        body_start = chapter.start if chapter.body_start is None else chapter.body_start
        if chapter.body_start is not None:
            for line in _LINE.finditer(text, chapter.start, body_start):
                if line.group(0).strip():
                    first = line.start() + len(line.group(0)) - len(line.group(0).lstrip())
                    result.append((chapter, Paragraph(first, first + len(line.group(0).strip()), heading=True)))
        paragraphs = split_paragraphs(text, body_start, chapter.end, wrapped)
        result.extend((chapter, p) for p in _without_chapter_notes(text, paragraphs))
    return result


def _without_chapter_notes(text: str, paragraphs: list[Paragraph]) -> list[Paragraph]:
    """A chapter's paragraphs less the notes that open or close it ("Thanks for the reviews!")."""
    def is_note(paragraph: Paragraph) -> bool:
        return not paragraph.scene_break and sounds_like_the_author(text[paragraph.start : paragraph.end])

    first, last = 0, len(paragraphs)
    while first < last and is_note(paragraphs[first]):
        first += 1
    while last > first and is_note(paragraphs[last - 1]):
        last -= 1
    return paragraphs[first:last]
