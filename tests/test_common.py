"""scikit-learn's common estimator checks, run on every estimator skemotion exports.

A new estimator is added to ``ESTIMATORS`` and, only where a check cannot apply,
an entry to ``EXPECTED_FAILED_CHECKS`` with the written reason.
"""

import importlib.util

import pytest

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn.linear_model import LogisticRegression

from skemotion import FaceCropper, FisherFaceClassifier, GramPCA, ImageFlattener
from skemotion import FaceRegion, FlipAugmentedClassifier, GaborTransformer
from skemotion import HOGTransformer, LBPTransformer, LandmarkAligner, LandmarkShape
from skemotion.model_selection import EmotionSubset
from skemotion.augment import (AugmentedClassifier, HorizontalFlip, RandomBlur, RandomBoxJitter,
                               RandomDownscale, RandomGamma, RandomJPEG, RandomNoise,
                               RandomRotation)

ESTIMATORS = [
    # FaceCropper takes images; a 2-D numeric array is read as one-pixel-high images (the
    # tabular convention), in which no face can exist. With the default on_missing="raise"
    # every transform check would (rightly) fail on "No face found", so the checks run the
    # instance that uses the whole image when no face is found; all of them pass.
    # tests/test_face_cropper.py covers the default on real faces.
    FaceCropper(on_missing="full_image", output_size=(8, 8)),
    FisherFaceClassifier(),
    FisherFaceClassifier(solver="opencv"),
    ImageFlattener(),
    GramPCA(n_components=2),
    EmotionSubset(LogisticRegression()),
    EmotionSubset(FisherFaceClassifier()),
    HOGTransformer(cell_size=2, block_size=1),
    LBPTransformer(grid_shape=(1, 1)),
    FlipAugmentedClassifier(LogisticRegression()),
    GaborTransformer(wavelengths=(2.0, 3.0), n_orientations=2, pool_shape=(1, 1)),
    FaceRegion(region=(0.0, 1.0, 0.0, 1.0), output_shape=(1, 1)),
    # the capture perturbations and training-time augmentation
    AugmentedClassifier(LogisticRegression()),
    RandomDownscale(width=(2, 4)),
    RandomGamma(),
    RandomRotation(),
    RandomBoxJitter(),
    RandomBlur(),
    RandomJPEG(),
    RandomNoise(),
    HorizontalFlip(),
]
# Not here: ReferenceCalibratedClassifier takes (image, reference) pairs, which no common
# check can build (every one feeds a tabular X, whose rows it rightly refuses as "not a
# pair"), and ReferencePinnedClassifier wraps an already fitted calibrated model.
# tests/test_calibration.py covers their contracts (clone, get_params, pickle, skops,
# fit returning self, grid search and cross-validation with groups, named bad input).
# The landmark transformers need the optional "landmarks" extra (dlib + its model).
if importlib.util.find_spec("dlib") is not None:
    ESTIMATORS += [LandmarkShape(), LandmarkAligner(output_size=(4, 4))]

#: estimator class name -> {check name: reason}
EXPECTED_FAILED_CHECKS = {}

