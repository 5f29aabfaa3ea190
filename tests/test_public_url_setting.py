"""`public_url`: from PARCELGUARD_PUBLIC_URL or config.toml, `base_url` when unset."""

from __future__ import annotations

from pathlib import Path

import pytest

from parcelguard.settings import Settings


def test_public_root_defaults_to_base_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PARCELGUARD_PUBLIC_URL", raising=False)
    settings = Settings.load(home=tmp_path, base_url="https://pg.example.cn/")
    assert settings.public_url is None and settings.public_root == "https://pg.example.cn"


def test_public_url_comes_from_the_config_file_and_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PARCELGUARD_PUBLIC_URL", raising=False)
    (tmp_path / "config.toml").write_text('public_url = "https://file.example.cn/"\n')
    assert Settings.load(home=tmp_path).public_root == "https://file.example.cn"
    monkeypatch.setenv("PARCELGUARD_PUBLIC_URL", "https://env.example.cn")
    assert Settings.load(home=tmp_path).public_root == "https://env.example.cn"
