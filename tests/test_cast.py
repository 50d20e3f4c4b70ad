"""Casting: every character gets a voice, distinct where the pool allows."""

from pipeline.cast import cast_voices, preferences
from pipeline.model import UNCAST, Character, Voice
from pipeline.voices import check_voice_id, default_pool

NARRATOR = Voice("en-us", rate=170)


def test_named_voices_are_kept_and_the_rest_are_distinct_and_fit_gender():
    cast = cast_voices(
        NARRATOR,
        (
            Character("Spike", gender="male", voice=Voice("en-gb-x-rp+m3", rate=165)),
            Character("Tara", gender="female"),
            Character("Willow", gender="female"),
            Character("Giles", gender="male"),
        ),
    )
    voices = {c.name: c.voice for c in cast}
    assert voices["Spike"] == Voice("en-gb-x-rp+m3", rate=165)
    assert voices["Tara"].id in default_pool("female") and voices["Willow"].id in default_pool("female")
    assert voices["Giles"].id in default_pool("male")
    ids = [v.id for v in voices.values()] + [NARRATOR.id]
    assert len(set(ids)) == len(ids)
    # Uncast characters speak at the narrator's rate unless they say otherwise.
    assert voices["Tara"].rate == 170


def test_a_character_with_only_a_rate_keeps_it_and_gets_a_voice():
    cast = cast_voices(NARRATOR, (Character("Tara", gender="female", voice=Voice(UNCAST, rate=140)),))
    assert cast[0].voice.rate == 140 and cast[0].voice.id in default_pool("female")


def test_casting_is_the_same_every_run():
    characters = tuple(Character(f"C{i}", gender="unknown") for i in range(5))
    assert cast_voices(NARRATOR, characters) == cast_voices(NARRATOR, characters)


def test_when_the_pool_runs_out_voices_are_reused_at_another_pitch():
    pool = default_pool("female")
    characters = tuple(Character(f"F{i}", gender="female") for i in range(len(pool) + 2))
    voices = [c.voice for c in cast_voices(NARRATOR, characters)]
    assert len({(v.id, v.pitch) for v in voices}) == len(voices)
    assert voices[len(pool)].id == pool[0] and voices[len(pool)].pitch != voices[0].pitch


def test_every_pool_voice_is_a_real_voice():
    for gender in ("male", "female", "unknown"):
        for voice_id in default_pool(gender):
            assert check_voice_id(voice_id) == voice_id


SIX = (
    Character("Buffy", gender="female"), Character("Spike", gender="male"),
    Character("Willow", gender="female"), Character("Giles", gender="male"),
    Character("Tara", gender="female"), Character("Xander", gender="male"),
)


def test_six_characters_get_six_distinct_voices_of_their_gender():
    cast = cast_voices(NARRATOR, SIX)
    assert len({c.voice.id for c in cast} | {NARRATOR.id}) == 7
    for character in cast:
        assert character.voice.id in default_pool(character.gender)


def test_adding_a_character_anywhere_leaves_the_others_voices_alone():
    before = {c.name: c.voice for c in cast_voices(NARRATOR, SIX)}
    for position in range(len(SIX) + 1):
        for newcomer in (Character("Dawn", gender="female"), Character("Oz", gender="male")):
            characters = SIX[:position] + (newcomer,) + SIX[position:]
            after = {c.name: c.voice for c in cast_voices(NARRATOR, characters)}
            assert {name: after[name] for name in before} == before, (newcomer.name, position)


def test_preferences_depend_only_on_the_name():
    pool = default_pool("male")
    assert preferences("Spike", pool) == preferences("spike", pool)
    assert sorted(preferences("Spike", pool)) == sorted(pool)
    starts = {preferences(name, pool)[0] for name in ("Spike", "Giles", "Xander", "Oz", "Angel", "Riley")}
    assert len(starts) > 1  # characters do not all queue for the same first voice


def test_every_gendered_pool_voice_has_a_variant_of_that_gender():
    from pipeline.voices import describe

    for gender in ("male", "female"):
        pool = default_pool(gender)
        assert len(pool) >= 12
        assert {describe(voice_id).gender for voice_id in pool} == {gender}
        assert len({voice_id.partition("+")[2] for voice_id in pool}) == len(pool)  # no variant twice
