"""The Extended Cohn-Kanade dataset (CK+), read from its distributed folder layout."""

import os
import re
from pathlib import Path

import numpy as np
from sklearn.utils._param_validation import StrOptions, validate_params

from .._emotions import emotion_from_ckplus_code, parse_emotions
from ..utils._image_io import IMAGE_EXTENSIONS
from ..utils._warnings import warn_caller
from ._base import (
    check_emotions_found,
    check_root,
    keep_referenced,
    make_dataset_bunch,
    read_images,
    scan_folder,
)

#: (images folder, labels folder) pairs that :func:`load_ckplus` recognises: the names
#: of the CK+ distribution, and the tutorial's renamed copies.
CKPLUS_LAYOUTS = (
    ("cohn-kanade-images", "Emotion"),
    ("source_images", "source_emotion"),
)

_FRAME_RE = re.compile(r"_(\d+)$")
_LABEL_FRAME_RE = re.compile(r"_(\d+)_emotion$", re.IGNORECASE)

_DESCR = """\
The Extended Cohn-Kanade dataset (CK+)
======================================

593 posed expression sequences of 123 subjects, each running from a neutral face
(first frame) to the peak of the expression (last frame); 327 sequences of 118
subjects carry an emotion label (1 anger, 2 contempt, 3 disgust, 4 fear, 5 happy,
6 sadness, 7 surprise). skemotion takes the last frame (by frame number) of every
labelled sequence as the emotion sample and, depending on ``neutral``, first
frames as ``neutral`` samples. On the full dataset: 327 peak images (anger 45,
contempt 18, disgust 59, fear 25, happy 69, sadness 28, surprise 83).

CK+ is not distributed with skemotion: request it from its authors (the licence
forbids redistribution). Cite when you publish results:
Lucey, P., Cohn, J. F., Kanade, T., Saragih, J., Ambadar, Z., & Matthews, I. (2010).
The Extended Cohn-Kanade Dataset (CK+): A complete dataset for action unit and
emotion-specified expression. CVPR Workshops, 94-101.
"""


def find_ckplus_layout(root):
    """Return ``(images_dir, labels_dir)`` of a CK+ tree, or raise saying what was found.

    Folder names are matched without regard to case. See :data:`CKPLUS_LAYOUTS`.
    """
    root = check_root(root, what="CK+ root folder")
    dirs, files = scan_folder(root)
    by_lower = {name.lower(): path for name, path in dirs}
    for images_name, labels_name in CKPLUS_LAYOUTS:
        images_dir = by_lower.get(images_name.lower())
        labels_dir = by_lower.get(labels_name.lower())
        if images_dir is not None and labels_dir is not None:
            return Path(images_dir), Path(labels_dir)
    expected = " or ".join(f"'{i}/' and '{lab}/'" for i, lab in CKPLUS_LAYOUTS)
    found = [f"{name}/" for name, _ in dirs] + [name for name, _ in files]
    shown = ", ".join(found[:10]) + (f", ... ({len(found)} entries)" if len(found) > 10 else "")
    message = (
        f"{root} does not look like a CK+ folder: expected the subfolders {expected}; "
        f"found {shown if found else 'nothing (the folder is empty)'}."
    )
    known = {name.lower() for pair in CKPLUS_LAYOUTS for name in pair}
    if root.name.lower() in known:
        message += f" Pass the folder that contains {root.name}/, i.e. {root.parent}."
    else:
        for name, path in dirs:
            inner = {n.lower() for n, _ in scan_folder(path)[0]}
            if any({i.lower(), lab.lower()} <= inner for i, lab in CKPLUS_LAYOUTS):
                message += f" The subfolder {name}/ has the CK+ layout: pass {path}."
                break
    raise ValueError(message)


def _frame_number(name, path):
    match = _FRAME_RE.search(os.path.splitext(name)[0])
    if match is None:
        raise ValueError(
            f"Cannot read a frame number from the image file {path}: CK+ frames are named "
            "like S005_001_00000011.png (the number after the last underscore)."
        )
    return int(match.group(1))


