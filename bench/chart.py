"""The chart of docs/performance.md: each figure's cost against the graph's size (people), one
panel per kind of figure, drawn with matplotlib (a bench-only dependency: `pip install
'.[bench]'`, which `make bench` does)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

Pick = Callable[[dict[str, Any]], float]

PANELS: tuple[tuple[str, str, tuple[tuple[str, Pick], ...]], ...] = (
    (
        "bulk load",
        "items/s",
        (
            ("service", lambda r: r["service"]["items_per_s"]),
            ("floor", lambda r: r["floor"]["items_per_s"]),
        ),
    ),
    (
        "export p50 (1,000 contacts)",
        "ms",
        (
            ("service", lambda r: r["export"]["1000"]["http"]["p50_ms"]),
            ("floor", lambda r: r["export"]["1000"]["floor"]["p50_ms"]),
        ),
    ),
    (
        "matches and metrics p50",
        "ms",
        (
            ("matches, one client", lambda r: r["matches_one_client"]["p50_ms"]),
            ("weekly metrics, 52 weeks", lambda r: r["metrics"]["weekly_52"]["p50_ms"]),
            ("network metrics, 52 weeks", lambda r: r["metrics"]["network_52"]["p50_ms"]),
        ),
    ),
    (
        "imports (10,000 items)",
        "ms",
        (
            ("fresh", lambda r: r["imports"]["10000"]["fresh_ms"]),
            ("unchanged p50", lambda r: r["imports"]["10000"]["reimport_unchanged"]["p50_ms"]),
        ),
    ),
)


def draw(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted(report["sizes"], key=int)
    people = [int(size) for size in sizes]
    figure, axes = plt.subplots(1, len(PANELS), figsize=(4.2 * len(PANELS), 3.6))
    for ax, (title, unit, series) in zip(axes, PANELS, strict=True):
        for label, pick in series:
            values = []
            for size in sizes:
                try:
                    values.append(float(pick(report["sizes"][size])))
                except (KeyError, TypeError):
                    values.append(float("nan"))
            ax.plot(people, values, marker="o", label=label)
        ax.set_xscale("log")
        ax.set_xticks(people, [f"{n:,}" for n in people])
        ax.minorticks_off()
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("people in the graph")
        ax.set_ylabel(unit)
        ax.legend(fontsize=8)
        ax.grid(True, alpha=0.3)
    figure.suptitle(
        f"make bench {report['started_at']} (load average at start "
        f"{report['machine']['load_average_at_start'][0]}, shared 2-core machine)",
        fontsize=9,
    )
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
