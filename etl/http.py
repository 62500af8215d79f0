# SPDX-License-Identifier: EUPL-1.2
"""A small HTTP client for the online sources: timeouts, bounded retries, clear errors.

Every request of the ETL goes through :class:`HttpClient`:

- an explicit timeout on every request (connect, read, write, pool);
- bounded retries with exponential back-off and jitter on the failures that are worth a
  second try: connection errors, timeouts, broken connections, HTTP 5xx (except 501 Not
  Implemented) and 429 Too Many Requests. A ``Retry-After`` header (seconds or an HTTP
  date) is honoured, up to ``max_retry_after``; a server that asks for a longer pause gets
  no further request, and the run fails with a message that says so;
- after the last try a :class:`HttpError` (a :class:`~etl.model.SourceError`) that names
  the source, the URL, the HTTP status and the number of attempts;
- other 4xx answers are not retried (asking again will not help) and fail at once;
- a body that is not valid JSON fails at once with the position of the error. It is not
  retried: a complete HTTP response with a broken body is deterministic; a connection cut
  mid-body shows up as a transport error and *is* retried;
- the User-Agent ``Buurtlens-ETL/<version>`` so that data providers can see who calls.

The back-off base delay, the number of retries and the timeout come from
:class:`~etl.settings.EtlSettings` (``BUURTLENS_HTTP_*``); tests pass tiny values, and may
inject ``sleep`` and ``rng`` to observe the delays without waiting for them.

Example::

    with HttpClient.from_settings(EtlSettings.from_env()) as client:
        page = client.get_json("https://opendata.cbs.nl/ODataApi/odata/85984NED/DataProperties",
                               params={"$format": "json"}, source="kerncijfers")
        rows = page.data["value"]
"""

from __future__ import annotations

import email.utils
import json
import logging
import math
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Final

import httpx

from etl import ETL_VERSION
from etl.model import SourceError
from etl.settings import EtlSettings

logger = logging.getLogger(__name__)

USER_AGENT: Final = f"Buurtlens-ETL/{ETL_VERSION}"

#: Transport failures that may well succeed on a second try.
_RETRY_EXCEPTIONS: Final = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
#: Longest body excerpt quoted in an error message.
_EXCERPT: Final = 200

ParamValue = str | int | float
Params = Mapping[str, ParamValue]


class HttpError(SourceError):
    """An online source could not be read. ``file`` is the URL; ``status`` the last HTTP
    status (``None`` when no response came back at all)."""

    def __init__(
        self,
        message: str,
        *,
        source: str,
        url: str,
        status: int | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(message, source=source, file=url)
        self.url = url
        self.status = status
        self.attempts = attempts


@dataclass(frozen=True)
class JsonResponse:
    """A decoded JSON answer, with the exact bytes (for the run's checksum) and the URL."""

    data: Any
    content: bytes
    url: str
    headers: httpx.Headers


def is_retryable_status(status: int) -> bool:
    """HTTP 429 and 5xx except 501 are worth another try.

    >>> is_retryable_status(503), is_retryable_status(404), is_retryable_status(501)
    (True, False, False)
    """
    return status == 429 or (500 <= status < 600 and status != 501)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait according to a ``Retry-After`` header, or ``None`` if absent/garbled.

    >>> parse_retry_after("3")
    3.0
    >>> parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT",
    ...                   now=datetime(2015, 10, 21, 7, 27, 30, tzinfo=UTC))
    30.0
    >>> parse_retry_after("soon") is None
    True
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


