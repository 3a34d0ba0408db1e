#!/usr/bin/env python3
"""Elastic-net and lasso reference optima of leadsim's objective, from scikit-learn and glum.

Objective (leadsim's, issue 13), on STANDARDISED columns z, intercept b0 unpenalised:

    F(b0, b) = sum_i logloss_i(b0 + z_i'b) + alpha * (l1_ratio * |b|_1 + (1 - l1_ratio)/2 * |b|^2)

With l1_ratio = 0 this is today's ridge objective (summed log loss + alpha/2 |b|^2, see
src/scoring/solver/mod.rs).

Data: tests/reference/enet_b2b_numeric.csv, a frozen copy of those columns of the bundled
data/b2b-saas-history.csv as it was generated on 2026-11-22 (leadsim generate --leads 5000
--seed 7; sha256 of that file b99c8102...), so the reference survives regenerating the bundled
history. Design: the 8 columns of data/b2b-saas-history.csv that leadsim reads as numbers or yes/no and
that have no missing value, in file order: page_views, visited_pricing, whitepaper_downloads,
webinar_attended, email_clicks, requested_demo, contact_sales_form, days_since_last_activity.
Outcome `converted`. All 5,000 rows (leadsim --holdout 0). This is exactly the design of

    leadsim train --data tests/reference/enet_b2b_numeric.csv --target converted --holdout 0

because leadsim's encoder (src/scoring/encode.rs) maps yes/no to 1/0 (case-insensitive yes/no,
true/false), adds a missing indicator only when a column has a missing value (none here),
drops constant and duplicated columns (none here), and standardises every kept column with its
training mean and its POPULATION standard deviation (divide by n, not n - 1). Categorical
columns are left out so that no folding or reference-level choice is involved.

Parametrisations, mapped exactly:
  * scikit-learn LogisticRegression minimises C * sum_i logloss_i + l1_ratio |w|_1
    + (1 - l1_ratio)/2 |w|^2 (intercept unpenalised with saga), i.e. F / alpha: C = 1 / alpha.
    (`penalty="elasticnet"` is deprecated since scikit-learn 1.8; l1_ratio alone selects it.)
  * glum GeneralizedLinearRegressor minimises 1/(2 n) deviance + alpha_g (l1_ratio |w|_1
    + (1 - l1_ratio)/2 |w|^2); the binomial deviance of 0/1 outcomes is 2 sum logloss, so this
    is F / n with alpha_g = alpha / n. scale_predictors=False (the columns are already
    standardised), P1 = P2 = identity, solver irls-cd.

Each point is also polished here: with the active set and signs the tools agree on, F is
smooth, and Newton's method on it reaches machine precision; the polished point is the
reference, and the script checks the KKT conditions of every solution:
    intercept: sum_i (p_i - y_i) = 0;
    b_j = 0:   |g_j| <= alpha * l1_ratio;
    b_j != 0:  g_j + alpha * (l1_ratio * sign(b_j) + (1 - l1_ratio) * b_j) = 0,
where g_j = sum_i (p_i - y_i) z_ij is the gradient of the summed log loss. It fails (exit 1) if
the two tools disagree on the zero pattern, if either is farther than 1e-6 from the polished
point, or if the polished point's KKT residual exceeds 1e-9 (relative to alpha).

Original units: b_orig_j = b_j / sd_j and b0_orig = b0 - sum_j b_j mean_j / sd_j.

With --leadsim PATH the ridge bridge point (l1_ratio = 0) is also fitted by `leadsim train
--alpha` and compared, which checks the standardisation and the objective above against
leadsim itself.

Run from the repository root:
    python3 -m venv .venv-bench && .venv-bench/bin/pip install -r benches/requirements.txt
    .venv-bench/bin/python tests/reference/enet_b2b_numeric.py --leadsim target/release/leadsim
"""

import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import pandas as pd
import scipy
import sklearn
from scipy import special
from sklearn.linear_model import LogisticRegression

import glum
from glum import GeneralizedLinearRegressor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DATA = "tests/reference/enet_b2b_numeric.csv"
OUTPUT = os.path.join(HERE, "enet_b2b_numeric.json")
TARGET = "converted"
COLUMNS = ["page_views", "visited_pricing", "whitepaper_downloads", "webinar_attended",
           "email_clicks", "requested_demo", "contact_sales_form", "days_since_last_activity"]
EXCLUDE = []  # the frozen file holds only the design columns and the outcome
YES_NO = {"yes": 1.0, "true": 1.0, "no": 0.0, "false": 0.0}

