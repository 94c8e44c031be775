"""Project-wide test settings: offline, single-threaded torch, paths to shared test data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# A developer who set a cache dir keeps the converted embedded model between sessions; otherwise one per session.
_USER_CACHE = os.environ.get("CODESTEER_CACHE_DIR")

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[1]
REFERENCE_DATA = Path(os.environ.get("CODESTEER_REFERENCE_DATA", REPO.parent / "shared" / "reference-data"))


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the embedded model's one-time GGUF conversion goes (shared by every test of the session)."""
    return Path(_USER_CACHE) if _USER_CACHE else tmp_path_factory.mktemp("model-cache")
