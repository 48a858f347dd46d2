"""Issue 11's creation functions against NumPy: linspace, logspace,
geomspace, eye, identity, diag, diagflat, tri, tril, triu, meshgrid, mgrid,
ogrid, indices, copy, asfortranarray, asanyarray, fromfunction.

Sequences are compared with NumPy's values (bit for bit where both do the
same IEEE operations, to a few ulps where power/log10 are involved) and
dtypes; matrices on random inputs of sampled dtypes, 0-d, empty and
non-contiguous views; bad input raises NumPy's exception types."""
import numpy as np
import pytest

import gpuarray as cp

pytestmark = pytest.mark.device

AxisError = np.exceptions.AxisError if hasattr(np, 'exceptions') else np.AxisError


def same(got, want):
    assert isinstance(got, cp.ndarray), type(got)
    assert got.shape == want.shape, (got.shape, want.shape)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    np.testing.assert_array_equal(got.get(), want)


def close(got, want, rtol=None):
    assert isinstance(got, cp.ndarray), type(got)
    assert got.shape == want.shape, (got.shape, want.shape)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    if rtol is None:
        rtol = {2: 2e-3, 4: 2e-6, 8: 1e-13, 16: 1e-13}.get(np.dtype(want.dtype).itemsize, 1e-6)
        if want.dtype.kind == 'c':
            rtol = 2e-6 if want.dtype.itemsize == 8 else 1e-13
    np.testing.assert_allclose(got.get(), want, rtol=rtol, atol=0)


def shares(v, a):
    root = a.base if a.base is not None else a
    return v.base is root


# ------------------------------------------------------------------ linspace

@pytest.mark.parametrize('args,kw', [
    ((0, 1), {}), ((2.5, -7.25, 13), {}), ((0, 10, 5), {'endpoint': False}),
    ((1, 5, 1), {}), ((1, 5, 0), {}), ((1, 5, 2), {'endpoint': False}),
    ((0, 10, 7), {'dtype': int}), ((-3, 8, 6), {'dtype': np.int8}),
    ((2, 9, 4), {'dtype': np.uint8}),
    ((np.float32(0.1), 3, 11), {}), ((np.float16(1), np.float16(2), 9), {}),
    ((0, 1 + 2j, 5), {}), ((np.int8(-4), 4, 9), {}), ((0, 1e-310, 4), {}),
    ((3, 3, 4), {}), ((0, 1, 6), {'dtype': np.float32}),
])
def test_linspace_scalars_match_numpy_exactly(args, kw):
    same(cp.linspace(*args, **kw), np.linspace(*args, **kw))


def test_linspace_retstep_and_arrays(random):
    got, step = cp.linspace(2, 4, 5, retstep=True)
    want, wstep = np.linspace(2, 4, 5, retstep=True)
    same(got, want)
    assert step == wstep and type(step) is type(wstep)
    assert np.isnan(cp.linspace(0, 1, 1, retstep=True)[1])
    hs, he = random((3,), np.float32), random((2, 1), np.float32)
    for axis in (0, -1, 1):
        same(cp.linspace(cp.asarray(hs), cp.asarray(he), 6, axis=axis),
             np.linspace(hs, he, 6, axis=axis))
    hi = random((4,), np.int16)
    same(cp.linspace(cp.asarray(hi), 100, 5), np.linspace(hi, 100, 5))
    got, step = cp.linspace(0, cp.asarray(hs), 4, retstep=True, endpoint=False)
    want, wstep = np.linspace(0, hs, 4, retstep=True, endpoint=False)
    same(got, want)
    same(step, wstep)
    # one zero step among several: NumPy divides first for all of them
    hz = np.array([1.0, 1.0, 3.0])
    same(cp.linspace(cp.asarray(hz), cp.asarray(np.array([1.0, 2.0, 5.0])), 4),
         np.linspace(hz, np.array([1.0, 2.0, 5.0]), 4))
    same(cp.linspace(cp.asarray(hs)[::-1], 1, 3), np.linspace(hs[::-1], 1, 3))


def test_linspace_errors():
    with pytest.raises(ValueError, match='must be non-negative'):
        cp.linspace(0, 1, -1)
    with pytest.raises(TypeError):
        cp.linspace(0, 1, 2.5)
    with pytest.raises(AxisError):
        cp.linspace(cp.zeros(3), 1, 4, axis=2)


