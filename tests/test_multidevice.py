"""Several devices: `with Device(i)` allocates and launches on device i,
arrays remember their device, copies between devices agree with NumPy,
and mixing devices in one kernel, or an event and a stream of different
devices, is a clear error. Runs on every backend with two or more devices
(the host backend presents two: conftest sets GPUARRAY_HOST_DEVICES=2)."""
import numpy as np
import pytest

import gpuarray as cp
from gpuarray import cuda

from conftest import UNAVAILABLE


def _device_count():
    if UNAVAILABLE:
        return 0
    try:
        return cuda.runtime.getDeviceCount()
    except Exception:
        return 0


pytestmark = [
    pytest.mark.device,
    pytest.mark.skipif(_device_count() < 2,
                       reason='needs 2 devices, this backend has %d' % _device_count()),
]

SCALE = r'''
extern "C" __global__ void scale(float* x, int n, float a) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) x[i] *= a;
}
'''


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


def test_device_context_allocates_on_that_device_and_restores(rng):
    assert cuda.runtime.getDevice() == 0
    with cuda.Device(1):
        assert cuda.runtime.getDevice() == 1
        a = cp.asarray(rng.standard_normal(100).astype(np.float32))
        z = cp.zeros((3, 4))
        with cuda.Device(0):
            b = cp.empty(5)
        c = cp.arange(7)
    assert cuda.runtime.getDevice() == 0
    assert a.device.id == 1 and z.device.id == 1 and c.device.id == 1
    assert b.device.id == 0
    assert cp.empty(3).device == cuda.Device(0)


