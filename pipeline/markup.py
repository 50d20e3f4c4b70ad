"""EPUB and HTML stories as plain chapters: the archive sites' download formats.

Markup becomes the same text a copied story would be: one paragraph per line, blank lines between,
``<hr>`` a ``* * *`` scene break, and italics ``*marked*`` so that normalize.py hears them as emphasis.
Beautiful Soup reads whatever HTML the archive produced (unclosed tags, stray entities); EbookLib
reads the EPUB container, its metadata, spine and table of contents.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import ebooklib
from bs4 import BeautifulSoup, NavigableString, Tag, XMLParsedAsHTMLWarning
from ebooklib import epub

from .errors import StoryError

_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_ITALIC = frozenset({"i", "em", "cite"})
_BLOCKS = frozenset({"p", "div", "li", "blockquote", "pre", "td", "section", "article", "center", "dd", "dt",
                     "ul", "ol", "table", "tr", "tbody", "body", "main", "header", "footer", "aside", "figure"})
_SKIPPED = frozenset({"script", "style", "head", "title", "nav", "noscript"})
SCENE_BREAK = "* * *"


@dataclass(frozen=True)
class Block:
    kind: str  # "heading" | "paragraph"
    text: str
    level: int = 0  # 1-6 for headings


@dataclass(frozen=True)
class Document:
    """A story read from markup: its chapters' blocks, and what its metadata says."""

    title: str | None
    author: str | None
    chapters: tuple[tuple[str | None, tuple[Block, ...]], ...]  # (title from a table of contents, blocks)


def _inline(node) -> str:
    """The text of an inline run, italics marked with asterisks and <br> as a line break."""
    if isinstance(node, NavigableString):
        return str(node)
    if not isinstance(node, Tag) or node.name in _SKIPPED:
        return ""
    if node.name == "br":
        return "\n"
    inner = "".join(_inline(child) for child in node.children)
    if node.name in _ITALIC and any(ch.isalnum() for ch in inner):
        core = inner.strip()
        return inner[: len(inner) - len(inner.lstrip())] + f"*{core}*" + inner[len(inner.rstrip()) :]
    return inner


def _paragraphs(text: str) -> list[Block]:
    # A <br> inside a block separates lines that are paragraphs of their own in a copied story.
    return [Block("paragraph", " ".join(line.split())) for line in text.split("\n") if line.strip()]


def _walk(node: Tag, blocks: list[Block]) -> None:
    run: list[str] = []  # inline content between block children

    def flush() -> None:
        blocks.extend(_paragraphs("".join(run)))
        run.clear()

    for child in node.children:
        if isinstance(child, Tag) and child.name in _SKIPPED:
            continue
        if isinstance(child, Tag) and child.name in _HEADINGS:
            flush()
            text = " ".join(_inline(child).replace("*", "").split())
            if text:
                blocks.append(Block("heading", text, int(child.name[1])))
        elif isinstance(child, Tag) and child.name == "hr":
            flush()
            blocks.append(Block("paragraph", SCENE_BREAK))
        elif isinstance(child, Tag) and child.name in _BLOCKS:
            flush()
            _walk(child, blocks)
        else:
            run.append(_inline(child))
    flush()


def _soup(markup: str | bytes) -> BeautifulSoup:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)  # EPUB chapters are XHTML; html.parser copes
        return BeautifulSoup(markup, "html.parser")


def _blocks(soup: BeautifulSoup) -> list[Block]:
    """Headings and paragraphs of an HTML or XHTML document, in reading order."""
    blocks: list[Block] = []
    _walk(soup.body or soup, blocks)
    return blocks


def _meta(soup: BeautifulSoup, *names: str) -> str | None:
    for name in names:
        tag = soup.find("meta", attrs={"name": re.compile(rf"^{re.escape(name)}$", re.IGNORECASE)})
        if tag and tag.get("content", "").strip():
            return " ".join(tag["content"].split())
    return None


def read_html(data: bytes, name: str) -> Document:
    """Chapters at the most frequent top heading level (h2 chapters under an h1 title); one if none repeats.

    Blocks before the first chapter heading (title, summary, notes) are front matter.
    """
    soup = _soup(data)
    blocks = _blocks(soup)
    if not any(block.kind == "paragraph" for block in blocks):
        raise StoryError(f"{name}: the HTML has no text to read")
    levels = [block.level for block in blocks if block.kind == "heading"]
    repeated = sorted(level for level in set(levels) if levels.count(level) > 1)
    first_heading = next((block.text for block in blocks if block.kind == "heading"), None)
    page_title = soup.title.get_text(" ", strip=True) if soup.title else None
    title = _meta(soup, "dc.title", "title") or page_title or first_heading
    author = _meta(soup, "author", "dc.creator")
    if not repeated:
        body = tuple(block for block in blocks if block.kind == "paragraph")
        return Document(title, author, ((title, body),))
    chapters: list[tuple[str | None, tuple[Block, ...]]] = []
    current: list[Block] | None = None
    for block in blocks:
        if block.kind == "heading" and block.level == repeated[0]:
            current = [block]
            chapters.append((None, current))  # filled in place as the blocks come
        elif current is not None:
            current.append(block if block.kind == "paragraph" or block.level > repeated[0] else Block("paragraph", block.text))
    return Document(title, author, tuple((toc, tuple(chapter)) for toc, chapter in chapters))


def _toc_titles(toc, titles: dict[str, str]) -> dict[str, str]:
    """href (without #fragment) -> the first title the table of contents gives it."""
    for entry in toc:
        if isinstance(entry, tuple):  # (Section, children)
            section, children = entry
            if getattr(section, "href", None):
                titles.setdefault(section.href.split("#")[0], section.title)
            _toc_titles(children, titles)
        elif getattr(entry, "href", None):
            titles.setdefault(entry.href.split("#")[0], entry.title)
    return titles


def read_epub(path: Path) -> Document:
    """One chapter per spine document that has text, titled by the table of contents or its heading."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # EbookLib warns about its own future defaults
            book = epub.read_epub(str(path), options={"ignore_ncx": False})
    except (zipfile.BadZipFile, KeyError, epub.EpubException, ValueError, AttributeError) as error:
        raise StoryError(f"{path}: not a readable EPUB ({type(error).__name__}: {error})") from None
    titles = _toc_titles(book.toc, {})
    chapters = []
    for idref, _ in book.spine:
        item = book.get_item_with_id(idref)
        if item is None or item.get_type() != ebooklib.ITEM_DOCUMENT or isinstance(item, epub.EpubNav):
            continue
        blocks = tuple(_blocks(_soup(item.get_content())))
        if any(block.kind == "paragraph" for block in blocks):
            chapters.append((titles.get(item.get_name()), blocks))
    if not chapters:
        raise StoryError(f"{path}: the EPUB has no text to read")
    title = next((value for value, _ in book.get_metadata("DC", "title") if value and value.strip()), None)
    author = next((value for value, _ in book.get_metadata("DC", "creator") if value and value.strip()), None)
    return Document(title, author, tuple(chapters))
