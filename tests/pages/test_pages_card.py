"""The card's private page: stamps, progress, coupons with barcodes, the
card's barcode for the till, its own QR code; and what a link can't open."""

from __future__ import annotations

import base64
import io
import re

import pytest
import zxingcpp
from fastapi.testclient import TestClient
from page_helpers import card_token, join, text_of
from PIL import Image

from helpers import Clock, content
from stampdesk.desk import Desk
from stampdesk.web.page_symbols import code128_svg, ean13_svg, qr_svg


def _enrolled(shop: Desk, client: TestClient, amount: str = "12.50", email: str = "ana@example.org") -> str:
    sale = shop.checkout(amount=amount)
    return card_token(shop, join(client, sale.claim_token, email=email), email)


def test_the_card_page_shows_stamps_progress_coupons_and_barcodes(shop: Desk, client: TestClient) -> None:
    token = _enrolled(shop, client)  # 4 stamps: the croissant at 3 is earned
    card = shop.card_for_link(token)
    shop.checkout(card=card.number, amount="4.00")  # 5 stamps
    page = client.get(f"/card/{token}")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    text = text_of(page.text)
    assert "Bonjour Ana !" in text and "5 tampons sur 10" in text
    assert page.text.count('class="stamp on') == 5 and page.text.count('class="stamp') == 10
    assert "Encore 1 tampon pour : Cookie offert" in text
    assert '<progress value="5" max="6">' in page.text
    [coupon] = card.coupons
    assert "Croissant offert" in text and coupon.code in text
    assert "Valable jusqu'au 01/05/2026" in text  # 60 days from 2 March, short as everywhere
    assert code128_svg(coupon.code) in page.text
    assert ean13_svg(card.number) in page.text
    assert f"{card.number[0]} {card.number[1:7]} {card.number[7:]}" in text
    assert qr_svg(f"https://cafe.example/card/{token}") in page.text
    assert f'href="{token}/data.json"' in page.text and f'href="{token}/erase"' in page.text
    assert f'rel="manifest" href="{token}/manifest.webmanifest"' in page.text
    assert len(page.content) < 40_000


def test_the_page_barcodes_scan_back_to_the_card_number_and_coupon(shop: Desk, client: TestClient) -> None:
    """Drawn as the phone shows them, the codes read back as the till's scanner would."""
    token = _enrolled(shop, client)
    card = shop.card_for_link(token)
    for svg, kind, expected in (
        (ean13_svg(card.number), zxingcpp.BarcodeFormat.EAN13, card.number),
        (code128_svg(card.coupons[0].code), zxingcpp.BarcodeFormat.Code128, card.coupons[0].code),
        (qr_svg(f"https://cafe.example/card/{token}"), zxingcpp.BarcodeFormat.QRCode, None),
    ):
        image = _raster(svg)
        # Read as the till's scanner is set up, for that symbology (zxing
        # may also report a rare second, spurious reading of the same bars).
        texts = [read.text for read in zxingcpp.read_barcodes(image, formats=kind)]
        assert (expected or f"https://cafe.example/card/{token}") == texts[0]


def _raster(svg: str, scale: int = 4) -> Image.Image:
    """Draw one of our SVGs (rectangles only) with Pillow."""
    from PIL import ImageDraw

    width, height = (int(v) for v in re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups())  # type: ignore[union-attr]
    height = max(height, 20)
    image = Image.new("L", (width * scale, height * scale), 255)
    draw = ImageDraw.Draw(image)
    for x, y, w, h in re.findall(r"M(\d+) (\d+)h(\d+)v(\d+)", svg):
        x0, y0 = int(x) * scale, int(y) * scale
        draw.rectangle((x0, y0, x0 + int(w) * scale - 1, y0 + int(h) * scale - 1), fill=0)
    return image


def test_a_card_with_an_expired_coupon_says_so(shop: Desk, client: TestClient, clock: Clock) -> None:
    token = _enrolled(shop, client)
    clock.advance(days=70)
    text = text_of(client.get(f"/card/{token}").text)
    assert "Expiré le 01/05/2026" in text


