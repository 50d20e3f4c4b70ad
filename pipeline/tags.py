"""ID3v2.3 tags for the finished book: title, author, album, genre, cover art and chapters.

ID3v2.3 rather than 2.4 because it is what podcast and audiobook apps (and Windows, and older car
stereos) read most reliably. Chapters follow the ID3v2 Chapter Frame Addendum: one CHAP frame per
chapter (times in milliseconds, byte offsets 0xFFFFFFFF = "not used") with a TIT2 sub-frame for its
title, and one top-level, ordered CTOC frame listing every CHAP.

Frame order matters: ffmpeg/ffprobe and several players list chapters in the order the CHAP frames
appear in the file, not by start time and not by the CTOC. mutagen sorts frames by size when it
saves, which scrambles chapters whose titles differ in length; :class:`InsertionOrderedID3` writes
frames in the order they were added instead, and :func:`write_tags` adds the chapters in time order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from mutagen import MutagenError
from mutagen.id3 import APIC, CHAP, CTOC, ID3, TALB, TCON, TIT2, TPE1, TXXX, CTOCFlags, Encoding, PictureType

# mutagen's own frame serializer, the one ID3Tags._write uses; only the order is ours.
from mutagen.id3._tags import save_frame

from .errors import AssemblyError

GENRE = "Audiobook"
TOC_ELEMENT_ID = "toc"
UNUSED_BYTE_OFFSET = 0xFFFFFFFF  # the addendum's "use the times, not byte offsets"
MANIFEST_DESCRIPTION = "audiobook manifest"  # a TXXX frame: the hash of what made the file

# v2.3 has no UTF-8; UTF-16 with BOM is the one encoding every reader takes for any title.
_TEXT_ENCODING = Encoding.UTF16

_IMAGE_MIME_BY_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


class ChapterMark(NamedTuple):
    """One chapter on the book's timeline; a plain ``(title, start_ms, end_ms)`` tuple also works."""

    title: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class CoverArt:
    mime: str  # image/jpeg or image/png
    data: bytes


class InsertionOrderedID3(ID3):
    """An ID3 tag that writes its frames in the order they were added.

    mutagen's ``ID3Tags._write`` sorts frames by a priority list and then by size, so CHAP frames
    land in the file shortest-first. This override keeps mutagen's serializer (including the v2.3
    conversion of each frame) and changes only the order. It writes no "unknown frames" carried over
    from a loaded tag: these tags are always built fresh, never loaded.
    """

    def _write(self, config) -> bytes:
        return b"".join(save_frame(frame, config=config) for frame in self.values())


def read_cover(path: Path) -> CoverArt:
    """The cover image at *path*, typed by its magic bytes (the extension is not trusted)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise AssemblyError(f"cannot read cover {path}: {error.strerror}") from error
    for magic, mime in _IMAGE_MIME_BY_MAGIC:
        if data.startswith(magic):
            return CoverArt(mime=mime, data=data)
    raise AssemblyError(f"cover {path} is neither a JPEG nor a PNG image")


def write_tags(
    mp3_path: Path,
    *,
    title: str,
    author: str,
    chapters: Sequence[ChapterMark | tuple[str, int, int]],
    cover: CoverArt | None = None,
    manifest: str | None = None,
) -> None:
    """Replace any ID3v2 tag of *mp3_path* with the book's ID3v2.3 tag.

    Chapters are written in time order (stable for equal starts) with element ids chp0, chp1, ...
    in that order; the album is the book title and the genre "Audiobook". *manifest*, when given,
    is kept in a TXXX frame for :func:`read_manifest`.
    """
    marks = sorted((ChapterMark(*chapter) for chapter in chapters), key=lambda mark: mark.start_ms)
    element_ids = [f"chp{index}" for index in range(len(marks))]

    tags = InsertionOrderedID3()
    tags.add(TIT2(encoding=_TEXT_ENCODING, text=title))
    tags.add(TPE1(encoding=_TEXT_ENCODING, text=author))
    tags.add(TALB(encoding=_TEXT_ENCODING, text=title))
    tags.add(TCON(encoding=_TEXT_ENCODING, text=GENRE))
    if marks:
        tags.add(
            CTOC(
                element_id=TOC_ELEMENT_ID,
                flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                child_element_ids=element_ids,
                sub_frames=[TIT2(encoding=_TEXT_ENCODING, text=title)],
            )
        )
    for element_id, mark in zip(element_ids, marks):
        tags.add(
            CHAP(
                element_id=element_id,
                start_time=mark.start_ms,
                end_time=mark.end_ms,
                start_offset=UNUSED_BYTE_OFFSET,
                end_offset=UNUSED_BYTE_OFFSET,
                sub_frames=[TIT2(encoding=_TEXT_ENCODING, text=mark.title)],
            )
        )
    if manifest is not None:
        tags.add(TXXX(encoding=Encoding.LATIN1, desc=MANIFEST_DESCRIPTION, text=manifest))
    if cover is not None:
        # Last, so a reader that stops early still finds every text frame and chapter.
        tags.add(
            APIC(encoding=_TEXT_ENCODING, mime=cover.mime, type=PictureType.COVER_FRONT, desc="Cover", data=cover.data)
        )

    tags.update_to_v23()
    try:
        tags.save(mp3_path, v1=0, v2_version=3)
    except MutagenError as error:
        raise AssemblyError(f"cannot tag {mp3_path}: {error}") from error


def read_manifest(mp3_path: Path) -> tuple[str, int] | None:
    """The manifest :func:`write_tags` stored and the tag's size in bytes; None if there is none."""
    try:
        tags = ID3(mp3_path)
    except (MutagenError, OSError):
        return None
    frames = tags.getall(f"TXXX:{MANIFEST_DESCRIPTION}")
    return (str(frames[0].text[0]), tags.size) if frames and frames[0].text else None
