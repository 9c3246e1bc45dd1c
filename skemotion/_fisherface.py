"""Fisherfaces (PCA + LDA + nearest neighbour) as a scikit-learn classifier.

The maths follows OpenCV's ``cv::face::FisherFaceRecognizer`` (Belhumeur et al. 1997):

1. PCA of the centred training images, keeping ``n_samples - n_classes`` components;
2. LDA in that PCA space (eigenvectors of ``Sw^-1 Sb`` with OpenCV's *unweighted*
   between-class scatter), keeping at most ``n_classes - 1`` axes, each eigenvector
   scaled to unit length in the PCA space (what OpenCV 4 returns);
3. prediction = label of the nearest training projection (Euclidean distance).

Unlike OpenCV, the PCA step works on the ``n x n`` Gram matrix of the centred images,
accumulated in float32 over column blocks, so no ``d x d`` matrix and no full centred
copy of the training data is ever formed.
"""

from numbers import Integral, Real

import numpy as np
from scipy.spatial.distance import cdist
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils._param_validation import Interval, StrOptions
from threadpoolctl import threadpool_limits
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .utils._validation import _check_finite, _flatten_images

__all__ = ["FisherFaceClassifier"]

#: Number of array elements processed per block (float32 blocks of 32 MiB): bounds the
#: temporary memory of the Gram, basis and projection steps whatever the image size.
_BLOCK_ELEMENTS = 2**23


def _eigh(matrix):
    """``np.linalg.eigh`` of a symmetric matrix rescaled to unit largest diagonal entry.

    LAPACK's symmetric eigensolver was measured much slower on Gram matrices of raw
    pixel values (entries ~1e9) than on the same matrix scaled to ~1 (10 s vs 0.4 s
    for 600x600 here); the eigenvectors are the same and the eigenvalues scale back.
    """
    scale = float(np.max(np.abs(np.diag(matrix)))) if matrix.size else 1.0
    if not np.isfinite(scale) or scale == 0.0:
        scale = 1.0
    # one BLAS thread: the tridiagonal reduction is many small memory-bound steps, and
    # with several threads on a busy machine OpenBLAS's thread hand-offs dominated
    # (measured 0.08 s single-threaded vs 0.3-10 s with 2 threads under load).
    with threadpool_limits(limits=1, user_api="blas"):
        values, vectors = np.linalg.eigh(matrix / scale)
    return values * scale, vectors


def _deterministic_signs(components):
    """Signs (+1/-1) that make each row's largest-magnitude entry positive."""
    idx = np.argmax(np.abs(components), axis=1)
    signs = np.sign(components[np.arange(components.shape[0]), idx])
    signs[signs == 0] = 1
    return signs


def _opencv_eigenvector_scale(vectors):
    """Scale eigenvectors (columns, largest eigenvalue first) as OpenCV's cv::LDA does.

    cv::LDA solves the non-symmetric ``Sw^-1 Sb`` with a port of JAMA's
    ``EigenvalueDecomposition`` (Hessenberg reduction + ``hqr2``), which does not
    normalise: eigenvector ``k`` is ``Q t_k`` where ``Q`` holds the Schur vectors and
    ``t_k`` solves the triangular Schur form with ``t_k[k] = 1``. With the eigenvalues
    in descending order along the Schur diagonal (what hqr2 gives for the leading
    Fisher axes), that means: the component of vector ``k`` orthogonal to the
    vectors ``0..k-1`` has unit length, i.e. its length is ``1 / |R[k, k]|`` for the QR
    decomposition of the unit vectors. The first axis thus has unit length and the
    others are slightly longer (a few percent for face data); the lengths change the
    Euclidean distances and hence OpenCV's nearest neighbours when there are 3 or more
    classes. ``test_fisherface.py`` checks the lengths against OpenCV's.
    """
    unit = vectors / np.linalg.norm(vectors, axis=0)
    r = np.linalg.qr(unit, mode="r")
    return unit / np.abs(np.diag(r))


