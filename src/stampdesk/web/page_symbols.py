"""Barcodes and QR codes as small inline SVG for the customer's pages.

python-barcode computes the bars and qrcode the modules; drawing them here as
one ``<path>`` each keeps a card page a few kilobytes, needs no image request,
no inline style (the pages' Content-Security-Policy forbids it) and stays
sharp at any zoom, so a till scanner reads the phone's screen. A drawing
never changes for the same data, so the last ones are kept (a QR code costs
milliseconds to compute).
"""

from __future__ import annotations

from functools import lru_cache
from html import escape


def _runs(bits: str) -> list[tuple[int, int]]:
    """``"0110111"`` → ``[(1, 2), (4, 3)]``: (start, length) of each run of 1s."""
    runs: list[tuple[int, int]] = []
    start = -1
    for i, bit in enumerate(bits + "0"):
        if bit == "1" and start < 0:
            start = i
        elif bit != "1" and start >= 0:
            runs.append((start, i - start))
            start = -1
    return runs


def _linear_svg(modules: str, label: str, height: int = 60, quiet: int = 10) -> str:
    width = len(modules) + 2 * quiet
    path = "".join(f"M{quiet + x} 0h{w}v{height}h-{w}z" for x, w in _runs(modules))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'preserveAspectRatio="none" shape-rendering="crispEdges" role="img" aria-label="{escape(label)}">'
        f'<rect width="{width}" height="{height}" fill="#fff"/><path fill="#000" d="{path}"/></svg>'
    )


@lru_cache(maxsize=2048)
def ean13_svg(number: str) -> str:
    """The EAN-13 barcode of a card number, as the till's scanner reads it."""
    import barcode  # type: ignore[import-untyped]

    [modules] = barcode.get("ean13", number).build()
    return _linear_svg(modules, number)


@lru_cache(maxsize=2048)
def code128_svg(text: str) -> str:
    """A Code 128 barcode (coupon codes, as printed on the receipts)."""
    from ..code128 import code128_modules

    return _linear_svg(code128_modules(text), text)


@lru_cache(maxsize=2048)
def qr_svg(data: str, quiet: int = 4) -> str:
    """A QR code (medium error correction) of ``data``."""
    import qrcode  # type: ignore[import-untyped]
    from qrcode.constants import ERROR_CORRECT_M  # type: ignore[import-untyped]

    code = qrcode.QRCode(border=0, error_correction=ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix) + 2 * quiet
    path = "".join(
        f"M{quiet + x} {quiet + y}h{w}v1h-{w}z"
        for y, row in enumerate(matrix)
        for x, w in _runs("".join("1" if dark else "0" for dark in row))
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'shape-rendering="crispEdges" role="img" aria-label="QR">'
        f'<rect width="{size}" height="{size}" fill="#fff"/><path fill="#000" d="{path}"/></svg>'
    )
