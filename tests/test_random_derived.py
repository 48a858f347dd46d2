"""gpuarray.random's distributions derived from the kernels' draws by
ufuncs (gpuarray/random/_derived.py): mean and variance against the exact
ones on 2 * 10**5 samples, the shapes, the errors. (They run the same
algorithm on every backend; the ufuncs' exp/log are the backend's, so the
bits may differ: no stored values here.)"""

import math

import numpy
import pytest

import gpuarray as cp

N = 200000

CASES = [
    # name, args, mean, variance
    ('lognormal', (0.0, 0.5), math.exp(0.125), (math.exp(0.25) - 1) * math.exp(0.25)),
    ('standard_t', (5.0,), 0.0, 5 / 3),
    ('chisquare', (3.0,), 3.0, 6.0),
    ('f', (5.0, 7.0), 7 / 5, 2 * 49 * 10 / (5 * 25 * 3)),
    ('geometric', (0.3,), 1 / 0.3, 0.7 / 0.09),
    ('laplace', (1.0, 2.0), 1.0, 8.0),
    ('logistic', (1.0, 2.0), 1.0, 4 * math.pi ** 2 / 3),
    ('gumbel', (1.0, 2.0), 1 + 2 * 0.5772156649015329, math.pi ** 2 / 6 * 4),
    ('rayleigh', (2.0,), 2 * math.sqrt(math.pi / 2), (4 - math.pi) / 2 * 4),
    ('weibull', (1.5,), math.gamma(1 + 1 / 1.5),
     math.gamma(1 + 2 / 1.5) - math.gamma(1 + 1 / 1.5) ** 2),
    ('pareto', (5.0,), 1 / 4, 5 / (16 * 3)),
    ('power', (2.0,), 2 / 3, 2 / 36),
    ('triangular', (0.0, 1.0, 3.0), 4 / 3, 7 / 18),
    ('wald', (2.0, 3.0), 2.0, 8 / 3),
    ('negative_binomial', (5, 0.4), 7.5, 18.75),
]


@pytest.mark.parametrize('name, args, mean, var', CASES, ids=[c[0] for c in CASES])
def test_moments(name, args, mean, var):
    x = getattr(cp.random.default_rng(200), name)(*args, size=N).get().astype(numpy.float64)
    # 6 standard errors of the mean; the variance loosely (heavy tails)
    assert abs(x.mean() - mean) < 6 * math.sqrt(var / N), (x.mean(), mean)
    assert abs(x.var() - var) < 0.06 * var, (x.var(), var)
    # the legacy global API has the same function
    assert getattr(cp.random, name)(*args, size=3).shape == (3,)


def test_standard_cauchy_quartiles():
    x = cp.random.default_rng(201).standard_cauchy(N).get()
    q = numpy.percentile(x, [25, 50, 75])
    numpy.testing.assert_allclose(q, [-1, 0, 1], atol=0.02)


def test_dirichlet_and_bytes():
    g = cp.random.default_rng(202)
    d = g.dirichlet([1.0, 2.0, 3.0], size=(N // 4,)).get()
    assert d.shape == (N // 4, 3)
    numpy.testing.assert_allclose(d.sum(axis=1), 1.0, rtol=1e-12)
    numpy.testing.assert_allclose(d.mean(axis=0), [1 / 6, 2 / 6, 3 / 6], atol=0.005)
    b = g.bytes(13)
    assert isinstance(b, bytes) and len(b) == 13
    assert cp.random.default_rng(5).bytes(8) == cp.random.default_rng(5).bytes(8)


def test_array_parameters_broadcast():
    g = cp.random.default_rng(203)
    r = g.laplace(numpy.array([0.0, 100.0]), 1.0, size=(1000, 2)).get()
    assert abs(r[:, 0].mean()) < 0.2 and abs(r[:, 1].mean() - 100) < 0.2
    r = g.geometric(cp.asarray(numpy.array([0.5, 1.0])), size=(1000, 2)).get()
    assert r.dtype == numpy.int64 and (r[:, 1] == 1).all() and r[:, 0].min() == 1


def test_errors():
    g = cp.random.default_rng(204)
    with pytest.raises(ValueError):
        g.chisquare(0.0)
    with pytest.raises(ValueError):
        g.geometric(1.5)
    with pytest.raises(ValueError):
        g.triangular(2.0, 1.0, 3.0)
    with pytest.raises(ValueError):
        g.wald(-1.0, 1.0)
    with pytest.raises(ValueError):
        g.dirichlet([1.0, -1.0])
    with pytest.raises(ValueError):
        g.bytes(-1)
    with pytest.raises(ValueError):
        g.lognormal(0.0, -1.0)


def test_reset_states():
    cp.random.seed(3)
    a = cp.random.get_random_state()
    cp.random.reset_states()
    assert cp.random.get_random_state() is not a
