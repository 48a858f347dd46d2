"""NumPy's smaller helpers on device arrays - NumPy 1 aliases, type and
content tests, memory overlap, windows, copyto/require/asfarray/
asarray_chkfinite/rollaxis/trim_zeros, save/load/printing, exceptions -
against NumPy on seeded random inputs."""
import io
import warnings

import numpy as np
import pytest

import gpuarray as cp

from conftest import assert_matches_numpy as compare, random_array

pytestmark = pytest.mark.device


def test_numpy1_aliases(rng):
    x = rng.uniform(0.5, 1.5, (4, 5))
    d = cp.asarray(x)
    compare(cp.cumproduct(d, axis=1), np.cumprod(x, axis=1))
    compare(cp.product(d, axis=0), np.prod(x, axis=0))
    compare(cp.alltrue(d > 0.6, axis=1), np.all(x > 0.6, axis=1))
    compare(cp.sometrue(d > 1.4), np.any(x > 1.4))
    compare(cp.round_(d * 100, 1), np.round(x * 100, 1))
    compare(cp.trapz(d), np.trapezoid(x))
    compare(cp.row_stack([d, d[:1]]), np.vstack([x, x[:1]]))
    compare(cp.msort(d), np.sort(x, axis=0))
    assert cp.Inf == np.inf and cp.NINF == -np.inf and np.isnan(cp.NaN) and cp.PZERO == 0.0
    assert np.signbit(cp.NZERO)
    assert d[cp.s_[1:3, ::2]].shape == (2, 3) and cp.index_exp[1] == (1,)
    assert list(cp.ndindex(2, 2)) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert cp.isscalar(3.0) and not cp.isscalar(d) and cp.iterable(d)
    assert cp.binary_repr(5) == '101' and cp.base_repr(255, 16) == 'FF'
    assert cp.min_scalar_type(300) == np.uint16


@pytest.mark.parametrize('dtype', [np.float32, np.complex128, np.int16])
def test_type_tests(rng, dtype):
    x = random_array(rng, (3, 4), dtype)
    if np.dtype(dtype).kind == 'c':
        x[0] = x[0].real
    d = cp.asarray(x)
    compare(cp.iscomplex(d), np.iscomplex(x))
    compare(cp.isreal(d), np.isreal(x))
    assert cp.iscomplexobj(d) == np.iscomplexobj(x) and cp.isrealobj(d) == np.isrealobj(x)
    assert not cp.isfortran(d) and cp.isfortran(d.T) == np.isfortran(x.T)
    if np.dtype(dtype).kind == 'f':
        y = x.copy()
        y[0, :2] = [np.inf, -np.inf]
        y[1, 0] = np.nan
        dy = cp.asarray(y)
        compare(cp.isposinf(dy), np.isposinf(y))
        compare(cp.isneginf(dy), np.isneginf(y))
        out = cp.empty(y.shape, np.bool_)
        assert cp.isneginf(dy, out=out) is out
    if np.dtype(dtype).kind == 'c':
        with pytest.raises(TypeError, match='complex'):
            cp.isposinf(d)


def test_memory_overlap(rng):
    h = random_array(rng, (6, 8), np.float32)
    a = cp.asarray(h)
    b = cp.asarray(h)
    assert cp.may_share_memory(a, a[2:4]) and not cp.may_share_memory(a, b)
    assert cp.shares_memory(a[:, ::2], a[:, 2::2])
    assert cp.may_share_memory(a[:, ::2], a[:, 1::2]) and not cp.shares_memory(a[:, ::2],
                                                                                  a[:, 1::2])
    assert not cp.shares_memory(a[:3], a[3:]) and not cp.may_share_memory(a[:0], a)


@pytest.mark.parametrize('name', ['bartlett', 'blackman', 'hamming', 'hanning'])
def test_windows(name):
    for M in (0, 1, 2, 7, 16, 5.0):
        compare(getattr(cp, name)(M), getattr(np, name)(M), rtol=1e-12, atol=1e-15)


