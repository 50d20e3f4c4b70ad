"""Front and back matter: what the author says about the story, as opposed to the story.

Fan fiction copied from an archive opens with a header (a bare title line, ``Title:``, ``Author:`` or
``By X``, ``Rating:``, ``Disclaimer:``, ``Summary:``, ``Author's Notes:``…) and often closes with
``END`` or a note asking for reviews. They become metadata (the title and author tags) and are never
read aloud. Nothing is rewritten: these functions only say where the story proper begins and ends,
and which paragraphs inside it are the author talking (``A/N: …``), so offsets keep indexing the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .structure import is_authors_note, is_heading, is_separator, sounds_like_the_author

# Header field names as archives and authors write them; "Title - X" needs a space before the dash so
# that "By-and-by the rain stopped." stays prose.
_FIELD_NAMES = (
    r"title|author|authors|by|written\s+by|rating|rated|category|categories|genre|genres|warnings?"
    r"|disclaimers?|spoilers?|summary|feedback|pairings?|characters|fandoms?|series|status|word\s*count"
    r"|timeline|setting|archive|archiving|distribution|dedications?|beta(?:\s+reader)?|e-?mail|keywords"
    r"|notes?|author'?s\s+notes?|a/n|an"
    # the archives' own labels
    r"|archive\s+warnings?|relationships?|additional\s+tags|tags|language|collections?|stats|published"
    r"|updated|completed|words|chapters|kudos|hits|bookmarks|comments"
)
_FIELD = re.compile(
    rf"[ \t]*[(\[]?[ \t]*(?P<name>{_FIELD_NAMES})(?:[ \t]*:|[ \t]+[-\u2013\u2014])[ \t]*(?P<value>.*?)[ \t]*",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"[ \t]*(?:written[ \t]+)?by[ \t]+(\S.{0,60}?)[ \t]*", re.IGNORECASE)
_END_MARK = re.compile(r"[\W_]*(?:the\s+end|end|fin|finis)[\W_]*", re.IGNORECASE)
_NOTE_FIELDS = frozenset({"notes", "note", "author's notes", "authors notes", "author's note", "authors note",
                          "a/n", "an", "disclaimer", "disclaimers", "feedback"})
_HEADER_REGION = 3000  # headers sit at the top; a "Title:" deep in the prose is prose
_TITLE_WIDTH = 80


@dataclass(frozen=True)
class Matter:
    """Where the story proper lies in the text, and the title and author its header gives."""

    body_start: int
    body_end: int
    title: str | None = None
    author: str | None = None


def _is_a_name(value: str) -> bool:
    """ "Ada Quill", "J. R. Ode Jr." rather than the rest of a sentence: "By noon, the harbour was empty." """
    if not value[:1].isupper() or value.endswith(tuple("!?\u2026,;:\"'\u201d\u2019")):
        return False
    return not value.endswith(".") or value.split()[-1][:1].isupper()


def _field(line: str) -> tuple[str, str] | None:
    """(field name, value) for a header line: ("title", "Salt"), ("author", "Ines Varga")."""
    match = _FIELD.fullmatch(line)
    if match:
        name = " ".join(match.group("name").lower().split())
        value = match.group("value").rstrip(")]").strip()
        if name in ("by", "written by", "authors"):
            name = "author"
        return name, value
    match = _BYLINE.fullmatch(line)
    if match and _is_a_name(match.group(1)):
        return "author", match.group(1)
    return None


def _is_bare_title(line: str, following: str | None) -> bool:
    """A short first line without sentence punctuation, title-cased or followed by header fields."""
    stripped = line.strip()
    if (
        len(stripped) > _TITLE_WIDTH
        or not stripped[:1].isalnum()
        or stripped.endswith(tuple(".,;:!\"'\u201d\u2019\u2026"))
        or is_heading(stripped)
    ):
        return False
    if following is not None and _field(following):
        return True
    words = [w for w in re.findall(r"[A-Za-z']+", stripped) if len(w) > 3]
    return bool(words) and all(w[0].isupper() for w in words)


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each line with words or symbols in text[start:end], white space trimmed."""
    spans = []
    for match in re.finditer(r"[^\n]+", text[start:end]):
        raw = match.group(0)
        if raw.strip():
            first = start + match.start() + len(raw) - len(raw.lstrip())
            spans.append((first, first + len(raw.strip())))
    return spans


def _front(text: str) -> tuple[int, dict[str, str]]:
    """Where the story begins after the header that opens it (0 if none), and the header's fields."""
    lines = _lines(text, 0, min(len(text), _HEADER_REGION))
    fields: dict[str, str] = {}
    waiting = False  # a label without text ("Summary:"): the next line is its text
    in_note = False  # an author's note goes on while its lines talk about the fic
    for index, (start, stop) in enumerate(lines):
        line = text[start:stop]
        field = _field(line)
        following = text[slice(*lines[index + 1])] if index + 1 < len(lines) else None
        if field:
            name, value = field
            if value:
                fields.setdefault(name, value)
            waiting, in_note = not value, name in _NOTE_FIELDS
        elif waiting or (in_note and sounds_like_the_author(line)):
            waiting = False
        elif index == 0 and _is_bare_title(line, following):
            fields["bare title"] = line.strip()
        else:
            return (start if index else 0), fields
    if not lines:
        return 0, fields
    return (len(text) if len(text) <= _HEADER_REGION else lines[-1][1]), fields


def _back(text: str, body_start: int) -> int:
    """Where the closing matter (END, a trailing note asking for reviews) begins; len(text) if none."""
    lines = _lines(text, body_start, len(text))
    end = len(text)
    saw_matter = False
    for start, stop in reversed(lines):
        line = text[start:stop]
        if _END_MARK.fullmatch(line) or is_authors_note(line) or sounds_like_the_author(line):
            saw_matter = True
        elif not is_separator(line):
            break
        end = start
    return end if saw_matter else len(text)


def find_matter(text: str) -> Matter:
    """The story proper between its header and its closing matter, with the header's title and author."""
    body_start, fields = _front(text)
    body_end = max(body_start, _back(text, body_start))
    return Matter(body_start, body_end, fields.get("title") or fields.get("bare title"), fields.get("author"))
