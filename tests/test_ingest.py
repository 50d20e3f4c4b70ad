"""Reading a story file: encodings, line ends, files that are not stories, title and author."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline.errors import StoryError
from pipeline.frontmatter import find_matter
from pipeline.ingest import decode, read_story

# One story, written below in every encoding a reader's editor might have saved it in. Every character
# here exists in Windows-1252, so the same text can be encoded five ways.
STORY = (
    "Title: Caf\u00e9 at the Edge\n"
    "Author: Ren\u00e9e Marsh\n"
    "\n"
    "\u201cTwo coffees,\u201d said No\u00ebl \u2014 and then, quieter, \u2018and a table for one.\u2019\n"
    "The waiter\u2019s smile didn\u2019t reach his eyes\u2026\n"
)
ENCODINGS = {
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-8 with BOM": lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    "utf-16 LE with BOM": lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
    "utf-16 BE with BOM": lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
    "windows-1252": lambda text: text.encode("cp1252"),
}
ENCODING_NAMES = {
    "utf-8": "utf-8",
    "utf-8 with BOM": "utf-8",
    "utf-16 LE with BOM": "utf-16",
    "utf-16 BE with BOM": "utf-16",
    "windows-1252": "cp1252",
}
PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"


def find_title_and_author(text: str, fallback: str) -> tuple[str, str]:
    matter = find_matter(text)
    return matter.title or fallback, matter.author or "Unknown author"


def header_end(text: str) -> int:
    return find_matter(text).body_start


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def story_error(path: Path) -> str:
    with pytest.raises(StoryError) as caught:
        read_story(path)
    message = str(caught.value)
    assert "\n" not in message
    return message


# --- encodings and line ends -------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_the_same_story_decodes_to_the_same_text_in_every_encoding(tmp_path, encoding):
    data = ENCODINGS[encoding](STORY)
    assert decode(data, "story.txt") == (STORY, ENCODING_NAMES[encoding])
    story = read_story(write(tmp_path, "story.txt", data))
    assert story.text == STORY
    assert story.encoding == ENCODING_NAMES[encoding]
    assert (story.title, story.author) == ("Caf\u00e9 at the Edge", "Ren\u00e9e Marsh")


def test_windows_1252_smart_quotes_are_curly_quotes():
    data = b"\x93Not tonight,\x94 she said. \x91Not ever,\x92 she thought."
    assert decode(data, "story.txt") == (
        "\u201cNot tonight,\u201d she said. \u2018Not ever,\u2019 she thought.",
        "cp1252",
    )


def test_latin_1_accented_letters_decode():
    data = "Ren\u00e9e ordered a cr\u00eape at the caf\u00e9.".encode("latin-1")
    assert b"\xe9" in data
    assert decode(data, "story.txt")[0] == "Ren\u00e9e ordered a cr\u00eape at the caf\u00e9."


def test_a_utf8_bom_is_not_part_of_the_text():
    text, _ = decode(codecs.BOM_UTF8 + b"Once.", "story.txt")
    assert text == "Once."


@pytest.mark.parametrize("line_end", ["\r\n", "\r"], ids=["CRLF", "lone CR"])
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_line_ends_become_newlines_in_every_encoding(tmp_path, encoding, line_end):
    data = ENCODINGS[encoding](STORY.replace("\n", line_end))
    story = read_story(write(tmp_path, "story.txt", data))
    assert story.text == STORY


def test_mixed_line_ends_become_newlines(tmp_path):
    path = write(tmp_path, "story.txt", b"One.\r\nTwo.\rThree.\nFour.\r\n\r\nFive.")
    assert read_story(path).text == "One.\nTwo.\nThree.\nFour.\n\nFive."


def test_tabs_form_feeds_and_escape_are_text_not_binary():
    assert decode(b"\tIndented.\x0cNext page.\x1b[0m", "story.txt")[0] == "\tIndented.\x0cNext page.\x1b[0m"


# --- files that are not stories ------------------------------------------------------------------------


def test_a_binary_file_is_refused(tmp_path):
    path = write(tmp_path, "cover.txt", PNG_HEADER + b"\x00" * 64)
    assert story_error(path) == f"{path}: a binary file, not a text story"


def test_a_nul_byte_inside_otherwise_plain_text_is_binary(tmp_path):
    path = write(tmp_path, "story.txt", b"It was a quiet night.\x00\x00\x00And then it was not.")
    assert story_error(path) == f"{path}: a binary file, not a text story"


@pytest.mark.parametrize(
    "data",
    [b"", b"   \n\t\n\r\n  ", codecs.BOM_UTF8, codecs.BOM_UTF16_LE + "  \n".encode("utf-16-le")],
    ids=["empty", "whitespace only", "utf-8 BOM only", "utf-16 white space"],
)
def test_an_empty_story_is_refused(tmp_path, data):
    path = write(tmp_path, "story.txt", data)
    assert story_error(path) == f"{path}: the story is empty"


def test_a_missing_story_is_named(tmp_path):
    path = tmp_path / "nowhere.txt"
    assert story_error(path) == f"{path}: no such story file"


@pytest.mark.parametrize("byte", [0x81, 0x8D, 0x8F, 0x90, 0x9D])
def test_bytes_undefined_in_windows_1252_are_named_with_their_offset(tmp_path, byte):
    data = b"Caf\xe9 " + bytes([byte]) + b" noir"  # 0xE9 rules out UTF-8; the byte rules out cp1252
    path = write(tmp_path, "story.txt", data)
    assert story_error(path) == (
        f"{path}: cannot decode byte 0x{byte:02x} at offset 5 (not UTF-8, UTF-16 or Windows-1252)"
    )


def test_broken_utf16_is_refused_with_the_byte():
    data = codecs.BOM_UTF16_LE + "Hi".encode("utf-16-le") + b"\x00\xd8"  # a lone high surrogate
    with pytest.raises(StoryError) as caught:
        decode(data, "story.txt")
    assert str(caught.value) == "story.txt: not valid UTF-16 text (byte 6)"


# --- title and author --------------------------------------------------------------------------------


def test_title_and_author_lines(fixture_path):
    story = read_story(fixture_path("ingest-title-and-author.txt"))
    assert (story.title, story.author) == ("The Glass Orchard", "Ada Quill")


def test_a_by_line_names_the_author_and_the_bare_line_above_it_the_title(fixture_path):
    story = read_story(fixture_path("ingest-byline.txt"))
    assert (story.title, story.author) == ("The Glass Orchard", "Ada Quill")
    assert story.text[story.body_start :].startswith("The orchard had been planted")


@pytest.mark.parametrize(
    "header, expected",
    [
        ("Title: Salt\nAuthor: Ines Varga", ("Salt", "Ines Varga")),
        ("TITLE:Salt\nAUTHOR:   Ines Varga   ", ("Salt", "Ines Varga")),
        ("Title - Salt\nAuthor - Ines Varga", ("Salt", "Ines Varga")),
        ("Title: Salt\nBy: Ines Varga", ("Salt", "Ines Varga")),
        ("Title: Salt\nby Ines Varga", ("Salt", "Ines Varga")),
        ("Salt\n\nby Ines Varga and Tom Ode", ("Salt", "Ines Varga and Tom Ode")),
        ("by J. R. Ode Jr.", ("Fallback", "J. R. Ode Jr.")),
        ("Author: Ines Varga\nTitle: Salt", ("Salt", "Ines Varga")),
    ],
)
def test_title_and_author_forms(header, expected):
    assert find_title_and_author(f"{header}\n\nThe sea was grey that morning.\n", "Fallback") == expected


def test_without_headers_the_title_comes_from_the_file_name(tmp_path):
    path = write(tmp_path, "the-glass_orchard.txt", b"The orchard had been planted by someone who hated apples.")
    story = read_story(path)
    assert (story.title, story.author) == ("The glass orchard", "Unknown author")


def test_prose_starting_with_by_is_not_a_byline(fixture_path):
    story = read_story(fixture_path("ingest-starts-with-by-sentence.txt"))
    assert story.author == "Unknown author"
    assert story.body_start == 0  # the first sentence is story, not a header to skip


@pytest.mark.parametrize(
    "line",
    [
        "By the time the ferry came in, it was dark.",
        "By morning the snow had stopped.",
        "By God, she was right!",
        "by-and-by the rain stopped.",
        "By Tuesday, everyone knew.",
    ],
)
def test_sentences_beginning_with_by_are_not_authors(line):
    text = f"Title: Salt\n\nThe wind rose.\n{line}\nNobody slept.\n"
    assert find_title_and_author(text, "Fallback") == ("Salt", "Unknown author")
    assert find_title_and_author(f"{line}\nNobody slept.\n", "Fallback") == ("Fallback", "Unknown author")
    assert header_end(f"{line}\nNobody slept.\n") == 0


def test_an_author_line_deep_in_the_prose_is_prose():
    text = "The sea was grey that morning.\n" * 60 + "Author: Nobody In Particular\n"
    assert find_title_and_author(text, "Fallback") == ("Fallback", "Unknown author")


def test_the_body_starts_after_the_header_lines(fixture_path):
    story = read_story(fixture_path("ingest-title-and-author.txt"))
    assert story.text[story.body_start :].startswith("The orchard had been planted")


@pytest.mark.parametrize(
    "header",
    ["Title: Salt\nAuthor: Ines Varga", "Title - Salt\nAuthor - Ines Varga", "Title: Salt\nBy: Ines Varga",
     "Title: Salt\n\nby Ines Varga"],
)  # fmt: skip
def test_the_header_lines_read_as_tags_are_the_ones_skipped(header):
    text = f"{header}\n\nThe sea was grey that morning.\n"
    assert find_title_and_author(text, "Fallback") == ("Salt", "Ines Varga")
    assert header_end(text) == text.index("The sea")


def test_a_story_of_only_header_lines_is_empty(tmp_path):
    path = write(tmp_path, "story.txt", b"Title: Salt\nAuthor: Ines Varga\n\n")
    assert story_error(path) == f"{path}: the story is empty"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=100).map(lambda text: text.encode("utf-8")))
@example(b"\xff\xfe\x00")
@example(b"By the way\n")
def test_any_bytes_give_a_story_or_a_one_line_story_error(data):
    try:
        text, _ = decode(data, "story.txt")
    except StoryError as error:
        assert str(error).startswith("story.txt: ") and "\n" not in str(error)
        return
    title, author = find_title_and_author(text, "Fallback")
    assert title and author
    assert 0 <= header_end(text) <= len(text)


def test_a_nul_byte_deep_in_a_large_story_is_still_binary(tmp_path):
    story = tmp_path / "deep.txt"
    story.write_bytes(b"Hello there my friend. " * 2000 + b"The end\x00 of it all.\n")
    with pytest.raises(StoryError, match="a binary file, not a text story"):
        read_story(story)


@pytest.mark.parametrize(
    "data",
    [
        "Привет, сказала она. Как дела сегодня вечером?".encode("koi8-r"),
        "Привет, сказала она. Как дела сегодня вечером?".encode("cp1251"),
        bytes(range(0xA0, 0x100)) * 8,  # every byte Windows-1252 maps to a letter or sign, none of it text
    ],
    ids=["koi8-r", "cp1251", "high bytes"],
)
def test_bytes_that_windows_1252_would_turn_into_nonsense_are_refused(tmp_path, data):
    path = write(tmp_path, "story.txt", data)
    message = story_error(path)
    assert message.startswith(f"{path}: cannot decode the bytes from offset 0 (not UTF-8, UTF-16 or Windows-1252")
    assert message.endswith("save it as UTF-8")


@pytest.mark.parametrize(
    "text", ["été", "Ça été, dit-elle.", "Portuguese: ação, coração, não.", "He paused\u2026\u2026 \u201cWell?\u201d"]
)
def test_western_text_with_accents_and_smart_quotes_is_still_windows_1252(text):
    assert decode(text.encode("cp1252"), "story.txt") == (text, "cp1252")
