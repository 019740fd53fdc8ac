"""Code 128 bars for coupon codes, in code set B only.

python-barcode's encoder switches to code set C for leading digit pairs,
and its start-code optimisation drops a leading "99" (the pair 99 shares
its value with the CODE C switch): "99GHR0AQ" came out as the bars of
"GHR0AQ", which a till scanner then reads. Set B encodes every printable
ASCII character one symbol each, which is all a coupon code needs; only
python-barcode's table of bar patterns is used.
"""

from __future__ import annotations

START_B = 104


def code128_modules(text: str) -> str:
    """The Code 128 (set B) of ``text`` as "1" (bar) and "0" (space)
    modules, with its check symbol and stop, without quiet zones."""
    from barcode.charsets import code128  # type: ignore[import-untyped]

    if not text or not all(" " <= c <= "~" for c in text):
        raise ValueError(f"Code 128 set B takes printable ASCII only, got {text!r}")
    values = [START_B] + [ord(c) - 32 for c in text]
    check = (START_B + sum(i * v for i, v in enumerate(values[1:], start=1))) % 103
    patterns: list[str] = code128.CODES
    # The stop symbol, then its final two-module bar.
    return "".join(patterns[v] for v in [*values, check]) + str(code128.STOP) + "11"
