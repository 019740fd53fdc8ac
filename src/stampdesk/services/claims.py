"""Receipt claim tokens: the rules live in ``domain.claims``; kept here under
their old address for the services and tests that import them from it."""

from __future__ import annotations

from ..domain.claims import DEFAULT_CLAIM_DAYS as DEFAULT_CLAIM_DAYS
from ..domain.claims import EPOCH as EPOCH
from ..domain.claims import TAG_BYTES as TAG_BYTES
from ..domain.claims import claimable as claimable
from ..domain.claims import enrol_url as enrol_url
from ..domain.claims import last_claim_day as last_claim_day
from ..domain.claims import make_token as make_token
from ..domain.claims import read_token as read_token
from ..domain.claims import receiving_card as receiving_card
