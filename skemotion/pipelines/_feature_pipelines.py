"""Named pipelines built on HOG / LBP features, registered in :data:`PIPELINES`.

Every factory follows the ``skemotion.pipelines`` contract:
``factory(*, detect=True, output_size=..., cropper_params=None, **params)`` returns an
unfitted Pipeline whose last step is ``"classifier"`` (``**params`` go to the model
inside it). With ``detect=True`` the first step is a :class:`~skemotion.FaceCropper`
(eye-aligned by default; ``cropper_params`` override that) and a non-square
``output_size=(h, w)`` is passed on as ``image_shape`` to the image transformers after
it; with ``detect=False`` the
pipeline starts at the features and takes face crops as FaceCropper returns them, flat
``(n, h * w)`` or ``(n, h, w)``, of any size (e.g. the common 128x128 CK+ crops).

Hyper-parameters are FIXED defaults, not tuned per data set (no search on test
splits): HOG as Dalal & Triggs (8 px cells, 2x2-cell blocks, 9 unsigned bins) on
64 px eye-aligned crops; LBP ``u2`` with P=8, R=1 on a 7x7 grid (Shan, Gong &
McOwan 2009 used 42 regions on 110x150 faces) on 96 px crops so that each cell
keeps ~13x13 coded pixels; standardised features and L2 logistic regression with
C=0.01 (strong shrinkage: far fewer faces than features). Fisherfaces on these
features use :class:`~skemotion.FisherFaceClassifier` with its defaults.

The ``lowerface_*`` pipelines start with :class:`~skemotion.FaceRegion`:
the lower face (rows 40-90%, columns 10-90% of a 128 px eye-aligned crop, i.e. the mouth,
lip corners and cheeks) resized to 48x64, then fine HOG (4 px cells) and/or a Gabor
bank (5 scales x 8 orientations, magnitudes pooled 8x8). The region, the cell size and
the Gabor bank were chosen by subject-grouped cross-validation on a fixed half of the
London subjects (benchmarks/README.md, "How the feature pipelines' settings were chosen"),
not on the benchmark's test splits; because they take the
region by fractions, they accept crops of any size with ``detect=False``.
"""

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import StandardScaler

from .._fisherface import FisherFaceClassifier
from .._meta_estimators import FlipAugmentedClassifier
from ..features._gabor import GaborTransformer
from ..features._hog import HOGTransformer
from ..features._lbp import LBPTransformer
from ..features._region import FaceRegion
from ..features._landmarks import N_LANDMARKS, LandmarkAligner, LandmarkShape
from ._registry import _crop_shape, face_pipeline, register_pipeline

__all__ = ["FEATURE_PIPELINES"]

#: Face crop sizes per feature family: 64 px suits 8 px HOG cells; LBP histograms need
#: more pixels per cell. Crops are eye-aligned unless cropper_params says otherwise.
_HOG_SIZE = (64, 64)
_LBP_SIZE = (96, 96)
_CROP_DEFAULTS = {"align": "eyes"}


def _pipeline(steps, detect, output_size, cropper_params):
    if detect:
        cropper_params = {**_CROP_DEFAULTS, **(cropper_params or {})}
    return face_pipeline(steps, detect=detect, output_size=output_size,
                         cropper_params=cropper_params)


def _logreg(params):
    return LogisticRegression(**{"C": 0.01, "max_iter": 2000, **params})


def _hog(image_shape=None):
    return HOGTransformer(cell_size=8, block_size=2, n_bins=9, image_shape=image_shape)


def _lbp(image_shape=None):
    return LBPTransformer(n_points=8, radius=1.0, grid_shape=(7, 7), norm="hellinger",
                          image_shape=image_shape)


def hog_logreg(*, detect=True, output_size=_HOG_SIZE, cropper_params=None, **params):
    """HOG (8 px cells) -> StandardScaler -> logistic regression (C=0.01; ``**params``)."""
    shape = _crop_shape(detect, output_size)
    steps = [("hog", _hog(shape)), ("scale", StandardScaler()), ("classifier", _logreg(params))]
    return _pipeline(steps, detect, output_size, cropper_params)


def hog_logreg_flip(*, detect=True, output_size=_HOG_SIZE, cropper_params=None, **params):
    """``hog_logreg`` fitted on the training crops plus their mirror images.

    ``**params`` go to the logistic regression inside
    (``classifier__estimator__classifier__C`` in a search).
    """
    shape = _crop_shape(detect, output_size)
    inner = Pipeline([("hog", _hog(shape)), ("scale", StandardScaler()),
                      ("classifier", _logreg(params))])
    steps = [("classifier", FlipAugmentedClassifier(inner, image_shape=shape))]
    return _pipeline(steps, detect, output_size, cropper_params)


