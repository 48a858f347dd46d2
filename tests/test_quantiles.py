"""median, percentile and quantile against NumPy on random inputs: every
method, several axes (int, tuple, None), keepdims, out, q as a Python
scalar, a NumPy scalar, a list, a 2-D array and a device array, NaNs,
non-contiguous views; the same result dtypes and the same values bit for
bit. Through NumPy ('library', host backend only) and the device kernels
('kernels'), as in test_sorting.py."""
import warnings

import numpy as np
import pytest

import gpuarray as cp
from gpuarray import _radix
from conftest import BACKEND, random_array

pytestmark = pytest.mark.device

METHODS = ['inverted_cdf', 'averaged_inverted_cdf', 'closest_observation',
           'interpolated_inverted_cdf', 'hazen', 'weibull', 'linear', 'median_unbiased',
           'normal_unbiased', 'lower', 'higher', 'midpoint', 'nearest']


@pytest.fixture(params=['library', 'kernels'])
def path(request, monkeypatch):
    if request.param == 'library' and BACKEND != 'host':
        pytest.skip('the NumPy path exists on the host backend only')
    monkeypatch.setattr(_radix, 'FORCE_DEVICE', request.param == 'kernels')
    return request.param


def values(rng, shape, dtype, nan=False):
    h = (rng.standard_normal(shape) * 40).astype(dtype)
    if nan:
        h.reshape(-1)[rng.integers(0, h.size, 2)] = np.nan
    return h


def same(got, want):
    assert isinstance(got, cp.ndarray), type(got)
    g = got.get()
    want = np.asarray(want)
    assert g.dtype == want.dtype and g.shape == want.shape, (g.dtype, want.dtype, g.shape,
                                                            want.shape)
    np.testing.assert_array_equal(g, want)


@pytest.mark.parametrize('dtype', [np.bool_, np.int8, np.uint32, np.int64, np.float16, np.float32,
                                   np.float64, np.complex64], ids=lambda d: np.dtype(d).name)
def test_median(path, rng, dtype):
    if np.dtype(dtype).kind == 'b':
        h = rng.random((4, 5, 6)) < 0.5
    elif np.dtype(dtype).kind == 'c':
        h = (rng.integers(-5, 5, (4, 5, 6)) + 1j * rng.integers(-5, 5, (4, 5, 6))).astype(dtype)
    else:
        h = values(rng, (4, 5, 6), dtype, nan=np.dtype(dtype).kind == 'f')
    d = cp.asarray(h)
    for axis in (None, 0, 1, -1, (0, 2)):
        same(cp.median(d, axis=axis), np.median(h, axis=axis))
        same(cp.median(d, axis=axis, keepdims=True), np.median(h, axis=axis, keepdims=True))
    same(cp.median(d[::2, :, ::-2], axis=1), np.median(h[::2, :, ::-2], axis=1))


@pytest.mark.parametrize('method', METHODS)
def test_quantile_methods(path, rng, method):
    h = values(rng, (5, 8), np.float64, nan=True)
    h[0] = values(rng, 8, np.float64)    # a row without NaN
    d = cp.asarray(h)
    for q in (0.0, 0.3, 0.5, 1.0, [0.1, 0.62, 0.999]):
        for axis in (None, 1, 0):
            same(cp.quantile(d, q, axis=axis, method=method),
                 np.quantile(h, q, axis=axis, method=method))
    same(cp.percentile(d[1:], [12.5, 90], axis=1, method=method, keepdims=True),
         np.percentile(h[1:], [12.5, 90], axis=1, method=method, keepdims=True))


@pytest.mark.parametrize('dtype', [np.int16, np.uint8, np.float16, np.float32],
                         ids=lambda d: np.dtype(d).name)
def test_quantile_dtypes(path, rng, dtype):
    """The result dtype follows NumPy: q's kind and whether it is a Python
    scalar (weak) decide it as much as the data's dtype."""
    h = values(rng, (6, 7), dtype, nan=np.dtype(dtype).kind == 'f')
    h[:, 0] = h[:, 1] if np.dtype(dtype).kind == 'f' else h[:, 0]
    d = cp.asarray(h)
    for q in (0.25, np.float32(0.7), np.array([0.2, 0.5]), [[0.1, 0.9]], 0, 1):
        for method in ('linear', 'lower', 'hazen', 'midpoint'):
            same(cp.quantile(d, q, axis=0, method=method),
                 np.quantile(h, q, axis=0, method=method))
    same(cp.percentile(d, 40, method='nearest'), np.percentile(h, 40, method='nearest'))
    same(cp.percentile(d, np.float32(40)), np.percentile(h, np.float32(40)))


