"""The site's clock and time zone: today in Paris, and conversions between Paris wall-clock time and UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

#: Every date people type or read is in this zone; the database holds UTC.
PARIS = ZoneInfo("Europe/Paris")


def today() -> date:
    """Today's date in Paris (the day people live in, not UTC's)."""
    return datetime.now(PARIS).date()


def paris_to_utc(moment: datetime | None) -> datetime | None:
    """A date and time typed in Paris time (naive), as UTC."""
    return moment.replace(tzinfo=PARIS).astimezone(UTC) if moment else None


def utc_to_paris(moment: datetime | None) -> datetime | None:
    """A UTC time as Paris wall-clock time (naive), for a form field."""
    return moment.astimezone(PARIS).replace(tzinfo=None) if moment else None


def exists_in_paris(moment: datetime) -> bool:
    """Whether a naive wall-clock time exists in Paris (False inside the spring-forward gap)."""
    there_and_back = moment.replace(tzinfo=PARIS).astimezone(UTC).astimezone(PARIS).replace(tzinfo=None)
    return there_and_back == moment


def start_of_day(day: date) -> datetime:
    """Midnight of a Paris day, in UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=PARIS).astimezone(UTC)


def end_of_day(day: date) -> datetime:
    """Midnight after a Paris day (exclusive end), in UTC."""
    return start_of_day(day + timedelta(days=1))
