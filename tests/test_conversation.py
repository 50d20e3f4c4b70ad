"""Each conversation rule on a small story we wrote: turns, replies, answers without words, the last
resort; ``rule`` says who decided."""

from __future__ import annotations

from pipeline.model import Character

from conftest import NELL, ROWAN, decided


def test_the_person_addressed_answers_next(fixture_path, rules):
    assert decided(fixture_path, "vocative-reply.txt", rules) == [
        ("Can you fix it, Ida?", "Rowan", "tag_after"),
        ("Give me an hour.", "Ida", "vocative_reply"),
    ]


def test_last_resort_is_the_character_named_last(fixture_path, rules):
    assert decided(fixture_path, "nearest-mention.txt", rules) == [("Closed, sorry.", "Ida", "nearest_mention")]


def test_narration_about_the_last_speaker_gives_them_the_next_line_too(fixture_path, rules):
    assert decided(fixture_path, "narration-about-the-last-speaker.txt", rules)[-2:] == [
        ("I'll climb up tomorrow and look at the slates.", "Rowan", "nearest_mention"),
        # Narration about her, not him: the turn passes as usual.
        ("Not on your own, you won't.", "Nell", "nearest_mention"),
    ]


def test_a_pronoun_says_whom_narration_is_about_only_when_their_gender_is_known(fixture_path, rules):
    # With no genders given, "She sighed." cannot be told from the last speaker, so the turn passes.
    unknown = (Character("Rowan"), Character("Nell"))
    for cast in (unknown, (NELL, ROWAN)):
        assert decided(fixture_path, "pronoun-narration-of-unknown-gender.txt", rules, cast)[-1] == (
            "Then we will need a ladder.", "Nell", "nearest_mention"
        )


def test_someone_answering_without_words_hands_the_turn_back(fixture_path, rules):
    assert decided(fixture_path, "silent-reply.txt", rules) == [
        ("Will you row out with me tomorrow?", "Nell", "tag_after"),
        ("You could at least say no.", "Nell", "silent_reply"),
        ("The tide is wrong,", "Rowan", "tag_after"),
        # A nod by someone else than the narrator is often the cue for their own line.
        ("Then the day after.", "Nell", "introduced_by_narration"),
    ]


def test_alternation_leaves_a_speech_carried_on_over_paragraphs_to_its_speaker(fixture_path, rules):
    # Nell's story runs over three paragraphs; the second is hers, not Rowan's turn by parity.
    assert [speaker for _, speaker, _ in decided(fixture_path, "continued-speech-in-exchange.txt", rules)] == [
        "Rowan", "Nell", "Rowan", "Nell", "Nell", "Nell", "Rowan"
    ]


def test_a_speech_carried_on_over_two_paragraphs_is_one_turn_of_the_exchange(fixture_path, rules):
    # Rowan, Nell, Rowan, Nell (two paragraphs), Rowan, Nell: the last tag fits the exchange, which
    # gives the untagged line before it to Rowan.
    assert decided(fixture_path, "continued-speech-parity.txt", rules)[-2] == ("You were lucky.", "Rowan", "alternation")


def test_an_answer_without_words_hands_the_turn_back_to_a_speaker_only_guessed(fixture_path, rules):
    # No tag says who spoke first; whoever the last resort gives that line keeps the one after the silence.
    assert decided(fixture_path, "silent-reply-untagged.txt", rules) == [
        ("The wind has dropped at last.", "Nell", "nearest_mention"),
        ("We could take the boat round to the point before dark.", "Nell", "silent_reply"),
    ]


def test_the_narrator_answering_with_a_gesture_hands_the_turn_back(fixture_path, rules):
    cast = (ROWAN, Character("Jake", gender="male"))
    assert decided(fixture_path, "silent-reply-first-person.txt", rules, cast, narrator_character="Jake") == [
        ("Is the boat ready?", "Rowan", "tag_after"),
        ("Then we wait for the morning.", "Rowan", "silent_reply"),
    ]


def test_narration_leading_into_a_quote_gives_it_to_whom_it_is_about(fixture_path, rules):
    # No speech verb, so no tag: still, narration ending "…and gave her opinion:" leads into Ida's words.
    assert decided(fixture_path, "narration-leads-into-the-quote.txt", rules)[-1] == (
        "You'll not get out past the bar tonight.", "Ida", "nearest_mention"
    )


def test_narration_leading_into_a_quote_gives_it_to_the_subject_of_its_last_clause(fixture_path, rules):
    assert decided(fixture_path, "lead-in-last-clause.txt", rules)[-1] == (
        "You'll not get out past the bar tonight.", "Ida", "nearest_mention"
    )