# ------------------------------------------------------ logspace, geomspace

@pytest.mark.parametrize('args,kw', [
    ((0, 2, 3), {}), ((-1.5, 3.25, 8), {'base': 2.0}), ((0, 3, 4), {'dtype': int}),
    ((np.float32(0), 2, 5), {}), ((0, 1, 4), {'endpoint': False, 'base': np.float32(3)}),
    ((1, 2, 0), {}), ((0, 1 + 1j, 4), {}),
])
def test_logspace(args, kw):
    close(cp.logspace(*args, **kw), np.logspace(*args, **kw))


def test_logspace_array_base(random):
    b = np.array([2.0, 3.0, 10.0])
    close(cp.logspace(0, 3, 4, base=cp.asarray(b)), np.logspace(0, 3, 4, base=b))
    close(cp.logspace(0, 3, 4, base=cp.asarray(b), axis=-1),
          np.logspace(0, 3, 4, base=b, axis=-1))


@pytest.mark.parametrize('args,kw', [
    ((1, 1000, 4), {}), ((-1, -100, 3), {}), ((1j, 100j, 3), {}), ((1, 100, 3), {'dtype': int}),
    ((np.float32(1), 100, 5), {}), ((2, 0.5, 6), {'endpoint': False}), ((1 + 1j, 8 - 2j, 5), {}),
    ((3, 7, 1), {}), ((5, 7, 0), {}),
])
def test_geomspace(args, kw):
    got, want = cp.geomspace(*args, **kw), np.geomspace(*args, **kw)
    close(got, want)
    if want.size and want.dtype.kind != 'i':
        # the end points are exact
        assert got[0].get() == want[0]
        if kw.get('endpoint', True):
            assert got[-1].get() == want[-1]


def test_geomspace_arrays_and_errors(random):
    hs = np.array([1.0, -2.0, 0.5])
    he = np.array([1000.0, -0.25, 8.0])
    for axis in (0, 1, -1):
        close(cp.geomspace(cp.asarray(hs), cp.asarray(he), 5, axis=axis),
              np.geomspace(hs, he, 5, axis=axis))
    hc = np.array([1 + 1j, -2j])
    close(cp.geomspace(cp.asarray(hc), 4, 3), np.geomspace(hc, 4, 3))
    with pytest.raises(ValueError, match='cannot include zero'):
        cp.geomspace(0, 2, 3)
    with pytest.raises(ValueError, match='cannot include zero'):
        cp.geomspace(cp.asarray(np.array([1.0, 0.0])), 2, 3)


# ---------------------------------------------------------- eye, diagonals

@pytest.mark.parametrize('dtype', [np.bool_, np.int8, np.uint32, np.float16, np.complex64])
def test_eye_identity(dtype):
    for args in [(3,), (2, 5), (4, 3), (0,), (3, 0)]:
        for k in (0, 1, -2, 7):
            same(cp.eye(*args, k=k, dtype=dtype), np.eye(*args, k=k, dtype=dtype))
    f = cp.eye(3, 4, 1, dtype=dtype, order='F')
    same(f, np.eye(3, 4, 1, dtype=dtype, order='F'))
    assert f.flags.f_contiguous
    same(cp.identity(4, dtype=dtype), np.identity(4, dtype=dtype))
    same(cp.eye(2), np.eye(2))
    same(cp.identity(2), np.identity(2))
    with pytest.raises(ValueError):
        cp.eye(-1)
    with pytest.raises(TypeError):
        cp.eye(2.0)


@pytest.mark.parametrize('dtype', [np.int64, np.float32, np.complex128, np.uint16])
def test_diagonal_is_a_view(random, dtype):
    h = random((4, 5, 3), dtype)
    a = cp.asarray(h)
    for args in [(0, 0, 1), (2, 0, 1), (-1, 1, 0), (1, -1, 0), (0, 2, 1), (9, 0, 1), (-2, 0, 2)]:
        d = cp.diagonal(a, *args)
        same(d, np.diagonal(h, *args))
        assert shares(d, a)
        same(a.diagonal(*args), h.diagonal(*args))
    v = a[::2, ::-1]
    same(v.diagonal(1), v.get().diagonal(1))
    with pytest.raises(ValueError, match='at least two dimensions'):
        cp.diagonal(cp.zeros(3))
    with pytest.raises(ValueError, match='cannot be the same'):
        cp.diagonal(a, 0, 1, -2)
    with pytest.raises(AxisError):
        cp.diagonal(a, 0, 0, 3)


