"""Scenario dicts written as TOML read back as the same dict."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest

from leadsim import ConfigError, _toml

from conftest import SCENARIOS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = pytest.importorskip("tomli")


@pytest.mark.parametrize("name", ["handover.toml", "sweep.toml", "bench.toml", "bench_simpy.toml"])
def test_scenario_files_round_trip(name):
    with open(SCENARIOS / name, "rb") as f:
        doc = tomllib.load(f)
    assert tomllib.loads(_toml.dumps(doc, "<d>")) == doc


def test_awkward_values_round_trip():
    doc = {
        "plain": 'quote " backslash \\ tab \t newline \n bell \x07 é',
        "dotted.key": {"with space": [1, 2.5, -0.0, 1e300, 1e-300], "": True},
        "nested": {"a": {"b": {"c": [[1, 2], [3.5]]}}, "empty": {}, "list": []},
        "tables": [{"name": "x"}, {"name": "y", "policy": {"threshold": 0.2}}],
    }
    assert tomllib.loads(_toml.dumps(doc, "<d>")) == doc


def test_floats_numpy_and_order():
    text = _toml.dumps(
        {
            "b": np.float64(0.1),
            "a": np.int64(3),
            "c": np.bool_(True),
            "i": math.inf,
            "n": math.nan,
            "v": np.array([0.25, 4.0]),
        },
        "<d>",
    )
    # Keys keep the dict's order (a sweep's axes run in it); numbers read as Python writes them.
    assert text.splitlines() == ["b = 0.1", "a = 3", "c = true", "i = inf", "n = nan", "v = [0.25, 4.0]"]
    back = tomllib.loads(text)
    assert back["b"] == 0.1 and type(back["a"]) is int and back["c"] is True
    assert math.isinf(back["i"]) and math.isnan(back["n"])


def test_what_toml_cannot_hold():
    with pytest.raises(ConfigError, match=r"<d>: a.b\[1\]: None has no TOML form") as e:
        _toml.dumps({"a": {"b": [1, None]}}, "<d>")
    assert (e.value.kind, e.value.field, e.value.path) == ("Config", "a.b[1]", "<d>")
    with pytest.raises(ConfigError, match="keys must be strings"):
        _toml.dumps({"a": {1: 2}}, "<d>")
    with pytest.raises(ConfigError, match="a scenario must be a dict"):
        _toml.dumps([1], "<d>")
