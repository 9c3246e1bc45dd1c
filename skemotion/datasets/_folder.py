"""Images sorted into one folder per emotion (the tutorial's ``sorted_set/`` and ``dataset/``)."""

import os
import re

import numpy as np

from sklearn.utils._param_validation import StrOptions, validate_params

from .._emotions import canonical_emotion, parse_emotions
from ..utils._image_io import IMAGE_EXTENSIONS, is_image_file
from ..utils._warnings import warn_caller
from ._base import (
    check_emotions_found,
    check_root,
    keep_referenced,
    make_dataset_bunch,
    read_images_quietly,
    scan_folder,
    warn_skipped,
)
from ._summary import plural

#: Default ``subject_pattern``: the subject id at the start of CK+ file names,
#: ``S005_001_00000011.png`` -> ``"S005"``.
DEFAULT_SUBJECT_PATTERN = r"^(S\d+)_"


def subject_from_name(name, pattern, *, path=None):
    """Apply ``pattern`` (compiled) to a file name; return the subject id or raise naming the file.

    The id is the group named ``subject`` if the pattern has one, else its first
    group, else the whole match.
    """
    match = pattern.search(name)
    if match is None:
        raise ValueError(
            f"The file name {name!r} ({path or name}) does not match subject_pattern "
            f"{pattern.pattern!r}, so its subject id is unknown. Pass a subject_pattern "
            "that captures the subject id of every file, or subject_pattern=None to load "
            "without subject ids (groups=None)."
        )
    if "subject" in pattern.groupindex:
        subject = match.group("subject")
    elif pattern.groups:
        subject = match.group(1)
    else:
        subject = match.group(0)
    if not subject:
        raise ValueError(
            f"subject_pattern {pattern.pattern!r} captures an empty subject id from {name!r}."
        )
    return subject


def _is_emotion(name):
    try:
        canonical_emotion(name)
    except ValueError:
        return False
    return True


def _one_level_off_hint(root, folder_path):
    """What to do about a subfolder of ``root`` that is not named after an emotion."""
    from ._ckplus import find_ckplus_layout

    try:
        find_ckplus_layout(root)
    except ValueError:
        pass
    else:
        return (f"{root} has the CK+ layout: load it with load_ckplus (on the command "
                "line: --ckplus).")
    inner = [name for name, _ in scan_folder(folder_path)[0]]
    if inner and any(_is_emotion(name) for name in inner):
        return (f"It holds emotion folders ({', '.join(n + '/' for n in inner[:4])}): it "
                f"looks like the dataset root, one level down: pass {folder_path}.")
    return "Rename it, move it out of the root folder, or hide it with a leading dot."


