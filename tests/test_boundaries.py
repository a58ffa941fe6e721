"""Properties of boundaries dates on random registers of the reform-shaped units of test_reform: the province
total (ALL, all) is the same for every boundaries date R, numerators stay within denominators, and a unit's
denominators never exceed its parent's, whatever R."""

from __future__ import annotations

import datetime as dt

from conftest import params
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_reform import SUCCESSORS, UNITS, v2_register

from cadre_lib.indicators.engine import Engine
from cadre_lib.register.validate import load_register

UNIT_IDS = [u[0] for u in UNITS]
PARENT = {u[0]: u[3] for u in UNITS}
dates = st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2026, 12, 31))


@st.composite
def tables(draw):
    n = draw(st.integers(1, 10))
    cadres = [[f"c{i}", "Nguyễn Văn A", draw(st.sampled_from(["nam", "nu"])),
               draw(st.dates(min_value=dt.date(1965, 1, 1), max_value=dt.date(2001, 12, 31))).isoformat(),
               draw(st.sampled_from(UNIT_IDS)), "", draw(st.sampled_from(["1", ""])), draw(st.sampled_from(["1", ""]))]
              for i in range(n)]
    planning = []
    for _ in range(draw(st.integers(0, 16))):
        added = draw(dates)
        removed = draw(st.one_of(st.none(), dates.filter(lambda d, a=added: d >= a)))
        planning.append([f"c{draw(st.integers(0, n - 1))}", draw(st.sampled_from(["Bí thư", "Chủ tịch"])),
                         draw(st.sampled_from(UNIT_IDS)), "2025-2030", draw(st.sampled_from(["1", ""])),
                         added.isoformat(), removed.isoformat() if removed else "", ""])
    movements = [[f"c{draw(st.integers(0, n - 1))}", draw(st.sampled_from(["appointment", "rotation"])),
                  draw(dates).isoformat(), draw(st.sampled_from(UNIT_IDS)), "", "", draw(st.sampled_from(["1", ""]))]
                 for _ in range(draw(st.integers(0, 8)))]
    reports = [[u, str(y), draw(st.one_of(st.just(""), dates.map(dt.date.isoformat))), ""]
               for u, y in draw(st.lists(st.tuples(st.sampled_from(UNIT_IDS), st.integers(2023, 2026)),
                                         max_size=12, unique=True))]
    primary_m = draw(st.booleans())  # which of S's two successors is primary
    succ = [s if s[0] != "S" else [s[0], s[1], "yes" if (s[1] == "M") == primary_m else ""] for s in SUCCESSORS]
    return {"cadres": cadres, "planning": planning, "movements": movements, "unit_reports": reports,
            "unit_successors": succ}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(t=tables(), as_of=dates, rs=st.lists(st.one_of(dates, st.dates(min_value=dt.date(2015, 1, 1))),
                                            min_size=1, max_size=3))
def test_province_total_and_nesting_for_every_r(tmp_path_factory, t, as_of, rs):
    reg = load_register(v2_register(tmp_path_factory.mktemp("reg"), **t))
    e = Engine(reg, params(as_of=as_of, period_start=dt.date(2023, 1, 1)))
    base = e.compute()
    total = base[(base.unit_id == "ALL") & (base.level == "all")].set_index("indicator")[["numerator", "denominator"]]
    for r in rs:
        out = e.compute(boundaries=r)
        assert (out.numerator >= 0).all() and (out.numerator <= out.denominator).all()
        tot = out[(out.unit_id == "ALL") & (out.level == "all")].set_index("indicator")[["numerator", "denominator"]]
        assert tot.equals(total), r
        valid = {u[0] for u in UNITS if (u[4] == "" or _d(u[4]) <= r) and (u[5] == "" or r <= _d(u[5]))}
        assert set(out.unit_id) == valid | {"ALL"}
        den = out.set_index(["indicator", "unit_id", "level"])["denominator"]
        for (ind, unit, level), d in den.items():
            parent = "ALL" if unit == "ALL" else (PARENT[unit] or "ALL")
            assert d <= den[(ind, parent, level)], (ind, unit, level, r)


def _d(text: str) -> dt.date:
    if "/" in text:
        day, month, year = map(int, text.split("/"))
        return dt.date(year, month, day)
    return dt.date.fromisoformat(text)
