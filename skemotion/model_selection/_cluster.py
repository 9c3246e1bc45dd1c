"""Run searches and evaluations on a Dask cluster via joblib's dask backend (extra ``cluster``)."""

from contextlib import contextmanager

import joblib


@contextmanager
def dask_backend(scheduler_address=None, *, timeout=10, **client_kwargs):
    """Send every joblib-parallel job in the block to a Dask cluster.

    scikit-learn's searches and ``cross_validate``, and skemotion's
    :func:`evaluate` and :func:`find_difficult_images`, parallelise through
    joblib; inside this block joblib's ``"dask"`` backend ships each job (one
    fit + score of one candidate on one split) to the cluster's workers. This
    is the same as::

        from dask.distributed import Client
        with Client("tcp://HOST:8786") as client, joblib.parallel_backend("dask"):
            search.fit(X, y, groups=groups)

    with the client closed afterwards and a clear error if ``dask.distributed``
    is missing.

    Parameters
    ----------
    scheduler_address : str, distributed.Client or None, default=None
        ``"tcp://HOST:PORT"`` of a running scheduler, an existing ``Client`` (left
        open), or ``None`` for a local cluster of this machine's cores.
    timeout : float, default=10
        Seconds to wait for the scheduler before failing with ``OSError``.
    **client_kwargs
        More arguments for :class:`distributed.Client`.

    Yields
    ------
    client : distributed.Client
        The connected client (its ``dashboard_link`` shows progress).

    Notes
    -----
    Pass ``n_jobs=-1`` to the search (or to ``evaluate``) so joblib hands out all
    jobs at once; the cluster, not ``n_jobs``, then limits parallelism. A grid of
    ``C`` candidates with ``S`` splits is ``C * S`` independent tasks (plus one refit
    on the client side): for example 7 emotion subsets x 2 pipelines x 10 splits =
    140 fits, handed to the workers as they free up. joblib's dask backend scatters
    large arguments such as ``X`` to the cluster once per search and the workers
    share them, so pass cropped faces (``FaceCropper`` output: CK+'s up to 654 images at
    64x64 float32 are 11 MB, at 350x350 320 MB) rather than raw frames, or crop
    inside the pipeline with ``FaceCropper(memory=...)`` on a disk every worker sees.
    Workers must have skemotion (same version) installed.

    Examples
    --------
    Needs a running scheduler, so not run here (``tests/test_dask.py`` starts a real
    two-process ``LocalCluster`` and checks a search gives the local results):

    >>> from skemotion.model_selection import dask_backend
    >>> with dask_backend("tcp://127.0.0.1:8786") as client:  # doctest: +SKIP
    ...     search.set_params(n_jobs=-1).fit(X, y, groups=groups)
    """
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - distributed is in the test extras
        raise ImportError(
            "Running on a Dask cluster needs dask.distributed: pip install 'skemotion[cluster]'"
        ) from exc
    if isinstance(scheduler_address, Client):
        client, owned = scheduler_address, False
    else:
        client, owned = Client(scheduler_address, timeout=timeout, **client_kwargs), True
    try:
        with joblib.parallel_backend("dask"):
            yield client
    finally:
        if owned:
            client.close()