def _read_label(path):
    with open(path, "rb") as f:
        text = f.read().decode("utf-8", errors="replace").strip()
    if not text:
        raise ValueError(f"CK+ label file {path} is empty; expected a whole number from 0 to 7 "
                         "(the CK+ emotion code).")
    return emotion_from_ckplus_code(text, source=path)


def _no_labelled_sequences(labels_dir):
    """The message for a CK+ tree without one label file where CK+ keeps them."""
    message = (
        f"No labelled sequence in {labels_dir}: CK+ keeps one label file per sequence as "
        f"{labels_dir.name}/<subject>/<sequence>/<name>.txt (e.g. "
        f"{labels_dir.name}/S005/001/S005_001_00000011_emotion.txt)"
    )
    for folder, dirs, files in os.walk(labels_dir):
        dirs.sort()  # the first label file in name order, S005 before S010
        label = next((f for f in sorted(files) if f.lower().endswith(".txt")), None)
        if label is not None:
            where = Path(folder).relative_to(labels_dir.parent)
            message += f", but the first label file found is {where / label}"
            nested = labels_dir / labels_dir.name
            if nested.is_dir():
                message += (f" (the labels were unpacked one folder too deep: move the "
                            f"contents of {nested} up into {labels_dir})")
            return message + "."
    return message + "; it holds no label file at all."


def scan_ckplus(root):
    """Walk a CK+ tree once and return its labelled sequences.

    Every folder is listed once with :func:`os.scandir`; no image is decoded and
    no label-less sequence folder is opened beyond listing it.

    Returns
    -------
    list of dict
        One per labelled sequence, sorted by subject then sequence: ``subject``
        (``"S005"``), ``sequence`` (``"S005/001"``), ``label``, ``label_file`` and
        ``frames``: a list of ``(frame_number, path)`` sorted by frame number.

    Raises
    ------
    ValueError
        Wrong layout, no label file where CK+ keeps them, bad label file, labelled
        sequence without images, image
        file without a frame number, or two files with the same frame number;
        the message names the folder or file.
    """
    images_dir, labels_dir = find_ckplus_layout(root)
    records = []
    mismatched = []
    for subject, subject_path in scan_folder(labels_dir)[0]:
        for seq, seq_path in scan_folder(subject_path)[0]:
            label_files = [p for n, p in scan_folder(seq_path)[1] if n.lower().endswith(".txt")]
            if not label_files:
                continue  # an unlabelled sequence (CK+ ships empty label folders)
            if len(label_files) > 1:
                raise ValueError(
                    f"Sequence {subject}/{seq} has {len(label_files)} label files, expected one: "
                    + ", ".join(label_files)
                )
            label_file = label_files[0]
            label = _read_label(label_file)
            image_seq_dir = images_dir / subject / seq
            frames = {}
            if image_seq_dir.is_dir():
                # Directory order is arbitrary: frames are ordered by number below.
                for number, name, path in _frame_files(image_seq_dir):
                    if number in frames:
                        raise ValueError(
                            f"Two image files with frame number {number} in {image_seq_dir}: "
                            f"{Path(frames[number]).name} and {name}."
                        )
                    frames[number] = path
            if not frames:
                raise ValueError(
                    f"Labelled sequence {subject}/{seq} (label file {label_file}) has no images: "
                    f"expected image files in {image_seq_dir}."
                )
            frames = sorted(frames.items())
            # CK+ names each label file after the sequence's last frame; a different
            # number means frames are missing or were added (e.g. a partial copy).
            named = _LABEL_FRAME_RE.search(os.path.splitext(os.path.basename(label_file))[0])
            if named is not None and int(named.group(1)) != frames[-1][0]:
                mismatched.append(
                    f"  {subject}/{seq}: label file names frame {int(named.group(1))}, "
                    f"last frame is {frames[-1][0]}"
                )
            records.append(
                {
                    "subject": subject,
                    "sequence": f"{subject}/{seq}",
                    "label": label,
                    "label_file": label_file,
                    "frames": frames,
                }
            )
    if not records:
        raise ValueError(_no_labelled_sequences(labels_dir))
    if mismatched:
        warn_caller(
            f"{len(mismatched)} labelled sequence(s) whose label file names another frame than "
            "the last one; the last frame is used as the peak (check that the copy is "
            "complete):\n" + "\n".join(mismatched)
        )
    return records


