"""Zero-copy interop: DLPack both ways (NumPy on the host backend, CuPy and
PyTorch on CUDA), __cuda_array_interface__ consumed by gpuarray.asarray and
exported on CUDA only, and lifetimes: the producer's memory stays alive
while a consumer holds it."""
import gc
import importlib

import numpy as np
import pytest

import gpuarray as cp
from conftest import BACKEND

pytestmark = pytest.mark.device

RNG = np.random.default_rng(77)


def optional(name):
    try:
        return importlib.import_module(name)
    except Exception as e:  # not installed, or broken: skip with why
        return pytest.skip('%s is not importable here (%s)' % (name, e), allow_module_level=False)


def cuda_backend_or_skip(what):
    if BACKEND != 'cuda':
        pytest.skip('%s needs the CUDA backend; the active backend is %s' % (what, BACKEND))


# ------------------------------------------------------------ DLPack, NumPy

def test_dlpack_device_says_which_backend():
    g = cp.arange(4, dtype=np.float32)
    if BACKEND == 'cuda':
        assert g.__dlpack_device__() == (2, g.device.id)
    else:
        assert g.__dlpack_device__() == (1, 0)


@pytest.mark.parametrize('dtype', ['float32', 'float64', 'int8', 'uint16', 'int64', 'bool', 'complex64',
                                   'float16'])
def test_numpy_views_gpuarray_memory_on_host_backend(dtype):
    if BACKEND != 'host':
        pytest.skip('NumPy reads kDLCPU memory only: needs the host backend, not %s' % BACKEND)
    h = (RNG.standard_normal((3, 5)) * 10).astype(dtype)
    g = cp.asarray(h)
    n = np.from_dlpack(g)
    np.testing.assert_array_equal(n, h)
    assert n.ctypes.data == g.data.ptr        # zero-copy
    g.fill(1)
    np.testing.assert_array_equal(n, np.ones_like(h))


def test_numpy_round_trip_keeps_strides_and_lifetime():
    if BACKEND != 'host':
        pytest.skip('needs the host backend (kDLCPU), not %s' % BACKEND)
    h = RNG.standard_normal((6, 8))
    g = cp.asarray(h)[::2, 1::3]
    n = np.from_dlpack(g)
    np.testing.assert_array_equal(n, h[::2, 1::3])
    del g
    gc.collect()
    np.testing.assert_array_equal(n, h[::2, 1::3])   # the capsule kept the array alive
    back = cp.from_dlpack(n)
    np.testing.assert_array_equal(back.get(), h[::2, 1::3])


def test_from_dlpack_of_numpy_on_host_backend_is_zero_copy_and_keeps_producer():
    if BACKEND != 'host':
        pytest.skip('needs the host backend (kDLCPU), not %s' % BACKEND)
    h = RNG.standard_normal((4, 3)).astype(np.float32)
    expected = h.copy()
    g = cp.from_dlpack(h)
    assert g.data.ptr == h.ctypes.data
    del h
    gc.collect()
    np.testing.assert_array_equal(g.get(), expected)
    np.testing.assert_allclose((g * 2).get(), expected * 2)


def test_versioned_and_legacy_capsules():
    g = cp.arange(6, dtype=np.int32)
    legacy = g.__dlpack__()
    assert 'dltensor' in repr(legacy) and 'versioned' not in repr(legacy)
    versioned = g.__dlpack__(max_version=(1, 0))
    assert 'dltensor_versioned' in repr(versioned)
    for cap in (legacy, versioned):
        v = cp.from_dlpack(cap)
        np.testing.assert_array_equal(v.get(), np.arange(6, dtype=np.int32))
    with pytest.raises(ValueError, match='consumed only once'):
        cp.from_dlpack(legacy)


def test_unconsumed_capsule_releases_the_array():
    import weakref
    g = cp.arange(3, dtype=np.float64)
    ref = weakref.ref(g)
    cap = g.__dlpack__(max_version=(1, 0))
    del g
    gc.collect()
    assert ref() is not None       # the capsule holds it
    del cap
    gc.collect()
    assert ref() is None


def test_dlpack_copy_and_wrong_device():
    g = cp.arange(5, dtype=np.float32)
    c = cp.from_dlpack(g.__dlpack__(copy=True, max_version=(1, 0)))
    assert c.data.ptr != g.data.ptr
    np.testing.assert_array_equal(c.get(), g.get())
    with pytest.raises(BufferError):
        g.__dlpack__(dl_device=(99, 0))


# ------------------------------------------------ __cuda_array_interface__

def test_cuda_array_interface_export_only_on_cuda():
    g = cp.arange(4, dtype=np.float32)
    if BACKEND == 'cuda':
        cai = g.__cuda_array_interface__
        assert cai['version'] == 3 and cai['data'][0] == g.data.ptr
    else:
        assert not hasattr(g, '__cuda_array_interface__')


