# SPDX-License-Identifier: EUPL-1.2
"""Buurtlens' open data API under ``/api/v1`` on the app's Flask server.

* :mod:`api.views`: the blueprint and its endpoints (``meta``, ``indicators``, ``areas``,
  ``values``, ``geometry``, ``catalog``, ``openapi.json`` and the API page);
* :mod:`api.params`: strict query parameters, errors that name the parameter;
* :mod:`api.responses`: JSON/CSV encoding, ETags, conditional requests, metadata headers;
* :mod:`api.xlsx`: the Excel download of ``values``;
* :mod:`api.openapi`, :mod:`api.catalog`, :mod:`api.page`: the OpenAPI 3.1 document, the
  DCAT-AP-DONL catalogue and the human-readable page;
* :mod:`api.config`: the API's settings (publisher, public URL, cache size).

Data comes only through :mod:`data.api_queries` (and so :mod:`data.queries`): the API can
publish exactly the figures the pages show, never more. Register it with
:func:`register_api`; nothing is read at import.
"""

from api.views import register_api

__all__ = ["register_api"]
