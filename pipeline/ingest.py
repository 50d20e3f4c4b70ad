"""Reading a story file: decode it without asking, refuse what is not a story, find its front matter.

The decoded text is what every offset in the pipeline indexes (``audiobook script`` start/end), so
nothing here rewrites it: line ends, BOM-free, but otherwise exactly as the file says.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import StoryError, read_input
from .frontmatter import Matter, find_matter
from .model import Chapter
from .structure import opening_heading

if TYPE_CHECKING:
    from . import markup

UNKNOWN_AUTHOR = "Unknown author"

# Bytes that never occur in text: NUL and the C0 controls other than tab, LF, VT, FF, CR and ESC.
# The whole file is checked (one C-speed scan): a NUL deep in a story would cut eSpeak NG's text short.
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
# Windows-1252 gives every byte a character, so a file in another 8-bit encoding (KOI8-R, CP1251) or
# random high bytes would decode into nonsense to be read aloud. Western text has an accent or a
# smart quote here and there; nonsense has long runs of non-ASCII bytes and many of them.
_NON_ASCII_BYTES = bytes(range(0x80, 0x100))
_NON_ASCII_RUN = re.compile(rb"[\x80-\xff]{5}")
MAX_NON_ASCII_SHARE = 0.3  # of the bytes that are not white space


@dataclass(frozen=True)
class Story:
    path: Path
    text: str
    encoding: str
    title: str
    author: str
    body_start: int = 0  # where the story begins after its front matter (header fields, a bare title)
    body_end: int | None = None  # where its back matter (END, a closing author's note) begins; None: the end
    # Chapters the source itself gives (a directory's files, an EPUB's spine, HTML headings);
    # empty for a text file, whose chapters are found from its headings.
    chapters: tuple[Chapter, ...] = ()

    @property
    def body(self) -> str:
        """The story without its front and back matter: what the characters can be found in."""
        return self.text[self.body_start : self.body_end]


@dataclass(frozen=True)
class Part:
    """One chapter's text as it came: a file of a directory, an EPUB document, an HTML section."""

    text: str
    title: str  # the chapter's title when its text has no heading of its own
    heading_end: int = 0  # markup said text[:heading_end] is the heading; 0: look for one in the text


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
        text = data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise StoryError(
            f"{name}: cannot decode byte 0x{data[error.start]:02x} at offset {error.start} "
            "(not UTF-8, UTF-16 or Windows-1252)"
        ) from None
    run = _NON_ASCII_RUN.search(data)
    visible = len(data) - sum(data.count(space) for space in b" \t\n\r")
    share = (len(data) - len(data.translate(None, _NON_ASCII_BYTES))) / max(visible, 1)
    if run and share > MAX_NON_ASCII_SHARE:
        raise StoryError(
            f"{name}: cannot decode the bytes from offset {run.start()} (not UTF-8, UTF-16 or Windows-1252 text:"
            f" {share:.0%} of its bytes are not ASCII); save it as UTF-8"
        )
    return text, "cp1252"


def normalise_line_ends(text: str) -> str:
    # CRLF and lone CR become LF: offsets then index the same text whichever editor saved the file.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def title_from_filename(path: Path) -> str:
    stem = re.sub(r"[_\-]+", " ", path.stem).strip()
    return stem[:1].upper() + stem[1:] if stem else path.name


def _read_text(path: Path) -> tuple[str, str]:
    """The decoded text of one file, LF line ends, and its encoding."""
    text, encoding = decode(read_input(path, "story file", StoryError), str(path))
    return normalise_line_ends(text), encoding


def _chapter(number: int, part: Part, offset: int) -> tuple[Chapter, Matter] | None:
    """The part as a chapter at *offset* in the book's text, without its front and back matter."""
    matter = find_matter(part.text[part.heading_end :])
    start, end = part.heading_end + matter.body_start, part.heading_end + matter.body_end
    if not any(ch.isalnum() for ch in part.text[start:end]):
        return None
    heading = (0, part.heading_end, part.title) if part.heading_end else opening_heading(part.text, start, end)
    if heading is None:
        return Chapter(number, part.title, offset + start, offset + end), matter
    first, last, title = heading
    return Chapter(number, title, offset + first, offset + end, body_start=offset + last), matter