class HttpClient:
    """GET with timeouts, bounded retries and errors that name source, URL and status.

    ``retries`` is the number of *extra* attempts after the first one. The delay before
    retry *n* (1-based) is ``backoff * 2**(n-1)``, capped at ``max_backoff``, with "equal
    jitter" (a random value between half and all of it) so that parallel runs do not
    retry in lock-step; a ``Retry-After`` header raises the delay to what the server asks.
    """

    def __init__(
        self,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        max_retry_after: float = 120.0,
        user_agent: str = USER_AGENT,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        if timeout <= 0 or retries < 0 or backoff < 0 or max_backoff < 0:
            raise ValueError("timeout must be > 0; retries, backoff and max_backoff >= 0")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout),
            headers={"User-Agent": user_agent, "Accept": "application/json"},
            follow_redirects=True,
            transport=transport,
        )
        self.requests_made = 0

    @classmethod
    def from_settings(cls, settings: EtlSettings, **kwargs: Any) -> HttpClient:
        """A client with ``http_timeout``, ``http_retries`` and ``http_backoff`` of a run."""
        return cls(
            timeout=settings.http_timeout,
            retries=settings.http_retries,
            backoff=settings.http_backoff,
            **kwargs,
        )

    # --- context manager ------------------------------------------------------------

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- requests -------------------------------------------------------------------

    def backoff_delay(self, retry: int) -> float:
        """Delay before retry number ``retry`` (1-based), jitter included."""
        ceiling = min(self.max_backoff, self.backoff * (2 ** (retry - 1)))
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    def get(self, url: str, *, source: str, params: Params | None = None) -> httpx.Response:
        """GET ``url`` (with ``params``); a 2xx response, or :class:`HttpError`."""
        attempts = self.retries + 1
        full_url = str(httpx.URL(url).copy_merge_params(dict(params)) if params else url)
        for attempt in range(1, attempts + 1):
            started = time.monotonic()
            retry_after: float | None = None
            try:
                self.requests_made += 1
                response = self._client.get(url, params=dict(params) if params else None)
            except _RETRY_EXCEPTIONS as e:
                problem = _describe_transport_error(e, self.timeout)
                if attempt == attempts:
                    raise HttpError(
                        f"{problem} after {attempts} attempt(s)",
                        source=source,
                        url=full_url,
                        attempts=attempts,
                    ) from e
                status_text = problem
            except httpx.HTTPError as e:  # not transient: bad URL, unsupported scheme, ...
                raise HttpError(
                    f"request failed: {type(e).__name__}: {e}",
                    source=source,
                    url=full_url,
                    attempts=attempt,
                ) from e
            else:
                elapsed_ms = (time.monotonic() - started) * 1000
                status = response.status_code
                logger.debug(
                    "event=http_get source=%s url=%s status=%d attempt=%d elapsed_ms=%.0f",
                    source,
                    response.url,
                    status,
                    attempt,
                    elapsed_ms,
                )
                if response.is_success:
                    return response
                reason = f"HTTP {status} {response.reason_phrase}".rstrip()
                excerpt = _excerpt(response.text)
                if not is_retryable_status(status):
                    raise HttpError(
                        f"{reason}: {excerpt}" if excerpt else reason,
                        source=source,
                        url=str(response.url),
                        status=status,
                        attempts=attempt,
                    )
                if attempt == attempts:
                    raise HttpError(
                        f"{reason} after {attempts} attempt(s)"
                        + (f": {excerpt}" if excerpt else ""),
                        source=source,
                        url=str(response.url),
                        status=status,
                        attempts=attempts,
                    )
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                if retry_after is not None and retry_after > self.max_retry_after:
                    raise HttpError(
                        f"{reason}: the server asks to wait {retry_after:.0f} s (Retry-After), "
                        f"more than the maximum of {self.max_retry_after:.0f} s",
                        source=source,
                        url=str(response.url),
                        status=status,
                        attempts=attempt,
                    )
                status_text = reason
            delay = self.backoff_delay(attempt)
            if retry_after is not None:
                delay = max(delay, retry_after)
            logger.warning(
                "event=http_retry source=%s url=%s problem=%r attempt=%d/%d wait_s=%.2f",
                source,
                full_url,
                status_text,
                attempt,
                attempts,
                delay,
            )
            self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def get_json(self, url: str, *, source: str, params: Params | None = None) -> JsonResponse:
        """GET and decode JSON; a body that is not JSON raises :class:`HttpError`."""
        response = self.get(url, source=source, params=params)
        content = response.content
        try:
            data = json.loads(content)
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise HttpError(
                f"the response is not valid JSON ({e}); {len(content)} bytes received, "
                f"starting with {_excerpt(content.decode('utf-8', 'replace'))!r}",
                source=source,
                url=str(response.url),
                status=response.status_code,
            ) from e
        return JsonResponse(
            data=data, content=content, url=str(response.url), headers=response.headers
        )

    def get_text(self, url: str, *, source: str, params: Params | None = None) -> str:
        """GET and return the body as text (e.g. an OData ``$count``)."""
        return self.get(url, source=source, params=params).text


def _describe_transport_error(error: httpx.HTTPError, timeout: float) -> str:
    if isinstance(error, httpx.TimeoutException):
        return f"timed out ({type(error).__name__}, timeout {timeout:g} s)"
    if isinstance(error, httpx.ConnectError):
        return f"cannot connect ({error})"
    return f"connection failed ({type(error).__name__}: {error})"


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _EXCERPT else flat[:_EXCERPT] + "..."
