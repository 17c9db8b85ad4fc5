"""Practice Chief of Staff: the core (config, rules, case log, actions, pipeline, CLI)."""

from __future__ import annotations

__version__ = "0.1.0"
