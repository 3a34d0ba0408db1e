"""Type stubs of the leadsim package (the implementation and full docstrings are in
__init__.py)."""

import os
from pathlib import Path
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Optional, Union

import pandas as pd

from .errors import (
    CancelledError as CancelledError,
    ConfigError as ConfigError,
    FileError as FileError,
    FitError as FitError,
    InputError as InputError,
    LeadsimError as LeadsimError,
    LeadsimWarning as LeadsimWarning,
    ModelError as ModelError,
    ParameterError as ParameterError,
)

__version__: str

PathLike = Union[str, os.PathLike[str]]
#: A pandas DataFrame, an object with ``__arrow_c_stream__`` (pyarrow, polars) or a CSV path.
Data = Union[pd.DataFrame, Any, PathLike]

class Model:
    """A trained lead-scoring model (the contents of ``model.json``)."""

    @property
    def coefficients(self) -> pd.DataFrame:
        """name, estimate, std_error, z, p_value, ci_lower, ci_upper, odds_ratio."""
    @property
    def metrics(self) -> dict[str, Any]:
        """rows, positives, positive_rate, roc_auc, pr_auc, log_loss, brier, ece."""
    @property
    def threshold_table(self) -> pd.DataFrame:
        """threshold, handed_over, handed_over_share, conversions, precision, recall."""
    @property
    def bands(self) -> pd.DataFrame:
        """band, lower, upper, rows, conversions, conversion_rate (A first)."""
    @property
    def evaluation(self) -> dict[str, Any]: ...
    @property
    def fit(self) -> dict[str, Any]: ...
    @property
    def training(self) -> dict[str, Any]: ...
    @property
    def target(self) -> str: ...
    @property
    def positive(self) -> Optional[str]: ...
    @property
    def id_column(self) -> Optional[str]: ...
    @property
    def warnings(self) -> list[str]: ...
    def to_dict(self) -> dict[str, Any]:
        """The model file as a dict."""
    def to_json(self) -> str:
        """The model file's JSON text."""
    def summary(self) -> str:
        """The text ``leadsim train`` prints."""
    def to_html(self) -> str:
        """The HTML report ``leadsim train`` writes."""
    def save(self, path: PathLike) -> None:
        """Writes the model file ``leadsim train`` writes."""
    def score(
        self,
        data: Data,
        explain: int = 0,
        *,
        id: Optional[str] = None,
        delimiter: Optional[str] = None,
    ) -> pd.DataFrame:
        """The columns ``leadsim score`` writes: id, score, band, up_1..K, down_1..K."""
    def evaluate(
        self,
        data: Data,
        *,
        target: Optional[str] = None,
        positive: Optional[str] = None,
        delimiter: Optional[str] = None,
    ) -> dict[str, Any]:
        """``leadsim evaluate --json`` as a dict."""

class Results:
    """The results of :func:`simulate`."""

    @property
    def summary(self) -> pd.DataFrame:
        """summary.csv: scenario, metric, mean, sd, ci_low, ci_high, diff_mean, diff_ci_low,
        diff_ci_high."""
    @property
    def replications(self) -> pd.DataFrame:
        """replications.csv: scenario, replication, one column per metric."""
    @property
    def ranking(self) -> Optional[pd.DataFrame]:
        """Scenarios by the objective, best first."""
    @property
    def frontier(self) -> Optional[pd.DataFrame]:
        """The policies no other beats on both the objective and rep_cost, by cost."""
    @property
    def objective(self) -> Optional[str]: ...
    @property
    def precision(self) -> Optional[dict[str, Any]]: ...
    @property
    def sweep(self) -> Optional[dict[str, Any]]: ...
    @property
    def name(self) -> str: ...
    @property
    def seed(self) -> int: ...
    @property
    def n_replications(self) -> int: ...
    @property
    def scenarios(self) -> list[str]: ...
    @property
    def warnings(self) -> list[str]: ...
    def to_dict(self) -> dict[str, Any]:
        """summary.json as a dict."""
    def table(self) -> str:
        """The table ``leadsim simulate`` prints."""
    def to_html(self) -> str:
        """report.html."""
    def write(self, dir: PathLike) -> None:
        """Writes summary.csv, summary.json, replications.csv and report.html into dir."""

def train(
    data: Data,
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
    """Fits a logistic-regression lead score, as ``leadsim train``; ``firth=True`` is
    ``--firth`` (Firth's bias-reduced fit, finite under separation, with standard errors)."""

def load_model(path: PathLike) -> Model:
    """Reads a model file written by ``leadsim train`` or :meth:`Model.save`."""

def generate(
    preset: str = "b2b-saas", leads: int = 20_000, seed: int = 7
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A synthetic lead history and its truth, as ``leadsim generate``."""

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
    """Compares handover policies, as ``leadsim simulate``."""

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
    """Runs shard I of N and writes ``out/shard-I-of-N.json``, as ``leadsim simulate --shard``."""

def merge(
    shards: Union[PathLike, Iterable[PathLike]],
    *,
    objective: Optional[str] = None,
) -> Results:
    """The results of the whole run from its shard files, as ``leadsim merge``."""
