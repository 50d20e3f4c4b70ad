"""Build each story and check that ffprobe's chapters, the chapters JSON, the VTT and the audio agree.

    .venv/bin/python bench/feed_check.py ../shared/stories [-c voices.yaml] [--jobs 2] [--keep DIR]

Per story, every difference in milliseconds, with 50 ms the most allowed:
- json: each chapter's startTime against ffprobe -show_chapters (titles must match too);
- vtt: each non-empty chapter's start against the start of a VTT cue (a chapter opens with its heading);
- end: the last VTT cue's end against the audio's length as ffprobe reads it;
- audio: the decoded MP3 is silent in every gap between cues once 50 ms past the cue edges, and
  has speech under every cue (counts of cues and gaps that fail).
Exits 1 if any story fails.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from array import array
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.model import BOOK_FRAME_RATE  # noqa: E402
from pipeline.publish import chapters_path, transcript_path  # noqa: E402
from pipeline.transcript import read_webvtt  # noqa: E402

TOLERANCE_MS = 50
SILENT = 300  # peak sample value below which a gap counts as silence (full scale is 32767)
SPOKEN = 1000  # peak sample value a cue must reach somewhere to count as speech


def build(story: Path, out: Path, cache: Path, voices: Path | None, jobs: int) -> Path:
    command = [sys.executable, "-m", "pipeline", "build", str(story), "-o", str(out), "--cache", str(cache),
               "--jobs", str(jobs)]
    if voices:
        command += ["-c", str(voices)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if result.returncode:
        raise SystemExit(f"{story}: build failed: {result.stderr.strip()}")
    return out / f"{story.stem}.mp3"


def probe(mp3: Path) -> tuple[list[tuple[float, str]], float]:
    """ffprobe's chapters as (start_ms, title) and the audio's length in ms, encoder delay excluded."""
    out = subprocess.run(["ffprobe", "-v", "error", "-show_format", "-show_streams", "-show_chapters", "-of", "json",
                          str(mp3)], capture_output=True, text=True, check=True).stdout
    info = json.loads(out)
    chapters = [(float(c["start_time"]) * 1000, c["tags"]["title"]) for c in info["chapters"]]
    length = (float(info["format"]["duration"]) - float(info["streams"][0].get("start_time", 0))) * 1000
    return chapters, length


def decoded(mp3: Path) -> array:
    pcm = subprocess.run(["ffmpeg", "-v", "error", "-i", str(mp3), "-f", "s16le", "-ac", "1",
                          "-ar", str(BOOK_FRAME_RATE), "-"], capture_output=True, check=True).stdout
    return array("h", pcm)


def peak(samples: array, start_ms: float, end_ms: float) -> int:
    window = samples[int(start_ms * BOOK_FRAME_RATE / 1000) : int(end_ms * BOOK_FRAME_RATE / 1000)]
    return max(map(abs, window), default=0)


def check(mp3: Path) -> tuple[dict, bool]:
    probed, length_ms = probe(mp3)
    document = json.loads(chapters_path(mp3).read_text(encoding="utf-8"))
    cues = read_webvtt(transcript_path(mp3).read_text(encoding="utf-8"))
    starts = [start for start, _, _ in cues]
    titles_agree = [c["title"] for c in document["chapters"]] == [title for _, title in probed]
    json_ms = max(abs(c["startTime"] * 1000 - ms) for c, (ms, _) in zip(document["chapters"], probed))
    ends = [c["startTime"] * 1000 for c in document["chapters"][1:]] + [cues[-1][1]]
    non_empty = [c["startTime"] * 1000 for c, end in zip(document["chapters"], ends) if end > c["startTime"] * 1000]
    vtt_ms = max(min(abs(start - cue_start) for cue_start in starts) for start in non_empty)
    end_ms = abs(cues[-1][1] - length_ms)
    ordered = all(end > start for start, end, _ in cues) and all(b[0] >= a[1] for a, b in zip(cues, cues[1:]))
    samples = decoded(mp3)
    mute_cues = sum(peak(samples, start, end) < SPOKEN for start, end, _ in cues)
    gaps = [(a[1] + TOLERANCE_MS, b[0] - TOLERANCE_MS) for a, b in zip(cues, cues[1:]) if b[0] - a[1] > 2 * TOLERANCE_MS]
    noisy_gaps = sum(peak(samples, start, end) >= SILENT for start, end in gaps)
    row = {"audio_s": length_ms / 1000, "chapters": len(probed), "cues": len(cues), "json_ms": json_ms,
           "vtt_ms": vtt_ms, "end_ms": end_ms, "mute_cues": mute_cues, "gaps": len(gaps), "noisy_gaps": noisy_gaps}
    ok = (titles_agree and ordered and max(json_ms, vtt_ms, end_ms) <= TOLERANCE_MS
          and mute_cues == 0 and noisy_gaps == 0)
    return row, ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stories", type=Path)
    parser.add_argument("-c", "--voices", type=Path, default=None)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", type=Path, default=None, help="build into this directory and keep the output")
    args = parser.parse_args()
    stories = sorted(args.stories.glob("*.txt")) if args.stories.is_dir() else [args.stories]
    print(f"{'story':26} {'audio':>7} {'ch':>3} {'cues':>5} {'json ms':>8} {'vtt ms':>7} {'end ms':>7} "
          f"{'mute cues':>9} {'noisy gaps':>10}  verdict")
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        out = args.keep or Path(tmp) / "out"
        for story in stories:
            row, ok = check(build(story, out, Path(tmp) / "cache", args.voices, args.jobs))
            failures += not ok
            print(f"{story.stem[:26]:26} {row['audio_s']:6.0f}s {row['chapters']:3} {row['cues']:5} "
                  f"{row['json_ms']:8.1f} {row['vtt_ms']:7.1f} {row['end_ms']:7.1f} {row['mute_cues']:9} "
                  f"{row['noisy_gaps']:>4}/{row['gaps']:<5}  {'ok' if ok else 'FAIL'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
