# SPDX-License-Identifier: EUPL-1.2
"""Sources configuration files and settings: every error names the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.config import from_argument, load_config
from etl.settings import ConfigError, EtlSettings

pytestmark = pytest.mark.unit


def test_toml_config_with_online_and_file_sources(tmp_path: Path) -> None:
    (tmp_path / "kaart").mkdir()
    cfg = tmp_path / "bronnen.toml"
    cfg.write_text(
        """
[settings]
keep_versions = 7

[[sources]]
name = "kerncijfers"
type = "cbs_odata_v3"
years = [2023, 2024]
gemeenten = ["gm0392", "GM0400"]

[[sources]]
name = "kaart-2015"
type = "files"
path = "kaart"
year = 2015
crs = "EPSG:28992"
""",
        encoding="utf-8",
    )
    config = load_config(cfg)
    assert config.settings == {"keep_versions": 7}
    online, local = config.sources
    assert online.type == "cbs_odata_v3" and online.years == (2023, 2024)
    assert online.gemeenten == ("GM0392", "GM0400")
    assert local.path == (tmp_path / "kaart").resolve() and local.year == 2015


def test_yaml_config(tmp_path: Path) -> None:
    cfg = tmp_path / "bronnen.yaml"
    cfg.write_text(
        "sources:\n  - name: grenzen\n    type: pdok_ogc\n    years: [2024]\n"
        "    collections: [wijken]\n",
        encoding="utf-8",
    )
    (spec,) = load_config(cfg).sources
    assert spec.type == "pdok_ogc" and spec.collections == ("wijken",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[sources]]\ntype = 'ftp'\n", r"sources\[1\]\.type"),
        ("[[sources]]\ntype = 'files'\n", r"sources\[1\]\.path: required"),
        ("[[sources]]\ntype = 'files'\npath = 'missing'\n", "does not exist"),
        ("[[sources]]\ntype = 'cbs_odata_v3'\n", "needs 'years'"),
        ("[[sources]]\ntype = 'cbs_odata_v3'\nyears=[2024]\ngemeenten=['Haarlem']\n",
         "not a gemeente code"),
        ("[[sources]]\ntype = 'cbs_odata_v3'\nyears=[2024]\ncolour='red'\n", "unknown key"),
        ("sources = []\n", "non-empty list"),
        ("[[sources\n", "cannot read"),
    ],
)  # fmt: skip
def test_bad_config_names_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as info:
        load_config(cfg)
    assert str(cfg) in str(info.value)


def test_directory_argument_is_a_files_source(tmp_path: Path) -> None:
    (spec,) = from_argument(str(tmp_path)).sources
    assert spec.type == "files" and spec.path == tmp_path.resolve()
    with pytest.raises(ConfigError, match="no such file"):
        from_argument(str(tmp_path / "nope"))


def test_settings_from_environment_and_overrides() -> None:
    s = EtlSettings.from_env({"BUURTLENS_KEEP_VERSIONS": "3", "BUURTLENS_HTTP_TIMEOUT": "2.5"})
    assert s.keep_versions == 3 and s.http_timeout == 2.5
    assert s.with_overrides({"keep_versions": 9}, where="x").keep_versions == 9
    with pytest.raises(ConfigError, match="BUURTLENS_KEEP_VERSIONS"):
        EtlSettings.from_env({"BUURTLENS_KEEP_VERSIONS": "many"})
    with pytest.raises(ConfigError, match="unknown setting"):
        s.with_overrides({"colour": 1}, where="x")
    with pytest.raises(ConfigError, match="keep_versions"):
        EtlSettings.from_env({"BUURTLENS_KEEP_VERSIONS": "0"})
