"""The pyttsx3/eSpeak NG engine: settings that really apply, long text, and workers that die or hang.

Functions at module level are tasks for EnginePool workers: spawned workers import them from here.
Those that misbehave "once" leave a marker file (named by $ENGINE_TEST_MARKER) on their first call,
so the retry on a fresh worker succeeds.
"""

from __future__ import annotations

import os
import re
import statistics
import time
from array import array
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline import engine, voices
from pipeline.engine import (
    ENGINE_NAME,
    SILENCE_MS,
    Clip,
    EnginePool,
    engine_id,
    engine_version,
    render,
    split_text,
    verified,
)
from pipeline.errors import SynthesisError, VoiceError
from pipeline.model import Utterance, Voice

from conftest import require_tool

SENTENCE = "The morning was bright and warm, and everyone went outside to play."


@pytest.fixture
def espeak():
    require_tool("espeak-ng")


@pytest.fixture
def marker(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "misbehaved"
    monkeypatch.setenv("ENGINE_TEST_MARKER", str(path))
    return path


def _first_call() -> bool:
    path = Path(os.environ["ENGINE_TEST_MARKER"])
    if path.exists():
        return False
    path.touch()
    return True


def crash_once(utterance: Utterance) -> Clip:
    if _first_call():
        os._exit(11)  # as a segfault in the C library would end the worker
    return render(utterance)


def hang_once(utterance: Utterance) -> Clip:
    if _first_call():
        time.sleep(3600)
    return render(utterance)


def crash_always(utterance: Utterance) -> Clip:
    os._exit(11)


def empty_once(utterance: Utterance) -> Clip:
    clip = render(utterance)
    return verified(Clip(b"", clip.frame_rate), utterance.text, utterance.voice.rate) if _first_call() else clip


def print_and_render(utterance: Utterance) -> Clip:
    print(f"Audio saved to {utterance.text}")  # as pyttsx3's save_to_file does
    return render(utterance)


def broken_task(utterance: Utterance) -> Clip:
    return {}["no such key"]


def pitch_hz(clip: Clip) -> float:
    """Median fundamental frequency of the loudest 40 ms frames, by autocorrelation (70-450 Hz)."""
    samples = array("h", clip.samples)
    rate = clip.frame_rate
    size = rate // 25
    starts = range(0, len(samples) - size, size)
    loudest = sorted(starts, key=lambda i: -sum(abs(x) for x in samples[i : i + size : 4]))[:6]
    shortest, longest = rate // 450, rate // 70
    estimates = []
    for start in loudest:
        frame = samples[start : start + size]
        lag = max(
            range(shortest, longest),
            key=lambda lag: sum(frame[k] * frame[k + lag] for k in range(size - longest)),
        )
        estimates.append(rate / lag)
    return statistics.median(estimates)


# --- fast logic -------------------------------------------------------------------------------------


def test_engine_version_names_pyttsx3_and_the_library():
    assert re.fullmatch(r"pyttsx3 2\.99; espeak-ng \d+\.\d+(\.\d+)?", engine_version())
    assert engine_id() == f"{ENGINE_NAME} ({engine_version()})"


def test_split_text_cuts_after_sentences_first():
    sentences = [f"Sentence number {i} is here." for i in range(100)]
    text = " ".join(sentences)
    parts = split_text(text, 200)
    assert "".join(parts) == text
    assert all(len(p) <= 200 for p in parts)
    assert all(p.rstrip().endswith(".") for p in parts)


def test_split_text_falls_back_to_clauses_then_spaces_then_blind_cuts():
    clauses = "one two three, " * 40
    assert all(p.endswith(", ") for p in split_text(clauses, 100)[:-1])
    words = "word " * 100
    assert all(p.endswith(" ") for p in split_text(words, 64)[:-1])
    blob = "x" * 250
    assert split_text(blob, 100) == ["x" * 100, "x" * 100, "x" * 50]
    assert split_text("short", 100) == ["short"]


@given(st.text(alphabet=st.sampled_from("ab .,!?\u2014\n\"'"), max_size=600), st.integers(1, 120))
def test_split_text_keeps_every_character_within_the_limit(text, limit):
    parts = split_text(text, limit)
    assert "".join(parts) == text
    assert all(len(p) <= limit for p in parts)
    assert all(parts) or parts == [""]


def test_verified_accepts_a_plausible_clip():
    clip = Clip(bytes(2 * 22050 * 3), 22050)  # 3 s for 10 words at 175 wpm
    assert verified(clip, "one two three four five six seven eight nine ten", 175) is clip


@pytest.mark.parametrize(
    ("seconds", "text", "rate", "problem"),
    [
        (0.0, "Hello there.", 175, "too short"),
        (0.2, "one two three four five six seven eight nine ten", 175, "too short"),
        (0.4, "one two three four five six seven eight nine ten", 80, "too short"),
        (30.0, "Hello there.", 175, "too long"),
    ],
)
def test_verified_refuses_empty_short_and_runaway_clips(seconds, text, rate, problem):
    with pytest.raises(SynthesisError, match=problem):
        verified(Clip(bytes(2 * int(22050 * seconds)), 22050), text, rate)


def test_text_with_nothing_to_say_becomes_a_short_silence():
    clip = verified(Clip(b"", 22050), "... \u2014 !", 175)
    assert clip.samples == bytes(2 * 22050 * SILENCE_MS // 1000)


# --- the real engine, in this process ---------------------------------------------------------------


def test_every_catalogue_voice_and_variant_is_taken_by_the_engine(espeak):
    speaker = engine._speaker()
    for voice in voices.list_voices():
        speaker._apply(Voice(voice.id))  # raises unless the library reports that very voice back
    for variant in voices.list_variants():
        speaker._apply(Voice(f"en-gb+{variant.id}"))


def test_pyttsx3_alone_refuses_language_names(espeak):
    """Why ids are translated: the library selects voices by file name, not by language."""
    engine._speaker()
    driver = voices.pyttsx3_engine().proxy._driver
    with pytest.raises(ValueError):
        driver.setProperty("voice", "en-gb")


def test_a_refused_or_silently_dropped_voice_is_an_error(espeak, monkeypatch):
    monkeypatch.setattr(engine.voices, "engine_voice_name", lambda voice_id: "en-gb")
    with pytest.raises(VoiceError, match="refused"):
        render(Utterance(SENTENCE, Voice("en-gb")))
    # An unknown variant file is dropped without an error code: only the read-back notices.
    monkeypatch.setattr(engine.voices, "engine_voice_name", lambda voice_id: "gmw/en+nosuchvariant")
    with pytest.raises(VoiceError, match="kept voice"):
        render(Utterance(SENTENCE, Voice("en-gb")))


def test_rate_really_applies(espeak):
    slow = render(Utterance(SENTENCE, Voice("en-us", rate=120)))
    fast = render(Utterance(SENTENCE, Voice("en-us", rate=300)))
    assert slow.seconds / fast.seconds > 1.8  # 2.5 if the rates were exact


def test_pitch_and_voice_really_apply(espeak):
    low = pitch_hz(render(Utterance(SENTENCE, Voice("en-us", pitch=5))))
    high = pitch_hz(render(Utterance(SENTENCE, Voice("en-us", pitch=95))))
    assert high / low > 1.5
    male = pitch_hz(render(Utterance(SENTENCE, Voice("en-us+m3"))))
    female = pitch_hz(render(Utterance(SENTENCE, Voice("en-us+f3"))))
    assert female / male > 1.5
    # The settings of one clip never leak into the next: back to the same voice, the same pitch.
    assert pitch_hz(render(Utterance(SENTENCE, Voice("en-us+m3")))) == pytest.approx(male, rel=0.1)


def test_volume_really_applies(espeak):
    loud = render(Utterance(SENTENCE, Voice("en-us", volume=1.0)))
    quiet = render(Utterance(SENTENCE, Voice("en-us", volume=0.25)))
    assert max(array("h", loud.samples)) > 3 * max(array("h", quiet.samples))


def test_clips_are_22050_hz_16_bit_mono_and_plausibly_long(espeak):
    clip = render(Utterance(SENTENCE, Voice("en-gb-x-rp+f1")))
    assert clip.frame_rate == 22050
    assert len(clip.samples) % 2 == 0
    assert 2.0 < clip.seconds < 8.0


def test_punctuation_only_text_renders_without_failing(espeak):
    for text in ("...", "\u2014", ""):
        assert render(Utterance(text, Voice("en-us"))).seconds < 1.0


# --- worker processes -------------------------------------------------------------------------------


def test_long_text_renders_in_a_worker_without_crashing(espeak):
    sentences = " ".join(f"This is sentence {i} of a very long paragraph." for i in range(200))
    run_on = ", and then ".join(["the rain kept falling on the roof"] * 150)  # one 6,000-char sentence
    text = f"{sentences} {run_on}."
    assert len(text) > 13_000
    with EnginePool(1) as pool:
        [(_, clip)] = list(pool.imap_unordered([Utterance(text, Voice("en-us", rate=300))]))
        assert pool.restarts == 0
    words = len(text.split())
    assert clip.seconds > 0.5 * words * 60 / 300


def test_results_arrive_for_every_utterance_on_two_workers(espeak):
    utterances = [Utterance(f"Clip number {i} is short.", Voice("en-us")) for i in range(12)]
    with EnginePool(2) as pool:
        results = dict(pool.imap_unordered(utterances))
    assert set(results) == set(utterances)
    assert all(clip.seconds > 0.5 for clip in results.values())


def test_a_worker_that_crashes_is_replaced_and_the_clip_retried(espeak, marker):
    utterance = Utterance(SENTENCE, Voice("en-us"))
    with EnginePool(1, crash_once) as pool:
        [(done, clip)] = list(pool.imap_unordered([utterance]))
        assert pool.restarts == 1
    assert marker.exists() and done == utterance and clip.seconds > 1


def test_a_worker_that_hangs_is_killed_and_the_clip_retried(espeak, marker):
    utterance = Utterance(SENTENCE, Voice("en-us"))
    started = time.monotonic()
    with EnginePool(1, hang_once, base_timeout_s=3.0) as pool:
        [(_, clip)] = list(pool.imap_unordered([utterance]))
        assert pool.restarts == 1
    assert clip.seconds > 1 and time.monotonic() - started < 15


def test_an_empty_clip_is_retried_on_the_same_worker(espeak, marker):
    with EnginePool(1, empty_once) as pool:
        [(_, clip)] = list(pool.imap_unordered([Utterance(SENTENCE, Voice("en-us"))]))
        assert pool.restarts == 0
    assert marker.exists() and clip.seconds > 1


def test_a_clip_that_always_fails_raises_naming_its_text(espeak):
    utterance = Utterance("Doomed sentence that never renders, whatever happens.", Voice("en-us"))
    with EnginePool(1, crash_always, attempts=3) as pool:
        with pytest.raises(SynthesisError, match=r"failed 3 times on 'Doomed sentence that never rende") as error:
            list(pool.imap_unordered([utterance]))
        assert pool.restarts == 3
    assert "died" in str(error.value)


def test_an_unknown_voice_fails_at_once_without_retries(espeak):
    with EnginePool(1) as pool:
        with pytest.raises(VoiceError, match="unknown voice 'en-zz'"):
            list(pool.imap_unordered([Utterance(SENTENCE, Voice("en-zz"))]))
        assert pool.restarts == 0


def test_a_bug_in_a_task_keeps_its_remote_traceback(espeak):
    with EnginePool(1, broken_task) as pool:
        with pytest.raises(KeyError) as error:
            list(pool.imap_unordered([Utterance(SENTENCE, Voice("en-us"))]))
    assert "broken_task" in "".join(error.value.__notes__)


def test_worker_stdout_is_silenced(espeak, capfd):
    with EnginePool(1, print_and_render) as pool:
        list(pool.imap_unordered([Utterance(SENTENCE, Voice("en-us"))]))
    assert "Audio saved to" not in capfd.readouterr().out


# --- SSML emphasis ----------------------------------------------------------------------------------


def test_ssml_marks_each_emphasis_span_and_escapes_markup():
    assert engine.ssml("I <3 *you* & me", ((6, 9),)) == (
        "<speak>I &lt;3 *<emphasis>you</emphasis>* &amp; me</speak>"
    )
    assert engine.ssml("plain", ()) == "<speak>plain</speak>"


def test_long_text_is_split_with_each_span_kept_in_its_part():
    text = "word " * 300 + "never again."
    start = text.index("never")
    parts = engine.marked_parts(text, ((start, start + 5),))
    assert len(parts) > 1 and all(len(part) <= engine.MAX_PART_CHARS for part, is_ssml in parts if not is_ssml)
    assert [is_ssml for _, is_ssml in parts] == [False] * (len(parts) - 1) + [True]
    unmarked = re.sub(r"</?(speak|emphasis)>", "", parts[-1][0])
    assert "".join(part for part, _ in parts[:-1]) + unmarked == text
    assert parts[-1][0].endswith("<emphasis>never</emphasis> again.</speak>")


def test_pyttsx3_speaks_emphasis(espeak):
    text = "I never said that you had to come."
    plain = render(Utterance(text, Voice("en-us")))
    stressed = render(Utterance(text, Voice("en-us"), emphasis=((2, 7),)))
    assert stressed.seconds > plain.seconds
