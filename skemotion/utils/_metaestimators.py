"""Helpers of the meta-estimators (:class:`~skemotion.model_selection.EmotionSubset`,
:class:`~skemotion.FlipAugmentedClassifier`, the calibrated classifiers): method
availability, prediction methods that pass to the fitted inner estimator, metadata routing
of ``fit``'s parameters to the inner estimator, and taking rows of any container."""

import scipy.sparse as sp
from sklearn.utils import _safe_indexing
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _num_samples


def _estimator_has(attr):
    """``available_if`` check: the fitted ``estimator_`` (else ``estimator``) has ``attr``.

    Shared by the meta-estimators :class:`EmotionSubset` and
    :class:`~skemotion.FlipAugmentedClassifier`.
    """

    def check(self):
        if hasattr(self, "estimator_"):
            return hasattr(self.estimator_, attr)
        return hasattr(self.estimator, attr)

    return check


#: The prediction methods :func:`_delegated` makes: the summary of what one returns, and
#: its numpydoc ``Returns`` entry.
_DELEGATED = {
    "predict": ("The predicted labels", "y : ndarray of shape (n_samples,)"),
    "predict_proba": ("The class probabilities",
                      "proba : ndarray of shape (n_samples, n_classes)"),
    "predict_log_proba": ("The log class probabilities",
                          "log_proba : ndarray of shape (n_samples, n_classes)"),
    "decision_function": ("The decision scores", "scores : ndarray"),
}


def _delegated(method, *, of, x_doc, available=None):
    """A meta-estimator's prediction method ``method(X)``: the fitted inner estimator's
    ``method`` on ``X`` as the meta-estimator prepares it.

    The class defines ``_inner_and_input(X)``: it checks that the meta-estimator is
    fitted and returns ``(inner, X_inner)``, the fitted estimator that answers and what
    it takes. ``of`` ends the docstring's summary line ("The class probabilities of
    {of}."), ``x_doc`` is the type of ``X`` there. ``available`` (a function of the method
    name returning an ``available_if`` check, such as :func:`_estimator_has`) hides the
    method where the inner estimator has none; None: always there.
    """
    summary, returns = _DELEGATED[method]

    def delegate(self, X):
        inner, X_inner = self._inner_and_input(X)
        return getattr(inner, method)(X_inner)

    delegate.__name__ = delegate.__qualname__ = method
    delegate.__doc__ = (f"{summary} of {of}.\n\nParameters\n----------\nX : {x_doc}\n\n"
                        f"Returns\n-------\n{returns}\n")
    return delegate if available is None else available_if(available(method))(delegate)


class _FitParamsToEstimatorMixin:
    """For a meta-estimator whose ``fit`` calls ``self.estimator``'s ``fit``: routes
    ``fit``'s metadata there (and keeps its own methods' requests, e.g. ``score``'s)."""

    def get_metadata_routing(self):
        """How metadata is routed: ``fit``'s to the inner estimator's ``fit``.

        Returns
        -------
        routing : sklearn.utils.metadata_routing.MetadataRouter
            Used when scikit-learn's metadata routing is enabled.
        """
        return MetadataRouter(owner=type(self).__name__).add_self_request(self).add(
            estimator=self.estimator,
            method_mapping=MethodMapping().add(caller="fit", callee="fit"),
        )

    def _estimator_fit_params(self, fit_params, n_samples, index):
        """What ``fit`` passes on to the inner estimator's ``fit``: with scikit-learn's
        metadata routing enabled, what it requested (an unrequested parameter is an
        error there); otherwise every parameter, as before. Per-sample values (as many
        as the ``n_samples`` given to ``fit``) are taken at ``index``, as the samples
        the inner estimator gets (None: as they are)."""
        if _routing_enabled():
            fit_params = dict(process_routing(self, "fit", **fit_params).estimator.fit)
        return {k: (_take(v, index) if _num_samples_or_none(v) == n_samples else v)
                for k, v in fit_params.items()}


def _take(X, idx):
    """Rows ``idx`` of ``X`` (any container sklearn can index); ``idx=None`` returns ``X``."""
    if idx is None:
        return X
    if sp.issparse(X) and X.format not in ("csr", "csc"):
        X = X.tocsr()
    return _safe_indexing(X, idx)


def _num_samples_or_none(value):
    try:
        return _num_samples(value)
    except TypeError:
        return None
