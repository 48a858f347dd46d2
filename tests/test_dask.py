"""Dask arrays with gpuarray chunks: elementwise arithmetic with
broadcasting, reductions with axis, slicing, .T, rechunk, concatenate,
x @ x.T and map_blocks give gpuarray results that agree with NumPy, on the
local scheduler and on a dask.distributed LocalCluster of two worker
processes (chunks move between them pickled through the host).

dask and distributed are test dependencies: these tests skip, naming the
missing package, where they are absent."""
import os

import numpy as np
import pytest

import gpuarray as cp

da = pytest.importorskip('dask.array', reason='needs dask (pip install dask)')
import dask  # noqa: E402

pytestmark = pytest.mark.device


def as_dask(h, chunks):
    return da.from_array(cp.asarray(h), chunks=chunks, asarray=False)


def agree(x, want, rtol=1e-5, **compute_kw):
    got = x.compute(**compute_kw)
    assert isinstance(got, cp.ndarray), type(got)
    want = np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    if want.dtype.kind in 'biu':
        np.testing.assert_array_equal(got.get(), want)
    else:
        np.testing.assert_allclose(got.get(), want, rtol=rtol, atol=1e-5)


def _cases(h, v):
    """(name, dask expression over x (and b), NumPy's over h (and v)):
    what the issue lists, over uneven chunks."""
    return [
        ('elementwise', lambda x, b: (x + 1.5) * x - x / 3, lambda h, v: (h + 1.5) * h - h / 3),
        ('broadcast', lambda x, b: x * b + b, lambda h, v: h * v + v),
        ('ufunc', lambda x, b: np.exp(x) + np.maximum(x, 0), lambda h, v: np.exp(h) + np.maximum(h, 0)),
        ('sum', lambda x, b: x.sum(), lambda h, v: h.sum()),
        ('sum_axis0', lambda x, b: x.sum(axis=0), lambda h, v: h.sum(axis=0)),
        ('mean_axis1', lambda x, b: x.mean(axis=1), lambda h, v: h.mean(axis=1)),
        ('std', lambda x, b: x.std(), lambda h, v: h.std()),
        ('var_axis0', lambda x, b: x.var(axis=0), lambda h, v: h.var(axis=0)),
        ('min', lambda x, b: x.min(), lambda h, v: h.min()),
        ('max_axis1', lambda x, b: x.max(axis=1), lambda h, v: h.max(axis=1)),
        ('argmax', lambda x, b: x.argmax(), lambda h, v: h.argmax()),
        ('argmax_axis0', lambda x, b: x.argmax(axis=0), lambda h, v: h.argmax(axis=0)),
        ('argmin_axis1', lambda x, b: x.argmin(axis=1), lambda h, v: h.argmin(axis=1)),
        ('slice', lambda x, b: x[3:27:2, 5:], lambda h, v: h[3:27:2, 5:]),
        ('T', lambda x, b: x.T + 0, lambda h, v: h.T),
        ('rechunk', lambda x, b: x.rechunk((16, 7)) * 2, lambda h, v: h * 2),
        ('concatenate', lambda x, b: da.concatenate([x, x[:5]], axis=0),
         lambda h, v: np.concatenate([h, h[:5]], axis=0)),
        ('matmul', lambda x, b: x @ x.T, lambda h, v: h @ h.T),
        ('map_blocks', lambda x, b: x.map_blocks(lambda blk: blk * 2 + 1, dtype=x.dtype),
         lambda h, v: h * 2 + 1),
    ]


@pytest.mark.parametrize('dtype', [np.float32, np.float64], ids=lambda d: np.dtype(d).name)
def test_dask_operations_on_gpuarray_chunks_agree_with_numpy(rng, dtype):
    h = rng.standard_normal((40, 30)).astype(dtype)
    v = rng.standard_normal(30).astype(dtype)
    x = as_dask(h, (11, 13))
    b = as_dask(v, 8)
    assert isinstance(x._meta, cp.ndarray)
    rtol = 1e-4 if dtype == np.float32 else 1e-9
    with dask.config.set(scheduler='threads'):
        for name, fd, fh in _cases(h, v):
            try:
                agree(fd(x, b), fh(h, v), rtol=rtol)
            except Exception as e:
                raise AssertionError('{}: {}: {}'.format(name, type(e).__name__, e)) from e


def test_dask_integer_reductions_and_3d(rng):
    h = rng.integers(-1000, 1000, size=(6, 10, 8)).astype(np.int32)
    x = as_dask(h, (4, 3, 8))
    with dask.config.set(scheduler='synchronous'):
        agree(x.sum(axis=(0, 2)), h.sum(axis=(0, 2)))
        agree(x.max(axis=1), h.max(axis=1))
        agree(x.argmin(axis=2), h.argmin(axis=2))
        agree(x.mean(axis=0), h.mean(axis=0), rtol=1e-12)
        agree(x[::2, 3] - x[1::2, 3], h[::2, 3] - h[1::2, 3])


def test_dask_tables_are_filled_when_dask_loads_after_gpuarray():
    """gpuarray registers its chunk type with Dask's dispatch tables
    however the two are imported (here: dask imported after gpuarray in a
    fresh interpreter, the common order)."""
    import subprocess
    import sys
    code = ('import gpuarray, numpy as np; import dask.array as da; '
            'from dask.array.dispatch import numel_lookup; '
            'assert numel_lookup.dispatch(gpuarray.ndarray).__module__ == "gpuarray._dask"; '
            'x = da.from_array(gpuarray.arange(12.0).reshape(3, 4), chunks=2, asarray=False); '
            'r = x.mean(axis=0).compute(scheduler="synchronous"); '
            'assert type(r) is gpuarray.ndarray and r.get().tolist() == [4.0, 5.0, 6.0, 7.0]')
    subprocess.run([sys.executable, '-c', code], check=True, timeout=120)


@pytest.fixture(scope='module')
def cluster_client():
    distributed = pytest.importorskip('distributed', reason='needs distributed '
                                      '(pip install distributed)')
    # workers are fresh processes: they pick the same backend as this one
    env = {'GPUARRAY_BACKEND': cp.get_backend()}
    os.environ.update(env)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, host='127.0.0.1',
                                       worker_dashboard_address=None)
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def test_distributed_cluster_of_two_processes_computes_reductions_and_matmul(rng, cluster_client):
    h = rng.standard_normal((48, 20))
    x = as_dask(h, (12, 10))
    import distributed
    y = x.persist()
    distributed.wait(y)
    # the chunks live in two worker processes
    where = cluster_client.who_has(y)
    workers = {w for ws in where.values() for w in ws}
    assert len(workers) == 2, workers
    for name, fd, fh in ((n, f, g) for n, f, g in _cases(h, h[0])
                         if n in ('sum', 'sum_axis0', 'mean_axis1', 'std', 'var_axis0', 'max_axis1',
                                  'argmax', 'matmul', 'T', 'rechunk', 'broadcast')):
        b = as_dask(h[0], 7)
        try:
            agree(fd(y, b), fh(h, h[0]), rtol=1e-9)
        except Exception as e:
            raise AssertionError('{}: {}: {}'.format(name, type(e).__name__, e)) from e
