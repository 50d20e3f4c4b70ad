"""Join the book's encoded chunks into one chaptered, tagged MP3, written atomically.

The chunks (see ``chunks``) are already MP3 frames in the cache; joining is copying them after the
tag, in order, a megabyte at a time, so a twelve-hour book is never one buffer in memory. Every
time in the book (chapter starts, each cue's speech) is counted in samples from the chunks' frame
counts and clip lengths, so it is where a decoder plays it, exact to the sample before rounding
to milliseconds.

A build that would write the same file again writes nothing: the tag carries a manifest, the hash
of everything that determines the file (the chunks' cache keys, title, author, chapters, cover), and
when the MP3 already there has that manifest and its full length, it is current.

The MP3 is written to a hidden temporary file beside *out_path*, fsynced and then renamed over
*out_path*; on any failure (or Ctrl-C) the temporary file is removed and an existing *out_path* is
left as it was. Temporary files of builds that were killed are removed by the next one.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path

from . import atomic
from .atomic import sweep_stale_temps
from .chunks import ENCODER_DELAY, Chunk, ChunkAudio, load_chunk, ms_to_samples
from .errors import AssemblyError
from .model import BOOK_FRAME_RATE, Chapter, Cue
from .tags import ChapterMark, CoverArt, read_manifest, write_tags

MANIFEST_FORMAT = 1  # bump when the tag or the joining changes, so older books are rewritten
_COPY_BYTES = 1 << 20


@dataclass(frozen=True)
class AssembledBook:
    path: Path
    duration_ms: int
    chapter_starts_ms: tuple[int, ...]  # one per chapter, in chapter-number order
    cue_spans_ms: tuple[tuple[int, int], ...]  # per cue: where its speech starts and ends (pause excluded)
    written: bool = True  # False when the file there was already current


@dataclass(frozen=True)
class _Timeline:
    """The book as a decoder plays it, counted in samples."""

    total_samples: int
    chapter_start_samples: tuple[int, ...]
    cue_spans: tuple[tuple[int, int], ...]


def assemble(
    cues: Sequence[Cue],
    chunks: Sequence[Chunk],
    chapters: Sequence[Chapter],
    out_path: Path,
    cache_dir: Path,
    *,
    title: str,
    author: str,
    cover: CoverArt | None = None,
) -> AssembledBook:
    """Join the cached *chunks* of *cues* into one MP3 at *out_path*, unless the one there is current.

    Chapter n starts where the first cue of chapter n is heard (the first chapter at 0); a chapter
    without cues starts where the next chapter (or the end of the audio) does, so it is zero-length
    but times stay monotonic.
    """
    if not cues:
        raise AssemblyError("nothing to assemble: the book has no cues")
    audio = [_cached(cache_dir, chunk) for chunk in chunks]
    ordered_chapters = sorted(chapters, key=lambda chapter: chapter.number)
    timeline = _timeline(cues, chunks, audio, [chapter.number for chapter in ordered_chapters])
    starts_ms = tuple(_samples_to_ms(samples) for samples in timeline.chapter_start_samples)
    duration_ms = _samples_to_ms(timeline.total_samples)
    ends_ms = (*starts_ms[1:], duration_ms)
    marks = [ChapterMark(c.title, start, end) for c, start, end in zip(ordered_chapters, starts_ms, ends_ms)]
    manifest = _manifest(chunks, marks, title, author, cover)
    audio_bytes = sum(piece.size for piece in audio)
    written = not _is_current(out_path, manifest, audio_bytes)
    if written:
        _write_book(out_path, audio, title=title, author=author, marks=marks, cover=cover, manifest=manifest)
    spans = tuple((_samples_to_ms(start), _samples_to_ms(end)) for start, end in timeline.cue_spans)
    return AssembledBook(out_path, duration_ms, starts_ms, spans, written)


def _cached(cache_dir: Path, chunk: Chunk) -> ChunkAudio:
    audio = load_chunk(cache_dir, chunk.key)
    if audio is None:
        raise AssemblyError(f"encoded chunk {chunk.key[:12]} is missing from the cache {cache_dir}")
    if len(audio.clip_samples) != chunk.end - chunk.first:
        raise AssemblyError(f"encoded chunk {chunk.key[:12]} in {cache_dir} does not match its cues")
    return audio


def _timeline(
    cues: Sequence[Cue], chunks: Sequence[Chunk], audio: Sequence[ChunkAudio], chapter_numbers: Sequence[int]
) -> _Timeline:
    """Where each cue is heard: a chunk's input starts ENCODER_DELAY samples into its frames."""
    spans: list[tuple[int, int]] = []
    chunk_start = 0
    for chunk, piece in zip(chunks, audio):
        at = chunk_start + ENCODER_DELAY
        for index, length in zip(range(chunk.first, chunk.end), piece.clip_samples):
            spans.append((at, at + length))
            at += length + ms_to_samples(cues[index].pause_after_ms)
        chunk_start += piece.samples
    if len(spans) != len(cues):
        raise AssemblyError(f"the encoded chunks hold {len(spans)} cues, the book has {len(cues)}")
    chapter_starts: list[int] = []
    for cue, (start, _) in zip(cues, spans):
        # Every chapter numbered up to this cue's starts here, including ones that have no cues.
        while len(chapter_starts) < len(chapter_numbers) and chapter_numbers[len(chapter_starts)] <= cue.chapter:
            chapter_starts.append(start if chapter_starts else 0)  # the encoder's delay belongs to the first
    chapter_starts.extend([chunk_start] * (len(chapter_numbers) - len(chapter_starts)))
    return _Timeline(chunk_start, tuple(chapter_starts), tuple(spans))


