# SPDX-License-Identifier: EUPL-1.2
"""Pytest fixtures for the fake CBS/PDOK server; registered in ``tests/conftest.py``.

``cbs_server_session`` starts one server for the whole test session (building its data
from the shared files takes a moment); ``cbs_server`` hands it to a test with no faults
armed and an empty request log, and clears them again afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.cbs_server import FakeCbsServer


@pytest.fixture(scope="session")
def cbs_server_session(shared_data: Path) -> Iterator[FakeCbsServer]:
    """One running fake server for the session."""
    server = FakeCbsServer(shared_data).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def cbs_server(cbs_server_session: FakeCbsServer) -> Iterator[FakeCbsServer]:
    """The session's fake server, reset: no faults, empty request log."""
    cbs_server_session.reset()
    yield cbs_server_session
    cbs_server_session.reset()
