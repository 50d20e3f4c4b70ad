"""End to end with the real engine and encoder: story in, chaptered and tagged MP3 out."""

from __future__ import annotations

import dataclasses
import json
import subprocess
from pathlib import Path

import pytest
from conftest import require_tool
from mutagen.id3 import ID3

from pipeline import engine, render
from pipeline.book import make_book
from pipeline.build import build_story
from pipeline.chunks import MIN_CHUNK_CHARS, chunk_paths, is_landmark, plan_chunks
from pipeline.config import load_config, parse_config
from pipeline.ingest import read_story
from pipeline.speech import plan_cues
from pipeline.synthesis import clip_key

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "stories" / "the-lamp-room.txt"


def ffprobe(path: Path) -> dict:
    out = subprocess.run(
        [require_tool("ffprobe"), "-v", "error", "-show_format", "-show_streams", "-show_chapters", "-of", "json", str(path)],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    require_tool("espeak-ng")
    require_tool("ffmpeg")
    out = tmp_path_factory.mktemp("out")
    cache = tmp_path_factory.mktemp("cache")
    config = load_config(ROOT / "voices.yaml")
    report = build_story(SAMPLE, config, out, cache, jobs=2)
    return report, out, cache, config


def test_the_mp3_has_duration_chapters_and_tags(built):
    report, out, _, _ = built
    assert report.output == out / "the-lamp-room.mp3"
    probe = ffprobe(report.output)
    stream = probe["streams"][0]
    assert stream["codec_name"] == "mp3" and stream["channels"] == 1
    duration = float(probe["format"]["duration"]) - float(probe["format"].get("start_time", 0))
    assert abs(duration * 1000 - report.duration_ms) < 100
    assert 30_000 < report.duration_ms < 180_000  # about 330 words at 170 wpm, plus pauses
    titles = [c["tags"]["title"] for c in probe["chapters"]]
    assert titles == ["Chapter 1: The Storm", "Chapter 2: The Ship"]
    starts = [float(c["start_time"]) for c in probe["chapters"]]
    assert starts[0] == 0 and starts == sorted(starts) and starts[1] > 10
    tags = probe["format"]["tags"]
    assert tags["title"] == "The Lamp Room"
    assert tags["artist"] == "The audiobook authors"
    assert tags["genre"] == "Audiobook"
    assert ID3(report.output).version[:2] == (2, 3)


def test_several_voices_are_heard(built):
    report = built[0]
    assert report.voices >= 4  # narrator, Mara, Tobias, Finch
    assert report.synthesized == report.segments and report.cached == 0


def chunk_files(cache: Path) -> set[Path]:
    return set((cache / "chunks").rglob("*.mp3"))


def test_rebuild_with_nothing_changed_neither_speaks_nor_encodes_nor_writes(built, monkeypatch):
    report, out, cache, config = built
    mp3_stat = report.output.stat()

    def no_work(*args, **kwargs):
        raise AssertionError("a rebuild with nothing changed did work")

    monkeypatch.setattr(engine, "EnginePool", no_work)
    monkeypatch.setattr(render, "encode_chunk", no_work)
    again = build_story(SAMPLE, config, out, cache, jobs=2)

    assert (again.synthesized, again.cached) == (0, again.segments)
    assert not again.book.written and report.output.stat().st_mtime_ns == mp3_stat.st_mtime_ns
    assert again.book == dataclasses.replace(report.book, written=False)


def test_a_voice_change_speaks_and_encodes_only_that_voice(built):
    report, out, cache, config = built
    text = (ROOT / "voices.yaml").read_text(encoding="utf-8").replace("en-gb-scotland+m7", "en-gb+m4")
    changed = parse_config(text, "voices.yaml", load_config(None))
    before = chunk_files(cache)

    rebuilt = build_story(SAMPLE, changed, out, cache, jobs=2)

    finch_segments = 3  # Finch speaks in two paragraphs, one of them split by a tag
    assert rebuilt.synthesized == finch_segments
    assert rebuilt.cached == rebuilt.segments - finch_segments
    # Only the chunks holding Finch's lines are new; the cuts and the rest of the book are not.
    cues = plan_cues(make_book(read_story(SAMPLE), changed), changed.pauses)
    planned = plan_chunks(cues, [clip_key(cue.utterance, engine.engine_id()) for cue in cues])
    with_finch = [c for c in planned if any(cue.utterance.voice.id == "en-gb+m4" for cue in cues[c.first : c.end])]
    assert 0 < len(with_finch) < len(planned)
    assert chunk_files(cache) - before == {chunk_paths(cache, c.key)[0] for c in with_finch}
    assert rebuilt.book.written
    assert len(rebuilt.book.cue_spans_ms) == len(cues)
    assert ffprobe(rebuilt.output)["chapters"]


def test_a_passage_repeated_word_for_word_is_encoded_once_and_heard_twice(tmp_path):
    require_tool("espeak-ng")
    require_tool("lame")
    # Two sentences short of MIN_CHUNK_CHARS, then a landmark: each paragraph is exactly one chunk.
    opening = ("The bells rang out over the grey water of the bay, and the boats came home one by one "
               "before the dark. Nobody on the quay said a word while the last of them tied up, and the "
               "gulls settled on the posts along the harbour wall.")
    ending = next(e for n in range(100) if is_landmark(e := f"Then the lamps went out, one for each of {n} boats."))
    assert len(opening) < MIN_CHUNK_CHARS <= len(opening) + len(ending)
    refrain = f"{opening} {ending}"
    story = tmp_path / "refrain.txt"
    story.write_text(f"{refrain}\n\n{refrain}\n\n{refrain}\n", encoding="utf-8")
    config = load_config(None)
    cues = plan_cues(make_book(read_story(story), config), config.pauses)
    planned = plan_chunks(cues, [clip_key(cue.utterance, engine.engine_id()) for cue in cues])
    heard = []

    report = build_story(story, config, tmp_path / "out", tmp_path / "cache", jobs=2, progress=heard.append)

    assert len(planned) == 3 and planned[0].key == planned[1].key != planned[2].key
    assert len(chunk_files(tmp_path / "cache")) == 2
    assert sum(heard) == len(cues) == len(report.book.cue_spans_ms)
    starts = [start for start, _ in report.book.cue_spans_ms]
    assert starts[3] - starts[0] == pytest.approx(starts[6] - starts[3], abs=1)  # one chunk, heard twice
    duration = float(ffprobe(report.output)["format"]["duration"])
    assert duration == pytest.approx(report.duration_ms / 1000, abs=0.03)
