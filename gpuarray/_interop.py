"""gpuarray._interop - zero-copy exchange with CuPy, PyTorch, NumPy and any
DLPack or CUDA Array Interface (CAI) user.

- ``gpuarray.from_dlpack(x)``: ``x`` has ``__dlpack__`` (a CuPy array, a
  torch tensor, a NumPy array on the host backend) or is a DLPack capsule.
  The result views the producer's memory; the producer's deleter runs when
  the last gpuarray view goes. On CUDA the producer is asked to order its
  work before gpuarray's current stream (``stream=`` per the spec).
- ``gpuarray.asarray(x)`` with ``x.__cuda_array_interface__`` (v2/v3):
  a view kept alive by a reference to ``x``. A ``stream`` key makes the
  current stream wait for that stream (an event; nothing blocks).
- ``ndarray.__dlpack__`` / ``__dlpack_device__`` (csrc/python/interop.c):
  (2, id) = kDLCUDA on the CUDA backend, (1, 0) = kDLCPU on the host
  backend, where ``numpy.from_dlpack(g)`` views the array without a copy.
- ``ndarray.__cuda_array_interface__`` (v3, with the current stream) exists
  on the CUDA backend only: on the host backend the memory is not CUDA
  memory and the attribute raises AttributeError (so ``hasattr`` is False).
"""

import numpy

from gpuarray import _core

__all__ = ['from_dlpack']

_kDLCPU, _kDLCUDA = 1, 2


def _consumer_stream():
    """The stream a producer must order its work before: ours."""
    from gpuarray import cuda
    s = cuda.get_current_stream()
    ptr = getattr(s, 'ptr', 0)
    return ptr if ptr else 1    # 1 = the legacy default stream


def from_dlpack(x, *, device=None, copy=None):
    """A gpuarray.ndarray viewing ``x``'s memory (Array API / CuPy name)."""
    if type(x).__name__ == 'PyCapsule':
        return _core._from_dlpack_capsule(x)
    if not hasattr(x, '__dlpack__'):
        raise TypeError('from_dlpack: %s has no __dlpack__' % type(x).__name__)
    on_cuda = _core.config()['backend'] == 'cuda'
    dev = x.__dlpack_device__() if hasattr(x, '__dlpack_device__') else None
    kwargs = {}
    if on_cuda and dev is not None and int(dev[0]) == _kDLCUDA:
        kwargs['stream'] = _consumer_stream()
    try:
        cap = x.__dlpack__(max_version=(1, 0), **kwargs)
    except TypeError:           # a producer from before DLPack 1.0
        cap = x.__dlpack__(**kwargs)
    r = _core._from_dlpack_capsule(cap)
    if copy:
        r = r.copy()
    return r


def _from_cuda_array_interface(obj):
    """asarray's view of an object with ``__cuda_array_interface__``."""
    cai = obj.__cuda_array_interface__
    version = cai.get('version', 0)
    if version < 2 and 'strides' not in cai:
        raise ValueError('__cuda_array_interface__: version %r is not supported' % (version,))
    if cai.get('mask') is not None:
        raise NotImplementedError('__cuda_array_interface__: masked arrays are not supported')
    shape = tuple(int(d) for d in cai['shape'])
    dtype = numpy.dtype(cai['typestr'])
    if not dtype.isnative:
        raise TypeError('__cuda_array_interface__: byte order of %r is not native' % cai['typestr'])
    ptr, _readonly = cai['data']
    strides = cai.get('strides')
    if strides is not None:
        strides = tuple(int(s) for s in strides)
    stream = cai.get('stream')
    if stream is not None:
        _core._stream_wait_foreign(stream)
    # The interface does not say which device: the driver does, for the
    # pointer (the current device where it cannot tell, e.g. a null pointer
    # of an empty array or the host backend).
    device_id = _core._pointer_device(int(ptr)) if ptr else None
    if device_id is None:
        from gpuarray import cuda
        device_id = cuda.Device().id
    return _core._foreign_array(int(ptr or 0), shape, strides, dtype, obj, device_id)
