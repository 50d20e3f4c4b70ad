"""A story and its voices.yaml made into a Book: chapters, segments and a voiced cast."""

from __future__ import annotations

from .cast import cast_voices
from .config import Config
from .ingest import Story
from .model import Book, Character
from .segmenter import segment
from .structure import find_chapters


def make_book(story: Story, config: Config) -> Book:
    chapters = find_chapters(story.text, story.title, story.body_start)
    segmentation = segment(story.text, chapters, config.characters, config.attribution, config.narrator_character)
    # Speakers found in speech tags join the cast after the configured ones, so they get voices too.
    discovered = tuple(Character(name=name) for name in segmentation.discovered)
    return Book(
        title=story.title,
        author=story.author,
        source=str(story.path),
        text=story.text,
        chapters=chapters,
        segments=segmentation.segments,
        narrator=config.narrator,
        cast=cast_voices(config.narrator, config.characters + discovered),
        scene_breaks=segmentation.scene_breaks,
    )
