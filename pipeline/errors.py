"""One error family for the whole pipeline.

Every error a user can cause (bad story, bad voices.yaml, unknown voice) or meet (engine or encoder
failure) is an :class:`AudiobookError`; the CLI prints ``str(error)`` as one line and exits non-zero.
Anything else escaping a stage is a bug and keeps its traceback.
"""


class AudiobookError(Exception):
    """Base class: the message is one line a user can act on."""

    exit_code = 1


class StoryError(AudiobookError):
    """The story file is missing, empty, binary or cannot be decoded."""


class ConfigError(AudiobookError):
    """voices.yaml is malformed; the message names file, line and key path."""


class VoiceError(AudiobookError):
    """A voice id the engine does not have; the message lists close matches."""


class SynthesisError(AudiobookError):
    """The speech engine failed on a clip even after retries."""


class AssemblyError(AudiobookError):
    """Joining, encoding or tagging the MP3 failed."""
