"""Reports: what an order adds to the pre-aggregated report items, and the calendar they are read by.

Reports never read orders. The table's stream gives each order change as (before, after); the handler
turns both images into `OrderFacts` and applies `after - before` of every item family (sales,
products, customers, payments) as ADD deltas, once per (order, version, family). The functions here
and in `reports_<family>.py` are pure: facts in, `{key: {figure: delta}}` out; items in, report out.

Definitions (the same in every report; the modules of each family add their own):
- An order counts on its `placed_day`: the store-local date when it was placed, fixed on the order.
- Test orders count nowhere. Cancelled and rejected orders ("called off") count only as
  `cancelled_orders` in the sales report, on their placed day, even if they had been paid and refunded.
- A refunded order (payment status `refunded`) stays an order. Its merchandise value (gross -
  discounts) comes back as `returns` on its `refunded_day` (its placed day if the day is unknown).
- Money is integers in minor units of the store currency; an average is rounded half up (away from
  zero) to the minor unit.
- Periods: a day; an ISO week named by its Monday; a month named by its 1st. A report over [from, to]
  has a row for every period that touches the range, the first one named by its own first day even if
  that is before `from`; sales, products and payments sum only the days inside the range.
"""
import calendar
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TypeGuard
from zoneinfo import ZoneInfo

from chalicelib.domain.errors import InvalidInput

DAY, WEEK, MONTH = "day", "week", "month"
GROUPINGS = (DAY, WEEK, MONTH)
# Longest range a report reads, in days: by day a year (one item per day and dimension), by week or
# month ten years.
MAX_DAYS = {DAY: 366, WEEK: 3660, MONTH: 3660}
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2999, 12, 31)  # the days a report's range may name
CALLED_OFF = ("cancelled", "rejected")
REFUNDED = "refunded"
NONE_VALUE = "none"  # the dimension value of an order without a group or a country

Key = tuple[str, ...]
Figures = dict[str, int]
Deltas = dict[Key, Figures]


@dataclass(frozen=True)
class FactLine:
    sku: str
    name: str
    quantity: int
    unit_price: int
    discount: int = 0  # off this line

    @property
    def gross(self) -> int:
        return self.quantity * self.unit_price


@dataclass(frozen=True)
class OrderFacts:
    """What the reports need of one order image, whatever the store keeps around it."""

    order_id: str
    customer_key: str  # the customer's id, or the guest entry's (= the order id)
    is_guest: bool
    placed_day: str  # ISO date, store-local, fixed when the order is placed
    status: str
    payment_status: str
    payment_method: str
    delivery_method: str
    group_id: str | None = None
    country: str | None = None
    currency: str = ""
    lines: tuple[FactLine, ...] = field(default_factory=tuple)
    order_discount: int = 0  # the order-level discount, after line discounts
    shipping: int = 0
    total: int = 0
    refunded_day: str | None = None  # ISO date, store-local, when the payment became refunded
    is_test: bool = False

    @property
    def gross(self) -> int:
        return sum(line.gross for line in self.lines)

    @property
    def discounts(self) -> int:
        return sum(line.discount for line in self.lines) + self.order_discount

    @property
    def merchandise(self) -> int:
        """What the goods were sold for: gross - discounts (no shipping)."""
        return self.gross - self.discounts


def counts(facts: OrderFacts | None) -> TypeGuard[OrderFacts]:
    """A real order, not called off: in every report."""
    return facts is not None and not facts.is_test and facts.status not in CALLED_OFF


def is_called_off(facts: OrderFacts | None) -> TypeGuard[OrderFacts]:
    return facts is not None and not facts.is_test and facts.status in CALLED_OFF


def is_refunded(facts: OrderFacts | None) -> TypeGuard[OrderFacts]:
    return counts(facts) and facts.payment_status == REFUNDED


def refund_day(facts: OrderFacts) -> str:
    return facts.refunded_day or facts.placed_day


# Deltas: every family describes what one image contributes; a change applies after - before.

def add_into(target: dict, key: Hashable, figures: Mapping[str, int]) -> None:
    into = target.setdefault(key, {})
    for name, value in figures.items():
        into[name] = into.get(name, 0) + value


def summed(many: Iterable[Mapping[str, int]]) -> Figures:
    total: Figures = {}
    for figures in many:
        for name, value in figures.items():
            total[name] = total.get(name, 0) + value
    return total


def difference(before: Deltas, after: Deltas) -> Deltas:
    """after - before, keeping only the figures that change (identical images give nothing)."""
    changes: Deltas = {}
    for key in before.keys() | after.keys():
        old, new = before.get(key, {}), after.get(key, {})
        figures = {name: new.get(name, 0) - old.get(name, 0) for name in old.keys() | new.keys()}
        figures = {name: value for name, value in figures.items() if value}
        if figures:
            changes[key] = figures
    return changes


