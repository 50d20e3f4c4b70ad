"""A generated cover for a book that has none: its title and author on a calm colour, as a JPEG.

1400x1400 is the smallest square Apple Podcasts and most directories accept. The background
colour comes from a hash of the title, so a book keeps its colour across builds and books in one
feed are told apart at a glance. Text uses Pillow's bundled scalable font, so no system font is
needed.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

from .tags import CoverArt

if TYPE_CHECKING:
    from PIL import ImageDraw, ImageFont

COVER_SIZE = 1400  # pixels, square
COVER_FORMAT = 1  # the drawing below: bump when it changes, so cached covers are drawn again
_MARGIN = 120
_TITLE_SIZES = (150, 130, 110, 96, 84, 72, 60)  # largest first; the first that fits is used
_TITLE_MAX_LINES = 6
_AUTHOR_SIZE = 64
_INK = (250, 246, 236)


def cached_cover(title: str, author: str, cache_dir: Path) -> CoverArt:
    """The generated cover for *title* and *author*, drawn once and kept in the cache.

    Drawing and compressing it takes about a tenth of a second, as long as the rest of a rebuild
    with nothing changed; the cached copy is also the same bytes every time, so the MP3 stays current.
    """
    from PIL import __version__ as pillow_version  # a newer Pillow may draw differently: a new entry

    drawing = [COVER_FORMAT, COVER_SIZE, pillow_version]
    key = hashlib.sha256(json.dumps([title, author, *drawing]).encode("utf-8")).hexdigest()
    path = cache_dir / "covers" / f"{key}.jpg"
    try:
        return CoverArt(mime="image/jpeg", data=path.read_bytes())
    except OSError:
        pass
    cover = generated_cover(title, author)
    from .atomic import sweep_stale_temps, write_bytes_atomically

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        sweep_stale_temps(path.parent)  # what a killed build left half-written
        write_bytes_atomically(path, cover.data)
    except OSError:
        pass  # an unusable cache is reported, with its path, by the synthesis stage that needs it
    return cover


def generated_cover(title: str, author: str) -> CoverArt:
    """A JPEG cover with *title* large in the middle and *author* beneath it."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (COVER_SIZE, COVER_SIZE), _background(title))
    draw = ImageDraw.Draw(image)
    width = COVER_SIZE - 2 * _MARGIN

    title_font, title_lines = _fitted(draw, title, width)
    author_font = ImageFont.load_default(size=_AUTHOR_SIZE)
    author_lines = _wrapped(draw, author, author_font, width) if author else []
    title_step = int(title_font.size * 1.2)
    author_step = int(_AUTHOR_SIZE * 1.3)
    rule_gap = 90  # between the title block and the author, with a short rule in the middle
    height = title_step * len(title_lines) + (rule_gap + author_step * len(author_lines) if author_lines else 0)

    y = (COVER_SIZE - height) // 2
    for line in title_lines:
        draw.text((COVER_SIZE // 2, y), line, font=title_font, fill=_INK, anchor="mt")
        y += title_step
    if author_lines:
        rule_y = y + rule_gap // 2 - 10
        draw.line((COVER_SIZE // 2 - 120, rule_y, COVER_SIZE // 2 + 120, rule_y), fill=_INK, width=4)
        y += rule_gap
        for line in author_lines:
            draw.text((COVER_SIZE // 2, y), line, font=author_font, fill=_INK, anchor="mt")
            y += author_step

    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return CoverArt(mime="image/jpeg", data=out.getvalue())


def _background(title: str) -> tuple[int, int, int]:
    """A dark, muted colour chosen by the title, light text reads well on every one of them."""
    hue = int.from_bytes(hashlib.sha256(title.encode("utf-8")).digest()[:2], "big") / 65536
    red, green, blue = colorsys.hls_to_rgb(hue, 0.24, 0.45)
    return round(red * 255), round(green * 255), round(blue * 255)


def _fitted(draw: ImageDraw.ImageDraw, text: str, width: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest title size whose wrapped lines fit the width and the line budget."""
    from PIL import ImageFont

    for size in _TITLE_SIZES:
        font = ImageFont.load_default(size=size)
        lines = _wrapped(draw, text, font, width)
        if len(lines) <= _TITLE_MAX_LINES and all(draw.textlength(line, font=font) <= width for line in lines):
            return font, lines
    return font, lines[:_TITLE_MAX_LINES]  # an absurdly long title: cut rather than overflow the cover


def _wrapped(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Words greedily packed into lines no wider than *width* (a single over-long word gets its own line)."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(candidate, font=font) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines
