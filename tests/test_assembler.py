"""assemble(): chunks encoded by real LAME joined into one chaptered, tagged, atomic MP3, read back by ffmpeg."""

from __future__ import annotations

import dataclasses
import json
import math
import subprocess
import wave
from array import array
from pathlib import Path

import pytest
from mutagen.id3 import ID3, CTOCFlags

from pipeline import assembler, chunks
from pipeline.assembler import assemble
from pipeline.chunks import ENCODER_DELAY, encode_chunk, plan_chunks
from pipeline.errors import AssemblyError
from pipeline.model import BOOK_FRAME_RATE, Chapter, Cue, Utterance, Voice
from pipeline.tags import read_cover

from conftest import require_tool

VOICE = Voice(id="en-us")
CHAPTER_SLACK_S = 0.002  # ffprobe prints what the CHAP frames say, in milliseconds
HALF_FRAME_MS = 14  # how far a pause at a cut between chunks may be from the one configured (288 samples)


def tone(ms: int, frequency: float = 440.0) -> bytes:
    """*ms* of a quiet sine, 16-bit mono PCM at the book rate."""
    count = ms * BOOK_FRAME_RATE // 1000
    step = 2 * math.pi * frequency / BOOK_FRAME_RATE
    return array("h", (int(8000 * math.sin(step * n)) for n in range(count))).tobytes()


def write_wav(path: Path, pcm: bytes, *, rate: int = BOOK_FRAME_RATE, channels: int = 1) -> Path:
    with wave.open(str(path), "wb") as clip:
        clip.setnchannels(channels)
        clip.setsampwidth(2)
        clip.setframerate(rate)
        clip.writeframes(pcm)
    return path


def make_book(directory: Path, plan: list[tuple[int, int, int]]):
    """Cues and clips for *plan* rows (chapter, clip_ms, pause_ms); also each cue's start in samples and the total.

    Starts and total are of the input, before any encoder delay; the total stops after the last clip.
    """
    cues, clips, cue_starts = [], {}, []
    samples = 0
    for index, (chapter, clip_ms, pause_ms) in enumerate(plan):
        utterance = Utterance(text=f"Sentence number {index}.", voice=VOICE)
        pcm = tone(clip_ms, 220.0 + 40 * index)
        clips[utterance] = write_wav(directory / f"clip{index}.wav", pcm)
        cues.append(Cue(utterance=utterance, pause_after_ms=pause_ms, chapter=chapter, segment=index))
        cue_starts.append(samples)
        samples += len(pcm) // 2 + round(pause_ms * BOOK_FRAME_RATE / 1000)
    return cues, clips, cue_starts, samples - round(plan[-1][2] * BOOK_FRAME_RATE / 1000)


def encode_and_assemble(cues, clips, chapters, out, *, cache=None, order=None, **tags):
    """What a build does after synthesis: plan chunks, encode each (in *order*), join them."""
    cache = cache or out.parent / "cache"
    keys = [str(clips[cue.utterance]) if cue.utterance in clips else "none" for cue in cues]
    planned = plan_chunks(cues, keys)
    cue_clips = [clips.get(cue.utterance, Path("no-clip.wav")) for cue in cues]
    for chunk in order(planned) if order else planned:
        encode_chunk(chunk, cues, cue_clips, cache)
    return assemble(cues, planned, chapters, out, cache, title=tags.pop("title", "T"), author=tags.pop("author", "A"), **tags)


