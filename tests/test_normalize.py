"""Text for the ear: each rule, emphasis spans, pause cuts, and what eSpeak NG really says."""

import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import require_tool
from pipeline.normalize import Spoken, for_the_ear, roman_to_int


def spoken(sentence: str, lexicon=()) -> list[str]:
    return [piece.text for piece in for_the_ear(sentence, lexicon)]


@pytest.mark.parametrize(
    "written, said",
    [
        ("A/N: written on a train.", "Author's note: written on a train."),
        ("I <3 you.", "I love you."),
        ("See you soon! <3", "See you soon!"),
        ("Shh, it's late.", "Shush, it's late."),
        ("Ssh. Shhhh!", "Shush. Shush!"),
        ("Hmmm. Mm.", "Hmm. Hmm."),
        ("Grrr. Hmph! Pfft, fine.", "Grur. Humph! Puh, fine."),
        ("Mhm. Brr, tch.", "Hmm hmm. Burr, tsk."),
        ("Hmmmph. Bring the grass.", "Humph. Bring the grass."),  # real words with the same letters stay
        ("Chapter IV", "Chapter 4"),
        ("PART XII: The Road", "PART 12: The Road"),
        ("Chapter IIII", "Chapter IIII"),  # not a numeral, left alone
        ("I-I-'m sorry.", "I, I'm sorry."),
        ("It was my li-life.", "It was my li, life."),
        ("W-w-what?", "What?"),
        ("Y-you came back.", "You came back."),
        ("I-I...", "I, I"),
        ("We re-read the to-do list.", "We re-read the to-do list."),
        ("Pleeeease, nooooo.", "Please, no."),
        ("Act VIII, scene XXX.", "Act 8, scene XXX."),
        ("A ~strange~ day_", "A strange day"),
        ("## The Storm", "The Storm"),
    ],
)
def test_each_rule_rewrites_what_espeak_would_misread(written, said):
    assert spoken(written) == [said]


@pytest.mark.parametrize(
    "written, pieces",
    [
        ("Wait\u2026what?", ["Wait", "what?"]),
        ("It was... fine.", ["It was", "fine."]),
        ("It was . . . fine.", ["It was", "fine."]),
        ("She ran\u2014no, flew.", ["She ran", "no, flew."]),
        ("She ran -- no, flew.", ["She ran", "no, flew."]),
        ("She ran - no, flew.", ["She ran", "no, flew."]),
        ("Pages 10\u201312 and 2-3.", ["Pages 10\u201312 and 2-3."]),
        ("He said *** then left.", ["He said", "then left."]),
        ("That's kind of y\u2014", ["That's kind of y"]),
    ],
)
def test_ellipses_and_dashes_cut_the_sentence_for_a_real_pause(written, pieces):
    assert spoken(written) == pieces


@pytest.mark.parametrize(
    "written, text, emphasised",
    [
        ("It was *very* cold.", "It was very cold.", ["very"]),
        ("It was _so_ cold.", "It was so cold.", ["so"]),
        ("Give that -traitor- nothing.", "Give that traitor nothing.", ["traitor"]),
        ("*Not now*, she thought.", "Not now, she thought.", ["Not now"]),
        ("I *really* *mean* it.", "I really mean it.", ["really", "mean"]),
        ("*Pleeease* help A/N", "Please help Author's note", ["Please"]),
        ("A well-known two-by-four.", "A well-known two-by-four.", []),
        ("2 * 3 * 4", "2 3 4", []),
    ],
)
def test_emphasis_markers_are_dropped_and_their_words_recorded(written, text, emphasised):
    (piece,) = for_the_ear(written)
    assert piece.text == text
    assert [piece.text[start:end] for start, end in piece.emphasis] == emphasised


def test_the_lexicon_replaces_whole_words_in_any_case():
    lexicon = (("Giles", "Jyles"), ("Mr Giles", "Mister Jyles"))
    assert spoken("Mr Giles met GILES and Gilesworth.", lexicon) == ["Mister Jyles met Jyles and Gilesworth."]


def test_roman_numerals():
    assert [roman_to_int(n) for n in ("I", "IV", "XIV", "MCMXC", "IIII", "VX", "Hello")] == [1, 4, 14, 1990, None, None, None]


def test_plain_text_is_left_alone():
    sentence = "The lamp had gone out an hour before anyone noticed."
    assert for_the_ear(sentence) == [Spoken(sentence)]


@settings(deadline=None)  # a slow CI machine must not fail on timing
@given(st.text(max_size=80))
def test_any_text_gives_single_spaced_pieces_with_spans_inside_them(text):
    for piece in for_the_ear(text):
        assert piece.text == " ".join(piece.text.split()) and piece.text
        assert all(0 <= start < end <= len(piece.text) for start, end in piece.emphasis)


def phonemes(text: str) -> str:
    espeak = require_tool("espeak-ng")
    done = subprocess.run([espeak, "-q", "-x", "-v", "en-us", "--", text], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


def test_espeak_no_longer_says_asterisk_slash_or_roman():
    # The stressed core of each word as en-us says it alone ("'ast3r,Isk" is "ast3r,Isk" mid-sentence).
    asterisk, slash, roman = "st3r,Isk", "sl'aS", "oUm@n"
    assert asterisk in phonemes("asterisk") and slash in phonemes("slash") and roman in phonemes("roman")
    before = phonemes("It was *very* cold. *** A/N: Chapter IV")
    assert asterisk in before and slash in before and roman in before  # what the rules are for
    after = " ".join(phonemes(piece) for piece in spoken("It was *very* cold. *** A/N: Chapter IV"))
    assert asterisk not in after and slash not in after and roman not in after
    assert phonemes("very") in after and phonemes("four") in after


def test_espeak_no_longer_spells_out_interjections():
    # Spelled out, "Grr" is "G R R": letter names, each ending in a long "ee" (i:) or, for H, "eItS".
    for word in ("Grr", "Hmph", "Pfft", "Brr", "Mhm", "Tch"):
        assert "i:" in phonemes(word) or "eItS" in phonemes(word)
        said = phonemes(" ".join(spoken(word)))
        assert "i:" not in said and "eItS" not in said, (word, said)
