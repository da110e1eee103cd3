"""Local time: stored UTC shown in the configured zone, rounded never against the user."""
from datetime import date, datetime, timezone

import pytest

from portal import create_app
from portal.config import ConfigError
from portal.domain.platform import localtime


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def test_a_utc_evening_is_the_next_morning_in_shanghai():
    assert localtime.format_datetime(utc(2026, 12, 6, 20, 30)) == "2026-12-07 04:30"
    assert localtime.local_date(utc(2026, 12, 6, 20, 30)) == date(2026, 12, 7)


def test_today_is_the_local_date():
    assert localtime.local_today(utc(2026, 12, 6, 15, 59)) == date(2026, 12, 6)
    assert localtime.local_today(utc(2026, 12, 6, 16, 0)) == date(2026, 12, 7)
    assert localtime.local_today(utc(2026, 12, 6, 20, 0)) == date(2026, 12, 7)


def test_a_naive_time_is_taken_as_utc_the_way_it_is_stored():
    assert localtime.format_datetime(datetime(2026, 12, 6, 20, 30)) == "2026-12-07 04:30"


def test_a_deadline_rounds_down_and_a_wait_rounds_up():
    now = utc(2026, 12, 7, 4, 0)
    assert localtime.format_time(utc(2026, 12, 7, 4, 31, 50), now=now) == "12:31"
    assert localtime.format_time(utc(2026, 12, 7, 4, 16, 20), now=now, round_up=True) == "12:17"
    assert localtime.format_time(utc(2026, 12, 7, 4, 16), now=now, round_up=True) == "12:16"  # already whole


def test_a_time_on_another_day_shows_its_date():
    now = utc(2026, 12, 7, 15, 50)  # 23:50 local
    assert localtime.format_time(utc(2026, 12, 7, 16, 10), now=now) == "2026-12-08 00:10"
    assert localtime.format_time(utc(2026, 12, 7, 15, 59, 30), now=now, round_up=True) == "2026-12-08 00:00"


def test_a_local_day_starts_at_local_midnight():
    assert localtime.day_start(date(2026, 12, 7)) == utc(2026, 12, 6, 16, 0)


def test_the_zone_comes_from_the_configuration():
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://", "TIME_ZONE": "Europe/Berlin"})
    with app.app_context():
        assert localtime.format_datetime(utc(2026, 12, 6, 20, 30)) == "2026-12-06 21:30"
        assert localtime.local_today(utc(2026, 12, 6, 23, 30)) == date(2026, 12, 7)


def test_the_default_zone_is_shanghai():
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["TIME_ZONE"] == "Asia/Shanghai"


@pytest.mark.parametrize("name", ["", "Mars/Olympus", "Asia", "../etc/passwd"])
def test_an_unknown_zone_is_refused_at_start(name):
    with pytest.raises(ConfigError) as error:
        create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://", "TIME_ZONE": name})
    assert "TIME_ZONE" in str(error.value)
