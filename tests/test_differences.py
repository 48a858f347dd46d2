"""Differences, integration and interpolation on the device - diff,
ediff1d, gradient, unwrap, trapezoid, convolve, interp - against NumPy on
seeded random inputs, with their axes, spacings, modes and errors."""
import numpy as np
import pytest

import gpuarray as cp

from conftest import assert_matches_numpy as compare, random_array

pytestmark = pytest.mark.device


@pytest.mark.parametrize('dtype', [np.int32, np.uint8, np.float32, np.float64, np.bool_])
def test_diff(rng, dtype):
    x = random_array(rng, (5, 8), dtype)
    d = cp.asarray(x)
    rtol = 1e-5 if dtype == np.float32 else 1e-10
    for n in (0, 1, 2, 3):
        compare(cp.diff(d, n=n), np.diff(x, n=n), rtol=rtol)
    compare(cp.diff(d, axis=0), np.diff(x, axis=0), rtol=rtol)
    compare(cp.diff(d[:, ::-2], axis=1), np.diff(x[:, ::-2], axis=1), rtol=rtol)
    if dtype != np.bool_:
        p = random_array(rng, (5, 1), dtype)
        compare(cp.diff(d, prepend=cp.asarray(p), append=cp.asarray(x[:, :2])),
                np.diff(x, prepend=p, append=x[:, :2]), rtol=rtol)
        compare(cp.diff(d, axis=0, prepend=dtype(1)), np.diff(x, axis=0, prepend=dtype(1)),
                rtol=rtol)


def test_diff_errors():
    with pytest.raises(ValueError, match='non-negative'):
        cp.diff(cp.ones(3), n=-1)
    with pytest.raises(ValueError, match='at least one dimensional'):
        cp.diff(cp.asarray(np.float64(2.0)))
    with pytest.raises(np.exceptions.AxisError):
        cp.diff(cp.ones((2, 3)), axis=2)


def test_ediff1d(rng):
    x = rng.standard_normal((4, 6))
    d = cp.asarray(x)
    compare(cp.ediff1d(d), np.ediff1d(x))
    compare(cp.ediff1d(d, to_begin=cp.asarray(np.array([-1.0, -2.0])), to_end=cp.ones(1)),
            np.ediff1d(x, to_begin=np.array([-1.0, -2.0]), to_end=np.ones(1)))
    compare(cp.ediff1d(cp.asarray(x[:1, :1])), np.ediff1d(x[:1, :1]))
    i = rng.integers(-20, 20, 12).astype(np.int16)
    compare(cp.ediff1d(cp.asarray(i), to_end=cp.asarray(np.array([5], np.int8))),
            np.ediff1d(i, to_end=np.array([5], np.int8)))
    with pytest.raises(TypeError, match='same_kind'):
        cp.ediff1d(cp.asarray(i), to_begin=cp.ones(1))


def test_gradient(rng):
    f = rng.standard_normal((6, 9))
    d = cp.asarray(f)
    for got, want in zip(cp.gradient(d), np.gradient(f)):
        compare(got, want)
    for edge in (1, 2):
        compare(cp.gradient(d, axis=1, edge_order=edge), np.gradient(f, axis=1, edge_order=edge))
        compare(cp.gradient(d, 0.5, axis=0, edge_order=edge),
                np.gradient(f, 0.5, axis=0, edge_order=edge))
    xs = np.cumsum(rng.uniform(0.1, 1.0, 9))
    for edge in (1, 2):
        compare(cp.gradient(d, cp.asarray(xs), axis=1, edge_order=edge),
                np.gradient(f, xs, axis=1, edge_order=edge))
    got = cp.gradient(d, 2.0, cp.asarray(xs))
    want = np.gradient(f, 2.0, xs)
    for g, w in zip(got, want):
        compare(g, w)
    i = rng.integers(-9, 9, 10).astype(np.int32)
    compare(cp.gradient(cp.asarray(i)), np.gradient(i))
    f32 = f.astype(np.float32)
    compare(cp.gradient(cp.asarray(f32), axis=0), np.gradient(f32, axis=0), rtol=1e-5,
            atol=1e-6)
    with pytest.raises(ValueError):
        cp.gradient(cp.ones(1))
    with pytest.raises(ValueError):
        cp.gradient(cp.ones(5), edge_order=3)


