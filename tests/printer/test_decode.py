"""The ESC/POS decoder reads what python-escpos really sends, as a printer would.

Bytes come from python-escpos's ``Dummy`` printer (an 80 mm and a 58 mm
profile), or are written by hand where python-escpos cannot say it.
"""

from __future__ import annotations

import pytest
import zxingcpp
from escpos.constants import RT_STATUS_ONLINE, RT_STATUS_PAPER
from escpos.printer import Dummy
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops

from stampdesk.printer.decode import (
    PAPER_MARGIN,
    Decoded,
    Feed,
    StreamDecoder,
    code128_human,
    decode,
    page_to_png,
    page_to_text,
)

ESC, GS, FS, DLE = b"\x1b", b"\x1d", b"\x1c", b"\x10"
INIT = ESC + b"@"
PROFILES = ["TM-T88V", "RP-F10-58mm"]  # 80 mm, and a 58 mm printer that has a cutter
JOIN_URL = "https://cafe.example/join/abc"


def printer(profile: str = "TM-T88V") -> Dummy:
    return Dummy(profile=profile)


def code_page(n: int) -> bytes:
    return ESC + b"t" + bytes([n])


def checkerboard(width: int, height: int) -> Image.Image:
    image = Image.new("1", (width, height), 1)
    for y in range(height):
        for x in range(width):
            if (x // 4 + y // 4) % 2:
                image.putpixel((x, y), 0)
    return image


# --------------------------------------------------------------------------- text


@pytest.mark.parametrize("profile", PROFILES)
def test_accents_in_cp858_are_read_with_cp858(profile: str) -> None:
    p = printer(profile)
    p.hw("INIT")
    p.charcode("CP858")
    p.textln("Café Bleu : crème brûlée, 3,50 €")
    page = decode(p.output).pages[0]
    assert code_page(19) in p.output
    assert page.text_lines == ["Café Bleu : crème brûlée, 3,50 €"]
    assert page.lines[0].codepage == "CP858"


@pytest.mark.parametrize(
    ("number", "codec", "name"),
    [(0, "cp437", "CP437"), (2, "cp850", "CP850"), (16, "cp1252", "CP1252"), (19, "cp858", "CP858")],
)
def test_each_code_page_reads_its_own_bytes(number: int, codec: str, name: str) -> None:
    text = "Crème brûlée à l'île" if codec != "cp437" else "Crème brûlée"
    page = decode(INIT + code_page(number) + text.encode(codec) + b"\n").pages[0]
    assert page.lines[0].text == text
    assert page.lines[0].codepage == name


def test_the_euro_sign_in_cp858_and_cp1252() -> None:
    data = INIT + code_page(19) + "15,00 €\n".encode("cp858") + code_page(16) + "16,00 €\n".encode("cp1252")
    lines = decode(data).pages[0].lines
    assert [line.text for line in lines] == ["15,00 €", "16,00 €"]
    assert [line.codepage for line in lines] == ["CP858", "CP1252"]


def test_python_escpos_magic_encoding_picks_greek_for_the_euro_and_the_decoder_follows() -> None:
    p = printer()
    p.textln("€ puis é")
    line = decode(p.output).pages[0].lines[0]
    assert line.text == "€ puis é"
    assert line.codepages == ("ISO_8859-7", "CP437")  # ESC t 15 for €, ESC t 0 for é
    assert line.codepage == "ISO_8859-7"


def test_after_init_the_printer_is_back_in_cp437_though_python_escpos_forgets_to_say_so() -> None:
    p = printer()
    p.charcode("CP858")
    p.hw("INIT")
    p.textln("3,50 €")  # python-escpos still encodes in CP858 and sends no ESC t
    line = decode(p.output).pages[0].lines[0]
    assert line.codepage == "CP437"
    assert line.text == "3,50 ╒"  # what the paper shows: CP858's € byte read as CP437
    # Saying the code page again after ESC @ is what a till must do:
    fixed = decode(INIT + code_page(19) + "3,50 €\n".encode("cp858")).pages[0].lines[0]
    assert (fixed.text, fixed.codepage) == ("3,50 €", "CP858")


def test_bold_centre_and_sizes() -> None:
    p = printer()
    p.set(bold=True, align="center")
    p.textln("Café Bleu")
    p.set(bold=False, align="left", double_width=True, double_height=True)
    p.textln("10 tampons")
    p.set(normal_textsize=True, custom_size=True, width=3, height=2)
    p.textln("big")
    p.set_with_default()
    p.textln("plain")
    title, double, custom, plain = decode(p.output).pages[0].lines
    assert (title.text, title.bold, title.align) == ("Café Bleu", True, "center")
    assert (double.bold, double.align, double.width, double.height) == (False, "left", 2, 2)
    assert (custom.width, custom.height) == (3, 2)
    assert (plain.bold, plain.width, plain.height, plain.align) == (False, 1, 1, "left")


def test_style_changes_within_a_line_make_spans() -> None:
    data = INIT + b"Total " + ESC + b"E\x01" + b"12,50" + ESC + b"E\x00" + b" EUR\n"
    line = decode(data).pages[0].lines[0]
    assert [(span.text, span.bold) for span in line.spans] == [
        ("Total ", False),
        ("12,50", True),
        (" EUR", False),
    ]
    assert line.text == "Total 12,50 EUR"
    assert not line.bold


def test_feeds_are_blank_paper_not_lines() -> None:
    p = printer()
    p.textln("a")
    p.ln(2)
    p.print_and_feed(3)
    p.textln("b")
    page = decode(p.output).pages[0]
    assert page.text_lines == ["a", "b"]
    assert page.items[1] == Feed(lines=5)


def test_init_drops_a_line_not_yet_printed() -> None:
    page = decode(b"lost" + INIT + b"kept\n").pages[0]
    assert page.text_lines == ["kept"]
    assert page.inits == 1


# --------------------------------------------------------------------------- codes and images


@pytest.mark.parametrize("profile", PROFILES)
def test_native_qr_code_payload(profile: str) -> None:
    p = printer(profile)
    p.qr(JOIN_URL, native=True, size=4, ec=1)
    [qr] = decode(p.output).pages[0].qr_codes
    assert qr.data == JOIN_URL
    assert (qr.model, qr.module_size, qr.error_correction) == (2, 4, "M")


def test_a_qr_code_is_printed_only_by_function_81() -> None:
    p = printer()
    p.qr(JOIN_URL, native=True)
    store_only = p.output[: p.output.rindex(GS + b"(k")]
    assert decode(store_only).pages == []


@pytest.mark.parametrize("profile", PROFILES)
def test_code128_barcode_data_without_the_code_set(profile: str) -> None:
    p = printer(profile)
    p.barcode("{BK7QX3MZD", "CODE128", function_type="B")
    [code] = decode(p.output).pages[0].barcodes
    assert (code.symbology, code.data, code.code_set) == ("CODE128", "K7QX3MZD", "B")
    assert code.raw == b"{BK7QX3MZD"
    assert (code.height, code.module_width, code.hri, code.align) == (64, 3, "below", "center")


def test_code128_code_sets_shift_and_escapes() -> None:
    assert code128_human(b"{C\x0c\x22\x38") == ("123456", "C")  # code set C: one byte, two digits
    assert code128_human(b"{BAB{C\x0c{BZ") == ("AB12Z", "B")
    assert code128_human(b"{B{1AB{{C") == ("AB{C", "B")  # FNC1 is no data; {{ is a brace
    # python-escpos accepts "{C1234" and sends ASCII digits: the printer reads 49, 50…
    assert code128_human(b"{C12") == ("4950", "C")


def test_function_a_barcode_ends_at_nul() -> None:
    p = printer()
    p.barcode("4006381333931", "EAN13", function_type="A")
    [code] = decode(p.output).pages[0].barcodes
    assert (code.symbology, code.data, code.code_set) == ("EAN13", "4006381333931", None)


@pytest.mark.parametrize(
    ("impl", "source", "size"),
    [
        ("bitImageRaster", "GS v 0", (64, 32)),
        ("graphics", "GS ( L", (64, 32)),
        ("bitImageColumn", "ESC *", (64, 48)),
    ],
)
@pytest.mark.parametrize("profile", PROFILES)
def test_images_come_back_pixel_for_pixel(
    profile: str, impl: str, source: str, size: tuple[int, int]
) -> None:
    original = checkerboard(64, 32)
    p = printer(profile)
    p.image(original, impl=impl)
    page = decode(p.output).pages[0]
    [image] = page.images
    assert image.source == source
    assert image.size == size  # column images come in 24-dot bands
    assert (image.scale_x, image.scale_y) == (1, 1)
    assert (
        ImageChops.difference(image.image.crop((0, 0, 64, 32)).convert("L"), original.convert("L")).getbbox()
        is None
    )
    assert page.text_lines == []  # the LF after each column band is part of the image


def test_raster_width_is_a_whole_number_of_bytes() -> None:
    p = printer()
    p.image(checkerboard(50, 10))
    assert decode(p.output).pages[0].images[0].size == (56, 10)


# --------------------------------------------------------------------------- pages, requests, the unknown


@pytest.mark.parametrize("profile", PROFILES)
def test_a_page_ends_at_each_cut(profile: str) -> None:
    p = printer(profile)
    p.textln("first")
    p.cut()
    p.textln("second")
    p.cut(mode="PART")
    p.textln("left in the printer")
    decoded = decode(p.output)
    assert [page.text_lines for page in decoded.pages] == [["first"], ["second"], ["left in the printer"]]
    first, second, last = decoded.pages
    assert first.cut is not None and not first.cut.partial
    assert second.cut is not None and second.cut.partial
    assert last.cut is None
    assert first.items[-1] == Feed(lines=6)  # python-escpos feeds 6 lines before cutting


def test_the_cut_commands() -> None:
    cuts = [GS + b"V\x00", GS + b"V1", GS + b"VA\x10", GS + b"VB\x00", ESC + b"i", ESC + b"m"]
    decoded = decode(b"".join(b"x\n" + cut for cut in cuts))
    assert [(page.cut.partial, page.cut.feed) for page in decoded.pages if page.cut] == [
        (False, 0),
        (True, 0),
        (False, 16),
        (True, 0),
        (False, 0),
        (True, 0),
    ]


def test_status_requests_are_recorded() -> None:
    data = (
        INIT
        + RT_STATUS_ONLINE
        + DLE
        + b"\x04\x02"
        + RT_STATUS_PAPER
        + GS
        + b"r\x01"
        + GS
        + b"a\x0f"
        + b"ok\n"
    )
    decoded = decode(data)
    assert [(r.command, r.n) for r in decoded.requests] == [
        ("DLE EOT", 1),
        ("DLE EOT", 2),
        ("DLE EOT", 4),
        ("GS r", 1),
        ("GS a", 15),
    ]
    assert decoded.requests[0].offset == 2
    assert decoded.pages[0].text_lines == ["ok"]
    assert decoded.pages[0].requests == decoded.requests


def test_unknown_commands_are_skipped_and_recorded() -> None:
    unknown_esc, unknown_fs, truncated = ESC + b"\x01", FS + b"\x7f", GS + b"v0\x00\x10"
    # GS ( Z is not a command the decoder knows, but GS ( says how long it is.
    data = INIT + unknown_esc + b"A\n" + GS + b"(Z\x03\x00abc" + b"B\n" + unknown_fs + b"C\n" + truncated
    decoded = decode(data)
    assert decoded.text_lines == ["A", "B", "C"]
    assert [unknown.raw for unknown in decoded.unknown] == [unknown_esc, unknown_fs, truncated]
    assert decoded.unknown[-1].reason == "truncated command"


def test_python_escpos_slip_wait_time_double_escape_does_not_derail() -> None:
    # python-escpos's SLIP_SET_WAIT_TIME is ESC ESC f: the first ESC is skipped alone.
    decoded = decode(ESC + ESC + b"f\x01\x02" + b"after\n")
    assert decoded.text_lines == ["after"]
    assert [unknown.raw for unknown in decoded.unknown] == [ESC]


def test_page_to_text() -> None:
    p = printer()
    p.set(align="center", bold=True)
    p.textln("Café Bleu")
    p.set(align="left", bold=False)
    p.textln("Café crème       2,80")
    p.qr(JOIN_URL, native=True)
    p.barcode("{BK7QX3MZD", "CODE128", function_type="B")
    p.cut()
    text = page_to_text(decode(p.output).pages[0])
    lines = text.splitlines()
    assert lines[0] == " " * 19 + "Café Bleu"
    assert lines[1] == "Café crème       2,80"
    assert lines[2] == f"[QR {JOIN_URL}]"
    assert lines[3].strip() == "[CODE128 K7QX3MZD]"
    assert lines[-1].startswith("✂")


@pytest.mark.parametrize(("profile", "width"), [("TM-T88V", 576), ("RP-F10-58mm", 384)])
def test_page_to_png_codes_read_back(profile: str, width: int) -> None:
    p = printer(profile)
    p.textln("Café Bleu")
    p.qr(JOIN_URL, native=True)
    p.barcode("{BK7QX3MZD", "CODE128", function_type="B")
    p.image(checkerboard(64, 32))
    p.cut()
    image = page_to_png(decode(p.output).pages[0], width_px=width)
    assert image.width == width + 2 * PAPER_MARGIN
    found = {(result.format, result.text) for result in zxingcpp.read_barcodes(image)}
    assert found == {(zxingcpp.BarcodeFormat.QRCode, JOIN_URL), (zxingcpp.BarcodeFormat.Code128, "K7QX3MZD")}


# --------------------------------------------------------------------------- streaming


def test_a_command_split_across_reads_is_decoded_when_complete() -> None:
    p = printer()
    p.image(checkerboard(64, 32))
    data = p.output + RT_STATUS_ONLINE
    decoder = StreamDecoder()
    assert decoder.feed(data[:5]).requests == []
    progress = decoder.feed(data[5:-1])
    assert progress.requests == []
    assert [r.n for r in decoder.feed(data[-1:]).requests] == [1]
    decoder.close()
    assert decoder.decoded.pages[0].images[0].size == (64, 32)


def test_nothing_is_printed_while_not_printing_but_requests_are_seen() -> None:
    decoder = StreamDecoder()
    decoder.printing = False
    progress = decoder.feed(b"lost\n" + RT_STATUS_PAPER + GS + b"V\x00")
    assert [r.n for r in progress.requests] == [4]
    assert progress.pages == []
    decoder.printing = True
    progress = decoder.feed(b"kept\n" + GS + b"V\x00")
    assert [page.text_lines for page in progress.pages] == [["kept"]]
    assert decoder.decoded.discarded_bytes == 5 + 3


def receipt_bytes() -> bytes:
    p = printer()
    p.hw("INIT")
    p.charcode("CP858")
    p.set(align="center", bold=True)
    p.textln("Café Bleu — 3,50 €")
    p.qr(JOIN_URL, native=True)
    p.barcode("{BK7QX3MZD", "CODE128", function_type="B")
    p.image(checkerboard(24, 8), impl="bitImageColumn")
    p.cut()
    return bytes(p.output) + RT_STATUS_PAPER


def outline(decoded: Decoded) -> list[tuple[object, ...]]:
    """What each page printed, comparable between two decodings."""
    return [
        (
            tuple(page.lines),
            tuple(page.qr_codes),
            tuple(page.barcodes),
            tuple((image.source, image.image.tobytes()) for image in page.images),
            page.cut,
        )
        for page in decoded.pages
    ]


@settings(max_examples=60, deadline=None)
@given(cuts=st.lists(st.integers(min_value=0, max_value=len(receipt_bytes())), max_size=8))
def test_any_split_of_the_stream_decodes_the_same(cuts: list[int]) -> None:
    data = receipt_bytes()
    whole = decode(data)
    decoder = StreamDecoder()
    bounds = [0, *sorted(cuts), len(data)]
    for start, end in zip(bounds, bounds[1:], strict=False):
        decoder.feed(data[start:end])
    decoder.close()
    split = decoder.decoded
    assert outline(split) == outline(whole)
    assert [(r.command, r.n, r.offset) for r in split.requests] == [
        (r.command, r.n, r.offset) for r in whole.requests
    ]


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=400))
def test_no_bytes_make_the_decoder_raise(data: bytes) -> None:
    decoded = decode(data)
    for page in decoded.pages:
        page_to_text(page)


@settings(max_examples=100, deadline=None)
@given(
    data=st.lists(
        st.sampled_from([ESC, GS, DLE, FS, b"\x00", b"\n", b"k", b"(", b"v0", b"*", b"!"]), max_size=60
    )
)
def test_command_prefixes_in_any_order_do_not_make_it_raise(data: list[bytes]) -> None:
    decode(b"".join(data))
