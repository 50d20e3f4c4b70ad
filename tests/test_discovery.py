"""Cast discovery on a small story we wrote: who, under which names, of which gender, how often."""

from __future__ import annotations

from dataclasses import replace

from pipeline.book import make_book
from pipeline.config import load_config, packaged_defaults
from pipeline.discovery import cast_block, discover_cast, with_discovered
from pipeline.ingest import read_story
from pipeline.model import Character
from pipeline.voices import default_pool


def discovered(fixture_path):
    text = fixture_path("discovery-cast.txt").read_text(encoding="utf-8")
    return discover_cast(text, packaged_defaults().attribution)


def genders(fixture_path, name: str) -> dict[str, str]:
    """Name -> gender of the characters discovered in a fixture story."""
    text = fixture_path(name).read_text(encoding="utf-8")
    return {d.character.name: d.character.gender for d in discover_cast(text, packaged_defaults().attribution)}


def test_speakers_and_honorifics_are_found_with_aliases_and_gender(fixture_path):
    found = {d.character.name: d for d in discovered(fixture_path)}
    assert set(found) == {"Margaret", "Mr. Hale", "Mrs. Thornby"}
    assert found["Margaret"].character == Character("Margaret", aliases=("Margaret Hale",), gender="female")
    # "Hale" alone is Mr. Hale's: nobody else is called Mr., Mrs. or Miss Hale.
    assert found["Mr. Hale"].character == Character("Mr. Hale", aliases=("Hale",), gender="male")
    assert found["Mrs. Thornby"].character.gender == "female"
    # "at Milton" is a place, however often it might appear.


def test_most_often_named_first(fixture_path):
    assert [d.character.name for d in discovered(fixture_path)] == ["Margaret", "Mr. Hale", "Mrs. Thornby"]
    assert [d.mentions for d in discovered(fixture_path)] == [6, 5, 4]


def test_names_in_voices_yaml_win(fixture_path):
    configured = (Character("Meg", aliases=("Margaret",), gender="female"),)
    cast = with_discovered(configured, discovered(fixture_path))
    assert [c.name for c in cast] == ["Meg", "Mr. Hale", "Mrs. Thornby"]


def test_the_cast_block_is_yaml_ready_to_edit(fixture_path):
    text = fixture_path("discovery-cast.txt").read_text(encoding="utf-8")
    assert cast_block(text, (), packaged_defaults().attribution) == [
        "characters:",
        "  Margaret:  # 6 mentions",
        "    aliases: [Margaret Hale]",
        "    gender: female",
        "  Mr. Hale:  # 5 mentions",
        "    aliases: [Hale]",
        "    gender: male",
        "  Mrs. Thornby:  # 4 mentions",
        "    aliases: []",
        "    gender: female",
    ]


def test_with_no_cast_given_discovered_characters_speak_in_voices_fitting_their_gender(fixture_path):
    book = make_book(read_story(fixture_path("discovery-cast.txt")), packaged_defaults())
    voices = {c.name: c.voice.id for c in book.cast}
    assert voices["Margaret"] in default_pool("female") and voices["Mrs. Thornby"] in default_pool("female")
    assert voices["Mr. Hale"] in default_pool("male")
    speakers = [s.speaker for s in book.segments if s.kind == "dialogue"]
    assert speakers[:3] == ["Mr. Hale", "Margaret", "Mrs. Thornby"]


def test_she_after_a_name_outweighs_his_or_her(fixture_path):
    # "Mara took his cup": his is Jory's. Two "she" against one "his" still say Mara is a woman.
    found = genders(fixture_path, "gender-from-subject-pronouns.txt")
    assert found["Mara"] == "female"


def test_a_first_person_narrator_is_not_a_cast_and_takes_the_name_others_call_them(fixture_path, tmp_path):
    # voices.yaml names only the narrator: the others are still discovered, and "Sam" and "Monsieur
    # Reed" are the narrator.
    voices = tmp_path / "voices.yaml"
    voices.write_text("narrator: {character: Sam Reed}\n", encoding="utf-8")
    book = make_book(read_story(fixture_path("first-person-cast-discovery.txt")), load_config(voices))
    cast = {c.name: c for c in book.cast}
    assert set(cast) == {"Sam Reed", "Nell", "Mr. Ford"}
    assert cast["Sam Reed"].aliases == ("Monsieur Reed", "Sam")
    assert (cast["Nell"].gender, cast["Mr. Ford"].gender) == ("female", "male")
    speakers = [s.speaker for s in book.segments if s.kind == "dialogue"]
    assert speakers == ["Nell", "Nell", "Sam Reed", "Mr. Ford", "Sam Reed", "Sam Reed", "Nell", "Mr. Ford", "Nell", "Nell"]


def test_the_cast_block_gives_a_first_person_narrator_the_name_others_call_them(fixture_path):
    text = fixture_path("first-person-cast-discovery.txt").read_text(encoding="utf-8")
    block = cast_block(text, (Character("Sam Reed"),), packaged_defaults().attribution, "Sam Reed")
    assert block[block.index("  Sam Reed:  # 4 mentions") + 1] == "    aliases: [Monsieur Reed, Sam]"
    assert not any(line.startswith("  Sam:") for line in block)


