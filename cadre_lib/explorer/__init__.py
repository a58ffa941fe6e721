"""The analyst explorer (ipywidgets)."""

from cadre_lib.explorer.explorer import *  # noqa: F403  (split into model/views/widgets/export next)
