"""Reading a story file: decode it without asking, refuse what is not a story, find title and author.

The decoded text is what every offset in the pipeline indexes (``audiobook script`` start/end), so
nothing here rewrites it: line ends, BOM-free, but otherwise exactly as the file says.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import StoryError, read_input

# Bytes that never occur in text: NUL and the C0 controls other than tab, LF, VT, FF, CR and ESC.
# The whole file is checked (one C-speed scan): a NUL deep in a story would cut eSpeak NG's text short.
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


@dataclass(frozen=True)
class Story:
    path: Path
    text: str
    encoding: str
    title: str
    author: str
    body_start: int = 0  # where the story begins after the Title/Author lines that became tags


def decode(data: bytes, name: str) -> tuple[str, str]:
    """The text of a story file and the encoding it was in.

    UTF-16 is only trusted with a BOM; UTF-8 (with or without BOM) is tried next; a file that is not
    UTF-8 is Windows-1252 (a superset of Latin-1 for printable text, and where smart quotes 0x93/0x94
    come from). Bytes that are neither are an error rather than a guess.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as error:
            raise StoryError(f"{name}: not valid UTF-16 text (byte {error.start})") from None
    if _BINARY_BYTES.search(data):
        raise StoryError(f"{name}: a binary file, not a text story")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as error:
        raise StoryError(
            f"{name}: cannot decode byte 0x{data[error.start]:02x} at offset {error.start} "
            "(not UTF-8, UTF-16 or Windows-1252)"
        ) from None


def normalise_line_ends(text: str) -> str:
    # CRLF and lone CR become LF: offsets then index the same text whichever editor saved the file.
    return text.replace("\r\n", "\n").replace("\r", "\n")


# "Title: X", "Author - X", "By: X". A hyphen needs a space before it: "By-and-by the rain stopped." is prose.
_FIELD_LINE = re.compile(r"[ \t]*(title|author|by)(?:[ \t]*:|[ \t]+[-\u2013\u2014])[ \t]*(\S.*?)[ \t]*", re.IGNORECASE)
_BYLINE = re.compile(r"[ \t]*by[ \t]+(\S.{0,60}?)[ \t]*", re.IGNORECASE)
_HEADER_REGION = 1500  # headers sit at the top; a "Title:" deep in the prose is prose


def _is_a_name(value: str) -> bool:
    """ "Ada Quill", "J. R. Ode Jr." rather than the rest of a sentence: "By noon, the harbour was empty." """
    if not value[:1].isupper() or value.endswith(tuple("!?\u2026,;:\"'\u201d\u2019")):
        return False
    return not value.endswith(".") or value.split()[-1][:1].isupper()


def _header_field(line: str) -> tuple[str, str] | None:
    """("title" | "author" | "byline", value) when *line* is a header line, else None."""
    match = _FIELD_LINE.fullmatch(line)
    if match:
        return ("title" if match.group(1).lower() == "title" else "author"), match.group(2)
    match = _BYLINE.fullmatch(line)
    if match and _is_a_name(match.group(1)):
        return "byline", match.group(1)
    return None


def find_title_and_author(text: str, fallback_title: str) -> tuple[str, str]:
    """``Title:`` / ``Author:`` / ``By X`` lines at the top of the story, else the file's name."""
    found: dict[str, str] = {}
    for line in text[:_HEADER_REGION].split("\n"):
        field = _header_field(line)
        if field:
            found.setdefault(*field)
    return found.get("title") or fallback_title, found.get("author") or found.get("byline") or "Unknown author"


def header_end(text: str) -> int:
    """The end of the Title:/Author:/By lines (and blank lines) that open the story, if any."""
    cursor, seen = 0, False
    while cursor < len(text):
        newline = text.find("\n", cursor)
        stop = len(text) if newline < 0 else newline + 1
        line = text[cursor:stop].rstrip("\n")
        if line.strip(" \t"):
            if _header_field(line) is None:
                break
            seen = True
        cursor = stop
    return cursor if seen else 0


def title_from_filename(path: Path) -> str:
    stem = re.sub(r"[_\-]+", " ", path.stem).strip()
    return stem[:1].upper() + stem[1:] if stem else path.name


def read_story(path: Path) -> Story:
    """Read and decode one story; StoryError with a one-line reason when it is not a usable story."""
    path = Path(path)
    data = read_input(path, "story file", StoryError)
    text, encoding = decode(data, str(path))
    text = normalise_line_ends(text)
    body_start = header_end(text)
    if not text[body_start:].strip():  # nothing, or nothing but a Title/Author header
        raise StoryError(f"{path}: the story is empty")
    title, author = find_title_and_author(text, title_from_filename(path))
    return Story(path, text, encoding, title, author, body_start=body_start)
