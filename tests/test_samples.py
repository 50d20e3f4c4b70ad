"""Voice samples: real speech per voice, written where the user can play it."""

from __future__ import annotations

import wave

import numpy as np
import pytest

from pipeline.errors import VoiceError
from pipeline.loudness import level_for_volume, loudness
from pipeline.model import BOOK_FRAME_RATE
from pipeline.samples import render_samples, sample_voice_ids
from pipeline.voices import default_pool


def samples_of(path):
    with wave.open(str(path), "rb") as clip:
        assert clip.getframerate() == BOOK_FRAME_RATE and clip.getnchannels() == 1
        return np.frombuffer(clip.readframes(clip.getnframes()), dtype=np.int16)


def test_each_voice_gets_its_own_mastered_sample(tmp_path, cache_dir):
    written = render_samples(
        "Nobody told me the lamp was lit.", ("en-us+f3", "EN-GB-X-RP+m7"), tmp_path / "out", cache_dir, rate=170
    )
    assert written == [tmp_path / "out" / "en-us+f3.wav", tmp_path / "out" / "en-gb-x-rp+m7.wav"]
    first, second = (samples_of(path) for path in written)
    assert first.size > BOOK_FRAME_RATE // 2 and second.size > BOOK_FRAME_RATE // 2
    assert first.size != second.size or not np.array_equal(first, second)
    for pcm in (first, second):
        assert loudness(pcm / 32768.0, BOOK_FRAME_RATE) == pytest.approx(level_for_volume(1.0), abs=0.5)


def test_an_unknown_voice_fails_before_anything_is_rendered(tmp_path, cache_dir):
    with pytest.raises(VoiceError, match="unknown voice 'en-us\\+f9'; close matches: en-us\\+f"):
        render_samples("Hello.", ("en-us+f3", "en-us+f9"), tmp_path / "out", cache_dir, rate=170)
    assert not (tmp_path / "out").exists()


def test_text_with_nothing_to_say_is_refused(tmp_path, cache_dir):
    with pytest.raises(VoiceError, match="nothing to say"):
        render_samples(" … ", ("en-us",), tmp_path, cache_dir, rate=170)


def test_without_voices_every_casting_voice_is_sampled_once():
    ids = sample_voice_ids(())
    pools = default_pool("female") + default_pool("male") + default_pool("unknown")
    assert set(ids) == set(pools) and len(ids) == len(set(ids))
    assert sample_voice_ids(("en-us", "EN-US")) == ("en-us",)
