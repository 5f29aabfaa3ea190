"""Labels of real imported shipments: masked content only, QR tokens, the `label` command, API."""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import urlsplit

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageFilter
from sqlalchemy import select, text, update

from parcelguard.audit.service import SYSTEM
from parcelguard.labels import service
from parcelguard.labels.models import LabelToken
from parcelguard.labels.sorting import destination, sorting_code
from parcelguard.vault.models import Party, Shipment


def _page_texts(data: bytes) -> list[str]:
    pdf = pdfium.PdfDocument(data)
    texts = [re.sub(r"\s+", "", page.get_textpage().get_text_range()) for page in pdf]
    pdf.close()
    return texts


def _detail(full_address: str, masked: str) -> str:
    """Return what the mask hides: the address after the divisions and the street."""
    kept = masked.rstrip("*")
    assert full_address.startswith(kept)
    return full_address[len(kept) :]


def test_png_label_decodes_to_the_waybill_and_a_token_url_that_scans(
    cli, rt, imported, tmp_path: Path, decode, open_png, client, audit_log
) -> None:
    waybill = imported[0]["waybill_no"]
    out = tmp_path / "label.png"
    result = cli("label", waybill, "--out", str(out), "--format", "png", "--json")
    assert result.code == 0 and result.json == {"written": [str(out)]}
    image = open_png(out.read_bytes())
    found = decode(image)
    assert found["code128"] and set(found["code128"]) == {waybill}
    (url,) = found["qr"]
    assert url.startswith(f"{rt.settings.base_url}/s/")
    token = url.rsplit("/", 1)[1]
    assert len(token) >= 22 and re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert waybill not in url and imported[0]["recipient_phone"][-4:] not in token
    # A hasty photo: turned a few degrees and blurred; both symbols still read.
    photo = image.rotate(4, Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    photo = photo.filter(ImageFilter.GaussianBlur(1))
    blurred = decode(photo)
    assert blurred["qr"] == [url] and set(blurred["code128"]) == {waybill}
    page = client.get(urlsplit(url).path)
    assert page.status_code == 200 and "受包裹隐私卫士保护" in page.text
    (scan,) = audit_log("label.scan")
    assert scan["details"]["waybill"] == waybill and scan["details"]["outcome"] == "anonymous"


@pytest.mark.parametrize("size", ["100x180", "76x130"])
def test_pdf_shows_the_masked_forms_and_no_personal_detail(
    cli, imported, tmp_path: Path, size: str
) -> None:
    waybills = [row["waybill_no"] for row in imported]
    out = tmp_path / "labels.pdf"
    result = cli("label", *waybills, "--out", str(out), "--size", size, "--json")
    assert result.code == 0 and result.json == {"written": [str(out)]}
    texts = _page_texts(out.read_bytes())
    assert len(texts) == len(imported)
    for row, page in zip(imported, texts, strict=True):
        shown = cli("show", row["waybill_no"], "--json").json
        for role in ("recipient", "sender"):
            masked = shown[role]
            for field in ("name", "phone", "address"):
                assert masked[field] in page, (role, field)
            assert row[f"{role}_phone"] not in page
            assert row[f"{role}_name"] not in page
            assert row[f"{role}_address"] not in page
            detail = _detail(row[f"{role}_address"], masked["address"])
            assert detail not in page
            for number in re.findall(r"\d+(?:号|栋|单元|室)", detail):
                assert number not in page, (role, number)
        assert row["waybill_no"] in page and "/s/" not in page
    pdf = pdfium.PdfDocument(out.read_bytes())
    info = pdf.get_metadata_dict()
    pdf.close()
    assert info["Title"] == "ParcelGuard label" and info["Keywords"] == ""
    meta = " ".join(str(v) for k, v in info.items() if k not in ("CreationDate", "ModDate"))
    for row in imported:
        for value in (row["waybill_no"], row["recipient_name"], row["recipient_phone"]):
            assert value not in meta
    assert re.search(r"\d{7}", meta) is None


def test_many_waybills_make_one_multi_page_pdf_one_zpl_file_or_one_png_each(
    cli, imported, tmp_path: Path
) -> None:
    waybills = [row["waybill_no"] for row in imported]
    pdf_out = tmp_path / "batch.pdf"
    assert cli("label", *waybills, "--out", str(pdf_out), "--json").code == 0
    assert len(pdfium.PdfDocument(pdf_out.read_bytes())) == len(waybills)
    zpl_out = tmp_path / "batch.zpl"
    assert cli("label", *waybills, "--out", str(zpl_out), "--format", "zpl", "--json").code == 0
    assert zpl_out.read_text(encoding="utf-8").count("^XA") == len(waybills)
    png_out = tmp_path / "batch.png"
    result = cli("label", *waybills[:2], "--out", str(png_out), "--format", "png", "--json")
    expected = [str(tmp_path / f"batch-{w}.png") for w in waybills[:2]]
    assert result.json == {"written": expected}
    assert all(Image.open(io.BytesIO(Path(p).read_bytes())).format == "PNG" for p in expected)


def test_two_labels_have_different_tokens_and_no_plaintext_token_is_stored(
    rt, imported, backend: str, audit_log
) -> None:
    waybill = imported[0]["waybill_no"]
    job = service.PrintJob([waybill])
    with rt.db.session() as session:
        first = service.label_contents(rt, session, SYSTEM, job)[0].qr_url
        second = service.label_contents(rt, session, SYSTEM, job)[0].qr_url
    tokens = [url.rsplit("/", 1)[1] for url in (first, second)]
    assert tokens[0] != tokens[1]
    with rt.db.session() as session:
        rows = session.scalars(select(LabelToken)).all()
        dumped = b"".join(
            b"|".join(str(v).encode() for v in r)
            for r in session.execute(text("SELECT * FROM label_tokens")).all()
        )
    assert len(rows) == 2 and {len(r.token_digest) for r in rows} == {16}
    for token in tokens:
        assert token.encode() not in dumped
        assert all(token not in str(e["details"]) for e in audit_log("label.print"))
    if backend == "sqlite":
        home = rt.settings.home
        rt.db.dispose()  # flush the WAL into the file, then read every byte SQLite keeps
        files = [p for p in home.iterdir() if p.name.startswith("parcelguard.db")]
        raw = b"".join(p.read_bytes() for p in files)
        assert raw and all(t.encode() not in raw for t in tokens)
    refs = {e["details"]["token_ref"] for e in audit_log("label.print")}
    assert len(refs) == 2 and all(len(r) == 12 for r in refs)


def test_canary_purged_and_unknown_shipments_are_refused_by_waybill(
    cli, rt, imported, tmp_path: Path
) -> None:
    canary, purged, good = (row["waybill_no"] for row in imported[:3])
    with rt.db.session() as session:
        session.execute(update(Shipment).where(Shipment.waybill_no == canary).values(kind="canary"))
    out = str(tmp_path / "x.pdf")
    refused = cli("label", good, canary, "--out", out, "--json")
    assert refused.code == 1 and refused.json["error"]["code"] == "shipment_not_found"
    assert refused.json["error"]["details"] == {"position": 2}  # named by place, not by value
    assert canary not in refused.json["error"]["message"]
    assert cli("label", "NOPE-1234", "--out", out, "--json").json["error"]["code"] == (
        "shipment_not_found"
    )
    assert cli("purge", "--now", "2028-01-01T00:00:00+08:00", "--json").code == 0
    gone = cli("label", purged, "--out", out, "--json")
    assert gone.code == 1 and gone.json["error"]["code"] == "shipment_purged"
    assert gone.json["error"]["details"] == {"position": 1}
    assert not Path(out).exists()


def test_a_masked_column_that_is_not_masked_stops_the_job_and_leaves_no_token(
    cli, rt, imported, tmp_path: Path
) -> None:
    good, bad = imported[0]["waybill_no"], imported[1]["waybill_no"]
    with rt.db.session() as session:
        shipment_id = session.scalar(select(Shipment.shipment_id).where(Shipment.waybill_no == bad))
        session.execute(
            update(Party)
            .where(Party.shipment_id == shipment_id, Party.role == "recipient")
            .values(name_masked=imported[1]["recipient_name"])  # a broken or tampered row
        )
    out = tmp_path / "x.pdf"
    refused = cli("label", good, bad, "--out", str(out), "--json")
    assert refused.code == 1
    error = refused.json["error"]
    assert error["code"] == "unmasked_field"
    assert error["details"] == {"field": "recipient_name", "waybill": bad}
    assert imported[1]["recipient_name"] not in refused.stdout
    assert not out.exists()
    with rt.db.session() as session:
        assert session.scalars(select(LabelToken)).all() == []


def test_revoke_stops_every_label_of_the_shipment(cli, rt, imported, client, audit_log) -> None:
    waybill = imported[0]["waybill_no"]
    with rt.db.session() as session:
        contents = [
            service.label_contents(rt, session, SYSTEM, service.PrintJob([waybill]))[0]
            for _ in range(2)
        ]
    paths = [urlsplit(c.qr_url).path for c in contents]
    assert all(client.get(p).status_code == 200 for p in paths)
    assert cli("labels", "revoke", waybill, "--json").json == {"revoked": 2}
    assert all(client.get(p).status_code == 404 for p in paths)
    outcomes = [e["details"]["outcome"] for e in audit_log("label.scan")]
    assert outcomes == ["anonymous", "anonymous", "revoked", "revoked"]
    assert audit_log("label.revoke")[0]["details"] == {"waybill": waybill, "revoked": 2}


def test_tokens_expire_n_days_after_delivery(cli, rt, imported, client, add_user) -> None:
    waybill = imported[0]["waybill_no"]
    with rt.db.session() as session:
        (content,) = service.label_contents(rt, session, SYSTEM, service.PrintJob([waybill]))
    path = urlsplit(content.qr_url).path
    cli("event", waybill, "assigned", "--courier", add_user("courier")[0], "--json")
    cli("event", waybill, "out_for_delivery", "--json")
    assert cli("event", waybill, "delivered", "--reason", "left_at_door", "--json").code == 0
    with rt.db.session() as session:
        (row,) = session.scalars(select(LabelToken)).all()
        assert row.expires_at is not None
    rt.clock.advance(days=6, hours=23)
    assert client.get(path).status_code == 200
    rt.clock.advance(hours=2)
    assert client.get(path).status_code == 404


def test_label_api_formats_sizes_scopes_and_audit(client, imported, add_user, audit_log) -> None:
    waybill = imported[0]["waybill_no"]
    _, printer = add_user("service", scope="labels")
    _, reader = add_user("service", scope="read")
    _, courier = add_user("courier")
    auth = {"Authorization": f"Bearer {printer}"}
    media = {"pdf": "application/pdf", "png": "image/png", "zpl": "text/plain"}
    for fmt, media_type in media.items():
        answer = client.get(f"/api/v1/shipments/{waybill}/label.{fmt}", headers=auth)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith(media_type)
        assert answer.headers["cache-control"] == "no-store"
    small = client.get(
        f"/api/v1/shipments/{waybill}/label.pdf",
        params={"size": "76x130", "dpi": 300},
        headers=auth,
    )
    width, height = pdfium.PdfDocument(small.content)[0].get_size()
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (76, 130)
    as_courier = {"Authorization": f"Bearer {courier}"}
    assert (
        client.get(f"/api/v1/shipments/{waybill}/label.pdf", headers=as_courier).status_code == 200
    )
    denied = client.get(
        f"/api/v1/shipments/{waybill}/label.pdf", headers={"Authorization": f"Bearer {reader}"}
    )
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "scope_missing"
    assert client.get(f"/api/v1/shipments/{waybill}/label.pdf").status_code == 401
    bad = client.get(f"/api/v1/shipments/{waybill}/label.gif", headers=auth)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "unknown_label_format"
    bad_size = client.get(
        f"/api/v1/shipments/{waybill}/label.pdf", params={"size": "10x10"}, headers=auth
    )
    assert bad_size.json()["error"]["code"] == "unknown_label_size"
    printed = audit_log("label.print")
    assert [e["details"]["format"] for e in printed] == ["pdf", "png", "zpl", "pdf", "pdf"]
    assert {e["details"]["waybill"] for e in printed} == {waybill}


@pytest.mark.parametrize(
    ("adcode", "province", "city", "district", "code", "place"),
    [
        ("330106", "浙江省", "杭州市", "西湖区", "浙01-06", "杭州 西湖区"),
        ("110105", "北京市", "北京市", "朝阳区", "京01-05", "北京 朝阳区"),
        ("429004", "湖北省", "湖北省", "仙桃市", "鄂90-04", "湖北 仙桃市"),
        ("441900", "广东省", "东莞市", "", "粤19-00", "东莞"),
        ("", "", "", "", "", ""),
    ],
)
def test_sorting_code_and_destination_come_from_the_region(
    adcode: str, province: str, city: str, district: str, code: str, place: str
) -> None:
    assert sorting_code(adcode) == code
    assert destination(province, city, district) == place
