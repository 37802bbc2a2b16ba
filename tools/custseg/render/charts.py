"""Charts of a segmentation run: PNGs drawn from facts.json and customers.csv.

``render_charts(facts, customers, out_dir)`` writes up to six PNGs and returns one
:class:`Chart` per file written, each carrying the exact numbers it plots (``data``)
so callers and tests can check a chart without reading pixels. A chart whose data is
absent (no RFM, no migration, no validation, ...) is skipped, never drawn empty.

Ships inside the skill zip: standard library, numpy, pandas and matplotlib only.
Files are deterministic: same facts and customers give byte-identical PNGs.
"""

from __future__ import annotations

import math
import os
import textwrap
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (after the backend is set)
from matplotlib.colors import LinearSegmentedColormap, PowerNorm, Normalize  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from custseg.render.report import USAGE_CHART, USAGE_KIND, buyers, customers_words, rate_of_few  # noqa: E402

__all__ = ["Chart", "render_charts", "CHART_FILES", "OKABE_ITO", "fmt_pct", "fmt_money"]

# Okabe-Ito: distinguishable under the common colour-vision deficiencies.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
C_CUSTOMERS = OKABE_ITO["blue"]
C_REVENUE = OKABE_ITO["orange"]
C_REPEAT = OKABE_ITO["bluish_green"]
C_MONEY = OKABE_ITO["orange"]
C_HIST = OKABE_ITO["blue"]
C_TAIL = OKABE_ITO["sky_blue"]
C_REFERENCE = OKABE_ITO["vermillion"]
GREY = "#555555"
C_TOO_FEW = "#BBBBBB"  # a bar measured from too few customers to read: grey and hatched
TOO_FEW_WORDS = "too few to read"
# Sequential ramp for heatmaps: white -> Okabe-Ito sky blue -> blue.
HEAT = LinearSegmentedColormap.from_list("okabe_ito_blues", ["#FFFFFF", OKABE_ITO["sky_blue"], OKABE_ITO["blue"]])

FIGSIZE = (12, 7)  # inches; at DPI 100 -> 1200 x 700 px
DPI = 100
STYLE = {
    "font.family": "DejaVu Sans",  # bundled with matplotlib: same glyphs everywhere
    "font.size": 13,
    "axes.titlesize": 15,
    "axes.titleweight": "bold",
    "axes.labelsize": 13,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "figure.titlesize": 18,
    "figure.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#888888",
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "svg.hashsalt": "custseg",
}

CHART_FILES = {
    "segments": "segments.png",
    "rf_grid": "rf_grid.png",
    "migration": "migration.png",
    "validation": "validation.png",
    "distributions": "distributions.png",
    "usage": USAGE_CHART,  # the report places it beside the usage groups' table
}


@dataclass
class Chart:
    """One PNG written by :func:`render_charts`."""

    file: str  # name relative to out_dir, e.g. "segments.png"
    title: str  # the title drawn on the chart
    kind: str  # segments | rf_grid | migration | validation | distributions | usage
    data: dict = field(default_factory=dict)  # the exact numbers plotted, labels included


# ---------------------------------------------------------------- formatting


def fmt_pct(x: float | None) -> str:
    """0.1234 -> '12.3%'."""
    return "n/a" if x is None else f"{x * 100:.1f}%"


