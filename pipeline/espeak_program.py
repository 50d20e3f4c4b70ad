"""The ``espeak`` engine: eSpeak NG's own program, started afresh for every clip.

Inside one process eSpeak NG carries state from one text to the next: the same sentence rendered
after different ones comes out a few samples different. The pyttsx3 engine's clips therefore depend
on what its worker said before. A fresh ``espeak-ng`` process per clip has no history, so the same
utterance gives the same bytes on every run, whatever order the clips are rendered in, at the cost
of a process start (about 10 ms of CPU) per clip. It reads SSML, so emphasis is spoken.
"""

from __future__ import annotations

import functools
import shutil
import struct
import subprocess

from . import voices
from .engine import Clip, marked_parts
from .errors import SynthesisError
from .model import Voice

PROGRAM = "espeak-ng"
_PART_TIMEOUT_S = 60  # the pool's own deadline is the real limit; this only stops an orphan


def missing() -> str | None:
    """Why this engine cannot run here, or None."""
    if shutil.which(PROGRAM):
        return None
    return f"the espeak engine needs the {PROGRAM} program (Debian: apt install espeak-ng)"


@functools.cache
def version() -> str:
    """``eSpeak NG text-to-speech: 1.51`` as the program prints it, without its data path."""
    shown = subprocess.run([PROGRAM, "--version"], capture_output=True, text=True, check=True).stdout
    return shown.split("  Data at:")[0].strip()


def identity(voice: Voice) -> str:
    return f"espeak-ng program ({version()})"


class _Program:
    def speak(self, text: str, voice: Voice, emphasis: tuple[tuple[int, int], ...] = ()) -> Clip:
        command = [
            PROGRAM, "--stdout", "-v", voices.engine_voice_name(voice.id),
            "-s", str(voice.rate), "-p", str(voice.pitch), "-a", str(round(voice.volume * 100)),
        ]
        samples, frame_rate = [], 0
        for part, is_ssml in marked_parts(text, emphasis):
            done = subprocess.run(
                command + (["-m"] if is_ssml else []), input=part.encode("utf-8"),
                capture_output=True, timeout=_PART_TIMEOUT_S,
            )
            if done.returncode != 0:
                error = done.stderr.decode("utf-8", "replace").strip() or f"exit code {done.returncode}"
                raise SynthesisError(f"{PROGRAM} failed: {error}")
            frame_rate, pcm = _pcm(done.stdout)
            samples.append(pcm)
        return Clip(b"".join(samples), frame_rate)


def _pcm(wav: bytes) -> tuple[int, bytes]:
    """Frame rate and samples of the WAV the program streams to stdout.

    Its header cannot know the length in advance and says "as long as possible"; the samples are
    whatever follows the ``data`` chunk header.
    """
    if wav[:4] != b"RIFF" or wav[8:12] != b"WAVE" or b"data" not in wav[12:64]:
        raise SynthesisError(f"{PROGRAM} did not write a WAV")
    (frame_rate,) = struct.unpack_from("<I", wav, 24)
    start = wav.index(b"data", 12) + 8
    pcm = wav[start:]
    return frame_rate, pcm[: len(pcm) - len(pcm) % 2]


@functools.cache
def speaker() -> _Program:
    if problem := missing():
        raise SynthesisError(problem)
    return _Program()
