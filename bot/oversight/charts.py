"""The oversight report's pictures, drawn with matplotlib: SVG for the page, PNG for the .docx.

matplotlib is imported here, inside `draw`, and nowhere else: the server and the CLI start without paying
for it (about half a second), and only a chart being drawn loads it. The Agg and SVG backends need no
display; the font is DejaVu Sans, which ships inside matplotlib, so nothing is fetched. Colours are the
Okabe-Ito set (distinguishable with colour-blindness) and every series also has its own hatching and a
legend, so colour is never the only way to tell them apart. A chart shows counts and agency names only.
"""
from __future__ import annotations

import io
import threading

from bot.oversight.figures import Oversight
from bot.oversight.render import CHART_TITLES

KEYS = tuple(CHART_TITLES)
# rc_context changes matplotlib's process-wide settings: charts drawn in worker threads take turns.
_DRAWING = threading.Lock()
_BLUE, _ORANGE, _GREEN, _VERMILION, _GREY = "#0072B2", "#E69F00", "#009E73", "#D55E00", "#595959"
_RC = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "svg.fonttype": "none",  # text stays text in the SVG: readable by a screen reader, small, searchable
    "svg.hashsalt": "rapidreview-oversight",  # the same figures give the same file
    "axes.spines.top": False,
    "axes.spines.right": False,
    "hatch.linewidth": 0.6,
}


def alt_text(o: Oversight, key: str) -> str:
    """What the chart shows, in words: the page's alt text and the .docx picture's description."""
    if key == "timeliness_by_quarter":
        parts = [f"{q.label}: SINs {q.sin.on_time} of {q.sin.n} on time, rapid reviews {q.rapid_review.on_time} of "
                 f"{q.rapid_review.n} on time" for q in o.quarters]
    elif key == "rapid_review_days":
        parts = [f"{len(o.rr_working_days)} rapid review(s)"] + (
            [f"working days taken: {', '.join(str(d) for d in o.rr_working_days)}"] if o.rr_working_days else [])
    elif key == "returns_by_agency":
        parts = [f"{a.agency}: {a.on_time} on time, {len(a.late)} late, {a.outstanding_overdue} missing"
                 for a in o.agencies] or ["no agency return was due"]
    else:
        parts = [f"{a.agency}: {a.completed} completed, {a.open} open, {a.overdue} overdue"
                 for a in o.actions] or ["no action plan item"]
    return f"{CHART_TITLES[key]}. " + "; ".join(parts) + "."


def draw(o: Oversight, key: str, fmt: str = "svg") -> bytes:
    """One chart as SVG or PNG bytes."""
    if key not in CHART_TITLES or fmt not in ("svg", "png"):
        raise ValueError(f"no chart {key!r} as {fmt!r}")
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib import rc_context
    from matplotlib.figure import Figure  # the object API: no pyplot global state shared between requests

    with _DRAWING, rc_context(_RC):
        fig = Figure(figsize=(8, 3.8), dpi=100, layout="constrained")
        ax = fig.add_subplot()
        {"timeliness_by_quarter": _quarters, "rapid_review_days": _distribution,
         "returns_by_agency": _returns, "actions_by_agency": _actions}[key](o, ax)
        # Over the whole figure, not the axes: long agency names push the axes right.
        fig.suptitle(CHART_TITLES[key], x=0.01, ha="left", fontsize=11, fontweight="bold")
        out = io.BytesIO()
        fig.savefig(out, format=fmt, dpi=150 if fmt == "png" else None,
                    metadata={"Date": None} if fmt == "svg" else {"Software": None})
    return out.getvalue()


def _empty(ax, text: str) -> None:  # noqa: ANN001
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color=_GREY)
    ax.set_xticks([])
    ax.set_yticks([])