# The image estimators (HOG/LBP features, flip augmentation) must know the image height
# and width: from 3-D input, from ``image_shape``, or from a square number of pixels. Many
# checks feed 2, 3, 5 or 10 features per sample; the estimators then raise a ValueError
# saying the image shape is unknown instead of guessing a shape (a wrong guess would
# silently scramble the features or flip the wrong axis). tests/test_features.py covers
# the same contracts (clone, pickle, NaN naming the sample, dtypes, idempotence, sample
# order, n_features_in_) on real image-shaped data.
_NOT_AN_IMAGE = (
    "feeds a non-square number of features, so the image shape is unknown and the "
    "estimator raises a clear ValueError instead of guessing (covered in test_features.py)"
)
_TOO_SMALL = (
    "feeds 1x1 or 2x2 'images', smaller than one HOG block / LBP neighbourhood: the "
    "estimator raises a ValueError naming the shape"
)
_IMAGE_CHECKS = [
    "check_dict_unchanged", "check_dont_overwrite_parameters", "check_dtype_object",
    "check_estimators_dtypes", "check_estimators_fit_returns_self",
    "check_estimators_nan_inf", "check_estimators_overwrite_params",
    "check_estimators_pickle", "check_f_contiguous_array_estimator", "check_fit2d_1sample",
    "check_fit2d_predict1d", "check_fit_check_is_fitted", "check_fit_idempotent",
    "check_fit_score_takes_y", "check_methods_sample_order_invariance",
    "check_methods_subset_invariance", "check_n_features_in", "check_pipeline_consistency",
    "check_readonly_memmap_input",
]
_TRANSFORMER_CHECKS = [
    "check_transformer_data_not_an_array", "check_transformer_general",
    "check_transformer_preserve_dtypes", "check_transformers_unfitted_stateless",
]
_CLASSIFIER_CHECKS = [
    "check_classifier_data_not_an_array", "check_classifiers_classes",
    "check_classifiers_train", "check_decision_proba_consistency",
    "check_requires_y_none", "check_supervised_y_2d", "check_classifiers_one_label",
    "check_classifiers_regression_target", "check_classifiers_one_label_sample_weights",
]
EXPECTED_FAILED_CHECKS["HOGTransformer"] = dict.fromkeys(
    _IMAGE_CHECKS + _TRANSFORMER_CHECKS, _NOT_AN_IMAGE
)
EXPECTED_FAILED_CHECKS["LBPTransformer"] = {
    **dict.fromkeys(_IMAGE_CHECKS + _TRANSFORMER_CHECKS, _NOT_AN_IMAGE),
    "check_n_features_in_after_fitting": _TOO_SMALL,
    "check_positive_only_tag_during_fit": _TOO_SMALL,
}
# GaborTransformer and FaceRegion are image transformers with the same
# image-shape contract as HOGTransformer: the same checks fail for the same reason.
EXPECTED_FAILED_CHECKS["GaborTransformer"] = dict.fromkeys(
    _IMAGE_CHECKS + _TRANSFORMER_CHECKS, _NOT_AN_IMAGE
)
EXPECTED_FAILED_CHECKS["FaceRegion"] = dict.fromkeys(
    _IMAGE_CHECKS + _TRANSFORMER_CHECKS, _NOT_AN_IMAGE
)
# LandmarkShape and LandmarkAligner: the same image-shape contract (test_landmarks.py covers
# clone, pickle, NaN naming the sample, dtypes and n_features_in_ on real face crops).
EXPECTED_FAILED_CHECKS["LandmarkShape"] = EXPECTED_FAILED_CHECKS["LandmarkAligner"] = (
    dict.fromkeys(_IMAGE_CHECKS + _TRANSFORMER_CHECKS,
                  _NOT_AN_IMAGE.replace("test_features.py", "test_landmarks.py"))
)
EXPECTED_FAILED_CHECKS["FlipAugmentedClassifier"] = dict.fromkeys(
    _IMAGE_CHECKS + _CLASSIFIER_CHECKS, _NOT_AN_IMAGE
)

# The capture perturbation transformers take images as well (the same image-shape contract,
# checked in tests/test_augment.py on real face crops).
_AUGMENT_REASON = _NOT_AN_IMAGE.replace("test_features.py", "test_augment.py")
for _name in ["RandomDownscale", "RandomGamma", "RandomRotation", "RandomBoxJitter",
              "RandomBlur", "RandomJPEG", "RandomNoise", "HorizontalFlip"]:
    EXPECTED_FAILED_CHECKS[_name] = dict.fromkeys(_IMAGE_CHECKS + _TRANSFORMER_CHECKS,
                                                  _AUGMENT_REASON)
EXPECTED_FAILED_CHECKS["AugmentedClassifier"] = {
    **dict.fromkeys(_IMAGE_CHECKS + _CLASSIFIER_CHECKS, _AUGMENT_REASON),
    # its fit perturbs the images, and images hold intensities 0..255 of at least 2x2 pixels
    "check_n_features_in_after_fitting": "feeds negative 'intensities': the augmentations "
    "raise a ValueError naming the sample and the 0..255 range (test_augment.py)",
    "check_positive_only_tag_during_fit": "as check_n_features_in_after_fitting (negative "
    "values are refused with the augmentations' own message, naming the sample)",
    "check_fit2d_1feature": "feeds 1x1 'images': the augmentations need at least 2x2 pixels "
    "and say so, naming the sample",
}


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


if ESTIMATORS:

    _checks = parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
    # scikit-learn < 1.9.1 hands pytest a generator, which pytest >= 9.1 deprecates (an error
    # here through setup.cfg's error::DeprecationWarning): give it a list.
    _checks = pytest.mark.parametrize(_checks.args[0], list(_checks.args[1]), **_checks.kwargs)

    @_checks
    def test_sklearn_compatible_estimator(estimator, check, request):
        try:
            check(estimator)
        except Exception as exc:
            if request.node.get_closest_marker("xfail") is None:  # not an expected failure
                raise
            # An expected failure keeps its type and message but not its frames: for each
            # report pytest parses the source of every frame, and scikit-learn's check module
            # is large enough that the frames of the ~400 expected failures cost about half
            # a second each, about a quarter of the suite's CPU time.
            raise exc.with_traceback(None) from None