def select_ckplus_samples(records, *, neutral="first", emotions=None, source="the CK+ tree"):
    """Choose the sample images of labelled sequences (see :func:`load_ckplus`).

    Returns a list of dicts with ``path``, ``label``, ``subject``, ``sequence``
    and ``frame``, in subject/sequence order with each neutral image just before
    the peak image of its sequence. Requested ``emotions`` that no image has are
    an error (all of them) or a warning (some); ``source`` names the data in both.
    """
    emotions = parse_emotions(emotions)
    if emotions is not None and "neutral" in emotions and neutral == "none":
        raise ValueError(
            "emotions includes 'neutral' but neutral='none' selects no neutral images; "
            "use neutral='first' or neutral='per_subject'."
        )
    samples = []
    seen_subjects = set()
    for rec in records:
        first, peak = rec["frames"][0], rec["frames"][-1]
        take_neutral = neutral == "first" or (
            neutral == "per_subject" and rec["subject"] not in seen_subjects
        )
        seen_subjects.add(rec["subject"])
        if take_neutral and len(rec["frames"]) < 2:
            raise ValueError(
                f"Labelled sequence {rec['sequence']} has a single frame ({peak[1]}): its first "
                "(neutral) and last (peak) frame would be the same image. Use neutral='none' "
                "or remove the sequence."
            )
        base = {"subject": rec["subject"], "sequence": rec["sequence"]}
        if take_neutral:
            samples.append({**base, "label": "neutral", "frame": first[0], "path": first[1]})
        samples.append({**base, "label": rec["label"], "frame": peak[0], "path": peak[1]})
    if emotions is not None:
        check_emotions_found(emotions, [s["label"] for s in samples], source)
        samples = [s for s in samples if s["label"] in emotions]
    return samples


def _frame_files(seq_dir):
    """``(frame_number, name, path)`` of each image file of a sequence folder, in
    directory order (hidden files and clutter are left out by :func:`scan_folder`)."""
    for name, path in scan_folder(seq_dir, sort=False)[1]:
        if os.path.splitext(name)[1].lower() in IMAGE_EXTENSIONS:
            yield _frame_number(name, path), name, path


def _first_frame(seq_dir):
    """Path of the lowest-numbered image of a sequence folder, or None if it has none."""
    best = min(_frame_files(seq_dir), key=lambda frame: frame[0], default=None)
    return None if best is None else best[2]


def ckplus_reference_paths(root, samples):
    """The neutral reference of each sample (see ``load_ckplus(references=True)``).

    Returns a list with, per sample, the path of the first frame of the person's first
    other recording (in name order; labelled or not), else of the sample's own recording
    when that frame is not the sample itself, else None.
    """
    images_dir, _ = find_ckplus_layout(root)
    recordings = {}  # subject -> [(sequence id, first frame path)]
    out = []
    for sample in samples:
        subject = sample["subject"]
        if subject not in recordings:
            found = []
            subject_dir = images_dir / subject
            if subject_dir.is_dir():
                for seq, seq_path in scan_folder(subject_dir)[0]:
                    first = _first_frame(seq_path)
                    if first is not None:
                        found.append((f"{subject}/{seq}", first))
            recordings[subject] = found
        others = [path for seq, path in recordings[subject] if seq != sample["sequence"]]
        if others:
            out.append(others[0])
            continue
        own = next((path for seq, path in recordings[subject] if seq == sample["sequence"]),
                   None)
        same_file = own is not None and os.path.samefile(own, sample["path"])
        out.append(None if own is None or same_file else own)
    return out


