"""Published instances a loader cannot use are reported, never dropped silently (issue 18, item 9)."""

from __future__ import annotations

import itertools
import json
import warnings
from pathlib import Path

import pytest

from codesteer import symbench as sb
from tests.conftest import REFERENCE_DATA, cli


def _folder(tmp_path: Path) -> Path:
    """A published-data folder whose three sudoku samples are all unusable, and one letters cell that is fine."""
    root = tmp_path / "ref"
    (root / "standard_sudoku" / "sample_0").mkdir(parents=True)  # no question.txt
    for i, text in ((1, "no grid here"), (2, "Solve:\n" + "\n".join(",".join(["1"] * 9) for _ in range(9)))):
        (root / "standard_sudoku" / f"sample_{i}").mkdir()
        (root / "standard_sudoku" / f"sample_{i}" / "question.txt").write_text(text)
    return root


def test_skips_are_warned_once_per_task_with_count_and_reasons(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    with pytest.warns(sb.ReferenceWarning) as caught:
        assert list(sb.load_reference(root, "standard_sudoku")) == []
    msgs = [str(w.message) for w in caught if issubclass(w.category, sb.ReferenceWarning)]
    assert len(msgs) == 1, msgs
    assert msgs[0].startswith("standard_sudoku: 3 published instance(s) skipped")
    assert "question.txt missing" in msgs[0] and "grid not found" in msgs[0]


def test_nothing_to_warn_about_is_quiet(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert list(sb.load_reference(_folder(tmp_path), "letters")) == []


def test_summary_table_counts_every_sample(tmp_path: Path) -> None:
    stats = {s.task: s for s in sb.reference_summary(_folder(tmp_path), ["standard_sudoku", "letters"])}
    assert stats["standard_sudoku"].loaded == 0 and len(stats["standard_sudoku"].skipped) == 3
    assert sum(stats["standard_sudoku"].reasons().values()) == 3
    assert stats["letters"].loaded == 0 and not stats["letters"].skipped


def test_bench_load_prints_loaded_and_skipped(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    p = cli("bench", "load", str(root), "--tasks", "standard_sudoku,letters", "--json")
    assert p.returncode == 0, p.stderr
    rows = {r["task"]: r for r in map(json.loads, p.stdout.splitlines())}
    assert rows["standard_sudoku"]["loaded"] == 0 and rows["standard_sudoku"]["skipped"] == 3
    assert rows["standard_sudoku"]["reasons"]["question.txt missing"] == 1
    table = cli("bench", "load", str(root), "--tasks", "standard_sudoku")
    assert table.returncode == 0 and "0 loaded, 3 skipped" in table.stdout, table.stdout


def test_manifest_from_reference_names_the_skips(tmp_path: Path) -> None:
    p = cli("manifest", "create", "-o", str(tmp_path / "m.jsonl"), "--tasks", "standard_sudoku",
            "-n", "2", "--reference", str(_folder(tmp_path)))
    assert p.stderr.strip().splitlines()[0].startswith("warning: standard_sudoku: 3 published instance(s) skipped")


@pytest.mark.skipif(not (REFERENCE_DATA / "logic_puzzle_dataset").is_dir(), reason="reference data not on disk")
def test_published_logic_puzzles_without_solution_are_reported() -> None:
    with pytest.warns(sb.ReferenceWarning, match=r"logic_puzzle: \d+ published instance\(s\) skipped .*no valid "
                                                 r"solution as stated"):
        loaded = list(itertools.islice(sb.load_reference(REFERENCE_DATA, "logic_puzzle"), 1000))
    assert loaded
