"""``python -m bot.cli``: the same as the ``chief`` command."""

from bot.cli.app import main

main()
