"""Each attribution rule on a small story we wrote, named for what it tests; ``rule`` says who decided."""

from __future__ import annotations

import json
import os

from pipeline.model import NARRATION, Character
from pipeline.segmenter import segment
from pipeline.structure import find_chapters

from conftest import IDA, NELL, ROWAN, decided


def test_tags_after_and_before_the_quote(fixture_path, rules):
    assert decided(fixture_path, "said-attribution.txt", rules) == [
        ("The kettle is on,", "Nell", "tag_after_verb_first"),
        ("Then I'll find the cups.", "Rowan", "tag_before"),
        ("Not the chipped ones,", "Nell", "tag_after"),
        ("Is there any other kind?", "Rowan", "tag_after_verb_first"),
    ]


def test_a_vocative_right_before_the_tag_is_the_addressee(fixture_path, rules):
    cast = (Character("Tara", gender="female"), Character("Willow", gender="female"))
    assert decided(fixture_path, "vocative-before-tag.txt", rules, cast) == [
        ("Tara,", "Willow", "tag_after"),
        ("the door is open.", "Willow", "tag_before"),
    ]


def test_a_pronoun_with_two_candidates_of_its_gender_is_the_one_named_last(fixture_path, rules):
    assert decided(fixture_path, "pronoun-two-women.txt", rules) == [
        ("It's colder than last night,", "Ida", "tag_after")
    ]


def test_a_pronoun_is_the_character_the_narration_is_about_not_the_one_named_last(fixture_path, rules):
    # Nell is the subject sentence after sentence; Ida, named last, is only written to.
    assert decided(fixture_path, "pronoun-most-salient.txt", rules) == [("Someone's early,", "Nell", "tag_after")]


def test_the_full_stop_of_an_honorific_does_not_end_the_sentence_before_a_pronoun_tag(fixture_path, rules):
    # The sentence is about Nell, who waits; "Hale." is not a sentence of its own.
    cast = (NELL, Character("Mrs. Hale", aliases=("Hale",), gender="female"))
    assert decided(fixture_path, "honorific-full-stop.txt", rules, cast) == [
        ("Do you think the rain will keep her away?", "Nell", "tag_after")
    ]


def test_a_name_after_the_pronoun_of_a_tag_is_not_the_subject_it_stands_for(fixture_path, rules):
    # "she explained to Ida": Ida is spoken to, so "she" is still Nell.
    assert decided(fixture_path, "pronoun-before-a-name.txt", rules) == [
        ("Not that it matters,", "Nell", "tag_after"),
        ("but the bus was late.", "Nell", "tag_before"),
    ]


def test_a_description_the_cast_lists_counts_as_naming_them_in_the_narration(fixture_path, rules):
    # "The Stranger" is Rowan's alias, so "the stranger" leaning on the gate is the "he" who speaks.
    cast = (Character("Rowan", aliases=("The Stranger",), gender="male"), Character("Jake", gender="male"))
    assert decided(fixture_path, "listed-description-in-narration.txt", rules, cast) == [
        ("You'll want a longer nail,", "Rowan", "tag_after")
    ]


def test_a_listed_description_counts_as_naming_them_with_either_article(fixture_path, rules):
    # The cast lists "An Old Woman": "an old woman" and "the old woman" are both her, and she is the
    # subject of the last sentences, so "she" is she, not Nell.
    cast = (NELL, ROWAN, IDA, Character("An Old Woman", gender="female"))
    assert decided(fixture_path, "listed-description-with-another-article.txt", rules, cast) == [
        ("Is this the road to the mill?", "An Old Woman", "tag_after")
    ]


def test_her_ladyship_is_the_lady_named_last_not_whom_her_means(fixture_path, rules):
    cast = (NELL, ROWAN, IDA, Character("Lady Hale", gender="female"))
    assert decided(fixture_path, "her-ladyship.txt", rules, cast) == [("Too weak,", "Lady Hale", "tag_after_verb_first")]


