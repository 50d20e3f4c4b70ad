"""``python -m pipeline`` is the ``audiobook`` command."""

from .cli import main

main()
