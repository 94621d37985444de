"""The fitted state of an estimator: the compiled core is not pickled but rebuilt from the
fitted attributes, bit for bit; an estimator is fitted when it has a core."""


class CoreStateMixin:
    """For estimators that keep their fitted model in ``self._core`` and rebuild it in
    ``_restore_core()`` from ``coef_`` and the other fitted attributes."""

    def __sklearn_is_fitted__(self):
        return "_core" in self.__dict__

    def __getstate__(self):
        state = dict(super().__getstate__())  # object.__getstate__ returns __dict__ itself
        state.pop("_core", None)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if "coef_" in state:
            self._restore_core()
