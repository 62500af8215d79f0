# SPDX-License-Identifier: EUPL-1.2
"""Sources: what ``--source`` names, as a directory of files or a configuration file.

A configuration file (TOML or YAML) lists sources explicitly, online ones included::

    [settings]                      # optional; overrides BUURTLENS_* environment settings
    keep_versions = 7

    [[sources]]
    name = "kerncijfers"
    type = "cbs_odata_v3"           # or cbs_odata_v4
    years = [2023, 2024]            # or: table = "85984NED"
    gemeenten = ["GM0392"]

    [[sources]]
    name = "grenzen"
    type = "pdok_ogc"
    years = [2024]
    collections = ["gemeenten", "wijken", "buurten"]
    gemeenten = ["GM0392"]

    [[sources]]
    name = "kaart-2015"
    type = "files"
    path = "downloads/kaart2015"    # relative to this file
    year = 2015                     # only when the files do not say it themselves
    crs = "EPSG:28992"              # only when the files do not say it themselves

    [[sources]]
    name = "bag"
    type = "bag"                    # BAG GeoPackage/CSV/GeoJSON/Shapefile, or the PDOK OGC API
    path = "downloads/bag-light.gpkg"
    year = 2025                     # reference year of the extract (the figures' period)
    boundary_year = 2025            # optional: the vintage of the boundaries to locate in

    [[sources]]
    name = "meldingen"
    type = "registrations"          # the municipality's own records; see
    path = "drops/meldingen"        # config/registraties.example.toml for every key

    [staging]                       # optional: retention of the private staging store
    retention_days = 0              # see etl/staging.py

``bag`` and ``registrations`` entries have more keys; they are checked here, when the file is
read, by :func:`etl.sources.bag.parse_options` and
:func:`etl.sources.registrations.parse_options`, and kept in :attr:`SourceSpec.options`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

import yaml

from etl.model import normalise_code
from etl.settings import ConfigError

SourceType = Literal["files", "cbs_odata_v3", "cbs_odata_v4", "pdok_ogc", "bag", "registrations"]
SOURCE_TYPES: Final[tuple[str, ...]] = (
    "files",
    "cbs_odata_v3",
    "cbs_odata_v4",
    "pdok_ogc",
    "bag",
    "registrations",
)
#: Source types whose records are located on the map after the boundaries are merged
#: (:mod:`etl.sources.located`).
LOCATED_TYPES: Final = frozenset({"bag", "registrations"})
CONFIG_SUFFIXES: Final = (".toml", ".yaml", ".yml")
_KEYS: Final = {
    "name", "type", "path", "year", "years", "crs", "table", "gemeenten", "base_url",
    "collections",
}  # fmt: skip


@dataclass(frozen=True)
class SourceSpec:
    """One source of a run: a directory or file of published files, or an online table."""

    name: str
    type: SourceType
    path: Path | None = None
    year: int | None = None
    years: tuple[int, ...] = ()
    crs: str | None = None
    table: str | None = None
    gemeenten: tuple[str, ...] = ()
    base_url: str | None = None
    collections: tuple[str, ...] = ("gemeenten", "wijken", "buurten")
    #: The further keys of a ``bag`` or ``registrations`` entry, already checked.
    options: Mapping[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class SourcesConfig:
    sources: list[SourceSpec]
    settings: dict[str, Any] = field(default_factory=dict)
    origin: str = "command line"
    #: The ``[staging]`` table (retention of the staging store), checked.
    staging: dict[str, Any] = field(default_factory=dict)


def from_argument(argument: str) -> SourcesConfig:
    """Interpret one ``--source`` value: a configuration file, or a directory/file of data."""
    path = Path(argument)
    if not path.exists():
        raise ConfigError(f"--source {argument}: no such file or directory")
    if path.is_file() and path.suffix.lower() in CONFIG_SUFFIXES:
        return load_config(path)
    name = path.resolve().name
    return SourcesConfig([SourceSpec(name=name, type="files", path=path.resolve())])


def load_config(path: Path) -> SourcesConfig:
    """Parse a TOML or YAML sources file; every error names the file and the key."""
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text) if path.suffix.lower() == ".toml" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, yaml.YAMLError) as e:
        raise ConfigError(f"{where}: cannot read the sources configuration: {e}") from e
    if not isinstance(raw, dict) or not isinstance(raw.get("sources"), list) or not raw["sources"]:
        raise ConfigError(f"{where}: expected a non-empty list 'sources'")
    unknown_top = set(raw) - {"sources", "settings", "staging"}
    if unknown_top:
        raise ConfigError(f"{where}: unknown key(s) {sorted(unknown_top)}")
    settings = raw.get("settings") or {}
    if not isinstance(settings, dict):
        raise ConfigError(f"{where}: 'settings' must be a table/mapping")
    staging = raw.get("staging") or {}
    if not isinstance(staging, dict):
        raise ConfigError(f"{where}: 'staging' must be a table/mapping")
    from etl.staging import StagingSettings  # imported here: keeps config light

    StagingSettings.from_mapping(staging, where=f"{where} [staging]")
    specs = [_spec(entry, i, path) for i, entry in enumerate(raw["sources"], start=1)]
    names = [s.name for s in specs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"{where}: source names must be unique, repeated: {duplicates}")
    return SourcesConfig(specs, settings, origin=where, staging=dict(staging))


def _spec(entry: Any, index: int, config_path: Path) -> SourceSpec:
    where = f"{config_path} sources[{index}]"
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: expected a table/mapping")
    kind = entry.get("type")
    if kind not in SOURCE_TYPES:
        raise ConfigError(f"{where}.type: expected one of {list(SOURCE_TYPES)}, got {kind!r}")
    if kind in LOCATED_TYPES:
        return _located_spec(entry, index, config_path, where)
    unknown = set(entry) - _KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {sorted(unknown)}")
    name = str(entry.get("name") or f"{kind}-{index}")
    path = None
    if kind == "files":
        if "path" not in entry:
            raise ConfigError(f"{where}.path: required for type 'files'")
        path = (config_path.parent / str(entry["path"])).resolve()
        if not path.exists():
            raise ConfigError(f"{where}.path: {path} does not exist")
    gemeenten = []
    for raw_code in entry.get("gemeenten") or []:
        code = normalise_code(raw_code)
        if code is None or not code.startswith("GM"):
            raise ConfigError(f"{where}.gemeenten: {raw_code!r} is not a gemeente code (GMxxxx)")
        gemeenten.append(code)
    years = entry.get("years") or []
    if not isinstance(years, list) or not all(isinstance(y, int) for y in years):
        raise ConfigError(f"{where}.years: expected a list of years, got {years!r}")
    year = entry.get("year")
    if year is not None and not isinstance(year, int):
        raise ConfigError(f"{where}.year: expected a year, got {year!r}")
    if kind != "files" and not years and year is None and not entry.get("table"):
        raise ConfigError(f"{where}: an online source needs 'years', 'year' or 'table'")
    collections = entry.get("collections") or ["gemeenten", "wijken", "buurten"]
    return SourceSpec(
        name=name,
        type=kind,
        path=path,
        year=year,
        years=tuple(years),
        crs=entry.get("crs"),
        table=entry.get("table"),
        gemeenten=tuple(gemeenten),
        base_url=entry.get("base_url"),
        collections=tuple(collections),
    )


def _located_spec(entry: dict[str, Any], index: int, config_path: Path, where: str) -> SourceSpec:
    """A ``bag`` or ``registrations`` entry; its own keys are checked by its module."""
    kind = entry["type"]
    if kind == "bag":
        from etl.sources.bag import parse_options  # here: avoids an import cycle
    else:
        from etl.sources.registrations import parse_options
    options = parse_options(entry, where=where)
    path = None
    if entry.get("path") is not None:
        path = (config_path.parent / str(entry["path"])).resolve()
        if not path.exists():
            raise ConfigError(f"{where}.path: {path} does not exist")
    gemeenten = []
    for raw_code in entry.get("gemeenten") or []:
        code = normalise_code(raw_code)
        if code is None or not code.startswith("GM"):
            raise ConfigError(f"{where}.gemeenten: {raw_code!r} is not a gemeente code (GMxxxx)")
        gemeenten.append(code)
    year = entry.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise ConfigError(f"{where}.year: expected a year, got {year!r}")
    return SourceSpec(
        name=str(entry.get("name") or f"{kind}-{index}"),
        type=kind,
        path=path,
        year=year,
        crs=entry.get("crs"),
        gemeenten=tuple(gemeenten),
        base_url=entry.get("base_url"),
        collections=tuple(entry.get("collections") or ()),
        options=options,
    )
