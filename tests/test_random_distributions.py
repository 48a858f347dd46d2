"""gpuarray.random's distributions, statistically: on 10**6 samples, the
mean and variance against the exact moments, the Kolmogorov-Smirnov
statistic against the exact CDF (closed forms from math: the parameters
are chosen so that the CDF needs no SciPy; SciPy, where installed, adds a
gamma and a beta case with non-closed CDFs), and chi-square against the
pmf for the discrete ones and the integers. Seeds are fixed, so the
outcome is deterministic; the thresholds are those of a 0.1% test."""

import math

import numpy
import pytest

import gpuarray as cp

N = 10 ** 6
#: the KS statistic's 0.1% critical value is 1.95 / sqrt(n)
KS_LIMIT = 1.95 / math.sqrt(N)

_erf = numpy.frompyfunc(math.erf, 1, 1)


def ks_statistic(samples, cdf):
    x = numpy.sort(numpy.asarray(samples, numpy.float64))
    f = numpy.asarray(cdf(x), numpy.float64)
    n = x.size
    i = numpy.arange(1, n + 1)
    return max((i / n - f).max(), (f - (i - 1) / n).max())


def chi2_limit(df, z=3.09):
    """The 0.1% point of chi-square with df degrees (Wilson-Hilferty)."""
    return df * (1 - 2 / (9 * df) + z * math.sqrt(2 / (9 * df))) ** 3


def chi2_statistic(counts, expected):
    """Chi-square over bins, merging the tail bins whose expectation is
    below 5 (NumPy arrays of equal length)."""
    counts, expected = list(counts), list(expected)
    c_bins, e_bins = [], []
    c_acc = e_acc = 0.0
    for c, e in zip(counts, expected):
        c_acc += c
        e_acc += e
        if e_acc >= 5:
            c_bins.append(c_acc)
            e_bins.append(e_acc)
            c_acc = e_acc = 0.0
    if e_acc:
        c_bins[-1] += c_acc
        e_bins[-1] += e_acc
    c_bins, e_bins = numpy.array(c_bins), numpy.array(e_bins)
    return ((c_bins - e_bins) ** 2 / e_bins).sum(), len(c_bins) - 1


def check_moments(x, mean, var, k=6):
    x = numpy.asarray(x, numpy.float64)
    n = x.size
    assert abs(x.mean() - mean) < k * math.sqrt(var / n), (x.mean(), mean)
    # the variance's standard error, taken loosely as var * sqrt(2 / n) * 3
    assert abs(x.var() - var) < k * var * math.sqrt(2.0 / n) * 3, (x.var(), var)


def normal_cdf(x):
    return 0.5 * (1 + _erf(x / math.sqrt(2)).astype(numpy.float64))


# ------------------------------------------------------------ continuous

@pytest.mark.parametrize('dtype', [numpy.float64, numpy.float32])
def test_uniform(dtype):
    x = cp.random.default_rng(100).uniform(-2.0, 3.0, N, dtype=dtype).get()
    assert x.min() >= -2.0 and x.max() < 3.0
    check_moments(x, 0.5, 25 / 12)
    assert ks_statistic(x, lambda t: (t + 2.0) / 5.0) < KS_LIMIT


@pytest.mark.parametrize('dtype', [numpy.float64, numpy.float32])
def test_normal(dtype):
    x = cp.random.default_rng(101).normal(1.5, 2.0, N, dtype=dtype).get()
    assert x.dtype == dtype
    check_moments(x, 1.5, 4.0)
    assert ks_statistic((x - 1.5) / 2.0, normal_cdf) < KS_LIMIT
    # the tails are there
    z = numpy.abs((x - 1.5) / 2.0)
    assert 0.8 * 2.7e-3 * N < (z > 3).sum() < 1.2 * 2.7e-3 * N


@pytest.mark.parametrize('dtype', [numpy.float64, numpy.float32])
def test_exponential(dtype):
    x = cp.random.default_rng(102).exponential(0.5, N, dtype=dtype).get()
    assert x.min() >= 0
    check_moments(x, 0.5, 0.25)
    assert ks_statistic(x, lambda t: 1 - numpy.exp(-t / 0.5)) < KS_LIMIT


def _gamma_cdf_int(k):
    # shape k an integer: 1 - e**-x sum_{j<k} x**j / j!
    def cdf(x):
        s = numpy.zeros_like(x)
        term = numpy.ones_like(x)
        for j in range(k):
            s += term
            term = term * x / (j + 1)
        return 1 - numpy.exp(-x) * s
    return cdf


