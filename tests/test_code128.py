"""Coupon barcodes read back exactly, on the receipt's image and on the
card page, whatever the code: python-barcode's own encoder turned a leading
"99" into nothing ("99GHR0AQ" scanned as "GHR0AQ")."""

from __future__ import annotations

import re

import pytest
import zxingcpp
from PIL import Image, ImageDraw

from stampdesk.printer.render_png import barcode_image
from stampdesk.web.page_symbols import code128_svg

# Fixed codes, so that a run reads the same bars as the last: leading "99"
# (the encoder's old fault), digit runs, letters, the coupon alphabet's edges.
CODES = ["99GHR0AQ", "990C7MVG", "99WQ6DTW", "12345678", "ABCDEFGH", "K7QX3MZD", "Z0Z0Z0Z0", "00999999"]


def page_raster(svg: str, scale: int = 4) -> Image.Image:
    width, height = (int(v) for v in re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups())  # type: ignore[union-attr]
    image = Image.new("L", (width * scale, height * scale), 255)
    draw = ImageDraw.Draw(image)
    for x, y, w, h in re.findall(r"M(\d+) (\d+)h(\d+)v(\d+)", svg):
        x0, y0 = int(x) * scale, int(y) * scale
        draw.rectangle((x0, y0, x0 + int(w) * scale - 1, y0 + int(h) * scale - 1), fill=0)
    return image


@pytest.mark.parametrize("code", CODES)
def test_a_coupon_barcode_reads_back_as_its_code(code: str) -> None:
    for image in (barcode_image(code), page_raster(code128_svg(code))):
        reads = zxingcpp.read_barcodes(image)
        assert [(r.format, r.text) for r in reads] == [(zxingcpp.BarcodeFormat.Code128, code)]
