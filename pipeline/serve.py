"""``audiobook serve``: the books of one directory and their feed over HTTP, for a phone on the LAN.

Podcast apps stream and seek with byte ranges, so every file answers HEAD and single ``Range``
requests (206 with ``Content-Range``; 416 for a range past the end; a malformed or multi-part
``Range`` is ignored, as RFC 9110 allows, and the whole file is sent). ``/feed.xml`` is generated
on every request with this server's own address as the base URL, so the feed always lists what is
in the directory now and its links point back here, whatever ``audiobook feed`` wrote for
publishing elsewhere.

Only regular files under the directory are served: a path with ``..`` or one that resolves (through
a symlink) outside the directory is refused with 403, hidden files (temporary files of a build in
progress) and anything missing are 404, and there are no directory listings.
"""

from __future__ import annotations

import io
import os
import re
import socket
from dataclasses import dataclass
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

import segno

from .errors import PublishError
from .feed import FEED_NAME, find_episodes, render_feed

DEFAULT_PORT = 8000
CONTENT_TYPES = {
    ".mp3": "audio/mpeg",
    ".json": "application/json",
    ".vtt": "text/vtt; charset=utf-8",
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".xml": "application/rss+xml; charset=utf-8",
}
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
_COPY_CHUNK = 1 << 16


@dataclass(frozen=True)
class FeedSettings:
    title: str | None = None
    author: str | None = None
    language: str = "en"


class Refused(Exception):
    """A request the server answers with an error status instead of a file."""

    def __init__(self, status: HTTPStatus):
        super().__init__(status.phrase)
        self.status = status


class BookServer(ThreadingHTTPServer):
    daemon_threads = True  # a stalled client never keeps Ctrl-C from ending the server

    def __init__(self, root: Path, host: str, port: int, settings: FeedSettings):
        self.root = root
        self.settings = settings
        try:
            super().__init__((host, port), BookRequestHandler)
        except OSError as error:
            raise PublishError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
        self.base_url = f"http://{public_host(host)}:{self.server_address[1]}/"

    @property
    def feed_url(self) -> str:
        return self.base_url + FEED_NAME

    def feed(self) -> bytes:
        """The feed of what is in the directory now, linking back to this server."""
        settings = self.settings
        return render_feed(
            self.root, self.base_url, find_episodes(self.root),
            title=settings.title, author=settings.author, language=settings.language,
        )  # fmt: skip


def start_server(
    directory: Path, host: str = "0.0.0.0", port: int = DEFAULT_PORT, settings: FeedSettings = FeedSettings()
) -> BookServer:
    """A server for *directory*, bound and ready for ``serve_until_interrupted``; fails early with no books."""
    find_episodes(directory)
    return BookServer(directory.resolve(), host, port, settings)


def serve_until_interrupted(server: BookServer) -> None:
    """Serve until Ctrl-C (or SIGTERM, which the CLI turns into it), then close the socket."""
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def qr_code(text: str) -> str:
    """*text* as a QR code drawn with block characters, for a phone to scan off the terminal."""
    out = io.StringIO()
    segno.make(text, error="m").terminal(out=out, compact=True)
    return out.getvalue()


def public_host(host: str) -> str:
    """The address to put in URLs: the LAN address when listening on every interface."""
    return lan_address() if host in ("", "0.0.0.0") else host


def lan_address() -> str:
    """This machine's address on its LAN, or loopback when it has none.

    Connecting a UDP socket sends nothing; it only makes the OS pick the interface (and so the
    address) it would route through. 192.0.2.1 is a documentation address, never a real host.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def resolve_request(root: Path, target: str) -> Path:
    """The file under *root* that request target *target* names, or Refused (403 or 404)."""
    path = unquote(request_path(target))
    parts = [part for part in path.split("/") if part]
    if "\0" in path or "\\" in path or any(part in (".", "..") for part in parts):
        raise Refused(HTTPStatus.FORBIDDEN)
    if not parts or any(part.startswith(".") for part in parts):
        raise Refused(HTTPStatus.NOT_FOUND)
    real = root.joinpath(*parts).resolve()
    if not real.is_relative_to(root):  # a symlink pointing out of the directory
        raise Refused(HTTPStatus.FORBIDDEN)
    if not real.is_file():
        raise Refused(HTTPStatus.NOT_FOUND)
    return real


def request_path(target: str) -> str:
    """The path part of a request target, still %-encoded (not urlsplit: "//x" is a path here, not a host)."""
    return target.split("?", 1)[0].split("#", 1)[0]


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive ``(first, last)`` byte a ``Range`` header asks for, None for the whole file.

    Raises Refused(416) when the range lies wholly past the end of the file.
    """
    match = _RANGE.fullmatch(header.strip()) if header else None
    if match is None or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if not first:  # "bytes=-N": the last N bytes
        if int(last) == 0 or size == 0:
            raise Refused(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
        return max(0, size - int(last)), size - 1
    start = int(first)
    if last and int(last) < start:
        return None  # not a valid range at all: ignored
    if start >= size:
        raise Refused(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
    return start, min(int(last), size - 1) if last else size - 1


class BookRequestHandler(BaseHTTPRequestHandler):
    server: BookServer
    protocol_version = "HTTP/1.1"  # keep-alive: apps fetch many ranges of one file

    def do_GET(self) -> None:
        self._respond(with_body=True)

    def do_HEAD(self) -> None:
        self._respond(with_body=False)

    def _respond(self, *, with_body: bool) -> None:
        try:
            if request_path(self.path) == "/" + FEED_NAME:
                self._send_bytes(self.server.feed(), CONTENT_TYPES[".xml"], with_body)
            else:
                self._send_file(resolve_request(self.server.root, self.path), with_body)
        except Refused as refusal:
            self._send_refusal(refusal.status)
        except PublishError as error:  # no books (any more), or one that cannot be read: no feed
            self.log_error("%s", error)
            self._send_refusal(HTTPStatus.NOT_FOUND)
        except ConnectionError:
            pass  # the app stopped listening mid-file, as it does on every seek

    def _send_bytes(self, data: bytes, content_type: str, with_body: bool) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if with_body:
            self.wfile.write(data)

    def _send_file(self, path: Path, with_body: bool) -> None:
        with open(path, "rb") as file:
            stat = os.fstat(file.fileno())
            size = stat.st_size
            try:
                wanted = byte_range(self.headers.get("Range"), size)
            except Refused as refusal:
                self._send_refusal(refusal.status, content_range=f"bytes */{size}")
                return
            first, last = wanted if wanted is not None else (0, size - 1)
            self.send_response(HTTPStatus.PARTIAL_CONTENT if wanted is not None else HTTPStatus.OK)
            self.send_header("Content-Type", CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream"))
            self.send_header("Content-Length", str(last - first + 1))
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Last-Modified", formatdate(stat.st_mtime, usegmt=True))
            if wanted is not None:
                self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
            self.end_headers()
            if with_body:
                file.seek(first)
                _copy(file, self.wfile, last - first + 1)

    def _send_refusal(self, status: HTTPStatus, *, content_range: str | None = None) -> None:
        body = f"{status.value} {status.phrase}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if content_range:
            self.send_header("Content-Range", content_range)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def _copy(source, sink, length: int) -> None:
    while length > 0:
        chunk = source.read(min(_COPY_CHUNK, length))
        if not chunk:
            break
        sink.write(chunk)
        length -= len(chunk)
