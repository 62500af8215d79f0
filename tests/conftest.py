# SPDX-License-Identifier: EUPL-1.2
"""Fixtures shared by all test tiers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real public data set: ``$BUURTLENS_SHARED_DATA`` or ``<repo>/../shared/data``.

    A missing folder fails the test loudly: a silently skipped integration tier would
    look green while testing nothing.
    """
    path = Path(os.environ.get("BUURTLENS_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))
    if not (path / "PROVENANCE.md").is_file():
        pytest.fail(f"shared data not found at {path} (set BUURTLENS_SHARED_DATA)")
    return path.resolve()


# The fake CBS/PDOK HTTP server (tests/fakes/): fixtures `cbs_server_session`, `cbs_server`.
from tests.fakes.fixtures import cbs_server, cbs_server_session  # noqa: E402, F401
