# SPDX-License-Identifier: EUPL-1.2
"""The runner's side of the located sources (BAG, registrations): one object per run.

BAG objects and registrations carry a location, not an area code, so they are counted with
the boundaries of the right year, *after* the boundary sources are merged. A run uses
:class:`LocatedSources` in five places (``etl/runner.py``):

1. **plan**: :meth:`LocatedSources.plan` for a ``bag`` or ``registrations`` entry (registers
   the registration's indicators, returns the part of the run's input fingerprint), and
   :meth:`LocatedSources.split_files` for a directory source (its BAG layers go here, the CBS
   layers stay with ``read_file``);
2. **extract**, before the merge: :meth:`LocatedSources.extract` reads the files into the
   staging store (:mod:`etl.staging`), skipping unchanged ones, and returns notes for the
   run log (what changed);
3. **boundaries**, before the merge: :meth:`LocatedSources.boundary_results` returns the
   boundaries this run does not bring, from the live warehouse, as extra source results;
4. **aggregate**, after the merge: :meth:`LocatedSources.aggregate` locates and counts, and
   :func:`append_observations` adds the figures to the merged observations;
5. **finish**: :meth:`LocatedSources.finish` applies the staging retention (always, also
   when nothing changed or the run failed).

Records never leave the staging store; the results carry counts per area only.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final

import duckdb
import pandas as pd

from etl.config import LOCATED_TYPES, SourceSpec
from etl.locate import boundaries_from_warehouse, vintages_with_boundaries
from etl.model import OBS_COLUMNS, SourceError, SourceResult
from etl.settings import EtlSettings
from etl.sources import bag, registrations
from etl.sources.detect import KIND_BAG_PANDEN, KIND_BAG_VERBLIJFSOBJECTEN, FileSpec
from etl.staging import STAGING_DIR, STAGING_FILE, StagedSource, Staging, StagingSettings

logger = logging.getLogger(__name__)

_BAG_KINDS: Final = frozenset({KIND_BAG_VERBLIJFSOBJECTEN, KIND_BAG_PANDEN})


def is_located(spec: SourceSpec) -> bool:
    """Whether ``spec`` is a ``bag`` or ``registrations`` source."""
    return spec.type in LOCATED_TYPES


@dataclass
class _Entry:
    spec: SourceSpec
    file_specs: list[FileSpec] | None = None
    staged: StagedSource | None = None


@dataclass
class LocatedSources:
    """The located sources of one run and their staging store (opened when first needed)."""

    data_dir: Path
    settings: EtlSettings
    staging_settings: StagingSettings = field(default_factory=StagingSettings.from_env)
    run_id: str | None = None
    _entries: list[_Entry] = field(default_factory=list)
    _staging: Staging | None = None

    # --- plan -------------------------------------------------------------------------

    @property
    def staging(self) -> Staging:
        if self._staging is None:
            self._staging = Staging.create(self.data_dir, self.staging_settings)
        return self._staging

    @property
    def specs(self) -> list[SourceSpec]:
        return [e.spec for e in self._entries]

    def plan(self, spec: SourceSpec) -> str:
        """Take on a ``bag``/``registrations`` source; return its input fingerprint part.

        Registers a registration's indicators (before the run's fingerprint is computed:
        the catalogue is part of it). Files are fingerprinted by checksum (size and mtime
        reuse the staged one); an online BAG collection cannot be, so it is read now.
        """
        if not is_located(spec):
            raise ValueError(f"not a located source: {spec.name} ({spec.type})")
        if spec.type == registrations.KIND:
            registrations.register_indicators(spec)
        entry = _Entry(spec)
        self._entries.append(entry)
        if spec.type == bag.KIND and spec.base_url is not None:
            entry.staged = bag.extract(spec, self.staging, self.settings, run_id=self.run_id)
            return self._fingerprint(spec, [entry.staged.checksum])
        return self._fingerprint(spec, self._file_checksums(spec))

    def split_files(
        self, spec: SourceSpec, file_specs: Sequence[FileSpec]
    ) -> tuple[list[FileSpec], list[str]]:
        """For a directory source: take its BAG layers (loaded here, after the merge); return
        the layers the runner still reads with ``read_file`` and the fingerprint parts of the
        BAG layers taken.

        BAG layers need the year of the extract (a date in the GeoPackage, a year in the file
        name or ``year`` on the source); without one they are skipped with a warning, as
        are Signalen files (a registration needs its configuration entry).
        """
        rest = [f for f in file_specs if f.kind not in _BAG_KINDS]
        layers = [f for f in file_specs if f.kind in _BAG_KINDS]
        for f in rest:
            if f.located:
                logger.warning(
                    "event=skip_registration_file source=%s file=%s kind=%s reason=%r",
                    spec.name,
                    f.label,
                    f.kind,
                    "records are only counted with a registrations entry in the sources file",
                )
        if layers:
            bag_spec = SourceSpec(
                name=f"{spec.name}:bag",
                type="bag",
                path=spec.path,
                year=spec.year,
                crs=spec.crs,
                options=bag.parse_options({"type": "bag", "path": str(spec.path)}, where=""),
            )
            layer_set = [_Layer(f.path, f.layer) for f in layers]
            year = bag.reference_year(bag_spec, layer_set)  # type: ignore[arg-type]
            if year is None:
                for f in layers:
                    logger.warning(
                        "event=skip_bag_without_year source=%s file=%s reason=%r",
                        spec.name,
                        f.label,
                        "no reference year: add a source of type bag with year",
                    )
            else:
                taken = replace(bag_spec, year=year)
                self._entries.append(_Entry(taken, list(layers)))
                sums = [f"{f.label}:{self.staging.checksum(taken.name, f.path)}" for f in layers]
                return rest, [self._fingerprint(taken, sums)]
        return rest, []

    def _file_checksums(self, spec: SourceSpec) -> list[str]:
        if spec.path is None:
            return []
        paths = [spec.path] if spec.path.is_file() else sorted(
            p for p in spec.path.rglob("*") if p.is_file() and not p.name.startswith(".")
        )  # fmt: skip
        return [f"{p}:{self.staging.checksum(spec.name, p)}" for p in paths]

    @staticmethod
    def _fingerprint(spec: SourceSpec, parts: list[str]) -> str:
        payload = json.dumps(
            [spec.type, spec.name, str(spec.path), spec.base_url, spec.year, spec.crs,
             list(spec.gemeenten), dict(spec.options), parts],
            sort_keys=True, default=str,
        )  # fmt: skip
        return hashlib.sha256(payload.encode()).hexdigest()

    # --- extract ----------------------------------------------------------------------

    def extract(self) -> list[str]:
        """Stage every located source (BAG first: registrations may be located through it).

        Returns the run-log notes: per file whether it is new, changed, unchanged or removed,
        and how many rows were read or reused.
        """
        notes: list[str] = []
        order = sorted(self._entries, key=lambda e: e.spec.type != bag.KIND)
        for entry in order:
            if entry.staged is None:
                if entry.spec.type == bag.KIND:
                    entry.staged = bag.extract(
                        entry.spec, self.staging, self.settings, run_id=self.run_id,
                        file_specs=entry.file_specs,
                    )  # fmt: skip
                else:
                    entry.staged = registrations.extract(
                        entry.spec, self.staging, self.settings, run_id=self.run_id
                    )
            notes += entry.staged.notes()
        return notes

    def boundary_results(self, results: Sequence[SourceResult], live: Path) -> list[SourceResult]:
        """Boundaries the located sources need that ``results`` do not bring, from ``live``.

        Add the returned results to the run's results *before* the merge; the new warehouse
        then holds these areas too.
        """
        carried: list[SourceResult] = []
        have = list(results)
        for entry in self._entries:
            if entry.staged is None:
                continue
            gemeenten = entry.spec.gemeenten or None
            if entry.staged.vintage in vintages_with_boundaries(have, gemeenten):
                continue
            found = boundaries_from_warehouse(
                live, [entry.staged.vintage], gemeenten=gemeenten, source="live-warehouse"
            )
            if found is None:
                logger.warning(
                    "event=boundaries_missing source=%s vintage=%d gemeenten=%s",
                    entry.spec.name,
                    entry.staged.vintage,
                    list(gemeenten or []),
                )
                continue
            carried.append(found)
            have.append(found)
        return carried

    # --- aggregate --------------------------------------------------------------------

    def aggregate(
        self, boundaries: pd.DataFrame, areas: pd.DataFrame, observations: pd.DataFrame
    ) -> list[SourceResult]:
        """Locate and count every staged source; BAG first (its dwellings are a denominator
        of registration rates). ``boundaries``/``areas``/``observations``: the merged ones."""
        out: list[SourceResult] = []
        known = observations
        for entry in sorted(self._entries, key=lambda e: e.spec.type != bag.KIND):
            if entry.staged is None:
                raise SourceError(
                    "not extracted", source=entry.spec.name, file=str(entry.spec.path)
                )
            if entry.spec.type == bag.KIND:
                result = bag.aggregate(entry.staged, boundaries, areas, settings=self.settings)
            else:
                result = registrations.aggregate(
                    entry.staged, boundaries, areas, observations=known, settings=self.settings
                )
            out.append(result)
            known = pd.concat([known, result.observations], ignore_index=True)
        return out

    # --- finish -----------------------------------------------------------------------

    def finish(self, *, success: bool) -> None:
        """Apply the staging retention and close the store (see :mod:`etl.staging`).

        Also runs when this run has no located source but a store exists: records of
        sources that are no longer configured are then removed after a successful run.
        """
        path = self.data_dir / STAGING_DIR / STAGING_FILE
        if self._staging is None and not path.exists():
            return
        try:
            self._finish(success)
        except (duckdb.Error, OSError) as e:
            # Called from the runner's ``finally``: never hide the run's own outcome.
            logger.error("event=staging_retention_failed path=%s error=%r", path, e)

    def _finish(self, success: bool) -> None:
        store = self.staging
        try:
            if success:
                configured = {e.spec.name for e in self._entries}
                names = [
                    r[0]
                    for r in store.con.execute(
                        "SELECT DISTINCT source FROM staged_files"
                    ).fetchall()
                ]
                for name in names:
                    if name not in configured:
                        store.forget_missing(name, set())
            store.finish(success=success, run_id=self.run_id)
        finally:
            store.close()
            self._staging = None


@dataclass(frozen=True)
class _Layer:
    """What :func:`etl.sources.bag.reference_year` needs of a file layer."""

    path: Path
    layer: str | None
    url: None = None


def append_observations(
    merged_observations: pd.DataFrame, results: Sequence[SourceResult]
) -> pd.DataFrame:
    """The merged observations plus those of ``results`` (with ``source`` and ``file``).

    A figure that is already there for the same (vintage, area, period, indicator) is kept
    and the new one dropped, with a warning (two BAG sources for the same year).
    """
    frames = [merged_observations]
    for r in results:
        if r.observations.empty:
            continue
        frame = r.observations[OBS_COLUMNS].copy()
        frame["source"] = r.source
        frame["file"] = r.file
        frames.append(frame)
    if len(frames) == 1:
        return merged_observations
    combined = pd.concat(frames, ignore_index=True)
    combined["vintage"] = combined["vintage"].astype("int64")
    combined["period"] = combined["period"].astype(str)
    key = ["vintage", "area_code", "period", "indicator_id"]
    dup = combined.duplicated(key, keep="first")
    if dup.any():
        logger.warning("event=located_duplicate_figures count=%d", int(dup.sum()))
        combined = combined[~dup]
    return combined.reset_index(drop=True)
