#!/usr/bin/env python3
"""Reference logistic-regression fit of the UCI bank-marketing data with statsmodels.

leadsim's trainer must agree with these coefficients and standard errors to 1e-4 (relative).
The design matrix is built here independently, with pandas, following leadsim's encoding rules:

* target `y` ("yes" = 1, "no" = 0); `duration` is excluded (known only after the call);
* a column whose non-missing values all parse as numbers is numeric (pdays 999 stays a number);
* a column whose values are all yes/no (case-insensitive) is a 0/1 numeric feature;
* any other column is categorical: an empty field is the level "(missing)"; levels with fewer
  than 10 rows fold into "(other)", and if "(other)" itself has fewer than 10 rows its rows join
  the reference level instead; the reference is the most frequent level after folding (ties by
  byte-lexical order); dummies are named "column=level", in byte-lexical order of level;
* features in file column order, numeric ones named by their column, "(intercept)" first;
* then a design column exactly equal to an earlier one is dropped, and so is any column that is
  an exact linear combination of the intercept and the earlier (kept) columns.

The fit uses all rows (no holdout):
    statsmodels.api.Logit(y, X).fit(method="newton", tol=1e-12, maxiter=100)

Environment and command used to produce tests/reference/bank_statsmodels.json
(Python 3.11.7, statsmodels 0.15.0, pandas 3.1.1, numpy 2.4.6, scipy 1.17.1):

    python3 -m venv /tmp/refvenv && /tmp/refvenv/bin/pip install statsmodels pandas
    /tmp/refvenv/bin/python tests/reference/bank_statsmodels.py

run from the repository root. The input is data/bank-additional-full.csv.gz, or, while that
file is not in the repository yet, the identical copy in
/work/shared/data/uci-bank-marketing/bank-additional-full.csv.gz (the JSON records its SHA-256).
"""

import hashlib
import json
import os
import platform
import re
import sys
import warnings

import numpy as np
import scipy
import pandas as pd
import statsmodels
import statsmodels.api as sm

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
REPO_INPUT = "data/bank-additional-full.csv.gz"
FALLBACK_INPUT = "/work/shared/data/uci-bank-marketing/bank-additional-full.csv.gz"
OUTPUT = os.path.join(HERE, "bank_statsmodels.json")
COMMAND = "/tmp/refvenv/bin/python tests/reference/bank_statsmodels.py"

TARGET = "y"
POSITIVE = "yes"
EXCLUDE = {"duration"}
MIN_LEVEL_ROWS = 10
NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def byte_key(s):
    return s.encode("utf-8")


def input_path():
    repo = os.path.join(ROOT, REPO_INPUT)
    return repo if os.path.exists(repo) else FALLBACK_INPUT


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def encode(df):
    """Returns (design DataFrame with "(intercept)" first, per-column encoding notes)."""
    columns = {"(intercept)": np.ones(len(df))}
    notes = {}
    for col in df.columns:
        if col == TARGET or col in EXCLUDE:
            continue
        values = df[col]
        present = values[values != ""]
        if len(present) and present.map(lambda v: bool(NUMBER.match(v))).all():
            if len(present) != len(values):
                raise SystemExit(f"numeric column {col} has missing values")
            columns[col] = values.astype(float).to_numpy()
            notes[col] = {"kind": "numeric"}
            continue
        if values.str.lower().isin(["yes", "no"]).all():
            columns[col] = (values.str.lower() == "yes").astype(float).to_numpy()
            notes[col] = {"kind": "yes/no"}
            continue
        levels = values.where(values != "", "(missing)")
        counts = levels.value_counts()
        rare = sorted((lv for lv, n in counts.items() if n < MIN_LEVEL_ROWS), key=byte_key)
        folded = {}
        if rare:
            other_rows = int(counts[rare].sum())
            if other_rows >= MIN_LEVEL_ROWS:
                folded = {lv: "(other)" for lv in rare}
                levels = levels.where(~levels.isin(rare), "(other)")
        counts = levels.value_counts()
        if rare and not folded:
            counts = counts.drop(rare)
        reference = sorted(counts.items(), key=lambda kv: (-kv[1], byte_key(kv[0])))[0][0]
        if rare and not folded:
            folded = {lv: reference for lv in rare}
            levels = levels.where(~levels.isin(rare), reference)
        kept = sorted((lv for lv in levels.unique() if lv != reference), key=byte_key)
        for lv in kept:
            columns[f"{col}={lv}"] = (levels == lv).astype(float).to_numpy()
        notes[col] = {
            "kind": "categorical",
            "reference": reference,
            "levels": len(kept) + 1,
        }
        if folded:
            notes[col]["folded"] = {lv: folded[lv] for lv in rare}
            notes[col]["folded_rows"] = int((values.where(values != "", "(missing)")
                                             .isin(rare)).sum())
    return pd.DataFrame(columns), notes


