"""Mastering: the meter agrees with FFmpeg's EBU R128 meter, clips land on target, peaks stay under."""

from __future__ import annotations

import math
import subprocess
import wave

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.loudness import (
    ENCODER_LOSS_LU, PEAK_LIMIT_DBFS, TARGET_LUFS, level_for_volume, limit, loudness, master, measure_file,
    peak_envelope,
)

from conftest import require_tool

RATE = 22050
CEILING = 10 ** (PEAK_LIMIT_DBFS / 20)


def espeak_clip(tmp_path, text: str, voice: str = "en-us") -> np.ndarray:
    """Real speech from eSpeak NG as 16-bit samples at 22,050 Hz."""
    path = tmp_path / "clip.wav"
    subprocess.run([require_tool("espeak-ng"), "-v", voice, "-w", str(path), text], check=True)
    with wave.open(str(path)) as clip:
        assert clip.getframerate() == RATE
        return np.frombuffer(clip.readframes(clip.getnframes()), dtype=np.int16)


def ffmpeg_loudness(tmp_path, pcm: np.ndarray) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) as ``ffmpeg -af ebur128`` reads them."""
    path = tmp_path / "measured.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(pcm.tobytes())
    return measure_file(path, require_tool("ffmpeg"))


SENTENCE = "Well, I never said you had to come with me. But you came anyway, and here we both are."


@pytest.mark.parametrize("voice", ["en-us", "en-gb-x-rp+f3", "en-gb-scotland+m4"])
def test_meter_agrees_with_ffmpeg_on_real_speech(tmp_path, voice):
    pcm = espeak_clip(tmp_path, SENTENCE, voice)
    ours = loudness(pcm / 32768.0, RATE)
    theirs, _ = ffmpeg_loudness(tmp_path, pcm)
    assert ours == pytest.approx(theirs, abs=0.3)


@pytest.mark.parametrize("voice", ["en-us", "en-gb-x-rp+f3", "en-us+m7"])
def test_mastered_speech_reads_on_target_with_true_peak_under_minus_one(tmp_path, voice):
    pcm = espeak_clip(tmp_path, SENTENCE, voice)
    mastered = master(pcm, RATE)
    integrated, true_peak = ffmpeg_loudness(tmp_path, mastered)
    assert integrated == pytest.approx(TARGET_LUFS, abs=0.5)
    assert true_peak <= -1.0
    assert np.abs(mastered).max() <= CEILING * 32768


def test_voices_that_differ_in_level_come_out_level(tmp_path):
    levels = [loudness(master(espeak_clip(tmp_path, SENTENCE, voice), RATE) / 32768.0, RATE)
              for voice in ("en-us+f2", "en-gb-scotland+m2", "en-029+m5")]
    assert max(levels) - min(levels) < 0.5


def test_a_clip_shorter_than_a_block_is_mastered_too(tmp_path):
    pcm = espeak_clip(tmp_path, "Yes.")
    assert pcm.size < 0.4 * RATE * 2  # eSpeak's "Yes." with its trailing silence
    assert loudness(master(pcm, RATE) / 32768.0, RATE) == pytest.approx(TARGET_LUFS, abs=0.5)


def test_silence_is_left_alone():
    silence = np.zeros(RATE, dtype=np.int16)
    assert loudness(silence / 32768.0, RATE) == -math.inf
    assert master(silence, RATE) is silence
    assert loudness(np.zeros(0), RATE) == -math.inf


def test_volume_is_a_level_under_the_target_allowing_for_the_encoder():
    assert level_for_volume(1.0) == TARGET_LUFS + ENCODER_LOSS_LU
    assert level_for_volume(0.5) == pytest.approx(level_for_volume(1.0) - 6.02, abs=0.01)


def test_a_quieter_volume_masters_quieter(tmp_path):
    pcm = espeak_clip(tmp_path, SENTENCE)
    soft = master(pcm, RATE, level_for_volume(0.5))
    assert loudness(soft / 32768.0, RATE) == pytest.approx(level_for_volume(1.0) - 6.0, abs=0.5)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-3.0, 3.0, allow_nan=False), min_size=1, max_size=700),
    st.floats(0.05, 1.0),
)
def test_limiter_keeps_every_sample_under_the_ceiling(values, ceiling):
    samples = np.array(values)
    limited = limit(samples, ceiling)
    assert np.all(np.abs(limited) <= ceiling + 1e-12)
    assert np.all(np.abs(limited) <= np.abs(samples) + 1e-12)  # only ever turns down
    if peak_envelope(samples).max() <= ceiling:  # nothing over, not even between samples
        assert limited is samples


def test_peaks_between_samples_are_limited_too():
    # A quarter-rate tone sampled halfway between its crests: every sample sits at 0.707 of the
    # peak the waveform reaches between them.
    from scipy.signal import resample_poly

    samples = (0.6 * np.sin(np.pi / 2 * np.arange(4000) + np.pi / 4)).astype(np.float32)
    assert np.abs(samples).max() < 0.45
    assert np.abs(resample_poly(samples.astype(float), 8, 1))[64:-64].max() > 0.59
    limited = limit(samples, 0.5)
    assert np.abs(resample_poly(limited.astype(float), 8, 1))[64:-64].max() <= 0.505
