"""Issue 11's ndarray members against NumPy's: flat (a.flat[i],
a.flat[i] = v, slices, masks, iteration), view(dtype) (NumPy's itemsize
rules), tobytes(), mT, and the method forms take, put, repeat, diagonal,
trace, compress, choose."""
import numpy as np
import pytest

import gpuarray as cp

pytestmark = pytest.mark.device


def same(got, want):
    assert isinstance(got, cp.ndarray), type(got)
    assert got.shape == np.shape(want), (got.shape, np.shape(want))
    assert got.dtype == np.asarray(want).dtype, (got.dtype, np.asarray(want).dtype)
    np.testing.assert_array_equal(got.get(), want)


def views(random, dtype):
    h = random((4, 6), dtype)
    a = cp.asarray(h)
    return [(a, h), (a[::2, 1::2], h[::2, 1::2]), (a.T, h.T), (a[::-1, ::-1], h[::-1, ::-1])]


# -------------------------------------------------------------------- flat

@pytest.mark.parametrize('dtype', [np.int16, np.float64, np.complex64, np.bool_])
def test_flat_reads(random, dtype):
    for a, h in views(random, dtype):
        n = h.size
        f = a.flat
        assert len(f) == n and f.base is a
        for i in (0, 3, n - 1, -1, -n):
            e = f[i]
            assert e.shape == () and e.get() == h.flat[i]
        same(f[2:5], h.flat[2:5])
        same(f[::-3], h.flat[::-3])
        same(f[[1, 2, -1]], h.flat[[1, 2, -1]])
        same(f[cp.asarray(np.array([0, n - 1]))], h.flat[np.array([0, n - 1])])
        mask = np.arange(n) % 3 == 0
        same(f[cp.asarray(mask)], h.flat[mask])
        same(f[...], h.flat[...])
        same(f.copy(), h.flat.copy())
        got = list(a.flat)
        assert len(got) == n
        np.testing.assert_array_equal([g.get() for g in got], list(h.flat))
        with pytest.raises(IndexError, match='out of bounds'):
            f[n]
    it = cp.asarray(random((2, 3), dtype)).flat
    next(it)
    assert it.index == 1 and it.coords == (0, 1)
    z = cp.asarray(random((), dtype))
    assert list(z.flat)[0].get() == z.get()


@pytest.mark.parametrize('dtype', [np.uint8, np.float32, np.complex128])
def test_flat_writes(random, dtype):
    for k in range(4):
        a, h = views(random, dtype)[k]
        h = h.copy()
        v = random((3,), dtype)
        a.flat[2] = v[0]
        h.flat[2] = v[0]
        a.flat[-1] = cp.asarray(v[1:2])
        h.flat[-1] = v[1]
        a.flat[1:7] = cp.asarray(v[:2])        # cycled, as NumPy's
        h.flat[1:7] = v[:2]
        a.flat[[0, 5]] = list(v[1:])
        h.flat[[0, 5]] = v[1:]
        mask = np.arange(h.size) % 5 == 4
        a.flat[cp.asarray(mask)] = v[2]
        h.flat[mask] = v[2]
        same(a, h)
        a.flat = cp.asarray(v)                  # the property's setter: all, cycled
        h.flat = v
        same(a, h)


# -------------------------------------------------------------------- view

@pytest.mark.parametrize('src,dst', [(np.int32, np.int64), (np.int32, np.int8),
                                     (np.float64, np.complex128), (np.complex64, np.float32),
                                     (np.uint16, np.float16), (np.int8, np.bool_),
                                     (np.float32, np.uint32)])
def test_view_dtype(random, src, dst):
    h = random((3, 4), src)
    a = cp.asarray(h)
    for v, hv in [(a, h), (a[:, :2], h[:, :2]), (a[::2], h[::2]), (a[::-1], h[::-1]),
                  (a[:, :1], h[:, :1]), (a[:0], h[:0])]:
        try:
            want = hv.view(dst)
        except ValueError as e:
            with pytest.raises(ValueError, match=str(e)[:30]):
                v.view(dst)
            continue
        got = v.view(dst)
        assert got.shape == want.shape and got.dtype == want.dtype
        if want.size:
            assert got.strides == want.strides
        np.testing.assert_array_equal(got.get().view(np.uint8), want.view(np.uint8))
    w = a.view(dst) if (4 * np.dtype(src).itemsize) % np.dtype(dst).itemsize == 0 else None
    if w is not None and w.size:
        # the view shares a's memory
        w.fill(0)
        assert not a.get().any()


def test_view_rules_and_errors(random):
    h = random((3, 4), np.int32)
    a = cp.asarray(h)
    v = a.view()
    assert v.base is a and v.dtype == a.dtype
    assert a.view(cp.ndarray).shape == a.shape
    assert a.view(np.int32).base is a
    with pytest.raises(ValueError, match='last axis must be contiguous'):
        a.T.view(np.int64)
    with pytest.raises(ValueError, match='last axis must be contiguous'):
        a[:, ::2].view(np.int16)
    with pytest.raises(ValueError, match='divisor of the total size'):
        a[:, :3].view(np.int64)
    with pytest.raises(ValueError, match='divisor of the size of original'):
        a.view('V3')
    with pytest.raises(ValueError, match='0d array'):
        cp.asarray(np.int32(3)).view(np.int64)
    assert cp.asarray(np.int32(3)).view(np.float32).get() == np.int32(3).view(np.float32)
    with pytest.raises(TypeError):
        a.view(np.ndarray)


# ----------------------------------------------------------- tobytes, mT

@pytest.mark.parametrize('dtype', [np.bool_, np.int64, np.float16, np.complex128])
def test_tobytes_and_mT(random, dtype):
    for a, h in views(random, dtype):
        for order in ('C', 'F', 'A'):
            assert a.tobytes(order) == h.tobytes(order)
        assert a.tobytes() == h.tobytes()
        same(a.mT, h.mT)
    h3 = random((2, 3, 4), dtype)
    a3 = cp.asarray(h3)
    same(a3.mT, h3.mT)
    assert a3.mT.base is a3
    with pytest.raises(ValueError):
        cp.zeros(3).mT


# ------------------------------------------------------------ method forms

def test_method_forms(random, rng):
    h = random((4, 5), np.float32)
    a = cp.asarray(h)
    same(a.take([1, -1], axis=1), h.take([1, -1], axis=1))
    same(a.take(cp.asarray(np.array([30, -3])), mode='wrap'), h.take([30, -3], mode='wrap'))
    same(a.repeat(2, axis=0), h.repeat(2, axis=0))
    same(a.repeat(cp.asarray(np.array([1, 0, 2, 1, 3])), axis=1),
         h.repeat([1, 0, 2, 1, 3], axis=1))
    same(a.diagonal(1), h.diagonal(1))
    np.testing.assert_allclose(a.trace(-1).get(), h.trace(-1), rtol=1e-6)
    same(a.compress([True, False, True], axis=0), h.compress([True, False, True], axis=0))
    k = rng.integers(0, 2, 5)
    same(cp.asarray(k).choose([a[0], a[1]]), k.choose([h[0], h[1]]))
    hp = h.copy()
    hp.put([0, 7], [1.5, 2.5])
    assert a.put([0, 7], [1.5, 2.5]) is None
    same(a, hp)
