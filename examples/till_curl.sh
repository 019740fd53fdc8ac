#!/bin/sh
# A till talking to `stampdesk serve` with curl (and jq to read the answers).
#
#   stampdesk apikey create till-1        # prints the till's key, once
#   stampdesk serve &                     # http://127.0.0.1:8421
#   STAMPDESK_API_KEY=sdk_… sh examples/till_curl.sh [http://127.0.0.1:8421]
#
# Amounts are strings ("12.50"). Idempotency-Key: the till's receipt number,
# so a retried request returns the first answer and stamps nothing twice.
set -eu
BASE=${1:-${STAMPDESK_URL:-http://127.0.0.1:8421}}
AUTH="Authorization: Bearer $STAMPDESK_API_KEY"
RECEIPT="till1-receipt-$(date +%s)-$$"

# -f: fail on a 4xx/5xx; -sS: quiet but show errors.
api() { curl -fsS -H "$AUTH" -H "Content-Type: application/json" "$@"; }

curl -fsS "$BASE/api/v1/health" | jq -r '"Server: " + .status'

CARD=$(api -X POST "$BASE/api/v1/cards" -d '{"name": "Léo Dupont"}' | jq -r .number)
echo "New card $CARD"

SALE=$(api -X POST "$BASE/api/v1/checkouts" -H "Idempotency-Key: $RECEIPT" \
  -d "{\"card\": \"$CARD\", \"amount\": \"12.50\"}")
echo "$SALE" | jq -r '"+\(.stamps_added) stamps, \(.balance)/\(.stamps_per_card)"'

# The same request again (a retry): the first answer, marked replayed.
api -X POST "$BASE/api/v1/checkouts" -H "Idempotency-Key: $RECEIPT" \
  -d "{\"card\": \"$CARD\", \"amount\": \"12.50\"}" | jq -r '"Retry replayed: \(.replayed)"'

COUPON=$(echo "$SALE" | jq -r '.coupons[0].code')
api -X POST "$BASE/api/v1/coupons/$COUPON/redeem" -H "Idempotency-Key: $RECEIPT-redeem" \
  | jq -r '"Coupon \(.coupon) used: \(.reward)"'

# A refusal: HTTP 422 and {"error": {"code", "message"}} (no -f, to read it).
curl -sS -H "$AUTH" -H "Content-Type: application/json" -X POST "$BASE/api/v1/checkouts" \
  -d '{"amount": 12.5}' | jq -r '"Refused as expected: " + .error.message'

api -X POST "$BASE/api/v1/checkouts/$(echo "$SALE" | jq -r .checkout)/refund" \
  -H "Idempotency-Key: $RECEIPT-refund" | jq -r '"Refunded: \(.stamps) stamps"'
api "$BASE/api/v1/cards/$CARD" | jq -r .progress
