"""Horizontal bar charts as inline SVG: no chart library, no network, readable without JS."""
from __future__ import annotations

import html

MAX_BARS = 20
ROW = 22
LABEL_W = 170
BAR_W = 300
VALUE_W = 70


def bar_chart(items: list[tuple[str, int]], title: str, filter_kind: str) -> str:
    """One bar per item (largest first, at most MAX_BARS; the rest summed as "other").

    Each bar carries `data-filter-kind`/`data-filter` so the page script can filter on a click.
    """
    items = [(str(k), int(v)) for k, v in items if isinstance(v, (int, float)) and v > 0]
    items.sort(key=lambda kv: (-kv[1], kv[0]))
    if not items:
        return f'<p class="muted">{html.escape(title)}: nothing to show.</p>'
    rest = items[MAX_BARS:]
    items = items[:MAX_BARS]
    if rest:
        items.append((f"other ({len(rest)})", sum(v for _, v in rest)))
    top = max(v for _, v in items)
    width = LABEL_W + BAR_W + VALUE_W
    height = ROW * len(items) + 8
    out = [f'<svg class="chart" role="img" aria-label="{html.escape(title)}" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{html.escape(title)}</title>']
    for i, (label, value) in enumerate(items):
        y = 4 + i * ROW
        w = max(2, round(BAR_W * value / top))
        short = label if len(label) <= 24 else label[:23] + "…"
        is_other = rest and i == len(items) - 1
        attrs = "" if is_other else f' class="bar filterable" data-filter-kind="{filter_kind}" data-filter="{html.escape(label)}"'
        out.append(
            f'<g{attrs}><title>{html.escape(label)}: {value:,}</title>'
            f'<text x="{LABEL_W - 8}" y="{y + 15}" text-anchor="end" class="lbl">{html.escape(short)}</text>'
            f'<rect x="{LABEL_W}" y="{y + 3}" width="{w}" height="{ROW - 6}" rx="3"/>'
            f'<text x="{LABEL_W + w + 6}" y="{y + 15}" class="val">{value:,}</text></g>'
        )
    out.append("</svg>")
    return "".join(out)
