# SPDX-License-Identifier: EUPL-1.2
"""data.settings: typed configuration from the environment, failing fast and by name."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from data.settings import Settings, SettingsError, get_settings

pytestmark = pytest.mark.unit


def test_defaults_with_only_the_data_dir(tmp_path: Path) -> None:
    s = Settings.from_env({"BUURTLENS_DATA_DIR": str(tmp_path)})
    assert s.data_dir == tmp_path.resolve()
    assert s.warehouse_path == tmp_path.resolve() / "buurtlens.duckdb"
    assert (s.tile_url, s.tile_attribution) == (None, None)
    assert s.log_level == "INFO"
    assert s.default_indicator == "inwoners"


def test_every_key_is_read(tmp_path: Path) -> None:
    s = Settings.from_env(
        {
            "BUURTLENS_DATA_DIR": str(tmp_path),
            "BUURTLENS_TILE_URL": "https://tiles.example.nl/{z}/{x}/{y}.png",
            "BUURTLENS_TILE_ATTRIBUTION": "© tiles",
            "BUURTLENS_LOG_LEVEL": "debug",
            "BUURTLENS_DEFAULT_INDICATOR": "bevolkingsdichtheid",
        }
    )
    assert s.tile_url == "https://tiles.example.nl/{z}/{x}/{y}.png"
    assert s.tile_attribution == "© tiles"
    assert s.log_level == "DEBUG"
    assert s.default_indicator == "bevolkingsdichtheid"


def test_settings_are_frozen(tmp_path: Path) -> None:
    s = Settings.from_env({"BUURTLENS_DATA_DIR": str(tmp_path)})
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.log_level = "DEBUG"  # type: ignore[misc]


@pytest.mark.parametrize("value", [None, "", "   "])
def test_missing_data_dir_names_the_variable(value: str | None) -> None:
    env = {} if value is None else {"BUURTLENS_DATA_DIR": value}
    with pytest.raises(SettingsError, match="BUURTLENS_DATA_DIR is not set"):
        Settings.from_env(env)


def test_data_dir_must_exist(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"BUURTLENS_DATA_DIR=.*not an existing directory"):
        Settings.from_env({"BUURTLENS_DATA_DIR": str(tmp_path / "nope")})


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("BUURTLENS_TILE_URL", "tiles.example.nl/{z}/{x}/{y}.png"),
        ("BUURTLENS_TILE_URL", "https://tiles.example.nl/tile.png"),
        ("BUURTLENS_LOG_LEVEL", "chatty"),
        ("BUURTLENS_DEFAULT_INDICATOR", "Inwoners; DROP"),
    ],
)
def test_invalid_values_name_the_variable(tmp_path: Path, key: str, value: str) -> None:
    with pytest.raises(SettingsError, match=key):
        Settings.from_env({"BUURTLENS_DATA_DIR": str(tmp_path), key: value})


def test_get_settings_reads_the_environment_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BUURTLENS_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        first = get_settings()
        monkeypatch.setenv("BUURTLENS_LOG_LEVEL", "ERROR")
        assert get_settings() is first
        assert first.log_level == "INFO"
    finally:
        get_settings.cache_clear()


def test_env_example_documents_every_key() -> None:
    example = (Path(__file__).resolve().parents[2] / ".env.example").read_text(encoding="utf-8")
    for key in (
        "BUURTLENS_DATA_DIR",
        "BUURTLENS_TILE_URL",
        "BUURTLENS_TILE_ATTRIBUTION",
        "BUURTLENS_LOG_LEVEL",
        "BUURTLENS_DEFAULT_INDICATOR",
    ):
        assert f"\n{key}=" in example, key
