"""The ``piper`` engine: a neural Piper voice model, for narrators and characters who should sound human.

Installed with ``pip install .[piper]`` (the piper-tts package, which brings ONNX Runtime). A voice
is a model file (``voice.onnx`` with its ``voice.onnx.json`` beside it) named by ``model:`` in
voices.yaml. Rate is honoured as Piper's length scale (175 words a minute is the model's own pace);
pitch has no equivalent and is not used; volume is applied by mastering like every engine's. Piper
reads plain text only, so emphasis is not marked.

Piper adds random noise to its output by design, so its clips are not bit-reproducible; each is
rendered once and then comes from the cache.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
from pathlib import Path

from .engine import Clip
from .errors import SynthesisError
from .model import Voice

NATURAL_RATE = 175  # words per minute that a length scale of 1.0 stands for
_HASH_BLOCK = 1 << 20


def missing() -> str | None:
    """Why this engine cannot run here, or None."""
    if importlib.util.find_spec("piper") is None:
        return "the piper engine is not installed; install it with: pip install '.[piper]'"
    return None


@functools.cache
def _piper_version() -> str:
    from importlib.metadata import version

    return version("piper-tts")


@functools.cache
def _model_digest(model: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(model, "rb") as file:
        while block := file.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def identity(voice: Voice) -> str:
    """Engine version and the model's content hash: a different model file is a different voice."""
    try:
        stat = Path(voice.model).stat()
    except OSError as error:
        raise SynthesisError(f"cannot read the Piper model {voice.model}: {error.strerror}") from None
    return f"piper-tts {_piper_version()}; model sha256 {_model_digest(voice.model, stat.st_size, stat.st_mtime_ns)}"


class _Piper:
    def __init__(self) -> None:
        self._voices: dict[str, object] = {}

    def speak(self, text: str, voice: Voice, emphasis: tuple[tuple[int, int], ...] = ()) -> Clip:
        from piper import SynthesisConfig

        model = self._load(voice.model)
        settings = SynthesisConfig(length_scale=NATURAL_RATE / voice.rate)
        chunks = list(model.synthesize(text, syn_config=settings))
        frame_rate = chunks[0].sample_rate if chunks else model.config.sample_rate
        return Clip(b"".join(chunk.audio_int16_bytes for chunk in chunks), frame_rate)

    def _load(self, model: str):
        if model not in self._voices:
            from piper import PiperVoice

            try:
                self._voices[model] = PiperVoice.load(model)
            except Exception as error:  # a broken or mismatched model: whatever ONNX Runtime raises
                raise SynthesisError(f"cannot load the Piper model {model}: {error}") from None
        return self._voices[model]


@functools.cache
def speaker() -> _Piper:
    if problem := missing():
        raise SynthesisError(problem)
    return _Piper()
