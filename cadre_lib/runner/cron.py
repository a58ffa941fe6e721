"""Cron expressions: validation, and translation to systemd ``OnCalendar=`` values.

Supported: the five standard fields (minute hour day-of-month month day-of-week) with ``*``, numbers,
``a-b`` ranges, ``*/n`` and ``a-b/n`` steps, comma lists, month names (jan..dec) and weekday names
(sun..sat, 0 or 7 = Sunday), and the macros @yearly/@annually, @monthly, @weekly, @daily/@midnight,
@hourly. Not supported (rejected): @reboot, ``L``, ``W``, ``#`` and ``?`` (non-standard extensions).

Cron runs a job when *either* day-of-month or day-of-week matches if both are restricted; systemd
requires both. Such an expression becomes two ``OnCalendar=`` lines (one per day condition), which
systemd ORs, so the translation is exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["CronExpr", "CronField", "parse_cron", "to_oncalendar"]

_MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_DAYS = {d: i for i, d in enumerate("sun mon tue wed thu fri sat".split())}
_DAY_NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
_ITEM_RE = re.compile(r"^(?P<range>\*|[0-9a-z]+(?:-[0-9a-z]+)?)(?:/(?P<step>[0-9]+))?$")


@dataclass(frozen=True)
class CronField:
    """One field: ``values`` is the set it matches; ``star`` if it was ``*`` (possibly ``*/n``)."""

    name: str
    lo: int
    hi: int
    text: str
    values: frozenset[int]
    star: bool  # exactly "*": matches everything
    items: tuple[tuple[int, int, int], ...]  # (start, end, step) as written


@dataclass(frozen=True)
class CronExpr:
    text: str
    minute: CronField
    hour: CronField
    dom: CronField
    month: CronField
    dow: CronField


def _number(token: str, field: str, lo: int, hi: int, names: dict[str, int] | None) -> int:
    if token.isdigit():
        value = int(token)
    elif names is not None and token in names:
        value = names[token]
    else:
        raise ValueError(f"{field}: {token!r} is not a number" + (" or a name" if names else ""))
    if not lo <= value <= hi:
        raise ValueError(f"{field}: {value} is outside {lo}-{hi}")
    return value


def _parse_field(text: str, field: str, lo: int, hi: int, names: dict[str, int] | None = None) -> CronField:
    values: set[int] = set()
    items: list[tuple[int, int, int]] = []
    for raw in text.lower().split(","):
        m = _ITEM_RE.match(raw)
        if not m:
            raise ValueError(f"{field}: cannot read {raw!r}")
        rng, step_text = m.group("range"), m.group("step")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError(f"{field}: step must be at least 1")
        if rng == "*":
            start, end = lo, hi
        elif "-" in rng:
            a, b = rng.split("-", 1)
            start, end = _number(a, field, lo, hi, names), _number(b, field, lo, hi, names)
            if start > end:
                raise ValueError(f"{field}: range {rng} goes backwards")
        else:
            start = _number(rng, field, lo, hi, names)
            end = hi if step_text else start  # "a/n" means a, a+n, ... up to the maximum
        items.append((start, end, step))
        values.update(range(start, end + 1, step))
    star = text == "*"
    return CronField(field, lo, hi, text, frozenset(values), star, tuple(items))


def parse_cron(text: str) -> CronExpr:
    """Parse a cron expression; ``ValueError`` with a readable message if it is not valid."""
    original = text.strip()
    expanded = _MACROS.get(original.lower(), original)
    if expanded.startswith("@"):
        raise ValueError(f"unsupported cron macro {original!r} (known: {', '.join(sorted(_MACROS))})")
    parts = expanded.split()
    if len(parts) != 5:
        raise ValueError(
            f"a cron expression has 5 fields (minute hour day-of-month month day-of-week), "
            f"{original!r} has {len(parts)}"
        )
    minute = _parse_field(parts[0], "minute", 0, 59)
    hour = _parse_field(parts[1], "hour", 0, 23)
    dom = _parse_field(parts[2], "day-of-month", 1, 31)
    month = _parse_field(parts[3], "month", 1, 12, _MONTHS)
    dow = _parse_field(parts[4], "day-of-week", 0, 7, _DAYS)
    return CronExpr(original, minute, hour, dom, month, dow)


def _calendar_component(f: CronField, width: int = 2) -> str:
    """A systemd calendar component (``*``, ``06``, ``1..5``, ``0/15``, ``1,15``)."""
    if f.star:
        return "*"
    parts = []
    for start, end, step in f.items:
        if step == 1 and start == end:
            parts.append(f"{start:0{width}d}")
        elif step == 1:
            parts.append(f"{start:0{width}d}..{end:0{width}d}")
        elif end == f.hi:
            parts.append(f"{start:0{width}d}/{step}")  # systemd: start, start+step, ... to the end
        else:
            parts.extend(f"{v:0{width}d}" for v in range(start, end + 1, step))
    return ",".join(parts)


def _weekdays(f: CronField) -> str:
    days = sorted({v % 7 for v in f.values}, key=lambda d: (d + 6) % 7)  # Monday first
    return ",".join(_DAY_NAMES[d] for d in days)


def to_oncalendar(expr: CronExpr | str, timezone: str | None = None) -> list[str]:
    """systemd ``OnCalendar=`` values equivalent to ``expr`` (one, or two when cron's day-of-month /
    day-of-week OR rule applies). ``timezone`` (e.g. ``Asia/Ho_Chi_Minh``) is appended if given."""
    e = parse_cron(expr) if isinstance(expr, str) else expr
    time = f"{_calendar_component(e.hour)}:{_calendar_component(e.minute)}:00"
    month = _calendar_component(e.month)
    every_day = len({v % 7 for v in e.dow.values}) == 7
    weekdays = "" if every_day else _weekdays(e.dow) + " "
    # Vixie cron: a field starting with "*" (also "*/n") makes the two day fields combine with AND,
    # otherwise with OR.
    if not e.dom.text.startswith("*") and not e.dow.text.startswith("*"):
        specs = [f"*-{month}-{_calendar_component(e.dom)} {time}", f"{weekdays}*-{month}-* {time}"]
    else:
        specs = [f"{weekdays}*-{month}-{_calendar_component(e.dom)} {time}"]
    if timezone:
        specs = [f"{s} {timezone}" for s in specs]
    return specs
