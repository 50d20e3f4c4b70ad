"""Chapters JSON and WebVTT: formatting on hand-made books, and agreement with a real MP3's chapters and audio."""

from __future__ import annotations

import json
import subprocess
from array import array

import pytest
from conftest import require_tool

from pipeline.model import BOOK_FRAME_RATE, DIALOGUE, NARRATION, THOUGHT, Book, Chapter, Cue, Segment, Utterance, Voice
from pipeline.publish import chapters_path, transcript_path
from pipeline.transcript import chapters_json, read_webvtt, segment_spans, timestamp, webvtt

TOLERANCE_MS = 50  # the bound between chapters JSON, VTT, ID3 chapters and audio
VOICE = Voice(id="en-us")


def segment(kind: str, speaker: str | None, text: str, chapter: int = 1) -> Segment:
    return Segment(start=0, end=len(text), kind=kind, speaker=speaker, chapter=chapter, paragraph=0, text=text)


def book_of(*segments: Segment, chapters=(Chapter(1, "One", 0, 0),)) -> Book:
    return Book(title="T", author="A", source="t.txt", text="", chapters=chapters, segments=segments,
                narrator=VOICE, cast=())  # fmt: skip


def cues_for(*segment_indexes: int) -> list[Cue]:
    return [Cue(Utterance(f"s{n}", VOICE), 250, 1, index) for n, index in enumerate(segment_indexes)]


def test_timestamp_is_hours_minutes_seconds_millis():
    assert timestamp(0) == "00:00:00.000"
    assert timestamp(3_723_045) == "01:02:03.045"
    assert timestamp(36_000_000) == "10:00:00.000"


@pytest.mark.parametrize(
    "text",
    ["00:00:00.000 --> 00:00:01.000\nno header", "WEBVTT\n\n0:00.000 --> 0:01.000\nshort timestamps",
     "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n"],
)
def test_reading_a_transcript_refuses_what_webvtt_does_not_write(text):
    with pytest.raises(ValueError):
        read_webvtt(text)


def test_a_segment_spans_from_its_first_cue_start_to_its_last_cue_end():
    cues = cues_for(0, 0, 1, 3, 3, 3)
    spans = [(0, 400), (650, 900), (1250, 1500), (2100, 2300), (2550, 2800), (3050, 3100)]
    assert segment_spans(cues, spans) == [(0, 0, 900), (1, 1250, 1500), (3, 2100, 3100)]


def test_spans_must_match_the_cues_one_for_one():
    with pytest.raises(ValueError):
        segment_spans(cues_for(0, 1), [(0, 10)])


def test_vtt_has_a_cue_per_spoken_segment_and_voice_spans_for_known_speakers():
    book = book_of(
        segment(NARRATION, "narrator", "The  door\nopened."),
        segment(DIALOGUE, "Nell", "Come in,"),
        segment(DIALOGUE, None, "Who said that?"),
        segment(NARRATION, "narrator", "…"),  # nothing to say: no cue, no transcript line
        segment(THOUGHT, "Rowan", "Not again."),
    )
    vtt = webvtt(book, cues_for(0, 1, 2, 4), [(50, 900), (1250, 1800), (2150, 2900), (3250, 4000)])
    assert read_webvtt(vtt) == [
        (0, 900, "The door opened."),  # from the start of the file: only priming silence comes before
        (1250, 1800, "<v Nell>Come in,</v>"),
        (2150, 2900, "Who said that?"),
        (3250, 4000, "<v Rowan>Not again.</v>"),
    ]


def test_vtt_escapes_markup_in_text_and_speaker_names():
    book = book_of(segment(DIALOGUE, "Ann <Bo>", "Fish & chips --> now <b>."))
    vtt = webvtt(book, cues_for(0), [(0, 500)])
    assert read_webvtt(vtt)[0][2] == "<v Ann &lt;Bo&gt;>Fish &amp; chips --&gt; now &lt;b&gt;.</v>"


def test_chapters_json_is_podcasting_2_0_with_start_times_in_seconds():
    chapters = (Chapter(2, "Later", 10, 20), Chapter(1, "First & foremost", 0, 10))
    document = json.loads(chapters_json(book_of(chapters=chapters), [0, 61_234]))
    assert document["version"] == "1.2.0"
    assert document["chapters"] == [
        {"startTime": 0.0, "title": "First & foremost"},
        {"startTime": 61.234, "title": "Later"},
    ]


# --- a real build: sidecars, ID3 chapters and the audio itself agree ---


def probed_chapters(mp3) -> list[tuple[float, str]]:
    out = subprocess.run(
        [require_tool("ffprobe"), "-v", "error", "-show_chapters", "-of", "json", str(mp3)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return [(float(c["start_time"]) * 1000, c["tags"]["title"]) for c in json.loads(out)["chapters"]]


def decoded(mp3) -> array:
    pcm = subprocess.run(
        [require_tool("ffmpeg"), "-v", "error", "-i", str(mp3), "-f", "s16le", "-ac", "1", "-ar", str(BOOK_FRAME_RATE), "-"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    return array("h", pcm)


def loudest(samples: array, start_ms: int, end_ms: int) -> int:
    window = samples[start_ms * BOOK_FRAME_RATE // 1000 : end_ms * BOOK_FRAME_RATE // 1000]
    return max((abs(s) for s in window), default=0)


def test_chapters_json_vtt_and_id3_chapters_agree(published):
    out, reports = published
    mp3 = reports[0].output
    probed = probed_chapters(mp3)
    document = json.loads(chapters_path(mp3).read_text(encoding="utf-8"))
    assert [c["title"] for c in document["chapters"]] == [title for _, title in probed]
    assert [c["title"] for c in document["chapters"]] == ["Chapter 1: Crossing", "Chapter 2: The Far Shore"]
    for chapter, (probed_ms, _) in zip(document["chapters"], probed):
        assert abs(chapter["startTime"] * 1000 - probed_ms) <= TOLERANCE_MS

    cues = read_webvtt(transcript_path(mp3).read_text(encoding="utf-8"))
    starts = [start for start, _, _ in cues]
    for chapter in document["chapters"]:  # each chapter opens with its heading's cue
        assert min(abs(chapter["startTime"] * 1000 - start) for start in starts) <= TOLERANCE_MS
    assert all(end > start for start, end, _ in cues)
    assert all(next_start >= end for (_, end, _), (next_start, _, _) in zip(cues, cues[1:]))
    assert abs(cues[-1][1] - reports[0].duration_ms) <= TOLERANCE_MS  # the book ends with its last words
    assert "<v Petra>We'll miss the last bus,</v>" in [payload for _, _, payload in cues]
    assert "<v Jonah>" in "".join(payload for _, _, payload in cues)


def test_vtt_cues_are_where_the_speech_is_in_the_audio(published):
    _, reports = published
    mp3 = reports[0].output
    samples = decoded(mp3)
    cues = read_webvtt(transcript_path(mp3).read_text(encoding="utf-8"))
    for start, end, payload in cues:
        assert loudest(samples, start, end) > 1000, f"no speech under {payload!r}"
    for (_, end, _), (next_start, _, _) in zip(cues, cues[1:]):
        # The pause between segments is silent once 50 ms past the cue edges.
        assert loudest(samples, end + TOLERANCE_MS, next_start - TOLERANCE_MS) < 300
