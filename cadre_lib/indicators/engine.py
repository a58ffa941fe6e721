"""The indicator engine: every indicator of the registry, for every scope (``ALL`` or a unit, with its
descendants) x level (``all`` or one level). Definitions: docs/indicators.md.

Each indicator is computed as a set of *items* (people, rows, events or units), each located at its own
unit and flagged as in the numerator or not; scopes are then counted in one vectorised pass. ``explain``
lists the same items, so a number and the people behind it can never disagree.

Boundaries (data contract v2): every computation has a boundaries date R (default: the reference date).
Scopes are ``ALL`` and the units valid on R; levels those of the parameters that a unit valid on R has. An
item is placed at its own unit when that unit is valid on R, else at the first unit valid on R reached by
following primary successors (:meth:`Hierarchy.place`, a lookup per unit); an item with no such unit is
unplaced and counts in (``ALL``, ``all``) only. Youth is decided by the level of the item's own unit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from cadre_lib.core.scope import ALL, LEVEL_ALL
from cadre_lib.core.text import nfc
from cadre_lib.errors import UsageError
from cadre_lib.indicators.registry import INDICATORS, Indicator
from cadre_lib.params import Params
from cadre_lib.register.arrowtext import isin, lookup, lookup_many
from cadre_lib.register.validate import Register

RECORD_COLUMNS = ["indicator", "unit_id", "level", "numerator", "denominator", "value", "target", "status"]


@dataclass
class Items:
    """What an indicator counts. ``key`` identifies the counted thing (cadre code for people, so that a
    person with several rows counts once per scope); ``ref`` is the row in ``table`` for explanations."""

    table: str
    unit: np.ndarray
    key: np.ndarray
    num: np.ndarray
    ref: np.ndarray
    distinct: bool


@dataclass(frozen=True)
class Boundaries:
    """The units of boundaries date ``day``: where each unit's items are placed (-1: unplaced; ``None``: every
    unit at itself, a register without validity dates), the units valid that day (the scopes), the levels
    that have a unit valid that day and each unit's level slot (0: none of them)."""

    day: dt.date
    place: np.ndarray | None
    valid: np.ndarray
    levels: list[str]
    slot: np.ndarray

    def placed(self, units: np.ndarray) -> np.ndarray:
        return units if self.place is None else self.place[units]


@dataclass
class _Layout:
    """Where the items of an indicator are counted: pair ``i`` puts item ``item[i]`` in group ``g[i]``
    (scope x level slot); ``den`` counts each group. Distinct counts keep the pairs of keys met on one
    item only (``single``) apart from the (group, key) combinations ``comb`` of the others."""

    size: int
    item: np.ndarray
    g: np.ndarray
    den: np.ndarray
    single: np.ndarray | None = None
    comb: np.ndarray | None = None
    k: np.int64 = np.int64(1)


