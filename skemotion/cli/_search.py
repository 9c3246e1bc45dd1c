"""``skemotion search``: grid searches over emotion subsets or face detection parameters."""

from pathlib import Path

from ..datasets._summary import plural as _plural
from ..pipelines import DEFAULT_PIPELINE
from ._base import add_command, _info, _one_line, UsageError
from ._data import (_check_enough, _crop_step, _fit_errors, _full_pipeline, _load_data,
                    _make_cropper, _pipeline, _prepare, _splits, _with_detector)
from ._options import (_add_no_detect, _crop_parent, _cv_parent, _data_parent, _name_list,
                       _run_parent)
from ._paths import _refuse_output_in_data
from ._writers import _write_table


def add_parser(subparsers):
    p = add_command(
        subparsers, "search", run,
        help="grid searches over emotion subsets or face detection parameters",
        description="GridSearchCV with subject-grouped splits. 'emotions': which emotion "
        "subsets a pipeline separates best (EmotionSubset; scores are chance-adjusted "
        "balanced accuracy, 0 = chance, 1 = perfect, so subsets of different sizes compare). "
        "'cascade': the pipeline's FaceCropper scale factor and min neighbours on the raw "
        "images, with the tutorial's Haar cascades as the detector (where a setting finds no face the whole image is used, which costs accuracy); "
        "give --cache so each detection runs once across splits.",
        example="  skemotion search emotions --ckplus ~/CK+ "
        "--subsets 'anger,happy;happy,sadness,surprise;all'\n"
        "  skemotion search cascade --scale-factors 1.05,1.1,1.3 --min-neighbors 3,5 "
        "--cache cache/",
        parents=[_data_parent(), _crop_parent(), _cv_parent(splits_default=5), _run_parent()],
    )
    p.add_argument("what", choices=("emotions", "cascade"), help="what to search over")
    _add_no_detect(p)
    p.add_argument("--pipeline", metavar="NAME", default=None,
                   help=f"pipeline name (default: {DEFAULT_PIPELINE})")
    p.add_argument("--subsets", metavar="A,B;C,D,E",
                   help="emotion subsets separated by ';' ('all': every emotion); default: "
                        "every pair of emotions in the data, and all of them")
    p.add_argument("--scale-factors", metavar="LIST", default="1.05,1.1,1.2",
                   help="cascade scale factors to try (default: %(default)s)")
    p.add_argument("--min-neighbors", metavar="LIST", default="3,5",
                   help="cascade min neighbours to try (default: %(default)s)")
    p.add_argument("--out", metavar="DIR", type=Path,
                   help="write search.csv and search.json (cv_results_) into DIR")