def test_a_third_speaker_at_the_same_parity_as_a_named_reply_does_not_take_its_turns(fixture_path, rules):
    # Rowan answers to his name, then Ida's tag lands on his parity: she joined in, she did not
    # speak his lines.
    assert decided(fixture_path, "third-speaker-joins-a-named-pair.txt", rules)[2:6] == [
        ("Well?", "Rowan", "vocative_reply"),
        ("Will you take the boat out tomorrow?", "Nell", "turn_taking"),
        ("Yes.", "Rowan", "turn_taking"),
        ("And the nets?", "Nell", "turn_taking"),
    ]


def test_an_alternation_broken_by_a_third_speaker(fixture_path, rules):
    found = {text: (speaker, rule) for text, speaker, rule in decided(fixture_path, "third-speaker-breaks-turns.txt", rules)}
    assert found["Tea first,"] == ("Ida", "tag_after")
    assert found["Who made it?"] == ("Ida", "vocative_reply")


def test_alternation_of_a_known_pair_stops_at_its_last_tag(fixture_path, rules):
    assert decided(fixture_path, "alternation-stops-at-the-last-tag.txt", rules) == [
        ("Is the boat ready?", "Nell", "tag_after_verb_first"),
        ("Nearly,", "Rowan", "tag_after_verb_first"),
        ("Are you sure, Nell? The tide is turning.", "Ida", "nearest_mention"),
    ]


def test_untagged_turns_alternate_backward_and_forward_from_the_tags(fixture_path, rules):
    # The narration names Nell last, but the tags further on show the first line is Rowan's.
    assert decided(fixture_path, "alternation-from-later-tags.txt", rules) == [
        ("Is the lamp lit?", "Rowan", "alternation"),
        ("Not yet.", "Nell", "turn_taking"),
        ("Then hurry, the light is going.", "Rowan", "turn_taking"),
        ("I am hurrying,", "Nell", "tag_after"),
        ("Good,", "Rowan", "tag_after"),
        ("Which way?", "Nell", "turn_taking"),
        ("Left, past the well.", "Rowan", "turn_taking"),
    ]


def test_a_turn_whose_narration_names_someone_else_is_not_given_to_the_exchange(fixture_path, rules):
    assert decided(fixture_path, "narration-names-a-newcomer.txt", rules)[-2:] == [
        ("Can I help?", "Nell", "turn_taking"),
        ("Not with those boots on.", "Ida", "nearest_mention"),
    ]


def test_with_no_tags_the_names_addressed_say_who_takes_which_turns(fixture_path, rules):
    assert decided(fixture_path, "alternation-from-names-addressed.txt", rules) == [
        ("Are you cold, Rowan?", "Nell", "alternation"),
        ("A little.", "Rowan", "vocative_reply"),
        ("Take my scarf.", "Nell", "alternation"),
        ("Thank you, Nell.", "Rowan", "turn_taking"),
    ]


def test_a_quote_carried_into_the_next_paragraph_is_not_the_addressees_reply(fixture_path, rules):
    # The second paragraph opens without a closing quote before it: Nell is still telling the story,
    # Rowan (whom she addressed) has not answered yet.
    assert decided(fixture_path, "continued-quote-after-a-vocative.txt", rules) == [
        ("Rowan, listen,", "Nell", "tag_after_verb_first"),
        ("Long ago there was a miller who had three sons, and none of them would ever grind the corn.", "Nell", "same_paragraph"),
        ("So the miller sold the mill, and the sons had to work after all.", "Nell", "continued_quote"),
    ]


def test_narration_saying_someone_kept_silent_lets_the_last_speaker_go_on(fixture_path, rules):
    assert decided(fixture_path, "silence-is-no-introduction.txt", rules) == [
        ("Did you lock the gate?", "Nell", "tag_after_verb_first"),
        ("You didn't, did you?", "Nell", "silent_reply"),
    ]


def test_narration_ending_in_a_colon_leads_into_its_subjects_words(fixture_path, rules):
    # Read by the last resort's lead-in: the subject of the clause "remarked:" ends.
    assert decided(fixture_path, "narration-ending-in-a-colon.txt", rules) == [
        ("You might have waited.", "Ida", "nearest_mention"),
    ]


def test_names_in_a_list_or_in_apposition_are_not_called_so_do_not_answer(fixture_path, rules):
    # "We need Ida, Rowan, and Mara" lists them; "my brother, Rowan" says who he is: nobody is asked to answer.
    assert [rule for _, _, rule in decided(fixture_path, "names-listed-or-in-apposition.txt", rules)] == [
        "tag_after", "nearest_mention", "tag_after", "nearest_mention"
    ]
