"""PDF labels: the text layer shows the masked forms and nothing more; metadata is impersonal."""

from __future__ import annotations

import re
from dataclasses import replace

import pypdfium2 as pdfium
import pytest

from parcelguard.errors import InvalidInput
from parcelguard.labels.content import LabelContent, LabelSize
from parcelguard.labels.pdf_renderer import METADATA, PdfRenderer
from parcelguard.labels.samples import sample_label, sample_shelf_label
from parcelguard.pii.masking import mask_address, mask_name, mask_phone

# A synthetic person, in full, as the vault holds them before masking.
RAW = {
    "recipient_name": "张伟明",
    "recipient_phone": "13857461290",
    "recipient_detail": "文三路100号3幢2单元501室",
    "sender_name": "欧阳娜娜",
    "sender_phone": "18623456781",
    "sender_detail": "星湖街328号15栋2102",
}
REGION = {"recipient": "浙江省杭州市西湖区", "sender": "江苏省苏州市工业园区"}
PT_PER_MM = 72 / 25.4


def _masked_label() -> LabelContent:
    """Return a label built from RAW through the project's masking functions."""
    return replace(
        sample_label(0),
        recipient_name=mask_name(RAW["recipient_name"]),
        recipient_phone=mask_phone(RAW["recipient_phone"]),
        recipient_address=mask_address(REGION["recipient"], RAW["recipient_detail"]),
        sender_name=mask_name(RAW["sender_name"]),
        sender_phone=mask_phone(RAW["sender_phone"]),
        sender_address=mask_address(REGION["sender"], RAW["sender_detail"]),
    )


def _page_texts(document: bytes) -> list[str]:
    """Return each page's text with all whitespace removed (wrapped lines join up again)."""
    pdf = pdfium.PdfDocument(document)
    texts = [re.sub(r"\s+", "", page.get_textpage().get_text_range()) for page in pdf]
    pdf.close()
    return texts


@pytest.mark.parametrize("size", list(LabelSize))
def test_text_layer_shows_masked_forms_only(size: LabelSize) -> None:
    label = _masked_label()
    document = PdfRenderer().render(label, size)
    (text,) = _page_texts(document)
    for field in (
        "recipient_name",
        "recipient_phone",
        "recipient_address",
        "sender_name",
        "sender_phone",
        "sender_address",
        "waybill_no",
        "sorting_code",
        "contents",
    ):
        assert getattr(label, field).replace(" ", "") in text, field
    assert "隐私面单" in text and "扫码联系快递员" in text
    for raw in (
        RAW["recipient_name"],
        RAW["recipient_phone"],
        RAW["sender_name"],
        RAW["sender_phone"],
        "100号",
        "501室",
        "328号",
        "2102",
        "娜娜",
        "伟明",
    ):
        assert raw not in text
        assert raw.encode() not in document
    assert label.qr_url not in text


def test_raw_values_are_refused_before_drawing() -> None:
    raw = replace(_masked_label(), recipient_name=RAW["recipient_name"])
    with pytest.raises(InvalidInput) as caught:
        PdfRenderer().render_many([_masked_label(), raw])
    assert RAW["recipient_name"] not in str(caught.value)
    raw_phone = replace(_masked_label(), sender_phone=RAW["sender_phone"])
    with pytest.raises(InvalidInput):
        PdfRenderer().render(raw_phone)


def test_metadata_is_impersonal(label: LabelContent) -> None:
    document = PdfRenderer().render(label)
    pdf = pdfium.PdfDocument(document)
    meta = {key: value for key, value in pdf.get_metadata_dict().items() if value}
    pdf.close()
    assert meta["Title"] == "ParcelGuard label"
    assert meta["Author"] == METADATA["author"]
    assert meta["Subject"] == METADATA["subject"]
    assert set(meta) <= {
        "Title",
        "Author",
        "Subject",
        "Creator",
        "Producer",
        "CreationDate",
        "ModDate",
    }
    personal = (
        label.waybill_no,
        label.recipient_name,
        label.recipient_phone,
        label.qr_url,
        label.qr_url.rsplit("/", 1)[1],
        "2026",
    )
    for value in meta.values():
        assert not any(item in value for item in personal)
    for item in personal[:2]:
        assert item.encode() not in document


def test_many_labels_make_one_document_with_a_page_each() -> None:
    labels = [sample_label(i) for i in range(7)]
    ticks: list[int] = []
    documents = PdfRenderer().render_many(labels, LabelSize.MM_76X130, progress=ticks.append)
    assert len(documents) == 1
    pdf = pdfium.PdfDocument(documents[0])
    assert len(pdf) == 7
    width, height = pdf[0].get_size()
    pdf.close()
    assert (round(width / PT_PER_MM), round(height / PT_PER_MM)) == (76, 130)
    assert sum(ticks) == 7
    texts = _page_texts(documents[0])
    assert all(label.waybill_no in text for label, text in zip(labels, texts, strict=True))


def test_output_is_deterministic_and_embeds_the_font(label: LabelContent) -> None:
    first = PdfRenderer().render(label)
    assert first == PdfRenderer().render(label)
    assert b"/FontFile2" in first  # the TrueType face travels with the document
    assert first.startswith(b"%PDF-1.4")


def test_an_empty_batch_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        PdfRenderer().render_many([])
    assert caught.value.code == "no_labels"


def test_long_content_is_elided_not_overflowing(long_label: LabelContent) -> None:
    (text,) = _page_texts(PdfRenderer().render(long_label))
    assert "新疆维吾尔自治区" in text
    assert "***" in text


def test_shelf_label_pdf() -> None:
    shelf = sample_shelf_label(3)
    document = PdfRenderer().render_shelf(shelf)
    (text,) = _page_texts(document)
    for value in (
        shelf.pickup_code,
        shelf.recipient_name,
        shelf.shelf,
        shelf.waybill_tail,
        shelf.station_name,
    ):
        assert value in text
    pdf = pdfium.PdfDocument(document)
    width, height = pdf[0].get_size()
    pdf.close()
    assert (round(width / PT_PER_MM), round(height / PT_PER_MM)) == (60, 40)