def deltas_of(contribution: Callable[[OrderFacts | None], Deltas],
              before: OrderFacts | None, after: OrderFacts | None) -> Deltas:
    return difference(contribution(before), contribution(after))


def half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half away from zero, in integers (0 when nothing to divide by)."""
    if denominator == 0:
        return 0
    sign = -1 if (numerator < 0) != (denominator < 0) else 1
    return sign * ((2 * abs(numerator) + abs(denominator)) // (2 * abs(denominator)))


# The calendar.

def period_start(day: date, kind: str) -> date:
    if kind == WEEK:
        return day - timedelta(days=day.weekday())
    if kind == MONTH:
        return day.replace(day=1)
    return day


def period_end(day: date, kind: str) -> date:
    if kind == WEEK:
        return period_start(day, WEEK) + timedelta(days=6)
    if kind == MONTH:
        return day.replace(day=calendar.monthrange(day.year, day.month)[1])
    return day


def periods(start: date, end: date, kind: str) -> list[date]:
    """The first day of every period touching [start, end], in order."""
    found, current = [], period_start(start, kind)
    while current <= end:
        found.append(current)
        current = period_end(current, kind) + timedelta(days=1)
    return found


def whole_periods(start: date, end: date, kind: str) -> tuple[date, date]:
    """[start, end] widened to the periods it touches."""
    return period_start(start, kind), period_end(end, kind)


def sum_by_period(items: Iterable[tuple[str, Mapping[str, int]]], start: date, end: date,
                  kind: str) -> dict[date, Figures]:
    """Day items summed into their periods; days outside [start, end] are left out."""
    sums: dict[date, Figures] = {}
    for day_iso, figures in items:
        day = date.fromisoformat(day_iso)
        if start <= day <= end:
            add_into(sums, period_start(day, kind), figures)
    return sums


def check_range(start: date, end: date, group_by: str | None) -> None:
    """A 422 naming the field to change, for a range no report answers. `group_by` None: a range read
    day by day without periods (the products report, the files list): a year."""
    days = (end - start).days + 1
    longest = MAX_DAYS[group_by or DAY]
    if start < FIRST_DAY or end > LAST_DAY:
        field, why = ("from" if start < FIRST_DAY else "to"), f"a report reads the days from {FIRST_DAY} to {LAST_DAY}"
    elif end < start:
        field, why = "to", "'to' is before 'from'"
    elif days > longest:
        what = f"a report by {group_by}" if group_by else "a range read day by day"
        field, why = "to", f"{what} covers at most {longest} days (this range has {days})"
    else:
        return
    raise InvalidInput(f"The range is not valid: {why}.", [{"field": field, "message": why}])


# Time zones: the store's days.

def local_day(utc_iso: str, tz_name: str) -> str:
    """The store-local date (ISO) of a UTC instant written as ISO 8601 (a naive one is UTC)."""
    instant = datetime.fromisoformat(utc_iso)
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(ZoneInfo(tz_name)).date().isoformat()


def local_today(now: datetime, tz_name: str) -> date:
    """The store-local date at `now` (an aware datetime from the clock)."""
    return now.astimezone(ZoneInfo(tz_name)).date()


RELATIVE_RANGES = ("today", "yesterday", "last_7_days", "last_30_days", "this_month", "last_month", "this_year")


def resolve_range(name: str, today: date) -> tuple[date, date]:
    """A relative range as dates, from the store-local `today`. "Last n days" include today;
    this month and this year run to today."""
    if name == "today":
        return today, today
    if name == "yesterday":
        return today - timedelta(days=1), today - timedelta(days=1)
    if name == "last_7_days":
        return today - timedelta(days=6), today
    if name == "last_30_days":
        return today - timedelta(days=29), today
    if name == "this_month":
        return today.replace(day=1), today
    if name == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    if name == "this_year":
        return today.replace(month=1, day=1), today
    raise InvalidInput(f"Unknown range '{name}'.", [{"field": "range", "message": f"one of {list(RELATIVE_RANGES)}"}])


SCHEDULES = ("daily", "weekly", "monthly")


def due_range(schedule: str | None, yesterday: date, last_covered: date | None) -> tuple[date, date] | None:
    """The range a scheduled saved report covers tonight, or None when not due. The nightly job runs
    after the store's midnight; `yesterday` is the store-local day that just ended and `last_covered`
    the last day of the range its previous run covered. Daily: yesterday, every night. Weekly: the
    ISO week that ended yesterday (runs on Mondays). Monthly: the month that ended yesterday (runs on
    the 1st). A second run the same night finds the range covered and does nothing."""
    if schedule == "daily":
        covered = (yesterday, yesterday)
    elif schedule == "weekly" and yesterday.weekday() == 6:
        covered = (yesterday - timedelta(days=6), yesterday)
    elif schedule == "monthly" and period_end(yesterday, MONTH) == yesterday:
        covered = (yesterday.replace(day=1), yesterday)
    else:
        return None
    if last_covered is not None and last_covered >= covered[1]:
        return None
    return covered
