"""Statistics on the device - ptp, average, cov, corrcoef, histogram,
histogram2d, bincount, digitize - against NumPy on seeded random inputs:
axes, weights, ranges, edge arrays, empty and 0-d inputs, and NumPy's
errors."""
import warnings

import numpy as np
import pytest

import gpuarray as cp

from conftest import assert_matches_numpy as compare, random_array

pytestmark = pytest.mark.device


@pytest.mark.parametrize('dtype', [np.int16, np.uint8, np.float32, np.float64])
def test_ptp(rng, dtype):
    x = random_array(rng, (6, 7), dtype)
    d = cp.asarray(x)
    compare(cp.ptp(d), np.ptp(x))
    compare(cp.ptp(d, axis=0), np.ptp(x, axis=0))
    compare(cp.ptp(d[:, ::2], axis=1, keepdims=True), np.ptp(x[:, ::2], axis=1, keepdims=True))
    compare(d.ptp(axis=(0, 1)), np.ptp(x, axis=(0, 1)))
    out = cp.empty((7,), dtype)
    assert cp.ptp(d, axis=0, out=out) is out
    compare(out, np.ptp(x, axis=0))


def test_average(rng):
    x = rng.standard_normal((4, 5, 3))
    w = rng.uniform(0.1, 2.0, (4, 5, 3))
    w1 = rng.uniform(0.1, 2.0, 5)
    d, dw, dw1 = cp.asarray(x), cp.asarray(w), cp.asarray(w1)
    compare(cp.average(d), np.average(x))
    compare(cp.average(d, axis=1), np.average(x, axis=1))
    compare(cp.average(d, weights=dw), np.average(x, weights=w))
    compare(cp.average(d, axis=(0, 2), weights=dw), np.average(x, axis=(0, 2), weights=w))
    compare(cp.average(d, axis=1, weights=dw1), np.average(x, axis=1, weights=w1))
    compare(cp.average(d, axis=1, weights=dw1, keepdims=True),
            np.average(x, axis=1, weights=w1, keepdims=True))
    avg, s = cp.average(d, axis=0, weights=dw, returned=True)
    e_avg, e_s = np.average(x, axis=0, weights=w, returned=True)
    compare(avg, e_avg)
    compare(s, e_s)
    avg, s = cp.average(d, axis=2, returned=True)
    e_avg, e_s = np.average(x, axis=2, returned=True)
    compare(avg, e_avg)
    compare(s, e_s)
    # integers average in float64, as NumPy's
    i = rng.integers(-50, 50, (6, 4)).astype(np.int32)
    iw = rng.integers(1, 5, (6, 4)).astype(np.int64)
    compare(cp.average(cp.asarray(i), axis=0, weights=cp.asarray(iw)),
            np.average(i, axis=0, weights=iw))
    with pytest.raises(TypeError, match='Axis must be specified'):
        cp.average(d, weights=dw1)
    with pytest.raises(ValueError, match='Shape of weights'):
        cp.average(d, axis=0, weights=dw1)
    with pytest.raises(ZeroDivisionError, match='Weights sum to zero'):
        cp.average(d, axis=1, weights=cp.zeros(5))


@pytest.mark.parametrize('rowvar', [True, False])
def test_cov_and_corrcoef(rng, rowvar):
    x = rng.standard_normal((3, 20))
    y = rng.standard_normal((2, 20))
    if not rowvar:
        x, y = x.T.copy(), y.T.copy()
    d, dy = cp.asarray(x), cp.asarray(y)
    compare(cp.cov(d, rowvar=rowvar), np.cov(x, rowvar=rowvar))
    compare(cp.cov(d, dy, rowvar=rowvar), np.cov(x, y, rowvar=rowvar))
    compare(cp.cov(d, rowvar=rowvar, bias=True), np.cov(x, rowvar=rowvar, bias=True))
    compare(cp.cov(d, rowvar=rowvar, ddof=3), np.cov(x, rowvar=rowvar, ddof=3))
    compare(cp.corrcoef(d, rowvar=rowvar), np.corrcoef(x, rowvar=rowvar))
    compare(cp.corrcoef(d, dy, rowvar=rowvar), np.corrcoef(x, y, rowvar=rowvar))


