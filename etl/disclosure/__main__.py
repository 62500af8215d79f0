# SPDX-License-Identifier: EUPL-1.2
"""``python -m etl.disclosure [--rules FILE]``: print the rules that apply, one line per indicator.

For the privacy officer: shows, for the catalogue plus the rules file, which rule applies to
each indicator, its thresholds, rounding and the width the audit demands, and where the rule
comes from (the catalogue or the file). Exit status 2 when the rules file is wrong.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from etl.disclosure.errors import DisclosureRulesError
from etl.disclosure.rules import load_rules


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl.disclosure", description=__doc__)
    parser.add_argument("--rules", type=Path, default=None, help="the rules file (TOML/YAML)")
    parser.add_argument(
        "--all", action="store_true", help="also list indicators with rule cbs or none"
    )
    args = parser.parse_args(argv)
    try:
        rules = load_rules(args.rules)
    except DisclosureRulesError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    table = rules.table()
    if not args.all:
        table = table[~table["rule"].isin(["cbs", "none"])]
    columns = ["indicator", *table.columns]
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for ind_id, row in table.iterrows():
        cells = [str(ind_id)] + ["" if v is None or v != v else str(v) for v in row.tolist()]
        print("| " + " | ".join(cells) + " |")
    for b in rules.breakdowns:
        print(f"\nbreakdown {b.name}: {b.total} = {' + '.join(b.members)}")
    print(f"\nrules: {rules.source}; fingerprint {rules.fingerprint}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
