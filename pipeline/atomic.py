"""Files that appear whole or not at all, and the leftovers of writers that were killed.

Every output and cache entry is written to a temporary file beside it, flushed to disk with fsync,
then renamed over its real name: a reader (the next build, a podcast app, the feed server) sees
the old file or the new one, never half of one, whatever happens to the writer.

A temporary file is named ``.<name>.<pid>.tmp`` (plus a suffix when a tool wants one, as mutagen
does ``.mp3``): hidden, so nothing that lists a directory takes it for a finished file, and
unique to its process, so two builds writing the same file at once never write into each other's.
Ctrl-C and SIGTERM remove it on the way out; ``kill -9`` cannot, so :func:`sweep_stale_temps`
removes those whose process is gone.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

_TEMP_NAME = re.compile(r"\..+\.(?P<pid>\d+)\.tmp(?:\.[A-Za-z0-9]+)?")


def temp_path(path: Path, suffix: str = "") -> Path:
    """This process's temporary file for *path*, beside it."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp{suffix}")


def replace_synced(temp: Path, path: Path) -> None:
    """Make *temp* durable, then rename it over *path* in one step."""
    with open(temp, "rb+") as file:
        os.fsync(file.fileno())
    os.replace(temp, path)


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """*data* becomes the whole of *path* at once; OSError when it cannot be written (no temp file left)."""
    temp = temp_path(path)
    try:
        with open(temp, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:  # Ctrl-C included
        temp.unlink(missing_ok=True)
        raise


def sweep_stale_temps(directory: Path) -> int:
    """Remove the temporary files in *directory* of processes that no longer run; how many.

    A live process's files, this one's and another build's alike, are left alone.
    """
    removed = 0
    try:
        entries = list(os.scandir(directory))
    except OSError:  # not there yet: nothing to sweep
        return 0
    for entry in entries:
        match = _TEMP_NAME.fullmatch(entry.name)
        if match and not process_exists(int(match["pid"])):
            try:
                os.unlink(entry.path)
                removed += 1
            except OSError:  # swept by another build a moment ago, or not ours to remove
                pass
    return removed


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OverflowError:  # larger than any pid
        return False
    except PermissionError:  # someone else's process
        return True
    return True