# (name, alpha on leadsim's scale, l1_ratio). The lasso keeps 4 of 8 at exactly zero.
POINTS = [
    ("lasso", 200.0, 1.0),
    ("enet_0.5", 100.0, 0.5),
    ("enet_0.1", 300.0, 0.1),
    ("ridge_bridge", 25.0, 0.0),
]
AGREE_TOL = 1e-6
KKT_TOL = 1e-9


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def design():
    df = pd.read_csv(os.path.join(ROOT, DATA), dtype=str, keep_default_na=False)
    cols, kinds = [], []
    for c in COLUMNS:
        v = df[c].str.strip()
        assert (v != "").all() and (v != "NA").all(), f"{c} has missing values"
        lower = v.str.lower()
        if lower.isin(YES_NO.keys()).all():
            cols.append(lower.map(YES_NO).to_numpy(float))
            kinds.append("yes/no as 1/0")
        else:
            cols.append(pd.to_numeric(v).to_numpy(float))
            kinds.append("number")
    X = np.column_stack(cols)
    y = df[TARGET].astype(int).to_numpy(float)
    mean = X.mean(axis=0)
    sd = X.std(axis=0)  # population sd, as leadsim
    return X, y, (X - mean) / sd, mean, sd, kinds


def logloss_sum(Z, y, b0, b):
    eta = b0 + Z @ b
    return float(np.sum(np.logaddexp(0.0, eta) - y * eta))


def objective(Z, y, b0, b, alpha, r):
    return logloss_sum(Z, y, b0, b) + alpha * (r * np.abs(b).sum() + 0.5 * (1 - r) * b @ b)


def gradient(Z, y, b0, b):
    res = special.expit(b0 + Z @ b) - y
    return float(res.sum()), Z.T @ res


def kkt(Z, y, b0, b, alpha, r):
    g0, g = gradient(Z, y, b0, b)
    nz = b != 0
    stat = g[nz] + alpha * (r * np.sign(b[nz]) + (1 - r) * b[nz])
    zero_ratio = np.abs(g[~nz]) / (alpha * r) if r > 0 else np.array([])
    return {
        "intercept_gradient": g0,
        "max_abs_stationarity_nonzero": float(np.max(np.abs(stat))) if nz.any() else 0.0,
        "max_abs_stationarity_nonzero_over_alpha":
            float(np.max(np.abs(stat)) / alpha) if nz.any() else 0.0,
        "zero_gradient_over_alpha_l1": [float(v) for v in zero_ratio],
        "max_zero_gradient_over_alpha_l1": float(zero_ratio.max()) if zero_ratio.size else None,
        "holds": bool(abs(g0) <= KKT_TOL * max(alpha, 1) and
                      (not nz.any() or np.max(np.abs(stat)) <= KKT_TOL * alpha) and
                      (not zero_ratio.size or zero_ratio.max() < 1)),
    }


def polish(Z, y, b0, b, alpha, r):
    """Newton on the smooth restriction of F to the active set with fixed signs."""
    active = np.flatnonzero(b != 0)
    sign = np.sign(b[active])
    A = np.column_stack([np.ones(len(y)), Z[:, active]])
    theta = np.concatenate([[b0], b[active]])
    pen = np.concatenate([[0.0], np.full(len(active), alpha * (1 - r))])
    lin = np.concatenate([[0.0], alpha * r * sign])
    for _ in range(100):
        p = special.expit(A @ theta)
        grad = A.T @ (p - y) + lin + pen * theta
        if np.max(np.abs(grad)) < 1e-12 * max(alpha, 1):
            break
        H = A.T @ ((p * (1 - p))[:, None] * A) + np.diag(pen)
        theta = theta - np.linalg.solve(H, grad)
    out = np.zeros_like(b)
    out[active] = theta[1:]
    assert np.all(np.sign(out[active]) == sign), "a sign flipped while polishing"
    return theta[0], out


def fit_sklearn(Z, y, alpha, r):
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a ConvergenceWarning must not pass silently
        m = LogisticRegression(C=1.0 / alpha, l1_ratio=r, solver="saga", tol=1e-14,
                               max_iter=1_000_000, random_state=0).fit(Z, y)
    return float(m.intercept_[0]), m.coef_[0].copy(), {
        "call": f"LogisticRegression(C={1.0 / alpha!r}, l1_ratio={r}, solver='saga', "
                "tol=1e-14, max_iter=1000000, random_state=0)",
        "n_iter": int(m.n_iter_[0]), "seconds": time.perf_counter() - t}


