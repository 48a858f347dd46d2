"""unique (all its returns, equal_nan, axis), the Array API's unique_*
functions, isin, in1d, union1d, intersect1d, setdiff1d and setxor1d
against NumPy on random inputs with duplicates, NaNs and -0.0, of sampled
dtypes, 0-d, empty and non-contiguous; through NumPy's own algorithm
('library', host backend only) and through the device kernels
('kernels'), as in test_sorting.py."""
import numpy as np
import pytest

import gpuarray as cp
from gpuarray import _radix
from conftest import BACKEND

pytestmark = pytest.mark.device

try:
    from numpy.exceptions import AxisError
except ImportError:     # NumPy < 1.25
    AxisError = np.AxisError

DTYPES = [np.bool_, np.int8, np.uint16, np.int32, np.int64, np.float16, np.float32, np.float64,
          np.complex64]


@pytest.fixture(params=['library', 'kernels'])
def path(request, monkeypatch):
    if request.param == 'library' and BACKEND != 'host':
        pytest.skip('the NumPy path exists on the host backend only')
    monkeypatch.setattr(_radix, 'FORCE_DEVICE', request.param == 'kernels')
    return request.param


def few_values(rng, shape, dtype):
    """Many duplicates (values from a small range), NaNs and signed zeros
    for the float kinds."""
    dtype = np.dtype(dtype)
    h = rng.integers(-4, 5, shape)
    if dtype.kind == 'b':
        return h > 0
    if dtype.kind == 'u':
        h = np.abs(h)
    h = h.astype(dtype)
    if dtype.kind == 'c':
        h = h + 1j * rng.integers(0, 2, shape).astype(dtype)
    if dtype.kind in 'fc' and h.size:
        flat = h.reshape(-1)
        flat[rng.integers(0, flat.size, max(1, flat.size // 8))] = np.nan
        flat[rng.integers(0, flat.size, max(1, flat.size // 8))] = -0.0
        if dtype.kind == 'c':
            flat[0] = complex(1, np.nan)
    return h


def same(got, want):
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            same(g, w)
        return
    assert isinstance(got, cp.ndarray), type(got)
    g = got.get()
    want = np.asarray(want)
    assert g.dtype == want.dtype and g.shape == want.shape, (g.dtype, want.dtype, g.shape,
                                                            want.shape)
    np.testing.assert_array_equal(g, want)


@pytest.mark.parametrize('dtype', DTYPES, ids=lambda d: np.dtype(d).name)
def test_unique(path, rng, dtype):
    h = few_values(rng, (7, 13), dtype)
    d = cp.asarray(h)
    same(cp.unique(d), np.unique(h))
    for flags in ((True, False, False), (False, True, False), (False, False, True),
                  (True, True, True)):
        same(cp.unique(d, *flags), np.unique(h, *flags))
        got = cp.unique(d, *flags, equal_nan=False)
        want = np.unique(h, *flags, equal_nan=False)
        if flags == (False, True, False):
            # NumPy sorts unstably here, so which NaN comes first (and so
            # the inverse of the distinct NaNs) is its sort's choice: check
            # that the inverse rebuilds the input instead
            same(got[0], want[0])
            np.testing.assert_array_equal(got[0].get()[got[1].get()], h)
        else:
            same(got, want)


@pytest.mark.parametrize('dtype', [np.int16, np.float64, np.complex128],
                         ids=lambda d: np.dtype(d).name)
def test_unique_axis(path, rng, dtype):
    h = few_values(rng, (9, 3), dtype)
    h[3] = h[1]
    h[7] = h[1]
    d = cp.asarray(h)
    for axis in (0, 1, -1):
        same(cp.unique(d, True, True, True, axis=axis), np.unique(h, True, True, True, axis=axis))
    same(cp.unique(d, axis=0), np.unique(h, axis=0))
    h3 = few_values(rng, (2, 6, 2), np.int8)
    same(cp.unique(cp.asarray(h3), return_counts=True, axis=1),
         np.unique(h3, return_counts=True, axis=1))
    with pytest.raises(AxisError):
        cp.unique(d, axis=2)


def test_unique_large(rng, monkeypatch):
    """Sizes that cross the sort's tiles and the scan's steps."""
    monkeypatch.setattr(_radix, 'FORCE_DEVICE', True)
    h = rng.integers(0, 3000, 9000).astype(np.int32)
    same(cp.unique(cp.asarray(h), True, True, True), np.unique(h, True, True, True))


@pytest.mark.parametrize('n', [1, 4095, 4096, 3 * 4096 + 17])
def test_unique_values_compaction(rng, monkeypatch, n):
    """The values-only path (kernels/unique.cuh) across its tiles: runs
    that cross tile edges, NaNs equal or distinct, -0.0 beside 0.0."""
    monkeypatch.setattr(_radix, 'FORCE_DEVICE', True)
    h = rng.integers(-40, 40, n).astype(np.float32)
    h[rng.random(n) < 0.05] = np.nan
    h[rng.random(n) < 0.05] = -0.0
    d = cp.asarray(h)
    same(cp.unique(d), np.unique(h))
    same(cp.unique(d, equal_nan=False), np.unique(h, equal_nan=False))
    k = np.sort(rng.integers(0, n // 7 + 2, n)).astype(np.uint16)   # long runs, already sorted
    same(cp.unique(cp.asarray(k)), np.unique(k))


def test_unique_zero_d_empty_views(path, rng):
    same(cp.unique(cp.asarray(np.float32(3)), return_inverse=True),
         np.unique(np.float32(3), return_inverse=True))
    e = np.zeros((0, 3), np.float32)
    same(cp.unique(cp.asarray(e), True, True, True), np.unique(e, True, True, True))
    h = few_values(rng, (8, 10), np.float32)
    d = cp.asarray(h)
    same(cp.unique(d[::2, ::-3], return_inverse=True), np.unique(h[::2, ::-3], return_inverse=True))
    same(cp.unique(d.T, return_index=True), np.unique(h.T, return_index=True))
    same(cp.unique([3, 1, 3]), np.unique([3, 1, 3]))


def test_array_api_unique(path, rng):
    h = few_values(rng, (5, 6), np.float64)
    d = cp.asarray(h)
    same(cp.unique_values(d), np.unique_values(h))
    r, w = cp.unique_counts(d), np.unique_counts(h)
    assert r._fields == ('values', 'counts')
    same(tuple(r), tuple(w))
    r, w = cp.unique_inverse(d), np.unique_inverse(h)
    assert r._fields == ('values', 'inverse_indices')
    same(r.values, w.values)     # NumPy's unstable sort orders the distinct NaNs its way
    np.testing.assert_array_equal(r.values.get()[r.inverse_indices.get()], h)
    assert r.inverse_indices.shape == h.shape
    r, w = cp.unique_all(d), np.unique_all(h)
    assert r._fields == ('values', 'indices', 'inverse_indices', 'counts')
    same(tuple(r), tuple(w))


@pytest.mark.parametrize('dtype', [np.uint8, np.int64, np.float32, np.complex64],
                         ids=lambda d: np.dtype(d).name)
def test_isin(path, rng, dtype):
    h = few_values(rng, (6, 7), dtype)
    t = few_values(rng, (5,), dtype)
    d, dt = cp.asarray(h), cp.asarray(t)
    for invert in (False, True):
        same(cp.isin(d, dt, invert=invert), np.isin(h, t, invert=invert))
        same(cp.in1d(d, dt, invert=invert), np.isin(h.reshape(-1), t, invert=invert))
    same(cp.isin(d[::2, ::3], dt[::2]), np.isin(h[::2, ::3], t[::2]))
    same(cp.isin(d, cp.asarray(np.zeros(0, dtype))), np.isin(h, np.zeros(0, dtype)))
    same(cp.isin(cp.asarray(np.zeros((0, 2), dtype)), dt), np.isin(np.zeros((0, 2), dtype), t))
    same(cp.isin(d, dt, assume_unique=True), np.isin(h, t))


def test_isin_mixed_dtypes_and_kind(path, rng):
    h = rng.integers(0, 10, 20)
    t = np.array([1.5, 2.0, 7.0])
    same(cp.isin(cp.asarray(h), cp.asarray(t)), np.isin(h, t))
    same(cp.isin(cp.asarray(h), [2, 3]), np.isin(h, [2, 3]))
    same(cp.isin(cp.asarray(h), cp.asarray(np.array([2, 3])), kind='table'),
         np.isin(h, [2, 3], kind='table'))
    with pytest.raises(ValueError, match='Invalid kind'):
        cp.isin(cp.asarray(h), cp.asarray(t), kind='x')
    with pytest.raises(ValueError, match="'table' method is only supported"):
        cp.isin(cp.asarray(h), cp.asarray(t), kind='table')


@pytest.mark.parametrize('dtype', [np.int32, np.float64], ids=lambda d: np.dtype(d).name)
def test_set_operations(path, rng, dtype):
    a = few_values(rng, (4, 9), dtype)
    b = few_values(rng, (11,), dtype)
    da, db = cp.asarray(a), cp.asarray(b)
    same(cp.union1d(da, db), np.union1d(a, b))
    same(cp.intersect1d(da, db), np.intersect1d(a, b))
    same(cp.intersect1d(da, db, return_indices=True), np.intersect1d(a, b, return_indices=True))
    same(cp.setdiff1d(da, db), np.setdiff1d(a, b))
    same(cp.setxor1d(da, db), np.setxor1d(a, b))
    ua, ub = np.unique(a), np.unique(b)
    dua, dub = cp.asarray(ua), cp.asarray(ub)
    same(cp.intersect1d(dua, dub, assume_unique=True, return_indices=True),
         np.intersect1d(ua, ub, assume_unique=True, return_indices=True))
    same(cp.setdiff1d(dua, dub, assume_unique=True), np.setdiff1d(ua, ub, assume_unique=True))
    same(cp.setxor1d(dua, dub, assume_unique=True), np.setxor1d(ua, ub, assume_unique=True))
    e = np.zeros(0, dtype)
    same(cp.union1d(cp.asarray(e), cp.asarray(e)), np.union1d(e, e))
    same(cp.intersect1d(cp.asarray(e), db), np.intersect1d(e, b))
    same(cp.setdiff1d(da, cp.asarray(e)), np.setdiff1d(a, e))
    same(cp.setxor1d(cp.asarray(e), cp.asarray(e)), np.setxor1d(e, e))


def test_set_operations_mixed_dtypes(path):
    a = np.array([1, 2, 3, 4], np.int16)
    b = np.array([2.0, 4.5, 1.0])
    same(cp.union1d(cp.asarray(a), cp.asarray(b)), np.union1d(a, b))
    same(cp.intersect1d(cp.asarray(a), cp.asarray(b)), np.intersect1d(a, b))
    same(cp.setdiff1d(cp.asarray(a), cp.asarray(b)), np.setdiff1d(a, b))


def test_bad_input():
    with pytest.raises(TypeError, match='unsupported type'):
        cp.unique(object())
    with pytest.raises(TypeError, match='unsupported type'):
        cp.isin(cp.asarray(np.arange(3)), object())
