"""Issue 11's selection functions against NumPy: take, take_along_axis,
put, put_along_axis, choose, compress, delete, insert; modes 'raise'
(IndexError / ValueError, never a read out of bounds), 'wrap' and 'clip';
host and device indices, negative indices, 0-d, empty and non-contiguous
inputs, sampled dtypes."""
import numpy as np
import pytest

import gpuarray as cp

pytestmark = pytest.mark.device

AxisError = np.exceptions.AxisError if hasattr(np, 'exceptions') else np.AxisError


def same(got, want):
    assert isinstance(got, cp.ndarray), type(got)
    assert got.shape == np.shape(want), (got.shape, np.shape(want))
    assert got.dtype == np.asarray(want).dtype, (got.dtype, np.asarray(want).dtype)
    np.testing.assert_array_equal(got.get(), want)


def views(random, dtype):
    h = random((4, 6), dtype)
    a = cp.asarray(h)
    return [(a, h), (a[::2, 1::2], h[::2, 1::2]), (a.T, h.T), (a[::-1, ::-1], h[::-1, ::-1])]


# -------------------------------------------------------------------- take

@pytest.mark.parametrize('dtype', [np.bool_, np.int16, np.uint64, np.float16, np.complex64])
def test_take(random, rng, dtype):
    for a, h in views(random, dtype):
        n0, n1 = h.shape
        idx = rng.integers(-n1, n1, (3, 2))
        for ind, axis in [(idx, 1), (idx, -1), (rng.integers(-n0, n0, 5), 0),
                          (rng.integers(-h.size, h.size, 7), None), (1, 0), (-1, None),
                          (np.zeros(0, np.int64), 1)]:
            want = np.take(h, ind, axis=axis)
            same(cp.take(a, ind, axis=axis), want)                  # host indices
            same(cp.take(a, cp.asarray(np.asarray(ind)), axis=axis), want)   # device indices
            same(a.take(cp.asarray(np.asarray(ind)), axis), want)
        big = rng.integers(-50, 50, 9)
        for mode in ('wrap', 'clip'):
            want = np.take(h, big, axis=1, mode=mode)
            same(cp.take(a, big, axis=1, mode=mode), want)
            same(cp.take(a, cp.asarray(big.astype(np.int32)), axis=1, mode=mode), want)
    h = random((), dtype)
    same(cp.take(cp.asarray(h), 0), np.asarray(np.take(h, 0)))
    same(cp.take(cp.asarray(h), [0, 0], axis=0), np.take(h, [0, 0], axis=0))


def test_take_out_and_index_types(random):
    h = random((3, 5), np.int32)
    a = cp.asarray(h)
    out = cp.zeros((3, 2), dtype=np.int16)
    hout = np.zeros((3, 2), dtype=np.int16)
    assert cp.take(a, [4, 0], axis=1, out=out) is out
    np.take(h, [4, 0], axis=1, out=hout)
    same(out, hout)
    with pytest.raises(ValueError, match='does not match'):
        cp.take(a, [1], axis=1, out=out)
    for bad in (np.float64, np.int64):      # out must cast safely to a's dtype, as NumPy's
        with pytest.raises(TypeError, match="rule 'safe'"):
            cp.take(a, [1, 2], axis=1, out=cp.zeros((3, 2), dtype=bad))
    same(cp.take(a, [1.7], axis=1), np.take(h, [1.7], axis=1))       # lists convert
    same(cp.take(a, cp.asarray(np.array([True, False])), axis=0),
         np.take(h, np.array([True, False]), axis=0))
    same(cp.take(a, cp.asarray(np.array([4, 1], np.uint8)), axis=1),
         np.take(h, np.array([4, 1], np.uint8), axis=1))
    for bad in (cp.asarray(np.array([1.0])), np.array([1.0])):
        with pytest.raises(TypeError, match='same_kind'):
            cp.take(a, bad)


def test_take_raise_mode_checks_bounds():
    a = cp.arange(5)
    for bad in ([5], [-6], cp.asarray(np.array([0, 5])), cp.asarray(np.array([-6, 1]))):
        with pytest.raises(IndexError, match='out of bounds for axis 0 with size 5'):
            cp.take(a, bad)
    with pytest.raises(IndexError, match='axis 1 with size 3'):
        cp.take(cp.zeros((2, 3)), [3], axis=1)
    with pytest.raises(IndexError, match='non-empty take from an empty'):
        cp.take(cp.zeros(0), [0], mode='wrap')
    same(cp.take(cp.zeros(0), [], mode='raise'), np.take(np.zeros(0), np.zeros(0, np.int64)))
    with pytest.raises(ValueError, match='clipmode'):
        cp.take(a, [0], mode='foo')
    with pytest.raises(AxisError):
        cp.take(a, [0], axis=1)


