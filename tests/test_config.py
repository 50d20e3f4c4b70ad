"""voices.yaml: the packaged defaults, overrides merged field by field, and errors that name file, line and key."""

from __future__ import annotations

import re
import textwrap
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline.config import AttributionRules, load_config, packaged_defaults, parse_config
from pipeline.errors import ConfigError
from pipeline.model import UNCAST, Character, Pauses, ThoughtStyle, Voice
from pipeline.voices import check_voice_id

# "voices.yaml:12: characters.Tara.rate: expected a whole number, got 'slow'"
PROBLEM_LINE = re.compile(r"^[^\n:]+:\d+: (?:[^\n:]+: )?[^\n]+$")


@pytest.fixture(scope="module")
def defaults():
    return packaged_defaults()


def parse(text: str, defaults, filename: str = "voices.yaml"):
    return parse_config(textwrap.dedent(text), filename, defaults)


def problems(text: str, defaults) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse(text, defaults)
    lines = str(caught.value).split("\n")
    assert all(PROBLEM_LINE.match(line) for line in lines), lines
    return lines


# --- defaults ------------------------------------------------------------------------------------------


def test_the_packaged_defaults_load_and_are_sane(defaults):
    assert defaults.narrator == Voice(id="en-us", rate=175, pitch=50, volume=1.0)
    assert check_voice_id(defaults.narrator.id) == "en-us"
    assert defaults.characters == ()
    assert defaults.pauses == Pauses(sentence=250, paragraph=600, speaker_change=350, scene=1500, chapter=2500)
    assert defaults.attribution.single_quotes == "auto"
    assert defaults.attribution.turn_taking is True
    assert {"said", "asked", "whispered", "replied", "went on"} <= set(defaults.attribution.speech_verbs)
    assert {"thought", "wondered"} <= set(defaults.attribution.thought_verbs)
    assert not set(defaults.attribution.speech_verbs) & set(defaults.attribution.thought_verbs)
    assert {"saying", "muttering"} <= set(defaults.attribution.speech_participles)
    assert {"made no answer", "said nothing"} <= set(defaults.attribution.wordless_replies)
    assert {"nodded", "shrugged"} <= set(defaults.attribution.narrator_gestures)
    assert defaults.attribution.male_pronouns == ("he", "him")
    assert defaults.attribution.female_pronouns == ("she", "her")
    assert defaults.warnings == ()
    assert defaults.source == "defaults.yaml"


def test_no_voices_file_means_the_packaged_defaults(defaults):
    assert load_config(None) == defaults


@pytest.mark.parametrize("text", ["", "# nothing but a comment\n", "---\n", "{}\n"])
def test_an_empty_voices_file_changes_nothing(defaults, text):
    config = parse(text, defaults)
    assert config == replace(defaults, source="voices.yaml")


# --- overrides -----------------------------------------------------------------------------------------


def test_overriding_only_the_narrator_rate_keeps_the_default_voice(defaults):
    config = parse("narrator:\n  rate: 150\n", defaults)
    assert config.narrator == Voice(id="en-us", rate=150, pitch=50, volume=1.0)


def test_a_partial_pauses_section_keeps_the_other_defaults(defaults):
    config = parse("pauses:\n  chapter: 2000\n  sentence: 100\n", defaults)
    assert config.pauses == Pauses(sentence=100, paragraph=600, speaker_change=350, scene=1500, chapter=2000)


def test_a_partial_attribution_section_keeps_the_other_defaults(defaults):
    config = parse("attribution:\n  single_quotes: thought\n  female_pronouns: [she, her, hers]\n", defaults)
    assert config.attribution == replace(
        defaults.attribution, single_quotes="thought", female_pronouns=("she", "her", "hers")
    )


def test_the_overrides_file_merges_field_by_field(fixture_path, defaults):
    config = load_config(fixture_path("config-overrides.yaml"))
    narrator = Voice(id="en-us", rate=150, pitch=50, volume=1.0)
    assert config.narrator == narrator
    assert config.characters == (
        Character("Tara", ("Tee", "Captain Vell"), "female", Voice(id="en-gb", rate=150, pitch=70, volume=1.0)),
        Character("Ossian", (), "male", None),
        Character("Bram", (), "unknown", Voice(id=UNCAST, rate=140, pitch=50, volume=1.0)),
        Character("Wren", (), "unknown", None),
        Character("Pip", (), "unknown", None),
    )
    assert config.attribution == replace(defaults.attribution, speech_verbs=("said", "asked", "hollered"))
    assert config.pauses == replace(defaults.pauses, scene=2000)
    assert config.source == str(fixture_path("config-overrides.yaml"))
    assert config.warnings == ()


