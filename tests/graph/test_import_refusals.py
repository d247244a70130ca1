"""graph/import_refusals.py: refused-import counters per quarter hour, read per week in any zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from graph import import_refusals
from graph.db import Graph
from graph.scope import Scope
from tests.graph.test_metrics import weekly
from tests.support.metrics_graph import at


def test_a_refusal_falls_in_the_utc_quarter_hour_it_happened_in() -> None:
    assert import_refusals.slot_of(at("2026-01-11", "18:44")) == at("2026-01-11", "18:30")
    assert import_refusals.slot_of(at("2026-01-11", "18:45")) == at("2026-01-11", "18:45")
    kolkata = datetime(2026, 1, 12, 0, 10, 59, 999, tzinfo=ZoneInfo("Asia/Kolkata"))
    assert import_refusals.slot_of(kolkata) == at("2026-01-11", "18:30")


async def test_refusals_count_per_week_of_the_zone_asked(graph: Graph) -> None:
    async def refuse(moment: datetime, platform: str, problem: str) -> None:
        await import_refusals.count_refusal(graph, at=moment, platform_id=platform, problem=problem)

    # Sunday 18:40 UTC is Monday 00:10 in Kolkata (W03) and Sunday 13:40 in New York (W02).
    await refuse(at("2026-01-11", "18:40"), "plt_a", "signature-invalid")
    await refuse(at("2026-01-11", "18:35"), "plt_a", "signature-invalid")
    # Monday 03:00 UTC (W03) is still Sunday 22:00 in New York (W02).
    await refuse(at("2026-01-12", "03:00"), "unknown", "bundle-malformed")
    # Sunday 18:20 UTC is Sunday 23:50 in Kolkata: W02 everywhere.
    await refuse(at("2026-01-11", "18:20"), "plt_b", "bundle-expired")

    def figures(weeks: dict[str, dict[str, object]]) -> dict[str, object]:
        return {
            key: (row["portability"]["imports_rejected"], row["portability"]["rejections"])  # type: ignore[index]
            for key, row in weeks.items()
        }

    a2 = {"platform_id": "plt_a", "problem": "signature-invalid", "count": 2}
    b1 = {"platform_id": "plt_b", "problem": "bundle-expired", "count": 1}
    u1 = {"platform_id": "unknown", "problem": "bundle-malformed", "count": 1}
    assert figures(await weekly(graph, "2026-W02", "2026-W03")) == {
        "2026-W02": (3, [a2, b1]),
        "2026-W03": (1, [u1]),
    }
    assert figures(await weekly(graph, "2026-W02", "2026-W03", "Asia/Kolkata")) == {
        "2026-W02": (1, [b1]),
        "2026-W03": (3, [a2, u1]),
    }
    assert figures(await weekly(graph, "2026-W02", "2026-W03", "America/New_York")) == {
        "2026-W02": (4, [a2, b1, u1]),
        "2026-W03": (0, []),
    }
    scoped = await weekly(graph, "2026-W02", "2026-W02", scope=Scope(program_id="prg_a"))
    assert figures(scoped) == {"2026-W02": (None, None)}