def decoded(path: Path) -> array:
    """The MP3 as ffmpeg decodes it: 16-bit samples."""
    pcm = subprocess.run(
        [require_tool("ffmpeg"), "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    return array("h", pcm)


def chapters_titled(*titles: str) -> list[Chapter]:
    return [Chapter(number=number, title=title, start=0, end=0) for number, title in enumerate(titles, 1)]


def probe(path: Path) -> dict:
    output = subprocess.run(
        [require_tool("ffprobe"), "-v", "error", "-show_format", "-show_streams", "-show_chapters", "-of", "json", str(path)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return json.loads(output)


def leftovers(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir() if ".tmp" in path.name)


@pytest.fixture
def tools():
    require_tool("lame")
    require_tool("ffmpeg")
    require_tool("ffprobe")


@pytest.fixture(params=[False, True], ids=["one-chunk", "chunk-per-cue"])
def chunked(request, monkeypatch):
    """Run the test on one chunk, and again with a chunk cut at every pause that allows it."""
    if request.param:
        cut_at_every_pause(monkeypatch)
    return request.param


def cut_at_every_pause(monkeypatch) -> None:
    monkeypatch.setattr(chunks, "MIN_CHUNK_CHARS", 1)
    monkeypatch.setattr(chunks, "LANDMARK_ODDS", 1)


THREE_CHAPTERS = [
    (1, 400, 250),
    (1, 700, 600),
    (1, 300, 2500),
    (2, 500, 350),
    (2, 900, 2500),
    (3, 650, 250),
    (3, 350, 0),
]



def to_samples(ms: int) -> int:
    return ms * BOOK_FRAME_RATE // 1000


def loudest(samples: array, start_ms: int, end_ms: int) -> int:
    return max((abs(s) for s in samples[to_samples(start_ms) : to_samples(end_ms)]), default=0)


def test_every_cue_is_heard_where_the_book_says_and_the_chapters_match(tools, chunked, tmp_path):
    cues, clips, _, total = make_book(tmp_path, THREE_CHAPTERS)
    titles = ("Arrival", "The Storm", "Home")
    out = tmp_path / "out" / "book.mp3"

    book = encode_and_assemble(cues, clips, chapters_titled(*titles), out, title="Tide", author="A. Writer")

    samples = decoded(out)
    assert book.path == out and out.is_file() and book.written
    assert book.duration_ms == round(len(samples) * 1000 / BOOK_FRAME_RATE)
    assert len(samples) >= ENCODER_DELAY + total
    spans = book.cue_spans_ms
    assert spans[0][0] == round(ENCODER_DELAY * 1000 / BOOK_FRAME_RATE)
    for (start, end), (_, clip_ms, pause_ms), following in zip(spans, THREE_CHAPTERS, [*spans[1:], None]):
        assert end - start == pytest.approx(clip_ms, abs=1)  # each end rounded to the millisecond
        assert loudest(samples, start + 5, end - 5) > 6000  # the tone is there from start to end...
        assert loudest(samples, start - 40, start - 30) < 100  # ...and not just before or after
        assert loudest(samples, end + 30, end + 40) < 100
        if following:
            # At a cut between chunks the pause keeps its length to half a frame; elsewhere exactly.
            assert following[0] - end == pytest.approx(pause_ms, abs=HALF_FRAME_MS if chunked else 1)
    assert book.chapter_starts_ms == (0, spans[3][0], spans[5][0])

    info = probe(out)
    (stream,) = info["streams"]
    assert (stream["codec_name"], stream["channels"], stream["sample_rate"]) == ("mp3", 1, "22050")
    assert int(stream["bit_rate"]) == 64000
    assert float(info["format"]["duration"]) == pytest.approx(book.duration_ms / 1000, abs=0.03)
    probed = info["chapters"]
    assert [chapter["tags"]["title"] for chapter in probed] == list(titles)
    for chapter, start_ms in zip(probed, book.chapter_starts_ms):
        assert float(chapter["start_time"]) == pytest.approx(start_ms / 1000, abs=CHAPTER_SLACK_S)
    assert float(probed[-1]["end_time"]) == pytest.approx(book.duration_ms / 1000, abs=0.001)

    tags = ID3(out)
    assert tags.version == (2, 3, 0)
    assert tags["TIT2"].text == ["Tide"]
    assert tags["TPE1"].text == ["A. Writer"]
    assert tags["TALB"].text == ["Tide"]
    assert tags["TCON"].text == ["Audiobook"]
    (toc,) = tags.getall("CTOC")
    assert toc.flags == CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED
    assert toc.child_element_ids == ["chp0", "chp1", "chp2"]
    frames = [tags[f"CHAP:{element_id}"] for element_id in toc.child_element_ids]
    assert [(f.start_time, f.end_time) for f in frames] == list(
        zip(book.chapter_starts_ms, (*book.chapter_starts_ms[1:], book.duration_ms))
    )
    assert [f.sub_frames["TIT2"].text[0] for f in frames] == list(titles)
    assert not leftovers(out.parent)


def test_the_book_is_the_same_whichever_order_its_chunks_were_encoded_in(tools, tmp_path, monkeypatch):
    cut_at_every_pause(monkeypatch)
    cues, clips, _, _ = make_book(tmp_path, THREE_CHAPTERS)
    chapters = chapters_titled("One", "Two", "Three")

    forward = encode_and_assemble(cues, clips, chapters, tmp_path / "a" / "book.mp3")
    backward = encode_and_assemble(cues, clips, chapters, tmp_path / "b" / "book.mp3", order=lambda c: c[::-1])

    assert len(plan_chunks(cues, [str(clips[c.utterance]) for c in cues])) == len(cues)  # every pause is >= 150 ms
    assert forward.path.read_bytes() == backward.path.read_bytes()
    assert forward == dataclasses.replace(backward, path=forward.path)


def test_a_current_book_is_not_written_again_and_any_change_rewrites_it(tools, tmp_path):
    cues, clips, _, _ = make_book(tmp_path, THREE_CHAPTERS[:3])
    out = tmp_path / "out" / "book.mp3"
    first = encode_and_assemble(cues, clips, chapters_titled("One"), out)
    out_stat = out.stat()

    again = assemble(cues, plan_chunks(cues, [str(clips[c.utterance]) for c in cues]), chapters_titled("One"), out,
                     tmp_path / "out" / "cache", title="T", author="A")  # fmt: skip
    assert not again.written and again == dataclasses.replace(first, written=False)
    assert out.stat().st_mtime_ns == out_stat.st_mtime_ns

    retitled = encode_and_assemble(cues, clips, chapters_titled("One"), out, title="New title")
    assert retitled.written and ID3(out)["TIT2"].text == ["New title"]

    out.write_bytes(out.read_bytes()[:-100])  # cut short: the manifest alone does not make it current
    assert encode_and_assemble(cues, clips, chapters_titled("One"), out, title="New title").written
    assert len(decoded(out)) * 1000 // BOOK_FRAME_RATE == pytest.approx(retitled.duration_ms, abs=1)


def test_chapters_without_cues_are_zero_length_and_in_order(tools, tmp_path):
    cues, clips, _, _ = make_book(tmp_path, [(1, 300, 250), (1, 300, 250), (3, 300, 250)])
    chapters = chapters_titled("One", "Two (empty)", "Three", "Four (empty)")

    book = encode_and_assemble(cues, clips, chapters, tmp_path / "book.mp3")

    third = book.cue_spans_ms[2][0]
    assert book.chapter_starts_ms == (0, third, third, book.duration_ms)
    probed = probe(book.path)["chapters"]
    assert [c["tags"]["title"] for c in probed] == [c.title for c in chapters]
    assert [float(c["start_time"]) for c in probed] == sorted(float(c["start_time"]) for c in probed)


def test_chapter_order_survives_titles_of_very_different_lengths(tools, tmp_path):
    # mutagen saves frames shortest-first, which would put "III" first and the long title last.
    titles = ("Prologue", "Chapter Two: The Long Road Home Through the Crypt of Forgotten Names", "III")
    cues, clips, _, _ = make_book(tmp_path, [(1, 300, 250), (2, 300, 250), (3, 300, 250)])

    book = encode_and_assemble(cues, clips, chapters_titled(*titles), tmp_path / "book.mp3")

    probed = probe(book.path)["chapters"]
    assert [c["tags"]["title"] for c in probed] == list(titles)
    assert [round(float(c["start_time"]) * 1000) for c in probed] == list(book.chapter_starts_ms)


def test_cover_art_is_embedded_as_front_cover(tools, tmp_path):
    cover = tmp_path / "cover.jpg"
    subprocess.run(
        [require_tool("ffmpeg"), "-v", "error", "-f", "lavfi", "-i", "color=c=navy:s=32x32", "-frames:v", "1", str(cover)],
        check=True,
    )  # fmt: skip
    cues, clips, _, _ = make_book(tmp_path, [(1, 300, 250)])

    book = encode_and_assemble(cues, clips, chapters_titled("One"), tmp_path / "book.mp3", cover=read_cover(cover))

    (picture,) = ID3(book.path).getall("APIC")
    assert (picture.mime, picture.type, picture.data) == ("image/jpeg", 3, cover.read_bytes())


def test_two_thousand_clips_join_in_linear_time(tools, tmp_path):
    pcm = tone(100)
    cues, clips = [], {}
    for index in range(2000):
        utterance = Utterance(text=f"Line {index}.", voice=VOICE)
        clips[utterance] = write_wav(tmp_path / f"c{index}.wav", pcm)
        cues.append(Cue(utterance=utterance, pause_after_ms=20, chapter=1 + index // 500, segment=index))
    chapters = chapters_titled("One", "Two", "Three", "Four")

    book = encode_and_assemble(cues, clips, chapters, tmp_path / "book.mp3")

    per_cue = len(pcm) // 2 + 441
    assert book.cue_spans_ms[-1][1] == round((ENCODER_DELAY + 2000 * per_cue - 441) * 1000 / BOOK_FRAME_RATE)
    assert book.chapter_starts_ms[1:] == tuple(
        round((ENCODER_DELAY + n * 500 * per_cue) * 1000 / BOOK_FRAME_RATE) for n in range(1, 4)
    )
    assert round(len(decoded(book.path)) * 1000 / BOOK_FRAME_RATE) == book.duration_ms


def test_repeated_utterance_reuses_its_clip(tools, tmp_path):
    cues, clips, _, _ = make_book(tmp_path, [(1, 300, 100)])
    book = encode_and_assemble(cues * 3, clips, chapters_titled("One"), tmp_path / "book.mp3")
    assert [end - start for start, end in book.cue_spans_ms] == pytest.approx([300, 300, 300], abs=1)
    assert book.cue_spans_ms[2][0] - book.cue_spans_ms[0][0] == pytest.approx(800, abs=1)


def test_clip_ending_mid_sample_does_not_shift_the_rest(tools, tmp_path):
    cues, clips, _, _ = make_book(tmp_path, [(1, 300, 0), (1, 300, 0)])
    first = clips[cues[0].utterance]
    first.write_bytes(first.read_bytes()[:-1])  # the header still claims the full data chunk

    book = encode_and_assemble(cues, clips, chapters_titled("One"), tmp_path / "book.mp3")

    assert book.cue_spans_ms[1][0] == book.cue_spans_ms[0][1] == 50 + 300  # one sample short of 300 ms
    assert round(len(decoded(book.path)) * 1000 / BOOK_FRAME_RATE) == book.duration_ms


@pytest.mark.parametrize("existing", [False, True], ids=["no-previous-book", "previous-book"])
def test_encoder_failure_leaves_no_output_and_no_temp_file(tools, tmp_path, existing, monkeypatch):
    cues, clips, _, _ = make_book(tmp_path, [(1, 300, 250)])
    out = tmp_path / "book.mp3"
    if existing:
        out.write_bytes(b"the previous book")
    monkeypatch.setattr(chunks, "lame_path", lambda: require_tool("false"))

    with pytest.raises(AssemblyError, match=r"lame could not encode the MP3: no error message"):
        encode_and_assemble(cues, clips, chapters_titled("One"), out)

    assert not leftovers(tmp_path) and not list((tmp_path / "cache").rglob("*.*"))
    if existing:
        assert out.read_bytes() == b"the previous book"
    else:
        assert not out.exists()


def test_interrupt_while_tagging_removes_temp_file_and_keeps_previous_book(tools, tmp_path, monkeypatch):
    cues, clips, _, _ = make_book(tmp_path, [(1, 300, 250)])
    out = tmp_path / "book.mp3"
    out.write_bytes(b"the previous book")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(assembler, "write_tags", interrupted)
    with pytest.raises(KeyboardInterrupt):
        encode_and_assemble(cues, clips, chapters_titled("One"), out)

    assert out.read_bytes() == b"the previous book"
    assert not leftovers(tmp_path)


def test_interrupt_while_encoding_stops_lame_and_removes_temp_file(tools, tmp_path, monkeypatch):
    cues, clips, _, _ = make_book(tmp_path, [(1, 300, 250), (1, 300, 250), (2, 300, 250)])
    opened = []
    open_clip = chunks.open_clip

    def interrupted_on_the_second_cue(path, utterance):
        opened.append(path)
        if len(opened) == 2:
            raise KeyboardInterrupt
        return open_clip(path, utterance)

    monkeypatch.setattr(chunks, "open_clip", interrupted_on_the_second_cue)
    with pytest.raises(KeyboardInterrupt):
        encode_and_assemble(cues, clips, chapters_titled("One", "Two"), tmp_path / "book.mp3")

    assert not (tmp_path / "book.mp3").exists()
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]


def test_abandoned_temp_file_of_a_killed_build_is_removed(tools, tmp_path):
    cues, clips, _, _ = make_book(tmp_path, [(1, 300, 250)])
    dead_pid = 2**22 + 1  # above the largest pid Linux hands out
    abandoned = tmp_path / f".book.mp3.{dead_pid}.tmp.mp3"
    abandoned.write_bytes(b"half a book")

    encode_and_assemble(cues, clips, chapters_titled("One"), tmp_path / "book.mp3")

    assert not abandoned.exists()


def test_missing_clip_file_is_named(tools, tmp_path):
    cues, clips, _, _ = make_book(tmp_path, [(1, 300, 250), (1, 300, 250)])
    missing = clips[cues[1].utterance]
    missing.unlink()
    out = tmp_path / "book.mp3"

    with pytest.raises(AssemblyError, match=f"clip {missing} is missing"):
        encode_and_assemble(cues, clips, chapters_titled("One"), out)
    assert not out.exists() and not leftovers(tmp_path)


@pytest.mark.parametrize(
    ("rate", "channels", "described"),
    [(44100, 1, "44100 Hz, 1 channel"), (22050, 2, "22050 Hz, 2 channel")],
)
def test_clip_not_in_book_format_is_named(tools, tmp_path, rate, channels, described):
    cues, clips, _, _ = make_book(tmp_path, [(1, 300, 250)])
    odd = write_wav(clips[cues[0].utterance], tone(300) * channels, rate=rate, channels=channels)

    with pytest.raises(AssemblyError, match=f"clip {odd} is {described}"):
        encode_and_assemble(cues, clips, chapters_titled("One"), tmp_path / "book.mp3")


def test_clip_that_is_not_wav_is_named(tools, tmp_path):
    cues, clips, _, _ = make_book(tmp_path, [(1, 300, 250)])
    garbage = clips[cues[0].utterance]
    garbage.write_bytes(b"ID3 not a wave file at all")

    with pytest.raises(AssemblyError, match=f"clip {garbage} is not a readable WAV file"):
        encode_and_assemble(cues, clips, chapters_titled("One"), tmp_path / "book.mp3")


def test_chunk_missing_from_the_cache_is_an_assembly_error(tools, tmp_path):
    cues, clips, _, _ = make_book(tmp_path, [(1, 300, 250)])
    planned = plan_chunks(cues, ["key"])
    with pytest.raises(AssemblyError, match=f"encoded chunk {planned[0].key[:12]} is missing"):
        assemble(cues, planned, chapters_titled("One"), tmp_path / "book.mp3", tmp_path / "cache", title="T", author="A")


def test_missing_lame_is_an_assembly_error(tmp_path, monkeypatch):
    cues, clips, _, _ = make_book(tmp_path, [(1, 300, 250)])
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    chunks.lame_path.cache_clear()
    chunks.encoder_version.cache_clear()
    try:
        with pytest.raises(AssemblyError, match="lame not found"):
            encode_and_assemble(cues, clips, chapters_titled("One"), tmp_path / "book.mp3")
    finally:
        chunks.lame_path.cache_clear()
        chunks.encoder_version.cache_clear()


def test_book_without_cues_is_an_assembly_error(tmp_path):
    with pytest.raises(AssemblyError, match="no cues"):
        assemble([], [], chapters_titled("One"), tmp_path / "book.mp3", tmp_path, title="T", author="A")
