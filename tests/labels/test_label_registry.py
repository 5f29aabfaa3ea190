"""The renderer registry and the public surface the label service calls."""

from __future__ import annotations

import inspect

import pytest

from parcelguard.errors import InvalidInput
from parcelguard.labels.content import LabelContent
from parcelguard.labels.registry import PRINTER_LANGUAGES, RENDERERS, formats, renderer_for
from parcelguard.labels.renderer import LabelRenderer


def test_registered_formats() -> None:
    assert formats() == ["pdf", "png", "zpl", "tspl", "escpos", "zpl-raster"]
    assert PRINTER_LANGUAGES == ("zpl", "tspl", "escpos", "zpl-raster")
    expected = {
        "pdf": ("application/pdf", "pdf", True),
        "png": ("image/png", "png", False),
        "zpl": ("text/plain; charset=utf-8", "zpl", True),
        "tspl": ("application/octet-stream", "tspl", True),
        "escpos": ("application/octet-stream", "escpos", True),
        "zpl-raster": ("text/plain; charset=utf-8", "zpl", True),
    }
    for name, cls in RENDERERS.items():
        assert issubclass(cls, LabelRenderer) and cls.name == name
        assert (cls.media_type, cls.extension, cls.combines) == expected[name]


@pytest.mark.parametrize("name", ["pdf", "PNG", " zpl ", "TSPL", "escpos"])
def test_renderer_for(name: str, label: LabelContent) -> None:
    renderer = renderer_for(name, dpi=300)
    assert renderer.dpi == 300
    assert renderer.render(label)


def test_unknown_format_and_resolution() -> None:
    with pytest.raises(InvalidInput) as caught:
        renderer_for("svg")
    assert caught.value.code == "unknown_label_format"
    assert caught.value.details == {"formats": formats()}
    assert "zpl-raster" in formats()
    with pytest.raises(InvalidInput) as caught:
        renderer_for("png", dpi=150)
    assert caught.value.code == "unsupported_dpi"


def test_the_service_facing_methods() -> None:
    public = {name for name, _ in inspect.getmembers(LabelRenderer) if not name.startswith("_")}
    assert {"render", "render_many", "render_shelf", "render_shelves", "draw"} <= public
    params = inspect.signature(LabelRenderer.render_many).parameters
    assert list(params) == ["self", "labels", "size", "progress"]
    assert params["progress"].kind is inspect.Parameter.KEYWORD_ONLY
