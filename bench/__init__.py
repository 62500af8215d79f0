# SPDX-License-Identifier: EUPL-1.2
"""Performance benchmarks of Buurtlens: ``python -m bench`` (or ``make bench``).

Benchmarks are measured, not asserted: they print their figures for people and write them
as JSON under ``bench/out/`` (git-ignored), and they stay out of the pytest suite. A fast
smoke test (``tests/unit/test_bench_smoke.py``) runs each one at a tiny scale so that it
cannot rot.

* :mod:`bench.national_etl`: the nightly ETL on generated national-size source files
  (about 14,000 buurten, 3,300 wijken, 342 gemeenten, 13 years, 100 indicators), with wall
  time per phase and peak memory of the ETL process.
* :mod:`bench.disclosure`: disclosure control (protection + audit) on a synthetic national
  table (14,000 buurten, 3,300 wijken, 342 gemeenten, 50 categories of a registration).
"""
