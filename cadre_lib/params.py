"""Parameters: ``parameters/default.yaml`` validated by a strict schema."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    ValidationError,
    field_serializer,
    field_validator,
    model_validator,
)

from cadre_lib.core.files import PROJECT_ROOT
from cadre_lib.core.schema import error_lines
from cadre_lib.core.scope import LEVEL_ALL
from cadre_lib.errors import ParameterError
from cadre_lib.register.contract import codes

__all__ = ["DEFAULT_PARAMS", "PROJECT_ROOT", "Organisation", "Params", "RuleSet", "load_params", "parse_age",
           "parse_date"]

DEFAULT_PARAMS = PROJECT_ROOT / "parameters" / "default.yaml"


def parse_date(value: Any) -> dt.date:
    """A date from YAML or the command line: ISO ``YYYY-MM-DD`` or day-first ``DD/MM/YYYY``."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise ValueError(f"not a date: {text!r} (use YYYY-MM-DD or DD/MM/YYYY)")


def _fraction(v: float) -> float:
    if not 0 <= v <= 1:
        raise ValueError(f"a target is a fraction between 0 and 1 (0.15 = 15%), not {v:g}")
    return v


#: A target: a number from 0 to 1 (``yes``, ``"15%"`` or ``"0,15"`` are refused, not guessed).
Target = Annotated[StrictFloat, AfterValidator(_fraction)]
#: An age threshold in completed years.
Age = Annotated[StrictInt, Field(ge=18, le=70)]


class Organisation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    party_committee: str = "ĐẢNG BỘ TỈNH HƯNG YÊN"
    issuer: str = "BAN TỔ CHỨC TỈNH ỦY"
    place: str = "Hưng Yên"


_AGE_RE = re.compile(r"^\s*(\d+)\s*y(?:\s*(\d+)\s*m)?\s*$")


def parse_age(value: Any) -> tuple[int, int]:
    """An age as (years, months): an integer number of years, or years and months written ``59y8m``."""
    if isinstance(value, bool):
        raise ValueError(f"not an age: {value!r}")
    if isinstance(value, int):
        years, months = value, 0
    elif isinstance(value, tuple | list) and len(value) == 2 and all(type(x) is int for x in value):
        years, months = value
    else:
        m = _AGE_RE.match(str(value))
        if not m:
            raise ValueError(f"not an age: {value!r} (write years, e.g. 62, or years and months, e.g. 59y8m)")
        years, months = int(m.group(1)), int(m.group(2) or 0)
    if not 0 <= months < 12 or not 0 < years < 120:
        raise ValueError(f"not an age: {value!r} (years 1-119, months 0-11)")
    return years, months