def run(args):
    import numpy as np
    from sklearn.model_selection import GridSearchCV

    from ..model_selection import EmotionSubset

    name, factory = _pipeline(args)
    if args.out is not None and args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out: not a directory: {args.out}")
    _refuse_output_in_data(args, args.out, "--out")
    if args.what == "cascade" and args.no_detect:
        raise UsageError("--no-detect: a cascade search needs face detection")
    if args.what == "cascade" and args.detector == "yunet":
        raise UsageError("--detector yunet: a cascade search tunes the Haar cascades' "
                         "parameters, which YuNet does not have")
    if args.what == "cascade":
        scale_factors = _float_list(args.scale_factors, "--scale-factors")
        if any(v <= 1 for v in scale_factors):
            raise UsageError("--scale-factors: every scale factor must be greater than 1")
        neighbors = _float_list(args.min_neighbors, "--min-neighbors")
        if any(v != int(v) or v < 0 for v in neighbors):
            raise UsageError("--min-neighbors: give whole numbers >= 0, e.g. 3,5")
        neighbors = [int(v) for v in neighbors]
        data, _ = _load_data(args)
        _check_enough(data)
        pipe = _full_pipeline(args, factory)
        step = pipe.steps[0][0]
        cropper = _make_cropper(args, _crop_step(pipe, name)).set_params(on_missing="full_image")
        cropper = _with_detector(cropper, "haar")  # the searched parameters are the cascades'
        if "n_jobs" in cropper.get_params():
            cropper.set_params(n_jobs=None)
        pipe.steps[0] = (step, cropper)
        X, y = list(data.images), np.asarray(data.target, dtype=object)
        groups = np.asarray(data.groups, dtype=object)
        grid = {f"{step}__scale_factor": scale_factors, f"{step}__min_neighbors": neighbors}
        estimator, scoring = pipe, "balanced_accuracy"
        score_name = "balanced accuracy"
    else:
        prep = _prepare(args)
        X, y, groups = prep.X, prep.y, prep.groups
        present = sorted(set(y.tolist()))
        grid = {"emotions": _parse_subsets(args.subsets, present)}
        estimator, scoring = EmotionSubset(factory(detect=False)), None
        score_name = "chance-adjusted balanced accuracy"
    _, splits = _splits(args, "grouped", X, y, groups)
    n_candidates = int(np.prod([len(v) for v in grid.values()]))
    _info(args, f"searching {_plural(n_candidates, 'candidate')} x "
                f"{_plural(len(splits), 'subject-grouped split')} "
                f"({_plural(n_candidates * len(splits), 'fit')})")
    search = GridSearchCV(estimator, grid, cv=splits, scoring=scoring, n_jobs=args.n_jobs,
                          refit=False, error_score="raise")
    with _fit_errors(name, splits, args.test_size):
        search.fit(X, y, groups=groups)
    res = search.cv_results_
    order = np.argsort(res["rank_test_score"], kind="stable")
    keys = list(grid)
    table = []
    for i in order:
        params = {k: res["params"][i][k] for k in keys}
        shown = {k.split("__")[-1]: ("all" if v is None else ",".join(v) if isinstance(v, tuple)
                                     else v) for k, v in params.items()}
        table.append({"rank": int(res["rank_test_score"][i]), **shown,
                      "mean": float(res["mean_test_score"][i]),
                      "std": float(res["std_test_score"][i])})
    cols = list(table[0])
    cells = [[f"{r[c]:.3f}" if c in ("mean", "std") else str(r[c]) for c in cols]
             for r in table]
    widths = [max(len(c), *(len(row[j]) for row in cells)) for j, c in enumerate(cols)]
    print(f"{name}: {score_name}, {_plural(len(splits), 'subject-grouped split')}, test size "
          f"{args.test_size:g}")
    print("  ".join(c.ljust(w) for c, w in zip(cols, widths)).rstrip())
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip())
    if args.out is not None:
        _write_table(args.out, "search", table, {"pipeline": name, "what": args.what,
                                                 "score": score_name, "splits": len(splits)})
    return 0


def _parse_subsets(text, present):
    """``"a,b;c,d,e;all"`` -> list of tuples of canonical names (None for all)."""
    from itertools import combinations

    from .._emotions import parse_emotions

    if text is None:
        subsets = [tuple(pair) for pair in combinations(present, 2)]
        return subsets + ([None] if len(present) > 2 else [])
    subsets = []
    for chunk in (c.strip() for c in text.split(";")):
        if not chunk:
            continue
        if chunk.lower() == "all":
            subsets.append(None)
            continue
        try:
            subset = parse_emotions(chunk)
        except ValueError as exc:
            raise UsageError(f"--subsets: {_one_line(exc)}") from None
        missing = [e for e in subset if e not in present]
        if missing:
            raise UsageError(f"--subsets: no images labelled {', '.join(missing)} in the data "
                             f"(it has: {', '.join(present)})")
        if len(subset) < 2:
            raise UsageError(f"--subsets: {chunk!r} has one emotion; a subset needs at least two")
        subsets.append(subset)
    if not subsets:
        raise UsageError("--subsets: no subsets given")
    return subsets


def _float_list(text, option):
    try:
        values = [float(v) for v in _name_list(text)]
    except ValueError:
        raise UsageError(f"{option}: {text!r} is not a comma-separated list of numbers") from None
    if not values:
        raise UsageError(f"{option}: the list is empty")
    return values
