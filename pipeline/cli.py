"""The ``audiobook`` command. The only module that imports click; it parses, calls and prints.

The stages are imported inside the commands that use them: a no-change rebuild is mostly
start-up, and engine worker processes import this module again when they start.
"""

from __future__ import annotations

import itertools
import os
import signal
import sys
from pathlib import Path

import click

from .errors import AudiobookError

DEFAULT_VOICES = Path("voices.yaml")


class AudiobookGroup(click.Group):
    """Turns every AudiobookError into one ``Error: …`` line and exit 1; --debug keeps the traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except AudiobookError as error:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            # voices.yaml problems come several at once, one per line: each line reads as an error.
            raise click.ClickException(str(error).replace("\n", "\nError: ")) from None


def _config(voices: Path | None):
    """The named voices file, else ./voices.yaml when present, else the packaged defaults."""
    from .config import load_config

    if voices is None and DEFAULT_VOICES.is_file():
        voices = DEFAULT_VOICES
    config = load_config(voices)
    for warning in config.warnings:
        click.echo(f"Warning: {warning}", err=True)
    return config


VOICES_OPTION = click.option(
    "-c", "--voices", "voices", type=click.Path(path_type=Path), default=None,
    help="voices.yaml to use (default: ./voices.yaml if present, else the packaged defaults).",
)


@click.group(cls=AudiobookGroup)
@click.version_option(package_name="audiobook", prog_name="audiobook")
@click.option("--debug", is_flag=True, help="Show a traceback when something fails.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Offline multi-voice audiobooks: story text in, chaptered and tagged MP3 out.

    Example: audiobook build stories/the-crypt.txt
    """
    ctx.obj = {"debug": debug}


@cli.command()
@click.argument("stories", nargs=-1, required=True, type=click.Path(path_type=Path))
@VOICES_OPTION
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), default=Path("output"),
              show_default=True, help="Directory for the MP3s.")
@click.option("--cache", "cache", type=click.Path(path_type=Path), default=None,
              help="Clip cache directory (default: $AUDIOBOOK_CACHE or ~/.cache/audiobook).")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=os.cpu_count() or 1, show_default=True,
              help="Speech engine processes, and MP3 encoders, to run at once.")
@click.option("--cover", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="JPEG or PNG cover art to embed (default: one drawn with the title and author).")
@click.option("--read-front-matter", is_flag=True,
              help="Read the title and author aloud before the story (they are always in the tags).")
def build(stories, voices, output, cache, jobs, cover, read_front_matter) -> None:
    """Render each STORY to OUTPUT/<story-stem>.mp3 with a voice per character.

    A STORY is a text file, an EPUB, an HTML page or a directory of chapter files. Beside each MP3
    go its cover (.jpg or .png), chapters (.chapters.json) and transcript (.vtt).

    Example: audiobook build stories/the-crypt.txt -c voices.yaml -o output
    """
    from .build import build_story, default_cache_dir

    config = _config(voices)
    cache = cache or default_cache_dir()
    for story in stories:
        with ClipProgress(story) as bar:
            report = build_story(
                story, config, output, cache, jobs=jobs, cover=cover, progress=bar.advance, on_plan=bar.start,
                read_front_matter=read_front_matter,
            )
        click.echo(
            f"segments: {report.segments} total, {report.synthesized} synthesized, {report.cached} cached",
            err=True,
        )
        minutes, seconds = divmod(report.duration_ms // 1000, 60)
        click.echo(
            f"{report.output}: {minutes}:{seconds:02d}, {report.chapters} chapter(s), {report.voices} voice(s)"
        )


class ClipProgress:
    """A clip progress bar on a terminal, and nothing when stderr is not one."""

    def __init__(self, story: Path):
        self.label = story.name
        self.bar = None
        self.enabled = sys.stderr.isatty()

    def start(self, total: int) -> None:
        if self.enabled:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()

    def advance(self, clips: int) -> None:
        if self.bar is not None:
            self.bar.update(clips)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc_info)


@cli.command()
@click.argument("story", type=click.Path(path_type=Path))
@VOICES_OPTION
@click.option("--format", "output_format", type=click.Choice(["text", "jsonl"]), default="text",
              show_default=True, help="A screenplay for people, or one JSON object per segment.")
