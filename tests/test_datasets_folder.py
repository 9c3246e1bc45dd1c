"""Tests of load_image_folder, organize_ckplus, concat_datasets and the dataset summary."""

import os
import re
import warnings

import cv2
import numpy as np
import pytest

from skemotion import read_image
from skemotion.datasets import (
    DEFAULT_SUBJECT_PATTERN,
    concat_datasets,
    describe_dataset,
    load_ckplus,
    load_image_folder,
    organize_ckplus,
    summarize_dataset,
)
from skemotion.datasets._base import make_dataset_bunch


def _imwrite(path, image, params=()):
    path.parent.mkdir(parents=True, exist_ok=True)
    ok, buf = cv2.imencode(path.suffix, image, list(params))
    assert ok
    buf.tofile(str(path))


def _tree_files(folder):
    return sorted(
        (os.path.relpath(os.path.join(d, f), folder), os.path.getsize(os.path.join(d, f)))
        for d, _, files in os.walk(folder)
        for f in files
    )


@pytest.fixture
def sorted_tree(tmp_path):
    """happy/ and happiness/ (same emotion), neutral/, CK+-style names, 16x16 gray."""
    root = tmp_path / "sorted"
    files = {
        "happy/S005_001_00000012.png": 10,
        "happy/S010_002_00000020.png": 20,
        "happiness/S011_001_00000009.png": 30,
        "neutral/S005_001_00000001.png": 40,
        "neutral/S010_002_00000001.png": 50,
        "Neutral/S011_001_00000001.png": 60,  # another spelling of the same folder
    }
    for rel, value in files.items():
        _imwrite(root / rel, np.full((16, 16), value, np.uint8))
    return root, files


# ----------------------------------------------------------------------------- load_image_folder


def test_load_image_folder_labels_groups_and_pixels(sorted_tree):
    root, files = sorted_tree
    data = load_image_folder(root)
    assert len(data.images) == len(files)
    by_name = {os.path.basename(f): (t, g, im) for f, t, g, im in
               zip(data.filenames, data.target, data.groups, data.images)}
    for rel, value in files.items():
        label, group, image = by_name[os.path.basename(rel)]
        assert label == ("happy" if rel.lower().startswith("happ") else "neutral")
        assert group == os.path.basename(rel)[:4]
        assert image.dtype == np.uint8 and int(image[0, 0]) == value
    assert list(data.target_names) == ["happy", "neutral"]
    assert data.n_skipped == 0 and "load_image_folder" in data.DESCR


def test_load_image_folder_subject_pattern_options(sorted_tree, tmp_path):
    root, files = sorted_tree
    assert load_image_folder(root, subject_pattern=None).groups is None
    named = load_image_folder(root, subject_pattern=r"_(?P<subject>\d{3})_")
    assert set(named.groups) == {"001", "002"}
    whole = load_image_folder(root, subject_pattern=re.compile(r"S\d+"))
    assert set(whole.groups) == {"S005", "S010", "S011"}
    X, y = load_image_folder(root, return_X_y=True)
    assert len(X) == len(y) == len(files)

    odd = root / "happy" / "img 7.png"
    _imwrite(odd, np.zeros((8, 8), np.uint8))
    with pytest.raises(ValueError, match="does not match subject_pattern") as info:
        load_image_folder(root)
    assert str(odd) in str(info.value) and "subject_pattern=None" in str(info.value)
    assert load_image_folder(root, subject_pattern=None).filenames.size == len(files) + 1
    assert DEFAULT_SUBJECT_PATTERN == r"^(S\d+)_"


def test_load_image_folder_emotions_filter(sorted_tree):
    root, _ = sorted_tree
    data = load_image_folder(root, emotions="happiness")
    assert list(data.target) == ["happy"] * 3
    with pytest.raises(ValueError, match=r"No images labelled fear in .* \(it has: "):
        load_image_folder(root, emotions=["fear"])
    # a requested emotion without images is not dropped silently
    with pytest.warns(UserWarning, match="No images labelled fear in .*; keeping only happy"):
        data = load_image_folder(root, emotions=["happy", "fear"])
    assert list(data.target) == ["happy"] * 3


def test_load_image_folder_unknown_folder(sorted_tree):
    root, _ = sorted_tree
    (root / "others").mkdir()
    with pytest.raises(ValueError) as info:
        load_image_folder(root)
    message = str(info.value)
    assert str(root / "others") in message
    assert "anger, contempt, disgust, fear, happy, sadness, surprise" in message
    # A leading dot hides the folder, as documented.
    os.rename(root / "others", root / ".others")
    assert len(load_image_folder(root).images) == 6


