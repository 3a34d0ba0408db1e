"""`leadsim.simulate_shard` and `leadsim.merge` against `leadsim simulate --shard` and
`leadsim merge`: the same shard files, and a merge equal to the unsharded run."""

from __future__ import annotations

import sys
import warnings

import pytest

import leadsim

from conftest import SCENARIOS
from test_simulate import assert_same_values, quiet_simulate

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = pytest.importorskip("tomli")

HANDOVER = SCENARIOS / "handover.toml"


def quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", leadsim.LeadsimWarning)
        return fn(*args, **kw)


def test_shards_are_the_cli_files_and_merge_to_the_whole_run(cli, tmp_path):
    # Five scenarios x 7 replications = 35 units in 3 shards of 11, 12 and 12.
    written = [
        quiet(leadsim.simulate_shard, HANDOVER, (i, 3), tmp_path / "py", replications=7, threads=1)
        for i in (1, 2, 3)
    ]
    assert [p.name for p in written] == [f"shard-{i}-of-3.json" for i in (1, 2, 3)]
    for i, path in zip((1, 2, 3), written):
        cli("simulate", HANDOVER, "--shard", f"{i}/3", "--replications", "7", "--threads", "2",
            "--out", tmp_path / "cli", "--quiet")
        # Byte for byte, whatever the threads: the file holds no clock and no path of ours.
        assert path.read_bytes() == (tmp_path / "cli" / path.name).read_bytes(), path.name

    merged = quiet(leadsim.merge, tmp_path / "py")
    whole = quiet_simulate(HANDOVER, replications=7)
    assert merged.summary.equals(whole.summary)
    assert merged.replications.equals(whole.replications)
    cli("merge", tmp_path / "cli", "--out", tmp_path / "merged", "--quiet")
    assert_same_values(merged.summary, tmp_path / "merged" / "summary.csv")
    # A list of files, in any order, is the same merge.
    again = quiet(leadsim.merge, list(reversed(written)), objective="mql_to_sql")
    assert again.summary.equals(merged.summary)
    ranked = again.ranking
    assert ranked.equals(quiet_simulate(HANDOVER, replications=7, objective="mql_to_sql").ranking)


def test_a_dict_scenario_shards_without_its_file(tmp_path, monkeypatch):
    with open(HANDOVER, "rb") as f:
        sc = tomllib.load(f)
    sc["policy"]["threshold"] = 0.15
    # Relative table paths in a dict resolve against the current directory: run there.
    monkeypatch.chdir(HANDOVER.parent)
    for i in (1, 2):
        quiet(leadsim.simulate_shard, sc, f"{i}/2", tmp_path, replications=4)
    merged = quiet(leadsim.merge, tmp_path)
    assert merged.summary.equals(quiet_simulate(sc, replications=4).summary)


def test_shard_errors(tmp_path):
    with pytest.raises(leadsim.ParameterError, match="numbered from 1 to 3") as e:
        leadsim.simulate_shard(HANDOVER, (4, 3), tmp_path, replications=4)
    assert e.value.name == "shard" and e.value.value == "4/3"
    with pytest.raises(TypeError, match="shard="):
        leadsim.simulate_shard(HANDOVER, 3, tmp_path)
    with pytest.raises(leadsim.ParameterError, match="no shard files") as e:
        leadsim.merge([])
    assert e.value.kind == "NoShards"
    assert not list(tmp_path.iterdir()), "a failed shard writes nothing"

    quiet(leadsim.simulate_shard, HANDOVER, "1/3", tmp_path, replications=4)
    quiet(leadsim.simulate_shard, HANDOVER, "3/3", tmp_path, replications=4)
    with pytest.raises(leadsim.ParameterError, match="missing shard 2/3") as e:
        leadsim.merge(tmp_path)
    assert e.value.kind == "MissingShards"
    # A shard of another run (another seed) is named with the field that differs.
    quiet(leadsim.simulate_shard, HANDOVER, "2/3", tmp_path, replications=4, seed=99)
    with pytest.raises(leadsim.InputError, match="seed") as e:
        leadsim.merge(tmp_path)
    assert e.value.kind == "ShardMismatch"
