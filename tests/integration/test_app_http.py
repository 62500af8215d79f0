# SPDX-License-Identifier: EUPL-1.2
"""The real app under gunicorn (the project's gunicorn.conf.py) on 127.0.0.1, over HTTP."""

from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests import warehouse_factory as factory

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.text())

    def content(self) -> str:
        """A JSON body re-serialised plainly, for substring checks on Dash responses."""
        return json.dumps(self.json(), ensure_ascii=False, separators=(",", ":"))

    def text(self) -> str:
        data = self.body
        if self.headers.get("content-encoding") == "gzip":
            data = gzip.decompress(data)
        return data.decode("utf-8")


@dataclass
class Server:
    base: str
    data_dir: Path
    log: Path

    def get(self, path: str, headers: dict[str, str] | None = None, method: str = "GET") -> Reply:
        return _request(self.base + path, headers=headers, method=method)

    def post_json(self, path: str, body: object) -> Reply:
        return _request(
            self.base + path,
            headers={"Content-Type": "application/json"},
            method="POST",
            data=json.dumps(body).encode(),
        )


def _request(
    url: str,
    *,
    headers: dict[str, str] | None = None,
    method: str = "GET",
    data: bytes | None = None,
) -> Reply:
    req = urllib.request.Request(url, headers=headers or {}, method=method, data=data)
    try:
        with urllib.request.urlopen(req, timeout=20) as resp:
            return Reply(resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read())
    except urllib.error.HTTPError as e:
        return Reply(e.code, {k.lower(): v for k, v in e.headers.items()}, e.read())


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _gunicorn(port: int, *, workers: int = 2, threads: int = 2) -> list[str]:
    return [
        sys.executable, "-m", "gunicorn",
        "--config", str(REPO / "gunicorn.conf.py"),
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--threads", str(threads),
        "app:server",
    ]  # fmt: skip


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@contextmanager
def running_app(
    data_dir: Path,
    log: Path,
    *,
    workers: int = 2,
    threads: int = 2,
    wait_for_http: bool = True,
) -> Iterator[Server]:
    """gunicorn with the project's config; waits for /health (or, with ``wait_for_http``
    false, only for the listening socket, so that no request has reached a worker yet)."""
    port = _free_port()
    env = {**os.environ, "BUURTLENS_DATA_DIR": str(data_dir), "BUURTLENS_LOG_LEVEL": "INFO"}
    env.pop("BUURTLENS_TILE_URL", None)
    with log.open("w") as out:
        proc = subprocess.Popen(
            _gunicorn(port, workers=workers, threads=threads),
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", data_dir, log)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"gunicorn exited with {proc.returncode}:\n{log.read_text()}")
            if not wait_for_http and _listening(port):
                break
            try:
                if wait_for_http and server.get("/health").status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer /health in time:\n{log.read_text()}")
            time.sleep(0.2)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("http-data")
    factory.publish(data_dir, data_version="http-v1")
    with running_app(data_dir, tmp_path_factory.mktemp("http-log") / "gunicorn.log") as srv:
        yield srv


def test_health_is_live(server: Server) -> None:
    reply = server.get("/health")
    assert reply.status == 200
    assert reply.headers["content-type"].startswith("application/json")
    assert reply.json() == {"status": "ok"}


def test_ready_reports_the_data_version(server: Server) -> None:
    reply = server.get("/ready")
    assert reply.status == 200
    body = reply.json()
    assert body["status"] == "ready"
    assert body["data_version"] == "http-v1"
    assert body["schema_version"] == "1"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/kaart", 200),
        ("/over", 200),
        ("/toegankelijkheid", 200),
        ("/embed/kaart", 200),
        # The page explains itself; the status tells link checkers and crawlers.
        ("/kaart?indicator=bestaat_niet&jaar=1999", 404),
        ("/bestaat/niet", 404),
    ],
)
def test_pages_are_served_in_dutch(server: Server, path: str, status: int) -> None:
    reply = server.get(path, headers={"Accept-Encoding": "gzip"})
    assert reply.status == status
    assert reply.headers["content-type"].startswith("text/html")
    html = reply.text()
    assert '<html lang="nl">' in html
    assert "buurtlens.css" in html
    assert 'name="viewport"' in html


