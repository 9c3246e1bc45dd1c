"""``skemotion predict``: a CSV of labels and scores for image files, from a saved model."""

import sys
from pathlib import Path

from ._base import add_command, _bars_enabled, _info, _one_line, progress_bar, UsageError
from ._data import _chunk_size, _chunks, _detector_of
from ._options import _add_detector, _run_parent
from ._paths import _image_files, _refuse_out_over_input


def add_parser(subparsers):
    p = add_command(
        subparsers, "predict", run,
        help="predict the emotion of image files with a saved model",
        description="Load a model file written by 'skemotion train' and write a CSV with "
        "one row per image: file, label, one score column per class (the model's "
        "predict_proba, else decision_function: scores, not calibrated probabilities), and an "
        "error column for images that could not be used (e.g. no face found). Exit code 1 "
        "when no image could be classified (the CSV is still written), 2 for a usage error.",
        example="  skemotion predict happy.skops photos/*.jpg --out predictions.csv",
        parents=[_run_parent(cv=False)],
    )
    p.add_argument("model", metavar="MODEL", type=Path, help="a model file from 'skemotion train'")
    p.add_argument("images", metavar="IMAGES", type=Path, nargs="+",
                   help="image files, or folders (searched recursively)")
    p.add_argument("--out", metavar="FILE", type=Path, help="write the CSV here (default: stdout)")
    p.add_argument("--reference", metavar="IMAGE", type=Path,
                   help="for a calibrated model ('train --calibrated'): a photo of the "
                        "person's neutral face, used as the reference of every image")
    p.add_argument("--trust", action="store_true",
                   help="load a joblib/pickle model file (runs code from the file: only for "
                        "files you made yourself)")
    _add_detector(p, default_help="the model's own")


