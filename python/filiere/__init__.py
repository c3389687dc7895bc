"""filiere: the economics of making school uniforms in Auvergne-Rhône-Alpes.

>>> import filiere as fl
>>> results = fl.Study.example("aura").run()
>>> results.summary  # doctest: +SKIP
"""

from filiere import exceptions, plot, survey, synthetic
from filiere._core import __version__
from filiere.allocate import Allocation, ShadowPrices, allocate
from filiere.economy import Economy, flq_lambda, location_quotient
from filiere.exceptions import *  # noqa: F403 - the errors and Problem, as listed there
from filiere.outputs import outputs
from filiere.results import Results
from filiere.sensitivity import sobol
from filiere.study import Study
from filiere.sweep import sweep
from filiere.uncertainty import Distribution

__all__ = [
    "Allocation",
    "Distribution",
    "Economy",
    "Results",
    "ShadowPrices",
    "Study",
    "__version__",
    "allocate",
    "flq_lambda",
    "location_quotient",
    "outputs",
    "plot",
    "sobol",
    "survey",
    "sweep",
    "synthetic",
]
# The exception tree and ``Problem``, as listed once in filiere.exceptions.
__all__ += exceptions.__all__