@validate_params(
    {
        "root": [str, os.PathLike],
        "subject_pattern": [str, re.Pattern, None],
        "emotions": [str, list, tuple, None],
        "on_error": [StrOptions({"raise", "skip"})],
        "references": ["boolean"],
        "return_X_y": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def load_image_folder(
    root,
    *,
    subject_pattern=DEFAULT_SUBJECT_PATTERN,
    emotions=None,
    on_error="raise",
    references=False,
    return_X_y=False,
):
    r"""Load images sorted into one folder per emotion: ``root/<emotion>/<image files>``.

    The layout of the tutorial's ``sorted_set/`` and ``dataset/`` folders (and of
    :func:`organize_ckplus`). Folder names are emotions, canonicalised through one
    table, so ``happy/`` and ``happiness/`` both give the label ``"happy"``.

    Parameters
    ----------
    root : str or path-like
        The folder holding the emotion folders.
    subject_pattern : str or re.Pattern or None, default=r"^(S\d+)_"
        Regular expression searched (:func:`re.search`) in each file name to find
        the subject id: the group named ``subject`` if there is one, else the first
        group, else the whole match. The default fits CK+ names
        (``S005_001_00000011.png`` -> ``"S005"``). A file whose name does not match
        raises ``ValueError`` naming it. ``None``: no subject ids (``groups=None``),
        e.g. for the tutorial's ``dataset/`` folder whose files are numbered.
    emotions : str or list of str, default=None
        Load only these emotions (names or aliases, e.g. ``"happy,neutral"``);
        the other folders are not read. ``None`` loads all. A requested emotion
        without images is a warning (an error if none has any).
    on_error : {"raise", "skip"}, default="raise"
        What to do with an image file that cannot be decoded: raise ``ValueError``
        naming it, or skip it with one warning listing every skipped file.
    references : bool, default=False
        Add ``references``: for each sample, another image of the same subject from the
        ``neutral/`` folder (the first in name order that is not the sample itself; read
        even when ``emotions`` leaves neutral out). Needs ``subject_pattern``. A sample
        without one (its subject has no other neutral image) is left out, and one
        warning lists them.
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``images`` (list of uint8 arrays as decoded), ``filenames``, ``target``
        (canonical emotion names), ``target_names``, ``groups`` (subject ids, or
        None), ``skipped``, ``n_skipped`` and ``DESCR``. Samples are ordered by
        folder, then by file name (numbers in names compared as numbers). With
        ``references=True`` also ``references`` (decoded images, the same array object
        where an image is also a sample or several samples share a reference) and
        ``reference_filenames``.
    (images, target) : tuple
        With ``return_X_y=True``.

    Raises
    ------
    FileNotFoundError
        If ``root`` does not exist.
    ValueError
        If a subfolder of ``root`` is not an emotion name (the message names it
        and lists the known emotions: rename it, move it out, or hide it with a
        leading dot), an emotion folder holds a subfolder, image files lie directly
        in ``root``, no image is found, a file name does not match
        ``subject_pattern``, or an image cannot be decoded.

    Notes
    -----
    Hidden files and folders (names starting with a dot) and clutter such as
    ``Thumbs.db`` and ``desktop.ini`` are ignored. Other files whose ending is not an
    image ending OpenCV reads (``.png``, ``.jpg``/``.jpeg``/``.jpe``/``.jfif``, ``.bmp``,
    ``.tif``/``.tiff``, ``.pbm``/``.pgm``/``.ppm``/``.pnm``, ``.webp``; any case), such as
    a ``notes.txt`` or a ``.gif``, are not loaded either, and one warning names them.

    See Also
    --------
    load_ckplus : Load CK+ from its distributed layout.

    Examples
    --------
    The embedded London set is itself sorted by emotion (file names ``001_08.jpg``
    start with the subject number):

    >>> from skemotion.datasets import load_image_folder
    >>> from skemotion.datasets._london import LONDON_HOME
    >>> data = load_image_folder(LONDON_HOME, subject_pattern=r"^(\d+)_", emotions="happiness")
    >>> len(data.images), list(data.target_names), data.groups[0]
    (102, ['happy'], '001')
    """
    root = check_root(root, what="Image folder")
    wanted = parse_emotions(emotions)
    if references and subject_pattern is None:
        raise ValueError("references=True needs subject ids to find each subject's neutral "
                         "images: pass a subject_pattern.")
    if isinstance(subject_pattern, str):
        try:
            subject_pattern = re.compile(subject_pattern)
        except re.error as exc:
            raise ValueError(f"subject_pattern {subject_pattern!r} is not a regular "
                             f"expression: {exc}.") from None
    dirs, files = scan_folder(root)
    stray = [path for name, path in files if is_image_file(name)]
    if stray:
        message = (f"{root} holds {len(stray)} image file(s) directly (first: {stray[0]}); "
                   "expected one subfolder per emotion, root/<emotion>/<image files>.")
        if _is_emotion(root.name):
            message += (f" {root.name}/ looks like one emotion folder itself: pass the "
                        f"folder that holds it, {root.parent}.")
        raise ValueError(message)
    if not dirs:
        raise ValueError(
            f"{root} has no emotion folders: expected one subfolder per emotion "
            f"(root/<emotion>/<image files>, e.g. happy/, neutral/); found "
            f"{', '.join(name for name, _ in files) or 'nothing (the folder is empty)'}."
        )
    paths, target, groups, available, ignored = [], [], [], [], []
    neutral_files = []  # (subject, path) of every neutral image, for references
    for folder, folder_path in dirs:
        try:
            label = canonical_emotion(folder)
        except ValueError as exc:
            raise ValueError(
                f"The folder {folder_path} is not named after an emotion: {exc} "
                + _one_level_off_hint(root, folder_path)
            ) from None
        sub_dirs, sub_files = scan_folder(folder_path)
        if any(is_image_file(name) for name, _ in sub_files):
            available.append(label)
        if references and label == "neutral" and not sub_dirs:
            neutral_files += [(subject_from_name(name, subject_pattern, path=path), path)
                              for name, path in sub_files if is_image_file(name)]
        if wanted is not None and label not in wanted:
            continue
        if sub_dirs:
            raise ValueError(
                f"The emotion folder {folder_path} holds the subfolder {sub_dirs[0][0]}/; "
                "expected image files directly inside each emotion folder."
            )
        for name, path in sub_files:
            if not is_image_file(name):  # hidden files and clutter are already left out
                ignored.append(path)
                continue
            if subject_pattern is not None:
                groups.append(subject_from_name(name, subject_pattern, path=path))
            paths.append(path)
            target.append(label)
    if ignored:
        warn_caller(
            f"Ignored {plural(len(ignored), 'file')} in the emotion folders of {root} whose "
            f"ending is not an image type OpenCV reads (first: {ignored[0]}; image endings: "
            f"{', '.join(sorted(IMAGE_EXTENSIONS))}). Convert or rename them to load them."
        )
    if wanted is not None:
        check_emotions_found(wanted, available, os.fspath(root))
    if not paths:
        raise ValueError(f"No image files found in the emotion folders of {root}.")
    images, kept, skipped, reasons = read_images_quietly(paths, on_error=on_error)
    paths, target = [paths[i] for i in kept], [target[i] for i in kept]
    groups = None if subject_pattern is None else [groups[i] for i in kept]
    extra = {}
    if references:
        # one warning for every unreadable file, samples and reference candidates alike
        images, paths, target, groups, extra = _with_references(
            images, paths, target, groups, neutral_files, on_error, skipped, reasons)
    else:
        warn_skipped(reasons)
    return make_dataset_bunch(
        images=images,
        filenames=paths,
        target=target,
        groups=groups,
        descr=(
            "Images sorted into emotion folders\n"
            "==================================\n\n"
            f"Loaded from {root} by skemotion.datasets.load_image_folder; labels are the "
            "folder names in canonical form"
            + (
                f", subject ids parsed from file names with {subject_pattern.pattern!r}."
                if subject_pattern is not None
                else "; no subject ids."
            )
            + "\n"
        ),
        return_X_y=return_X_y,
        skipped=skipped,
        n_skipped=len(skipped),
        **extra,
    )


def _with_references(images, paths, target, groups, neutral_files, on_error, skipped,
                     reasons):
    """Keep the samples that have another neutral image of their subject; add it.

    ``skipped`` and ``reasons`` are the sample files that could not be read: they are
    not read again, and one warning lists them with the unreadable candidates.
    """
    by_subject = {}
    for subject, path in neutral_files:
        by_subject.setdefault(subject, []).append(os.fspath(path))
    decoded = {os.fspath(p): image for p, image in zip(paths, images)}
    decoded.update((os.fspath(p), None) for p in skipped)
    reasons = list(reasons)
    found = []
    for i, (path, subject) in enumerate(zip(paths, groups)):
        candidates = [p for p in by_subject.get(subject, [])
                      if not os.path.samefile(p, path)]
        image = None
        for candidate in candidates:
            if candidate not in decoded:
                images_read, _, _, why = read_images_quietly([candidate], on_error=on_error)
                decoded[candidate] = images_read[0] if images_read else None
                reasons += why
            if decoded[candidate] is not None:
                image = decoded[candidate]
                break
        found.append((image, candidate) if image is not None else (
            f"{path} ({target[i]}, subject {subject}): "
            + ("no other neutral image of the subject" if not candidates
               else "its neutral images could not be read")))
    warn_skipped(reasons)
    keep, refs, ref_paths = keep_referenced(
        found, none_found="No sample has a neutral reference (another image of the same "
                          "subject in the neutral/ folder).")
    extra = {"references": refs,
             "reference_filenames": np.asarray([str(p) for p in ref_paths], dtype=object)}
    return ([images[i] for i in keep], [paths[i] for i in keep], [target[i] for i in keep],
            [groups[i] for i in keep], extra)

