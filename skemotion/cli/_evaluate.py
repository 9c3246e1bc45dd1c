"""``skemotion evaluate``: the main job, every named pipeline under both protocols."""

import warnings
from pathlib import Path

from ..datasets._summary import plural as _plural
from ._base import add_command, _bars_enabled, _info, _print_warning, progress_bar, UsageError
from ._data import _crop_step, _fit_errors, _full_pipeline, _pipelines, _prepare, _splits
from ._options import (_add_no_detect, _crop_parent, _cv_parent, _data_parent, _name_list,
                       _run_parent)
from ._paths import _refuse_output_in_data
from ._writers import _write_report


def add_parser(subparsers):
    p = add_command(
        subparsers, "evaluate", run,
        help="the main job: compare all pipelines under both protocols",
        description="Load the data, crop the faces once, and evaluate every named pipeline "
        "(skemotion.pipelines.PIPELINES) under the tutorial's protocol (StratifiedShuffleSplit: "
        "the same person can be in training and test) and under subject-grouped splits "
        "(StratifiedGroupShuffleSplit: nobody is on both sides). Prints the table; with --out "
        "writes a Markdown and JSON report with plots.",
        example="  skemotion evaluate\n"
        "  skemotion evaluate --ckplus ~/CK+ --emotions anger,happy,sadness,surprise "
        "--n-jobs 2 --out report/",
        parents=[_data_parent(), _crop_parent(), _cv_parent(), _run_parent()],
    )
    p.add_argument("--pipelines", metavar="LIST", type=_name_list,
                   help="comma-separated pipeline names (default: all of them)")
    _add_no_detect(p)
    p.add_argument("--out", metavar="DIR", type=Path,
                   help="write report.md, report.json and the plots into DIR")
    p.add_argument("--calibrated", action="store_true",
                   help="also score every pipeline calibrated to each person's neutral face "
                        "(rows '<name> (calibrated)'; the data is loaded with references: "
                        "CK+ the first frame of another recording of the person, a folder "
                        "another neutral image of the subject, London a stand-in second take)")
    p.add_argument("--cross-dataset", action="store_true",
                   help="with several data sources: also train on all but one and test on the "
                        "one left out, for every source (a train -> test table)")


def run(args):
    from ..model_selection import EvaluationResult, evaluate, make_protocol

    factories = _pipelines(args.pipelines, args)
    if args.out is not None and args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out: not a directory: {args.out}")
    _refuse_output_in_data(args, args.out, "--out")
    templates = {name: _crop_step(_full_pipeline(args, f), name) for name, f in factories.items()}
    n_sources = (args.ckplus is not None) + len(args.folder or [])
    n_sources += bool(args.london and n_sources)  # alone, London is the only source
    if args.cross_dataset and n_sources < 2:
        raise UsageError("--cross-dataset trains on every data source but one and tests on the "
                         "one left out: give two sources or more (--ckplus, --folder, "
                         "--london; e.g. --ckplus PATH --london)")
    prep = _prepare(args, grouped=False, templates=templates)
    protocols, splits = {}, {}
    names = ["tutorial"] + (["grouped"] if prep.groups is not None else [])
    if prep.groups is None:
        _info(args, "no subject ids in the data: only the tutorial's protocol is possible")
    for protocol in names:
        # the splitters have fixed seeds: evaluate draws exactly the splits checked here
        protocols[protocol], splits[protocol] = _splits(args, protocol, prep.X, prep.y,
                                                        prep.groups)
    if args.cross_dataset:
        protocols["cross-dataset"] = make_protocol("cross-dataset")
        splits["cross-dataset"] = list(protocols["cross-dataset"].split(prep.X, prep.y,
                                                                        prep.source))
    models = {name: factory(detect=False) for name, factory in factories.items()}
    sizes = [f"{h}x{w}" for h, w in sorted({X.shape[1:] for X in prep.Xs.values()})]
    _info(args, f"evaluating {_plural(len(models), 'pipeline')} x "
                f"{_plural(len(protocols), 'protocol')} x {_plural(args.splits, 'split')} on "
                f"{len(prep.y)} face crops ({', '.join(sizes)})")
    # one pipeline at a time (the splits are the same for all: they depend on y, groups
    # and the seed only), so that one that cannot be fitted on this data is named and
    # left out, with a warning, instead of ending the run for all
    rows, result, left_out = {}, None, []
    with progress_bar(len(models) * len(protocols), "cross-validating",
                      enabled=_bars_enabled(args)) as bar:
        for name, model in models.items():
            bar.set_postfix_str(name)
            done = []  # protocols finished for this pipeline (the bar counts each once)
            try:
                with _fit_errors(name, sum(splits.values(), []), args.test_size):
                    result = evaluate({name: model}, prep.Xs[name], prep.y,
                                      groups=prep.groups, protocols=protocols,
                                      sources=prep.source if args.cross_dataset else None,
                                      references=(list(prep.Rs[name]) if args.calibrated
                                                  else None),
                                      n_jobs=args.n_jobs,
                                      callback=lambda *a: (done.append(a), bar.update(1)))
            except UsageError as exc:
                if len(models) == 1:
                    raise
                left_out.append(f"left out {name}: {exc}")
                bar.update(len(protocols) - len(done))
                continue
            for row in result.rows:
                rows[row["model"], row["protocol"]] = row
            # every pipeline has the same splits: their small test parts are named once
            warnings.filterwarnings("ignore", message=r"Protocol '.*fewer than 2 test samples")
    if result is None:
        raise UsageError(f"none of the {len(models)} pipelines could be fitted on this data: "
                         + "; ".join(note.removeprefix("left out ") for note in left_out))
    for note in left_out:
        _print_warning("evaluate", note)
    models = {name: model for name, model in models.items() if (name, names[0]) in rows}
    row_names = list(dict.fromkeys(m for m, _ in rows))  # with "<name> (calibrated)" rows
    result = EvaluationResult(
        [rows[m, p] for m in row_names for p in protocols],
        classes=result.classes, class_counts=result.class_counts, n_samples=result.n_samples,
        n_groups=result.n_groups, protocols=result.protocols,
    )
    print(result)
    if args.out is not None:
        _write_report(args, prep, result, models, splits, notes=left_out)
    return 0
