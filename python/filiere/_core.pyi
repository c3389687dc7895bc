"""Type stub of the native module (Rust, PyO3). Users import :mod:`filiere`, not this."""

from os import PathLike
from typing import Any, final

import polars as pl

from filiere.exceptions import Problem

__all__ = [
    "ESTIMATED_SUFFIX",
    "EXAMPLES",
    "IMPORT",
    "LATE",
    "MONTE_CARLO_METRICS",
    "NEW_CAPACITY",
    "Economy",
    "MonteCarlo",
    "Study",
    "__version__",
    "allocate",
    "aura_employment",
    "flq_lambda",
    "location_quotient",
    "prefectures",
    "product_label",
    "read_table",
    "sniff_separator",
    "sobol_analyze",
    "sobol_sample",
    "table_columns",
    "validate_file",
]

__version__: str
EXAMPLES: list[str]
NEW_CAPACITY: str
IMPORT: str
LATE: str
ESTIMATED_SUFFIX: str

@final
class Study:
    @staticmethod
    def example(name: str) -> Study: ...
    @staticmethod
    def load(path: str | PathLike[str]) -> Study: ...
    @staticmethod
    def from_frames(
        *,
        workshops: pl.DataFrame | None,
        establishments: pl.DataFrame | None,
        catalog: pl.DataFrame | None,
        parameters: pl.DataFrame | None,
        scenario_json: str,
        overrides: dict[str, float],
        name: str,
        description: str,
        labels: list[str],
        has_parameters: bool = False,
    ) -> Study: ...
    @staticmethod
    def from_json(json: str) -> Study: ...
    def to_json(self) -> str: ...
    def with_params(self, overrides: dict[str, float]) -> Study: ...
    def with_scenario(self, scenario_json: str) -> Study: ...
    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def sources(self) -> dict[str, str]: ...
    @property
    def file(self) -> str | None: ...
    def scenario_json(self) -> str: ...
    def parameters(self) -> pl.DataFrame: ...
    def table(self, kind: str) -> pl.DataFrame: ...
    def run(self) -> dict[str, pl.DataFrame]: ...

def allocate(
    capacity: pl.DataFrame,
    demand: pl.DataFrame,
    unit_cost: pl.DataFrame,
    minutes_per_piece: list[tuple[str, float]],
    max_share: float | None = None,
    min_lot: float | None = None,
    unmet_penalty: float = 1e6,
) -> dict[str, Any]: ...
def sobol_sample(
    names: list[str],
    bounds: list[tuple[float, float]],
    n: int,
    seed: int,
    second_order: bool = False,
) -> bytearray: ...
def sobol_analyze(
    names: list[str],
    bounds: list[tuple[float, float]],
    n: int,
    outputs: bytes,
    seed: int,
    second_order: bool = False,
    num_resamples: int = 1000,
    conf_level: float = 0.95,
) -> dict[str, Any]: ...
def validate_file(path: str | PathLike[str], kind: str) -> list[Problem]: ...
def read_table(path: str | PathLike[str]) -> pl.DataFrame: ...
def prefectures() -> list[dict[str, Any]]: ...
def sniff_separator(header: str) -> str: ...
def table_columns(kind: str) -> pl.DataFrame: ...
def product_label(product: str, lang: str = "fr") -> str: ...

@final
class Economy:
    @staticmethod
    def from_arrays(
        branches: list[str],
        flows: list[list[float]] | Any,
        output: list[float],
        employment: list[float] | None = None,
        compensation: list[float] | None = None,
        value_added: list[float] | None = None,
        household_consumption: list[float] | None = None,
        source: str = "table",
    ) -> Economy: ...
    @staticmethod
    def read_csv(path: str) -> Economy: ...
    @staticmethod
    def read_insee_tes(path: str, sheet: str | None = None) -> Economy: ...
    @staticmethod
    def read_eurostat(
        path: str,
        geo: str,
        year: str,
        stk_flow: str = "DOM",
        unit: str = "MIO_EUR",
        products: list[str] | None = None,
    ) -> Economy: ...
    @staticmethod
    def france(year: int = 2019) -> Economy: ...
    @property
    def branch_names(self) -> list[str]: ...
    @property
    def branches(self) -> list[str]: ...
    @property
    def source(self) -> str: ...
    @property
    def has_households(self) -> bool: ...
    def flows(self) -> list[list[float]]: ...
    def output(self) -> list[float]: ...
    def satellites(self) -> dict[str, list[float] | None]: ...
    def technical_coefficients(self) -> pl.DataFrame: ...
    def leontief(self) -> pl.DataFrame: ...
    def multipliers(self, kind: str, model_type: str) -> pl.DataFrame: ...
    def impact(self, final_demand: list[float], model_type: str) -> dict[str, Any]: ...
    def regionalise(
        self,
        regional_employment: list[float],
        national_employment: list[float] | None = None,
        delta: float = 0.25,
    ) -> Economy: ...
    def to_csv(self) -> str: ...

def location_quotient(
    regional_branch: float, regional_total: float, national_branch: float, national_total: float
) -> float: ...
def flq_lambda(regional_total: float, national_total: float, delta: float) -> float: ...
def aura_employment() -> tuple[list[str], list[float], list[float], list[str]]: ...

MONTE_CARLO_METRICS: list[str]

@final
class MonteCarlo:
    def __new__(
        cls, study: Study, resolve_allocation: bool = False, schedule: bool = True
    ) -> MonteCarlo: ...
    def names(self) -> list[str]: ...
    def ranges(self) -> list[tuple[float, float]]: ...
    def centrals(self) -> list[float]: ...
    def draws(self, seed: int, start: int, end: int) -> pl.DataFrame: ...
    def evaluate(self, sets: list[list[float]], unit: bool = False) -> pl.DataFrame: ...
