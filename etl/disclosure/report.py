# SPDX-License-Identifier: EUPL-1.2
"""The audit report: what was hidden, why, and how well the hidden cells are protected.

:class:`AuditReport` goes into the run log (:meth:`AuditReport.summary`, JSON-ready, and
:meth:`AuditReport.log` as ``key=value`` lines) and feeds the "about the data" page
(:meth:`AuditReport.to_frame`, one row per indicator). The per-cell ranges
(``AuditReport.cells``) are for tests and for the privacy officer's own checks; they are not
meant for publication.
"""

from __future__ import annotations

import logging
import math
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class CellFailure:
    """A hidden cell an outsider can narrow down further than its rule allows."""

    indicator_id: str
    vintage: int
    period: str
    area_code: str
    kind: str  # "primary" or "secondary"
    value: float
    lowest: float
    highest: float
    required_width: float

    def __str__(self) -> str:
        return (
            f"{self.indicator_id} {self.area_code} ({self.vintage}, {self.period}): {self.kind} "
            f"cell can be narrowed to [{self.lowest:g}, {self.highest:g}], width "
            f"{self.highest - self.lowest:g} < required {self.required_width:g}"
        )


@dataclass(frozen=True)
class IndicatorAudit:
    """Per indicator: cells hidden per reason, secondary cells, and the narrowest range.

    ``narrowest_width`` is the smallest range width of a cell hidden as too small (``None``
    when there is none); ``required_width`` what the rule demands. ``narrowest_exact`` says
    whether that width was computed exactly or proven as a lower bound (enough to pass).
    """

    indicator_id: str
    rule: str
    rows: int
    published: int
    hidden: dict[str, int]
    secondary: int
    suppressed_at_source: int
    rounded: int
    narrowest_width: float | None
    narrowest_exact: bool
    required_width: float | None
    narrowest_secondary_width: float | None
    failures: int


@dataclass(frozen=True)
class AuditReport:
    """The result of the disclosure audit of one run; see the module docstring."""

    indicators: tuple[IndicatorAudit, ...]
    failures: tuple[CellFailure, ...]
    rules_source: str
    rules_fingerprint: str
    blocks_with_hidden: int
    components: int
    closed_form: int
    own_bounds: int
    lp_components: int
    lp_solves: int
    largest_lp: int
    repair_rounds: int
    repaired_cells: int
    seconds: float
    seconds_audit: float
    cells: pd.DataFrame = field(repr=False, compare=False, default_factory=pd.DataFrame)

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def hidden_total(self) -> int:
        return sum(sum(i.hidden.values()) for i in self.indicators)

    def to_frame(self) -> pd.DataFrame:
        """One row per indicator: rule, cells published and hidden per reason, narrowest range.

        >>> AuditReport.empty().to_frame().columns[:3].tolist()
        ['rule', 'rows', 'published']
        """
        rows = []
        for ia in self.indicators:
            row = asdict(ia)
            hidden = row.pop("hidden")
            row["hidden_total"] = sum(hidden.values())
            for code, count in sorted(hidden.items()):
                row[f"hidden_{code}"] = count
            rows.append(row)
        if not rows:
            return pd.DataFrame(columns=["rule", "rows", "published"])
        return pd.DataFrame(rows).set_index("indicator_id")

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary for the run log (``log/runs.jsonl``)."""
        narrow = [
            (i.narrowest_width, i.indicator_id)
            for i in self.indicators
            if i.narrowest_width is not None
        ]
        return {
            "ok": self.ok,
            "rules": self.rules_source,
            "rules_fingerprint": self.rules_fingerprint,
            "hidden": self.hidden_total,
            "secondary": sum(i.secondary for i in self.indicators),
            "narrowest_width": min(narrow)[0] if narrow else None,
            "narrowest_indicator": min(narrow)[1] if narrow else None,
            "failures": [str(f) for f in self.failures[:20]],
            "failure_count": len(self.failures),
            "blocks_with_hidden": self.blocks_with_hidden,
            "components": self.components,
            "closed_form": self.closed_form,
            "lp_components": self.lp_components,
            "lp_solves": self.lp_solves,
            "largest_lp": self.largest_lp,
            "repair_rounds": self.repair_rounds,
            "seconds": round(self.seconds, 3),
            "indicators": {
                i.indicator_id: {
                    "rule": i.rule,
                    "published": i.published,
                    "hidden": i.hidden,
                    "secondary": i.secondary,
                    "narrowest_width": i.narrowest_width,
                    "required_width": i.required_width,
                }
                for i in self.indicators
                if i.rule != "cbs" or i.suppressed_at_source
            },
        }

    def log(self, logger: logging.Logger) -> None:
        """Write the summary as ``key=value`` lines: one overall, one per protected indicator."""
        s = self.summary()
        logger.info(
            "event=disclosure_audit ok=%s hidden=%d secondary=%d narrowest_width=%s "
            "blocks=%d components=%d closed_form=%d lp_components=%d lp_solves=%d "
            "repair_rounds=%d failures=%d seconds=%.2f",
            s["ok"], s["hidden"], s["secondary"], s["narrowest_width"],
            self.blocks_with_hidden, self.components, self.closed_form, self.lp_components,
            self.lp_solves, self.repair_rounds, len(self.failures), self.seconds,
        )  # fmt: skip
        for i in self.indicators:
            if i.rule == "cbs" and not i.suppressed_at_source:
                continue
            hidden = " ".join(f"hidden_{k}={v}" for k, v in sorted(i.hidden.items()))
            logger.info(
                "event=disclosure_indicator indicator=%s rule=%s rows=%d published=%d %s "
                "secondary=%d rounded=%d narrowest_width=%s required_width=%s failures=%d",
                i.indicator_id, i.rule, i.rows, i.published, hidden, i.secondary, i.rounded,
                _fmt(i.narrowest_width), _fmt(i.required_width), i.failures,
            )  # fmt: skip
        for f in self.failures[:20]:
            logger.error("event=disclosure_failure %s", f)

    @classmethod
    def empty(cls) -> AuditReport:
        return cls((), (), "", "", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.0, 0.0)


def _fmt(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:g}"