def test_a_reply_by_relation_is_the_person_addressed_not_the_one_the_relation_belongs_to(fixture_path, rules):
    # Nell asks Ida; "her sister" answering is Ida, Nell's sister, though Ida was named last.
    assert decided(fixture_path, "reply-by-relation.txt", rules) == [
        ("Oh, Ida, must you go so soon?", "Nell", "introduced_by_narration"),
        ("I must,", "Ida", "tag_after_verb_first"),
    ]


def test_his_wife_in_the_narration_is_his_spouse_for_the_pronoun_after_it(fixture_path, rules):
    cast = (Character("Mr. Hale", gender="male"), Character("Mrs. Hale", gender="female"), IDA)
    assert decided(fixture_path, "relative-in-narration.txt", rules, cast) == [
        ("Anything for me?", "Mrs. Hale", "tag_after")
    ]


def test_descriptions_resolve_to_a_listed_alias_or_the_last_character_they_fit(fixture_path, rules):
    cast = (Character("Rowan", aliases=("the old man",), gender="male"), NELL)
    assert decided(fixture_path, "descriptive-tag.txt", rules, cast) == [
        ("You're late,", "Rowan", "tag_after_verb_first"),
        ("The bus was,", "Nell", "tag_after"),
    ]


def test_a_first_person_narrator_speaks_the_i_said_quotes(fixture_path, rules):
    cast = (NELL, Character("Jake", gender="male"))
    assert decided(fixture_path, "first-person-narrator.txt", rules, cast, narrator_character="Jake") == [
        ("You're late,", "Nell", "tag_after"),
        ("I know,", "Jake", "tag_after"),
        ("The bus broke down.", "Jake", "same_paragraph"),
    ]


def test_without_a_narrator_character_i_said_names_nobody(fixture_path, rules):
    found = decided(fixture_path, "first-person-narrator.txt", rules, (NELL,))
    assert ("I know,", "Jake", "tag_after") not in found
    assert found[1][1] != "Jake"


def test_a_name_spoken_of_is_not_the_person_addressed(fixture_path, rules):
    # An answer to "Who?", a name in apposition and an announced description call no one: the reply
    # is the first speaker's, not theirs.
    cast = (NELL, ROWAN, IDA, Character("Tom", gender="male"), Character("The Miller", gender="male"))
    assert decided(fixture_path, "name-spoken-of-not-called.txt", rules, cast) == [
        ("Who left the gate open?", "Nell", "tag_after"),
        ("Who? Ida, of course!", "Rowan", "tag_after"),
        ("She never shuts anything.", "Nell", "turn_taking"),
        ("I met her brother, Tom, on the road,", "Rowan", "tag_after"),
        ("Was he well?", "Nell", "nearest_mention"),
        ("The Miller! The Miller!", "Rowan", "tag_after"),
        ("Hush. He can hear you.", "Nell", "nearest_mention"),
    ]


def test_she_said_after_a_sentence_opening_with_a_pronoun_is_the_subject_of_its_last_clause(fixture_path, rules):
    # Nell is the more prominent, but the sentence ends on Ida looking into the bucket.
    assert decided(fixture_path, "last-clause-subject.txt", rules) == [("It's full of leaves,", "Ida", "tag_after")]


def test_she_said_after_a_sentence_of_two_clauses_is_the_subject_of_the_last(fixture_path, rules):
    assert decided(fixture_path, "last-clause-subject-after-a-name.txt", rules) == [
        ("You always tell it the same way,", "Ida", "tag_after")
    ]


def test_a_name_owning_a_thing_counts_less_than_the_subject_but_owning_a_face_does_not(fixture_path, rules):
    # "Nell's letter" is about the letter: "she" is still Ida; "Nell's face was still" is about Nell.
    assert decided(fixture_path, "possessive-name-is-not-the-subject.txt", rules) == [
        ("It came this morning,", "Ida", "tag_after")
    ]
    assert decided(fixture_path, "possessive-face-is-the-subject.txt", rules) == [
        ("It came this morning,", "Nell", "tag_after")
    ]