@pytest.mark.parametrize('shape, cdf', [
    (3.0, _gamma_cdf_int(3)),                                       # Marsaglia-Tsang
    (0.5, lambda x: _erf(numpy.sqrt(x)).astype(numpy.float64)),     # the boost (shape < 1)
    (1.0, lambda x: 1 - numpy.exp(-x)),
])
def test_gamma(shape, cdf):
    x = cp.random.default_rng(103).gamma(shape, 2.0, N).get()
    assert x.min() >= 0
    check_moments(x, 2.0 * shape, 4.0 * shape)
    assert ks_statistic(x / 2.0, cdf) < KS_LIMIT


@pytest.mark.parametrize('a, b, cdf', [
    # both <= 1: Johnk's algorithm; arcsine law
    (0.5, 0.5, lambda x: 2 / math.pi * numpy.arcsin(numpy.sqrt(x))),
    # the ratio of gammas: I_x(2, 3) = sum_{j=2..4} C(4, j) x**j (1-x)**(4-j)
    (2.0, 3.0, lambda x: sum(math.comb(4, j) * x ** j * (1 - x) ** (4 - j) for j in range(2, 5))),
    (1.0, 1.0, lambda x: x),
])
def test_beta(a, b, cdf):
    x = cp.random.default_rng(104).beta(a, b, N).get()
    assert x.min() >= 0 and x.max() <= 1
    check_moments(x, a / (a + b), a * b / ((a + b) ** 2 * (a + b + 1)))
    assert ks_statistic(x, cdf) < KS_LIMIT


def test_gamma_and_beta_against_scipy():
    scipy_stats = pytest.importorskip('scipy.stats', reason='SciPy is not installed: the gamma '
                                      'and beta CDFs without a closed form are not checked')
    x = cp.random.default_rng(105).gamma(2.7, 1.0, N).get()
    assert ks_statistic(x, scipy_stats.gamma(2.7).cdf) < KS_LIMIT
    x = cp.random.default_rng(106).beta(0.3, 4.5, N).get()
    assert ks_statistic(x, scipy_stats.beta(0.3, 4.5).cdf) < KS_LIMIT


def test_gamma_with_array_shape():
    shape = numpy.array([0.2, 1.0, 5.0, 50.0])
    x = cp.random.default_rng(107).gamma(shape, 1.0, size=(50000, 4)).get()
    numpy.testing.assert_allclose(x.mean(axis=0), shape, rtol=0.03)
    numpy.testing.assert_allclose(x.var(axis=0), shape, rtol=0.06)


# -------------------------------------------------------------- discrete

def _log_pmf_poisson(k, lam):
    return -lam + k * math.log(lam) - math.lgamma(k + 1)


@pytest.mark.parametrize('lam', [0.7, 4.0, 9.99, 10.0, 50.0, 1000.0])
def test_poisson(lam):
    # inversion below 10, PTRS from 10
    x = cp.random.default_rng(108).poisson(lam, N).get()
    assert x.dtype == numpy.int64 and x.min() >= 0
    check_moments(x, lam, lam)
    hi = int(lam + 12 * math.sqrt(lam) + 20)
    counts = numpy.bincount(x, minlength=hi + 1)[:hi + 1]
    expected = [N * math.exp(_log_pmf_poisson(k, lam)) for k in range(hi + 1)]
    stat, df = chi2_statistic(counts, expected)
    assert stat < chi2_limit(df), (stat, df)


@pytest.mark.parametrize('n, p', [(20, 0.3), (5, 0.9), (1000, 0.4), (100, 0.8), (10 ** 6, 0.01)])
def test_binomial(n, p):
    # inversion below n p = 10, BTRS above; p > 1/2 by symmetry
    x = cp.random.default_rng(109).binomial(n, p, N).get()
    assert x.min() >= 0 and x.max() <= n
    check_moments(x, n * p, n * p * (1 - p))
    mu, sd = n * p, math.sqrt(n * p * (1 - p))
    lo, hi = max(0, int(mu - 12 * sd - 5)), min(n, int(mu + 12 * sd + 5))
    counts = numpy.bincount(x - lo, minlength=hi - lo + 1)[:hi - lo + 1]
    expected = [N * math.exp(math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) +
                             k * math.log(p) + (n - k) * math.log1p(-p)) for k in range(lo, hi + 1)]
    stat, df = chi2_statistic(counts, expected)
    assert stat < chi2_limit(df), (stat, df)


