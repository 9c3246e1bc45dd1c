"""``skemotion difficult``: the images a pipeline gets wrong most often."""

from pathlib import Path

from ..datasets._summary import plural as _plural
from ..pipelines import DEFAULT_PIPELINE
from ._base import add_command, _info, UsageError
from ._data import (_crop_step, _find_difficult, _fit_errors, _full_pipeline, _pipeline, _prepare,
                    _splits)
from ._options import _add_no_detect, _crop_parent, _cv_parent, _data_parent, _rate, _run_parent
from ._paths import _refuse_output_in_data
from ._writers import _write_difficult


def add_parser(subparsers):
    p = add_command(
        subparsers, "difficult", run,
        help="find the images a pipeline gets wrong most often",
        description="Across repeated subject-grouped splits, count how often each image is "
        "misclassified and as what; write OUT_DIR/difficult.csv and the crops named "
        "<true>_<predicted>_<id>.png into OUT_DIR (the tutorial's difficult/ folder, "
        "aggregated over all splits).",
        example="  skemotion difficult difficult/ --pipeline fisherface --splits 10",
        parents=[_data_parent(), _crop_parent(), _cv_parent(), _run_parent()],
    )
    p.add_argument("out_dir", metavar="OUT_DIR", type=Path, help="the folder to write into")
    p.add_argument("--pipeline", metavar="NAME", default=None,
                   help=f"pipeline name (default: {DEFAULT_PIPELINE})")
    _add_no_detect(p)
    p.add_argument("--min-error-rate", metavar="F", type=_rate, default=0.0,
                   help="write only images wrong in at least this share of the splits that "
                        "tested them (default: every image wrong at least once)")


def run(args):
    name, factory = _pipeline(args)
    if args.out_dir.exists() and not args.out_dir.is_dir():
        raise UsageError(f"OUT_DIR is not a directory: {args.out_dir}")
    _refuse_output_in_data(args, args.out_dir, "OUT_DIR")
    prep = _prepare(args, template=_crop_step(_full_pipeline(args, factory), name))
    _, splits = _splits(args, "grouped", prep.X, prep.y, prep.groups)
    _info(args, f"{name}: {_plural(len(splits), 'subject-grouped split')} on "
                f"{len(prep.y)} face crops")
    with _fit_errors(name, splits, args.test_size):
        result = _find_difficult(args, factory(detect=False), prep.X, prep, splits)
    csv_path = _write_difficult(result, prep.X, args.out_dir,
                                min_error_rate=args.min_error_rate)
    print(result)
    print(f"wrote {csv_path} and the crops of the misclassified images")
    return 0