@pytest.mark.parametrize('dtype', [np.int8, np.bool_, np.float64, np.complex64])
def test_trace(random, dtype):
    h = random((4, 5, 3), dtype)
    a = cp.asarray(h)
    for args in [(), (1,), (-2, 1, 2), (0, 2, 0)]:
        close(cp.trace(a, *args), np.trace(h, *args), rtol=1e-5)
        close(a.trace(*args), h.trace(*args), rtol=1e-5)
    wide = np.complex128 if h.dtype.kind == 'c' else np.float64
    close(cp.trace(a, dtype=wide), np.trace(h, dtype=wide), rtol=1e-5)
    out = cp.zeros((3,), dtype=np.complex128)
    assert cp.trace(a, out=out) is out
    close(out, np.trace(h).astype(np.complex128), rtol=1e-5)
    with pytest.raises(ValueError):
        cp.trace(cp.zeros(3))


@pytest.mark.parametrize('dtype', [np.uint8, np.float16, np.complex128, np.int32])
def test_diag_diagflat(random, dtype):
    for shape in [(4,), (0,), (1,)]:
        h = random(shape, dtype)
        for k in (0, 2, -1):
            same(cp.diag(cp.asarray(h), k), np.diag(h, k))
    h = random((3, 5), dtype)
    a = cp.asarray(h)
    for k in (0, 1, -2, 6):
        d = cp.diag(a, k)
        same(d, np.diag(h, k))
        assert shares(d, a)
    same(cp.diag(a[:, ::-2]), np.diag(h[:, ::-2]))
    same(cp.diag(a[0, ::2]), np.diag(h[0, ::2]))
    same(cp.diagflat(a), np.diagflat(h))
    same(cp.diagflat(a.T, -1), np.diagflat(h.T, -1))
    with pytest.raises(ValueError, match='1- or 2-d'):
        cp.diag(cp.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match='1- or 2-d'):
        cp.diag(cp.asarray(1.0))


# ---------------------------------------------------------------- triangles

@pytest.mark.parametrize('dtype', [np.float64, np.int16, np.bool_, np.complex64])
def test_tri(dtype):
    for args in [(3,), (2, 5), (4, 3), (0,), (3, 0)]:
        for k in (0, 1, -2):
            same(cp.tri(*args, k=k, dtype=dtype), np.tri(*args, k=k, dtype=dtype))
    same(cp.tri(3), np.tri(3))
    with pytest.raises(ValueError):
        cp.tri(-1)


@pytest.mark.parametrize('dtype', [np.uint64, np.float32, np.complex128, np.bool_, np.int8])
def test_tril_triu(random, dtype):
    h = random((2, 4, 5), dtype)
    a = cp.asarray(h)
    for k in (0, 1, -2, 9):
        same(cp.tril(a, k), np.tril(h, k))
        same(cp.triu(a, k), np.triu(h, k))
    for v, hv in [(a[:, ::-1, 1:], h[:, ::-1, 1:]), (a[0].T, h[0].T), (a[0, 0], h[0, 0]),
                  (a[:, :0], h[:, :0])]:
        same(cp.tril(v, -1), np.tril(hv, -1))
        same(cp.triu(v, 1), np.triu(hv, 1))
    with pytest.raises(TypeError):
        cp.tril(cp.asarray(1.0))


# --------------------------------------------------------------------- grids

@pytest.mark.parametrize('dtype', [int, np.int8, np.float32, np.uint16])
def test_indices(dtype):
    for dims in [(2, 3), (4,), (), (3, 0, 2), (2, 1, 3)]:
        same(cp.indices(dims, dtype=dtype), np.indices(dims, dtype=dtype))
        got, want = cp.indices(dims, dtype=dtype, sparse=True), np.indices(dims, dtype=dtype,
                                                                         sparse=True)
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            same(g, w)


def test_fromfunction():
    f = lambda i, j: i * 10 + j   # noqa: E731
    same(cp.fromfunction(f, (3, 4)), np.fromfunction(f, (3, 4)))
    same(cp.fromfunction(f, (3, 4), dtype=np.int32), np.fromfunction(f, (3, 4), dtype=np.int32))
    g = lambda i, scale: i * scale   # noqa: E731
    same(cp.fromfunction(g, (5,), scale=2.5), np.fromfunction(g, (5,), scale=2.5))


