"""synthesize(): cache keys, cached and fresh clips, trimming to the book format, atomic writes."""

from __future__ import annotations

import hashlib
import json
import math
import wave
from array import array
from dataclasses import replace
from pathlib import Path

import pytest
from pydub import AudioSegment
from pydub.silence import detect_leading_silence

from pipeline import engine, synthesis
from pipeline.engine import Clip
from pipeline.errors import SynthesisError
from pipeline.model import Utterance, Voice
from pipeline.synthesis import (
    BOOK_CHANNELS,
    BOOK_FRAME_RATE,
    BOOK_SAMPLE_WIDTH,
    KEEP_SILENCE_MS,
    book_format,
    clip_key,
    clip_path,
    is_valid_clip,
    store_clip,
    synthesize,
    write_clip,
)

from conftest import require_tool

UTTERANCE = Utterance("The lamp room was cold.", Voice("en-gb-x-rp+f3", rate=170, pitch=40, volume=0.8))


def tone(ms: int, rate: int = BOOK_FRAME_RATE, level: int = 8000) -> bytes:
    step = 2 * math.pi * 220 / rate
    return array("h", (int(level * math.sin(step * n)) for n in range(ms * rate // 1000))).tobytes()


def silence(ms: int, rate: int = BOOK_FRAME_RATE) -> bytes:
    return bytes(2 * (ms * rate // 1000))


def wav_params(path: Path) -> tuple[int, int, int, int]:
    with wave.open(str(path), "rb") as clip:
        return clip.getframerate(), clip.getnchannels(), clip.getsampwidth(), clip.getnframes()


def never_start_an_engine(*args, **kwargs):
    raise AssertionError("an engine was started")


# --- cache keys -------------------------------------------------------------------------------------


def test_clip_key_is_sha256_of_canonical_json():
    expected = json.dumps(
        {"clip": [3, 20, -50.0, -16.0, 0.45, -2.0], "emphasis": [], "engine": "E 1", "pitch": 40, "rate": 170,
         "text": "The lamp room was cold.", "voice": "en-gb-x-rp+f3", "volume": 0.8},
        separators=(",", ":"),
    )
    assert expected.startswith('{"clip":[3,20,-50.0,-16.0,0.45,-2.0],"emphasis":[],"engine":"E 1","pitch":40,')
    assert clip_key(UTTERANCE, "E 1") == hashlib.sha256(expected.encode()).hexdigest()


@pytest.mark.parametrize(
    "changed",
    [
        replace(UTTERANCE, text="The lamp room was cold!"),
        replace(UTTERANCE, voice=replace(UTTERANCE.voice, id="en-gb-x-rp+f2")),
        replace(UTTERANCE, voice=replace(UTTERANCE.voice, rate=171)),
        replace(UTTERANCE, voice=replace(UTTERANCE.voice, pitch=41)),
        replace(UTTERANCE, voice=replace(UTTERANCE.voice, volume=0.81)),
    ],
)
def test_clip_key_changes_with_every_field(changed):
    assert clip_key(changed, "E 1") != clip_key(UTTERANCE, "E 1")


def test_clip_key_changes_with_the_engine_and_ignores_int_float_volume():
    assert clip_key(UTTERANCE, "E 1") != clip_key(UTTERANCE, "E 2")
    whole = replace(UTTERANCE, voice=replace(UTTERANCE.voice, volume=1))
    assert clip_key(whole, "E 1") == clip_key(replace(whole, voice=replace(whole.voice, volume=1.0)), "E 1")


def test_clip_path_shards_by_the_first_two_characters(tmp_path):
    key = clip_key(UTTERANCE, "E 1")
    assert clip_path(tmp_path, key) == tmp_path / key[:2] / f"{key}.wav"


# --- book format and writing ------------------------------------------------------------------------


def test_book_format_trims_silence_to_a_margin():
    clip = Clip(silence(400) + tone(300) + silence(600), BOOK_FRAME_RATE)
    audio = AudioSegment(data=book_format(clip), sample_width=2, frame_rate=BOOK_FRAME_RATE, channels=1)
    assert abs(len(audio) - (300 + 2 * KEEP_SILENCE_MS)) <= 12
    assert detect_leading_silence(audio) <= KEEP_SILENCE_MS + 10
    assert detect_leading_silence(audio.reverse()) <= KEEP_SILENCE_MS + 10


def test_book_format_resamples_other_rates():
    clip = Clip(tone(500, rate=16000), 16000)  # as MBROLA voices speak
    assert abs(len(book_format(clip)) // 2 - BOOK_FRAME_RATE // 2) < 50


def test_book_format_keeps_a_clip_of_pure_silence():
    assert book_format(Clip(silence(100), BOOK_FRAME_RATE)) == silence(100)


def test_write_clip_is_complete_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "ab" / "abc.wav"
    write_clip(path, tone(200))
    assert is_valid_clip(path)
    assert wav_params(path) == (BOOK_FRAME_RATE, BOOK_CHANNELS, BOOK_SAMPLE_WIDTH, len(tone(200)) // 2)
    assert [p.name for p in path.parent.iterdir()] == ["abc.wav"]


def test_an_interrupted_write_leaves_neither_clip_nor_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "ab" / "abc.wav"

    def interrupted(source, target):
        raise KeyboardInterrupt

    monkeypatch.setattr(synthesis.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_clip(path, tone(200))
    assert list(path.parent.iterdir()) == []


def test_a_clip_that_cannot_be_written_is_a_synthesis_error(tmp_path):
    (tmp_path / "ab").write_text("a file where the shard directory should be")
    with pytest.raises(SynthesisError, match="cannot write clip"):
        store_clip(tmp_path / "ab" / "abc.wav", tone(100))


@pytest.mark.parametrize(
    "content",
    [b"", b"RIFF\x00\x00", None],  # empty, garbage, a WAV cut short (None: made below)
)
def test_broken_cache_files_are_not_valid(tmp_path, content):
    path = tmp_path / "clip.wav"
    if content is None:
        write_clip(path, tone(200))
        content = path.read_bytes()[:-100]
    path.write_bytes(content)
    assert not is_valid_clip(path)
    assert not is_valid_clip(tmp_path / "missing.wav")


def test_clips_in_another_format_are_not_valid(tmp_path):
    path = tmp_path / "clip.wav"
    with wave.open(str(path), "wb") as clip:
        clip.setnchannels(1)
        clip.setsampwidth(2)
        clip.setframerate(16000)
        clip.writeframes(tone(100, rate=16000))
    assert not is_valid_clip(path)


# --- synthesize with the real engine ----------------------------------------------------------------


def test_synthesize_renders_each_distinct_utterance_once(cache_dir):
    require_tool("espeak-ng")
    voice = Voice("en-us")
    texts = ["First line.", "Second line, a little longer.", "First line.", "Third and last line."]
    utterances = [Utterance(t, voice) for t in texts] + [Utterance("First line.", Voice("en-gb+f2"))]
    heard: list[Utterance] = []

    result = synthesize(utterances, cache_dir, jobs=2, on_ready=heard.append)

    assert list(result.clips) == list(dict.fromkeys(utterances))
    assert (len(result.fresh), len(result.clips) - len(result.fresh), len(heard)) == (4, 0, 4)
    assert set(heard) == set(utterances)
    assert result.fresh == set(utterances)
    for utterance, path in result.clips.items():
        assert path == clip_path(cache_dir, clip_key(utterance, engine.engine_id()))
        rate, channels, width, frames = wav_params(path)
        assert (rate, channels, width) == (BOOK_FRAME_RATE, BOOK_CHANNELS, BOOK_SAMPLE_WIDTH)
        assert frames > 0.3 * BOOK_FRAME_RATE
        audio = AudioSegment.from_wav(path)
        assert detect_leading_silence(audio) <= KEEP_SILENCE_MS + 10
        assert detect_leading_silence(audio.reverse()) <= KEEP_SILENCE_MS + 10
    assert not list(cache_dir.rglob("*.tmp"))


def test_cached_clips_are_reused_without_starting_an_engine(cache_dir, monkeypatch):
    require_tool("espeak-ng")
    utterances = [Utterance(f"Cached line {i}.", Voice("en-us")) for i in range(3)]
    first = synthesize(utterances, cache_dir, jobs=2)
    stamps = {path: path.stat().st_mtime_ns for path in first.clips.values()}
    monkeypatch.setattr(engine, "EnginePool", never_start_an_engine)
    monkeypatch.setattr(engine, "render", never_start_an_engine)
    heard: list[Utterance] = []

    again = synthesize(list(reversed(utterances)), cache_dir, jobs=2, on_ready=heard.append)

    assert (len(again.fresh), len(again.clips), heard, again.fresh) == (0, 3, list(reversed(utterances)), frozenset())
    assert dict(again.clips) == dict(first.clips)
    assert {path: path.stat().st_mtime_ns for path in again.clips.values()} == stamps


def test_a_broken_cache_entry_is_rendered_again(cache_dir):
    require_tool("espeak-ng")
    utterances = [Utterance("Kept line.", Voice("en-us")), Utterance("Broken line.", Voice("en-us"))]
    first = synthesize(utterances, cache_dir)
    broken = first.clips[utterances[1]]
    broken.write_bytes(broken.read_bytes()[:60])

    again = synthesize(utterances, cache_dir)

    assert (len(again.fresh), len(again.clips) - len(again.fresh), again.fresh) == (1, 1, {utterances[1]})
    assert is_valid_clip(broken)


def test_results_do_not_depend_on_order_or_worker_count(tmp_path):
    require_tool("espeak-ng")
    utterances = [Utterance(f"Line {i} of the story.", Voice("en-us+m3")) for i in range(6)]
    one = synthesize(utterances, tmp_path / "one", jobs=1)
    two = synthesize(list(reversed(utterances)), tmp_path / "two", jobs=2)
    assert {u: p.relative_to(tmp_path / "one") for u, p in one.clips.items()} == {
        u: p.relative_to(tmp_path / "two") for u, p in two.clips.items()
    }


def test_an_unusable_cache_directory_is_a_synthesis_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(SynthesisError, match="cannot create the clip cache"):
        synthesize([UTTERANCE], blocker / "cache")


def test_nothing_to_do_and_bad_jobs():
    assert synthesize([], Path("/nonexistent/cache")).clips == {}
    with pytest.raises(ValueError):
        synthesize([UTTERANCE], Path("/nonexistent/cache"), jobs=0)


def test_a_clip_write_killed_in_an_earlier_run_is_swept_when_the_clip_is_rendered(cache_dir):
    require_tool("espeak-ng")
    utterance = Utterance("A clip whose first write was killed.", Voice("en-us"))
    path = clip_path(cache_dir, clip_key(utterance, engine.engine_id()))
    path.parent.mkdir(parents=True)
    killed = path.with_name(f".{path.name}.{2**22 + 1}.tmp")  # no process has this pid
    killed.write_bytes(b"RIFF half a clip")

    synthesize([utterance], cache_dir, jobs=1)

    assert is_valid_clip(path)
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
