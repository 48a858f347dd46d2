"""Cumulative operations on the device: cumsum, cumprod, nancumsum,
nancumprod, cumulative_sum, cumulative_prod and the ndarray methods,
against NumPy on seeded random inputs of every dtype family, 0-d, empty,
strided and transposed views, out= and dtype=; and every kernel path of
gpuarray._scan (the look-back tile scan with one thread and with warps,
the column scan, the serial scan) forced on whichever backend runs."""
import numpy as np
import pytest

import gpuarray as cp
from gpuarray import _scan

from conftest import random_array

pytestmark = pytest.mark.device

DTYPES = [np.bool_, np.int8, np.uint16, np.int32, np.int64, np.uint64, np.float16, np.float32,
          np.float64, np.complex64, np.complex128]

PATHS = [(None, None), ('tile', (1, 4)), ('tile', (32, 2)), ('tile', (64, 4)), ('column', None),
         ('serial', None)]


@pytest.fixture
def path(request):
    """Force a kernel path of gpuarray._scan for one test."""
    _scan.force_path, _scan.force_tile = request.param
    yield request.param
    _scan.force_path, _scan.force_tile = None, None


def scan_input(rng, shape, dtype, prod=False):
    """Random values; for products values near 1 (no overflow to inf)."""
    dtype = np.dtype(dtype)
    if prod and dtype.kind in 'fc':
        x = rng.uniform(0.7, 1.3, shape)
        if dtype.kind == 'c':
            x = x * np.exp(1j * rng.uniform(-0.3, 0.3, shape))
        return x.astype(dtype)
    if dtype.kind in 'iu' and dtype.itemsize <= 2:
        return random_array(rng, shape, dtype)
    return random_array(rng, shape, dtype)


def compare(got, expected, n=1):
    expected = np.asarray(expected)
    assert isinstance(got, cp.ndarray)
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    h = got.get()
    if expected.dtype.kind in 'fc':
        eps = np.finfo(expected.dtype).eps
        finite = np.abs(expected[np.isfinite(expected)])
        scale = finite.max() if finite.size else 0
        np.testing.assert_allclose(h, expected, rtol=50 * eps * max(n, 1) ** 0.5 + eps * 8,
                                   atol=float(scale) * eps * 8 * max(n, 1) ** 0.5,
                                   equal_nan=True)
    else:
        np.testing.assert_array_equal(h, expected)


@pytest.mark.parametrize('dtype', DTYPES)
def test_cumsum_dtypes(rng, dtype):
    x = scan_input(rng, (1100,), dtype)
    compare(cp.cumsum(cp.asarray(x)), np.cumsum(x), x.size)
    y = scan_input(rng, (3, 70), dtype, prod=True)
    compare(cp.cumprod(cp.asarray(y), axis=1), np.cumprod(y, axis=1), 70)


@pytest.mark.parametrize('path', PATHS, indirect=True)
@pytest.mark.parametrize('dtype', [np.int16, np.float32, np.complex128])
def test_paths(rng, path, dtype):
    for shape, axis in [((1000,), 0), ((5, 333), 1), ((333, 5), 0), ((4, 150, 3), 1),
                        ((2, 3, 200), -1), ((130, 7), 0)]:
        x = scan_input(rng, shape, dtype)
        compare(cp.cumsum(cp.asarray(x), axis=axis), np.cumsum(x, axis=axis), shape[axis])
    x = scan_input(rng, (9, 400), dtype, prod=True)
    d = cp.asarray(x)
    compare(cp.cumprod(d[:, ::-3], axis=1), np.cumprod(x[:, ::-3], axis=1), 134)
    compare(cp.cumsum(d.T, axis=0), np.cumsum(x.T, axis=0), 400)
    compare(cp.cumsum(d.T, axis=1), np.cumsum(x.T, axis=1), 9)


@pytest.mark.parametrize('path', [(None, None), ('tile', (32, 2))], indirect=True)
def test_maximum_accumulate_paths(rng, path):
    x = random_array(rng, (6, 500), np.float64)
    x[2, 17] = np.nan
    for axis in (0, 1):
        compare(cp.maximum.accumulate(cp.asarray(x), axis=axis),
                np.maximum.accumulate(x, axis=axis))
    b = rng.random((700,)) < 0.01
    compare(cp.logical_or.accumulate(cp.asarray(b)), np.logical_or.accumulate(b))


