"""Join the book's clips into one chaptered, tagged MP3, written atomically.

Joining is linear: each clip's PCM frames are read a chunk at a time and written straight into
ffmpeg's stdin, with runs of zero bytes for the pauses, so a twelve-hour book is never one buffer in
memory (and never pydub ``+`` in a loop, which copies the whole book on every join). Chapter times
come from counting the samples written, so they are exact to the sample rather than summed from
rounded milliseconds.

Encoding: MP3, 64 kbps constant bitrate, mono, at the book's 22,050 Hz. That is plenty for synthetic
speech (eSpeak NG produces nothing above 11 kHz), about 29 MB per hour, and CBR keeps seeking and
chapter jumps exact in podcast and audiobook apps, some of which mis-seek in VBR files.

Clips must already be in the book format (:data:`BOOK_FRAME_RATE` Hz, mono, 16-bit PCM WAV), which
the synthesis stage guarantees; a clip that is missing or in any other format is an
:class:`AssemblyError` naming it rather than silently resampled, since it means the cache or the
synthesis stage is broken. Every clip is checked before ffmpeg starts, so a bad one costs nothing.

The MP3 is encoded to a hidden temporary file beside *out_path*, tagged, fsynced and then renamed
over *out_path*; on any failure (or Ctrl-C) the temporary file is removed and an existing
*out_path* is left as it was.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .errors import AssemblyError
from .model import BOOK_CHANNELS, BOOK_FRAME_RATE, BOOK_SAMPLE_WIDTH, Chapter, Cue, Utterance
from .tags import ChapterMark, read_cover, write_tags

DEFAULT_BITRATE = "64k"

_CHUNK_FRAMES = 1 << 16  # about 3 s of audio per read and per pipe write
_SILENCE_CHUNK = bytes(_CHUNK_FRAMES * BOOK_SAMPLE_WIDTH)


@dataclass(frozen=True)
class AssembledBook:
    path: Path
    duration_ms: int
    chapter_starts_ms: tuple[int, ...]  # one per chapter, in chapter-number order
    cue_spans_ms: tuple[tuple[int, int], ...]  # per cue, in order: its speech's (start, end), pause excluded


@dataclass(frozen=True)
class _Timeline:
    """What was streamed, counted in samples."""

    total_samples: int
    chapter_start_samples: tuple[int, ...]
    cue_spans: tuple[tuple[int, int], ...]  # (first sample, sample after the clip) per cue


def assemble(
    cues: Sequence[Cue],
    clips: Mapping[Utterance, Path],
    chapters: Sequence[Chapter],
    out_path: Path,
    *,
    title: str,
    author: str,
    cover: Path | None = None,
    bitrate: str = DEFAULT_BITRATE,
) -> AssembledBook:
    """Play each cue's clip then its pause, in order, into one MP3 at *out_path*.

    Chapter n starts at the first cue of chapter n; a chapter without cues starts where the next
    chapter (or the end of the audio) does, so it is zero-length but times stay monotonic.
    """
    if not cues:
        raise AssemblyError("nothing to assemble: the book has no cues")
    cue_clips = _checked_clip_paths(cues, clips)
    cover_art = read_cover(cover) if cover is not None else None
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise AssemblyError("ffmpeg not found on PATH; install FFmpeg to encode the MP3")
    ordered_chapters = sorted(chapters, key=lambda chapter: chapter.number)
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise AssemblyError(f"cannot create {out_path.parent}: {error.strerror}") from error

    _remove_abandoned_temp_files(out_path)
    temp_path = out_path.with_name(f".{out_path.name}.{os.getpid()}.tmp.mp3")
    try:
        timeline = _encode(
            ffmpeg, cues, cue_clips, [chapter.number for chapter in ordered_chapters], temp_path, bitrate
        )
        starts_ms = tuple(_samples_to_ms(samples) for samples in timeline.chapter_start_samples)
        duration_ms = _samples_to_ms(timeline.total_samples)
        ends_ms = (*starts_ms[1:], duration_ms)
        marks = [
            ChapterMark(chapter.title, start, end)
            for chapter, start, end in zip(ordered_chapters, starts_ms, ends_ms)
        ]
        write_tags(temp_path, title=title, author=author, chapters=marks, cover=cover_art)
        _fsync_and_replace(temp_path, out_path)
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise
    cue_spans_ms = tuple((_samples_to_ms(start), _samples_to_ms(end)) for start, end in timeline.cue_spans)
    return AssembledBook(path=out_path, duration_ms=duration_ms, chapter_starts_ms=starts_ms, cue_spans_ms=cue_spans_ms)


def _remove_abandoned_temp_files(out_path: Path) -> None:
    """Temp MP3s of builds that were killed (their process is gone); a live build's are left alone."""
    for temp in out_path.parent.glob(f".{glob.escape(out_path.name)}.*.tmp.mp3"):
        pid = temp.name[len(out_path.name) + 2 : -len(".tmp.mp3")]
        if pid.isdigit() and not _process_exists(int(pid)):
            temp.unlink(missing_ok=True)


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _checked_clip_paths(cues: Sequence[Cue], clips: Mapping[Utterance, Path]) -> list[Path]:
    """The clip of every cue, in order, after checking each distinct file once."""
    paths = []
    checked: set[Path] = set()
    for cue in cues:
        path = clips.get(cue.utterance)
        if path is None:
            raise AssemblyError(f"no clip for {_describe(cue.utterance)}")
        if path not in checked:
            _open_clip(path, cue.utterance).close()
            checked.add(path)
        paths.append(path)
    return paths


