"""Reading a story file: decode it without asking, refuse what is not a story, find its front matter.

The decoded text is what every offset in the pipeline indexes (``audiobook script`` start/end), so
nothing here rewrites it: line ends, BOM-free, but otherwise exactly as the file says.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import StoryError, read_input
from .frontmatter import find_matter

UNKNOWN_AUTHOR = "Unknown author"

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
    body_start: int = 0  # where the story begins after its front matter (header fields, a bare title)
    body_end: int | None = None  # where its back matter (END, a closing author's note) begins; None: the end


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


def title_from_filename(path: Path) -> str:
    stem = re.sub(r"[_\-]+", " ", path.stem).strip()
    return stem[:1].upper() + stem[1:] if stem else path.name


def read_story(path: Path) -> Story:
    """Read and decode one story; StoryError with a one-line reason when it is not a usable story."""
    path = Path(path)
    data = read_input(path, "story file", StoryError)
    text, encoding = decode(data, str(path))
    text = normalise_line_ends(text)
    matter = find_matter(text)
    if not text[matter.body_start : matter.body_end].strip():  # nothing, or nothing but front matter
        raise StoryError(f"{path}: the story is empty")
    return Story(
        path, text, encoding, matter.title or title_from_filename(path), matter.author or UNKNOWN_AUTHOR,
        body_start=matter.body_start, body_end=matter.body_end,
    )
