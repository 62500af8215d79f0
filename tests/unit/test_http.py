# SPDX-License-Identifier: EUPL-1.2
"""The ETL's HTTP client: retries, back-off, Retry-After and errors that say where.

No network: httpx's MockTransport answers, and the client's ``sleep`` only records.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest

from etl.http import USER_AGENT, HttpClient, HttpError, is_retryable_status, parse_retry_after
from etl.model import SourceError
from etl.settings import EtlSettings

pytestmark = pytest.mark.unit

URL = "https://opendata.example/ODataApi/odata/85984NED/TypedDataSet"
Handler = Callable[[httpx.Request], httpx.Response]


def make_client(
    handler: Handler, *, retries: int = 3, backoff: float = 0.5, **kwargs: object
) -> tuple[HttpClient, list[float]]:
    sleeps: list[float] = []
    client = HttpClient(
        timeout=1.0,
        retries=retries,
        backoff=backoff,
        transport=httpx.MockTransport(handler),
        sleep=sleeps.append,
        rng=random.Random(7),
        **kwargs,  # type: ignore[arg-type]
    )
    return client, sleeps


def sequence(*responses: httpx.Response | Exception) -> tuple[Handler, list[httpx.Request]]:
    """A handler that answers with ``responses`` in turn (the last one repeats)."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = responses[min(len(seen), len(responses)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return handler, seen


def test_get_json_returns_data_and_exact_bytes_and_identifies_itself() -> None:
    body = b'{"value": [{"ID": 0}]}'
    handler, seen = sequence(httpx.Response(200, content=body))
    client, sleeps = make_client(handler)
    page = client.get_json(URL, source="kwb", params={"$top": 10, "$format": "json"})
    assert page.data == {"value": [{"ID": 0}]}
    assert page.content == body
    assert seen[0].headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("Buurtlens-ETL/")
    assert seen[0].url.params["$top"] == "10"
    assert sleeps == []


def test_5xx_is_retried_with_growing_jittered_delays_then_succeeds() -> None:
    handler, seen = sequence(
        httpx.Response(503), httpx.Response(502), httpx.Response(200, json={"ok": True})
    )
    client, sleeps = make_client(handler, backoff=0.5)
    assert client.get_json(URL, source="kwb").data == {"ok": True}
    assert len(seen) == 3
    assert len(sleeps) == 2
    # equal jitter: retry n waits between half and all of backoff * 2**(n-1)
    assert 0.25 <= sleeps[0] <= 0.5
    assert 0.5 <= sleeps[1] <= 1.0


def test_persistent_500_fails_after_the_bounded_attempts_naming_source_url_status() -> None:
    handler, seen = sequence(httpx.Response(500, text="Internal error"))
    client, sleeps = make_client(handler, retries=2)
    with pytest.raises(HttpError) as info:
        client.get(URL, source="kwb", params={"$skip": 20})
    error = info.value
    assert isinstance(error, SourceError)
    assert len(seen) == 3 and len(sleeps) == 2
    assert error.status == 500 and error.attempts == 3
    assert error.source == "kwb" and error.url.startswith(URL) and "skip=20" in error.url
    message = str(error)
    assert "'kwb'" in message and URL in message
    assert "HTTP 500" in message and "3 attempt" in message and "Internal error" in message


@pytest.mark.parametrize("status", [400, 404, 501])
def test_client_errors_and_501_are_not_retried(status: int) -> None:
    handler, seen = sequence(httpx.Response(status, text="nope"))
    client, sleeps = make_client(handler)
    with pytest.raises(HttpError) as info:
        client.get(URL, source="kwb")
    assert len(seen) == 1 and sleeps == []
    assert info.value.status == status
    assert f"HTTP {status}" in str(info.value)


def test_429_waits_as_long_as_retry_after_says() -> None:
    handler, seen = sequence(
        httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, json={})
    )
    client, sleeps = make_client(handler, backoff=0.01)
    client.get_json(URL, source="kwb")
    assert len(seen) == 2
    assert sleeps == [7.0]