class RuleSet(BaseModel):
    """Central rules in force from ``from`` until the next rule set starts (docs/indicators.md, "Rule sets").
    A value left out means the rule set has no such rule (``young_age_under``: the top-level mapping)."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_by_name=True, serialize_by_alias=True)

    name: str = Field(min_length=1)
    from_: dt.date = Field(alias="from")
    young_age_under: dict[str, int] = Field(default_factory=dict)
    max_people_per_post: int | None = Field(None, ge=1)
    max_posts_per_person: int | None = Field(None, ge=1)
    retirement_age: dict[str, tuple[int, int]] | None = None
    min_terms_to_serve: int = Field(1, ge=1)
    term_years: int = Field(5, ge=1)

    @field_validator("from_", mode="before")
    @classmethod
    def _from(cls, v: Any) -> Any:
        return parse_date(v)

    @field_validator("retirement_age", mode="before")
    @classmethod
    def _ages(cls, v: Any) -> Any:
        if v is None:
            return None
        if not isinstance(v, dict):
            raise ValueError("retirement_age maps a gender code (nam, nu) to an age")
        return {k: parse_age(a) for k, a in v.items()}

    @field_serializer("retirement_age")
    def _ages_out(self, v: dict[str, tuple[int, int]] | None) -> dict[str, str] | None:
        return None if v is None else {k: f"{y}y{m}m" if m else f"{y}y" for k, (y, m) in v.items()}


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    province: str = "Hưng Yên"
    organisation: Organisation = Field(default_factory=Organisation)
    as_of: dt.date
    period_start: dt.date = dt.date(2022, 2, 8)
    terms: list[str] = Field(default_factory=lambda: ["2020-2025", "2025-2030"])
    levels: list[str] = Field(default_factory=lambda: ["tinh", "huyen", "xa"])
    young_age_under: dict[str, Age]
    targets: dict[str, dict[str, Target]] = Field(default_factory=dict)
    amber_ratio: StrictFloat = Field(0.9, gt=0, le=1)
    review_deadline: dt.date | None = None
    language: Literal["vi", "en"] = "vi"
    rules: list[RuleSet] = Field(default_factory=list)
    term_starts: dict[str, dt.date] = Field(default_factory=dict)

    @field_validator("term_starts", mode="before")
    @classmethod
    def _term_starts(cls, v: Any) -> Any:
        if not isinstance(v, dict):
            return v
        return {str(k): parse_date(d) for k, d in v.items()}

    @field_validator("as_of", "period_start", "review_deadline", mode="before")
    @classmethod
    def _dates(cls, v: Any) -> Any:
        return None if v is None or v == "" else parse_date(v)

    @field_validator("levels")
    @classmethod
    def _levels(cls, v: list[str]) -> list[str]:
        known = codes("level")
        bad = [x for x in v if x not in known]
        if bad:
            raise ValueError(f"unknown level(s) {bad}; known: {known}")
        if not v or len(set(v)) != len(v):
            raise ValueError("levels must be a non-empty list without repeats")
        return v

    @field_validator("targets")
    @classmethod
    def _target_indicators(cls, v: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        from cadre_lib.indicators.registry import INDICATORS

        unknown = [ind for ind in v if ind not in INDICATORS]
        if unknown:
            hints = []
            for ind in unknown:
                close = difflib.get_close_matches(ind, list(INDICATORS), n=1)
                hints.append(f"unknown indicator {ind!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
            raise ValueError("; ".join(hints) + " (the indicators are listed in docs/indicators.md)")
        return v

    @model_validator(mode="after")
    def _consistency(self) -> Params:
        missing = [lv for lv in self.levels if lv not in self.young_age_under]
        if missing:
            raise ValueError(f"young_age_under must cover every level; missing: {missing}")
        for ind, by_level in self.targets.items():
            for key in by_level:
                if key != LEVEL_ALL and key not in self.levels:
                    raise ValueError(
                        f"targets.{ind}: unknown level {key!r} (use {LEVEL_ALL!r} or one of {self.levels})"
                    )
        starts = [r.from_ for r in self.rules]
        if starts != sorted(starts) or len(set(starts)) != len(starts):
            raise ValueError("rules: rule sets must be listed by their 'from' date, each on its own day")
        for r in self.rules:
            bad = [lv for lv in r.young_age_under if lv not in self.levels]
            if bad:
                raise ValueError(f"rules ({r.name}): young_age_under has unknown level(s) {bad}")
        for term in self.term_starts:
            if term not in self.terms:
                raise ValueError(f"term_starts: {term!r} is not one of terms {self.terms}")
        if self.period_start > self.as_of:
            raise ValueError(f"period_start {self.period_start} is after as_of {self.as_of}")
        return self

    @property
    def deadline(self) -> dt.date:
        return self.deadline_for(self.as_of)

    def deadline_for(self, day: dt.date) -> dt.date:
        """The planning-review deadline of ``day``'s year: review_deadline when it falls in that year,
        else 31 December (so trends at earlier dates use their own year's deadline)."""
        if self.review_deadline is not None and self.review_deadline.year == day.year:
            return self.review_deadline
        return dt.date(day.year, 12, 31)

    def rule_set(self, day: dt.date) -> RuleSet | None:
        """The rule set in force on ``day``: the last whose ``from`` <= day; None before the first."""
        current = None
        for r in self.rules:
            if r.from_ <= day:
                current = r
        return current

    def young_thresholds(self, day: dt.date) -> dict[str, int]:
        """Young = age under these many years, per level, under the rules in force on ``day``."""
        r = self.rule_set(day)
        return {**self.young_age_under, **(r.young_age_under if r else {})}

    def term_start(self, term: str) -> dt.date:
        """``term_starts[term]``, default 1 January of the term's first year (``2025-2030`` → 01/01/2025)."""
        if term in self.term_starts:
            return self.term_starts[term]
        head = str(term).strip()[:4]
        if not head.isdigit():
            raise ParameterError(f"term {term!r}: no start date; give it in term_starts")
        return dt.date(int(head), 1, 1)

    def target(self, indicator: str, level: str) -> float | None:
        by_level = self.targets.get(indicator)
        if not by_level:
            return None
        return by_level.get(level, by_level.get(LEVEL_ALL))


def _validate(data: dict[str, Any], source: str) -> Params:
    try:
        return Params.model_validate(data)
    except ValidationError as exc:
        lines = [f"  - {line}" for line in error_lines(exc, data, unknown_key="{where}: unknown key")]
        raise ParameterError(f"invalid parameters in {source}:\n" + "\n".join(lines)) from None


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text, so that a bad date is reported with its key, and refuses a key
    given twice (YAML would silently keep the last one)."""


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _unique_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            first = seen.get(key)
        except TypeError:  # an unhashable key: construct_mapping says so
            break
        if first is not None:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} is given twice (first on line {first + 1}): keep one",
                key_node.start_mark)
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=True)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)

#: Hints for YAML's own messages, by a piece of them.
_YAML_HINTS = {
    "cannot start any token": "indent with spaces, not tabs",
    "mapping values are not allowed": "a ':' YAML did not expect: check the indentation of this line, and put "
                                      "text holding ': ' in quotes",
    "could not find expected ':'": "a line without 'key: value', or a wrong indentation",
    "expected <block end>": "check the indentation of this line against the lines above",
    "found unexpected end of stream": "a quote or a bracket is not closed",
    "while scanning a quoted scalar": "a quote is not closed",
}


def _yaml_problem(p: Path, exc: yaml.YAMLError) -> ParameterError:
    mark = getattr(exc, "problem_mark", None)
    problem = str(getattr(exc, "problem", None) or exc)
    context = str(getattr(exc, "context", None) or "")
    hint = next((h for k, h in _YAML_HINTS.items() if k in problem or k in context), "")
    if mark is None:
        return ParameterError(f"cannot read parameters file {p}: {problem}", file=str(p))
    line, column = mark.line + 1, mark.column + 1
    text = f"{p}, line {line}, column {column}: not valid YAML: {problem}"
    start = getattr(exc, "context_mark", None)
    if context and start is not None and start.line != mark.line:
        text += f" ({context} on line {start.line + 1}, column {start.column + 1})"
    text += f" ({hint})" if hint else ""
    return ParameterError(text, file=str(p), line=line, column=column)


def load_params(path: str | Path | None = None, as_of: dt.date | str | None = None) -> Params:
    """Read and validate a parameters file (default ``parameters/default.yaml``); ``as_of`` overrides."""
    p = Path(path) if path else DEFAULT_PARAMS
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise ParameterError(f"parameters file not found: {p}", file=str(p)) from None
    except OSError as exc:
        raise ParameterError(f"cannot read parameters file {p}: {exc.strerror or exc}", file=str(p)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParameterError(f"{p}, line {line}: the file is not UTF-8 (byte 0x{data[exc.start]:02x}); save it as "
                             "UTF-8 (in Notepad: 'Save As', Encoding 'UTF-8')", file=str(p), line=line) from None
    try:
        raw = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise _yaml_problem(p, exc) from None
    if not isinstance(raw, dict):
        raise ParameterError(f"parameters file {p} must hold a mapping of keys ('key: value' lines), not "
                             f"{'nothing' if raw is None else type(raw).__name__}", file=str(p))
    if as_of not in (None, ""):
        try:
            raw["as_of"] = parse_date(as_of)
        except ValueError as exc:
            raise ParameterError(f"--as-of: {exc}") from None
    return _validate(raw, str(p))
