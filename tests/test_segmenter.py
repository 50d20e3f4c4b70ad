"""The segmenter on small stories we wrote, each named for the convention it tests."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pipeline.config import AttributionRules, packaged_defaults
from pipeline.model import DIALOGUE, NARRATION, NARRATOR, THOUGHT, Character
from pipeline.segmenter import segment
from pipeline.structure import find_chapters

NELL = Character("Nell", gender="female")
ROWAN = Character("Rowan", gender="male")
IDA = Character("Ida", gender="female")


@pytest.fixture(scope="module")
def rules() -> AttributionRules:
    return packaged_defaults().attribution


def run(text, rules, cast=(NELL, ROWAN, IDA)):
    return segment(text, find_chapters(text, "Test"), tuple(cast), rules)


def quotes(segmentation):
    return [(s.text, s.speaker) for s in segmentation.segments if s.kind != NARRATION]


def story(fixture_path, name):
    return fixture_path(name).read_text(encoding="utf-8")


def test_every_segment_is_an_exact_slice_in_order(fixture_path, rules):
    for name in ("said-attribution.txt", "curly-quotes.txt", "open-quote-continues.txt", "single-quoted-thought.txt"):
        text = story(fixture_path, name)
        segments = run(text, rules).segments
        assert segments, name
        for found in segments:
            assert found.text == text[found.start : found.end]
            assert found.text.strip() == found.text
        for before, after in zip(segments, segments[1:]):
            assert before.end <= after.start


def test_said_tags_in_every_position(fixture_path, rules):
    found = quotes(run(story(fixture_path, "said-attribution.txt"), rules))
    assert found == [
        ("The kettle is on,", "Nell"),
        ("Then I'll find the cups.", "Rowan"),
        ("Not the chipped ones,", "Nell"),
        ("Is there any other kind?", "Rowan"),
    ]


def test_narration_is_read_by_the_narrator_without_the_quote_marks(fixture_path, rules):
    segments = run(story(fixture_path, "said-attribution.txt"), rules).segments
    narration = [s.text for s in segments if s.kind == NARRATION]
    assert narration == ["said Nell.", "Rowan said,", "Nell said.", "asked Rowan."]
    assert {s.speaker for s in segments if s.kind == NARRATION} == {NARRATOR}


def test_curly_quotes_and_apostrophes(fixture_path, rules):
    found = quotes(run(story(fixture_path, "curly-quotes.txt"), rules))
    assert found == [
        ("Where did you put the map?", "Nell"),
        ("Under the blue book,", "Rowan"),
        ("Don\u2019t tell me you\u2019ve lost it.", "Rowan"),
    ]


def test_quote_interrupted_by_a_speech_tag_is_two_segments_one_speaker(fixture_path, rules):
    segments = run(story(fixture_path, "interrupted-quote.txt"), rules).segments
    assert [(s.kind, s.text, s.speaker) for s in segments] == [
        (DIALOGUE, "I looked everywhere,", "Rowan"),
        (NARRATION, "Rowan said,", NARRATOR),
        (DIALOGUE, "and it simply isn't here.", "Rowan"),
    ]


def test_quote_left_open_continues_in_the_next_paragraph(fixture_path, rules):
    found = quotes(run(story(fixture_path, "open-quote-continues.txt"), rules))
    assert [speaker for _, speaker in found] == ["Nell", "Nell"]
    assert found[0][0].startswith("Long ago") and found[0][0].endswith("grind the corn.")
    assert found[1][0].startswith("So the miller")


def test_single_quoted_thoughts_but_not_scare_quotes(fixture_path, rules):
    segments = run(story(fixture_path, "single-quoted-thought.txt"), rules).segments
    thoughts = [(s.text, s.speaker) for s in segments if s.kind == THOUGHT]
    assert thoughts == [("Well, this is a bad idea,", "Nell"), ("But it is the only one I have.", "Nell")]
    assert any("'short cut'" in s.text for s in segments if s.kind == NARRATION)


def test_single_quotes_can_be_turned_off(fixture_path, rules):
    segments = run(story(fixture_path, "single-quoted-thought.txt"), replace(rules, single_quotes="ignore")).segments
    assert not [s for s in segments if s.kind == THOUGHT]


def test_single_quotes_are_speech_when_the_story_has_no_double_quotes(rules):
    text = "\u2018I can\u2019t stay,\u2019 said Ida.\n\n\u2018Then go,\u2019 said Nell.\n"
    assert quotes(run(text, rules)) == [("I can\u2019t stay,", "Ida"), ("Then go,", "Nell")]
    assert all(s.kind == DIALOGUE for s in run(text, rules).segments if s.kind != NARRATION)


def test_pronoun_tag_is_the_last_mentioned_character_of_that_gender(fixture_path, rules):
    found = quotes(run(story(fixture_path, "pronoun-tag.txt"), rules))
    assert found == [("You're soaked,", "Nell"), ("It's only water,", "Rowan")]


def test_two_speakers_take_turns(fixture_path, rules):
    found = quotes(run(story(fixture_path, "turn-taking.txt"), rules))
    assert [speaker for _, speaker in found] == ["Nell", "Rowan", "Nell", "Rowan", "Nell", "Rowan"]
    rule_of = {s.text: s.rule for s in run(story(fixture_path, "turn-taking.txt"), rules).segments}
    assert rule_of["And the gate?"] == "turn_taking"


def test_turn_taking_can_be_turned_off(fixture_path, rules):
    segments = run(story(fixture_path, "turn-taking.txt"), replace(rules, turn_taking=False)).segments
    rules_used = [s.rule for s in segments if s.kind != NARRATION]
    assert rules_used[:2] == ["tag_after", "tag_after"]
    assert "turn_taking" not in rules_used


def test_a_third_speaker_breaks_the_alternation(fixture_path, rules):
    found = dict(quotes(run(story(fixture_path, "third-speaker-breaks-turns.txt"), rules)))
    assert found["Tea first,"] == "Ida"
    assert found["Arguments later."] == "Ida"
    # The exchange is now Ida and Rowan; the stale Nell-Rowan alternation would say Nell.
    assert found["Who made it?"] == "Ida"


def test_several_speakers_in_one_paragraph(fixture_path, rules):
    found = quotes(run(story(fixture_path, "several-speakers-one-paragraph.txt"), rules))
    assert found == [("Left,", "Nell"), ("Right,", "Rowan"), ("Straight on,", "Ida")]


def test_a_name_inside_the_quote_is_the_addressee_not_the_speaker(fixture_path, rules):
    found = quotes(run(story(fixture_path, "vocative-after-quote.txt"), rules))
    assert found[0] == ("Nell,", "Rowan")
    assert found[1] == ("come and look at this.", "Rowan")


def test_aliases_resolve_to_the_character(rules):
    cast = (Character("Spike", aliases=("William",), gender="male"), NELL)
    found = quotes(run('"Bloody hell," William muttered.\n', rules, cast))
    assert found == [("Bloody hell,", "Spike")]


def test_speakers_not_in_the_cast_are_discovered(rules):
    result = run('"Hello there," said Marguerite.\n', rules, cast=())
    assert quotes(result) == [("Hello there,", "Marguerite")]
    assert result.discovered == ("Marguerite",)


def test_unknown_speaker_is_none(rules):
    assert quotes(run('"Anyone home?"\n', rules)) == [("Anyone home?", None)]


def test_chapter_numbers_and_headings_are_narration(rules):
    text = "Chapter 1: Rain\n\n\"Wet,\" said Nell.\n\nChapter 2: Sun\n\n\"Dry,\" said Rowan.\n"
    segments = run(text, rules).segments
    assert [(s.chapter, s.kind, s.text) for s in segments] == [
        (1, NARRATION, "Chapter 1: Rain"),
        (1, DIALOGUE, "Wet,"),
        (1, NARRATION, "said Nell."),
        (2, NARRATION, "Chapter 2: Sun"),
        (2, DIALOGUE, "Dry,"),
        (2, NARRATION, "said Rowan."),
    ]


def test_scene_separators_are_not_read(rules):
    result = run("Nell slept.\n\n* * *\n\nRowan woke.\n", rules)
    assert [s.text for s in result.segments] == ["Nell slept.", "Rowan woke."]
    assert len(result.scene_breaks) == 1


def test_the_subject_of_the_sentence_before_an_untagged_quote_speaks_it(fixture_path, rules):
    segments = run(story(fixture_path, "action-before-quote.txt"), rules).segments
    assert [(s.text, s.speaker, s.rule) for s in segments if s.kind == DIALOGUE] == [
        ("You scared me, Rowan.", "Nell", "action_before")
    ]


def test_empty_word_lists_match_nothing_rather_than_everything(rules):
    bare = replace(rules, male_pronouns=(), female_pronouns=(), speech_verbs=(), thought_verbs=())
    assert quotes(run('"Yes," said -- nothing.\n', bare)) == [("Yes,", None)]