def run(args):
    import csv

    if not args.model.is_file():
        raise UsageError(f"{args.model} is a folder, not a model file" if args.model.is_dir()
                         else f"no such model file: {args.model}")
    if args.out is not None and (args.out.is_dir() or not args.out.parent.is_dir()):
        raise UsageError(f"--out must name a file in an existing folder: {args.out}")
    if args.out is not None:
        _refuse_out_over_input(args.out, [args.model], "the model file")
    model = _with_reference(args, _load_predict_model(args))
    files = [f for f, _ in _image_files(args.images, command=args.command)]
    if args.out is not None:
        _refuse_out_over_input(args.out, files, "an image file")
    steps = getattr(model, "steps", None)
    if steps and "n_jobs" in steps[0][1].get_params():  # crop with all the --n-jobs threads
        steps[0][1].set_params(n_jobs=args.n_jobs)
    _detector_of(model, args)
    classes = [str(c) for c in model.classes_]
    scorer = next((m for m in ("predict_proba", "decision_function") if hasattr(model, m)), None)
    rows = []
    with progress_bar(len(files), "predicting", enabled=_bars_enabled(args)) as bar:
        for part in _chunks(len(files), _chunk_size(args)):
            batch = [str(f) for f in files[part]]
            try:
                rows += _predict_rows(model, scorer, batch, classes)
            except ImportError as exc:  # e.g. a landmark pipeline without dlib
                raise UsageError(f"cannot run {args.model}: {_one_line(exc)}") from None
            except ValueError:
                for f in batch:  # find the image(s) at fault; keep the others
                    try:
                        rows += _predict_rows(model, scorer, [f], classes)
                    except ValueError as exc:
                        rows.append({"file": f, "label": "", "error": _predict_error(exc)})
            bar.update(len(batch))
    fields = ["file", "label"] + [f"score_{c}" for c in classes] + ["error"]
    if args.out is not None:
        stream = open(args.out, "w", newline="", encoding="utf-8")
    else:
        stream = sys.stdout
    try:
        writer = csv.DictWriter(stream, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    finally:
        if stream is not sys.stdout:
            stream.close()
    n_bad = sum(1 for r in rows if r.get("error"))
    if n_bad == len(rows):
        print(f"skemotion predict: no image could be classified ({len(rows)} of "
              f"{len(rows)} failed, see the error column)", file=sys.stderr)
        return 1
    if n_bad:
        _info(args, f"{n_bad} of {len(rows)} images could not be classified (see the error column)")
    return 0


def _load_predict_model(args):
    """The model of ``predict``: loaded, and checked to be a fitted classifier."""
    import zipfile

    from .._persistence import load_model

    try:
        model = load_model(args.model, format="joblib" if args.trust else None)
    except ImportError as exc:
        raise UsageError(_one_line(exc)) from None
    except (OSError, ValueError, TypeError, EOFError) as exc:
        # a file of the other format: the command line's words, not load_model's
        # (which name its Python argument format='joblib')
        is_skops = args.model.is_file() and zipfile.is_zipfile(args.model)
        if isinstance(exc, ValueError) and args.model.is_file() and is_skops == args.trust:
            what = ("it is a skops model file (a zip archive), not a joblib/pickle file: load "
                    "it without --trust" if is_skops else
                    "it is not a skops model file. If it is a joblib/pickle file that you made "
                    "yourself or fully trust, add --trust (loading a pickle runs code stored "
                    "in it)")
            raise UsageError(f"cannot load {args.model}: {what}") from None
        hint = ""
        if not args.trust and "not trust" in str(exc):  # untrusted types in a skops file
            hint = (" (in Python, that is: the command line cannot trust more types, and "
                    "--trust does not read skops files)")
        raise UsageError(f"cannot load {args.model}: {_one_line(exc)}{hint}") from None
    except Exception as exc:  # e.g. --trust on a file that is not a pickle
        kind = " as a joblib/pickle file" if args.trust else ""
        raise UsageError(f"cannot load {args.model}{kind}: "
                         f"{type(exc).__name__}: {_one_line(exc)}") from None
    if not (hasattr(model, "predict") and hasattr(model, "classes_")):
        raise UsageError(f"{args.model} holds a {type(model).__name__}, not a fitted classifier "
                         "(use a model file written by 'skemotion train')")
    if not _crops_faces(model):
        raise UsageError(
            f"{args.model} holds a model without a FaceCropper: it classifies face crops, "
            "while predict gives it image files (use a model written by 'skemotion train', "
            "or in Python a pipeline built with detect=True)")
    return model


def _with_reference(args, model):
    """A calibrated model with ``--reference`` fixed (a predictor of plain images); any
    other model as it is. A calibrated model without ``--reference`` or a plain one with it
    is a usage error."""
    from ..calibration import ReferenceCalibratedClassifier

    calibrated = isinstance(model, ReferenceCalibratedClassifier)
    if args.reference is None:
        if calibrated:
            raise UsageError(f"{args.model} is a calibrated model: give --reference IMAGE, a "
                             "photo of the person's neutral face")
        return model
    if not calibrated:
        raise UsageError(f"--reference is for calibrated models ('train --calibrated'); "
                         f"{args.model} is not one")
    if not args.reference.is_file():
        raise UsageError(f"--reference: no such image file: {args.reference}")
    try:
        return model.with_reference(str(args.reference))
    except (OSError, ValueError) as exc:
        raise UsageError(f"--reference {args.reference}: {_predict_error(exc)}") from None


def _crops_faces(model):
    """Whether ``model`` (or an estimator inside it) is a FaceCropper: one that reads
    image files and finds the faces itself."""
    from ..faces._cropper import FaceCropper

    if isinstance(model, FaceCropper):
        return True
    try:
        params = model.get_params(deep=True)
    except Exception:  # not a scikit-learn estimator: let predict try it
        return True
    return any(isinstance(value, FaceCropper) for value in params.values())


def _predict_error(exc):
    text = _one_line(exc)
    if text.startswith("No face found"):
        return "no face found"
    return text.split("): ", 1)[-1] if text.startswith("sample ") else text


def _predict_rows(model, scorer, files, classes):
    import numpy as np

    labels = model.predict(files)
    scores = None if scorer is None else np.asarray(getattr(model, scorer)(files))
    if scores is not None and scores.ndim == 1:  # binary decision_function
        scores = np.column_stack([-scores, scores])
    rows = []
    for i, f in enumerate(files):
        row = {"file": f, "label": str(labels[i]), "error": ""}
        if scores is not None:
            row.update({f"score_{c}": f"{scores[i, j]:.6g}" for j, c in enumerate(classes)})
        rows.append(row)
    return rows
