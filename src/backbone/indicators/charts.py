"""Charts of indicator values as Vega-Lite (Altair), rendered to SVG on the server, for the staff
pages and the public scorecard alike.

Pages embed the SVG, so charts need no JavaScript or network and print as they look. Every
function takes :class:`~backbone.indicators.presentation.Point` rows, whose value is None where it
is withheld: a withheld value is a break in the line (with its marker under the axis on the
trend and the sparkline), never a zero. Colours keep 3:1 contrast on white (WCAG 2.1 AA,
non-text contrast) and series differ by more than hue. ``svg`` renders a chart; ``drawing``
builds and renders one only when the same chart of the same values was not drawn before, in this
process or, given a ``store`` folder (one per compute run, in the workspace), in any process
since that run: a server restarted or a second worker reads the drawing instead of rendering it.

A chart may have nothing to plot: every value of a small group withheld or coded (``<=5%``).
Vega sizes an empty legend, and a chart holding nothing but one, as ``Number.MAX_VALUE``: the
SVG comes out 1.8e308 pixels wide, the browser rejects its size and draws nothing. So a legend
is drawn only when it has entries, the trend and the sparkline then show the withheld markers
alone, and ``svg`` refuses (``ChartError``) a drawing whose size is not a sane number.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import textwrap
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import altair as alt
import vl_convert

from backbone.disclosure.units import axis_title
from backbone.indicators.presentation import Point

WIDTH = 560
INK = "#1d2330"
# Dark enough on white for lines and points (each ≥ 4.5:1), and told apart by more than hue.
PALETTE = [
    "#0b5a7a", "#8a1c1c", "#1e6b35", "#5b2a86", "#7a4a00", "#4a5366", "#a3004f", "#00607a",
]  # fmt: skip
SERIES_COLOURS = {
    "Actual": "#0b5a7a", "Target": "#1e6b35", "Forecast if nothing changes": "#5b6475",
}  # fmt: skip


DRAWINGS_KEPT = 2_000  # about 30 KB each: at most ~60 MB per server process
MAX_SIZE = 20_000  # pixels: no chart here is near it; Vega's empty bounds are 1.8e308


class ChartError(ValueError):
    """A chart rendered to a drawing a browser cannot show (its size is not a sane number)."""


def svg(chart: alt.TopLevelMixin, *, frame: bool = True) -> str:
    """The chart as an SVG document in the house style (vl-convert bundles Vega: nothing is
    fetched); ``frame=False`` leaves out the box around the plot. Raises ``ChartError`` when
    the drawing's width or height is not a finite size (what an empty legend does)."""
    configured = (
        chart.configure_axis(labelColor=INK, titleColor=INK, labelFontSize=12, titleFontSize=12)
        .configure_axisX(labelAngle=0)
        .configure_legend(labelColor=INK, labelFontSize=12)
        .configure_header(labelColor=INK, labelFontSize=12)
        .configure_range(category=alt.RangeScheme(PALETTE))
        .configure_view(stroke="#8a93a6" if frame else None)
    )
    return checked(_svg(configured.to_json()))


_drawings: OrderedDict[str, str] = OrderedDict()
_drawings_lock = threading.Lock()


def drawing(
    build: Callable[..., alt.TopLevelMixin],
    *args: object,
    frame: bool = True,
    store: Path | None = None,
    **kwargs: object,
) -> str:
    """``svg(build(*args, **kwargs), frame=frame)``, kept for the next page that asks for the
    same chart of the same values. Building a chart costs more than drawing it (Altair validates
    every part against the Vega-Lite schema: ~50 ms a chart), so the key is the builder and its
    arguments, not the spec. The values are the key, so nothing needs clearing when a release, a
    compute run or a target changes them; the least recently used drawings go past
    ``DRAWINGS_KEPT``. With ``store`` (the compute run's folder), the drawing is also kept there
    as a file named by its key, for other processes; ``prune`` removes the folders of runs no
    page reads any more.

    >>> first = drawing(sparkline, [Point("2024", 0.5, "50%"), Point("2025", 0.6, "60%")])
    >>> drawing(sparkline, [Point("2024", 0.5, "50%"), Point("2025", 0.6, "60%")]) is first
    True
    """
    chart = repr((build.__module__, build.__qualname__, args, sorted(kwargs.items()), frame))
    key = f"{store}:{chart}"  # a new run's folder starts empty, even for the same values
    with _drawings_lock:
        if key in _drawings:
            _drawings.move_to_end(key)
            return _drawings[key]
    kept = store / f"{hashlib.sha256(chart.encode()).hexdigest()[:32]}.svg" if store else None
    if kept is not None and kept.exists():
        drawn = kept.read_text(encoding="utf-8")
    else:
        drawn = svg(build(*args, **kwargs), frame=frame)
        if kept is not None:
            _keep(kept, drawn)
    with _drawings_lock:
        _drawings[key] = drawn
        while len(_drawings) > DRAWINGS_KEPT:
            _drawings.popitem(last=False)
    return drawn