def test_copyto(rng):
    h = random_array(rng, (3, 4), np.float64)
    s = random_array(rng, (4,), np.float32)
    m = rng.random((3, 4)) < 0.5
    d = cp.asarray(h)
    cp.copyto(d, cp.asarray(s), where=cp.asarray(m))
    e = h.copy()
    np.copyto(e, s, where=m)
    compare(d, e)
    cp.copyto(d, 2.5)
    np.copyto(e, 2.5)
    compare(d, e)
    i = cp.zeros((3,), np.int32)
    with pytest.raises(TypeError, match='same_kind'):
        cp.copyto(i, cp.ones(3))
    cp.copyto(i, cp.asarray(np.array([1.7, -2.2, 3.9])), casting='unsafe')
    compare(i, np.array([1.7, -2.2, 3.9]).astype(np.int32))


def test_require_asfarray_chkfinite(rng):
    h = random_array(rng, (4, 6), np.int16)
    d = cp.asarray(h)
    r = cp.require(d.T, np.float32, ['C'])
    assert r.flags.c_contiguous and r.dtype == np.float32
    compare(r, np.require(h.T, np.float32, ['C']))
    f = cp.require(d, requirements='F')
    assert f.flags.f_contiguous
    assert cp.require(d) is d
    with pytest.raises(ValueError, match='both'):
        cp.require(d, requirements=['C', 'F'])
    compare(cp.asfarray(d), h.astype(np.float64))
    assert cp.asfarray(d, np.complex64).dtype == np.complex64
    assert cp.asfarray(d, np.int8).dtype == np.float64
    x = rng.standard_normal(5)
    compare(cp.asarray_chkfinite(cp.asarray(x)), x)
    x[2] = np.inf
    with pytest.raises(ValueError, match='infs or NaNs'):
        cp.asarray_chkfinite(cp.asarray(x))


def test_rollaxis_and_trim_zeros(rng):
    h = random_array(rng, (2, 3, 4, 5), np.float32)
    d = cp.asarray(h)
    for axis, start in [(3, 1), (2, 0), (1, 4), (-1, 0), (0, 2)]:
        compare(cp.rollaxis(d, axis, start), np.rollaxis(h, axis, start))
    with pytest.raises(np.exceptions.AxisError):
        cp.rollaxis(d, 1, 6)
    z = np.concatenate([np.zeros(3), rng.uniform(1, 2, 4), [0.0, 5.0], np.zeros(2)])
    dz = cp.asarray(z)
    for trim in ('fb', 'f', 'b'):
        compare(cp.trim_zeros(dz, trim), np.trim_zeros(z, trim))
    compare(cp.trim_zeros(cp.zeros(4)), np.trim_zeros(np.zeros(4)))
    m = np.zeros((5, 6))
    m[1:4, 2:5] = rng.uniform(1, 2, (3, 3))
    dm = cp.asarray(m)
    for axis in (None, 0, 1, (0, 1)):
        compare(cp.trim_zeros(dm, axis=axis), np.trim_zeros(m, axis=axis))
    compare(cp.trim_zeros(dm, 'f', axis=1), np.trim_zeros(m, 'f', axis=1))


def test_save_load_and_print(rng, tmp_path):
    h = random_array(rng, (3, 4), np.float32)
    d = cp.asarray(h)
    cp.save(tmp_path / 'a.npy', d)
    compare(cp.load(tmp_path / 'a.npy'), h)
    cp.savez(tmp_path / 'b.npz', d, y=d[0])
    with cp.load(tmp_path / 'b.npz') as z:
        assert set(z.files) == {'arr_0', 'y'}
        compare(z['arr_0'], h)
        compare(z['y'], h[0])
    cp.savez_compressed(tmp_path / 'c.npz', d=d)
    compare(cp.load(tmp_path / 'c.npz')['d'], h)
    buf = io.StringIO()
    cp.savetxt(buf, d, fmt='%.3f')
    assert buf.getvalue() == _savetxt(h)
    assert cp.array2string(d) == np.array2string(h)
    assert cp.array_str(d) == np.array_str(h)
    assert cp.array_repr(d) == np.array_repr(h)
    assert cp.format_float_positional(np.float32(0.1)) == '0.1'


