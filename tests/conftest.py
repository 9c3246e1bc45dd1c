"""Shared fixtures: the embedded London set, and small data built in tmp_path."""

import matplotlib
import pytest

matplotlib.use("Agg")  # plots render headless in tests


@pytest.fixture(scope="session")
def london():
    """The embedded Face Research Lab London Set (204 images, neutral/happy)."""
    from skemotion.datasets import load_frl_london

    return load_frl_london()


def _write_image(path, image):
    """cv2.imwrite that works with any (Unicode) path."""
    import cv2

    ok, buf = cv2.imencode(path.suffix, image)
    assert ok, path
    buf.tofile(str(path))


@pytest.fixture(scope="session")
def make_ckplus_tree(london):
    """Factory building a small CK+-layout tree from London images.

    ``root, expected = make_ckplus_tree(root, *, naming="original", n_subjects=4,
    sequences_per_subject=3, image_size=64, seed=0)``

    - ``naming="original"`` writes ``root/cohn-kanade-images`` + ``root/Emotion``;
      ``"tutorial"`` writes ``root/source_images`` + ``root/source_emotion``.
    - Subjects ``S005, S010, ...``; each has ``sequences_per_subject`` labelled sequences
      (``001, 002, ...``) plus one unlabelled sequence (the next number; its label folder
      exists but is empty for even subjects and is missing for odd ones, as both occur).
    - Labelled sequences have 3-6 frames numbered ``1, 2, ..., k`` and a peak frame numbered
      ``k + 8`` (so the numbering has a gap and crosses 9 -> 10); all files are written in
      shuffled order. Every frame has distinct pixels (the frame number is stamped into the
      top-left corner), so a middle frame can never pass for the peak.
    - Images are gray uint8 PNGs of ``image_size`` (int or (h, w)), made from the London
      subject's neutral photo (frames before the peak) and smiling photo (the peak).
    - Labels cycle through the CK+ codes 1..7 (anger .. surprise); label files hold text such
      as ``"   3.0000000e+00"`` and are named after the peak frame.

    ``expected`` is a Bunch: ``labels`` (dict sequence id ``"S005/001"`` -> emotion, in
    subject/sequence order), ``subjects`` (subject ids), ``first_frames`` / ``peak_frames``
    (dict sequence -> frame number), ``first_files`` / ``peak_files`` (dict sequence -> path),
    ``label_files`` (dict sequence -> path), ``unlabelled`` (list of sequence ids),
    ``images_dir`` and ``labels_dir``.
    """
    import random
    from pathlib import Path

    import cv2
    import numpy as np
    from sklearn.utils import Bunch

    from skemotion import CKPLUS_EMOTIONS

    neutral_idx = [i for i, t in enumerate(london.target) if t == "neutral"]
    happy_by_subject = {g: i for i, (t, g) in enumerate(zip(london.target, london.groups))
                        if t == "happy"}

    def make(root, *, naming="original", n_subjects=4, sequences_per_subject=3,
             image_size=64, seed=0):
        root = Path(root)
        images_name, labels_name = {
            "original": ("cohn-kanade-images", "Emotion"),
            "tutorial": ("source_images", "source_emotion"),
        }[naming]
        images_dir, labels_dir = root / images_name, root / labels_name
        h, w = (image_size, image_size) if np.isscalar(image_size) else image_size
        rng = random.Random(seed)
        expected = Bunch(labels={}, subjects=[], first_frames={}, peak_frames={},
                         first_files={}, peak_files={}, label_files={}, unlabelled=[],
                         images_dir=images_dir, labels_dir=labels_dir)
        to_write = []
        code = 0
        for i in range(n_subjects):
            src = neutral_idx[i % len(neutral_idx)]
            face = cv2.resize(cv2.cvtColor(london.images[src], cv2.COLOR_BGR2GRAY), (w, h),
                              interpolation=cv2.INTER_AREA)
            happy = london.images[happy_by_subject.get(london.groups[src], src)]
            smile = cv2.resize(cv2.cvtColor(happy, cv2.COLOR_BGR2GRAY), (w, h),
                               interpolation=cv2.INTER_AREA)
            subject = f"S{5 * (i + 1):03d}"
            expected.subjects.append(subject)
            for j in range(sequences_per_subject + 1):
                seq = f"{j + 1:03d}"
                seq_id = f"{subject}/{seq}"
                k = 3 + (i + j) % 4
                numbers = list(range(1, k)) + [k + 8]
                seq_dir = images_dir / subject / seq
                seq_dir.mkdir(parents=True, exist_ok=True)
                for n in numbers:
                    image = (smile if n == numbers[-1] else face).copy()
                    image[:2, :4] = (n * 7 + j * 31 + i * 13) % 256  # distinct per frame
                    to_write.append((seq_dir / f"{subject}_{seq}_{n:08d}.png", image))
                label_dir = labels_dir / subject / seq
                if j == sequences_per_subject:  # the unlabelled sequence
                    expected.unlabelled.append(seq_id)
                    if i % 2 == 0:
                        label_dir.mkdir(parents=True, exist_ok=True)
                    continue
                code = code % 7 + 1
                label_dir.mkdir(parents=True, exist_ok=True)
                label_file = label_dir / f"{subject}_{seq}_{numbers[-1]:08d}_emotion.txt"
                label_file.write_text(f"   {float(code):.7e}\n")
                expected.labels[seq_id] = CKPLUS_EMOTIONS[code]
                expected.first_frames[seq_id] = numbers[0]
                expected.peak_frames[seq_id] = numbers[-1]
                expected.first_files[seq_id] = seq_dir / f"{subject}_{seq}_{numbers[0]:08d}.png"
                expected.peak_files[seq_id] = seq_dir / f"{subject}_{seq}_{numbers[-1]:08d}.png"
                expected.label_files[seq_id] = label_file
        rng.shuffle(to_write)
        for path, image in to_write:
            _write_image(path, image)
        return root, expected

    return make