# --------------------------------------------------------- take_along_axis

@pytest.mark.parametrize('dtype', [np.uint8, np.float64, np.complex128])
def test_take_put_along_axis(random, rng, dtype):
    h = random((3, 4, 5), dtype)
    a = cp.asarray(h)
    for axis in (0, 1, -1):
        idx = np.argsort(h.real if h.dtype.kind == 'c' else h, axis=axis)
        same(cp.take_along_axis(a, cp.asarray(idx), axis=axis),
             np.take_along_axis(h, idx, axis=axis))
        part = np.take(idx, [0, -1], axis=axis)
        same(cp.take_along_axis(a, cp.asarray(part), axis),
             np.take_along_axis(h, part, axis))
    neg = -np.ones((3, 1, 5), np.int64)
    same(cp.take_along_axis(a[:, ::-1], cp.asarray(neg), 1), np.take_along_axis(h[:, ::-1], neg, 1))
    flat = rng.integers(0, h.size, 6)
    same(cp.take_along_axis(a, cp.asarray(flat), None), np.take_along_axis(h, flat, None))
    same(cp.take_along_axis(a, cp.asarray(idx)), np.take_along_axis(h, idx))   # axis=-1
    # put_along_axis: distinct positions so that every write is determined
    for axis in (0, 2):
        perm = np.argsort(rng.random(h.shape), axis=axis)
        pos = np.take(perm, [0, 1], axis=axis)
        vals = random(pos.shape, dtype)
        ha, da = h.copy(), cp.asarray(h)
        np.put_along_axis(ha, pos, vals, axis)
        assert cp.put_along_axis(da, cp.asarray(pos), cp.asarray(vals), axis) is None
        same(da, ha)
    ha, da = h.copy(), cp.asarray(h)
    np.put_along_axis(ha, np.array([3, 7]), 1, None)
    cp.put_along_axis(da, cp.asarray(np.array([3, 7])), 1, None)
    same(da, ha)
    # an F-ordered target (NumPy's own put_along_axis refuses it): written back
    want = h.copy()
    want.flat[[0, 59]] = 0
    df = cp.asarray(h).transpose().copy().transpose()
    cp.put_along_axis(df, cp.asarray(np.array([0, 59])), 0, None)
    same(df, want)


def test_along_axis_errors():
    a = cp.zeros((2, 3))
    with pytest.raises(IndexError, match='integer array'):
        cp.take_along_axis(a, cp.asarray(np.array([[1.0]])), 0)
    with pytest.raises(ValueError, match='same number of dimensions'):
        cp.take_along_axis(a, cp.asarray(np.array([1])), 0)
    with pytest.raises(ValueError, match='single dimension'):
        cp.take_along_axis(a, cp.asarray(np.array([[1]])), None)
    with pytest.raises(IndexError, match='out of bounds'):
        cp.take_along_axis(a, cp.asarray(np.array([[3]])), 1)


# --------------------------------------------------------------------- put

@pytest.mark.parametrize('dtype', [np.int8, np.float32, np.complex64, np.bool_, np.uint32])
def test_put(random, rng, dtype):
    for k in range(4):
        base_d, base_h = views(random, dtype)[k]    # a fresh array per view
        base_h = base_h.copy()
        n = base_h.size
        pos = rng.permutation(n)[:5] - n // 2      # distinct, some negative
        vals = random((5,), dtype)
        np.put(base_h, pos, vals)
        cp.put(base_d, cp.asarray(pos), cp.asarray(vals))
        same(base_d, base_h)
        np.put(base_h, [1, 2, 3], vals[:2])            # v cycled
        base_d.put([1, 2, 3], cp.asarray(vals[:2]))
        same(base_d, base_h)
        for mode in ('wrap', 'clip'):
            np.put(base_h, [n + 3, -n - 2], vals[:2], mode=mode)
            cp.put(base_d, cp.asarray(np.array([n + 3, -n - 2])), cp.asarray(vals[:2]),
                   mode=mode)
            same(base_d, base_h)
    # a non-contiguous target is written through
    h = random((4, 6), dtype)
    d = cp.asarray(h)
    np.put(h[:, ::2], [0, 5], [h[0, 1], h[0, 3]])
    cp.put(d[:, ::2], [0, 5], cp.asarray(np.array([h[0, 1], h[0, 3]])))
    same(d, h)


