"""A till talking to `stampdesk serve` over HTTP, with the standard library only.

    stampdesk apikey create till-1            # prints the till's key, once
    stampdesk serve &                         # http://127.0.0.1:8421
    STAMPDESK_API_KEY=sdk_… python examples/till_integration.py [http://127.0.0.1:8421]

It enrols a customer, records a sale with the till's receipt number as its
Idempotency-Key (a retry after a lost answer stamps nothing twice), uses the
coupon the sale unlocked, refunds it, records a walk-in sale (the receipt's
QR link keeps its stamps) and shows the error a till gets for a bad amount.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
import uuid
from typing import Any

BASE = (
    sys.argv[1] if len(sys.argv) > 1 else os.environ.get("STAMPDESK_URL", "http://127.0.0.1:8421")
).rstrip("/")
KEY = os.environ["STAMPDESK_API_KEY"]  # never written into the till's code or logs


class ApiError(Exception):
    """A refusal: the HTTP status and the contract's {"error": {"code", "message"}}."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{message} ({code}, HTTP {status})")
        self.status, self.code, self.message = status, code, message


def call(method: str, path: str, body: Any = None, *, key: str | None = None) -> Any:
    """One request; the answer's JSON, or ApiError with the server's message."""
    headers = {"Authorization": f"Bearer {KEY}", "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if key is not None:
        headers["Idempotency-Key"] = key
    request = urllib.request.Request(BASE + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.load(answer)
    except urllib.error.HTTPError as refusal:
        error = json.load(refusal)["error"]
        raise ApiError(refusal.code, error["code"], error["message"]) from None


print("Server:", call("GET", "/api/v1/health")["status"])

ana = call("POST", "/api/v1/cards", {"name": "Ana Martin"})
print(f"New card {ana['number']}: {ana['progress']}")

# The till's own receipt number makes the key (unique per till and sale).
receipt = f"till1-receipt-{uuid.uuid4().hex[:8]}"
sale_body = {
    "card": ana["number"],
    "amount": "12.50",
    "items": [{"sku": "FLAT", "category": "coffee", "quantity": 2, "price": "6.25"}],
}
sale = call("POST", "/api/v1/checkouts", sale_body, key=receipt)
print(f"+{sale['stamps_added']} stamps, {sale['balance']}/{sale['stamps_per_card']}")
for coupon in sale["coupons"]:
    print(f"Coupon {coupon['code']}: {coupon['reward']} (until {coupon['expires'][:10]})")

# The network dropped the answer? Send the very same request again.
again = call("POST", "/api/v1/checkouts", sale_body, key=receipt)
assert again["checkout"] == sale["checkout"] and again["replayed"]
print(f"Retry of checkout {again['checkout']}: same answer, nothing stamped twice")

for coupon in sale["coupons"]:
    used = call("POST", f"/api/v1/coupons/{coupon['code']}/redeem", key=f"{receipt}-redeem-{coupon['code']}")
    print(f"Coupon {used['coupon']} used: {used['reward']}")

walk_in = call("POST", "/api/v1/checkouts", {"amount": "4.20"}, key=f"{receipt}-b")
print(f"Walk-in: scan {walk_in['enrol_url']} to keep {walk_in['stamps_added']} stamp(s)")

try:
    call("POST", "/api/v1/checkouts", {"card": ana["number"], "amount": 12.5})
except ApiError as error:
    print(f"Refused as expected: {error.message} ({error.code})")

change = call("POST", f"/api/v1/checkouts/{sale['checkout']}/refund", key=f"{receipt}-refund")
print(f"Refunded: {change['stamps']} stamps, balance {change['balance']}")
print(call("GET", f"/api/v1/cards/{ana['number']}")["progress"])
