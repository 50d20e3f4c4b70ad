"""The speech engine: pyttsx3 driving eSpeak NG, one engine per long-lived worker process.

pyttsx3 stays the engine (its driver object and ctypes bindings do all the talking to eSpeak NG),
but its save_to_file/runAndWait path is bypassed, because the quirks measured in 2.99 come from it:

* It runs the library in asynchronous mode, where Synth and SetParameter only queue commands for
  eSpeak NG's thread: runAndWait can return before the WAV exists, a rate or pitch change can land
  after the text it was meant for, a run may save an empty WAV. Here the library is switched to
  synchronous output once; then Synth returns only when every sample has been handed over: no
  run loop, no 10 ms sleeps, no races.
* Its callback grows one ``bytes`` with ``+=`` (quadratic), and when it raises the run loop waits
  forever. Here samples go to a list, from a callback that cannot raise.
* ``Engine.setProperty`` is queued until runAndWait, and a voice the library refuses there becomes
  an "error" event nobody hears: the previous voice keeps speaking. Here the driver's setProperty
  is called directly (it raises on refusal) and every setting is read back.
* It writes 22,050 Hz headers whatever the voice (MBROLA speaks 16 kHz); here the library is asked.
* It crashes on one text of ~13,000 characters; texts are split into parts of ~1,000.
* It prints to stdout; workers point their stdout at /dev/null at the file-descriptor level.

What is left (a crash in the C library, a hang) is contained by :class:`EnginePool`: a worker that
dies or misses its deadline is killed and replaced, and the clip is tried again.

A voice may name another engine (model.ENGINES): ``espeak`` runs eSpeak NG's own program once per
clip (espeak_program.py), ``piper`` a neural Piper model (piper_engine.py). :func:`render` hands each
utterance to its voice's engine; each speaks the same way: text (with SSML emphasis where the engine
reads SSML) in, 16-bit mono samples out, verified here.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import re
import signal
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Generic, TypeVar

from . import voices
from .errors import AudiobookError, ClipFailedError, SynthesisError, VoiceError
from .model import Utterance, Voice

ENGINE_NAME = "pyttsx3-espeak-ng"
MAX_PART_CHARS = 1000  # longest text given to one espeak_Synth call
ATTEMPTS = 3  # tries per clip before giving up
BASE_TIMEOUT_S = 10.0  # per clip, plus ENGINE_TIMEOUT_S; a whole 13 kB story renders in ~1 s
# Per engine, seconds more per clip and per character. A worker loads Piper's model (6 s cold here,
# more on a busy machine) on its first clip, then speaks at about 20 ms a character.
ENGINE_TIMEOUT_S = {"pyttsx3": (0.0, 0.001), "espeak": (0.0, 0.001), "piper": (60.0, 0.05)}
SILENCE_MS = 100  # a clip for text with nothing to say, when eSpeak NG gives no samples at all

# Plausible durations, from 1,350 renders of story sentences (3 voices, 80-450 wpm): the shortest
# lasted 0.58 x (words / rate), the longest 0.25 s per character at 175 wpm. The bounds are
# generous: they exist to catch empty, truncated or runaway clips, not to judge pacing.
SLOWEST_RATE = 80  # eSpeak NG speaks no slower than this, whatever rate it is given
MIN_DURATION_RATIO = 0.25
MAX_SECONDS_PER_CHAR = 0.6  # at 175 wpm, plus MAX_DURATION_SLACK_S
MAX_DURATION_SLACK_S = 5.0

_SSML = 0x10  # espeakSSML: the text is SSML
_SYNCHRONOUS = 0x0001  # espeak_ng_OUTPUT_MODE: ENOUTPUT_MODE_SYNCHRONOUS, without audio playback
_OUTPUT_BUFFER_MS = 1000
_EE_OK = 0
_WORD = re.compile(r"[^\W_]+")  # what counts as something to say: a run of letters or digits
_CLOSERS = "[\"'\u201d\u2019)\\]]*"
_BOUNDARIES = (  # where to cut long text, best first; every cut keeps the text's characters
    re.compile(rf"[.!?\u2026]+{_CLOSERS}\s+"),  # sentence ends
    re.compile(rf"[,;:\u2013\u2014]+{_CLOSERS}\s*"),  # clause ends
    re.compile(r"\s+"),  # word gaps
)


@dataclass(frozen=True)
class Clip:
    samples: bytes  # 16-bit signed little-endian mono PCM
    frame_rate: int

    @property
    def seconds(self) -> float:
        return len(self.samples) / 2 / self.frame_rate


@cache
def engine_version() -> str:
    """pyttsx3's version and the eSpeak NG library's: "pyttsx3 2.99; espeak-ng 1.51"."""
    from pyttsx3.drivers import _espeak  # loads the library; espeak_Info needs no initialisation

    return f"pyttsx3 {_installed_version('pyttsx3')}; espeak-ng {_espeak.Info().decode()}"


def _installed_version(package: str) -> str:
    """The version in the name of the package's ``<name>-<version>.dist-info`` folder.

    Read from the folder name because importlib.metadata takes longer to import than a whole
    no-change rebuild of a short story; it is the fallback for any other kind of install.
    """
    module = __import__(package)
    for info in Path(module.__file__).parent.parent.glob(f"{package}-*.dist-info"):
        return info.name[len(package) + 1 : -len(".dist-info")]
    from importlib.metadata import version

    return version(package)


def engine_id(voice: Voice | None = None) -> str:
    """Name and version of the engine *voice* speaks with (default: pyttsx3), for cache keys.

    For Piper this includes the model file's SHA-256: a retrained model at the same path is a new voice.
    """
    if voice is None or voice.engine == "pyttsx3":
        return f"{ENGINE_NAME} ({engine_version()})"
    return _other_engine(voice.engine).identity(voice)


def missing_engine(name: str) -> str | None:
    """Why the engine called *name* cannot run here, or None when it can."""
    return None if name == "pyttsx3" else _other_engine(name).missing()


def render(utterance: Utterance) -> Clip:
    """*utterance* spoken by its voice's engine in this process, verified; SynthesisError when it went wrong."""
    voice = utterance.voice
    speaker = _speaker() if voice.engine == "pyttsx3" else _other_engine(voice.engine).speaker()
    clip = speaker.speak(utterance.text, voice, utterance.emphasis)
    return verified(clip, utterance.text, voice.rate)


