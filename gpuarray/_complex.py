"""gpuarray._complex - the parts of complex numbers: ``real``, ``imag``,
``angle`` and the ndarray members ``real``, ``imag`` (read and write),
``conj`` and ``conjugate``.

As in NumPy, ``a.real`` and ``a.imag`` of a complex array are views (the
float dtype of the parts, the complex array's strides, the imaginary part
one float further on), so ``a.imag[...] = 0`` or ``a.real += 1`` change
``a``. Of a real array, ``a.real`` is ``a`` itself (a view) and
``a.imag`` new zeros (NumPy's is a read-only zero array; gpuarray has no
read-only arrays).
"""

import numpy

from gpuarray import _core
from gpuarray._arguments import as_device_array as _as_array

__all__ = ['real', 'imag', 'angle']

_ndarray = _core.ndarray



def _part(a, offset):
    """The real (offset 0) or imaginary (offset: half an element) part of
    complex `a` as a view of its memory."""
    part = numpy.dtype('f%d' % (a.itemsize // 2))
    whole = _core.ndarray(a.shape, part, a.data, a.strides)
    # a view of `whole` (not owning memory, base set) at the offset
    return _core._view(whole, a.shape, a.strides, offset)


def _real_of(a):
    if a.dtype.kind == 'c':
        return _part(a, 0)
    return _core._view(a, a.shape, a.strides)


def _imag_of(a):
    if a.dtype.kind == 'c':
        return _part(a, a.itemsize // 2)
    return _core.zeros(a.shape, a.dtype)


def real(val):
    """The real part (a view for complex arrays, `val` itself otherwise)."""
    return _real_of(_as_array(val, 'real'))


def imag(val):
    """The imaginary part (a view for complex arrays, zeros otherwise)."""
    return _imag_of(_as_array(val, 'imag'))


def angle(z, deg=False):
    """The counterclockwise angle from the positive real axis
    (numpy.angle): arctan2(imag, real), in degrees with `deg`."""
    from gpuarray import _ufuncs
    z = _as_array(z, 'angle')
    if z.dtype.kind == 'c':
        a = _ufuncs.arctan2(_part(z, z.itemsize // 2), _part(z, 0))
    else:
        # NumPy: arctan2(0, z), the 0 a Python int (weak): int8 gives float16
        a = _ufuncs.arctan2(0, z)
    if deg:
        _ufuncs.multiply(a, 180 / numpy.pi, out=a)
    return a


def install(ndarray):
    """Give ndarray real, imag (properties one can assign to), conj and
    conjugate."""
    from gpuarray import _ufuncs

    def _get_real(self):
        return _real_of(self)

    def _set_real(self, value):
        _assign_part(_real_of(self), value)

    def _get_imag(self):
        return _imag_of(self)

    def _set_imag(self, value):
        if self.dtype.kind != 'c':
            raise TypeError('array does not have imaginary part to set')
        _assign_part(_part(self, self.itemsize // 2), value)

    def _conj(self):
        """a.conj(): the complex conjugate, elementwise (a copy)."""
        return _ufuncs.conjugate(self)

    def _conjugate(self):
        """a.conjugate(): the complex conjugate, elementwise (a copy)."""
        return _ufuncs.conjugate(self)

    ndarray.real = property(_get_real, _set_real, doc='The real part (a view).')
    ndarray.imag = property(_get_imag, _set_imag,
                            doc='The imaginary part (a view of a complex array).')
    ndarray.conj = _conj
    ndarray.conjugate = _conjugate


def _assign_part(dst, value):
    if isinstance(value, _ndarray) and value.dtype.kind == 'c' and dst.dtype.kind != 'c':
        value = _real_of(value)      # NumPy casts complex to real (with a warning)
    dst[...] = value


def real_if_close(a, tol=100):
    """`a`'s real part where every imaginary part is within `tol` machine
    epsilons of zero (tol > 1), or within `tol` itself (tol <= 1), else `a`
    (numpy.real_if_close: the real part is a view; one bool read back)."""
    from gpuarray import _reduction, _ufuncs
    a = _as_array(a, 'real_if_close')
    if a.dtype.kind != 'c':
        return a
    if tol > 1:
        tol = numpy.finfo(a.dtype).eps * tol
    if bool(_reduction.all(_ufuncs.absolute(imag(a)) < tol).get()):
        return real(a)
    return a