def test_shapes_zero_d_empty(rng):
    x = np.float32(2.5)
    compare(cp.cumsum(cp.asarray(x)), np.cumsum(x))
    for shape, axis in [((0,), None), ((0,), 0), ((3, 0), 1), ((3, 0), 0), ((0, 4), 0),
                        ((2, 3, 4), None), ((1, 1), 0)]:
        x = random_array(rng, shape, np.int32)
        compare(cp.cumsum(cp.asarray(x), axis=axis), np.cumsum(x, axis=axis))
        compare(cp.cumprod(cp.asarray(x), axis=axis), np.cumprod(x, axis=axis))


def test_dtype_and_out(rng):
    x = random_array(rng, (4, 300), np.int8)
    d = cp.asarray(x)
    compare(cp.cumsum(d, axis=1, dtype=np.int8), np.cumsum(x, axis=1, dtype=np.int8))
    compare(cp.cumsum(d, axis=0, dtype=np.float32), np.cumsum(x, axis=0, dtype=np.float32))
    # out of another dtype (the accumulation is then in out's dtype, as NumPy)
    for odt in (np.int16, np.int8, np.float64):
        out = cp.zeros((4, 300), odt)
        r = cp.cumsum(d, axis=1, out=out)
        assert r is out
        o = np.zeros((4, 300), odt)
        np.cumsum(x, axis=1, out=o)
        compare(out, o)
    # a strided out, and in place
    big = cp.zeros((4, 600), np.int64)
    r = cp.cumsum(d, axis=1, out=big[:, ::2])
    compare(big[:, ::2], np.cumsum(x, axis=1))
    compare(big[:, 1::2], np.zeros((4, 300), np.int64))
    f = random_array(rng, (2000,), np.float64)
    g = cp.asarray(f)
    r = cp.cumsum(g, out=g)
    assert r is g
    compare(g, np.cumsum(f), 2000)
    # an out that overlaps the input shifted by one is read before written
    f = random_array(rng, (500,), np.float64)
    g = cp.asarray(np.concatenate([f, [0.0]]))
    cp.cumsum(g[:-1], out=g[1:])
    compare(g[1:], np.cumsum(f), 500)


def test_nan_scans(rng):
    for dt in (np.float16, np.float32, np.complex64):
        x = scan_input(rng, (5, 80), dt, prod=True)
        x[rng.random(x.shape) < 0.2] = np.nan
        compare(cp.nancumsum(cp.asarray(x), axis=1), np.nancumsum(x, axis=1), 80)
        compare(cp.nancumprod(cp.asarray(x), axis=0), np.nancumprod(x, axis=0), 5)
        compare(cp.nancumsum(cp.asarray(x)), np.nancumsum(x), 400)
    i = random_array(rng, (50,), np.int32)
    compare(cp.nancumsum(cp.asarray(i)), np.nancumsum(i))


def test_array_api_cumulative(rng):
    x = random_array(rng, (3, 90), np.float32)
    d = cp.asarray(x)
    for axis in (0, 1, -1):
        for inc in (False, True):
            compare(cp.cumulative_sum(d, axis=axis, include_initial=inc),
                    np.cumulative_sum(x, axis=axis, include_initial=inc), 90)
    y = scan_input(rng, (40,), np.int16)
    compare(cp.cumulative_prod(cp.asarray(y), include_initial=True),
            np.cumulative_prod(y, include_initial=True))
    compare(cp.cumulative_sum(cp.asarray(y), dtype=np.int8),
            np.cumulative_sum(y, dtype=np.int8))
    e = np.zeros((0,), np.float64)
    compare(cp.cumulative_sum(cp.asarray(e), include_initial=True),
            np.cumulative_sum(e, include_initial=True))
    compare(cp.cumulative_sum(cp.asarray(np.float64(3.0))), np.cumulative_sum(np.float64(3.0)))
    with pytest.raises(ValueError):
        cp.cumulative_sum(d)


def test_methods(rng):
    x = random_array(rng, (6, 7), np.uint8)
    d = cp.asarray(x)
    compare(d.cumsum(), x.cumsum())
    compare(d.cumsum(axis=0, dtype=np.uint8), x.cumsum(axis=0, dtype=np.uint8))
    compare(d.cumprod(1), x.cumprod(1))


def test_errors(rng):
    d = cp.asarray(random_array(rng, (3, 4), np.float32))
    with pytest.raises(np.exceptions.AxisError):
        cp.cumsum(d, axis=2)
    with pytest.raises(TypeError):
        cp.cumsum(np.ones(3))
    with pytest.raises(ValueError):
        cp.cumsum(d, axis=1, out=cp.zeros((3, 5), np.float32))
    with pytest.raises(TypeError):
        cp.cumsum(d, axis=1, out=np.zeros((3, 4), np.float32))
    with pytest.raises(TypeError):
        cp.cumsum(d, axis=1.5)