def test_load_image_folder_one_level_off_points_at_the_right_folder(sorted_tree, tmp_path,
                                                                    make_ckplus_tree):
    root, _ = sorted_tree
    above = root.parent  # holds sorted/, whose subfolders are emotions
    with pytest.raises(ValueError, match=re.escape(f"one level down: pass {root}.")):
        load_image_folder(above)
    with pytest.raises(ValueError, match=re.escape(f"pass the folder that holds it, {root}.")):
        load_image_folder(root / "happy")
    ck, _ = make_ckplus_tree(tmp_path / "CK+", n_subjects=1, sequences_per_subject=1)
    with pytest.raises(ValueError, match="has the CK\\+ layout: load it with load_ckplus"):
        load_image_folder(ck)
    # a stray folder that is neither keeps the plain advice
    (root / "others").mkdir()
    with pytest.raises(ValueError, match="Rename it, move it out of the root folder"):
        load_image_folder(root)


def test_load_image_folder_wrong_layout(tmp_path):
    with pytest.raises(FileNotFoundError, match="Image folder not found"):
        load_image_folder(tmp_path / "missing")
    flat = tmp_path / "flat"
    _imwrite(flat / "S005_001_00000001.png", np.zeros((8, 8), np.uint8))
    with pytest.raises(ValueError, match="holds 1 image file.*directly.*root/<emotion>/"):
        load_image_folder(flat)
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "README.txt").write_text("hi")
    with pytest.raises(ValueError, match="no emotion folders.*found README.txt"):
        load_image_folder(empty)
    nested = tmp_path / "nested"
    _imwrite(nested / "happy" / "batch1" / "S005_001_00000001.png", np.zeros((8, 8), np.uint8))
    match = re.escape(f"{nested / 'happy'} holds the subfolder batch1/")
    with pytest.raises(ValueError, match=match):
        load_image_folder(nested)


