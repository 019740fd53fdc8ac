"""A receipt as monospace text: for the till's preview, logs and tests.

Every line is exactly the receipt's width; a QR or a barcode is shown as its
payload in brackets, where the printer draws the code.
"""

from __future__ import annotations

from .receipt import QR, Barcode, Cut, Feed, Line, Receipt, layout


def render_text(receipt: Receipt, *, width: int | None = None) -> str:
    """The receipt as lines of exactly ``width`` (default ``receipt.width_chars``) characters."""
    width = width or receipt.width_chars
    out: list[str] = []
    for block in layout(receipt, width=width):
        match block:
            case Line():
                out.append(block.padded(width))
            case Barcode(data, symbology, _):
                out += _bracketed(f"{symbology} {data}", width)
            case QR(data, _):
                out += _bracketed(f"QR {data}", width)
            case Feed(lines):
                out += [" " * width] * lines
            case Cut():
                out.append(("✂" + " -" * width)[:width])
    return "\n".join(out) + "\n"


def _bracketed(payload: str, width: int) -> list[str]:
    text = f"[{payload}]"
    if len(text) <= width:
        return [text.center(width)]
    # A long URL is cut into lines, brackets kept at both ends.
    return [text[i : i + width].ljust(width) for i in range(0, len(text), width)]
