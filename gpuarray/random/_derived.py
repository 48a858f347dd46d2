"""gpuarray.random._derived - the distributions that are a transformation
of the kernels' draws (uniform, normal, exponential, gamma, poisson) by
gpuarray's ufuncs: lognormal, standard_cauchy, standard_t, chisquare, f,
geometric, laplace, logistic, gumbel, rayleigh, weibull, pareto, power,
triangular, wald, negative_binomial, dirichlet, bytes.

The same algorithm runs on every backend; the ufuncs' exp and log are
the backend's (libdevice, glibc), so these agree statistically, not to
the bit (tests/test_random_derived.py checks their moments).
"""

import numpy

from gpuarray import _core


def _ufuncs():
    import gpuarray
    return gpuarray


def _positive(x, name, strict=True):
    h = numpy.asarray(x.get() if isinstance(x, _core.ndarray) else x, dtype=numpy.float64)
    bad = ~(h > 0) if strict else ~(h >= 0)
    if numpy.any(bad):
        raise ValueError('{} {} 0'.format(name, '<=' if strict else '<'))


def _dev(x):
    return x if isinstance(x, _core.ndarray) or numpy.ndim(x) == 0 else _core.asarray(
        numpy.asarray(x, numpy.float64))


class DerivedDraws:
    """Mixed into the distributions class (_generator._Draws): needs
    random, standard_normal, standard_exponential, gamma, poisson and
    integers from it."""

    def _shape_of(self, size, *params):
        from gpuarray.random._generator import _out_shape
        return _out_shape(size, *params)

    def lognormal(self, mean=0.0, sigma=1.0, size=None):
        """exp(normal(mean, sigma))."""
        _positive(sigma, 'sigma', strict=False)
        return _ufuncs().exp(self.normal(mean, sigma, size))

    def standard_cauchy(self, size=None):
        """The ratio of two standard normals."""
        xp = _ufuncs()
        from gpuarray.random._generator import _shape
        shape = _shape(size)
        return xp.divide(self.standard_normal(shape), self.standard_normal(shape))

    def chisquare(self, df, size=None):
        """2 * gamma(df / 2)."""
        _positive(df, 'df')
        xp = _ufuncs()
        half = xp.multiply(_dev(df), 0.5) if isinstance(_dev(df), _core.ndarray) else df * 0.5
        return xp.multiply(self.gamma(half, 1.0, size), 2.0)

    def standard_t(self, df, size=None):
        """z / sqrt(chisquare(df) / df)."""
        _positive(df, 'df')
        xp = _ufuncs()
        shape = self._shape_of(size, df)
        z = self.standard_normal(shape)
        c = self.chisquare(df, shape)
        return xp.divide(z, xp.sqrt(xp.divide(c, _dev(df))))

    def f(self, dfnum, dfden, size=None):
        """(chisquare(dfnum) / dfnum) / (chisquare(dfden) / dfden)."""
        _positive(dfnum, 'dfnum')
        _positive(dfden, 'dfden')
        xp = _ufuncs()
        shape = self._shape_of(size, dfnum, dfden)
        a = xp.divide(self.chisquare(dfnum, shape), _dev(dfnum))
        b = xp.divide(self.chisquare(dfden, shape), _dev(dfden))
        return xp.divide(a, b)

    def geometric(self, p, size=None):
        """Trials to the first success: ceil(log(1 - u) / log(1 - p)), at least 1."""
        ph = numpy.asarray(p.get() if isinstance(p, _core.ndarray) else p, numpy.float64)
        if numpy.any(~(ph > 0)) or numpy.any(ph > 1):
            raise ValueError('p <= 0, p > 1 or p contains NaNs')
        xp = _ufuncs()
        shape = self._shape_of(size, p)
        e = self.standard_exponential(shape)                 # -log(1 - u)
        k = xp.ceil(xp.divide(e, xp.negative(xp.log1p(xp.negative(_dev(p))))))
        return xp.maximum(k, 1.0).astype(numpy.int64)

    def laplace(self, loc=0.0, scale=1.0, size=None):
        """loc + scale * (a random sign) * exponential."""
        _positive(scale, 'scale', strict=False)
        xp = _ufuncs()
        shape = self._shape_of(size, loc, scale)
        e = self.standard_exponential(shape)
        sign = xp.subtract(xp.multiply(self.integers(0, 2, shape).astype(numpy.float64), 2.0), 1.0)
        return xp.add(_dev(loc), xp.multiply(_dev(scale), xp.multiply(sign, e)))

    def logistic(self, loc=0.0, scale=1.0, size=None):
        """loc + scale * log(u / (1 - u)), u in (0, 1)."""
        _positive(scale, 'scale', strict=False)
        xp = _ufuncs()
        shape = self._shape_of(size, loc, scale)
        u = xp.subtract(1.0, self.random(shape))               # (0, 1]
        logit = xp.log(xp.divide(u, xp.subtract(1.0, u)))
        return xp.add(_dev(loc), xp.multiply(_dev(scale), logit))

    def gumbel(self, loc=0.0, scale=1.0, size=None):
        """loc - scale * log(exponential)."""
        _positive(scale, 'scale', strict=False)
        xp = _ufuncs()
        shape = self._shape_of(size, loc, scale)
        e = self.standard_exponential(shape)
        return xp.subtract(_dev(loc), xp.multiply(_dev(scale), xp.log(e)))

    def rayleigh(self, scale=1.0, size=None):
        """scale * sqrt(2 * exponential)."""
        _positive(scale, 'scale', strict=False)
        xp = _ufuncs()
        shape = self._shape_of(size, scale)
        return xp.multiply(_dev(scale), xp.sqrt(xp.multiply(self.standard_exponential(shape), 2.0)))

    def weibull(self, a, size=None):
        """exponential ** (1 / a)."""
        _positive(a, 'a', strict=False)
        xp = _ufuncs()
        shape = self._shape_of(size, a)
        e = self.standard_exponential(shape)
        return xp.power(e, xp.divide(1.0, _dev(a)))

    def pareto(self, a, size=None):
        """exp(exponential / a) - 1 (Lomax, as NumPy's)."""
        _positive(a, 'a')
        xp = _ufuncs()
        shape = self._shape_of(size, a)
        return xp.expm1(xp.divide(self.standard_exponential(shape), _dev(a)))

    def power(self, a, size=None):
        """(1 - exp(-exponential)) ** (1 / a)."""
        _positive(a, 'a')
        xp = _ufuncs()
        shape = self._shape_of(size, a)
        e = self.standard_exponential(shape)
        return xp.power(xp.negative(xp.expm1(xp.negative(e))), xp.divide(1.0, _dev(a)))

    def triangular(self, left, mode, right, size=None):
        """Inversion of the triangular CDF."""
        lh, mh, rh = (numpy.asarray(v.get() if isinstance(v, _core.ndarray) else v, numpy.float64)
                      for v in (left, mode, right))
        if numpy.any(lh > mh):
            raise ValueError('left > mode')
        if numpy.any(mh > rh):
            raise ValueError('mode > right')
        if numpy.any(lh == rh):
            raise ValueError('left == right')
        xp = _ufuncs()
        shape = self._shape_of(size, left, mode, right)
        u = self.random(shape)
        lo, mo, ri = _dev(left), _dev(mode), _dev(right)
        base = xp.subtract(ri, lo)
        leftbase = xp.subtract(mo, lo)
        ratio = xp.divide(leftbase, base)
        below = xp.add(lo, xp.sqrt(xp.multiply(u, xp.multiply(base, leftbase))))
        above = xp.subtract(ri, xp.sqrt(xp.multiply(xp.subtract(1.0, u),
                                                    xp.multiply(base, xp.subtract(ri, mo)))))
        return xp.where(xp.less_equal(u, ratio), below, above)

    def wald(self, mean, scale, size=None):
        """Michael, Schucany and Haas: a normal and a uniform per value."""
        _positive(mean, 'mean')
        _positive(scale, 'scale')
        xp = _ufuncs()
        shape = self._shape_of(size, mean, scale)
        m, s = _dev(mean), _dev(scale)
        y = xp.square(self.standard_normal(shape))
        my = xp.multiply(m, y)
        root = xp.sqrt(xp.add(xp.multiply(xp.multiply(s, 4.0), my), xp.square(my)))
        x = xp.add(m, xp.multiply(xp.divide(m, xp.multiply(s, 2.0)), xp.subtract(my, root)))
        u = self.random(shape)
        alt = xp.divide(xp.square(m), x)
        return xp.where(xp.less_equal(u, xp.divide(m, xp.add(m, x))), x, alt)

    def negative_binomial(self, n, p, size=None):
        """poisson(gamma(n, (1 - p) / p)): failures before the n-th success."""
        _positive(n, 'n')
        ph = numpy.asarray(p.get() if isinstance(p, _core.ndarray) else p, numpy.float64)
        if numpy.any(~(ph > 0)) or numpy.any(ph > 1):
            raise ValueError('p <= 0, p > 1 or p contains NaNs')
        shape = self._shape_of(size, n, p)
        scale = (1 - ph) / ph
        lam = self.gamma(n, float(scale) if scale.ndim == 0 else scale, shape)
        return self.poisson(lam, shape)

    def dirichlet(self, alpha, size=None):
        """Gammas of the alphas, normalised (the last axis is alpha's)."""
        a = numpy.asarray(alpha.get() if isinstance(alpha, _core.ndarray) else alpha, numpy.float64)
        if a.ndim != 1:
            raise ValueError('alpha must be a one-dimensional sequence of floats')
        if numpy.any(~(a > 0)):
            raise ValueError('alpha <= 0')
        from gpuarray.random._generator import _shape
        shape = _shape(size) + (a.size,)
        xp = _ufuncs()
        g = self.gamma(a, 1.0, shape)
        return xp.divide(g, xp.sum(g, axis=-1, keepdims=True))

    def bytes(self, length):
        """`length` random bytes (a Python bytes object, as NumPy's)."""
        import operator
        length = operator.index(length)
        if length < 0:
            raise ValueError('negative dimensions are not allowed')
        words = self._bit_generator.random_raw(-(-length // 4)).get()
        return words.astype('<u4').tobytes()[:length]