def test_a_tag_ending_the_paragraph_before_the_quote(fixture_path, rules):
    assert decided(fixture_path, "tag-ends-paragraph-before.txt", rules) == [
        ("It will rain before dark.", "Nell", "tag_before")
    ]


def test_a_capitalised_word_opening_the_tag_sentence_does_not_hide_the_pronoun(fixture_path, rules):
    assert decided(fixture_path, "tag-before-after-a-capitalised-opener.txt", rules) == [
        ("The last train has gone,", "Rowan", "tag_after_verb_first"),
        ("Then we walk.", "Rowan", "tag_before"),
    ]


def test_her_father_and_her_mother_are_the_married_couple_named_last(fixture_path, rules):
    cast = (NELL, ROWAN, Character("Mr. Hale", gender="male"), Character("Mrs. Hale", gender="female"))
    assert decided(fixture_path, "parents-are-a-married-couple.txt", rules, cast) == [
        ("I mean to go to the dance on Friday,", "Nell", "tag_after_verb_first"),
        ("You will do nothing of the kind,", "Mr. Hale", "tag_after_verb_first"),
        ("Let the girl go,", "Mrs. Hale", "tag_after_verb_first"),
    ]


def test_narration_about_someone_introduces_their_speech(fixture_path, rules):
    assert decided(fixture_path, "introduced-by-narration.txt", rules) == [
        ("Cold out,", "Nell", "tag_after"),
        ("Colder than you think.", "Rowan", "introduced_by_narration"),
    ]


def test_a_name_opening_a_sentence_or_a_line_inside_a_quote_is_the_person_addressed(fixture_path, rules):
    # "Rowan," after a full stop and a line break is called on to answer; "Mrs. / Hale," is only mentioned.
    cast = (NELL, ROWAN, Character("Mrs. Hale", aliases=("Hale",), gender="female"))
    assert [speaker for _, speaker, _ in decided(fixture_path, "vocative-after-full-stop.txt", rules, cast)][1:] == [
        "Nell", "Rowan"
    ]


def test_the_period_of_a_title_ends_no_sentence(fixture_path, rules):
    cast = (NELL, ROWAN, Character("Mr. Hale", gender="male"))
    assert decided(fixture_path, "title-in-the-lead-in.txt", rules, cast)[-1] == (
        "The tide will not wait for either of you.", "Mr. Hale", "nearest_mention"
    )


def test_a_name_broken_across_lines_is_still_the_name(fixture_path, rules):
    cast = (Character("Sir William Lucas", aliases=("Sir William",), gender="male"),)
    assert decided(fixture_path, "name-across-lines.txt", rules, cast) == [
        ("We are quite ready,", "Sir William Lucas", "tag_after_verb_first")
    ]


def test_in_a_first_person_story_he_in_narration_introduces_him(fixture_path, rules):
    cast = (ROWAN, Character("Jake", gender="male"))
    assert decided(fixture_path, "first-person-he-introduces.txt", rules, cast, narrator_character="Jake") == [
        ("Nearly there,", "Jake", "tag_after"),
        ("It will storm tonight.", "Rowan", "introduced_by_narration"),
    ]


def test_narration_about_the_narrator_introduces_them_only_after_someone_elses_line(fixture_path, rules):
    cast = (ROWAN, Character("Jake", gender="male"))
    assert decided(fixture_path, "first-person-pause-before-an-answer.txt", rules, cast, narrator_character="Jake") == [
        ("Nearly there,", "Rowan", "tag_after"),
        ("My boots are full of water.", "Jake", "introduced_by_narration"),
        ("Then we dry them by the fire,", "Jake", "tag_after"),
        # "I held the gate open for him.": the one holding the gate says it.
        ("After you.", "Jake", "nearest_mention"),
    ]


def test_her_mother_is_not_the_woman_her_refers_to(fixture_path, rules):
    assert decided(fixture_path, "relational-description.txt", rules) == [
        ("You are wet through,", "Nell", "tag_after_verb_first")
    ]


