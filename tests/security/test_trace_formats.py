"""`POST /api/v1/forensics/trace` reads every format the leak reader accepts, and refuses a
malformed file of each with a 4xx that names the problem — never a 500.

A leak comes as whatever the seller put together: a CSV in GB18030, a workbook with a sheet
per city, JSON lines from a scraped API, a chat paste. An XLSX used to answer 500 (the upload
was saved without its extension and openpyxl refused the name).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import struct
import zipfile
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook

from parcelguard.app import create_app
from parcelguard.runtime import Runtime
from parcelguard.vault.synthetic import Faker
from tests.conftest import write_csv
from tests.security.edges_world import bearer, staff

TRACE = "/api/v1/forensics/trace"
HEADER = ["收货人", "联系手机", "收货地址"]


@dataclass
class Leak:
    """The officer's key and the recipients whose data leaks (name, phone, address)."""

    key: str
    people: list[list[str]]


@pytest.fixture
def leak(rt: Runtime, cli, tmp_path) -> Leak:
    rows = list(Faker(23).rows(6))
    assert cli("import", str(write_csv(tmp_path / "s.csv", rows)), "--json").code == 0
    _, key = staff(rt, "security_officer")
    people = [[r["recipient_name"], r["recipient_phone"], r["recipient_address"]] for r in rows]
    return Leak(key, people[:4])


def csv_bytes(people: list[list[str]], encoding: str, delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(HEADER)
    writer.writerows(people)
    return out.getvalue().encode(encoding)


def xlsx_bytes(people: list[list[str]]) -> bytes:
    book = Workbook()
    first = book.active
    first.title = "杭州"
    second = book.create_sheet("南京")
    for sheet, part in ((first, people[:2]), (second, people[2:])):
        sheet.append(HEADER)
        for name, phone, address in part:
            sheet.append([name, int(phone), address])  # Excel keeps phones as numbers
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def jsonl_bytes(people: list[list[str]]) -> bytes:
    lines = [json.dumps(dict(zip(HEADER, p, strict=True)), ensure_ascii=False) for p in people]
    return ("\n".join(lines) + "\n").encode()


def text_bytes(people: list[list[str]], encoding: str = "utf-8") -> bytes:
    lines = [f"收件人：{n} 电话：{p} 地址：{a}\n闲聊一句\n" for n, p, a in people]
    return "".join(lines).encode(encoding)


FORMATS = {
    "csv-utf8": lambda p: csv_bytes(p, "utf-8"),
    "csv-utf8-bom": lambda p: codecs.BOM_UTF8 + csv_bytes(p, "utf-8"),
    "csv-gb18030": lambda p: csv_bytes(p, "gb18030"),
    "tsv-utf16": lambda p: csv_bytes(p, "utf-16", "\t"),
    "xlsx": xlsx_bytes,
    "jsonl": jsonl_bytes,
    "txt": text_bytes,
    "txt-gb18030": lambda p: text_bytes(p, "gb18030"),
}


def upload(rt: Runtime, key: str, data: bytes, name: str) -> object:
    client = TestClient(create_app(rt), raise_server_exceptions=False)
    return client.post(TRACE, files={"file": (name, data)}, headers=bearer(key))


@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_every_accepted_format_is_traced_over_http(rt: Runtime, leak: Leak, kind: str) -> None:
    data = FORMATS[kind](leak.people)
    answer = upload(rt, leak.key, data, "leak")  # no telling extension: content decides
    assert answer.status_code == 200, answer.text[:300]
    assert answer.json()["matched"] == len(leak.people)


def test_pasted_text_is_traced(rt: Runtime, leak: Leak) -> None:
    client = TestClient(create_app(rt))
    text = text_bytes(leak.people).decode()
    answer = client.post(TRACE, data={"text": text}, headers=bearer(leak.key))
    assert answer.status_code == 200 and answer.json()["matched"] == len(leak.people)


def zip_claiming(size: int) -> bytes:
    """A tiny zip whose directory claims a member of `size` bytes (an XLSX bomb's shape)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    data = bytearray(out.getvalue())
    at = data.rindex(b"PK\x01\x02")  # central directory entry: uncompressed size at +24
    data[at + 24 : at + 28] = struct.pack("<I", size)
    return bytes(data)


def truncated_xlsx(people: list[list[str]]) -> bytes:
    return xlsx_bytes(people)[:1500]


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an old .xls workbook's signature
GIANT = b"x" * (2 << 20)  # one CSV field over the 1 MiB a field may hold
MALFORMED = {
    # kind: (bytes, status, code, words the message must contain)
    "xlsx-truncated": (truncated_xlsx, 400, "bad_file", "XLSX"),
    "xlsx-bomb": (lambda p: zip_claiming(0xFFFFFFF0), 413, "too_large", "MiB"),
    "xls-legacy": (lambda p: OLE + b"\0" * 600, 400, "bad_file", "xls"),
    "csv-giant-field": (lambda p: b'a,b\n"' + GIANT + b'",1\n', 400, "bad_file", "row 2"),
    "csv-nul-bytes": (lambda p: b"a,b\n1,2\n" + b"\0" * 5000, 400, "bad_file", "text"),
    "jsonl-broken-line": (lambda p: jsonl_bytes(p)[:-1] + b'\n{"a": ', 400, "bad_file", "line 5"),
    "binary": (lambda p: b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, 400, "bad_file", "text"),
    "empty": (lambda p: b"", 400, "empty_file", "empty"),
}


@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_a_malformed_file_gets_a_4xx_naming_the_problem(rt: Runtime, leak: Leak, kind: str) -> None:
    build, status, code, words = MALFORMED[kind]
    answer = upload(rt, leak.key, build(leak.people), "leak")
    assert answer.status_code == status, answer.text[:300]
    error = answer.json()["error"]
    assert error["code"] == code
    assert words.lower() in error["message"].lower()