def _savetxt(h):
    buf = io.StringIO()
    np.savetxt(buf, h, fmt='%.3f')
    return buf.getvalue()


def test_exceptions_are_numpys():
    assert cp.exceptions.AxisError is np.exceptions.AxisError is cp.AxisError
    with pytest.raises(cp.AxisError):
        cp.sum(cp.ones(3), axis=2)
    with warnings.catch_warnings():
        warnings.simplefilter('error', cp.ComplexWarning)
        assert issubclass(cp.ComplexWarning, RuntimeWarning)


@pytest.mark.parametrize('dtype', [np.float64, np.complex128, np.int32])
def test_correlate(rng, dtype):
    for na, nv in [(9, 4), (4, 9), (6, 6), (4, 6), (1, 3)]:
        a = random_array(rng, (na,), dtype)
        v = random_array(rng, (nv,), dtype)
        for mode in ('valid', 'same', 'full'):
            compare(cp.correlate(cp.asarray(a), cp.asarray(v), mode),
                    np.correlate(a, v, mode), rtol=1e-10, atol=1e-6)


def test_apply_along_and_over_axes(rng):
    h = random_array(rng, (3, 4, 5), np.float64)
    d = cp.asarray(h)
    for axis in (0, 1, -1):
        compare(cp.apply_along_axis(cp.sum, axis, d), np.apply_along_axis(np.sum, axis, h))
        compare(cp.apply_along_axis(lambda x: x[::-1] * 2, axis, d),
                np.apply_along_axis(lambda x: x[::-1] * 2, axis, h))
        compare(cp.apply_along_axis(lambda x: cp.outer(x, x[:2]), axis, d),
                np.apply_along_axis(lambda x: np.outer(x, x[:2]), axis, h))
    compare(cp.apply_along_axis(cp.percentile, 1, d, 30), np.apply_along_axis(np.percentile,
                                                                                1, h, 30))
    with pytest.raises(ValueError, match='iteration dimensions are 0'):
        cp.apply_along_axis(cp.sum, 0, cp.zeros((3, 0)))
    compare(cp.apply_over_axes(cp.sum, d, [0, 2]), np.apply_over_axes(np.sum, h, [0, 2]))
    compare(cp.apply_over_axes(cp.max, d, 1), np.apply_over_axes(np.max, h, 1))


def test_real_if_close_common_type_byte_bounds(rng):
    x = rng.standard_normal(6)
    c = x + 1e-18j
    compare(cp.real_if_close(cp.asarray(c)), np.real_if_close(c))
    c2 = x + 1e-3j
    compare(cp.real_if_close(cp.asarray(c2)), np.real_if_close(c2))
    compare(cp.real_if_close(cp.asarray(c2), tol=0.01), np.real_if_close(c2, tol=0.01))
    compare(cp.real_if_close(cp.asarray(x)), x)
    for dts in [(np.int16,), (np.float32,), (np.float32, np.complex64), (np.float16, np.int8)]:
        arrays = [cp.zeros(2, dt) for dt in dts]
        assert cp.common_type(*arrays) is np.common_type(*[np.zeros(2, dt) for dt in dts])
    a = cp.zeros((4, 5), np.float32)
    lo, hi = cp.byte_bounds(a)
    assert hi - lo == 80 and lo == a.data.ptr
    lo, hi = cp.byte_bounds(a[::-1, 1:3])
    assert lo == a.data.ptr + 4 and hi - lo == 3 * 20 + 8