@pytest.mark.parametrize("empty", ["{}", "", "~", "null", "Null", "NULL"])
def test_a_character_may_be_listed_with_nothing_set(defaults, empty):
    config = parse(f"characters:\n  Wren: {empty}\n", defaults)
    assert config.characters == (Character("Wren"),)


def test_a_character_setting_only_some_voice_fields_is_cast_later(defaults):
    config = parse(
        """\
        narrator: {rate: 160, pitch: 40, volume: 0.8}
        characters:
          Bram: {pitch: 20}
        """,
        defaults,
    )
    (bram,) = config.characters
    assert bram.voice == Voice(id=UNCAST, rate=160, pitch=20, volume=0.8)


def test_a_character_voice_id_is_checked_and_made_canonical(defaults):
    config = parse("characters:\n  Tara: {voice: EN-GB}\n", defaults)
    assert config.characters[0].voice.id == "en-gb"


def test_an_alias_equal_to_the_name_is_dropped(defaults):
    config = parse("characters:\n  Tara: {aliases: [Tara, Tee]}\n", defaults)
    assert config.characters[0].aliases == ("Tee",)


def test_a_single_alias_need_not_be_a_list(defaults):
    config = parse("characters:\n  Tara: {aliases: Tee}\n", defaults)
    assert config.characters[0].aliases == ("Tee",)


def test_names_that_yaml_would_read_as_booleans_or_numbers_stay_names(defaults):
    config = parse(
        """\
        characters:
          No: {aliases: [Yes, On]}
          "1984": {}
          2049: {aliases: [K]}
        """,
        defaults,
    )
    assert [(c.name, c.aliases) for c in config.characters] == [("No", ("Yes", "On")), ("1984", ()), ("2049", ("K",))]


def test_whole_numbers_may_be_written_with_a_point_zero(defaults):
    config = parse("narrator: {rate: 150.0, volume: 1}\n", defaults)
    assert config.narrator == Voice(id="en-us", rate=150, pitch=50, volume=1.0)
    assert isinstance(config.narrator.rate, int) and isinstance(config.narrator.volume, float)


# --- errors ------------------------------------------------------------------------------------------


def test_every_mistake_is_reported_at_once_in_file_order(fixture_path):
    path = fixture_path("config-every-mistake.yaml")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).split("\n") == [
        f"{path}:2: narrator.rate: expected a whole number, got 'fast'",
        f"{path}:3: narrator.pitch: expected a value from 0 to 100, got 130",
        f"{path}:4: narrator.volume: expected a number, got 'loud'",
        f"{path}:7: characters.Tara.gender: expected one of male, female, unknown, got 'robot'",
        f"{path}:8: characters.Tara.rate: expected a whole number, got 'slow'",
        f"{path}:10: characters.Ossian: the name 'Tee' is already used by Tara",
        f"{path}:12: characters.Tara: listed twice (first on line 6)",
        f"{path}:14: characters.Bram: the name 'Ossian' is already used by Ossian",
        f"{path}:17: attribution.single_quotes: expected one of auto, thought, dialogue, ignore, got 'sometimes'",
        f"{path}:18: attribution.turn_taking: expected true or false, got 'maybe'",
        f"{path}:20: pauses.scene: expected a value from 0 to 60000, got -5",
        f"{path}:21: pauses.chapter: expected a whole number, got 'long'",
    ]


def test_the_message_from_the_brief(defaults):
    lines = problems(
        """\
        characters:
          Tara:
            rate: slow
        """,
        defaults,
    )
    assert lines == ["voices.yaml:3: characters.Tara.rate: expected a whole number, got 'slow'"]


