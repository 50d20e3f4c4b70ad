"""The segmenter on small stories we wrote, each named for the convention it tests."""

from __future__ import annotations

import re
import tracemalloc
from dataclasses import replace

from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline.config import packaged_defaults
from pipeline.frontmatter import find_matter
from pipeline.model import DIALOGUE, NARRATION, NARRATOR, THOUGHT, Character
from pipeline.segmenter import segment
from pipeline.structure import (
    Paragraph,
    find_chapters,
    is_authors_note,
    is_hard_wrapped,
    sounds_like_the_author,
    story_paragraphs,
)

from conftest import IDA, NELL, ROWAN


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


# --- any text at all ------------------------------------------------------------------------------------

QUOTE_MARKS = ['"', "'", "\u201c", "\u201d", "\u2018", "\u2019", "\u00ab", "\u00bb", "\u201e", "`"]
PIECES = st.sampled_from(
    [
        *QUOTE_MARKS, "\n", "\n\n", " ", "\t", ", said Nell.", "Rowan asked", " he said", "she thought.", "NELL: ",
        "Chapter 1", "CHAPTER IV.", "# Prologue", "* * *", "oOo", "A/N: thanks for reading!", "Please review!",
        "Title: Salt\n", "Author: Ida\n", "THE END", "\u2026", "\u2014", "\u00e9t\u00e9", "\u4e2d\u6587",
        "\U0001f600", "\u2028", "\x0c", "\u00a0", "word " * 400, '"' + "a long quote " * 300, "\u201c" * 200,
    ]
)  # fmt: skip
STORIES = st.lists(st.one_of(PIECES, st.text(max_size=25)), max_size=50).map("".join)


def raw_paragraph(text: str, at: int, wrapped: bool) -> tuple[int, int]:
    """Where the line (in a hard-wrapped story, the blank-line block) holding text[at] starts and ends, trimmed."""
    separator = re.compile(r"\n[ \t]*\n") if wrapped else re.compile(r"\n")
    start = max((m.end() for m in separator.finditer(text, 0, at + 1) if m.end() <= at), default=0)
    following = separator.search(text, at)
    end = following.start() if following else len(text)
    piece = text[start:end]
    return start + len(piece) - len(piece.lstrip()), start + len(piece.rstrip())


SCRIPT_LABEL = re.compile(r"[^\W\d_][^\n:]{0,60}:[ \t]+")  # "NELL: " before a script line's words


def may_go_unread(text: str, at: int, body: range, scene_breaks: list[Paragraph], spoken_from: set[int], wrapped: bool) -> bool:
    """What a book is allowed not to read: front and back matter, separators, author's notes, and the
    label of a script line (``NELL: words``), whose words are read in Nell's voice."""
    if at not in body or any(p.start <= at < p.end for p in scene_breaks):
        return True
    start, end = raw_paragraph(text, at, wrapped)
    label = SCRIPT_LABEL.match(text, start, end)
    if label and at < label.end() and label.end() in spoken_from:
        return True
    return is_authors_note(text[start:end]) or sounds_like_the_author(text[start:end])


@settings(max_examples=300, deadline=None)
@given(STORIES)
@example('"' * 50 + "\n\n" + "\u201c" * 30 + "Nell said" + "\u201d" * 40)
@example("\u201cOpen \u2018nested \u201cdeep\u2019 still\u201d, said Nell.\n\nNext\u201d")
@example("'" + "it's " * 100)
def test_any_text_is_segmented_in_order_with_nothing_said_left_out(text):
    rules = packaged_defaults().attribution
    matter = find_matter(text)
    chapters = find_chapters(text, "Book", matter.body_start, matter.body_end)
    segments = segment(text, chapters, (NELL, ROWAN, IDA), rules).segments

    read = bytearray(len(text))
    previous_end, previous_chapter = 0, 1
    for s in segments:
        assert previous_end <= s.start < s.end <= len(text)  # in order, never overlapping, never empty
        assert s.text == text[s.start : s.end] and s.text.strip() == s.text
        assert previous_chapter <= s.chapter
        chapter = chapters[s.chapter - 1]
        assert chapter.start <= s.start and s.end <= chapter.end
        previous_end, previous_chapter = s.end, s.chapter
        read[s.start : s.end] = b"\x01" * (s.end - s.start)
    scene_breaks = [p for _, p in story_paragraphs(text, chapters) if p.scene_break]
    body, wrapped = range(matter.body_start, matter.body_end), is_hard_wrapped(text)
    unread = [i for i, ch in enumerate(text) if ch.isalnum() and not read[i]]
    spoken_from = {s.start for s in segments if s.kind == DIALOGUE}
    assert all(may_go_unread(text, i, body, scene_breaks, spoken_from, wrapped) for i in unread), unread


def test_ingest_and_segmenting_memory_grows_linearly_with_the_story():
    rules = packaged_defaults().attribution
    paragraph = '"Lamp {n} is burning low," said Nell. The keeper climbed the stair slowly.\n\n'

    def peak_bytes(paragraphs: int) -> tuple[int, int]:
        text = "Title: Stair\n\n" + "".join(paragraph.format(n=n) for n in range(paragraphs))
        tracemalloc.start()
        matter = find_matter(text)
        chapters = find_chapters(text, "Stair", matter.body_start, matter.body_end)
        segment(text, chapters, (NELL, ROWAN, IDA), rules)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return len(text), peak

    small, large = peak_bytes(1_000), peak_bytes(4_000)
    per_char = [peak / chars for chars, peak in (small, large)]
    assert per_char[1] < 1.5 * per_char[0]  # linear, not quadratic: 4x the text, about 4x the memory
    assert per_char[1] < 200  # bytes per character of story (21 measured): generous, but a bound
