"""Every kind of error is its Python class, with the CLI's message and the values as attributes."""

from __future__ import annotations

import pandas as pd
import pytest

import leadsim
from leadsim import errors

from conftest import HISTORY, SCENARIOS


def cli_error(cli, *args) -> str:
    """The library's message as the CLI prints it after `error: `, without the flag hint the
    binary appends to some (`; set --alpha ...`): Python users set options, not flags."""
    run = cli(*args, check=False)
    assert run.returncode != 0
    first = run.stderr.splitlines()[0]
    assert first.startswith("error: ")
    message = first[len("error: "):]
    head, sep, hint = message.rpartition("; ")
    return head if sep and "--" in hint else message


def write(path, text):
    path.write_text(text)
    return path


def test_the_class_tree():
    for cls in (errors.InputError, errors.ParameterError, errors.ConfigError, errors.ModelError):
        assert issubclass(cls, leadsim.LeadsimError) and issubclass(cls, ValueError)
    assert issubclass(errors.FileError, OSError) and issubclass(errors.FitError, leadsim.LeadsimError)
    assert issubclass(errors.CancelledError, leadsim.LeadsimError)
    assert not issubclass(errors.FitError, ValueError)
    assert set(errors.__all__) <= set(leadsim.__all__)


def test_bad_value_names_file_line_column_and_value(cli, tmp_path):
    data = write(tmp_path / "d.csv", "x,y\n1,0\n2,1\nabc,0\n4,1\n")
    expected = cli_error(cli, "train", "--data", data, "--target", "y", "--numeric", "x", "--out", tmp_path / "m.json")
    with pytest.raises(leadsim.InputError) as e:
        leadsim.train(data, target="y", numeric="x")
    assert str(e.value) == expected
    assert (e.value.kind, e.value.line, e.value.column, e.value.value) == ("BadValue", 4, "x", "abc")
    # A DataFrame's row 2 is line 4 of its CSV.
    with pytest.raises(leadsim.InputError) as e:
        leadsim.train(pd.read_csv(data, dtype=str), target="y", numeric="x")
    assert str(e.value) == expected.replace(str(data), "<DataFrame>")
    assert e.value.line == 4 and e.value.path == "<DataFrame>"


def test_unknown_column_suggests_a_name(cli, tmp_path):
    expected = cli_error(cli, "train", "--data", HISTORY, "--target", "Converted", "--out", tmp_path / "m.json")
    with pytest.raises(leadsim.InputError, match='did you mean "converted"') as e:
        leadsim.train(HISTORY, target="Converted")
    assert str(e.value) == expected and e.value.kind == "UnknownColumn"


def test_target_problems(cli, tmp_path):
    data = write(tmp_path / "t.csv", "x,y\n1,0\n2,maybe\n3,1\n")
    expected = cli_error(cli, "train", "--data", data, "--target", "y", "--out", tmp_path / "m.json")
    with pytest.raises(leadsim.InputError) as e:
        leadsim.train(data, target="y")
    assert str(e.value) == expected and e.value.kind == "TargetValue"
    one = write(tmp_path / "one.csv", "x,y\n1,0\n2,0\n3,0\n")
    expected = cli_error(cli, "train", "--data", one, "--target", "y", "--holdout", "0", "--out", tmp_path / "m.json")
    with pytest.raises(leadsim.InputError) as e:
        leadsim.train(one, target="y", holdout=0)
    assert str(e.value) == expected and e.value.kind == "SingleClass" and e.value.rows == 3


def test_scoring_data_without_a_feature(cli, tmp_path, cli_model, small_csv):
    frame = pd.read_csv(small_csv).drop(columns="industry")
    frame.to_csv(tmp_path / "no-industry.csv", index=False)
    expected = cli_error(cli, "score", "--model", cli_model, "--data", tmp_path / "no-industry.csv", "--out", tmp_path / "s.csv")
    with pytest.raises(leadsim.InputError) as e:
        leadsim.load_model(cli_model).score(tmp_path / "no-industry.csv")
    assert str(e.value) == expected and e.value.column == "industry"
    with pytest.raises(leadsim.InputError, match='<DataFrame>: the model needs feature column "industry"'):
        leadsim.load_model(cli_model).score(frame)


def test_empty_data(cli, tmp_path):
    header = write(tmp_path / "h.csv", "x,y\n")
    expected = cli_error(cli, "train", "--data", header, "--out", tmp_path / "m.json")
    with pytest.raises(leadsim.InputError) as e:
        leadsim.train(header)
    assert str(e.value) == expected and e.value.kind == "HeaderOnly"
    with pytest.raises(leadsim.InputError, match="<DataFrame>: the file has a header but no data rows"):
        leadsim.train(pd.DataFrame({"x": pd.Series([], dtype=float), "y": pd.Series([], dtype=int)}))


