"""Local time: the one place where stored UTC becomes the time and the day people read.

Times are stored in UTC (models.base.UTCDateTime). People live in one time zone, the TIME_ZONE
setting (Asia/Shanghai unless configured): every time shown on a page, in a mail, on a PDF or in
an export goes through here, and "today" for a person is the local date (`local_today`), never
the server's date nor UTC's. Machine-read output (the HR API, signed credentials) keeps UTC.

Rounding to the minute never goes against the user: by default a time is shown rounded down (a
deadline then ends no later than shown); `round_up=True` is for the end of a wait (a cooldown),
so nobody is still locked out at the time shown.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from portal.models.base import utcnow

DEFAULT_TIME_ZONE = "Asia/Shanghai"
MINUTE = timedelta(minutes=1)


@lru_cache(maxsize=8)
def _zone_named(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone() -> ZoneInfo:
    """The configured time zone (the default outside an application)."""
    name = current_app.config.get("TIME_ZONE") if has_app_context() else None
    return _zone_named(name or DEFAULT_TIME_ZONE)


def to_local(moment: datetime) -> datetime:
    """The same instant in the local zone; a naive value is taken as UTC, the way it is stored."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(zone())


def local_date(moment: datetime) -> date:
    """The local calendar day of an instant."""
    return to_local(moment).date()


def local_today(now: datetime | None = None) -> date:
    """What day it is for people: the local date of `now` (of the current time when not given)."""
    return local_date(now or utcnow())


def day_start(day: date) -> datetime:
    """The instant a local day begins (aware, so it compares with stored UTC times)."""
    return datetime.combine(day, time.min, tzinfo=zone())


def _local_minute(moment: datetime, *, round_up: bool = False) -> datetime:
    """The naive local time to the minute, rounded down unless `round_up`."""
    local = to_local(moment).replace(tzinfo=None)
    whole = local.replace(second=0, microsecond=0)
    return whole + MINUTE if round_up and whole != local else whole


def format_datetime(moment: datetime, *, round_up: bool = False, seconds: bool = False) -> str:
    """'2026-12-07 04:30' in local time ('2026-12-07 04:30:05' with `seconds`, as a log wants it)."""
    if seconds:
        return to_local(moment).strftime("%Y-%m-%d %H:%M:%S")
    return _local_minute(moment, round_up=round_up).strftime("%Y-%m-%d %H:%M")


def format_time(moment: datetime, *, now: datetime | None = None, round_up: bool = False) -> str:
    """'12:17' when the moment falls on the local day of `now`, else the date too."""
    shown = _local_minute(moment, round_up=round_up)
    if shown.date() == local_today(now):
        return shown.strftime("%H:%M")
    return shown.strftime("%Y-%m-%d %H:%M")
