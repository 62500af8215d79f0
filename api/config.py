# SPDX-License-Identifier: EUPL-1.2
"""Settings of the open data API, read once from the environment and failing fast.

They describe the publishing organisation for the DCAT-AP-DONL catalogue and the public
address of the API; all are optional, so a plain ``BUURTLENS_DATA_DIR=... gunicorn
app:server`` serves the API as before.

* ``BUURTLENS_PUBLIC_URL``: the public base URL (``https://buurtlens.haarlem.nl``) used
  for absolute URIs in the catalogue. Default: the URL the request came in on (behind a
  reverse proxy that may be an internal address, so set it in production).
* ``BUURTLENS_PUBLISHER_NAME`` / ``BUURTLENS_PUBLISHER_URI``: the organisation that
  publishes the data (``Gemeente Haarlem`` and its TOOI/OWMS URI, e.g.
  ``https://identifier.overheid.nl/tooi/id/gemeente/gm0392``).
* ``BUURTLENS_CONTACT_EMAIL``: a general address for questions about the data.
* ``BUURTLENS_API_CACHE_MB``: memory per worker for encoded responses, keyed by data
  version (default 32; 0 switches the cache off).

TODO(lead): these belong in :class:`data.settings.Settings` and ``.env.example``; they live
here because this change may only touch the ``api`` package.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from data.settings import SettingsError

ENV_PUBLIC_URL: Final = "BUURTLENS_PUBLIC_URL"
ENV_PUBLISHER_NAME: Final = "BUURTLENS_PUBLISHER_NAME"
ENV_PUBLISHER_URI: Final = "BUURTLENS_PUBLISHER_URI"
ENV_CONTACT_EMAIL: Final = "BUURTLENS_CONTACT_EMAIL"
ENV_CACHE_MB: Final = "BUURTLENS_API_CACHE_MB"

DEFAULT_PUBLISHER_NAME: Final = "Buurtlens"
DEFAULT_CACHE_MB: Final = 32
_EMAIL_RE: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+\Z")


@dataclass(frozen=True, slots=True)
class ApiSettings:
    """The API's configuration (see the module docstring for each variable)."""

    public_url: str | None = None
    publisher_name: str = DEFAULT_PUBLISHER_NAME
    publisher_uri: str | None = None
    contact_email: str | None = None
    cache_mb: int = DEFAULT_CACHE_MB

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ApiSettings:
        """Read and validate; :class:`~data.settings.SettingsError` names a bad variable.

        >>> ApiSettings.from_env({"BUURTLENS_PUBLIC_URL": "https://x.nl/"}).public_url
        'https://x.nl'
        """
        env = os.environ if environ is None else environ
        return cls(
            public_url=_url(env, ENV_PUBLIC_URL, strip_slash=True),
            publisher_name=_optional(env, ENV_PUBLISHER_NAME) or DEFAULT_PUBLISHER_NAME,
            publisher_uri=_url(env, ENV_PUBLISHER_URI),
            contact_email=_email(env),
            cache_mb=_cache_mb(env),
        )


@functools.cache
def get_api_settings() -> ApiSettings:
    """The process-wide API settings (immutable; tests call ``cache_clear()``)."""
    return ApiSettings.from_env()


def _optional(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _url(env: Mapping[str, str], name: str, *, strip_slash: bool = False) -> str | None:
    value = _optional(env, name)
    if value is None:
        return None
    if not value.startswith(("https://", "http://")) or any(c.isspace() for c in value):
        raise SettingsError(f"{name}={value!r} is not an http(s) URL")
    return value.rstrip("/") if strip_slash else value


def _email(env: Mapping[str, str]) -> str | None:
    value = _optional(env, ENV_CONTACT_EMAIL)
    if value is not None and not _EMAIL_RE.match(value):
        raise SettingsError(f"{ENV_CONTACT_EMAIL}={value!r} is not an e-mail address")
    return value


def _cache_mb(env: Mapping[str, str]) -> int:
    value = _optional(env, ENV_CACHE_MB)
    if value is None:
        return DEFAULT_CACHE_MB
    if not value.isascii() or not value.isdigit() or int(value) > 4096:
        raise SettingsError(f"{ENV_CACHE_MB}={value!r} is not a number of megabytes (0-4096)")
    return int(value)
