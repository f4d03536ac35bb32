"""Shared fixtures. Everything runs offline."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "gold"
DOC_ID = "kambodscha-menschenhandel-2025"


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Each test gets its own generation cache; converted models stay shared (they are slow)."""
    monkeypatch.setenv("HARNESS_GENERATION_CACHE", str(tmp_path_factory.mktemp("gen-cache")))


@pytest.fixture()
def gold_copy(tmp_path: Path) -> Path:
    """A writable copy of the gold root, for tests that break it on purpose."""
    dest = tmp_path / "gold"
    shutil.copytree(GOLD / DOC_ID, dest / DOC_ID)
    return dest


@pytest.fixture()
def article() -> str:
    return (GOLD / DOC_ID / "article.txt").read_text(encoding="utf-8")
