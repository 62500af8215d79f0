# SPDX-License-Identifier: EUPL-1.2
"""``python -m bench [--only NAME] [--scale S] [--out DIR] [--regenerate]``: run the benchmarks.

``--scale 0.1`` shrinks the generated data (areas, not years or indicators) for a quick
run; the targets only mean something at ``--scale 1`` (the default). Exit status 0 when
every benchmark ran (whether or not it met its target: benchmarks measure, they do not
assert), 1 when one failed to run.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from bench import api, bag, disclosure, map_switch, national_etl

#: name -> function(scale, out, regenerate) returning the figures it also printed.
BENCHMARKS: Final[dict[str, Callable[..., dict[str, Any]]]] = {
    national_etl.NAME: national_etl.run_benchmark,
    bag.NAME: bag.run_benchmark,
    api.NAME: api.run_benchmark,
    map_switch.NAME: map_switch.run_benchmark,
    disclosure.NAME: disclosure.run_benchmark,
}

DEFAULT_OUT: Final = Path(__file__).resolve().parent / "out"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    p.add_argument(
        "--only",
        choices=sorted(BENCHMARKS),
        metavar="NAME",
        help=f"run one benchmark: {', '.join(sorted(BENCHMARKS))}",
    )
    p.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="size of the generated data relative to the national one (default 1)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="work directory for generated files and results (default bench/out)",
    )
    p.add_argument(
        "--regenerate",
        action="store_true",
        help="write the source files again even when a matching set exists",
    )
    p.add_argument("--log-level", default="WARNING", help="of the benchmark itself, not the ETL")
    return p  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmarks; return the exit status."""
    args = _parser().parse_args(argv)
    if not 0 < args.scale <= 1:
        print(f"--scale must be in (0, 1], got {args.scale}", file=sys.stderr)
        return 2
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s %(message)s")
    names = [args.only] if args.only else sorted(BENCHMARKS)
    failed = []
    for name in names:
        try:
            BENCHMARKS[name](scale=args.scale, out=args.out, regenerate=args.regenerate)
        except (
            national_etl.BenchmarkError,
            bag.BenchmarkError,
            api.BenchmarkError,
            map_switch.BenchmarkError,
            disclosure.BenchmarkError,
        ) as e:
            print(f"benchmark {name} failed: {e}", file=sys.stderr)
            failed.append(name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
