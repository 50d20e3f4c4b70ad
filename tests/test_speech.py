"""Cues: sentences for the engine and the silences between them."""

from dataclasses import replace

from pipeline.book import make_book
from pipeline.config import packaged_defaults
from pipeline.ingest import Story
from pipeline.model import Pauses
from pipeline.speech import plan_cues, sentences

PAUSES = Pauses(sentence=100, paragraph=400, speaker_change=300, scene=1000, chapter=2000)


def book_of(text, config=None):
    config = config or packaged_defaults()
    return make_book(Story(path=__import__("pathlib").Path("t.txt"), text=text, encoding="utf-8", title="T", author="A"), config)


def test_sentences_split_at_ends_but_not_after_abbreviations():
    assert sentences("Mr. Darcy bowed. Mrs. Bennet did not! Why?\nBecause.") == [
        "Mr. Darcy bowed.",
        "Mrs. Bennet did not!",
        "Why?",
        "Because.",
    ]


def test_sentences_fold_white_space_and_drop_silent_pieces():
    assert sentences("One\n  two...   \u2014") == ["One two..."]


def test_a_very_long_sentence_is_cut_at_clauses():
    long = ", ".join(["the rain kept falling on the roof"] * 60) + "."
    parts = sentences(long)
    assert len(parts) > 1 and all(len(p) <= 600 for p in parts)
    assert " ".join(parts).replace(" ", "") == long.replace(" ", "")


def test_pauses_follow_the_boundaries():
    text = 'Chapter 1\n\nNell sat. She read.\n\n"Hi," said Rowan.\n\n* * *\n\nMorning came.\n\nChapter 2\n\nThe end.\n'
    cues = plan_cues(book_of(text), PAUSES)
    said = [(c.utterance.text, c.pause_after_ms) for c in cues]
    assert said == [
        ("Chapter 1", 400),  # heading, then a paragraph
        ("Nell sat.", 100),  # sentence
        ("She read.", 400),  # paragraph; the next voice is Rowan's but paragraph is longer
        ("Hi,", 300),  # speaker change within the paragraph
        ("said Rowan.", 1000),  # scene break
        ("Morning came.", 2000),  # chapter
        ("Chapter 2", 400),
        ("The end.", 0),  # end of book
    ]
    assert [c.chapter for c in cues] == [1, 1, 1, 1, 1, 1, 2, 2]


def test_each_cue_carries_its_speakers_voice():
    book = book_of('"Hi," said Rowan.\n')
    rowan = next(c for c in book.cast if c.name == "Rowan")
    voices = [c.utterance.voice for c in plan_cues(book, PAUSES)]
    assert voices == [rowan.voice, book.narrator]


def test_the_engine_hears_the_text_for_the_ear_and_emphasis_rides_along():
    config = replace(packaged_defaults(), pronounce=(("Giles", "Jyles"),))
    book = book_of("Giles was *very* late\u2014again.\n", config)
    utterances = [c.utterance for c in plan_cues(book, PAUSES)]
    assert [(u.text, u.emphasis) for u in utterances] == [("Jyles was very late", ((10, 14),)), ("again.", ())]
    assert [c.pause_after_ms for c in plan_cues(book, PAUSES)] == [PAUSES.sentence, 0]
    assert book.segments[0].text == "Giles was *very* late\u2014again."  # the script is unchanged


def test_read_front_matter_says_title_and_author_first():
    book = book_of("The tide turned.\n")
    cues = plan_cues(book, PAUSES, read_front_matter=True)
    assert [(c.utterance.text, c.pause_after_ms, c.chapter) for c in cues] == [
        ("T. By A.", PAUSES.paragraph, 1),
        ("The tide turned.", 0, 1),
    ]
    assert [c.utterance.text for c in plan_cues(book, PAUSES)] == ["The tide turned."]


def test_a_spaced_ellipsis_is_one_mark():
    assert sentences("Not for me . . . you . . . her. Then.") == ["Not for me . . .", "you . . .", "her.", "Then."]
