"""leadsim.train on 1M x 20 from a DataFrame against `leadsim train` on the same data as CSV.

    python python/bench/train_1m.py [--rows 1000000] [--repeat 3] [--bin target/release/leadsim]

The data: `leadsim.generate` (16 columns: id, 7 engagement signals, 5 categoricals, outcome,
deal value) plus 4 numeric noise columns, so 20 columns and 33 + 4 design columns. Both sides
fit the same model with default options. Prints, per repeat, the CLI's whole-process wall and
CPU time, and the in-process call's wall and CPU time split into its phases: DataFrame to
Arrow (pyarrow), Arrow to leadsim's text table (Rust), and the fit itself; the CLI's CSV
read and fit come from its model file.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pyarrow as pa

import leadsim

REPO = Path(__file__).resolve().parents[2]


def cpu_self() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def cpu_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--bin", default=str(REPO / "target" / "release" / "leadsim"))
    a = ap.parse_args()
    warnings.simplefilter("ignore", leadsim.LeadsimWarning)

    frame, _ = leadsim.generate(leads=a.rows, seed=5)
    rng = np.random.default_rng(5)
    for k in range(4):
        frame[f"noise_{k}"] = np.round(rng.standard_normal(a.rows), 4)
    assert frame.shape == (a.rows, 20), frame.shape
    tmp = Path(tempfile.mkdtemp())
    csv = tmp / "big.csv"
    frame.to_csv(csv, index=False)
    print(f"{a.rows} x {frame.shape[1]}, CSV {csv.stat().st_size / 1e6:.0f} MB, {os.cpu_count()} cores")

    for rep in range(a.repeat):
        c0, t0 = cpu_children(), time.perf_counter()
        subprocess.run(
            [a.bin, "train", "--data", csv, "--out", tmp / "cli.json", "--quiet"],
            check=True,
            capture_output=True,
        )
        cli_wall, cli_cpu = time.perf_counter() - t0, cpu_children() - c0

        c0, t0 = cpu_self(), time.perf_counter()
        model = leadsim.train(frame)
        py_wall, py_cpu = time.perf_counter() - t0, cpu_self() - c0

        # DataFrame to Arrow, timed apart (the call does it first).
        t0 = time.perf_counter()
        pa.Table.from_pandas(frame, preserve_index=False)
        to_arrow = time.perf_counter() - t0
        cli_fit = json.loads((tmp / "cli.json").read_text())["fit"]
        fit = model.fit
        print(
            f"repeat {rep + 1}: CLI {cli_wall:.2f} s wall, {cli_cpu:.2f} s CPU (CSV read "
            f"{cli_fit['load_seconds']:.2f} s, fit {cli_fit['fit_seconds']:.2f} s); in-process "
            f"{py_wall:.2f} s wall, {py_cpu:.2f} s CPU (DataFrame to Arrow {to_arrow:.2f} s, Arrow "
            f"to table {fit['load_seconds']:.2f} s, fit {fit['fit_seconds']:.2f} s); "
            f"ratio {py_wall / cli_wall:.2f}"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
