"""gpuarray.random._random_state - CuPy's legacy API: RandomState and the
module functions over one global RandomState.

RandomState(seed) draws from Philox4x3210(seed) with the same kernels as
Generator, so ``RandomState(s).random_sample(n)`` equals
``default_rng(s).random(n)`` bit for bit. The signatures are CuPy's
(NumPy's legacy ones with ``dtype=`` where CuPy adds it).

The global state is made on first use under a lock, and every draw
reserves its counter range under the bit generator's lock, so threads
may share it: their draws never overlap (which thread gets which range
follows the order they reach the lock).
"""

import threading

import numpy

from gpuarray.random._bit_generator import Philox4x3210
from gpuarray.random._generator import _Draws, _float_dtype, _shape


class RandomState(_Draws):
    """CuPy's legacy random state over Philox4x32-10 (``seed``: a
    non-negative integer, a sequence of them, or None for OS entropy)."""

    def __init__(self, seed=None, method=None):
        # method: CuPy's choice of curand generator; there is one here
        super().__init__(Philox4x3210(seed))

    def seed(self, seed=None):
        """Restart the stream from `seed`."""
        self._bit_generator.seed(seed)

    def get_state(self):
        return self._bit_generator.state

    def set_state(self, state):
        self._bit_generator.state = state

    def rand(self, *size, dtype=float):
        """Uniform [0, 1) of shape `size`."""
        return self.random_sample(size if size else None, dtype)

    def randn(self, *size, dtype=float):
        """Standard normal of shape `size`."""
        return self.standard_normal(size if size else None, dtype)

    def random_sample(self, size=None, dtype=float):
        return _Draws.random(self, size, _float_dtype(dtype, 'random_sample'))

    random = random_sample
    ranf = random_sample
    sample = random_sample

    def randint(self, low, high=None, size=None, dtype=int):
        """Integers in [low, high) (high None: [0, low))."""
        return self.integers(low, high, size, dtype, False, _what='randint')

    def random_integers(self, low, high=None, size=None):
        """Integers in [low, high] (high None: [1, low]); NumPy deprecates it."""
        if high is None:
            low, high = 1, low
        return self.integers(low, high, size, numpy.int64, True, _what='random_integers')

    def uniform(self, low=0.0, high=1.0, size=None, dtype=float):
        return _Draws.uniform(self, low, high, size, dtype)

    def normal(self, loc=0.0, scale=1.0, size=None, dtype=float):
        return _Draws.normal(self, loc, scale, size, dtype)

    def standard_normal(self, size=None, dtype=float):
        return _Draws.standard_normal(self, size, dtype)

    def exponential(self, scale=1.0, size=None, dtype=float):
        return _Draws.exponential(self, scale, size, dtype)

    def standard_exponential(self, size=None, dtype=float):
        return _Draws.standard_exponential(self, size, dtype)

    def gamma(self, shape, scale=1.0, size=None, dtype=float):
        """float32 is drawn in float32 (not cast)."""
        return self._gamma(shape, scale, size, _float_dtype(dtype, 'gamma'))

    def standard_gamma(self, shape, size=None, dtype=float):
        return self.gamma(shape, 1.0, size, dtype)

    def beta(self, a, b, size=None, dtype=float):
        return self._beta(a, b, size, _float_dtype(dtype, 'beta'))

    def binomial(self, n, p, size=None, dtype=int):
        r = _Draws.binomial(self, n, p, size)
        return r if numpy.dtype(dtype) == numpy.int64 else r.astype(dtype)

    def poisson(self, lam=1.0, size=None, dtype=int):
        r = _Draws.poisson(self, lam, size)
        return r if numpy.dtype(dtype) == numpy.int64 else r.astype(dtype)

    def choice(self, a, size=None, replace=True, p=None):
        return _Draws.choice(self, a, size, replace, p, _legacy=True)

    def permutation(self, a):
        return _Draws.permutation(self, a)

    def shuffle(self, a):
        _Draws.shuffle(self, a)

    def tomaxint(self, size=None):
        return self.integers(0, numpy.iinfo(numpy.int64).max, size, numpy.int64, True)

    def __repr__(self):
        return 'RandomState(Philox4x3210)'


_global_lock = threading.Lock()
_global_state = None


def get_random_state():
    """The global RandomState (made on first use, seeded from the OS)."""
    global _global_state
    rs = _global_state
    if rs is None:
        with _global_lock:
            if _global_state is None:
                _global_state = RandomState()
            rs = _global_state
    return rs


def set_random_state(rs):
    """Make `rs` (a RandomState) the global one."""
    global _global_state
    if not isinstance(rs, RandomState):
        raise TypeError('Random state must be a gpuarray.random.RandomState, not '
                        '{}'.format(type(rs).__name__))
    with _global_lock:
        _global_state = rs


def seed(seed=None):
    """Reseed the global RandomState."""
    get_random_state().seed(seed)


def _global(name):
    def f(*args, **kwargs):
        return getattr(get_random_state(), name)(*args, **kwargs)
    f.__name__ = name
    f.__qualname__ = name
    f.__doc__ = getattr(RandomState, name).__doc__
    return f


rand = _global('rand')
randn = _global('randn')
random_sample = _global('random_sample')
random = _global('random_sample')
ranf = _global('random_sample')
sample = _global('random_sample')
randint = _global('randint')
random_integers = _global('random_integers')
uniform = _global('uniform')
normal = _global('normal')
standard_normal = _global('standard_normal')
exponential = _global('exponential')
standard_exponential = _global('standard_exponential')
gamma = _global('gamma')
standard_gamma = _global('standard_gamma')
beta = _global('beta')
binomial = _global('binomial')
poisson = _global('poisson')
choice = _global('choice')
permutation = _global('permutation')
shuffle = _global('shuffle')
lognormal = _global('lognormal')
standard_cauchy = _global('standard_cauchy')
standard_t = _global('standard_t')
chisquare = _global('chisquare')
f = _global('f')
geometric = _global('geometric')
laplace = _global('laplace')
logistic = _global('logistic')
gumbel = _global('gumbel')
rayleigh = _global('rayleigh')
weibull = _global('weibull')
pareto = _global('pareto')
power = _global('power')
triangular = _global('triangular')
wald = _global('wald')
negative_binomial = _global('negative_binomial')
dirichlet = _global('dirichlet')
bytes = _global('bytes')


def reset_states():
    """Forget the global RandomState (the next use seeds a new one)."""
    global _global_state
    with _global_lock:
        _global_state = None
del _shape
