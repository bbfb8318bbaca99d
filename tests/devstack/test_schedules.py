"""Schedules: expressions, and a tiny Chalice app's @app.schedule handlers fired on a fast clock."""
import threading
import time
from datetime import UTC, datetime

import pytest
from chalice import Chalice, Cron, Rate

from devstack.schedules import Scheduler, next_time


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize("expression, after, expected", [
    ("rate(1 minute)", "2026-03-01 10:00:30", "2026-03-01 10:01"),
    ("rate(2 hours)", "2026-03-01 10:00:00", "2026-03-01 12:00"),
    ("cron(0/15 * * * ? *)", "2026-03-01 10:07:00", "2026-03-01 10:15"),
    ("cron(0 9 ? * MON-FRI *)", "2026-02-27 09:00:00", "2026-03-02 09:00"),  # Friday 9:00 -> Monday
    ("cron(30 2 1 * ? *)", "2026-03-01 03:00:00", "2026-04-01 02:30"),
    ("cron(0 0 ? * 1 *)", "2026-03-02 00:00:00", "2026-03-08 00:00"),  # 1 = Sunday
    ("cron(0 12 ? JUL,DEC WED 2026)", "2026-07-02 00:00:00", "2026-07-08 12:00"),
])
def test_next_time(expression, after, expected):
    assert iso(next_time(expression)(at(after))) == expected


@pytest.mark.parametrize("expression", ["rate(1 week)", "cron(0 0 L * ? *)", "cron(0 0 ? * 2#1 *)", "cron(* * *)"])
def test_unsupported_expressions_are_refused(expression):
    with pytest.raises(ValueError):
        next_time(expression)


def test_schedules_fire_on_a_fast_clock():
    app = Chalice(app_name="tiny")
    fired = []

    @app.schedule(Rate(1, unit=Rate.HOURS))
    def hourly(event):
        fired.append(("hourly", event.to_dict()))

    @app.schedule(Cron("0/30", "*", "*", "*", "?", "*"))
    def half_hourly(event):
        fired.append(("half_hourly", event.to_dict()))

    @app.schedule("cron(0 0 L * ? *)")  # valid in AWS, not understood locally: skipped, the others still run
    def last_day_of_month(event):
        fired.append(("last_day_of_month", event.to_dict()))

    stopping = threading.Event()
    scheduler = Scheduler(app, app.event_sources, stopping, speed=3600)  # an hour a second
    scheduler.start()
    time.sleep(2.3)
    stopping.set()
    scheduler.join(timeout=5)

    names = [name for name, _ in fired]
    assert names.count("hourly") == 2
    assert 4 <= names.count("half_hourly") <= 5
    assert "last_day_of_month" not in names
    event = fired[0][1]
    assert event["detail-type"] == "Scheduled Event" and event["source"] == "aws.events"
    assert event["resources"][0].startswith("arn:aws:events:us-east-1:")
