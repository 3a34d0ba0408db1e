"""The compiled module (python/src/lib.rs); private: use the functions of the leadsim package."""

from typing import Any, Optional

__version__: str

Columns = list[tuple[str, str, Any]]

class Model:
    def to_json(self) -> str: ...
    def summary(self) -> str: ...
    def to_html(self) -> str: ...
    def save(self, path: str) -> None: ...
    def score(
        self, data: Any, source: str, *, explain: int, id: Optional[str], delimiter: Optional[str]
    ) -> tuple[Columns, dict[str, int]]: ...
    def evaluate(
        self,
        data: Any,
        source: str,
        *,
        target: Optional[str],
        positive: Optional[str],
        delimiter: Optional[str],
    ) -> str: ...

class Results:
    def summary_columns(self) -> Columns: ...
    def replication_columns(self) -> Columns: ...
    def to_json(self) -> str: ...
    def table(self) -> str: ...
    def to_html(self) -> str: ...
    def write(self, dir: str) -> None: ...

def train(
    data: Any,
    source: str,
    *,
    target: Optional[str],
    positive: Optional[str],
    exclude: list[str],
    id: Optional[str],
    categorical: list[str],
    numeric: list[str],
    missing: list[str],
    min_level_count: int,
    holdout: float,
    folds: Optional[int],
    cv: Optional[int],
    alpha: float,
    l1_ratio: Optional[float],
    firth: bool,
    solver: str,
    max_iter: Optional[int],
    bands: Optional[list[float]],
    seed: int,
    delimiter: Optional[str],
    decimal: Optional[str],
    time_column: Optional[str],
    date_format: Optional[str],
    test_latest: Optional[float],
    test_after: Optional[str],
    as_of: Optional[str],
    maturity_days: Optional[float],
) -> Model: ...
def train_defaults() -> dict[str, Any]: ...
def load_model(path: str) -> Model: ...
def generate(preset: str, leads: int, seed: int) -> tuple[Columns, str]: ...
def simulate(
    kind: str,
    scenario: str,
    name: str,
    *,
    seed: Optional[int],
    replications: Optional[int],
    threads: Optional[int],
    precision: Optional[float],
    precision_metric: Optional[str],
    max_replications: Optional[int],
    objective: str,
) -> tuple[Results, list[str]]: ...
def simulate_defaults() -> dict[str, Any]: ...
def simulate_shard(
    kind: str,
    scenario: str,
    name: str,
    shard: str,
    out: str,
    *,
    seed: Optional[int],
    replications: Optional[int],
    threads: Optional[int],
    objective: str,
) -> tuple[str, int, int, list[str]]: ...
def merge(inputs: list[str], *, objective: Optional[str]) -> tuple[Results, int, list[str]]: ...
def _read_text(data: Any, source: str) -> list[tuple[str, list[Optional[str]]]]: ...