def test_the_person_addressed_is_whom_the_next_he_replied_means(rules):
    text = 'Rowan and Tom sat by the fire.\n\n"Are you cold, Tom?" asked Rowan.\n\n"Not at all," he replied.\n'
    cast = (ROWAN, Character("Tom", gender="male"))
    result = segment(text, find_chapters(text, "Test"), cast, rules)
    assert [(s.speaker, s.rule) for s in result.segments if s.kind != NARRATION] == [
        ("Rowan", "tag_after_verb_first"),
        ("Tom", "tag_after"),
    ]


def test_how_the_words_came_out_tells_whose_they_were(fixture_path, rules):
    assert decided(fixture_path, "reaction-after.txt", rules) == [
        ("I cannot stay.", "Rowan", "reaction_after"),
        ("Then go.", "Nell", "action_after"),
        ("Wait.", "Nell", "action_after"),  # he flinched, but at her voice
    ]


def test_he_introduces_speech_in_a_story_that_follows_her(fixture_path, rules):
    # Sentences open with "She" far more often than "He": the story follows a woman, so narration
    # about him before a line of speech introduces his line.
    assert decided(fixture_path, "focal-character.txt", rules)[-1] == (
        "Colder than you know.", "Rowan", "introduced_by_narration"
    )


def test_she_does_not_introduce_speech_in_a_story_that_follows_her(rules):
    text = (
        "Nell waited on the pier. She watched the boats. She counted the gulls.\n\n"
        '"Cold out," Rowan said.\n\nShe pulled her coat tighter.\n\n"Colder than you know."\n'
    )
    result = segment(text, find_chapters(text, "Test"), (NELL, ROWAN), rules)
    assert [s.rule for s in result.segments if s.kind != NARRATION][-1] != "introduced_by_narration"


def test_script_lines_name_their_speaker(fixture_path, rules):
    assert decided(fixture_path, "script-lines.txt", rules, cast=()) == [
        ("Is the kettle on?", "Nell", "script_line"),
        ("It is.", "Rowan", "script_line"),
        ("Then pour.", "Nell", "script_line"),
        ("Pour it yourself.", "Rowan", "script_line"),
    ]
    # "Outside:" labels one line and names nobody; "Ida:" does once Ida is in the cast.
    assert decided(fixture_path, "script-lines.txt", rules)[-1] == ("Children.", "Ida", "script_line")


def test_the_label_of_a_script_line_is_not_read_aloud(fixture_path, rules):
    text = fixture_path("script-lines.txt").read_text(encoding="utf-8")
    result = segment(text, find_chapters(text, "Test"), (), rules)
    narration = [s.text for s in result.segments if s.kind == NARRATION]
    assert narration == ["Outside: this is not a line.", "Ida: Children."]


def test_his_wife_is_mrs_of_his_surname(fixture_path, rules):
    cast = (Character("Mr. Hale", gender="male"), Character("Mrs. Hale", gender="female"), NELL)
    assert decided(fixture_path, "spouse-description.txt", rules, cast) == [
        ("Where have you been?", "Mrs. Hale", "tag_after_verb_first")
    ]


def test_a_tag_after_another_verb_and_an_adverb_before_the_verb(fixture_path, rules):
    assert decided(fixture_path, "tag-before-compound.txt", rules) == [
        ("We should go back.", "Nell", "tag_before"),
        ("Not yet,", "Rowan", "tag_after_verb_first"),
    ]


def test_the_title_in_a_description_names_the_character_who_bears_it(fixture_path, rules):
    cast = (
        Character("Count Orlov", gender="male"), Character("Colonel Amsel", gender="male"),
        Character("Colonel Brandt", gender="male"), ROWAN,
    )
    # Of two colonels, the one named last.
    assert decided(fixture_path, "title-description.txt", rules, cast) == [
        ("It is older than all of us,", "Count Orlov", "tag_after_verb_first"),
        ("Then it has waited long enough,", "Colonel Brandt", "tag_after"),
    ]


