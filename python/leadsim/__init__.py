"""leadsim in Python: lead scoring and marketing-to-sales handover simulation, in-process.

The same Rust library as the ``leadsim`` command line, called directly (no subprocess, no
temporary files), with the same results for the same inputs and seed.

Scoring::

    import leadsim
    history, truth = leadsim.generate(leads=20_000, seed=7)
    model = leadsim.train(history, target="converted", exclude=["deal_value"])
    print(model.summary())
    model.coefficients                       # DataFrame: the model file's coefficient table
    scored = model.score(new_leads, explain=3)
    model.save("model.json")                 # the JSON `leadsim train` writes

Simulation::

    sc = tomllib.load(open("data/scenarios/handover.toml", "rb"))
    sc["policy"]["threshold"] = 0.2
    results = leadsim.simulate(sc, seed=7, replications=200)
    results.summary                          # DataFrame: summary.csv
    results.ranking                          # policies by net revenue, best first

Data is a pandas DataFrame, anything exporting Arrow through ``__arrow_c_stream__`` (a
pyarrow Table, a polars DataFrame), or a path to a CSV (``.csv.gz`` too). Long calls release
the GIL and stop on Ctrl-C with :class:`KeyboardInterrupt`. Errors are the classes of
:mod:`leadsim.errors`, with the command line's messages; the command line's warnings are
issued as :class:`LeadsimWarning`.
"""

from __future__ import annotations

import copy
import json
import math
import os
import warnings as _warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

