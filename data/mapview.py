# SPDX-License-Identifier: EUPL-1.2
"""What a map link means: resolving URL parameters into a view, and computing its content.

A map view is fully described by its URL query (``indicator``, ``jaar``, ``niveau``,
``gemeente``, ``klassen``, ``methode``, ``palet``, ``lang``): :func:`resolve_view` checks each
value against the warehouse and fills in defaults, raising :class:`ViewError` with a message
for people when the link names something that does not exist; :func:`map_content` computes
the figures, classes and texts. Used by ``/kaart`` and ``/embed/kaart``; Dash-free.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar
from urllib.parse import urlencode

import pandas as pd

from data import queries, shaping
from data.classify import (
    DEFAULT_CLASSES,
    DEFAULT_METHOD,
    PALETTES,
    ClassificationError,
    Method,
    check_classes,
    check_method,
    check_palette,
    default_palette,
)
from data.i18n import Lang, t
from data.queries import GeometryInfo, IndicatorMeta, InvalidParameter, Level, NotFound
from data.settings import get_settings
from data.warehouse import Cursor, get_warehouse

logger = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_LEVEL: Final[Level] = "wijk"
#: Query value meaning "every gemeente" (also the geometry route's path segment).
ALL_GEMEENTEN: Final = "alle"


class ViewError(Exception):
    """The URL or the controls name no existing view; the message is for the user."""


class _VersionMemo:
    """Answers that change only with the data version (the years a level has, the
    gemeenten of a year, an indicator's metadata), kept per process and dropped as soon as
    the warehouse's data version changes, so that a swap never serves stale answers. It
    holds no user data and stays small (levels, years and indicators); a map switch then
    needs no catalogue queries at all."""

    def __init__(self, max_entries: int = 2048) -> None:
        self._version: str | None = None
        self._values: dict[tuple[object, ...], object] = {}
        self._max_entries = max_entries
        self._lock = threading.Lock()

    def get(self, key: tuple[object, ...], compute: Callable[[], T]) -> T:
        version = queries.data_version()
        with self._lock:
            if version != self._version:
                self._values.clear()
                self._version = version
            if key in self._values:
                return self._values[key]  # type: ignore[return-value]
        value = compute()  # exceptions (unknown id, ...) are not remembered
        with self._lock:
            if self._version == version and len(self._values) < self._max_entries:
                self._values[key] = value
        return value


_memo = _VersionMemo()


def _vintages(level: Level) -> tuple[int, ...]:
    return _memo.get(("vintages", level), lambda: tuple(queries.vintages(level)))


def _gemeenten(vintage: int) -> tuple[tuple[str, str], ...]:
    def compute() -> tuple[tuple[str, str], ...]:
        frame = queries.gemeenten(vintage).frame
        return tuple((str(c), str(n)) for c, n in zip(frame["code"], frame["name"], strict=True))

    return _memo.get(("gemeenten", vintage), compute)


def _indicator_meta(indicator_id: str) -> IndicatorMeta:
    return _memo.get(("indicator", indicator_id), lambda: queries.indicator(indicator_id))


def definition(indicator_id: str, lang: Lang) -> str:
    """An indicator's definition in ``lang`` (Dutch when there is no English one)."""

    def compute() -> dict[str, tuple[str, str]]:
        frame = queries.list_indicators().frame
        return {
            str(i): (str(nl), str(en) if isinstance(en, str) and en else str(nl))
            for i, nl, en in zip(
                frame["id"], frame["definition_nl"], frame["definition_en"], strict=True
            )
        }

    definitions = _memo.get(("definitions",), compute)
    nl, en = definitions.get(indicator_id, ("", ""))
    return en if lang == "en" else nl


def is_total(indicator_id: str) -> bool:
    """Whether the indicator adds up over areas (a count): then the gemeente's figure is a
    total, no yardstick for its areas, and ``stdev`` classes centre on the areas' mean."""

    def compute() -> frozenset[str]:
        with get_warehouse().cursor() as cur:
            rows = cur.rows("SELECT id FROM indicators WHERE aggregation = 'sum'")
        return frozenset(str(r[0]) for r in rows)

    return indicator_id in _memo.get(("totals",), compute)


@dataclass(frozen=True, slots=True)
class View:
    """One fully resolved map view: what the URL means, with its defaults filled in."""

    indicator: IndicatorMeta
    vintage: int
    level: Level
    gemeente: str | None  # None: every gemeente
    place: str
    vintages: tuple[int, ...]
    gemeenten: tuple[tuple[str, str], ...]  # (code, name) of the vintage's gemeenten
    method: Method = DEFAULT_METHOD
    classes: int = DEFAULT_CLASSES
    palette: str = "ylgnbu"
    lang: Lang = "nl"

    def query(self) -> dict[str, str | int]:
        """The URL query that reproduces this view (defaults of the classification left out,
        so that links stay short)."""
        params: dict[str, str | int] = {
            "indicator": self.indicator.id,
            "jaar": self.vintage,
            "niveau": self.level,
        }
        if self.level != "gemeente":
            params["gemeente"] = self.gemeente or ALL_GEMEENTEN
        if self.method != DEFAULT_METHOD:
            params["methode"] = self.method
        if self.classes != DEFAULT_CLASSES:
            params["klassen"] = self.classes
        if self.palette != default_palette(self.method):
            params["palet"] = self.palette
        if self.lang != "nl":
            params["lang"] = self.lang
        return params

    def query_string(self) -> str:
        """``?indicator=...&jaar=...``: the search part of this view's URL."""
        return "?" + urlencode(self.query())

    @property
    def label(self) -> str:
        return self.indicator.label_en if self.lang == "en" else self.indicator.label_nl

    @property
    def value_label(self) -> str:
        """The indicator with its unit, e.g. ``Bevolkingsdichtheid (inwoners per km² land)``:
        the legend's title and the hover's label, so that figures can go without unit."""
        unit = self.indicator.unit
        if unit in ("", "aantal", "count") or f"({unit})" in self.label:
            return self.label
        return f"{self.label} ({unit})"


@dataclass(frozen=True, slots=True)
class MapContent:
    """Everything shown for a view, computed from the warehouse."""

    view: View
    frame: pd.DataFrame
    data: shaping.ChoroplethData
    geometry: GeometryInfo
    reference: shaping.Reference | None
    title: str
    summary: str
    period: str | None

    def table_meta(self, profile_path: str) -> dict[str, Any]:
        """What the browser needs to draw the legend and the table alternative and to open
        a profile (``profile_path`` is the profile URL with ``{code}`` for the area)."""
        view, lang = self.view, self.view.lang
        unit = view.indicator.unit
        value_header = t(lang, "Waarde", "Value")
        if unit not in ("", "aantal", "count"):
            value_header += f" ({unit})"
        legend = self.data.legend
        return {
            "lang": lang,
            "legend": {
                "title": view.value_label,
                "entries": [[e.colour, e.label, e.count] for e in legend],
                "note": self.data.legend_note,
                "count": t(lang, "aantal gebieden", "number of areas"),
            },
            "caption": t(
                lang,
                f"{view.label} per {shaping.level_name(view.level, lang)}, {view.place}, "
                f"{view.vintage}",
                f"{view.label} by {shaping.level_name(view.level, lang)}, {view.place}, "
                f"{view.vintage}",
            ),
            "headers": [
                shaping.level_name(view.level, lang).capitalize(),
                value_header,
                t(lang, "Rang", "Rank"),
                t(lang, "Toelichting", "Note"),
            ],
            "href": profile_path,
        }


def resolve_view(
    indicator: object = None,
    jaar: object = None,
    niveau: object = None,
    gemeente: object = None,
    *,
    methode: object = None,
    klassen: object = None,
    palet: object = None,
    lang: Lang = "nl",
) -> View:
    """Validate URL or control values and fill in defaults; :class:`ViewError` otherwise."""
    named = {
        "indicator": indicator,
        "jaar": jaar,
        "niveau": niveau,
        "gemeente": gemeente,
        "methode": methode,
        "klassen": klassen,
        "palet": palet,
    }
    for name, value in named.items():
        if isinstance(value, list):
            raise ViewError(
                t(lang, f"De link noemt ‘{name}’ meer dan eens.", f"The link names ‘{name}’ twice.")
            )

    try:
        level = queries.check_level(niveau or DEFAULT_LEVEL)
    except InvalidParameter as e:
        raise ViewError(
            t(
                lang,
                f"Het niveau ‘{niveau}’ bestaat niet; kies gemeente, wijk of buurt.",
                f"The level ‘{niveau}’ does not exist; choose gemeente, wijk or buurt.",
            )
        ) from e

    method, classes, palette = _classification(methode, klassen, palet, lang)
    meta = _indicator(indicator, lang)

    years = _vintages(level)
    if not years:
        raise ViewError(
            t(lang, f"Er zijn nog geen cijfers per {level}.", f"No figures per {level} yet.")
        )
    if jaar in (None, ""):
        vintage = years[0]
    else:
        try:
            vintage = queries.check_vintage(jaar)
        except InvalidParameter as e:
            raise ViewError(
                t(lang, f"‘{jaar}’ is geen jaartal.", f"‘{jaar}’ is not a year.")
            ) from e
        if vintage not in years:
            available = ", ".join(str(y) for y in years)
            plural = shaping.level_name(level, lang, plural=True)
            raise ViewError(
                t(
                    lang,
                    f"Voor {vintage} zijn er geen {plural}. Beschikbare jaren: {available}.",
                    f"There are no {plural} for {vintage}. Years available: {available}.",
                )
            )

    gemeenten = _gemeenten(vintage)
    names = dict(gemeenten)
    if level == "gemeente" or gemeente == ALL_GEMEENTEN:
        code: str | None = None
    elif gemeente in (None, ""):
        code = gemeenten[0][0] if gemeenten else None
    elif gemeente in names:
        code = str(gemeente)
    else:
        raise ViewError(
            t(
                lang,
                f"De gemeente ‘{gemeente}’ bestaat niet in {vintage}.",
                f"The municipality ‘{gemeente}’ does not exist in {vintage}.",
            )
        )
    place = names[code] if code else t(lang, "alle gemeenten", "all municipalities")
    return View(meta, vintage, level, code, place, years, gemeenten, method, classes, palette, lang)


def _classification(
    methode: object, klassen: object, palet: object, lang: Lang
) -> tuple[Method, int, str]:
    try:
        method = DEFAULT_METHOD if methode in (None, "") else check_method(methode)
    except ClassificationError as e:
        raise ViewError(
            t(
                lang,
                f"De indeling ‘{methode}’ bestaat niet; kies kwantielen, intervallen, "
                "natuurlijk of stdev.",
                f"The classification ‘{methode}’ does not exist; choose kwantielen, "
                "intervallen, natuurlijk or stdev.",
            )
        ) from e
    try:
        classes = DEFAULT_CLASSES if klassen in (None, "") else check_classes(klassen)
    except ClassificationError as e:
        raise ViewError(
            t(
                lang,
                f"‘{klassen}’ klassen kan niet; kies 3 tot en met 7.",
                f"‘{klassen}’ classes is not possible; choose 3 to 7.",
            )
        ) from e
    try:
        palette = default_palette(method) if palet in (None, "") else check_palette(palet).id
    except ClassificationError as e:
        raise ViewError(
            t(
                lang,
                f"Het kleurenpalet ‘{palet}’ kennen we niet; kies uit {', '.join(PALETTES)}.",
                f"We do not know the palette ‘{palet}’; choose from {', '.join(PALETTES)}.",
            )
        ) from e
    return method, classes, palette


def _indicator(indicator: object, lang: Lang) -> IndicatorMeta:
    if indicator not in (None, ""):
        try:
            return _indicator_meta(queries.check_indicator_id(indicator))
        except (InvalidParameter, NotFound) as e:
            raise ViewError(
                t(
                    lang,
                    f"De indicator ‘{indicator}’ kennen we niet.",
                    f"We do not know the indicator ‘{indicator}’.",
                )
            ) from e
    try:
        return _indicator_meta(get_settings().default_indicator)
    except NotFound:
        catalogue = queries.list_indicators().frame
        if catalogue.empty:
            raise ViewError(
                t(lang, "Er zijn nog geen indicatoren.", "No indicators yet.")
            ) from None
        return queries.indicator(str(catalogue["id"].iloc[0]))


def map_content(view: View) -> MapContent:
    """Values, classes, texts and geometry reference for ``view``."""
    ind, lang = view.indicator, view.lang
    # One cursor: the figures, and the gemeente's own, come from one data version.
    with get_warehouse().cursor() as cur:
        frame = queries.values(ind.id, view.level, view.vintage, view.gemeente, cursor=cur).frame
        period = (
            None
            if frame.empty or pd.isna(frame["period"].iloc[0])
            else str(frame["period"].iloc[0])
        )
        reference = gemeente_reference(view, period, cursor=cur)
    geometry = _memo.get(
        ("geometry", view.vintage, view.level, view.gemeente),
        lambda: queries.geometry_info(view.vintage, view.level, view.gemeente),
    )
    data = shaping.choropleth_data(
        frame,
        decimals=ind.decimals,
        unit=ind.unit,
        method=view.method,
        k=view.classes,
        palette=view.palette,
        reference=reference,
        center_on_reference=not is_total(ind.id),
        value_label=view.value_label,
        lang=lang,
    )
    level = shaping.level_name(view.level, lang)
    title = t(
        lang,
        f"{view.label} per {level} – {view.place}, {view.vintage}",
        f"{view.label} by {level} – {view.place}, {view.vintage}",
    )
    summary = shaping.summary_text(
        frame,
        label=view.label,
        level=view.level,
        place=view.place,
        year=view.vintage,
        decimals=ind.decimals,
        unit=ind.unit,
        reference=reference,
        lang=lang,
    )
    return MapContent(view, frame, data, geometry, reference, title, summary, period)


def gemeente_reference(
    view: View, period: str | None, *, cursor: Cursor | None = None
) -> shaping.Reference | None:
    """The gemeente's own figure for the same indicator and period: what hovers, texts and
    ``stdev`` classes compare with. None on the gemeente level and for all gemeenten.

    One lookup by key (the view is already validated), as it runs on every map switch."""
    if view.gemeente is None or view.level == "gemeente" or period is None:
        return None
    ind = view.indicator
    sql: Final = (
        "SELECT value, status, reason FROM observations "
        "WHERE vintage = ? AND area_code = ? AND indicator_id = ? AND period = ?"
    )
    params = [view.vintage, view.gemeente, ind.id, period]
    if cursor is not None:
        rows = cursor.rows(sql, params)
    else:
        with get_warehouse().cursor() as cur:
            rows = cur.rows(sql, params)
    if not rows:
        return None
    value, status, reason = rows[0]
    if status == "ok" and value is not None:
        number = float(value)  # type: ignore[arg-type]
        text = shaping.format_value(number, decimals=ind.decimals, unit=ind.unit, lang=view.lang)
        return shaping.Reference(view.place, number, text)
    why = None if reason is None else str(reason)
    return shaping.Reference(view.place, None, shaping.no_figure_text(str(status), why, view.lang))
