"""Helpers of the meta-estimators (:class:`~skemotion.model_selection.EmotionSubset`,
:class:`~skemotion.FlipAugmentedClassifier`): method availability, metadata routing of
``fit``'s parameters to the inner estimator, and taking rows of any container."""

import scipy.sparse as sp
from sklearn.utils import _safe_indexing
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _routing_enabled,
    process_routing,
)
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