def test_a_name_mostly_given_with_the_goes_by_it(fixture_path):
    # "said the Duchess": she is "The Duchess", as the story calls her; "Tom" never takes "the".
    text = fixture_path("discovery-names-with-the.txt").read_text(encoding="utf-8")
    found = {d.character.name: d.character for d in discover_cast(text, packaged_defaults().attribution)}
    assert set(found) == {"The Duchess", "The Cook", "Tom"}
    assert found["The Duchess"] == Character("The Duchess", aliases=("Duchess",), gender="female")
    book = make_book(read_story(fixture_path("discovery-names-with-the.txt")), packaged_defaults())
    speakers = [s.speaker for s in book.segments if s.kind == "dialogue"]
    assert speakers == ["The Duchess", "The Cook", "Tom", "The Duchess", "The Cook"]


def test_places_and_days_are_not_characters_but_a_name_ending_in_a_common_word_is(fixture_path):
    # "through the Dark Wood", "on Sunday", "last Sunday" are where and when; "man" is a common word,
    # but "the Tall Man" is not written in lower case, so he is someone.
    text = fixture_path("discovery-places-and-days.txt").read_text(encoding="utf-8")
    found = {d.character.name: d.character for d in discover_cast(text, packaged_defaults().attribution)}
    assert set(found) == {"The Tall Man", "Ada"}
    assert (found["The Tall Man"].gender, found["Ada"].gender) == ("male", "female")


def test_a_surname_shared_by_mr_and_mrs_goes_to_the_one_its_pronouns_say(fixture_path):
    # Mrs. Ames is named far more often, but "Ames was a slow man, and he…" is Mr. Ames.
    text = fixture_path("discovery-shared-surname.txt").read_text(encoding="utf-8")
    found = {d.character.name: d.character for d in discover_cast(text, packaged_defaults().attribution)}
    assert found == {
        "Mrs. Ames": Character("Mrs. Ames", gender="female"),
        "Ames": Character("Ames", aliases=("Mr. Ames",), gender="male"),
    }


def test_titles_say_gender_without_a_pronoun(fixture_path):
    found = genders(fixture_path, "discovery-titles.txt")
    assert found == {"Count Orlov": "male", "Madame Roux": "female"}


def test_the_one_addressed_answers_and_the_tag_of_the_answer_gives_their_gender(fixture_path):
    # "You're late, Rook. …" / "I know," he said: Rook is a he, though no pronoun follows his name.
    found = genders(fixture_path, "discovery-gender-from-answers.txt")
    assert found["Rook"] == "male"


def test_a_word_after_a_or_an_is_no_name_unless_the_story_then_calls_it_the_one(fixture_path):
    # "an American", "some American": a nationality, not a character; "A Heron" is then "the Heron".
    text = fixture_path("discovery-not-names-with-a-determiner.txt").read_text(encoding="utf-8")
    found = {d.character.name for d in discover_cast(text, packaged_defaults().attribution)}
    assert found == {"Nora", "The Heron"}


def test_few_votes_can_still_say_a_gender(fixture_path):
    # One "she" after Juno against one "his", which is Cass's burn: twice the votes is enough.
    found = genders(fixture_path, "discovery-gender-few-votes.txt")
    assert found["Juno"] == "female"


def test_a_noun_beside_a_name_gives_its_gender(fixture_path):
    # "Wren, the old woman," and "Her brother Tam": no pronoun follows either name.
    found = genders(fixture_path, "discovery-gender-from-nouns.txt")
    assert found == {"Wren": "female", "Tam": "male"}


def test_a_name_met_only_in_the_authors_note_is_no_character(fixture_path, tmp_path):
    # "Jess said it needed more rain" thanks a reader; the story itself is Nell's and Rowan's.
    voices = tmp_path / "voices.yaml"
    voices.write_text("{}\n", encoding="utf-8")
    book = make_book(read_story(fixture_path("discovery-name-in-the-authors-note.txt")), load_config(voices))
    assert {c.name for c in book.cast} == {"Nell", "Rowan"}


def test_a_character_only_tagged_after_their_quotes_is_found(fixture_path):
    # Nell is never named mid-sentence, only in '"…," Nell asked' and at the start of sentences.
    text = fixture_path("silent-reply.txt").read_text(encoding="utf-8")
    found = {d.character.name for d in discover_cast(text, packaged_defaults().attribution)}
    assert {"Nell", "Rowan"} <= found


def test_a_narrator_configured_with_more_than_a_name_still_takes_the_names_others_call_them(fixture_path):
    text = fixture_path("first-person-cast-discovery.txt").read_text(encoding="utf-8")
    sam = Character("Sam Reed", aliases=("Samuel",), gender="male")
    block = cast_block(text, (sam,), packaged_defaults().attribution, "Sam Reed")
    assert block[block.index("  Sam Reed:  # 4 mentions") + 1] == "    aliases: [Monsieur Reed, Sam, Samuel]"
    assert not any(line.startswith(("  Sam:", "  Monsieur Reed:")) for line in block)


def test_empty_word_lists_find_no_genders_rather_than_fail(fixture_path):
    # "Nell, the eldest," would be read for a gendered noun, '"Rowan, …" / "…," he said' for a pronoun.
    text = fixture_path("discovery-empty-word-lists.txt").read_text(encoding="utf-8")
    defaults = packaged_defaults().attribution
    for emptied in ({"male_nouns": (), "female_nouns": ()}, {"male_pronouns": (), "female_pronouns": ()}):
        genders = {d.character.name: d.character.gender for d in discover_cast(text, replace(defaults, **emptied))}
        assert set(genders) == {"Nell", "Rowan"} and genders["Nell"] != "male"
