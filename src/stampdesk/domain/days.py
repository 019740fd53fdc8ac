"""The shop's calendar: days and their ends in the shop's time zone.

A lapse after 180 days, a coupon valid 30 days or a day's stamp cap are
counted in the shop's calendar days, so a daylight-saving change moves
nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo


def local_day(moment: datetime, zone: tzinfo) -> date:
    """The shop-local calendar day of ``moment``."""
    return moment.astimezone(zone).date()


def end_of_day(day: date, zone: tzinfo) -> datetime:
    """The last second of the shop-local ``day``, in UTC."""
    return datetime.combine(day, time(23, 59, 59), zone).astimezone(UTC)


def end_of_day_after(moment: datetime, days: int, zone: tzinfo) -> datetime:
    """The last second of the shop-local day ``days`` after ``moment``."""
    return end_of_day(local_day(moment, zone) + timedelta(days=days), zone)
