"""Model files: skops (safe, default) or joblib (explicit opt-in, runs code when loaded)."""

import inspect
import zipfile
from pathlib import Path

from sklearn.utils._param_validation import StrOptions, validate_params

from .utils._warnings import warn_caller

__all__ = ["save_model", "load_model", "trusted_types"]

_JOBLIB_WARNING = (
    "joblib files are pickles: loading one runs arbitrary code stored in it. Only load "
    "joblib model files you created yourself or fully trust; prefer the default "
    "format='skops'."
)


def _skops_io():
    try:
        import skops.io as sio
    except ImportError as exc:  # pragma: no cover - skops is in the test extras
        raise ImportError(
            "Saving and loading models in the safe skops format needs the 'skops' package: "
            'pip install "skemotion[persist]" (or pass format="joblib", which is unsafe to '
            "load from untrusted sources)."
        ) from exc
    return sio


def trusted_types():
    """Type names of skemotion's own estimators that :func:`load_model` trusts.

    Every class exported by ``skemotion`` (and ``skemotion.model_selection``) is
    trusted, in addition to the numpy, scipy and scikit-learn types skops trusts by
    default. Functions and any other type are not.

    Returns
    -------
    names : list of str
        Fully qualified names such as ``"skemotion._fisherface.FisherFaceClassifier"``.

    Examples
    --------
    >>> from skemotion import trusted_types
    >>> "skemotion._fisherface.FisherFaceClassifier" in trusted_types()
    True
    """
    import importlib

    names = set()
    for module_name in ("skemotion", "skemotion.model_selection"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:  # pragma: no cover - a half-installed package
            continue
        for attr in getattr(module, "__all__", []):
            obj = getattr(module, attr, None)
            if inspect.isclass(obj) and obj.__module__.startswith("skemotion"):
                names.add(f"{obj.__module__}.{obj.__qualname__}")
    return sorted(names)


@validate_params(
    {
        "model": "no_validation",
        "path": [str, Path],
        "format": [StrOptions({"skops", "joblib"})],
    },
    prefer_skip_nested_validation=True,
)
def save_model(model, path, *, format="skops"):
    """Save a fitted estimator or pipeline to one file.

    Parameters
    ----------
    model : object
        Usually a fitted :class:`~sklearn.pipeline.Pipeline` or skemotion estimator.
    path : str or pathlib.Path
        File to write (its folder must exist; nothing else is written). The suffix
        is not changed: ``.skops`` / ``.joblib`` are the usual choices.
    format : {"skops", "joblib"}, default="skops"
        ``"skops"``: the safe format (no code runs when it is loaded); warns when the
        model holds types that :func:`load_model` does not trust by default (it
        names them), so that this shows when saving, not on another machine.
        ``"joblib"``: a pickle; warns, because loading such files runs code.

    Returns
    -------
    path : pathlib.Path
        The file written.

    See Also
    --------
    load_model : Load it back.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from skemotion import FisherFaceClassifier, save_model, load_model
    >>> X = np.arange(60.0).reshape(6, 10) ** 1.5
    >>> clf = FisherFaceClassifier().fit(X, ["a", "a", "a", "b", "b", "b"])
    >>> path = os.path.join(tempfile.mkdtemp(), "model.skops")
    >>> _ = save_model(clf, path)
    >>> load_model(path).predict(X[:2])
    array(['a', 'a'], dtype='<U1')
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"Cannot save the model to {path}: folder {path.parent} does not exist."
        )
    if path.is_dir():
        raise IsADirectoryError(
            f"Cannot save the model to {path}: it is a folder; give a file name."
        )
    if format == "joblib":
        import joblib

        warn_caller(f"Saving {path} as joblib. {_JOBLIB_WARNING}")
        joblib.dump(model, path)
    else:
        sio = _skops_io()
        data = sio.dumps(model)
        path.write_bytes(data)
        refused = sorted(set(sio.get_untrusted_types(data=data)) - set(trusted_types()))
        if refused:
            hint = ""
            if any(name.startswith(("pathlib.", "joblib.")) for name in refused):
                hint = (" Parameters given as str instead of pathlib.Path or joblib.Memory "
                        "(e.g. FaceCropper's memory and cascades) avoid this.")
            warn_caller(
                f"Saved {path}, but load_model will refuse it unless told to trust "
                f"{', '.join(refused)}: load_model(path, trusted=[...]).{hint}"
            )
    return path


@validate_params(
    {
        "path": [str, Path],
        "format": [StrOptions({"skops", "joblib"}), None],
        "trusted": [list, tuple, None],
    },
    prefer_skip_nested_validation=True,
)
def load_model(path, *, format=None, trusted=None):
    """Load a model saved with :func:`save_model`.

    Parameters
    ----------
    path : str or pathlib.Path
        The model file.
    format : {"skops", "joblib"} or None, default=None
        None reads skops files and refuses anything else (a joblib/pickle file is
        only loaded with an explicit ``format="joblib"``, with a warning).
    trusted : list of str or None, default=None
        Extra type names to trust in a skops file, beyond the types skops trusts by
        default (most numpy, scipy and scikit-learn types, but not scikit-learn's
        scorers or splitters such as ``StratifiedKFold``) and :func:`trusted_types`.
        Only list types you know are harmless.

    Returns
    -------
    model : object
        The estimator or pipeline.

    Raises
    ------
    ValueError
        If a skops file holds types that are not trusted (the message lists them),
        or one whose module cannot be imported here, or the file is not a skops file
        and ``format`` is not ``"joblib"`` (or is one, and ``format`` is ``"joblib"``).

    See Also
    --------
    save_model : Write a model file.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from skemotion import FisherFaceClassifier, save_model, load_model
    >>> X = np.arange(60.0).reshape(6, 10) ** 1.5
    >>> clf = FisherFaceClassifier().fit(X, [0, 0, 0, 1, 1, 1])
    >>> path = save_model(clf, os.path.join(tempfile.mkdtemp(), "m.skops"))
    >>> load_model(path).classes_
    array([0, 1])
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Model file not found: {path}")
    if format == "joblib":
        import joblib

        if zipfile.is_zipfile(path):
            raise ValueError(
                f"{path} is a skops model file (a zip archive), not a joblib/pickle file: "
                "load it without format='joblib'."
            )
        warn_caller(f"Loading {path} with joblib. {_JOBLIB_WARNING}")
        return joblib.load(path)
    if not zipfile.is_zipfile(path):
        raise ValueError(
            f"{path} is not a skops model file. If it is a joblib/pickle file that you "
            "created yourself or fully trust, load it with format='joblib' (loading a "
            "pickle runs code stored in it)."
        )
    sio = _skops_io()
    allowed = set(trusted_types()) | set(trusted or ())
    try:
        found = sio.get_untrusted_types(file=path)
    except Exception as exc:
        raise ValueError(f"{path} is not a readable skops model file: {exc}") from exc
    refused = sorted(set(found) - allowed)
    if refused:
        raise ValueError(
            f"Refusing to load {path}: it contains types that skemotion does not trust: "
            f"{', '.join(refused)}. If you know they are safe, pass them as "
            "load_model(path, trusted=[...])."
        )
    try:
        return sio.load(path, trusted=sorted(set(found)))
    except (AttributeError, ImportError) as exc:  # a trusted type this Python cannot import
        raise ValueError(
            f"Cannot rebuild the model in {path}: {type(exc).__name__}: {exc}. The module "
            "that defines one of its types must be importable here (the same packages, "
            "and your own classes importable by name, not defined in a script's __main__)."
        ) from exc