def test_unwrap(rng):
    p = np.cumsum(rng.uniform(-2.5, 2.5, (3, 40)), axis=1)
    wrapped = np.angle(np.exp(1j * p))
    d = cp.asarray(wrapped)
    compare(cp.unwrap(d), np.unwrap(wrapped))
    compare(cp.unwrap(d.T, axis=0), np.unwrap(wrapped.T, axis=0))
    compare(cp.unwrap(d, discont=4.0), np.unwrap(wrapped, discont=4.0))
    deg = np.degrees(wrapped)
    compare(cp.unwrap(cp.asarray(deg), period=360), np.unwrap(deg, period=360))
    i = rng.integers(0, 8, 30)
    compare(cp.unwrap(cp.asarray(i), period=8), np.unwrap(i, period=8))


def test_trapezoid(rng):
    y = rng.standard_normal((4, 11))
    x = np.cumsum(rng.uniform(0.1, 1, 11))
    d = cp.asarray(y)
    compare(cp.trapezoid(d), np.trapezoid(y))
    compare(cp.trapezoid(d, dx=0.25, axis=0), np.trapezoid(y, dx=0.25, axis=0))
    compare(cp.trapezoid(d, x=cp.asarray(x)), np.trapezoid(y, x=x))
    x2 = np.cumsum(rng.uniform(0.1, 1, (4, 11)), axis=1)
    compare(cp.trapezoid(d, x=cp.asarray(x2)), np.trapezoid(y, x=x2))
    i = rng.integers(0, 10, 7).astype(np.int64)
    compare(cp.trapezoid(cp.asarray(i)), np.trapezoid(i))


@pytest.mark.parametrize('dtype', [np.float64, np.float32, np.int32, np.complex128])
def test_convolve(rng, dtype):
    a = random_array(rng, (37,), dtype)
    v = random_array(rng, (6,), dtype)
    rtol = 1e-5 if dtype == np.float32 else 1e-10
    for mode in ('full', 'same', 'valid'):
        compare(cp.convolve(cp.asarray(a), cp.asarray(v), mode=mode),
                np.convolve(a, v, mode=mode), rtol=rtol, atol=1e-4)
        # the longer one may come second
        compare(cp.convolve(cp.asarray(v), cp.asarray(a[::2]), mode=mode),
                np.convolve(v, a[::2], mode=mode), rtol=rtol, atol=1e-4)


def test_convolve_errors():
    with pytest.raises(ValueError, match='cannot be empty'):
        cp.convolve(cp.ones(3), cp.zeros(0))
    with pytest.raises(ValueError):
        cp.convolve(cp.ones(3), cp.ones(2), mode='middle')
    with pytest.raises(ValueError):
        cp.convolve(cp.ones((2, 2)), cp.ones(2))


def test_interp(rng):
    xp = np.sort(rng.uniform(-5, 5, 20))
    fp = rng.standard_normal(20)
    x = rng.uniform(-7, 7, (3, 50))
    d = cp.asarray(x)
    dxp, dfp = cp.asarray(xp), cp.asarray(fp)
    compare(cp.interp(d, dxp, dfp), np.interp(x, xp, fp))
    compare(cp.interp(d, dxp, dfp, left=-10.0, right=10.0),
            np.interp(x, xp, fp, left=-10.0, right=10.0))
    # exactly on the sample points, and a strided query
    compare(cp.interp(dxp[::3], dxp, dfp), np.interp(xp[::3], xp, fp))
    fc = fp + 1j * rng.standard_normal(20)
    compare(cp.interp(d, dxp, cp.asarray(fc)), np.interp(x, xp, fc))
    ang = rng.uniform(0, 360, 8)
    val = rng.standard_normal(8)
    q = rng.uniform(-400, 400, 30)
    compare(cp.interp(cp.asarray(q), cp.asarray(ang), cp.asarray(val), period=360),
            np.interp(q, ang, val, period=360))
    xi = rng.integers(-5, 5, 9)
    compare(cp.interp(cp.asarray(xi), dxp, dfp), np.interp(xi, xp, fp))
    with pytest.raises(ValueError, match='same length'):
        cp.interp(d, dxp, dfp[:5])
    with pytest.raises(ValueError, match='empty'):
        cp.interp(d, cp.zeros(0), cp.zeros(0))
    with pytest.raises(ValueError, match='period'):
        cp.interp(d, dxp, dfp, period=0)
