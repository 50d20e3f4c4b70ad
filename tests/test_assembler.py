"""assemble(): clips and pauses streamed through real ffmpeg into a chaptered, tagged, atomic MP3."""

from __future__ import annotations

import json
import math
import subprocess
import wave
from array import array
from pathlib import Path

import pytest
from mutagen.id3 import ID3, CTOCFlags

from pipeline import assembler
from pipeline.assembler import assemble
from pipeline.model import BOOK_FRAME_RATE
from pipeline.errors import AssemblyError
from pipeline.model import Chapter, Cue, Utterance, Voice

from conftest import require_tool

VOICE = Voice(id="en-us")
ENCODER_SLACK_S = 0.060  # MP3 frames are 576 samples (26 ms) at 22,050 Hz, plus encoder delay
CHAPTER_SLACK_S = 0.050


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
    """Cues and clips for *plan* rows (chapter, clip_ms, pause_ms); also each cue's start in samples and the total."""
    cues, clips, cue_starts = [], {}, []
    samples = 0
    for index, (chapter, clip_ms, pause_ms) in enumerate(plan):
        utterance = Utterance(text=f"Sentence number {index}.", voice=VOICE)
        pcm = tone(clip_ms, 220.0 + 40 * index)
        clips[utterance] = write_wav(directory / f"clip{index}.wav", pcm)
        cues.append(Cue(utterance=utterance, pause_after_ms=pause_ms, chapter=chapter, segment=index))
        cue_starts.append(samples)
        samples += len(pcm) // 2 + round(pause_ms * BOOK_FRAME_RATE / 1000)
    return cues, clips, cue_starts, samples


def chapters_titled(*titles: str) -> list[Chapter]:
    return [Chapter(number=number, title=title, start=0, end=0) for number, title in enumerate(titles, 1)]


