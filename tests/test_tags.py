"""write_tags(): ID3v2.3 text frames, cover art, and CHAP/CTOC chapters that stay in time order."""

from __future__ import annotations

import json
import struct
import subprocess
from pathlib import Path

import pytest
from mutagen.id3 import ID3, CTOCFlags

from conftest import require_tool
from pipeline.errors import AssemblyError
from pipeline.tags import UNUSED_BYTE_OFFSET, ChapterMark, CoverArt, read_cover, write_tags

LONG_TITLE = "Chapter Two: The Long Road Home Through the Crypt of Forgotten Names"
MIXED_LENGTHS = [
    ChapterMark("Prologue", 0, 2000),
    ChapterMark(LONG_TITLE, 2000, 4000),
    ChapterMark("III", 4000, 6000),
]


@pytest.fixture
def mp3(tmp_path) -> Path:
    """Six seconds of silence as ffmpeg writes it, including ffmpeg's own ID3v2.4 tag."""
    path = tmp_path / "book.mp3"
    subprocess.run(
        [require_tool("ffmpeg"), "-v", "error", "-f", "lavfi", "-i", "anullsrc=r=22050:cl=mono", "-t", "6",
         "-c:a", "libmp3lame", "-b:a", "64k", str(path)],
        check=True,
    )  # fmt: skip
    return path


