"""gpuarray._broadcasting - arrays seen with more dimensions, without copies:
``broadcast_to``, ``broadcast_arrays``, the ``broadcast`` object, and
``atleast_1d/2d/3d``.

All of them return views (``_core._view``: same memory, stride 0 along a
broadcast axis), as NumPy's do. NumPy marks broadcast views read-only;
gpuarray has no read-only arrays, so writing through one writes the one
element every broadcast position shares (as in CuPy).
"""

import operator

from gpuarray import _core
from gpuarray import _elementwise as _ew
from gpuarray._manipulation import _device_arrays

__all__ = ['broadcast_to', 'broadcast_arrays', 'broadcast', 'atleast_1d', 'atleast_2d',
           'atleast_3d']

_ndarray = _core.ndarray
_view = _core._view


def _as_device(x, fname):
    return _device_arrays([x], fname)[0]


def _shape_tuple(shape):
    if isinstance(shape, (tuple, list)):
        return tuple(operator.index(d) for d in shape)
    return (operator.index(shape),)


def _broadcast_view(a, shape):
    """`a` seen with `shape` (already checked to be a broadcast of a.shape)."""
    return _view(a, shape, tuple(_ew.broadcast_strides(shape, a.shape, a.strides)))


def broadcast_to(array, shape, subok=False):
    """`array` broadcast to `shape`: a view (stride 0 along the new and the
    stretched axes). NumPy's ValueErrors when the shapes do not fit."""
    a = _as_device(array, 'broadcast_to')
    shape = _shape_tuple(shape)
    if any(d < 0 for d in shape):
        raise ValueError('all elements of broadcast shape must be non-negative')
    if a.ndim > len(shape):
        raise ValueError('input operand has more dimensions than allowed by the axis remapping')
    off = len(shape) - a.ndim
    for i, d in enumerate(a.shape):
        if d != 1 and d != shape[off + i]:
            raise ValueError('operands could not be broadcast together with remapped shapes '
                             '[original->remapped]: {}  and requested shape {}'.format(
                                 _ew.shape_text(a.shape), _ew.shape_text(shape)))
    return _broadcast_view(a, shape)


def _common_shape(arrays):
    """The broadcast shape of `arrays`, or NumPy's ValueError naming the
    first pair that does not broadcast."""
    try:
        return _ew.broadcast_shapes([a.shape for a in arrays]) if arrays else ()
    except ValueError:
        pass
    shape = ()
    for k, a in enumerate(arrays):
        try:
            shape = _ew.broadcast_shapes([shape, a.shape])
        except ValueError:
            first = next(j for j in range(k) if not _fits(arrays[j].shape, a.shape))
            raise ValueError('shape mismatch: objects cannot be broadcast to a single shape.  '
                             'Mismatch is between arg {} with shape {} and arg {} with shape '
                             '{}.'.format(first, _shape_repr(arrays[first].shape), k,
                                          _shape_repr(a.shape))) from None
    return shape


def _fits(s, t):
    try:
        _ew.broadcast_shapes([s, t])
        return True
    except ValueError:
        return False


def _shape_repr(shape):
    return repr(tuple(shape))


def broadcast_arrays(*args, subok=False):
    """The arguments broadcast to their common shape, as a tuple of views
    (the arguments themselves where they have that shape already)."""
    arrays = _device_arrays(args, 'broadcast_arrays')
    shape = _common_shape(arrays)
    return tuple(a if a.shape == shape else _broadcast_view(a, shape) for a in arrays)


class broadcast:
    """The broadcast of the arguments' shapes (numpy.broadcast, as CuPy's):
    ``shape``, ``ndim`` (and ``nd``), ``size``, ``numiter``, and ``values``,
    the arguments broadcast to that shape (views). It does not iterate over
    elements: that would read the device arrays one element at a time."""

    def __init__(self, *arrays):
        arrays = _device_arrays(arrays, 'broadcast')
        if len(arrays) > 64:
            raise ValueError('Need at least 0 and at most 64 array objects.')
        self.shape = _common_shape(arrays)
        self.values = tuple(_broadcast_view(a, self.shape) for a in arrays)

    @property
    def ndim(self):
        return len(self.shape)

    nd = ndim

    @property
    def size(self):
        return _ew.size_of(self.shape)

    @property
    def numiter(self):
        return len(self.values)

    def __repr__(self):
        return '<gpuarray.broadcast shape={}>'.format(self.shape)


def _atleast(arys, ndim, fname):
    out = []
    for x in _device_arrays(arys, fname):
        if x.ndim < ndim:
            if ndim == 3 and x.ndim == 2:
                x = _view(x, x.shape + (1,), x.strides + (x.itemsize,))
            elif ndim == 3 and x.ndim == 1:
                x = _view(x, (1,) + x.shape + (1,), (0,) + x.strides + (x.itemsize,))
            else:
                # leading length-1 axes (0-d: all length 1)
                pad = ndim - x.ndim
                x = _view(x, (1,) * pad + x.shape, (0,) * pad + x.strides)
        out.append(x)
    if len(out) == 1:
        return out[0]
    return tuple(out)


def atleast_1d(*arys):
    """Each argument as an array of at least one dimension (a view); one
    argument gives an array, several a tuple."""
    return _atleast(arys, 1, 'atleast_1d')


def atleast_2d(*arys):
    """Each argument with at least two dimensions: 1-D (N,) becomes (1, N)."""
    return _atleast(arys, 2, 'atleast_2d')


def atleast_3d(*arys):
    """Each argument with at least three dimensions: (N,) becomes (1, N, 1)
    and (M, N) becomes (M, N, 1), as NumPy's."""
    return _atleast(arys, 3, 'atleast_3d')