def probe(path: Path) -> dict:
    output = subprocess.run(
        [require_tool("ffprobe"), "-v", "error", "-show_format", "-show_streams", "-show_chapters", "-of", "json", str(path)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return json.loads(output)


def decoded_sample_count(path: Path) -> int:
    pcm = subprocess.run(
        [require_tool("ffmpeg"), "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    return len(pcm) // 2


def leftovers(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir() if ".tmp" in path.name)


@pytest.fixture
def tools():
    require_tool("ffmpeg")
    require_tool("ffprobe")


THREE_CHAPTERS = [
    (1, 400, 250),
    (1, 700, 600),
    (1, 300, 2500),
    (2, 500, 350),
    (2, 900, 2500),
    (3, 650, 250),
    (3, 350, 0),
]


def test_book_has_exact_duration_format_chapters_and_tags(tools, tmp_path):
    cues, clips, cue_starts, total = make_book(tmp_path, THREE_CHAPTERS)
    titles = ("Arrival", "The Storm", "Home")
    out = tmp_path / "out" / "book.mp3"

    book = assemble(cues, clips, chapters_titled(*titles), out, title="Tide", author="A. Writer")

    assert book.path == out and out.is_file()
    assert book.duration_ms == round(total * 1000 / BOOK_FRAME_RATE)
    expected_starts = [cue_starts[0], cue_starts[3], cue_starts[5]]
    assert book.chapter_starts_ms == tuple(round(s * 1000 / BOOK_FRAME_RATE) for s in expected_starts)
    # Each cue's speech: from its first sample to the end of its clip, the pause after it excluded.
    clip_ends = [start + clip_ms * BOOK_FRAME_RATE // 1000 for start, (_, clip_ms, _) in zip(cue_starts, THREE_CHAPTERS)]
    assert book.cue_spans_ms == tuple(
        (round(start * 1000 / BOOK_FRAME_RATE), round(end * 1000 / BOOK_FRAME_RATE)) for start, end in zip(cue_starts, clip_ends)
    )

    info = probe(out)
    (stream,) = info["streams"]
    assert (stream["codec_name"], stream["channels"], stream["sample_rate"]) == ("mp3", 1, "22050")
    assert int(stream["bit_rate"]) == 64000
    played = float(info["format"]["duration"]) - float(stream["start_time"])  # minus encoder delay
    assert played == pytest.approx(total / BOOK_FRAME_RATE, abs=ENCODER_SLACK_S)
    # ffmpeg trims encoder delay and padding from the LAME tag: the decoded audio is the input.
    assert decoded_sample_count(out) == pytest.approx(total, abs=576)

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


def test_chapters_without_cues_are_zero_length_and_in_order(tools, tmp_path):
    cues, clips, cue_starts, total = make_book(tmp_path, [(1, 300, 250), (1, 300, 250), (3, 300, 250)])
    chapters = chapters_titled("One", "Two (empty)", "Three", "Four (empty)")

    book = assemble(cues, clips, chapters, tmp_path / "book.mp3", title="T", author="A")

    third = round(cue_starts[2] * 1000 / BOOK_FRAME_RATE)
    assert book.chapter_starts_ms == (0, third, third, book.duration_ms)
    probed = probe(book.path)["chapters"]
    assert [c["tags"]["title"] for c in probed] == [c.title for c in chapters]
    assert [float(c["start_time"]) for c in probed] == sorted(float(c["start_time"]) for c in probed)


def test_chapter_order_survives_titles_of_very_different_lengths(tools, tmp_path):
    # mutagen saves frames shortest-first, which would put "III" first and the long title last.
    titles = ("Prologue", "Chapter Two: The Long Road Home Through the Crypt of Forgotten Names", "III")
    cues, clips, _, _ = make_book(tmp_path, [(1, 300, 250), (2, 300, 250), (3, 300, 250)])

    book = assemble(cues, clips, chapters_titled(*titles), tmp_path / "book.mp3", title="T", author="A")

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

    book = assemble(cues, clips, chapters_titled("One"), tmp_path / "book.mp3", title="T", author="A", cover=cover)

    (picture,) = ID3(book.path).getall("APIC")
    assert (picture.mime, picture.type, picture.data) == ("image/jpeg", 3, cover.read_bytes())


def test_cover_that_is_not_an_image_is_refused_before_encoding(tools, tmp_path):
    cover = write_wav(tmp_path / "cover.png", tone(10))
    cues, clips, _, _ = make_book(tmp_path, [(1, 300, 250)])
    out = tmp_path / "book.mp3"

    with pytest.raises(AssemblyError, match="neither a JPEG nor a PNG"):
        assemble(cues, clips, chapters_titled("One"), out, title="T", author="A", cover=cover)
    assert not out.exists() and not leftovers(tmp_path)


def test_two_thousand_clips_join_in_linear_time(tools, tmp_path):
    pcm = tone(100)
    cues, clips = [], {}
    for index in range(2000):
        utterance = Utterance(text=f"Line {index}.", voice=VOICE)
        clips[utterance] = write_wav(tmp_path / f"c{index}.wav", pcm)
        cues.append(Cue(utterance=utterance, pause_after_ms=20, chapter=1 + index // 500, segment=index))
    chapters = chapters_titled("One", "Two", "Three", "Four")

    book = assemble(cues, clips, chapters, tmp_path / "book.mp3", title="T", author="A")

    per_cue = len(pcm) // 2 + 441
    assert book.duration_ms == round(2000 * per_cue * 1000 / BOOK_FRAME_RATE)
    assert book.chapter_starts_ms == tuple(round(n * 500 * per_cue * 1000 / BOOK_FRAME_RATE) for n in range(4))
    assert decoded_sample_count(book.path) == pytest.approx(2000 * per_cue, abs=576)


def test_repeated_utterance_reuses_its_clip(tools, tmp_path):
    cues, clips, _, total = make_book(tmp_path, [(1, 300, 100)])
    book = assemble(cues * 3, clips, chapters_titled("One"), tmp_path / "book.mp3", title="T", author="A")
    assert book.duration_ms == round(3 * total * 1000 / BOOK_FRAME_RATE)


def test_clip_ending_mid_sample_does_not_shift_the_rest(tools, tmp_path):
    cues, clips, _, total = make_book(tmp_path, [(1, 300, 0), (1, 300, 0)])
    first = clips[cues[0].utterance]
    first.write_bytes(first.read_bytes()[:-1])  # the header still claims the full data chunk

    book = assemble(cues, clips, chapters_titled("One"), tmp_path / "book.mp3", title="T", author="A")

    assert decoded_sample_count(book.path) == pytest.approx(total - 1, abs=576)


@pytest.mark.parametrize("existing", [False, True], ids=["no-previous-book", "previous-book"])
def test_encoder_failure_leaves_no_output_and_no_temp_file(tools, tmp_path, existing):
    cues, clips, _, _ = make_book(tmp_path, [(1, 300, 250)])
    out = tmp_path / "book.mp3"
    if existing:
        out.write_bytes(b"the previous book")

    with pytest.raises(AssemblyError, match=r"ffmpeg could not encode the MP3: \S"):
        assemble(cues, clips, chapters_titled("One"), out, title="T", author="A", bitrate="bogus")

    assert not leftovers(tmp_path)
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
        assemble(cues, clips, chapters_titled("One"), out, title="T", author="A")

    assert out.read_bytes() == b"the previous book"
    assert not leftovers(tmp_path)


def test_interrupt_while_streaming_stops_ffmpeg_and_removes_temp_file(tools, tmp_path, monkeypatch):
    cues, clips, _, _ = make_book(tmp_path, [(1, 300, 250), (1, 300, 250), (2, 300, 250)])
    out = tmp_path / "book.mp3"
    out.write_bytes(b"the previous book")
    opened = []
    open_clip = assembler._open_clip

    def interrupted_on_the_second_cue(path, utterance):
        opened.append(path)
        if len(opened) == len(clips) + 2:  # every clip checked once, then the stream reaches cue 2
            raise KeyboardInterrupt
        return open_clip(path, utterance)

    monkeypatch.setattr(assembler, "_open_clip", interrupted_on_the_second_cue)
    with pytest.raises(KeyboardInterrupt):
        assemble(cues, clips, chapters_titled("One", "Two"), out, title="T", author="A")

    assert out.read_bytes() == b"the previous book"
    assert not leftovers(tmp_path)


def test_missing_clip_file_is_named(tools, tmp_path):
    cues, clips, _, _ = make_book(tmp_path, [(1, 300, 250), (1, 300, 250)])
    missing = clips[cues[1].utterance]
    missing.unlink()
    out = tmp_path / "book.mp3"

    with pytest.raises(AssemblyError, match=f"clip {missing} is missing"):
        assemble(cues, clips, chapters_titled("One"), out, title="T", author="A")
    assert not out.exists() and not leftovers(tmp_path)


def test_utterance_without_a_clip_is_named(tools, tmp_path):
    cues, clips, _, _ = make_book(tmp_path, [(1, 300, 250)])
    with pytest.raises(AssemblyError, match="no clip for 'Sentence number 0.' in voice en-us"):
        assemble(cues, {}, chapters_titled("One"), tmp_path / "book.mp3", title="T", author="A")


@pytest.mark.parametrize(
    ("rate", "channels", "described"),
    [(44100, 1, "44100 Hz, 1 channel"), (22050, 2, "22050 Hz, 2 channel")],
)
def test_clip_not_in_book_format_is_named(tools, tmp_path, rate, channels, described):
    cues, clips, _, _ = make_book(tmp_path, [(1, 300, 250)])
    odd = write_wav(clips[cues[0].utterance], tone(300) * channels, rate=rate, channels=channels)

    with pytest.raises(AssemblyError, match=f"clip {odd} is {described}"):
        assemble(cues, clips, chapters_titled("One"), tmp_path / "book.mp3", title="T", author="A")


def test_clip_that_is_not_wav_is_named(tools, tmp_path):
    cues, clips, _, _ = make_book(tmp_path, [(1, 300, 250)])
    garbage = clips[cues[0].utterance]
    garbage.write_bytes(b"ID3 not a wave file at all")

    with pytest.raises(AssemblyError, match=f"clip {garbage} is not a readable WAV file"):
        assemble(cues, clips, chapters_titled("One"), tmp_path / "book.mp3", title="T", author="A")


def test_missing_ffmpeg_is_an_assembly_error(tmp_path, monkeypatch):
    cues, clips, _, _ = make_book(tmp_path, [(1, 300, 250)])
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))

    with pytest.raises(AssemblyError, match="ffmpeg not found"):
        assemble(cues, clips, chapters_titled("One"), tmp_path / "book.mp3", title="T", author="A")


def test_book_without_cues_is_an_assembly_error(tmp_path):
    with pytest.raises(AssemblyError, match="no cues"):
        assemble([], {}, chapters_titled("One"), tmp_path / "book.mp3", title="T", author="A")