def probed_chapters(path: Path) -> list[tuple[str, float, float]]:
    output = subprocess.run(
        [require_tool("ffprobe"), "-v", "error", "-show_chapters", "-of", "json", str(path)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return [
        (chapter["tags"]["title"], float(chapter["start_time"]), float(chapter["end_time"]))
        for chapter in json.loads(output)["chapters"]
    ]


def chap_ids_in_file_order(path: Path) -> list[str]:
    """Element ids of the top-level CHAP frames, in the order they are stored (v2.3 sizes are plain)."""
    data = path.read_bytes()
    tag_size = sum(byte << (7 * (3 - i)) for i, byte in enumerate(data[6:10]))  # synchsafe
    position, ids = 10, []
    while position < 10 + tag_size and data[position : position + 1] != b"\0":
        frame_id, size = struct.unpack(">4sI", data[position : position + 8])
        if frame_id == b"CHAP":
            body = data[position + 10 : position + 10 + size]
            ids.append(body[: body.index(b"\0")].decode("latin-1"))
        position += 10 + size
    return ids


def test_text_frames_are_id3v23_and_replace_ffmpegs_tag(mp3):
    assert ID3(mp3).version == (2, 4, 0) and "TSSE" in ID3(mp3)

    write_tags(mp3, title="Tide", author="A. Writer", chapters=MIXED_LENGTHS)

    tags = ID3(mp3)
    assert tags.version == (2, 3, 0)
    assert "TSSE" not in tags
    assert tags["TIT2"].text == ["Tide"]
    assert tags["TPE1"].text == ["A. Writer"]
    assert tags["TALB"].text == ["Tide"]
    assert tags["TCON"].text == ["Audiobook"]


def test_chapters_are_chap_frames_under_one_ordered_top_level_toc(mp3):
    write_tags(mp3, title="Tide", author="A", chapters=MIXED_LENGTHS)

    tags = ID3(mp3)
    (toc,) = tags.getall("CTOC")
    assert toc.flags == CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED
    assert toc.child_element_ids == ["chp0", "chp1", "chp2"]
    assert toc.sub_frames["TIT2"].text == ["Tide"]
    chapters = [tags[f"CHAP:chp{index}"] for index in range(3)]
    assert [(c.sub_frames["TIT2"].text[0], c.start_time, c.end_time) for c in chapters] == MIXED_LENGTHS
    assert {(c.start_offset, c.end_offset) for c in chapters} == {(UNUSED_BYTE_OFFSET, UNUSED_BYTE_OFFSET)}


def test_chap_frames_are_stored_and_probed_in_time_order_whatever_their_title_lengths(mp3):
    write_tags(mp3, title="T", author="A", chapters=MIXED_LENGTHS)

    assert chap_ids_in_file_order(mp3) == ["chp0", "chp1", "chp2"]
    assert probed_chapters(mp3) == [(title, start / 1000, end / 1000) for title, start, end in MIXED_LENGTHS]


def test_plain_mutagen_save_would_scramble_these_chapters(mp3):
    """The control for the test above: its titles really do trip mutagen's size-sorted save."""
    write_tags(mp3, title="T", author="A", chapters=MIXED_LENGTHS)
    tags = ID3(mp3)
    tags.save(mp3, v2_version=3)  # a plain ID3 re-saves the same frames sorted by size

    assert chap_ids_in_file_order(mp3) == ["chp2", "chp0", "chp1"]
    assert [title for title, _, _ in probed_chapters(mp3)] == ["III", "Prologue", LONG_TITLE]


def test_chapters_given_out_of_order_are_written_in_time_order_from_plain_tuples(mp3):
    shuffled = [tuple(MIXED_LENGTHS[2]), tuple(MIXED_LENGTHS[0]), tuple(MIXED_LENGTHS[1])]

    write_tags(mp3, title="T", author="A", chapters=shuffled)

    assert [title for title, _, _ in probed_chapters(mp3)] == ["Prologue", LONG_TITLE, "III"]
    assert ID3(mp3)["CHAP:chp0"].sub_frames["TIT2"].text == ["Prologue"]


def test_titles_outside_latin1_survive_id3v23(mp3):
    write_tags(mp3, title="Café – Ελληνικά", author="Zoë 章", chapters=[("Ἀρχή", 0, 6000)])

    tags = ID3(mp3)
    assert (tags["TIT2"].text, tags["TPE1"].text) == (["Café – Ελληνικά"], ["Zoë 章"])
    assert probed_chapters(mp3) == [("Ἀρχή", 0.0, 6.0)]


def test_tagging_twice_replaces_rather_than_adds(mp3):
    write_tags(mp3, title="First", author="A", chapters=MIXED_LENGTHS)
    write_tags(mp3, title="Second", author="A", chapters=MIXED_LENGTHS[:1])

    tags = ID3(mp3)
    assert tags["TIT2"].text == ["Second"]
    assert [frame.element_id for frame in tags.getall("CHAP")] == ["chp0"]


def test_no_chapters_means_no_toc(mp3):
    write_tags(mp3, title="T", author="A", chapters=[])
    assert ID3(mp3).getall("CTOC") == [] and ID3(mp3).getall("CHAP") == []


@pytest.mark.parametrize(
    ("magic", "mime"),
    [(b"\xff\xd8\xff\xe0", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png")],
)
def test_cover_is_typed_by_magic_bytes_and_embedded_as_front_cover(mp3, tmp_path, magic, mime):
    cover_path = tmp_path / "cover.img"  # the extension says nothing
    cover_path.write_bytes(magic + b"image body")

    cover = read_cover(cover_path)
    write_tags(mp3, title="T", author="A", chapters=MIXED_LENGTHS, cover=cover)

    assert cover == CoverArt(mime=mime, data=magic + b"image body")
    (picture,) = ID3(mp3).getall("APIC")
    assert (picture.mime, picture.type, picture.data) == (mime, 3, cover.data)
    assert [title for title, _, _ in probed_chapters(mp3)] == ["Prologue", LONG_TITLE, "III"]


def test_cover_that_is_neither_jpeg_nor_png_is_refused(tmp_path):
    gif = tmp_path / "cover.jpg"
    gif.write_bytes(b"GIF89a....")
    with pytest.raises(AssemblyError, match=f"cover {gif} is neither a JPEG nor a PNG"):
        read_cover(gif)


def test_missing_cover_is_an_assembly_error(tmp_path):
    with pytest.raises(AssemblyError, match="cannot read cover .*nowhere.png"):
        read_cover(tmp_path / "nowhere.png")


def test_file_that_cannot_be_tagged_is_an_assembly_error(tmp_path):
    with pytest.raises(AssemblyError, match="cannot tag"):
        write_tags(tmp_path / "absent" / "book.mp3", title="T", author="A", chapters=[])
