"""gpuarray.random - random numbers from Philox4x32-10 kernels, the same on
every backend.

CuPy's legacy API (``seed``, ``rand``, ``randn``, ``random``,
``randint``, ``normal``, ..., ``RandomState``, ``get_random_state``) and
NumPy's Generator API (``default_rng``, ``Generator``, the bit generator
``Philox4x3210``). Numbers are generated on the current stream by the
kernels of ``kernels/random.cuh``; the same seed gives the same bits on
CUDA and on the host backend for random/uniform, integers,
permutation/shuffle/choice, normal and exponential (see
``_generator.py``). The seed -> key mapping is in ``_bit_generator.py``.
"""

from gpuarray.random._bit_generator import BitGenerator, Philox4x3210  # noqa: F401
from gpuarray.random._generator import Generator, default_rng  # noqa: F401
from gpuarray.random._random_state import (  # noqa: F401
    RandomState, get_random_state, set_random_state, seed,
    rand, randn, random, random_sample, ranf, sample, randint, random_integers, uniform,
    normal, standard_normal, exponential, standard_exponential, gamma, standard_gamma, beta,
    binomial, poisson, choice, permutation, shuffle, reset_states,
    lognormal, standard_cauchy, standard_t, chisquare, f, geometric, laplace, logistic, gumbel,
    rayleigh, weibull, pareto, power, triangular, wald, negative_binomial, dirichlet, bytes,
)
