# SPDX-License-Identifier: EUPL-1.2
"""The disclosure benchmark at a tiny scale, so that it cannot rot (measured, not timed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import disclosure

pytestmark = pytest.mark.unit


def test_tiny_disclosure_benchmark(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    figures = disclosure.run_benchmark(scale=0.005, out=tmp_path)
    assert figures["audit_ok"] is True
    assert figures["areas"] == 2 + 16 + 70  # gemeenten, wijken, buurten at this scale
    assert figures["observations"] == figures["areas"] * (disclosure.N_CATEGORIES + 3)
    assert figures["hidden"] > 0 and figures["narrowest_width"] >= 2
    saved = json.loads((tmp_path / "disclosure.json").read_text(encoding="utf-8"))
    assert saved["hidden"] == figures["hidden"]
    assert "protect_wall_s" in capsys.readouterr().out


def test_the_table_is_deterministic_and_adds_up() -> None:
    a = disclosure.national_table(gemeenten=2, wijken=5, buurten=12, categories=4)
    b = disclosure.national_table(gemeenten=2, wijken=5, buurten=12, categories=4)
    assert a.observations.equals(b.observations)
    obs = a.observations.set_index(["indicator_id", "area_code"])["value"]
    cats = obs[obs.index.get_level_values(0).str.startswith("meldingen_cat")]
    per_area = cats.groupby(level=1).sum()
    assert (per_area == obs.xs("meldingen", level=0).loc[per_area.index]).all()
    gm = a.areas[a.areas["level"] == "gemeente"]["code"]
    buurten = a.areas[a.areas["level"] == "buurt"]["code"]
    total = obs.xs("meldingen", level=0)
    assert total.loc[list(gm)].sum() == total.loc[list(buurten)].sum()
