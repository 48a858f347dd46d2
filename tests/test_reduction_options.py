"""NumPy's initial= and where= of the reductions, and var/std's mean= and
correction= (the Array API's ddof), against NumPy on random inputs."""
import warnings

import numpy as np
import pytest

import gpuarray as cp
from conftest import random_array

pytestmark = pytest.mark.device


def same(got, want, rtol=1e-6):
    assert isinstance(got, cp.ndarray)
    want = np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype, (got.shape, got.dtype, want.dtype)
    np.testing.assert_allclose(got.get(), want, rtol=rtol, equal_nan=True)


@pytest.mark.parametrize('dtype', [np.float64, np.float32, np.int16], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize('axis', [None, 0, 1, (0, 2)], ids=str)
def test_where_and_initial(rng, dtype, axis):
    h = random_array(rng, (4, 5, 3), dtype) // (1 if np.dtype(dtype).kind == 'f' else 300)
    m = rng.random((5, 3)) < 0.6          # broadcasts against h
    g, gm = cp.asarray(h), cp.asarray(m)
    rtol = 1e-4 if dtype == np.float32 else 1e-9
    same(cp.sum(g, axis=axis, where=gm), np.sum(h, axis=axis, where=m), rtol)
    same(cp.sum(g, axis=axis, initial=3, keepdims=True), np.sum(h, axis=axis, initial=3,
                                                                  keepdims=True), rtol)
    same(cp.max(g, axis=axis, where=gm, initial=-7), np.max(h, axis=axis, where=m, initial=-7))
    same(cp.min(g, axis=axis, initial=0), np.min(h, axis=axis, initial=0))
    same(cp.any(g > 0, axis=axis, where=gm), np.any(h > 0, axis=axis, where=m))
    same(cp.all(g > -50, axis=axis, where=gm), np.all(h > -50, axis=axis, where=m))
    if np.dtype(dtype).kind == 'f':
        # NumPy's own warnings (float32 products that overflow, slices the
        # mask empties) are not what this test checks
        with np.errstate(all='ignore'), warnings.catch_warnings():
            warnings.simplefilter('ignore', RuntimeWarning)
            same(cp.prod(g, axis=axis, where=gm), np.prod(h, axis=axis, where=m), rtol)
            same(cp.mean(g, axis=axis, where=gm), np.mean(h, axis=axis, where=m), rtol)
            same(cp.var(g, axis=axis, where=gm, ddof=1), np.var(h, axis=axis, where=m, ddof=1),
                 rtol * 10)
            same(g.std(axis=axis, where=gm), h.std(axis=axis, where=m), rtol * 10)


def test_initial_of_an_empty_max_and_out(rng):
    same(cp.max(cp.zeros((0, 3)), axis=0, initial=2.5), np.max(np.zeros((0, 3)), axis=0, initial=2.5))
    h = rng.standard_normal((6, 2))
    o = cp.empty(2)
    r = cp.sum(cp.asarray(h), axis=0, initial=1.0, out=o)
    assert r is o
    same(o, np.sum(h, axis=0, initial=1.0))


def test_var_std_mean_and_correction(rng):
    h = rng.standard_normal((5, 7)) + 1j * rng.standard_normal((5, 7))
    g = cp.asarray(h)
    mu = np.mean(h, axis=1, keepdims=True)
    same(cp.var(g, axis=1, mean=cp.asarray(mu)), np.var(h, axis=1, mean=mu), 1e-9)
    same(cp.std(g, axis=0, correction=1), np.std(h, axis=0, correction=1), 1e-9)
    with pytest.raises(ValueError, match='ddof and correction'):
        cp.var(g, ddof=1, correction=1)


def test_bad_where_and_initial():
    g = cp.arange(6.0).reshape(2, 3)
    with pytest.raises(ValueError, match="specify 'initial'"):
        cp.max(g, where=g > 1)
    with pytest.raises(TypeError, match='host NumPy array'):
        cp.sum(g, where=np.ones((2, 3), bool))
    with pytest.raises(ValueError, match='broadcast'):
        cp.sum(g, where=cp.ones(4, dtype=bool))


def test_nan_functions_take_where_initial_mean_correction(rng):
    h = rng.standard_normal((5, 6))
    h[rng.random((5, 6)) < 0.2] = np.nan
    m = rng.random((5, 6)) < 0.7
    g, gm = cp.asarray(h), cp.asarray(m)
    with np.errstate(invalid='ignore', divide='ignore'), warnings.catch_warnings():
        warnings.simplefilter('ignore', RuntimeWarning)   # NumPy's all-NaN slice warnings
        same(cp.nansum(g, axis=0, where=gm, initial=1), np.nansum(h, axis=0, where=m, initial=1))
        same(cp.nanprod(g, axis=1, where=gm), np.nanprod(h, axis=1, where=m))
        same(cp.nanmax(g, axis=1, initial=-9), np.nanmax(h, axis=1, initial=-9))
        same(cp.nanmin(g, axis=0, where=gm, initial=9), np.nanmin(h, axis=0, where=m, initial=9))
        same(cp.nanmean(g, axis=1, where=gm), np.nanmean(h, axis=1, where=m))
        same(cp.nanvar(g, axis=0, where=gm, ddof=1), np.nanvar(h, axis=0, where=m, ddof=1))
        mu = np.nanmean(h, axis=1, keepdims=True)
        same(cp.nanstd(g, axis=1, mean=cp.asarray(mu), correction=1),
             np.nanstd(h, axis=1, mean=mu, correction=1))



@pytest.mark.parametrize('fname', ['sum', 'prod'])
def test_complex_input_to_a_real_dtype_drops_the_imaginary_part(rng, fname):
    h = rng.standard_normal((4, 3)) + 1j * rng.standard_normal((4, 3))
    g = cp.asarray(h)
    for dt in (np.float64, np.float32, np.int64):
        for axis in (None, 1):
            with pytest.warns(np.exceptions.ComplexWarning):
                got = getattr(cp, fname)(g, axis=axis, dtype=dt)
            with warnings.catch_warnings():
                warnings.simplefilter('ignore', np.exceptions.ComplexWarning)
                want = getattr(np, fname)(h, axis=axis, dtype=dt)
            same(got, want, 1e-5)
