"""``bench export --format hf`` (issue 19): rows round-trip into Instance and verify, a dataset card, one line."""

from __future__ import annotations

import json
from pathlib import Path

from codesteer import symbench
from codesteer.symbench import Instance, verify
from tests.conftest import cli


def test_hf_export_round_trips_and_verifies(tmp_path: Path) -> None:
    import datasets

    out = tmp_path / "hf"
    r = cli("bench", "export", "--out", str(out), "--format", "hf", "--tasks", "game24,letters", "-n", "3",
            "--seed", "4")
    assert r.returncode == 0, r.stderr
    assert "Saving the dataset" not in r.stderr + r.stdout and len(r.stdout.strip().splitlines()) == 1
    dd = datasets.load_from_disk(str(out))
    assert set(dd) == {"game24", "letters"}
    for name in dd:
        expected = {i.id: i for i in symbench.generate(name, 3, seed=4)}
        for row in dd[name]:
            assert row["split"] == ("seen" if name == "game24" else "unseen") and row["seen"] is (name == "game24")
            assert isinstance(row["data"], str) and isinstance(json.loads(row["data"]), dict)
            inst = Instance.from_row(row)
            assert inst == expected[row["id"]]
            assert verify(row, f"so <<<{row['answer']}>>>").correct
            assert verify(inst, f"<<<{row['answer']}>>>").correct
            assert not verify(row, "<<<definitely not it>>>").correct
    card = (out / "README.md").read_text()
    for needle in ("license: apache-2.0", "## Fields", "**JSON text**", "verify(row,", "2502.04350", "## License",
                   "| game24 | seen | 3 |", "| letters | unseen | 3 |"):
        assert needle in card


def test_verify_takes_bad_rows_without_raising() -> None:
    assert verify({"task": "game24", "id": "x"}, "<<<1>>>").reason.startswith("error:")
    assert verify({"task": "game24", "id": "x", "question": "q", "answer": "a", "data": "{not json"},
                  "<<<1>>>").reason.startswith("error:")
    assert verify("not a row", "<<<1>>>").reason.startswith("error:")  # type: ignore[arg-type]
