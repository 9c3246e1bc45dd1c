"""``skemotion train``: fit a named pipeline on all the data and save it as a model file."""

from pathlib import Path

from ..pipelines import DEFAULT_PIPELINE
from ._base import add_command, _info, _one_line, UsageError
from ._data import _crop_step, _fit_errors, _full_pipeline, _make_cropper, _pipeline, _prepare
from ._options import _crop_parent, _data_parent, _run_parent
from ._paths import _refuse_output_in_data


def add_parser(subparsers):
    p = add_command(
        subparsers, "train", run,
        help="train a pipeline on all the data and save it as a model file",
        description="Fit a named pipeline (face detection included) on all the data and save "
        "it with skemotion.save_model (skops format), ready for 'skemotion predict'.",
        example="  skemotion train --out happy.skops --pipeline fisherface\n"
        "  skemotion train --out calibrated.skops --calibrated --ckplus ~/CK+",
        parents=[_data_parent(), _crop_parent(), _run_parent(cv=False)],
    )
    p.add_argument("--out", metavar="MODEL", type=Path, required=True,
                   help="the model file to write (e.g. model.skops)")
    p.add_argument("--pipeline", metavar="NAME", default=None,
                   help=f"pipeline name (default: {DEFAULT_PIPELINE})")
    p.add_argument("--calibrated", action="store_true",
                   help="train a calibrated model: it classifies a face relative to the same "
                        "person's neutral face (the data is loaded with references; predict "
                        "then needs --reference)")


def run(args):
    from .._persistence import save_model

    name, factory = _pipeline(args)
    if args.out.is_dir():
        raise UsageError(f"--out is a directory, give a file name: {args.out}")
    if not args.out.parent.is_dir():
        raise UsageError(f"--out: no such directory: {args.out.parent}")
    try:  # save_model writes skops files: check before the slow loading and fitting
        import skops.io  # noqa: F401
    except ImportError:
        raise UsageError("saving the model needs the 'skops' package: "
                         'pip install "skemotion[persist]"') from None
    _refuse_output_in_data(args, args.out, "--out")
    pipe = _full_pipeline(args, factory)
    template = _crop_step(pipe, name)
    prep = _prepare(args, grouped=False, template=template)
    # The cropper is stateless: crop once (with a progress bar), fit the rest on the crops.
    # the saved model raises on faceless images (predict reports them), unless the user
    # said the images are crops already
    on_missing = "full_image" if args.on_missing == "full_image" else "raise"
    cropper = _make_cropper(args, template).set_params(on_missing=on_missing)
    if "n_jobs" in cropper.get_params():
        cropper.set_params(n_jobs=None)
    if "memory" in cropper.get_params():  # --cache served the training run only: the
        cropper.set_params(memory=None)   # model must not write a cache where it predicts
    pipe.steps[0] = (pipe.steps[0][0], cropper.fit(prep.X[:1]))
    _info(args, f"training {name}{' calibrated' if args.calibrated else ''} on "
                f"{len(prep.y)} face crops")
    with _fit_errors(name):
        if args.calibrated:
            from ..calibration import ReferenceCalibratedClassifier

            pipe = ReferenceCalibratedClassifier(pipe)._fit_crops(
                cropper, prep.X.reshape(len(prep.X), -1), prep.R.reshape(len(prep.R), -1),
                prep.X.shape[1:], prep.y)
        else:
            pipe[1:].fit(prep.X.reshape(len(prep.X), -1), prep.y)
    try:
        save_model(pipe, args.out)
    except (OSError, ValueError, ImportError) as exc:
        raise UsageError(_one_line(exc)) from None
    classes = ", ".join(map(str, pipe.classes_))
    kind = " (calibrated: predict needs --reference)" if args.calibrated else ""
    print(f"{args.out}: {name}{kind} trained on {len(prep.y)} images ({classes})")
    return 0