def test_parameters_out_of_range(cli, tmp_path):
    expected = cli_error(cli, "train", "--data", HISTORY, "--holdout", "1", "--out", tmp_path / "m.json")
    with pytest.raises(leadsim.ParameterError) as e:
        leadsim.train(HISTORY, holdout=1.0)
    assert str(e.value) == expected
    assert (e.value.kind, e.value.name, e.value.value) == ("InvalidHyperparameter", "holdout", 1.0)
    with pytest.raises(leadsim.ParameterError, match="invalid threads = 0") as e:
        leadsim.simulate(SCENARIOS / "handover.toml", threads=0, replications=2)
    assert (e.value.kind, e.value.name, e.value.value) == ("ZeroThreads", "threads", 0)
    with pytest.raises(leadsim.ParameterError, match='did you mean "net_revenue"') as e:
        leadsim.simulate(SCENARIOS / "handover.toml", objective="net_revenu", replications=2)
    assert (e.value.kind, e.value.name, e.value.value) == ("UnknownMetric", "objective", "net_revenu")
    assert e.value.suggestion == "net_revenue"
    with pytest.raises(leadsim.ParameterError) as e:
        leadsim.train(HISTORY, bands=[0.5, 0.2])
    assert (e.value.kind, e.value.name, e.value.value) == ("InvalidBands", "bands", [0.5, 0.2])
    with pytest.raises(leadsim.ParameterError, match="needs precision="):
        leadsim.simulate(SCENARIOS / "handover.toml", precision_metric="sqls", replications=2)
    with pytest.raises(leadsim.ParameterError, match="delimiter"):
        leadsim.train(HISTORY, delimiter=";;")
    with pytest.raises(leadsim.ParameterError, match="solver"):
        leadsim.train(HISTORY, solver="sgd")


def test_scenario_problems_name_the_key_path(cli, tmp_path):
    text = (SCENARIOS / "handover.toml").read_text().replace("threshold = 0.3", "treshold = 0.3")
    bad = write(tmp_path / "bad.toml", text)
    expected = cli_error(cli, "simulate", bad, "--out", tmp_path / "out")
    with pytest.raises(leadsim.ConfigError) as e:
        leadsim.simulate(bad)
    assert str(e.value) == expected
    assert e.value.field == "policy.treshold" and "did you mean" in e.value.message
    assert (e.value.kind, e.value.problem) == ("Config", "UnknownKey")
    with pytest.raises(leadsim.ConfigError) as e:
        leadsim.simulate(text)
    assert str(e.value) == expected.replace(str(bad), "<scenario string>")


def test_not_a_model(cli, tmp_path, small_csv):
    expected = cli_error(cli, "score", "--model", small_csv, "--data", small_csv, "--out", tmp_path / "s.csv")
    with pytest.raises(leadsim.ModelError) as e:
        leadsim.load_model(small_csv)
    assert str(e.value) == expected and e.value.kind == "NotAModel"
    future = write(tmp_path / "m.json", '{"format_version": 99}')
    with pytest.raises(leadsim.ModelError, match="format_version 99 is not supported") as e:
        leadsim.load_model(future)
    assert (e.value.found, e.value.supported) == (99, 1)


def test_fit_problems(cli, tmp_path):
    sep = write(tmp_path / "sep.csv", "x,y\n" + "".join(f"{i},{int(i > 10)}\n" for i in range(30)))
    expected = cli_error(cli, "train", "--data", sep, "--target", "y", "--holdout", "0", "--out", tmp_path / "m.json")
    with pytest.raises(leadsim.FitError) as e:
        leadsim.train(sep, target="y", holdout=0)
    assert str(e.value) == expected and e.value.kind == "Separation"
    few = write(tmp_path / "few.csv", "a,b,c,y\n1,2,3,0\n2,1,5,1\n3,3,1,0\n")
    with pytest.raises(leadsim.FitError, match="too few to fit") as e:
        leadsim.train(few, target="y", holdout=0)
    assert e.value.kind == "TooFewRows" and e.value.rows == 3


def test_missing_file(cli, tmp_path):
    missing = tmp_path / "nope.csv"
    expected = cli_error(cli, "train", "--data", missing, "--out", tmp_path / "m.json")
    with pytest.raises(leadsim.FileError) as e:
        leadsim.train(missing)
    assert str(e.value) == expected
    assert isinstance(e.value, OSError) and e.value.errno == 2 and e.value.filename == str(missing)
    with pytest.raises(leadsim.FileError, match="nope.csv"):
        leadsim.load_model(missing)


def test_wrong_python_types_are_type_errors():
    with pytest.raises(TypeError, match="data must be a pandas DataFrame"):
        leadsim.train(42)
    with pytest.raises(TypeError, match="scenario must be"):
        leadsim.simulate(3.5)
    with pytest.raises(TypeError, match="exclude= takes column names"):
        leadsim.train(HISTORY, exclude=[1])


@pytest.mark.parametrize(
    "name, content, kind",
    [
        ("ragged.csv", b"x,y\n1,0\n2\n", "RaggedRow"),
        ("dup.csv", b"x,x,y\n1,2,0\n", "DuplicateHeader"),
        ("empty.csv", b"", "EmptyFile"),
        ("plain.csv.gz", b"x,y\n1,0\n", "NotGzip"),
        ("latin1.csv", b"x,y\n\xff,0\n", "Csv"),
    ],
)
def test_malformed_files(cli, tmp_path, name, content, kind):
    data = tmp_path / name
    data.write_bytes(content)
    expected = cli_error(cli, "train", "--data", data, "--out", tmp_path / "m.json")
    with pytest.raises(leadsim.InputError) as e:
        leadsim.train(data)
    assert str(e.value) == expected and e.value.kind == kind


def test_no_convergence(cli, tmp_path):
    expected = cli_error(cli, "train", "--data", HISTORY, "--max-iter", "1", "--out", tmp_path / "m.json")
    with pytest.raises(leadsim.FitError) as e:
        leadsim.train(HISTORY, max_iter=1)
    assert str(e.value) == expected
    assert (e.value.kind, e.value.solver, e.value.iterations) == ("NotConverged", "newton", 1)