def _other_engine(name: str):
    """The module of a non-default engine: its ``speaker()``, ``identity(voice)`` and ``missing()``."""
    if name == "espeak":
        from . import espeak_program

        return espeak_program
    if name == "piper":
        from . import piper_engine

        return piper_engine
    raise VoiceError(f"unknown engine '{name}'")


def ssml(text: str, emphasis: tuple[tuple[int, int], ...]) -> str:
    """*text* as SSML for eSpeak NG, each emphasis span (offsets into *text*) in ``<emphasis>``."""
    from xml.sax.saxutils import escape

    pieces, cursor = [], 0
    for start, end in emphasis:
        pieces += [escape(text[cursor:start]), f"<emphasis>{escape(text[start:end])}</emphasis>"]
        cursor = end
    return "<speak>" + "".join(pieces) + escape(text[cursor:]) + "</speak>"


def marked_parts(text: str, emphasis: tuple[tuple[int, int], ...]) -> list[tuple[str, bool]]:
    """*text* in parts short enough for eSpeak NG, each as SSML when it holds emphasis: (text, is_ssml)."""
    parts, offset = [], 0
    for part in split_text(text):
        inside = tuple(
            (max(start, offset) - offset, min(end, offset + len(part)) - offset)
            for start, end in emphasis
            if start < offset + len(part) and end > offset
        )
        parts.append((ssml(part, inside), True) if inside else (part, False))
        offset += len(part)
    return parts


