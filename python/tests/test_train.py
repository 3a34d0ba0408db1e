"""`leadsim.train` against `leadsim train`: the same model file for the same data and options."""

from __future__ import annotations

import inspect
import json
import re
import warnings

import pandas as pd
import pyarrow as pa
import pytest

import leadsim
from leadsim import _native

from conftest import DATA, HISTORY, without_timings

# The CLI's flags and the same options in Python.
OPTION_SETS = [
    ([], {}),
    (
        ["--exclude", "deal_value", "--holdout", "0.3", "--seed", "5"],
        {"exclude": ["deal_value"], "holdout": 0.3, "seed": 5},
    ),
    (["--folds", "5"], {"folds": 5}),
    (["--cv", "3", "--exclude", "deal_value"], {"cv": 3, "exclude": "deal_value"}),
    (
        ["--alpha", "1", "--bands", "0.1,0.2,0.4", "--holdout", "0"],
        {"alpha": 1.0, "bands": [0.1, 0.2, 0.4], "holdout": 0.0},
    ),
    (["--solver", "lbfgs", "--max-iter", "2000"], {"solver": "lbfgs", "max_iter": 2000}),
    # Elastic net and the lasso's cross-validated path (issue 13): the same zeros, bit for bit.
    (["--alpha", "20", "--l1-ratio", "0.5"], {"alpha": 20.0, "l1_ratio": 0.5}),
    (
        ["--cv", "3", "--l1-ratio", "1", "--exclude", "deal_value"],
        {"cv": 3, "l1_ratio": 1.0, "exclude": "deal_value"},
    ),
    # Firth's fit, with its profile intervals and likelihood-ratio p-values in the file.
    (["--firth", "--exclude", "deal_value"], {"firth": True, "exclude": "deal_value"}),
    (
        ["--categorical", "page_views", "--numeric", "email_clicks", "--min-level-count", "30",
         "--missing", "unknown", "--id", "lead_id"],
        {"categorical": ["page_views"], "numeric": "email_clicks", "min_level_count": 30,
         "missing": ["unknown"], "id": "lead_id"},
    ),
]


def cli_train(cli, tmp_path, data, flags):
    out = tmp_path / "model.json"
    run = cli("train", "--data", data, "--out", out, *flags)
    return json.loads(out.read_text()), out, run


