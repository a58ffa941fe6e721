"""The analysts' explorer: ipywidgets over the indicator engine, for JupyterLab (and Voilà).

- :mod:`~cadre_lib.explorer.model`: register, parameters, engine, caches, the selection and the frames behind each
  view (imports neither ipywidgets nor matplotlib);
- :mod:`~cadre_lib.explorer.views`: those frames as HTML and figures (through :mod:`cadre_lib.report.charts`);
- :mod:`~cadre_lib.explorer.widgets`: the controls and their events, the :class:`Explorer` widget;
- :mod:`~cadre_lib.explorer.export`: the drill-down as Excel, the charts as PNG.

``from cadre_lib.explorer import Explorer`` loads the widgets (ipywidgets) only when ``Explorer`` is asked for, so
importing the model stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cadre_lib.explorer.model import EMPTY_NOTE, ExplorerModel, Selection

if TYPE_CHECKING:
    from cadre_lib.explorer.widgets import Explorer

__all__ = ["EMPTY_NOTE", "Explorer", "ExplorerModel", "Selection"]


def __getattr__(name: str) -> Any:
    if name == "Explorer":
        from cadre_lib.explorer.widgets import Explorer

        return Explorer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
