"""`leadsim.generate` against `leadsim generate`."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import leadsim

from conftest import read_csv_exact


@pytest.mark.parametrize("leads, seed", [(3000, 11), (257, 0)])
def test_rows_and_truth_are_the_cli_files(cli, tmp_path, leads, seed):
    out = tmp_path / "history.csv"
    cli("generate", "--leads", leads, "--seed", seed, "--out", out)
    frame, truth = leadsim.generate(leads=leads, seed=seed)
    pd.testing.assert_frame_equal(frame, read_csv_exact(out))
    assert truth == json.loads((tmp_path / "history.truth.json").read_text())
    assert truth["conversions"] == frame["converted"].sum()


def test_defaults_and_prefixes():
    frame, truth = leadsim.generate(leads=500)
    assert (truth["preset"], truth["seed"], truth["leads"]) == ("b2b-saas", 7, 500)
    # Every lead has its own random stream: fewer leads are a prefix of more.
    shorter, _ = leadsim.generate(leads=200)
    pd.testing.assert_frame_equal(shorter, frame.iloc[:200])
    assert frame["lead_id"].iloc[0] == "L000001"


def test_a_generated_history_trains_on_its_truth():
    """The generator's outcome is exactly a logistic model: on 20,000 leads the fit lands
    within 4 standard errors of every true coefficient (a 4-sigma band misses with
    probability 6e-5 per coefficient, so about 0.2% for the 32 of this preset)."""
    frame, truth = leadsim.generate(leads=20_000, seed=3)
    with pytest.warns(leadsim.LeadsimWarning):
        model = leadsim.train(frame, exclude="deal_value", holdout=0)
    coefs = model.coefficients.set_index("name")
    expected = {"(intercept)": truth["intercept"]} | {c["name"]: c["value"] for c in truth["coefficients"]}
    for name, value in expected.items():
        row = coefs.loc[name]
        assert abs(row["estimate"] - value) < 4 * row["std_error"], name


def test_bad_arguments_are_parameter_errors():
    with pytest.raises(leadsim.ParameterError, match="known presets: b2b-saas") as e:
        leadsim.generate(preset="b2c")
    assert (e.value.name, e.value.value) == ("preset", "b2c")
    with pytest.raises(leadsim.ParameterError, match="at least one lead"):
        leadsim.generate(leads=0)
