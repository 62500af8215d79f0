# SPDX-License-Identifier: EUPL-1.2
"""The choropleth map: figure, value-only patch and the cached geometry route.

Geometry goes to the browser once per (vintage, level, gemeente): the trace's ``geojson`` is
the URL of :func:`register_geometry_route`'s endpoint, versioned with the artefact's ETag and
cached by the browser as immutable. Plotly fetches it itself and keeps it per URL, so a
:func:`patch_figure` that changes only values, classes and colours never resends geometry.
"""

from __future__ import annotations

import gzip
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote

import dash
from dash import Dash, Patch
from flask import Response, jsonify, request

from data import queries
from data.queries import GeometryInfo, InvalidParameter, NotFound
from data.shaping import ChoroplethData, center_zoom
from data.warehouse import WarehouseUnavailable

logger = logging.getLogger(__name__)

#: Path segment meaning "every gemeente" in ``/geo/<vintage>/<level>/<gemeente>.geojson``.
ALL_GEMEENTEN: Final = "alle"
GEOJSON_MIMETYPE: Final = "application/geo+json"
#: A versioned URL (``?v=<etag>``) never changes content: cache it for a year.
CACHE_IMMUTABLE: Final = "public, max-age=31536000, immutable"
#: An unversioned URL may change with the next swap: cache, but revalidate (cheap 304).
CACHE_REVALIDATE: Final = "public, no-cache"

#: Map size (px) the server-side view is fitted to: a 320 px wide phone in portrait.
FIT_WIDTH_PX: Final = 290
FIT_HEIGHT_PX: Final = 380

#: Outline of every area; dark enough to separate the lightest class from the background.
_OUTLINE: Final = {"width": 0.7, "color": "#4d4d4d"}


# --- figure ------------------------------------------------------------------------------


def geometry_url(info: GeometryInfo) -> str:
    """The versioned URL of an artefact, relative to the app's URL prefix."""
    gemeente = info.gemeente or ALL_GEMEENTEN
    path = dash.get_relative_path(f"/geo/{info.vintage}/{info.level}/{gemeente}.geojson")
    return f"{path}?v={quote(info.etag, safe='')}"


def geometry_key(info: GeometryInfo) -> str:
    """Identifies the geometry a figure was built on; equal keys allow a value-only patch.

    The key is the level and the artefact's content hash (its ETag): the ETL writes the
    same bytes for the same areas, so another year with unchanged boundaries keeps the
    geometry the browser already has (and the user's pan and zoom)."""
    return f"{info.level}@{info.etag}"


def build_figure(
    data: ChoroplethData,
    *,
    geometry: GeometryInfo,
    meta: dict[str, Any],
    tile_url: str | None = None,
    tile_attribution: str | None = None,
) -> dict[str, Any]:
    """A complete map figure: one ``Choroplethmap`` trace on a blank (offline) style.

    ``meta`` (``layout.meta``) carries what the browser needs besides the trace: the table
    alternative's caption and headers and the profile link of an area (``assets/kaart.js``).
    With ``tile_url`` a raster layer is drawn under the areas, which then become slightly
    transparent.
    """
    trace: dict[str, Any] = {
        "type": "choroplethmap",
        "geojson": geometry_url(geometry),
        "featureidkey": "id",
        "locations": data.locations,
        "z": data.z,
        "text": data.names,
        "customdata": data.customdata,
        "hovertemplate": data.hovertemplate,
        "colorscale": [list(step) for step in data.colorscale],
        "zmin": data.zmin,
        "zmax": data.zmax,
        "showscale": False,
        "marker": {"line": dict(_OUTLINE), "opacity": 0.8 if tile_url else 1.0},
        "name": "",
    }
    layers = []
    if tile_url:
        layers.append(
            {
                "sourcetype": "raster",
                "source": [tile_url],
                "below": "traces",
                "sourceattribution": tile_attribution or "",
            }
        )
    # Plotly's own "fitbounds" does not fit a map trace whose geometry is a URL, so the view
    # is computed here for a phone-sized map (the box then fits any larger one), and
    # assets/kaart.js refits it to the graph's real size in the browser.
    bbox = geometry.bbox
    center, zoom = center_zoom(
        bbox.west, bbox.south, bbox.east, bbox.north, width_px=FIT_WIDTH_PX, height_px=FIT_HEIGHT_PX
    )
    # A plain dict, the JSON Plotly.js reads: building it as plotly.graph_objects validates
    # every property and costs ~10x the rest of a page's layout. The unit tests check its
    # shape against Plotly's schema instead (tests/callbacks/test_kaart_callbacks.py).
    layout: dict[str, Any] = {
        "map": {
            "style": "white-bg",
            "layers": layers,
            "center": center,
            "zoom": zoom,
            "fitbounds": False,
        },
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        # Keeps the user's pan and zoom while only values change; a new geometry resets it.
        "uirevision": geometry_key(geometry),
        "separators": ".," if meta.get("lang") == "en" else ",.",
        "hoverlabel": {"bgcolor": "white", "font": {"size": 14, "color": "#1a1a1a"}},
        "paper_bgcolor": "white",
        "dragmode": "pan",
        "meta": meta,
    }
    return {"data": [trace], "layout": layout}