def test_put_errors_and_casts():
    a = cp.arange(5.0)
    cp.put(a, [0, 1], [7, 8, 9])
    same(a, np.array([7.0, 8.0, 2.0, 3.0, 4.0]))
    for bad in ([7], cp.asarray(np.array([7])), [-6]):
        with pytest.raises(IndexError, match='out of bounds'):
            cp.put(a, bad, [1])
    cp.put(a, [7], [])              # nothing to put: no check, as NumPy's
    with pytest.raises(IndexError, match='empty array'):
        cp.put(cp.zeros(0), [0], [1], mode='wrap')
    with pytest.raises(ValueError, match='clipmode'):
        cp.put(a, [0], [1], mode='bad')
    with pytest.raises(TypeError):
        cp.put([1, 2], [0], [1])
    b = cp.zeros(3, dtype=np.int16)
    cp.put(b, [2], cp.asarray(np.array([3.9])))
    same(b, np.array([0, 0, 3], np.int16))


# ------------------------------------------------------------------ choose

@pytest.mark.parametrize('dtype', [np.int32, np.float16, np.complex128, np.uint8])
def test_choose(random, rng, dtype):
    choices_h = [random((3, 4), dtype), random((4,), dtype), random((3, 1), dtype)]
    choices_d = [cp.asarray(c) for c in choices_h]
    k = rng.integers(0, 3, (3, 4))
    same(cp.choose(cp.asarray(k), choices_d), np.choose(k, choices_h))
    same(cp.asarray(k).choose(choices_d), k.choose(choices_h))
    kb = rng.integers(0, 3, (2, 1, 4))
    same(cp.choose(cp.asarray(kb)[:, :, ::-1], choices_d), np.choose(kb[:, :, ::-1], choices_h))
    stacked = random((3, 5), dtype)
    kk = rng.integers(0, 3, 5)
    same(cp.choose(cp.asarray(kk), cp.asarray(stacked)), np.choose(kk, stacked))
    wild = rng.integers(-7, 9, (3, 4))
    for mode in ('wrap', 'clip'):
        same(cp.choose(cp.asarray(wild), choices_d, mode=mode),
             np.choose(wild, choices_h, mode=mode))
    out = cp.zeros((3, 4), dtype=dtype)
    assert cp.choose(cp.asarray(k), choices_d, out=out) is out
    same(out, np.choose(k, choices_h))
    same(cp.choose(cp.asarray(np.array(1)), [cp.asarray(choices_h[0][0, 0]),
                                             cp.asarray(choices_h[1][0])]),
         np.choose(np.array(1), [choices_h[0][0, 0], choices_h[1][0]]))
    mixed = cp.choose(cp.asarray(k % 2), [choices_d[0], cp.asarray(random((3, 4), np.float64))])
    assert mixed.dtype == np.result_type(dtype, np.float64)


def test_choose_errors():
    c = [cp.zeros(2), cp.ones(2)]
    for bad in ([0, 2], [-1, 0]):
        with pytest.raises(ValueError, match='invalid entry in choice array'):
            cp.choose(cp.asarray(np.array(bad)), c)
    with pytest.raises(TypeError, match="rule 'safe'"):
        cp.choose(cp.asarray(np.array([0.0, 1.0])), c)
    with pytest.raises(TypeError, match="rule 'safe'"):
        cp.choose(cp.asarray(np.array([0, 1], np.uint64)), c)
    with pytest.raises(ValueError, match='0-length'):
        cp.choose(cp.asarray(np.array([0])), [])
    with pytest.raises(ValueError, match='clipmode'):
        cp.choose(cp.asarray(np.array([0])), c, mode='x')
    with pytest.raises(ValueError):
        cp.choose(cp.asarray(np.array([0, 1, 0])), c)


# ---------------------------------------------------------------- compress

@pytest.mark.parametrize('dtype', [np.int64, np.float32, np.bool_])
def test_compress(random, rng, dtype):
    for a, h in views(random, dtype):
        for axis in (0, 1, -1, None):
            n = h.size if axis is None else h.shape[axis]
            for cond in [rng.random(n) < 0.5, rng.random(max(n - 2, 0)) < 0.5,
                         np.zeros(n, bool), np.concatenate([rng.random(n) < 0.5, [False] * 3])]:
                want = np.compress(cond, h, axis=axis)
                same(cp.compress(cond, a, axis=axis), want)
                same(cp.compress(cp.asarray(cond), a, axis=axis), want)
                same(a.compress(cp.asarray(cond), axis), want)
    h = random((5,), dtype)
    same(cp.compress(cp.asarray(np.array([1.5, 0, 2])), cp.asarray(h)),
         np.compress(np.array([1.5, 0, 2]), h))
    out = cp.zeros((2,), dtype=dtype)
    assert cp.compress([True, False, True], cp.asarray(h), out=out) is out
    same(out, np.compress([True, False, True], h))


