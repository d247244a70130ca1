"""graph/ids.py: ids are prefixed, random and URL-safe."""

from __future__ import annotations

import pytest

from graph.ids import PREFIXES, is_url_safe_id, new_id


@pytest.mark.parametrize("prefix", sorted(PREFIXES))
def test_ids_are_prefixed_and_url_safe(prefix: str) -> None:
    made = {new_id(prefix) for _ in range(100)}
    assert len(made) == 100
    assert all(item.startswith(f"{prefix}_") and is_url_safe_id(item) for item in made)


def test_unknown_prefix_is_a_bug() -> None:
    with pytest.raises(ValueError, match="prefix"):
        new_id("xyz")


@pytest.mark.parametrize("value", ["", "a/b", "a b", "a?b", "ü", "x" * 129])
def test_not_url_safe(value: str) -> None:
    assert not is_url_safe_id(value)
