"""VideoEmotionRecognizer vs the naive video loop a user would write.

The naive loop (what a user who has a trained model writes first)::

    capture = cv2.VideoCapture(path)
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        try:
            label = model.predict([frame])[0]     # full detection + eyes on every frame
        except ValueError:                         # no face (or several)
            label = None

against ``VideoEmotionRecognizer(model)`` with its defaults (full detection every 10th
frame, local tracking in between) and with ``detect_every=1`` (a full detection in every
frame: what tracking saves), on the same file, one after the other in one run, each
with one OpenCV thread and one BLAS thread.

The video: 640x480 at 25 fps, made from the London photos (CC BY 4.0) with
``skemotion.video._synthetic.make_london_video``: one person at a time, their photo
(240 px, the face about 120 px wide) gliding across a textured background at 40 px/s,
2 s neutral then 2 s smiling, 10 people: 1,000 frames. The model is ``hog_logreg_flip``
trained on all 204 London photos (the labels are compared between the two loops, so
training on the people in the video does not flatter either side).

Printed: frames per second (reading included) of wall time and of CPU time (the process's
CPU seconds, which the machine's other jobs inflate far less than wall time: the 2 cores are
shared, so wall-time rates vary from run to run, the ratios measured side by side do not),
per-frame latency (median and 99th
percentile, reading included), how often the raw labels agree on the frames where both
loops see exactly one face, and the resident memory over a 10,000-frame run (the video
read 10 times in one recognizer run).

Run from the repository root: ``python benchmarks/bench_video.py`` (about 2 minutes).
"""

import argparse
import os
import sys
import tempfile
import time

import cv2
import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from _run_info import run_header  # noqa: E402

from skemotion.datasets import load_frl_london  # noqa: E402
from skemotion.pipelines import make_named_pipeline  # noqa: E402
from skemotion.video import VideoEmotionRecognizer  # noqa: E402
from skemotion.video._synthetic import make_london_video  # noqa: E402