@pytest.mark.parametrize(
    "yaml_text, expected",
    [
        ("narrator: {rate: fast}", "voices.yaml:1: narrator.rate: expected a whole number, got 'fast'"),
        ("narrator: {rate: 150.5}", "voices.yaml:1: narrator.rate: expected a whole number, got '150.5'"),
        ("narrator: {rate: 20}", "voices.yaml:1: narrator.rate: expected a value from 80 to 500, got 20"),
        ("narrator: {rate: true}", "voices.yaml:1: narrator.rate: expected a whole number, got 'true'"),
        ("narrator: {rate: .inf}", "voices.yaml:1: narrator.rate: expected a whole number, got '.inf'"),
        ("narrator: {rate: [150]}", "voices.yaml:1: narrator.rate: expected a whole number, got a list"),
        ("narrator: {pitch: 101}", "voices.yaml:1: narrator.pitch: expected a value from 0 to 100, got 101"),
        ("narrator: {pitch: -1}", "voices.yaml:1: narrator.pitch: expected a value from 0 to 100, got -1"),
        ("narrator: {volume: 1.5}", "voices.yaml:1: narrator.volume: expected a value from 0.0 to 1.0, got 1.5"),
        ("narrator: {voice: ''}", "voices.yaml:1: narrator.voice: expected text, got ''"),
        ("narrator: loud", "voices.yaml:1: narrator: expected a mapping, got 'loud'"),
        ("characters: [Tara, Bram]", "voices.yaml:1: characters: expected a mapping, got a list"),
        ("characters: {Tara: {gender: robot}}",
         "voices.yaml:1: characters.Tara.gender: expected one of male, female, unknown, got 'robot'"),
        ("characters: {Tara: {aliases: {Tee: 1}}}",
         "voices.yaml:1: characters.Tara.aliases: expected a list of words, got a mapping"),
        ("characters: {Tara: {aliases: [Tee, ~]}}",
         "voices.yaml:1: characters.Tara.aliases[1]: expected text, got '~'"),
        ("pauses: {scene: 60001}", "voices.yaml:1: pauses.scene: expected a value from 0 to 60000, got 60001"),
        ("attribution: {turn_taking: often}",
         "voices.yaml:1: attribution.turn_taking: expected true or false, got 'often'"),
        ("- narrator\n- characters", "voices.yaml:1: expected a mapping, got a list"),
        ("just some words", "voices.yaml:1: expected a mapping, got 'just some words'"),
    ],
)  # fmt: skip
def test_a_wrong_value_names_line_and_key(defaults, yaml_text, expected):
    assert problems(yaml_text, defaults) == [expected]


def test_a_section_listed_twice_is_an_error(defaults):
    lines = problems("narrator: {rate: 150}\npauses: {scene: 10}\nnarrator: {rate: 160}\n", defaults)
    assert lines == ["voices.yaml:3: narrator: listed twice (first on line 1)"]


def test_a_character_listed_twice_is_an_error(defaults):
    lines = problems("characters:\n  Tara: {rate: 150}\n  Bram: {}\n  Tara: {rate: 160}\n", defaults)
    assert lines == ["voices.yaml:4: characters.Tara: listed twice (first on line 2)"]


def test_an_alias_shared_by_two_characters_is_an_error(defaults):
    lines = problems(
        """\
        characters:
          Tara:
            aliases: [Captain]
          Bram:
            aliases: [captain]
        """,
        defaults,
    )
    assert lines == ["voices.yaml:4: characters.Bram: the name 'captain' is already used by Tara"]


def test_a_tab_in_the_indentation_is_one_clear_line(fixture_path):
    path = fixture_path("config-tab-indent.yaml")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}:3: not valid YAML: a tab character; YAML indents with spaces"


def test_text_that_is_not_yaml_is_one_line_with_the_line_number(fixture_path):
    path = fixture_path("config-not-yaml.yaml")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:2: not valid YAML: ")
    assert "\n" not in message


def test_a_control_character_is_one_line_with_the_line_number(defaults):
    with pytest.raises(ConfigError) as caught:
        parse("narrator:\n  rate: 150\n  pitch: 4\x070\n", defaults)
    assert str(caught.value) == "voices.yaml:3: not valid YAML: the character U+0007 is not allowed"


@pytest.mark.parametrize(
    "yaml_text, expected",
    [
        ("narrator: {rate: !!int fast}", "voices.yaml:1: narrator.rate: expected a whole number, got 'fast'"),
        ("narrator: {rate: !custom 150}", "voices.yaml:1: narrator.rate: expected a whole number, got !custom '150'"),
        ("narrator: {rate: !!python/object:os.system echo}",
         "voices.yaml:1: narrator.rate: expected a whole number, got 'echo'"),
    ],
)  # fmt: skip
def test_yaml_tags_are_judged_as_values_not_crashes(defaults, yaml_text, expected):
    assert problems(yaml_text, defaults) == [expected]


def test_a_missing_voices_file_is_named(tmp_path):
    path = tmp_path / "voices.yaml"
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}: no such voices file"


