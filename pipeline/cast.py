"""Giving every character a voice: the one voices.yaml names, else a distinct one fitting their gender."""

from __future__ import annotations

from dataclasses import replace

from .model import UNCAST, Character, Voice
from .voices import default_pool


def cast_voices(narrator: Voice, characters: tuple[Character, ...]) -> tuple[Character, ...]:
    """The characters with a voice each.

    Characters without a voice id take the first voice of their gender's pool that neither the
    narrator nor anyone before them uses; when the pool runs out, voices are shared again in order,
    with the pitch moved so that neighbours still differ.
    """
    taken = {narrator.id} | {c.voice.id for c in characters if c.voice and c.voice.id != UNCAST}
    reused: dict[str, int] = {}  # per gender: how many characters had to share a voice
    voiced = []
    for character in characters:
        voice = character.voice
        if voice is None or voice.id == UNCAST:
            base = voice or replace(narrator, id=UNCAST)
            pool = default_pool(character.gender)
            free = [voice_id for voice_id in pool if voice_id not in taken]
            if free:
                voice = replace(base, id=free[0])
            else:
                n = reused.get(character.gender, 0)
                reused[character.gender] = n + 1
                voice = replace(base, id=pool[n % len(pool)], pitch=_shifted(base.pitch, n // len(pool)))
            taken.add(voice.id)
        voiced.append(replace(character, voice=voice))
    return tuple(voiced)


def _shifted(pitch: int, round_number: int) -> int:
    """+12, -12, +24, -24 … for each round of reuse, kept within eSpeak's 0-100."""
    step = 12 * (1 + round_number // 2) * (1 if round_number % 2 == 0 else -1)
    return max(0, min(100, pitch + step))