from . import _native, _toml
from .errors import (
    CancelledError,
    ConfigError,
    FileError,
    FitError,
    InputError,
    LeadsimError,
    LeadsimWarning,
    ModelError,
    ParameterError,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__version__: str = _native.__version__

__all__ = [
    "train",
    "load_model",
    "generate",
    "simulate",
    "simulate_shard",
    "merge",
    "Model",
    "Results",
    "LeadsimError",
    "InputError",
    "ParameterError",
    "ConfigError",
    "ModelError",
    "FitError",
    "FileError",
    "CancelledError",
    "LeadsimWarning",
    "__version__",
]

PathLike = Union[str, "os.PathLike[str]"]


# --------------------------------------------------------------------------------------------
# Data in and out


def _data(data: Any) -> tuple[Any, str, Any]:
    """``(argument for _native, name in messages, the DataFrame or None)``."""
    if isinstance(data, (str, os.PathLike)):
        path = os.fspath(data)
        return path, path, None
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        import pyarrow as pa

        # Without the index: a DataFrame's rows are its columns' values, as in to_csv(index=False).
        try:
            table = pa.Table.from_pandas(data, preserve_index=False)
        except (pa.ArrowException, TypeError, ValueError) as e:
            err = InputError(f"<DataFrame>: cannot be read as columns of one type each: {e}")
            err.kind = "Input"
            raise err from e
        return table.__arrow_c_stream__(), "<DataFrame>", data
    if hasattr(data, "__arrow_c_stream__"):
        return data.__arrow_c_stream__(), f"<{type(data).__name__}>", None
    raise TypeError(
        "data must be a pandas DataFrame, an object with __arrow_c_stream__ (pyarrow, polars) "
        f"or a path to a CSV file, not {type(data).__name__}"
    )


def _frame(columns: list, index: Any = None) -> "pd.DataFrame":
    """A DataFrame from ``_native``'s ``[(name, kind, data)]`` columns."""
    import numpy as np
    import pandas as pd

    values = {}
    for i, (_, kind, data) in enumerate(columns):
        if kind == "f8":
            values[i] = np.frombuffer(data, dtype="<f8")
        elif kind == "i8":
            values[i] = np.frombuffer(data, dtype="<i8")
        elif None in data:
            # Missing text as NaN, as pandas.read_csv gives it (pandas 2 would keep None).
            values[i] = [math.nan if v is None else v for v in data]
        else:
            values[i] = data
    frame = pd.DataFrame(values, index=index)
    # Set afterwards, so that a repeated name (an id column called "score") cannot collide.
    frame.columns = [name for name, _, _ in columns]
    return frame


def _names(value: Union[str, Iterable[str], None], option: str) -> list[str]:
    """Column names: one name, or any iterable of names (not split at commas)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    names = list(value)
    for n in names:
        if not isinstance(n, str):
            raise TypeError(f"{option}= takes column names (str), found {n!r}")
    return names


def _warn(messages: Iterable[str]) -> None:
    for m in messages:
        _warnings.warn(m, LeadsimWarning, stacklevel=3)


# --------------------------------------------------------------------------------------------
# Scoring


class Model:
    """A trained lead-scoring model: a logistic regression with its encoder, inference,
    evaluation and score bands, as ``leadsim train`` saves it in ``model.json``.

    Get one from :func:`train` or :func:`load_model`. Attributes are read-only views of the
    model file (each access returns a fresh copy):

    * :attr:`coefficients`: the coefficient table (estimate, standard error, z, p, 95% CI, odds
      ratio, on the original units of the features);
    * :attr:`metrics`: headline metrics on the evaluation rows (ROC AUC, PR AUC, log loss,
      Brier, ECE...);
    * :attr:`threshold_table`: what handing over every lead scoring at least a threshold
      would have done;
    * :attr:`bands`: the score bands (A = best) with their ranges and outcomes;
    * :attr:`evaluation`, :attr:`fit`, :attr:`training`: the rest of the file, as dicts.
    """

    __slots__ = ("_native", "_file")

    def __init__(self, native: Any) -> None:
        if not isinstance(native, _native.Model):
            raise TypeError("use leadsim.train() or leadsim.load_model() to get a Model")
        self._native = native
        self._file: dict = json.loads(native.to_json())

    # The model file's sections.

    def to_dict(self) -> dict:
        """The whole model file as a dict (a copy)."""
        return copy.deepcopy(self._file)

    def to_json(self) -> str:
        """The model file's JSON text, exactly as :meth:`save` writes it."""
        return self._native.to_json()

    @property
    def coefficients(self) -> "pd.DataFrame":
        """The coefficient table, intercept first, with the model file's columns: ``name``,
        ``estimate``, ``std_error``, ``z``, ``p_value``, ``ci_lower``, ``ci_upper``,
        ``odds_ratio`` (inference columns are missing for a regularised fit, ``alpha > 0``)."""
        import pandas as pd

        return pd.DataFrame(self._file["coefficients"])

    @property
    def metrics(self) -> dict:
        """Headline metrics on the evaluation rows: ``rows``, ``positives``,
        ``positive_rate``, ``roc_auc``, ``pr_auc``, ``log_loss``, ``brier``, ``ece``
        (``None`` where undefined)."""
        return copy.deepcopy(self._file["metrics"])

    @property
    def threshold_table(self) -> "pd.DataFrame":
        """For thresholds 0.05 to 0.95: leads handed over (score >= threshold), their share,
        conversions among them, precision and recall, on the evaluation rows."""
        import pandas as pd

        return pd.DataFrame(self._file["evaluation"]["thresholds"])

    @property
    def bands(self) -> "pd.DataFrame":
        """The score bands, A (highest scores) first: ``band``, its score range ``lower``
        (inclusive) to ``upper``, and ``rows``, ``conversions``, ``conversion_rate`` of the
        evaluation rows in it."""
        import pandas as pd

        return pd.DataFrame(self._file["evaluation"]["bands"])

    @property
    def evaluation(self) -> dict:
        """The whole evaluation: ``kind`` (``holdout``, ``cross-validation`` or
        ``in-sample``), ``rows``, metrics, calibration, gains, thresholds, bands, curves."""
        return copy.deepcopy(self._file["evaluation"])

    @property
    def fit(self) -> dict:
        """How the model was fitted: solver, alpha, iterations, log likelihoods, AIC/BIC,
        timings, the alpha search of ``cv=``."""
        return copy.deepcopy(self._file["fit"])

    @property
    def training(self) -> dict:
        """Training metadata: data file (``<DataFrame>`` for data in memory, whose
        ``data_sha256`` is empty), rows, seed, holdout, folds, excluded and dropped columns,
        warnings, crate version."""
        return copy.deepcopy(self._file["training"])

    @property
    def target(self) -> str:
        """The outcome column."""
        return self._file["target"]["column"]

    @property
    def positive(self) -> Optional[str]:
        """The target value that counts as positive (``None``: 1/yes/true)."""
        return self._file["target"]["positive"]

    @property
    def id_column(self) -> Optional[str]:
        """The identifier column carried to scored output, if any."""
        return self._file["id_column"]

    @property
    def warnings(self) -> list[str]:
        """What training warned about (also issued as :class:`LeadsimWarning`)."""
        return list(self._file["training"]["warnings"])

    def summary(self) -> str:
        """The summary ``leadsim train`` prints: fit, coefficient table, metrics,
        calibration, thresholds and bands."""
        return self._native.summary()

    def to_html(self) -> str:
        """The self-contained HTML report ``leadsim train`` writes beside the model."""
        return self._native.to_html()

    def save(self, path: PathLike) -> None:
        """Writes the model file (``leadsim train``'s JSON; written atomically), readable by
        :func:`load_model` and by ``leadsim score``/``evaluate``."""
        self._native.save(os.fspath(path))

    def score(
        self,
        data: Any,
        explain: int = 0,
        *,
        id: Optional[str] = None,
        delimiter: Optional[str] = None,
    ) -> "pd.DataFrame":
        """Scores leads: one row per lead with the columns ``leadsim score`` writes.

        Parameters
        ----------
        data
            A DataFrame, an Arrow stream exporter or a path to a CSV. It needs every feature
            column of the model; other columns are ignored.
        explain
            List the ``explain`` strongest positive (``up_1``...) and negative (``down_1``...)
            factors per lead, each like ``requested_demo=yes +1.42`` (its contribution to the
            log odds against the training mean).
        id
            Column carried to the output (default: the model's id column when the data has
            it, else ``line``, the CSV line number; row position + 2 for a DataFrame).
        delimiter
            For a CSV path: ``","``, ``";"``, ``"tab"`` or one character (default: sniffed).

        Returns
        -------
        DataFrame
            The id column, ``score`` (the probability, in full precision; the CSV rounds it
            to 6 decimals), ``band``, then ``up_1..K`` and ``down_1..K``. For a DataFrame the
            result has its index and its id column's values.

        Levels never seen in training are scored as ``(other)`` and reported with a
        :class:`LeadsimWarning`, as the command line does.
        """
        if isinstance(explain, bool) or not isinstance(explain, int) or explain < 0:
            raise TypeError(f"explain= takes a whole number >= 0, found {explain!r}")
        arg, source, frame = _data(data)
        columns, unseen = self._native.score(
            arg, source, explain=explain, id=id, delimiter=delimiter
        )
        _warn(
            f'{n} values of "{column}" were levels not seen in training; scored as (other)'
            for column, n in unseen.items()
        )
        if frame is None:
            return _frame(columns)
        out = _frame(columns, index=frame.index)
        first = out.columns[0]
        # The id column's own values (and dtype), found by name as the reader trims it.
        names = [str(c).strip() for c in frame.columns]
        if first != "line" and first in names:
            out[first] = frame.iloc[:, names.index(first)].to_numpy()
        return out

    def evaluate(
        self,
        data: Any,
        *,
        target: Optional[str] = None,
        positive: Optional[str] = None,
        delimiter: Optional[str] = None,
    ) -> dict:
        """The metrics of this model on labelled data, as ``leadsim evaluate --json``: a dict
        with ``metrics``, ``calibration``, ``gains``, ``thresholds``, ``bands`` and curves.
        The target column and positive value are the model's unless given."""
        arg, source, _ = _data(data)
        return json.loads(
            self._native.evaluate(
                arg, source, target=target, positive=positive, delimiter=delimiter
            )
        )

    def __repr__(self) -> str:
        m = self._file["metrics"]
        auc = m.get("roc_auc")
        return (
            f"<leadsim.Model of {self.target!r}: {len(self._file['coefficients'])} coefficients, "
            f"{self._file['evaluation']['kind']} ROC AUC "
            f"{'-' if auc is None else f'{auc:.3f}'}>"
        )


def train(
    data: Any,
    target: Optional[str] = None,
    *,
    positive: Optional[str] = None,
    exclude: Union[str, Iterable[str]] = (),
    id: Optional[str] = None,
    categorical: Union[str, Iterable[str]] = (),
    numeric: Union[str, Iterable[str]] = (),
    missing: Union[str, Iterable[str]] = (),
    min_level_count: int = 10,
    holdout: float = 0.2,
    folds: Optional[int] = None,
    cv: Optional[int] = None,
    alpha: float = 0.0,
    l1_ratio: Optional[float] = None,
    firth: bool = False,
    solver: str = "newton",
    max_iter: Optional[int] = None,
    bands: Optional[Sequence[float]] = None,
    seed: int = 42,
    delimiter: Optional[str] = None,
    decimal: Optional[str] = None,
    time_column: Optional[str] = None,
    date_format: Optional[str] = None,
    test_latest: Optional[float] = None,
    test_after: Optional[str] = None,
    as_of: Optional[str] = None,
    maturity_days: Optional[float] = None,
) -> Model:
    """Fits a logistic-regression lead score on labelled history, as ``leadsim train``.

    Parameters
    ----------
    data
        A pandas DataFrame, an object exporting Arrow (``__arrow_c_stream__``: pyarrow,
        polars) or a path to a CSV (``.csv.gz`` too). Columns are read as the CLI reads a CSV:
        numbers, yes/no (or booleans) and categories (text, pandas categoricals).
    target
        The outcome column (default: one named converted, target, y, label, outcome or won).
    positive
        The target value that counts as positive (default: 1/yes/true against 0/no/false).
    exclude
        Columns to leave out: leaks known only after contact, identifiers. A name or a list.
    id
        Identifier column, carried to scored output (default: an id-like column with unique
        values).
    categorical, numeric
        Columns to treat as categorical even if they look numeric; columns that must be
        numeric (text in them is an error).
    missing
        Texts meaning "missing" besides empty, NaN and ``NA`` (e.g. ``"Select"``).
    min_level_count
        Levels with fewer training rows fold into ``(other)``.
    holdout
        Share of rows held out (stratified) for evaluation; 0 fits on every row (metrics are
        then in-sample).
    folds
        Evaluate by K-fold cross-validation instead of a holdout.
    cv
        Pick ``alpha`` by K-fold log loss: from a grid (ridge), or on a warm-started path from
        ``alpha_max`` down when ``l1_ratio`` is given.
    alpha
        Penalty strength on standardised coefficients, on the summed log-loss scale (0 =
        maximum likelihood, with inference): ridge ``alpha / 2 * |b|^2`` unless ``l1_ratio``
        is given.
    l1_ratio
        Elastic net: the penalty becomes ``alpha * (l1_ratio * |b|_1 + (1 - l1_ratio) / 2 *
        |b|^2)``, ``l1_ratio`` in (0, 1] (1 = lasso); needs ``alpha > 0`` or ``cv``. Many
        coefficients come out exactly zero (``Model.fit["zero_coefficients"]``); no standard
        errors or p-values.
    firth
        Firth's bias-reduced logistic regression (``--firth``): finite estimates that keep
        standard errors (inverse Fisher information at the estimate, as R's logistf), Wald z
        and p-values, profile penalised-likelihood 95% intervals and penalised
        likelihood-ratio p-values (``lr_p_value``) when a feature separates the classes. Not
        with ``alpha > 0`` or ``cv``; ``solver="newton"`` only.
    solver
        ``"newton"`` (IRLS, default) or ``"lbfgs"`` (linfa-logistic).
    max_iter
        Iteration limit of the solver (default: 100 for newton, 1000 for lbfgs).
    bands
        Score band cut points (default: quartiles of the training scores).
    seed
        Random seed of the holdout and folds.
    delimiter
        For a CSV path: ``","``, ``";"``, ``"tab"`` or one character (default: sniffed).
    decimal
        For a CSV path: ``","`` reads ``9,7`` as 9.7 in every column, ``"."`` never (default:
        detected per column in ``;``-separated files).
    time_column
        Time-aware validation: the column that orders the leads (ISO 8601 dates or
        timestamps, dd/mm/yyyy or mm/dd/yyyy, or plain ordering numbers). The holdout becomes
        the latest leads (the ``holdout`` share of them unless ``test_latest`` or
        ``test_after`` says otherwise) and the metrics are out-of-time.
    date_format
        How to read ``time_column``: ``"iso"``, ``"dd/mm/yyyy"``, ``"mm/dd/yyyy"`` or
        ``"number"`` (inferred when omitted).
    test_latest
        Hold out the latest share of rows in time order (rows tied with the first test row's
        time join the test side).
    test_after
        Hold out the rows after this date (a bare date means after that whole day).
    as_of
        Date of the export, for ``maturity_days`` (default: the latest lead's time).
    maturity_days
        Leave out leads younger than this many days at ``as_of``: they have not had time to
        convert (counted in the warnings, not treated as negatives).

    Returns
    -------
    Model
        Trained on the same rows with the same seed, it equals the model ``leadsim train``
        writes, apart from timings (and, for data in memory, ``training.data_file`` and
        ``data_sha256``).

    Raises
    ------
    InputError
        Unknown columns, bad values, a target that is not binary or has one class.
    ParameterError
        An option out of range (``holdout=1``, ``folds=1``...).
    FitError
        Perfect separation, too few rows, no convergence.
    FileError
        A path that cannot be read.

    Warnings (dropped columns, an inferred id column, in-sample metrics) are issued as
    :class:`LeadsimWarning` and kept in :attr:`Model.warnings`. Ctrl-C raises
    :class:`KeyboardInterrupt` at once; the work in the background stops at its next stage or,
    with ``cv``/``folds``, its next fit (one fit runs to its end) and is discarded.
    """
    arg, source, _ = _data(data)
    native = _native.train(
        arg,
        source,
        target=target,
        positive=positive,
        exclude=_names(exclude, "exclude"),
        id=id,
        categorical=_names(categorical, "categorical"),
        numeric=_names(numeric, "numeric"),
        missing=_names(missing, "missing"),
        min_level_count=min_level_count,
        holdout=holdout,
        folds=folds,
        cv=cv,
        alpha=alpha,
        l1_ratio=l1_ratio,
        firth=firth,
        solver=solver,
        max_iter=max_iter,
        bands=None if bands is None else [float(b) for b in bands],
        seed=seed,
        delimiter=delimiter,
        decimal=decimal,
        time_column=time_column,
        date_format=date_format,
        test_latest=test_latest,
        test_after=test_after,
        as_of=as_of,
        maturity_days=maturity_days,
    )
    model = Model(native)
    _warn(model.warnings)
    return model


def load_model(path: PathLike) -> Model:
    """Reads a model file written by ``leadsim train`` or :meth:`Model.save`.

    Raises :class:`ModelError` for a file that is not a leadsim model or has another format
    version, :class:`FileError` when it cannot be read."""
    return Model(_native.load_model(os.fspath(path)))


def generate(
    preset: str = "b2b-saas", leads: int = 20_000, seed: int = 7
) -> "tuple[pd.DataFrame, dict]":
    """A synthetic lead history whose true outcome model is known, as ``leadsim generate``.

    Parameters
    ----------
    preset
        The kind of leads (``"b2b-saas"``: engagement, firmographics, channel; MQL-to-SQL
        outcome ``converted`` and a ``deal_value``).
    leads
        Number of leads (rows). Any prefix of leads is the same whatever the number.
    seed
        The same seed gives the same leads.

    Returns
    -------
    (DataFrame, dict)
        The rows of the CSV ``leadsim generate`` writes, typed as ``pandas.read_csv`` reads
        that CSV (so ``generate(...)[0]`` equals ``pd.read_csv(the_file)``), and the truth it
        writes to ``<stem>.truth.json``: the true intercept and coefficients in the trainer's
        naming, the reference levels, and the file's conversions and base rate.
    """
    columns, truth = _native.generate(preset, leads, seed)
    return _frame(columns), json.loads(truth)


# --------------------------------------------------------------------------------------------
# Simulation


class Results:
    """The results of :func:`simulate`: every scenario's metrics over the replications.

    * :attr:`summary`: one row per (scenario, metric) with mean, sd, 95% interval and the
      paired difference against the baseline (the first scenario): ``summary.csv``;
    * :attr:`replications`: one row per (scenario, replication), one column per metric:
      ``replications.csv``;
    * :attr:`ranking` and :attr:`frontier`: the policies by the objective, and those no other
      policy beats on both the objective and rep cost;
    * :meth:`table` (what ``leadsim simulate`` prints), :meth:`to_html` (``report.html``),
      :meth:`write` (all four files), :meth:`to_dict` (``summary.json``).
    """

    __slots__ = ("_native", "_json", "_warnings")

    def __init__(self, native: Any, warnings: Sequence[str] = ()) -> None:
        if not isinstance(native, _native.Results):
            raise TypeError("use leadsim.simulate() to get Results")
        self._native = native
        self._json: dict = json.loads(native.to_json())
        self._warnings = list(warnings)

    @property
    def summary(self) -> "pd.DataFrame":
        """``summary.csv`` as a DataFrame: ``scenario``, ``metric``, ``mean``, ``sd``,
        ``ci_low``, ``ci_high`` (Student t 95% interval), ``diff_mean``, ``diff_ci_low``,
        ``diff_ci_high`` (paired difference against the baseline; NaN for the baseline and
        where the CSV field is empty). Values are those the CSV writer writes."""
        return _frame(self._native.summary_columns())

    @property
    def replications(self) -> "pd.DataFrame":
        """``replications.csv`` as a DataFrame: ``scenario``, ``replication`` (0-based), then
        every metric (NaN where undefined or where a scenario lacks the metric)."""
        return _frame(self._native.replication_columns())

    @property
    def ranking(self) -> "Optional[pd.DataFrame]":
        """The scenarios ranked by :attr:`objective`, best first (``None`` for a single
        scenario): ``scenario`` (index in :attr:`scenarios`), ``name``, ``mean`` of the
        objective, ``rep_cost``, the paired difference against the baseline with its 95%
        interval, and ``significant`` (the interval excludes 0)."""
        r = self._json.get("ranking")
        if r is None:
            return None
        import pandas as pd

        frame = pd.DataFrame(r["ranked"])
        frame.attrs.update(objective=r["objective"], higher_is_better=r["higher_is_better"])
        return frame

    @property
    def frontier(self) -> "Optional[pd.DataFrame]":
        """The cost frontier: the ranking's rows of the policies no other policy beats on both
        the objective and ``rep_cost``, by increasing cost (``None`` for a single scenario)."""
        ranking = self.ranking
        if ranking is None:
            return None
        order = self._json["ranking"]["frontier"]
        frame = ranking.set_index("scenario").loc[order].reset_index()
        frame.attrs.update(ranking.attrs)
        return frame

    @property
    def objective(self) -> Optional[str]:
        """The metric of the ranking (``None`` for a single scenario)."""
        r = self._json.get("ranking")
        return None if r is None else r["objective"]

    @property
    def precision(self) -> Optional[dict]:
        """What ``precision=`` asked for and reached: metric, half-width, cap, unmet
        scenarios, replications after each batch, final half-widths (``None`` without it)."""
        return copy.deepcopy(self._json.get("precision"))

    @property
    def sweep(self) -> Optional[dict]:
        """The ``[sweep]`` grid: its axes and each grid scenario's coordinates (or ``None``)."""
        return copy.deepcopy(self._json.get("sweep"))

    @property
    def name(self) -> str:
        """The scenario file's ``name``."""
        return self._json["name"]

    @property
    def seed(self) -> int:
        """The seed used."""
        return self._json["seed"]

    @property
    def n_replications(self) -> int:
        """Replications per scenario."""
        return self._json["replications"]

    @property
    def scenarios(self) -> list[str]:
        """Scenario names, baseline first."""
        return [s["name"] for s in self._json["scenarios"]]

    @property
    def warnings(self) -> list[str]:
        """The scenario file's warnings and unmet precision targets (also issued as
        :class:`LeadsimWarning`)."""
        return list(self._warnings)

    def to_dict(self) -> dict:
        """``summary.json`` as a dict (a copy): every scenario's resolved configuration and
        summaries, the sweep, ranking and precision."""
        return copy.deepcopy(self._json)

    def table(self) -> str:
        """The table ``leadsim simulate`` prints."""
        return self._native.table()

    def to_html(self) -> str:
        """The self-contained HTML report (``report.html``)."""
        return self._native.to_html()

    def write(self, dir: PathLike) -> None:
        """Writes ``summary.csv``, ``summary.json``, ``replications.csv`` and ``report.html``
        into ``dir`` (created if missing), each atomically: the files ``leadsim simulate
        --out dir`` writes."""
        self._native.write(os.fspath(dir))

    def __str__(self) -> str:
        return self.table()

    def __repr__(self) -> str:
        return (
            f"<leadsim.Results {self.name!r}: {len(self.scenarios)} scenarios x "
            f"{self.n_replications} replications, seed {self.seed}>"
        )


def _scenario(scenario: Any) -> tuple[str, str, str]:
    """``(kind, text, name)`` for the native calls: a path, TOML text or a dict as TOML text."""
    if isinstance(scenario, Mapping):
        name = "<scenario dict>"
        return "text", _toml.dumps(scenario, name), name
    if isinstance(scenario, os.PathLike):
        name = os.fspath(scenario)
        return "path", name, name
    if isinstance(scenario, str):
        if "\n" in scenario:
            return "text", scenario, "<scenario string>"
        return "path", scenario, scenario
    raise TypeError(
        "scenario must be a path, TOML text or a dict, not " + type(scenario).__name__
    )


def simulate(
    scenario: Union[PathLike, str, Mapping[str, Any]],
    *,
    seed: Optional[int] = None,
    replications: Optional[int] = None,
    threads: Optional[int] = None,
    precision: Optional[float] = None,
    precision_metric: Optional[str] = None,
    max_replications: Optional[int] = None,
    objective: str = "net_revenue",
) -> Results:
    """Compares handover policies: a Monte Carlo replay of the funnel for every scenario, as
    ``leadsim simulate``.

    Parameters
    ----------
    scenario
        A scenario file (a path: ``str`` without a line break, or ``os.PathLike``), scenario
        TOML text (a ``str`` with line breaks), or a dict with the file's structure, e.g.
        ``tomllib.load(f)`` changed in place: ``sc["policy"]["threshold"] = 0.2``, or a
        ``"scenario"`` list of dicts for ``[[scenario]]`` entries, a ``"sweep"`` dict of
        ``{"policy.threshold": [0.2, 0.3]}`` (axes in the dict's order). In text and dicts,
        relative table paths (``population.table``) resolve against the current directory;
        in a file, against the file's folder. Messages name a dict ``<scenario dict>`` and
        text ``<scenario string>``.
    seed
        Overrides the file's ``seed``; one seed fixes every result, whatever ``threads``.
    replications
        Overrides the file's ``replications``.
    threads
        Worker threads (default: all cores); results do not depend on it.
    precision
        Add replications until every scenario's 95% half-width of ``precision_metric`` is at
        most this (absolute, e.g. 0.002 = ±0.2 points of ``mql_to_sql``).
    precision_metric
        The metric of ``precision`` (default ``mql_to_sql``).
    max_replications
        Replication cap of a precision run (default: 10 x the starting replications).
    objective
        Metric the policies are ranked by (``net_revenue``, ``mql_to_sql``,
        ``recovered_revenue_12m``...).

    Returns
    -------
    Results
        Whose :attr:`Results.summary` and :attr:`Results.replications` hold the values of
        ``summary.csv`` and ``replications.csv`` of ``leadsim simulate`` with the same file,
        seed and replications.

    Raises
    ------
    ConfigError
        A scenario with an unknown key or a value out of range (naming its key path).
    ParameterError
        ``replications=0``, ``threads=0``, an unknown objective or metric.
    FileError, InputError
        A scenario file or population table that cannot be read.

    Warnings (queues that grow without bound, unmet precision targets) are issued as
    :class:`LeadsimWarning`. Ctrl-C stops the run within one (scenario, replication) per
    thread and raises :class:`KeyboardInterrupt`.
    """
    kind, text, name = _scenario(scenario)
    native, messages = _native.simulate(
        kind,
        text,
        name,
        seed=seed,
        replications=replications,
        threads=threads,
        precision=precision,
        precision_metric=precision_metric,
        max_replications=max_replications,
        objective=objective,
    )
    results = Results(native)
    results._warnings = messages
    _warn(messages)
    return results


def simulate_shard(
    scenario: Union[PathLike, str, Mapping[str, Any]],
    shard: Union[str, tuple[int, int]],
    out: PathLike,
    *,
    seed: Optional[int] = None,
    replications: Optional[int] = None,
    threads: Optional[int] = None,
    objective: str = "net_revenue",
) -> Path:
    """Runs one shard of a run for a cluster, as ``leadsim simulate --shard I/N --out DIR``,
    and writes ``out/shard-I-of-N.json``; :func:`merge` rebuilds the whole run from all ``N``.

    Parameters
    ----------
    scenario
        As for :func:`simulate`: a path, TOML text or a dict. Text and dicts are stored in the
        shard file, so the merge needs no file; their relative table paths resolve against the
        current directory, in the shards' jobs and in the merge alike.
    shard
        ``"3/8"`` or ``(3, 8)``: shard 3 of 8 (numbered from 1). The (scenario, replication)
        units are split into N contiguous slices that depend only on I, N and the run's size.
    out
        The folder to write the shard file into (created if missing; written atomically).
    seed, replications, threads, objective
        As for :func:`simulate`. Every shard of one run needs the same seed and replications
        (a precision target cannot be sharded: fix the replications); ``threads`` never changes
        a result.

    Returns
    -------
    pathlib.Path
        The shard file written.

    Raises
    ------
    ParameterError
        A shard outside ``1..N``, ``replications=0``, an unknown objective.
    ConfigError, FileError, InputError
        As for :func:`simulate`.

    Ctrl-C stops the shard within one (scenario, replication) per thread and raises
    :class:`KeyboardInterrupt`; nothing is written then.
    """
    if isinstance(shard, tuple):
        if len(shard) != 2 or not all(isinstance(x, int) and not isinstance(x, bool) for x in shard):
            raise TypeError(f"shard= takes \"I/N\" or a pair of whole numbers (I, N), found {shard!r}")
        shard = f"{shard[0]}/{shard[1]}"
    elif not isinstance(shard, str):
        raise TypeError(f"shard= takes \"I/N\" or (I, N), found {shard!r}")
    kind, text, name = _scenario(scenario)
    path, _units, _total, messages = _native.simulate_shard(
        kind,
        text,
        name,
        shard,
        os.fspath(out),
        seed=seed,
        replications=replications,
        threads=threads,
        objective=objective,
    )
    _warn(messages)
    return Path(path)


def merge(
    shards: Union[PathLike, Iterable[PathLike]],
    *,
    objective: Optional[str] = None,
) -> Results:
    """Merges the shard files of one run into its results, as ``leadsim merge``.

    Parameters
    ----------
    shards
        A folder of ``shard-I-of-N.json`` files, one file, or a list of folders and files.
    objective
        Metric the policies are ranked by (default: the shards' ``objective``).

    Returns
    -------
    Results
        Exactly the results of the unsharded run with the same scenario, seed and
        replications: :attr:`Results.summary` and :attr:`Results.replications` are equal value
        for value, and :meth:`Results.write` writes the same files.

    Raises
    ------
    InputError
        Shards of different runs (naming the file and the field that differs), a file that is
        not a shard or is damaged, a scenario or population table changed since the shards ran.
    ParameterError
        No shards, or shards missing or repeated (naming them).
    FileError
        A path that cannot be read.
    """
    if isinstance(shards, (str, os.PathLike)):
        inputs = [os.fspath(shards)]
    else:
        inputs = [os.fspath(s) for s in shards]
    native, _count, messages = _native.merge(inputs, objective=objective)
    results = Results(native)
    results._warnings = messages
    _warn(messages)
    return results
