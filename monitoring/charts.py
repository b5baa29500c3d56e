"""Bar charts drawn on the server as inline SVG: no chart library, no JavaScript.

Every text that reaches the SVG passes through `escape()`; the numbers are
formatted here. The charts only illustrate: each one stands beside a table of
the same numbers.
"""

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Bootstrap 5 colours, so the charts match the rest of the site.
COLOURS = ["#0d6efd", "#198754", "#ffc107", "#dc3545", "#6c757d", "#6f42c1", "#20c997"]

# Wide enough for 34 Cyrillic characters at 12 px; longer labels are cut with «…».
LABEL_WIDTH = 270
BAR_AREA = 520
ROW_GAP = 10
FONT = "font-family: system-ui, sans-serif; font-size: 12px"


def number(value) -> str:
    """12.50 → «12,5»; 7 → «7»; None → «—» (a Russian reader's decimal comma)."""
    if value is None:
        return "—"
    if isinstance(value, float):
        value = Decimal(str(round(value, 1)))
    if isinstance(value, Decimal):
        value = value.quantize(Decimal("0.1")).normalize()
        text = f"{value:f}"
        return text.replace(".", ",")
    return str(value)


def _short(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _svg(width: int, height: int, title: str, body: list[str]) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="monitoring-chart" '
        f'viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px; {FONT}" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    )
    return mark_safe(head + "".join(body) + "</svg>")


def _legend(series_labels: list[str], colours: list[str], width: int) -> tuple[list[str], int]:
    """The legend above the bars, wrapped to the chart's width; returns its height too."""
    parts, x, y = [], LABEL_WIDTH, 6
    for index, label in enumerate(series_labels):
        label = _short(label, 60)
        span = 28 + 7 * len(label)
        if x > LABEL_WIDTH and x + span > width:
            x, y = LABEL_WIDTH, y + 18
        colour = colours[index % len(colours)]
        parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="{y + 10}">{escape(label)}</text>')
        x += span
    return parts, y + 24


def stacked_bars(
    title: str,
    categories: list[str],
    series: list[tuple[str, list[int]]],
    colours: list[str] = COLOURS,
) -> SafeString:
    """One horizontal bar per category, split into the series; bars are scaled to 100%
    of the category's total, with each part's count written on it when it fits."""
    bar_height = 20
    width = LABEL_WIDTH + BAR_AREA + 60
    body, top = _legend([label for label, _ in series], colours, width)
    height = top + len(categories) * (bar_height + ROW_GAP) + 10
    for row, category in enumerate(categories):
        y = top + row * (bar_height + ROW_GAP)
        total = sum(values[row] or 0 for _, values in series)
        body.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 14}" text-anchor="end">'
            f"<title>{escape(category)}</title>{escape(_short(category))}</text>"
        )
        x = float(LABEL_WIDTH)
        for index, (label, values) in enumerate(series):
            value = values[row] or 0
            if not total or not value:
                continue
            part = BAR_AREA * value / total
            colour = colours[index % len(colours)]
            body.append(
                f'<rect x="{x:.1f}" y="{y}" width="{part:.1f}" height="{bar_height}" '
                f'fill="{colour}"><title>{escape(category)}: {escape(label)} – {value}</title></rect>'
            )
            if part >= 18:
                ink = "#000" if colour == "#ffc107" else "#fff"
                body.append(
                    f'<text x="{x + part / 2:.1f}" y="{y + 14}" text-anchor="middle" '
                    f'fill="{ink}">{value}</text>'
                )
            x += part
        body.append(f'<text x="{LABEL_WIDTH + BAR_AREA + 6}" y="{y + 14}">{total}</text>')
    return _svg(width, height, title, body)


def grouped_bars(
    title: str,
    categories: list[str],
    series: list[tuple[str, list]],
    *,
    maximum=None,
    suffix: str = "",
    scale_per_category: bool = False,
) -> SafeString:
    """Per category, one thin horizontal bar per series (e.g. target and actual).

    `maximum` fixes the scale (100 for percentages); `scale_per_category` scales each
    category on its own, for categories in different units.
    """
    bar_height = 12
    group = bar_height * len(series) + ROW_GAP + 4
    width = LABEL_WIDTH + BAR_AREA + 90

    def as_float(value) -> float:
        return float(value) if value is not None else 0.0

    overall = maximum or max([as_float(v) for _, values in series for v in values] + [1.0])
    body, legend_height = _legend([label for label, _ in series], COLOURS, width)
    height = legend_height + len(categories) * group + 10
    for row, category in enumerate(categories):
        y = legend_height + row * group
        top = overall
        if scale_per_category:
            top = max([as_float(values[row]) for _, values in series] + [1.0])
        body.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + bar_height + 2}" text-anchor="end">'
            f"<title>{escape(category)}</title>{escape(_short(category))}</text>"
        )
        for index, (label, values) in enumerate(series):
            value = values[row]
            length = BAR_AREA * min(as_float(value), top) / top if top else 0
            colour = COLOURS[index % len(COLOURS)]
            by = y + index * bar_height
            body.append(
                f'<rect x="{LABEL_WIDTH}" y="{by}" width="{length:.1f}" '
                f'height="{bar_height - 2}" fill="{colour}"><title>{escape(category)}: '
                f"{escape(label)} – {escape(number(value))}{escape(suffix)}</title></rect>"
            )
            body.append(
                f'<text x="{LABEL_WIDTH + length + 4:.1f}" y="{by + bar_height - 3}">'
                f"{escape(number(value))}{escape(suffix)}</text>"
            )
    return _svg(width, height, title, body)
