"""Fixtures for the Outlook tests: the local Graph server (:mod:`tests.servers.graph_api`) and
a msal token cache signed in against it (helpers in :mod:`tests.servers.graph_testing`).

Every test using ``graph`` fails if the server saw a request or gave an answer outside the
Graph v1.0 shapes it encodes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.connector_contract import PRACTITIONER
from tests.servers.graph_api import GraphServer
from tests.servers.graph_testing import signed_in

__all__ = ["graph", "token_cache"]


@pytest.fixture
def graph() -> Iterator[GraphServer]:
    server = GraphServer(account=PRACTITIONER).start()
    try:
        yield server
    finally:
        server.stop()
    assert server.problems == [], "the local Graph server saw calls outside the API"


@pytest.fixture
def token_cache(graph: GraphServer, tmp_path: Path) -> Path:
    return signed_in(graph, tmp_path / "secrets" / "microsoft-token.json")
