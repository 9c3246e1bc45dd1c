"""FaceCropper vs the van Gent tutorial's face-finding loop, on the 204 London images.

Prints, measured side by side in one run:

1. throughput and faces found: a faithful reimplementation of the tutorial's loop (all
   four cascades on every full-size image, scaleFactor 1.1, minNeighbors 10, minSize 5x5,
   a face counts when a cascade finds exactly one, crop + resize to 350x350) against
   ``FaceCropper(detector="haar")`` (the cascades with their defaults), both single
   process and single OpenCV thread, both reading the image files;
2. ``FaceCropper(n_jobs=2)`` against ``n_jobs=1``;
3. GridSearchCV-style repeated splits (10 shuffled train/test splits, each transforming
   its train and test images, as a Pipeline in GridSearchCV does) with and without
   ``memory``: the first cached split fills the cache, later ones only read it;
4. (1) again on CK+-sized frames: 640x490 gray frames built in memory from the London
   photos (each photo scaled so its face box is 250-300 px wide, about a CK+ face, and
   pasted at a jittered place on a blurred copy of itself). They are synthetic, not CK+
   (which is licence-gated and not on this machine), and are never written to disk.
   Besides speed and faces found, it counts how often the crop covers the placed face:
   IoU >= 0.5 between the crop region and the face's known place in the frame (the
   tutorial's box on the 350x350 photo, scaled and shifted as the photo was).

The machine's 2 cores may be shared with other jobs, so absolute times vary
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

from _run_info import benchmark_parser  # noqa: E402 (benchmarks/, the script's own folder)

from skemotion import FaceCropper  # noqa: E402
from skemotion.datasets import load_frl_london  # noqa: E402

TUTORIAL_CASCADES = [
    "haarcascade_frontalface_default.xml",
    "haarcascade_frontalface_alt2.xml",
    "haarcascade_frontalface_alt.xml",
    "haarcascade_frontalface_alt_tree.xml",
]


def tutorial_crop(files, cascades):
    """The tutorial's detect_faces loop (without writing the crops to disk).

    ``files`` are image paths (read and converted to gray as the tutorial does) or
    2-D gray arrays already in memory. Returns the crops, the number of faces found
    and the box ``(x, y, w, h)`` of each image's face (None where none was found).
    """
    crops, found, boxes = [], 0, []
    for f in files:
        if isinstance(f, np.ndarray):
            gray = f
        else:
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
        out = box = None
        for (x, y, w, h) in facefeatures:
            out = cv2.resize(gray[y : y + h, x : x + w], (350, 350))
            found += 1
            box = (int(x), int(y), int(w), int(h))
        crops.append(out)
        boxes.append(box)
    return crops, found, boxes


FRAME_W, FRAME_H = 640, 490  # CK+ frame size
FACE_WIDTHS = (250, 300)  # face box width in a frame, about a CK+ face's


def ck_like_frames(photos, boxes, seed=0):
    """CK+-sized gray frames built in memory from 350x350 photos (synthetic, not CK+).

    Each photo is scaled so its face box (``boxes``, found on the photo) gets a width
    drawn from ``FACE_WIDTHS``, and pasted with the face centre at a jittered place
    near the middle of a 640x490 canvas filled with a blurred, stretched copy of the
    same photo; what sticks out of the canvas is cut off. Returns the frames and the
    face box in each frame (``boxes`` scaled and shifted as its photo was).
    """
    rng = np.random.default_rng(seed)
    frames, placed = [], []
    for photo, (bx, by, bw, bh) in zip(photos, boxes):
        gray = cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY)
        scale = rng.uniform(*FACE_WIDTHS) / bw
        size = round(gray.shape[1] * scale), round(gray.shape[0] * scale)
        interpolation = cv2.INTER_LINEAR if scale > 1 else cv2.INTER_AREA
        big = cv2.resize(gray, size, interpolation=interpolation)
        fx, fy, fw, fh = bx * scale, by * scale, bw * scale, bh * scale
        # where the face centre lands: near the middle, the whole face box inside the frame
        cx = rng.uniform(max(0.4 * FRAME_W, fw / 2 + 5), min(0.6 * FRAME_W, FRAME_W - fw / 2 - 5))
        cy = rng.uniform(max(0.4 * FRAME_H, fh / 2 + 5), min(0.6 * FRAME_H, FRAME_H - fh / 2 - 5))
        ox, oy = round(cx - fx - fw / 2), round(cy - fy - fh / 2)  # photo's top left in frame
        frame = cv2.GaussianBlur(cv2.resize(gray, (FRAME_W, FRAME_H)), (0, 0), 12)
        x0, y0 = max(ox, 0), max(oy, 0)
        x1, y1 = min(ox + size[0], FRAME_W), min(oy + size[1], FRAME_H)
        frame[y0:y1, x0:x1] = big[y0 - oy : y1 - oy, x0 - ox : x1 - ox]
        frames.append(frame)
        placed.append((fx + ox, fy + oy, fw, fh))
    return frames, placed


def crop_region(box, margin=0.0):
    """The region FaceCropper crops for a detected box with a square output: the box
    grown by ``margin``, then to a square about the same centre."""
    x, y, w, h = box
    side = max(w, h) * (1 + 2 * margin)
    return (x + w / 2 - side / 2, y + h / 2 - side / 2, side, side)


def iou(a, b):
    """Intersection over union of two ``(x, y, w, h)`` boxes."""
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


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


def race(items, cascades, cropper, block_size=12):
    """Tutorial loop vs ``cropper`` on ``items``, interleaved in blocks (same machine load).

    Returns the two Clocks, the tutorial's face count and its box per item.
    """
    tut, fc = Clock(), Clock()
    found_tut, boxes = 0, []
    for a in range(0, len(items), block_size):
        block = items[a : a + block_size]
        _, block_found, block_boxes = tut(lambda: tutorial_crop(block, cascades))
        found_tut += block_found
        boxes += block_boxes
        fc(lambda: cropper.transform(block))
    return tut, fc, found_tut, boxes


def main(argv=None):
    parser = benchmark_parser(__doc__, "python benchmarks/bench_face_cropper.py")
    parser.parse_args(argv)
    cv2.setNumThreads(1)  # one OpenCV thread for both sides: "single process" means one core
    london = load_frl_london()
    files = [str(f) for f in london.filenames]
    n = len(files)
    print(f"{n} London images (350x350), OpenCV {cv2.__version__}, cv2 threads = 1, "
          f"{os.cpu_count()} CPUs shared with other jobs "
          f"(load average at start {os.getloadavg()[0]:.1f})\n")

    cascades = [cv2.CascadeClassifier(cv2.data.haarcascades + c) for c in TUTORIAL_CASCADES]
    cropper = FaceCropper(detector="haar", on_missing="full_image")
    cropper.transform(files[:1])  # load FaceCropper's cascades too (once per process)

    # 1. tutorial vs FaceCropper, interleaved in blocks so both see the same machine load;
    # the tutorial's face boxes on the photos are part 4's reference
    tut, fc, found_tut, photo_boxes = race(files, cascades, cropper)
    found_fc = sum(d.found for d in FaceCropper(detector="haar").detect(files))
    print("1. Face finding + 350x350 crops, single process, interleaved blocks of 12 images")
    print(f"   {'':34s} {'images/s':>9s} {'ms/image':>9s} {'CPU ms/image':>13s} "
          f"{'faces found':>12s}")
    for name, clock, found in [("tutorial loop (4 cascades, 5x5)", tut, found_tut),
                               ("FaceCropper(detector='haar')", fc, found_fc)]:
        print(f"   {name:34s} {n / clock.wall:9.1f} {1000 * clock.wall / n:9.1f} "
              f"{1000 * clock.cpu / n:13.1f} {found:>8d}/{n}")
    print(f"   throughput ratio FaceCropper / tutorial: {tut.wall / fc.wall:.1f}x wall-clock, "
          f"{tut.cpu / fc.cpu:.1f}x CPU time (target >= 10x, faces found >= tutorial's)\n")

    # 2. n_jobs, alternating runs; best of 3 each
    one = FaceCropper(detector="haar", on_missing="full_image", n_jobs=1)
    two = FaceCropper(detector="haar", on_missing="full_image", n_jobs=2)
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
            plain = FaceCropper(detector="haar", output_size=output_size,
                                on_missing="full_image")
            cached = FaceCropper(detector="haar", output_size=output_size,
                                 on_missing="full_image", memory=folder)
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

    # 4. tutorial vs FaceCropper on CK+-sized frames (synthetic, in memory) --------------
    keep = [i for i, box in enumerate(photo_boxes) if box is not None]
    frames, placed = ck_like_frames([images[i] for i in keep], [photo_boxes[i] for i in keep])
    m = len(frames)
    tut, fc, found_tut, tut_boxes = race(frames, cascades, cropper)
    fc_boxes = [d.box for d in FaceCropper(detector="haar").detect(frames)]
    found_fc = sum(box is not None for box in fc_boxes)
    print(f"\n4. CK+-sized frames: {m} synthetic {FRAME_W}x{FRAME_H} gray frames in memory "
          f"(London photos scaled to a {FACE_WIDTHS[0]}-{FACE_WIDTHS[1]} px face box on a blurred "
          "background; not CK+),")
    print("   face finding + 350x350 crops, single process, interleaved blocks of 12 frames")
    print(f"   {'':34s} {'images/s':>9s} {'ms/image':>9s} {'CPU ms/image':>13s} "
          f"{'faces found':>12s} {'crop covers face':>17s}")
    for name, clock, found, boxes in [
        ("tutorial loop (4 cascades, 5x5)", tut, found_tut, tut_boxes),
        ("FaceCropper(detector='haar')", fc, found_fc, fc_boxes),
    ]:
        # the tutorial crops its box; FaceCropper the box squared (margin 0, square output)
        covers = sum(box is not None and iou(crop_region(box), ref) >= 0.5
                     for box, ref in zip(boxes, placed))
        print(f"   {name:34s} {m / clock.wall:9.1f} {1000 * clock.wall / m:9.1f} "
              f"{1000 * clock.cpu / m:13.1f} {found:>8d}/{m} {covers:>13d}/{m}")
    print(f"   throughput ratio FaceCropper / tutorial: {tut.wall / fc.wall:.1f}x wall-clock, "
          f"{tut.cpu / fc.cpu:.1f}x CPU time ('crop covers face': IoU >= 0.5 with the face's "
          "known place in the frame)")


if __name__ == "__main__":
    main()
