"""`@app.schedule` handlers: EventBridge rules fire them in AWS (moto never does); here a thread does.

The thread's clock may run faster than real time (`--fast-schedules`), so that a job due every hour
can be watched in a demo. Expressions: rate(N minute[s]|hour[s]|day[s]) and AWS's six-field
cron(minutes hours day-of-month month day-of-week year) with * , - / ? (not L, W or #), in UTC."""
import re
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from devstack import log
from devstack.config import REGION, STAGE
from devstack.pump import Worker, call

_RATE = re.compile(r"^rate\((\d+) (minute|hour|day)s?\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
# (lowest, highest, names for lowest..): minutes, hours, day of month, month, day of week (1 = Sunday), year
_CRON_FIELDS = ((0, 59, None), (0, 23, None), (1, 31, None), (1, 12, _MONTHS), (1, 7, _DAYS), (1970, 2199, None))
ACCOUNT = "123456789012"


def _cron_field(text: str, low: int, high: int, names: list[str] | None) -> set[int] | None:
    """The values a field allows; None for any (* or ?)."""
    if text in ("*", "?"):
        return None

    def number(token: str) -> int:
        if names and token in names:
            return low + names.index(token)
        if not token.isdigit():
            raise ValueError(f"cron field {text!r}: the local stack knows only numbers, names, * , - / ?")
        return int(token)

    values = set()
    for part in text.upper().split(","):
        span, _, step = part.partition("/")
        if span == "*":
            first, last = low, high
        elif "-" in span:
            first, last = (number(token) for token in span.split("-", 1))
        else:
            first = number(span)
            last = high if step else first
        values.update(range(first, last + 1, int(step or 1)))
    return values


def _cron(fields_text: str) -> Callable[[float], float]:
    parts = fields_text.split()
    if len(parts) != 6:
        raise ValueError(f"cron({fields_text}) needs 6 fields")
    minutes, hours, days, months, weekdays, years = (_cron_field(p, *spec) for p, spec in zip(parts, _CRON_FIELDS, strict=True))

    def allowed(values: set[int] | None, value: int) -> bool:
        return values is None or value in values

    def following(after: float) -> float:
        start = datetime.fromtimestamp(after, UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = start.replace(hour=0, minute=0)
        for _ in range(366 * 8):
            weekday = (day.weekday() + 1) % 7 + 1  # Python: Monday = 0; AWS: Sunday = 1
            if all(allowed(values, value) for values, value in
                   ((days, day.day), (months, day.month), (weekdays, weekday), (years, day.year))):
                for hour in sorted(hours or range(24)):
                    for minute in sorted(minutes or range(60)):
                        moment = day.replace(hour=hour, minute=minute)
                        if moment >= start:
                            return moment.timestamp()
            day += timedelta(days=1)
        raise ValueError(f"cron({fields_text}) never fires")

    return following


def next_time(expression: str) -> Callable[[float], float]:
    """A function: epoch seconds -> the next firing strictly after it."""
    rate = _RATE.match(expression)
    if rate:
        seconds = int(rate.group(1)) * _UNIT_SECONDS[rate.group(2)]
        return lambda after: after + seconds
    if expression.startswith("cron(") and expression.endswith(")"):
        return _cron(expression[5:-1])
    raise ValueError(f"unsupported schedule expression {expression!r}")


def scheduled_event(app_name: str, rule: str) -> dict:
    """What EventBridge passes to a scheduled Lambda function."""
    return {
        "version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
        "account": ACCOUNT, "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{app_name}-{STAGE}-{rule}"], "detail": {},
    }


def schedule_configs(app) -> list:
    """The app's `@app.schedule` handlers (EventBridge rules in AWS)."""
    from chalice.app import ScheduledEventConfig

    return [config for config in app.event_sources if isinstance(config, ScheduledEventConfig)]


def expression_of(config) -> str:
    """AWS's text of a schedule: `rate(...)` or `cron(...)`, given as a string or a chalice Rate/Cron."""
    expression = config.schedule_expression
    return expression if isinstance(expression, str) else expression.to_string()


def fire(app, config, note: str = "") -> tuple[bool, Any]:
    """Call a schedule's handler with the event EventBridge sends: (done, what it returned)."""
    done, result = call(app, config.name, scheduled_event(app.app_name, config.name))
    log(f"schedule {expression_of(config)} -> {config.name}{note}: {'done' if done else 'failed'}")
    return done, result


class Scheduler(Worker):
    """Fires every schedule of the app when due on a clock running `speed` times faster than real time.
    Like EventBridge, a late firing is not made up for; a rate counts from the stack's start."""

    def __init__(self, app, configs: list, stopping: threading.Event, speed: float = 1.0):
        super().__init__("schedules", stopping)
        self.app, self.speed = app, speed
        self.started = time.time()
        self.entries = []
        for config in configs:
            expression = expression_of(config)
            try:
                following = next_time(expression)
            except ValueError as error:  # valid in AWS maybe, but the stack must still start
                log(f"schedule {config.name} is not fired locally: {error}")
                continue
            self.entries.append({"config": config, "following": following, "due": following(self.started)})

    def now(self) -> float:
        """The scheduler's clock (epoch seconds)."""
        return self.started + (time.time() - self.started) * self.speed

    def step(self) -> None:
        now = self.now()
        for entry in self.entries:
            if entry["due"] <= now:
                fire(self.app, entry["config"])
                entry["due"] = entry["following"](self.now())
        next_due = min((entry["due"] for entry in self.entries), default=None)
        self.stopping.wait(None if next_due is None else max(0.0, (next_due - self.now()) / self.speed))
