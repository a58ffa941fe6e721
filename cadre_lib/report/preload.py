"""Imported once by the runner's kernel "zygote" before it forks a fresh kernel per notebook: loads the
report modules and warms matplotlib (fonts, the report style, the Agg text engine), so that every forked
kernel starts with them ready. It only imports and draws off-screen; it starts no thread."""

from __future__ import annotations

import io

import matplotlib.pyplot as plt

from cadre_lib.report import charts, context, html, prose, sections, tables  # noqa: F401  (for the forked kernels)
from cadre_lib.report.charts import apply_style


def _warm() -> None:
    apply_style()
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1], [0, 1], label="Tỷ lệ cán bộ trẻ")
    ax.set_title("Cấp xã: Đạt, Gần đạt, Chưa đạt")
    ax.legend()
    fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)


_warm()