def _story_of_parts(path: Path, parts: list[Part], encoding: str, title: str | None, author: str | None) -> Story:
    """One book of several parts: their texts joined by blank lines, one chapter per part with text."""
    chapters: list[Chapter] = []
    offset = 0
    for part in parts:
        made = _chapter(len(chapters) + 1, part, offset)
        if made:
            chapter, matter = made
            chapters.append(chapter)
            title, author = title or matter.title, author or matter.author
        offset += len(part.text) + 2
    if not chapters:
        raise StoryError(f"{path}: the story is empty")
    text = "\n\n".join(part.text for part in parts)
    return Story(
        path, text, encoding, title or title_from_filename(path), author or UNKNOWN_AUTHOR,
        body_start=chapters[0].start, body_end=chapters[-1].end, chapters=tuple(chapters),
    )


def _natural_key(path: Path) -> list:
    # "chapter-2" before "chapter-10".
    return [int(piece) if piece.isdigit() else piece.casefold() for piece in re.split(r"(\d+)", path.name)]


_CHAPTER_FILES = (".txt", ".text", ".md", ".markdown")
_MARKUP_FILES = (".html", ".htm", ".xhtml")


def _markup_parts(document: markup.Document) -> list[Part]:
    """Each chapter of an EPUB or HTML document as a part, its heading line first when it has one."""
    parts = []
    for number, (toc_title, blocks) in enumerate(document.chapters, start=1):
        has_heading = bool(blocks) and blocks[0].kind == "heading"
        heading = blocks[0].text if has_heading else ""
        body = "\n\n".join(block.text for block in blocks[int(has_heading) :])
        text = f"{heading}\n\n{body}" if has_heading else body
        parts.append(Part(text, toc_title or heading or f"Chapter {number}", heading_end=len(heading)))
    return parts


def _read_directory(path: Path) -> Story:
    """One book from a directory of chapter files, one chapter per file in natural order."""
    files = sorted(
        (p for p in path.iterdir() if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in _CHAPTER_FILES),
        key=_natural_key,
    )
    if not files:
        raise StoryError(f"{path}: no chapter files ({', '.join(_CHAPTER_FILES)}) in the directory")
    parts, encodings = [], []
    for file in files:
        text, encoding = _read_text(file)
        parts.append(Part(text, title_from_filename(file)))
        encodings.append(encoding)
    return _story_of_parts(path, parts, "+".join(dict.fromkeys(encodings)), None, None)


def read_story(path: Path) -> Story:
    """Read one story: a text file, a directory of chapter files, an EPUB or an HTML page.

    StoryError with a one-line reason when it is not a usable story.
    """
    path = Path(path)
    if path.is_dir():
        return _read_directory(path)
    suffix = path.suffix.lower()
    if suffix == ".epub" or suffix in _MARKUP_FILES:
        from . import markup  # EbookLib and Beautiful Soup: a tenth of a second to load, for these only
    if suffix == ".epub":
        read_input(path, "story file", StoryError)  # a missing or unreadable file is named like any other
        document = markup.read_epub(path)
        return _story_of_parts(path, _markup_parts(document), "epub", document.title, document.author)
    if suffix in _MARKUP_FILES:
        document = markup.read_html(read_input(path, "story file", StoryError), str(path))
        return _story_of_parts(path, _markup_parts(document), "html", document.title, document.author)
    text, encoding = _read_text(path)
    matter = find_matter(text)
    if not text[matter.body_start : matter.body_end].strip():  # nothing, or nothing but front matter
        raise StoryError(f"{path}: the story is empty")
    return Story(
        path, text, encoding, matter.title or title_from_filename(path), matter.author or UNKNOWN_AUTHOR,
        body_start=matter.body_start, body_end=matter.body_end,
    )
