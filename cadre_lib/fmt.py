"""Vietnamese (and English) number, percentage and date formats for reports.

Vietnamese: decimal comma, thousands dot: ``27,3%``, ``12.480``; dates ``31/12/2024``, in running text
``ngày 31/12/2024``, in the header ``ngày 31 tháng 12 năm 2024``.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

STATUS_VI = {"green": "Đạt", "amber": "Gần đạt", "red": "Chưa đạt", "none": "Chưa có mục tiêu"}
STATUS_EN = {"green": "Met", "amber": "Nearly met", "red": "Not met", "none": "No target"}


def _round(x: float, digits: int) -> Decimal:
    q = Decimal(1).scaleb(-digits)
    return Decimal(repr(x)).quantize(q, rounding=ROUND_HALF_UP)


def number(x: float | int | None, digits: int = 0, lang: str = "vi") -> str:
    """``12480`` -> ``12.480``; ``27.25, 1`` -> ``27,3`` (half up, as people round)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    d = _round(float(x), digits)
    text = f"{d:,.{digits}f}"
    if lang == "vi":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def pct(x: float | None, digits: int = 1, lang: str = "vi") -> str:
    """A share as a percentage: ``0.273`` -> ``27,3%``; ``None`` -> ``–``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return number(float(x) * 100, digits, lang) + "%"


def target_pct(x: float | None, lang: str = "vi") -> str:
    """Targets without a needless decimal: ``0.15`` -> ``15%``, ``0.125`` -> ``12,5%``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    v = float(x) * 100
    return number(v, 0 if abs(v - round(v)) < 1e-9 else 1, lang) + "%"


def points(x: float, lang: str = "vi") -> str:
    """Difference of two shares in percentage points: ``0.012`` -> ``1,2 điểm phần trăm``."""
    unit = "điểm phần trăm" if lang == "vi" else "percentage points"
    return f"{number(abs(x) * 100, 1, lang)} {unit}"


def ratio(num: int, den: int, lang: str = "vi") -> str:
    return f"{number(num, 0, lang)}/{number(den, 0, lang)}"


def share(value: float | None, num: int, den: int, lang: str = "vi") -> str:
    """``27,3% (112/410)``: readers check numerator and denominator."""
    return f"{pct(value, 1, lang)} ({ratio(num, den, lang)})"


def date(d: dt.date | None, lang: str = "vi") -> str:
    if d is None:
        return "–"
    return d.strftime("%d/%m/%Y") if lang == "vi" else d.isoformat()


def timestamp(iso: str, lang: str = "vi") -> str:
    """An ISO 8601 time as readers write it: ``2026-12-01T22:49:05+07:00`` → ``22:49 ngày 01/12/2026``."""
    try:
        t = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{t:%H:%M} ngày {t:%d/%m/%Y}" if lang == "vi" else f"{t:%Y-%m-%d %H:%M}"


def long_date(d: dt.date, place: str = "", lang: str = "vi") -> str:
    """``Hưng Yên, ngày 31 tháng 12 năm 2024``."""
    if lang == "vi":
        # Nghị định 30/2020/NĐ-CP: a leading zero for days below 10 and for months 1 and 2.
        month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
        text = f"ngày {d.day:02d} tháng {month} năm {d.year}"
    else:
        text = d.strftime("%d %B %Y")
    return f"{place}, {text}" if place else text


def status_word(status: str, lang: str = "vi") -> str:
    return (STATUS_VI if lang == "vi" else STATUS_EN).get(status, status)
