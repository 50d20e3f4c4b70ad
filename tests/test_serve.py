"""`audiobook serve`: ranges and confinement as pure functions, then a real server in a subprocess."""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.serve import Refused, byte_range, qr_code, resolve_request

ROOT = Path(__file__).parent.parent


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("bytes=0-99", (0, 99)),
        ("bytes=100-", (100, 999)),
        ("bytes=-10", (990, 999)),
        ("bytes=-5000", (0, 999)),
        ("bytes=900-5000", (900, 999)),
        ("bytes=5-2", None),  # invalid: ignored, the whole file is sent
        ("bytes=0-1,5-6", None),  # several ranges: ignored likewise
        ("items=0-5", None),
        ("bytes=-", None),
    ],
)
def test_byte_range(header, expected):
    assert byte_range(header, 1000) == expected


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=2000-3000", "bytes=-0"])
def test_range_past_the_end_is_unsatisfiable(header):
    with pytest.raises(Refused) as refused:
        byte_range(header, 1000)
    assert refused.value.status == 416


@pytest.fixture
def served_dir(tmp_path) -> Path:
    root = tmp_path / "books"
    (root / "sub").mkdir(parents=True)
    (root / "a b.mp3").write_bytes(b"audio")
    (root / "sub" / "c.vtt").write_text("WEBVTT\n")
    (root / ".a b.mp3.123.tmp.mp3").write_bytes(b"half")
    (tmp_path / "secret.txt").write_text("private")
    (root / "escape.txt").symlink_to(tmp_path / "secret.txt")
    (root / "inside.mp3").symlink_to(root / "a b.mp3")
    return root.resolve()


@pytest.mark.parametrize(
    ("target", "name"),
    [("/a%20b.mp3", "a b.mp3"), ("/sub/c.vtt?x=1", "c.vtt"), ("//a%20b.mp3", "a b.mp3"), ("/inside.mp3", "a b.mp3")],
)
def test_files_under_the_directory_are_found(served_dir, target, name):
    assert resolve_request(served_dir, target).name == name


@pytest.mark.parametrize(
    ("target", "status"),
    [
        ("/../secret.txt", 403),
        ("/sub/../../secret.txt", 403),
        ("/%2e%2e/secret.txt", 403),
        ("/escape.txt", 403),  # a symlink pointing out of the directory
        ("/missing.mp3", 404),
        ("/sub", 404),  # no directory listings
        ("/", 404),
        ("/.a%20b.mp3.123.tmp.mp3", 404),  # a build's temporary file
    ],
)
def test_paths_outside_the_directory_are_refused(served_dir, target, status):
    with pytest.raises(Refused) as refused:
        resolve_request(served_dir, target)
    assert refused.value.status == status


def test_qr_code_is_drawn_with_block_characters():
    drawing = qr_code("http://192.168.1.5:8000/feed.xml")
    lines = drawing.splitlines()
    assert len(lines) > 10 and len({len(line) for line in lines}) == 1
    assert set(drawing) <= set("█▀▄ \n")


@pytest.fixture(scope="module")
def server(published, tmp_path_factory):
    """`audiobook serve` on loopback, on a free port, in a real process; yields its base URL's host and port."""
    out, _ = published
    outside = tmp_path_factory.mktemp("outside") / "private.txt"
    outside.write_text("not for the phone")
    (out / "leak.txt").symlink_to(outside)
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "serve", str(out), "--host", "127.0.0.1", "--port", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        lines = [process.stdout.readline(), process.stdout.readline()]
        match = re.search(r"Subscribe in a podcast app: (http://127\.0\.0\.1:(\d+)/feed\.xml)$", lines[1].strip())
        assert match, lines
        yield match.group(1), int(match.group(2)), out
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        (out / "leak.txt").unlink()


def request(port: int, method: str, target: str, headers=None) -> tuple[http.client.HTTPResponse, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, target, headers=headers or {})  # the target is sent as is, ".." included
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


def test_a_range_request_gets_206_and_exactly_those_bytes(server):
    _, port, out = server
    whole = (out / "part-2.mp3").read_bytes()
    response, body = request(port, "GET", "/part-2.mp3", {"Range": "bytes=1000-4999"})
    assert response.status == 206
    assert response.getheader("Content-Range") == f"bytes 1000-4999/{len(whole)}"
    assert response.getheader("Content-Type") == "audio/mpeg"
    assert response.getheader("Content-Length") == "4000"
    assert body == whole[1000:5000]

    response, body = request(port, "GET", "/part-2.mp3", {"Range": "bytes=-100"})
    assert response.status == 206 and body == whole[-100:]


def test_head_gives_length_and_type_without_a_body(server):
    _, port, out = server
    response, body = request(port, "HEAD", "/part-2.vtt")
    assert response.status == 200 and body == b""
    assert response.getheader("Content-Length") == str(os.path.getsize(out / "part-2.vtt"))
    assert response.getheader("Content-Type").startswith("text/vtt")
    assert response.getheader("Accept-Ranges") == "bytes"


def test_whole_file_missing_file_bad_range_and_escapes(server):
    _, port, out = server
    response, body = request(port, "GET", "/part-10.chapters.json")
    assert response.status == 200 and body == (out / "part-10.chapters.json").read_bytes()
    assert response.getheader("Content-Type") == "application/json"
    assert request(port, "GET", "/part-3.mp3")[0].status == 404
    response, _ = request(port, "GET", "/part-2.mp3", {"Range": "bytes=99999999-"})
    assert response.status == 416
    assert response.getheader("Content-Range") == f"bytes */{os.path.getsize(out / 'part-2.mp3')}"
    for escaping in ("/../outside0/private.txt", "/%2E%2E/%2E%2E/etc/passwd", "/leak.txt"):
        response, body = request(port, "GET", escaping)
        assert response.status == 403, escaping
        assert b"not for the phone" not in body and b"root:" not in body


def test_the_served_feed_points_at_the_server(server):
    feed_url, port, _ = server
    response, body = request(port, "GET", "/feed.xml")
    assert response.status == 200
    assert response.getheader("Content-Type") == "application/rss+xml; charset=utf-8"
    enclosures = [e.get("url") for e in ET.fromstring(body).iter("enclosure")]
    base = feed_url.removesuffix("feed.xml")
    assert enclosures == [base + "part-2.mp3", base + "part-10.mp3"]
    assert all(urlsplit(url).port == port for url in enclosures)


def test_serving_a_directory_without_books_is_a_one_line_error(tmp_path):
    result = CliRunner().invoke(cli, ["serve", str(tmp_path), "--host", "127.0.0.1", "--port", "0"])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {tmp_path}: no MP3s to publish; run `audiobook build STORY -o {tmp_path}` first\n"
    )
