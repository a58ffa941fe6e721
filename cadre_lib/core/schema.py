"""Pydantic validation errors as lines for people: where (``jobs[1] (monthly).cron``), then what."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

__all__ = ["error_lines", "where"]

#: Location parts pydantic adds for the branches of a union or for validators: not keys of the file.
_TAG_PREFIXES = ("literal[", "list[", "dict[", "function-", "union[", "tagged-union[")


def where(loc: tuple[Any, ...], data: Any = None) -> str:
    """``jobs[1] (quarterly-all-units).cron`` from a pydantic error location; list items are named by their
    ``name`` key when ``data`` (the validated input) has one. ``top level`` for the document itself."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            name = None
            if isinstance(node, list) and 0 <= part < len(node):
                node = node[part]
                name = node.get("name") if isinstance(node, dict) else None
            if name:
                out += f" ({name})"
        else:
            if str(part).startswith(_TAG_PREFIXES):
                continue
            out += ("." if out else "") + str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out or "top level"


def error_lines(
    exc: ValidationError, data: Any = None, *, unknown_key: str = "unknown key {key!r} in {parent}"
) -> list[str]:
    """One line per problem, without repeats: ``<where>: <message>`` (pydantic's "Value error, " prefix
    dropped), and for a key the schema does not know ``unknown_key`` formatted with ``key``, ``parent``
    (where the key sits) and ``where`` (the key's own location)."""
    seen: set[str] = set()
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        if err["type"] == "extra_forbidden" and loc:
            text = unknown_key.format(key=loc[-1], parent=where(loc[:-1], data), where=where(loc, data))
        else:
            text = f"{where(loc, data)}: {str(err['msg']).removeprefix('Value error, ')}"
        if text not in seen:
            seen.add(text)
            lines.append(text)
    return lines