def _keep(path: Path, drawn: str) -> None:
    # Written aside and renamed: a reader in another process never sees half a drawing.
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}")
    partial.write_text(drawn, encoding="utf-8")
    os.replace(partial, path)


def run_folder(root: Path, run: int) -> Path:
    """The folder under ``root`` keeping the drawings of compute run ``run``'s results.

    >>> run_folder(Path("/ws/charts"), 12).as_posix()
    '/ws/charts/run-12'
    """
    return root / f"run-{run}"


def prune(root: Path, keep: Iterable[int]) -> list[Path]:
    """Remove the run folders under ``root`` other than those of the runs in ``keep`` (the runs
    some indicator's latest results come from); the removed folders."""
    wanted = {run_folder(root, run) for run in keep}
    found = sorted(root.glob("run-*")) if root.is_dir() else []
    gone = [folder for folder in found if folder not in wanted]
    for folder in gone:
        shutil.rmtree(folder, ignore_errors=True)
    return gone


def checked(drawing: str) -> str:
    """``drawing`` if its root's width and height are sane sizes, else ``ChartError``.

    >>> checked('<svg width="608" height="320"><g/></svg>')[:10]
    '<svg width'
    >>> checked('<svg width="1.7976931348623157e+308" height="2">')
    Traceback (most recent call last):
    backbone.indicators.charts.ChartError: the chart is 1.7976931348623157e+308 × 2 pixels: ...
    """
    root = re.match(r"\s*<svg\b[^>]*>", drawing)
    sizes = dict(re.findall(r'\s(width|height)="([^"]*)"', root.group(0) if root else ""))
    width, height = sizes.get("width", ""), sizes.get("height", "")
    if not all(_sane(size) for size in (width, height)):
        raise ChartError(
            f"the chart is {width or '?'} × {height or '?'} pixels: "
            "nothing drawable (an empty legend or no data)"
        )
    return drawing


def _sane(size: str) -> bool:
    try:
        pixels = float(size)
    except ValueError:
        return False
    return 0 < pixels <= MAX_SIZE


@functools.lru_cache(maxsize=512)
def _svg(spec: str) -> str:
    """A Vega-Lite spec as SVG. The same values give the same spec, so a page asked for again
    reuses its charts instead of rendering them again."""
    return str(vl_convert.vegalite_to_svg(spec))


def segments(points: Sequence[Point]) -> list[dict[str, object]]:
    """Chart rows for points in period order, numbered by unbroken run: a withheld point ends a
    run, so the line is drawn in pieces instead of bridging (or dropping to zero at) the gap.

    >>> [r["segment"] for r in segments([Point("1", 1.0, "1"), Point("2", None, "*"),
    ...                                    Point("3", 3.0, "3"), Point("4", 4.0, "4")])]
    [0, 2, 2]
    """
    rows, segment = [], 0
    for index, point in enumerate(points):
        if point.value is None:
            segment = index + 1
            continue
        rows.append(
            {"period": point.period, "value": point.value, "display": point.display,
             "group": point.group, "segment": segment}
        )  # fmt: skip
    return rows


def trend_chart(
    points: Sequence[Point],
    unit: str,
    targets: Mapping[int, float] | None = None,
    forecast: Sequence[tuple[int, float]] = (),
    *,
    width: int = WIDTH,
    height: int = 240,
    prefix: str = "",
) -> alt.TopLevelMixin:
    """The overall value per period, the targets and the forecast if nothing changes, with a
    marker under the axis at each withheld period; ``prefix`` is the currency of a median."""
    rows = [{**r, "series": "Actual"} for r in segments(points)]
    rows += [_extra(y, v, "Target") for y, v in (targets or {}).items()]
    rows += [_extra(y, v, "Forecast if nothing changes") for y, v in forecast]
    domain = sorted({p.period for p in points} | {str(r["period"]) for r in rows})
    names = [s for s in SERIES_COLOURS if any(r["series"] == s for r in rows)]
    x = alt.X("period:O", title="Period", scale=alt.Scale(domain=domain), sort=domain)
    markers = _withheld_marks(points, x, height)
    if not rows:  # every value withheld: the markers alone, on the period axis
        return markers.properties(width=width, height=height)
    line = (
        alt.Chart(alt.Data(values=rows))
        .mark_line(point=True, strokeWidth=2.5)
        .encode(
            x=x,
            y=alt.Y("value:Q", title=axis_title(unit, prefix)),
            color=alt.Color(
                "series:N", title=None, legend=alt.Legend(orient="bottom"),
                scale=alt.Scale(domain=names, range=[SERIES_COLOURS[n] for n in names]),
            ),
            strokeDash=alt.StrokeDash(
                "series:N", legend=None, scale=alt.Scale(domain=names, range=_dashes(names))
            ),
            detail="segment:N",
        )
    )  # fmt: skip
    return alt.layer(line, markers).properties(width=width, height=height)