@validate_params(
    {
        "root": [str, os.PathLike],
        "neutral": [StrOptions({"first", "per_subject", "none"})],
        "emotions": [str, list, tuple, None],
        "on_error": [StrOptions({"raise", "skip"})],
        "references": ["boolean"],
        "return_X_y": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def load_ckplus(root, *, neutral="first", emotions=None, on_error="raise", references=False,
                return_X_y=False):
    """Load the Extended Cohn-Kanade dataset (CK+) from its folder layout.

    Reads the distribution as it unpacks: ``root/cohn-kanade-images/S005/001/
    S005_001_00000011.png`` with labels in ``root/Emotion/S005/001/
    S005_001_00000011_emotion.txt`` (a float such as ``3.0000000e+00``, codes
    1 anger ... 7 surprise), or the tutorial's renamed copies ``source_images/``
    and ``source_emotion/``. Only labelled sequences give samples: the peak image
    is the sequence's last frame by frame number (directory order is arbitrary),
    the neutral image its first frame. Each folder is listed once; only the
    chosen frames are decoded.

    Parameters
    ----------
    root : str or path-like
        The folder holding ``cohn-kanade-images/`` and ``Emotion/`` (or
        ``source_images/`` and ``source_emotion/``; names matched ignoring case).
    neutral : {"first", "per_subject", "none"}, default="first"
        Which neutral images to add: ``"first"``, the first frame of every labelled
        sequence (the tutorial's choice: one subject may give several near-identical
        neutral images); ``"per_subject"``, only the first frame of each subject's
        first labelled sequence (the tutorial's manual clean-up, done by rule);
        ``"none"``, no neutral images.
    emotions : str or list of str, default=None
        Keep only these labels (canonical names or aliases, e.g. ``"happy,neutral"``);
        ``None`` keeps all. Neutral images are chosen before this filter. A
        requested emotion that no image has is a warning (an error if none has any).
    on_error : {"raise", "skip"}, default="raise"
        What to do with a chosen image file that cannot be decoded: raise
        ``ValueError`` naming it, or skip it with one warning that lists every
        skipped file. Label and layout problems always raise.
    references : bool, default=False
        Add ``references``: for each sample, the same person's neutral face that is never
        the sample itself: the first frame of the person's first other recording (in
        name order, labelled or not), else the first frame of the sample's own
        recording. A sample without one (a neutral first frame of a person with a single
        recording, or whose reference cannot be read with ``on_error="skip"``) is left
        out, and one warning lists them.
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``images`` (list of uint8 arrays as decoded: CK+ frames are mostly 640x490
        gray, some sequences are colour or of another size), ``filenames``,
        ``target`` (emotion names), ``target_names``, ``groups`` (subject ids such as ``"S005"``), ``sequences``
        (``"S005/001"``), ``frames`` (int frame numbers), ``skipped`` (files skipped
        with ``on_error="skip"``), ``n_skipped`` and ``DESCR``; with
        ``references=True`` also ``references`` (decoded images; one array object per
        file, the sample's own where a reference is also a sample) and
        ``reference_filenames``.
    (images, target) : tuple
        With ``return_X_y=True``.

    Raises
    ------
    FileNotFoundError
        If ``root`` does not exist.
    ValueError
        If the layout is wrong (the message lists the expected folders and what
        was found), a label file is empty, not a number or out of range, a
        labelled sequence has no images, or an image cannot be decoded (with
        ``on_error="raise"``); the message names the folder or file.

    Warns
    -----
    UserWarning
        With ``on_error="skip"``, listing every skipped file; and when a label
        file's name (``..._00000011_emotion.txt``) gives another frame number than
        the sequence's last frame (a sign of missing frames), listing those sequences.

    See Also
    --------
    load_image_folder : Load an already sorted ``root/<emotion>/`` folder.
    organize_ckplus : Copy the chosen CK+ frames into such a sorted folder.

    Notes
    -----
    On the full CK+ with ``neutral="none"``: 327 images from 118 subjects (anger 45,
    contempt 18, disgust 59, fear 25, happy 69, sadness 28, surprise 83).
    ``neutral="first"`` adds 327 neutral images, ``neutral="per_subject"`` 118.

    References
    ----------
    Lucey, P., Cohn, J. F., Kanade, T., Saragih, J., Ambadar, Z., & Matthews, I.
    (2010). The Extended Cohn-Kanade Dataset (CK+). CVPR Workshops, 94-101.

    Examples
    --------
    A two-frame CK+ tree in a temporary folder:

    >>> import tempfile, pathlib, numpy as np, cv2
    >>> from skemotion.datasets import load_ckplus
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> seq = root / "cohn-kanade-images" / "S005" / "001"
    >>> seq.mkdir(parents=True)
    >>> for frame in (1, 2):
    ...     _ = cv2.imwrite(str(seq / f"S005_001_0000000{frame}.png"), np.zeros((8, 8), np.uint8))
    >>> label = root / "Emotion" / "S005" / "001"
    >>> label.mkdir(parents=True)
    >>> _ = (label / "S005_001_00000002_emotion.txt").write_text("   7.0000000e+00")
    >>> ck = load_ckplus(root)
    >>> list(ck.target), ck.frames.tolist(), list(ck.groups), list(ck.sequences)
    (['neutral', 'surprise'], [1, 2], ['S005', 'S005'], ['S005/001', 'S005/001'])
    >>> import shutil; shutil.rmtree(root)
    """
    samples = select_ckplus_samples(scan_ckplus(root), neutral=neutral, emotions=emotions,
                                    source=os.fspath(root))
    extra = {}
    if references:
        samples, images, skipped, extra = _with_references(root, samples, on_error)
        extra["reference_filenames"] = np.asarray([str(p) for p in extra["reference_filenames"]],
                                                  dtype=object)
    else:
        images, kept, skipped = read_images([s["path"] for s in samples], on_error=on_error)
        samples = [samples[i] for i in kept]
    return make_dataset_bunch(
        images=images,
        filenames=[s["path"] for s in samples],
        target=[s["label"] for s in samples],
        groups=[s["subject"] for s in samples],
        descr=_DESCR,
        return_X_y=return_X_y,
        sequences=np.asarray([s["sequence"] for s in samples], dtype=object),
        frames=np.asarray([s["frame"] for s in samples], dtype=np.int64),
        skipped=skipped,
        n_skipped=len(skipped),
        **extra,
    )


def _with_references(root, samples, on_error):
    """The samples that have a reference, their images, the skipped sample files, and
    ``references`` / ``reference_filenames``.

    The samples (those with a reference file) and the references are decoded in one
    pass, each file once: a reference that is also a sample is the sample's array.
    """
    paths = ckplus_reference_paths(root, samples)
    wanted = [os.fspath(s["path"]) for s, p in zip(samples, paths) if p is not None]
    unique = list(dict.fromkeys(wanted + [os.fspath(p) for p in paths if p is not None]))
    decoded, kept, _ = read_images(unique, on_error=on_error)
    by_path = {unique[i]: image for i, image in zip(kept, decoded)}
    skipped = [path for path in wanted if path not in by_path]
    # an unreadable sample is skipped (and listed with the other unreadable files)
    readable = [i for i, (s, p) in enumerate(zip(samples, paths))
                if p is None or os.fspath(s["path"]) in by_path]
    samples, paths = [samples[i] for i in readable], [paths[i] for i in readable]
    found = []
    for sample, path in zip(samples, paths):
        image = None if path is None else by_path.get(os.fspath(path))
        found.append((image, path) if image is not None else (
            f"{sample['path']} ({sample['label']}): "
            + ("no other recording of " + sample["subject"] + " and the sample "
               "is its own recording's first frame" if path is None
               else f"its reference {path} could not be read")))
    kept, refs, ref_paths = keep_referenced(
        found, none_found=f"No sample of {root} has a neutral reference (the first frame of "
                          "another recording of the same person, or of its own).")
    samples = [samples[i] for i in kept]
    images = [by_path[os.fspath(s["path"])] for s in samples]
    return samples, images, skipped, {"references": refs, "reference_filenames": ref_paths}

