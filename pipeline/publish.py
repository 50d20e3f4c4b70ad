"""The files a podcast app wants beside each MP3, written atomically: cover, chapters, transcript.

For ``output/story.mp3`` they are ``output/story.jpg`` (or ``.png``, as the cover came),
``output/story.chapters.json`` and ``output/story.vtt``. :mod:`pipeline.feed` finds them by the
same names. Each is written to a hidden temporary file, fsynced and renamed into place, so a reader
(or the server) sees the old file or the new one, never half of one.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .assembler import AssembledBook
from .atomic import write_bytes_atomically
from .errors import PublishError
from .model import Book, Cue
from .tags import CoverArt
from .transcript import chapters_json, webvtt

COVER_SUFFIXES = {"image/jpeg": ".jpg", "image/png": ".png"}


def chapters_path(mp3: Path) -> Path:
    return mp3.with_suffix(".chapters.json")


def transcript_path(mp3: Path) -> Path:
    return mp3.with_suffix(".vtt")


def cover_path(mp3: Path) -> Path | None:
    """The cover published beside *mp3*, if there is one."""
    for suffix in COVER_SUFFIXES.values():
        if mp3.with_suffix(suffix).is_file():
            return mp3.with_suffix(suffix)
    return None


def publish_cover(mp3: Path, cover: CoverArt) -> Path:
    """Write *cover* beside where *mp3* goes (removing one of the other type) and return its path."""
    path = mp3.with_suffix(COVER_SUFFIXES[cover.mime])
    write_atomically(path, cover.data)
    for suffix in COVER_SUFFIXES.values():
        if suffix != path.suffix:
            mp3.with_suffix(suffix).unlink(missing_ok=True)
    return path


def publish_timeline(book: Book, cues: Sequence[Cue], assembled: AssembledBook) -> tuple[Path, Path]:
    """Write the chapters JSON and the WebVTT transcript of the assembled book; their paths."""
    chapters = chapters_path(assembled.path)
    transcript = transcript_path(assembled.path)
    write_atomically(chapters, chapters_json(book, assembled.chapter_starts_ms).encode("utf-8"))
    write_atomically(transcript, webvtt(book, cues, assembled.cue_spans_ms).encode("utf-8"))
    return chapters, transcript


def write_atomically(path: Path, data: bytes) -> None:
    """*data* becomes the whole of *path* at once: temp file beside it, fsync, rename.

    A file that already holds exactly *data* is left alone: a rebuild with nothing changed writes nothing.
    """
    if _holds(path, data):
        return
    try:
        write_bytes_atomically(path, data)
    except OSError as error:
        raise PublishError(f"cannot write {path}: {error.strerror or error}") from None


def _holds(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False
