"""Figures of one benchmark run: side-by-side measurements, their ratio, and the table, JSON and plot.

Every figure compares two things measured in the same run, interleaved round by round (ours, then the
reference, again and again), so that a shared 2-core machine's drift hits both alike. A figure keeps every
round's value; the table shows medians, the ratio of the medians, and the spread (lowest to highest) of
each side.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape


@dataclass
class Figure:
    benchmark: str
    what: str  # what is measured, e.g. "CPU s per 1,000 events"
    ours_label: str
    reference_label: str
    ours: list[float] = field(default_factory=list)  # one value per round
    reference: list[float] = field(default_factory=list)
    # "lower" when less is better (seconds, CPU), "higher" when more is (records/s): the ratio is then
    # "how many times better ours is" (> 1 better, < 1 worse). "growth": ours / reference, a cost's
    # growth from the reference's size to ours (program-cost: 9 brokers against 1).
    better: str = "lower"
    goal: str = ""  # the goal in words, e.g. "≥ 50x"
    goal_ratio: float | None = None
    note: str = ""
    cannot_run: str = ""  # set instead of values when the benchmark cannot run on this machine

    @property
    def rounds(self) -> int:
        return min(len(self.ours), len(self.reference))

    @property
    def ours_median(self) -> float:
        return statistics.median(self.ours)

    @property
    def reference_median(self) -> float:
        return statistics.median(self.reference)

    @property
    def ratio(self) -> float:
        ours, reference = self.ours_median, self.reference_median
        if ours == reference:  # also 0 and 0 (send errors, offline seconds): equal, not infinitely better
            return 1.0
        if self.better == "lower":
            return reference / ours if ours else float("inf")
        return ours / reference if reference else float("inf")  # "higher" and "growth"

    @property
    def goal_met(self) -> bool | None:
        return None if self.goal_ratio is None or self.cannot_run else self.ratio >= self.goal_ratio

    def complete(self) -> bool:
        """Produced its figures: values on both sides (or an explicit reason it cannot run here)."""
        return bool(self.cannot_run) or (self.rounds > 0 and len(self.ours) == len(self.reference))

    def as_dict(self) -> dict:
        data = asdict(self)
        if not self.cannot_run and self.rounds:
            data.update(
                ours_median=self.ours_median, reference_median=self.reference_median, ratio=self.ratio, goal_met=self.goal_met
            )
        return data


def number(value: float) -> str:
    if value == float("inf"):
        return "inf"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def spread(values: list[float]) -> str:
    return f"{number(min(values))}-{number(max(values))}" if values else ""


HEADER = ("benchmark", "measure", "ours", "reference", "ratio", "rounds", "spread ours", "spread ref", "goal")


def rows(figures: list[Figure]) -> list[tuple[str, ...]]:
    table: list[tuple[str, ...]] = []
    for f in figures:
        if f.cannot_run:
            table.append((f.benchmark, f.what, "-", "-", f"cannot run here: {f.cannot_run}", "0", "", "", f.goal))
            continue
        verdict = "" if f.goal_met is None else (" met" if f.goal_met else " NOT met")
        table.append(
            (
                f.benchmark,
                f.what,
                f"{number(f.ours_median)} ({f.ours_label})",
                f"{number(f.reference_median)} ({f.reference_label})",
                f"{number(f.ratio)}x" + (" growth" if f.better == "growth" else ""),
                str(f.rounds),
                spread(f.ours),
                spread(f.reference),
                f"{f.goal}{verdict}",
            )
        )
    return table


def table(figures: list[Figure]) -> str:
    """A Markdown table (it reads as plain text too)."""
    lines = [HEADER, *rows(figures)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER))]
    out = ["| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)) + " |" for line in lines]
    out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


def svg(figures: list[Figure], title: str) -> str:
    """A bar per figure: the ratio on a log scale, with the goal as a tick where the issue sets one."""
    import math

    shown = [f for f in figures if not f.cannot_run and f.rounds and f.better != "growth"]
    bar_height, gap, left, width = 22, 10, 330, 420
    height = 60 + len(shown) * (bar_height + gap) + 30
    top = max([f.ratio for f in shown if f.ratio != float("inf")] + [f.goal_ratio or 1 for f in shown] + [10])
    scale_max = math.log10(top) + 0.3
    scale_min = -1.0  # 0.1x

    def x(ratio: float) -> float:
        value = min(max(math.log10(max(ratio, 1e-9)), scale_min), scale_max)
        return left + (value - scale_min) / (scale_max - scale_min) * width

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 40}" height="{height}" font-family="sans-serif" font-size="12">',
        f'<text x="10" y="20" font-size="14" font-weight="bold">{escape(title)}</text>',
        '<text x="10" y="38" fill="#555">ratio ours : reference (log scale; right of the 1x line = ours better)</text>',
        f'<line x1="{x(1):.1f}" y1="48" x2="{x(1):.1f}" y2="{height - 25}" stroke="#333"/>',
        f'<text x="{x(1) - 8:.1f}" y="{height - 10}">1x</text>',
    ]
    for i, f in enumerate(shown):
        y = 55 + i * (bar_height + gap)
        end = x(f.ratio)
        colour = "#2a7" if f.goal_met in (True, None) and f.ratio >= 1 else "#c44"
        parts.append(f'<text x="10" y="{y + 15}">{escape(f"{f.benchmark}: {f.what}"[:52])}</text>')
        parts.append(
            f'<rect x="{min(x(1), end):.1f}" y="{y}" width="{abs(end - x(1)):.1f}" height="{bar_height}" fill="{colour}"/>'
        )
        parts.append(f'<text x="{max(x(1), end) + 4:.1f}" y="{y + 15}">{escape(number(f.ratio))}x</text>')
        if f.goal_ratio:
            parts.append(
                f'<line x1="{x(f.goal_ratio):.1f}" y1="{y - 3}" x2="{x(f.goal_ratio):.1f}" y2="{y + bar_height + 3}" stroke="#000" stroke-dasharray="3,2"/>'
            )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def write(figures: list[Figure], out: Path, machine: dict) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "latest.json", out / "latest.svg", out / "latest.md"]
    paths[0].write_text(json.dumps({"machine": machine, "figures": [f.as_dict() for f in figures]}, indent=1) + "\n")
    paths[1].write_text(svg(figures, f"kafka-demo benchmarks ({machine.get('summary', '')})"))
    paths[2].write_text(f"Machine: {machine.get('summary', '')}\n\n{table(figures)}\n")
    return paths