def test_english_pages_say_so(server: Server) -> None:
    reply = server.get("/kaart?lang=en")
    assert reply.status == 200
    assert '<html lang="en">' in reply.text()


def test_only_embeds_may_be_framed_elsewhere(server: Server) -> None:
    assert server.get("/kaart").headers["content-security-policy"] == "frame-ancestors 'self'"
    assert server.get("/kaart").headers["x-frame-options"] == "SAMEORIGIN"
    embed = server.get("/embed/kaart")
    # No BUURTLENS_EMBED_ALLOWED_ORIGINS here: only the site itself.
    assert embed.headers["content-security-policy"] == "frame-ancestors 'self'"
    assert "x-frame-options" not in embed.headers
    assert '<body class="embed">' in embed.text()


def test_responses_are_compressed(server: Server) -> None:
    reply = server.get("/_dash-layout", headers={"Accept-Encoding": "gzip"})
    assert reply.status == 200
    assert reply.headers.get("content-encoding") == "gzip"
    layout = reply.content()
    assert "Naar de inhoud" in layout
    assert "Gegevensversie http-v1" in layout


def _route(server: Server, pathname: str, search: str) -> Reply:
    """Ask the pages router for a page's layout, as the browser does."""
    return server.post_json(
        "/_dash-update-component",
        {
            "output": ".._pages_content.children..._pages_store.data..",
            "outputs": [
                {"id": "_pages_content", "property": "children"},
                {"id": "_pages_store", "property": "data"},
            ],
            "inputs": [
                {"id": "_pages_location", "property": "pathname", "value": pathname},
                {"id": "_pages_location", "property": "search", "value": search},
            ],
            "changedPropIds": ["_pages_location.pathname"],
            "state": [],
        },
    )


def test_map_page_renders_a_choropleth_referencing_the_geometry_url(server: Server) -> None:
    reply = _route(server, "/kaart", "?indicator=inwoners&jaar=2024&niveau=buurt&gemeente=GM0392")
    assert reply.status == 200
    content = reply.content()
    assert '"type":"choroplethmap"' in content
    assert "/geo/2024/buurt/GM0392.geojson?v=" in content
    assert "Inwoners per buurt" in content
    assert factory.SUPPRESSED_REASON in content


def test_map_page_with_a_wrong_url_explains_instead_of_failing(server: Server) -> None:
    reply = _route(server, "/kaart", "?indicator=bestaat_niet")
    assert reply.status == 200
    assert "kennen we niet" in reply.content()


def _geometry_url(server: Server) -> str:
    content = _route(server, "/kaart", "?niveau=wijk&gemeente=GM0392&jaar=2024").content()
    start = content.index("/geo/2024/wijk/GM0392.geojson?v=")
    return content[start : content.index('"', start)]


def test_geometry_is_served_gzipped_with_etag_and_immutable_cache(server: Server) -> None:
    url = _geometry_url(server)
    reply = server.get(url, headers={"Accept-Encoding": "gzip, deflate"})
    assert reply.status == 200
    assert reply.headers["content-type"].startswith("application/geo+json")
    assert reply.headers["content-encoding"] == "gzip"
    assert reply.headers["etag"].startswith('"')
    assert "immutable" in reply.headers["cache-control"]
    assert reply.headers["x-data-version"] == "http-v1"
    collection = reply.json()
    assert [f["id"] for f in collection["features"]] == ["WK039201", "WK039202", "WK039203"]


def test_geometry_revalidates_with_304(server: Server) -> None:
    url = _geometry_url(server)
    first = server.get(url, headers={"Accept-Encoding": "gzip"})
    etag = first.headers["etag"]
    again = server.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status == 304
    assert again.body == b""
    assert again.headers["etag"] == etag
    plain = server.get(url.split("?")[0])
    assert plain.status == 200
    assert "content-encoding" not in plain.headers
    assert plain.headers["cache-control"] == "public, no-cache"
    assert json.loads(plain.body)["type"] == "FeatureCollection"
    # The identity representation's tag revalidates too.
    revalidated = server.get(url, headers={"If-None-Match": plain.headers["etag"]})
    assert revalidated.status == 304


