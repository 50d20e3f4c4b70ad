"""chunks: where the book is cut, what a chunk's key covers, pauses kept across cuts, LAME's frames."""

from __future__ import annotations

import math
import subprocess
from dataclasses import replace

import pytest
from conftest import require_tool

from pipeline import chunks
from pipeline.chunks import (
    ENCODER_DELAY, FRAME_SAMPLES, MAX_CHUNK_CHARS, MIN_CHUNK_CHARS, MIN_CUT_PAUSE_MS, count_frames, is_landmark,
    plan_chunks, trailing_silence,
)  # fmt: skip
from pipeline.errors import AssemblyError
from pipeline.model import Cue, Utterance, Voice

NARRATOR, NELL = Voice("en-us"), Voice("en-gb+f3")


def cue(text: str, pause_ms: int, voice: Voice = NARRATOR) -> Cue:
    return Cue(Utterance(text, voice), pause_ms, chapter=1, segment=0)


def keys(cues: list[Cue]) -> list[str]:
    return [f"{c.utterance.voice.id}:{c.utterance.text}" for c in cues]


def story(nell_voice: Voice) -> list[Cue]:
    """Narration with Nell's lines here and there; pauses of every length the book uses."""
    cues = []
    for index in range(60):
        voice = nell_voice if index % 7 == 3 else NARRATOR
        cues.append(cue(f"Line {index} goes on for a while so that chunks fill up.", (100, 250, 600)[index % 3], voice))
    return cues


def test_cuts_fall_at_landmarks_after_enough_text_at_pauses_long_enough_to_hide_them():
    cues = story(NELL)
    planned = plan_chunks(cues, keys(cues))

    assert planned[0].first == 0 and planned[-1].end == len(cues)
    assert all(a.end == b.first for a, b in zip(planned, planned[1:]))
    for chunk in planned[:-1]:
        last = cues[chunk.end - 1]
        chars = sum(len(c.utterance.text) for c in cues[chunk.first : chunk.end])
        assert last.pause_after_ms >= MIN_CUT_PAUSE_MS and chars >= MIN_CHUNK_CHARS
        assert is_landmark(last.utterance.text) or chars >= MAX_CHUNK_CHARS
        assert chunk.gap_samples == chunks.ms_to_samples(cues[chunk.end - 1].pause_after_ms)
    assert planned[-1].gap_samples == 0
    assert 3 <= len(planned) <= 15


def test_a_voice_change_changes_only_the_keys_of_chunks_where_that_voice_speaks():
    before, after = story(NELL), story(replace(NELL, id="en-gb+f4"))
    old, new = plan_chunks(before, keys(before)), plan_chunks(after, keys(after))

    assert [(c.first, c.end) for c in old] == [(c.first, c.end) for c in new]  # the cuts do not move
    for a, b in zip(old, new):
        nell_speaks = any(c.utterance.voice == NELL for c in before[a.first : a.end])
        assert (a.key != b.key) == nell_speaks


def test_an_edited_sentence_changes_only_the_chunks_next_to_it():
    cues = story(NELL) * 3
    edited = list(cues)
    edited[90] = cue(cues[90].utterance.text.replace("for a while", "for a good long while, longer than before"), 250)

    old, new = plan_chunks(cues, keys(cues)), plan_chunks(edited, keys(edited))

    assert len({c.key for c in new} - {c.key for c in old}) <= 2


def test_a_pause_change_changes_the_key():
    cues = story(NELL)
    longer = list(cues)
    longer[2] = replace(longer[2], pause_after_ms=longer[2].pause_after_ms + 50)
    assert plan_chunks(cues, keys(cues))[0].key != plan_chunks(longer, keys(longer))[0].key


@pytest.mark.parametrize("gap_ms", [MIN_CUT_PAUSE_MS, 250, 350, 600, 1500, 2500])
def test_the_pause_heard_across_a_cut_is_the_one_configured_to_half_a_frame(gap_ms):
    gap = round(gap_ms * 22.05)
    for content in range(1, 3 * FRAME_SAMPLES, 37):
        silence = trailing_silence(content, gap)
        frames = math.ceil((content + silence) / FRAME_SAMPLES) + 2  # what LAME writes
        padding = frames * FRAME_SAMPLES - ENCODER_DELAY - content - silence
        heard = silence + padding + ENCODER_DELAY  # the next chunk's delay
        assert silence % FRAME_SAMPLES == 0 and silence >= 0
        assert abs(heard - gap) <= FRAME_SAMPLES // 2


@pytest.mark.parametrize("samples", [1, FRAME_SAMPLES, 22050, 100_000])
def test_lame_writes_the_frames_the_timeline_counts_on(tmp_path, samples):
    lame = require_tool("lame")
    out = tmp_path / "chunk.mp3"
    subprocess.run(
        [lame, "--silent", "-r", "-s", "22.05", "--bitwidth", "16", "--signed", "--little-endian",
         "-m", "m", "-b", "64", "--cbr", "-t", "-", str(out)],
        input=bytes(2 * samples), check=True, capture_output=True,
    )  # fmt: skip
    assert count_frames(out) == math.ceil(samples / FRAME_SAMPLES) + 2


def test_counting_frames_refuses_what_is_not_book_mp3(tmp_path):
    junk = tmp_path / "junk.mp3"
    junk.write_bytes(b"RIFF....WAVEfmt ")
    with pytest.raises(AssemblyError, match="not an MP3 frame at byte 0"):
        count_frames(junk)


def test_a_cut_short_chunk_is_not_taken_from_the_cache(tmp_path):
    cues = story(NELL)[:3]
    chunk = plan_chunks(cues, keys(cues))[0]
    mp3, description = chunks.chunk_paths(tmp_path, chunk.key)
    mp3.parent.mkdir(parents=True)
    mp3.write_bytes(b"\xff" * 100)
    description.write_text('{"frames": 1, "size": 209, "clip_samples": [1, 2, 3]}', encoding="utf-8")
    assert chunks.load_chunk(tmp_path, chunk.key) is None
    description.write_text('{"frames": 1, "size": 100, "clip_samples": [1, 2, 3]}', encoding="utf-8")
    assert chunks.load_chunk(tmp_path, chunk.key).clip_samples == (1, 2, 3)
