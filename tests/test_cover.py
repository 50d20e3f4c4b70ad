"""Generated covers: big enough for podcast directories, with the title and author drawn on them."""

from __future__ import annotations

import io

from mutagen.id3 import ID3
from PIL import Image, ImageChops

import pytest

from pipeline.cover import COVER_SIZE, generated_cover
from pipeline.publish import cover_path


def image_of(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_generated_cover_is_a_square_jpeg_of_at_least_1400_pixels():
    cover = generated_cover("The Ferry at Dusk", "Ines Varga")
    image = image_of(cover.data)
    assert cover.mime == "image/jpeg" and image.format == "JPEG"
    assert image.size == (COVER_SIZE, COVER_SIZE) and COVER_SIZE >= 1400


def test_title_and_author_are_drawn_in_the_middle():
    plain = image_of(generated_cover("The Ferry at Dusk", "").data)
    with_author = image_of(generated_cover("The Ferry at Dusk", "Ines Varga").data)
    # Text is drawn: the middle band is not one flat colour.
    band = plain.crop((100, 500, 1300, 900)).convert("L")
    low, high = band.getextrema()
    assert high - low > 100
    # The author is drawn too: the picture changes with it.
    difference = ImageChops.difference(plain, with_author).convert("L").point(lambda v: 255 if v > 40 else 0)
    assert difference.getbbox() is not None


def test_a_very_long_title_is_wrapped_inside_the_cover():
    title = "An Extraordinarily Long and Winding Title " * 6
    image = image_of(generated_cover(title, "Somebody").data)
    margin = image.crop((0, 0, 60, COVER_SIZE)).convert("L")  # the left edge stays clear of text
    low, high = margin.getextrema()
    assert high - low < 40


def test_a_build_embeds_the_cover_it_writes_beside_the_mp3(published):
    _, reports = published
    for report in reports:
        sidecar = cover_path(report.output)
        assert sidecar is not None and sidecar.suffix == ".jpg"
        (apic,) = ID3(report.output).getall("APIC")
        assert apic.mime == "image/jpeg" and apic.data == sidecar.read_bytes()
        assert image_of(apic.data).size == (COVER_SIZE, COVER_SIZE)


def test_a_generated_cover_is_drawn_once_then_read_from_the_cache(tmp_path, monkeypatch):
    from pipeline import cover as cover_module

    first = cover_module.cached_cover("The Ferry at Dusk", "Ines Varga", tmp_path)
    assert first == generated_cover("The Ferry at Dusk", "Ines Varga")
    monkeypatch.setattr(cover_module, "generated_cover", lambda *args: pytest.fail("drawn again"))
    assert cover_module.cached_cover("The Ferry at Dusk", "Ines Varga", tmp_path) == first
    assert len(list((tmp_path / "covers").iterdir())) == 1
