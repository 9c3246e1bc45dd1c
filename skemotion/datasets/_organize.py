"""Copy the chosen CK+ frames into the tutorial's sorted layout ``out_dir/<emotion>/``."""

import filecmp
import os
import shutil
from collections import Counter
from pathlib import Path

from sklearn.utils import Bunch
from sklearn.utils._param_validation import StrOptions, validate_params

from ..utils._image_io import is_image_file
from ..utils._warnings import warn_caller
from ._ckplus import find_ckplus_layout, scan_ckplus, select_ckplus_samples
from ._summary import plural


def _inside(path, folder):
    """True if ``path`` is ``folder`` or lies below it (both real, absolute paths)."""
    try:
        Path(path).relative_to(folder)
    except ValueError:
        return False
    return True


@validate_params(
    {
        "root": [str, os.PathLike],
        "out_dir": [str, os.PathLike],
        "neutral": [StrOptions({"first", "per_subject", "none"})],
        "emotions": [str, list, tuple, None],
    },
    prefer_skip_nested_validation=True,
)
def organize_ckplus(root, out_dir, *, neutral="first", emotions=None):
    """Copy CK+'s labelled frames into one folder per emotion: ``out_dir/<emotion>/``.

    Does by rule what the tutorial's sorting script does: the peak (last) frame of
    every labelled sequence goes to its emotion folder, first frames to ``neutral/``
    as ``neutral`` says; file names are kept (``S005_001_00000011.png``), so
    :func:`load_image_folder` reads subject ids back with its default pattern.
    Files are copied byte for byte, not re-encoded.

    Nothing is written outside ``out_dir``. Before anything is copied, every
    destination is checked: a file that already exists with the same content is
    left alone (running the function twice is harmless), one with different
    content stops the whole run with ``FileExistsError``.

    Parameters
    ----------
    root : str or path-like
        The CK+ folder, as for :func:`load_ckplus`.
    out_dir : str or path-like
        The folder to write to; created if needed. It must not lie inside the CK+
        image or label folder.
    neutral : {"first", "per_subject", "none"}, default="first"
        Which first frames to copy to ``neutral/`` (see :func:`load_ckplus`).
    emotions : str or list of str, default=None
        Copy only these emotions; ``None`` copies all. A requested emotion that no
        image has is a warning (an error if none has any).

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        ``out_dir`` (absolute path), ``filenames`` (destination of every sample),
        ``sources`` (the CK+ file each was copied from), ``target``, ``groups``,
        ``counts`` (dict emotion -> number of files), ``written`` and ``unchanged``
        (destinations copied now / already present with the same content),
        ``n_written`` and ``n_unchanged``. Image files in ``out_dir`` that this
        call did not write (e.g. from an earlier call with other ``neutral`` or
        ``emotions``) are left alone, with a warning: loading the folder reads them.

    Raises
    ------
    FileExistsError
        If a destination exists with different content (the message lists them)
        or ``out_dir`` is a file.
    ValueError
        If ``out_dir`` lies inside the CK+ folders, a destination would resolve
        outside ``out_dir`` (e.g. through a symbolic link), or the CK+ tree has a
        problem (see :func:`load_ckplus`).

    See Also
    --------
    load_ckplus : Load the same samples without copying.
    load_image_folder : Load the sorted folder this function writes.

    Examples
    --------
    >>> import tempfile, pathlib, numpy as np, cv2
    >>> from skemotion.datasets import organize_ckplus
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> seq = root / "source_images" / "S010" / "002"
    >>> seq.mkdir(parents=True)
    >>> for frame in (1, 14):
    ...     _ = cv2.imwrite(str(seq / f"S010_002_{frame:08d}.png"), np.zeros((8, 8), np.uint8))
    >>> (root / "source_emotion" / "S010" / "002").mkdir(parents=True)
    >>> _ = (root / "source_emotion/S010/002/S010_002_00000014_emotion.txt").write_text("5.0")
    >>> result = organize_ckplus(root, root / "sorted_set")
    >>> result.counts, result.n_written
    ({'happy': 1, 'neutral': 1}, 2)
    >>> sorted(p.name for p in (root / "sorted_set" / "happy").iterdir())
    ['S010_002_00000014.png']
    >>> organize_ckplus(root, root / "sorted_set").n_unchanged  # idempotent
    2
    >>> import shutil; shutil.rmtree(root)
    """
    images_dir, labels_dir = find_ckplus_layout(root)
    out = Path(os.path.realpath(os.path.expanduser(os.fspath(out_dir))))
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"out_dir exists and is not a folder: {out}")
    for ck_dir in (images_dir, labels_dir):
        real = Path(os.path.realpath(ck_dir))
        if _inside(out, real):
            raise ValueError(
                f"out_dir {out} lies inside the CK+ folder {real}; choose a folder outside it."
            )
    samples = select_ckplus_samples(scan_ckplus(root), neutral=neutral, emotions=emotions,
                                    source=os.fspath(root))

    destinations = []
    seen = {}
    for s in samples:
        dest = out / s["label"] / Path(s["path"]).name
        # A pre-existing symbolic link (out/happy -> elsewhere) must not lead outside out_dir.
        if not _inside(os.path.realpath(dest), out):
            raise ValueError(
                f"Refusing to write {dest}: it resolves to {os.path.realpath(dest)}, "
                f"outside out_dir {out}."
            )
        if dest in seen:
            raise ValueError(
                f"Two CK+ files would be copied to the same destination {dest}: "
                f"{seen[dest]} and {s['path']}."
            )
        seen[dest] = s["path"]
        destinations.append(dest)

    conflicts, unchanged = [], set()
    for s, dest in zip(samples, destinations):
        if dest.exists():
            if dest.is_file() and filecmp.cmp(s["path"], dest, shallow=False):
                unchanged.add(dest)
            else:
                conflicts.append(f"{dest} (differs from {s['path']})")
    if conflicts:
        listing = "\n  ".join(conflicts[:20])
        more = f"\n  ... and {len(conflicts) - 20} more" if len(conflicts) > 20 else ""
        raise FileExistsError(
            f"{len(conflicts)} file(s) in {out} already exist with different content; "
            f"nothing was written. Remove them or choose another out_dir:\n  {listing}{more}"
        )

    written = []
    for s, dest in zip(samples, destinations):
        if dest in unchanged:
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(s["path"], dest)
        written.append(str(dest))
    ours = set(destinations)
    others = sorted(f for f in out.rglob("*")
                    if f.is_file() and is_image_file(f.name) and f not in ours)
    if others:
        warn_caller(
            f"{out} also holds {plural(len(others), 'image file')} this run did not write (e.g. "
            f"{others[0]}); loading the folder (load_image_folder, --folder) would read "
            "them too."
        )
    return Bunch(
        out_dir=str(out),
        filenames=[str(d) for d in destinations],
        sources=[s["path"] for s in samples],
        target=[s["label"] for s in samples],
        groups=[s["subject"] for s in samples],
        counts=dict(sorted(Counter(s["label"] for s in samples).items())),
        written=written,
        unchanged=[str(d) for d in destinations if d in unchanged],
        n_written=len(written),
        n_unchanged=len(unchanged),
    )
