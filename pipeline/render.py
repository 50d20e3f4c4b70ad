"""Synthesis and encoding at once: each chunk the cache lacks is encoded as soon as its clips exist.

Only the chunks missing from the cache are rendered, and only their clips are asked of the
synthesis stage (which finds most of those in its own cache too). While the engine workers speak
the later clips, LAME processes encode the chunks whose clips are all there, so both cores stay
busy to the end. Chunks are independent files, so the order they finish in changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from pathlib import Path

from .atomic import sweep_stale_temps
from .chunks import Chunk, chunk_paths, encode_chunk, load_chunk
from .model import Cue, Utterance
from .synthesis import synthesize


def render_chunks(
    cues: Sequence[Cue],
    cue_clips: Sequence[Path],
    chunks: Sequence[Chunk],
    cache_dir: Path,
    *,
    jobs: int = 2,
    progress: Callable[[int], None] | None = None,
) -> frozenset[Utterance]:
    """Make sure every chunk is in the cache; the utterances the engine had to render for that.

    *progress* hears how many cues just became encoded: the cached chunks' at once, then a chunk's
    cues whenever one is done.
    """
    # A passage said twice the same way is one chunk, encoded once (and never by two threads at once).
    missing: dict[str, list[Chunk]] = {}
    for chunk in chunks:
        if chunk.key in missing or load_chunk(cache_dir, chunk.key) is None:
            missing.setdefault(chunk.key, []).append(chunk)
    cues_of = {key: sum(chunk.end - chunk.first for chunk in same) for key, same in missing.items()}
    if progress:
        progress(len(cues) - sum(cues_of.values()))
    if not missing:
        return frozenset()
    todo = [same[0] for same in missing.values()]
    for folder in {chunk_paths(cache_dir, key)[0].parent for key in missing}:
        sweep_stale_temps(folder)  # of encoders that were killed: their chunks are still missing
    waiting_on: dict[Utterance, list[int]] = {}  # utterance -> the todo chunks that need its clip
    for position, chunk in enumerate(todo):
        for cue in cues[chunk.first : chunk.end]:
            chunks_of_utterance = waiting_on.setdefault(cue.utterance, [])
            if position not in chunks_of_utterance:
                chunks_of_utterance.append(position)
    still_needed = [0] * len(todo)
    for positions in waiting_on.values():
        for position in positions:
            still_needed[position] += 1

    with ThreadPoolExecutor(jobs, thread_name_prefix="chunk-encoder") as encoders:
        encoding: dict[Future, Chunk] = {}

        def report(wait: bool) -> None:
            finished = list(as_completed(encoding)) if wait else [f for f in encoding if f.done()]
            for future in finished:
                future.result()  # an encoder's error stops the build here
                chunk = encoding.pop(future)
                if progress:
                    progress(cues_of[chunk.key])

        def clip_ready(utterance: Utterance) -> None:
            for position in waiting_on[utterance]:
                still_needed[position] -= 1
                if still_needed[position] == 0:
                    chunk = todo[position]
                    encoding[encoders.submit(encode_chunk, chunk, cues, cue_clips, cache_dir)] = chunk
            report(wait=False)

        try:
            result = synthesize(list(waiting_on), cache_dir, jobs=jobs, on_ready=clip_ready)
            report(wait=True)
        except BaseException:
            for future in encoding:
                future.cancel()  # not started yet; the running ones finish in a moment
            raise
    return result.fresh
