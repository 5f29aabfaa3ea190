"""`parcelguard scan / redact / redact-image` in-process, with --json and JSON lines."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from tests.pii.helpers import LabelPhoto, png_bomb

from parcelguard.cli import run

TEXT = "收件人：王小明 13812345678 浙江省杭州市西湖区文三路478号"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point PARCELGUARD_HOME at a fresh folder (the hash key comes from its keyring)."""
    path = tmp_path / "home"
    monkeypatch.setenv("PARCELGUARD_HOME", str(path))
    monkeypatch.delenv("PARCELGUARD_DATABASE_URL", raising=False)
    return path


def _json(capsys: pytest.CaptureFixture[str]) -> object:
    return json.loads(capsys.readouterr().out)


def test_scan_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["scan", "--json", TEXT]) == 0
    document = _json(capsys)
    assert [(e["type"], e["text"]) for e in document["entities"]] == [
        ("NAME", "王小明"),
        ("PHONE", "13812345678"),
        ("ADDRESS", "浙江省杭州市西湖区文三路478号"),
    ]
    assert document["entities"][1]["start"] == 8 and document["entities"][1]["end"] == 19


def test_scan_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "chat.txt"
    file.write_text("姓名：李娜\n手机：139 8765 4321\n", encoding="utf-8")
    assert run(["scan", "--file", str(file), "--json"]) == 0
    assert [e["type"] for e in _json(capsys)["entities"]] == ["NAME", "PHONE"]


def test_scan_jsonl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "in.jsonl"
    lines = [{"id": "a", "text": TEXT}, {"id": 7, "text": "没有个人信息"}]
    file.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in lines) + "\n\n")
    assert run(["scan", "--jsonl", "--file", str(file), "--json"]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in out] == ["a", 7]
    assert len(out[0]["entities"]) == 3 and out[1]["entities"] == []


def test_scan_jsonl_bad_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "in.jsonl"
    file.write_text('{"id": 1, "text": "ok"}\nnot json\n')
    assert run(["scan", "--jsonl", "--file", str(file), "--json"]) == 1
    lines = capsys.readouterr().out.splitlines()
    error = json.loads(lines[-1])["error"]
    assert error["code"] == "bad_line" and error["details"] == {"line": 2}


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["scan", "--json"], "missing_input"),
        (["redact", "--json", "--operator", "shred", TEXT], "unknown_operator"),
        (["scan", "--json", "--file", "/no/such/file.txt"], "not_found"),
    ],
)
def test_errors_are_one_json_document(
    args: list[str], code: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(args) == 1
    assert _json(capsys)["error"]["code"] == code


def test_redact_mask_and_replace(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["redact", "--json", TEXT]) == 0
    assert _json(capsys)["text"] == "收件人：王** 138******78 浙江省杭州市西湖区文三路***"
    assert run(["redact", "--operator", "replace", "--json", TEXT]) == 0
    assert _json(capsys)["text"] == "收件人：<NAME> <PHONE> <ADDRESS>"


def test_redact_hash_uses_the_tenant_key(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["redact", "--operator", "hash", "--json", "电话13812345678"]) == 0
    first = _json(capsys)["text"]
    assert run(["redact", "--operator", "hash", "--json", "电话+86 138-1234-5678"]) == 0
    assert _json(capsys)["text"] == first
    assert first.startswith("电话<PHONE:") and "13812345678" not in first
    assert (home / "keyring.json").exists()


def test_redact_image(
    tmp_path: Path,
    label_photo: LabelPhoto,
    ocr_text: Callable[[bytes], str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    source, target = tmp_path / "in.jpg", tmp_path / "out.jpg"
    source.write_bytes(label_photo.data)
    assert run(["redact-image", str(source), str(target), "--json"]) == 0
    report = _json(capsys)
    assert report["out"] == str(target)
    assert {"NAME", "PHONE", "ID_CARD", "QR_CODE"} <= {r["type"] for r in report["regions"]}
    data = target.read_bytes()
    assert len(Image.open(io.BytesIO(data)).getexif()) == 0
    text = ocr_text(data)
    assert not any(value in text for value in label_photo.secrets.values())


@pytest.mark.parametrize(
    ("content", "code"), [(b"just text", "not_an_image"), (png_bomb(), "image_too_large")]
)
def test_redact_image_refuses(
    tmp_path: Path, content: bytes, code: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.png"
    source.write_bytes(content)
    assert run(["redact-image", str(source), str(tmp_path / "out.png"), "--json"]) == 1
    error = _json(capsys)["error"]
    assert error["code"] == code and error["message"].startswith("IN ")
    assert not (tmp_path / "out.png").exists()
