"""Robustness in figures: quote-mark storms, a 50 MB story, and builds killed at random moments.

    .venv/bin/python bench/robustness.py                       # everything, defaults below
    .venv/bin/python bench/robustness.py --only quotes         # or: big, kills
    .venv/bin/python bench/robustness.py --big-mb 50 --build-seconds 120 --kills 30

quotes  `audiobook script` of 0.25, 0.5 and 1 MB of quote marks (straight, curly, single, and
        marks mixed with words): wall time, which must grow linearly and stay under 2 s at 1 MB.
big     a generated story of --big-mb megabytes (our own sentences, several speakers, chapters):
        `audiobook script` (wall time, peak memory of the process tree) next to a tenth of it, to
        show memory grows with the text and nothing more; then `audiobook build` of it. At about
        18 hours of speech per megabyte, a 50 MB book is weeks of audio, so the build runs for
        --build-seconds, its peak memory sampled while it speaks, and is then stopped with SIGINT:
        it must exit cleanly and leave only whole files.
kills   --kills builds of a short story, each killed (SIGINT, SIGTERM or SIGKILL at random) at a
        random moment of a cold build, then checked: every file under its real name whole (MP3s
        decoded by ffmpeg, sidecars parsed, every clip and chunk checked), then finished by a
        second run, which must reuse every cache entry the kill left and lose none.

Timings are wall clock on a shared machine: repeat them.
"""

from __future__ import annotations

import argparse
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT / "tests"))  # the build checks are the tests' own

from render import TreeMemory, audiobook_command  # noqa: E402
from test_build_robustness import (  # noqa: E402
    SUMMARY,
    all_files,
    assert_every_file_is_whole,
    is_temp,
    lighthouse_story,
    wait_for_group_to_end,
)

MB = 1 << 20
SPEAKERS = ("Tara", "Finch", "Ida", "Rowan", "Mara", "Ellis")


