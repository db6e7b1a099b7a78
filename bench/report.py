"""Plain-text tables, the statistics they show, and the machine they were measured on."""
from __future__ import annotations

import os
import platform
import sqlite3
import statistics
import sys
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any, Sequence


@dataclass(frozen=True)
class Target:
    """One target from the issue, checked against figures of the same run."""

    text: str
    met: bool | None  # None: not measured in this run
    detail: str = ""

    @property
    def verdict(self) -> str:
        return {True: "PASS", False: "MISS", None: "n/a "}[self.met]


@dataclass
class Table:
    title: str
    headers: Sequence[str]
    rows: list[Sequence[Any]]
    notes: list[str] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)

    def render(self) -> str:
        cells = [[str(h) for h in self.headers]] + [[_cell(v) for v in row] for row in self.rows]
        widths = [max(len(r[i]) for r in cells) for i in range(len(self.headers))]
        numeric = [all(_is_number(row[i]) for row in self.rows) and bool(self.rows)
                   for i in range(len(self.headers))]

        def line(row: Sequence[str]) -> str:
            parts = [c.rjust(w) if num else c.ljust(w) for c, w, num in zip(row, widths, numeric)]
            return "  ".join(parts).rstrip()

        rule = "-" * (sum(widths) + 2 * (len(widths) - 1))
        out = [self.title, "=" * len(self.title), line(cells[0]), rule]
        out += [line(r) for r in cells[1:]]
        out += [f"  {n}" for n in self.notes]
        if self.targets:
            out.append("Targets:")
            out += [f"  [{t.verdict}] {t.text}" + (f"  ({t.detail})" if t.detail else "")
                    for t in self.targets]
        return "\n".join(out)


def _is_number(value: Any) -> bool:
    """Numbers (and ratios such as "1.25x" or "53%") are right-aligned; blanks go with either."""
    if isinstance(value, bool):
        return False
    if value is None or isinstance(value, (int, float)):
        return True
    text = str(value).rstrip("x%")
    if text in ("", "-"):
        return True
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if value >= 100:
            return f"{value:,.0f}"
        if value >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (p90 of 1,000 samples is the 900th smallest)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def load_average() -> tuple[float, float] | None:
    """The 1- and 5-minute load averages, or None where the system does not tell."""
    try:
        one, five, _ = os.getloadavg()
    except (OSError, AttributeError):
        return None
    return one, five


def interpreter() -> str:
    """The Python version and build: an interpreter that links libpython as a shared library (pyenv's
    default build) takes 5-11% more CPU per request than one with it built in (Debian's)."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            linked = "shared" if any("libpython" in line for line in maps) else "built in"
    except OSError:
        linked = "?"
    return f"{platform.python_version()} ({os.path.realpath(sys.executable)}, libpython {linked})"


def machine(postgres_version: str | None = None, load_before: tuple[float, float] | None = None,
            load_after: tuple[float, float] | None = None, after_label: str = "end") -> Table:
    """`load_after` is read at the end, or (`after_label`) before a section that loads the machine itself."""
    cpu = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "")
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    rows: list[Sequence[Any]] = [
        ("nproc", f"{usable} (of {os.cpu_count()})"),
        ("cpu", cpu or platform.processor() or "?"),
        ("python", interpreter()),
        ("SpiffWorkflow", version("SpiffWorkflow")),
        ("SQLAlchemy", version("SQLAlchemy")),
        ("SQLite", sqlite3.sqlite_version),
        ("PostgreSQL", postgres_version or "not used"),
    ]
    for label, load in (("load average, start", load_before), (f"load average, {after_label}", load_after)):
        if load:
            rows.append((label, f"{load[0]:.2f} (1 min), {load[1]:.2f} (5 min)"))
    table = Table("Machine", ("what", "value"), rows)
    cores = usable or 1
    # Before the run nothing of ours is running; at its end the benchmark itself adds about 1.
    busy = (load_before is not None and load_before[0] > 0.5 * cores) or (
        load_after is not None and load_after[0] > 1 + 0.5 * cores)
    if busy:
        table.notes.append("WARNING: the machine was busy with other work: times are inflated and even "
                           "the ratios suffer (the longer engine steps are preempted more often); rerun "
                           "when idle")
    return table
