"""sort, argsort, lexsort, partition, argpartition, searchsorted and the
ndarray methods against NumPy on random inputs: every dtype (sampled where
a path compiles kernels per dtype), duplicates, NaNs, -0.0, infinities,
0-d and empty arrays, non-contiguous views, several axes, batches of rows,
and sizes that cross the radix kernels' tile boundaries.

On the host backend each test runs twice: once through NumPy's own
algorithm on the arrays' memory ('library'), once through the device radix
kernels forced onto the CPU ('kernels', gpuarray._radix.FORCE_DEVICE): the
kernel path is tested in CI, where there is no GPU. On CUDA only the
kernels exist."""
import numpy as np
import pytest

import gpuarray as cp
from gpuarray import _radix, _sorting
from conftest import BACKEND, random_array

pytestmark = pytest.mark.device

try:
    from numpy.exceptions import AxisError
except ImportError:     # NumPy < 1.25
    AxisError = np.AxisError

ALL_REAL = [np.bool_, np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64,
            np.uint64, np.float16, np.float32, np.float64]
ALL = ALL_REAL + [np.complex64, np.complex128]


@pytest.fixture(params=['library', 'kernels'])
def path(request, monkeypatch):
    """Which implementation runs: NumPy's (host backend only) or the
    radix kernels."""
    if request.param == 'library' and BACKEND != 'host':
        pytest.skip('the NumPy path exists on the host backend only')
    monkeypatch.setattr(_radix, 'FORCE_DEVICE', request.param == 'kernels')
    return request.param


