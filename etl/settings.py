# SPDX-License-Identifier: EUPL-1.2
"""ETL settings: read once from the environment, overridable per run by the sources file."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any, Final

from etl.model import EtlError

DEFAULT_CBS_ODATA_V3: Final = "https://opendata.cbs.nl/ODataApi/odata"
DEFAULT_CBS_ODATA_V4: Final = "https://odata4.cbs.nl/CBS"
DEFAULT_PDOK_KWB: Final = "https://api.pdok.nl/cbs/wijken-en-buurten-{year}/ogc/v1"


class ConfigError(EtlError):
    """A setting or the sources configuration is wrong; the message names the key."""


@dataclass(frozen=True)
class EtlSettings:
    """Settings of one ETL run. Environment variables in brackets.

    - keep_versions (BUURTLENS_KEEP_VERSIONS, 5): published versions kept for rollback.
    - max_reject_fraction (BUURTLENS_MAX_REJECT_FRACTION, 0.05): a source file with a larger
      share of rejected rows fails the run instead of being published partly.
    - http_timeout (BUURTLENS_HTTP_TIMEOUT, 30 s), http_retries (BUURTLENS_HTTP_RETRIES, 3),
      http_backoff (BUURTLENS_HTTP_BACKOFF, 1 s, doubled per retry).
    - cbs_odata_v3_url, cbs_odata_v4_url, pdok_kwb_url (BUURTLENS_CBS_ODATA_V3_URL, ...):
      base URLs of the online services; ``{year}`` in the PDOK URL is filled in.
    """

    keep_versions: int = 5
    max_reject_fraction: float = 0.05
    http_timeout: float = 30.0
    http_retries: int = 3
    http_backoff: float = 1.0
    cbs_odata_v3_url: str = DEFAULT_CBS_ODATA_V3
    cbs_odata_v4_url: str = DEFAULT_CBS_ODATA_V4
    pdok_kwb_url: str = DEFAULT_PDOK_KWB

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> EtlSettings:
        env = dict(os.environ if environ is None else environ)
        values: dict[str, Any] = {}
        for name, field_type in cls.__annotations__.items():
            key = "BUURTLENS_" + name.upper()
            if key in env:
                values[name] = _coerce(key, env[key], field_type)
        return cls(**values)._checked()

    def with_overrides(self, overrides: dict[str, Any], *, where: str) -> EtlSettings:
        unknown = set(overrides) - set(self.__annotations__)
        if unknown:
            raise ConfigError(f"{where}: unknown setting(s) {sorted(unknown)}")
        typed = {
            k: _coerce(f"{where} settings.{k}", v, self.__annotations__[k])
            for k, v in overrides.items()
        }
        return replace(self, **typed)._checked()

    def _checked(self) -> EtlSettings:
        if self.keep_versions < 1:
            raise ConfigError(f"keep_versions must be at least 1, got {self.keep_versions}")
        if not 0 <= self.max_reject_fraction <= 1:
            raise ConfigError(
                f"max_reject_fraction must be in [0, 1], got {self.max_reject_fraction}"
            )
        if self.http_timeout <= 0 or self.http_retries < 0 or self.http_backoff < 0:
            raise ConfigError("http_timeout must be > 0, http_retries and http_backoff >= 0")
        return self


def _coerce(key: str, raw: Any, field_type: str) -> Any:
    target = {"int": int, "float": float, "str": str}[field_type]
    try:
        return target(raw)
    except (TypeError, ValueError) as e:
        raise ConfigError(f"{key}: expected {field_type}, got {raw!r}") from e
