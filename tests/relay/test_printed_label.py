"""The relay number on the printed label: "X 转 extension", as the courier page shows it."""

from __future__ import annotations

import io
import re

import pypdfium2 as pdfium
import pytest
from PIL import Image

from parcelguard.audit.service import SYSTEM
from parcelguard.errors import InvalidInput
from parcelguard.labels import service as labels
from parcelguard.labels.content import LabelSize, validate_masked
from parcelguard.labels.fonts import default_font
from parcelguard.labels.png_renderer import PngRenderer
from parcelguard.labels.registry import renderer_for
from parcelguard.labels.samples import sample_label
from parcelguard.labels.waybill_layout import waybill_page
from parcelguard.relay.printed import shown
from parcelguard.web.console_courier import relay_number
from tests.labels.printer_streams import escpos_labels, tspl_labels, zpl_labels
from tests.relay.conftest import World, configure, dispatch, event
from tests.relay.test_axe import AXE_X, add_axe, axe_binding, x_of


@pytest.fixture
def axe(world: World) -> World:
    configure(world.rt, auto_kind="axe")
    add_axe(world.rt, AXE_X)
    return world


def _contents(world: World, *waybills: str):
    job = labels.PrintJob(list(waybills))
    with world.rt.db.session() as session:
        return labels.label_contents(world.rt, session, SYSTEM, job)


def _pdf_text(data: bytes) -> str:
    pdf = pdfium.PdfDocument(data)
    text = "".join(page.get_textpage().get_text_range() for page in pdf)
    pdf.close()
    return re.sub(r"\s+", "", text)


def test_a_label_of_an_axe_bound_parcel_prints_x_and_its_extension(axe: World) -> None:
    dispatch(axe.rt, axe.waybill(0), axe.couriers[0])
    binding = axe_binding(axe, 0)
    number = x_of(axe, binding)
    (content,) = _contents(axe, axe.waybill(0))
    national = number.removeprefix("+86")
    assert (
        content.relay_number
        == f"{national[:3]} {national[3:7]} {national[7:]} 转 {binding.extension}"
    )
    text = _pdf_text(labels.print_labels(axe.rt, SYSTEM, labels.PrintJob([axe.waybill(0)]))[0])
    assert f"隐私号{national}转{binding.extension}" in text
    # The recipient's real number is on no label; the masked one stays on the customer stub.
    assert axe.recipient(0) not in text and content.recipient_phone.replace(" ", "") in text


def test_the_zpl_label_carries_the_relay_number_as_text(axe: World) -> None:
    dispatch(axe.rt, axe.waybill(0), axe.couriers[0])
    binding = axe_binding(axe, 0)
    (stream,) = labels.print_labels(axe.rt, SYSTEM, labels.PrintJob([axe.waybill(0)], format="zpl"))
    assert f"转 {binding.extension}^FS" in stream.decode("utf-8")
    (image,) = zpl_labels(stream)  # the test printer takes it
    assert image.width > 0


@pytest.mark.parametrize("language", ["png", "tspl", "escpos", "zpl-raster"])
def test_raster_labels_print_the_relay_line_pixel_for_pixel(axe: World, language: str) -> None:
    dispatch(axe.rt, axe.waybill(0), axe.couriers[0])
    binding = axe_binding(axe, 0)
    (content,) = _contents(axe, axe.waybill(0))
    size = LabelSize.MM_100X180
    page = waybill_page(content, size, default_font())
    assert any(t.endswith(f"转 {binding.extension}") for t in page.texts())
    expected = PngRenderer(dpi=203).image(page).point(lambda v: 0 if v < 128 else 255)
    (stream,) = renderer_for(language, dpi=203).render_many([content], size)
    if language == "png":
        image = Image.open(io.BytesIO(stream)).convert("L").point(lambda v: 0 if v < 128 else 255)
    else:
        read = {"tspl": lambda s: tspl_labels(s, 203), "escpos": escpos_labels}
        (image,) = read.get(language, zpl_labels)(stream)
    assert image.crop((0, 0, *expected.size)).tobytes() == expected.tobytes()
    without = PngRenderer(dpi=203).image(waybill_page(sample_label(0), size, default_font()))
    assert without.tobytes() != expected.tobytes()


def test_the_courier_page_shows_what_the_label_prints(axe: World) -> None:
    dispatch(axe.rt, axe.waybill(1), axe.couriers[1])
    binding = axe_binding(axe, 1)
    (content,) = _contents(axe, axe.waybill(1))
    with axe.rt.db.read_session() as session:
        call = relay_number(axe.rt, session, axe.waybill(1), axe.couriers[1].id)
    assert call is not None
    assert call["shown"] == content.relay_number == shown(x_of(axe, binding), binding.extension)
    assert call["tel"] == f"{x_of(axe, binding)},{binding.extension}#"


def test_a_binding_made_after_printing_reaches_the_label_only_when_reprinted(
    axe: World,
) -> None:
    event(axe.rt, axe.waybill(2), "assigned", axe.couriers[0].id)
    (before,) = _contents(axe, axe.waybill(2))
    assert before.relay_number == ""  # not bound yet: the masked phone is printed
    event(axe.rt, axe.waybill(2), "out_for_delivery")
    (after,) = _contents(axe, axe.waybill(2))
    assert after.relay_number.endswith(f"转 {axe_binding(axe, 2).extension}")


def test_an_ended_binding_is_not_printed(axe: World) -> None:
    dispatch(axe.rt, axe.waybill(3), axe.couriers[0])
    from parcelguard.relay import service as relay

    with axe.rt.db.session() as session:
        relay.release_binding(axe.rt, session, SYSTEM, axe_binding(axe, 3).binding_id)
    (content,) = _contents(axe, axe.waybill(3))
    assert content.relay_number == ""


def test_an_axb_parcel_prints_its_x_without_extension(world: World) -> None:
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    (content,) = _contents(world, world.waybill(0))
    assert re.fullmatch(r"170 \d{4} \d{4}", content.relay_number)


@pytest.mark.parametrize("value", ["13812345678", "+8613812345678", "138 1234 5678 ext", "张三"])
def test_a_relay_number_that_is_not_one_is_refused_naming_the_field(value: str) -> None:
    from dataclasses import replace

    with pytest.raises(InvalidInput) as refused:
        validate_masked(replace(sample_label(0), relay_number=value))
    assert refused.value.details == {"field": "relay_number"}
    assert value not in str(refused.value)