def _quarters(o: Oversight, ax) -> None:  # noqa: ANN001
    if not o.quarters:
        return _empty(ax, "No quarter in the period")
    xs = range(len(o.quarters))
    width = 0.38
    for offset, name, colour, hatch, series in ((-width / 2, "SINs", _BLUE, "", [q.sin for q in o.quarters]),
                                                (width / 2, "Rapid reviews", _ORANGE, "//",
                                                 [q.rapid_review for q in o.quarters])):
        pcts = [t.pct or 0 for t in series]
        bars = ax.bar([x + offset for x in xs], pcts, width, label=f"{name} on time", color=colour, hatch=hatch,
                      edgecolor="black", linewidth=0.5)
        for bar, t in zip(bars, series):
            if t.n:  # "k/n" over each bar: the counts behind the percentage
                ax.annotate(f"{t.on_time}/{t.n}", (bar.get_x() + bar.get_width() / 2, bar.get_height()), ha="center",
                            va="bottom", xytext=(0, 2), textcoords="offset points", fontsize=8)
    for x, q in zip(xs, o.quarters):
        if not q.sin.n and not q.rapid_review.n:
            ax.annotate("none", (x, 0), ha="center", va="bottom", xytext=(0, 2), textcoords="offset points",
                        fontsize=8, color=_GREY)
    ax.set_xticks(list(xs), [q.label.replace(" ", "\n", 1) for q in o.quarters], fontsize=9 if len(xs) <= 4 else 7)
    ax.set_ylim(0, 115)
    ax.set_ylabel("% on time")
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1), frameon=False)


def _distribution(o: Oversight, ax) -> None:  # noqa: ANN001
    days = o.rr_working_days
    if not days:
        return _empty(ax, "No rapid review went to the Panel in the period")
    due = o.rr_due_day
    top = max(days + [due]) + 1
    counts = [days.count(d) for d in range(top + 1)]
    colours = [_VERMILION if d > due else _BLUE for d in range(top + 1)]
    hatches = ["xx" if d > due else "" for d in range(top + 1)]
    for d, (n, c, h) in enumerate(zip(counts, colours, hatches)):
        if n:
            ax.bar(d, n, 0.8, color=c, hatch=h, edgecolor="black", linewidth=0.5)
    ax.axvline(due + 0.5, color="black", linestyle="--", linewidth=1)
    ax.set_ylim(0, max(counts) * 1.25)  # room above the bars for the deadline's label
    ax.annotate(f"due by working day {due}", (due + 0.5, max(counts) * 1.2), xytext=(-4, 0), textcoords="offset points",
                fontsize=8, va="top", ha="right")
    ax.set_xlim(-0.5, top + 0.5)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("Working day of the SIN clock on which the rapid review was sent (late ones cross-hatched)")
    ax.set_ylabel("Rapid reviews")
    ax.yaxis.get_major_locator().set_params(integer=True)


def _stacked(ax, names: list[str], series: list[tuple[str, str, str, list[int]]], xlabel: str) -> None:  # noqa: ANN001
    ys = range(len(names))
    left = [0] * len(names)
    for label, colour, hatch, values in series:
        ax.barh(list(ys), values, left=left, label=label, color=colour, hatch=hatch, edgecolor="black", linewidth=0.5)
        left = [a + b for a, b in zip(left, values)]
    ax.set_yticks(list(ys), names)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1), frameon=False)


def _returns(o: Oversight, ax) -> None:  # noqa: ANN001
    if not o.agencies:
        return _empty(ax, "No agency return was due in the period")
    _stacked(ax, [a.agency for a in o.agencies], [
        ("On time", _GREEN, "", [a.on_time for a in o.agencies]),
        ("Late", _ORANGE, "//", [len(a.late) for a in o.agencies]),
        ("Missing after due date", _VERMILION, "xx", [a.outstanding_overdue for a in o.agencies]),
    ], "Returns due in the period (waived ones left out)")


def _actions(o: Oversight, ax) -> None:  # noqa: ANN001
    if not o.actions:
        return _empty(ax, "No action plan item")
    _stacked(ax, [a.agency for a in o.actions], [
        ("Completed", _GREEN, "", [a.completed for a in o.actions]),
        ("Open", _BLUE, "..", [a.open for a in o.actions]),
        ("Overdue", _VERMILION, "xx", [a.overdue for a in o.actions]),
    ], "Action plan items as at the period's end")
