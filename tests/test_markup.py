"""EPUB, HTML and directory input: ordered, titled chapters, metadata tags, italics kept as emphasis;
and one story in every encoding giving the same script."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ebooklib import epub

from pipeline.book import make_book
from pipeline.config import packaged_defaults
from pipeline.errors import StoryError
from pipeline.ingest import read_story
from pipeline.script import jsonl_lines
from pipeline.speech import plan_cues


def script(path: Path) -> list[dict]:
    book = make_book(read_story(path), packaged_defaults())
    return [json.loads(line) for line in jsonl_lines(book)]


def chapters(path: Path) -> list[str]:
    return [chapter.title for chapter in make_book(read_story(path), packaged_defaults()).chapters]


def assert_offsets_index_the_text(path: Path) -> None:
    story = read_story(path)
    for segment in script(path):
        assert story.text[segment["start"] : segment["end"]] == segment["text"]


# --- HTML -----------------------------------------------------------------------------------------------


def test_html_chapters_come_from_the_repeated_heading_level(fixture_path):
    path = fixture_path("html/two-chapters.html")
    story = read_story(path)
    assert (story.title, story.author) == ("The Salt Roads", "Ines Varga")
    assert chapters(path) == ["Chapter 1: The Quay", "Chapter 2: The Storm"]
    texts = [segment["text"] for segment in script(path)]
    assert "Summary" not in " ".join(texts)  # the preface before the first chapter is front matter
    assert texts[:2] == ["Chapter 1: The Quay", "The boats came in at dusk, *every* one of them late."]
    assert "* * *" not in texts and "Later" in texts  # <hr> is a scene break; a sub-heading is read
    assert_offsets_index_the_text(path)


def test_html_italics_reach_the_engine_as_emphasis(fixture_path):
    book = make_book(read_story(fixture_path("html/two-chapters.html")), packaged_defaults())
    emphasised = [
        cue.utterance.text[start:end] for cue in plan_cues(book, packaged_defaults().pauses)
        for start, end in cue.utterance.emphasis
    ]
    assert emphasised == ["every", "slowly"]


def test_an_html_page_without_repeated_headings_is_one_chapter(tmp_path):
    path = tmp_path / "page.htm"
    path.write_text("<h1>Gulls</h1><p>The gulls were <i>loud</i>.</p><p>Then quiet.</p>", encoding="utf-8")
    assert chapters(path) == ["Gulls"]
    assert [s["text"] for s in script(path)] == ["The gulls were *loud*.", "Then quiet."]


def test_html_without_text_is_a_one_line_error(tmp_path):
    path = tmp_path / "empty.html"
    path.write_text("<html><body><h1>Nothing</h1></body></html>", encoding="utf-8")
    with pytest.raises(StoryError, match=r"empty\.html: the HTML has no text to read$"):
        read_story(path)


# --- EPUB -----------------------------------------------------------------------------------------------


def write_epub(path: Path, documents: list[tuple[str, str, str]]) -> Path:
    """An EPUB of (file name, TOC title, XHTML body) documents, in spine order, with a nav page."""
    book = epub.EpubBook()
    book.set_identifier("test-salt-roads")
    book.set_title("The Salt Roads")
    book.set_language("en")
    book.add_author("Ines Varga")
    items = []
    for name, title, body in documents:
        item = epub.EpubHtml(title=title, file_name=name, lang="en")
        item.content = f"<html><body>{body}</body></html>"
        book.add_item(item)
        items.append(item)
    book.toc = tuple(epub.Link(item.file_name, item.title, item.file_name) for item in items)
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *items]
    epub.write_epub(str(path), book)
    return path


@pytest.fixture
def salt_roads_epub(tmp_path) -> Path:
    return write_epub(tmp_path / "salt-roads.epub", [
        ("cover.xhtml", "Cover", "<div></div>"),
        ("preface.xhtml", "Preface", "<h1>The Salt Roads</h1><dl><dt>Rating:</dt><dd>General Audiences</dd>"
                                     "<dt>Archive Warning:</dt><dd>None</dd></dl><p>Summary:</p><p>A storm.</p>"),
        ("one.xhtml", "Chapter 1: The Quay", "<h2>The Quay</h2><p>The boats came in <em>late</em>.</p>"
                                             "<p>A/N: thanks for reading!</p>"),
        ("two.xhtml", "Chapter 2: The Storm", "<p>Rain fell all night.</p><hr/><p>Then it stopped.</p>"),
    ])  # fmt: skip


def test_epub_chapters_follow_the_spine_with_table_of_contents_titles(salt_roads_epub):
    """The cover has no text and the archive's preface is all front matter: neither is a chapter."""
    story = read_story(salt_roads_epub)
    assert (story.title, story.author) == ("The Salt Roads", "Ines Varga")
    assert chapters(salt_roads_epub) == ["Chapter 1: The Quay", "Chapter 2: The Storm"]
    assert [(s["chapter"], s["text"]) for s in script(salt_roads_epub)] == [
        (1, "The Quay"),  # the document's own heading is read; the TOC titles the MP3 chapter
        (1, "The boats came in *late*."),
        (2, "Rain fell all night."),
        (2, "Then it stopped."),
    ]
    assert_offsets_index_the_text(salt_roads_epub)


