"""The command line: exact output, one-line errors, help for every command."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "stories" / "the-lamp-room.txt"


@pytest.fixture
def runner(tmp_path, monkeypatch):
    # Run where no ./voices.yaml is, so a command without -c uses the packaged defaults wherever pytest runs.
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def invoke(runner, *args):
    return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_every_command_has_a_summary_and_an_example(runner):
    assert cli.commands, "no commands"
    for name, command in cli.commands.items():
        result = invoke(runner, name, "--help")
        assert result.exit_code == 0, name
        assert command.get_short_help_str(limit=200), f"{name} has no one-line summary"
        assert f"Example: audiobook {name}" in result.output, f"{name} help has no example"


def test_script_jsonl(runner):
    result = invoke(runner, "script", SAMPLE, "-c", ROOT / "voices.yaml", "--format", "jsonl")
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.output.splitlines()]
    story = SAMPLE.read_text(encoding="utf-8")
    assert rows[0] == {
        "start": story.index("Chapter 1"),
        "end": story.index("Chapter 1") + len("Chapter 1: The Storm"),
        "kind": "narration",
        "speaker": "narrator",
        "voice": "en-us",
        "chapter": 1,
        "text": "Chapter 1: The Storm",
    }
    assert all(row["text"] == story[row["start"] : row["end"]] for row in rows)


def test_script_text_is_a_screenplay(runner):
    result = invoke(runner, "script", SAMPLE, "-c", ROOT / "voices.yaml")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[:3] == [
        "== Chapter 1: The Storm ==",
        "Narrator (en-us): Chapter 1: The Storm",
        "Narrator (en-us): The wind had been rising since noon, and by dusk it was throwing whole waves "
        "against the foot of the lighthouse. Mara climbed the last of the iron stairs with the oil can in "
        "both hands.",
    ]
    assert "Finch (en-gb-scotland+m7): Keep the light turning," in lines


def test_voices_lists_ids_with_language_and_gender(runner):
    result = invoke(runner, "voices", "--lang", "en-gb-x-rp")
    assert result.exit_code == 0
    assert result.output.splitlines()[0].split() == ["ID", "LANGUAGE", "GENDER", "NAME"]
    assert any(line.split()[:3] == ["en-gb-x-rp", "en-gb-x-rp", "male"] for line in result.output.splitlines()[1:])
    assert "f3" in result.output  # variants are listed too


def test_missing_story_is_one_line_and_exit_1(runner, tmp_path):
    result = invoke(runner, "script", tmp_path / "nope.txt")
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path / 'nope.txt'}: no such story file\n"


def test_empty_story(runner, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n\n", encoding="utf-8")
    result = invoke(runner, "build", empty, "-o", tmp_path / "out", "--cache", tmp_path / "cache")
    assert result.exit_code == 1
    assert result.output == f"Error: {empty}: the story is empty\n"
    assert not (tmp_path / "out" / "empty.mp3").exists()


def test_binary_story(runner, tmp_path):
    binary = tmp_path / "cover.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    result = invoke(runner, "script", binary)
    assert result.exit_code == 1
    assert result.output == f"Error: {binary}: a binary file, not a text story\n"


def test_malformed_voices_names_file_line_and_key(runner, tmp_path):
    voices = tmp_path / "voices.yaml"
    voices.write_text("narrator: {voice: en-us}\ncharacters:\n  Tara:\n    rate: slow\n", encoding="utf-8")
    result = invoke(runner, "script", SAMPLE, "-c", voices)
    assert result.exit_code == 1
    assert result.output == f"Error: {voices}:4: characters.Tara.rate: expected a whole number, got 'slow'\n"


def test_unknown_voice_lists_close_matches(runner, tmp_path):
    voices = tmp_path / "voices.yaml"
    voices.write_text("narrator:\n  voice: en-gb-x-rq\n", encoding="utf-8")
    result = invoke(runner, "script", SAMPLE, "-c", voices)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {voices}:2: narrator.voice: unknown voice 'en-gb-x-rq'; close matches: ")
    assert "en-gb-x-rp" in result.output
    assert len(result.output.splitlines()) == 1


def test_unknown_key_is_a_warning_not_an_error(runner, tmp_path):
    voices = tmp_path / "voices.yaml"
    voices.write_text("narrator: {voice: en-us}\nnarator: {}\n", encoding="utf-8")
    result = runner.invoke(cli, ["script", str(SAMPLE), "-c", str(voices)])
    assert result.exit_code == 0
    assert f"Warning: {voices}:2: narator: unknown key" in result.stderr


def test_debug_shows_the_traceback(runner, tmp_path):
    result = runner.invoke(cli, ["--debug", "script", str(tmp_path / "nope.txt")])
    assert result.exit_code == 1
    assert type(result.exception).__name__ == "StoryError"


def test_unwritable_output_directory(runner, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    result = invoke(runner, "build", SAMPLE, "-o", blocker / "out", "--cache", tmp_path / "cache")
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {blocker / 'out'}: cannot write the output directory")


def test_a_story_with_nothing_to_say_names_the_file(runner, tmp_path):
    marks = tmp_path / "marks.txt"
    marks.write_text('""""""\n', encoding="utf-8")
    result = invoke(runner, "build", marks, "-o", tmp_path / "out", "--cache", tmp_path / "cache")
    assert result.exit_code == 1
    assert result.output == f"Error: {marks}: nothing to read aloud\n"


def test_every_line_of_a_several_problem_error_says_error(runner, tmp_path):
    voices = tmp_path / "voices.yaml"
    voices.write_text("narrator:\n  rate: fast\n  pitch: 900\n", encoding="utf-8")
    result = invoke(runner, "script", SAMPLE, "-c", voices)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: {voices}:2: narrator.rate: expected a whole number, got 'fast'",
        f"Error: {voices}:3: narrator.pitch: expected a value from 0 to 100, got 900",
    ]


def test_a_bad_cover_fails_before_rendering(runner, tmp_path):
    cover = tmp_path / "cover.jpg"
    cover.write_text("not an image", encoding="utf-8")
    result = invoke(runner, "build", SAMPLE, "-o", tmp_path / "out", "--cache", tmp_path / "cache", "--cover", cover)
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and len(result.output.splitlines()) == 1
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").rglob("*.wav"))


def salt_roads_directory(tmp_path: Path) -> Path:
    book = tmp_path / "salt-roads"
    book.mkdir()
    (book / "01.txt").write_text("Title: Salt Roads\nAuthor: Ines Varga\n\nChapter 1: The Quay\n\nThe boats came in.\n")
    (book / "02.md").write_text("# The Lighthouse\n\nThe lamp went out.\n\nA/N: Please review!\n")
    return book


def test_script_of_a_directory_is_one_book(runner, tmp_path):
    result = invoke(runner, "script", salt_roads_directory(tmp_path))
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "== Chapter 1: The Quay ==",
        "Narrator (en-us): Chapter 1: The Quay",
        "Narrator (en-us): The boats came in.",
        "",
        "== The Lighthouse ==",
        "Narrator (en-us): # The Lighthouse",
        "Narrator (en-us): The lamp went out.",
    ]


def test_build_of_a_directory_reads_the_front_matter_aloud_when_asked(runner, tmp_path):
    from conftest import require_tool
    from test_build import ffprobe

    require_tool("espeak-ng")
    require_tool("ffmpeg")
    book, out, cache = salt_roads_directory(tmp_path), tmp_path / "out", tmp_path / "cache"
    plain = invoke(runner, "build", book, "-o", out, "--cache", cache)
    assert plain.exit_code == 0
    assert re.fullmatch(rf"{re.escape(str(out / 'salt-roads.mp3'))}: 0:0\d, 2 chapter\(s\), 1 voice\(s\)\n", plain.stdout)
    probe = ffprobe(out / "salt-roads.mp3")
    assert [c["tags"]["title"] for c in probe["chapters"]] == ["Chapter 1: The Quay", "The Lighthouse"]
    assert (probe["format"]["tags"]["title"], probe["format"]["tags"]["artist"]) == ("Salt Roads", "Ines Varga")
    without_intro = float(probe["format"]["duration"])

    introduced = invoke(runner, "build", book, "-o", out, "--cache", cache, "--read-front-matter")
    assert introduced.exit_code == 0
    assert float(ffprobe(out / "salt-roads.mp3")["format"]["duration"]) > without_intro + 1.0  # "Salt Roads. By Ines Varga."
def test_voices_sample_writes_one_file_per_voice(runner, tmp_path):
    out = tmp_path / "samples"
    result = invoke(runner, "voices", "--sample", "Hello there.", "en-us+f3", "en-gb-x-rp",
                    "-o", out, "--cache", tmp_path / "cache")
    assert result.exit_code == 0
    assert result.output == f"{out / 'en-us+f3.wav'}\n{out / 'en-gb-x-rp.wav'}\n"
    assert sorted(p.name for p in out.iterdir()) == ["en-gb-x-rp.wav", "en-us+f3.wav"]


def test_voice_ids_without_sample_are_a_usage_error(runner):
    result = runner.invoke(cli, ["voices", "en-us"])
    assert result.exit_code == 2
    assert result.output.endswith("Error: VOICE ids are for --sample; to list voices, give --lang or nothing\n")


def test_script_explain_names_the_deciding_rule(runner, fixture_path, tmp_path):
    voices = tmp_path / "voices.yaml"
    voices.write_text("characters:\n  Rowan: {gender: male}\n  Ida: {gender: female}\n", encoding="utf-8")
    result = invoke(runner, "script", fixture_path("vocative-reply.txt"), "-c", voices, "--explain")
    assert result.exit_code == 0
    assert result.output.splitlines()[2:] == [
        "Rowan (en-us+victor): Can you fix it, Ida? [tag_after]",
        "Narrator (en-us): Rowan asked.",
        "Ida (en-gb-scotland+f3): Give me an hour. [vocative_reply]",
    ]


def test_script_explain_jsonl_adds_a_rule_key_to_quotes(runner, fixture_path):
    result = invoke(runner, "script", fixture_path("said-attribution.txt"), "--format", "jsonl", "--explain")
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [(r["speaker"], r.get("rule")) for r in rows if r["kind"] != "narration"] == [
        ("Nell", "tag_after_verb_first"),
        ("Rowan", "tag_before"),
        ("Nell", "tag_after"),
        ("Rowan", "tag_after_verb_first"),
    ]
    assert all(list(r)[:7] == ["start", "end", "kind", "speaker", "voice", "chapter", "text"] for r in rows)
    assert not any("rule" in r for r in rows if r["kind"] == "narration")


def test_cast_prints_a_characters_block(runner, fixture_path, tmp_path):
    voices = tmp_path / "voices.yaml"
    voices.write_text("characters:\n  Meg: {aliases: [Margaret], gender: female, voice: en-gb}\n", encoding="utf-8")
    result = invoke(runner, "cast", fixture_path("discovery-cast.txt"), "-c", voices)
    assert result.exit_code == 0
    assert result.output == (
        "characters:\n"
        "  Mr. Hale:  # 7 mentions\n"
        "    aliases: [Hale]\n"
        "    gender: male\n"
        "  Meg:  # 6 mentions\n"
        "    aliases: [Margaret]\n"
        "    gender: female\n"
        "    voice: en-gb\n"
        "    rate: 175\n"
        "    pitch: 50\n"
        "    volume: 1.0\n"
        "  Mrs. Thornby:  # 4 mentions\n"
        "    aliases: []\n"
        "    gender: female\n"
    )


def test_cast_gives_a_first_person_narrator_the_names_the_others_call_them(runner, fixture_path, tmp_path):
    voices = tmp_path / "voices.yaml"
    voices.write_text("narrator: {character: Sam Reed}\n", encoding="utf-8")
    result = invoke(runner, "cast", fixture_path("first-person-cast-discovery.txt"), "-c", voices)
    assert result.exit_code == 0
    assert result.output == (
        "characters:\n"
        "  Nell:  # 4 mentions\n"
        "    aliases: []\n"
        "    gender: female\n"
        "  Sam Reed:  # 4 mentions\n"
        "    aliases: [Monsieur Reed, Sam]\n"
        "    gender: unknown\n"
        "  Mr. Ford:  # 3 mentions\n"
        "    aliases: []\n"
        "    gender: male\n"
    )


def test_build_ends_with_the_segment_summary_on_stderr_and_no_progress_bar_off_a_terminal(runner, tmp_path):
    story = ROOT / "tests" / "fixtures" / "said-attribution.txt"
    out, cache = tmp_path / "out", tmp_path / "cache"

    segments = len(invoke(runner, "script", story, "--format", "jsonl").output.splitlines())
    first = runner.invoke(cli, ["build", str(story), "-o", str(out), "--cache", str(cache)])
    again = runner.invoke(cli, ["build", str(story), "-o", str(out), "--cache", str(cache)])

    assert first.exit_code == 0 and again.exit_code == 0
    assert first.stderr == f"segments: {segments} total, {segments} synthesized, 0 cached\n"
    assert again.stderr == f"segments: {segments} total, 0 synthesized, {segments} cached\n"
    assert again.stdout == first.stdout
    assert re.fullmatch(rf"{re.escape(str(out / 'said-attribution.mp3'))}: 0:\d\d, 1 chapter\(s\), \d voice\(s\)\n", first.stdout)


# --- bad input, black box: the installed command as a user runs it -------------------------------------

# Each case: the command's arguments, then the one line it must print on stderr ("…" ends a prefix).
BAD_INPUT = {
    "missing story": (["script", "{tmp}/nowhere.txt"], "Error: {tmp}/nowhere.txt: no such story file"),
    "directory without stories": (
        ["script", "{tmp}/empty-dir"],
        "Error: {tmp}/empty-dir: no chapter files (.txt, .text, .md, .markdown) in the directory",
    ),
    "empty story": (["build", "{tmp}/empty.txt", *"-o {tmp}/out --cache {tmp}/cache".split()],
                    "Error: {tmp}/empty.txt: the story is empty"),
    "white space story": (["script", "{tmp}/blank.txt"], "Error: {tmp}/blank.txt: the story is empty"),
    "binary file": (["script", "{tmp}/cover.txt"], "Error: {tmp}/cover.txt: a binary file, not a text story"),
    "undecodable bytes": (["script", "{tmp}/koi8.txt"], "Error: {tmp}/koi8.txt: cannot decode the bytes from offset 0…"),
    "undefined byte": (
        ["script", "{tmp}/undefined-byte.txt"],
        "Error: {tmp}/undefined-byte.txt: cannot decode byte 0x81 at offset 5 (not UTF-8, UTF-16 or Windows-1252)",
    ),
    "output directory not writable": (
        ["build", "{story}", *"-o {tmp}/a-file/out --cache {tmp}/cache".split()],
        "Error: {tmp}/a-file/out: cannot write the output directory: Not a directory",
    ),
}  # fmt: skip
# voices.yaml cases: the file's text, then what its error line says after "Error: <file>:".
BAD_VOICES = {
    "nowhere.yaml": (None, " no such voices file"),
    "not-yaml.yaml": ("narrator: [unclosed\n", "2: not valid YAML…"),
    "tab.yaml": ("narrator:\n\tvoice: en-us\n", "2: not valid YAML: a tab character; YAML indents with spaces"),
    "wrong-type.yaml": ("narrator:\n  rate: fast\n", "2: narrator.rate: expected a whole number, got 'fast'"),
    "unknown-voice.yaml": ("narrator:\n  voice: en-usx\n", "2: narrator.voice: unknown voice 'en-usx'; close matches: en-us, …"),
    "character-twice.yaml": (
        "characters:\n  Tara: {voice: en-us}\n  Tara: {voice: en-gb}\n", "3: characters.Tara: listed twice (first on line 2)"
    ),
    "shared-alias.yaml": (
        "characters:\n  Tara: {aliases: [T]}\n  Tom: {aliases: [T]}\n", "3: characters.Tom: the name 'T' is already used by Tara"
    ),
}  # fmt: skip
BAD_INPUT.update(
    {f"voices {name}": (["script", "{story}", "-c", f"{{tmp}}/{name}"], f"Error: {{tmp}}/{name}:{line}")
     for name, (_, line) in BAD_VOICES.items()}
)  # fmt: skip
UNKNOWN_KEY_VOICES = "narrator:\n  voice: en-us\n  colour: red\n"


@pytest.fixture(scope="module")
def bad_input_runs(tmp_path_factory):
    """Every BAD_INPUT case run at once as a real `audiobook` process; name -> (completed, expected line)."""
    tmp = tmp_path_factory.mktemp("bad-input")
    (tmp / "empty-dir").mkdir()
    (tmp / "empty.txt").write_bytes(b"")
    (tmp / "blank.txt").write_bytes(b"  \n\t\n\r\n   ")
    (tmp / "cover.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    (tmp / "koi8.txt").write_bytes("Привет, сказала она. Как дела сегодня?".encode("koi8-r"))
    (tmp / "undefined-byte.txt").write_bytes(b"Caf\xe9 \x81 noir")
    (tmp / "a-file").write_text("a file where the output directory should go", encoding="utf-8")
    for name, (text, _) in BAD_VOICES.items():
        if text is not None:
            (tmp / name).write_text(text, encoding="utf-8")
    (tmp / "unknown-key.yaml").write_text(UNKNOWN_KEY_VOICES, encoding="utf-8")
    fill = {"tmp": str(tmp), "story": str(SAMPLE)}
    runs = {}
    for name, (args, line) in [*BAD_INPUT.items(), ("unknown key", (["script", "{story}", "-c", "{tmp}/unknown-key.yaml"], ""))]:
        command = [sys.executable, "-m", "pipeline", *(arg.format(**fill) for arg in args)]
        process = subprocess.Popen(command, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        runs[name] = (process, line.format(**fill))
    return tmp, {name: (process, *process.communicate(timeout=120), line) for name, (process, line) in runs.items()}


@pytest.mark.parametrize("case", BAD_INPUT)
def test_bad_input_is_one_error_line_naming_the_file_and_no_traceback(bad_input_runs, case):
    process, stdout, stderr, expected = bad_input_runs[1][case]
    assert process.returncode == 1, stderr
    assert stdout == ""
    assert "Traceback" not in stderr
    assert len(stderr.splitlines()) == 1, stderr
    line = stderr.rstrip("\n")
    if expected.endswith("…"):
        assert line.startswith(expected[:-1]), line
    else:
        assert line == expected


def test_an_unknown_key_is_a_warning_and_the_script_is_printed(bad_input_runs):
    tmp, runs = bad_input_runs
    process, stdout, stderr, _ = runs["unknown key"]
    assert process.returncode == 0, stderr
    assert stderr == f"Warning: {tmp}/unknown-key.yaml:3: narrator.colour: unknown key (ignored; known: voice, rate, pitch, volume, engine, model, character)\n"
    assert stdout.startswith("== ")


def test_debug_shows_the_traceback_of_a_real_run(tmp_path):
    finished = subprocess.run(
        [sys.executable, "-m", "pipeline", "--debug", "script", str(tmp_path / "nowhere.txt")],
        capture_output=True, text=True,
    )
    assert finished.returncode == 1
    assert "Traceback (most recent call last)" in finished.stderr
    assert finished.stderr.rstrip().endswith(f"pipeline.errors.StoryError: {tmp_path / 'nowhere.txt'}: no such story file")