def drop_dependent(X):
    """Drops exact duplicates of earlier columns, then columns in the span of the earlier kept
    ones (relative least-squares residual below 1e-10). Returns (X kept, dropped list, (name,
    relative residual) of the least independent kept column)."""
    dropped = []
    kept = []
    for name in X.columns:
        dup = next((k for k in kept if np.array_equal(X[name].to_numpy(), X[k].to_numpy())), None)
        if dup is not None:
            dropped.append({"name": name, "reason": f"identical to {dup}"})
        else:
            kept.append(name)
    X = X[kept]
    keep = []
    smallest = None
    for name in X.columns:
        x = X[name].to_numpy()
        if keep:
            A = X[keep].to_numpy()
            coef, *_ = np.linalg.lstsq(A, x, rcond=None)
            rel = np.linalg.norm(x - A @ coef) / np.linalg.norm(x)
        else:
            rel = 1.0
        if rel < 1e-10:
            dropped.append({"name": name,
                            "reason": "linear combination of the intercept and earlier columns"})
        else:
            keep.append(name)
            if smallest is None or rel < smallest[1]:
                smallest = (name, float(rel))
    assert np.linalg.matrix_rank(X[keep].to_numpy()) == len(keep)
    return X[keep], dropped, smallest


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else input_path()
    df = pd.read_csv(path, sep=";", quotechar='"', dtype=str, keep_default_na=False,
                     na_filter=False, compression="infer")
    y_raw = df[TARGET].str.lower()
    assert y_raw.isin(["yes", "no"]).all()
    y = (y_raw == POSITIVE).astype(float).to_numpy()
    X, notes = encode(df)
    X, dropped, smallest = drop_dependent(X)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = sm.Logit(y, X).fit(method="newton", tol=1e-12, maxiter=100, disp=False)
    # statsmodels stops when every parameter changes by less than tol in absolute terms. With an
    # intercept near -228, rounding alone moves it by ~1e-13..1e-11 per step, so the flag can stay
    # False at the optimum; check the optimum directly: one more Newton step must be negligible.
    model = res.model
    score = model.score(res.params.to_numpy())
    hessian = model.hessian(res.params.to_numpy())
    step = np.linalg.solve(hessian, score)
    relative_step = float(np.max(np.abs(step) / np.maximum(1.0, np.abs(res.params.to_numpy()))))
    if relative_step > 1e-10:
        raise SystemExit(f"statsmodels did not converge (relative Newton step {relative_step})")

    out = {
        "source": {
            "file": REPO_INPUT,
            "read_from": (os.path.relpath(path, ROOT)
                          if os.path.abspath(path).startswith(ROOT + os.sep) else path),
            "sha256": sha256(path),
            "description": "UCI Bank Marketing, bank-additional-full (Moro et al., 2014)",
        },
        "statsmodels_version": statsmodels.__version__,
        "pandas_version": pd.__version__,
        "numpy_version": np.__version__,
        "scipy_version": scipy.__version__,
        "python_version": platform.python_version(),
        "command": "python3 -m venv /tmp/refvenv && /tmp/refvenv/bin/pip install statsmodels "
                   "pandas && " + COMMAND,
        "fit": 'statsmodels.api.Logit(y, X).fit(method="newton", tol=1e-12, maxiter=100)',
        "target": TARGET,
        "positive": POSITIVE,
        "excluded": sorted(EXCLUDE),
        "rows": int(len(y)),
        "positives": int(y.sum()),
        "iterations": int(res.mle_retvals.get("iterations", -1)),
        "statsmodels_converged_flag": bool(res.mle_retvals.get("converged", False)),
        "statsmodels_warnings": sorted({str(w.message) for w in caught}),
        "convergence_note": "statsmodels' flag requires every absolute parameter change below "
                            "tol=1e-12, which rounding prevents for an intercept near -228; "
                            "the optimum is verified by the size of one further Newton step",
        "next_newton_step_relative": relative_step,
        "max_abs_score": float(np.max(np.abs(score))),
        "log_likelihood": float(res.llf),
        "encoding": notes,
        "dropped": dropped,
        "least_independent_kept_column": {"name": smallest[0], "relative_residual": smallest[1]},
        "coefficients": [
            {"name": name, "estimate": float(res.params[name]),
             "std_error": float(res.bse[name])}
            for name in X.columns
        ],
    }
    with open(OUTPUT + ".tmp", "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")
    os.replace(OUTPUT + ".tmp", OUTPUT)
    print(f"{OUTPUT}: {len(y)} rows, {len(X.columns)} coefficients, "
          f"log-likelihood {res.llf:.6f}, dropped {[d['name'] for d in dropped]}")


if __name__ == "__main__":
    main()
