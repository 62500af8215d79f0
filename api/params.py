# SPDX-License-Identifier: EUPL-1.2
"""Query parameters of the open data API: strict, and every error names the parameter.

A request may only carry the parameters its endpoint knows, each at most once; anything
else is a :class:`ParamError` (HTTP 400) that names the parameter, so that a typo such as
``jaar=2024`` is reported instead of silently ignored. Values are checked against the same
rules as :mod:`data.queries` before any query runs.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from werkzeug.datastructures import MultiDict

from data import api_queries, queries
from data.queries import InvalidParameter, Level

Format = Literal["json", "csv", "xlsx"]

#: Longest accepted query string (bytes); gunicorn refuses request lines above 8 KB itself.
MAX_QUERY_STRING: Final = 4096
#: Most years (``year=2015,2016,...``) and area codes (``area=...``) in one request.
MAX_YEARS: Final = 50
MAX_AREAS: Final = 200
#: Longest value echoed back in an error message.
_ECHO_CHARS: Final = 40
_YEAR_RE: Final = re.compile(r"^[0-9]{4}\Z")
_THEME_RE: Final = re.compile(r"^[^\x00-\x1f\x7f]{1,64}\Z")
_TRUE: Final = frozenset({"1", "true", "ja", "yes"})
_FALSE: Final = frozenset({"0", "false", "nee", "no"})


class ParamError(ValueError):
    """A bad request: ``parameter`` is the name of the offending query parameter."""

    def __init__(self, parameter: str | None, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message
        self.status = status


def echo(value: str) -> str:
    """A user-supplied value, shortened and quoted, for an error message.

    >>> echo("x" * 50)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…'"
    """
    text = value if len(value) <= _ECHO_CHARS else value[:_ECHO_CHARS] + "…"
    return repr(text)


def check_names(args: MultiDict[str, str], allowed: Collection[str], query_string: bytes) -> None:
    """Unknown, repeated and oversized parameters are errors."""
    if len(query_string) > MAX_QUERY_STRING:
        raise ParamError(None, f"de query string is langer dan {MAX_QUERY_STRING} bytes")
    for name in args:
        if name not in allowed:
            known = ", ".join(sorted(allowed)) or "geen"
            raise ParamError(
                name[:_ECHO_CHARS],
                f"onbekende parameter {echo(name)}; deze URL kent: {known}",
            )
        if len(args.getlist(name)) > 1:
            hint = " (meerdere jaren: year=2015,2024)" if name == "year" else ""
            raise ParamError(name, f"parameter {name!r} komt meer dan eens voor{hint}")


def _get(args: Mapping[str, str], name: str, *, required: bool) -> str | None:
    """A parameter's value. An empty value is an error rather than "absent": the
    OpenAPI document promises exactly that, and a link with ``gemeente=`` is more likely a
    bug in the link than a request for all gemeenten."""
    value = args.get(name)
    if value is None:
        if required:
            raise ParamError(name, f"parameter {name!r} is verplicht")
        return None
    if value == "":
        raise ParamError(name, f"parameter {name!r} is leeg; geef een waarde of laat hem weg")
    return value


def level(args: Mapping[str, str]) -> Level:
    """``level``: gemeente, wijk or buurt (required)."""
    value = _get(args, "level", required=True)
    try:
        return queries.check_level(value)
    except InvalidParameter as e:
        raise ParamError(
            "level", f"level {echo(str(value))} is geen niveau; kies {', '.join(queries.LEVELS)}"
        ) from e


def year(args: Mapping[str, str]) -> int:
    """``year``: one year (area division), four digits (required)."""
    value = _get(args, "year", required=True)
    return _one_year(str(value))


def _one_year(value: str) -> int:
    if not _YEAR_RE.match(value):
        raise ParamError("year", f"year {echo(value)} is geen jaar (vier cijfers, bijv. 2024)")
    try:
        return queries.check_vintage(value)
    except InvalidParameter as e:
        raise ParamError("year", f"year {echo(value)} is geen jaar") from e


def years(args: Mapping[str, str]) -> list[int] | None:
    """``year``: one year, a comma-separated list, or ``all`` (``None``) (required)."""
    value = str(_get(args, "year", required=True))
    if value.lower() == "all":
        return None
    parts = value.split(",")
    if len(parts) > MAX_YEARS:
        raise ParamError("year", f"year noemt meer dan {MAX_YEARS} jaren; gebruik year=all")
    return sorted({_one_year(p.strip()) for p in parts})


def gemeente(args: Mapping[str, str]) -> str | None:
    """``gemeente``: a gemeente code like GM0392 (optional)."""
    value = _get(args, "gemeente", required=False)
    if value is None:
        return None
    try:
        return queries.check_gemeente(value)
    except InvalidParameter as e:
        raise ParamError(
            "gemeente", f"gemeente {echo(value)} is geen gemeentecode zoals GM0392"
        ) from e


def indicator(args: Mapping[str, str]) -> str:
    """``indicator``: an indicator id like ``inwoners`` (required)."""
    value = str(_get(args, "indicator", required=True))
    return indicator_id(value, parameter="indicator")


def indicator_id(value: str, *, parameter: str = "indicator") -> str:
    """An indicator id in snake_case, else :class:`ParamError`."""
    try:
        return queries.check_indicator_id(value)
    except InvalidParameter as e:
        raise ParamError(
            parameter, f"{parameter} {echo(value)} is geen indicator-id (zoals inwoners)"
        ) from e


def period(args: Mapping[str, str], chosen_years: Sequence[int] | None) -> str | None:
    """``period``: a period within a single year (optional; default the latest)."""
    value = _get(args, "period", required=False)
    if value is None:
        return None
    try:
        api_queries.check_period(value)
    except InvalidParameter as e:
        raise ParamError("period", f"period {echo(value)} is geen periode (zoals 2024)") from e
    if chosen_years is None or len(chosen_years) != 1:
        raise ParamError("period", "period kan alleen samen met één jaar (year=2024)")
    return value


def areas(args: Mapping[str, str], lvl: Level) -> list[str] | None:
    """``area``: comma-separated area codes of ``level`` (optional)."""
    value = _get(args, "area", required=False)
    if value is None:
        return None
    parts = [p.strip() for p in value.split(",")]
    if len(parts) > MAX_AREAS:
        raise ParamError("area", f"area noemt meer dan {MAX_AREAS} gebieden")
    out = []
    for part in parts:
        try:
            out.append(api_queries.check_area_code(part, lvl))
        except InvalidParameter as e:
            raise ParamError("area", f"area {echo(part)} is geen {lvl}code (level={lvl})") from e
    return sorted(set(out))


def output_format(args: Mapping[str, str], allowed: Sequence[Format]) -> Format:
    """``format``: one of ``allowed`` (default json)."""
    value = _get(args, "format", required=False)
    if value is None:
        return "json"
    for known in allowed:
        if value.lower() == known:
            return known
    raise ParamError("format", f"format {echo(value)} is niet {' of '.join(allowed)}")


def flag(args: Mapping[str, str], name: str) -> bool:
    """A yes/no parameter (``1``/``0``, ``true``/``false``); absent is no."""
    value = _get(args, name, required=False)
    if value is None:
        return False
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ParamError(name, f"{name} {echo(value)} is geen ja/nee-waarde (1 of 0)")


def lang(args: Mapping[str, str]) -> Literal["nl", "en"]:
    """``lang``: nl (default) or en, for labels and definitions."""
    value = _get(args, "lang", required=False)
    if value is None or value.lower() == "nl":
        return "nl"
    if value.lower() == "en":
        return "en"
    raise ParamError("lang", f"lang {echo(value)} is niet nl of en")


def theme(args: Mapping[str, str]) -> str | None:
    """``theme``: a theme name such as ``Bevolking`` (optional)."""
    value = _get(args, "theme", required=False)
    if value is None:
        return None
    if not _THEME_RE.match(value):
        raise ParamError("theme", f"theme {echo(value)} is geen thema")
    return value


@dataclass(frozen=True, slots=True)
class ValuesQuery:
    """The parsed parameters of ``/api/v1/values``."""

    indicator: str
    level: Level
    years: list[int] | None
    gemeente: str | None
    period: str | None
    areas: list[str] | None
    format: Format
    envelope: bool


def values_query(args: Mapping[str, str]) -> ValuesQuery:
    """Parse and check every parameter of ``values`` (in a fixed order, so that the first
    error reported does not depend on the order in the URL)."""
    ind = indicator(args)
    lvl = level(args)
    chosen = years(args)
    fmt = output_format(args, ("json", "csv", "xlsx"))
    envelope = flag(args, "envelope")
    if envelope and fmt != "json":
        raise ParamError("envelope", "envelope kan alleen met format=json")
    return ValuesQuery(
        indicator=ind,
        level=lvl,
        years=chosen,
        gemeente=gemeente(args),
        period=period(args, chosen),
        areas=areas(args, lvl),
        format=fmt,
        envelope=envelope,
    )
