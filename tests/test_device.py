"""Devices: gpuarray.cuda.Device, runtime.getDeviceCount and friends, the
per-thread current device, and the attributes the textbook reads."""
import threading

import pytest

import gpuarray as cp

from conftest import BACKEND

pytestmark = pytest.mark.device


def test_device_count_is_a_positive_int():
    n = cp.cuda.runtime.getDeviceCount()
    assert isinstance(n, int) and n >= 1


def test_textbook_device_query_runs(capsys):
    # chapter 7.1, "Python (CuPy) 版", with gpuarray in CuPy's place
    device_count = cp.cuda.runtime.getDeviceCount()
    print(f"Found {device_count} CUDA devices")
    cp.cuda.Device(0).use()
    props = cp.cuda.Device().attributes
    print(f"Device: {props['Name'].decode()}")
    print(f"Compute Capability: {props['ComputeCapabilityMajor']}.{props['ComputeCapabilityMinor']}")
    out = capsys.readouterr().out
    assert 'Found' in out and 'Device: ' + cp.cuda.Device(0).name in out


def test_default_device_is_0():
    assert cp.cuda.Device().id == 0
    assert cp.cuda.runtime.getDevice() == 0


def test_device_identity_and_repr():
    d = cp.cuda.Device(0)
    assert d == cp.cuda.Device(0) and not (d != cp.cuda.Device(0))
    assert hash(d) == hash(cp.cuda.Device(0))
    # the repr names the backend: a host-backend device never calls itself CUDA
    expected = {'cuda': '<CUDA Device 0>', 'host': '<host Device 0>', 'hip': '<HIP Device 0>'}
    assert repr(d) == expected[cp.get_backend()]
    assert d.id == 0 and int(d) == 0
    assert d != 'not a device'


def test_name_compute_capability_and_mem_info():
    d = cp.cuda.Device(0)
    assert isinstance(d.name, str) and d.name
    a = d.attributes
    cc = d.compute_capability
    assert isinstance(cc, str) and cc == '%d%d' % (a['ComputeCapabilityMajor'], a['ComputeCapabilityMinor'])
    free, total = d.mem_info
    assert 0 <= free <= total and total > 0


def test_attributes_use_cupys_names_plus_name():
    a = cp.cuda.Device(0).attributes
    for key in ['MaxThreadsPerBlock', 'MaxBlockDimX', 'MaxBlockDimY', 'MaxBlockDimZ', 'MaxGridDimX',
                'MaxSharedMemoryPerBlock', 'WarpSize', 'MultiProcessorCount']:
        assert isinstance(a[key], int) and a[key] > 0, key
    for key in ['ComputeCapabilityMajor', 'ComputeCapabilityMinor']:
        assert isinstance(a[key], int) and a[key] >= 0, key
    if BACKEND == 'cuda':
        assert a['ComputeCapabilityMajor'] > 0
    else:   # the host backend emulates no CUDA architecture: 0.0
        assert (a['ComputeCapabilityMajor'], a['ComputeCapabilityMinor']) == (0, 0)
    assert isinstance(a['Name'], bytes) and a['Name'].decode() == cp.cuda.Device(0).name
    assert a['MaxBlockDimX'] <= a['MaxThreadsPerBlock']
    assert len(a) > 50    # every attribute the driver knows


def test_runtime_attribute_and_properties_agree_with_attributes():
    a = cp.cuda.Device(0).attributes
    assert cp.cuda.runtime.deviceGetAttribute(1, 0) == a['MaxThreadsPerBlock']
    p = cp.cuda.runtime.getDeviceProperties(0)
    assert p['name'] == a['Name'] and p['major'] == a['ComputeCapabilityMajor']
    assert p['maxThreadsDim'][0] == a['MaxBlockDimX']
    assert p['totalGlobalMem'] == cp.cuda.Device(0).mem_info[1]
    if BACKEND == 'cuda':
        assert cp.cuda.runtime.driverGetVersion() >= 11020
    else:   # no CUDA driver under the host backend
        assert cp.cuda.runtime.driverGetVersion() == 0


def test_use_and_with_restore_the_previous_device():
    n = cp.cuda.runtime.getDeviceCount()
    last = cp.cuda.Device(n - 1)
    with cp.cuda.Device(0):
        assert cp.cuda.Device().id == 0
        with last:
            assert cp.cuda.Device() == last
            with cp.cuda.Device(0):
                assert cp.cuda.Device().id == 0
            assert cp.cuda.Device() == last
        assert cp.cuda.Device().id == 0
    assert cp.cuda.Device().id == 0


def test_with_restores_the_device_after_an_exception():
    n = cp.cuda.runtime.getDeviceCount()
    with pytest.raises(KeyError):
        with cp.cuda.Device(n - 1):
            raise KeyError('inside')
    assert cp.cuda.Device().id == 0


def test_arrays_are_allocated_on_the_current_device():
    n = cp.cuda.runtime.getDeviceCount()
    with cp.cuda.Device(n - 1):
        a = cp.empty(4)
    assert a.device == cp.cuda.Device(n - 1)
    assert cp.empty(4).device == cp.cuda.Device(0)


def test_current_device_is_per_thread():
    n = cp.cuda.runtime.getDeviceCount()
    if n < 2:
        pytest.skip('needs two devices')
    seen = []
    with cp.cuda.Device(1):
        t = threading.Thread(target=lambda: seen.append(cp.cuda.Device().id))
        t.start()
        t.join()
        assert cp.cuda.Device().id == 1
    assert seen == [0]


def test_set_device_and_use():
    n = cp.cuda.runtime.getDeviceCount()
    try:
        cp.cuda.runtime.setDevice(n - 1)
        assert cp.cuda.runtime.getDevice() == n - 1
        cp.cuda.Device(0).use()
        assert cp.cuda.Device().id == 0
    finally:
        cp.cuda.runtime.setDevice(0)


def test_synchronize():
    a = cp.arange(1000, dtype=cp.float32)
    cp.cuda.Device().synchronize()
    cp.cuda.runtime.deviceSynchronize()
    assert float(a[999]) == 999.0


@pytest.mark.parametrize('bad', [-1, 10 ** 6])
def test_bad_ordinals_are_value_errors(bad):
    with pytest.raises(ValueError, match='ordinal'):
        cp.cuda.Device(bad)
    with pytest.raises(ValueError, match='ordinal'):
        cp.cuda.runtime.setDevice(bad)
    assert cp.cuda.Device().id == 0


def test_ordinal_past_the_last_device_is_a_value_error():
    n = cp.cuda.runtime.getDeviceCount()
    with pytest.raises(ValueError, match='%d device' % n):
        cp.cuda.Device(n)


@pytest.mark.parametrize('bad', ['0', 1.5, [0]])
def test_non_integer_ordinals_are_type_errors(bad):
    with pytest.raises(TypeError):
        cp.cuda.Device(bad)


def test_exit_without_enter_is_an_error():
    # a fresh thread has an empty `with` stack
    errors = []

    def body():
        try:
            cp.cuda.Device(0).__exit__(None, None, None)
        except RuntimeError as e:
            errors.append(str(e))
    t = threading.Thread(target=body)
    t.start()
    t.join()
    assert errors and 'without' in errors[0]