def test_binomial_and_poisson_edges():
    g = cp.random.default_rng(110)
    assert (g.binomial(0, 0.5, 10).get() == 0).all()
    assert (g.binomial(7, 0.0, 10).get() == 0).all()
    assert (g.binomial(7, 1.0, 10).get() == 7).all()
    assert (g.poisson(0.0, 10).get() == 0).all()
    r = g.binomial(numpy.array([1, 10, 100]), numpy.array([[0.5], [0.9]]), size=(2, 3)).get()
    assert r.shape == (2, 3) and (r <= [1, 10, 100]).all()


# -------------------------------------------------------------- integers

@pytest.mark.parametrize('low, high', [(0, 10), (-7, 1000), (0, 2 ** 32 - 5), (0, 3 * 2 ** 61)])
def test_integers_uniform(low, high):
    # chi-square over 64 equal bins of the range (the 32- and 64-bit paths)
    x = cp.random.default_rng(111).integers(low, high, N).get()
    assert x.min() >= low and x.max() < high
    span = high - low
    nbins = min(64, span)
    bins = ((x - low).astype(object) * nbins // span).astype(numpy.int64) if span > 2 ** 52 else \
        ((x - low) * nbins // span)
    counts = numpy.bincount(bins, minlength=nbins)
    edges = [(span * j + nbins - 1) // nbins for j in range(nbins + 1)]
    expected = [N * (edges[j + 1] - edges[j]) / span for j in range(nbins)]
    stat, df = chi2_statistic(counts, expected)
    assert stat < chi2_limit(df), (stat, df)
    check_moments(x.astype(numpy.float64), low + (span - 1) / 2, (span ** 2 - 1) / 12)


def test_integers_unbiased_where_modulo_would_not_be():
    # range 3 * 2**30: a modulo of 32-bit words would give the lowest third
    # of the range 1.5x the mass of the rest
    span = 3 * 2 ** 30
    x = cp.random.default_rng(112).integers(0, span, N).get()
    third = numpy.bincount(x // 2 ** 30, minlength=3) / N
    numpy.testing.assert_allclose(third, [1 / 3] * 3, atol=0.003)


def test_permutation_positions_uniform():
    # where element 0 lands in permutations of 10: uniform
    g = cp.random.default_rng(113)
    pos = numpy.array([int(numpy.argmax(g.permutation(10).get() == 0)) for _ in range(2000)])
    counts = numpy.bincount(pos, minlength=10)
    stat, df = chi2_statistic(counts, [200.0] * 10)
    assert stat < chi2_limit(df)
    # and the keys' sort: a large permutation's adjacent pairs are uncorrelated
    p = g.permutation(100000).get().astype(numpy.float64)
    assert abs(numpy.corrcoef(p[:-1], p[1:])[0, 1]) < 0.02


@pytest.mark.parametrize('shape, cdf', [
    (3.0, _gamma_cdf_int(3)),
    (0.5, lambda x: _erf(numpy.sqrt(x)).astype(numpy.float64)),
])
def test_gamma_float32_is_drawn_in_float32(shape, cdf):
    # float32 Marsaglia-Tsang on float32 sub-stream draws: the distribution
    # holds, and the values are not float64 draws rounded
    x = cp.random.default_rng(120).standard_gamma(shape, N, dtype=numpy.float32).get()
    assert x.dtype == numpy.float32 and x.min() >= 0
    check_moments(x, shape, shape)
    assert ks_statistic(x, cdf) < KS_LIMIT
    d = cp.random.default_rng(120).standard_gamma(shape, 1000).get()
    assert not numpy.array_equal(x[:1000], d.astype(numpy.float32))


@pytest.mark.parametrize('a, b, cdf', [
    (0.5, 0.5, lambda x: 2 / math.pi * numpy.arcsin(numpy.sqrt(x))),
    (2.0, 3.0, lambda x: sum(math.comb(4, j) * x ** j * (1 - x) ** (4 - j) for j in range(2, 5))),
])
def test_beta_float32(a, b, cdf):
    x = cp.random.RandomState(121).beta(a, b, N, dtype=numpy.float32).get()
    assert x.dtype == numpy.float32 and x.min() >= 0 and x.max() <= 1
    assert ks_statistic(x.astype(numpy.float64), cdf) < KS_LIMIT