def rss_mib():
    """Current resident memory of this process in MiB (Linux /proc)."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def naive_loop(model, path):
    labels, latencies = [], []
    capture = cv2.VideoCapture(path)
    start, cpu = time.perf_counter(), time.process_time()
    while True:
        t0 = time.perf_counter()
        ok, frame = capture.read()
        if not ok:
            break
        try:
            label = model.predict([frame])[0]
        except ValueError:
            label = None
        labels.append(label)
        latencies.append(time.perf_counter() - t0)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    capture.release()
    return labels, np.asarray(latencies), (seconds, cpu)


def recognizer_loop(model, source, **params):
    recognizer = VideoEmotionRecognizer(model, **params)
    labels, n_faces, latencies = [], [], []
    start = t0 = time.perf_counter()
    cpu = time.process_time()
    for result in recognizer.process(source):
        now = time.perf_counter()
        latencies.append(now - t0)
        labels.append(result.faces[0].raw_label if len(result.faces) == 1 else None)
        n_faces.append(len(result.faces))
        t0 = time.perf_counter()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return labels, np.asarray(n_faces), np.asarray(latencies), (seconds, cpu), recognizer


def repeated_frames(path, times):
    """The video's frames, ``times`` times over (one long source for the memory run)."""
    for _ in range(times):
        capture = cv2.VideoCapture(path)
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            yield frame
        capture.release()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=10, help="people in the video (4 s each)")
    parser.add_argument("--memory-repeats", type=int, default=10,
                        help="times the video is read in the memory run")
    parser.add_argument("--pipeline", default="hog_logreg_flip")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    london = load_frl_london()
    print(run_header(len(london.target), len(set(london.groups)),
                     ", one OpenCV thread, one BLAS thread"))
    with threadpool_limits(limits=1), tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        model = make_named_pipeline(args.pipeline).fit(london.images, london.target)
        print(f"trained {args.pipeline} on {len(london.target)} photos in "
              f"{time.perf_counter() - t0:.1f} s")
        path = os.path.join(tmp, "london.mp4")
        scenes = []
        for subject in range(args.people):
            scenes += [(2.0, [(subject, "neutral")]), (2.0, [(subject, "happy")])]
        truth = make_london_video(path, scenes, london=london)
        n = len(truth)
        print(f"video: {n} frames, 640x480, 25 fps, {args.people} people, one at a time\n")

        naive, naive_lat, naive_s = naive_loop(model, path)
        ours, ours_faces, ours_lat, ours_s, rec = recognizer_loop(model, path)
        every, every_faces, every_lat, every_s, _ = recognizer_loop(model, path,
                                                                    detect_every=1)
        assert len(naive) == len(ours) == len(every) == n, (len(naive), len(ours), n)

        def row(name, times, lat, extra=""):
            seconds, cpu = times
            print(f"| {name} | {n / seconds:7.1f} | {n / cpu:7.1f} | "
                  f"{1000 * np.median(lat):6.2f} | {1000 * np.percentile(lat, 99):6.2f} | "
                  f"{extra} |")

        print("| loop | frames/s | frames per CPU s | median ms/frame | p99 ms/frame | "
              "full detections |")
        print("|---|---:|---:|---:|---:|---|")
        row("naive: `model.predict([frame])` per frame", naive_s, naive_lat, f"{n} (every frame)")
        row("VideoEmotionRecognizer, defaults (detect_every=10)", ours_s, ours_lat,
            f"{rec.n_detections_}")
        row("VideoEmotionRecognizer, detect_every=1", every_s, every_lat, f"{n}")
        print()
        print(f"speed-up over the naive loop, wall time: defaults {naive_s[0] / ours_s[0]:.1f}x, "
              f"detect_every=1 {naive_s[0] / every_s[0]:.1f}x; CPU time: defaults "
              f"{naive_s[1] / ours_s[1]:.1f}x, detect_every=1 {naive_s[1] / every_s[1]:.1f}x")

        def agreement(labels, faces, name):
            both = [i for i in range(n) if naive[i] is not None and faces[i] == 1]
            same = sum(naive[i] == labels[i] for i in both)
            naive_only = sum(1 for i in range(n) if naive[i] is not None and faces[i] == 0)
            ours_only = sum(1 for i in range(n) if naive[i] is None and faces[i] >= 1)
            print(f"{name}: raw labels agree with the naive loop on {same} of {len(both)} "
                  f"frames where both see one face ({100 * same / max(len(both), 1):.1f}%); "
                  f"face only in the naive loop: {naive_only} frames, only here: {ours_only}")

        agreement(ours, ours_faces, "defaults")
        agreement(every, every_faces, "detect_every=1")
        truth_labels = [row_[0][2] if row_ else None for row_ in truth]
        for name, labels in (("naive", naive), ("defaults", ours)):
            seen = [i for i in range(n) if labels[i] is not None]
            right = sum(labels[i] == truth_labels[i] for i in seen)
            print(f"{name}: raw label = the photo's expression on {right} of {len(seen)} "
                  f"frames with a face (model trained on these photos: a sanity check)")

        # memory: one recognizer run over the video read `memory_repeats` times
        recognizer = VideoEmotionRecognizer(model)
        samples = []
        start = time.perf_counter()
        for result in recognizer.process(repeated_frames(path, args.memory_repeats)):
            if result.index % 1000 == 999 or result.index == 0:
                samples.append((result.index + 1, rss_mib()))
        seconds = time.perf_counter() - start
        total = result.index + 1
        print(f"\nmemory over a {total}-frame run ({total / seconds:.0f} frames/s): resident "
              "MiB after " + ", ".join(f"{k}: {m:.1f}" for k, m in samples))
        if len(samples) > 2:
            print(f"growth from frame 1,000 to {samples[-1][0]:,}: "
                  f"{samples[-1][1] - samples[1][1]:+.1f} MiB (after the first frame: "
                  f"{samples[0][1]:.1f})")


if __name__ == "__main__":
    main()
