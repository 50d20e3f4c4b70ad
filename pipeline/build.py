"""``audiobook build``: ingest → segment → synthesize → assemble → publish, one MP3 per story."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from .assembler import AssembledBook, assemble
from .atomic import sweep_stale_temps
from .book import make_book
from .chunks import plan_chunks
from .config import Config
from .cover import cached_cover
from .errors import AssemblyError, ClipFailedError, StoryError, SynthesisError
from .ingest import read_story
from .model import Book, Cue, Utterance
from .publish import publish_cover, publish_timeline
from .render import render_chunks
from .speech import plan_cues
from .synthesis import clip_keys, clip_path
from .tags import read_cover


@dataclass(frozen=True)
class BuildReport:
    story: Path
    output: Path
    duration_ms: int
    chapters: int
    segments: int  # stretches of text read by one voice
    synthesized: int  # segments with at least one clip the engine had to render
    cached: int  # segments whose every clip came from the cache
    voices: int  # distinct voices heard
    book: AssembledBook  # where every chapter and cue is heard


def default_cache_dir() -> Path:
    """Where rendered clips are kept between runs: $AUDIOBOOK_CACHE, else the XDG cache."""
    if os.environ.get("AUDIOBOOK_CACHE"):
        return Path(os.environ["AUDIOBOOK_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "audiobook"


def ensure_writable_dir(path: Path) -> None:
    """Fail before any rendering when the output directory cannot be created or written."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as error:
        raise AssemblyError(f"{path}: cannot write the output directory: {error.strerror}") from None


def where_said(utterance: Utterance, book: Book, cues: Sequence[Cue]) -> str:
    """"character 1234": where the first segment saying *utterance* starts in the story's text."""
    segment = next(book.segments[cue.segment] for cue in cues if cue.utterance == utterance)
    return f"character {segment.start}"


def build_story(
    story_path: Path,
    config: Config,
    out_dir: Path,
    cache_dir: Path,
    *,
    jobs: int = 2,
    cover: Path | None = None,
    progress: Callable[[int], None] | None = None,
    on_plan: Callable[[int], None] | None = None,
    read_front_matter: bool = False,
) -> BuildReport:
    """Render one story to ``out_dir/<stem>.mp3`` with its cover, chapters and transcript beside it.

    ``on_plan`` hears how many cues there will be. Without *cover* one is drawn from the title.
    Only what the cache lacks is rendered: a story built before with the same voices is neither
    spoken nor encoded again, and its MP3 is not rewritten if it is current.
    """
    story = read_story(story_path)
    book = make_book(story, config)
    cues = plan_cues(book, config.pauses, read_front_matter)
    if not cues:
        raise StoryError(f"{story.path}: nothing to read aloud")
    # A bad cover fails now, not after the whole book is rendered.
    cover_art = read_cover(cover) if cover is not None else cached_cover(book.title, book.author, cache_dir)
    if on_plan:
        on_plan(len(cues))
    ensure_writable_dir(out_dir)
    sweep_stale_temps(out_dir)  # sidecars of a build that was killed
    keys = clip_keys([cue.utterance for cue in cues])
    chunks = plan_chunks(cues, keys)
    try:
        fresh = render_chunks(
            cues, [clip_path(cache_dir, key) for key in keys], chunks, cache_dir, jobs=jobs, progress=progress
        )
    except ClipFailedError as error:
        raise SynthesisError(f"{story.path}: {where_said(error.utterance, book, cues)}: {error}") from None
    mp3 = out_dir / f"{story.path.stem}.mp3"
    publish_cover(mp3, cover_art)
    assembled = assemble(
        cues, chunks, book.chapters, mp3, cache_dir, title=book.title, author=book.author, cover=cover_art
    )
    publish_timeline(book, cues, assembled)
    # Counted as `script` lists them; a segment with nothing to say ("…") counts as cached.
    fresh_segments = {cue.segment for cue in cues if cue.utterance in fresh}
    return BuildReport(
        story=story.path,
        output=assembled.path,
        duration_ms=assembled.duration_ms,
        chapters=len(book.chapters),
        segments=len(book.segments),
        synthesized=len(fresh_segments),
        cached=len(book.segments) - len(fresh_segments),
        voices=len({cue.utterance.voice.id for cue in cues}),
        book=assembled,
    )
