"""Tests of the CK+ loader, built on small CK+ trees made from London images in tmp_path."""

import os
import re
import shutil
import warnings
from collections import Counter
from pathlib import Path

import cv2
import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from skemotion import read_image
from skemotion.datasets import describe_dataset, load_ckplus, summarize_dataset
from skemotion.datasets import _base


@pytest.fixture
def ck_tree(tmp_path, make_ckplus_tree):
    return make_ckplus_tree(tmp_path / "CK+")


@pytest.mark.parametrize("naming", ["original", "tutorial"])
def test_load_ckplus_peak_and_first_frames(tmp_path, make_ckplus_tree, naming):
    root, expected = make_ckplus_tree(tmp_path, naming=naming)
    ck = load_ckplus(root)
    n = len(expected.labels)
    assert len(ck.images) == len(ck.target) == len(ck.filenames) == 2 * n
    # Samples come in subject/sequence order, each neutral image just before its peak.
    assert list(ck.sequences[1::2]) == list(expected.labels)
    assert list(ck.target[1::2]) == list(expected.labels.values())
    assert set(ck.target[0::2]) == {"neutral"}
    assert list(ck.sequences[0::2]) == list(expected.labels)
    assert ck.frames.dtype.kind == "i"
    assert ck.frames[1::2].tolist() == list(expected.peak_frames.values())
    assert ck.frames[0::2].tolist() == list(expected.first_frames.values())
    assert list(ck.filenames[1::2]) == [str(p) for p in expected.peak_files.values()]
    assert list(ck.filenames[0::2]) == [str(p) for p in expected.first_files.values()]
    assert list(ck.groups) == [s.split("/")[0] for s in ck.sequences]
    # The pixels are those of the chosen file (every frame's pixels differ).
    for image, name in zip(ck.images, ck.filenames):
        np.testing.assert_array_equal(image, read_image(name))
        assert image.dtype == np.uint8 and image.shape == (64, 64)
    assert sorted(ck.target_names) == sorted(set(expected.labels.values()) | {"neutral"})
    assert not any(s in expected.unlabelled for s in ck.sequences)
    assert ck.n_skipped == 0 and ck.skipped == []
    assert "Lucey" in ck.DESCR


def test_load_ckplus_neutral_options(ck_tree):
    root, expected = ck_tree
    per_subject = load_ckplus(root, neutral="per_subject")
    neutral = per_subject.target == "neutral"
    assert neutral.sum() == len(expected.subjects)
    assert sorted(per_subject.groups[neutral]) == expected.subjects
    # Each subject's neutral image is the first frame of its first labelled sequence.
    first_seq = {}
    for seq in expected.labels:
        first_seq.setdefault(seq.split("/")[0], seq)
    assert sorted(per_subject.filenames[neutral]) == sorted(
        str(expected.first_files[s]) for s in first_seq.values()
    )
    assert (~neutral).sum() == len(expected.labels)

    none = load_ckplus(root, neutral="none")
    assert list(none.target) == list(expected.labels.values())
    assert "neutral" not in none.target_names


def test_load_ckplus_emotions_subset_and_return_X_y(ck_tree):
    root, expected = ck_tree
    ck = load_ckplus(root, emotions="happiness, neutral")
    assert set(ck.target) == {"happy", "neutral"}
    n_happy = sum(v == "happy" for v in expected.labels.values())
    assert (ck.target == "happy").sum() == n_happy > 0
    assert (ck.target == "neutral").sum() == len(expected.labels)

    X, y = load_ckplus(root, neutral="none", emotions=["surprise", "anger"], return_X_y=True)
    assert len(X) == len(y) == sum(v in ("surprise", "anger") for v in expected.labels.values())
    assert set(y) == {"surprise", "anger"}

    with pytest.raises(ValueError, match="neutral='none'"):
        load_ckplus(root, neutral="none", emotions="neutral,happy")
    with pytest.raises(ValueError, match="Unknown emotion 'grumpy'"):
        load_ckplus(root, emotions="grumpy")
    with pytest.raises(InvalidParameterError, match="neutral"):
        load_ckplus(root, neutral="all")


