"""The espeak engine: eSpeak NG's own program, one process per clip, so clips do not depend on order."""

from __future__ import annotations

import struct

import pytest

from pipeline import espeak_program
from pipeline.engine import EnginePool, engine_id, missing_engine, render
from pipeline.errors import SynthesisError, VoiceError
from pipeline.model import Utterance, Voice

from conftest import require_tool

FIRST = Utterance("The lamp was still burning when I came back.", Voice("en-us+f3", rate=170, engine="espeak"))
SECOND = Utterance("Well, what on earth do you want from me now?", Voice("en-gb-x-rp+m3", rate=210, pitch=70, engine="espeak"))


@pytest.fixture(autouse=True)
def espeak():
    require_tool("espeak-ng")


def test_the_same_utterance_gives_the_same_samples_whatever_came_before():
    alone = render(FIRST).samples
    render(SECOND)
    after_another = render(FIRST).samples
    assert alone == after_another


def test_clips_do_not_depend_on_which_worker_or_order_renders_them():
    with EnginePool(2) as pool:
        forward = dict(pool.imap_unordered([FIRST, SECOND, Utterance(FIRST.text + " Again.", FIRST.voice)]))
    with EnginePool(1) as pool:
        backward = dict(pool.imap_unordered([SECOND, FIRST]))
    assert forward[FIRST].samples == backward[FIRST].samples
    assert forward[SECOND].samples == backward[SECOND].samples


def test_settings_change_the_speech():
    slow = render(Utterance(FIRST.text, Voice("en-us+f3", rate=120, engine="espeak")))
    assert slow.seconds > render(FIRST).seconds * 1.2


def test_emphasis_is_spoken_as_ssml():
    text = "I never said that you had to come."
    plain = render(Utterance(text, Voice("en-us", engine="espeak")))
    stressed = render(Utterance(text, Voice("en-us", engine="espeak"), emphasis=((2, 7),)))
    assert stressed.samples != plain.samples
    assert stressed.seconds > plain.seconds  # eSpeak NG lengthens and raises a stressed word


def test_markup_characters_in_text_are_spoken_not_parsed():
    clip = render(Utterance("Tom & Jerry <3 cheese", Voice("en-us", engine="espeak"), emphasis=((0, 3),)))
    assert clip.seconds > 1.0


def test_an_unknown_voice_is_refused_before_the_program_runs():
    with pytest.raises(VoiceError, match="unknown voice"):
        render(Utterance("Hello.", Voice("en-zz", engine="espeak")))


def test_identity_names_the_program_and_its_version():
    assert engine_id(FIRST.voice).startswith("espeak-ng program (eSpeak NG text-to-speech: 1.")
    assert engine_id(FIRST.voice) != engine_id(Voice("en-us"))
    assert missing_engine("espeak") is None


def test_the_streamed_wav_header_is_read_without_trusting_its_length():
    header = b"RIFF" + struct.pack("<I", 0x7FFFF024) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, 22050, 44100, 2, 16)
    rate, pcm = espeak_program._pcm(header + b"data" + struct.pack("<I", 0x7FFFF000) + b"\x01\x00\x02\x00\x03")
    assert (rate, pcm) == (22050, b"\x01\x00\x02\x00")
    with pytest.raises(SynthesisError, match="did not write a WAV"):
        espeak_program._pcm(b"espeak-ng: error")
