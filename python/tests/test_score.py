"""`Model.score` and `Model.evaluate` against `leadsim score` and `leadsim evaluate`."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import leadsim

from conftest import read_csv_exact


def as_cli_text(scored: pd.DataFrame) -> pd.DataFrame:
    """The scored frame as `leadsim score` writes it: scores to 6 decimals, all text."""
    out = scored.copy()
    out["score"] = out["score"].map(lambda p: f"{p:.6f}")
    return out.astype(str)


def cli_scored(cli, tmp_path, model, data, *flags):
    out = tmp_path / "scored.csv"
    run = cli("score", "--model", model, "--data", data, "--out", out, "--quiet", *flags)
    return pd.read_csv(out, dtype=str, keep_default_na=False), run


@pytest.mark.parametrize("explain", [0, 3])
def test_scoring_a_path_is_leadsim_score(cli, tmp_path, cli_model, small_csv, explain):
    expected, _ = cli_scored(cli, tmp_path, cli_model, small_csv, "--explain", explain)
    scored = leadsim.load_model(cli_model).score(small_csv, explain=explain)
    assert list(scored.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(as_cli_text(scored), expected)
    assert scored["score"].dtype == "float64"


def test_scoring_a_dataframe_is_leadsim_score_on_its_csv(cli, tmp_path, cli_model, small_csv):
    """The frame as pandas reads it, scored in memory, equals the CLI on `to_csv` of it (the
    explanations quote values as the frame's CSV writes them: 527937.8, not 527937.80)."""
    frame = pd.read_csv(small_csv)
    frame.index = frame.index + 1000  # the output keeps the frame's index
    written = tmp_path / "frame.csv"
    frame.to_csv(written, index=False)
    expected, _ = cli_scored(cli, tmp_path, cli_model, written, "--explain", 2)
    scored = leadsim.load_model(cli_model).score(frame, explain=2)
    assert scored.index.equals(frame.index)
    assert (scored["lead_id"] == frame["lead_id"]).all()
    pd.testing.assert_frame_equal(as_cli_text(scored).reset_index(drop=True), expected)


def test_id_column_and_line_numbers(cli, tmp_path, cli_model, small_csv):
    expected, _ = cli_scored(cli, tmp_path, cli_model, small_csv, "--id", "industry")
    scored = leadsim.load_model(cli_model).score(small_csv, id="industry")
    pd.testing.assert_frame_equal(as_cli_text(scored), expected)
    # Without an id column the CLI writes the line number; a frame's rows are lines 2, 3...
    frame = pd.read_csv(small_csv).drop(columns="lead_id")
    by_line = leadsim.load_model(cli_model).score(frame)
    assert by_line["line"].tolist() == list(range(2, len(frame) + 2))


def test_unseen_levels_warn_as_the_cli_does(cli, tmp_path, cli_model, small_csv):
    frame = pd.read_csv(small_csv)
    frame.loc[:4, "industry"] = "aerospace"
    written = tmp_path / "unseen.csv"
    frame.to_csv(written, index=False)
    _, run = cli_scored(cli, tmp_path, cli_model, written)
    with pytest.warns(leadsim.LeadsimWarning) as record:
        leadsim.load_model(cli_model).score(frame)
    cli_warnings = [l[len("warning: "):] for l in run.stderr.splitlines()]
    assert [str(w.message) for w in record] == cli_warnings
    assert cli_warnings == ['5 values of "industry" were levels not seen in training; scored as (other)']


@pytest.mark.parametrize("as_frame", [False, True])
def test_evaluate_is_leadsim_evaluate(cli, cli_model, small_csv, as_frame):
    expected = json.loads(cli("evaluate", "--model", cli_model, "--data", small_csv, "--json", "--quiet").stdout)
    data = pd.read_csv(small_csv) if as_frame else small_csv
    assert leadsim.load_model(cli_model).evaluate(data) == expected


def test_parallel_chunks_keep_row_order(cli_model, small_csv):
    """Chunks are scored in parallel and put back in order: a big frame scores as its rows
    one by one."""
    model = leadsim.load_model(cli_model)
    frame = pd.concat([read_csv_exact(small_csv)] * 12, ignore_index=True)  # 36,000 rows
    whole = model.score(frame, explain=1)
    parts = pd.concat([model.score(frame.iloc[i : i + 1000], explain=1) for i in range(0, len(frame), 1000)])
    pd.testing.assert_frame_equal(whole, parts)