def test_load_ckplus_requested_emotion_without_images(tmp_path, make_ckplus_tree):
    root, expected = make_ckplus_tree(tmp_path / "CK+", n_subjects=1, sequences_per_subject=2,
                                      image_size=32)
    absent = sorted({"anger", "contempt", "disgust", "fear", "happy", "sadness", "surprise"}
                    - set(expected.labels.values()))[0]
    with pytest.raises(ValueError, match=f"No images labelled {absent} in .*CK.*it has: "):
        load_ckplus(root, emotions=absent)
    # one of two requested emotions missing: a warning, not a silent drop
    with pytest.warns(UserWarning, match=f"No images labelled {absent} .*keeping only neutral"):
        only_neutral = load_ckplus(root, emotions=["neutral", absent])
    assert list(only_neutral.target) == ["neutral", "neutral"]


def test_load_ckplus_missing_root(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(FileNotFoundError, match=re.escape(str(missing))):
        load_ckplus(missing)


def test_load_ckplus_wrong_layout_says_expected_and_found(ck_tree):
    root, expected = ck_tree
    os.rename(expected.labels_dir, root / "Labels")
    with pytest.raises(ValueError) as info:
        load_ckplus(root)
    message = str(info.value)
    assert "'cohn-kanade-images/' and 'Emotion/'" in message
    assert "'source_images/' and 'source_emotion/'" in message
    assert "found cohn-kanade-images/, Labels/" in message


def test_load_ckplus_empty_root_and_hints(ck_tree, tmp_path):
    root, expected = ck_tree
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="found nothing"):
        load_ckplus(empty)
    # Pointing at the images folder itself: the error names the folder to pass.
    with pytest.raises(ValueError, match=re.escape(f"i.e. {root}")):
        load_ckplus(expected.images_dir)
    # Pointing one level too high.
    with pytest.raises(ValueError, match=re.escape(f"pass {root}")):
        load_ckplus(tmp_path)


def test_load_ckplus_without_label_files_where_ckplus_keeps_them(ck_tree, tmp_path):
    """Labels unpacked one folder too deep (Emotion/Emotion/S005/...), or none at all:
    an error naming the folder and what was found, not 0 images without a word."""
    import shutil

    root, expected = ck_tree
    labels = expected.labels_dir
    nested = labels / labels.name
    nested.mkdir()
    for entry in list(labels.iterdir()):
        if entry != nested:
            shutil.move(str(entry), str(nested / entry.name))
    with pytest.raises(ValueError) as info:
        load_ckplus(root)
    message = str(info.value)
    assert message.startswith(f"No labelled sequence in {labels}")
    assert f"first label file found is {labels.name}/{labels.name}/S" in message
    assert f"move the contents of {nested} up into {labels}" in message
    shutil.rmtree(nested)
    with pytest.raises(ValueError, match="it holds no label file at all"):
        load_ckplus(root)