def fit_glum(Z, y, alpha, r):
    n = len(y)
    t = time.perf_counter()
    # gradient_tol is on glum's scale (F / n). 1e-10 is about the finest it reaches without its
    # line search failing on these points (1e-11 and 1e-12 stall on enet_0.5 and enet_0.1).
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = GeneralizedLinearRegressor(family="binomial", alpha=alpha / n, l1_ratio=r,
                                       fit_intercept=True, scale_predictors=False,
                                       solver="irls-cd", gradient_tol=1e-10,
                                       max_iter=1000).fit(np.asfortranarray(Z), y)
    return float(m.intercept_), np.asarray(m.coef_, float).copy(), {
        "call": f"GeneralizedLinearRegressor(family='binomial', alpha={alpha / n!r}, "
                f"l1_ratio={r}, fit_intercept=True, scale_predictors=False, "
                "solver='irls-cd', gradient_tol=1e-10, max_iter=1000)",
        "n_iter": int(m.n_iter_), "seconds": time.perf_counter() - t}


def zero_small(b, alpha, r):
    """saga and CD leave exact zeros; anything below 1e-12 is treated as one."""
    b = b.copy()
    if r > 0:
        b[np.abs(b) < 1e-12] = 0.0
    return b


def original_units(b0, b, mean, sd):
    return float(b0 - np.sum(b * mean / sd)), (b / sd).tolist()


