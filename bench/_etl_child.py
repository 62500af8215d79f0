# SPDX-License-Identifier: EUPL-1.2
"""The process the national ETL benchmark measures: ``python -m etl``, plus bench indicators.

``python -m bench._etl_child --synthetic-indicators N <etl arguments>`` registers the
benchmark's ``N`` synthetic indicators (:func:`bench.national_etl.bench_indicators`) through
the catalogue's extension point and then runs :func:`etl.cli.main` in this same process, so
that the parent's wall time and peak RSS are those of exactly the ETL command.
"""

from __future__ import annotations

import argparse
import sys

from bench.national_etl import bench_indicators
from etl.cli import main as etl_main
from etl.indicators import register


def main(argv: list[str] | None = None) -> int:
    """Register the synthetic indicators, then run the ETL command line; its exit status."""
    parser = argparse.ArgumentParser(prog="python -m bench._etl_child", allow_abbrev=False)
    parser.add_argument("--synthetic-indicators", type=int, required=True)
    args, etl_argv = parser.parse_known_args(argv)
    register(bench_indicators(args.synthetic_indicators))
    return etl_main(etl_argv)


if __name__ == "__main__":
    sys.exit(main())
