"""FitReport: what a fit did and how far from the optimum it is proved to be."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np


@dataclass(frozen=True)
class FitReport:
    """The library's FitReport (include/simdlr/solvers.hpp), as fitted estimators expose it.

    ``converged`` is True only when the objective is *proved* within ``tol / 100`` relative of
    its optimum: ``objective_gap_bound`` bounds F - F*, ``relative_gap_bound`` bounds
    (F - F*) / F* (both ``inf`` when nothing could be proved; ``certificate_note`` says why).
    """

    solver: str
    iterations: int
    function_evaluations: int
    hessian_vector_products: int
    hessians: int
    objective_history: np.ndarray = field(repr=False)
    initial_gradient_norm: float
    gradient_norm: float
    converged: bool
    stop_reason: str
    stop_code: int
    objective_gap_bound: float
    relative_gap_bound: float
    certificate: str
    certificate_note: str
    certificate_checks: int

    @property
    def objective(self) -> float:
        """The objective at the returned coefficients."""
        return float(self.objective_history[-1])

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def __eq__(self, other):
        if not isinstance(other, FitReport):
            return NotImplemented
        return all(
            np.array_equal(getattr(self, f.name), getattr(other, f.name))
            if f.name == "objective_history"
            else getattr(self, f.name) == getattr(other, f.name)
            for f in fields(self)
        )

    __hash__ = None