def fmt_money(x: float | None, currency: str | None = None, whole: bool | None = None) -> str:
    """Thousands separators; cents only below 100 (or as ``whole`` says); the currency code when known."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    text = f"{x:,.0f}" if (abs(x) >= 100 if whole is None else whole) else f"{x:,.2f}"
    return f"{text} {currency}" if currency else text


def _money_labels(values: list, currency: str | None) -> list[str]:
    """Bar labels of one chart with one precision: cents only when every amount is under 100
    (a '273 USD' beside a '0.00 USD' reads as two kinds of number)."""
    whole = any(v is not None and not (isinstance(v, float) and math.isnan(v)) and abs(v) >= 100 for v in values)
    return [fmt_money(v, currency, whole) for v in values]


def _as_of(facts: dict) -> str:
    as_of = facts.get("as_of")
    return f"as of {as_of}" if as_of else "as of an unknown date"


def _title(what: str, facts: dict) -> str:
    return f"{what}, {_as_of(facts)}"


def _currency(facts: dict) -> str | None:
    return (facts.get("data") or {}).get("currency")


def _wrap(label: str, width: int = 16) -> str:
    return "\n".join(textwrap.wrap(label, width)) or label


def _num(x: Any) -> float | None:
    if x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


# ---------------------------------------------------------------- facts access


def _rfm(facts: dict) -> dict | None:
    rfm = (facts.get("segmentations") or {}).get("rfm")
    if not isinstance(rfm, dict) or not rfm.get("segments"):
        return None
    return rfm


def _buyers_only(facts: dict) -> bool:
    """An event log: the RFM segments count only the customers who bought, fewer than the
    users in the data, so their shares are shares of the buyers (the report's rule)."""
    return buyers(facts)["never_bought"] is not None


def _who(n: int | None, facts: dict) -> str:
    """'2,746 customers', or '328 customers who bought' when the others never did."""
    return customers_words(n or 0) + (" who bought" if _buyers_only(facts) else "")


def _segment_order(rfm: dict) -> list[str]:
    segments = rfm["segments"]
    order = [k for k in (rfm.get("order") or []) if k in segments]
    return order + [k for k in segments if k not in order]


def _names(rfm: dict | None) -> dict[str, str]:
    if not rfm:
        return {}
    return {k: (v.get("name") or k) for k, v in rfm["segments"].items()}


def _display(key: str, names: dict[str, str]) -> str:
    return names.get(key) or key.replace("_", " ").title()


# ---------------------------------------------------------------- drawing helpers


def _new_figure(nrows: int = 1, ncols: int = 1, **kw):
    fig, axes = plt.subplots(nrows, ncols, figsize=FIGSIZE, dpi=DPI, layout="constrained", **kw)
    fig.get_layout_engine().set(h_pad=0.12, w_pad=0.12)
    return fig, axes


def _suptitle(fig, title: str) -> None:
    """The chart title, wrapped so a long one never runs off the image."""
    fig.suptitle("\n".join(textwrap.wrap(title, 78)), x=0.01, ha="left")


def _footnote(fig, text: str) -> None:
    """A grey line under the plots; constrained layout reserves its room."""
    fig.supxlabel(text, x=0.01, ha="left", fontsize=12, color=GREY)


def _save(fig, path: str) -> None:
    try:
        fig.savefig(path, dpi=DPI, format="png", metadata={"Software": None})
    finally:
        plt.close(fig)


_LABEL_BOX = {"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.85}


def _bar_labels(ax, bars, labels: list[str], *, horizontal: bool, fontsize: int = 12, color: str = "#222222") -> None:
    for bar, text in zip(bars, labels):
        if horizontal:
            x = bar.get_x() + bar.get_width()
            y = bar.get_y() + bar.get_height() / 2
            ax.annotate(text, (x, y), xytext=(4, 0), textcoords="offset points", va="center", ha="left", fontsize=fontsize, color=color, bbox=_LABEL_BOX)
        else:
            x = bar.get_x() + bar.get_width() / 2
            y = bar.get_height()
            ax.annotate(text, (x, y), xytext=(0, 3), textcoords="offset points", va="bottom", ha="center", fontsize=fontsize, color=color, bbox=_LABEL_BOX)


def _text_colour(norm_value: float) -> str:
    return "white" if norm_value > 0.55 else "#111111"


# ---------------------------------------------------------------- 1. segments


def _segments_chart(facts: dict, customers: pd.DataFrame):
    rfm = _rfm(facts)
    if rfm is None:
        return None
    segs = rfm["segments"]
    # Segments nobody is in are named under the chart instead of drawn as empty bars.
    keys = [k for k in _segment_order(rfm) if segs[k].get("count")]
    empty = [segs[k].get("name") or k for k in _segment_order(rfm) if not segs[k].get("count")]
    currency = _currency(facts)
    data = {
        "segments": keys,
        "empty": empty,
        "labels": [segs[k].get("name") or k for k in keys],
        "counts": [segs[k].get("count") for k in keys],
        "pct_customers": [segs[k].get("pct_customers") for k in keys],
        "revenue_share": [segs[k].get("revenue_share") for k in keys],
        "customers": rfm.get("customers"),
        "revenue_total": (facts.get("data") or {}).get("revenue_total"),
        "currency": currency,
    }
    has_revenue = any(v is not None for v in data["revenue_share"])
    people = "buyers" if _buyers_only(facts) else "customers"  # an event log's users who never bought are in no segment
    what = f"RFM segments: share of {people} vs share of revenue" if has_revenue else f"RFM segments: share of {people}"
    title = _title(what, facts)

    def draw():
        fig, ax = _new_figure()
        n = len(keys)
        y = np.arange(n)
        pct = [(_num(v) or 0.0) for v in data["pct_customers"]]
        rev = [(_num(v) or 0.0) for v in data["revenue_share"]]
        h = 0.38 if has_revenue else 0.6
        off = h / 2 if has_revenue else 0.0
        b1 = ax.barh(y - off, pct, height=h, color=C_CUSTOMERS, label=f"% of {people}")
        _bar_labels(ax, b1, [fmt_pct(v) for v in data["pct_customers"]], horizontal=True)
        top = max(pct + [0.01])
        if has_revenue:
            b2 = ax.barh(y + off, rev, height=h, color=C_REVENUE, label="% of revenue")
            _bar_labels(ax, b2, [fmt_pct(v) for v in data["revenue_share"]], horizontal=True)
            top = max(top, max(rev))
        ticks = [f"{_wrap(lbl, 18)}\n{customers_words(c)}" for lbl, c in zip(data["labels"], data["counts"])]
        ax.set_yticks(y, ticks)
        ax.invert_yaxis()
        ax.set_xlim(0, top * 1.15)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v * 100:.0f}%"))
        ax.grid(axis="x", color="#e5e5e5")
        ax.set_axisbelow(True)
        ax.tick_params(axis="y", length=0)
        everyone = (facts.get("data") or {}).get("customers")
        parts = [f"{data['customers']:,} of {everyone:,} customers bought" if _buyers_only(facts) else customers_words(data["customers"])]
        if has_revenue and data["revenue_total"] is not None:
            parts.append(f"revenue {fmt_money(data['revenue_total'], currency)}")
        elif not has_revenue:
            parts.append("revenue share not shown: the data has no amounts")
        parts.append("segments best first")
        ax.set_title(" · ".join(parts), loc="left", fontsize=13, fontweight="normal", color=GREY)
        ax.legend(loc="upper right", frameon=False, ncols=2)
        _suptitle(fig, title)
        if empty:
            _footnote(fig, "No customers at this date in: " + ", ".join(empty))
        return fig

    return Chart(CHART_FILES["segments"], title, "segments", data), draw


# ---------------------------------------------------------------- 2. recency x frequency grid


def _band_label(band: dict, unit: str, plural: str) -> str | None:
    lo, hi = band.get("min"), band.get("max")
    if lo is None and hi is None:
        return None
    fmt = lambda v: f"{int(v):,}" if float(v).is_integer() else f"{v:g}"  # noqa: E731
    if hi is None:
        return f"{fmt(lo)}+ {plural}"
    if lo is None:
        return f"≤{fmt(hi)} {plural}"
    if lo == hi:
        return f"{fmt(lo)} {unit if lo == 1 else plural}"
    return f"{fmt(lo)}–{fmt(hi)} {plural}"


def _bands(rfm: dict | None, dim: str, unit: str, plural: str) -> dict[int, str]:
    out: dict[int, str] = {}
    if not rfm:
        return out
    for band in (((rfm.get("scores") or {}).get(dim) or {}).get("bands") or []):
        if "score" in band:
            text = _band_label(band, unit, plural)
            if text:
                out[int(band["score"])] = text
    return out


def _rf_grid_chart(facts: dict, customers: pd.DataFrame):
    if customers is None or not {"r_score", "f_score"} <= set(customers.columns):
        return None
    r = pd.to_numeric(customers["r_score"], errors="coerce")
    f = pd.to_numeric(customers["f_score"], errors="coerce")
    scored = r.notna() & f.notna()
    if not scored.any():
        return None
    r, f = r[scored].astype(int), f[scored].astype(int)
    money = pd.to_numeric(customers["monetary_total"], errors="coerce")[scored] if "monetary_total" in customers.columns else pd.Series(np.nan, index=r.index)
    r_scores = sorted(set(range(1, 6)) | set(r.unique().tolist()), reverse=True)  # 5 (most recent) on top
    f_scores = sorted(set(range(1, 6)) | set(f.unique().tolist()))
    frame = pd.DataFrame({"r": r.values, "f": f.values, "m": money.values})
    counts_s = frame.groupby(["r", "f"]).size()
    spend_s = frame.groupby(["r", "f"])["m"].mean()
    counts = [[int(counts_s.get((ri, fi), 0)) for fi in f_scores] for ri in r_scores]
    avg = [[(float(spend_s[(ri, fi)]) if (ri, fi) in spend_s.index and not pd.isna(spend_s[(ri, fi)]) else None) for fi in f_scores] for ri in r_scores]
    currency = _currency(facts)
    rfm = _rfm(facts)
    # one precision for every cell of the grid (cents only when every average is under 100)
    flat = _money_labels([v for row in avg for v in row], currency)
    data = {
        "r_scores": r_scores,
        "f_scores": f_scores,
        "counts": counts,
        "avg_spend": avg,
        "avg_labels": [flat[i * len(f_scores) : (i + 1) * len(f_scores)] for i in range(len(r_scores))],
        "customers": int(scored.sum()),
        "currency": currency,
        "recency_bands": _bands(rfm, "recency", "day", "days"),
        "frequency_bands": _bands(rfm, "frequency", "day", "days"),
    }
    has_spend = any(v is not None for row in avg for v in row)
    what = "Recency × frequency: customers and average spend" if has_spend else "Recency × frequency: customers per score cell"
    title = _title(what, facts)

    def draw():
        fig, ax = _new_figure()
        arr = np.array(counts, dtype=float)
        vmax = max(arr.max(), 1.0)
        norm = PowerNorm(gamma=0.5, vmin=0, vmax=vmax)  # small cells stay visible next to a huge one
        ax.imshow(arr, cmap=HEAT, norm=norm, aspect="auto")
        for i in range(len(r_scores)):
            for j in range(len(f_scores)):
                c = counts[i][j]
                colour = _text_colour(float(norm(c)))
                if c == 0:
                    ax.text(j, i, "–", ha="center", va="center", fontsize=14, color="#999999")
                    continue
                if has_spend and avg[i][j] is not None:
                    ax.text(j, i - 0.12, f"{c:,}", ha="center", va="center", fontsize=16, fontweight="bold", color=colour)
                    ax.text(j, i + 0.2, f"avg {data['avg_labels'][i][j]}", ha="center", va="center", fontsize=11.5, color=colour)
                else:
                    ax.text(j, i, f"{c:,}", ha="center", va="center", fontsize=16, fontweight="bold", color=colour)
        rb, fb = data["recency_bands"], data["frequency_bands"]
        ax.set_yticks(range(len(r_scores)), [f"{s}  ({rb[s]})" if s in rb else str(s) for s in r_scores])
        ax.set_xticks(range(len(f_scores)), [f"{s}\n({fb[s]})" if s in fb else str(s) for s in f_scores])
        ax.set_ylabel("Recency score: days since last purchase\n(5 = bought most recently)")
        ax.set_xlabel("Frequency score: distinct purchase days  (5 = bought on the most days)")
        ax.tick_params(length=0)
        for s in ax.spines.values():
            s.set_visible(False)
        ax.set_xticks(np.arange(-0.5, len(f_scores)), minor=True)
        ax.set_yticks(np.arange(-0.5, len(r_scores)), minor=True)
        ax.grid(which="minor", color="white", linewidth=2)
        ax.tick_params(which="minor", length=0)
        sub = f"{data['customers']:,} scored customers{' (those who bought)' if _buyers_only(facts) else ''}; darker = more customers"
        if has_spend:
            sub += f"; avg = average total spend per customer{f' ({currency})' if currency else ''}"
        ax.set_title(sub, loc="left", fontsize=13, fontweight="normal", color=GREY)
        _suptitle(fig, title)
        return fig

    return Chart(CHART_FILES["rf_grid"], title, "rf_grid", data), draw


# ---------------------------------------------------------------- 3. migration


def _migration_chart(facts: dict, customers: pd.DataFrame):
    rfm = _rfm(facts)
    mig = (rfm or {}).get("migration")
    if not rfm or not isinstance(mig, dict) or not mig.get("matrix"):
        return None
    matrix = mig["matrix"]
    order = _segment_order(rfm)
    all_rows = [k for k in order if k in matrix] + [k for k in matrix if k not in order]
    col_keys = {t for to in matrix.values() for t in (to or {})}
    all_cols = [k for k in order if k in col_keys] + sorted(col_keys - set(order))
    cell = lambda a, b: int((matrix.get(a) or {}).get(b) or 0)  # noqa: E731
    # A segment nobody was in on a date is left out of that axis, not drawn as a row or column
    # of dashes: on short or cohort data (no one New, no Champions yet) those rows take a third
    # of the grid and squeeze the cells that hold customers, and the footnote still names them.
    rows = [a for a in all_rows if any(cell(a, b) for b in all_cols)]
    cols = [b for b in all_cols if any(cell(a, b) for a in all_rows)]
    if not rows:
        return None
    counts = [[cell(a, b) for b in cols] for a in rows]
    row_share = [[(c / sum(row) if sum(row) else 0.0) for c in row] for row in counts]
    names = _names(rfm)
    data = {
        "from_date": mig.get("from_date"),
        "to_date": mig.get("to_date"),
        "rows": rows,
        "cols": cols,
        "row_labels": [_display(k, names) for k in rows],
        "col_labels": [_display(k, names) for k in cols],
        "matrix": {a: {b: counts[i][j] for j, b in enumerate(cols)} for i, a in enumerate(rows)},
        "counts": counts,
        "row_share": [[round(v, 4) for v in row] for row in row_share],
        "customers_in_both": mig.get("customers_in_both"),
        "empty_rows": [a for a in all_rows if a not in rows],
        "empty_cols": [b for b in all_cols if b not in cols],
    }
    title = _title(f"How customers moved between segments since {data['from_date']}", facts)

    def draw():
        fig, ax = _new_figure()
        arr = np.array(row_share, dtype=float)
        norm = Normalize(vmin=0, vmax=1)
        im = ax.imshow(arr, cmap=HEAT, norm=norm, aspect="auto")
        for i in range(len(rows)):
            for j in range(len(cols)):
                c = counts[i][j]
                colour = _text_colour(float(norm(arr[i, j])))
                if c == 0:
                    ax.text(j, i, "–", ha="center", va="center", fontsize=14, color="#999999")
                    continue
                ax.text(j, i - 0.13, f"{c:,}", ha="center", va="center", fontsize=15, fontweight="bold", color=colour)
                ax.text(j, i + 0.22, fmt_pct(arr[i, j]), ha="center", va="center", fontsize=11, color=colour)
        # outline "stayed in the same segment" cells; one nobody stayed in gets no box (a box
        # round a dash read as a segment of its own)
        for i, a in enumerate(rows):
            if a in cols and counts[i][cols.index(a)]:
                j = cols.index(a)
                ax.add_patch(plt.Rectangle((j - 0.46, i - 0.46), 0.92, 0.92, fill=False, edgecolor=OKABE_ITO["black"], linewidth=1.8, zorder=3))
        row_totals = [sum(r) for r in counts]
        ax.set_yticks(range(len(rows)), [f"{_wrap(l, 18)}  ({t:,})" for l, t in zip(data["row_labels"], row_totals)])
        ax.set_xticks(range(len(cols)), [_wrap(l, 12) for l in data["col_labels"]])
        ax.xaxis.tick_top()
        ax.xaxis.set_label_position("top")
        ax.set_xlabel(f"Segment on {data['to_date']}", labelpad=8)
        ax.set_ylabel(f"Segment on {data['from_date']}")
        ax.tick_params(length=0)
        for s in ax.spines.values():
            s.set_visible(False)
        ax.set_xticks(np.arange(-0.5, len(cols)), minor=True)
        ax.set_yticks(np.arange(-0.5, len(rows)), minor=True)
        ax.grid(which="minor", color="white", linewidth=2)
        ax.tick_params(which="minor", length=0)
        cb = fig.colorbar(im, ax=ax, shrink=0.8, pad=0.02, format=FuncFormatter(lambda v, _p: f"{v * 100:.0f}%"))
        cb.set_label(f"Share of the {data['from_date']} segment")
        cb.outline.set_visible(False)
        n = data["customers_in_both"]
        sub = "Cell: customers and % of their row · outlined: stayed in the same segment"
        if n is not None:
            sub = f"{n:,} customers who had bought by {data['from_date']} · " + sub
        left_out = _empty_axes_words(data, names)
        if left_out:
            sub += "\n" + left_out
        _suptitle(fig, title)
        _footnote(fig, sub)
        return fig

    return Chart(CHART_FILES["migration"], title, "migration", data), draw


def _empty_axes_words(data: dict, names: dict[str, str]) -> str:
    """The segments the migration chart leaves out for holding nobody, with the date they were
    empty on: 'Not shown, as nobody was in them: New (both dates), Champions (2025-12-28)'."""
    rows, cols = data["empty_rows"], data["empty_cols"]
    keys = rows + [k for k in cols if k not in rows]
    if not keys:
        return ""

    def when(k: str) -> str:
        return "both dates" if k in rows and k in cols else data["from_date"] if k in rows else data["to_date"]

    return f"Not shown, as nobody was in {'them' if len(keys) > 1 else 'it'}: " + ", ".join(f"{_display(k, names)} ({when(k)})" for k in keys)


# ---------------------------------------------------------------- 4. validation


def _validation_chart(facts: dict, customers: pd.DataFrame):
    rfm = _rfm(facts)
    val = (rfm or {}).get("validation")
    if not rfm or not isinstance(val, dict) or not val.get("segments"):
        return None
    rows = val["segments"]
    names = _names(rfm)
    currency = _currency(facts)
    data = {
        "cutoff": val.get("cutoff"),
        "window_end": val.get("window_end"),
        "window_days": val.get("window_days"),
        "segments": [r.get("segment") for r in rows],
        "labels": [_display(r.get("segment"), names) for r in rows],
        "customers": [r.get("customers") for r in rows],
        "repeat_rate": [r.get("repeat_rate") for r in rows],
        "revenue_per_customer": [r.get("revenue_per_customer") for r in rows],
        "revenue_share": [r.get("revenue_share") for r in rows],
        "base_repeat_rate": val.get("base_repeat_rate"),
        "currency": currency,
        # segments with too few customers at the cutoff for their rate to mean anything (the
        # report's own rule): a trial's Champions read 100.0% from 1 customer, the longest bar
        "too_few": [rate_of_few(r.get("customers")) is not None for r in rows],
    }
    has_money = any(v is not None for v in data["revenue_per_customer"])
    days = data["window_days"]
    span = f"{days} days after {data['cutoff']}" if days else f"{data['cutoff']} → {data['window_end']}"
    what = f"What each segment did next ({span})"
    title = _title(what, facts)

    def draw():
        fig, axes = _new_figure(1, 2 if has_money else 1, sharey=True)
        axes = list(np.atleast_1d(axes))
        y = np.arange(len(rows))
        few = data["too_few"]
        ticks = [f"{_wrap(l, 18)}\n{customers_words(c)}" + (f"\n{TOO_FEW_WORDS}" if thin else "") for l, c, thin in zip(data["labels"], data["customers"], few)]
        rr = [(_num(v) or 0.0) for v in data["repeat_rate"]]
        ax = axes[0]
        bars = ax.barh(y, rr, height=0.6, color=C_REPEAT)
        _grey_out(bars, few)
        _bar_labels(ax, bars, [fmt_pct(v) for v in data["repeat_rate"]], horizontal=True)
        top = max(rr + [0.01])
        base = _num(data["base_repeat_rate"])
        if base is not None:
            ax.axvline(base, color=C_REFERENCE, linestyle="--", linewidth=1.8)
            ax.annotate(f"all customers: {fmt_pct(base)}", (base, 1.0), xycoords=("data", "axes fraction"), xytext=(4, -2), textcoords="offset points", ha="left", va="top", fontsize=11.5, color=C_REFERENCE, bbox=_LABEL_BOX)
        ax.set_xlim(0, top * 1.22)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v * 100:.0f}%"))
        ax.set_title(f"Share who bought again{f' within {days} days' if days else ''}", loc="left")
        ax.set_yticks(y, ticks)
        ax.invert_yaxis()
        if has_money:
            money = [(_num(v) or 0.0) for v in data["revenue_per_customer"]]
            ax2 = axes[1]
            bars = ax2.barh(y, money, height=0.6, color=C_MONEY)
            _grey_out(bars, few)
            _bar_labels(ax2, bars, _money_labels(data["revenue_per_customer"], currency), horizontal=True)
            ax2.set_xlim(0, max(money + [1.0]) * 1.3)
            ax2.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.0f}"))
            ax2.set_title("Revenue per customer" + (f" ({currency})" if currency else ""), loc="left")
            ax2.tick_params(axis="y", labelleft=False)
        for a in axes:
            a.grid(axis="x", color="#e5e5e5")
            a.set_axisbelow(True)
            a.tick_params(axis="y", length=0)
        note = f"Segments as scored with data up to {data['cutoff']}; purchases counted from {data['cutoff']} to {data['window_end']}."
        if any(few):
            note += f"\nGrey hatched bars: {TOO_FEW_WORDS}, as one customer's purchase moves such a segment's rate by several points."
        _footnote(fig, note)
        _suptitle(fig, title)
        return fig

    return Chart(CHART_FILES["validation"], title, "validation", data), draw


