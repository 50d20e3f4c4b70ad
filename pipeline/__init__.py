"""audiobook: offline multi-voice text-to-speech audiobooks.

A build is five stages, each a module of plain functions over the value types in ``model``:
ingest (``ingest``) → segment (``structure``, ``quotes``, ``attribution``, ``segmenter``, ``cast``)
→ synthesize (``speech``, ``engine``, ``synthesis``) → encode (``chunks``, ``render``)
→ assemble (``assembler``, ``tags``).
``build.build_story`` runs them in that order; ``cli`` is the command line.
"""


def __getattr__(name: str) -> str:
    # Looked up on demand: importing importlib.metadata costs more than a no-change rebuild's work.
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("audiobook")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0"
