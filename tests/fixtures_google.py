"""Fixtures for the Gmail and Google Calendar tests: the local Google API server
(:mod:`tests.servers.google_api`) and a stored sign-in pointing at its token endpoint
(helpers in :mod:`tests.servers.google_testing`).

Every test using ``google`` fails if the server saw a request or gave a response outside the
discovery documents' schemas (a test that provokes one on purpose empties ``problems``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.connector_contract import PRACTITIONER
from tests.servers.google_api import GoogleApiServer
from tests.servers.google_testing import signed_in

__all__ = ["google", "token_file"]


@pytest.fixture
def google() -> Iterator[GoogleApiServer]:
    server = GoogleApiServer(account=PRACTITIONER).start()
    try:
        yield server
    finally:
        server.stop()
    assert server.problems == [], "the local Google API server saw calls outside the API"


@pytest.fixture
def token_file(google: GoogleApiServer, tmp_path: Path) -> Path:
    return signed_in(google, tmp_path / "secrets" / "google-token.json")