def test_cov_weights_dtypes_and_errors(rng):
    x = rng.standard_normal((3, 12))
    fw = rng.integers(1, 4, 12)
    aw = rng.uniform(0.2, 1.5, 12)
    d = cp.asarray(x)
    compare(cp.cov(d, fweights=cp.asarray(fw)), np.cov(x, fweights=fw))
    compare(cp.cov(d, aweights=cp.asarray(aw)), np.cov(x, aweights=aw))
    compare(cp.cov(d, fweights=cp.asarray(fw), aweights=cp.asarray(aw)),
            np.cov(x, fweights=fw, aweights=aw))
    compare(cp.cov(d, aweights=cp.asarray(aw), ddof=0), np.cov(x, aweights=aw, ddof=0))
    # one variable: a 0-d result; float32 in, float32 out with dtype=
    v = rng.standard_normal(15)
    compare(cp.cov(cp.asarray(v)), np.cov(v))
    compare(cp.cov(d.astype(np.float32), dtype=np.float32), np.cov(x.astype(np.float32),
                                                                   dtype=np.float32),
            rtol=1e-5, atol=1e-6)
    c = (rng.standard_normal((2, 9)) + 1j * rng.standard_normal((2, 9)))
    compare(cp.cov(cp.asarray(c)), np.cov(c))
    compare(cp.corrcoef(cp.asarray(c)), np.corrcoef(c))
    i = rng.integers(-9, 9, (2, 10)).astype(np.int8)
    compare(cp.cov(cp.asarray(i)), np.cov(i))
    with pytest.raises(ValueError, match='more than 2 dimensions'):
        cp.cov(cp.zeros((2, 2, 2)))
    with pytest.raises(TypeError, match='fweights must be integer'):
        cp.cov(d, fweights=cp.asarray(aw))
    with pytest.raises(ValueError, match='fweights cannot be negative'):
        cp.cov(d, fweights=cp.asarray(-fw))
    with pytest.raises(RuntimeError, match='incompatible numbers of samples'):
        cp.cov(d, aweights=cp.ones(5))
    with pytest.raises(ValueError, match='ddof must be integer'):
        cp.cov(d, ddof=1.5)
    with pytest.warns(RuntimeWarning, match='Degrees of freedom'):
        cp.cov(cp.asarray(x[:, :1]))


@pytest.mark.parametrize('dtype', [np.float32, np.float64, np.int32, np.uint8])
def test_histogram_equal_bins(rng, dtype):
    x = random_array(rng, (1000,), dtype)
    d = cp.asarray(x)
    for bins in (10, 7, 1):
        n, e = cp.histogram(d, bins=bins)
        en, ee = np.histogram(x, bins=bins)
        compare(n, en)
        compare(e, ee)
    lo, hi = float(np.percentile(x, 20)), float(np.percentile(x, 80))
    n, e = cp.histogram(d, bins=12, range=(lo, hi))
    en, ee = np.histogram(x, bins=12, range=(lo, hi))
    compare(n, en)
    compare(e, ee)
    n, e = cp.histogram(d[::3].reshape(-1), bins=5, density=True)
    en, ee = np.histogram(x[::3], bins=5, density=True)
    compare(n, en)
    compare(e, ee)


def test_histogram_edges_weights_and_estimators(rng):
    x = rng.standard_normal(777)
    w = rng.uniform(0, 3, 777)
    d, dw = cp.asarray(x), cp.asarray(w)
    edges = np.sort(rng.uniform(-2, 2, 9))
    for b in (edges, cp.asarray(edges), list(edges)):
        n, e = cp.histogram(d, bins=b)
        en, ee = np.histogram(x, bins=edges)
        compare(n, en)
        compare(e, ee)
    n, e = cp.histogram(d, bins=8, weights=dw)
    en, ee = np.histogram(x, bins=8, weights=w)
    compare(n, en)
    compare(e, ee)
    n, _ = cp.histogram(d, bins=edges, weights=dw.astype(np.float32))
    compare(n, np.histogram(x, bins=edges, weights=w.astype(np.float32))[0], rtol=1e-5)
    for est in ('sqrt', 'sturges', 'rice', 'scott', 'fd', 'auto', 'doane'):
        n, e = cp.histogram(d, bins=est)
        en, ee = np.histogram(x, bins=est)
        compare(n, en)
        compare(e, ee)
    # 2-d input is flattened; an edge value lands in the last bin
    m = rng.integers(0, 10, (20, 30)).astype(np.int64)
    n, e = cp.histogram(cp.asarray(m), bins=10, range=(0, 9))
    en, ee = np.histogram(m, bins=10, range=(0, 9))
    compare(n, en)
    compare(e, ee)
    with pytest.raises(ValueError, match='same shape'):
        cp.histogram(d, weights=cp.ones(3))
    with pytest.raises(ValueError):
        cp.histogram(d, bins=np.array([3.0, 1.0, 2.0]))
    with pytest.raises(ValueError):
        cp.histogram(d, bins=-2)
    with pytest.raises(TypeError, match='complex'):
        cp.histogram(d.astype(np.complex128))
    with pytest.raises(NotImplementedError, match='stone'):
        cp.histogram(d, bins='stone')
    with pytest.raises(ValueError, match='not a valid estimator'):
        cp.histogram(d, bins='best')


