"""The value types every stage passes along: small, frozen, and free of I/O."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

NARRATION = "narration"
DIALOGUE = "dialogue"
THOUGHT = "thought"

# The book's audio format: what every cached clip holds and what the encoder is fed.
BOOK_FRAME_RATE = 22050  # eSpeak NG's own rate, so its clips need no resampling
BOOK_SAMPLE_WIDTH = 2  # bytes: 16-bit signed little-endian
BOOK_CHANNELS = 1
# Every clip is mastered to this loudness (ITU-R BS.1770) with peaks, between samples too, held under this level,
# which keeps the book's true peak under -1 dBTP after MP3 encoding: what podcast apps expect.
BOOK_LOUDNESS_LUFS = -16.0
BOOK_PEAK_DBFS = -2.0
# Measured: an eSpeak NG clip at -16.0 LUFS reads -16.4 to -16.5 after 64 kbit/s LAME at 22,050 Hz,
# whose low-pass takes off treble the K-weighting counts; clips are mastered this much louder.
BOOK_ENCODER_LOSS_LU = 0.45
CLIP_FORMAT = 3  # how a cached clip is made from the engine's samples (trim, meter, limiter): bump on change

NARRATOR = "narrator"  # the speaker name of every narration segment
UNCAST = ""  # a Voice id left for the cast to choose
GENDERS = ("male", "female", "unknown")
# Speech engines. The first two speak eSpeak NG voice ids; Piper speaks a neural model file.
DEFAULT_ENGINE = "pyttsx3"  # eSpeak NG through pyttsx3
ESPEAK_ENGINES = (DEFAULT_ENGINE, "espeak")  # "espeak": eSpeak NG's own program, deterministic
ENGINES = (*ESPEAK_ENGINES, "piper")


@dataclass(frozen=True)
class Voice:
    """What the engine is told besides the text."""

    id: str  # eSpeak NG voice, optionally with a variant: "en-gb-x-rp+m3"; for Piper, the model's name
    rate: int = 175  # words per minute
    pitch: int = 50  # 0-100
    volume: float = 1.0  # 0.0-1.0
    engine: str = DEFAULT_ENGINE  # one of ENGINES
    model: str = ""  # Piper's .onnx voice model, an absolute path; "" for the eSpeak NG engines

    def uncast(self) -> Voice:
        """What a character without a voice id starts from when this is the narrator's voice.

        The narrator's rate, pitch and volume carry over, and so does the engine when it speaks
        eSpeak NG voice ids; a Piper narrator's characters are cast from eSpeak NG through pyttsx3.
        """
        engine = self.engine if self.engine in ESPEAK_ENGINES else DEFAULT_ENGINE
        return replace(self, id=UNCAST, engine=engine, model="")


@dataclass(frozen=True)
class ThoughtStyle:
    """How a character's thoughts sound next to their speech: voices.yaml's ``thoughts`` section."""

    rate: float = 0.9  # times the thinker's rate
    pitch: int = -6  # added to the thinker's pitch
    volume: float = 0.7  # times the thinker's volume: mastered 3 dB under speech
    variant: str = ""  # an eSpeak NG variant in place of the voice's own ("whisper"); "" keeps it

    def voice(self, speaking: Voice) -> Voice:
        """The voice a character thinks in, from the one they speak in: same engine, same model.

        A variant applies to eSpeak NG voices only; a Piper model has none.
        """
        voice_id = speaking.id
        if self.variant and speaking.engine in ESPEAK_ENGINES:
            voice_id = f"{speaking.id.partition('+')[0]}+{self.variant}"
        return replace(
            speaking,
            id=voice_id,
            rate=max(80, min(500, round(speaking.rate * self.rate))),
            pitch=max(0, min(100, speaking.pitch + self.pitch)),
            volume=round(speaking.volume * self.volume, 3),
        )


@dataclass(frozen=True)
class Character:
    name: str
    aliases: tuple[str, ...] = ()
    gender: str = "unknown"
    voice: Voice | None = None  # None until cast; the cast always sets one

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Pauses:
    """Silence, in milliseconds, inserted after each kind of boundary."""

    sentence: int = 250
    paragraph: int = 600
    speaker_change: int = 350
    scene: int = 1500
    chapter: int = 2500


@dataclass(frozen=True)
class Segment:
    """A stretch of the story read by one voice: ``text == story[start:end]``."""

    start: int
    end: int
    kind: str  # narration | dialogue | thought
    speaker: str | None  # "narrator" for narration; None for a quote nobody was found for
    chapter: int  # 1-based chapter number
    paragraph: int  # 0-based paragraph number in the story
    text: str
    rule: str | None = None  # the attribution rule that chose the speaker, for --explain


@dataclass(frozen=True)
class Chapter:
    number: int  # 1-based
    title: str
    start: int  # offset of the chapter's first character in the story
    end: int
    body_start: int | None = None  # where the heading ends and the prose begins; None: no heading


@dataclass(frozen=True)
class Utterance:
    """Exactly what the engine receives for one clip; also the clip's cache identity."""

    text: str
    voice: Voice
    # Stretches of text the story marked for stress (*word*, italics), as (start, end) offsets into
    # text: spoken as SSML <emphasis> by the eSpeak NG engines, and part of the clip's cache key.
    emphasis: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Cue:
    """One utterance placed in the book: what to say, then how long to stay silent."""

    utterance: Utterance
    pause_after_ms: int
    chapter: int  # 1-based chapter number
    segment: int  # index into Book.segments


@dataclass(frozen=True)
class Book:
    title: str
    author: str
    source: str  # the story's path, for messages
    text: str  # the story as decoded, before any normalisation
    chapters: tuple[Chapter, ...]
    segments: tuple[Segment, ...]
    narrator: Voice
    cast: tuple[Character, ...]  # every character, voiced: the configured ones, then those discovered
    scene_breaks: tuple[int, ...] = field(default=())  # paragraph numbers of scene separators
    pronounce: tuple[tuple[str, str], ...] = field(default=())  # voices.yaml lexicon: (word, said as)
    thoughts: ThoughtStyle = field(default=ThoughtStyle())

    @cached_property
    def _voice_by_speaker(self) -> dict[str, Voice]:
        return {c.name: c.voice for c in self.cast if c.voice is not None}

    def voice_of(self, segment: Segment) -> Voice:
        """Narration, and quotes nobody was found for, are read by the narrator; thoughts in a thinking voice."""
        voice = self._voice_by_speaker.get(segment.speaker, self.narrator)
        return self.thoughts.voice(voice) if segment.kind == THOUGHT else voice
