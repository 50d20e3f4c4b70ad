"""One error family for the whole pipeline.

Every error a user can cause (bad story, bad voices.yaml, unknown voice) or meet (engine or encoder
failure) is an :class:`AudiobookError`; the CLI prints ``str(error)`` as one line and exits non-zero.
Anything else escaping a stage is a bug and keeps its traceback.
"""

from pathlib import Path


class AudiobookError(Exception):
    """Base class: the message is one line a user can act on."""


class StoryError(AudiobookError):
    """The story file is missing, empty, binary or cannot be decoded."""


class ConfigError(AudiobookError):
    """voices.yaml is malformed; the message names file, line and key path."""


class VoiceError(AudiobookError):
    """A voice id the engine does not have; the message lists close matches."""


class SynthesisError(AudiobookError):
    """The speech engine failed on a clip even after retries."""


class ClipFailedError(SynthesisError):
    """Every attempt at one utterance failed; the build names where in the story it is."""

    def __init__(self, message: str, utterance) -> None:
        super().__init__(message)
        self.utterance = utterance  # a model.Utterance (not imported: errors depend on nothing)


class AssemblyError(AudiobookError):
    """Joining, encoding or tagging the MP3 failed."""


def read_input(path: Path, what: str, error: type[AudiobookError]) -> bytes:
    """The bytes of a file the user named, or ``error`` saying in one line why it cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise error(f"{path}: no such {what}") from None
    except IsADirectoryError:
        raise error(f"{path}: is a directory, not a {what}") from None
    except OSError as failure:
        raise error(f"{path}: cannot read: {failure.strerror}") from None


class PublishError(AudiobookError):
    """Writing a sidecar (chapters, transcript, cover) or the feed, or serving them, failed."""
