# SPDX-License-Identifier: EUPL-1.2
"""Buurtlens ETL: CBS, PDOK, BAG and municipal sources into a published DuckDB warehouse."""

from typing import Final

#: Part of every run's input fingerprint: a new ETL version rebuilds even unchanged inputs.
ETL_VERSION: Final = "0.1.0"