def data(rng, shape, dtype, dups=True):
    """Random values with the awkward ones sprinkled in: duplicates, and for
    floats NaN (both signs), -0.0, 0.0, +-inf."""
    dtype = np.dtype(dtype)
    h = random_array(rng, shape, dtype)
    if h.size == 0:
        return h
    flat = h.reshape(-1)
    if dups and dtype.kind != 'b':
        k = max(1, flat.size // 3)
        flat[rng.integers(0, flat.size, k)] = flat[rng.integers(0, flat.size, k)]
    if dtype.kind in 'fc':
        specials = [np.nan, -np.nan, -0.0, 0.0, np.inf, -np.inf]
        if dtype.kind == 'c':
            specials += [complex(1, np.nan), complex(np.nan, 2), complex(0, -0.0)]
        idx = rng.integers(0, flat.size, min(flat.size, 2 * len(specials)))
        for j, i in enumerate(idx):
            flat[i] = specials[j % len(specials)]
    return h


def same(got, want):
    assert isinstance(got, cp.ndarray), type(got)
    g = got.get()
    want = np.asarray(want)
    assert g.dtype == want.dtype and g.shape == want.shape, (g.dtype, want.dtype, g.shape,
                                                            want.shape)
    np.testing.assert_array_equal(g, want)


def desc_argsort(h, axis):
    """The Array API's stable descending argsort (array_api_strict's)."""
    r = np.flip(np.argsort(np.flip(h, axis), axis=axis, kind='stable'), axis)
    return (h.shape[axis] - 1) - r


# ------------------------------------------------------------------- sort

@pytest.mark.parametrize('dtype', ALL, ids=lambda d: np.dtype(d).name)
def test_sort_argsort_every_dtype(path, rng, dtype):
    h = data(rng, (6, 45), dtype)
    d = cp.asarray(h)
    for axis in (-1, 0, None):
        same(cp.sort(d, axis=axis), np.sort(h, axis=axis))
        same(cp.argsort(d, axis=axis), np.argsort(h, axis=axis, kind='stable'))


@pytest.mark.parametrize('dtype', [np.int8, np.uint16, np.float32, np.float64, np.complex64],
                         ids=lambda d: np.dtype(d).name)
def test_descending(path, rng, dtype):
    h = data(rng, (5, 33), dtype)
    d = cp.asarray(h)
    for axis in (1, 0):
        want = desc_argsort(h, axis)
        same(cp.argsort(d, axis=axis, descending=True), want)
        same(cp.sort(d, axis=axis, descending=True), np.take_along_axis(h, want, axis))
    x = d.copy()
    x.sort(descending=True)
    same(x, np.take_along_axis(h, desc_argsort(h, -1), -1))


def test_shapes_axes_views(path, rng):
    h = data(rng, (4, 9, 10), np.float32)
    d = cp.asarray(h)
    for axis in (0, 1, 2, -2, None):
        same(cp.sort(d, axis=axis), np.sort(h, axis=axis))
        same(cp.argsort(d, axis=axis), np.argsort(h, axis=axis, kind='stable'))
    for view, hview in ((d[::2, 1::3, ::-1], h[::2, 1::3, ::-1]), (d.T, h.T),
                        (d[:, 3], h[:, 3])):
        for axis in (0, -1):
            same(cp.sort(view, axis=axis), np.sort(hview, axis=axis))
            same(cp.argsort(view, axis=axis), np.argsort(hview, axis=axis, kind='stable'))
    r = cp.sort(d, axis=0)
    assert r.flags.c_contiguous


def test_zero_d_and_empty(path):
    z = cp.asarray(np.float32(3.5))
    with pytest.raises(AxisError):
        cp.sort(z)
    same(cp.sort(z, axis=None), np.sort(np.float32(3.5), axis=None))
    same(cp.argsort(z), np.argsort(np.float32(3.5)))
    same(cp.argsort(z, axis=None), np.argsort(np.float32(3.5), axis=None))
    for shape in ((0,), (3, 0), (0, 4)):
        h = np.zeros(shape, np.int32)
        d = cp.asarray(h)
        for axis in (0, -1, None):
            same(cp.sort(d, axis=axis), np.sort(h, axis=axis))
            same(cp.argsort(d, axis=axis), np.argsort(h, axis=axis))
    same(cp.sort(cp.asarray(np.array([2.0]))), np.array([2.0]))


@pytest.mark.parametrize('dtype,shape,axis', [
    (np.float32, (3 * 3840 + 17,), -1),          # several tiles of 4-byte keys
    (np.int64, (2 * 2816 + 5,), -1),             # 8-byte keys
    (np.uint8, (3 * 4096 + 3,), -1),             # 1-byte keys
    (np.float16, (7, 1500), -1),                 # rows batched across tiles
    (np.int32, (2600, 3), 0),                    # many short rows (row passes)
    (np.float64, (300, 40), -1),
], ids=['f32', 'i64', 'u8', 'f16-rows', 'i32-axis0', 'f64-rows'])
def test_across_tiles(rng, monkeypatch, dtype, shape, axis):
    monkeypatch.setattr(_radix, 'FORCE_DEVICE', True)
    h = data(rng, shape, dtype)
    d = cp.asarray(h)
    same(cp.sort(d, axis=axis), np.sort(h, axis=axis))
    same(cp.argsort(d, axis=axis), np.argsort(h, axis=axis, kind='stable'))


def test_row_loop(rng, monkeypatch):
    """A few long rows sorted one launch sequence per row."""
    monkeypatch.setattr(_radix, 'FORCE_DEVICE', True)
    monkeypatch.setattr(_sorting, 'ROW_LOOP_MIN_LENGTH', 1000)
    h = data(rng, (3, 4500), np.float32)
    d = cp.asarray(h)
    same(cp.sort(d), np.sort(h))
    same(cp.argsort(d, descending=True), desc_argsort(h, -1))


@pytest.mark.parametrize('rank', [0, 1, 2], ids=['ballots', 'match_any', 'atomic_or'])
def test_every_ranking_form(rng, monkeypatch, rank):
    """The pass kernel's three ways of finding the lanes that hold one
    digit, keys only and with a payload, across several tiles."""
    monkeypatch.setattr(_radix, 'FORCE_DEVICE', True)
    monkeypatch.setattr(_radix, 'RANK', rank)
    for dtype in (np.int16, np.float32, np.uint64):
        h = data(rng, (5, 2600), dtype)
        d = cp.asarray(h)
        same(cp.sort(d.ravel()), np.sort(h.ravel()))
        same(cp.sort(d), np.sort(h))
        same(cp.argsort(d, axis=0), np.argsort(h, axis=0, kind='stable'))


@pytest.mark.parametrize('window, early', [(1, 0), (3, 0), (8, 1)])
def test_lookback_forms(rng, monkeypatch, window, early):
    """The look-back loading several tiles' status words at once (windows
    that do and do not divide the number of tiles before) and the tile
    counts published before the ranking, keys only and with a payload."""
    monkeypatch.setattr(_radix, 'FORCE_DEVICE', True)
    monkeypatch.setattr(_radix, 'LOOKBACK', window)
    monkeypatch.setattr(_radix, 'EARLY', early)
    h = data(rng, (61000,), np.float32)
    d = cp.asarray(h)
    same(cp.sort(d), np.sort(h))
    same(cp.argsort(d), np.argsort(h, kind='stable'))


def test_wide_index_and_status(rng, monkeypatch):
    """The 64-bit position and look-back variants (for 2**31 and 2**30 keys
    and more), run on small sizes by lowering their thresholds."""
    monkeypatch.setattr(_radix, 'FORCE_DEVICE', True)
    monkeypatch.setattr(_radix, 'BIG_INDEX_MIN', 0)
    monkeypatch.setattr(_radix, 'BIG_STATUS_MIN', 0)
    h = data(rng, (3, 3000), np.float32)
    d = cp.asarray(h)
    same(cp.sort(d), np.sort(h))
    same(cp.argsort(d, axis=0), np.argsort(h, axis=0, kind='stable'))
    k = rng.integers(0, 3, (3, 3000)).astype(np.int8)
    same(cp.lexsort([d, cp.asarray(k)]), np.lexsort([h, k]))


@pytest.mark.parametrize('dtype', [np.int64, np.float32, np.bool_], ids=lambda d: np.dtype(d).name)
def test_trivial_passes_skipped(rng, monkeypatch, dtype):
    """Keys whose high bytes are all equal (small integers in int64, a
    constant array) skip those passes; the result must not change."""
    monkeypatch.setattr(_radix, 'FORCE_DEVICE', True)
    monkeypatch.setattr(_radix, 'SKIP_MIN', 0)
    for h in (rng.integers(0, 200, (3, 700)).astype(dtype), np.ones((3, 700), dtype)):
        d = cp.asarray(h)
        for axis in (-1, 0):
            same(cp.sort(d, axis=axis), np.sort(h, axis=axis))
            same(cp.argsort(d, axis=axis), np.argsort(h, axis=axis, kind='stable'))


def test_nan_zero_order(path):
    h = np.array([np.nan, 1.0, -0.0, -np.nan, 0.0, -np.inf, np.inf, -0.0, np.nan], np.float64)
    d = cp.asarray(h)
    same(cp.argsort(d), np.argsort(h, kind='stable'))
    got = cp.sort(d).get()
    np.testing.assert_array_equal(got, np.sort(h))
    assert np.isnan(got[-3:]).all()


def test_kind_and_stable(path, rng):
    h = data(rng, (40,), np.int16)
    d = cp.asarray(h)
    for kind in ('quicksort', 'mergesort', 'heapsort', 'stable', 'q', 'S'):
        same(cp.sort(d, kind=kind), np.sort(h, kind=kind))
    same(cp.argsort(d, stable=True), np.argsort(h, stable=True))
    same(cp.sort(d, stable=False), np.sort(h))


@pytest.mark.parametrize('dtype', [np.int8, np.uint16, np.float32, np.complex64],
                         ids=lambda d: np.dtype(d).name)
def test_sort_complex(path, rng, dtype):
    h = data(rng, (3, 20), dtype)
    same(cp.sort_complex(cp.asarray(h)), np.sort_complex(h))


def test_sort_errors():
    d = cp.asarray(np.arange(5.0))
    with pytest.raises(ValueError, match="sort kind must be one of"):
        cp.sort(d, kind='bogus')
    with pytest.raises(TypeError, match='sort kind must be str'):
        cp.sort(d, kind=3)
    with pytest.raises(ValueError, match='no fields'):
        cp.sort(d, order='x')
    with pytest.raises(ValueError, match="`kind` and keyword"):
        cp.argsort(d, kind='stable', stable=True)
    with pytest.raises(AxisError):
        cp.sort(d, axis=1)
    with pytest.raises(AxisError):
        cp.argsort(d, axis=-2)
    with pytest.raises(TypeError):
        cp.sort(d, axis=1.5)
    with pytest.raises(TypeError, match='unsupported type'):
        cp.sort(object())


# --------------------------------------------------------------- methods

def test_methods(path, rng):
    h = data(rng, (6, 30), np.float32)
    d = cp.asarray(h)
    same(d.argsort(), np.argsort(h, kind='stable'))
    same(d.argsort(axis=0), np.argsort(h, axis=0, kind='stable'))
    x = d.copy()
    assert x.sort() is None
    same(x, np.sort(h))
    x = d.copy()
    x.sort(axis=0)
    same(x, np.sort(h, axis=0))
    # in place through a non-contiguous view: only the view's elements move
    x = d.copy()
    hx = h.copy()
    x[::2, 1::2].sort(axis=0)
    hx[::2, 1::2].sort(axis=0)
    same(x, hx)
    x = d.copy()
    x.partition(5)
    check_partition(x.get(), h, 5, -1)
    a = cp.asarray(np.sort(h[0]))
    same(a.searchsorted(cp.asarray(h[1])), np.sort(h[0]).searchsorted(h[1]))
    check_argpartition(d.argpartition(3, axis=0).get(), h, 3, 0)
    with pytest.raises(AxisError):
        cp.asarray(np.float32(1)).sort()


# --------------------------------------------------------------- lexsort

def test_lexsort(path, rng):
    n = 60
    k_int = rng.integers(0, 3, n).astype(np.int8)
    k_bool = rng.random(n) < 0.5
    k_flt = data(rng, (n,), np.float32)
    k_cpx = (rng.integers(0, 2, n) + 1j * rng.integers(0, 2, n)).astype(np.complex128)
    k_cpx[::7] = complex(np.nan, 1)
    keys = [k_flt, k_cpx, k_bool, k_int]
    same(cp.lexsort([cp.asarray(k) for k in keys]), np.lexsort(keys))
    same(cp.lexsort((cp.asarray(k_int), cp.asarray(k_flt))), np.lexsort((k_int, k_flt)))
    # one 2-D array: its rows are the keys
    m = rng.integers(0, 4, (3, 50)).astype(np.uint16)
    same(cp.lexsort(cp.asarray(m)), np.lexsort(m))
    # keys of two dimensions, along either axis
    a = rng.integers(0, 3, (4, 25))
    b = data(rng, (4, 25), np.float64)
    for axis in (-1, 0):
        same(cp.lexsort([cp.asarray(b), cp.asarray(a)], axis=axis), np.lexsort([b, a], axis=axis))
    same(cp.lexsort([cp.asarray(b[:, ::2]), cp.asarray(a[:, ::2])]), np.lexsort([b[:, ::2],
                                                                                 a[:, ::2]]))
    same(cp.lexsort([cp.asarray(np.zeros((0,)))]), np.lexsort([np.zeros((0,))]))


def test_lexsort_errors():
    with pytest.raises(TypeError, match='need sequence of keys'):
        cp.lexsort([])
    with pytest.raises(ValueError, match='same shape'):
        cp.lexsort([cp.asarray(np.arange(5)), cp.asarray(np.arange(4))])
    with pytest.raises(AxisError):
        cp.lexsort([cp.asarray(np.arange(5))], axis=2)
    with pytest.raises(TypeError):
        cp.lexsort([cp.asarray(np.arange(5))], axis=None)


# ------------------------------------------------------------- partition

def check_partition(got, h, kth, axis):
    s = np.sort(h, axis=axis)
    g = np.moveaxis(got, axis, -1)
    s = np.moveaxis(s, axis, -1)
    assert g.shape == s.shape
    for k in np.atleast_1d(kth):
        k = k % s.shape[-1]
        np.testing.assert_array_equal(g[..., k], s[..., k])
        kv = s[..., k:k + 1]
        assert (g[..., :k] <= kv).all() or np.isnan(kv).any()
        assert (g[..., k + 1:] >= kv).all() or np.isnan(g[..., k + 1:]).any()


def check_argpartition(idx, h, kth, axis):
    check_partition(np.take_along_axis(h, idx, axis), h, kth, axis)


@pytest.mark.parametrize('dtype', [np.int32, np.float64, np.uint8], ids=lambda d: np.dtype(d).name)
def test_partition(path, rng, dtype):
    h = data(rng, (5, 41), dtype, dups=False)
    if np.dtype(dtype).kind == 'f':
        h[np.isnan(h)] = 0.5     # partition's order property is about numbers
    d = cp.asarray(h)
    for kth, axis in ((7, -1), ([0, 20, -1], -1), (2, 0), (np.int64(-3), 1)):
        got = cp.partition(d, kth, axis=axis)
        assert got.shape == h.shape and got.dtype == h.dtype
        check_partition(got.get(), h, kth, axis)
        idx = cp.argpartition(d, kth, axis=axis)
        assert idx.dtype == np.int64
        check_argpartition(idx.get(), h, kth, axis)
    got = cp.partition(d, 10, axis=None)
    check_partition(got.get(), h.reshape(-1), 10, -1)


def test_partition_errors(path):
    d = cp.asarray(np.arange(5.0))
    with pytest.raises(ValueError, match=r'kth\(=5\) out of bounds \(5\)'):
        cp.partition(d, 5)
    with pytest.raises(ValueError, match=r'out of bounds'):
        cp.argpartition(d, -6)
    with pytest.raises(TypeError, match='Partition index must be integer'):
        cp.partition(d, 1.5)
    with pytest.raises(ValueError, match='Booleans unacceptable'):
        cp.partition(d, True)
    with pytest.raises(ValueError, match="select kind must be 'introselect'"):
        cp.partition(d, 1, kind='intro')
    with pytest.raises(AxisError):
        cp.partition(cp.asarray(np.float32(1)), 0)
    same(cp.argpartition(cp.asarray(np.float32(1)), 0), np.argpartition(np.float32(1), 0))


# ---------------------------------------------------------- searchsorted

@pytest.mark.parametrize('dtype', [np.int8, np.uint32, np.float16, np.float64, np.complex64,
                                   np.bool_], ids=lambda d: np.dtype(d).name)
def test_searchsorted(path, rng, dtype):
    a = np.sort(data(rng, (50,), dtype))
    v = data(rng, (4, 6), dtype)
    v.reshape(-1)[:a.size // 10] = a[::10][:v.size]     # exact hits
    da, dv = cp.asarray(a), cp.asarray(v)
    for side in ('left', 'right'):
        same(cp.searchsorted(da, dv, side=side), np.searchsorted(a, v, side=side))
        same(cp.searchsorted(da, dv[:, ::2].T, side=side), np.searchsorted(a, v[:, ::2].T,
                                                                           side=side))
    # unsorted a with a sorter
    u = data(rng, (50,), dtype)
    srt = np.argsort(u, kind='stable')
    for side in ('left', 'right'):
        same(cp.searchsorted(cp.asarray(u), dv, side=side, sorter=cp.asarray(srt)),
             np.searchsorted(u, v, side=side, sorter=srt))


def test_searchsorted_scalars_and_mixed_dtypes(path, rng):
    a = np.sort(rng.integers(0, 100, 40)).astype(np.uint8)
    da = cp.asarray(a)
    for v in (3, 50, 300, -1, 2.5, 99.9, True):
        same(cp.searchsorted(da, v), np.asarray(np.searchsorted(a, v)))
    vf = rng.standard_normal(9).astype(np.float32) * 50 + 50
    same(cp.searchsorted(da, cp.asarray(vf), side='right'), np.searchsorted(a, vf, side='right'))
    same(cp.searchsorted(da, [1, 2, 3]), np.searchsorted(a, [1, 2, 3]))
    same(cp.searchsorted(cp.asarray(np.zeros(0)), cp.asarray(vf)), np.searchsorted(np.zeros(0), vf))
    same(cp.searchsorted(da, cp.asarray(np.zeros((2, 0)))), np.searchsorted(a, np.zeros((2, 0))))
    # a long a, crossing many blocks of queries
    big = np.sort(rng.standard_normal(5000))
    q = rng.standard_normal(3000)
    same(cp.searchsorted(cp.asarray(big), cp.asarray(q)), np.searchsorted(big, q))
    # a strided a
    same(cp.searchsorted(cp.asarray(big)[::3], cp.asarray(q)), np.searchsorted(big[::3], q))


def test_searchsorted_errors():
    a = cp.asarray(np.arange(5.0))
    with pytest.raises(ValueError, match="search side must be 'left' or 'right'"):
        cp.searchsorted(a, 2, side='x')
    with pytest.raises(ValueError, match="search side must be one of"):
        cp.searchsorted(a, 2, side='L')
    with pytest.raises(TypeError, match='search side must be str'):
        cp.searchsorted(a, 2, side=None)
    with pytest.raises(ValueError, match='too deep'):
        cp.searchsorted(cp.asarray(np.ones((2, 2))), 2)
    with pytest.raises(ValueError, match='too small depth'):
        cp.searchsorted(cp.asarray(np.float64(1)), 2)
    with pytest.raises(ValueError, match='sorter.size must equal a.size'):
        cp.searchsorted(a, 2, sorter=cp.asarray(np.arange(2)))
    with pytest.raises(TypeError, match='sorter must only contain integers'):
        cp.searchsorted(a, 2, sorter=cp.asarray(np.arange(5.0)))
    with pytest.raises(ValueError, match='Sorter index out of range'):
        cp.searchsorted(a, 2, sorter=cp.asarray(np.array([0, 1, 2, 3, 9])))
