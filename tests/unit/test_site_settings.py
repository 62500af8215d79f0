# SPDX-License-Identifier: EUPL-1.2
"""What a municipality configures for its own site: name, logo, colour, contact address and
the sites that may frame its maps; each wrong value fails at start-up, naming the variable."""

from __future__ import annotations

import pytest

from data.settings import Settings, SettingsError, contrast_ratio

pytestmark = pytest.mark.unit


def settings(**env: str) -> Settings:
    return Settings.from_env({"BUURTLENS_DATA_DIR": "/", **env})


def test_defaults() -> None:
    s = settings()
    assert s.site_name == "Buurtlens"
    assert s.logo_url is None and s.contact_email is None
    assert s.primary_colour == "#154273"
    assert s.embed_allowed_origins == ()


def test_a_municipalitys_own_site() -> None:
    s = settings(
        BUURTLENS_SITE_NAME="Haarlem in cijfers",
        BUURTLENS_LOGO_URL="/assets/haarlem.svg",
        BUURTLENS_PRIMARY_COLOUR="#A3122B",
        BUURTLENS_CONTACT_EMAIL="toegankelijkheid@haarlem.example.nl",
        BUURTLENS_EMBED_ALLOWED_ORIGINS="https://raad.haarlem.example.nl, http://127.0.0.1:8000/",
    )
    assert s.site_name == "Haarlem in cijfers"
    assert s.logo_url == "/assets/haarlem.svg"
    assert s.primary_colour == "#a3122b"
    assert s.embed_allowed_origins == ("https://raad.haarlem.example.nl", "http://127.0.0.1:8000")
    assert settings(BUURTLENS_EMBED_ALLOWED_ORIGINS="*").embed_allowed_origins == ("*",)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("BUURTLENS_PRIMARY_COLOUR", "#ffcc00", "too light"),
        ("BUURTLENS_PRIMARY_COLOUR", "red", "not a colour"),
        ("BUURTLENS_LOGO_URL", "javascript:alert(1)", "not a logo URL"),
        ("BUURTLENS_LOGO_URL", '/assets/x.svg" onload="x', "not a logo URL"),
        ("BUURTLENS_CONTACT_EMAIL", "niemand", "not an e-mail address"),
        ("BUURTLENS_EMBED_ALLOWED_ORIGINS", "https://raad.example.nl/stukken", "not an origin"),
        ("BUURTLENS_EMBED_ALLOWED_ORIGINS", "https://a.nl; script-src *", "not an origin"),
    ],
)
def test_wrong_values_fail_naming_the_variable(name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message) as caught:
        settings(**{name: value})
    assert name in str(caught.value)


def test_contrast_ratio_follows_wcag() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#ffffff", "#767676") == pytest.approx(4.54, abs=0.01)
