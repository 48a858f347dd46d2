"""What every test file shares: the markers and fixtures that skip, with
gpuarray's own reason, where no device backend is usable or where a test
needs a CUDA GPU feature the active backend cannot have; and seeded random
data of every dtype gpuarray supports.

The suite runs on whichever backend gpuarray picks (CUDA where a usable GPU
exists, else the host backend; GPUARRAY_BACKEND forces one), so a machine
without a GPU runs nearly all of it:

- `device` (alias: `cuda`, its older name): needs a usable device backend,
  CUDA or host. Skipped only where gpuarray has no backend at all.
- `cuda_only(why)`: needs a CUDA GPU for what `why` says (loading PTX or
  cubin, inline PTX assembly, NVRTC's own options and output, CUDA driver
  error codes, ...). Skipped on the host backend, saying so."""
import os
import zlib

import numpy as np
import pytest

# Two simulated devices on the host backend (before gpuarray starts), so
# that the tests of several devices run there too. CUDA ignores it.
os.environ.setdefault('GPUARRAY_HOST_DEVICES', '2')

import gpuarray  # noqa: E402

#: None where a device backend is usable, else why not (the core's detail).
UNAVAILABLE = gpuarray._core.unavailable_reason()
#: The active backend ('cuda' or 'host'), or None where there is none.
BACKEND = gpuarray.get_backend()
#: Kept for test files written before the host backend existed.
CUDA_UNAVAILABLE = UNAVAILABLE


def pytest_configure(config):
    config.addinivalue_line(
        'markers', 'device: needs a usable device backend (CUDA or host); skipped, with the '
        'reason, where gpuarray has none')
    config.addinivalue_line('markers', 'cuda: the older name of the `device` marker')
    config.addinivalue_line(
        'markers', 'cuda_only(reason): needs a CUDA GPU for `reason`; skipped on other backends')


def pytest_report_header(config):
    return 'gpuarray backend: %s' % (BACKEND or 'none (%s)' % UNAVAILABLE)


def cuda_only_reason(why):
    """The skip reason of a test that needs CUDA for `why`, or None where the
    active backend is CUDA."""
    if BACKEND == 'cuda':
        return None
    return 'needs a CUDA GPU (%s); the active backend is %s' % (why, BACKEND or 'none')


def pytest_collection_modifyitems(config, items):
    for item in items:
        only = item.get_closest_marker('cuda_only')
        if only is not None:
            why = only.args[0] if only.args else only.kwargs.get('reason', 'a CUDA-only feature')
            reason = cuda_only_reason(why)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))
                continue
        if UNAVAILABLE is not None and (item.get_closest_marker('device') is not None or
                                        item.get_closest_marker('cuda') is not None):
            item.add_marker(pytest.mark.skip(reason='no device backend is usable here: ' +
                                             UNAVAILABLE))


def require_cuda(why):
    """Skip the running test unless the active backend is CUDA."""
    reason = cuda_only_reason(why)
    if reason:
        pytest.skip(reason)


def _current_device():
    if UNAVAILABLE is not None:
        pytest.skip('no device backend is usable here: ' + UNAVAILABLE)
    return gpuarray.cuda.Device()


@pytest.fixture
def device():
    """The current Device; skips the test (saying why) where no backend is usable."""
    return _current_device()


@pytest.fixture
def cuda():
    """The older name of the `device` fixture (the device may be the host's)."""
    return _current_device()


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


def assert_matches_numpy(got, expected, rtol=1e-10, atol=1e-12):
    """`got` (a gpuarray array) has NumPy's result's dtype, shape and values:
    floats and complex to rtol/atol (NaN equal to NaN), the rest exactly."""
    import gpuarray
    expected = np.asarray(expected)
    assert isinstance(got, gpuarray.ndarray), type(got)
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    if expected.dtype.kind in 'fc':
        np.testing.assert_allclose(got.get(), expected, rtol=rtol, atol=atol, equal_nan=True)
    else:
        np.testing.assert_array_equal(got.get(), expected)
