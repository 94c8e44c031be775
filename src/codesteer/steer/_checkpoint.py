"""What a guide checkpoint trained here says about itself: the marker file ``train`` writes beside its weights.

Read by the runners (which view to show a trained guide) and written by ``train``; kept here, below both.
"""

from __future__ import annotations

import json
from pathlib import Path

GUIDE_MARKER = "codesteer_guide.json"


def guide_view_for(spec: str | None) -> str | None:
    """``"compact"`` when ``spec`` names a checkpoint trained here (``hf/<dir>`` holding the guide marker), so a
    caller can pick the view that guide was trained on; ``None`` when the spec says nothing about it."""
    if not spec or not spec.startswith("hf/"):
        return None
    marker = Path(spec[3:]).expanduser() / GUIDE_MARKER
    try:
        view = json.loads(marker.read_text(encoding="utf-8")).get("view")
    except (OSError, ValueError, AttributeError):
        return None
    return view if view in ("compact", "full") else None