def test_quantile_device_q_out_and_axes(path, rng):
    h = values(rng, (3, 4, 5), np.float32)
    d = cp.asarray(h)
    q = np.array([0.0, 0.5, 0.75])
    same(cp.quantile(d, cp.asarray(q), axis=(0, 2)), np.quantile(h, q, axis=(0, 2)))
    same(cp.percentile(d, cp.asarray(q * 100), axis=-1), np.percentile(h, q * 100, axis=-1))
    out = cp.empty((3, 3, 4), np.float64)
    r = cp.quantile(d, q, axis=2, out=out)
    assert r is out
    same(out, np.quantile(h, q, axis=2))
    out = cp.empty((5,), np.float32)
    assert cp.median(d, axis=(0, 1), out=out) is out
    same(out, np.median(h, axis=(0, 1)))
    same(cp.quantile(cp.asarray(np.float64(2.5)), 0.3), np.quantile(np.float64(2.5), 0.3))
    same(cp.median(cp.asarray(np.zeros((0, 3))), axis=1), np.median(np.zeros((0, 3)), axis=1))


def test_large_rows(rng, monkeypatch):
    monkeypatch.setattr(_radix, 'FORCE_DEVICE', True)
    h = values(rng, (3, 4001), np.float32)
    d = cp.asarray(h)
    same(cp.median(d, axis=1), np.median(h, axis=1))
    same(cp.quantile(d, [0.01, 0.5, 0.99], axis=1), np.quantile(h, [0.01, 0.5, 0.99], axis=1))


@pytest.mark.filterwarnings('ignore:invalid value encountered:RuntimeWarning')
def test_errors(path):
    d = cp.asarray(np.arange(10.0))
    with pytest.raises(ValueError, match=r'Quantiles must be in the range \[0, 1\]'):
        cp.quantile(d, 1.5)
    with pytest.raises(ValueError, match=r'Quantiles must be in the range \[0, 1\]'):
        cp.quantile(d, cp.asarray(np.array([0.5, -0.1])))
    with pytest.raises(ValueError, match=r'Percentiles must be in the range \[0, 100\]'):
        cp.percentile(d, [50, 101])
    with pytest.raises(ValueError, match='is not a valid method'):
        cp.quantile(d, 0.5, method='bogus')
    with pytest.raises(TypeError, match='real numbers'):
        cp.quantile(cp.asarray(np.ones(3, np.complex64)), 0.5)
    with pytest.raises(TypeError):
        cp.quantile(cp.asarray(np.ones(3, np.bool_)), 0.5)
    with pytest.raises(NotImplementedError, match='weights'):
        cp.quantile(d, 0.5, method='inverted_cdf', weights=d)
    with pytest.raises(IndexError):
        cp.percentile(cp.asarray(np.zeros(0)), 50)
    with pytest.warns(DeprecationWarning, match='interpolation'):
        same(cp.quantile(d, 0.3, interpolation='lower'), np.quantile(np.arange(10.0), 0.3,
                                                                     method='lower'))
    with pytest.raises(TypeError, match='shall not pass'):
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', DeprecationWarning)
            cp.quantile(d, 0.3, method='lower', interpolation='lower')
    with pytest.warns(RuntimeWarning, match='Mean of empty slice'):
        cp.median(cp.asarray(np.zeros(0)))


@pytest.mark.parametrize('dtype', [np.float32, np.float64, np.float16, np.int32])
def test_nanmedian(rng, path, dtype):
    x = random_array(rng, (6, 7, 5), dtype)
    if np.dtype(dtype).kind == 'f':
        x[rng.random(x.shape) < 0.3] = np.nan
        x[2, :, 1] = np.nan          # an all-NaN slice along axis 1
    d = cp.asarray(x)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', RuntimeWarning)
        for axis in (None, 0, 1, -1, (0, 2)):
            for keepdims in (False, True):
                want = np.nanmedian(x, axis=axis, keepdims=keepdims)
                got = cp.nanmedian(d, axis=axis, keepdims=keepdims)
                assert got.dtype == want.dtype and got.shape == want.shape
                np.testing.assert_allclose(got.get(), want, rtol=1e-3 if dtype == np.float16
                                           else 1e-6, equal_nan=True)
        out = cp.empty((6, 5), np.nanmedian(x, axis=1).dtype)
        assert cp.nanmedian(d, axis=1, out=out) is out
    if np.dtype(dtype).kind == 'f':
        with pytest.warns(RuntimeWarning, match='All-NaN'):
            cp.nanmedian(d, axis=1)
