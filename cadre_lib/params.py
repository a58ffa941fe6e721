"""Parameters: ``parameters/default.yaml`` validated by a strict schema."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from cadre_lib.core.files import PROJECT_ROOT
from cadre_lib.core.schema import error_lines
from cadre_lib.core.scope import LEVEL_ALL
from cadre_lib.errors import ParameterError
from cadre_lib.register.contract import codes

__all__ = ["DEFAULT_PARAMS", "PROJECT_ROOT", "Organisation", "Params", "load_params", "parse_date"]

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


class Organisation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    party_committee: str = "ĐẢNG BỘ TỈNH HƯNG YÊN"
    issuer: str = "BAN TỔ CHỨC TỈNH ỦY"
    place: str = "Hưng Yên"


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    province: str = "Hưng Yên"
    organisation: Organisation = Field(default_factory=Organisation)
    as_of: dt.date
    period_start: dt.date = dt.date(2022, 2, 8)
    terms: list[str] = Field(default_factory=lambda: ["2020-2025", "2025-2030"])
    levels: list[str] = Field(default_factory=lambda: ["tinh", "huyen", "xa"])
    young_age_under: dict[str, int]
    targets: dict[str, dict[str, float]] = Field(default_factory=dict)
    amber_ratio: float = Field(0.9, gt=0, le=1)
    review_deadline: dt.date | None = None
    language: Literal["vi", "en"] = "vi"

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

    @model_validator(mode="after")
    def _consistency(self) -> Params:
        from cadre_lib.indicators.registry import INDICATORS

        missing = [lv for lv in self.levels if lv not in self.young_age_under]
        if missing:
            raise ValueError(f"young_age_under must cover every level; missing: {missing}")
        for ind, by_level in self.targets.items():
            if ind not in INDICATORS:
                raise ValueError(f"targets: unknown indicator {ind!r}")
            for key in by_level:
                if key != LEVEL_ALL and key not in self.levels:
                    raise ValueError(
                        f"targets.{ind}: unknown level {key!r} (use {LEVEL_ALL!r} or one of {self.levels})"
                    )
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
    """SafeLoader that keeps dates as text, so that a bad date is reported with its key."""


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_params(path: str | Path | None = None, as_of: dt.date | str | None = None) -> Params:
    """Read and validate a parameters file (default ``parameters/default.yaml``); ``as_of`` overrides."""
    p = Path(path) if path else DEFAULT_PARAMS
    try:
        raw = yaml.load(p.read_text(encoding="utf-8"), Loader=_Loader)
    except FileNotFoundError:
        raise ParameterError(f"parameters file not found: {p}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ParameterError(f"cannot read parameters file {p}: {exc}") from None
    if not isinstance(raw, dict):
        raise ParameterError(f"parameters file {p} must hold a mapping of keys")
    if as_of not in (None, ""):
        try:
            raw["as_of"] = parse_date(as_of)
        except ValueError as exc:
            raise ParameterError(f"--as-of: {exc}") from None
    return _validate(raw, str(p))