def test_a_form_of_address_alone_is_nobody_addressed_even_if_the_cast_lists_it(fixture_path, rules):
    cast = (NELL, ROWAN, Character("Sir", gender="male"))
    assert decided(fixture_path, "form-of-address-alone.txt", rules, cast) == [
        ("Good morning, Sir,", "Nell", "tag_after_verb_first"),
        ("Good morning to you.", "Rowan", "nearest_mention"),
    ]


def test_older_speech_verbs_make_tags(fixture_path, rules):
    assert decided(fixture_path, "formal-speech-verbs.txt", rules) == [
        ("Stay for supper,", "Ida", "tag_after_verb_first"),
        ("I cannot,", "Rowan", "tag_after"),
        ("The road is long.", "Rowan", "same_paragraph"),
        ("It is long in daylight too,", "Nell", "tag_after"),
    ]


def test_a_pronoun_tag_is_the_subject_of_the_sentence_before_rather_than_the_last_name(fixture_path, rules):
    assert decided(fixture_path, "pronoun-subject-of-narration.txt", rules) == [
        ("Is there any tea left?", "Nell", "tag_after")
    ]


def test_the_person_named_in_the_first_half_of_an_interrupted_quote_does_not_take_the_tag(fixture_path, rules):
    assert decided(fixture_path, "interrupted-quote-names-addressee.txt", rules) == [
        ("Ida,", "Nell", "tag_after"),
        ("is the kettle on?", "Nell", "tag_before"),
    ]


def test_a_name_that_answers_a_question_is_not_the_person_addressed(fixture_path, rules):
    assert [speaker for _, speaker, _ in decided(fixture_path, "name-answers-a-question.txt", rules)] == [
        "Rowan", "Nell", "Rowan"
    ]


def test_a_tag_before_the_quote_may_trail_a_long_phrase(fixture_path, rules):
    assert decided(fixture_path, "tag-before-long-tail.txt", rules) == [
        ("The road is closed.", "Rowan", "tag_before")
    ]


def test_she_said_after_a_quote_that_names_a_woman_is_not_that_woman(fixture_path, rules):
    assert decided(fixture_path, "pronoun-not-the-addressee.txt", rules) == [
        ("Why, Ida, you are soaked through,", "Nell", "tag_after")
    ]


def test_a_preposition_opening_the_sentence_of_a_tag_is_not_a_new_speaker(fixture_path, rules):
    [(quote, speaker, _)] = decided(fixture_path, "preposition-opens-the-tag.txt", rules)
    assert (quote, speaker) == ("Always the dog!", "Rowan")


def test_attribution_does_not_depend_on_string_hashing(fixture_path, tmp_path):
    # Both girls are addressed; "she" in the reply is the one addressed last. Python hashes strings
    # differently in every process, so a set of names iterated anywhere would make this flip.
    import subprocess
    import sys

    voices = tmp_path / "voices.yaml"
    voices.write_text("characters:\n  Nell: {gender: female}\n  Ida: {gender: female}\n  Mara: {gender: female}\n")
    outputs = {
        subprocess.run(
            [sys.executable, "-m", "pipeline", "script", str(fixture_path("two-addressed-then-pronoun.txt")),
             "-c", str(voices), "--format", "jsonl"],
            capture_output=True, text=True, check=True, env={**os.environ, "PYTHONHASHSEED": str(seed)},
        ).stdout
        for seed in range(6)
    }
    assert len(outputs) == 1
    quotes = [row for row in map(json.loads, outputs.pop().splitlines()) if row["kind"] == "dialogue"]
    assert [row["speaker"] for row in quotes] == ["Nell", "Mara"]


def test_a_tag_pronoun_is_a_whole_word_not_the_end_of_the_or_she(fixture_path, rules):
    # "the rail, she held it out and said": the "he" ending "the" is not a man speaking.
    assert decided(fixture_path, "pronoun-not-inside-a-word.txt", rules) == [
        ("You're soaked,", "Nell", "tag_after_verb_first"),
        ("Dry your hair first.", "Nell", "tag_before"),
    ]