def test_load_ckplus_ignores_clutter(ck_tree):
    root, expected = ck_tree
    before = load_ckplus(root)
    seq = next(iter(expected.labels))
    seq_dir = expected.peak_files[seq].parent
    # AppleDouble file with a higher frame number than the peak: hidden, must be ignored.
    (seq_dir / f"._{seq.replace('/', '_')}_00000099.png").write_bytes(b"\x00\x05\x16\x07")
    (seq_dir / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (seq_dir / "Thumbs.db").write_bytes(b"junk")
    (seq_dir / "notes.txt").write_text("not an image")
    (expected.label_files[seq].parent / ".DS_Store").write_bytes(b"junk")
    (expected.label_files[seq].parent / "._label_emotion.txt").write_text("9")
    (expected.labels_dir / "desktop.ini").write_text("[.ShellClassInfo]")
    (root / ".DS_Store").write_bytes(b"junk")
    (expected.images_dir / ".hidden_subject").mkdir()
    after = load_ckplus(root)
    assert list(after.filenames) == list(before.filenames)
    assert list(after.target) == list(before.target)


def test_load_ckplus_corrupt_image_raises_naming_it(ck_tree):
    root, expected = ck_tree
    peak = expected.peak_files[list(expected.labels)[2]]
    peak.write_bytes(b"this is not a png")
    with pytest.raises(ValueError, match=re.escape(str(peak))):
        load_ckplus(root)


def test_load_ckplus_corrupt_images_skipped_with_warning(ck_tree):
    root, expected = ck_tree
    seqs = list(expected.labels)
    bad = [expected.peak_files[seqs[0]], expected.first_files[seqs[3]]]
    for path in bad:
        path.write_bytes(b"")  # empty file
    with pytest.warns(UserWarning, match="Skipped 2 image file") as record:
        ck = load_ckplus(root, on_error="skip")
    message = str(record[0].message)
    assert all(str(path) in message for path in bad)
    assert record[0].filename == __file__  # the user's line, not the validate_params wrapper
    assert ck.skipped == [str(p) for p in bad] and ck.n_skipped == 2
    assert len(ck.images) == 2 * len(seqs) - 2
    assert not set(map(str, bad)) & set(ck.filenames)
    # Nothing misaligned: every remaining image is still the file it is named after.
    for image, name, frame in zip(ck.images, ck.filenames, ck.frames):
        np.testing.assert_array_equal(image, read_image(name))
        assert name.endswith(f"{frame:08d}.png")
    assert summarize_dataset(ck).n_skipped == 2
    assert "skipped files: 2" in describe_dataset(ck)


def test_load_ckplus_label_file_with_a_byte_order_mark(ck_tree):
    """A label file re-saved by an editor that adds a UTF-8 BOM still reads as its code."""
    root, expected = ck_tree
    seq = list(expected.labels)[1]
    text = expected.label_files[seq].read_text()
    expected.label_files[seq].write_bytes(b"\xef\xbb\xbf" + text.encode())
    ck = load_ckplus(root, neutral="none")
    assert dict(zip(ck.sequences, ck.target)) == expected.labels


@pytest.mark.parametrize(
    "content, match",
    [
        ("", "is empty"),
        ("   \n", "is empty"),
        ("happy", "not a number"),
        ("3.0 4.0", "not a number"),
        ("   8.0000000e+00", "expected a whole number from 0 to 7"),
        ("-1", "expected a whole number from 0 to 7"),
        ("2.5", "expected a whole number from 0 to 7"),
        ("nan", "expected a whole number from 0 to 7"),
    ],
)
def test_load_ckplus_bad_label_file(ck_tree, content, match):
    root, expected = ck_tree
    label_file = expected.label_files[list(expected.labels)[1]]
    label_file.write_text(content)
    with pytest.raises(ValueError, match=match) as info:
        load_ckplus(root)
    assert str(label_file) in str(info.value)


def test_load_ckplus_two_label_files(ck_tree):
    root, expected = ck_tree
    seq = list(expected.labels)[0]
    extra = expected.label_files[seq].parent / "copy_emotion.txt"
    extra.write_text("3")
    with pytest.raises(ValueError, match=f"{seq} has 2 label files"):
        load_ckplus(root)


@pytest.mark.parametrize("how", ["empty", "missing", "clutter_only"])
def test_load_ckplus_labelled_sequence_without_images(ck_tree, how):
    root, expected = ck_tree
    seq = list(expected.labels)[4]
    seq_dir = expected.peak_files[seq].parent
    for path in seq_dir.iterdir():
        path.unlink()
    if how == "missing":
        seq_dir.rmdir()
    elif how == "clutter_only":
        (seq_dir / "Thumbs.db").write_bytes(b"x")
    with pytest.raises(ValueError, match=f"Labelled sequence {seq} .* has no images") as info:
        load_ckplus(root)
    assert str(expected.label_files[seq]) in str(info.value)


def test_load_ckplus_image_without_frame_number(ck_tree):
    root, expected = ck_tree
    seq_dir = expected.peak_files[list(expected.labels)[0]].parent
    odd = seq_dir / "peak.png"
    cv2.imwrite(str(odd), np.zeros((8, 8), np.uint8))
    with pytest.raises(ValueError, match=re.escape(f"frame number from the image file {odd}")):
        load_ckplus(root)


def test_load_ckplus_duplicate_frame_number(ck_tree):
    root, expected = ck_tree
    peak = expected.peak_files[list(expected.labels)[0]]
    cv2.imwrite(str(peak.with_suffix(".jpg")), np.zeros((8, 8), np.uint8))
    with pytest.raises(ValueError, match="Two image files with frame number"):
        load_ckplus(root)


def test_load_ckplus_single_frame_sequence(ck_tree):
    root, expected = ck_tree
    seq = list(expected.labels)[0]
    peak = expected.peak_files[seq]
    for path in peak.parent.iterdir():
        if path != peak:
            path.unlink()
    with pytest.raises(ValueError, match=f"{seq} has a single frame"):
        load_ckplus(root)
    ck = load_ckplus(root, neutral="none")
    assert str(peak) in set(ck.filenames)


def test_load_ckplus_unicode_and_spaces_in_path(tmp_path, make_ckplus_tree):
    root, expected = make_ckplus_tree(
        tmp_path / "Données émotions 表情 2010", n_subjects=2, sequences_per_subject=1
    )
    ck = load_ckplus(root)
    assert list(ck.target[1::2]) == list(expected.labels.values())
    assert all("表情" in f for f in ck.filenames)


def test_load_ckplus_lists_each_folder_once(ck_tree, monkeypatch):
    """One os.scandir per folder on the walk: no per-file globbing or re-listing."""
    root, expected = ck_tree
    n_label_dirs = sum(1 for _ in os.walk(expected.labels_dir))
    calls = Counter()
    real_scandir = os.scandir

    def counting_scandir(path):
        calls[os.path.realpath(path)] += 1
        return real_scandir(path)

    monkeypatch.setattr(_base.os, "scandir", counting_scandir)
    ck = load_ckplus(root)
    assert len(ck.images) == 2 * len(expected.labels)
    assert max(calls.values()) == 1
    # root + every label folder + the image folders of labelled sequences, nothing else.
    assert sum(calls.values()) == 1 + n_label_dirs + len(expected.labels)


def test_load_ckplus_case_insensitive_folder_names(tmp_path, make_ckplus_tree):
    root, expected = make_ckplus_tree(tmp_path, n_subjects=2, sequences_per_subject=1)
    os.rename(expected.labels_dir, root / "emotion")
    assert len(load_ckplus(root, neutral="none").images) == len(expected.labels)


def test_load_ckplus_colour_and_16bit_frames(ck_tree):
    root, expected = ck_tree
    seqs = list(expected.labels)
    gray = read_image(expected.peak_files[seqs[0]])
    bgr = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    cv2.imwrite(str(expected.peak_files[seqs[0]]), bgr)
    cv2.imwrite(str(expected.peak_files[seqs[1]]), gray.astype(np.uint16) * 257)
    ck = load_ckplus(root, neutral="none")
    assert ck.images[0].shape == (64, 64, 3) and ck.images[0].dtype == np.uint8
    assert ck.images[1].dtype == np.uint8
    np.testing.assert_array_equal(ck.images[1], gray)


def test_load_ckplus_warns_when_peak_frame_is_missing(ck_tree):
    """The label file names the peak frame; if that file is gone, say so (no silent shift)."""
    root, expected = ck_tree
    seq = list(expected.labels)[2]
    expected.peak_files[seq].unlink()
    match = f"{seq}: label file names frame {expected.peak_frames[seq]}"
    with pytest.warns(UserWarning, match=match) as record:
        ck = load_ckplus(root, neutral="none")
    assert record[0].filename == __file__
    i = list(ck.sequences).index(seq)
    assert ck.frames[i] < expected.peak_frames[seq]
    assert ck.target[i] == expected.labels[seq]


def test_london_set_labels_subjects_and_metadata_agree_with_its_files(london):
    """The embedded set: each label is its file's folder and each subject its file's
    prefix, one neutral and one happy photo per person, per-person metadata identical on
    both photos, 350x350 BGR images; return_X_y gives the same images and labels."""
    from pathlib import Path

    from skemotion.datasets import load_frl_london

    assert len(london.images) == len(london.filenames) == len(london.target) == 204
    for path, label, subject in zip(london.filenames, london.target, london.groups):
        path = Path(path)
        assert path.is_file() and path.parent.name == label
        assert path.name.split("_")[0] == subject
    pairs = Counter(zip(london.groups, london.target))
    assert set(pairs.values()) == {1} and len(pairs) == 2 * len(set(london.groups)) == 204
    for field in ("gender", "age", "ethnicity"):
        per_person = {}
        for subject, value in zip(london.groups, london[field]):
            per_person.setdefault(subject, set()).add(value)
        assert all(len(values) == 1 for values in per_person.values()), field
    assert set(london.gender) <= {"female", "male"}
    assert all(a is None or 16 <= a <= 80 for a in london.age)
    assert all(img.shape == (350, 350, 3) and img.dtype == np.uint8 for img in london.images)
    assert "CC BY 4.0" in london.DESCR and "DeBruine" in london.DESCR
    root = Path(london.filenames[0]).parents[1]
    assert (root / "LICENSE.md").is_file() and (root / "README.md").is_file()
    images, target = load_frl_london(return_X_y=True)
    np.testing.assert_array_equal(np.asarray(target), np.asarray(london.target))
    assert all(np.array_equal(a, b) for a, b in zip(images, london.images))


# ----------------------------------------------------------------------------- references


def test_load_ckplus_references_come_from_another_recording_of_the_same_person(
        tmp_path, make_ckplus_tree):
    root, expected = make_ckplus_tree(tmp_path / "ck", n_subjects=3, sequences_per_subject=2)
    ck = load_ckplus(root, references=True)
    plain = load_ckplus(root)
    assert list(ck.filenames) == list(plain.filenames)  # every sample has a reference
    assert len(ck.references) == len(ck.images) == len(ck.reference_filenames)
    for path, ref, ref_path, seq, group in zip(ck.filenames, ck.references,
                                                ck.reference_filenames, ck.sequences, ck.groups):
        assert ref_path != path  # never the sample itself
        assert Path(ref_path).parts[-3] == group  # the same person
        ref_seq = "/".join(Path(ref_path).parts[-3:-1])
        assert ref_seq != seq  # another recording (each subject here has three)
        assert Path(ref_path).name == f"{ref_seq.replace('/', '_')}_{1:08d}.png"  # first frame
        np.testing.assert_array_equal(ref, cv2.imread(ref_path, cv2.IMREAD_UNCHANGED))
    # one decoded array per file: a reference that is also a sample is the sample's array
    by_file = dict(zip(ck.filenames, map(id, ck.images)))
    shared = 0
    for ref, ref_path in zip(ck.references, ck.reference_filenames):
        shared += ref_path in by_file
        assert by_file.setdefault(ref_path, id(ref)) == id(ref)
    assert shared > 0


def test_load_ckplus_references_with_a_single_recording(tmp_path, make_ckplus_tree):
    root, expected = make_ckplus_tree(tmp_path / "ck", n_subjects=2, sequences_per_subject=1)
    for seq in expected.unlabelled:  # leave each person a single recording
        shutil.rmtree(expected.images_dir / seq)
    with pytest.warns(UserWarning, match=r"Left out 2 sample\(s\) without a neutral reference"
                      ) as record:
        ck = load_ckplus(root, references=True)
    message = str(record[0].message)
    for seq in expected.labels:  # the neutral first frames are named
        assert str(expected.first_files[seq]) in message
    # the peak frames keep their own recording's first frame, which is not themselves
    assert list(ck.target) == [expected.labels[s] for s in expected.labels]
    assert [Path(p) for p in ck.reference_filenames] == [expected.first_files[s]
                                                          for s in expected.labels]
    # without neutral samples nothing is left out
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(load_ckplus(root, neutral="none", references=True).references) == 2


def test_load_ckplus_references_read_a_bad_shared_file_once(tmp_path, make_ckplus_tree):
    root, expected = make_ckplus_tree(tmp_path / "ck", n_subjects=1, sequences_per_subject=2)
    bad = expected.first_files["S005/002"]  # a neutral sample and the reference of S005/001
    bad.write_bytes(b"not an image")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        ck = load_ckplus(root, references=True, on_error="skip")
    skips = [str(w.message) for w in record if str(w.message).startswith("Skipped")]
    assert len(skips) == 1 and skips[0].count(str(bad)) == 1
    assert ck.skipped == [str(bad)]
    assert str(bad) not in set(ck.filenames) | set(ck.reference_filenames)