def test_a_file_that_is_not_an_epub_is_a_one_line_error(tmp_path):
    path = tmp_path / "broken.epub"
    path.write_bytes(b"not a zip at all")
    with pytest.raises(StoryError, match=r"broken\.epub: not a readable EPUB"):
        read_story(path)


# --- a directory of chapter files -----------------------------------------------------------------------


def test_a_directory_is_one_book_with_a_chapter_per_file_in_natural_order(tmp_path):
    book = tmp_path / "salt-roads"
    book.mkdir()
    (book / "part-1.txt").write_text("Title: Salt Roads\nBy Ines Varga\n\nChapter 1: The Quay\n\nThe boats came in.\n")
    (book / "part-10.md").write_text("# The Lighthouse\n\nThe lamp went out.\n\nEND\n")
    (book / "part-2.txt").write_bytes("The gulls were loud.\r\n\r\nA/N: more soon!\r\n".encode("cp1252"))
    (book / "notes.pdf").write_bytes(b"%PDF")  # not a chapter file
    story = read_story(book)
    assert (story.title, story.author) == ("Salt Roads", "Ines Varga")
    assert chapters(book) == ["Chapter 1: The Quay", "Part 2", "The Lighthouse"]
    assert [s["text"] for s in script(book)] == [
        "Chapter 1: The Quay", "The boats came in.", "The gulls were loud.", "# The Lighthouse", "The lamp went out.",
    ]
    assert_offsets_index_the_text(book)


def test_a_directory_without_chapter_files_is_a_one_line_error(tmp_path):
    with pytest.raises(StoryError, match=r"no chapter files \(\.txt, \.text, \.md, \.markdown\) in the directory$"):
        read_story(tmp_path)


# --- encodings ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding, line_end",
    [("utf-8", "\n"), ("utf-8-sig", "\n"), ("utf-16", "\n"), ("utf-16-be", "\n"), ("cp1252", "\n"),
     ("utf-8", "\r\n"), ("utf-8", "\r"), ("cp1252", "\r\n")],
)  # fmt: skip
def test_every_encoding_and_line_end_gives_the_same_script(fixture_path, tmp_path, encoding, line_end):
    original = fixture_path("encodings-cafe.txt")
    text = original.read_text(encoding="utf-8").replace("\n", line_end)
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = "\ufeff".encode("utf-16-be") + data  # a BOM, big-endian
    copy = tmp_path / "encodings-cafe.txt"
    copy.write_bytes(data)
    if encoding == "cp1252":
        assert b"\x93Coffee?\x94" in data  # smart quotes as the single bytes Windows writes
    assert script(copy) == script(original)
    assert (read_story(copy).title, read_story(copy).author) == ("The Café on the Quay", "Léa Moreau")


def test_latin_1_reads_like_utf_8(tmp_path):
    text = "Title: Café\n\nZoë said \"hello\" to Renée.\n"
    latin, utf8 = tmp_path / "latin.txt", tmp_path / "utf8.txt"
    latin.write_bytes(text.encode("latin-1"))
    utf8.write_bytes(text.encode("utf-8"))
    assert script(latin) == script(utf8)
    assert read_story(latin).title == "Café"