def test_the_name_after_the_tag_verb_is_the_addressee_not_the_pronoun(fixture_path, rules):
    # "she turned and said to Ida": the "she" is Nell, though Ida was named last.
    assert decided(fixture_path, "tag-names-the-addressee.txt", rules) == [
        ("You took your time.", "Nell", "tag_before"),
    ]


def test_a_relative_clause_may_part_the_speaker_from_the_verb(fixture_path, rules):
    # "Ida, who had been watching…, called out,": Ida speaks, not Rowan of the paragraph's first tag.
    assert decided(fixture_path, "tag-after-a-relative-clause.txt", rules) == [
        ("The road is flooded,", "Rowan", "tag_after_verb_first"),
        ("Then we stay here tonight.", "Ida", "tag_before"),
    ]


def test_a_pronoun_before_the_quote_is_not_the_one_named_after_it(fixture_path, rules):
    # "She looked across at Ida.": she is Nell, though Ida was named last.
    assert decided(fixture_path, "pronoun-before-a-later-name.txt", rules) == [
        ("He will not be back tonight.", "Nell", "action_before"),
    ]


def test_narration_introducing_her_means_her_not_the_one_she_turns_to(fixture_path, rules):
    cast = (NELL, IDA, Character("Jake", gender="male"))
    assert decided(fixture_path, "first-person-she-turns-to-someone.txt", rules, cast, narrator_character="Jake") == [
        ("You should have brought an umbrella.", "Nell", "introduced_by_narration"),
    ]


def test_any_past_tense_verb_before_a_name_after_a_quote_is_a_tag(fixture_path, rules):
    # "scolded" and "fretted" are in no word list: the order (quote, verb, name) says they are tags.
    assert decided(fixture_path, "inverted-tag-any-verb.txt", rules) == [
        ("You left the gate open again,", "Nell", "tag_after_verb_first"),
        ("And the sheep are all out in the lane,", "Ida", "tag_after_verb_first"),
    ]


def test_a_pronoun_in_the_sentence_of_a_tag_means_the_tagged_speaker(fixture_path, rules):
    # '"…," she said, turning to Nell …, and then she went on, "…"': both "she"s are Ida, though Nell
    # was named last.
    assert decided(fixture_path, "interrupted-quote-pronoun-after-a-turn.txt", rules) == [
        ("You're late,", "Ida", "tag_after"),
        ("It left an hour ago.", "Ida", "tag_before"),
    ]


def test_a_beat_after_a_later_quote_of_a_tagged_paragraph_is_the_listeners(fixture_path, rules):
    # Nell's tag gives her the paragraph; "Rowan shook his head" is his answer, not his line. In a
    # paragraph with no tag the beat still names the speaker.
    assert decided(fixture_path, "beat-after-a-tagged-line.txt", rules) == [
        ("Have you seen my keys?", "Nell", "tag_after_verb_first"),
        ("I had them this morning.", "Nell", "same_paragraph"),
        ("Try your coat pocket.", "Rowan", "action_after"),
    ]


def test_a_speech_participle_belongs_to_the_subject_of_its_clause(fixture_path, rules):
    # "…when Rowan threw down his hat …, muttering to himself": Rowan's line, not Nell's, whose
    # name opens the sentence.
    # The participle may end the paragraph before the quote, and "to Nell" names whom Ida speaks to.
    assert decided(fixture_path, "participle-tag.txt", rules) == [
        ("Let her mend it herself, then.", "Rowan", "tag_before"),
        ("He'll be back before dark.", "Ida", "tag_before"),
    ]


def test_the_one_heard_speaking_is_the_speaker_whatever_the_verb(fixture_path, rules):
    # "he heard Ida call": Ida's line, though "call" is no speech verb and Rowan opens the sentence.
    assert decided(fixture_path, "overheard-speaker.txt", rules) == [
        ("Is anyone home?", "Ida", "tag_before"),
    ]


def test_a_quote_that_was_someones_answer_is_theirs(fixture_path, rules):
    assert decided(fixture_path, "possessive-tag.txt", rules) == [
        ("Will it stop by noon?", "Nell", "tag_after_verb_first"),
        ("It never has yet,", "Ida", "tag_after"),
        ("Not in March,", "Ida", "tag_after"),
    ]