def patch_figure(
    data: ChoroplethData, *, meta: dict[str, Any], names: bool, locations: bool = False
) -> Patch:
    """Only what changes when the indicator, the period or the classes change on the same
    geometry: classes, hover texts, colours and the table's caption; the area names only
    when ``names`` (another year may name the same code differently) and the area codes
    only when ``locations`` (the same geometry normally lists the same areas). Never
    ``geojson``."""
    patch = Patch()
    trace = patch["data"][0]
    if locations:
        trace["locations"] = data.locations
    trace["z"] = data.z
    trace["customdata"] = data.customdata
    trace["hovertemplate"] = data.hovertemplate
    trace["colorscale"] = [list(step) for step in data.colorscale]
    trace["zmin"] = data.zmin
    trace["zmax"] = data.zmax
    if names:
        trace["text"] = data.names
    patch["layout"]["meta"] = meta
    return patch


# --- geometry route ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Entry:
    etag: str
    data_version: str
    raw: bytes
    gzipped: bytes

    @property
    def size(self) -> int:
        return len(self.raw) + len(self.gzipped)


class _ArtefactCache:
    """Encoded artefacts per (data version, vintage, level, gemeente), least recently used
    first out. Keyed by data version, so a swap can never serve old geometry."""

    def __init__(self, *, max_entries: int = 32, max_bytes: int = 128 * 1024 * 1024) -> None:
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._entries: OrderedDict[tuple[str, int, str, str | None], _Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, vintage: int, level: str, gemeente: str | None) -> _Entry:
        version = queries.data_version()
        key = (version, vintage, level, gemeente)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                return entry
        artefact = queries.geometry_artefact(vintage, level, gemeente)
        raw = artefact.geojson.encode("utf-8")
        entry = _Entry(
            etag=artefact.etag,
            data_version=artefact.data_version,
            raw=raw,
            gzipped=gzip.compress(raw, compresslevel=6, mtime=0),
        )
        with self._lock:
            stored_key = (artefact.data_version, vintage, level, gemeente)
            if stored_key not in self._entries:
                self._entries[stored_key] = entry
                self._bytes += entry.size
            while self._entries and (
                len(self._entries) > self._max_entries or self._bytes > self._max_bytes
            ):
                _, old = self._entries.popitem(last=False)
                self._bytes -= old.size
        return entry


def register_geometry_route(app: Dash) -> None:
    """Serve artefacts at ``<prefix>geo/<vintage>/<level>/<gemeente>.geojson``.

    ``<gemeente>`` is a code (``GM0392``) or ``alle``. Responses carry a strong ETag (the
    artefact's), answer ``If-None-Match`` with 304, are gzipped once and kept in memory, and
    are cacheable for a year when the URL names the current ETag (``?v=``).
    """
    cache = _ArtefactCache()
    prefix = app.config.routes_pathname_prefix

    def geometry(vintage: int, level: str, gemeente: str) -> Response | tuple[Response, int]:
        try:
            gm = None if gemeente == ALL_GEMEENTEN else queries.check_gemeente(gemeente)
            entry = cache.get(vintage, queries.check_level(level), gm)
        except InvalidParameter as e:
            return _json_error(str(e), 404)
        except NotFound as e:
            return _json_error(str(e), 404)
        except WarehouseUnavailable as e:
            logger.error("geometry unavailable reason=%s error=%s", e.reason, e)
            response, status = _json_error("de gegevens zijn tijdelijk niet beschikbaar", 503)
            response.headers["Retry-After"] = "30"
            return response, status

        identity_tag, gzip_tag = entry.etag, f"{entry.etag}-gzip"
        versioned = request.args.get("v") == entry.etag
        headers = {
            "Cache-Control": CACHE_IMMUTABLE if versioned else CACHE_REVALIDATE,
            "Vary": "Accept-Encoding",
            "X-Data-Version": entry.data_version,
        }
        use_gzip = request.accept_encodings["gzip"] > 0
        etag = gzip_tag if use_gzip else identity_tag
        inm = request.if_none_match
        if inm and (inm.star_tag or inm.contains_weak(identity_tag) or inm.contains_weak(gzip_tag)):
            response = Response(status=304, headers=headers)
            response.set_etag(etag)
            return response
        response = Response(entry.gzipped if use_gzip else entry.raw, mimetype=GEOJSON_MIMETYPE)
        response.headers.update(headers)
        if use_gzip:
            # Set here, so that flask-compress leaves the pre-compressed body alone.
            response.headers["Content-Encoding"] = "gzip"
        response.set_etag(etag)
        return response

    app.server.add_url_rule(
        f"{prefix}geo/<int:vintage>/<level>/<gemeente>.geojson",
        endpoint="buurtlens_geometry",
        view_func=geometry,
        methods=["GET"],
    )


def _json_error(message: str, status: int) -> tuple[Response, int]:
    return jsonify({"error": message}), status
