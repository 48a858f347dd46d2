"""The NaN-ignoring reductions and nan_to_num on the device, against NumPy
on seeded random inputs with NaNs (and integers, which have none), axes,
keepdims, dtype=, out=, ddof, 0-d, empty, strided views, all-NaN slices
(NumPy's RuntimeWarnings and ValueErrors)."""
import warnings

import numpy as np
import pytest

import gpuarray as cp

from conftest import random_array

pytestmark = pytest.mark.device

FUNCS = ['nansum', 'nanprod', 'nanmean', 'nanvar', 'nanstd', 'nanmin', 'nanmax', 'nanargmin',
         'nanargmax']


def with_nans(rng, shape, dtype, frac=0.2):
    x = random_array(rng, shape, dtype)
    if np.dtype(dtype).kind in 'fc':
        x = (x / 100).astype(dtype)
        x[rng.random(shape) < frac] = np.nan
    return x


def compare(got, expected):
    expected = np.asarray(expected)
    assert isinstance(got, cp.ndarray)
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    if expected.dtype.kind in 'fc':
        tol = {2: 1e-2, 4: 1e-5, 8: 1e-12}[np.finfo(expected.dtype).bits // 8]
        np.testing.assert_allclose(got.get(), expected, rtol=tol, atol=tol, equal_nan=True)
    else:
        np.testing.assert_array_equal(got.get(), expected)


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', RuntimeWarning)
        return fn(*args, **kwargs)


# every function on a float type and on complex64 or an integer type, the
# float types rotating (kernels compile per dtype and layout: few of them)
_FLOATS = [np.float32, np.float64, np.float16]
CASES = [(name, _FLOATS[k % 3]) for k, name in enumerate(FUNCS)] + \
    [(name, np.complex64 if k % 2 else (np.int16, np.uint8)[k % 4 // 2])
     for k, name in enumerate(FUNCS)]


@pytest.mark.parametrize('name,dtype', CASES)
def test_nan_reductions(rng, name, dtype):
    x = with_nans(rng, (4, 6, 5), dtype)
    if name == 'nanprod':
        x = np.where(np.isnan(x), x, 1 + x / 10).astype(dtype) if x.dtype.kind in 'fc' else \
            (x % 3).astype(dtype)
    if name in ('nanargmin', 'nanargmax') and x.dtype.kind in 'fc':
        x[:, 0, :] = 0.5        # no all-NaN slice along any axis
    d = cp.asarray(x)
    axes = (None, 1) if name.startswith('nanarg') else (None, 0, (0, 2))
    for axis in axes:
        compare(quiet(getattr(cp, name), d, axis=axis), quiet(getattr(np, name), x, axis=axis))
        compare(quiet(getattr(cp, name), d, axis=axis, keepdims=True),
                quiet(getattr(np, name), x, axis=axis, keepdims=True))
    compare(quiet(getattr(cp, name), d[::2, :, ::-2], axis=1),
            quiet(getattr(np, name), x[::2, :, ::-2], axis=1))


def test_all_nan_slices(rng):
    x = with_nans(rng, (3, 4), np.float32)
    x[1] = np.nan
    d = cp.asarray(x)
    for name in ('nanmin', 'nanmax', 'nanmean', 'nanvar', 'nanstd'):
        with pytest.warns(RuntimeWarning):
            r = getattr(cp, name)(d, axis=1)
        compare(r, quiet(getattr(np, name), x, axis=1))
    compare(cp.nansum(d, axis=1), np.nansum(x, axis=1))
    for name in ('nanargmin', 'nanargmax'):
        with pytest.raises(ValueError, match='All-NaN slice encountered'):
            getattr(cp, name)(d, axis=1)
        compare(getattr(cp, name)(d, axis=0), getattr(np, name)(x, axis=0))
    with pytest.warns(RuntimeWarning, match='Degrees of freedom'):
        cp.nanvar(cp.asarray(np.array([1.0, np.nan])), ddof=1)


def test_ddof_dtype_out_edge(rng):
    x = with_nans(rng, (5, 7), np.float64)
    d = cp.asarray(x)
    for ddof in (0, 1, 2):
        compare(cp.nanvar(d, axis=0, ddof=ddof), quiet(np.nanvar, x, axis=0, ddof=ddof))
        compare(cp.nanstd(d, ddof=ddof), np.nanstd(x, ddof=ddof))
    compare(cp.nansum(d, axis=1, dtype=np.float32), np.nansum(x, axis=1, dtype=np.float32))
    compare(cp.nanmean(d, axis=0, dtype=np.float32), np.nanmean(x, axis=0, dtype=np.float32))
    out = cp.zeros((7,))
    r = cp.nanmean(d, axis=0, out=out)
    assert r is out
    compare(out, np.nanmean(x, axis=0))
    out = cp.zeros((5,))
    cp.nanmax(d, axis=1, out=out)
    compare(out, np.nanmax(x, axis=1))
    compare(cp.nansum(cp.asarray(np.float32(np.nan))), np.nansum(np.float32(np.nan)))
    e = np.zeros((0, 3))
    compare(cp.nansum(cp.asarray(e), axis=0), np.nansum(e, axis=0))
    compare(quiet(cp.nanmean, cp.asarray(e), axis=0), quiet(np.nanmean, e, axis=0))
    with pytest.raises(ValueError):
        cp.nanmin(cp.asarray(e), axis=0)
    with pytest.raises(ValueError):
        cp.nanargmin(cp.asarray(e))
    with pytest.raises(np.exceptions.AxisError):
        cp.nansum(d, axis=2)
    with pytest.raises(TypeError):
        cp.nanmax(np.ones(3))


@pytest.mark.parametrize('dtype', [np.float16, np.float32, np.float64, np.complex64,
                                   np.complex128, np.int32, np.bool_])
def test_nan_to_num(rng, dtype):
    x = random_array(rng, (20,), dtype)
    if np.dtype(dtype).kind == 'f':
        x[:4] = [np.nan, np.inf, -np.inf, -0.0]
    if np.dtype(dtype).kind == 'c':
        x[:4] = [complex(np.nan, 1), complex(np.inf, np.nan), complex(-np.inf, 2), 1j * np.inf]
    d = cp.asarray(x)
    compare(cp.nan_to_num(d), np.nan_to_num(x))
    compare(cp.nan_to_num(d, nan=-1.0, posinf=7, neginf=-7),
            np.nan_to_num(x, nan=-1.0, posinf=7, neginf=-7))
    compare(cp.nan_to_num(d[::3]), np.nan_to_num(x[::3]))
    r = cp.nan_to_num(d, copy=False)
    assert r is d
    compare(d, np.nan_to_num(x))
    compare(cp.nan_to_num(cp.asarray(np.float64(np.nan))), np.nan_to_num(np.float64(np.nan)))