@pytest.mark.parametrize('indexing', ['xy', 'ij'])
def test_meshgrid(random, indexing):
    hx, hy, hz = random((3,), np.float32), random((4,), np.int64), random((2,), np.complex64)
    dx, dy, dz = cp.asarray(hx), cp.asarray(hy), cp.asarray(hz)
    for args, hargs in [((dx,), (hx,)), ((dx, dy), (hx, hy)), ((dx, dy, dz), (hx, hy, hz)),
                        ((dx[::-1], dy[:0]), (hx[::-1], hy[:0])), ((), ())]:
        for sparse in (False, True):
            got = cp.meshgrid(*args, indexing=indexing, sparse=sparse)
            want = np.meshgrid(*hargs, indexing=indexing, sparse=sparse)
            assert isinstance(got, tuple) and len(got) == len(want)
            for g, w in zip(got, want):
                same(g, w)
                assert g.flags.c_contiguous
    got = cp.meshgrid(dx, dy, copy=False, indexing=indexing)
    assert all(shares(g, d) for g, d in zip(got, (dx, dy)))
    with pytest.raises(ValueError, match='indexing'):
        cp.meshgrid(dx, indexing='yx')


@pytest.mark.parametrize('key', [
    np.s_[0:5], np.s_[2:-3:-1], np.s_[0:1:0.25], np.s_[-1:1:5j], np.s_[3:0:1j],
    np.s_[0:5, 0:3], np.s_[0:1:3j, 0:1:2j], np.s_[0:5, 0:1.5:0.5], np.s_[0:5, 0:4:np.float32(1)],
    np.s_[1:4, -2:2, 0:2], np.s_[0:5,], np.s_[np.int8(0):np.int8(5)],
])
def test_mgrid_ogrid(key):
    same(cp.mgrid[key], np.mgrid[key])
    got, want = cp.ogrid[key], np.ogrid[key]
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            same(g, w)
    else:
        same(got, want)


def test_mgrid_errors():
    with pytest.raises(ValueError):      # NumPy: a negative dimension
        cp.mgrid[5:0, 0:2]
    with pytest.raises(AttributeError):
        cp.mgrid[3]


# ------------------------------------------------- copy, asfortranarray, ...

@pytest.mark.parametrize('dtype', [np.bool_, np.uint8, np.float64, np.complex64, np.int16])
def test_copy_and_friends(random, dtype):
    h = random((4, 6), dtype)
    a = cp.asarray(h)
    for v, hv in [(a, h), (a.T, h.T), (a[::2, ::-3], h[::2, ::-3]), (a[:0], h[:0]),
                  (cp.asarray(h[1, 1].copy()), h[1, 1].copy())]:
        for order in ('K', 'C', 'F', 'A'):
            c = cp.copy(v, order=order)
            same(c, np.copy(hv, order=order))
            assert c.flags.owndata
            w = np.copy(hv, order=order)
            if w.ndim > 1 and w.size > 1:
                assert c.flags.c_contiguous == w.flags.c_contiguous
                assert c.flags.f_contiguous == w.flags.f_contiguous
        f = cp.asfortranarray(v)
        same(f, np.asfortranarray(hv))
        assert f.flags.f_contiguous
    f = cp.asfortranarray(a.T)
    assert shares(f, a)        # already Fortran-ordered: no copy
    wide = np.complex128 if h.dtype.kind == 'c' else np.float32
    same(cp.asfortranarray(a, dtype=wide), np.asfortranarray(h, dtype=wide))
    same(cp.copy(h), np.copy(h))             # host data is uploaded
    same(cp.copy([1, 2, 3]), np.copy([1, 2, 3]))
    assert cp.asanyarray(a) is a
    same(cp.asanyarray(h), np.asanyarray(h))
    same(cp.asanyarray([[1.5, 2]], dtype=np.float32), np.asanyarray([[1.5, 2]], dtype=np.float32))
    same(cp.asanyarray(a, dtype=np.complex128), np.asanyarray(h, dtype=np.complex128))
    assert cp.asanyarray(a, copy=True) is not a
