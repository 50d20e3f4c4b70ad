"""The voice catalogue against the real eSpeak NG library, and voice-id validation."""

from __future__ import annotations

import shutil

import pytest

from pipeline import voices
from pipeline.errors import VoiceError
from pipeline.voices import (
    VariantInfo,
    VoiceInfo,
    check_voice_id,
    default_pool,
    describe,
    engine_voice_name,
    list_variants,
    list_voices,
    mbrola_voices,
    voice_table,
)

from conftest import require_tool


@pytest.fixture(autouse=True)
def espeak():
    require_tool("espeak-ng")


def test_base_voices_are_the_language_names_users_type():
    ids = [v.id for v in list_voices()]
    assert {"en-us", "en-gb", "en-gb-x-rp", "en-gb-scotland", "fr-fr", "de"} <= set(ids)
    assert len(ids) == len(set(ids))
    assert all(i == i.lower() and "+" not in i and "/" not in i for i in ids)
    assert all(v.gender in ("male", "female", "unknown") for v in list_voices())
    assert list_voices() is list_voices()  # read once per process


@pytest.mark.skipif(shutil.which("mbrola") is not None, reason="MBROLA is installed here")
def test_mbrola_voices_are_left_out_without_mbrola():
    assert not [v.id for v in list_voices() if v.id.startswith("mb-")]


def test_mbrola_voices_are_offered_only_when_their_data_is_installed(tmp_path):
    mb_dir = tmp_path / "voices" / "mb"
    mb_dir.mkdir(parents=True)
    (mb_dir / "mb-us1").write_text("name us-mbrola-1\nlanguage en-us\nlanguage en 8\ngender female\nmbrola us1 us_phtrans\n")
    (mb_dir / "mb-de2").write_text("name german-mbrola-2\nlanguage de\ngender male\nmbrola de2\n")
    data = tmp_path / "mbrola"
    (data / "us1").mkdir(parents=True)
    (data / "us1" / "us1").write_bytes(b"\0")

    found = list(mbrola_voices(mb_dir, [data], have_mbrola=True))

    assert found == [("mb-us1", "mb/mb-us1", VoiceInfo("mb-us1", "en-us", "female", "us-mbrola-1"))]
    assert list(mbrola_voices(mb_dir, [data], have_mbrola=False)) == []


def test_variants_come_from_the_variant_files():
    by_id = {v.id: v for v in list_variants()}
    assert by_id["m3"] == VariantInfo("m3", "male", "male3")
    assert by_id["f2"] == VariantInfo("f2", "female", "female2")
    assert by_id["mr-serious"].name == "Mr Serious"  # file "Mr serious": lowercase, no space
    assert all(i == i.lower() and " " not in i for i in by_id)


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [("en-us", "en-us"), ("EN-GB+M3", "en-gb+m3"), (" en-gb-x-rp+f1 ", "en-gb-x-rp+f1"), ("en-us+Alex", "en-us+alex")],
)
def test_valid_ids_come_back_canonical(typed, canonical):
    assert check_voice_id(typed) == canonical


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("en-gb+m33", "unknown voice 'en-gb+m33'; close matches: en-gb+m3"),
        ("en", "unknown voice 'en'; close matches: en-gb, en-us"),
        ("en-uk", "unknown voice 'en-uk'; close matches: en-us, en-gb"),
        ("en-us+", "unknown voice 'en-us+'; close matches: "),
        ("qqqqqqqq", "unknown voice 'qqqqqqqq'; see `audiobook voices`"),
        ("xx+yy", "unknown voice 'xx+yy'; see `audiobook voices`"),
    ],
)
def test_unknown_ids_are_refused_with_close_matches(typed, expected):
    with pytest.raises(VoiceError) as error:
        check_voice_id(typed)
    assert str(error.value).startswith(expected)
    assert str(error.value).count(",") <= 2  # at most three suggestions


def test_ids_translate_to_what_the_library_selects_by_name():
    assert engine_voice_name("en-gb") == "gmw/en"  # the library refuses "en-gb" itself
    assert engine_voice_name("en-gb+m3") == "gmw/en+m3"
    assert engine_voice_name("EN-US+alex") == "gmw/en-us+Alex"  # variant files are case-sensitive
    assert engine_voice_name("en-us+mr-serious") == "gmw/en-us+Mr serious"
    with pytest.raises(VoiceError):
        engine_voice_name("en-zz")


def test_describe_combines_base_and_variant():
    assert describe("en-gb-x-rp+f3") == VoiceInfo(
        "en-gb-x-rp+f3", "en-gb-x-rp", "female", "English (Received Pronunciation) + female3"
    )
    assert describe("EN-US").id == "en-us"


@pytest.mark.parametrize("gender", ["male", "female", "unknown"])
def test_default_pools_are_distinct_known_english_voices(gender):
    pool = default_pool(gender)
    assert len(pool) >= 6
    assert len(set(pool)) == len(pool)
    assert all(check_voice_id(voice_id) == voice_id and voice_id.startswith("en") for voice_id in pool)
    if gender != "unknown":
        assert all(describe(voice_id).gender == gender for voice_id in pool)


def test_pools_do_not_share_voices():
    male, female, unknown = (set(default_pool(g)) for g in ("male", "female", "unknown"))
    assert not (male & female or male & unknown or female & unknown)


def test_default_pool_refuses_an_unknown_gender():
    with pytest.raises(ValueError):
        default_pool("robot")


def test_voice_table_filters_by_language_and_lists_variants():
    lines = list(voice_table(list_voices(), list_variants(), "en-gb"))
    voice_lines = lines[1 : lines.index("")]
    assert voice_lines and all(line.startswith("en-gb") for line in voice_lines)
    assert lines[0].split() == ["ID", "LANGUAGE", "GENDER", "NAME"]
    assert any(line.split()[:2] == ["m3", "male"] for line in lines)
    assert "e.g. en-gb+m3" in "\n".join(lines)


def test_the_catalogue_reads_the_data_directory_the_library_uses():
    assert (voices.espeak_data_dir() / "voices" / "!v" / "m3").is_file()
