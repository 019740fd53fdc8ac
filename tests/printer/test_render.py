"""Renderers: the PNG preview and the ESC/POS bytes say what the receipt says.

Codes are read back with zxing-cpp, from the picture and from the printer's
raster bytes: a code a phone or a scanner could not read fails the test.
ESC/POS is checked with plain byte searches (the full decoder lives elsewhere).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image, ImageOps
from test_receipt import COUPON_CODE, ENROL_URL, card_sale, walk_in_sale

from stampdesk.printer.receipt import QR, Receipt, Row, Rule, Text, Title, build_test_receipt
from stampdesk.printer.render_png import barcode_image, barcode_modules, qr_image, render_png
from stampdesk.printer.render_text import render_text

INIT = b"\x1b@"
CP858 = b"\x1bt\x13"  # ESC t 19
NATIVE_QR = b"\x1d(k"
RASTER = b"\x1dv0"
CODE128 = b"\x1dkI"  # GS k 73: CODE128, function B
CUT = b"\x1dV"


@dataclass(frozen=True)
class Model:
    """What python-escpos's capabilities say of a printer, as the bytes must show it."""

    columns: int
    native: bool  # native QR and hardware CODE128
    cut: bool
    codepage: bytes  # the ESC t command
    codec: str


# Real python-escpos profiles.
PROFILES = {
    # 80 mm, 42 columns: native QR, hardware CODE128, cutter.
    "TM-T88V": Model(42, native=True, cut=True, codepage=CP858, codec="cp858"),
    # 80 mm, 48 columns: the same features.
    "TM-T20II": Model(48, native=True, cut=True, codepage=CP858, codec="cp858"),
    # 58 mm, 32 columns: raster images only, no cutter.
    "POS-5890": Model(32, native=False, cut=False, codepage=CP858, codec="cp858"),
    # 58 mm without CP858: CP1252 (ESC t 16) still has "€" and "œ".
    "ZJ-5870": Model(32, native=False, cut=False, codepage=b"\x1bt\x10", codec="cp1252"),
}


@pytest.fixture(autouse=True)
def escpos_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """python-escpos's capability cache goes to a test directory, not the user's cache."""
    monkeypatch.setenv("ESCPOS_CAPABILITIES_PICKLE_DIR", str(tmp_path_factory.getbasetemp()))


def render_escpos(receipt: Receipt, profile: str | None) -> bytes:
    from stampdesk.printer.escpos_render import render_escpos

    return render_escpos(receipt, profile=profile)


def read_codes(image: Image.Image) -> list[tuple[str, str]]:
    return [(r.format.name, r.text) for r in zxingcpp.read_barcodes(image)]


def raster_images(data: bytes) -> Iterator[Image.Image]:
    """The pictures of the ``GS v 0`` commands in ``data``, black on white."""
    for match in re.finditer(re.escape(RASTER), data):
        start = match.end() + 1  # after the density byte
        row_bytes = int.from_bytes(data[start : start + 2], "little")
        rows = int.from_bytes(data[start + 2 : start + 4], "little")
        bits = data[start + 4 : start + 4 + row_bytes * rows]
        # In ESC/POS a 1 bit is a black dot; in Pillow's mode "1" it is white.
        picture = ImageOps.invert(Image.frombytes("1", (row_bytes * 8, rows), bits).convert("L"))
        yield ImageOps.expand(picture, border=40, fill=255)


# --- PNG --------------------------------------------------------------------


@pytest.mark.parametrize("width_px", [576, 384])
def test_the_coupon_barcode_in_the_picture_scans(width_px: int) -> None:
    picture = render_png(card_sale(width=42 if width_px == 576 else 32), width_px=width_px)
    assert picture.width == width_px
    assert read_codes(picture) == [("Code128", COUPON_CODE)]


@pytest.mark.parametrize("width_px", [576, 384])
def test_the_enrolment_qr_in_the_picture_scans(width_px: int) -> None:
    picture = render_png(walk_in_sale(width=42 if width_px == 576 else 32), width_px=width_px)
    assert read_codes(picture) == [("QRCode", ENROL_URL)]


def test_the_test_page_picture_has_both_codes() -> None:
    codes = read_codes(render_png(build_test_receipt("Café Bleu", "fr_FR", 32), width_px=384))
    assert sorted(codes) == [("Code128", "TEST1234"), ("QRCode", "https://stampdesk.example/print-test")]