def timed(command: list[str], cwd: Path) -> tuple[float, int, int, str]:
    """Wall seconds, peak tree memory, exit code and the last stderr line of *command*."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    memory = TreeMemory(process.pid)
    _, stderr = process.communicate()
    lines = stderr.strip().splitlines()
    return time.perf_counter() - started, memory.stop(), process.returncode, lines[-1] if lines else ""


QUOTE_STORMS = {
    "straight": ['"'],
    "curly": ["\u201c", "\u201d"],
    "single": ["'", "\u2018", "\u2019"],
    "with words": ['"', "\u201c", "\u201d", "'", " said Tara ", "\n", "\n\n", "yes"],
}


def storm(pieces: list[str], size: int, rng: random.Random) -> str:
    """Pieces drawn at random until the UTF-8 text is *size* bytes long."""
    parts, length = [], 0
    while length < size:
        piece = rng.choice(pieces)
        parts.append(piece)
        length += len(piece.encode("utf-8"))
    return "".join(parts)


def quote_storms(work: Path) -> None:
    print("== quotes: `audiobook script` of quote marks (must be linear, < 2 s at 1 MB)")
    rng = random.Random(7)
    for name, pieces in QUOTE_STORMS.items():
        row = []
        for size in (MB // 4, MB // 2, MB):
            story = work / "quotes.txt"
            story.write_text(storm(pieces, size, rng), encoding="utf-8")
            seconds, _, code, _ = timed([*audiobook_command(), "script", str(story)], work)
            row.append(f"{size / MB:.2f} MB {seconds:.2f} s (exit {code})")
        print(f"  {name:10}  " + "; ".join(row))


def big_story(path: Path, megabytes: float) -> Path:
    """Our own sentences, varied by number and speaker, in chapters of 400 paragraphs."""
    rng = random.Random(1)
    target, written, n = int(megabytes * MB), 0, 0
    with open(path, "w", encoding="utf-8") as file:
        file.write("Title: The Long Watch\nAuthor: Bench Writer\n\n")
        while written < target:
            speaker, other = rng.sample(SPEAKERS, 2)
            paragraph = (
                f"The lamp in room {n} flickered as the wind rose over the cliffs. "
                f'"Do you hear that, {other}?" {speaker} said, turning toward window {n % 97}. '
                f'"It is only the sea," said {other}.\n\n'
            )
            if n % 400 == 0:
                paragraph = f"Chapter {n // 400 + 1}\n\n" + paragraph
            written += file.write(paragraph)
            n += 1
    return path


def fifty_megabytes(work: Path, megabytes: float, build_seconds: float) -> None:
    print(f"== big: a {megabytes:g} MB story")
    for size in (megabytes / 10, megabytes):
        story = big_story(work / f"big-{size:g}mb.txt", size)
        seconds, peak, code, last = timed([*audiobook_command(), "script", str(story)], work)
        print(f"  script {size:g} MB: {seconds:.1f} s, peak {peak / MB:.0f} MB, exit {code} {last}")
    out, cache = work / "big-out", work / "big-cache"
    command = [*audiobook_command(), "build", str(story), "-o", str(out), "--cache", str(cache)]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)  # fmt: skip
    memory = TreeMemory(process.pid)
    first_clip = None
    while time.perf_counter() - started < build_seconds and process.poll() is None:
        if first_clip is None and any(path.suffix == ".wav" for path in all_files(cache)):
            first_clip = time.perf_counter() - started
        time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate()
    wait_for_group_to_end(process.pid)
    peak = memory.stop()
    clips = len([p for p in all_files(cache) if p.suffix == ".wav" and not is_temp(p)])
    assert_every_file_is_whole(out, cache)
    print(
        f"  build {megabytes:g} MB: first clip after {first_clip or float('nan'):.1f} s, {clips} clips in"
        f" {build_seconds:g} s, peak {peak / MB:.0f} MB; SIGINT: exit {process.returncode},"
        f" traceback: {'Traceback' in stderr}, files whole: yes"
    )


def random_kills(work: Path, kills: int) -> None:
    print(f"== kills: {kills} builds killed at random moments")
    rng = random.Random(3)
    story = lighthouse_story(work / "night-watch.txt")
    base = [*audiobook_command(), "build", str(story), "--jobs", "1"]
    cold, _, code, _ = timed([*base, "-o", str(work / "cold-out"), "--cache", str(work / "cold-cache")], work)
    assert code == 0
    print(f"  a cold build takes {cold:.1f} s; kills fall uniformly within it (odd trials: after the first clip)")
    survived = lost = corrupted = 0
    by_signal: dict[str, int] = {}
    for trial in range(kills):
        out, cache = work / f"kill-{trial}-out", work / f"kill-{trial}-cache"
        command = [*base, "-o", str(out), "--cache", str(cache)]
        signum = rng.choice([signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
        process = subprocess.Popen(command, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                   start_new_session=True)  # fmt: skip
        # Every other kill waits for the first clip: most of a short cold build is starting up.
        started = time.perf_counter()
        while trial % 2 and process.poll() is None and not any(p.suffix == ".wav" for p in all_files(cache)):
            time.sleep(0.005)
        time.sleep(rng.uniform(0, max(0.0, cold - (time.perf_counter() - started)) if trial % 2 else cold))
        delay = time.perf_counter() - started
        process.send_signal(signum)
        _, stderr = process.communicate()
        wait_for_group_to_end(process.pid)
        try:
            assert_every_file_is_whole(out, cache)
            assert "Traceback" not in stderr
        except AssertionError as failure:
            corrupted += 1
            print(f"  trial {trial}: {signum.name}: {failure}")
            continue
        kept = {p: p.stat().st_size for p in all_files(cache) if not is_temp(p)}
        finished = subprocess.run(command, cwd=work, capture_output=True, text=True)
        summary = SUMMARY.search(finished.stderr)
        gone = [p for p, size in kept.items() if not p.exists() or p.stat().st_size != size]
        lost += len(gone)
        try:
            assert finished.returncode == 0 and summary, finished.stderr
            assert_every_file_is_whole(out, cache)
        except AssertionError as failure:
            corrupted += 1
            print(f"  trial {trial}: the next run: {failure}")
            continue
        survived += 1
        by_signal[signum.name] = by_signal.get(signum.name, 0) + 1
        total, synthesized, cached = map(int, summary.groups())
        print(
            f"  trial {trial}: {signum.name} after {delay:.1f} s (exit {process.returncode}); the next run:"
            f" {synthesized} synthesized, {cached} cached of {total} segments"
        )
    print(f"  kills survived: {survived}/{kills} ({by_signal}); files lost: {lost}; corrupted: {corrupted}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=["quotes", "big", "kills"], default=None)
    parser.add_argument("--big-mb", type=float, default=50)
    parser.add_argument("--build-seconds", type=float, default=60)
    parser.add_argument("--kills", type=int, default=20)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="robustness-"))
    try:
        if args.only in (None, "quotes"):
            quote_storms(work)
        if args.only in (None, "kills"):
            random_kills(work, args.kills)
        if args.only in (None, "big"):
            fifty_megabytes(work, args.big_mb, args.build_seconds)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