def test_a_time_adverb_may_part_the_speaker_from_the_verb(fixture_path, rules):
    assert decided(fixture_path, "adverb-in-tag.txt", rules) == [("Who wants more?", "Nell", "tag_before")]


def test_a_quote_with_its_own_tag_before_leaves_the_narration_after_it_to_the_next(fixture_path, rules):
    # 'When Nell said, "…," Ida answered, "…"': "Ida answered" tags the second quote, not the first.
    assert decided(fixture_path, "tag-before-and-after.txt", rules) == [
        ("The kettle's boiling,", "Nell", "tag_before"),
        ("Then take it off the stove.", "Ida", "tag_before"),
    ]


def test_a_tagged_speaker_carries_on_through_the_paragraphs_untagged_quotes(fixture_path, rules):
    assert decided(fixture_path, "speaker-carries-on-in-paragraph.txt", rules) == [
        ("Stop,", "Nell", "tag_after_verb_first"),
        ("Listen.", "Nell", "same_paragraph"),
        ("Can you hear it? Someone is at the gate.", "Nell", "same_paragraph"),
    ]


def test_an_aside_between_commas_may_part_the_speaker_from_the_verb(fixture_path, rules):
    # "looked at her, and, dropping it…, said": "her" is never the one who speaks.
    assert decided(fixture_path, "tag-after-an-aside.txt", rules) == [
        ("The kettle is boiling over!", "Ida", "tag_before"),
        ("I'll see to it.", "Rowan", "tag_before"),
    ]


def test_of_two_tags_before_a_quote_the_nearer_names_the_speaker(fixture_path, rules):
    # "Nell thought …, and Rowan … said:": the thought is Nell's, the words Rowan's.
    assert decided(fixture_path, "tag-nearest-the-quote.txt", rules) == [("Time we went home.", "Rowan", "tag_before")]


def test_a_clause_between_and_and_the_verb_leaves_the_subject_the_speaker(fixture_path, rules):
    # "Rowan, much put out, set …, and said," / "Nell looked …, and when …, said:"; in "Presently he
    # rose, and buttoning …, announced" the speaker is "he", not the capitalised "Presently".
    assert decided(fixture_path, "tag-after-a-clause-after-and.txt", rules) == [
        ("Nobody asked me.", "Rowan", "tag_before"),
        ("Nobody had to.", "Nell", "tag_before"),
        ("I'm off to bed.", "Rowan", "tag_before"),
    ]


def test_narration_reporting_an_answer_hands_the_turn_back(fixture_path, rules):
    # "Rowan explained that …": Rowan's answer is told, so the next line is Nell's again.
    assert decided(fixture_path, "reported-answer.txt", rules) == [
        ("Did you lock the back door?", "Nell", "tag_after_verb_first"),
        ("The cat can use the window like everyone else.", "Nell", "introduced_by_narration"),
    ]


def test_a_speech_participle_after_of_or_by_is_a_tag(fixture_path, rules):
    # "…gave Nell the chance of adding," / "Ida ended the quarrel by saying,"
    assert decided(fixture_path, "participle-after-of-or-by.txt", rules) == [
        ("And you left the gate open.", "Nell", "tag_before"),
        ("Enough, both of you.", "Ida", "tag_before"),
    ]


def test_a_description_ends_before_a_pronoun(fixture_path, rules):
    # "the whole time she went on": "she" speaks, not a character called Time.
    cast = (NELL, Character("Time", gender="male"))
    assert decided(fixture_path, "description-swallowing-a-pronoun.txt", rules, cast) == [
        ("Nobody in this house ever listens to me.", "Nell", "tag_before"),
    ]


