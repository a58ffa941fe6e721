"""Property tests on random registers: 0 <= numerator <= denominator, and a unit's denominators never
exceed its parent's (scopes nest)."""

from __future__ import annotations

import datetime as dt

import numpy as np
from conftest import UNITS, params, write_register
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cadre_lib.indicators.engine import Engine
from cadre_lib.register.validate import load_register

UNIT_IDS = [u[0] for u in UNITS]
PARENT = {u[0]: u[3] for u in UNITS}
dates = st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2026, 12, 31))


@st.composite
def registers(draw):
    n = draw(st.integers(1, 12))
    cadres = []
    for i in range(n):
        birth = draw(st.dates(min_value=dt.date(1960, 1, 1), max_value=dt.date(2002, 12, 31)))
        cadres.append([f"c{i}", "Nguyễn Văn A", draw(st.sampled_from(["nam", "nu"])), birth.isoformat(),
                       draw(st.sampled_from(UNIT_IDS)), "", draw(st.sampled_from(["1", ""])),
                       draw(st.sampled_from(["1", ""]))])
    planning = []
    for _ in range(draw(st.integers(0, 20))):
        added = draw(dates)
        removed = draw(st.one_of(st.none(), dates.filter(lambda d, a=added: d >= a)))
        planning.append([f"c{draw(st.integers(0, n - 1))}", "Bí thư", draw(st.sampled_from(UNIT_IDS)),
                         draw(st.sampled_from(["2020-2025", "2025-2030", "2015-2020"])),
                         draw(st.sampled_from(["1", ""])), added.isoformat(), removed.isoformat() if removed else "",
                         ""])
    movements = [[f"c{draw(st.integers(0, n - 1))}", draw(st.sampled_from(["appointment", "rotation"])),
                  draw(dates).isoformat(), draw(st.sampled_from(UNIT_IDS)), "", "", draw(st.sampled_from(["1", ""]))]
                 for _ in range(draw(st.integers(0, 8)))]
    training = [[f"c{draw(st.integers(0, n - 1))}", "leadership", "", draw(dates).isoformat()]
                for _ in range(draw(st.integers(0, 5)))]
    years = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(2019, 2026)), max_size=10, unique=True))
    evaluations = [[f"c{c}", str(y), draw(st.sampled_from(["good", "not_completed"])), ""] for c, y in years]
    return {"cadres": cadres, "planning": planning, "movements": movements, "training": training,
            "evaluations": evaluations}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tables=registers(), as_of=st.dates(min_value=dt.date(2022, 1, 1), max_value=dt.date(2026, 6, 30)))
def test_bounds_and_nesting(tmp_path_factory, tables, as_of):
    path = write_register(tmp_path_factory.mktemp("reg"), {"units": UNITS, **tables})
    t = Engine(load_register(path), params(as_of=as_of, period_start=dt.date(2021, 1, 1))).compute()
    assert (t.numerator >= 0).all() and (t.numerator <= t.denominator).all()
    den = t.set_index(["indicator", "unit_id", "level"])["denominator"]
    for (ind, unit, level), d in den.items():
        parent = "ALL" if unit == "ALL" else (PARENT[unit] or "ALL")
        assert d <= den[(ind, parent, level)]
    # ALL equals the single root here
    assert np.array_equal(den.xs("ALL", level=1).to_numpy(), den.xs("P", level=1).to_numpy())