def leadsim_ridge(binary, alpha):
    with tempfile.TemporaryDirectory() as tmp:
        model = os.path.join(tmp, "m.json")
        out = subprocess.run(
            [binary, "train", "--data", os.path.join(ROOT, DATA), "--target", TARGET,
             "--holdout", "0", "--alpha", repr(alpha),
             "--out", model, "--quiet"], capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"leadsim failed:\n{out.stderr}")
        with open(model) as f:
            return json.load(f)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--leadsim", help="release binary, to compare the ridge bridge point")
    args = ap.parse_args()

    X, y, Z, mean, sd, kinds = design()
    n = len(y)
    points, ok = [], True
    print(f"{DATA}: {n} rows, {int(y.sum())} converted; design {Z.shape[1]} standardised columns")
    for name, alpha, r in POINTS:
        sk0, skb, skinfo = fit_sklearn(Z, y, alpha, r)
        gl0, glb, glinfo = fit_glum(Z, y, alpha, r)
        skb, glb = zero_small(skb, alpha, r), zero_small(glb, alpha, r)
        same_zeros = bool(np.array_equal(skb == 0, glb == 0))
        ref0, refb = polish(Z, y, gl0, glb, alpha, r)
        sols = {"polished": (ref0, refb), "sklearn_saga": (sk0, skb), "glum_irls_cd": (gl0, glb)}
        entry = {"name": name, "alpha": alpha, "l1_ratio": r, "sklearn_C": 1.0 / alpha,
                 "glum_alpha": alpha / n, "solutions": {}, "zero_pattern_agrees": same_zeros}
        ref_obj = objective(Z, y, ref0, refb, alpha, r)
        for key, (b0, b) in sols.items():
            o0, ob = original_units(b0, b, mean, sd)
            k = kkt(Z, y, b0, b, alpha, r)
            entry["solutions"][key] = {
                "intercept": b0, "coefficients": b.tolist(),
                "intercept_original_units": o0, "coefficients_original_units": ob,
                "objective": objective(Z, y, b0, b, alpha, r),
                "objective_minus_polished": objective(Z, y, b0, b, alpha, r) - ref_obj,
                "log_likelihood": -logloss_sum(Z, y, b0, b),
                "zero_coefficients": [COLUMNS[j] for j in np.flatnonzero(b == 0)],
                "max_abs_difference_to_polished":
                    float(max(abs(b0 - ref0), np.max(np.abs(b - refb)))),
                "kkt": k,
            }
            if key in ("sklearn_saga", "glum_irls_cd"):
                entry["solutions"][key]["tool"] = skinfo if key == "sklearn_saga" else glinfo
        pk = entry["solutions"]["polished"]["kkt"]
        agree = all(entry["solutions"][k]["max_abs_difference_to_polished"] <= AGREE_TOL
                    for k in ("sklearn_saga", "glum_irls_cd"))
        entry["tools_agree_to"] = float(max(
            abs(sk0 - gl0), np.max(np.abs(skb - glb))))
        point_ok = same_zeros and agree and pk["holds"]
        ok &= point_ok
        points.append(entry)

        print(f"\n== {name}: alpha {alpha:g}, l1_ratio {r:g} (sklearn C {1 / alpha:.6g}, "
              f"glum alpha {alpha / n:.6g})")
        print(f"{'column':<26}{'polished':>14}{'sklearn saga':>14}{'glum':>14}{'original':>14}")
        print(f"{'(intercept)':<26}{ref0:>14.9f}{sk0:>14.9f}{gl0:>14.9f}"
              f"{entry['solutions']['polished']['intercept_original_units']:>14.6f}")
        for j, c in enumerate(COLUMNS):
            print(f"{c:<26}{refb[j]:>14.9f}{skb[j]:>14.9f}{glb[j]:>14.9f}"
                  f"{entry['solutions']['polished']['coefficients_original_units'][j]:>14.6f}")
        for key in sols:
            s = entry["solutions"][key]
            k = s["kkt"]
            extra = f"  ({s['tool']['n_iter']} iterations, {s['tool']['seconds']:.2f} s)" \
                if "tool" in s else ""
            print(f"  {key:<13} objective {s['objective']:.12f} (- polished "
                  f"{s['objective_minus_polished']:+.1e}); |d| to polished "
                  f"{s['max_abs_difference_to_polished']:.1e}; KKT: |dF/db0| "
                  f"{abs(k['intercept_gradient']):.1e}, nonzeros {k['max_abs_stationarity_nonzero']:.1e}"
                  f", zeros max |g|/(alpha r) "
                  f"{k['max_zero_gradient_over_alpha_l1'] if k['max_zero_gradient_over_alpha_l1'] is not None else '-'}"
                  f"{extra}")
        print(f"  zeros: {entry['solutions']['polished']['zero_coefficients']}; same zero pattern "
              f"in both tools: {same_zeros}; tools agree to {entry['tools_agree_to']:.1e}; "
              f"point ok: {point_ok}")

    leadsim_check = None
    if args.leadsim:
        bridge = next(p for p in points if p["name"] == "ridge_bridge")
        model = leadsim_ridge(args.leadsim, bridge["alpha"])
        leadsim_check = compare_leadsim(model, bridge)
        print(f"\nleadsim ridge (alpha {bridge['alpha']:g}) against the polished point: "
              f"{leadsim_check}")
        ok &= leadsim_check["max_abs_difference_original_units"] < 1e-8

    out = {
        "description": "Reference optima of sum logloss + alpha (l1_ratio |b|_1 + (1 - l1_ratio)"
                       "/2 |b|^2) on standardised columns, intercept unpenalised (leadsim's "
                       "objective; issue 13). Use solutions.polished as the reference; the two "
                       "tools' solutions show how closely independent solvers agree.",
        "design": {
            "source": DATA, "sha256": sha256(os.path.join(ROOT, DATA)), "rows": n,
            "positives": int(y.sum()), "target": TARGET, "columns": COLUMNS,
            "column_kinds": kinds, "excluded": EXCLUDE,
            "leadsim_command": "leadsim train --data " + DATA + " --target converted "
                               "--holdout 0",
        },
        "standardisation": {"mean": mean.tolist(), "sd": sd.tolist(),
                            "sd_definition": "population (divide by n), as leadsim's encoder"},
        "objective": "F(b0, b) = sum_i [log(1 + exp(eta_i)) - y_i eta_i] + alpha * (l1_ratio * "
                     "sum |b_j| + (1 - l1_ratio)/2 * sum b_j^2), eta = b0 + z'b",
        "mapping": {"sklearn": "C = 1/alpha (objective F/alpha)",
                    "glum": "alpha_glum = alpha/n (objective F/n)"},
        "points": points,
        "leadsim_ridge_check": leadsim_check,
        "tolerances": {"tool_vs_polished": AGREE_TOL, "kkt_relative_to_alpha": KKT_TOL},
        "all_ok": bool(ok),
        "versions": {"python": platform.python_version(), "numpy": np.__version__,
                     "pandas": pd.__version__, "scipy": scipy.__version__,
                     "scikit-learn": sklearn.__version__, "glum": glum.__version__},
        "command": ".venv-bench/bin/python tests/reference/enet_b2b_numeric.py "
                   "--leadsim target/release/leadsim",
    }
    with open(OUTPUT, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")
    print(f"\nversions: {out['versions']}")
    print(f"wrote {os.path.relpath(OUTPUT, ROOT)}; all checks pass: {ok}")
    if not ok:
        sys.exit(1)


def compare_leadsim(model, bridge):
    """leadsim's model file lists coefficients in original units, intercept first."""
    ref = bridge["solutions"]["polished"]
    coefs = {c["name"]: c["estimate"] for c in model["coefficients"]}
    intercept = coefs["(intercept)"]
    b = np.array([coefs[c] for c in COLUMNS])
    diff = max(abs(intercept - ref["intercept_original_units"]),
               float(np.max(np.abs(b - np.array(ref["coefficients_original_units"])))))
    return {"intercept_original_units": intercept,
            "coefficients_original_units": b.tolist(),
            "max_abs_difference_original_units": diff,
            "log_likelihood": model["fit"]["log_likelihood"],
            "log_likelihood_minus_polished": model["fit"]["log_likelihood"]
            - ref["log_likelihood"]}


if __name__ == "__main__":
    main()