def test_a_directory_is_not_a_voices_file(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert str(caught.value) == f"{tmp_path}: is a directory, not a voices file"


def test_a_voices_file_that_is_not_utf8_is_named(tmp_path):
    path = tmp_path / "voices.yaml"
    path.write_bytes(b"characters:\n  Ren\xe9e: {}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}: not UTF-8 text (byte 17)"


def test_a_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "voices.yaml"
    path.write_bytes(b"\xef\xbb\xbfnarrator:\n  rate: 150\n")
    assert load_config(path).narrator.rate == 150


# --- warnings ------------------------------------------------------------------------------------------


def test_unknown_keys_are_warnings_with_line_numbers(fixture_path):
    path = fixture_path("config-unknown-keys.yaml")
    config = load_config(path)
    assert config.warnings == (
        f"{path}:3: narrator.accent: unknown key (ignored; known: voice, rate, pitch, volume, engine, model, character)",
        f"{path}:4: colour: unknown key (ignored; known: narrator, characters, attribution, thoughts, pauses, pronounce)",
        f"{path}:8: characters.Tara.hat: unknown key (ignored; known: aliases, gender, voice, rate, pitch, volume, engine, model)",
    )
    assert config.narrator.rate == 150
    assert config.characters == (Character("Tara", gender="female"),)


def test_warnings_do_not_hide_errors(defaults):
    lines = problems("colour: blue\nnarrator: {rate: fast}\n", defaults)
    assert lines == ["voices.yaml:2: narrator.rate: expected a whole number, got 'fast'"]


def test_a_yaml_merge_key_is_an_unknown_key_not_a_crash(defaults):
    config = parse(
        """\
        characters:
          Tara: &sailor {gender: female}
          Bram:
            <<: *sailor
        """,
        defaults,
    )
    assert config.warnings == (
        "voices.yaml:4: characters.Bram.<<: unknown key (ignored; known: aliases, gender, voice, rate, pitch, volume, engine, model)",
    )


# --- voice ids (the catalogue comes from pipeline.voices) ------------------------------------------------


def test_an_unknown_voice_id_names_close_matches(fixture_path):
    path = fixture_path("config-unknown-voice.yaml")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    prefix = f"{path}:3: characters.Tara.voice: unknown voice 'en-uss'; close matches: "
    assert message.startswith(prefix), message
    assert "en-us" in message[len(prefix) :].split(", ")
    assert "\n" not in message


def test_an_unknown_narrator_voice_is_collected_with_other_errors(defaults):
    lines = problems("narrator:\n  voice: no-such-voice-anywhere\n  rate: fast\n", defaults)
    assert lines[0].startswith("voices.yaml:2: narrator.voice: unknown voice 'no-such-voice-anywhere'; ")
    assert lines[1] == "voices.yaml:3: narrator.rate: expected a whole number, got 'fast'"
    assert len(lines) == 2


def test_a_voice_variant_is_checked_too(defaults):
    lines = problems("characters:\n  Tara: {voice: en-us+nosuchvariant}\n", defaults)
    assert lines[0].startswith("voices.yaml:2: characters.Tara.voice: unknown voice 'en-us+nosuchvariant'; ")


def test_attribution_rules_default_when_there_are_no_defaults():
    config = parse_config("pauses: {scene: 10}\n", "voices.yaml")
    assert config.attribution == AttributionRules()
    assert config.pauses == Pauses(scene=10)


# --- any text at all -----------------------------------------------------------------------------------

YAML_PIECES = st.sampled_from(
    [
        "narrator:", "characters:", "pauses:", "attribution:", "\n", "  ", "    ", "\t", "rate: ", "pitch: ",
        "voice: en-us", "aliases: [", "]", "{", "}", "- ", "Tara:", "~", "!!int ", "!x ", "&a ", "*a", "<<: ",
        "? ", ": ", "'", '"', "#", "150", "1.5", "yes", "---", "\x07", "\ufeff", "gender: male", "scene: 10",
    ]
)  # fmt: skip
YAMLISH = st.lists(st.one_of(YAML_PIECES, st.text(max_size=8)), max_size=30).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(YAMLISH)
@example("narrator:\n  rate: !!int fast\n")
@example("characters:\n  !!float Tara: {}\n")
@example("characters:\n  Tara: &t {}\n  Bram:\n    <<: *t\n")
@example("narrator: {rate: 150}\n\x07")
def test_any_text_gives_a_config_or_one_line_per_problem_naming_the_file(defaults, text):
    try:
        config = parse_config(text, "voices.yaml", defaults)
    except ConfigError as error:
        lines = str(error).split("\n")
        assert all(line.startswith("voices.yaml:") for line in lines), lines
    else:
        assert all(warning.startswith("voices.yaml:") for warning in config.warnings)


# --- pronounce ----------------------------------------------------------------------------------------


def test_the_pronounce_lexicon_is_read_in_file_order(defaults):
    config = parse("pronounce:\n  Giles: Jyles\n  Tara: Tahra\n", defaults)
    assert config.pronounce == (("Giles", "Jyles"), ("Tara", "Tahra"))
    assert defaults.pronounce == ()


def test_pronounce_mistakes_name_line_and_key(defaults):
    assert problems("pronounce:\n  Giles: [Jy, les]\n  Tara:\n  Anya: Ahnya\n", defaults) == [
        "voices.yaml:2: pronounce.Giles: expected text, got a list",
        "voices.yaml:3: pronounce.Tara: expected text, got ''",
    ]
    assert problems("pronounce: [Giles]\n", defaults) == ["voices.yaml:1: pronounce: expected a mapping, got a list"]
def test_thoughts_section_is_read_and_checked(tmp_path):
    path = tmp_path / "voices.yaml"
    path.write_text("thoughts:\n  rate: 0.8\n  variant: whisperf\n", encoding="utf-8")
    config = load_config(path)
    assert config.thoughts == ThoughtStyle(rate=0.8, pitch=-6, volume=0.7, variant="whisperf")
    path.write_text("thoughts:\n  rate: slow\n  pitch: 90\n  variant: murmur\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value).splitlines() == [
        f"{path}:2: thoughts.rate: expected a number, got 'slow'",
        f"{path}:3: thoughts.pitch: expected a value from -50 to 50, got 90",
        f"{path}:4: thoughts.variant: unknown variant 'murmur'; see `audiobook voices`",
    ]


def test_engine_and_model_make_a_piper_voice_relative_to_the_voices_file(tmp_path):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "joe.onnx").write_bytes(b"")
    path = tmp_path / "voices.yaml"
    path.write_text(
        "narrator: {engine: piper, model: models/joe.onnx, rate: 160}\n"
        "characters:\n  Tara: {gender: female, engine: espeak}\n  Spike: {voice: en-gb-x-rp+m3}\n",
        encoding="utf-8",
    )
    config = load_config(path)
    model = str((tmp_path / "models" / "joe.onnx").resolve())
    assert config.narrator == Voice("joe", rate=160, engine="piper", model=model)
    tara, spike = config.characters
    # Characters cast from eSpeak NG keep their own engine and take the narrator's rate, never its model.
    assert tara.voice == Voice(UNCAST, rate=160, engine="espeak")
    assert spike.voice == Voice("en-gb-x-rp+m3", rate=160)


def test_engine_mistakes_name_file_line_and_key(tmp_path):
    path = tmp_path / "voices.yaml"
    path.write_text(
        "narrator:\n  engine: festival\ncharacters:\n  Tara:\n    engine: piper\n"
        "  Spike:\n    model: nowhere.onnx\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value).splitlines() == [
        f"{path}:2: narrator.engine: expected one of pyttsx3, espeak, piper, got 'festival'",
        f"{path}:5: characters.Tara.model: the piper engine needs a voice model (.onnx file)",
        f"{path}:7: characters.Spike.model: no voice model at {tmp_path / 'nowhere.onnx'}",
    ]


def test_a_model_without_the_piper_engine_is_a_warning(tmp_path):
    (tmp_path / "joe.onnx").write_bytes(b"")
    path = tmp_path / "voices.yaml"
    path.write_text("narrator:\n  voice: en-us\n  model: joe.onnx\n", encoding="utf-8")
    config = load_config(path)
    assert config.warnings == (f"{path}:2: narrator.model: ignored: only the piper engine reads a voice model",)
    assert config.narrator == Voice("en-us")


def test_a_first_person_narrator_names_a_character(defaults):
    config = parse("narrator: {character: Jake}\ncharacters:\n  Jake: {gender: male}\n", defaults)
    assert config.narrator_character == "Jake"
    assert [c.name for c in config.characters] == ["Jake"]
    assert config.narrator == defaults.narrator


def test_a_narrator_character_missing_from_the_cast_joins_it(defaults):
    config = parse("narrator: {character: Jake, rate: 160}\n", defaults)
    assert config.characters == (Character("Jake"),)
    assert config.narrator.rate == 160
    assert config.warnings == ()


def test_narrator_character_must_be_text(defaults):
    assert problems("narrator: {character: [a, b]}\n", defaults) == [
        "voices.yaml:1: narrator.character: expected text, got a list"
    ]


def test_descriptor_nouns_and_first_person_pronouns_are_word_lists(defaults):
    config = parse("attribution: {male_nouns: [monk], first_person_pronouns: I}\n", defaults)
    assert config.attribution.male_nouns == ("monk",)
    assert config.attribution.first_person_pronouns == ("I",)
    assert "vampire" in defaults.attribution.person_nouns
