# SPDX-License-Identifier: EUPL-1.2
"""Disclosure control: small-cell suppression that cannot be undone by subtraction.

The runner makes one call, once, in the publish step::

    rules = load_rules(settings_path)           # catalogue defaults + the municipality's file
    result = protect(merged.observations, merged.areas, rules)
    observations = result.observations          # + column reason_en
    result.report.summary()                     # into the run log

See ``docs/disclosure-control.md`` for the rules in plain language and what the audit
guarantees, and the modules for the details: ``rules`` (what applies to which indicator),
``table`` (cells and sums), ``secondary`` (complementary suppression), ``audit`` (ranges by
closed form and linear programming), ``protect`` (the whole step), ``report``.
"""

from etl.disclosure.errors import DisclosureError, DisclosureInputError, DisclosureRulesError
from etl.disclosure.protection import (
    REASON_EN,
    ProtectionResult,
    audit_publication,
    protect,
    round_counts,
)
from etl.disclosure.reasons import Code
from etl.disclosure.report import AuditReport, CellFailure, IndicatorAudit
from etl.disclosure.rules import (
    Breakdown,
    DisclosureRules,
    IndicatorRule,
    Rounding,
    load_rules,
    merge_mappings,
    with_rule,
)

__all__ = [
    "REASON_EN",
    "AuditReport",
    "Breakdown",
    "CellFailure",
    "Code",
    "DisclosureError",
    "DisclosureInputError",
    "DisclosureRules",
    "DisclosureRulesError",
    "IndicatorAudit",
    "IndicatorRule",
    "ProtectionResult",
    "Rounding",
    "audit_publication",
    "load_rules",
    "merge_mappings",
    "protect",
    "round_counts",
    "with_rule",
]
