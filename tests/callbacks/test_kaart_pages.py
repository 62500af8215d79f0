# SPDX-License-Identifier: EUPL-1.2
"""The pages around the map (about, accessibility statement, embed, not found) and the HTML
responses (language, framing, status), on a factory-built warehouse."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from components.responses import frame_ancestors
from components.shell import is_embed
from data.settings import get_settings
from data.warehouse import Warehouse, set_warehouse
from tests import warehouse_factory as factory

pytestmark = pytest.mark.callbacks


@pytest.fixture(scope="module")
def app_module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    path = tmp_path_factory.mktemp("pages-data")
    factory.publish(path, data_version="pages-v1")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BUURTLENS_DATA_DIR", str(path))
        mp.delenv("BUURTLENS_TILE_URL", raising=False)
        get_settings.cache_clear()
        module = importlib.import_module("app")
        set_warehouse(Warehouse(path / "buurtlens.duckdb"))
        yield module
    get_settings.cache_clear()
    set_warehouse(None)


def text_of(component: Any) -> str:
    if isinstance(component, str):
        return component
    children = getattr(component, "children", None)
    if children is None:
        return ""
    if isinstance(children, (list, tuple)):
        return " ".join(text_of(c) for c in children)
    return text_of(children)


def page(app_module: ModuleType, name: str) -> ModuleType:
    return sys.modules[f"pages.{name}"]


def test_about_page_lists_indicators_version_and_privacy(app_module: ModuleType) -> None:
    over = page(app_module, "over")
    text = text_of(over.layout())
    assert "gegevensversie pages-v1" in text
    assert "Inwoners" in text and "CC BY 4.0" in text
    assert "Buurten: 2023–2024" in text
    assert "Privacy en geheimhouding" in text and "aanvullend verborgen" in text
    assert "Verborgen: 1 cijfers" in text
    assert "geen eigen geheimhoudingscontrole" in text
    english = text_of(over.layout(lang="en"))
    assert "All indicators" in english and "Population" in english


def test_accessibility_statement_has_status_limitations_and_contact(
    app_module: ModuleType,
) -> None:
    statement = page(app_module, "toegankelijkheid")
    text = text_of(statement.layout())
    assert "Voldoet gedeeltelijk" in text and "WCAG 2.1" in text
    assert "Bekende beperkingen" in text and "tabel" in text
    assert "Neem contact op met uw gemeente" in text
    assert "Partially compliant" in text_of(statement.layout(lang="en"))


def test_embed_page_has_the_map_and_a_link_to_the_full_view(app_module: ModuleType) -> None:
    embed = page(app_module, "embed")
    layout = embed.layout(indicator="inwoners", niveau="buurt", gemeente="GM0392")
    text = text_of(layout)
    assert "Inwoners per buurt – Haarlem, 2024" in text
    assert "Deel deze weergave" not in text  # the embedding page has its own address
    assert "Download als PNG" in text
    assert embed.http_status(indicator="weg") == 404
    assert "kennen we niet" in text_of(embed.layout(indicator="weg"))


def test_not_found_page_offers_a_way_on(app_module: ModuleType) -> None:
    text = text_of(page(app_module, "not_found_404").layout())
    assert "Deze pagina bestaat niet" in text and "De kaart" in text


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/kaart?niveau=buurt", 200),
        ("/kaart?klassen=9", 404),
        ("/embed/kaart?indicator=weg", 404),
        ("/over", 200),
        ("/nergens", 404),
    ],
)
def test_page_status(app_module: ModuleType, path: str, status: int) -> None:
    reply = app_module.server.test_client().get(path)
    assert reply.status_code == status
    assert reply.mimetype == "text/html"


def test_html_language_and_body_class(app_module: ModuleType) -> None:
    client = app_module.server.test_client()
    assert '<html lang="en">' in client.get("/over?lang=en").get_data(as_text=True)
    embed = client.get("/embed/kaart").get_data(as_text=True)
    assert '<html lang="nl">' in embed and '<body class="embed">' in embed


def test_frame_ancestors() -> None:
    allowed = ("https://raad.example.nl",)
    assert frame_ancestors("/embed/kaart", allowed) == (
        "frame-ancestors 'self' https://raad.example.nl"
    )
    assert frame_ancestors("/kaart", allowed) == "frame-ancestors 'self'"
    assert frame_ancestors("/app/embed/kaart", ()) == "frame-ancestors 'self'"
    assert is_embed("/prefix/embed/kaart") and not is_embed("/embedding") and not is_embed(None)


def test_shell_for_an_embed_has_no_header_or_footer(
    app_module: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    from components import shell as shell_module

    with app_module.server.test_request_context(
        "/_dash-layout", headers={"Referer": "http://x/embed/kaart?lang=en"}
    ):
        layout = shell_module.shell()
    header = next(c for c in layout.children if getattr(c, "id", None) == shell_module.ids.HEADER)
    footer = next(c for c in layout.children if getattr(c, "id", None) == shell_module.ids.FOOTER)
    assert header.hidden and footer.hidden
    assert "Skip to content" in text_of(header)


def test_page_titles_follow_the_language(app_module: ModuleType) -> None:
    import dash

    kaart = next(p for p in dash.page_registry.values() if p["path"] == "/kaart")
    with app_module.server.test_request_context("/kaart?lang=en"):
        assert kaart["title"]() == "Map – Buurtlens"
    with app_module.server.test_request_context("/kaart"):
        assert kaart["title"]() == "Kaart – Buurtlens"


def test_doctests_of_the_components() -> None:
    import doctest

    import components.responses
    import components.shell

    for module in (components.responses, components.shell):
        assert doctest.testmod(module).failed == 0
