"""The first 1,000 values of every bit-identical distribution for seed 1234,
stored in tests/data/random_seed1234.npz (made on the host backend) and
compared bit for bit: the same file must pass on CUDA and on the host
backend (and later HIP), which is what "the same seed gives the same
numbers on every backend" means.

    .venv/bin/python tests/test_random_seed1234.py    # rewrites the file
"""

import os

import numpy
import pytest

import gpuarray as cp

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data', 'random_seed1234.npz')
SEED = 1234
N = 1000

#: name -> draw from a fresh default_rng(SEED)
DRAWS = {
    'random_float64': lambda g: g.random(N),
    'random_float32': lambda g: g.random(N, dtype=numpy.float32),
    'uniform_float64': lambda g: g.uniform(-2.5, 7.0, N),
    'uniform_float32': lambda g: g.uniform(-2.5, 7.0, N, dtype=numpy.float32),
    'integers_int32': lambda g: g.integers(-1000, 100000, N, dtype=numpy.int32),
    'integers_int64': lambda g: g.integers(-2 ** 62, 2 ** 62 + 12345, N),
    'integers_uint8_full': lambda g: g.integers(0, 255, N, dtype=numpy.uint8, endpoint=True),
    'permutation': lambda g: g.permutation(N),
    'choice_replace': lambda g: g.choice(5000, N),
    'choice_no_replace': lambda g: g.choice(5000, N, replace=False),
    'choice_p': lambda g: g.choice(7, N, p=[0.05, 0.1, 0.2, 0.3, 0.15, 0.1, 0.1]),
    'choice_p_no_replace': lambda g: g.choice(3000, N, replace=False,
                                              p=numpy.arange(1, 3001) / (3000 * 3001 / 2)),
    'normal_float64': lambda g: g.normal(0.5, 3.0, N),
    'normal_float32': lambda g: g.standard_normal(N, dtype=numpy.float32),
    'exponential_float64': lambda g: g.exponential(2.0, N),
    'exponential_float32': lambda g: g.standard_exponential(N, dtype=numpy.float32),
}


def _generate():
    return {name: draw(cp.random.default_rng(SEED)).get() for name, draw in DRAWS.items()}


@pytest.fixture(scope='module')
def stored():
    with numpy.load(DATA) as f:
        return {k: f[k] for k in f.files}


@pytest.mark.parametrize('name', sorted(DRAWS))
def test_first_1000_values_bit_for_bit(stored, name):
    got = DRAWS[name](cp.random.default_rng(SEED)).get()
    want = stored[name]
    assert got.dtype == want.dtype and got.shape == want.shape
    # bits, not values: -0.0 and NaN payloads count
    numpy.testing.assert_array_equal(got.view(numpy.uint8), want.view(numpy.uint8))


def test_legacy_api_gives_the_same_values(stored):
    rs = cp.random.RandomState(SEED)
    assert numpy.array_equal(rs.random_sample(N).get().view(numpy.uint8),
                             stored['random_float64'].view(numpy.uint8))
    rs = cp.random.RandomState(SEED)
    assert numpy.array_equal(rs.permutation(N).get(), stored['permutation'])


if __name__ == '__main__':
    os.makedirs(os.path.dirname(DATA), exist_ok=True)
    print('backend:', cp.get_backend())
    numpy.savez_compressed(DATA, **_generate())
    print('wrote', DATA, os.path.getsize(DATA), 'bytes')