def test_load_image_folder_clutter_ignored(sorted_tree):
    root, files = sorted_tree
    for folder in ("happy", "neutral"):
        (root / folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
        (root / folder / "Thumbs.db").write_bytes(b"junk")
        (root / folder / "._S099_001_00000001.png").write_bytes(b"\x00\x05\x16\x07")
    (root / ".DS_Store").write_bytes(b"junk")
    (root / ".thumbnails").mkdir()
    data = load_image_folder(root)
    assert len(data.images) == len(files)


def test_load_image_folder_corrupt_image(sorted_tree):
    root, files = sorted_tree
    bad = root / "happy" / "S005_001_00000012.png"
    bad.write_bytes(b"GIF89a not really")
    with pytest.raises(ValueError, match=re.escape(str(bad))):
        load_image_folder(root)
    with pytest.warns(UserWarning, match=re.escape(str(bad))) as record:
        data = load_image_folder(root, on_error="skip")
    assert record[0].filename == __file__
    assert data.skipped == [str(bad)] and data.n_skipped == 1
    assert len(data.images) == len(data.groups) == len(files) - 1
    assert str(bad) not in set(data.filenames)
    for image, name in zip(data.images, data.filenames):
        np.testing.assert_array_equal(image, read_image(name))


def test_load_image_folder_decodes_all_depths_and_channels(tmp_path):
    """8/16-bit, gray/BGR/BGRA, PNG/JPEG all come back as uint8, gray or BGR (alpha dropped,
    as cv2.imread does)."""
    root = tmp_path / "kinds"
    rng = np.random.default_rng(0)
    gray8 = rng.integers(0, 256, (20, 24), dtype=np.uint8)
    cases = {
        "S001_a.png": (gray8, (20, 24)),
        "S002_a.png": (gray8.astype(np.uint16) * 257, (20, 24)),
        "S003_a.png": (np.dstack([gray8] * 3), (20, 24, 3)),
        "S004_a.png": (np.dstack([gray8] * 3).astype(np.uint16) * 257, (20, 24, 3)),
        "S005_a.png": (np.dstack([gray8] * 3 + [np.full_like(gray8, 255)]), (20, 24, 3)),
        "S006_a.png": (np.dstack([gray8] * 4).astype(np.uint16) * 257, (20, 24, 3)),
        "S007_a.jpg": (gray8, (20, 24)),
        "S008_a.jpeg": (np.dstack([gray8] * 3), (20, 24, 3)),
    }
    for name, (image, _) in cases.items():
        _imwrite(root / "surprised" / name, image)
    data = load_image_folder(root)
    assert set(data.target) == {"surprise"}
    for image, name in zip(data.images, data.filenames):
        source, shape = cases[os.path.basename(name)]
        assert image.dtype == np.uint8 and image.shape == shape, name
        if name.endswith(".png"):  # lossless: exact values after 16 -> 8 bit scaling
            expected = source if source.dtype == np.uint8 else (source // 257).astype(np.uint8)
            np.testing.assert_array_equal(image, expected[..., :3] if image.ndim == 3
                                          else expected)


def test_load_image_folder_names_the_files_it_ignores(tmp_path):
    root = tmp_path / "web"
    image = np.full((8, 8), 9, np.uint8)
    (root / "happy").mkdir(parents=True)
    for name, kind in (("S001_a.png", ".png"), ("S002_a.JPG", ".jpg"), ("S003_a.jfif", ".jpg"),
                       ("S004_a.jpe", ".jpg")):
        cv2.imencode(kind, image)[1].tofile(str(root / "happy" / name))
    (root / "happy" / "S005_a.gif").write_bytes(b"GIF89a")
    (root / "happy" / "notes.txt").write_text("not an image")
    (root / "happy" / ".DS_Store").write_bytes(b"clutter")  # clutter: ignored silently
    with pytest.warns(UserWarning, match=r"Ignored 2 files in the emotion folders of .*web "
                                         r"whose ending is not an image type .*first: "):
        data = load_image_folder(root)
    assert sorted(os.path.basename(f) for f in data.filenames) == [
        "S001_a.png", "S002_a.JPG", "S003_a.jfif", "S004_a.jpe"]


def test_load_image_folder_unicode_paths(tmp_path):
    root = tmp_path / "mes visages é 表情"
    _imwrite(root / "joy" / "S005_001 copy 01.png", np.full((8, 8), 7, np.uint8))
    data = load_image_folder(root)
    assert list(data.target) == ["happy"] and list(data.groups) == ["S005"]
    assert int(data.images[0][0, 0]) == 7


# ------------------------------------------------------------------------------- organize_ckplus


@pytest.mark.parametrize("neutral", ["first", "per_subject", "none"])
def test_organize_ckplus_round_trip(tmp_path, make_ckplus_tree, neutral):
    root, expected = make_ckplus_tree(tmp_path / "ck", naming="tutorial")
    out = tmp_path / "sorted_set"
    result = organize_ckplus(root, out, neutral=neutral)
    ck = load_ckplus(root, neutral=neutral)
    assert result.n_written == len(ck.images) and result.n_unchanged == 0
    assert result.sources == list(ck.filenames)
    assert result.counts == {k: int(v) for k, v in summarize_dataset(ck).class_counts.items()}
    for src, dest, label in zip(result.sources, result.filenames, result.target):
        assert dest == os.path.join(out, label, os.path.basename(src))
        with open(src, "rb") as a, open(dest, "rb") as b:
            assert a.read() == b.read()
    # The sorted folder loads back to the same samples, subject ids from file names.
    back = load_image_folder(out)
    key = lambda d: sorted(  # noqa: E731
        zip(map(os.path.basename, d.filenames), d.target, d.groups)
    )
    assert key(back) == key(ck)


def test_organize_ckplus_warns_about_images_it_did_not_write(tmp_path, make_ckplus_tree):
    root, expected = make_ckplus_tree(tmp_path / "ck", n_subjects=2, sequences_per_subject=2)
    out = tmp_path / "out"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a fresh folder, then the same call again: quiet
        first = organize_ckplus(root, out)
        organize_ckplus(root, out)
    assert first.counts["neutral"] == 4
    # another selection into the same folder: the first run's extra neutral frames stay, and
    # loading the folder would read them, so say so
    with pytest.warns(UserWarning, match=r"also holds 2 image files this run did not write"):
        second = organize_ckplus(root, out, neutral="per_subject")
    assert second.counts["neutral"] == 2
    assert len(load_image_folder(out).target) == len(first.target)


def test_organize_ckplus_idempotent_and_refuses_different_files(tmp_path, make_ckplus_tree):
    root, expected = make_ckplus_tree(tmp_path / "ck", n_subjects=2, sequences_per_subject=2)
    out = tmp_path / "out"
    first = organize_ckplus(root, out, emotions=["neutral", "anger", "contempt"])
    assert first.n_written > 0
    snapshot = _tree_files(out)
    again = organize_ckplus(root, out, emotions=["neutral", "anger", "contempt"])
    assert again.n_written == 0 and again.n_unchanged == first.n_written
    assert _tree_files(out) == snapshot

    changed = first.filenames[1]
    with open(changed, "ab") as f:
        f.write(b"edited")
    removed = first.filenames[0]
    os.remove(removed)
    with pytest.raises(FileExistsError, match=re.escape(changed)):
        organize_ckplus(root, out, emotions=["neutral", "anger", "contempt"])
    assert not os.path.exists(removed)  # nothing was written


def test_organize_ckplus_writes_nothing_outside_out_dir(tmp_path, make_ckplus_tree):
    root, expected = make_ckplus_tree(tmp_path / "ck", n_subjects=2, sequences_per_subject=1)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    label = next(iter(expected.labels.values()))
    os.symlink(outside, out / label)  # out/<emotion> pointing outside out_dir
    before = _tree_files(tmp_path)
    with pytest.raises(ValueError, match="outside out_dir"):
        organize_ckplus(root, out)
    assert _tree_files(tmp_path) == before and not os.listdir(outside)

    with pytest.raises(ValueError, match="inside the CK\\+ folder"):
        organize_ckplus(root, expected.images_dir / "sorted")
    assert not (expected.images_dir / "sorted").exists()
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    with pytest.raises(FileExistsError, match="not a folder"):
        organize_ckplus(root, a_file)


# ------------------------------------------------------------------------------- concat_datasets


def _bunch(labels, groups, prefix):
    return make_dataset_bunch(
        images=[np.full((4, 4), 10 * (ord(prefix[0]) - ord("a")) + i, np.uint8)
                for i in range(len(labels))],  # a different picture in each dataset
        filenames=[f"{prefix}{i}.png" for i in range(len(labels))],
        target=labels,
        groups=groups,
        descr=f"{prefix} set\n=====\n",
    )


def test_concat_datasets_prefixes_groups_and_canonical_labels():
    a = _bunch(["happy", "neutral", "happy"], ["S005", "S005", "S010"], "a")
    b = _bunch(["happiness", "Sad", "calm"], ["S005", "7", "7"], "b")
    merged = concat_datasets(a, b, names=["ck", "web"])
    assert list(merged.target) == ["happy", "neutral", "happy", "happy", "sadness", "neutral"]
    assert list(merged.groups) == ["ck:S005", "ck:S005", "ck:S010", "web:S005", "web:7", "web:7"]
    assert list(merged.source) == ["ck"] * 3 + ["web"] * 3
    assert list(merged.target_names) == ["happy", "neutral", "sadness"]
    assert list(merged.filenames) == ["a0.png", "a1.png", "a2.png", "b0.png", "b1.png", "b2.png"]
    assert [int(im[0, 0]) for im in merged.images] == [0, 1, 2, 10, 11, 12]
    assert "ck: a set (3 images)" in merged.DESCR
    assert list(concat_datasets(a, b).groups)[3] == "d1:S005"


def test_concat_datasets_ungrouped_and_errors():
    a = _bunch(["happy", "neutral"], ["S1", "S2"], "a")
    web = _bunch(["fear", "fear"], None, "w")
    with pytest.raises(ValueError, match="'d1' have no subject ids"):
        concat_datasets(a, web)
    merged = concat_datasets(a, web, ungrouped="per_image")
    assert list(merged.groups) == ["d0:S1", "d0:S2", "d1:#0", "d1:#1"]
    web2 = _bunch(["fear", "fear"], None, "x")
    assert concat_datasets(web, web2).groups is None
    with pytest.raises(ValueError, match="names has 1 entries for 2 datasets"):
        concat_datasets(a, a, names=["x"])
    with pytest.raises(ValueError, match="distinct"):
        concat_datasets(a, a, names=["x", "x"])
    with pytest.raises(ValueError, match="at least one"):
        concat_datasets()
    bad = _bunch(["happy", "grumpy"], ["1", "2"], "g")
    with pytest.raises(ValueError, match="Dataset 'd1', sample 1 \\(g1.png\\): Unknown emotion"):
        concat_datasets(a, bad)
    with pytest.raises(ValueError, match="lacks images"):
        concat_datasets(a, {"target": [], "filenames": []})


def test_concat_datasets_keeps_ckplus_fields_and_skipped(tmp_path, make_ckplus_tree, london):
    root, expected = make_ckplus_tree(tmp_path / "ck", n_subjects=2, sequences_per_subject=1)
    ck = load_ckplus(root, neutral="none")
    ck.skipped, ck.n_skipped = ["x.png"], 1
    both = concat_datasets(ck, ck, names=["one", "two"], duplicates="keep")
    assert list(both.sequences) == list(ck.sequences) * 2
    assert both.frames.dtype.kind == "i" and list(both.frames) == list(ck.frames) * 2
    assert both.skipped == ["x.png", "x.png"] and both.n_skipped == 2
    mixed = concat_datasets(ck, london)
    assert "sequences" not in mixed and "gender" not in mixed
    assert len(mixed.images) == len(ck.images) + 204
    assert set(mixed.groups[: len(ck.images)]) == {"d0:S005", "d0:S010"}


def test_concat_datasets_refuses_the_same_image_in_two_datasets(tmp_path, make_ckplus_tree):
    """CK+ merged with a folder organize_ckplus made from it (or any dataset twice): each
    copy would get its own subject id and leak across a grouped split."""
    root, _ = make_ckplus_tree(tmp_path / "ck", n_subjects=2, sequences_per_subject=1)
    ck = load_ckplus(root)
    organize_ckplus(root, tmp_path / "sorted")
    folder = load_image_folder(tmp_path / "sorted")
    with pytest.raises(ValueError) as info:
        concat_datasets(ck, folder, names=["ck", "sorted"])
    message = str(info.value)
    assert message.startswith(f"{len(ck.images)} image(s) of one dataset are also in another")
    assert "(dataset 'ck')" in message and "(dataset 'sorted')" in message
    assert str(root / "cohn-kanade-images") in message and str(tmp_path / "sorted") in message
    assert "duplicates='keep'" in message
    kept = concat_datasets(ck, folder, names=["ck", "sorted"], duplicates="keep")
    assert len(kept.images) == 2 * len(ck.images)
    # the same image twice inside one dataset is that dataset's own business
    a = _bunch(["happy", "happy"], ["S1", "S1"], "a")
    a.images[1] = a.images[0].copy()
    b = _bunch(["neutral"], ["S2"], "b")
    assert len(concat_datasets(a, b).images) == 3


# ------------------------------------------------------------------------------------- summary


def test_summary_of_a_ckplus_load(tmp_path, make_ckplus_tree):
    root, expected = make_ckplus_tree(tmp_path / "ck", n_subjects=3, sequences_per_subject=2,
                                      image_size=(48, 40))
    ck = load_ckplus(root, neutral="per_subject")
    s = summarize_dataset(ck)
    assert s.n_images == len(expected.labels) + 3
    assert s.class_counts["neutral"] == 3 and s.n_subjects == 3
    assert s.images_per_subject == (3, 3.0, 3)
    assert s.image_sizes == {(48, 40): len(ck.images)}
    assert s.subjects_per_class["neutral"] == 3
    assert s.subjects_per_class["anger"] == 1
    text = describe_dataset(ck, name="CK+")
    assert text.startswith(f"CK+: {s.n_images} images, {len(s.class_counts)} classes, 3 subjects")
    assert "neutral   3 images, 3 subjects" in text
    assert re.search(r"^  anger\s+1 image, 1 subject$", text, re.M), text  # singular
    assert "image sizes (width x height): 40x48 (" in text  # s.image_sizes is (h, w)


def test_public_functions_validate_their_parameters(sorted_tree, tmp_path):
    from sklearn.utils._param_validation import InvalidParameterError

    from skemotion.datasets import load_frl_london

    root, _ = sorted_tree
    with pytest.raises(InvalidParameterError, match="on_error"):
        load_image_folder(root, on_error="ignore")
    with pytest.raises(InvalidParameterError, match="subject_pattern"):
        load_image_folder(root, subject_pattern=3)
    with pytest.raises(ValueError, match=r"subject_pattern '\(S\\\\d\+' is not a regular "
                                         r"expression: missing \)"):
        load_image_folder(root, subject_pattern="(S\\d+")
    with pytest.raises(InvalidParameterError, match="neutral"):
        organize_ckplus(root, tmp_path / "out", neutral="some")
    with pytest.raises(InvalidParameterError, match="ungrouped"):
        concat_datasets(load_image_folder(root), ungrouped="drop")
    with pytest.raises(InvalidParameterError, match="return_X_y"):
        load_frl_london(return_X_y="yes")
    with pytest.raises(InvalidParameterError, match="data"):
        summarize_dataset([1, 2])
    with pytest.raises(InvalidParameterError, match="'data' parameter of describe_dataset"):
        describe_dataset([1, 2])
    with pytest.raises(InvalidParameterError, match="'name' parameter of describe_dataset"):
        describe_dataset(load_image_folder(root), name=3)
    a_file = root / "happy" / "S005_001_00000012.png"
    with pytest.raises(NotADirectoryError, match=re.escape(str(a_file))):
        load_image_folder(a_file)


# ----------------------------------------------------------------------------- references


def _neutral_tree(tmp_path):
    """Subject KA: two neutral, one happy; KB: one neutral, one happy; KC: happy only."""
    root = tmp_path / "faces"
    files = {"neutral/KA.NE1.png": 10, "neutral/KA.NE2.png": 20, "happy/KA.HA1.png": 30,
             "neutral/KB.NE1.png": 40, "happy/KB.HA1.png": 50, "happy/KC.HA1.png": 60}
    for rel, value in files.items():
        _imwrite(root / rel, np.full((16, 16), value, np.uint8))
    return root


def test_load_image_folder_references_are_other_neutral_images_of_the_subject(tmp_path):
    root = _neutral_tree(tmp_path)
    with pytest.warns(UserWarning, match=r"Left out 2 sample\(s\)") as record:
        data = load_image_folder(root, subject_pattern=r"^(\w+)\.", references=True)
    message = str(record[0].message)
    assert "KB.NE1.png" in message and "KC.HA1.png" in message  # both named
    names = [os.path.basename(f) for f in data.filenames]
    refs = [os.path.basename(f) for f in data.reference_filenames]
    assert dict(zip(names, refs)) == {"KA.HA1.png": "KA.NE1.png", "KB.HA1.png": "KB.NE1.png",
                                      "KA.NE1.png": "KA.NE2.png", "KA.NE2.png": "KA.NE1.png"}
    for image, ref, ref_file in zip(data.images, data.references, data.reference_filenames):
        assert ref is not image
        np.testing.assert_array_equal(ref, read_image(ref_file))
    # a reference that is also a sample is the same decoded array
    i, j = names.index("KA.NE2.png"), names.index("KA.NE1.png")
    assert data.references[i] is data.images[j]


def test_load_image_folder_references_read_neutral_even_when_filtered_out(tmp_path):
    root = _neutral_tree(tmp_path)
    with pytest.warns(UserWarning, match="KC.HA1.png"):
        data = load_image_folder(root, subject_pattern=r"^(\w+)\.", emotions="happy",
                                 references=True)
    assert list(data.target) == ["happy", "happy"]
    assert [os.path.basename(f) for f in data.reference_filenames] == ["KA.NE1.png",
                                                                       "KB.NE1.png"]


@pytest.mark.parametrize("emotions", ["happy", None])
def test_load_image_folder_unreadable_neutral_files_give_one_warning(tmp_path, emotions):
    # read as reference candidates only ("happy"), or as samples too (None)
    root = _neutral_tree(tmp_path)
    bad = [root / "neutral" / "KA.NE1.png", root / "neutral" / "KA.NE2.png"]
    for path in bad:
        path.write_bytes(b"not an image")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        data = load_image_folder(root, subject_pattern=r"^(\w+)\.", emotions=emotions,
                                 on_error="skip", references=True)
    skips = [str(w.message) for w in record if str(w.message).startswith("Skipped")]
    assert len(skips) == 1 and skips[0].startswith("Skipped 2 image file(s) that could")
    assert all(str(path) in skips[0] for path in bad)
    assert [os.path.basename(f) for f in data.filenames] == ["KB.HA1.png"]
    assert data.skipped == ([] if emotions else [str(path) for path in bad])


def test_load_image_folder_references_need_subject_ids(tmp_path):
    with pytest.raises(ValueError, match="references=True needs subject ids"):
        load_image_folder(_neutral_tree(tmp_path), subject_pattern=None, references=True)
