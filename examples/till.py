"""A till integration in a few lines: stamp a card at checkout, or give a
walk-in the link that keeps this sale's stamps, and never double a stamp when
the till retries.

    python examples/till.py sqlite:///demo/cafe.db
"""

from __future__ import annotations

import sys
from pathlib import Path

import stampdesk

url = sys.argv[1] if len(sys.argv) > 1 else "sqlite:///till-example.db"
desk = stampdesk.connect(url)  # creates or upgrades the schema
try:
    desk.program()
except stampdesk.NotFound:
    desk.load_program_file(Path(__file__).with_name("program.toml"))

ana = desk.enrol(name="Ana Martin", email="ana@example.org")
print(f"New card {ana.number}: {ana.card.progress}")

# The till's own receipt number makes the key: a retry after a network
# hiccup returns the first result instead of stamping twice.
sale = desk.checkout(card=ana.number, amount="12.50", idempotency_key="till1-receipt-0042")
print(f"+{sale.stamps_added} stamps, {sale.balance}/{sale.stamps_per_card}")
for coupon in sale.coupons:
    print(f"Coupon {coupon.code}: {coupon.reward} (until {coupon.expires:%Y-%m-%d})")
again = desk.checkout(card=ana.number, amount="12.50", idempotency_key="till1-receipt-0042")
assert again.checkout == sale.checkout and again.replayed

# A customer without a card: print the link (a QR code on the receipt).
walk_in = desk.checkout(amount="4.20")
print(f"Walk-in: scan {walk_in.enrol_url} to keep {walk_in.stamps_added} stamp(s)")

try:
    desk.checkout(card=ana.number, amount="-3")
except stampdesk.StampdeskError as error:
    print(f"Refused as expected: {error.message} ({error.code})")

for coupon in sale.coupons:
    desk.redeem(coupon.code)
desk.refund(sale.checkout)  # takes back exactly what that sale earned
print(desk.card(ana.number).progress)
desk.close()
