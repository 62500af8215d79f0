# SPDX-License-Identifier: EUPL-1.2
"""Online sources of a sources file: CBS OData v3/v4 tables and PDOK OGC API collections.

One :class:`~etl.config.SourceSpec` becomes one request series per year (and, for PDOK, per
collection); each gives one :class:`~etl.model.SourceResult`. All HTTP goes through one
:class:`~etl.http.HttpClient` per source with the run's timeout and retry settings.
"""

from __future__ import annotations

import logging

from etl.config import SourceSpec
from etl.http import HttpClient
from etl.model import SourceResult
from etl.settings import EtlSettings
from etl.sources.cbs_odata import read_odata_v3, read_odata_v4
from etl.sources.pdok import read_ogc_features

logger = logging.getLogger(__name__)


def fetch(spec: SourceSpec, settings: EtlSettings) -> list[SourceResult]:
    """Download everything ``spec`` names; raises SourceError naming source and URL."""
    tables: list[str | int] = [spec.table] if spec.table else list(spec.years or [spec.year])
    gemeenten = list(spec.gemeenten) or None
    client = HttpClient.from_settings(settings)
    try:
        if spec.type == "cbs_odata_v3":
            base = spec.base_url or settings.cbs_odata_v3_url
            return [
                read_odata_v3(t, client=client, base_url=base, gemeenten=gemeenten,
                              source=spec.name, year=spec.year)
                for t in tables
            ]  # fmt: skip
        if spec.type == "cbs_odata_v4":
            base = spec.base_url or settings.cbs_odata_v4_url
            return [
                read_odata_v4(t, client=client, base_url=base, gemeenten=gemeenten,
                              source=spec.name, year=spec.year)
                for t in tables
            ]  # fmt: skip
        if spec.type == "pdok_ogc":
            base = spec.base_url or settings.pdok_kwb_url
            return [
                read_ogc_features(base, collection, year=int(year), client=client,
                                  source=spec.name, gemeente=gemeenten)
                for year in tables
                for collection in spec.collections
            ]  # fmt: skip
        raise ValueError(f"not an online source type: {spec.type}")
    finally:
        client.close()
