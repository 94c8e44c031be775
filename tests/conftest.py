"""Project-wide test settings: offline, single-threaded torch, paths to shared test data."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[1]
REFERENCE_DATA = Path(os.environ.get("CODESTEER_REFERENCE_DATA", REPO.parent / "shared" / "reference-data"))
