"""feed.xml read back the way podcast apps read it: gPodder's podcastparser and feedparser."""

from __future__ import annotations

import io
import os
import shutil
import xml.etree.ElementTree as ET

import feedparser
import podcastparser
import pytest
from click.testing import CliRunner
from mutagen.mp3 import MP3

from pipeline.cli import cli
from pipeline.errors import PublishError
from pipeline.feed import PODCAST_NS, PODCAST_NS_ORIGINAL, find_episodes, write_feed

BASE = "https://books.example.org/ferry/"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
STORY_ORDER = ["part-2", "part-10"]  # natural order; plain string order would put part-10 first


@pytest.fixture(scope="module")
def feed_xml(published) -> bytes:
    out, _ = published
    result = CliRunner().invoke(cli, ["feed", str(out), "--base-url", BASE.rstrip("/"), "--title", "Ferry Tales"])
    assert result.exit_code == 0, result.output
    assert result.output == f"{out / 'feed.xml'}: 2 episode(s)\n"
    return (out / "feed.xml").read_bytes()


def test_podcastparser_finds_every_episode_with_enclosure_duration_chapters_and_transcript(published, feed_xml):
    out, reports = published
    parsed = podcastparser.parse(BASE + "feed.xml", io.BytesIO(feed_xml))
    assert parsed["title"] == "Ferry Tales"
    assert parsed["type"] == "serial"
    assert parsed["cover_url"] == BASE + "part-2.jpg"
    episodes = sorted(parsed["episodes"], key=lambda episode: episode["number"])
    assert [episode["number"] for episode in episodes] == [1, 2]
    for episode, stem, report in zip(episodes, STORY_ORDER, reports):
        (enclosure,) = episode["enclosures"]
        assert enclosure["url"] == f"{BASE}{stem}.mp3"
        assert enclosure["mime_type"] == "audio/mpeg"
        assert enclosure["file_size"] == os.path.getsize(out / f"{stem}.mp3")
        assert abs(episode["total_time"] - report.duration_ms / 1000) <= 1
        assert episode["chapters_json_url"] == f"{BASE}{stem}.chapters.json"
        assert episode["transcript_url"] == f"{BASE}{stem}.vtt"
        assert episode["guid"].startswith("urn:uuid:")
    assert [episode["title"] for episode in episodes] == ["The Ferry at Dusk & Dawn", "A Note on the Door"]
    assert episodes[0]["published"] < episodes[1]["published"]  # dates rise in story order too


def test_feedparser_finds_the_same_episodes_and_channel_fields(published, feed_xml):
    out, reports = published
    parsed = feedparser.parse(feed_xml)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    channel = parsed.feed
    assert channel.title == "Ferry Tales"
    assert channel.author == "Ines Varga"
    assert channel.language == "en"
    assert channel.image.href == BASE + "part-2.jpg"
    assert channel.tags[0].term == "Arts"
    assert channel.itunes_explicit is None  # feedparser's reading of "no": neither explicit nor "clean"
    assert channel.description
    for entry, stem, report in zip(parsed.entries, STORY_ORDER, reports):
        (enclosure,) = entry.enclosures
        assert (enclosure.href, enclosure.type) == (f"{BASE}{stem}.mp3", "audio/mpeg")
        assert int(enclosure.length) == os.path.getsize(out / f"{stem}.mp3")
        hours, minutes, seconds = map(int, entry.itunes_duration.split(":"))
        assert abs(hours * 3600 + minutes * 60 + seconds - MP3(out / f"{stem}.mp3").info.length) <= 1
        assert entry.published_parsed and entry.id.startswith("urn:uuid:")
    assert [entry.itunes_episode for entry in parsed.entries] == ["1", "2"]


def test_feed_has_podcasting_2_0_links_and_serial_type(feed_xml):
    channel = ET.fromstring(feed_xml).find("channel")
    assert channel.findtext(f"{{{ITUNES_NS}}}type") == "serial"
    assert channel.findtext(f"{{{PODCAST_NS}}}medium") == "audiobook"
    assert channel.findtext(f"{{{ITUNES_NS}}}explicit") == "no"
    for item in channel.findall("item"):
        assert item.findtext(f"{{{ITUNES_NS}}}episodeType") == "full"
    for namespace in (PODCAST_NS, PODCAST_NS_ORIGINAL):  # the current URI, and the original gPodder knows
        for item, stem in zip(channel.findall("item"), STORY_ORDER):
            (chapters,) = item.findall(f"{{{namespace}}}chapters")
            (transcript,) = item.findall(f"{{{namespace}}}transcript")
            assert chapters.attrib == {"url": f"{BASE}{stem}.chapters.json", "type": "application/json+chapters"}
            assert transcript.attrib["url"] == f"{BASE}{stem}.vtt" and transcript.attrib["type"] == "text/vtt"


def test_guids_survive_a_new_address_and_a_rebuilt_file(published, tmp_path):
    out, _ = published
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    first = ET.parse(write_feed(copy, "http://10.0.0.2:8000/").path).findall("channel/item/guid")
    (copy / "part-10.mp3").touch()
    second = ET.parse(write_feed(copy, "http://192.168.1.9:8000/").path).findall("channel/item/guid")
    assert [guid.text for guid in first] == [guid.text for guid in second]
    assert len({guid.text for guid in first}) == 2


def test_a_directory_without_mp3s_is_a_one_line_error(tmp_path):
    with pytest.raises(PublishError, match="no MP3s to publish"):
        find_episodes(tmp_path)
    result = CliRunner().invoke(cli, ["feed", str(tmp_path / "missing"), "--base-url", BASE])
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path / 'missing'}: no such directory\n"


def test_a_base_url_that_is_not_http_is_refused(published):
    out, _ = published
    result = CliRunner().invoke(cli, ["feed", str(out), "--base-url", "books.example.org"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: --base-url 'books.example.org': expected an http:// or https:// address,"
        " e.g. http://192.168.1.5:8000/\n"
    )
