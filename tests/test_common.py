"""scikit-learn's common estimator checks, run on every estimator skemotion exports.

Each engineer adds their estimators to ``ESTIMATORS`` and, only where a check cannot apply,
an entry to ``EXPECTED_FAILED_CHECKS`` with the written reason.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn.linear_model import LogisticRegression

from skemotion import FisherFaceClassifier
from skemotion.model_selection import EmotionSubset

ESTIMATORS = [
    FisherFaceClassifier(),
    FisherFaceClassifier(solver="opencv"),
    EmotionSubset(LogisticRegression()),
    EmotionSubset(FisherFaceClassifier()),
]

#: estimator class name -> {check name: reason}
EXPECTED_FAILED_CHECKS = {}


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


if ESTIMATORS:

    @parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
    def test_sklearn_compatible_estimator(estimator, check):
        check(estimator)