@click.option("--explain", is_flag=True, help="Name the attribution rule that chose each quote's speaker.")
def script(story, voices, output_format, explain) -> None:
    """Show what will be spoken, by whom, in which voice.

    A STORY is a text file, an EPUB, an HTML page or a directory of chapter files.

    Example: audiobook script stories/the-crypt.txt --format jsonl --explain
    """
    from .book import make_book
    from .ingest import read_story
    from .script import jsonl_lines, text_lines

    book = make_book(read_story(story), _config(voices))
    lines = jsonl_lines(book, explain) if output_format == "jsonl" else text_lines(book, explain)
    # A thousand lines a write: click.echo writes and flushes each of a novel's 50,000 lines.
    lines = iter(lines)
    while batch := list(itertools.islice(lines, 1000)):
        click.echo("\n".join(batch))


@cli.command()
@click.argument("story", type=click.Path(path_type=Path))
@VOICES_OPTION
def cast(story, voices) -> None:
    """Print a characters: block for voices.yaml: who the story shows, most often named first.

    Example: audiobook cast stories/the-crypt.txt > voices.yaml
    """
    from .discovery import cast_block
    from .ingest import read_story

    config = _config(voices)
    for line in cast_block(read_story(story).body, config.characters, config.attribution, config.narrator_character):
        click.echo(line)


@cli.command()
@click.argument("voice_ids", metavar="[VOICE]...", nargs=-1)
@click.option("--lang", default=None, help="Only voices whose id starts with this, e.g. en.")
@click.option("--sample", "sample_text", default=None, metavar="TEXT",
              help="Say TEXT in each VOICE (default: every casting voice) into OUTPUT/<voice>.wav.")
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), default=Path("output/voice-samples"),
              show_default=True, help="Directory for the samples.")
@click.option("--rate", type=click.IntRange(80, 500), default=175, show_default=True,
              help="Words per minute for the samples.")
@click.option("--cache", "cache", type=click.Path(path_type=Path), default=None,
              help="Clip cache directory (default: $AUDIOBOOK_CACHE or ~/.cache/audiobook).")
def voices(voice_ids, lang, sample_text, output, rate, cache) -> None:
    """List the voice ids usable in voices.yaml, or render a sample of each to listen to.

    Example: audiobook voices --lang en; audiobook voices --sample "Hello there." en-gb-x-rp+f3 en-us+m7
    """
    from .build import default_cache_dir
    from .samples import render_samples
    from .voices import list_variants, list_voices, voice_table

    if sample_text is None:
        if voice_ids:
            raise click.UsageError("VOICE ids are for --sample; to list voices, give --lang or nothing")
        for line in voice_table(list_voices(), list_variants(), lang):
            click.echo(line)
        return
    for path in render_samples(sample_text, voice_ids, output, cache or default_cache_dir(), rate=rate):
        click.echo(str(path))


FEED_TITLE_OPTION = click.option("--title", default=None,
                                 help="Podcast title (default: the book's title, or the directory's name).")
FEED_AUTHOR_OPTION = click.option("--author", default=None, help="Podcast author (default: the books' authors).")
FEED_LANGUAGE_OPTION = click.option("--language", default="en", show_default=True,
                                    help="Language code of the podcast and its transcripts.")


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--base-url", required=True, help="Address the directory will be served at, e.g. https://example.org/book/.")
@FEED_TITLE_OPTION
@FEED_AUTHOR_OPTION
@FEED_LANGUAGE_OPTION
def feed(directory, base_url, title, author, language) -> None:
    """Write DIRECTORY/feed.xml, a podcast feed with one episode per MP3, in file-name order.

    Example: audiobook feed output --base-url https://example.org/book/ --title "The Crypt"
    """
    from .feed import write_feed

    published = write_feed(directory, base_url, title=title, author=author, language=language)
    click.echo(f"{published.path}: {published.episodes} episode(s)")


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--host", default="0.0.0.0", show_default=True, help="Address to listen on (0.0.0.0: every interface).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port).")
@FEED_TITLE_OPTION
@FEED_AUTHOR_OPTION
@FEED_LANGUAGE_OPTION
def serve(directory, host, port, title, author, language) -> None:
    """Serve DIRECTORY's books and their feed over HTTP until Ctrl-C, with a QR code to subscribe.

    Example: audiobook serve output --port 8000
    """
    from .serve import FeedSettings, qr_code, serve_until_interrupted, start_server

    server = start_server(directory, host, port, FeedSettings(title=title, author=author, language=language))
    click.echo(f"Serving {directory} at {server.base_url}")
    click.echo(f"Subscribe in a podcast app: {server.feed_url}")
    click.echo(qr_code(server.feed_url), nl=False)
    click.echo("Press Ctrl-C to stop.")
    serve_until_interrupted(server)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main() -> None:
    # A closed terminal or a `kill` leaves the way Ctrl-C does: workers stopped, temp files removed.
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _interrupt)
    cli(prog_name="audiobook")
