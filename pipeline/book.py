"""A story and its voices.yaml made into a Book: chapters, segments and a voiced cast."""

from __future__ import annotations

from .cast import cast_voices
from .config import Config
from .discovery import discover_cast, with_discovered
from .ingest import Story
from .model import Book, Character
from .segmenter import segment
from .structure import find_chapters


def make_book(story: Story, config: Config) -> Book:
    chapters = story.chapters or find_chapters(story.text, story.title, story.body_start, story.body_end)
    # With no cast given, the characters the text shows are found, with their gender. A given cast
    # is taken as the whole cast: `audiobook cast` shows who it may be missing.
    # A first-person narrator named in voices.yaml is not a cast: the others are still found.
    characters = config.characters
    if all(c.name == config.narrator_character for c in characters):
        found = discover_cast(story.body, config.attribution)
        characters = with_discovered(characters, found, config.narrator_character)
    segmentation = segment(story.text, chapters, characters, config.attribution, config.narrator_character)
    # Speakers found only in speech tags join the cast too, so they get voices as well.
    discovered = tuple(Character(name=name) for name in segmentation.discovered)
    return Book(
        title=story.title,
        author=story.author,
        source=str(story.path),
        text=story.text,
        chapters=chapters,
        segments=segmentation.segments,
        narrator=config.narrator,
        cast=cast_voices(config.narrator, characters + discovered),
        scene_breaks=segmentation.scene_breaks,
        pronounce=config.pronounce,
        thoughts=config.thoughts,
    )