def lbp_logreg(*, detect=True, output_size=_LBP_SIZE, cropper_params=None, **params):
    """Uniform LBP 7x7 grid histograms (Hellinger) -> StandardScaler -> logistic regression."""
    shape = _crop_shape(detect, output_size)
    steps = [("lbp", _lbp(shape)), ("scale", StandardScaler()), ("classifier", _logreg(params))]
    return _pipeline(steps, detect, output_size, cropper_params)


def hog_lbp_logreg(*, detect=True, output_size=_HOG_SIZE, cropper_params=None, **params):
    """HOG and LBP features side by side -> StandardScaler -> logistic regression."""
    shape = _crop_shape(detect, output_size)
    features = FeatureUnion([("hog", _hog(shape)), ("lbp", _lbp(shape))])
    steps = [("features", features), ("scale", StandardScaler()),
             ("classifier", _logreg(params))]
    return _pipeline(steps, detect, output_size, cropper_params)


def hog_fisherface(*, detect=True, output_size=_HOG_SIZE, cropper_params=None, **params):
    """Fisherfaces (PCA + LDA + nearest projection) on HOG features instead of pixels."""
    steps = [("hog", _hog(_crop_shape(detect, output_size))),
             ("classifier", FisherFaceClassifier(**params))]
    return _pipeline(steps, detect, output_size, cropper_params)


def lbp_fisherface(*, detect=True, output_size=_LBP_SIZE, cropper_params=None, **params):
    """Fisherfaces on uniform LBP grid histograms instead of pixels."""
    steps = [("lbp", _lbp(_crop_shape(detect, output_size))),
             ("classifier", FisherFaceClassifier(**params))]
    return _pipeline(steps, detect, output_size, cropper_params)


#: Lower-face pipelines: 128 px eye-aligned crops, region (top, bottom, left, right) as
#: fractions of the crop, resized to 48x64 (height, width).
_LOWER_CROP = (128, 128)
_LOWER_REGION = (0.4, 0.9, 0.1, 0.9)
_LOWER_SHAPE = (48, 64)


def _lower_face(image_shape=None):
    return FaceRegion(region=_LOWER_REGION, output_shape=_LOWER_SHAPE, image_shape=image_shape)


def _lower_hog():
    return HOGTransformer(cell_size=4, block_size=2, n_bins=9, image_shape=_LOWER_SHAPE)


def _lower_gabor():
    return GaborTransformer(pool_shape=(8, 8), image_shape=_LOWER_SHAPE)


def lowerface_hog_logreg(*, detect=True, output_size=_LOWER_CROP, cropper_params=None,
                         **params):
    """Lower face 48x64 -> HOG (4 px cells) -> StandardScaler -> logistic regression."""
    region = _lower_face(_crop_shape(detect, output_size))
    steps = [("region", region), ("hog", _lower_hog()), ("scale", StandardScaler()),
             ("classifier", _logreg(params))]
    return _pipeline(steps, detect, output_size, cropper_params)


def lowerface_gabor_logreg(*, detect=True, output_size=_LOWER_CROP, cropper_params=None,
                           **params):
    """Lower face 48x64 -> Gabor bank magnitudes -> StandardScaler -> logistic regression."""
    region = _lower_face(_crop_shape(detect, output_size))
    steps = [("region", region), ("gabor", _lower_gabor()),
             ("scale", StandardScaler()), ("classifier", _logreg(params))]
    return _pipeline(steps, detect, output_size, cropper_params)


def lowerface_hog_gabor_logreg(*, detect=True, output_size=_LOWER_CROP, cropper_params=None,
                               **params):
    """Lower face -> HOG and Gabor side by side -> StandardScaler -> logistic regression."""
    features = FeatureUnion([("hog", _lower_hog()), ("gabor", _lower_gabor())])
    region = _lower_face(_crop_shape(detect, output_size))
    steps = [("region", region), ("features", features), ("scale", StandardScaler()),
             ("classifier", _logreg(params))]
    return _pipeline(steps, detect, output_size, cropper_params)


def lowerface_hog_fisherface(*, detect=True, output_size=_LOWER_CROP, cropper_params=None,
                             **params):
    """Fisherfaces on HOG (4 px cells) of the lower face."""
    region = _lower_face(_crop_shape(detect, output_size))
    steps = [("region", region), ("hog", _lower_hog()),
             ("classifier", FisherFaceClassifier(**params))]
    return _pipeline(steps, detect, output_size, cropper_params)