def test_barcodes_have_at_least_three_pixels_a_module() -> None:
    modules = len(barcode_modules(COUPON_CODE))
    picture = barcode_image(COUPON_CODE, max_px=384)  # 58 mm paper, the narrowest
    dark = [x for x in range(picture.width) if picture.getpixel((x, 0)) == 0]
    # A CODE128 starts and ends with a bar: from the first to the last, 3 pixels a module.
    assert dark[-1] - dark[0] + 1 == modules * 3
    assert read_codes(ImageOps.expand(picture, border=30, fill=255)) == [("Code128", COUPON_CODE)]


def test_a_picture_that_cannot_be_read_fails_the_check() -> None:
    """The check is real: the same QR squeezed to 1 pixel a module and blurred is not read."""
    small = qr_image(ENROL_URL, module_px=1, border=0).resize((20, 20), Image.Resampling.BILINEAR)
    assert read_codes(ImageOps.expand(small, border=10, fill=255)) == []


def test_without_a_truetype_font_the_picture_still_has_its_columns_and_codes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A machine without DejaVu (nor python-barcode's copy) falls back on Pillow's own font."""
    from stampdesk.printer import render_png as module

    module._font.cache_clear()
    monkeypatch.setattr(module, "_font_path", lambda bold: None)
    try:
        picture = render_png(walk_in_sale(), width_px=576)
    finally:
        module._font.cache_clear()
    assert picture.width == 576
    assert read_codes(picture) == [("QRCode", ENROL_URL)]


def test_the_picture_is_the_same_each_time() -> None:
    assert render_png(card_sale()).tobytes() == render_png(card_sale()).tobytes()


# --- ESC/POS ----------------------------------------------------------------


@pytest.mark.parametrize("profile", list(PROFILES))
def test_the_printer_is_initialised_then_given_its_code_page_before_any_accent(profile: str) -> None:
    model = PROFILES[profile]
    data = render_escpos(card_sale(width=model.columns), profile)
    assert data.startswith(INIT + model.codepage)
    assert data.index(model.codepage) < data.index("Café".encode(model.codec))
    assert "4,50 €".encode(model.codec) in data


@pytest.mark.parametrize("profile", list(PROFILES))
def test_lines_are_as_wide_as_the_profiles_font(profile: str) -> None:
    model = PROFILES[profile]
    data = render_escpos(card_sale(), profile)
    money_line = next(line for line in data.split(b"\n") if line.endswith("4,50 €".encode(model.codec)))
    money_line = money_line.replace(b"\x1b!\x08", b"")  # the row is bold
    assert len(money_line) == model.columns


@pytest.mark.parametrize("profile", list(PROFILES))
def test_the_enrolment_qr_is_native_or_a_raster_that_scans(profile: str) -> None:
    data = render_escpos(walk_in_sale(), profile)
    if PROFILES[profile].native:
        assert NATIVE_QR in data
        assert b"1P0" + ENROL_URL.encode() in data  # stored in the symbol, then printed
        assert data.index(b"1P0") < data.index(NATIVE_QR + b"\x03\x001Q0")
        assert RASTER not in data
    else:
        assert NATIVE_QR not in data
        codes = [read_codes(picture) for picture in raster_images(data)]
        assert codes == [[("QRCode", ENROL_URL)]]


@pytest.mark.parametrize("profile", list(PROFILES))
def test_the_coupon_barcode_is_hardware_code128_or_a_raster_that_scans(profile: str) -> None:
    data = render_escpos(card_sale(), profile)
    if PROFILES[profile].native:
        payload = b"{B" + COUPON_CODE.encode()
        assert CODE128 + bytes((len(payload),)) + payload in data
        assert RASTER not in data
    else:
        assert CODE128 not in data
        codes = [read_codes(picture) for picture in raster_images(data)]
        assert codes == [[("Code128", COUPON_CODE)]]
    # Whatever draws the bars, the code is then printed for the cashier to type.
    bars = data.index(CODE128 if PROFILES[profile].native else RASTER)
    assert data.index(COUPON_CODE.encode() + b"\n", bars) > bars


@pytest.mark.parametrize("profile", list(PROFILES))
def test_the_receipt_ends_with_a_cut_where_there_is_a_cutter(profile: str) -> None:
    data = render_escpos(card_sale(), profile)
    if PROFILES[profile].cut:
        assert data.endswith(CUT + b"B\x00")
    else:
        assert CUT not in data
        assert data.endswith(b"\x1bd\x04")  # fed past the tear bar


def test_native_codes_can_be_turned_off_for_a_printer_whose_profile_claims_too_much() -> None:
    from stampdesk.printer.escpos_render import render_escpos as render

    data = render(walk_in_sale(), profile="TM-T88V", native_codes=False)
    assert NATIVE_QR not in data
    assert [read_codes(picture) for picture in raster_images(data)] == [[("QRCode", ENROL_URL)]]


def test_a_standard_receipt_fits_in_a_kilobyte_with_native_codes() -> None:
    assert len(render_escpos(card_sale(), "TM-T88V")) <= 1024
    assert len(render_escpos(walk_in_sale(), "TM-T88V")) <= 1024


def test_characters_the_code_page_lacks_are_substituted_not_dropped() -> None:
    receipt = build_test_receipt("Café Bleu", "fr_FR", 42)
    cp858 = render_escpos(receipt, "TM-T88V")
    # àéèçù in CP858, "œ" spelled out, "€" at 0xD5; the bar in block characters.
    assert b"\x85\x82\x8a\x87\x97oe\xd5" in cp858
    assert b"\xdb\xdb\xdb\xb0\xb0\xb0\xb0\xb0\xb0\xb0 3/10 - Croissant offert \x85 4" in cp858
    assert b"?" not in cp858.replace(b"https://stampdesk.example/print-test", b"")
    # A printer with CP437 only (no "€"): EUR.
    cp437 = render_escpos(receipt, "TM-U220")
    assert cp437.startswith(INIT + b"\x1bt\x00")
    assert b"\x85\x82\x8a\x87\x97oeEUR" in cp437
    assert b"4,50 EUR" in cp437


def test_what_is_printed_is_what_is_previewed() -> None:
    receipt = Receipt(
        (Title("Cafe Bleu"), Text("12 rue des Lilas", "center"), Rule(), Row("Montant", "4,50"), Rule()),
        48,
    )
    data = render_escpos(receipt, "TM-T20II")
    commands = re.compile(rb"\x1b@|\x1bt.|\x1ba.|\x1b!.|\x1dVB\x00", re.DOTALL)
    printed = [line.decode("cp858") for line in commands.sub(b"", data).split(b"\n") if line]
    assert printed == [line.strip() for line in render_text(receipt).splitlines() if line.strip()]


def test_rendering_prints_nothing_on_stdout(capfd: pytest.CaptureFixture[str]) -> None:
    for profile in PROFILES:
        render_escpos(card_sale(), profile)
        render_escpos(walk_in_sale(), profile)
    render_escpos(card_sale(), "TM-U220")  # column-mode pictures
    assert capfd.readouterr().out == ""


def test_an_unknown_profile_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="TM-T88V"):
        render_escpos(card_sale(), "TM-NOPE")


def test_the_qr_caption_follows_the_qr() -> None:
    data = render_escpos(walk_in_sale(), "TM-T88V")
    assert data.index(NATIVE_QR) < data.index(b"Scannez pour garder vos 2 tampons")
    assert any(isinstance(e, QR) for e in walk_in_sale().elements)


# --- Import cost ------------------------------------------------------------


def _python(code: str, tmp_path: Path) -> str:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("ESCPOS_CAPABILITIES_PICKLE_DIR", None)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return done.stdout


def test_building_and_previewing_a_receipt_does_not_import_escpos(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "import stampdesk.printer.receipt, stampdesk.printer.render_text, stampdesk.printer.render_png\n"
        "import stampdesk.printer.escpos_render\n"
        "print('escpos' in sys.modules)"
    )
    assert _python(code, tmp_path).strip() == "False"


def test_escpos_is_imported_when_a_receipt_is_rendered_for_a_printer_and_quietly(tmp_path: Path) -> None:
    code = (
        "import logging, sys\n"
        "from stampdesk.printer.receipt import build_test_receipt\n"
        "from stampdesk.printer.escpos_render import render_escpos\n"
        "data = render_escpos(build_test_receipt('Cafe', 'en_GB', 42), profile='POS-5890')\n"
        "print('escpos' in sys.modules, len(data) > 0, logging.getLogger().handlers)"
    )
    assert _python(code, tmp_path) == "True True []\n"
    # python-escpos's capability cache went to the user cache, not a new temporary directory.
    assert list((tmp_path / "cache" / "stampdesk" / "escpos").glob("*.capabilities.pickle"))
