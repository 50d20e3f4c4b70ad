"""The ``audiobook`` command. The only module that imports click; it parses, calls and prints.

The stages are imported inside the commands that use them: a no-change rebuild is mostly
start-up, and engine worker processes import this module again when they start.
"""

from __future__ import annotations

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
              help="Speech engine processes to run at once.")
@click.option("--cover", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="JPEG or PNG cover art to embed.")
def build(stories, voices, output, cache, jobs, cover) -> None:
    """Render each STORY to OUTPUT/<story-stem>.mp3 with a voice per character.

    Example: audiobook build stories/the-crypt.txt -c voices.yaml -o output
    """
    from .build import build_story, default_cache_dir

    config = _config(voices)
    cache = cache or default_cache_dir()
    for story in stories:
        with ClipProgress(story) as bar:
            report = build_story(
                story, config, output, cache, jobs=jobs, cover=cover, progress=bar.advance, on_plan=bar.start
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
def script(story, voices, output_format) -> None:
    """Show what will be spoken, by whom, in which voice.

    Example: audiobook script stories/the-crypt.txt --format jsonl
    """
    from .book import make_book
    from .ingest import read_story
    from .script import jsonl_lines, text_lines

    book = make_book(read_story(story), _config(voices))
    lines = jsonl_lines(book) if output_format == "jsonl" else text_lines(book)
    for line in lines:
        click.echo(line)


@cli.command()
@click.option("--lang", default=None, help="Only voices whose id starts with this, e.g. en.")
def voices(lang) -> None:
    """List the voice ids usable in voices.yaml, with language and gender.

    Example: audiobook voices --lang en
    """
    from .voices import list_variants, list_voices, voice_table

    for line in voice_table(list_voices(), list_variants(), lang):
        click.echo(line)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main() -> None:
    # A closed terminal or a `kill` leaves the way Ctrl-C does: workers stopped, temp files removed.
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _interrupt)
    cli(prog_name="audiobook")
