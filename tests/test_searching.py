"""nonzero, flatnonzero, argwhere, count_nonzero, ndarray.nonzero and
where(condition) against NumPy on random inputs of several dtypes and
shapes, including 0-d, empty, NaN and non-contiguous views."""
import numpy as np
import pytest

import gpuarray as cp

pytestmark = pytest.mark.device

SHAPES = [(1,), (17,), (4, 5), (2, 3, 4), (0,), (3, 0, 2)]
DTYPES = [np.bool_, np.int8, np.uint32, np.int64, np.float32, np.float64, np.complex64]


def sparse(rng, shape, dtype):
    """About a third nonzero: values spread over the dtype, zeros placed at random."""
    dtype = np.dtype(dtype)
    keep = rng.random(shape) < 0.35
    if dtype.kind == 'b':
        return keep
    if dtype.kind in 'iu':
        v = rng.integers(1, 100, size=shape)
    else:
        v = rng.standard_normal(shape) + 0.1
    if dtype.kind == 'c':
        v = v + 1j * rng.standard_normal(shape)
    return np.where(keep, v, 0).astype(dtype)


def same(got, want):
    assert isinstance(got, cp.ndarray)
    assert got.dtype == want.dtype and got.shape == want.shape, (got.dtype, got.shape, want.shape)
    np.testing.assert_array_equal(got.get(), want)


@pytest.mark.parametrize('dtype', DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize('shape', SHAPES, ids=str)
def test_nonzero_and_friends(rng, shape, dtype):
    h = sparse(rng, shape, dtype)
    d = cp.asarray(h)
    got, want = cp.nonzero(d), np.nonzero(h)
    assert isinstance(got, tuple) and len(got) == len(want)
    for g, w in zip(got, want):
        same(g, w)
    for g, w in zip(d.nonzero(), h.nonzero()):
        same(g, w)
    for g, w in zip(cp.where(d), np.where(h)):
        same(g, w)
    same(cp.flatnonzero(d), np.flatnonzero(h))
    same(cp.argwhere(d), np.argwhere(h))
    c = cp.count_nonzero(d)
    assert int(c) == np.count_nonzero(h)
    if h.ndim >= 2:
        same(cp.count_nonzero(d, axis=1), np.count_nonzero(h, axis=1).astype(np.int64))


def test_nan_counts_as_nonzero():
    h = np.array([0.0, np.nan, -0.0, 2.0, np.inf], dtype=np.float32)
    same(cp.flatnonzero(cp.asarray(h)), np.flatnonzero(h))


def test_views(rng):
    h = sparse(rng, (6, 8), np.int32)
    d = cp.asarray(h)
    for g, w in zip(cp.nonzero(d[::2, 1::3]), np.nonzero(h[::2, 1::3])):
        same(g, w)
    same(cp.argwhere(d.T), np.argwhere(h.T))


def test_zero_d():
    with pytest.raises(ValueError, match='0d arrays'):
        cp.nonzero(cp.asarray(np.float32(3)))
    same(cp.argwhere(cp.asarray(np.float32(3))), np.argwhere(np.float32(3)))
    same(cp.argwhere(cp.asarray(np.float32(0))), np.argwhere(np.float32(0)))


def test_indexing_with_the_result(rng):
    h = rng.standard_normal((5, 6)).astype(np.float32)
    d = cp.asarray(h)
    same(d[cp.nonzero(d > 0.5)], h[np.nonzero(h > 0.5)])


def test_where_argument_errors():
    d = cp.asarray(np.arange(3))
    with pytest.raises(ValueError, match='either both or neither'):
        cp.where(d > 0, d)
    with pytest.raises(TypeError):
        cp.nonzero(object())
