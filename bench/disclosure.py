# SPDX-License-Identifier: EUPL-1.2
"""Benchmark: disclosure control (protection + audit) on a national-size table.

A synthetic Netherlands: 342 gemeenten, 3,300 wijken, 14,000 buurten, and for every area a
registration count (``meldingen``) broken down into 50 categories (skewed, so most buurt x
category cells are small), plus inhabitants (rule ``cbs``) and a rate per 1,000 inhabitants
(rule ``ratio``): about 935,000 observations. Prints wall and CPU time of protection
plus audit, peak memory and the audit summary (the build machine is shared: CPU time is the
steadier figure).

Run: ``python -m bench --only disclosure`` or ``python -m bench.disclosure`` (``--scale 0.1``
for a tenth of the size, ``--rounding`` to round counts to 5 as well).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from etl.disclosure import DisclosureError, DisclosureRules, protect

NAME: Final = "disclosure"
N_GEMEENTEN: Final = 342
N_WIJKEN: Final = 3_300
N_BUURTEN: Final = 14_000
N_CATEGORIES: Final = 50
SEED: Final = 20260101


@dataclass(frozen=True)
class NationalTable:
    observations: pd.DataFrame
    areas: pd.DataFrame
    rules: DisclosureRules


def _spread(total: int, parents: int, rng: np.random.Generator, cap: int) -> np.ndarray:
    """``total`` children over ``parents`` (each at least 1, at most ``cap``), skewed."""
    counts = np.ones(parents, np.int64)
    weights = rng.gamma(1.5, 1.0, parents)
    counts += rng.multinomial(total - parents, weights / weights.sum())
    while (counts > cap).any():
        extra = int((counts - cap).clip(min=0).sum())
        counts = counts.clip(max=cap)
        room = np.flatnonzero(counts < cap)
        counts[rng.choice(room, extra)] += 1
    return counts


def national_table(
    *,
    gemeenten: int = N_GEMEENTEN,
    wijken: int = N_WIJKEN,
    buurten: int = N_BUURTEN,
    categories: int = N_CATEGORIES,
    rounding: bool = False,
    seed: int = SEED,
) -> NationalTable:
    """The synthetic national table (deterministic for a given seed)."""
    rng = np.random.default_rng(seed)
    wk_per_gm = _spread(wijken, gemeenten, rng, cap=99)
    gm_codes = [f"GM{i + 1:04d}" for i in range(gemeenten)]
    wk_codes, wk_parent = [], []
    for gm, k in zip(gm_codes, wk_per_gm, strict=True):
        for j in range(k):
            wk_codes.append(f"WK{gm[2:]}{j:02d}")
            wk_parent.append(gm)
    bu_per_wk = _spread(buurten, len(wk_codes), rng, cap=99)
    bu_codes, bu_parent = [], []
    for wk, k in zip(wk_codes, bu_per_wk, strict=True):
        for j in range(k):
            bu_codes.append(f"BU{wk[2:]}{j:02d}")
            bu_parent.append(wk)
    areas = pd.DataFrame(
        {
            "code": gm_codes + wk_codes + bu_codes,
            "vintage": 2024,
            "level": ["gemeente"] * len(gm_codes)
            + ["wijk"] * len(wk_codes)
            + ["buurt"] * len(bu_codes),
            "name": None,
            "parent_code": [None] * len(gm_codes) + wk_parent + bu_parent,
        }
    )
    areas["gemeente_code"] = "GM" + areas["code"].str[2:6]

    # Buurt inhabitants (many small buurten) and meldingen per category (Zipf-like shares).
    nb = len(bu_codes)
    inhabitants = np.round(rng.lognormal(6.3, 1.2, nb)).astype(np.int64)
    share = 1.0 / np.arange(1, categories + 1) ** 1.1
    share /= share.sum()
    rate = 0.05 * rng.gamma(2.0, 0.5, nb)
    lam = (inhabitants * rate)[:, None] * share[None, :]
    cat_counts = rng.poisson(lam)  # buurten x categories

    wk_of_bu = pd.Index(wk_codes).get_indexer(bu_parent)
    gm_of_wk = pd.Index(gm_codes).get_indexer(wk_parent)

    def up(x: np.ndarray, groups: np.ndarray, size: int) -> np.ndarray:
        out = np.zeros((size, x.shape[1]) if x.ndim == 2 else size, np.int64)
        np.add.at(out, groups, x)
        return out

    wk_counts = up(cat_counts, wk_of_bu, len(wk_codes))
    gm_counts = up(wk_counts, gm_of_wk, len(gm_codes))
    counts = np.vstack([gm_counts, wk_counts, cat_counts])
    inh = np.concatenate(
        [
            up(up(inhabitants, wk_of_bu, len(wk_codes)), gm_of_wk, len(gm_codes)),
            up(inhabitants, wk_of_bu, len(wk_codes)),
            inhabitants,
        ]
    )
    codes = np.array(areas["code"], object)
    cats = [f"meldingen_cat{c + 1:02d}" for c in range(categories)]
    total = counts.sum(axis=1)
    frames = [
        pd.DataFrame(
            {
                "area_code": np.repeat(codes, categories),
                "indicator_id": np.tile(np.array(cats, object), len(codes)),
                "value": counts.reshape(-1).astype(np.float64),
            }
        ),
        pd.DataFrame({"area_code": codes, "indicator_id": "meldingen", "value": total * 1.0}),
        pd.DataFrame({"area_code": codes, "indicator_id": "inwoners", "value": inh * 1.0}),
        pd.DataFrame(
            {
                "area_code": codes,
                "indicator_id": "meldingen_per_1000_inwoners",
                "value": np.round(1000.0 * total / np.maximum(inh, 1), 1),
            }
        ),
    ]
    obs = pd.concat(frames, ignore_index=True)
    obs["vintage"] = 2024
    obs["period"] = "2024"
    obs["status"] = "ok"
    obs["reason"] = None
    obs["source"] = "bench"
    obs = obs[
        ["area_code", "vintage", "period", "indicator_id", "value", "status", "reason", "source"]
    ]
    indicators: dict[str, dict[str, object]] = {
        "meldingen": {"rule": "count", "noun_nl": "meldingen", "noun_en": "reports"},
        "meldingen_per_1000_inwoners": {
            "rule": "ratio",
            "numerator": "meldingen",
            "denominator": "inwoners",
            "denominator_threshold": 50,
        },
    }
    for c in cats:
        indicators[c] = {"rule": "count", "noun_nl": "meldingen", "noun_en": "reports"}
    raw: dict[str, object] = {
        "indicators": indicators,
        "breakdowns": {"meldingen_per_categorie": {"total": "meldingen", "members": cats}},
    }
    if rounding:
        raw["defaults"] = {"rounding_base": 5}
    return NationalTable(obs, areas, DisclosureRules.from_mapping(raw, where="bench"))


class BenchmarkError(RuntimeError):
    """The benchmark could not run (protection raised instead of publishing)."""


def run_benchmark(*, scale: float = 1.0, out: Path, regenerate: bool = False) -> dict[str, Any]:
    """Generate the table at ``scale``, protect and audit it; print and save the figures.

    ``regenerate`` is accepted for the common benchmark interface (the table is generated
    in memory every time). Figures go to ``<out>/disclosure.json``.
    """
    del regenerate
    return _run(scale=scale, rounding=False, out=out)


def _run(*, scale: float, rounding: bool, out: Path | None) -> dict[str, Any]:
    t0 = time.perf_counter()
    table = national_table(
        gemeenten=max(1, round(N_GEMEENTEN * scale)),
        wijken=max(1, round(N_WIJKEN * scale)),
        buurten=max(1, round(N_BUURTEN * scale)),
        rounding=rounding,
    )
    rss_before = _peak_rss_mib()
    t1, c1 = time.perf_counter(), time.process_time()
    try:
        result = protect(table.observations, table.areas, table.rules)
    except DisclosureError as e:
        raise BenchmarkError(f"protection failed: {e}") from e
    t2, c2 = time.perf_counter(), time.process_time()
    report = result.report
    summary = report.summary()
    figures: dict[str, Any] = {
        "scale": scale,
        "rounding": rounding,
        "areas": len(table.areas),
        "observations": len(table.observations),
        "count_cells": int((table.observations["indicator_id"].str.startswith("meldingen")).sum())
        - len(table.areas),
        "generate_s": round(t1 - t0, 2),
        "protect_wall_s": round(t2 - t1, 2),
        "protect_cpu_s": round(c2 - c1, 2),
        "audit_wall_s": round(report.seconds_audit, 2),
        "peak_rss_mib": round(_peak_rss_mib(), 1),
        "peak_rss_before_protect_mib": round(rss_before, 1),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "hidden": report.hidden_total,
        "secondary": summary["secondary"],
        "hidden_share": round(report.hidden_total / max(len(table.observations), 1), 3),
        "blocks_with_hidden": report.blocks_with_hidden,
        "components": report.components,
        "closed_form": report.closed_form,
        "lp_components": report.lp_components,
        "lp_solves": report.lp_solves,
        "largest_lp_variables": report.largest_lp,
        "repair_rounds": report.repair_rounds,
        "narrowest_width": summary["narrowest_width"],
        "audit_ok": report.ok,
    }
    print(f"disclosure: protection + audit of a national-size table (scale {scale:g})")
    for key, value in figures.items():
        print(f"  {key:28s} {value}")
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        path = out / f"{NAME}.json"
        path.write_text(json.dumps(figures, indent=2), encoding="utf-8")
        print(f"figures written to {path}")
    return figures


def _peak_rss_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.disclosure [--scale S] [--rounding] [--out DIR]``."""
    parser = argparse.ArgumentParser(prog="python -m bench.disclosure", description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="relative size (default 1)")
    parser.add_argument("--rounding", action="store_true", help="round counts to base 5")
    parser.add_argument("--out", type=Path, default=None, help="write disclosure.json here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    try:
        _run(scale=args.scale, rounding=args.rounding, out=args.out)
    except BenchmarkError as e:
        print(f"benchmark {NAME} failed: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
