"""audiobook: offline multi-voice text-to-speech audiobooks.

A build is four stages, each a module of plain functions over the value types in ``model``:
ingest (``ingest``) → segment (``structure``, ``quotes``, ``attribution``, ``segmenter``, ``cast``)
→ synthesize (``speech``, ``engine``, ``synthesis``) → assemble (``assembler``, ``tags``).
``build.build_story`` runs them in that order; ``cli`` is the command line.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("audiobook")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
