"""Giving every character a voice: the one voices.yaml names, else a distinct one fitting their gender."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from .model import UNCAST, Character, Voice
from .voices import default_pool


def cast_voices(narrator: Voice, characters: tuple[Character, ...]) -> tuple[Character, ...]:
    """The characters with a voice each.

    A character without a voice id takes the first voice on their own preference list over their
    gender's pool that neither the narrator nor anyone before them uses. Each list is the pool
    turned to start at a place fixed by the character's name, so characters do not all queue for
    the same first voice: a character added to voices.yaml, wherever it goes, moves someone else's
    voice only when it wants the very voice that character got. When the pool runs out, voices are
    shared again in the pool's order with the pitch moved, so that neighbours still differ.
    """
    taken = {narrator.id} | {c.voice.id for c in characters if c.voice and c.voice.id != UNCAST}
    reused: dict[str, int] = {}  # per gender: how many characters had to share a voice
    voiced = []
    for character in characters:
        voice = character.voice
        if voice is None or voice.id == UNCAST:
            base = voice or narrator.uncast()
            pool = default_pool(character.gender)
            free = [voice_id for voice_id in preferences(character.name, pool) if voice_id not in taken]
            if free:
                voice = replace(base, id=free[0])
            else:
                n = reused.get(character.gender, 0)
                reused[character.gender] = n + 1
                voice = replace(base, id=pool[n % len(pool)], pitch=_shifted(base.pitch, n // len(pool)))
            taken.add(voice.id)
        voiced.append(replace(character, voice=voice))
    return tuple(voiced)


def preferences(name: str, pool: tuple[str, ...]) -> tuple[str, ...]:
    """The pool turned to start where ``name`` points: the same for that name on every run and machine."""
    start = int.from_bytes(hashlib.sha256(name.casefold().encode()).digest()[:8], "big") % len(pool)
    return pool[start:] + pool[:start]


def _shifted(pitch: int, round_number: int) -> int:
    """+12, -12, +24, -24 … for each round of reuse, kept within eSpeak's 0-100."""
    step = 12 * (1 + round_number // 2) * (1 if round_number % 2 == 0 else -1)
    return max(0, min(100, pitch + step))