def _manifest(
    chunks: Sequence[Chunk], marks: Sequence[ChapterMark], title: str, author: str, cover: CoverArt | None
) -> str:
    """SHA-256 of everything that determines the finished file."""
    fields = {
        "format": MANIFEST_FORMAT,
        "chunks": [chunk.key for chunk in chunks],
        "chapters": [list(mark) for mark in marks],
        "title": title,
        "author": author,
        "cover": sha256(cover.data).hexdigest() if cover else None,
    }
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return sha256(canonical.encode("utf-8")).hexdigest()


def _is_current(out_path: Path, manifest: str, audio_bytes: int) -> bool:
    """Whether *out_path* is the finished book for *manifest*, whole."""
    stored = read_manifest(out_path)
    if stored is None:
        return False
    stored_manifest, tag_bytes = stored
    try:
        return stored_manifest == manifest and out_path.stat().st_size == tag_bytes + audio_bytes
    except OSError:
        return False


def _write_book(
    out_path: Path, audio: Sequence[ChunkAudio], *, title: str, author: str,
    marks: Sequence[ChapterMark], cover: CoverArt | None, manifest: str,
) -> None:  # fmt: skip
    """The tag, then every chunk's frames, into a temporary file that replaces *out_path* when whole."""
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise AssemblyError(f"cannot create {out_path.parent}: {error.strerror}") from error
    sweep_stale_temps(out_path.parent)
    temp_path = atomic.temp_path(out_path, ".mp3")  # mutagen tags a file by its suffix
    try:
        temp_path.write_bytes(b"")
        write_tags(temp_path, title=title, author=author, chapters=marks, cover=cover, manifest=manifest)
        with open(temp_path, "ab") as book:
            for piece in audio:
                with open(piece.path, "rb") as frames:
                    shutil.copyfileobj(frames, book, _COPY_BYTES)
        atomic.replace_synced(temp_path, out_path)  # readers see the old book or the new one
    except OSError as error:
        temp_path.unlink(missing_ok=True)
        raise AssemblyError(f"cannot write {out_path}: {error.strerror or error}") from error
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise


def _samples_to_ms(samples: int) -> int:
    return (samples * 1000 + BOOK_FRAME_RATE // 2) // BOOK_FRAME_RATE

