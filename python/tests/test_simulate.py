"""`leadsim.simulate` against `leadsim simulate`: the same values as the CSV files, the same
files from `write`, and a scenario dict (or TOML text) equal to its file."""

from __future__ import annotations

import copy
import os
import re
import sys
import warnings

import pandas as pd
import pytest

import leadsim

from conftest import SCENARIOS, read_csv_exact

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = pytest.importorskip("tomli")

HANDOVER = SCENARIOS / "handover.toml"
SWEEP = SCENARIOS / "sweep.toml"
OUTPUTS = ("summary.csv", "summary.json", "replications.csv", "report.html")


def quiet_simulate(scenario, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", leadsim.LeadsimWarning)
        return leadsim.simulate(scenario, **options)


def cli_simulate(cli, out, scenario, *flags):
    return cli("simulate", scenario, "--out", out, "--quiet", *flags)


def load(path):
    with open(path, "rb") as f:
        return tomllib.load(f)


def assert_same_values(frame, csv):
    # The CSV reader types whole-number columns as integers; the values are the same.
    pd.testing.assert_frame_equal(frame, read_csv_exact(csv), check_dtype=False)


@pytest.mark.parametrize(
    "scenario, flags, options",
    [
        (HANDOVER, ["--replications", "20"], {"replications": 20}),
        (HANDOVER, ["--seed", "9", "--replications", "12", "--objective", "mql_to_sql"],
         {"seed": 9, "replications": 12, "objective": "mql_to_sql"}),
        (SWEEP, ["--replications", "5"], {"replications": 5}),
    ],
)
def test_results_are_the_cli_files(cli, tmp_path, scenario, flags, options):
    run = cli_simulate(cli, tmp_path / "cli", scenario, *flags)
    results = quiet_simulate(scenario, **options)
    assert_same_values(results.summary, tmp_path / "cli" / "summary.csv")
    assert_same_values(results.replications, tmp_path / "cli" / "replications.csv")
    results.write(tmp_path / "py")
    for name in OUTPUTS:
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    assert results.to_html() == (tmp_path / "cli" / "report.html").read_text()
    assert results.table() + "\n" == run.stdout.rsplit("wrote ", 1)[0]


def test_ranking_and_frontier_are_summary_json(cli, tmp_path):
    results = quiet_simulate(SWEEP, replications=5)
    ranking = results.to_dict()["ranking"]
    assert results.objective == ranking["objective"] == "net_revenue"
    assert results.ranking["name"].tolist() == [p["name"] for p in ranking["ranked"]]
    assert results.ranking["mean"].is_monotonic_decreasing
    assert results.frontier["scenario"].tolist() == ranking["frontier"]
    assert results.frontier["rep_cost"].is_monotonic_increasing
    assert len(results.scenarios) == 26 and results.scenarios[0] == "today"
    single = load(HANDOVER)
    single["scenario"] = single["scenario"][:1]
    alone = quiet_simulate(single, replications=3)
    assert alone.ranking is None and alone.frontier is None and alone.objective is None


@pytest.mark.parametrize("path", [HANDOVER, SWEEP])
def test_a_dict_or_toml_text_is_its_file(path):
    from_file = quiet_simulate(path, replications=4)
    from_dict = quiet_simulate(load(path), replications=4)
    from_text = quiet_simulate(path.read_text(), replications=4)
    for other in (from_dict, from_text):
        pd.testing.assert_frame_equal(other.summary, from_file.summary)
        pd.testing.assert_frame_equal(other.replications, from_file.replications)
        assert other.to_dict() == from_file.to_dict()


def test_a_dict_changed_in_place_is_the_file_changed_alike(cli, tmp_path):
    sc = load(HANDOVER)
    sc["policy"]["threshold"] = 0.2
    sc["scenario"][1]["pools"]["sdr"]["count"] = 5
    text = HANDOVER.read_text()
    text = text.replace("threshold = 0.3", "threshold = 0.2").replace("count = 6", "count = 5")
    (tmp_path / "changed.toml").write_text(text)
    cli_simulate(cli, tmp_path / "cli", tmp_path / "changed.toml", "--replications", "6")
    assert_same_values(quiet_simulate(sc, replications=6).summary, tmp_path / "cli" / "summary.csv")


def test_sweep_axes_follow_the_dicts_order():
    sc = load(SWEEP)
    sc["sweep"] = {"pools.sdr.count": [2, 3], "policy.threshold": [0.2, 0.4]}
    results = quiet_simulate(sc, replications=2)
    assert [a["path"] for a in results.sweep["axes"]] == ["pools.sdr.count", "policy.threshold"]
    assert results.scenarios[1:] == [
        "sdr.count=2, threshold=0.2", "sdr.count=2, threshold=0.4",
        "sdr.count=3, threshold=0.2", "sdr.count=3, threshold=0.4",
    ]


def test_table_paths_in_a_dict_resolve_against_the_current_directory(cli, tmp_path, monkeypatch):
    os.symlink(SCENARIOS / "scored-leads.csv", tmp_path / "leads.csv")
    text = HANDOVER.read_text().replace(
        'generator = "b2b-saas"', 'table = "leads.csv"\nscore_column = "score"'
    )
    (tmp_path / "table.toml").write_text(text)
    cli_simulate(cli, tmp_path / "cli", tmp_path / "table.toml", "--replications", "5")
    sc = tomllib.loads(text)
    monkeypatch.chdir(tmp_path)
    assert_same_values(quiet_simulate(sc, replications=5).summary, tmp_path / "cli" / "summary.csv")
    monkeypatch.chdir(SCENARIOS.parent)
    with pytest.raises(leadsim.FileError, match="leads.csv") as e:
        quiet_simulate(sc, replications=5)
    assert e.value.errno == 2 and e.value.path == "leads.csv"


def test_precision_runs_are_the_cli_runs(cli, tmp_path):
    """Batches up to a half-width of 0.002 on mql_to_sql, and a target missed at the cap,
    whose warning is the CLI's."""
    cli_simulate(cli, tmp_path / "cli", HANDOVER, "--replications", "5", "--precision", "0.002")
    results = quiet_simulate(HANDOVER, replications=5, precision=0.002)
    assert_same_values(results.summary, tmp_path / "cli" / "summary.csv")
    assert results.precision["batches"] == [5, 39] and results.n_replications == 39
    assert results.precision == results.to_dict()["precision"]

    run = cli_simulate(cli, tmp_path / "cap", HANDOVER, "--replications", "3",
                       "--precision-metric", "net_revenue=1000", "--max-replications", "6")
    with pytest.warns(leadsim.LeadsimWarning) as record:
        capped = leadsim.simulate(HANDOVER, replications=3, precision=1000,
                                  precision_metric="net_revenue", max_replications=6)
    assert_same_values(capped.summary, tmp_path / "cap" / "summary.csv")
    cli_warnings = [l[len("warning: "):] for l in run.stderr.splitlines() if l.startswith("warning: ")]
    assert len(cli_warnings) == 3, run.stderr
    assert [str(w.message) for w in record] == cli_warnings == capped.warnings


def test_file_warnings_are_the_clis(cli, tmp_path):
    run = cli_simulate(cli, tmp_path, SWEEP, "--replications", "2")
    with pytest.warns(leadsim.LeadsimWarning) as record:
        leadsim.simulate(SWEEP, replications=2)
    cli_warnings = [l[len("warning: "):] for l in run.stderr.splitlines()]
    # Two pools offered more work than they have, and the best point on the grid's edge.
    assert len(cli_warnings) == 3 and [str(w.message) for w in record] == cli_warnings


def test_threads_do_not_change_results():
    runs = [quiet_simulate(HANDOVER, replications=8, threads=n) for n in (1, 2, 8)]
    for other in runs[1:]:
        pd.testing.assert_frame_equal(other.replications, runs[0].replications)
        pd.testing.assert_frame_equal(other.summary, runs[0].summary)


def test_seed_changes_results_and_fixes_them():
    a = quiet_simulate(HANDOVER, replications=3, seed=1)
    b = quiet_simulate(HANDOVER, replications=3, seed=1)
    c = quiet_simulate(HANDOVER, replications=3, seed=2)
    pd.testing.assert_frame_equal(a.replications, b.replications)
    assert not a.replications.equals(c.replications)
    assert (a.seed, c.seed, a.n_replications) == (1, 2, 3)
    assert re.fullmatch(r"<leadsim.Results 'Handover policy review': 3 scenarios x 3 replications, seed 1>", repr(a))


def test_dict_values_toml_cannot_hold_are_config_errors():
    sc = load(HANDOVER)
    sc["policy"]["patience_hours"] = None
    with pytest.raises(leadsim.ConfigError, match=r"<scenario dict>: policy.patience_hours: None") as e:
        leadsim.simulate(sc)
    assert e.value.field == "policy.patience_hours"
    bad = copy.deepcopy(load(HANDOVER))
    bad["scenario"][2]["policy"]["gap_hours"] = [0.25, object()]
    with pytest.raises(leadsim.ConfigError, match=r"scenario\[2\].policy.gap_hours\[1\]: a object"):
        leadsim.simulate(bad)