def test_geometry_of_all_gemeenten(server: Server) -> None:
    reply = server.get("/geo/2024/gemeente/alle.geojson")
    assert reply.status == 200
    assert [f["id"] for f in reply.json()["features"]] == ["GM0392", "GM0394"]


@pytest.mark.parametrize(
    "path",
    [
        "/geo/2024/wijk/GM9999.geojson",
        "/geo/1999/wijk/GM0392.geojson",
        "/geo/2024/straat/GM0392.geojson",
        "/geo/2024/wijk/haarlem.geojson",
    ],
)
def test_unknown_geometry_is_a_json_404(server: Server, path: str) -> None:
    reply = server.get(path)
    assert reply.status == 404
    assert "error" in reply.json()


def test_swap_is_picked_up_by_every_worker_without_failures(server: Server) -> None:
    factory.publish(server.data_dir, data_version="http-v2", scale=2.0)
    deadline = time.monotonic() + 15
    versions: list[str] = []
    while time.monotonic() < deadline:
        reply = server.get("/ready")
        assert reply.status == 200, reply.text()
        versions.append(reply.json()["data_version"])
        if versions[-10:] == ["http-v2"] * 10:
            break
        time.sleep(0.1)
    assert versions[-10:] == ["http-v2"] * 10, versions
    content = _route(server, "/kaart", "?niveau=gemeente&jaar=2024").content()
    assert "324.000" in content  # Haarlem's 162.000 inhabitants, doubled in v2


def test_missing_warehouse_is_not_ready_but_alive(tmp_path: Path) -> None:
    with running_app(tmp_path, tmp_path / "gunicorn.log") as srv:
        assert srv.get("/health").status == 200
        ready = srv.get("/ready")
        assert ready.status == 503
        assert ready.json() == {"status": "unavailable", "reason": "missing"}
        # The page loads and explains; its status says "try again later".
        page = srv.get("/kaart")
        assert page.status == 503 and page.headers.get("retry-after") == "30"
        assert srv.get("/").status == 200  # the start page reads no data
        assert "niet beschikbaar" in _route(srv, "/kaart", "").content()
        geo = srv.get("/geo/2024/wijk/GM0392.geojson")
        assert geo.status == 503 and geo.headers.get("retry-after") == "30"
        # The ETL publishes: the app starts serving without a restart.
        factory.publish(tmp_path, data_version="late")
        time.sleep(1.2)
        assert srv.get("/ready").json()["data_version"] == "late"


def test_concurrent_first_requests_of_a_threaded_worker_all_succeed(tmp_path: Path) -> None:
    """Regression for plotly/dash#3971: a worker's first requests arrive together (the page
    and its script bundles); none may fail while Dash is still setting itself up."""
    factory.publish(tmp_path, data_version="race")
    bundles = [
        "/_dash-component-suites/dash/deps/react@18.3.1.min.js",
        "/_dash-component-suites/dash/deps/prop-types@15.8.1.min.js",
        "/_dash-component-suites/dash/dash-renderer/build/dash_renderer.min.js",
        "/_dash-component-suites/dash/html/dash_html_components.min.js",
    ]
    with running_app(
        tmp_path, tmp_path / "gunicorn.log", workers=1, threads=8, wait_for_http=False
    ) as srv:
        with ThreadPoolExecutor(max_workers=8) as pool:
            replies = list(pool.map(srv.get, ["/kaart", *bundles, *bundles[:3]]))
        assert [r.status for r in replies] == [200] * 8, srv.log.read_text()


def test_missing_setting_fails_at_start_naming_the_variable(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "BUURTLENS_DATA_DIR"}
    result = subprocess.run(
        _gunicorn(_free_port()),
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "BUURTLENS_DATA_DIR is not set" in result.stdout + result.stderr
