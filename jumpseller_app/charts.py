"""Geometry for the dashboard's inline SVG chart: orders as bars, sales as a line, over 30 days."""

from markupsafe import Markup, escape

WIDTH, HEIGHT = 600, 180
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 8, 8, 12, 22


def svg_marks(chart, currency):
    """The bars (with tooltips), the sales line and the date ticks as one SVG fragment.

    Built here rather than in the template: thirty bars of Jinja attribute lookups cost more than the rest of
    the page together.
    """
    unit = escape(currency)
    parts = [f'<rect x="{b["x"]}" y="{b["y"]}" width="{b["w"]}" height="{b["h"]}" class="bar">'
             f'<title>{escape(b["title"])} {unit}</title></rect>' for b in chart["bars"]]
    if chart["line"]:
        parts.append(f'<polyline points="{chart["line"]}" class="line"/>')
    parts.extend(f'<text x="{t["x"]}" y="{chart["label_y"]}" text-anchor="middle" class="tick">{escape(t["text"])}</text>'
                 for t in chart["labels"])
    return Markup("".join(parts))


# Currencies without minor units: Jumpseller sends their amounts as integers, and "182,000.00 CLP" reads wrong.
ZERO_DECIMAL_CURRENCIES = frozenset({"CLP", "JPY", "KRW", "PYG", "ISK", "VND", "UGX", "XAF", "XOF"})


def money(value, currency=""):
    """An amount with thousands separators, and two decimals unless the currency has no minor unit."""
    if str(currency).upper() in ZERO_DECIMAL_CURRENCIES:
        return f"{round(float(value or 0)):,}"
    return f"{float(value or 0):,.2f}"


def orders_and_sales(daily, currency=""):
    """Bars, a polyline and labels for the daily series (any length; empty gives an empty chart)."""
    n = len(daily)
    inner_w = WIDTH - PAD_LEFT - PAD_RIGHT
    inner_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    max_orders = max([d["orders"] for d in daily] + [1])
    max_sales = max([d["sales"] for d in daily] + [1.0])
    step = inner_w / n if n else inner_w
    bars, points = [], []
    for i, day in enumerate(daily):
        x = PAD_LEFT + i * step
        h = inner_h * day["orders"] / max_orders
        bars.append({"x": round(x + step * 0.15, 1), "y": round(PAD_TOP + inner_h - h, 1),
                     "w": round(step * 0.7, 1), "h": round(h, 1),
                     "title": f"{day['date']}: {day['orders']} · {money(day['sales'], currency)}"})
        y = PAD_TOP + inner_h - inner_h * day["sales"] / max_sales
        points.append(f"{round(x + step / 2, 1)},{round(y, 1)}")
    labels = []
    if n:
        for i in sorted({0, n // 2, n - 1}):
            labels.append({"x": round(PAD_LEFT + i * step + step / 2, 1), "text": daily[i]["date"][5:]})
    return {"width": WIDTH, "height": HEIGHT, "bars": bars, "line": " ".join(points), "labels": labels,
            "base_y": HEIGHT - PAD_BOTTOM, "label_y": HEIGHT - 6, "max_orders": max_orders, "max_sales": max_sales,
            "total_orders": sum(d["orders"] for d in daily), "total_sales": round(sum(d["sales"] for d in daily), 2)}
