"""The value types: how a thought's voice follows from the thinker's."""

from pipeline.model import NARRATION, THOUGHT, Book, Character, Segment, ThoughtStyle, Voice

SPIKE = Voice("en-gb-x-rp+m3", rate=170, pitch=40, volume=1.0)


def test_a_thought_is_slower_lower_and_softer_than_speech_by_default():
    thinking = ThoughtStyle().voice(SPIKE)
    assert thinking == Voice("en-gb-x-rp+m3", rate=153, pitch=34, volume=0.7)


def test_a_thought_variant_replaces_the_voice_variant_and_keeps_the_accent():
    assert ThoughtStyle(variant="whisper").voice(SPIKE).id == "en-gb-x-rp+whisper"
    assert ThoughtStyle(variant="whisper").voice(Voice("en-us")).id == "en-us+whisper"


def test_thought_settings_stay_within_the_engine_ranges():
    extreme = ThoughtStyle(rate=2.0, pitch=-50, volume=0.1).voice(Voice("en-us", rate=400, pitch=20, volume=0.5))
    assert (extreme.rate, extreme.pitch, extreme.volume) == (500, 0, 0.05)


def test_the_book_voices_thoughts_in_the_thinking_voice():
    text = "Spike looked. 'Bloody hell.'"
    book = Book(
        title="t", author="a", source="s", text=text, chapters=(), narrator=Voice("en-us"),
        segments=(
            Segment(0, 13, NARRATION, "narrator", 1, 0, text[0:13]),
            Segment(15, 26, THOUGHT, "Spike", 1, 0, text[15:26]),
        ),
        cast=(Character("Spike", gender="male", voice=SPIKE),),
        thoughts=ThoughtStyle(rate=0.8, pitch=0, volume=0.5),
    )
    assert book.voice_of(book.segments[0]) == Voice("en-us")
    assert book.voice_of(book.segments[1]) == Voice("en-gb-x-rp+m3", rate=136, pitch=40, volume=0.5)


def test_a_thought_keeps_the_speakers_engine_and_model():
    piper = Voice("en_US-joe-medium", rate=175, engine="piper", model="/models/joe.onnx")
    thinking = ThoughtStyle(variant="whisper").voice(piper)
    assert (thinking.id, thinking.engine, thinking.model) == ("en_US-joe-medium", "piper", "/models/joe.onnx")
    espeak = ThoughtStyle(variant="whisper").voice(Voice("en-us+f3", engine="espeak"))
    assert (espeak.id, espeak.engine) == ("en-us+whisper", "espeak")