def quiet_train(data, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", leadsim.LeadsimWarning)
        return leadsim.train(data, **options)


@pytest.mark.parametrize("flags, options", OPTION_SETS)
def test_model_from_a_path_is_the_cli_model(cli, tmp_path, flags, options):
    expected, _, _ = cli_train(cli, tmp_path, HISTORY, [*flags, "--quiet"])
    model = quiet_train(HISTORY, **options)
    assert without_timings(model.to_dict()) == without_timings(expected)


@pytest.mark.parametrize("flags, options", OPTION_SETS[:4])
def test_model_from_a_dataframe_is_the_cli_model(cli, tmp_path, flags, options):
    expected, _, _ = cli_train(cli, tmp_path, HISTORY, [*flags, "--quiet"])
    model = quiet_train(pd.read_csv(HISTORY), **options)
    got = without_timings(model.to_dict())
    # Data in memory has no file: its name stands in, and there is no file hash.
    assert got["training"].pop("data_file") == "<DataFrame>"
    assert got["training"].pop("data_sha256") == ""
    expected = without_timings(expected)
    del expected["training"]["data_file"], expected["training"]["data_sha256"]
    assert got == expected


def test_bank_marketing_with_gzip_and_a_yes_no_target(cli, tmp_path):
    data = DATA / "bank-additional-full.csv.gz"
    expected, _, _ = cli_train(cli, tmp_path, data, ["--target", "y", "--exclude", "duration", "--quiet"])
    model = quiet_train(data, target="y", exclude=["duration"])
    assert without_timings(model.to_dict()) == without_timings(expected)


def strip_source(model: dict) -> dict:
    model = without_timings(model)
    del model["training"]["data_file"], model["training"]["data_sha256"]
    return model


def test_arrow_types_read_as_their_csv(cli, tmp_path):
    """Categoricals, booleans, nullable integers, float32, string views and large strings,
    in sliced multi-batch Arrow data, train the model `leadsim train` fits on the same frame
    written with `to_csv`."""
    df = pd.read_csv(HISTORY)
    df["company_size"] = df["company_size"].astype("category")
    for c in ["visited_pricing", "requested_demo"]:
        df[c] = df[c].map({"yes": True, "no": False})
    df["page_views"] = df["page_views"].astype("Int64")
    df.loc[::7, "page_views"] = pd.NA
    df["days_since_last_activity"] = df["days_since_last_activity"].astype("float32")
    csv = tmp_path / "frame.csv"
    # float32 values are written as their shortest float32 text, as the reader writes them.
    df.to_csv(csv, index=False, float_format=None)
    expected, _, _ = cli_train(cli, tmp_path, csv, ["--quiet"])
    from_frame = quiet_train(df)
    assert strip_source(from_frame.to_dict()) == strip_source(expected)

    table = pa.Table.from_pandas(df, preserve_index=False)
    schema = pa.schema(
        [
            pa.field(f.name, pa.string_view()) if f.name in ("industry", "source")
            else pa.field(f.name, pa.string()) if f.name == "region"
            else f
            for f in table.schema
        ]
    )
    table = table.cast(schema)
    # Three batches, each a slice (a non-zero offset) of a bigger one.
    padded = pa.concat_tables([table.slice(0, 5), table, table.slice(0, 5)])
    pieces = [padded.slice(5, 1000), padded.slice(1005, 2500), padded.slice(3505, len(df) - 3500)]
    batches = [b for p in pieces for b in p.to_batches()]
    assert len(batches) == 3 and all(b.num_rows for b in batches)
    reader = pa.RecordBatchReader.from_batches(schema, batches)
    from_arrow = quiet_train(reader)
    assert from_arrow.training["data_file"] == "<RecordBatchReader>"
    assert strip_source(from_arrow.to_dict()) == strip_source(expected)


def test_save_writes_the_cli_file(cli, tmp_path, cli_model):
    """A model read from the CLI's file and saved again is the same file, byte for byte; one
    trained in Python differs from the CLI's only in the timing fields."""
    loaded = leadsim.load_model(cli_model)
    loaded.save(tmp_path / "again.json")
    assert (tmp_path / "again.json").read_bytes() == cli_model.read_bytes()
    assert loaded.to_json() == cli_model.read_text()

    trained = quiet_train(HISTORY)
    trained.save(tmp_path / "trained.json")
    mask = lambda s: re.sub(r'"(fit|load)_seconds": [0-9.e-]+', "T", s)
    assert mask((tmp_path / "trained.json").read_text()) == mask(cli_model.read_text())


def test_summary_and_warnings_are_the_cli_text(cli, tmp_path):
    _, out, run = cli_train(cli, tmp_path, HISTORY, ["--holdout", "0"])
    with pytest.warns(leadsim.LeadsimWarning) as record:
        model = leadsim.train(HISTORY, holdout=0)
    mask = lambda s: re.sub(r"load [0-9.]+ s, fit [0-9.]+ s", "load X s, fit X s", s)
    printed = run.stdout.rsplit("model written to", 1)[0]
    assert mask(model.summary()) == mask(printed)
    cli_warnings = [l[len("warning: "):] for l in run.stderr.splitlines() if l.startswith("warning: ")]
    assert [str(w.message) for w in record] == cli_warnings == model.warnings
    assert len(cli_warnings) == 2  # the inferred id column and the in-sample metrics


def test_views_of_the_model_file(cli_model):
    model = leadsim.load_model(cli_model)
    file = json.loads(cli_model.read_text())
    assert list(model.coefficients.columns) == list(file["coefficients"][0])
    assert model.coefficients["estimate"].tolist() == [c["estimate"] for c in file["coefficients"]]
    assert model.metrics == file["metrics"]
    assert model.threshold_table["threshold"].tolist() == [k / 20 for k in range(1, 20)]
    assert model.bands["band"].tolist() == ["A", "B", "C", "D"]
    assert model.bands["rows"].sum() == file["evaluation"]["rows"]
    assert (model.target, model.positive, model.id_column) == ("converted", None, "lead_id")
    # Views are copies: changing one leaves the model alone.
    model.metrics["roc_auc"] = 0
    assert model.metrics == file["metrics"]
    assert "<html" in model.to_html()[:200].lower()


def test_python_defaults_are_the_librarys():
    sig = inspect.signature(leadsim.train).parameters
    lib = _native.train_defaults()
    for name in ("min_level_count", "holdout", "alpha", "firth", "solver", "seed"):
        assert sig[name].default == lib[name], name
    # `missing=()` adds nothing to the library's tokens.
    assert lib["missing"] == ["NA"] and sig["missing"].default == ()
    assert inspect.signature(leadsim.simulate).parameters["objective"].default == (
        _native.simulate_defaults()["objective"]
    )


def test_help_is_useful():
    doc = leadsim.train.__doc__
    for option in ("exclude", "holdout", "folds", "cv", "alpha", "l1_ratio", "firth", "solver",
                   "bands",
                   "seed"):
        assert f"\n    {option}" in doc, option
    for name in ("simulate", "generate", "load_model", "Model", "Results"):
        assert len(getattr(leadsim, name).__doc__) > 200, name


def test_time_aware_options_are_the_clis(cli, tmp_path):
    """`time_column=`, `test_latest=`/`test_after=`, `as_of=` and `maturity_days=` give the
    out-of-time model `leadsim train --time-column ...` writes, on a `;`-separated file with
    decimal commas read through `decimal=","`."""
    df = pd.read_csv(HISTORY)
    # Thirty leads a day from 2026-01-01, in file order.
    df.insert(1, "created_at", pd.Timestamp("2026-01-01") + pd.to_timedelta(df.index // 30, unit="D"))
    df["created_at"] = df["created_at"].dt.strftime("%Y-%m-%d")
    csv = tmp_path / "dated.csv"
    df.to_csv(csv, index=False, sep=";", decimal=",")
    flags = ["--time-column", "created_at", "--test-after", "2026-05-31", "--as-of", "2026-07-15",
             "--maturity-days", "30", "--decimal", ",", "--exclude", "deal_value", "--quiet"]
    expected, _, _ = cli_train(cli, tmp_path, csv, flags)
    model = quiet_train(csv, time_column="created_at", test_after="2026-05-31", as_of="2026-07-15",
                        maturity_days=30, decimal=",", exclude="deal_value")
    assert without_timings(model.to_dict()) == without_timings(expected)
    assert model.to_dict()["evaluation"]["kind"] == "out-of-time"
    assert any("too young to have converted" in w for w in model.warnings)

    latest = quiet_train(csv, time_column="created_at", test_latest=0.25, decimal=",")
    expected, _, _ = cli_train(cli, tmp_path, csv, ["--time-column", "created_at", "--test-latest",
                                                    "0.25", "--decimal", ",", "--quiet"])
    assert without_timings(latest.to_dict()) == without_timings(expected)
    with pytest.raises(leadsim.ParameterError, match="date_format"):
        leadsim.train(csv, time_column="created_at", date_format="yyyy.mm.dd", decimal=",")
    with pytest.raises(leadsim.ParameterError, match="decimal"):
        leadsim.train(csv, decimal=";")
