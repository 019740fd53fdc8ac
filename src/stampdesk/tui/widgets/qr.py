"""A QR code on the terminal, drawn with Unicode half blocks.

Each character cell holds two modules, one above the other (a cell is about
twice as tall as it is wide, so the modules come out square):

    "█" both dark, "▀" the upper one, "▄" the lower one, " " neither.

The code is drawn black on white whatever the terminal's colours, with a
quiet zone of light modules around it, so a phone reads it off the screen.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text as RichText

from .plain import PlainStatic

FULL, UPPER, LOWER, EMPTY = "█", "▀", "▄", " "
_GLYPHS = {(True, True): FULL, (True, False): UPPER, (False, True): LOWER, (False, False): EMPTY}
#: Error correction tried in turn: M (as on the receipt) first; L is one
#: version smaller, for a long shop address on a small terminal.
ERROR_LEVELS = ("M", "L")
#: Quiet zones tried in turn, in modules: the standard's 4 when there is
#: room, 2 at the least (what phones need off a screen).
QUIET_ZONES = (4, 3, 2)
QR_STYLE = Style(color="#000000", bgcolor="#ffffff")


def qr_modules(data: str, level: str = "M") -> list[list[bool]]:
    """The modules of the QR code of ``data`` (True: dark), without quiet zone."""
    import qrcode  # type: ignore[import-untyped]  # only once a walk-in needs a code
    from qrcode import constants

    code = qrcode.QRCode(error_correction=getattr(constants, f"ERROR_CORRECT_{level}"), border=0)
    code.add_data(data)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    return matrix


def half_blocks(matrix: Sequence[Sequence[bool]], border: int) -> list[str]:
    """``matrix`` with ``border`` light modules around it, as text: one line
    for two rows of modules (an odd last row is paired with a light one)."""
    width = len(matrix) + 2 * border
    light = [False] * width
    rows = (
        [light] * border + [[False] * border + list(r) + [False] * border for r in matrix] + [light] * border
    )
    if len(rows) % 2:
        rows.append(light)
    return [
        "".join(_GLYPHS[top, bottom] for top, bottom in zip(rows[i], rows[i + 1], strict=True))
        for i in range(0, len(rows), 2)
    ]


def fit_qr(data: str, columns: int, lines: int) -> list[str] | None:
    """The QR code of ``data`` drawn in at most ``columns`` × ``lines`` cells,
    with the most error correction and the widest quiet zone that fit; None
    when even the smallest drawing does not."""
    for level in ERROR_LEVELS:
        matrix = qr_modules(data, level)
        for border in QUIET_ZONES:
            size = len(matrix) + 2 * border
            if size <= columns and (size + 1) // 2 <= lines:
                return half_blocks(matrix, border)
    return None


class EnrolQR(PlainStatic):
    """A walk-in's enrolment link as a QR code, its caption under it
    ("Scan to keep your 3 stamps"). ``lines`` holds the code as drawn."""

    DEFAULT_CSS = """
    EnrolQR {
        width: auto;
        height: auto;
        margin: 0 0 0 1;
        text-wrap: nowrap;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes)
        self.data: str | None = None
        self.lines: tuple[str, ...] = ()

    def show(self, data: str, caption: str, *, columns: int, lines: int) -> bool:
        """Draw the code of ``data`` in ``columns`` × ``lines`` cells (the
        caption takes one line); False, with nothing drawn, if it cannot fit."""
        drawn = fit_qr(data, columns, lines - 1)
        if drawn is None:
            self.clear()
            return False
        self.data = data
        self.lines = tuple(drawn)
        width = len(drawn[0])
        text = RichText(no_wrap=True)
        for line in drawn:
            text.append(line, style=QR_STYLE)
            text.append("\n")
        text.append(caption.center(width).rstrip(), style="bold")
        self.update(text)
        return True

    def clear(self) -> None:
        """Draw nothing."""
        self.data = None
        self.lines = ()
        self.update("")