def test_kernel_runs_on_the_device_of_the_current_context(rng):
    k = cp.RawKernel(SCALE, 'scale')
    h = rng.standard_normal(1000).astype(np.float32)
    with cuda.Device(1):
        x = cp.asarray(h)
        k(((h.size + 127) // 128,), (128,), (x, np.int32(h.size), 3.0))
        got = x.get()
    y = cp.asarray(h)
    k(((h.size + 127) // 128,), (128,), (y, np.int32(h.size), -2.0))
    np.testing.assert_allclose(got, h * 3.0, rtol=1e-6)
    np.testing.assert_allclose(y.get(), h * -2.0, rtol=1e-6)


def test_launch_with_an_array_of_another_device_is_a_value_error():
    k = cp.RawKernel(SCALE, 'scale')
    x0 = cp.ones(16, dtype=np.float32)
    with cuda.Device(1):
        with pytest.raises(ValueError, match='device 0.*device 1'):
            k((1,), (16,), (x0, np.int32(16), 2.0))
    np.testing.assert_array_equal(x0.get(), np.ones(16, np.float32))


def test_elementwise_on_mixed_devices_is_a_value_error():
    x0 = cp.arange(10, dtype=np.float32)
    with cuda.Device(1):
        y1 = cp.arange(10, dtype=np.float32)
        with pytest.raises(ValueError, match='device'):
            x0 + y1
        with pytest.raises(ValueError, match='device'):
            x0.sum()
    with pytest.raises(ValueError, match='device'):
        x0 + y1


@pytest.mark.parametrize('dtype', [np.float32, np.float64, np.int32, np.uint8, np.complex64])
def test_copy_under_another_device_lands_there(rng, dtype):
    h = (rng.standard_normal((37, 29)) * 100).astype(dtype)
    a = cp.asarray(h)
    with cuda.Device(1):
        for b in (a.copy(), cp.asarray(a), cp.array(a)):
            assert b.device.id == 1
            np.testing.assert_array_equal(b.get(), h)
    assert a.device.id == 0
    np.testing.assert_array_equal(a.get(), h)


def test_asarray_on_the_same_device_is_the_same_array():
    a = cp.arange(5)
    assert cp.asarray(a) is a
    with cuda.Device(1):
        b = cp.asarray(a)
        assert b is not a and cp.asarray(b) is b


def test_copies_of_strided_and_fortran_arrays_between_devices(rng):
    h = rng.standard_normal((40, 30)).astype(np.float32)
    a = cp.asarray(h)
    view = a[::3, 1::2]
    f = cp.asarray(np.asfortranarray(h))
    with cuda.Device(1):
        b = view.copy()
        c = f.copy(order='K')
        d = cp.asarray(a, dtype=np.float64)
    assert b.device.id == 1 and c.device.id == 1 and d.device.id == 1
    np.testing.assert_array_equal(b.get(), h[::3, 1::2])
    np.testing.assert_array_equal(c.get(), h)
    assert c.flags.f_contiguous
    np.testing.assert_array_equal(d.get(), h.astype(np.float64))


def test_copy_sees_pending_work_on_the_source_device(rng):
    """No synchronization by the user: the copy waits for device 0's kernels."""
    k = cp.RawKernel(SCALE, 'scale')
    h = rng.standard_normal(1 << 18).astype(np.float32)
    a = cp.asarray(h)
    n = np.int32(h.size)
    for _ in range(5):
        k(((h.size + 255) // 256,), (256,), (a, n, 1.5))
    with cuda.Device(1):
        b = a.copy()
    del a   # freeing the source right away must not disturb the copy
    np.testing.assert_allclose(b.get(), h * np.float32(1.5) ** 5, rtol=1e-5)


def test_round_trip_between_devices_on_streams(rng):
    h = rng.standard_normal(100003).astype(np.float32)
    s0 = cuda.Stream(non_blocking=True)
    a = cp.asarray(h)
    with cuda.Device(1):
        s1 = cuda.Stream()
        with s1:
            b = a.copy()
            b *= 2
    with s0:
        c = b.copy()
    s0.synchronize()
    assert c.device.id == 0
    np.testing.assert_allclose(c.get(), h * 2, rtol=1e-6)


def test_get_set_fill_and_item_work_whatever_the_current_device(rng):
    h = rng.standard_normal(50).astype(np.float32)
    a = cp.asarray(h)
    with cuda.Device(1):
        with cuda.Stream():
            np.testing.assert_array_equal(a.get(), h)
            np.testing.assert_array_equal(cp.asnumpy(a), h)
            assert float(a[3]) == float(h[3])
            a.set(h[::-1].copy())
            np.testing.assert_array_equal(a.get(), h[::-1])
            a.fill(2.5)
    np.testing.assert_array_equal(a.get(), np.full(50, 2.5, np.float32))


def test_get_with_a_stream_of_another_device_is_a_value_error():
    a = cp.arange(4)
    with cuda.Device(1):
        s1 = cuda.Stream()
    with pytest.raises(ValueError, match='stream belongs to device 1'):
        a.get(stream=s1)


def test_a_stream_runs_on_its_own_device_under_another_current_device(rng):
    k = cp.RawKernel(SCALE, 'scale')
    h = rng.standard_normal(300).astype(np.float32)
    with cuda.Device(1):
        s1 = cuda.Stream()
        x1 = cp.asarray(h)
    with cuda.Device(0):
        k((3,), (128,), (x1, np.int32(300), 4.0), stream=s1)
        with s1:
            k((3,), (128,), (x1, np.int32(300), 0.5))
    s1.synchronize()
    np.testing.assert_allclose(x1.get(), h * 2.0, rtol=1e-6)


def test_event_of_one_device_on_a_stream_of_another_is_an_error():
    e0 = cuda.Event()
    with cuda.Device(1):
        s1 = cuda.Stream()
    with pytest.raises(ValueError, match='device 0.*device 1'):
        e0.record(s1)


def test_events_order_streams_across_devices(rng):
    k = cp.RawKernel(SCALE, 'scale')
    h = rng.standard_normal(1 << 16).astype(np.float32)
    s0 = cuda.Stream()
    with s0:
        a = cp.asarray(h)
        k((256,), (256,), (a, np.int32(h.size), 3.0))
        e0 = s0.record()
    with cuda.Device(1):
        s1 = cuda.Stream(non_blocking=True)
        s1.wait_event(e0)
        e1 = s1.record()
    e1.synchronize()
    assert e0.done
    np.testing.assert_allclose(a.get(), h * 3, rtol=1e-6)


def test_peer_access_queries():
    can = cuda.runtime.deviceCanAccessPeer(0, 1)
    assert can in (0, 1)
    assert cuda.runtime.deviceCanAccessPeer(1, 0) in (0, 1)
    assert cuda.runtime.deviceCanAccessPeer(0, 0) == 0
    assert cuda.Device(0).can_access_peer(1) == bool(can)
    assert cuda.Device(0).can_access_peer(cuda.Device(1)) == bool(can)
    with pytest.raises(ValueError):
        cuda.runtime.deviceCanAccessPeer(0, 99)


def test_kernels_compiled_once_per_device(rng):
    k = cp.RawKernel(SCALE, 'scale')
    xs = []
    for dev in (0, 1, 0, 1):
        with cuda.Device(dev):
            x = cp.asarray(np.arange(64, dtype=np.float32))
            k((1,), (64,), (x, np.int32(64), float(dev + 2)))
            xs.append((dev, x))
    for dev, x in xs:
        assert x.device.id == dev
        np.testing.assert_array_equal(x.get(), np.arange(64, dtype=np.float32) * (dev + 2))
