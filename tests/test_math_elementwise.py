"""Issue 11's elementwise math on the device, against NumPy on seeded
random inputs of sampled dtypes (every family), 0-d, empty, strided views,
broadcasting, out= and NumPy's errors: the new ufuncs (conjugate,
reciprocal, logaddexp, logaddexp2, heaviside, nextafter, spacing, ldexp,
signbit, float_power, frexp, modf, divmod), the Array API's spellings,
real/imag/conj/angle (views where NumPy gives views), around/round/fix,
the ndarray members, ``a == object()``, and the dtype helpers."""
import warnings

import numpy as np
import pytest

import gpuarray as cp

from conftest import random_array

pytestmark = [pytest.mark.device, pytest.mark.filterwarnings('ignore::RuntimeWarning')]


def numpy_result(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        with np.errstate(all='ignore'):
            try:
                return fn(*args, **kwargs), None
            except Exception as e:      # noqa: BLE001
                return None, e


def compare(got, expected, ulps=4):
    if isinstance(expected, tuple):
        assert isinstance(got, tuple) and len(got) == len(expected)
        for g, e in zip(got, expected):
            compare(g, e, ulps)
        return
    expected = np.asarray(expected)
    assert isinstance(got, cp.ndarray)
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    h = got.get()
    if expected.dtype.kind in 'fc':
        eps = np.finfo(expected.dtype).eps
        tiny = np.finfo(expected.dtype).tiny
        np.testing.assert_allclose(h, expected, rtol=ulps * eps, atol=ulps * tiny,
                                   equal_nan=True)
    else:
        np.testing.assert_array_equal(h, expected)


DTYPES = [np.bool_, np.int8, np.uint32, np.int64, np.float16, np.float32, np.float64,
          np.complex64, np.complex128]

UNARY = ['conjugate', 'reciprocal', 'spacing', 'signbit', 'frexp', 'modf']
BINARY = ['logaddexp', 'logaddexp2', 'heaviside', 'nextafter', 'float_power', 'divmod']


def values(rng, name, shape, dtype, second=False):
    x = random_array(rng, shape, dtype)
    dt = np.dtype(dtype)
    if dt.kind in 'fc':
        x = (x / 10).astype(dt)
        flat = x.reshape(-1)
        if flat.size > 4 and dt.kind == 'f':
            flat[:4] = [0.0, -0.0, np.inf, np.nan]
    if name == 'float_power' and second and dt.kind in 'iub':
        x = (np.abs(x.astype(np.int64)) % 4).astype(dt)
    if name == 'divmod' and second and dt.kind in 'iu':
        x = np.where(x == 0, 3, x).astype(dt)
    return x


@pytest.mark.parametrize('name', UNARY)
@pytest.mark.parametrize('dtype', DTYPES)
def test_unary(rng, name, dtype):
    x = values(rng, name, (5, 6), dtype)
    expected, error = numpy_result(getattr(np, name), x)
    d = cp.asarray(x)
    if error is not None:
        with pytest.raises(TypeError):
            getattr(cp, name)(d)
        return
    compare(getattr(cp, name)(d), expected)
    compare(getattr(cp, name)(d[::2, ::-3]), numpy_result(getattr(np, name), x[::2, ::-3])[0])


@pytest.mark.parametrize('name', BINARY)
@pytest.mark.parametrize('dtype', [np.bool_, np.int8, np.uint16, np.int64, np.float16,
                                   np.float32, np.float64, np.complex64])
def test_binary(rng, name, dtype):
    x = values(rng, name, (4, 5), dtype)
    y = values(rng, name, (5,), dtype, second=True)
    expected, error = numpy_result(getattr(np, name), x, y)
    dx, dy = cp.asarray(x), cp.asarray(y)
    if error is not None:
        with pytest.raises(TypeError):
            getattr(cp, name)(dx, dy)
        return
    ulps = 64 if name == 'float_power' else 4
    compare(getattr(cp, name)(dx, dy), expected, ulps)
    compare(getattr(cp, name)(dx.T[::-1], 2), numpy_result(getattr(np, name), x.T[::-1], 2)[0],
            ulps)


def test_ldexp(rng):
    for dt in (np.float16, np.float32, np.float64):
        x = values(rng, 'ldexp', (50,), dt)
        for et in (np.int8, np.int32, np.int64):
            e = rng.integers(-30, 30, 50).astype(et)
            compare(cp.ldexp(cp.asarray(x), cp.asarray(e)), np.ldexp(x, e))
    big = np.array([2 ** 40, -2 ** 40, 1 << 62], np.int64)
    compare(cp.ldexp(cp.asarray(np.ones(3)), cp.asarray(big)), np.ldexp(np.ones(3), big))
    with pytest.raises(TypeError):
        cp.ldexp(cp.ones(3), cp.ones(3))


def test_zero_d_empty_out(rng):
    for name in UNARY + BINARY:
        f, g = getattr(np, name), getattr(cp, name)
        args = [np.float32(1.5)] * f.nin
        compare(g(*[cp.asarray(a) for a in args]), numpy_result(f, *args)[0])
        args = [np.zeros((0, 3), np.float64)] * f.nin
        compare(g(*[cp.asarray(a) for a in args]), numpy_result(f, *args)[0])
    x = values(rng, 'logaddexp', (3, 4), np.float32)
    out = cp.zeros((3, 4), np.float64)
    r = cp.logaddexp(cp.asarray(x), 1.0, out=out)
    assert r is out
    compare(out, np.logaddexp(x, 1.0, dtype=np.float32).astype(np.float64))
    m, e = cp.zeros((3, 4), np.float32), cp.zeros((3, 4), np.int64)
    r = cp.frexp(cp.asarray(x), out=(m, e))
    assert r[0] is m and r[1] is e
    em, ee = np.frexp(x)
    compare(m, em)
    compare(e, ee.astype(np.int64))
    q = cp.zeros((3, 4), np.float32)
    r = cp.divmod(cp.asarray(x), 0.7, q, None)
    compare(r, np.divmod(x, np.float32(0.7)))
    assert r[0] is q
    with pytest.raises(ValueError):
        cp.divmod(cp.asarray(x), 1.0, out=(q,))
    with pytest.raises(TypeError):
        cp.divmod(cp.asarray(x), 1.0, out=(cp.zeros((3, 4), np.int32), None))
    with pytest.raises(ValueError):
        cp.modf(cp.asarray(x), out=(cp.zeros((4,), np.float32), None))


def test_aliases():
    pairs = [('acos', 'arccos'), ('acosh', 'arccosh'), ('asin', 'arcsin'), ('asinh', 'arcsinh'),
             ('atan', 'arctan'), ('atan2', 'arctan2'), ('atanh', 'arctanh'),
             ('bitwise_left_shift', 'left_shift'), ('bitwise_right_shift', 'right_shift'),
             ('bitwise_invert', 'invert'), ('pow', 'power'), ('conj', 'conjugate')]
    for new, old in pairs:
        assert getattr(cp, new) is getattr(cp, old)
    x = cp.asarray(np.array([0.25, 0.5]))
    compare(cp.acos(x), np.acos(np.array([0.25, 0.5])))
    compare(cp.pow(cp.arange(4), 2), np.pow(np.arange(4), 2))


def test_real_imag_views(rng):
    for dt in (np.complex64, np.complex128):
        z = random_array(rng, (4, 6), dt)
        d = cp.asarray(z)
        compare(d.real, z.real)
        compare(d.imag, z.imag)
        compare(cp.real(d[:, ::2]), z[:, ::2].real)
        compare(cp.imag(d.T), z.T.imag)
        # views: writing them changes the array
        d.imag[...] = 3
        z.imag[...] = 3
        compare(d, z)
        d.real = cp.asarray(np.arange(6.0))
        z.real = np.arange(6.0)
        compare(d, z)
        v = d[1:3, ::2]
        v.imag = -1
        z[1:3, ::2].imag = -1
        compare(d, z)
        compare(d.conj(), z.conj())
        compare(d.conjugate(), z.conjugate())
        compare(cp.conj(d), np.conj(z))
    x = random_array(rng, (5,), np.int16)
    d = cp.asarray(x)
    compare(d.real, x.real)
    compare(d.imag, x.imag)
    compare(cp.imag(d), np.imag(x))
    d.real = 7
    x.real = 7
    compare(d, x)
    with pytest.raises(TypeError):
        d.imag = 1
    compare(cp.real(cp.asarray(np.complex64(1 + 2j))), np.real(np.complex64(1 + 2j)))


def test_angle(rng):
    for dt in (np.int8, np.float32, np.float64, np.complex64, np.complex128):
        z = random_array(rng, (7,), dt)
        compare(cp.angle(cp.asarray(z)), np.angle(z))
        compare(cp.angle(cp.asarray(z), deg=True), np.angle(z, deg=True), 8)


@pytest.mark.parametrize('dtype', [np.int16, np.int64, np.uint8, np.float16, np.float32,
                                   np.float64, np.complex64])
def test_round_fix(rng, dtype):
    x = random_array(rng, (6, 5), dtype)
    if np.dtype(dtype).kind in 'fc':
        x = (x * 1.37).astype(dtype)
    d = cp.asarray(x)
    for dec in (0, 1, 2, -1, -2):
        compare(cp.around(d, dec), np.around(x, dec))
        compare(cp.round(d[::2], dec), np.round(x[::2], dec))
        compare(d.round(dec), x.round(dec))
    if np.dtype(dtype).kind != 'c':
        compare(cp.fix(d), np.fix(x))
    out = cp.zeros(x.shape, dtype)
    r = cp.around(d, 1, out=out)
    assert r is out
    compare(out, np.around(x, 1))
    compare(cp.round(cp.asarray(np.float64(2.5))), np.round(np.float64(2.5)))
    compare(cp.fix(cp.asarray(np.array([True, False]))), np.fix(np.array([True, False])))


def test_divmod_operator(rng):
    x = random_array(rng, (3, 4), np.int32)
    y = np.where(x == 0, 1, x)[0]
    d = cp.asarray(x)
    compare(divmod(d, cp.asarray(y)), divmod(x, y))
    compare(divmod(d, 7), divmod(x, 7))
    compare(divmod(7, cp.asarray(y)), divmod(7, y))
    f = random_array(rng, (5,), np.float64)
    compare(divmod(cp.asarray(f), 0.3), divmod(f, 0.3))


def test_equal_to_anything(rng):
    x = random_array(rng, (2, 3), np.float32)
    d = cp.asarray(x)
    o = object()
    compare(d == o, x == o)
    compare(d != o, x != o)
    compare(d == None, x == None)  # noqa: E711
    compare(d != 'abc', x != 'abc')
    compare(d == x.tolist(), x == x.tolist())
    with pytest.raises(TypeError):
        d < o


def test_dtype_helpers():
    a8 = cp.ones(2, np.int8)
    assert cp.result_type(a8, 1.0) == np.result_type(np.ones(2, np.int8), 1.0)
    assert cp.result_type(a8, cp.ones(2, np.uint8)) == np.int16
    assert cp.result_type(np.float32, a8) == np.float32
    assert cp.can_cast(a8, np.int16) and not cp.can_cast(a8, np.uint8)
    assert cp.can_cast(np.float64, np.float32, casting='same_kind')
    assert cp.promote_types('i1', 'u1') == np.int16
    assert cp.finfo(cp.ones(1, np.float32)).eps == np.finfo(np.float32).eps
    assert cp.finfo(np.complex128).bits == 64
    assert cp.iinfo(a8).max == 127
    assert cp.issubdtype(np.int8, cp.integer) and not cp.issubdtype(np.float32, cp.integer)
    assert cp.isdtype(a8.dtype, 'signed integer') and cp.isdtype(np.float16, 'real floating')
    for name in ('generic', 'number', 'integer', 'signedinteger', 'unsignedinteger', 'inexact',
                 'floating', 'complexfloating'):
        assert getattr(cp, name) is getattr(np, name)
    with pytest.raises(ValueError):
        cp.iinfo(np.float32)
    with pytest.raises(TypeError):
        cp.can_cast(1, np.int8)
