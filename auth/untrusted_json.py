"""The one parser for JSON that comes from outside: token headers and payloads, bundles, import
envelopes, request bodies and partners' answers.

`json.loads` on hostile input fails in ways the callers did not expect: deep nesting raises
`RecursionError`, a 5,000-digit integer raises a plain `ValueError` (Python's int-size guard),
`NaN` / `Infinity` / `1e999` parse as non-finite floats, and `"\\ud800"` parses into a string
that cannot be encoded as UTF-8 again (Neo4j, logs and responses then fail far from the input).
`loads` refuses all of these with one `UntrustedJsonError` (a `json.JSONDecodeError`, so callers
that already catch decode errors answer 4xx without change), checked before or while parsing.
"""

from __future__ import annotations

import json
import math
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


def bracket_depth(text: str, stop_after: int = MAX_DEPTH) -> int:
    """Deepest bracket nesting, ignoring brackets inside strings; a linear pre-parse guard."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop_after:
                    return deepest
        elif char in "]}":
            depth -= 1
    return deepest


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


def _check_strings(value: Any) -> None:
    """Refuse strings (keys included) that are not valid Unicode text, e.g. lone surrogates, NUL."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, dict):
            for key, child in item.items():
                _check_text(key)
                stack.append(child)
        elif isinstance(item, list):
            stack.extend(item)


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
    if bracket_depth(text, max_depth) > max_depth:
        raise UntrustedJsonError(f"The JSON nests deeper than {max_depth} levels.")
    try:
        value = json.loads(text, parse_int=_integer, parse_float=_float, parse_constant=_constant)
    except UntrustedJsonError:
        raise
    except (ValueError, RecursionError) as error:  # JSONDecodeError is a ValueError
        raise UntrustedJsonError("The text is not JSON.") from error
    _check_strings(value)
    return value
