"""OpenCV Haar cascades: names, paths and a thread-safe pool of loaded classifiers.

A ``cv2.CascadeClassifier`` can be neither pickled nor deep-copied, and one
instance must not run ``detectMultiScale`` in two threads at once. So estimators
keep only a cascade's *name or path* as a parameter; this module turns it into a
file (:func:`resolve_cascade`) and lends out loaded classifiers from a per-process
pool (:func:`borrow_cascade`), loading each file once per concurrent user.
"""

import contextlib
import functools
import hashlib
import os
import threading
from pathlib import Path

import cv2

#: The van Gent tutorial's four face cascades, in the order it tries them.
DEFAULT_CASCADES = (
    "frontalface_default",
    "frontalface_alt2",
    "frontalface_alt",
    "frontalface_alt_tree",
)

#: The cascade used to find eyes for ``align="eyes"``.
EYE_CASCADE = "eye"

_PREFIX = "haarcascade_"


#: The OpenCV that skemotion's face detection needs (as in pyproject.toml): the contrib
#: wheel from 4.8, without 5.0, whose wheels ship no Haar cascade files.
OPENCV_REQUIREMENT = "opencv-contrib-python>=4.8,!=5.0.*,<6"


class OpenCVFeatureMissingError(ImportError):
    """This OpenCV build lacks what we need (cascade files, CascadeClassifier, cv2.face).

    The command line prints it as one line (exit code 1) instead of a traceback.
    """


def _opencv_lacks(what, *, needed_by="Face detection",
                  why="the OpenCV 5.0 wheels ship no cascade files"):
    """The ImportError for an OpenCV build without ``what``: one line, what to install."""
    version = getattr(cv2, "__version__", "of unknown version")
    return OpenCVFeatureMissingError(
        f"{needed_by} needs {what}, which this OpenCV ({version}, "
        f"{getattr(cv2, '__file__', 'cv2')}) does not have: "
        f'pip install "{OPENCV_REQUIREMENT}" ({why}).'
    )


def _builtin_folder():
    """OpenCV's folder of Haar cascade files, or None if this build has none."""
    folder = getattr(getattr(cv2, "data", None), "haarcascades", None)
    if folder and any(Path(folder).glob(_PREFIX + "*.xml")):
        return Path(folder)
    return None


def _cascade_dir():
    folder = _builtin_folder()
    if folder is None:
        raise _opencv_lacks("OpenCV's Haar cascade files (cv2.data.haarcascades)")
    return folder


def available_cascades():
    """Names of the Haar cascades that ship with OpenCV (``"frontalface_alt2"``, ...).

    Examples
    --------
    >>> from skemotion.faces._cascades import available_cascades
    >>> "frontalface_default" in available_cascades()
    True
    """
    return sorted(
        p.name[len(_PREFIX) : -len(".xml")]
        for p in _cascade_dir().glob(_PREFIX + "*.xml")
    )


@functools.lru_cache(maxsize=None)
def _resolve(name):
    builtin = _builtin_folder()
    short = name[:-4] if name.endswith(".xml") else name
    short = short[len(_PREFIX) :] if short.startswith(_PREFIX) else short
    if builtin is not None and os.sep not in name and "/" not in name:
        candidate = builtin / f"{_PREFIX}{short}.xml"
        if candidate.is_file():
            return str(candidate)
    if os.path.isfile(name):
        return os.path.abspath(name)  # a cascade file of one's own needs no built-in ones
    if builtin is None:  # the name may well be a built-in one: say what is missing
        _cascade_dir()
    raise ValueError(
        f"Unknown cascade {name!r}: not an OpenCV cascade name and not an existing file. "
        f"Available names: {', '.join(available_cascades())}."
    )


def resolve_cascade(name):
    """Return the absolute path of a cascade given by name or path.

    Names are OpenCV's cascade file names with or without the ``haarcascade_``
    prefix and ``.xml`` ending (``"frontalface_alt2"``,
    ``"haarcascade_frontalface_alt2.xml"``); anything else must be an existing
    cascade XML file.

    Raises
    ------
    ValueError
        If the name is unknown; the message lists the available names.
    ImportError
        If a name is given and this OpenCV has no cascade files (the OpenCV 5.0
        wheels); the message says which package to install.
    """
    if not isinstance(name, (str, os.PathLike)):
        raise ValueError(f"A cascade must be a name or a path, got {name!r}.")
    return _resolve(os.fspath(name))


@functools.lru_cache(maxsize=None)
def _file_digest(path, mtime_ns, size):
    with open(path, "rb") as f:
        return hashlib.blake2b(f.read(), digest_size=16).hexdigest()


def cascade_digest(path):
    """Content hash of a cascade file (cache keys survive moving the installation)."""
    stat = os.stat(path)
    return _file_digest(path, stat.st_mtime_ns, stat.st_size)


_POOL = {}
_POOL_LOCK = threading.Lock()


def _load(path):
    if not hasattr(cv2, "CascadeClassifier"):
        raise _opencv_lacks("cv2.CascadeClassifier")
    try:
        classifier = cv2.CascadeClassifier(path)
    except (cv2.error, SystemError):  # OpenCV raises on some malformed files
        classifier = None
    if classifier is None or classifier.empty():
        raise ValueError(f"Cannot load cascade file {path}: not an OpenCV cascade XML file.")
    return classifier


@contextlib.contextmanager
def borrow_cascade(path):
    """Lend a loaded ``cv2.CascadeClassifier`` for ``path`` to one thread.

    Classifiers are kept in a per-process pool and reused; a thread never shares
    an instance with another thread while it holds it.
    """
    with _POOL_LOCK:
        free = _POOL.setdefault(path, [])
        classifier = free.pop() if free else None
    if classifier is None:
        classifier = _load(path)
    try:
        yield classifier
    finally:
        with _POOL_LOCK:
            _POOL[path].append(classifier)
