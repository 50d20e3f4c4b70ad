"""Voice samples: one short text in each of several voices, to listen to before choosing one.

Samples go through the same engine, cache and mastering as a book, so what a user hears is what
the voice will sound like in their audiobook.
"""

from __future__ import annotations

import wave
from pathlib import Path

from .errors import VoiceError
from .model import Utterance, Voice
from .speech import speakable
from .synthesis import synthesize, write_clip
from .voices import check_voice_id, default_pool

SAMPLE_TEXT = "The lamp was still burning when I came back, and nobody would tell me why."


def sample_voice_ids(voice_ids: tuple[str, ...]) -> tuple[str, ...]:
    """The ids to sample, each checked: those given, else every voice characters may be cast in."""
    if not voice_ids:
        voice_ids = default_pool("female") + default_pool("male") + default_pool("unknown")
    return tuple(dict.fromkeys(check_voice_id(voice_id) for voice_id in voice_ids))


def render_samples(
    text: str, voice_ids: tuple[str, ...], out_dir: Path, cache_dir: Path, *, rate: int, jobs: int = 2
) -> list[Path]:
    """``out_dir/<voice id>.wav`` for each voice, saying ``text`` at ``rate`` words a minute."""
    spoken = speakable(text)
    if not any(ch.isalnum() for ch in spoken):
        raise VoiceError("the sample text has nothing to say")
    utterances = [Utterance(spoken, Voice(voice_id, rate=rate)) for voice_id in sample_voice_ids(voice_ids)]
    clips = synthesize(utterances, cache_dir, jobs=jobs).clips
    written = []
    for utterance in utterances:
        path = out_dir / f"{utterance.voice.id}.wav"
        with wave.open(str(clips[utterance]), "rb") as clip:
            write_clip(path, clip.readframes(clip.getnframes()))
        written.append(path)
    return written