def verified(clip: Clip, text: str, rate: int) -> Clip:
    """*clip* if its length is plausible for *text* at *rate* words per minute.

    Text with no letters or digits ("...", "—") is spoken as eSpeak NG speaks it, usually a short
    pause, with no lower bound; if that is no samples at all, it becomes SILENCE_MS of silence.
    """
    words = len(_WORD.findall(text))
    if not clip.samples and not words:
        return Clip(bytes(clip.frame_rate * SILENCE_MS // 1000 * 2), clip.frame_rate)
    pace = max(rate, SLOWEST_RATE)
    shortest = MIN_DURATION_RATIO * words * 60 / pace
    longest = MAX_DURATION_SLACK_S + MAX_SECONDS_PER_CHAR * len(text) * 175 / pace
    if not clip.samples or clip.seconds < shortest:
        raise SynthesisError(f"{clip.seconds:.2f} s of audio is too short for {words} words at {rate} wpm")
    if clip.seconds > longest:
        raise SynthesisError(f"{clip.seconds:.1f} s of audio is too long for {len(text)} characters")
    return clip


def split_text(text: str, limit: int = MAX_PART_CHARS) -> list[str]:
    """*text* in parts of at most *limit* characters that join back to it exactly.

    Cuts fall after sentence ends where possible, then after clause punctuation, then at spaces;
    only a "word" longer than *limit* is cut blindly.
    """
    return _split(text, limit, 0)


def _split(text: str, limit: int, level: int) -> list[str]:
    if len(text) <= limit:
        return [text]
    if level == len(_BOUNDARIES):
        return [text[i : i + limit] for i in range(0, len(text), limit)]
    parts: list[str] = []
    current = ""
    for piece in _pieces(text, _BOUNDARIES[level]):
        if len(current) + len(piece) <= limit:
            current += piece
            continue
        parts += [current] if current else []
        current = piece if len(piece) <= limit else ""
        parts += [] if current else _split(piece, limit, level + 1)
    return parts + ([current] if current else [])


def _pieces(text: str, boundary: re.Pattern[str]) -> Iterator[str]:
    start = 0
    for match in boundary.finditer(text):
        yield text[start : match.end()]
        start = match.end()
    if start < len(text):
        yield text[start:]


# --- the engine inside one process ------------------------------------------------------------------


class _Speaker:
    """This process's pyttsx3 engine, switched to synchronous output, collecting samples itself."""

    def __init__(self) -> None:
        from pyttsx3.drivers import _espeak

        self._espeak = _espeak
        # The EspeakDriver behind pyttsx3's Engine: its setProperty applies at once and raises on
        # refusal, unlike Engine.setProperty's queue.
        self._driver = voices.pyttsx3_engine().proxy._driver
        def bind(name, *argtypes):  # a function of the library pyttsx3 loaded, returning int
            return ctypes.CFUNCTYPE(ctypes.c_int, *argtypes)((name, _espeak.dll))

        # pyttsx3 binds espeak_GetParameter without its second argument ("current"), so what it
        # reads depends on a stray register; read-backs use a correct prototype.
        self._get_parameter = bind("espeak_GetParameter", ctypes.c_int, ctypes.c_int)
        self._sample_rate = bind("espeak_ng_GetSampleRate")
        initialize_output = bind("espeak_ng_InitializeOutput", ctypes.c_int, ctypes.c_int, ctypes.c_char_p)
        _espeak.Synchronize()  # let the settings pyttsx3 queued while initialising land first
        if initialize_output(_SYNCHRONOUS, _OUTPUT_BUFFER_MS, None) != _EE_OK:
            raise SynthesisError("eSpeak NG could not switch to synchronous output")
        self._chunks: list[bytes] = []
        self._ended = False
        self._broken = False
        _espeak.SetSynthCallback(self._collect)  # pyttsx3 keeps the ctypes thunk alive

    def speak(self, text: str, voice: Voice, emphasis: tuple[tuple[int, int], ...] = ()) -> Clip:
        self._apply(voice)
        frame_rate = self._sample_rate()
        self._chunks = []
        self._broken = False
        flags = self._espeak.ENDPAUSE | self._espeak.CHARS_UTF8
        for part, is_ssml in marked_parts(text, emphasis):
            self._ended = False
            status = self._espeak.Synth(part.encode("utf-8"), flags=flags | (_SSML if is_ssml else 0))
            if status != _EE_OK or self._broken or not self._ended:
                raise SynthesisError(f"eSpeak NG stopped early (status {status})")
        return Clip(b"".join(self._chunks), frame_rate)

    def _apply(self, voice: Voice) -> None:
        """Set voice, rate, pitch and volume, and prove the library took each of them."""
        name = voices.engine_voice_name(voice.id)
        try:
            self._driver.setProperty("voice", name)
        except ValueError:
            raise VoiceError(f"eSpeak NG refused voice '{voice.id}' (as '{name}')") from None
        # The library reports the voice it now uses as "<identifier>+<variant file>"; an unknown
        # variant is dropped silently, so this comparison also catches that.
        current = self._driver.getProperty("voice")
        if current != name.lower():
            raise VoiceError(f"eSpeak NG kept voice '{current}' when given '{voice.id}' (as '{name}')")
        volume = int(round(voice.volume * 100, 2))  # as pyttsx3 converts it for the library
        for key, parameter, wanted, given in (
            ("rate", self._espeak.RATE, voice.rate, voice.rate),
            ("pitch", self._espeak.PITCH, voice.pitch, voice.pitch),
            ("volume", self._espeak.VOLUME, volume, voice.volume),
        ):
            self._driver.setProperty(key, given)
            actual = self._get_parameter(parameter, 1)
            if actual != wanted:
                raise SynthesisError(f"eSpeak NG kept {key} {actual} when asked for {wanted}")

    def _collect(self, wav, numsamples, events) -> int:
        # Called by the library for each buffer, inside Synth. An exception here would vanish
        # inside ctypes, so none may escape: a failure aborts synthesis and is reported by speak().
        try:
            if not wav:  # a NULL buffer marks the end of the text
                self._ended = True
            elif numsamples > 0:
                self._chunks.append(ctypes.string_at(wav, numsamples * 2))
            return 0
        except BaseException:
            self._broken = True
            return 1


@cache
def _speaker() -> _Speaker:
    return _Speaker()


# --- worker processes -------------------------------------------------------------------------------

R = TypeVar("R")


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    job: Utterance | None = None
    deadline: float = 0.0


class EnginePool(Generic[R]):
    """Long-lived worker processes, each holding one engine, running *task* on utterances.

    *task* (default :func:`render`) must be picklable: a module-level function or a partial of one.
    A clip is tried again, up to *attempts* times in all, when *task* raises SynthesisError, when its
    worker dies, or when it takes longer than *base_timeout_s* plus its engine's ENGINE_TIMEOUT_S;
    a dead or overdue worker is killed and replaced first. Other exceptions, like VoiceError, are
    raised at once. Workers are started with "spawn": a fork would inherit the parent's eSpeak NG
    state without the library's thread.
    """

    def __init__(
        self, workers: int = 2, task: Callable[[Utterance], R] = render, *,
        attempts: int = ATTEMPTS, base_timeout_s: float = BASE_TIMEOUT_S,
    ) -> None:
        if workers < 1 or attempts < 1:
            raise ValueError("an engine pool needs at least one worker and one attempt")
        self._context = multiprocessing.get_context("spawn")
        self._task = task
        self._attempts = attempts
        self._base_timeout_s = base_timeout_s
        self.restarts = 0  # workers replaced after dying or hanging
        self._workers = [self._start() for _ in range(workers)]

    def __enter__(self) -> EnginePool[R]:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def imap_unordered(self, utterances: Iterable[Utterance]) -> Iterator[tuple[Utterance, R]]:
        """(utterance, result) pairs in the order the workers finish them."""
        queue = deque(utterances)
        failures: dict[Utterance, int] = {}
        while queue or any(w.job is not None for w in self._workers):
            for index, worker in enumerate(self._workers):
                if worker.job is None and queue:
                    self._workers[index] = self._send(worker, queue.popleft())
            busy = [w for w in self._workers if w.job is not None]
            timeout = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout))
            for index, worker in enumerate(self._workers):
                job = worker.job
                if job is None:
                    continue
                if worker.conn in ready or worker.process.sentinel in ready:
                    outcome = self._receive(worker)
                elif time.monotonic() >= worker.deadline:
                    outcome = ("lost", f"no audio within {self._timeout_s(job):.0f} s")
                else:
                    continue
                worker.job = None
                if outcome[0] == "done":
                    yield job, outcome[1]
                    continue
                if outcome[0] == "error":  # not the engine's fault: VoiceError, or a bug
                    error = outcome[1]
                    if not isinstance(error, AudiobookError):
                        error.add_note(f"raised in an engine worker:\n{outcome[2]}")
                    raise error
                if outcome[0] == "lost":  # dead, or alive but stuck: either way a new one takes over
                    self._workers[index] = self._replace(worker)
                failures[job] = failures.get(job, 0) + 1
                if failures[job] >= self._attempts:
                    start = _start_of(job.text)
                    raise ClipFailedError(
                        f"the speech engine failed {failures[job]} times on {start}: {outcome[1]}", job
                    )
                queue.appendleft(job)  # retried next, so a bad clip fails fast

    def close(self) -> None:
        """Stop idle workers; kill busy ones, abandoning their clips."""
        for worker in self._workers:
            if worker.job is None:
                with contextlib.suppress(OSError):  # already dead: nothing to stop
                    worker.conn.send(None)
        for worker in self._workers:
            worker.process.join(timeout=0 if worker.job is not None else 2)
            if worker.process.exitcode is None:
                worker.process.kill()
                worker.process.join()
            worker.conn.close()
        self._workers = []

    def _start(self) -> _Worker:
        parent_end, child_end = self._context.Pipe()
        process = self._context.Process(
            target=_serve, args=(child_end, self._task), name="audiobook-engine", daemon=True
        )
        process.start()
        child_end.close()  # so that the parent sees EOF when the worker dies
        return _Worker(process, parent_end)

    def _replace(self, worker: _Worker) -> _Worker:
        worker.process.kill()
        worker.process.join()
        worker.conn.close()
        self.restarts += 1
        return self._start()

    def _send(self, worker: _Worker, job: Utterance) -> _Worker:
        """Hand *job* to *worker*, or to a fresh worker if this one died while idle."""
        try:
            worker.conn.send(job)
        except OSError:
            worker = self._replace(worker)
            worker.conn.send(job)
        worker.job = job
        worker.deadline = time.monotonic() + self._timeout_s(job)
        return worker

    def _receive(self, worker: _Worker) -> tuple:
        """The worker's answer; or, if it died without one, why."""
        if worker.conn.poll():
            try:
                return worker.conn.recv()
            except (EOFError, OSError):
                pass
        worker.process.join(timeout=1)
        return ("lost", f"the engine process died (exit code {worker.process.exitcode})")

    def _timeout_s(self, job: Utterance) -> float:
        extra_s, per_char_s = ENGINE_TIMEOUT_S[job.voice.engine]
        return self._base_timeout_s + extra_s + per_char_s * len(job.text)


def _serve(conn: Connection, task: Callable[[Utterance], object]) -> None:
    """A worker's life: run *task* on each utterance received, until told to stop (None)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it kills us
    sys.stdout.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # pyttsx3 and the C library print to stdout, which is the user's terminal
    os.close(devnull)
    while True:
        try:
            utterance = conn.recv()
        except (EOFError, OSError):  # the parent has gone (killed, or its pipe reset)
            return
        if utterance is None:
            return
        try:
            outcome: tuple = ("done", task(utterance))
        except SynthesisError as error:
            outcome = ("failed", str(error))
        except Exception as error:
            outcome = ("error", error, traceback.format_exc())
        try:
            conn.send(outcome)
        except OSError:  # the parent has gone
            return
        except Exception as error:  # a result or exception that cannot be pickled
            failure = RuntimeError(f"engine worker could not reply: {error!r}")
            with contextlib.suppress(OSError):
                conn.send(("error", failure, traceback.format_exc()))


def _start_of(text: str) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= 40 else flat[:40] + "…")