@pytest.mark.parametrize('dtype', [np.float32, np.int16])
def test_histogram_estimators_with_range_and_ties(rng, dtype):
    # integers with many ties (a zero IQR makes 'auto' fall back to Sturges)
    x = (rng.integers(0, 3, 900) if dtype == np.int16 else
         rng.gamma(2.0, 1.5, 900)).astype(dtype)
    d = cp.asarray(x)
    for est in ('auto', 'fd', 'doane', 'sturges'):
        n, e = cp.histogram(d, bins=est)
        en, ee = np.histogram(x, bins=est)
        compare(n, en)
        compare(e, ee, rtol=1e-6)
        n, e = cp.histogram(d, bins=est, range=(0.5, 2.5))
        en, ee = np.histogram(x, bins=est, range=(0.5, 2.5))
        compare(n, en)
        compare(e, ee, rtol=1e-6)


def test_histogram2d(rng):
    x = rng.standard_normal(500)
    y = rng.uniform(-1, 3, 500)
    w = rng.uniform(0, 2, 500)
    dx, dy, dw = cp.asarray(x), cp.asarray(y), cp.asarray(w)
    for bins in (6, (4, 9), [np.linspace(-3, 3, 7), 5]):
        h, xe, ye = cp.histogram2d(dx, dy, bins=bins)
        eh, exe, eye = np.histogram2d(x, y, bins=bins)
        compare(h, eh)
        compare(xe, exe)
        compare(ye, eye)
    h, xe, ye = cp.histogram2d(dx, dy, bins=5, range=[(-1, 1), (0, 2)], weights=dw,
                               density=True)
    eh, exe, eye = np.histogram2d(x, y, bins=5, range=[(-1, 1), (0, 2)], weights=w,
                                  density=True)
    compare(h, eh)
    compare(xe, exe)
    compare(ye, eye)
    with pytest.raises(ValueError):
        cp.histogram2d(dx, dy[:10])
    with pytest.raises(ValueError, match='must be positive'):
        cp.histogram2d(dx, dy, bins=0)


def test_bincount(rng):
    x = rng.integers(0, 40, 3000)
    w = rng.standard_normal(3000)
    d = cp.asarray(x)
    compare(cp.bincount(d), np.bincount(x))
    compare(cp.bincount(d, minlength=60), np.bincount(x, minlength=60))
    compare(cp.bincount(d, weights=cp.asarray(w)), np.bincount(x, weights=w))
    compare(cp.bincount(d.astype(np.uint8)), np.bincount(x.astype(np.uint8)))
    compare(cp.bincount(cp.asarray(x[::7].astype(np.int16))), np.bincount(x[::7]))
    compare(cp.bincount(cp.zeros(0, np.int64), minlength=3),
            np.bincount(np.zeros(0, np.int64), minlength=3))
    with pytest.raises(ValueError, match='negative'):
        cp.bincount(cp.asarray(np.array([1, -1, 2])))
    with pytest.raises(ValueError, match='too deep'):
        cp.bincount(cp.zeros((2, 2), np.int64))
    with pytest.raises(TypeError, match='safe'):
        cp.bincount(cp.asarray(np.array([1.0, 2.0])))
    with pytest.raises(ValueError, match='same length'):
        cp.bincount(d, weights=cp.ones(3))
    with pytest.raises(ValueError, match='minlength'):
        cp.bincount(d, minlength=-1)


def test_digitize(rng):
    x = rng.uniform(-3, 3, (8, 50))
    inc = np.sort(rng.uniform(-2, 2, 11))
    d = cp.asarray(x)
    for bins in (inc, inc[::-1].copy()):
        db = cp.asarray(bins)
        compare(cp.digitize(d, db), np.digitize(x, bins))
        compare(cp.digitize(d, db, right=True), np.digitize(x, bins, right=True))
    # values equal to the edges, integer inputs
    xi = rng.integers(0, 10, 40)
    bi = np.array([1, 3, 3, 5, 8])
    compare(cp.digitize(cp.asarray(xi), cp.asarray(bi)), np.digitize(xi, bi))
    compare(cp.digitize(cp.asarray(xi), cp.asarray(bi), right=True),
            np.digitize(xi, bi, right=True))
    with pytest.raises(ValueError, match='monotonically'):
        cp.digitize(d, cp.asarray(np.array([1.0, 3.0, 2.0])))
    with pytest.raises(TypeError, match='complex'):
        cp.digitize(d.astype(np.complex64), cp.asarray(inc))


def test_host_arrays_are_refused():
    a = np.arange(5.0)
    for f in (lambda: cp.ptp(a), lambda: cp.histogram(a), lambda: cp.bincount(a.astype(int)),
              lambda: cp.cov(a)):
        with pytest.raises(TypeError, match='gpuarray.asarray'):
            f()


def test_empty_inputs(rng):
    e = np.zeros(0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', RuntimeWarning)
        n, edges = cp.histogram(cp.asarray(e), bins=4)
        en, ee = np.histogram(e, bins=4)
    compare(n, en)
    compare(edges, ee)
    compare(cp.digitize(cp.asarray(e), cp.asarray(np.array([0.0, 1.0]))),
            np.digitize(e, np.array([0.0, 1.0])))
