"""FisherFaceClassifier vs OpenCV's FisherFaceRecognizer: fit/predict time, memory, agreement.

Data (synthesised from the embedded London set, nothing downloaded):
the 204 London photos are cropped with skemotion.FaceCropper to 350x350 gray faces; the
102 subjects are dealt into 10 classes (subject number modulo 10, so each class holds the
neutral and smiling faces of about 10 people); every crop is then jittered 3 times with a
small random similarity transform (rotation +-4 deg, scale +-4 %, shift +-6 px, reflected
border) and a brightness/contrast change (+-10 %), giving 612 training images of
350x350 (the first 600 are used) in 10 classes. The test set is 200 further jitters
(new random draws) of the same crops: a face-recognition style task, which is what
FisherFaceRecognizer was built for.

Both models are trained on identical images (OpenCV gets the uint8 images as its
Python API expects; skemotion gets FaceCropper's float32 (n, 350*350) output), side by
side in one run, in alternating rounds (best of 2 each: the 2 cores are shared with other
jobs), first with each library's default threads, then with one thread each. Memory: tracemalloc peak during skemotion's fit (numpy allocations)
and the growth of the process's peak RSS (includes BLAS buffers), against the size of the
float32 training matrix.

Second part, accuracy on the real task: London neutral vs happy, FaceCropper crops at
350x350 and 64x64, 10 subject-grouped splits (StratifiedGroupShuffleSplit, 20 % of the
subjects held out); skemotion vs OpenCV accuracy (mean +- std) and the share of test
predictions on which they agree, plus the make_pca_lda() baseline for comparison.

Run from the repository root:  python benchmarks/bench_fisherface.py
"""

import os
import resource
import sys
import time
import tracemalloc

from pathlib import Path

import cv2
import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# _run_info: benchmarks/, the script's own folder
from _run_info import benchmark_parser, run_header  # noqa: E402

from skemotion import FaceCropper, FisherFaceClassifier, make_pca_lda  # noqa: E402
from skemotion.datasets import load_frl_london  # noqa: E402
from skemotion.model_selection import StratifiedGroupShuffleSplit  # noqa: E402

N_TRAIN, N_TEST, N_CLASSES, SIZE, ROUNDS = 600, 200, 10, 350, 2


def jitter(image, rng):
    h, w = image.shape
    angle = rng.uniform(-4, 4)
    scale = 1 + rng.uniform(-0.04, 0.04)
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale)
    m[:, 2] += rng.uniform(-6, 6, size=2)
    out = cv2.warpAffine(image, m, (w, h), flags=cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_REFLECT)
    gain, bias = 1 + rng.uniform(-0.1, 0.1), rng.uniform(-12, 12)
    return np.clip(out.astype(np.float32) * gain + bias, 0, 255).astype(np.uint8)


