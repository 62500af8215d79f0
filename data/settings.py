# SPDX-License-Identifier: EUPL-1.2
"""Typed configuration, read once from the environment and failing fast.

Every key is documented in ``.env.example`` at the repository root. Only
``BUURTLENS_DATA_DIR`` is required to serve; a missing or wrong value raises
:class:`SettingsError` naming the variable, so that start-up fails with a clear message
instead of the first request.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

logger = logging.getLogger(__name__)

ENV_DATA_DIR: Final = "BUURTLENS_DATA_DIR"
ENV_TILE_URL: Final = "BUURTLENS_TILE_URL"
ENV_TILE_ATTRIBUTION: Final = "BUURTLENS_TILE_ATTRIBUTION"
ENV_LOG_LEVEL: Final = "BUURTLENS_LOG_LEVEL"
ENV_DEFAULT_INDICATOR: Final = "BUURTLENS_DEFAULT_INDICATOR"
ENV_SITE_NAME: Final = "BUURTLENS_SITE_NAME"
ENV_LOGO_URL: Final = "BUURTLENS_LOGO_URL"
ENV_PRIMARY_COLOUR: Final = "BUURTLENS_PRIMARY_COLOUR"
ENV_CONTACT_EMAIL: Final = "BUURTLENS_CONTACT_EMAIL"
ENV_EMBED_ALLOWED_ORIGINS: Final = "BUURTLENS_EMBED_ALLOWED_ORIGINS"

#: Name of the live warehouse inside the data directory (the ETL swaps it atomically).
WAREHOUSE_FILENAME: Final = "buurtlens.duckdb"

LOG_LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEFAULT_LOG_LEVEL: Final = "INFO"
DEFAULT_INDICATOR: Final = "inwoners"
DEFAULT_SITE_NAME: Final = "Buurtlens"
#: The header colour; white text on it has a contrast of 10:1.
DEFAULT_PRIMARY_COLOUR: Final = "#154273"
#: White text on the header needs at least this contrast (WCAG 2.1 AA, normal text).
MIN_HEADER_CONTRAST: Final = 4.5

_INDICATOR_ID_RE: Final = re.compile(r"^[a-z][a-z0-9_]*$")
_TILE_PLACEHOLDERS: Final = ("{z}", "{x}", "{y}")
_COLOUR_RE: Final = re.compile(r"^#[0-9a-fA-F]{6}$")
_EMAIL_RE: Final = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[a-zA-Z]{2,}$")
#: An origin as CSP ``frame-ancestors`` takes it: scheme://host[:port], host may be *.x.
_ORIGIN_RE: Final = re.compile(r"^https?://(\*\.)?[a-zA-Z0-9.-]+(:\d{1,5})?$")


class SettingsError(ValueError):
    """A configuration value is missing or invalid; the message names the variable."""


@dataclass(frozen=True, slots=True)
class Settings:
    """The app's configuration.

    ``data_dir`` holds the live warehouse (:data:`WAREHOUSE_FILENAME`) and the ETL's
    ``versions/``. ``tile_url`` is an optional raster tile template
    (``https://.../{z}/{x}/{y}.png``) drawn under the map; without it the map has a blank
    background and needs no network at all.
    """

    data_dir: Path
    tile_url: str | None = None
    tile_attribution: str | None = None
    log_level: str = DEFAULT_LOG_LEVEL
    default_indicator: str = DEFAULT_INDICATOR
    site_name: str = DEFAULT_SITE_NAME
    logo_url: str | None = None
    primary_colour: str = DEFAULT_PRIMARY_COLOUR
    contact_email: str | None = None
    #: Sites besides this one that may show ``/embed/...`` pages in a frame.
    embed_allowed_origins: tuple[str, ...] = ()

    @property
    def warehouse_path(self) -> Path:
        """The live warehouse file, ``<data_dir>/buurtlens.duckdb``."""
        return self.data_dir / WAREHOUSE_FILENAME

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read and validate the settings from ``environ`` (default: ``os.environ``).

        >>> Settings.from_env({"BUURTLENS_DATA_DIR": "/"}).default_indicator
        'inwoners'
        """
        env = os.environ if environ is None else environ
        return cls(
            data_dir=_data_dir(env),
            tile_url=_tile_url(env),
            tile_attribution=_optional(env, ENV_TILE_ATTRIBUTION),
            log_level=_log_level(env),
            default_indicator=_default_indicator(env),
            site_name=_optional(env, ENV_SITE_NAME) or DEFAULT_SITE_NAME,
            logo_url=_logo_url(env),
            primary_colour=_primary_colour(env),
            contact_email=_contact_email(env),
            embed_allowed_origins=_embed_origins(env),
        )


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use.

    Configuration is immutable for the life of a process; tests that change the
    environment call ``get_settings.cache_clear()``.
    """
    settings = Settings.from_env()
    logger.info(
        "settings loaded data_dir=%s tile_url=%s log_level=%s default_indicator=%s",
        settings.data_dir,
        "set" if settings.tile_url else "unset",
        settings.log_level,
        settings.default_indicator,
    )
    return settings


def _optional(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _data_dir(env: Mapping[str, str]) -> Path:
    raw = _optional(env, ENV_DATA_DIR)
    if raw is None:
        raise SettingsError(
            f"{ENV_DATA_DIR} is not set: point it at the directory that holds "
            f"{WAREHOUSE_FILENAME} (the ETL's --data-dir)"
        )
    path = Path(raw).expanduser()
    if not path.is_dir():
        raise SettingsError(f"{ENV_DATA_DIR}={raw!r} is not an existing directory")
    return path.resolve()


def _tile_url(env: Mapping[str, str]) -> str | None:
    url = _optional(env, ENV_TILE_URL)
    if url is None:
        return None
    if not url.startswith(("https://", "http://")) or not all(p in url for p in _TILE_PLACEHOLDERS):
        raise SettingsError(
            f"{ENV_TILE_URL}={url!r} is not a tile URL template: it must start with "
            "http(s):// and contain {z}, {x} and {y}"
        )
    return url


def _log_level(env: Mapping[str, str]) -> str:
    level = (_optional(env, ENV_LOG_LEVEL) or DEFAULT_LOG_LEVEL).upper()
    if level not in LOG_LEVELS:
        raise SettingsError(
            f"{ENV_LOG_LEVEL}={level!r} is not a log level; use one of {', '.join(LOG_LEVELS)}"
        )
    return level


def _default_indicator(env: Mapping[str, str]) -> str:
    indicator = _optional(env, ENV_DEFAULT_INDICATOR) or DEFAULT_INDICATOR
    if not _INDICATOR_ID_RE.match(indicator):
        raise SettingsError(
            f"{ENV_DEFAULT_INDICATOR}={indicator!r} is not an indicator id "
            "(snake_case, e.g. 'inwoners')"
        )
    return indicator


def _logo_url(env: Mapping[str, str]) -> str | None:
    url = _optional(env, ENV_LOGO_URL)
    if url is None:
        return None
    if not url.startswith(("https://", "http://", "/")) or any(c in url for c in "\"'<> "):
        raise SettingsError(
            f"{ENV_LOGO_URL}={url!r} is not a logo URL: use a path on this site such as "
            "/assets/logo.svg (works offline) or an http(s):// URL"
        )
    return url


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.1 contrast ratio of two ``#rrggbb`` colours.

    >>> round(contrast_ratio("#ffffff", "#154273"), 1)
    10.2
    """

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _primary_colour(env: Mapping[str, str]) -> str:
    colour = _optional(env, ENV_PRIMARY_COLOUR) or DEFAULT_PRIMARY_COLOUR
    if not _COLOUR_RE.match(colour):
        raise SettingsError(f"{ENV_PRIMARY_COLOUR}={colour!r} is not a colour like #154273")
    ratio = contrast_ratio("#ffffff", colour)
    if ratio < MIN_HEADER_CONTRAST:
        raise SettingsError(
            f"{ENV_PRIMARY_COLOUR}={colour!r} is too light: white text on it has a contrast "
            f"of {ratio:.1f}:1, WCAG 2.1 AA needs {MIN_HEADER_CONTRAST}:1; choose a darker colour"
        )
    return colour.lower()


def _contact_email(env: Mapping[str, str]) -> str | None:
    email = _optional(env, ENV_CONTACT_EMAIL)
    if email is not None and not _EMAIL_RE.match(email):
        raise SettingsError(f"{ENV_CONTACT_EMAIL}={email!r} is not an e-mail address")
    return email


def _embed_origins(env: Mapping[str, str]) -> tuple[str, ...]:
    """Space- or comma-separated origins, or ``*`` for any site."""
    raw = _optional(env, ENV_EMBED_ALLOWED_ORIGINS)
    if raw is None:
        return ()
    origins = tuple(o.rstrip("/") for o in re.split(r"[\s,]+", raw) if o)
    for origin in origins:
        if origin != "*" and not _ORIGIN_RE.match(origin):
            raise SettingsError(
                f"{ENV_EMBED_ALLOWED_ORIGINS} contains {origin!r}, which is not an origin "
                "like https://raad.example.nl (scheme and host, no path), or *"
            )
    return origins
