"""A demo café with months of plausible history, for trying stampdesk out
(``stampdesk init --demo``, ``bash scripts/till``).

``cafe`` holds the shop's data (its programme is the package's
``program.toml``); ``simulation`` replays its history through the services.
"""

from __future__ import annotations

from .cafe import program_source
from .simulation import MAX_CUSTOMERS, MAX_DAYS, DemoSummary, build_demo

__all__ = ["MAX_CUSTOMERS", "MAX_DAYS", "DemoSummary", "build_demo", "program_source"]
