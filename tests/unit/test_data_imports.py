# SPDX-License-Identifier: EUPL-1.2
"""The data layer stays Dash-free (HOUSE-STYLE 2) and reads nothing at import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]


def test_importing_data_does_not_import_dash(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "import data, data.settings, data.warehouse, data.queries, data.shaping\n"
        "import data.classify, data.mapview, data.about, data.i18n\n"
        "bad = sorted(m for m in sys.modules if m == 'dash' or m.startswith(('dash.', 'flask')))\n"
        "assert not bad, bad\n"
        "assert data.warehouse._default is None, 'a warehouse was opened at import'\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)}
    # No BUURTLENS_DATA_DIR: importing must not need the settings either.
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