def _open_clip(path: Path, utterance: Utterance) -> wave.Wave_read:
    """The clip at *path*, opened for reading, or an AssemblyError saying what is wrong with it."""
    try:
        clip = wave.open(str(path), "rb")
    except FileNotFoundError as error:
        raise AssemblyError(f"clip {path} is missing ({_describe(utterance)})") from error
    except (OSError, EOFError, wave.Error) as error:
        raise AssemblyError(f"clip {path} is not a readable WAV file ({error})") from error
    found = (clip.getframerate(), clip.getnchannels(), clip.getsampwidth(), clip.getcomptype())
    if found != (BOOK_FRAME_RATE, BOOK_CHANNELS, BOOK_SAMPLE_WIDTH, "NONE"):
        clip.close()
        raise AssemblyError(
            f"clip {path} is {found[0]} Hz, {found[1]} channel(s), {8 * found[2]}-bit;"
            f" the book needs {BOOK_FRAME_RATE} Hz, mono, 16-bit PCM"
        )
    return clip


def _describe(utterance: Utterance) -> str:
    text = utterance.text if len(utterance.text) <= 40 else utterance.text[:39] + "…"
    return f"{text!r} in voice {utterance.voice.id}"


def _encode(
    ffmpeg: str,
    cues: Sequence[Cue],
    cue_clips: Sequence[Path],
    chapter_numbers: Sequence[int],
    mp3_path: Path,
    bitrate: str,
) -> _Timeline:
    """Stream the book through ffmpeg into *mp3_path*; the timeline of what was streamed."""
    command = [
        ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error",
        "-f", "s16le", "-ar", str(BOOK_FRAME_RATE), "-ac", str(BOOK_CHANNELS), "-i", "pipe:0",
        "-ac", "1", "-c:a", "libmp3lame", "-b:a", bitrate,
        "-id3v2_version", "0",  # tags.py writes the only tag; ffmpeg's would be replaced anyway
        "-f", "mp3", "-y", str(mp3_path),
    ]  # fmt: skip
    # stderr goes to a file: a pipe nobody reads while we write stdin could fill and deadlock.
    with tempfile.TemporaryFile() as log:
        try:
            process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=log)
        except OSError as error:
            raise AssemblyError(f"cannot run {ffmpeg}: {error.strerror}") from error
        try:
            timeline = _feed(process, cues, cue_clips, chapter_numbers)
        finally:
            if process.poll() is None:  # interrupted or failed mid-stream: do not leave it running
                process.kill()
            process.wait()
        if process.returncode != 0 or timeline is None:
            raise AssemblyError(f"ffmpeg could not encode the MP3: {_last_line(log)}")
    return timeline


def _feed(
    process: subprocess.Popen, cues: Sequence[Cue], cue_clips: Sequence[Path], chapter_numbers: Sequence[int]
) -> _Timeline | None:
    """Write the whole book to ffmpeg's stdin and wait for it; None if ffmpeg quit before reading it all."""
    try:
        with process.stdin as pipe:  # closing it is ffmpeg's end-of-input
            timeline = _stream_book(cues, cue_clips, chapter_numbers, pipe)
    except BrokenPipeError:
        return None
    process.wait()
    return timeline


def _stream_book(
    cues: Sequence[Cue], cue_clips: Sequence[Path], chapter_numbers: Sequence[int], sink: BinaryIO
) -> _Timeline:
    """Write every clip and pause to *sink* as raw PCM, counting samples to place the chapters."""
    samples = 0
    chapter_starts: list[int] = []
    cue_spans: list[tuple[int, int]] = []
    for cue, path in zip(cues, cue_clips):
        # Every chapter numbered up to this cue's starts here, including ones that have no cues.
        while len(chapter_starts) < len(chapter_numbers) and chapter_numbers[len(chapter_starts)] <= cue.chapter:
            chapter_starts.append(samples)
        cue_start = samples
        with _open_clip(path, cue.utterance) as clip:
            while frames := clip.readframes(_CHUNK_FRAMES):
                # A truncated file can end mid-sample; an odd byte would shift the rest of the book.
                whole = len(frames) - len(frames) % BOOK_SAMPLE_WIDTH
                sink.write(frames[:whole])
                samples += whole // BOOK_SAMPLE_WIDTH
        cue_spans.append((cue_start, samples))
        pause = _ms_to_samples(cue.pause_after_ms)
        for offset in range(0, pause, _CHUNK_FRAMES):
            sink.write(_SILENCE_CHUNK[: min(_CHUNK_FRAMES, pause - offset) * BOOK_SAMPLE_WIDTH])
        samples += max(pause, 0)
    chapter_starts.extend([samples] * (len(chapter_numbers) - len(chapter_starts)))
    return _Timeline(total_samples=samples, chapter_start_samples=tuple(chapter_starts), cue_spans=tuple(cue_spans))


def _ms_to_samples(ms: int) -> int:
    return (ms * BOOK_FRAME_RATE + 500) // 1000


def _samples_to_ms(samples: int) -> int:
    return (samples * 1000 + BOOK_FRAME_RATE // 2) // BOOK_FRAME_RATE


def _last_line(log: BinaryIO) -> str:
    log.seek(0)
    lines = [line.strip() for line in log.read().decode("utf-8", "replace").splitlines() if line.strip()]
    return lines[-1] if lines else "no error message"


def _fsync_and_replace(temp_path: Path, out_path: Path) -> None:
    """Make the finished file durable, then swap it in: readers see the old book or the new one."""
    try:
        with open(temp_path, "rb+") as file:
            os.fsync(file.fileno())
        os.replace(temp_path, out_path)
    except OSError as error:
        raise AssemblyError(f"cannot write {out_path}: {error.strerror or error}") from error
