"""gpuarray.cuda.ExternalStream and Stream.from_external: a stream another
library created (PyTorch, CuPy, cuda-python, a C extension), wrapped so
that gpuarray's work can be queued on it: use(), `with`, synchronize(),
record()/wait_event() all work, and gpuarray never destroys it (its
creator must keep it alive while gpuarray uses it, as with CuPy's
ExternalStream). On the host backend a stream pointer names nothing that
could be wrapped: a NotImplementedError says so.
"""

import operator

from gpuarray._core import Stream


def _stream_handle(obj):
    """The CUstream handle of `obj` as an int: an int itself; an object
    with the cuda.core protocol __cuda_stream__() -> (version, handle); a
    torch.cuda.Stream (.cuda_stream); a CuPy or gpuarray stream (.ptr)."""
    if isinstance(obj, int):
        return operator.index(obj)
    proto = getattr(obj, '__cuda_stream__', None)
    if proto is not None:
        value = proto() if callable(proto) else proto
        if isinstance(value, tuple) and len(value) == 2:
            return operator.index(value[1])
    for name in ('cuda_stream', 'ptr', 'handle'):
        value = getattr(obj, name, None)
        if value is not None and not callable(value):
            value = getattr(value, 'value', value)      # numba's ctypes c_void_p handle
            try:
                return operator.index(value)
            except TypeError:
                pass
    raise TypeError('cannot take a CUDA stream handle from {} (an int, an object with '
                    '__cuda_stream__, .cuda_stream as torch.cuda.Stream has, or .ptr as CuPy '
                    "streams have)".format(type(obj).__name__))


class ExternalStream(Stream):
    """ExternalStream(ptr, device_id=-1)

    A CUDA stream created outside gpuarray (`ptr`: its CUstream handle as
    an int, on device `device_id`, -1 = the current device). gpuarray
    queues work on it and never destroys it."""

    def __new__(cls, ptr, device_id=-1):
        return cls._external(operator.index(ptr), device_id)

    def __init__(self, ptr, device_id=-1):
        pass

    def __repr__(self):
        return '<ExternalStream {:#x} (device {})>'.format(self.ptr, self.device_id)


def _from_external(cls, obj, device_id=-1):
    """Stream.from_external(obj_or_ptr, device_id=-1): an ExternalStream
    over another library's stream (torch.cuda.Stream, a CuPy stream, an
    object with __cuda_stream__, or an int handle)."""
    handle = _stream_handle(obj)
    dev = getattr(obj, 'device_id', None) if device_id == -1 else device_id
    if dev is None and device_id == -1:
        torch_dev = getattr(obj, 'device', None)
        dev = getattr(torch_dev, 'index', None)
    return ExternalStream(handle, -1 if dev is None else int(dev))


Stream.from_external = classmethod(_from_external)