def max_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main(argv=None):
    benchmark_parser(__doc__, "python benchmarks/bench_fisherface.py").parse_args(argv)
    t0 = time.perf_counter()
    london = load_frl_london()
    print(run_header(len(london.target), len(set(london.groups))))
    crops = FaceCropper(detector="haar", output_size=(SIZE, SIZE),
                        on_missing="full_image").transform(
        london.images
    )
    crops = crops.reshape(-1, SIZE, SIZE).astype(np.uint8)
    labels = np.array([int(g) % N_CLASSES for g in london.groups])
    rng = np.random.default_rng(0)
    train_idx = np.tile(np.arange(len(crops)), 3)[:N_TRAIN]
    test_idx = rng.integers(0, len(crops), size=N_TEST)
    train_u8 = np.stack([jitter(crops[i], rng) for i in train_idx])
    test_u8 = np.stack([jitter(crops[i], rng) for i in test_idx])
    y_train, y_test = labels[train_idx], labels[test_idx]
    X_train = train_u8.reshape(N_TRAIN, -1).astype(np.float32)  # FaceCropper's output format
    X_test = test_u8.reshape(N_TEST, -1).astype(np.float32)
    data_mib = X_train.nbytes / 2**20
    print(f"data: {N_TRAIN} train / {N_TEST} test images of {SIZE}x{SIZE}, "
          f"{len(np.unique(y_train))} classes; float32 train matrix {data_mib:.0f} MiB "
          f"(prepared in {time.perf_counter() - t0:.1f} s)")
    print(f"threads: cv2 {cv2.getNumThreads()}, python {sys.version.split()[0]}, "
          f"numpy {np.__version__}, opencv {cv2.__version__}")

    # --- memory: skemotion first, so that the RSS high-water mark is ours ---
    rss0 = max_rss_mib()
    tracemalloc.start()
    clf = FisherFaceClassifier().fit(X_train, y_train)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_ours = max_rss_mib() - rss0
    recognizer = cv2.face.FisherFaceRecognizer_create()
    rss1 = max_rss_mib()
    recognizer.train(list(train_u8), y_train.astype(np.int32))
    rss_cv = max_rss_mib() - rss1

    # --- time: alternating rounds (ours, OpenCV), best of each, so that both see the
    # same load on the shared cores ---
    fits_ours, fits_cv, preds_ours, preds_cv = [], [], [], []
    for _ in range(ROUNDS):
        t = time.perf_counter()
        clf = FisherFaceClassifier().fit(X_train, y_train)
        fits_ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        pred_ours = clf.predict(X_test)
        preds_ours.append(time.perf_counter() - t)
        recognizer = cv2.face.FisherFaceRecognizer_create()
        t = time.perf_counter()
        recognizer.train(list(train_u8), y_train.astype(np.int32))
        fits_cv.append(time.perf_counter() - t)
        t = time.perf_counter()
        pred_cv = np.array([recognizer.predict(image)[0] for image in test_u8])
        preds_cv.append(time.perf_counter() - t)
    fit_ours, fit_cv = min(fits_ours), min(fits_cv)
    predict_ours, predict_cv = min(preds_ours), min(preds_cv)

    # --- the same alternating rounds with ONE thread each (BLAS for skemotion, cv2 for
    # OpenCV): the like-for-like number, and less sensitive to other jobs on the shared
    # cores ---
    cv_threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    fits_ours_1, fits_cv_1 = [], []
    with threadpool_limits(limits=1):
        for _ in range(ROUNDS):
            t = time.perf_counter()
            FisherFaceClassifier().fit(X_train, y_train)
            fits_ours_1.append(time.perf_counter() - t)
            recognizer1 = cv2.face.FisherFaceRecognizer_create()
            t = time.perf_counter()
            recognizer1.train(list(train_u8), y_train.astype(np.int32))
            fits_cv_1.append(time.perf_counter() - t)
    cv2.setNumThreads(cv_threads)
    fit_ours_1, fit_cv_1 = min(fits_ours_1), min(fits_cv_1)

    agree = np.mean(pred_ours == pred_cv)
    load = " ".join(f"{v:.1f}" for v in os.getloadavg())
    print()
    print(f"best of {ROUNDS} alternating rounds; all fit times (s): skemotion "
          f"{', '.join(f'{v:.2f}' for v in fits_ours)}; OpenCV "
          f"{', '.join(f'{v:.2f}' for v in fits_cv)}; with 1 thread each: skemotion "
          f"{', '.join(f'{v:.2f}' for v in fits_ours_1)}; OpenCV "
          f"{', '.join(f'{v:.2f}' for v in fits_cv_1)}; load average now {load}")
    print(f"{'':24s}{'skemotion':>12s}{'OpenCV':>12s}{'ratio':>10s}")
    print(f"{'fit (s)':24s}{fit_ours:12.2f}{fit_cv:12.2f}{fit_cv / fit_ours:9.1f}x")
    print(f"{'fit, 1 thread each (s)':24s}{fit_ours_1:12.2f}{fit_cv_1:12.2f}"
          f"{fit_cv_1 / fit_ours_1:9.1f}x")
    print(f"{'predict 200 images (s)':24s}{predict_ours:12.3f}{predict_cv:12.3f}"
          f"{predict_cv / predict_ours:9.1f}x")
    print(f"{'accuracy':24s}{np.mean(pred_ours == y_test):12.3f}{np.mean(pred_cv == y_test):12.3f}")
    print()
    print(f"agreement of predictions with OpenCV: {100 * agree:.1f} % "
          f"({int(np.sum(pred_ours == pred_cv))}/{N_TEST})")
    print(f"skemotion fit memory: tracemalloc peak {traced_peak / 2**20:.0f} MiB "
          f"({traced_peak / 2**20 / data_mib:.2f}x the training matrix), peak RSS growth "
          f"{rss_ours:.0f} MiB ({rss_ours / data_mib:.2f}x)")
    print(f"OpenCV train peak RSS growth beyond that: {rss_cv:.0f} MiB "
          f"({rss_cv / data_mib:.2f}x the float32 training matrix)")


def accuracy_on_london():
    london = load_frl_london()
    y = np.asarray(london.target)
    groups = np.asarray(london.groups)
    print()
    print("London neutral vs happy, 10 subject-grouped splits (20 % of subjects held out)")
    print(f"{'crop':>8s}{'skemotion':>16s}{'OpenCV':>16s}{'agreement':>11s}{'PCA+LDA':>16s}")
    for size in (350, 64):
        X = FaceCropper(detector="haar", output_size=(size, size),
                        on_missing="full_image").transform(
            london.images
        )
        images = X.reshape(-1, size, size).astype(np.uint8)
        cv = StratifiedGroupShuffleSplit(n_splits=10, test_size=0.2, random_state=0)
        ours, theirs, agree, base = [], [], [], []
        for train, test in cv.split(X, y, groups):
            clf = FisherFaceClassifier().fit(X[train], y[train])
            rec = cv2.face.FisherFaceRecognizer_create()
            rec.train(list(images[train]), np.searchsorted(clf.classes_, y[train]).astype(np.int32))
            pred_cv = clf.classes_[[rec.predict(im)[0] for im in images[test]]]
            pred = clf.predict(X[test])
            ours.append(np.mean(pred == y[test]))
            theirs.append(np.mean(pred_cv == y[test]))
            agree.append(np.mean(pred == pred_cv))
            base.append(make_pca_lda().fit(X[train], y[train]).score(X[test], y[test]))
        fmt = lambda v: f"{np.mean(v):.3f} +- {np.std(v):.3f}"  # noqa: E731
        print(f"{size:>5d}px{fmt(ours):>16s}{fmt(theirs):>16s}{100 * np.mean(agree):>10.1f}%"
              f"{fmt(base):>16s}")


if __name__ == "__main__":
    main()
    accuracy_on_london()
