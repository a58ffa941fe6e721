"""What the explorer saves: the drill-down as an Excel workbook and the charts as PNG files, under names that say
what was selected and when (never overwriting a file).

The drill-down lists names, birth dates and ratings, so the files are readable by their owner only (0600) and a
folder created for them (``reports/explorer`` by default) is 0700, whatever the umask; a folder that already
exists keeps its mode. Text a spreadsheet would run as a formula (a cadre "named" ``=HYPERLINK(…)``) is stored
as text (:mod:`cadre_lib.core.spreadsheet`)."""

from __future__ import annotations

import datetime as dt
import re
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from cadre_lib import fmt
from cadre_lib.core.files import PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, atomic_write, make_dirs
from cadre_lib.core.scope import SAMPLE_BAND
from cadre_lib.core.spreadsheet import write_xlsx
from cadre_lib.explorer.model import AUDIENCE_NAMES, ExplorerModel, level_label, readable
from cadre_lib.indicators.registry import INDICATORS
from cadre_lib.report.charts import save_png


def slug(text: str) -> str:
    """``text`` with only letters, digits, ``_`` and ``-`` (runs of anything else become one ``-``)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "x"


def unique(path: Path) -> Path:
    """``path``, or ``<stem>-2<suffix>``, ``-3``… if it exists."""
    n = 2
    out = path
    while out.exists():
        out = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return out


def stem(model: ExplorerModel) -> str:
    """indicator_unit_level_date_timestamp of the current selection."""
    sel = model.selection
    day = sel.as_of or dt.date.today()
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return slug(f"{sel.indicator}_{sel.unit_id}_{sel.level}_{day:%Y-%m-%d}_{stamp}")


def write_excel(model: ExplorerModel, table: pd.DataFrame, folder: Path) -> Path:
    """The drill-down (Vietnamese headers; sheet "Danh sách") and the selection (sheet "Thông tin") as .xlsx."""
    assert model.register is not None
    sel = model.selection
    assert sel.unit_id is not None
    make_dirs(folder, PRIVATE_DIR_MODE)
    path = unique(folder / f"{stem(model)}.xlsx")
    info = pd.DataFrame({"Mục": ["Chỉ tiêu", "Phạm vi", "Số liệu của cấp", "Số liệu đến ngày",
                                 "Chỉ các trường hợp cần xử lý", "Người xem", "Dữ liệu", "Lập lúc"],
                         "Giá trị": [INDICATORS[sel.indicator].label_vi, model.scope_name(sel.unit_id),
                                     level_label(sel.level), fmt.date(sel.as_of), "Có" if sel.missing else "Không",
                                     AUDIENCE_NAMES[sel.audience], str(model.register.path),
                                     dt.datetime.now().strftime("%d/%m/%Y %H:%M")]})
    if model.register.is_sample:
        info.loc[len(info)] = ["Lưu ý", SAMPLE_BAND]
    sheets = {"Danh sách": readable(table, for_excel=True), "Thông tin": info}
    atomic_write(path, lambda tmp: write_xlsx(tmp, sheets), mode=PRIVATE_FILE_MODE)
    return path


def _png(fig: Any, path: Path) -> None:
    save_png(fig, path)


def write_pngs(model: ExplorerModel, figures: list[tuple[Any, str]], folder: Path) -> list[Path]:
    """Each (figure, suffix) that is not ``None`` as ``<stem>_<suffix>.png``."""
    make_dirs(folder, PRIVATE_DIR_MODE)
    base = stem(model)
    paths = []
    for fig, suffix in figures:
        if fig is None:
            continue
        path = unique(folder / f"{base}_{suffix}.png")
        atomic_write(path, partial(_png, fig), mode=PRIVATE_FILE_MODE)
        paths.append(path)
    return paths
