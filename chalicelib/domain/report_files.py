"""The files of the nightly report job: any report as CSV, and a bar chart of daily sales as SVG.

CSV (UTF-8, RFC 4180 line ends): a header of the report's field names, one line per row, and a last
line `total` with the totals. These files are for people and spreadsheets, so money is written as a
decimal amount in the currency's major unit ("1234.50" for 123450 minor units), computed from the
integers (never through floats); the JSON reports keep integers in minor units. Text that a spreadsheet
would run as a formula (starting with = + - @, a tab or a carriage return) is prefixed with a quote.

The chart is plain SVG text: no plotting library to load in a Lambda cold start.
"""
import csv
import io
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

from chalicelib.domain.reports_customers import ROW_FIGURES as CUSTOMER_FIGURES
from chalicelib.domain.reports_payments import FIGURES as PAYMENT_FIGURES
from chalicelib.domain.reports_products import ROW_FIELDS as PRODUCT_FIELDS
from chalicelib.domain.reports_sales import ROW_FIGURES as SALES_FIGURES

COLUMNS = {
    "sales": ("period", *SALES_FIGURES),
    "products": PRODUCT_FIELDS,
    "customers": ("period", *CUSTOMER_FIGURES),
    "payments": ("period", "payment_method", "payment_status", *PAYMENT_FIGURES),
}
MONEY = frozenset({"gross_sales", "discounts", "returns", "net_sales", "shipping", "total_sales", "average_order_value",
                   "price", "amount", "refunds", "new_customer_net_sales", "returning_customer_net_sales"})
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def money(minor: int, digits: int = 2) -> str:
    """123450 -> "1234.50" (digits: the currency's minor digits, 0 for JPY)."""
    if digits == 0:
        return str(minor)
    sign = "-" if minor < 0 else ""
    major, cents = divmod(abs(minor), 10 ** digits)
    return f"{sign}{major}.{cents:0{digits}d}"


def _cell(name: str, value, digits: int) -> str:
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return money(value, digits) if name in MONEY else str(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def report_csv(answer: Mapping, digits: int = 2) -> bytes:
    """The report answer as a CSV file (see the module's notes)."""
    columns = COLUMNS[answer["report"]]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in answer["rows"]:
        writer.writerow([_cell(name, row.get(name), digits) for name in columns])
    totals = answer["totals"]
    writer.writerow(["total", *(_cell(name, totals.get(name), digits) for name in columns[1:])])
    return out.getvalue().encode("utf-8")


# The chart.
WIDTH, HEIGHT = 800, 320
LEFT, RIGHT, TOP, BOTTOM = 80, 20, 40, 60


def _step(span: int) -> int:
    """A round tick step (1, 2 or 5 times a power of ten) giving about four ticks over `span`."""
    raw = max(1, -(-span // 4))
    magnitude = 10 ** (len(str(raw)) - 1)
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)


def sales_chart_svg(answer: Mapping, currency: str = "", digits: int = 2) -> bytes:
    """A bar chart of `total_sales` per row of a sales report answer (the nightly job gives the last
    30 days by day). Negative days (refunds) go below the zero line."""
    points: Sequence[tuple[str, int]] = [(row["period"], row["total_sales"]) for row in answer["rows"]]
    values = [value for _, value in points] or [0]
    step = _step(max(max(values), 0) - min(min(values), 0) or 10 ** digits)
    low = min(0, (min(values) // step) * step)  # floor to a tick
    high = max(0, -(-max(values) // step) * step)  # ceiling to a tick
    if high == low:
        high = low + step
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: int) -> float:
        return TOP + (high - value) / (high - low) * plot_h

    title = f"Total sales per day, {answer['from']} to {answer['to']}"
    unit = f" ({currency})" if currency else ""
    total = sum(value for _, value in points)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
         'role="img" aria-labelledby="chart-title chart-desc" font-family="sans-serif" font-size="11">'),
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(f"{len(points)} days, total {money(total, digits)}{unit}")}</desc>',
        f'<text x="{WIDTH / 2}" y="20" text-anchor="middle" font-size="14">{escape(title)}</text>',
    ]
    for tick in range(low, high + 1, step):
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{escape(money(tick, digits))}</text>')
    band = plot_w / max(len(points), 1)
    label_every = max(1, -(-len(points) // 10))
    for index, (period, value) in enumerate(points):
        x = LEFT + index * band
        top, bottom = y(max(value, 0)), y(min(value, 0))
        parts.append(f'<rect x="{x + band * 0.15:.1f}" y="{top:.1f}" width="{band * 0.7:.1f}" '
                     f'height="{max(bottom - top, 0):.1f}" fill="{"#2a6f97" if value >= 0 else "#c0392b"}">'
                     f'<title>{escape(f"{period}: {money(value, digits)}{unit}")}</title></rect>')
        if index % label_every == 0:
            parts.append(f'<text x="{x + band / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
                         f'{escape(period[5:])}</text>')
    parts += [
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="#333"/>',
        f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" stroke="#333"/>',
        f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 12}" text-anchor="middle">Day</text>',
        (f'<text x="16" y="{TOP + plot_h / 2}" text-anchor="middle" '
         f'transform={quoteattr(f"rotate(-90 16 {TOP + plot_h / 2})")}>{escape(f"Total sales{unit}")}</text>'),
        "</svg>",
    ]
    return "\n".join(parts).encode("utf-8")