def _grey_out(bars, few: list[bool]) -> None:
    """Grey and hatch the bars of segments measured from too few customers, so the eye does
    not take the longest bar for the best segment."""
    for bar, thin in zip(bars, few):
        if thin:
            bar.set_facecolor(C_TOO_FEW)
            bar.set_hatch("//")
            bar.set_edgecolor(GREY)


# ---------------------------------------------------------------- 5. distributions

_WIDTHS = (7, 14, 30, 60, 90, 180, 365)


def _recency_bins(values: np.ndarray) -> tuple[list[int], list[str], bool]:
    """Day bins of a round width (<= 10 bins up to the 95th percentile); the rest in 'N+'."""
    p95 = float(np.percentile(values, 95))
    vmax = float(values.max())
    width = next((w for w in _WIDTHS if math.ceil((p95 + 1) / w) <= 10), _WIDTHS[-1])
    nb = max(1, math.ceil((p95 + 1) / width))
    cap = nb * width
    tail = vmax >= cap
    edges = [i * width for i in range(nb + 1)]
    labels = [f"{a:,}–{b - 1:,}" for a, b in zip(edges[:-1], edges[1:])]
    if tail:
        labels.append(f"{cap:,}+")
    return edges, labels, tail


def _frequency_bins(values: np.ndarray) -> tuple[list[int], list[str], bool]:
    """One bar per purchase-day count up to about the 97th percentile; the rest in 'N+'."""
    lo = int(min(1, values.min()))
    p97 = float(np.percentile(values, 97))
    cap = int(min(15, max(6, math.ceil(p97) + 1)))
    vmax = int(values.max())
    if vmax < cap:
        cap = vmax + 1
        tail = False
    else:
        tail = True
    edges = list(range(lo, cap + 1))
    labels = [str(v) for v in range(lo, cap)]
    if tail:
        labels.append(f"{cap}+")
    return edges, labels, tail


