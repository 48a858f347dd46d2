"""gpuarray._io - saving, loading and printing device arrays. Each of these
moves data between the device and the host by its nature: arrays are
copied to the host (asnumpy) and handed to NumPy's own writer or printer,
and what NumPy loads is copied to the device, as CuPy's functions of the
same names do. Nothing else in gpuarray converts implicitly."""

import numpy

from gpuarray import _core

_ndarray = _core.ndarray


def _host(a):
    return a.get() if isinstance(a, _ndarray) else a


def save(file, arr, allow_pickle=True):
    """numpy.save of the array's host copy (.npy)."""
    numpy.save(file, _host(arr), allow_pickle=allow_pickle)


def savez(file, *args, **kwds):
    """numpy.savez of the arrays' host copies (.npz)."""
    numpy.savez(file, *[_host(a) for a in args], **{k: _host(v) for k, v in kwds.items()})


def savez_compressed(file, *args, **kwds):
    """numpy.savez_compressed of the arrays' host copies."""
    numpy.savez_compressed(file, *[_host(a) for a in args],
                           **{k: _host(v) for k, v in kwds.items()})


class NpzFile:
    """numpy.load's NpzFile whose items are device arrays (copied on each
    access, as NumPy reads them on each access)."""

    def __init__(self, npz):
        self._npz = npz

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __getitem__(self, key):
        return _core.asarray(self._npz[key])

    def __contains__(self, key):
        return key in self._npz

    def __iter__(self):
        return iter(self._npz)

    def __len__(self):
        return len(self._npz)

    def keys(self):
        return self._npz.keys()

    @property
    def files(self):
        return self._npz.files

    def close(self):
        self._npz.close()


def load(file, mmap_mode=None, allow_pickle=False):
    """numpy.load, with arrays copied to the device: a gpuarray.ndarray for
    .npy, an NpzFile of device arrays for .npz (an object array is refused
    by the device array, as in CuPy)."""
    obj = numpy.load(file, mmap_mode=mmap_mode, allow_pickle=allow_pickle)
    if isinstance(obj, numpy.lib.npyio.NpzFile):
        return NpzFile(obj)
    return _core.asarray(obj)


def savetxt(fname, X, *args, **kwargs):
    """numpy.savetxt of the array's host copy."""
    numpy.savetxt(fname, _host(X), *args, **kwargs)


def array2string(a, *args, **kwargs):
    """numpy.array2string of the array's host copy."""
    return numpy.array2string(_host(a), *args, **kwargs)


def array_repr(arr, *args, **kwargs):
    """numpy.array_repr of the array's host copy."""
    return numpy.array_repr(_host(arr), *args, **kwargs)


def array_str(a, *args, **kwargs):
    """numpy.array_str of the array's host copy."""
    return numpy.array_str(_host(a), *args, **kwargs)


format_float_positional = numpy.format_float_positional
format_float_scientific = numpy.format_float_scientific
