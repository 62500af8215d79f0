# SPDX-License-Identifier: EUPL-1.2
"""Buurtlens' Dash-free data layer.

Everything the pages and the open data API need from the warehouse goes through here:

- :mod:`data.settings`: the typed configuration, read once from the environment;
- :mod:`data.warehouse`: the only code that opens DuckDB (read-only, lazily per worker
  process, reopened when the ETL swaps in a new file);
- :mod:`data.queries`: parameterised queries returning DataFrames tagged with the data
  version they came from;
- :mod:`data.shaping`: pure functions for classification, number formatting and the
  arrays a choropleth needs.

This package must never import Dash (a unit test checks it), so that all of it can be
tested, and reused by the API and command-line tools, without a web server. Submodules are
not imported here: ``import data`` stays cheap.
"""