def test_card_links_are_unguessable_and_never_take_a_card_number(shop: Desk, client: TestClient) -> None:
    token = _enrolled(shop, client)
    number = shop.card_for_link(token).number
    assert len(token) == 32 and number not in token
    _enrolled(shop, client, "3.00", "bob@example.org")  # a second card, whose id is one up
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    raw = base64.urlsafe_b64decode(token)
    next_id = int.from_bytes(raw[:8], "big") + 1
    next_card = base64.urlsafe_b64encode(next_id.to_bytes(8, "big") + raw[8:]).decode()
    for path in (
        f"/card/{number}",
        f"/card/{tampered}",
        f"/card/{next_card}",
        "/card/" + "A" * 32,
        "/card/%00",
        f"/card/{number}/data.json",
        f"/card/{tampered}/data.json",
        f"/card/{tampered}/erase",
        f"/card/{tampered}/qr.svg",
    ):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert number not in answer.text and "Ana" not in answer.text
    assert client.get(f"/card/{token}").status_code == 200


def test_the_link_is_stable_and_matches_the_desk(shop: Desk, client: TestClient) -> None:
    token = _enrolled(shop, client)
    number = shop.card_for_link(token).number
    assert shop.card_token(number) == token
    assert shop.card_link(number) == f"https://cafe.example/card/{token}"


def test_the_home_screen_manifest_and_icons(shop: Desk, client: TestClient) -> None:
    token = _enrolled(shop, client)
    manifest = client.get(f"/card/{token}/manifest.webmanifest")
    assert manifest.status_code == 200
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    data = manifest.json()
    assert data["name"] == "Café Bleu" and data["start_url"] == f"../{token}"
    assert data["display"] == "standalone" and data["theme_color"] == "#1f4e79"
    for icon in data["icons"]:
        assert icon["src"].startswith("../../pages/")
        answer = client.get("/pages/" + icon["src"].rsplit("/", 1)[1])
        assert answer.status_code == 200 and answer.headers["content-type"] == icon["type"]
        if icon["type"] == "image/png":
            size = int(icon["sizes"].split("x")[0])
            assert Image.open(io.BytesIO(answer.content)).size == (size, size)
    assert client.get("/manifest.webmanifest").json()["name"] == "Café Bleu"
    assert client.get("/pages/icon-180.png").status_code == 200
    assert client.get("/pages/icon-999.png").status_code == 404
    css = client.get("/pages/style.css")
    assert css.status_code == 200 and css.text.startswith(":root{--brand:#1f4e79;--accent:#e0a526}")
    assert "max-age" in css.headers["cache-control"]


def test_the_qr_image_of_the_card_link(shop: Desk, client: TestClient) -> None:
    token = _enrolled(shop, client)
    answer = client.get(f"/card/{token}/qr.svg")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("image/svg+xml")
    [read] = zxingcpp.read_barcodes(_raster(answer.text))
    assert read.text == f"https://cafe.example/card/{token}"


@pytest.mark.parametrize("path", ["/join/{claim}", "/card/{card}"])
def test_pages_carry_protective_headers(shop: Desk, client: TestClient, path: str) -> None:
    card = _enrolled(shop, client)
    claim = shop.checkout(amount="5.00").claim_token
    before = content(shop)
    answer = client.get(path.format(claim=claim, card=card))
    assert answer.status_code == 200
    csp = answer.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp and "frame-ancestors 'none'" in csp
    assert answer.headers["referrer-policy"] == "same-origin"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "<script" not in answer.text  # works without JavaScript
    assert content(shop) == before  # looking writes nothing


def test_a_receipt_token_never_opens_a_card_nor_a_card_token_a_receipt(
    shop: Desk, client: TestClient
) -> None:
    """Both are 32 characters signed under the same secret, for different purposes."""
    sale = shop.checkout(amount="5.00")
    assert sale.claim_token
    card = _enrolled(shop, client)
    before = content(shop)
    assert client.get(f"/card/{sale.claim_token}").status_code == 404
    assert client.get(f"/join/{card}").status_code == 404
    assert client.get(f"/join/{sale.claim_token}").status_code == 200
    assert content(shop) == before
