"""FaceCropper vs the van Gent tutorial's face-finding loop, on the 204 London images.

Prints, measured side by side in one run:

1. throughput and faces found: a faithful reimplementation of the tutorial's loop (all
   four cascades on every full-size image, scaleFactor 1.1, minNeighbors 10, minSize 5x5,
   a face counts when a cascade finds exactly one, crop + resize to 350x350) against
   ``FaceCropper()`` with its defaults, both single process and single OpenCV thread,
   both reading the image files;
2. ``FaceCropper(n_jobs=2)`` against ``n_jobs=1``;
3. GridSearchCV-style repeated splits (10 shuffled train/test splits, each transforming
   its train and test images, as a Pipeline in GridSearchCV does) with and without
   ``memory``: the first cached split fills the cache, later ones only read it.

The machine's 2 cores are shared with other engineers' jobs, so absolute times vary
between runs; the ratios (both sides measured in the same run) are what count.

Run from the repository root: ``python benchmarks/bench_face_cropper.py``.
"""

import os
import sys
import tempfile
import time

import cv2
import numpy as np
from sklearn.model_selection import ShuffleSplit

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from skemotion import FaceCropper  # noqa: E402
from skemotion.datasets import load_frl_london  # noqa: E402

TUTORIAL_CASCADES = [
    "haarcascade_frontalface_default.xml",
    "haarcascade_frontalface_alt2.xml",
    "haarcascade_frontalface_alt.xml",
    "haarcascade_frontalface_alt_tree.xml",
]


def tutorial_crop(files, cascades):
    """The tutorial's detect_faces loop (without writing the crops to disk)."""
    crops, found = [], 0
    for f in files:
        frame = cv2.imread(str(f))
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        faces = [
            c.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=10, minSize=(5, 5),
                               flags=cv2.CASCADE_SCALE_IMAGE)
            for c in cascades
        ]
        facefeatures = ""
        for face in faces:
            if len(face) == 1:
                facefeatures = face
                break
        out = None
        for (x, y, w, h) in facefeatures:
            out = cv2.resize(gray[y : y + h, x : x + w], (350, 350))
            found += 1
        crops.append(out)
    return crops, found


class Clock:
    """Accumulates wall-clock and process CPU time over several timed blocks."""

    def __init__(self):
        self.wall = self.cpu = 0.0

    def __call__(self, fn):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        self.wall += time.perf_counter() - wall
        self.cpu += time.process_time() - cpu
        return result


def main():
    cv2.setNumThreads(1)  # one OpenCV thread for both sides: "single process" means one core
    london = load_frl_london()
    files = [str(f) for f in london.filenames]
    n = len(files)
    print(f"{n} London images (350x350), OpenCV {cv2.__version__}, cv2 threads = 1, "
          f"{os.cpu_count()} CPUs shared with other jobs "
          f"(load average at start {os.getloadavg()[0]:.1f})\n")

    cascades = [cv2.CascadeClassifier(cv2.data.haarcascades + c) for c in TUTORIAL_CASCADES]
    cropper = FaceCropper(on_missing="full_image")
    cropper.transform(files[:1])  # load FaceCropper's cascades too (once per process)

    # 1. tutorial vs FaceCropper, interleaved in blocks so both see the same machine load
    tut, fc = Clock(), Clock()
    found_tut = 0
    for a in range(0, n, 12):
        block = files[a : a + 12]
        found_tut += tut(lambda: tutorial_crop(block, cascades))[1]
        fc(lambda: cropper.transform(block))
    found_fc = sum(d.found for d in FaceCropper().detect(files))
    print("1. Face finding + 350x350 crops, single process, interleaved blocks of 12 images")
    print(f"   {'':34s} {'images/s':>9s} {'ms/image':>9s} {'CPU ms/image':>13s} "
          f"{'faces found':>12s}")
    for name, clock, found in [("tutorial loop (4 cascades, 5x5)", tut, found_tut),
                               ("FaceCropper() defaults", fc, found_fc)]:
        print(f"   {name:34s} {n / clock.wall:9.1f} {1000 * clock.wall / n:9.1f} "
              f"{1000 * clock.cpu / n:13.1f} {found:>8d}/{n}")
    print(f"   throughput ratio FaceCropper / tutorial: {tut.wall / fc.wall:.1f}x wall-clock, "
          f"{tut.cpu / fc.cpu:.1f}x CPU time (target >= 10x, faces found >= tutorial's)\n")

    # 2. n_jobs, alternating runs; best of 3 each
    one = FaceCropper(on_missing="full_image", n_jobs=1)
    two = FaceCropper(on_missing="full_image", n_jobs=2)
    two.transform(files[:8])  # load the second thread's cascades
    walls, cores = {1: [], 2: []}, {1: [], 2: []}
    for _ in range(3):
        for jobs, est in [(1, one), (2, two)]:
            clock = Clock()
            clock(lambda: est.transform(files))
            walls[jobs].append(clock.wall)
            cores[jobs].append(clock.cpu / clock.wall)
    t1, t2 = min(walls[1]), min(walls[2])
    print("2. FaceCropper n_jobs (threads; OpenCV releases the GIL), best of 3 alternating runs")
    print(f"   n_jobs=1: {n / t1:7.1f} images/s   n_jobs=2: {n / t2:7.1f} images/s   "
          f"ratio {t1 / t2:.2f}x (ideal 2x on 2 idle cores; load average now "
          f"{os.getloadavg()[0]:.1f})")
    print(f"   CPU time / wall time (cores this process got): n_jobs=1 {max(cores[1]):.2f}, "
          f"n_jobs=2 {max(cores[2]):.2f}\n")

    # 3. cached repeated splits ----------------------------------------------------------
    images = london.images  # in memory, as GridSearchCV usually gets them
    splits = list(ShuffleSplit(n_splits=10, test_size=0.2, random_state=0).split(images))
    print("3. GridSearchCV-style: 10 splits, each transforming its train and test images")
    for output_size in [(350, 350), (64, 64)]:
        with tempfile.TemporaryDirectory() as folder:
            plain = FaceCropper(output_size=output_size, on_missing="full_image")
            cached = FaceCropper(output_size=output_size, on_missing="full_image", memory=folder)
            times = {"uncached": [], "cached": []}
            for train, test in splits:
                for name, est in [("uncached", plain), ("cached", cached)]:
                    start = time.perf_counter()
                    a = est.fit_transform([images[i] for i in train])
                    b = est.transform([images[i] for i in test])
                    times[name].append(time.perf_counter() - start)
                    assert len(a) + len(b) == n
            unc = np.mean(times["uncached"])
            first, later = times["cached"][0], np.mean(times["cached"][1:])
            size = f"{output_size[0]}x{output_size[1]}"
            print(f"   output {size}: uncached {1000 * unc:6.0f} ms/split | cached: split 1 "
                  f"{1000 * first:6.0f} ms, splits 2-10 {1000 * later:5.0f} ms/split | "
                  f"later splits {unc / later:.1f}x faster than uncached (target >= 10x)")


if __name__ == "__main__":
    main()