def test_a_subject_right_after_a_quote_has_the_next_quote(fixture_path, rules):
    # Narration opening after a closing quote mark has a subject of its own, who stops the tagged
    # speaker carrying on; a possessive ("Rowan's old coat") is no subject.
    assert decided(fixture_path, "subject-between-quotes.txt", rules) == [
        ("Is it raining?", "Nell", "tag_before"),
        ("It was forecast.", "Nell", "same_paragraph"),
        ("Pouring.", "Rowan", "action_before"),
        ("We could walk anyway.", "Ida", "tag_before"),
        ("It isn't far.", "Ida", "same_paragraph"),
        ("And you can borrow that.", "Ida", "same_paragraph"),
    ]


def test_a_quote_in_parentheses_shares_no_speaker_with_those_around_it(fixture_path, rules):
    # ("I do," said Ida) interjects in Nell's sentence: the words on both sides of it are Nell's.
    assert decided(fixture_path, "interjection-in-parentheses.txt", rules) == [
        ("You may not know this river--", "Nell", "introduced_by_narration"),
        ("I do,", "Ida", "tag_after_verb_first"),
        ("--but it is colder than it looks.", "Nell", "same_paragraph"),
    ]


def test_a_beat_after_a_double_hyphen_dash_is_the_speakers(fixture_path, rules):
    # "--" is how plain-text books write a dash: "…"--Rowan held the door wide--"…"
    assert decided(fixture_path, "beat-after-a-double-hyphen.txt", rules) == [
        ("Come in quickly", "Rowan", "action_after"),
        ("before the rain starts.", "Rowan", "same_paragraph"),
    ]


def test_his_companion_in_a_tag_is_the_other_one_in_the_exchange_not_the_woman_named_last(fixture_path, rules):
    # Rowan has just spoken; "his companion" answering him is Ida, who spoke before him, not Nell,
    # who is only waving from a boat.
    assert decided(fixture_path, "companion-in-the-exchange.txt", rules) == [
        ("The boats are all in,", "Ida", "tag_after_verb_first"),
        ("Not the red one,", "Rowan", "tag_after_verb_first"),
        ("She never comes in before dark,", "Ida", "tag_after_verb_first"),
    ]


def test_her_mother_of_several_married_women_is_the_one_in_the_exchange(fixture_path, rules):
    # Ida's mother may be either wife; the one talking with her is Mrs. Hale, though Mrs. Lane was
    # named last.
    cast = (
        Character("Mr. Hale", gender="male"), Character("Mrs. Hale", gender="female"),
        Character("Mr. Lane", gender="male"), Character("Mrs. Lane", gender="female"), IDA,
    )
    assert decided(fixture_path, "mother-in-the-exchange.txt", rules, cast) == [
        ("You will wear the blue dress tonight,", "Mrs. Hale", "tag_after_verb_first"),
        ("I would rather wear the grey,", "Ida", "tag_after_verb_first"),
        ("The grey is for funerals,", "Mrs. Hale", "tag_after_verb_first"),
    ]


def test_the_doctor_in_a_tag_is_the_cast_member_titled_dr(fixture_path, rules):
    cast = (Character("Dr. Hale", gender="male"), IDA)
    assert decided(fixture_path, "the-doctor-is-dr.txt", rules, cast) == [
        ("What have you been doing?", "Ida", "tag_after_verb_first"),
        ("I must be going, I am afraid,", "Dr. Hale", "tag_after_verb_first"),
    ]


def test_a_description_the_cast_lists_is_read_whole_however_long(fixture_path, rules):
    cast = (Character("The Woman In The Red Hat", gender="female"), NELL)
    assert decided(fixture_path, "long-listed-description.txt", rules, cast) == [
        ("Lovely morning,", "Nell", "tag_after_verb_first"),
        ("It won't last,", "The Woman In The Red Hat", "tag_after_verb_first"),
    ]


def test_a_possessive_in_a_tag_is_someone_of_theirs_not_them(fixture_path, rules):
    # "sighed Ida's father": Ida's father speaks, and the cast's married Mr. is the one a father can be.
    cast = (IDA, Character("Mr. Hale", gender="male"), Character("Mrs. Hale", gender="female"))
    assert decided(fixture_path, "possessive-in-a-tag.txt", rules, cast) == [
        ("You're soaked through,", "Mr. Hale", "tag_after_verb_first")
    ]
