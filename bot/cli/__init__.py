"""The ``chief`` command line: one click group (``app``) and the commands that need more than a
few lines (``demo``, ``doctor``, ``init_config``, ``classify_files``, ``reports``).

The top of the import graph: may import any package of ``bot``; nothing imports it.
"""

from bot.cli.app import main

__all__ = ["main"]
