"""The one parser for JSON that comes from outside: token headers and payloads, bundles, import
envelopes, request bodies and partners' answers.

`json.loads` on hostile input fails in ways the callers did not expect: deep nesting raises
`RecursionError`, a 5,000-digit integer raises a plain `ValueError` (Python's int-size guard),
`NaN` / `Infinity` / `1e999` parse as non-finite floats, and `"\\ud800"` parses into a string
that cannot be encoded as UTF-8 again (Neo4j, logs and responses then fail far from the input).
`loads` refuses all of these with one `UntrustedJsonError` (a `json.JSONDecodeError`, so callers
that already catch decode errors answer 4xx without change): numbers while parsing, nesting and
strings in one iterative walk of the result (the C parser turns a nesting of thousands into a
`RecursionError` long before the stack is at risk, and that is refused too).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 64
"""Deepest nesting of arrays and objects accepted."""
MAX_NUMBER_CHARS = 64
"""Longest number literal accepted (integers and floats)."""


class UntrustedJsonError(json.JSONDecodeError):
    """The text is not JSON this service accepts (malformed, too deep, odd numbers, bad strings)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, "", 0)
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


def _integer(literal: str) -> int:
    if len(literal) > MAX_NUMBER_CHARS:
        raise UntrustedJsonError(f"A number is longer than {MAX_NUMBER_CHARS} characters.")
    return int(literal)


def _float(literal: str) -> float:
    if len(literal) > MAX_NUMBER_CHARS:
        raise UntrustedJsonError(f"A number is longer than {MAX_NUMBER_CHARS} characters.")
    value = float(literal)
    if not math.isfinite(value):
        raise UntrustedJsonError("A number is out of range.")
    return value


def _constant(name: str) -> Any:
    raise UntrustedJsonError(f"{name} is not JSON.")


# Only a `\u` escape can put a surrogate or a NUL into a string parsed from valid UTF-8.
_RISKY_ESCAPE = re.compile(r"\\u(?:[dD][89a-fA-F]|0000)")


def _check_value(value: Any, max_depth: int, *, depth: bool, strings: bool) -> None:
    """One iterative walk: nesting depth, and strings (keys included) that are not valid Unicode
    text — lone surrogates, NUL."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, str):
            if strings:
                _check_text(item)
        elif isinstance(item, dict | list):
            if depth and level > max_depth:
                raise UntrustedJsonError(f"The JSON nests deeper than {max_depth} levels.")
            if isinstance(item, dict):
                for key, child in item.items():
                    if strings:
                        _check_text(key)
                    stack.append((child, level + 1))
            else:
                stack.extend((child, level + 1) for child in item)


def _check_depth(value: Any, max_depth: int) -> None:
    """Nesting depth only, visiting containers only."""
    level, current = 1, [value] if isinstance(value, dict | list) else []
    while current:
        if level > max_depth:
            raise UntrustedJsonError(f"The JSON nests deeper than {max_depth} levels.")
        current = [
            child
            for item in current
            for child in (item.values() if isinstance(item, dict) else item)
            if isinstance(child, dict | list)
        ]
        level += 1


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise UntrustedJsonError("A string contains a NUL character.")
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise UntrustedJsonError(
            "A string contains a lone surrogate (not Unicode text)."
        ) from error


def loads(raw: str | bytes | bytearray, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse untrusted JSON, or raise `UntrustedJsonError` (never anything else)."""
    if isinstance(raw, bytes | bytearray):
        try:
            text = bytes(raw).decode("utf-8")
        except UnicodeDecodeError as error:
            raise UntrustedJsonError("The JSON is not UTF-8.") from error
    else:
        text = raw
    try:
        value = json.loads(text, parse_int=_integer, parse_float=_float, parse_constant=_constant)
    except UntrustedJsonError:
        raise
    except RecursionError as error:  # the C parser's own guard, far below the stack's limit
        raise UntrustedJsonError(f"The JSON nests deeper than {max_depth} levels.") from error
    except ValueError as error:  # JSONDecodeError, and Python's guard on int digits
        raise UntrustedJsonError("The text is not JSON.") from error
    # Cheap tests on the text spare the walk what cannot be there.
    risky = isinstance(raw, str) or _RISKY_ESCAPE.search(text) is not None
    if risky:
        _check_value(value, max_depth, depth=True, strings=True)
    elif text.count("[") + text.count("{") > max_depth:
        _check_depth(value, max_depth)
    return value