def _extra(year: int, value: float, series: str) -> dict[str, object]:
    return {"period": str(year), "value": value, "series": series, "segment": -1}


def _dashes(names: Sequence[str]) -> list[list[int]]:
    style = {"Actual": [1, 0], "Target": [6, 3], "Forecast if nothing changes": [2, 3]}
    return [style[name] for name in names]


def _withheld_marks(points: Sequence[Point], x: alt.X, height: int) -> alt.Chart:
    withheld = [{"period": p.period, "display": p.display} for p in points if p.value is None]
    return (
        alt.Chart(alt.Data(values=withheld))
        .mark_text(fontSize=16, fontWeight="bold", color=INK, baseline="bottom")
        .encode(x=x, y=alt.value(height - 4), text="display:N")
    )


def sparkline(points: Sequence[Point]) -> alt.TopLevelMixin:
    """A small trend without axes, for a list of indicators; withheld periods show their
    marker at the foot (alone, when every value is withheld)."""
    rows = segments(points)
    x = alt.X("period:O", axis=None, scale=alt.Scale(domain=[p.period for p in points]))
    withheld = [{"period": p.period, "display": p.display} for p in points if p.value is None]
    markers = (
        alt.Chart(alt.Data(values=withheld))
        .mark_text(fontSize=11, fontWeight="bold", color=INK, baseline="bottom")
        .encode(x=x, y=alt.value(44), text="display:N")
    )
    line = (
        alt.Chart(alt.Data(values=rows))
        .mark_line(point=True, strokeWidth=2.5, color=PALETTE[0])
        .encode(
            x=x,
            y=alt.Y("value:Q", axis=None, scale=alt.Scale(zero=False)),
            detail="segment:N",
        )
    )
    drawn = [line] if rows else []
    return alt.layer(*drawn, *([markers] if withheld else [])).properties(width=160, height=44)


def groups_chart(points: Sequence[Point], unit: str, prefix: str = "") -> alt.FacetChart:
    """Small multiples: one panel per group, its value per period, with breaks at withheld
    values."""
    rows = [row for group in _ordered_groups(points) for row in segments(_of_group(points, group))]
    domain = sorted({p.period for p in points})
    return (
        alt.Chart(alt.Data(values=rows))
        .mark_line(point=True, strokeWidth=2.5, color=PALETTE[0])
        .encode(
            x=alt.X("period:O", title=None, scale=alt.Scale(domain=domain)),
            y=alt.Y("value:Q", title=axis_title(unit, prefix)),
            detail="segment:N",
        )
        .properties(width=200, height=110)
        .facet(facet=alt.Facet("group:N", title=None), columns=3)
    )


def gap_chart(gaps: Sequence[Point], reference: str) -> alt.Chart:
    """Each group's gap, in points, to the reference group (positive: behind), per period."""
    rows = [row for group in _ordered_groups(gaps) for row in segments(_of_group(gaps, group))]
    domain = sorted({p.period for p in gaps})
    return (
        alt.Chart(alt.Data(values=rows))
        .mark_line(point=True, strokeWidth=2.5)
        .encode(
            x=alt.X("period:O", title="Period", scale=alt.Scale(domain=domain)),
            y=alt.Y("value:Q", title=textwrap.wrap(f"Gap to {reference} (points)", 28)),
            color=alt.Color("group:N", title=None, legend=_legend(rows)),
            detail="segment:N",
        )
        .properties(width=WIDTH, height=220)
    )


def _legend(rows: Sequence[object]) -> alt.Legend | None:
    """A legend at the bottom, or none when there is nothing to list (see the module's note);
    group names are long ("Not economically disadvantaged"), so they are not cut short."""
    return alt.Legend(orient="bottom", labelLimit=WIDTH) if rows else None


def _ordered_groups(points: Sequence[Point]) -> list[str]:
    return sorted({p.group for p in points})


def _of_group(points: Sequence[Point], group: str) -> list[Point]:
    return sorted((p for p in points if p.group == group), key=lambda p: p.period)
