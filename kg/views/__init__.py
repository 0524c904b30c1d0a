"""Self-contained interactive HTML views: network pages and the evidence gap map."""

from .gapmap import render_gap_map
from .network import render_focus_pages, render_network, render_overview, render_result, resolve_focus

__all__ = ["render_focus_pages", "render_gap_map", "render_network", "render_overview",
           "render_result", "resolve_focus"]