def _histogram(values: np.ndarray, edges: list[int], tail: bool) -> list[int]:
    v = np.floor(values).astype(np.int64)
    counts = [int(((v >= a) & (v < b)).sum()) for a, b in zip(edges[:-1], edges[1:])]
    if tail:
        counts.append(int((v >= edges[-1]).sum()))
    return counts


def _distributions_chart(facts: dict, customers: pd.DataFrame):
    cols = ("recency_days", "purchase_days")
    if customers is None or not set(cols) <= set(customers.columns):
        return None
    rec = pd.to_numeric(customers["recency_days"], errors="coerce")
    freq = pd.to_numeric(customers["purchase_days"], errors="coerce")
    in_scope = rec.notna() | freq.notna()
    if "r_score" in customers.columns:
        in_scope = in_scope | pd.to_numeric(customers["r_score"], errors="coerce").notna()
    n = int(in_scope.sum())
    if n == 0:
        return None
    data: dict[str, Any] = {"customers": n}
    for name, series, binner, unit in (("recency_days", rec, _recency_bins, "days"), ("purchase_days", freq, _frequency_bins, "purchase days")):
        vals = series[in_scope].dropna().to_numpy(dtype=float)
        if len(vals) == 0:
            data[name] = None
            continue
        edges, labels, tail = binner(vals)
        data[name] = {
            "labels": labels,
            "edges": edges,
            "counts": _histogram(vals, edges, tail),
            "tail_from": edges[-1] if tail else None,
            "missing": n - len(vals),
            "unit": unit,
        }
    if data["recency_days"] is None and data["purchase_days"] is None:
        return None
    title = _title("How recently and how often customers bought", facts)
    panels = [
        ("recency_days", "Days since last purchase", "days since the last purchase"),
        ("purchase_days", "Purchase days (frequency)", "distinct days with a purchase"),
    ]
    panels = [p for p in panels if data[p[0]] is not None]

    def draw():
        ratios = [max(len(data[p[0]]["counts"]), 4) for p in panels]
        fig, axes = _new_figure(1, len(panels), gridspec_kw={"width_ratios": ratios})
        axes = list(np.atleast_1d(axes))
        for ax, (key, heading, xlabel) in zip(axes, panels):
            d = data[key]
            x = np.arange(len(d["counts"]))
            colours = [C_HIST] * len(x)
            if d["tail_from"] is not None:
                colours[-1] = C_TAIL
            bars = ax.bar(x, d["counts"], width=0.82, color=colours)
            long_labels = max(len(l) for l in d["labels"]) > 4
            _bar_labels(ax, bars, [f"{c:,}" for c in d["counts"]], horizontal=False, fontsize=10 if len(x) > 12 else 11 if len(x) > 9 else 12)
            if long_labels:
                ax.set_xticks(x, d["labels"], rotation=40, ha="right", rotation_mode="anchor")
            else:
                ax.set_xticks(x, d["labels"])
            ax.set_ylim(0, max(d["counts"] + [1]) * 1.12)
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # customers are whole: no 0, 0, 1, 1 ticks on a few
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.0f}"))
            ax.set_ylabel("Customers")
            ax.set_xlabel(xlabel)
            ax.grid(axis="y", color="#e5e5e5")
            ax.set_axisbelow(True)
            ax.tick_params(axis="x", length=0)
            ax.set_title(heading, loc="left")
            if d["missing"]:
                ax.annotate(f"{d['missing']:,} without a value, not shown", (1.0, 1.0), xycoords="axes fraction", ha="right", va="top", fontsize=11, color=GREY)
        _suptitle(fig, title)
        grouped = any(data[p[0]]["tail_from"] is not None for p in panels)
        _footnote(fig, f"{_who(n, facts)}" + ("; lighter last bar = everyone past the bars before it, grouped into one" if grouped else ""))
        return fig

    return Chart(CHART_FILES["distributions"], title, "distributions", data), draw


