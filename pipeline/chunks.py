"""The book's audio as MP3 chunks: cut at pauses, encoded beside synthesis, cached by content.

MP3 encoding on one core is the slowest part of a build (a 14-minute story: 2.7 s; its speech:
1 s). So the book is cut into chunks of about 500 characters of text, each encoded by its own LAME
process as soon as its clips exist, while the engine workers are still speaking later ones. A chunk
is cached under the hash of exactly what goes into it (its clips' cache keys, its pauses, the
encoder and its settings), so a rebuild after a voice change re-encodes only the chunks where that
voice speaks, and a rebuild with nothing changed encodes nothing.

Why the chunks join exactly: each is a complete MPEG-2 Layer III stream without a Xing/LAME
header, and its first frame uses no bit reservoir, so the book is their frames one after the
other. A chunk of L samples comes out as ceil(L / 576) + 2 frames, its input heard from
ENCODER_DELAY samples on (LAME's 576 plus the decoder's 529), the rest padding. Cuts fall only in
pauses of at least MIN_CUT_PAUSE_MS, so that delay and padding are silence inside a pause; the
silence written at a chunk's end is shortened to keep the pause as heard as configured (to within
half a frame, 13 ms). Times are counted in frames, so they are where a decoder plays them,
whichever order the chunks were encoded in.

`lame` rather than ffmpeg: the same libmp3lame with the same settings gives byte-identical frames,
but starts in 5 ms instead of 100 ms, which matters once per chunk.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import wave
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from hashlib import sha256
from pathlib import Path
from typing import BinaryIO

from .atomic import replace_synced, temp_path
from .errors import AssemblyError
from .model import BOOK_CHANNELS, BOOK_FRAME_RATE, BOOK_SAMPLE_WIDTH, Cue, Utterance

BITRATE_KBPS = 64  # CBR mono: plenty for synthetic speech, exact seeking in every player
FRAME_SAMPLES = 576  # one MPEG-2 Layer III frame at the book's 22,050 Hz
ENCODER_DELAY = 1105  # samples of silence a decoder plays before a chunk's first input sample
MIN_CUT_PAUSE_MS = 150  # room for delay plus padding, at most 1,727 samples (78 ms)
# Chunk sizes in characters of text (500 is about 35 s of speech). A chunk ends at a "landmark",
# a sentence whose text hashes to 0 modulo LANDMARK_ODDS, once it has MIN_CHUNK_CHARS: cuts are
# chosen by the text near them, so an edit moves at most the cuts next to it (content-defined
# chunking), and about every LANDMARK_ODDS-th sentence is a landmark, about 500 characters a chunk.
MIN_CHUNK_CHARS = 250
MAX_CHUNK_CHARS = 1500  # cut here even without a landmark
LANDMARK_ODDS = 4
CHUNK_FORMAT = 1  # bump when the chunk layout changes, so old cache entries are not reused

_READ_FRAMES = 1 << 16  # samples per clip read and pipe write, about 3 s
_SILENCE = bytes(_READ_FRAMES * BOOK_SAMPLE_WIDTH)


@dataclass(frozen=True)
class Chunk:
    """Cues ``first`` to ``end - 1`` of the book, encoded together."""

    key: str  # SHA-256 of what goes into the chunk; names its cache files
    first: int
    end: int
    gap_samples: int  # the pause after its last cue, as it should be heard


@dataclass(frozen=True)
class ChunkAudio:
    """What an encoded chunk holds, read back from the cache without decoding it."""

    path: Path
    frames: int  # MP3 frames, FRAME_SAMPLES each
    size: int  # bytes
    clip_samples: tuple[int, ...]  # the length of each cue's clip, in cue order

    @property
    def samples(self) -> int:
        return self.frames * FRAME_SAMPLES


def ms_to_samples(ms: int) -> int:
    return (max(ms, 0) * BOOK_FRAME_RATE + 500) // 1000


def plan_chunks(cues: Sequence[Cue], clip_keys: Sequence[str]) -> list[Chunk]:
    """The book's cues cut into chunks at pauses long enough to hide a cut, chosen by the text alone.

    Cuts never depend on voices or on how long clips turn out, so changing a voice moves none.
    """
    chunks = []
    first, chars = 0, 0
    for index, cue in enumerate(cues):
        chars += len(cue.utterance.text)
        last = index == len(cues) - 1
        if last or (cue.pause_after_ms >= MIN_CUT_PAUSE_MS and chars >= MIN_CHUNK_CHARS
                    and (chars >= MAX_CHUNK_CHARS or is_landmark(cue.utterance.text))):  # fmt: skip
            gap = 0 if last else ms_to_samples(cue.pause_after_ms)
            contents = {
                "format": CHUNK_FORMAT,
                "encoder": encoder_version(),
                "kbps": BITRATE_KBPS,
                "clips": [[clip_keys[i], ms_to_samples(cues[i].pause_after_ms)] for i in range(first, index)]
                + [[clip_keys[index], gap]],
            }
            canonical = json.dumps(contents, sort_keys=True, separators=(",", ":"))
            chunks.append(Chunk(sha256(canonical.encode()).hexdigest(), first, index + 1, gap))
            first, chars = index + 1, 0
    return chunks


def is_landmark(text: str) -> bool:
    """Whether a chunk may end after *text*: the same answer for the same text in every run."""
    return zlib.crc32(text.encode("utf-8")) % LANDMARK_ODDS == 0


def trailing_silence(content_samples: int, gap_samples: int) -> int:
    """Silence to end a chunk with, so that it plus padding plus the next chunk's delay is the gap."""
    frames = -(-content_samples // FRAME_SAMPLES) + 2
    shortest = frames * FRAME_SAMPLES - content_samples  # padding and the next delay, with no silence
    return FRAME_SAMPLES * max(0, round((gap_samples - shortest) / FRAME_SAMPLES))


@cache
def lame_path() -> str:
    path = shutil.which("lame")
    if path is None:
        raise AssemblyError("lame not found on PATH; install LAME (Debian: apt install lame) to encode the MP3")
    return path


@cache
def encoder_version() -> str:
    """"LAME 64bits version 3.100 …": part of every chunk's cache key."""
    try:
        output = subprocess.run([lame_path(), "--version"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        raise AssemblyError(f"cannot run lame: {error}") from error
    return output.splitlines()[0].strip() if output.strip() else "lame"


def chunk_paths(cache_dir: Path, key: str) -> tuple[Path, Path]:
    """The chunk's MP3 and the JSON describing it."""
    folder = cache_dir / "chunks" / key[:2]
    return folder / f"{key}.mp3", folder / f"{key}.json"


def load_chunk(cache_dir: Path, key: str) -> ChunkAudio | None:
    """The cached chunk, or None when it is missing or incomplete."""
    mp3, description = chunk_paths(cache_dir, key)
    try:
        facts = json.loads(description.read_text(encoding="utf-8"))
        audio = ChunkAudio(mp3, int(facts["frames"]), int(facts["size"]), tuple(map(int, facts["clip_samples"])))
        return audio if mp3.stat().st_size == audio.size else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def encode_chunk(chunk: Chunk, cues: Sequence[Cue], cue_clips: Sequence[Path], cache_dir: Path) -> ChunkAudio:
    """Encode the chunk's clips and pauses with LAME into the cache; what it holds.

    The MP3 and then its description are each written to a temporary file, synced and renamed, so
    a killed build leaves a chunk whole or not at all (a chunk without its description is ignored).
    """
    mp3, description = chunk_paths(cache_dir, chunk.key)
    mp3.parent.mkdir(parents=True, exist_ok=True)
    temp = temp_path(mp3)  # one build encodes a chunk once
    command = [
        lame_path(), "--silent", "-r", "-s", str(BOOK_FRAME_RATE / 1000), "--bitwidth", "16", "--signed",
        "--little-endian", "-m", "m", "-b", str(BITRATE_KBPS), "--cbr", "-t", "-", str(temp),
    ]  # fmt: skip
    try:
        # stderr goes to a file: a pipe nobody reads while we write stdin could fill and deadlock.
        with tempfile.TemporaryFile() as log:
            try:
                process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=log)
            except OSError as error:
                raise AssemblyError(f"cannot run lame: {error.strerror}") from error
            clip_samples = None
            try:
                with process.stdin as pipe:  # closing it is LAME's end of input
                    clip_samples = _stream_chunk(chunk, cues, cue_clips, pipe)
            except BrokenPipeError:
                pass  # LAME quit early; its log says why
            finally:
                if clip_samples is None:  # failed or interrupted mid-stream: do not leave it running
                    process.kill()
                process.wait()
            if process.returncode != 0 or clip_samples is None:
                raise AssemblyError(f"lame could not encode the MP3: {_last_line(log)}")
        audio = ChunkAudio(mp3, count_frames(temp), temp.stat().st_size, clip_samples)
        replace_synced(temp, mp3)
        facts = {"frames": audio.frames, "size": audio.size, "clip_samples": list(audio.clip_samples)}
        temp.write_text(json.dumps(facts), encoding="utf-8")
        replace_synced(temp, description)
        return audio
    finally:
        temp.unlink(missing_ok=True)


def _stream_chunk(chunk: Chunk, cues: Sequence[Cue], cue_clips: Sequence[Path], sink: BinaryIO) -> tuple[int, ...]:
    """Write the chunk's clips and pauses to *sink* as raw PCM; each clip's length in samples."""
    lengths = []
    written = 0
    for index in range(chunk.first, chunk.end):
        length = 0
        with open_clip(cue_clips[index], cues[index].utterance) as clip:
            while frames := clip.readframes(_READ_FRAMES):
                # A truncated file can end mid-sample; an odd byte would shift the rest of the book.
                whole = len(frames) - len(frames) % BOOK_SAMPLE_WIDTH
                sink.write(frames[:whole])
                length += whole // BOOK_SAMPLE_WIDTH
        lengths.append(length)
        written += length
        if index < chunk.end - 1:
            pause = ms_to_samples(cues[index].pause_after_ms)
        else:
            pause = trailing_silence(written, chunk.gap_samples)
        _write_silence(sink, pause)
        written += pause
    return tuple(lengths)


def _write_silence(sink: BinaryIO, samples: int) -> None:
    for offset in range(0, samples, _READ_FRAMES):
        sink.write(_SILENCE[: min(_READ_FRAMES, samples - offset) * BOOK_SAMPLE_WIDTH])


def open_clip(path: Path, utterance: Utterance) -> wave.Wave_read:
    """The clip at *path*, opened for reading, or an AssemblyError saying what is wrong with it."""
    try:
        clip = wave.open(str(path), "rb")
    except FileNotFoundError as error:
        raise AssemblyError(f"clip {path} is missing ({describe(utterance)})") from error
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


def describe(utterance: Utterance) -> str:
    text = utterance.text if len(utterance.text) <= 40 else utterance.text[:39] + "…"
    return f"{text!r} in voice {utterance.voice.id}"


_BITRATES_KBPS = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)  # MPEG-2 Layer III


def count_frames(path: Path) -> int:
    """The MPEG-2 Layer III frames at the book's rate in *path*; AssemblyError if it holds anything else."""
    data = path.read_bytes()
    offset = frames = 0
    while offset < len(data):
        header = int.from_bytes(data[offset : offset + 4], "big")
        # sync, MPEG-2, Layer III, a bitrate, 22,050 Hz
        if header >> 21 != 0x7FF or (header >> 17) & 0xF != 0b1001 or (header >> 10) & 3 != 0:
            raise AssemblyError(f"{path}: not an MP3 frame at byte {offset}")
        kbps = _BITRATES_KBPS[(header >> 12) & 0xF] if (header >> 12) & 0xF < len(_BITRATES_KBPS) else 0
        if not kbps:
            raise AssemblyError(f"{path}: bad bitrate in the MP3 frame at byte {offset}")
        offset += 72 * kbps * 1000 // BOOK_FRAME_RATE + ((header >> 9) & 1)
        frames += 1
    if offset != len(data):
        raise AssemblyError(f"{path}: the last MP3 frame is cut short")
    return frames


def _last_line(log: BinaryIO) -> str:
    log.seek(0)
    lines = [line.strip() for line in log.read().decode("utf-8", "replace").splitlines() if line.strip()]
    # LAME warns that libsndfile may seek on raw input; it does not, and it is not the error.
    lines = [line for line in lines if "libsndfile" not in line]
    return lines[-1] if lines else "no error message"

