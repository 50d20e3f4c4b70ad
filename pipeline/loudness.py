"""Mastering: every clip brought to one loudness, its peaks held down, so the book plays at one level.

Podcast apps expect -16 LUFS integrated (ITU-R BS.1770) with true peaks at or below -1 dBTP. eSpeak
NG renders around -21 LUFS with sample peaks near full scale, and its voices and variants differ by
several LU, so a book read by six voices jumps in level at every change of speaker. Each clip is
therefore measured, given the gain that puts it on target, and passed through a peak limiter. A book
whose every sentence sits at the target measures at the target too: integrated loudness is an
energy average over the speech, and the silences between clips fall under its gates.

Mastering happens once per clip, when it enters the cache, so a rebuild pays nothing for it. The
meter is BS.1770-4's (K-weighting, 400 ms blocks overlapping by 75 %, absolute and relative gates),
written out with NumPy because a whole book's worth of clips must be measured in well under a
second; ``ffmpeg -af ebur128`` agrees with it to within 0.3 LU (see the tests).
"""

from __future__ import annotations

import functools
import math
import re
import subprocess
from pathlib import Path

import numpy as np

from .model import BOOK_ENCODER_LOSS_LU, BOOK_LOUDNESS_LUFS, BOOK_PEAK_DBFS

TARGET_LUFS = BOOK_LOUDNESS_LUFS
PEAK_LIMIT_DBFS = BOOK_PEAK_DBFS  # peaks between samples included; the MP3 encoder adds up to ~0.6 dB
_HALF_TAPS = 4  # each side of the halfway point: 8 taps, within 0.1 dB of 16 on speech, at half the cost
_LIMITER_STEP = 64  # samples (3 ms at 22,050 Hz): the limiter's gain changes smoothly over this
ENCODER_LOSS_LU = BOOK_ENCODER_LOSS_LU
_ABSOLUTE_GATE = -70.0  # LUFS: quieter blocks are silence
_RELATIVE_GATE = -10.0  # LU under the loudness of the blocks above the absolute gate
_MAKEUP_ROUNDS = 4
_TOLERANCE_LU = 0.1


@functools.lru_cache(maxsize=8)
def _k_weighting(rate: int) -> np.ndarray:
    """BS.1770's K-weighting at ``rate``: a +4 dB shelf above 1.5 kHz, then a 38 Hz high-pass."""
    shelf_gain = 10 ** (4.0 / 40)
    w0 = 2 * math.pi * 1500.0 / rate
    alpha = math.sin(w0) / (2 / math.sqrt(2))
    cos, root = math.cos(w0), math.sqrt(shelf_gain)
    shelf = (
        shelf_gain * ((shelf_gain + 1) + (shelf_gain - 1) * cos + 2 * root * alpha),
        -2 * shelf_gain * ((shelf_gain - 1) + (shelf_gain + 1) * cos),
        shelf_gain * ((shelf_gain + 1) + (shelf_gain - 1) * cos - 2 * root * alpha),
        (shelf_gain + 1) - (shelf_gain - 1) * cos + 2 * root * alpha,
        2 * ((shelf_gain - 1) - (shelf_gain + 1) * cos),
        (shelf_gain + 1) - (shelf_gain - 1) * cos - 2 * root * alpha,
    )
    w0 = 2 * math.pi * 38.0 / rate
    alpha, cos = math.sin(w0) / (2 * 0.5), math.cos(w0)
    high_pass = ((1 + cos) / 2, -(1 + cos), (1 + cos) / 2, 1 + alpha, -2 * cos, 1 - alpha)
    return np.array([[c / section[3] for c in section] for section in (shelf, high_pass)])


@functools.lru_cache(maxsize=16)
def _step_weights(rate: int, step: int) -> np.ndarray:
    """Per rfft bin of a *step*-sample stretch: the K-weighting's power gain, with Parseval's factors.

    Summed over a stretch's spectrum, weighted by these, |X|^2 gives the energy the stretch would
    have after K-weighting, without running the filter: a SciPy-free meter (SciPy would add 90 MB
    to every engine worker) that agrees with the filtered one to a few hundredths of an LU on speech.
    """
    z = np.exp(-2j * np.pi * np.fft.rfftfreq(step))  # e^{-jw} at each bin
    gain = np.ones_like(z)
    for b0, b1, b2, _, a1, a2 in _k_weighting(rate):
        gain *= (b0 + b1 * z + b2 * z * z) / (1 + a1 * z + a2 * z * z)
    parseval = np.full(z.size, 2.0)
    parseval[0] = 1.0
    if step % 2 == 0:
        parseval[-1] = 1.0  # the Nyquist bin of an even-length stretch appears once
    return np.abs(gain) ** 2 * parseval / step


