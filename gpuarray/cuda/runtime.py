"""gpuarray.cuda.runtime - the CUDA runtime calls CuPy programs use, over
gpuarray's core (which talks to the driver API: there is no runtime library
underneath, so the "runtime" version reported is the driver's)."""

from gpuarray import _core

#: CuPy's name for errors from these calls; here they come from the driver.
CUDARuntimeError = _core.CUDADriverError



def __getattr__(name):
    # is_hip (CuPy's name): True when the active backend is HIP, where the
    # gpuarray.cuda.* names run on AMD GPUs as they do in CuPy on ROCm.
    # Looked up on first use, so importing this module starts no backend.
    if name == 'is_hip':
        try:
            return _core.config().get('backend') == 'hip'
        except Exception:
            return False
    raise AttributeError('module %r has no attribute %r' % (__name__, name))


def getDeviceCount():
    """Number of CUDA devices; CUDAUnavailableError (saying why) without CUDA."""
    return _core.get_device_count()


def getDevice():
    """Ordinal of the calling thread's current device."""
    return _core.get_device_id()


def setDevice(device):
    """Make `device` the calling thread's current device."""
    _core.set_device_id(device)


def deviceSynchronize():
    """Wait for all work on the current device."""
    _core.Device().synchronize()


def memGetInfo():
    """(free, total) bytes of the current device."""
    return _core.Device().mem_info


def deviceCanAccessPeer(device, peerDevice):
    """1 when `device` can address `peerDevice`'s memory directly (peer to
    peer), else 0; 0 for a device and itself, as in CUDA."""
    return _core.device_can_access_peer(device, peerDevice)


def deviceGetAttribute(attrib, device):
    """One device attribute by its cudaDeviceAttr number."""
    return _core.device_attribute(device, attrib)


def driverGetVersion():
    """The driver's CUDA version, e.g. 13000 for 13.0."""
    _core.get_device_count()   # raises, saying why, where there is no driver
    return _core.config()['driver_version']


runtimeGetVersion = driverGetVersion


def getDeviceProperties(device):
    """A dict like cudaGetDeviceProperties' (CuPy's keys, the common subset)."""
    d = _core.Device(device)
    a = d.attributes
    free, total = d.mem_info
    return {
        'name': a['Name'],
        'totalGlobalMem': total,
        'sharedMemPerBlock': a.get('MaxSharedMemoryPerBlock', 0),
        'regsPerBlock': a.get('MaxRegistersPerBlock', 0),
        'warpSize': a.get('WarpSize', 0),
        'maxThreadsPerBlock': a.get('MaxThreadsPerBlock', 0),
        'maxThreadsDim': (a.get('MaxBlockDimX', 0), a.get('MaxBlockDimY', 0), a.get('MaxBlockDimZ', 0)),
        'maxGridSize': (a.get('MaxGridDimX', 0), a.get('MaxGridDimY', 0), a.get('MaxGridDimZ', 0)),
        'clockRate': a.get('ClockRate', 0),
        'totalConstMem': a.get('TotalConstantMemory', 0),
        'major': a.get('ComputeCapabilityMajor', 0),
        'minor': a.get('ComputeCapabilityMinor', 0),
        'multiProcessorCount': a.get('MultiProcessorCount', 0),
        'l2CacheSize': a.get('L2CacheSize', 0),
        'maxThreadsPerMultiProcessor': a.get('MaxThreadsPerMultiProcessor', 0),
        'sharedMemPerMultiprocessor': a.get('MaxSharedMemoryPerMultiprocessor', 0),
        'sharedMemPerBlockOptin': a.get('MaxSharedMemoryPerBlockOptin', 0),
        'memoryClockRate': a.get('MemoryClockRate', 0),
        'memoryBusWidth': a.get('GlobalMemoryBusWidth', 0),
        'computeMode': a.get('ComputeMode', 0),
        'concurrentKernels': a.get('ConcurrentKernels', 0),
        'pciBusID': a.get('PciBusId', 0),
        'pciDeviceID': a.get('PciDeviceId', 0),
        'pciDomainID': a.get('PciDomainId', 0),
        'integrated': a.get('Integrated', 0),
        'canMapHostMemory': a.get('CanMapHostMemory', 0),
        'ECCEnabled': a.get('EccEnabled', 0),
        'unifiedAddressing': a.get('UnifiedAddressing', 0),
        'managedMemory': a.get('ManagedMemory', 0),
        'asyncEngineCount': a.get('AsyncEngineCount', 0),
    }
