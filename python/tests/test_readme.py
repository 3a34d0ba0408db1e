"""The README's quick start runs as written (from the repository root's point of view)."""

from __future__ import annotations

import os
import re
import sys

import pytest

from conftest import REPO


@pytest.mark.skipif(sys.version_info < (3, 11), reason="the quick start uses tomllib")
def test_quick_start_runs(tmp_path, monkeypatch):
    text = (REPO / "python" / "README.md").read_text()
    block = re.search(r"## Quick start.*?```python\n(.*?)```", text, re.S).group(1)
    os.symlink(REPO / "data", tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    with pytest.warns(Warning):  # the inferred id column
        exec(compile(block, "README.md", "exec"), namespace)
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == [
        "replications.csv", "report.html", "summary.csv", "summary.json"
    ]
    assert len(namespace["scored"]) == 1000 and (tmp_path / "model.json").exists()
    assert namespace["results"].n_replications == 200
