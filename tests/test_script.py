"""``script`` output: the JSON lines contract and the screenplay."""

import json
from pathlib import Path

from pipeline.book import make_book
from pipeline.config import load_config
from pipeline.ingest import read_story
from pipeline.script import jsonl_lines, text_lines

ROOT = Path(__file__).parent.parent


def sample_book():
    return make_book(read_story(ROOT / "stories" / "the-lamp-room.txt"), load_config(ROOT / "voices.yaml"))


def test_jsonl_fields_and_offsets():
    book = sample_book()
    rows = [json.loads(line) for line in jsonl_lines(book)]
    assert rows
    for row in rows:
        assert list(row) == ["start", "end", "kind", "speaker", "voice", "chapter", "text"]
        assert row["text"] == book.text[row["start"] : row["end"]]
        assert row["kind"] in ("narration", "dialogue", "thought")
        if row["kind"] == "narration":
            assert row["speaker"] == "narrator"
    assert {r["chapter"] for r in rows} == {1, 2}
    assert not any("Title:" in r["text"] or "Author:" in r["text"] for r in rows)
    speakers = {r["speaker"] for r in rows if r["kind"] != "narration"}
    assert {"Mara", "Tobias", "Finch"} <= speakers
    assert any(r["kind"] == "thought" and r["speaker"] == "Mara" for r in rows)


def test_screenplay_names_speaker_and_voice():
    lines = list(text_lines(sample_book()))
    assert "== Chapter 1: The Storm ==" in lines
    assert 'Tobias (en-us+m3): You\'re late,' in lines
    assert "Mara, thinking (en-gb-x-rp+f3): He never admits anything," in lines
