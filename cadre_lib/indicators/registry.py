"""The indicator registry (``indicators/indicators.yaml``): one declarative entry per indicator."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal

import yaml


@dataclass(frozen=True)
class Indicator:
    id: str
    label_vi: str
    label_en: str
    counts: Literal["people", "events", "rows", "units", "posts"]
    direction: Literal["higher", "lower"]
    fn: str
    args: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    action_vi: str = ""  # recommendation template: {gap} (items still to act on), {units} (units behind)
    short_vi: str = ""  # short label: table columns, the portal's scorecard (default: label_vi)
    weight: float = 1.0  # how much it matters when findings are ranked (docs/indicators.md, "Ranking")

    @property
    def short(self) -> str:
        return self.short_vi or self.label_vi

    def label(self, language: str = "vi") -> str:
        return self.label_vi if language == "vi" else self.label_en

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "higher"


def _load() -> dict[str, Indicator]:
    text = resources.files("cadre_lib").joinpath("indicators", "indicators.yaml").read_text(encoding="utf-8")
    out: dict[str, Indicator] = {}
    for ind_id, e in yaml.safe_load(text).items():
        compute = dict(e["compute"])
        fn = compute.pop("fn")
        out[ind_id] = Indicator(
            id=ind_id,
            label_vi=e["label_vi"],
            label_en=e["label_en"],
            counts=e["counts"],
            direction=e["direction"],
            fn=fn,
            args=compute,
            source=e.get("source", ""),
            action_vi=e.get("action_vi", ""),
            short_vi=e.get("short_vi", ""),
            weight=float(e.get("weight", 1.0)),
        )
        if out[ind_id].weight <= 0:
            raise ValueError(f"indicators.yaml: {ind_id}: weight must be positive")
    return out


INDICATORS: dict[str, Indicator] = _load()