def test_compress_errors():
    a = cp.arange(3)
    for cond in ([True, False, True, True], cp.asarray(np.array([0, 0, 0, 1]))):
        with pytest.raises(IndexError, match='out of bounds'):
            cp.compress(cond, a)
    with pytest.raises(ValueError, match='1-d'):
        cp.compress([[True]], a)
    with pytest.raises(ValueError, match='1-d'):
        cp.compress(cp.asarray(np.array(True)), a)
    with pytest.raises(ValueError, match='does not match'):
        cp.compress([True], cp.zeros((2, 3)), axis=1, out=cp.zeros((2, 2)))


# ---------------------------------------------------------- delete, insert

@pytest.mark.parametrize('dtype', [np.uint16, np.float64, np.complex64, np.int8])
def test_delete(random, dtype):
    for a, h in views(random, dtype):
        n1 = h.shape[1]
        for obj, axis in [(1, 1), (-1, 0), ([0, 2, 2, -1], 1), (slice(1, None, 2), 1),
                          (slice(None, None, -2), 0), (slice(2, 2), 1), ([], 0), (3, None),
                          ([1, 5, -2], None), (np.arange(n1) % 2 == 0, 1), (np.int64(2), -1)]:
            want = np.delete(h, obj, axis=axis)
            same(cp.delete(a, obj, axis=axis), want)
            if not isinstance(obj, slice):
                dobj = cp.asarray(np.asarray(obj, dtype=bool if np.asarray(obj).dtype == bool
                                             else np.int64))
                same(cp.delete(a, dobj, axis=axis), want)


def test_delete_errors():
    a = cp.zeros((2, 3))
    with pytest.raises(IndexError, match='axis 1 with size 3'):
        cp.delete(a, 5, axis=1)
    for obj in ([1, 5], cp.asarray(np.array([1, 5]))):
        with pytest.raises(IndexError, match='out of bounds'):
            cp.delete(a, obj, axis=1)
    for obj in ([True, False], cp.asarray(np.array([True, False]))):
        with pytest.raises(ValueError, match='boolean array argument'):
            cp.delete(a, obj, axis=1)
    with pytest.raises(IndexError, match='integer'):
        cp.delete(a, [1.5], axis=1)
    with pytest.raises(AxisError):
        cp.delete(a, 0, axis=2)


@pytest.mark.parametrize('dtype', [np.int32, np.float32, np.complex128, np.bool_])
def test_insert(random, dtype):
    for a, h in views(random, dtype):
        n0 = h.shape[0]
        v, w = random((n0,), dtype), random((3,), dtype)
        for obj, values, axis in [(1, v, 1), (1, v[:1], 1), ([1], v[:, None], 1),
                                  ([1], v[:1], 1), (-1, 5, 0), ([0, 2, 2, -1], 1, 1),
                                  ([3, 1, 1], w, None), (slice(0, 2), v[:1], 1),
                                  (2, list(w), None), ([], 1, 0), (0, v[:0], None)]:
            want = np.insert(h, obj, values, axis=axis)
            dval = cp.asarray(np.asarray(values)) if isinstance(values, np.ndarray) else values
            same(cp.insert(a, obj, dval, axis=axis), want)
    h = random((3,), dtype)
    same(cp.insert(cp.asarray(h), cp.asarray(np.array([1, 3])), 0),
         np.insert(h, np.array([1, 3]), 0))
    same(cp.insert(cp.asarray(h), np.array([True, False, True]), 0),
         np.insert(h, np.array([True, False, True]), 0))


def test_insert_errors():
    a = cp.arange(5)
    with pytest.raises(IndexError, match='out of bounds'):
        cp.insert(a, 7, 1)
    with pytest.raises(IndexError, match='out of bounds'):
        cp.insert(a, [1, 7], 1)
    with pytest.raises(ValueError, match='one dimensional'):
        cp.insert(a, [[1]], 1)
    with pytest.raises(AxisError):
        cp.insert(a, 0, 1, axis=1)
    with pytest.raises(ValueError):
        cp.insert(cp.zeros((2, 3)), [1, 2], cp.zeros((2, 3)), axis=1)
