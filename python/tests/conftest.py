"""Shared fixtures: the repository, the `leadsim` command line to compare against, and small
data sets written by it.

The CLI is `$LEADSIM_BIN`, else `target/release/leadsim` of this repository (python/ci.sh
builds it first).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
HISTORY = DATA / "b2b-saas-history.csv"
SCENARIOS = DATA / "scenarios"

# Fields of a model file that depend on the clock.
TIMINGS = ("fit_seconds", "load_seconds")


def _cli_path() -> Path:
    path = Path(os.environ.get("LEADSIM_BIN", REPO / "target" / "release" / "leadsim"))
    if not path.exists():
        pytest.exit(f"no leadsim binary at {path}: run `cargo build --release` (or set LEADSIM_BIN)")
    return path


@pytest.fixture(scope="session")
def cli():
    """Runs the leadsim CLI; returns the completed process (check=True unless told)."""
    binary = _cli_path()

    def run(*args, check=True, cwd=None):
        return subprocess.run(
            [str(binary), *map(str, args)], capture_output=True, text=True, check=check, cwd=cwd
        )

    return run


@pytest.fixture(scope="session")
def small_csv(tmp_path_factory, cli):
    """3,000 generated leads (seed 11), as `leadsim generate` writes them."""
    out = tmp_path_factory.mktemp("gen") / "small.csv"
    cli("generate", "--preset", "b2b-saas", "--leads", 3000, "--seed", 11, "--out", out)
    return out


@pytest.fixture(scope="session")
def cli_model(tmp_path_factory, cli):
    """The model `leadsim train` fits on the bundled history with default options."""
    out = tmp_path_factory.mktemp("model") / "model.json"
    cli("train", "--data", HISTORY, "--out", out, "--quiet")
    return out


def read_csv_exact(path, **kw) -> pd.DataFrame:
    """A CSV read back with every float exactly as written: pandas 3 parses round-trip by
    default (and deprecates the option); pandas 2's default parser may be off in the last bit."""
    if int(pd.__version__.split(".")[0]) < 3:
        kw.setdefault("float_precision", "round_trip")
    return pd.read_csv(path, **kw)


def without_timings(model: dict) -> dict:
    model = json.loads(json.dumps(model))
    for k in TIMINGS:
        model["fit"].pop(k)
    return model
