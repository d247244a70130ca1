"""What every timed call of the bench must satisfy: the status it expects and an answer of the
size it expects. A stage whose calls fail, or that measured nothing, stops `make bench` loudly
instead of printing a figure of nothing."""

from __future__ import annotations

from typing import Any

import httpx


class BenchError(RuntimeError):
    """A stage measured nothing, or measured failures: the run is not a benchmark."""


def expect(response: httpx.Response, status: int, what: str) -> Any:
    """The JSON answer of `response`, or BenchError when the status is not `status`."""
    if response.status_code != status:
        raise BenchError(
            f"{what}: HTTP {response.status_code} (expected {status}): {response.text[:300]}"
        )
    return response.json() if response.content else None


def expect_size(actual: int, expected: int, what: str) -> None:
    if actual != expected:
        raise BenchError(f"{what}: {actual} items in the answer, expected {expected}")


def expect_samples(samples: list[float] | int, what: str) -> None:
    if (samples if isinstance(samples, int) else len(samples)) == 0:
        raise BenchError(f"{what}: measured nothing")
