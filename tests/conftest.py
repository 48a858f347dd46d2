"""What every test file shares: the `cuda` marker and fixture, which skip
with gpuarray's own reason (no driver, no device, driver too old) where CUDA
is not usable, and seeded random data of every dtype gpuarray supports."""
import zlib

import numpy as np
import pytest

import gpuarray

#: None where CUDA is usable, else why not (the core's detail).
CUDA_UNAVAILABLE = gpuarray._core.unavailable_reason()


def pytest_configure(config):
    config.addinivalue_line(
        'markers', 'cuda: needs a usable CUDA device; skipped, with the reason, elsewhere')


def pytest_collection_modifyitems(config, items):
    if CUDA_UNAVAILABLE is None:
        return
    skip = pytest.mark.skip(reason='CUDA is not usable here: ' + CUDA_UNAVAILABLE)
    for item in items:
        if item.get_closest_marker('cuda') is not None:
            item.add_marker(skip)


@pytest.fixture
def cuda():
    """The current Device; skips the test (saying why) where CUDA is not usable."""
    if CUDA_UNAVAILABLE is not None:
        pytest.skip('CUDA is not usable here: ' + CUDA_UNAVAILABLE)
    return gpuarray.cuda.Device()


@pytest.fixture
def rng(request):
    """A generator seeded from the test's name: fixed, but different per test."""
    return np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))


def random_array(rng, shape, dtype):
    """Random values spread over the dtype's range (never only zeros/ones)."""
    dtype = np.dtype(dtype)
    if dtype.kind == 'b':
        return rng.random(shape) < 0.5
    if dtype.kind in 'iu':
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)
    if dtype.kind == 'f':
        return (rng.standard_normal(shape) * 100).astype(dtype)
    return (rng.standard_normal(shape) * 100 + 1j * rng.standard_normal(shape) * 100).astype(dtype)


@pytest.fixture
def random(rng):
    """random(shape, dtype): a seeded random NumPy array."""
    return lambda shape, dtype=np.float64: random_array(rng, shape, dtype)
