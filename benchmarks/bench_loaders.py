"""Loading ~1,000 small images: skemotion's single-scan loaders against glob-based loops.

Builds, in a temporary folder, a CK+-layout tree of 14 subjects x 4 sequences x 18 frames
= 1,008 PNGs of 64x64 (the real CK+ averages 18 frames per sequence; 3 of the 4 sequences
labelled) and a sorted ``<emotion>/`` folder holding all 1,008 frames, then times, side by
side in one run (best of 3):

- ``load_ckplus`` (each folder listed once with os.scandir, only chosen frames decoded)
  against
  * "naive per-file glob": for every image file, glob its label folder and its sequence
    folder to decide whether it is a labelled sequence's first or last frame;
  * "tutorial per-sequence glob": the van Gent script's loop (glob per label folder, glob
    the sequence's images, sorted) - fast, listed for honesty;
- ``load_image_folder`` (all 1,008 images decoded) against a plain ``glob`` +
  ``cv2.imread`` loop over the sorted folder.

Every reference must return the same files as skemotion (checked). Run from the
repository root: ``python benchmarks/bench_loaders.py``.
"""

import glob
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _run_info import benchmark_parser  # noqa: E402 (benchmarks/, the script's own folder)

from skemotion import CKPLUS_EMOTIONS  # noqa: E402
from skemotion.datasets import (  # noqa: E402
    load_ckplus,
    load_frl_london,
    load_image_folder,
)

N_SUBJECTS, N_SEQUENCES, N_FRAMES, SIZE = 14, 4, 18, 64


def build_tree(root):
    london = load_frl_london()
    faces = [cv2.resize(cv2.cvtColor(im, cv2.COLOR_BGR2GRAY), (SIZE, SIZE),
                        interpolation=cv2.INTER_AREA) for im in london.images]
    code = 0
    for i in range(N_SUBJECTS):
        subject = f"S{i + 1:03d}"
        for j in range(N_SEQUENCES):
            seq = f"{j + 1:03d}"
            seq_dir = root / "cohn-kanade-images" / subject / seq
            seq_dir.mkdir(parents=True)
            for n in range(1, N_FRAMES + 1):
                image = faces[(i * 7 + j * 3 + n) % len(faces)]
                cv2.imwrite(str(seq_dir / f"{subject}_{seq}_{n:08d}.png"), image)
            label_dir = root / "Emotion" / subject / seq
            label_dir.mkdir(parents=True)
            if j < N_SEQUENCES - 1:
                code = code % 7 + 1
                (label_dir / f"{subject}_{seq}_{N_FRAMES:08d}_emotion.txt").write_text(
                    f"   {float(code):.7e}\n")


def build_sorted(root, out):
    """Copy every frame of the CK+ tree into out/<emotion>/, emotions taken in turn."""
    frames = sorted(glob.glob(os.path.join(root, "cohn-kanade-images", "*", "*", "*.png")))
    for k, path in enumerate(frames):
        folder = out / CKPLUS_EMOTIONS[k % len(CKPLUS_EMOTIONS)]
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, folder / os.path.basename(path))


def naive_per_file_glob(root):
    """For each image file: glob its label folder and its sequence folder."""
    paths, target = [], []
    for path in sorted(glob.glob(os.path.join(root, "cohn-kanade-images", "*", "*", "*.png"))):
        seq_dir = os.path.dirname(path)
        subject, seq = seq_dir.split(os.sep)[-2:]
        labels = glob.glob(os.path.join(root, "Emotion", subject, seq, "*.txt"))
        if not labels:
            continue
        frames = sorted(glob.glob(os.path.join(seq_dir, "*.png")))
        with open(labels[0]) as f:
            label = CKPLUS_EMOTIONS[int(float(f.read()))]
        if path == frames[0]:
            paths.append(path)
            target.append("neutral")
        if path == frames[-1]:
            paths.append(path)
            target.append(label)
    images = [cv2.imread(p, cv2.IMREAD_UNCHANGED) for p in paths]
    return images, paths, target


def tutorial_per_sequence_glob(root):
    """The tutorial's loop: glob label folders, then each labelled sequence's images."""
    paths, target = [], []
    for subject_dir in sorted(glob.glob(os.path.join(root, "Emotion", "*"))):
        for seq_dir in sorted(glob.glob(os.path.join(subject_dir, "*"))):
            for label_file in glob.glob(os.path.join(seq_dir, "*.txt")):
                subject, seq = seq_dir.split(os.sep)[-2:]
                with open(label_file) as f:
                    label = CKPLUS_EMOTIONS[int(float(f.read()))]
                frames = sorted(glob.glob(os.path.join(root, "cohn-kanade-images",
                                                       subject, seq, "*.png")))
                paths += [frames[0], frames[-1]]
                target += ["neutral", label]
    images = [cv2.imread(p, cv2.IMREAD_UNCHANGED) for p in paths]
    return images, paths, target


def glob_folder(root):
    paths, target = [], []
    for emotion_dir in sorted(glob.glob(os.path.join(root, "*"))):
        for path in sorted(glob.glob(os.path.join(emotion_dir, "*"))):
            paths.append(path)
            target.append(os.path.basename(emotion_dir))
    images = [cv2.imread(p, cv2.IMREAD_UNCHANGED) for p in paths]
    return images, paths, target


def best_of(fn, *args, repeat=3):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn(*args)
        times.append(time.perf_counter() - start)
    return min(times), out


def main(argv=None):
    parser = benchmark_parser(__doc__, "python benchmarks/bench_loaders.py")
    parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="skemotion-bench-"))
    try:
        root = tmp / "CK+"
        build_tree(root)
        n_files = len(glob.glob(str(root / "cohn-kanade-images" / "*" / "*" / "*.png")))
        sorted_dir = tmp / "sorted_set"
        build_sorted(root, sorted_dir)

        t_ck, ck = best_of(load_ckplus, root)
        t_naive, naive = best_of(naive_per_file_glob, root)
        t_tut, tut = best_of(tutorial_per_sequence_glob, root)
        for other in (naive, tut):
            assert sorted(zip(other[1], other[2])) == sorted(zip(ck.filenames, ck.target))
        t_folder, folder = best_of(load_image_folder, sorted_dir)
        t_globf, globf = best_of(glob_folder, sorted_dir)
        assert sorted(map(os.path.basename, globf[1])) == sorted(
            map(os.path.basename, folder.filenames))

        rows = [
            (f"CK+ tree, {n_files} files", "skemotion load_ckplus", t_ck, len(ck.images), t_ck),
            ("", "naive per-file glob", t_naive, len(naive[0]), t_ck),
            ("", "tutorial per-sequence glob", t_tut, len(tut[0]), t_ck),
            (f"sorted folder, {len(folder.images)} files", "skemotion load_image_folder",
             t_folder, len(folder.images), t_folder),
            ("", "glob + cv2.imread loop", t_globf, len(globf[0]), t_folder),
        ]
        print(f"{'data':<28} {'implementation':<30} {'seconds':>8} {'images':>7} "
              f"{'time / skemotion':>17}")
        for data, name, t, n, ref in rows:
            print(f"{data:<28} {name:<30} {t:>8.3f} {n:>7} {t / ref:>16.2f}x")
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