class Producer:
    """A minimal CAI v3 object over memory of a gpuarray array (what CuPy
    or numba would hand us)."""

    def __init__(self, arr, stream=None, strides=None, shape=None):
        self.arr = arr
        self.__cuda_array_interface__ = {
            'shape': shape if shape is not None else arr.shape, 'typestr': arr.dtype.str,
            'data': (arr.data.ptr, False), 'version': 3, 'strides': strides, 'stream': stream,
        }


def test_asarray_of_cai_object_is_a_zero_copy_view_that_keeps_the_owner():
    h = RNG.standard_normal((4, 6)).astype(np.float32)
    g = cp.asarray(h)
    p = Producer(g, stream=1)
    del g
    v = cp.asarray(p)
    assert v.data.ptr == p.arr.data.ptr
    del p
    gc.collect()
    np.testing.assert_array_equal(v.get(), h)   # the view keeps the producer alive


def test_asarray_of_strided_cai_object():
    h = RNG.standard_normal((4, 6))
    g = cp.asarray(h)
    v = cp.asarray(Producer(g, strides=(8, 48), shape=(6, 4)))   # a transposed view
    np.testing.assert_array_equal(v.get(), h.T)
    w = cp.asarray(Producer(g), dtype=np.float32)                # cast = a copy
    np.testing.assert_allclose(w.get(), h.astype(np.float32))


# ---------------------------------------------------------- CuPy, PyTorch

def test_cupy_sees_gpuarray_memory_without_copy():
    cuda_backend_or_skip('CuPy interop')
    cupy = optional('cupy')
    h = RNG.standard_normal((5, 7)).astype(np.float32)
    g = cp.asarray(h)
    c = cupy.asarray(g)
    assert c.data.ptr == g.data.ptr
    np.testing.assert_array_equal(cupy.asnumpy(c), h)
    d = cupy.from_dlpack(g)
    assert d.data.ptr == g.data.ptr


def test_gpuarray_sees_cupy_memory_without_copy_and_keeps_it_alive():
    cuda_backend_or_skip('CuPy interop')
    cupy = optional('cupy')
    h = RNG.standard_normal((64, 33))
    c = cupy.asarray(h)
    ptr = c.data.ptr
    g = cp.asarray(c)
    assert g.data.ptr == ptr
    d = cp.from_dlpack(cupy.asarray(h))
    del c
    gc.collect()
    cupy.get_default_memory_pool().free_all_blocks()
    cupy.empty((64, 33)).fill(-1)     # would reuse freed memory
    np.testing.assert_array_equal(g.get(), h)
    np.testing.assert_array_equal(d.get(), h)


def test_torch_from_dlpack_sees_gpuarray_memory():
    cuda_backend_or_skip('PyTorch interop')
    torch = optional('torch')
    if not torch.cuda.is_available():
        pytest.skip('torch has no CUDA here')
    h = RNG.standard_normal((3, 8)).astype(np.float32)
    g = cp.asarray(h)
    t = torch.from_dlpack(g)
    assert t.data_ptr() == g.data.ptr
    del g
    gc.collect()
    np.testing.assert_array_equal(t.cpu().numpy(), h)


def test_gpuarray_sees_torch_memory_without_copy_and_keeps_it_alive():
    cuda_backend_or_skip('PyTorch interop')
    torch = optional('torch')
    if not torch.cuda.is_available():
        pytest.skip('torch has no CUDA here')
    h = RNG.standard_normal((16, 9)).astype(np.float32)
    t = torch.from_numpy(h).cuda()
    g = cp.asarray(t)
    assert g.data.ptr == t.data_ptr()
    d = cp.from_dlpack(torch.from_numpy(h).cuda())
    del t
    gc.collect()
    torch.cuda.empty_cache()
    torch.full((16, 9), -1.0, device='cuda')
    np.testing.assert_array_equal(g.get(), h)
    np.testing.assert_array_equal(d.get(), h)


def test_cai_import_asks_the_driver_which_device():
    cuda_backend_or_skip('the CUDA driver\'s pointer attributes')
    g = cp.arange(8, dtype=np.float32)
    assert cp._core._pointer_device(g.data.ptr) == g.device.id
    assert cp._core._pointer_device(g.data.ptr + 12) == g.device.id   # inside the block
    h = np.zeros(4)
    assert cp._core._pointer_device(h.ctypes.data) is None             # pageable host memory
    v = cp.asarray(Producer(g))
    assert v.device.id == g.device.id
    if cp.cuda.runtime.getDeviceCount() > 1:
        with cp.cuda.Device(1):
            g1 = cp.arange(8, dtype=np.float32)
        v1 = cp.asarray(Producer(g1))          # the current device is 0
        assert v1.device.id == 1
        np.testing.assert_array_equal(v1.get(), np.arange(8, dtype=np.float32))


def test_pointer_device_on_the_host_backend_cannot_tell():
    if BACKEND == 'cuda':
        pytest.skip('the host backend\'s answer (its devices share one memory)')
    assert cp._core._pointer_device(cp.arange(4).data.ptr) is None
