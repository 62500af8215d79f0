# SPDX-License-Identifier: EUPL-1.2
"""Helpers for the disclosure tests (no tests here): small tables built by hand."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from etl.disclosure import DisclosureRules

GM = "GM0001"


def wijk(i: int) -> str:
    return f"WK0001{i:02d}"


def buurt(w: int, b: int) -> str:
    return f"BU0001{w:02d}{b:02d}"


def areas_for(tree: Mapping[int, int], vintage: int = 2024) -> pd.DataFrame:
    """``{wijk number: number of buurten}`` -> an areas frame (gemeente GM0001)."""
    rows = [(GM, "gemeente", None)]
    for w, nb in tree.items():
        rows.append((wijk(w), "wijk", GM))
        rows += [(buurt(w, b), "buurt", wijk(w)) for b in range(nb)]
    return pd.DataFrame(
        {
            "code": [r[0] for r in rows],
            "vintage": vintage,
            "level": [r[1] for r in rows],
            "name": None,
            "parent_code": [r[2] for r in rows],
            "gemeente_code": GM,
        }
    )


def counts_up(buurt_values: Mapping[str, float]) -> dict[str, float]:
    """Buurt values -> values for every buurt, wijk and the gemeente (exact sums)."""
    out = dict(buurt_values)
    for code, v in buurt_values.items():
        wk = "WK" + code[2:8]
        out[wk] = out.get(wk, 0.0) + v
        out[GM] = out.get(GM, 0.0) + v
    return out


def observations(
    values: Mapping[tuple[str, str], float | None],
    *,
    vintage: int = 2024,
    period: str = "2024",
    status: Mapping[tuple[str, str], str] | None = None,
) -> pd.DataFrame:
    """``{(indicator, area): value}`` -> observations (status ok unless given)."""
    status = status or {}
    rows = []
    for (ind, area), v in values.items():
        st = status.get((ind, area), "ok" if v is not None else "missing")
        rows.append(
            {
                "area_code": area,
                "vintage": vintage,
                "period": period,
                "indicator_id": ind,
                "value": float(v) if v is not None else None,
                "status": st,
                "reason": None if st == "ok" else "geheim volgens CBS (code -99997)",
                "source": "test",
            }
        )
    return pd.DataFrame(rows)


def indicator_values(indicator: str, values: Mapping[str, float]) -> dict[tuple[str, str], float]:
    return {(indicator, area): v for area, v in values.items()}


def rules(
    indicators: Mapping[str, Mapping[str, Any]],
    breakdowns: Mapping[str, Mapping[str, Any]] | None = None,
    **top: Any,
) -> DisclosureRules:
    raw: dict[str, Any] = {"indicators": {k: dict(v) for k, v in indicators.items()}}
    if breakdowns:
        raw["breakdowns"] = {k: dict(v) for k, v in breakdowns.items()}
    raw.update(top)
    return DisclosureRules.from_mapping(raw, where="test rules")


def count_rules(names: Iterable[str], **options: Any) -> dict[str, dict[str, Any]]:
    return {
        n: {"rule": "count", "noun_nl": "meldingen", "noun_en": "reports", **options} for n in names
    }


def by_key(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index(["indicator_id", "area_code"]).sort_index()