class FisherFaceClassifier(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, ClassifierMixin, BaseEstimator
):
    """Fisherfaces classifier: PCA, then LDA, then the nearest training face.

    A fast, scikit-learn compatible re-implementation of OpenCV's
    ``cv2.face.FisherFaceRecognizer``: the images are projected onto at most
    ``n_classes - 1`` Fisher axes and a face gets the label of the nearest training
    projection (Euclidean distance). Predictions agree with OpenCV's (see Notes), but
    training works on the ``n x n`` Gram matrix in float32: 13x faster than OpenCV on
    600 images of 350x350 with one thread each, with about a third of the training data
    in extra memory (``benchmarks/bench_fisherface.py``). On a busy shared machine, one
    BLAS thread (``threadpoolctl.threadpool_limits(1)``) was faster than two.

    Parameters
    ----------
    n_components : int or None, default=None
        Number of Fisher axes. None, or a value above ``n_classes - 1``, means
        ``n_classes - 1`` (OpenCV's rule for ``num_components``).
    threshold : float or None, default=None
        Distance threshold as in OpenCV: a face whose nearest training projection is
        at distance ``>= threshold`` gets ``unknown_label_`` from :meth:`predict`.
        None (OpenCV's ``DBL_MAX``) never answers "unknown". Distances are measured
        in the Fisher space (see :meth:`transform`), so useful values depend on the
        data: look at :meth:`decision_function` or :meth:`nearest_distances` of
        known faces first.
    solver : {"gram", "opencv"}, default="gram"
        ``"gram"``: the fast float32 Gram-matrix implementation. ``"opencv"``: train
        with ``cv2.face.FisherFaceRecognizer`` itself (float64, slow, memory hungry;
        for exact reproduction of OpenCV) and copy its mean, basis and projections
        into this estimator, which then predicts exactly as OpenCV does.
    unknown_label : object or None, default=None
        Label :meth:`predict` returns for faces beyond ``threshold``. None picks
        ``-1`` (OpenCV's value) when the class labels are numbers and ``"unknown"``
        when they are strings or other objects. Only used when ``threshold`` is set;
        it must not be one of the class labels.
    image_shape : tuple of int or None, default=None
        ``(height, width)`` of the images when ``X`` is given flat, used only to
        reshape :attr:`fisherfaces_`. None infers it from 3-D input or, for flat
        input, assumes square images when the number of pixels is a perfect square
        (otherwise ``fisherfaces_`` stays flat).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels (any type, e.g. ``"happy"``).
    mean_ : ndarray of shape (n_features,)
        Mean training image (flat), float64.
    components_ : ndarray of shape (n_components_, n_features)
        The Fisher basis: row ``i`` maps a centred flat image to Fisher axis ``i``
        (OpenCV's ``getEigenVectors().T``).
    eigenvalues_ : ndarray of shape (n_components_,)
        Eigenvalues of ``Sw^-1 Sb`` for the kept axes, largest first.
    fisherfaces_ : ndarray of shape (n_components_, height, width) or (n_components_, n_features)
        ``components_`` reshaped as images for plotting (flat when the image shape
        is unknown, see ``image_shape``).
    image_shape_ : tuple of int or None
        ``(height, width)`` used for ``fisherfaces_``.
    projections_ : ndarray of shape (n_samples, n_components_)
        The training images in the Fisher space.
    projection_labels_ : ndarray of shape (n_samples,)
        Index into ``classes_`` of each row of ``projections_``.
    n_components_ : int
        Number of Fisher axes kept.
    n_pca_components_ : int
        Number of PCA components used before LDA (``n_samples - n_classes``, fewer
        only if the data have lower rank).
    distance_scale_ : float
        Root mean square distance of the training projections to their class mean;
        the temperature of :meth:`predict_proba`.
    unknown_label_ : object
        The label predicted beyond ``threshold``.
    n_features_in_ : int
        Number of pixels per image.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Defined only when ``X`` has string column names.

    See Also
    --------
    make_pca_lda : PCA + LinearDiscriminantAnalysis, same projections family with a
        Gaussian (LDA) decision rule instead of the nearest training face.
    FisherfaceGalleryDisplay : Plot ``fisherfaces_``.

    Notes
    -----
    *Algorithm.* With ``X`` centred by ``mean_`` and ``K = Xc Xc^T`` (float32, built
    block by block), ``K = V diag(lam) V^T`` gives the PCA projections
    ``Y = V sqrt(lam)`` of the training images; LDA then runs on ``Y`` in float64 with
    ``Sw = sum_i (y_i - mu_c(i))(y_i - mu_c(i))^T`` and OpenCV's unweighted
    ``Sb = sum_c (mu_c - mu)(mu_c - mu)^T``. The Fisher axes get OpenCV's lengths:
    OpenCV's JAMA-derived eigen solver does not normalise its eigenvectors; the first
    axis has unit length and axis ``k`` is scaled so that its part orthogonal to axes
    ``0..k-1`` has unit length (a few percent longer than 1 on face data). With the
    same lengths, distances between projections, hence nearest neighbours, match
    OpenCV's (``test_fisherface.py`` checks eigenvalues, axis directions, axis lengths
    and predictions against OpenCV). scikit-learn's ``LinearDiscriminantAnalysis``
    scales axes to unit within-class variance instead, which would change the
    nearest neighbours when there are 3 or more classes (with 2 classes there is
    one axis and any scale gives the same neighbours).
    If ``Sw`` is singular (duplicate images, tiny data), its pseudo-inverse is used
    where OpenCV would return meaningless axes.

    *Scores.* :meth:`nearest_distances` gives, per class, the distance to the nearest
    training face of that class. :meth:`decision_function` is its negation (binary
    case: ``d(classes_[0]) - d(classes_[1])``, positive for ``classes_[1]``).
    :meth:`predict_proba` is ``softmax(-distance / distance_scale_)``: a monotone
    score in ``[0, 1]`` with the same arg-max as :meth:`predict`, NOT a calibrated
    probability. Wrap the classifier in
    :class:`~sklearn.calibration.CalibratedClassifierCV` when probabilities matter.

    References
    ----------
    P. N. Belhumeur, J. P. Hespanha, D. J. Kriegman, "Eigenfaces vs. Fisherfaces:
    recognition using class specific linear projection", IEEE TPAMI 19(7), 1997.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion import FisherFaceClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(30, 8, 8))       # 30 tiny 8x8 "faces"
    >>> y = np.repeat(["happy", "neutral", "sad"], 10)
    >>> X[y == "happy", 6:, :] += 2.0          # a brighter mouth
    >>> X[y == "sad", :2, :] += 2.0            # brighter brows
    >>> clf = FisherFaceClassifier().fit(X, y)
    >>> clf.fisherfaces_.shape
    (2, 8, 8)
    >>> clf.predict(X[[0, 10, 20]])
    array(['happy', 'neutral', 'sad'], dtype='<U7')
    >>> clf.transform(X[:2]).shape
    (2, 2)
    """

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left"), None],
        "threshold": [Interval(Real, 0, None, closed="neither"), None],
        "solver": [StrOptions({"gram", "opencv"})],
        "unknown_label": "no_validation",
        "image_shape": [tuple, list, None],
    }

    def __init__(
        self,
        n_components=None,
        threshold=None,
        solver="gram",
        unknown_label=None,
        image_shape=None,
    ):
        self.n_components = n_components
        self.threshold = threshold
        self.solver = solver
        self.unknown_label = unknown_label
        self.image_shape = image_shape

    # ------------------------------------------------------------------ input
    def _validate_X(self, X, y=None, *, reset):
        name = type(self).__name__
        X, image_shape = _flatten_images(X, estimator_name=name)
        if not reset:
            check_is_fitted(self)
            fitted = getattr(self, "image_shape_", None)
            if image_shape is not None and np.prod(image_shape) != self.n_features_in_:
                fitted_txt = f"images of shape {fitted}" if fitted else "flat images"
                raise ValueError(
                    f"X has images of shape {tuple(image_shape)} ({int(np.prod(image_shape))} "
                    f"pixels), but {name} was fitted on {fitted_txt} with "
                    f"{self.n_features_in_} pixels: crop/resize to the training size."
                )
        kwargs = dict(dtype="numeric", ensure_all_finite=False, reset=reset)
        if y is None:
            X = validate_data(self, X, **kwargs)
        else:
            X, y = validate_data(self, X, y, **kwargs)
        _check_finite(X)
        return X, y, image_shape

    def _resolve_image_shape(self, image_shape, n_features):
        if self.image_shape is not None:
            shape = tuple(int(v) for v in self.image_shape)
            if len(shape) != 2 or min(shape) < 1 or shape[0] * shape[1] != n_features:
                raise ValueError(
                    f"{type(self).__name__}: image_shape={self.image_shape!r} does not "
                    f"match the {n_features} "
                    "pixels per image of X (expected (height, width) with height * width "
                    "== n_pixels)."
                )
            return shape
        if image_shape is not None:
            return tuple(int(v) for v in image_shape)
        side = int(round(np.sqrt(n_features)))
        return (side, side) if side * side == n_features and side > 1 else None

    # -------------------------------------------------------------------- fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the Fisherfaces model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_pixels) or (n_samples, height, width)
            Gray images, flat (as :class:`~skemotion.FaceCropper` returns them) or as
            a 3-D array / list of equally sized 2-D arrays.
        y : array-like of shape (n_samples,)
            Class labels (strings such as ``"happy"`` or integers); at least two
            classes and more samples than classes.

        Returns
        -------
        self : FisherFaceClassifier
            The fitted classifier.
        """
        X, y, image_shape = self._validate_X(X, y, reset=True)
        check_classification_targets(y)
        self.classes_, y_idx = np.unique(y, return_inverse=True)
        n_samples, n_features = X.shape
        n_classes = len(self.classes_)
        if n_classes < 2:
            raise ValueError(
                f"Fisherfaces needs at least two classes to separate, but y holds only one "
                f"class ({self.classes_.tolist()[0]!r}) in {n_samples} sample(s). If this happened "
                "inside cross-validation or an emotion subset, that split left one class: "
                "use stratified/grouped splits that keep every class in each training set."
            )
        if n_samples <= n_classes:
            raise ValueError(
                f"Fisherfaces needs more samples than classes (its PCA step keeps n_samples "
                f"- n_classes components), but got {n_samples} samples for {n_classes} "
                "classes."
            )
        self.image_shape_ = self._resolve_image_shape(image_shape, n_features)
        max_components = n_classes - 1
        n_components = self.n_components
        if n_components is None or n_components > max_components:
            n_components = max_components

        if self.unknown_label is None:
            numeric = self.classes_.dtype.kind in "iufb"
            self.unknown_label_ = -1 if numeric else "unknown"
        else:
            self.unknown_label_ = self.unknown_label
        if self.threshold is not None and np.any(
            self.classes_ == np.asarray(self.unknown_label_, dtype=object)
        ):
            raise ValueError(
                f"unknown_label {self.unknown_label_!r} is also a class label of y; pass "
                "another unknown_label."
            )

        if self.solver == "opencv":
            projections = self._fit_opencv(X, y_idx, n_components)
        else:
            projections = self._fit_gram(X, y_idx, n_classes, n_components)
        signs = _deterministic_signs(self.components_)
        self.components_ *= signs[:, None]
        self.n_components_ = self.components_.shape[0]
        self.projections_ = projections * signs
        self.projection_labels_ = y_idx
        if self.image_shape_ is not None:
            self.fisherfaces_ = self.components_.reshape(-1, *self.image_shape_)
        else:
            self.fisherfaces_ = self.components_.copy()
        class_means = np.stack(
            [self.projections_[y_idx == c].mean(axis=0) for c in range(n_classes)]
        )
        spread = np.sqrt(np.mean(np.sum((self.projections_ - class_means[y_idx]) ** 2, axis=1)))
        self.distance_scale_ = float(spread) if spread > 0 else 1.0
        return self

    def _fit_gram(self, X, y_idx, n_classes, n_components):
        n_samples, n_features = X.shape
        self.mean_ = X.mean(axis=0, dtype=np.float64)
        mean32 = self.mean_.astype(np.float32)
        cols = max(1, _BLOCK_ELEMENTS // n_samples)

        def centred(start):
            block = X[:, start : start + cols].astype(np.float32, copy=True)
            block -= mean32[start : start + cols]
            return block

        row_step = max(1, _BLOCK_ELEMENTS // n_features)
        use_gram = n_samples <= n_features
        if use_gram:  # n x n Gram matrix of the centred images, float32, block by block
            gram = np.zeros((n_samples, n_samples), dtype=np.float32)
            for start in range(0, n_features, cols):
                block = centred(start)
                gram += block @ block.T
        else:  # fewer pixels than samples: the small d x d scatter matrix is cheaper
            gram = np.zeros((n_features, n_features), dtype=np.float32)
            for start in range(0, n_samples, row_step):
                rows = X[start : start + row_step].astype(np.float32)
                rows -= mean32
                gram += rows.T @ rows
        gram = gram.astype(np.float64)
        lam, vec = _eigh(gram)
        lam, vec = lam[::-1], vec[:, ::-1]
        # float32 accumulation leaves rounding noise of ~1e-9 * lam[0] on the null space
        # (the centred data have rank n - 1); real face components sit far above 1e-7.
        tol = max(lam[0], 0.0) * 1e-7
        rank = int(np.sum(lam > tol))
        n_pca = max(1, min(n_samples - n_classes, rank))
        lam, vec = lam[:n_pca], vec[:, :n_pca]
        self.n_pca_components_ = n_pca
        if use_gram:
            pca_proj = vec * np.sqrt(lam)  # Xc @ basis, with basis = Xc^T V / sqrt(lam)
        else:
            pca_proj = np.vstack(
                [
                    (X[s : s + row_step].astype(np.float64) - self.mean_) @ vec
                    for s in range(0, n_samples, row_step)
                ]
            )

        # LDA in the PCA space, in float64 (OpenCV's cv::LDA rules)
        mu = pca_proj.mean(axis=0)
        class_mu = np.stack([pca_proj[y_idx == c].mean(axis=0) for c in range(n_classes)])
        within = pca_proj - class_mu[y_idx]
        sw = within.T @ within
        diff = class_mu - mu
        sb = diff.T @ diff  # unweighted between-class scatter, as cv::LDA
        s, u = _eigh(sw)
        keep = s > max(s[-1], 0.0) * 1e-12
        whiten = u[:, keep] / np.sqrt(s[keep])
        ev, z = _eigh(whiten.T @ sb @ whiten)
        ev, z = ev[::-1], z[:, ::-1]
        n_components = min(n_components, z.shape[1])
        lda = whiten @ z[:, :n_components]
        lda = _opencv_eigenvector_scale(lda)
        self.eigenvalues_ = ev[:n_components].copy()

        if use_gram:  # components = (Xc^T V diag(1/sqrt(lam)) W)^T, block by block
            coef = (vec / np.sqrt(lam)) @ lda  # (n_samples, n_components)
            components = np.empty((n_components, n_features), dtype=np.float64)
            coef32_t = np.ascontiguousarray(coef.T, dtype=np.float32)  # sgemm, no upcast of X
            for start in range(0, n_features, cols):
                components[:, start : start + cols] = coef32_t @ centred(start)
            # training projections Xc @ components.T = K @ coef: no further pass over X
            projections = gram @ coef
        else:
            components = (vec @ lda).T
            projections = pca_proj @ lda
        self.components_ = components
        return projections

    def _fit_opencv(self, X, y_idx, n_components):
        import cv2

        if not hasattr(cv2, "face"):  # opencv-python: the contrib modules are another wheel
            from .faces._cascades import _opencv_lacks

            raise _opencv_lacks("cv2.face", needed_by="FisherFaceClassifier(solver='opencv')",
                                why="cv2.face is in the contrib wheel; solver='gram' needs "
                                    "no cv2.face")
        recognizer = cv2.face.FisherFaceRecognizer_create(num_components=int(n_components))
        images = [np.asarray(row, dtype=np.float64).reshape(1, -1) for row in X]
        recognizer.train(images, np.asarray(y_idx, dtype=np.int32))
        self.mean_ = np.asarray(recognizer.getMean(), dtype=np.float64).ravel()
        self.components_ = np.asarray(recognizer.getEigenVectors(), dtype=np.float64).T.copy()
        self.eigenvalues_ = np.asarray(recognizer.getEigenValues(), dtype=np.float64).ravel()[
            : self.components_.shape[0]
        ]
        self.n_pca_components_ = X.shape[0] - len(self.classes_)
        return np.vstack([np.asarray(p, dtype=np.float64) for p in recognizer.getProjections()])

    # ------------------------------------------------------------- inference
    def _project(self, X):
        # float64 input is projected in float64; anything else (FaceCropper's float32,
        # uint8) in float32, which halves the memory traffic (5x faster measured) and
        # changes projections by ~1e-5 relative - far below distances between faces.
        dtype = np.float64 if X.dtype == np.float64 else np.float32
        mean = self.mean_.astype(dtype)
        components_t = self.components_.T.astype(dtype)
        rows = max(1, _BLOCK_ELEMENTS // max(1, X.shape[1]))
        out = np.empty((X.shape[0], self.components_.shape[0]), dtype=np.float64)
        for start in range(0, X.shape[0], rows):
            block = np.asarray(X[start : start + rows], dtype=dtype) - mean
            out[start : start + rows] = block @ components_t
        return out

    @property
    def _n_features_out(self):
        return self.components_.shape[0]

    def transform(self, X):
        """Project images into the Fisher space.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_pixels) or (n_samples, height, width)
            Gray images of the training size.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components_)
            Coordinates on the Fisher axes (``(X - mean_) @ components_.T``).
        """
        X, _, _ = self._validate_X(X, reset=False)
        return self._project(X)

    def nearest_distances(self, X):
        """Distance from each image to the nearest training face of each class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_pixels) or (n_samples, height, width)
            Gray images of the training size.

        Returns
        -------
        distances : ndarray of shape (n_samples, n_classes)
            Euclidean distances in the Fisher space, columns in ``classes_`` order.
        """
        projected = self.transform(X)
        dist = cdist(projected, self.projections_)
        out = np.empty((dist.shape[0], len(self.classes_)), dtype=np.float64)
        for c in range(len(self.classes_)):
            out[:, c] = dist[:, self.projection_labels_ == c].min(axis=1)
        return out

    def decision_function(self, X):
        """Confidence scores from the nearest distances (higher = more likely).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_pixels) or (n_samples, height, width)
            Gray images of the training size.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            ``-nearest_distances(X)``; with two classes the difference
            ``d(classes_[0]) - d(classes_[1])`` (positive means ``classes_[1]``).
        """
        dist = self.nearest_distances(X)
        if dist.shape[1] == 2:
            return dist[:, 0] - dist[:, 1]
        return -dist

    def predict(self, X):
        """Label of the nearest training face (or ``unknown_label_`` beyond ``threshold``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_pixels) or (n_samples, height, width)
            Gray images of the training size.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels. With ``threshold`` set, the dtype can widen to hold
            ``unknown_label_`` (e.g. ``'<U7'`` for ``"unknown"``).
        """
        dist = self.nearest_distances(X)
        best = np.argmin(dist, axis=1)
        if self.threshold is None:
            return self.classes_[best]
        labels = np.concatenate([self.classes_, np.asarray([self.unknown_label_])])
        far = dist[np.arange(dist.shape[0]), best] >= self.threshold
        best[far] = len(self.classes_)
        return labels[best]

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba` (NOT calibrated, see Notes).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_pixels) or (n_samples, height, width)
            Gray images of the training size.

        Returns
        -------
        log_scores : ndarray of shape (n_samples, n_classes)
            ``log_softmax(-nearest_distances(X) / distance_scale_)``.
        """
        z = -self.nearest_distances(X) / self.distance_scale_
        z -= z.max(axis=1, keepdims=True)
        return z - np.log(np.exp(z).sum(axis=1, keepdims=True))

    def predict_proba(self, X):
        """Scores in [0, 1] summing to 1 per image (NOT calibrated probabilities).

        ``softmax(-nearest_distances(X) / distance_scale_)``: same arg-max as
        :meth:`predict` (ignoring ``threshold``), but the values only say how much
        nearer one class is than the others, relative to the training spread. Use
        :class:`~sklearn.calibration.CalibratedClassifierCV` for probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_pixels) or (n_samples, height, width)
            Gray images of the training size.

        Returns
        -------
        scores : ndarray of shape (n_samples, n_classes)
            Columns in ``classes_`` order.
        """
        return np.exp(self.predict_log_proba(X))
