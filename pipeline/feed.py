"""A podcast feed for a directory of built books: RSS 2.0 with the iTunes and Podcasting 2.0 tags.

Every ``*.mp3`` in the directory is one episode. Story order is the natural order of the file names
(``part-2`` before ``part-10``), which is also the order of ``itunes:episode`` numbers and of the
publication dates, so apps that ignore ``itunes:type`` serial still list the stories in order.
Titles, authors and durations are read back from the MP3s themselves; cover, chapters and
transcript are the sidecars :mod:`pipeline.publish` writes beside each MP3.

The guid of an episode is a UUID derived from its file name, title and author: rebuilding the book
(new voices, fixed typos) or serving it from another address keeps it the same episode in every
subscriber's app.

feedgen writes the RSS and the iTunes namespace; it has no Podcasting 2.0 support, so the
``podcast:`` tags come from a small extension class registered with it. The chapters and transcript
links are written twice, under the namespace's current URI and under its original GitHub one,
because gPodder (podcastparser 0.6.11) still knows only the original and current apps the new one;
each reader sees its own copy once and ignores the other.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote, urlsplit

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem
from mutagen import MutagenError
from mutagen.mp3 import MP3

from .errors import PublishError
from .publish import chapters_path, cover_path, transcript_path, write_atomically

FEED_NAME = "feed.xml"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
PODCAST_NS_ORIGINAL = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
CHAPTERS_TYPE = "application/json+chapters"  # the MIME type the Podcasting 2.0 namespace names
TRANSCRIPT_TYPE = "text/vtt"
GENERATOR = "audiobook"
_GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://audiobook.invalid/episode")


@dataclass(frozen=True)
class Episode:
    mp3: Path
    title: str
    author: str
    duration_s: float
    size: int  # bytes, the enclosure length
    modified: datetime


@dataclass(frozen=True)
class PublishedFeed:
    path: Path
    episodes: int


def write_feed(
    directory: Path, base_url: str, *, title: str | None = None, author: str | None = None, language: str = "en"
) -> PublishedFeed:
    """Write ``directory/feed.xml`` for files served under *base_url*."""
    episodes = find_episodes(directory)
    path = directory / FEED_NAME
    write_atomically(path, render_feed(directory, base_url, episodes, title=title, author=author, language=language))
    return PublishedFeed(path=path, episodes=len(episodes))


def find_episodes(directory: Path) -> list[Episode]:
    """Every MP3 in *directory*, in story order, read back: an error if there are none."""
    if not directory.is_dir():
        raise PublishError(f"{directory}: no such directory")
    mp3s = sorted(
        (path for path in directory.glob("*.mp3") if not path.name.startswith(".")),
        key=lambda path: _natural_key(path.name),
    )
    if not mp3s:
        raise PublishError(f"{directory}: no MP3s to publish; run `audiobook build STORY -o {directory}` first")
    return [_read_episode(mp3) for mp3 in mp3s]


def render_feed(
    directory: Path,
    base_url: str,
    episodes: list[Episode],
    *,
    title: str | None = None,
    author: str | None = None,
    language: str = "en",
) -> bytes:
    """The RSS document for *episodes*, every link under *base_url*."""
    base = _checked_base_url(base_url)
    authors = list(dict.fromkeys(episode.author for episode in episodes))
    titles = list(dict.fromkeys(episode.title for episode in episodes))
    title = title or (titles[0] if len(titles) == 1 else directory.resolve().name)
    author = author or ", ".join(authors)
    covers = [cover for cover in (cover_path(episode.mp3) for episode in episodes) if cover is not None]

    feed = FeedGenerator()
    feed.load_extension("podcast")
    feed.register_extension("podcast_index", PodcastIndexExtension, PodcastIndexEntryExtension)
    feed.title(title)
    feed.link(href=base + FEED_NAME, rel="self")
    feed.link(href=base, rel="alternate")  # after "self": feedgen's RSS <link> is the last link set
    feed.description("; ".join(f"{episode.title} by {episode.author}" for episode in episodes) + ", read aloud.")
    feed.language(language)
    feed.generator(GENERATOR)
    feed.podcast.itunes_author(author)
    feed.podcast.itunes_category("Arts", "Books")
    feed.podcast.itunes_explicit("no")
    feed.podcast.itunes_type("serial")
    if covers:
        feed.image(url=base + quote(covers[0].name), title=title, link=base)
        feed.podcast.itunes_image(base + quote(covers[0].name))

    for number, (episode, published) in enumerate(zip(episodes, _publication_dates(episodes)), 1):
        entry = feed.add_entry(order="append")
        entry.title(episode.title)
        entry.description(f"{episode.title} by {episode.author}.")
        entry.guid(_guid(episode), permalink=False)
        entry.enclosure(base + quote(episode.mp3.name), str(episode.size), "audio/mpeg")
        entry.pubDate(published)
        entry.podcast.itunes_author(episode.author)
        entry.podcast.itunes_duration(_duration(episode.duration_s))
        entry.podcast.itunes_episode(number)
        entry.podcast.itunes_episode_type("full")
        cover = cover_path(episode.mp3)
        if cover is not None:
            entry.podcast.itunes_image(base + quote(cover.name))
        if chapters_path(episode.mp3).is_file():
            entry.podcast_index.chapters = base + quote(chapters_path(episode.mp3).name)
        if transcript_path(episode.mp3).is_file():
            entry.podcast_index.transcript = base + quote(transcript_path(episode.mp3).name)
            entry.podcast_index.language = language
    return feed.rss_str(pretty=True)


class PodcastIndexExtension(BaseExtension):
    """Channel-level Podcasting 2.0 tags: the feed is an audiobook."""

    def extend_ns(self):
        return {"podcast": PODCAST_NS}

    def extend_rss(self, rss_feed):
        channel = rss_feed[0]
        xml_elem(f"{{{PODCAST_NS}}}medium", channel).text = "audiobook"
        return rss_feed


class PodcastIndexEntryExtension(BaseEntryExtension):
    """Item-level Podcasting 2.0 tags: where the chapters and the transcript are."""

    def __init__(self):
        self.chapters: str | None = None
        self.transcript: str | None = None
        self.language = "en"

    def extend_ns(self):
        return {"podcast": PODCAST_NS, "podcast1": PODCAST_NS_ORIGINAL}

    def extend_rss(self, item):
        for namespace in (PODCAST_NS, PODCAST_NS_ORIGINAL):
            if self.chapters:
                xml_elem(f"{{{namespace}}}chapters", item, url=self.chapters, type=CHAPTERS_TYPE)
            if self.transcript:
                xml_elem(
                    f"{{{namespace}}}transcript", item,
                    url=self.transcript, type=TRANSCRIPT_TYPE, language=self.language, rel="captions",
                )  # fmt: skip
        return item


def _read_episode(mp3: Path) -> Episode:
    try:
        audio = MP3(mp3)
        stat = mp3.stat()
    except (MutagenError, OSError) as error:
        raise PublishError(f"{mp3}: not a readable MP3 ({error})") from None
    tags = audio.tags or {}
    return Episode(
        mp3=mp3,
        title=_text_frame(tags, "TIT2") or mp3.stem,
        author=_text_frame(tags, "TPE1") or "Unknown author",
        duration_s=audio.info.length,
        size=stat.st_size,
        modified=datetime.fromtimestamp(stat.st_mtime, tz=timezone.utc),
    )


def _text_frame(tags, frame_id: str) -> str:
    frame = tags.get(frame_id)
    return str(frame.text[0]).strip() if frame is not None and frame.text else ""


def _natural_key(name: str) -> list:
    """``part-2`` before ``part-10``: digit runs compare as numbers, the rest without case."""
    return [(0, int(piece), "") if piece.isdigit() else (1, 0, piece.casefold()) for piece in re.split(r"(\d+)", name)]


def _publication_dates(episodes: list[Episode]) -> list[datetime]:
    """Each MP3's modification time, nudged so that the dates rise in story order."""
    dates: list[datetime] = []
    for episode in episodes:
        date = episode.modified.replace(microsecond=0)
        if dates and date <= dates[-1]:
            date = dates[-1] + timedelta(seconds=1)
        dates.append(date)
    return dates


def _guid(episode: Episode) -> str:
    return uuid.uuid5(_GUID_NAMESPACE, f"{episode.mp3.name}\n{episode.title}\n{episode.author}").urn


def _duration(seconds: float) -> str:
    minutes, whole_seconds = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{whole_seconds:02d}"


def _checked_base_url(url: str) -> str:
    """*url* with a trailing slash, or a PublishError if it is not an http(s) address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PublishError(f"--base-url {url!r}: expected an http:// or https:// address, e.g. http://192.168.1.5:8000/")
    return url if url.endswith("/") else url + "/"