def loudness(samples: np.ndarray, rate: int) -> float:
    """Integrated loudness of mono float samples (full scale 1.0) in LUFS; -inf for silence.

    A clip shorter than BS.1770's 400 ms block ("Yes.") is measured as one block of its own length.
    """
    if samples.size == 0:
        return -math.inf
    # Blocks of four steps, a step apart: the K-weighted energy of each step once, then sums of four.
    step = max(1, min(int(0.1 * rate), samples.size // 4))
    steps = samples.size // step
    spectra = np.fft.rfft(samples[: steps * step].reshape(steps, step), axis=1)
    energy = (np.square(spectra.real) + np.square(spectra.imag)) @ _step_weights(rate, step)
    power = (energy[:-3] + energy[1:-2] + energy[2:-1] + energy[3:]) / (4 * step)
    with np.errstate(divide="ignore"):
        levels = -0.691 + 10 * np.log10(power)
    audible = levels > _ABSOLUTE_GATE
    if not audible.any():
        return -math.inf
    relative_gate = -0.691 + 10 * math.log10(power[audible].mean()) + _RELATIVE_GATE
    return -0.691 + 10 * math.log10(power[audible & (levels > relative_gate)].mean())


@functools.lru_cache(maxsize=1)
def _half_sample_filter() -> np.ndarray:
    """A windowed-sinc interpolator (2 x _HALF_TAPS taps) for the point half a sample before the newest one."""
    taps = np.arange(2 * _HALF_TAPS) - (_HALF_TAPS - 0.5)
    return (np.sinc(taps) * np.hanning(2 * _HALF_TAPS + 2)[1:-1]).astype(np.float32)


def peak_envelope(samples: np.ndarray) -> np.ndarray:
    """|samples|, raised wherever the waveform swings higher between two samples than at either.

    Speech from eSpeak NG has strong content near the Nyquist frequency, where the true peak (what
    a reconstruction filter, a true-peak meter or a DAC sees) exceeds the sample peak by up to 2 dB.
    The halfway points catch nearly all of that.
    """
    # halfway[n] is the waveform between samples n - 1 and n, for n = 0 … len(samples).
    full = np.convolve(samples, _half_sample_filter())
    halfway = np.abs(full[_HALF_TAPS - 1 : _HALF_TAPS + samples.size])
    return np.maximum(np.abs(samples), np.maximum(halfway[:-1], halfway[1:]))


def limit(samples: np.ndarray, ceiling: float) -> np.ndarray:
    """The samples with no peak, between samples too, above ``ceiling`` (linear), the gain lowered smoothly around each peak."""
    peaks = _step_peaks(peak_envelope(samples))
    if peaks.size == 0 or peaks.max() <= ceiling:
        return samples
    return samples * _gain_curve(peaks, ceiling, samples.size, samples.dtype)


def _step_peaks(envelope: np.ndarray) -> np.ndarray:
    padding = (-envelope.size) % _LIMITER_STEP
    return np.pad(envelope, (0, padding)).reshape(-1, _LIMITER_STEP).max(axis=1)


def _gain_curve(peaks: np.ndarray, ceiling: float, size: int, dtype) -> np.ndarray:
    """Each step of samples may have the gain its loudest point allows.

    The gain at the edge between two steps is the lower of theirs, and within a step it moves in a
    straight line from one edge to the next: both edges allow for the step's own peak, so nothing
    ends above the ceiling, and the gain changes over milliseconds instead of clipping the waveform.
    """
    allowed = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12)).astype(dtype)
    edges = np.minimum(np.r_[allowed[0], allowed], np.r_[allowed, allowed[-1]])
    ramp = (np.arange(_LIMITER_STEP) / _LIMITER_STEP).astype(dtype)
    return (edges[:-1, None] + (edges[1:] - edges[:-1])[:, None] * ramp).ravel()[:size]


def master(pcm: np.ndarray, rate: int, target_lufs: float = TARGET_LUFS) -> np.ndarray:
    """16-bit mono samples brought to ``target_lufs`` with peaks under PEAK_LIMIT_DBFS; silence stays."""
    source = pcm.astype(np.float32) / np.float32(32768.0)
    measured = loudness(source, rate)
    if measured == -math.inf:
        return pcm
    ceiling = 10 ** (PEAK_LIMIT_DBFS / 20)
    gain_db = target_lufs - measured
    # The peaks scale with the gain, so they are found once; so is the clip's energy.
    peaks = _step_peaks(peak_envelope(source))
    source_energy_db = _energy_db(source)
    # Limiting takes energy off the loudest syllables, the more the louder the clip is pushed. The
    # make-up gain that restores exactly what it takes is where makeup == loss(makeup); the loss,
    # judged by the energy the limiter removed, grows nearly linearly, so a secant finds it.
    tried: list[tuple[float, float]] = []  # (makeup, loss)
    makeup_db = 0.0
    for _ in range(_MAKEUP_ROUNDS):
        total_db = gain_db + makeup_db
        scale = 10 ** (total_db / 20)
        result = source * np.float32(scale)
        if peaks.max() * scale > ceiling:
            result *= _gain_curve(peaks * scale, ceiling, source.size, source.dtype)
        loss_db = source_energy_db + total_db - _energy_db(result)
        if abs(loss_db - makeup_db) <= _TOLERANCE_LU:
            break
        tried.append((makeup_db, loss_db))
        if len(tried) == 1:
            makeup_db = loss_db
        else:
            (m0, l0), (m1, l1) = tried[-2:]
            slope = (l1 - l0) / (m1 - m0) if m1 != m0 else 0.0
            makeup_db = (l1 - slope * m1) / (1 - slope) if slope < 1 else loss_db
    return np.round(result * 32767.0).astype(np.int16)


def _energy_db(samples: np.ndarray) -> float:
    return 10 * math.log10(max(float(np.square(samples).sum()), 1e-20))


def measure_file(path: Path, ffmpeg: str = "ffmpeg") -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of an audio file as ``ffmpeg -af ebur128`` reads
    them: the independent meter that checks both this module's and a finished book's levels."""
    log = subprocess.run(
        [ffmpeg, "-nostats", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    ).stderr
    summary = log[log.rindex("Summary:") :]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    true_peak = float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1))
    return integrated, true_peak


def level_for_volume(volume: float) -> float:
    """The loudness a clip spoken at ``volume`` (0-1 in voices.yaml) is mastered to.

    Mastering would undo the engine's own volume setting, so volume is honoured here instead: a
    character at volume 0.5 sits 6 dB under the rest of the book. The MP3 encoder's low-pass takes
    off treble that the K-weighting counts, so clips are mastered that much above the book's target.
    """
    return TARGET_LUFS + ENCODER_LOSS_LU + 20 * math.log10(max(volume, 0.01))