# ---------------------------------------------------------------- 6. usage groups (event logs)


def _days_labels(values: list) -> list[str]:
    """Mean active days with one decimal each, so '13.6 days' and '0.0 days' read alike."""
    return ["n/a" if _num(v) is None else f"{v:,.1f} days" for v in values]


def _usage_data(seg: dict) -> dict:
    segs = seg["segments"]
    order = _segment_order(seg)
    keys = [k for k in order if segs[k].get("count")]
    return {
        "segments": keys,
        "empty": [segs[k].get("name") or k for k in order if not segs[k].get("count")],
        "labels": [segs[k].get("name") or k for k in keys],
        "counts": [segs[k].get("count") for k in keys],
        "pct_customers": [segs[k].get("pct_customers") for k in keys],
        "active_days_30": [segs[k].get("active_days_30") for k in keys],
        "customers": seg.get("customers"),
    }


def _usage_chart(facts: dict, customers: pd.DataFrame):
    """The behavioral segmentation's usage groups: how many users each holds and how many days
    of the last 30 they were active on average. Drawn only when facts have those groups."""
    seg = (facts.get("segmentations") or {}).get(USAGE_KIND)
    if not isinstance(seg, dict) or not any((s or {}).get("count") for s in (seg.get("segments") or {}).values()):
        return None
    data = _usage_data(seg)
    title = _title("Usage groups: share of users and active days in the last 30", facts)

    def draw():
        fig, (left, right) = _new_figure(1, 2, sharey=True)
        y = np.arange(len(data["segments"]))
        panels = ((left, data["pct_customers"], C_CUSTOMERS, [fmt_pct(v) for v in data["pct_customers"]], "Share of users"),
                  (right, data["active_days_30"], C_REPEAT, _days_labels(data["active_days_30"]), "Active days in the last 30, on average"))
        for ax, values, colour, labels, heading in panels:
            plotted = [(_num(v) or 0.0) for v in values]
            _bar_labels(ax, ax.barh(y, plotted, height=0.6, color=colour), labels, horizontal=True)
            ax.set_xlim(0, max(plotted + [0.01]) * 1.3)
            ax.set_title(heading, loc="left")
            ax.grid(axis="x", color="#e5e5e5")
            ax.set_axisbelow(True)
            ax.tick_params(axis="y", length=0)
        left.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v * 100:.0f}%"))
        left.set_yticks(y, [f"{_wrap(lbl, 18)}\n{c:,} {'user' if c == 1 else 'users'}" for lbl, c in zip(data["labels"], data["counts"])])
        left.invert_yaxis()
        right.tick_params(axis="y", labelleft=False)
        note = f"{data['customers']:,} users; an active day is a day with any event" if data["customers"] is not None else "An active day is a day with any event"
        if data["empty"]:
            note += "; no users at this date in: " + ", ".join(data["empty"])
        _footnote(fig, note)
        _suptitle(fig, title)
        return fig

    return Chart(CHART_FILES["usage"], title, "usage", data), draw


# ---------------------------------------------------------------- entry point

_BUILDERS: tuple[Callable, ...] = (_segments_chart, _rf_grid_chart, _migration_chart, _validation_chart, _distributions_chart, _usage_chart)


def render_charts(facts: dict, customers: pd.DataFrame, out_dir: str) -> list[Chart]:
    """Write the charts the data supports into ``out_dir`` (created) and return them in order.

    A chart whose data is absent is skipped, and a same-named PNG left in ``out_dir`` by an
    earlier render is removed so the folder never shows a chart from another run.
    """
    os.makedirs(out_dir, exist_ok=True)
    charts: list[Chart] = []
    for build in _BUILDERS:
        spec = build(facts, customers)
        if spec is None:
            stale = os.path.join(out_dir, CHART_FILES[build.__name__[1:-len("_chart")]])
            if os.path.isfile(stale):
                os.remove(stale)
            continue
        chart, draw = spec
        with plt.rc_context(STYLE):
            fig = draw()
            _save(fig, os.path.join(out_dir, chart.file))
        charts.append(chart)
    return charts