#: Landmark pipeline: FaceCropper crops of 256 px without eye alignment (the landmarks
#: align), the predictor's face rectangle 15% inside each edge, warped to 128 px by
#: LandmarkAligner; then the lower-face region and descriptors of the lowerface_*
#: pipelines. Crop size and face_box were chosen by grouped CV on a fixed half of the
#: London subjects among 128-256 px and 0.05-0.15 (benchmarks/README.md).
_LANDMARK_CROP = (256, 256)
_LANDMARK_CROP_DEFAULTS = {"align": None}
_LANDMARK_FACE_BOX = 0.15


def _n_features(transformer, image_shape):
    """Output width of a stateless image transformer for images of ``image_shape``."""
    return transformer.fit_transform(np.zeros((1, *image_shape))).shape[1]


def _scaled_block(steps):
    return Pipeline([*steps, ("scale", StandardScaler())])


def landmarks_hog_gabor_logreg(*, detect=True, output_size=_LANDMARK_CROP, cropper_params=None,
                               face_box=_LANDMARK_FACE_BOX, **params):
    """Landmark shape + landmark-aligned lower-face HOG and Gabor -> logistic regression.

    Three feature blocks of each face crop, side by side (:class:`~sklearn.pipeline.FeatureUnion`):

    - ``shape``: the 68 dlib landmarks aligned to a mean face
      (:class:`~skemotion.LandmarkShape`; the SPTS features of Lucey et al. 2010);
    - ``hog`` and ``gabor``: the crop warped by :class:`~skemotion.LandmarkAligner`
      (128 px), its lower face (:class:`~skemotion.FaceRegion`, 48x64), then HOG with
      4 px cells and the Gabor bank of the ``lowerface_*`` pipelines (CAPP-like
      appearance).

    Each block is standardised and weighted by ``1 / sqrt(n_features)`` so that the
    136 shape features weigh as much as the 5940 HOG and 2560 Gabor features; then
    L2 logistic regression with scikit-learn's default ``C=1`` (``**params``). The
    crop size (256 px) and the predictor's face rectangle (``face_box=0.15``, i.e. 15%
    inside each edge of a FaceCropper crop) were chosen by grouped cross-validation on a
    fixed half of the London subjects, nothing on the benchmark's test splits. Needs
    the ``landmarks`` extra (dlib); with ``detect=False`` it takes face crops of any
    size. ``face_box`` goes to its three landmark transformers: for crops framed
    unlike FaceCropper's (e.g. tightly cropped 128 px CK+ faces) pass
    ``face_box="detect"``, which finds the face in each crop with dlib's detector (on
    London crops cut tighter or looser than FaceCropper's it kept 90.5-93.5% where the
    fixed 0.15 fell to 87.2-91.5%; benchmarks/README.md).
    """
    region_shape, box, shape = _LOWER_SHAPE, face_box, _crop_shape(detect, output_size)
    hog, gabor = _lower_hog(), _lower_gabor()
    union = FeatureUnion(
        [
            ("shape", _scaled_block([("landmarks", LandmarkShape(face_box=box,
                                                                 image_shape=shape))])),
            ("hog", _scaled_block([("align", LandmarkAligner(face_box=box, image_shape=shape)),
                                   ("region", _lower_face()), ("hog", hog)])),
            ("gabor", _scaled_block([("align", LandmarkAligner(face_box=box,
                                                               image_shape=shape)),
                                     ("region", _lower_face()), ("gabor", gabor)])),
        ],
        transformer_weights={
            "shape": float(1 / np.sqrt(2 * N_LANDMARKS)),
            "hog": float(1 / np.sqrt(_n_features(hog, region_shape))),
            "gabor": float(1 / np.sqrt(_n_features(gabor, region_shape))),
        },
    )
    steps = [("features", union),
             ("classifier", LogisticRegression(**{"max_iter": 5000, **params}))]
    if detect:
        cropper_params = {**_LANDMARK_CROP_DEFAULTS, **(cropper_params or {})}
    return _pipeline(steps, detect, output_size, cropper_params)


#: name -> factory(*, detect=True, output_size=..., cropper_params=None, **params)
FEATURE_PIPELINES = {
    "hog_logreg": hog_logreg,
    "hog_logreg_flip": hog_logreg_flip,
    "lbp_logreg": lbp_logreg,
    "hog_lbp_logreg": hog_lbp_logreg,
    "hog_fisherface": hog_fisherface,
    "lbp_fisherface": lbp_fisherface,
    "lowerface_hog_logreg": lowerface_hog_logreg,
    "lowerface_gabor_logreg": lowerface_gabor_logreg,
    "lowerface_hog_gabor_logreg": lowerface_hog_gabor_logreg,
    "lowerface_hog_fisherface": lowerface_hog_fisherface,
    "landmarks_hog_gabor_logreg": landmarks_hog_gabor_logreg,
}

for _name, _factory in FEATURE_PIPELINES.items():
    register_pipeline(_name)(_factory)
del _name, _factory