def _ymd(values: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    idx = pd.DatetimeIndex(values)
    return idx.year.to_numpy(np.int64), (idx.month * 100 + idx.day).to_numpy(np.int64)


def _year_end(years: pd.Series) -> np.ndarray:
    """31 December of each year (NaT where the year is missing), as datetime64[s]."""
    codes, uniques = pd.factorize(years)  # a handful of distinct years
    y = uniques.to_numpy(dtype=np.int64)
    new_year = (y - 1969).astype("datetime64[Y]").astype("datetime64[D]")  # 1 January of the next year
    table = (new_year - np.timedelta64(1, "D")).astype("datetime64[s]")
    out: np.ndarray = np.append(table, np.datetime64("NaT", "s"))[codes]
    return out


def age_at(birth: pd.Series | np.ndarray, day: dt.date | pd.Series | np.ndarray) -> np.ndarray:
    """Completed years from birth to day; the birthday itself counts (born 30/06/1985 is 40 on 30/06/2025).
    Someone born on 29 February turns a year older on 1 March in common years."""
    by, bmd = _ymd(birth)
    if isinstance(day, dt.date):
        dy, dmd = np.int64(day.year), np.int64(day.month * 100 + day.day)
        return dy - by - (dmd < bmd)
    dy_a, dmd_a = _ymd(day)
    return dy_a - by - (dmd_a < bmd)


def _add_years(day: dt.date, years: int) -> dt.date:
    """Calendar addition; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def post_key(text: str) -> str:
    """A post name as compared by the planning rules: NFC, trimmed, inner spaces collapsed, case-folded."""
    return " ".join(nfc(text).split()).casefold()


def _post_codes(posts: pd.Series) -> np.ndarray:
    """Code of each row's post after :func:`post_key` (the distinct names only go through Python)."""
    codes, uniques = pd.factorize(posts)
    _, folded = np.unique(np.array([post_key(p) for p in uniques], dtype=object), return_inverse=True)
    out: np.ndarray = np.where(codes >= 0, np.append(folded.reshape(-1), -1)[codes], -1).astype(np.int64)
    return out


class Engine:
    """Precomputes codes once per register; ``compute(as_of)`` is cheap to call for many dates."""

    def __init__(self, register: Register, params: Params):
        self.reg = register
        self.params = params
        h = register.hierarchy
        self.h = h
        self.levels = list(params.levels)  # of the parameters; those of a boundaries date: boundaries(R).levels
        level_pos = {lv: i + 1 for i, lv in enumerate(self.levels)}
        self.unit_slot = np.array([level_pos.get(str(lv), 0) for lv in h.levels], dtype=np.int64)
        # Young-age threshold of each unit under each rule set: row 0 before the first rule set, row i + 1
        # under params.rules[i] (docs/indicators.md, "Rule sets").
        self.rule_starts = np.array([r.from_ for r in params.rules], dtype="datetime64[s]")
        regimes = [dict(params.young_age_under)] + [{**params.young_age_under, **r.young_age_under}
                                                    for r in params.rules]
        self.young_under = np.array([[m.get(str(lv), 0) for lv in h.levels] for m in regimes], dtype=np.int64)
        self._bounds: dict[dt.date, Boundaries] = {}
        cad = register.cadres
        self.cadre_index = pd.Index(cad["cadre_id"])
        self.cadre_female = (cad["gender"] == "nu").to_numpy()
        self.birth = cad["birth_date"]
        pl, mv, ev, tr = register.planning, register.movements, register.evaluations, register.training
        # cadre and unit codes of every row (text ids hashed once per table of ids)
        self.pl_cadre, self.mv_cadre, self.ev_cadre, self.tr_cadre = lookup_many(
            [pl["cadre_id"], mv["cadre_id"], ev["cadre_id"], tr["cadre_id"]], cad["cadre_id"])
        self.cadre_unit, self.pl_unit, self.mv_unit = lookup_many(
            [cad["unit_id"], pl["unit_id"], mv["to_unit_id"]], h.unit_ids)
        self.pl_in_terms = isin(pl["term"], list(params.terms))
        self.pl_term, self.pl_terms = pd.factorize(pl["term"])
        self.pl_post = _post_codes(pl["post"])
        self.mv_kind, self.mv_kinds = pd.factorize(mv["kind"])  # one pass instead of one per kind
        self.ev_date = ev["evaluated_on"].fillna(pd.Series(_year_end(ev["year"]), index=ev.index))
        self.ev_year = ev["year"].to_numpy(dtype=np.int64, na_value=0)
        self._cache: dict[tuple[str, dt.date], Any] = {}

    # --- building blocks ---------------------------------------------------------------------

    def boundaries(self, day: dt.date | None = None) -> Boundaries:
        """Placement, scopes and levels of boundaries date ``day`` (default: the parameters' as_of)."""
        day = day or self.params.as_of
        if day not in self._bounds:
            h = self.h
            if h.has_validity:
                valid = h.valid_on(day)
                place: np.ndarray | None = h.place(day)
            else:
                valid, place = np.ones(h.n, dtype=bool), None
            present = {str(lv) for lv in h.levels[valid]}
            levels = [lv for lv in self.levels if lv in present]
            pos = {lv: i + 1 for i, lv in enumerate(levels)}
            slot = np.array([pos.get(str(lv), 0) for lv in h.levels], dtype=np.int64)
            self._bounds[day] = Boundaries(day, place, valid, levels, slot)
        return self._bounds[day]

    def _memo(self, name: str, as_of: dt.date, fn: Any) -> Any:
        key = (name, as_of)
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    def regime(self, day: dt.date | np.ndarray) -> Any:
        """Row of ``young_under`` in force on ``day`` (a date, or an array of datetime64): 0 before the first
        rule set, i + 1 from ``params.rules[i].from``."""
        if isinstance(day, dt.date):
            return int(np.searchsorted(self.rule_starts, np.datetime64(day, "s"), side="right"))
        return np.searchsorted(self.rule_starts, day.astype("datetime64[s]"), side="right")

    def young_at(self, cadre: np.ndarray, unit: np.ndarray, day: dt.date | pd.Series) -> np.ndarray:
        """Under the young-age threshold of the unit's level, by the rule set in force on ``day`` (as_of for
        planning, leaders and heads; each event's own date for movements)."""
        births = self.birth.to_numpy()[cadre]
        if isinstance(day, dt.date):
            return age_at(births, day) < self.young_under[self.regime(day)][unit]
        day_arr = pd.Series(day).to_numpy()
        return age_at(births, day_arr) < self.young_under[self.regime(day_arr), unit]

    def active_planning(self, as_of: dt.date) -> np.ndarray:
        def f() -> np.ndarray:
            pl = self.reg.planning
            d = pd.Timestamp(as_of)
            added = (pl["added_on"] <= d).to_numpy()
            removed = pl["removed_on"]
            still = (removed.isna() | (removed > d)).to_numpy()
            return np.flatnonzero(added & still & self.pl_in_terms)

        result: np.ndarray = self._memo("active", as_of, f)
        return result

    def out_of_standard(self, as_of: dt.date) -> np.ndarray:
        """Per cadre: of their evaluations dated <= as_of, the one of the latest year is not_completed."""

        def f() -> np.ndarray:
            rows = np.flatnonzero((self.ev_date <= pd.Timestamp(as_of)).to_numpy())
            cadre, year = self.ev_cadre[rows], self.ev_year[rows]
            latest = np.full(len(self.cadre_index), np.iinfo(np.int64).min)
            np.maximum.at(latest, cadre, year)  # one evaluation per (cadre, year): the latest is unique
            last = year == latest[cadre]
            rating = self.reg.evaluations["rating"].to_numpy()[rows[last]]
            flag = np.zeros(len(self.cadre_index), dtype=bool)
            flag[cadre[last][rating == "not_completed"]] = True
            return flag

        result: np.ndarray = self._memo("oos", as_of, f)
        return result

    def movement_window(self, kind: str, as_of: dt.date) -> np.ndarray:
        d = self.reg.movements["date"]
        in_window = ((d >= pd.Timestamp(self.params.period_start)) & (d <= pd.Timestamp(as_of))).to_numpy()
        code = self.mv_kinds.get_indexer([kind])[0]  # -1: no movement of this kind
        return np.flatnonzero(in_window & (self.mv_kind == code) & (code >= 0))

    # --- indicator item builders (the "fn" of the registry) -------------------------------------

    def planning_people(self, as_of: dt.date, flag: str, key_only: bool = False) -> Items:
        rows = self.active_planning(as_of)
        if key_only:
            rows = rows[self.reg.planning["key_post"].to_numpy()[rows]]
        cadre, unit = self.pl_cadre[rows], self.pl_unit[rows]
        if flag == "young":
            num = self.young_at(cadre, unit, as_of)
        elif flag == "female":
            num = self.cadre_female[cadre]
        elif flag == "out_of_standard":
            num = self.out_of_standard(as_of)[cadre]
        else:
            raise ValueError(f"unknown flag {flag}")
        return Items("planning", unit, cadre, num, rows, distinct=True)

    def leadership_training(self, as_of: dt.date) -> Items:
        rows = self.active_planning(as_of)
        rows = rows[self.reg.planning["key_post"].to_numpy()[rows]]
        rows = rows[self.young_at(self.pl_cadre[rows], self.pl_unit[rows], as_of)]
        cadre, unit = self.pl_cadre[rows], self.pl_unit[rows]
        return Items("planning", unit, cadre, self.trained(as_of)[cadre], rows, distinct=True)

    def trained(self, as_of: dt.date) -> np.ndarray:
        def f() -> np.ndarray:
            tr = self.reg.training
            done = np.flatnonzero((tr["completed_on"] <= pd.Timestamp(as_of)).to_numpy())
            rows = done[tr["course_type"].to_numpy()[done] == "leadership"]
            flag = np.zeros(len(self.cadre_index), dtype=bool)
            flag[self.tr_cadre[rows]] = True
            return flag

        result: np.ndarray = self._memo("trained", as_of, f)
        return result

    def movement_young(self, as_of: dt.date, kind: str) -> Items:
        rows = self.movement_window(kind, as_of)
        cadre, unit = self.mv_cadre[rows], self.mv_unit[rows]
        num = self.young_at(cadre, unit, self.reg.movements["date"].iloc[rows])
        return Items("movements", unit, rows, num, rows, distinct=False)

    def out_of_level(self, as_of: dt.date) -> Items:
        rows = self.movement_window("appointment", as_of)
        num = self.reg.movements["out_of_level"].to_numpy()[rows]
        return Items("movements", self.mv_unit[rows], rows, num, rows, distinct=False)

    def cadre_flag_young(self, as_of: dt.date, flag: str) -> Items:
        rows = np.flatnonzero(self.reg.cadres[flag].to_numpy())
        unit = self.cadre_unit[rows]
        return Items("cadres", unit, rows, self.young_at(rows, unit, as_of), rows, distinct=False)

    def unit_report_done(self, as_of: dt.date, column: str, deadline: bool) -> Items:
        """The units valid on as_of (every unit of a v1 register), each with its row for as_of's year."""
        ur = self.reg.unit_reports
        limit = min(as_of, self.params.deadline_for(as_of)) if deadline else as_of
        ok = ((ur["year"] == as_of.year) & (ur[column] <= pd.Timestamp(limit))).fillna(False).to_numpy()
        done = np.zeros(self.h.n, dtype=bool)
        done[self.h.unit_ids.get_indexer(ur["unit_id"][ok])] = True
        units = np.flatnonzero(self.h.valid_on(as_of)) if self.h.has_validity else np.arange(self.h.n)
        return Items("units", units, units, done[units], units, distinct=False)

    def evaluated_before_planning(self, as_of: dt.date) -> Items:
        rows = self.active_planning(as_of)
        added = self.reg.planning["added_on"].to_numpy()[rows]
        left = pd.DataFrame({"i": np.arange(len(rows)), "c": self.pl_cadre[rows], "added": added})
        left["ymin"] = pd.DatetimeIndex(left["added"]).year - 1
        planned = np.zeros(len(self.cadre_index) + 1, dtype=bool)  # last slot: code -1 (unknown cadre)
        planned[left["c"].to_numpy()] = True
        keep = planned[self.ev_cadre]  # only the evaluations of cadres on the left can match
        right = pd.DataFrame({"c": self.ev_cadre[keep], "y": self.ev_year[keep], "d": self.ev_date.to_numpy()[keep]})
        m = left.merge(right, on="c", how="inner")
        ok = m.loc[(m["d"] <= m["added"]) & (m["y"] >= m["ymin"]), "i"].to_numpy()
        num = np.zeros(len(rows), dtype=bool)
        num[ok] = True
        return Items("planning", self.pl_unit[rows], rows, num, rows, distinct=False)

    # --- planning rules of the rule set in force (QĐ 377-QĐ/TW) ------------------------------------

    def _no_items(self, table: str, distinct: bool) -> Items:
        empty = np.zeros(0, dtype=np.int64)
        return Items(table, empty, empty, np.zeros(0, dtype=bool), empty, distinct)

    def post_groups(self, as_of: dt.date) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Active planning rows, and for each its (unit, post, term) group and the groups' first rows."""

        def f() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            rows = self.active_planning(as_of)
            n_post, n_term = int(self.pl_post.max(initial=-1)) + 1, len(self.pl_terms)
            combo = (self.pl_unit[rows] * n_post + self.pl_post[rows]) * n_term + self.pl_term[rows]
            _, first, group = np.unique(combo, return_index=True, return_inverse=True)
            return rows, group.reshape(-1), rows[first]

        result: tuple[np.ndarray, np.ndarray, np.ndarray] = self._memo("post_groups", as_of, f)
        return result

    def posts_over_limit(self, as_of: dt.date) -> Items:
        rule = self.params.rule_set(as_of)
        if rule is None or rule.max_people_per_post is None:
            return self._no_items("posts", distinct=False)
        rows, group, first = self.post_groups(as_of)
        n_cadre = np.int64(len(self.cadre_index))
        pairs = pd.unique(group.astype(np.int64) * n_cadre + self.pl_cadre[rows])  # distinct (post, cadre)
        people = np.bincount(pairs // n_cadre, minlength=len(first))
        over = people > rule.max_people_per_post
        return Items("posts", self.pl_unit[first], np.arange(len(first)), over, first, distinct=False)

    def people_over_post_limit(self, as_of: dt.date) -> Items:
        rule = self.params.rule_set(as_of)
        if rule is None or rule.max_posts_per_person is None:
            return self._no_items("planning", distinct=True)
        rows, group, first = self.post_groups(as_of)
        cadre, unit = self.pl_cadre[rows], self.pl_unit[rows]
        level, levels = pd.factorize(self.h.levels[unit])
        # (cadre, term, level of the row's unit) as one key; a (unit, post) is planned once however many rows
        # name it: the group already tells (unit, post, term) apart, so distinct (key, group) pairs count posts
        n_term, n_level = np.int64(len(self.pl_terms)), np.int64(max(len(levels), 1))
        key = (cadre.astype(np.int64) * n_term + self.pl_term[rows]) * n_level + level
        n_group = np.int64(len(first))
        pairs = pd.unique(key * n_group + group)
        keys, posts = np.unique(pairs // n_group, return_counts=True)
        over = keys[posts > rule.max_posts_per_person] // (n_term * n_level)
        flag = np.zeros(len(self.cadre_index), dtype=bool)
        flag[over] = True
        return Items("planning", unit, cadre, flag[cadre], rows, distinct=True)

    def retirement_dates(self, cadre: np.ndarray, ages: Mapping[str, tuple[int, int]]) -> np.ndarray:
        """Birth date + the retirement age of each cadre's gender (calendar addition, the day clamped to the
        end of the month: born 31/08/1970 + 59y8m retires 30/04/2030); NaT where the gender has no age."""
        birth = self.birth.to_numpy().astype("datetime64[D]")[cadre]
        gender = self.reg.cadres["gender"].to_numpy()[cadre]
        months = np.full(len(cadre), -1, dtype=np.int64)
        for g, (years, extra) in ages.items():
            months[gender == g] = years * 12 + extra
        month = birth.astype("datetime64[M]") + np.maximum(months, 0)
        days_in = (month + 1).astype("datetime64[D]") - month.astype("datetime64[D]")
        day_of_month = (birth - birth.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64)
        out = month.astype("datetime64[D]") + np.minimum(day_of_month, days_in.astype(np.int64) - 1)
        out[months < 0] = np.datetime64("NaT")
        return out

    def term_service_end(self, rule_terms: int, term_years: int) -> np.ndarray:
        """Per term code: start + min_terms_to_serve x term_years years (calendar years)."""
        ends = []
        for term in self.pl_terms:
            start = self.params.term_start(str(term))
            ends.append(np.datetime64(_add_years(start, rule_terms * term_years), "D"))
        return np.array(ends, dtype="datetime64[D]")

    def short_of_term(self, as_of: dt.date) -> Items:
        rule = self.params.rule_set(as_of)
        if rule is None or not rule.retirement_age:
            return self._no_items("planning", distinct=False)
        rows = self.active_planning(as_of)
        retire = self.retirement_dates(self.pl_cadre[rows], rule.retirement_age)
        rows, retire = rows[~np.isnat(retire)], retire[~np.isnat(retire)]
        end = self.term_service_end(rule.min_terms_to_serve, rule.term_years)[self.pl_term[rows]]
        return Items("planning", self.pl_unit[rows], rows, retire < end, rows, distinct=False)

    def items(self, indicator: str | Indicator, as_of: dt.date | None = None) -> Items:
        ind = INDICATORS[indicator] if isinstance(indicator, str) else indicator
        fn = getattr(self, ind.fn)
        result: Items = fn(as_of or self.params.as_of, **ind.args)
        return result

    # --- counting -------------------------------------------------------------------------------

    def _layout(self, it: Items, bounds: Boundaries, cache: dict[bytes, _Layout] | None = None) -> _Layout:
        """The (item, scope, level slot) pairs of ``it`` and its denominators, which depend on where the
        items are placed (and, for distinct counts, who they are) but not on the numerator: indicators that
        count the same items (young / women / out of standard among planned cadres) share one layout.
        (One ``cache`` serves one boundaries date.)"""
        digest = hashlib.blake2b(it.unit.tobytes(), digest_size=16)
        if it.distinct:
            digest.update(it.key.tobytes())
        ckey = bytes([it.distinct]) + digest.digest()
        if cache is not None and ckey in cache:
            return cache[ckey]
        nslot = len(bounds.levels) + 1
        size = (self.h.n + 1) * nslot
        placed = bounds.placed(it.unit)
        if bounds.place is None or placed.min(initial=0) >= 0:
            item, scope = self.h.expand(placed)
            slot = bounds.slot[placed][item]
        else:  # unplaced items count in (ALL, all) only
            ok = np.flatnonzero(placed >= 0)
            sub, scope = self.h.expand(placed[ok])
            item = ok[sub]
            slot = bounds.slot[placed[ok]][sub]
            lost = np.flatnonzero(placed < 0)
            item = np.concatenate([item, lost])
            scope = np.concatenate([scope, np.full(len(lost), self.h.n, dtype=np.int64)])
            slot = np.concatenate([slot, np.zeros(len(lost), dtype=np.int64)])
        lvl = slot > 0
        g = np.concatenate([scope * nslot, scope[lvl] * nslot + slot[lvl]])
        item = np.concatenate([item, item[lvl]])
        if not it.distinct:
            layout = _Layout(size, item, g, np.bincount(g, minlength=size))
        else:
            # A key met on one item only is counted once per group anyway; the pairs of the other keys
            # are deduplicated through their (group, key) combination.
            if len(it.key) and it.key.min() >= 0:
                single = (np.bincount(it.key)[it.key] == 1)[item]
            else:
                single = np.zeros(len(item), dtype=bool)
            k = np.int64(int(it.key.max()) + 1 if len(it.key) else 1)
            comb = g[~single].astype(np.int64) * k + it.key[item[~single]]
            den = np.bincount(g[single], minlength=size) + np.bincount(pd.unique(comb) // k, minlength=size)
            layout = _Layout(size, item, g, den, single, comb, k)
        if cache is not None:
            cache[ckey] = layout
        return layout

    def _count(self, it: Items, bounds: Boundaries, cache: dict[bytes, _Layout] | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        """Numerator and denominator for every (scope, level slot); scope n = ALL, slot 0 = all."""
        lay = self._layout(it, bounds, cache)
        num = it.num[lay.item]
        if lay.single is None or lay.comb is None:
            return np.bincount(lay.g, weights=num, minlength=lay.size).astype(np.int64), lay.den.astype(np.int64)
        nm = (np.bincount(lay.g[lay.single & num], minlength=lay.size)
              + np.bincount(pd.unique(lay.comb[num[~lay.single]]) // lay.k, minlength=lay.size))
        return nm.astype(np.int64), lay.den.astype(np.int64)

    def compute(self, as_of: dt.date | None = None, indicators: list[str] | None = None,
                boundaries: dt.date | None = None) -> pd.DataFrame:
        """All records for every indicator x scope x level, in a stable order, on the boundaries of
        ``boundaries`` (default: ``as_of``): scopes ALL and the units valid that day."""
        day = as_of or self.params.as_of
        bounds = self.boundaries(boundaries or day)
        nslot = len(bounds.levels) + 1
        scope_ids = np.array([*map(str, self.h.unit_ids), ALL], dtype=object)
        level_names = np.array([LEVEL_ALL, *bounds.levels], dtype=object)
        keep = np.repeat(np.append(bounds.valid, True), nslot)
        frames = []
        layouts: dict[bytes, _Layout] = {}
        for ind_id in indicators or list(INDICATORS):
            ind = INDICATORS[ind_id]
            num, den = self._count(self.items(ind, day), bounds, layouts)
            g = np.arange(len(num))
            if not keep.all():
                g, num, den = g[keep], num[keep], den[keep]
            frames.append(pd.DataFrame({
                "indicator": ind_id,
                "unit_id": scope_ids[g // nslot],
                "level": level_names[g % nslot],
                "numerator": num,
                "denominator": den,
            }))
        out = pd.concat(frames, ignore_index=True)
        # ALL first, then units in register order
        order = np.where(out["unit_id"].to_numpy() == ALL, -1, 0)
        out = out.iloc[np.lexsort((np.arange(len(out)), order, out["indicator"].map(_IND_ORDER).to_numpy()))]
        out = out.reset_index(drop=True)
        return _with_status(out, self.params)

    # --- explanations -----------------------------------------------------------------------------

    def explain(self, indicator: str, unit_id: str = ALL, level: str = LEVEL_ALL, missing: bool = False,
                as_of: dt.date | None = None, boundaries: dt.date | None = None) -> pd.DataFrame:
        """The people, rows, events or units in the denominator of one record, with ``in_numerator``.
        ``missing`` keeps those still to act on: outside the numerator (inside it for lower-is-better).
        On a register with validity dates every row also shows the unit it is placed at on the boundaries
        date (default: ``as_of``); a unit not valid on that date is an error naming its successor."""
        if indicator not in INDICATORS:
            raise UsageError(f"unknown indicator {indicator!r}; known: {', '.join(INDICATORS)}")
        day = as_of or self.params.as_of
        bounds = self.boundaries(boundaries or day)
        if level != LEVEL_ALL and level not in bounds.levels:
            if level in self.levels:
                raise UsageError(f"no unit of level {level!r} is valid on {_vn(bounds.day)} (boundaries date); "
                                 f"use 'all' or one of {bounds.levels}")
            raise UsageError(f"unknown level {level!r}; use 'all' or one of {bounds.levels}")
        try:
            subtree = self.h.descendants(unit_id)
        except KeyError:
            raise UsageError(f"unknown unit {unit_id!r}") from None
        if unit_id != ALL and not bounds.valid[self.h.code(unit_id)]:
            raise UsageError(self._not_valid_message(unit_id, bounds))
        ind = INDICATORS[indicator]
        it = self.items(ind, day)
        placed = bounds.placed(it.unit)
        keep = np.ones(len(placed), dtype=bool) if unit_id == ALL else np.isin(placed, subtree)
        if level != LEVEL_ALL:
            keep &= (placed >= 0) & (self.h.levels[np.maximum(placed, 0)] == level)
        sel = np.flatnonzero(keep)
        frame = self._describe(it, sel, day, placed if bounds.place is not None else None)
        if missing:
            want = not ind.higher_is_better
            frame = frame.loc[frame["in_numerator"] == want]
        return frame.reset_index(drop=True)

    def _unit_cols(self, codes: np.ndarray, prefix: str = "") -> dict[str, Any]:
        return {f"{prefix}unit_id": self.h.unit_ids.to_numpy()[codes], f"{prefix}unit_name": self.h.names[codes],
                f"{prefix}level": self.h.levels[codes]}

    def _cadre_cols(self, cadres: np.ndarray, day: dt.date) -> dict[str, Any]:
        cad = self.reg.cadres
        return {
            "cadre_id": cad["cadre_id"].to_numpy()[cadres],
            "full_name": cad["full_name"].to_numpy()[cadres],
            "gender": cad["gender"].to_numpy()[cadres],
            "birth_date": cad["birth_date"].to_numpy()[cadres],
            "age": age_at(cad["birth_date"].to_numpy()[cadres], day),
        }

    def _describe_posts(self, it: Items, sel: np.ndarray, day: dt.date, where: np.ndarray | None) -> pd.DataFrame:
        """One row per planned post (unit, post, term) with the people planned for it (and, with validity
        dates, the unit the post is placed at on the boundaries date)."""
        rows, group, first = self.post_groups(day)
        keep = np.isin(group, it.key[sel])
        pl, cad = self.reg.planning, self.reg.cadres
        people = pd.DataFrame({
            "g": group[keep],
            "name": cad["full_name"].to_numpy()[self.pl_cadre[rows[keep]]],
            "c": self.pl_cadre[rows[keep]],
            "row": pl["_row"].to_numpy()[rows[keep]].astype(str),
        })
        agg = people.groupby("g", sort=True).agg(
            people=("c", "nunique"), planned_people=("name", lambda x: "; ".join(dict.fromkeys(x))),
            planning_rows=("row", ", ".join))
        ref = first[agg.index.to_numpy()]
        out = pd.DataFrame({**self._unit_cols(self.pl_unit[ref]),
                            **(self._placed_cols(where) if where is not None else {}),
                            "post": pl["post"].to_numpy()[ref], "term": pl["term"].to_numpy()[ref],
                            "people": agg["people"].to_numpy(), "planned_people": agg["planned_people"].to_numpy(),
                            "planning_rows": agg["planning_rows"].to_numpy(),
                            "in_numerator": it.num[agg.index.to_numpy()]})
        return out.sort_values(["unit_id", "post", "term"], kind="stable")

    def not_valid_message(self, unit_id: str, boundaries: dt.date | None = None) -> str:
        """Why ``unit_id`` is no scope on ``boundaries`` (default: as_of): its validity and the successor its items
        are placed at (or that none is valid that day)."""
        return self._not_valid_message(unit_id, self.boundaries(boundaries))

    def _not_valid_message(self, unit_id: str, bounds: Boundaries) -> str:
        u = self.h.code(unit_id)
        span = _vn_span(self.h.valid_from[u], self.h.valid_to[u])
        to = int(bounds.place[u]) if bounds.place is not None else u
        head = f"unit {unit_id!r} ({self.h.names[u]}) is not valid on {_vn(bounds.day)} (boundaries date; valid {span})"
        if to >= 0:
            return (f"{head}; its items are placed at its successor {self.h.unit_ids[to]!r} ({self.h.names[to]}): "
                    f"ask for {self.h.unit_ids[to]!r}, or give a boundaries date on which {unit_id!r} is valid")
        return (f"{head} and has no successor valid that day: its items count in ALL only; give a boundaries "
                f"date on which {unit_id!r} is valid")

    def _placed_cols(self, placed: np.ndarray) -> dict[str, Any]:
        """The unit each item is placed at on the boundaries date (blank: unplaced, counted in ALL only)."""
        ok = placed >= 0
        ids = np.where(ok, self.h.unit_ids.to_numpy()[np.maximum(placed, 0)], None)
        names = np.where(ok, self.h.names[np.maximum(placed, 0)], None)
        return {"placed_unit_id": ids, "placed_unit_name": names}

    def _describe(self, it: Items, sel: np.ndarray, day: dt.date, placed: np.ndarray | None = None) -> pd.DataFrame:
        """The rows behind a record; with ``placed`` (a register with validity dates), also where each item
        is placed on the boundaries date next to its own unit."""
        ref, num = it.ref[sel], it.num[sel]
        where = None if placed is None else placed[sel]
        if it.table == "planning" and it.distinct:
            pl = self.reg.planning
            entry = pl["post"].to_numpy()[ref] + " – " + self.h.names[it.unit[sel]].astype(str)
            cols: dict[str, Any] = {}
            if where is not None:
                moved = where != it.unit[sel]
                to_name = np.where(where >= 0, self.h.names[np.maximum(where, 0)].astype(str), "(không xếp được)")
                entry = np.where(moved, entry + " → " + to_name, entry)
                cols = {"own": self.h.unit_ids.to_numpy()[it.unit[sel]].astype(str),
                        "at": np.where(where >= 0, self.h.unit_ids.to_numpy()[np.maximum(where, 0)], "").astype(str)}
            rows = pd.DataFrame({
                "c": it.key[sel],
                "num": num,
                "entry": entry + " (" + pl["term"].to_numpy()[ref] + ")",
                "row": pl["_row"].to_numpy()[ref].astype(str),
                **cols,
            })
            aggs: dict[str, Any] = {"in_numerator": ("num", "any"), "planned_posts": ("entry", "; ".join),
                                    "planning_rows": ("row", ", ".join)}
            if where is not None:
                aggs |= {"planning_unit_ids": ("own", ", ".join), "placed_unit_ids": ("at", ", ".join)}
            g = rows.groupby("c", sort=True).agg(**aggs)
            cad = g.index.to_numpy()
            out = pd.DataFrame({**self._cadre_cols(cad, day), **self._unit_cols(self.cadre_unit[cad]),
                                "planned_posts": g["planned_posts"].to_numpy(),
                                "planning_rows": g["planning_rows"].to_numpy(),
                                **({"planning_unit_ids": g["planning_unit_ids"].to_numpy(),
                                    "placed_unit_ids": g["placed_unit_ids"].to_numpy()} if where is not None else {}),
                                "in_numerator": g["in_numerator"].to_numpy()})
            return out.sort_values(["unit_id", "full_name", "cadre_id"], kind="stable")
        if it.table == "posts":
            return self._describe_posts(it, sel, day, where)
        if it.table == "units":
            ur = self.reg.unit_reports
            this_year = ur.loc[ur["year"] == day.year].drop_duplicates("unit_id").set_index("unit_id")
            codes = it.unit[sel]
            ids = self.h.unit_ids.to_numpy()[codes]
            out = pd.DataFrame({**self._unit_cols(codes),
                                **(self._placed_cols(where) if where is not None else {}),
                                "rotation_plan_on": this_year["rotation_plan_on"].reindex(ids).to_numpy(),
                                "planning_review_on": this_year["planning_review_on"].reindex(ids).to_numpy(),
                                "in_numerator": num})
            return out
        table = self.reg.table(it.table)
        sub = table.iloc[ref].drop(columns=["_row"]).reset_index(drop=True)
        cadre_pos = lookup(sub["cadre_id"], self.reg.cadres["cadre_id"])
        extra = {k: v for k, v in self._cadre_cols(cadre_pos, day).items() if k not in sub.columns}
        front = pd.DataFrame(extra)
        out = pd.concat([sub, front], axis=1)
        if it.table == "cadres":
            out = pd.concat([out.drop(columns=["unit_id"]), pd.DataFrame(self._unit_cols(it.unit[sel]))], axis=1)
        out.insert(0, "row", table["_row"].to_numpy()[ref])
        if where is not None:
            for k, v in self._placed_cols(where).items():
                out[k] = v
        out["in_numerator"] = num
        return out


_IND_ORDER = {k: i for i, k in enumerate(INDICATORS)}


def _with_status(out: pd.DataFrame, params: Params) -> pd.DataFrame:
    """value, target and status, with exact rational comparisons (no floating-point edge cases)."""
    num = out["numerator"].to_numpy(np.int64)
    den = out["denominator"].to_numpy(np.int64)
    value = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
    targets = np.full(len(out), np.nan)
    status = np.full(len(out), "none", dtype=object)
    r = Fraction(str(params.amber_ratio))
    for (ind_id, level), idx in out.groupby(["indicator", "level"], sort=False).indices.items():
        t = params.target(ind_id, level)
        if t is None:
            continue
        targets[idx] = t
        tf = Fraction(str(t))
        n, d = num[idx], den[idx]
        has = d > 0
        if INDICATORS[ind_id].higher_is_better:
            green = n * tf.denominator >= tf.numerator * d
            amber = n * tf.denominator * r.denominator >= tf.numerator * r.numerator * d
            st = np.where(green, "green", np.where(amber, "amber", "red"))
        else:
            st = np.where(n * tf.denominator <= tf.numerator * d, "green", "red")
        status[idx] = np.where(has, st, "none")
    out = out.copy()
    out["value"] = pd.array(value, dtype="Float64")
    out.loc[den == 0, "value"] = pd.NA
    out["target"] = pd.array(targets, dtype="Float64")
    out["status"] = status
    return out[RECORD_COLUMNS]


def compute_indicators(register: Register, params: Params, as_of: dt.date | None = None,
                       boundaries: dt.date | None = None) -> pd.DataFrame:
    """Every record at ``as_of`` (default: the parameters') on the boundaries of ``boundaries`` (default:
    ``as_of``)."""
    return Engine(register, params).compute(as_of, boundaries=boundaries)


def _vn(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _vn_span(valid_from: int, valid_to: int) -> str:
    def f(d: int) -> str:
        return _vn(dt.date(1970, 1, 1) + dt.timedelta(days=int(d)))

    lo, hi = valid_from > -(2**61), valid_to < 2**61
    if lo and hi:
        return f"{f(valid_from)}–{f(valid_to)}"
    if hi:
        return f"until {f(valid_to)}"
    return f"from {f(valid_from)}" if lo else "always"


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready records: NaN/NA become None, numbers plain Python types."""
    out = []
    for row in frame.itertuples(index=False):
        out.append({
            "indicator": row.indicator,
            "unit_id": row.unit_id,
            "level": row.level,
            "numerator": int(row.numerator),
            "denominator": int(row.denominator),
            "value": None if pd.isna(row.value) else float(row.value),
            "target": None if pd.isna(row.target) else float(row.target),
            "status": row.status,
        })
    return out
