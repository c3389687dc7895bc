"""filiere: the economics of making school uniforms in Auvergne-Rhône-Alpes.

>>> import filiere as fl
>>> results = fl.Study.example("aura").run()
>>> results.summary  # doctest: +SKIP
"""

from filiere import plot, synthetic
from filiere._core import __version__
from filiere.allocate import Allocation, ShadowPrices, allocate
from filiere.economy import Economy, flq_lambda, location_quotient
from filiere.exceptions import (
    FiliereError,
    InputFileError,
    InternalError,
    OutputError,
    ParameterError,
    ParameterTableError,
    SchemaError,
    StudyError,
    SweepError,
    UnknownDepartementError,
)
from filiere.results import Results
from filiere.sensitivity import sobol
from filiere.study import Study
from filiere.sweep import sweep
from filiere.uncertainty import Distribution

__all__ = [
    "Allocation",
    "Distribution",
    "Economy",
    "FiliereError",
    "InputFileError",
    "InternalError",
    "OutputError",
    "ParameterError",
    "ParameterTableError",
    "Results",
    "SchemaError",
    "ShadowPrices",
    "Study",
    "StudyError",
    "SweepError",
    "UnknownDepartementError",
    "__version__",
    "allocate",
    "flq_lambda",
    "location_quotient",
    "plot",
    "sobol",
    "sweep",
    "synthetic",
]