def test_retry_after_longer_than_the_maximum_fails_at_once() -> None:
    handler, seen = sequence(httpx.Response(503, headers={"Retry-After": "3600"}))
    client, sleeps = make_client(handler, max_retry_after=60)
    with pytest.raises(HttpError, match="wait 3600 s") as info:
        client.get(URL, source="kwb")
    assert len(seen) == 1 and sleeps == []
    assert info.value.status == 503


def test_connection_errors_are_retried_and_then_reported_with_the_url() -> None:
    handler, seen = sequence(httpx.ConnectError("connection refused"))
    client, sleeps = make_client(handler, retries=2)
    with pytest.raises(HttpError) as info:
        client.get(URL, source="kwb")
    assert len(seen) == 3 and len(sleeps) == 2
    assert info.value.status is None
    assert "cannot connect" in str(info.value) and URL in str(info.value)


def test_a_timeout_is_retried_then_reported_as_a_timeout() -> None:
    handler, seen = sequence(httpx.ReadTimeout("slow"), httpx.ReadTimeout("slow"))
    client, _ = make_client(handler, retries=1)
    with pytest.raises(HttpError, match="timed out") as info:
        client.get(URL, source="kwb")
    assert len(seen) == 2
    assert info.value.attempts == 2


def test_transport_error_then_success() -> None:
    handler, seen = sequence(httpx.RemoteProtocolError("cut"), httpx.Response(200, json=[1]))
    client, sleeps = make_client(handler)
    assert client.get_json(URL, source="kwb").data == [1]
    assert len(seen) == 2 and len(sleeps) == 1


def test_a_body_that_is_not_json_fails_at_once() -> None:
    handler, seen = sequence(httpx.Response(200, content=b'{"value": [{"ID": 0}, {"ID'))
    client, sleeps = make_client(handler)
    with pytest.raises(HttpError, match="not valid JSON") as info:
        client.get_json(URL, source="kwb")
    assert len(seen) == 1 and sleeps == []
    assert info.value.url == URL


def test_a_non_transient_request_error_is_not_retried() -> None:
    handler, seen = sequence(httpx.UnsupportedProtocol("ftp"))
    client, sleeps = make_client(handler)
    with pytest.raises(HttpError, match="request failed"):
        client.get("ftp://example.org/x", source="kwb")
    assert len(seen) == 1 and sleeps == []


def test_get_text_returns_the_body() -> None:
    handler, _ = sequence(httpx.Response(200, text="31"))
    client, _ = make_client(handler)
    assert client.get_text(URL + "/$count", source="kwb") == "31"


def test_backoff_doubles_and_is_capped() -> None:
    client = HttpClient(backoff=1.0, max_backoff=4.0, rng=random.Random(3))
    delays = [client.backoff_delay(n) for n in range(1, 7)]
    ceilings = [1, 2, 4, 4, 4, 4]
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    client.close()


def test_from_settings_takes_the_http_settings() -> None:
    settings = EtlSettings(http_timeout=12.5, http_retries=5, http_backoff=0.25)
    with HttpClient.from_settings(settings) as client:
        assert (client.timeout, client.retries, client.backoff) == (12.5, 5, 0.25)


def test_invalid_configuration_is_refused() -> None:
    with pytest.raises(ValueError, match="timeout"):
        HttpClient(timeout=0)
    with pytest.raises(ValueError, match="retries"):
        HttpClient(retries=-1)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("5", 5.0),
        (" 0 ", 0.0),
        ("-3", 0.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 60.0),
        ("Wed, 21 Oct 2015 07:26:00 GMT", 0.0),
        ("later", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    now = datetime(2015, 10, 21, 7, 27, tzinfo=UTC)
    assert parse_retry_after(header, now=now) == expected


@pytest.mark.parametrize(
    ("status", "retry"), [(429, True), (500, True), (503, True), (501, False), (404, False)]
)
def test_retryable_statuses(status: int, retry: bool) -> None:
    assert is_retryable_status(status) is retry
