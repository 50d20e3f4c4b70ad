"""Names and mentions: how the cast's names, honorifics and pronouns resolve to characters."""

from __future__ import annotations

from pipeline.config import packaged_defaults
from pipeline.model import Character
from pipeline.names import SENTENCE_END, Mentions, Names

RULES = packaged_defaults().attribution
CAST = (
    Character("Mr. Hale", aliases=("Hale",), gender="male"),
    Character("Mrs. Hale", gender="female"),
    Character("Jake", gender="male"),
)


def test_names_resolve_through_aliases_honorifics_and_line_breaks():
    names = Names(CAST, RULES)
    assert names.resolve("Hale", discover=False) == "Mr. Hale"
    assert names.resolve("Mr. Jake", discover=False) == "Jake"  # an honorific before a listed name
    assert names.resolve("Sir", discover=True) is None  # a form of address alone names nobody
    assert names.of("Mr.\nHale") == "Mr. Hale"
    assert names.resolve("Marguerite", discover=True) == "Marguerite"
    assert names.discovered() == ["Marguerite"]


def test_spouses_share_a_surname():
    names = Names(CAST, RULES)
    assert names.spouse("Mr. Hale", "wife") == "Mrs. Hale"
    assert names.spouse("Mrs. Hale", "husband") == "Mr. Hale"
    assert names.spouse("Jake", "wife") is None


def test_he_never_means_the_first_person_narrator():
    names = Names(CAST, RULES, narrator_character="Jake")
    mentions = Mentions(names)
    text = "Mr. Hale nodded to me, and I sat down."
    mentions.scan(text, 0, len(text))
    assert mentions.recent[-1] == "Jake"  # "I" is the narrator
    assert mentions.latest("male") == "Mr. Hale"
    assert mentions.latest("narrator") == "Jake"


def test_a_subject_outweighs_a_later_object_of_the_same_gender():
    names = Names(CAST, RULES)
    mentions = Mentions(names)
    text = "The rain had stopped. Mr. Hale spread the wet map on the table and handed it to Jake. He folded it."
    mentions.scan(text, 0, len(text))
    assert mentions.recent[-1] == "Mr. Hale"  # "He" folded it: the subject of the sentence before
    assert mentions.latest("male") == "Mr. Hale"
    assert mentions.latest("male", excluding=("Mr. Hale",)) == "Jake"


def test_a_sentence_counts_a_character_once_however_often_it_mentions_her():
    names = Names((*CAST, Character("Ida", gender="female")), RULES)
    mentions = Mentions(names)
    text = "Ida pulled off her gloves, her hat and her scarf. Mrs. Hale came in. She sat down."
    mentions.scan(text, 0, len(text))
    assert mentions.recent[-1] == "Mrs. Hale"  # she who came in sat down, not the one with many things


def test_an_honorific_full_stop_does_not_end_a_sentence():
    text = 'Mrs. Hale came in. Dr. Ross stayed out! "Yes." '
    assert [m.group(0) for m in SENTENCE_END.finditer(text)] == [". ", "! ", '." ']
