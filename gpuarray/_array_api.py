"""gpuarray._array_api - the Array API standard (2023.12) on gpuarray.

The main namespace is the standard's namespace, NumPy-2 style (as NumPy 2
and CuPy 14 do it): ``g.__array_namespace__()`` returns the ``gpuarray``
module itself, which holds every name of the standard's main namespace
(``concat``, ``permute_dims``, ``acos``, ``unique_values``, ...) beside
NumPy's. This file adds what belongs to the standard alone: the version,
``__array_namespace_info__``, ``broadcast_shapes``, and the array's
``__array_namespace__`` and ``to_device``; ``ndarray.device`` is the same
``gpuarray.cuda.Device`` object that CuPy code uses."""

import numpy

from gpuarray import _core

__array_api_version__ = '2023.12'
# The versions whose main namespace gpuarray's covers (each later one adds
# names to the one before).
_SUPPORTED_VERSIONS = ('2021.12', '2022.12', '2023.12')

_Device = _core.Device
# The standard's name for it: gpuarray.Device is gpuarray.cuda.Device.
Device = _Device


def _namespace(self, /, *, api_version=None):
    """The Array API namespace of the array: the gpuarray module."""
    if api_version is not None and api_version not in _SUPPORTED_VERSIONS:
        raise ValueError('gpuarray implements the Array API versions {}; {!r} was asked for'
                         .format(', '.join(_SUPPORTED_VERSIONS), api_version))
    import gpuarray
    return gpuarray


def _to_device(self, device, /, *, stream=None):
    """A copy of the array on `device` (a gpuarray.cuda.Device or its
    ordinal), or the array itself where it is already there. With `stream`,
    the copy runs on that stream (of the target device)."""
    target = _as_device(device, 'to_device')
    if target == self.device:
        return self
    with target:
        if stream is None:
            return _core.asarray(self)
        with stream:
            return _core.asarray(self)


def _as_device(device, what):
    if isinstance(device, _Device):
        return device
    if isinstance(device, int) and not isinstance(device, bool):
        return _Device(device)
    raise TypeError('{}: device must be a gpuarray.cuda.Device (as ndarray.device gives), '
                    'not {!r}'.format(what, device))


def broadcast_shapes(*shapes):
    """The shape that arrays of the given shapes broadcast to (NumPy's
    rules; ValueError naming the shapes where they do not)."""
    return numpy.broadcast_shapes(*shapes)


class _NamespaceInfo:
    """What ``gpuarray.__array_namespace_info__()`` returns: the Array API's
    inspection functions (2023.12)."""

    __module__ = 'gpuarray'

    def capabilities(self):
        # boolean indexing and nonzero/unique give data-dependent shapes
        return {'boolean indexing': True, 'data-dependent shapes': True,
                'max dimensions': _core.MAX_NDIM}

    def default_device(self):
        return _Device()

    def devices(self):
        from gpuarray.cuda import runtime
        return [_Device(i) for i in range(runtime.getDeviceCount())]

    def default_dtypes(self, *, device=None):
        if device is not None:
            _as_device(device, 'default_dtypes')
        return {'real floating': numpy.dtype(numpy.float64),
                'complex floating': numpy.dtype(numpy.complex128),
                'integral': numpy.dtype(numpy.int64),
                'indexing': numpy.dtype(numpy.int64)}

    _KINDS = {
        'bool': ('bool',),
        'signed integer': ('int8', 'int16', 'int32', 'int64'),
        'unsigned integer': ('uint8', 'uint16', 'uint32', 'uint64'),
        'real floating': ('float32', 'float64'),
        'complex floating': ('complex64', 'complex128'),
    }
    _KINDS['integral'] = _KINDS['signed integer'] + _KINDS['unsigned integer']
    _KINDS['numeric'] = _KINDS['integral'] + _KINDS['real floating'] + _KINDS['complex floating']

    def dtypes(self, *, device=None, kind=None):
        if device is not None:
            _as_device(device, 'dtypes')
        if kind is None:
            names = ('bool',) + self._KINDS['numeric']
        else:
            kinds = kind if isinstance(kind, tuple) else (kind,)
            names = []
            for k in kinds:
                if k not in self._KINDS:
                    raise ValueError('dtypes: unknown kind {!r} (one of {})'.format(
                        k, ', '.join(sorted(self._KINDS))))
                names.extend(n for n in self._KINDS[k] if n not in names)
        return {n: numpy.dtype(n) for n in names}


def __array_namespace_info__():
    """The Array API's inspection namespace for gpuarray."""
    return _NamespaceInfo()


def install(ndarray):
    ndarray.__array_namespace__ = _namespace
    ndarray.to_device = _to_device
