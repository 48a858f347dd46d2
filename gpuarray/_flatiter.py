"""gpuarray._flatiter - ``a.flat``: the array seen as 1-D in C order,
whatever its strides (NumPy's flatiter).

- ``a.flat[i]`` is a 0-d view of the element (a device array, as ``a[i]``
  is: reading its value is ``int()``/``float()``/``.item()``);
  ``a.flat[2:5]``, ``a.flat[[1, 2]]``, ``a.flat[mask]`` and ``a.flat[...]``
  are new 1-D arrays (copies, as NumPy's);
- ``a.flat[key] = v`` writes in place, `v` repeated cyclically over the
  selected positions (NumPy's rule), through ``gpuarray.put``;
- iterating yields the elements as 0-d views in C order (``index`` and
  ``coords`` follow, as NumPy's); ``len()`` is the size.
"""

import operator

import numpy

from gpuarray import _core

__all__ = ['flatiter']

_ndarray = _core.ndarray


class flatiter:
    """The flat (C-order) view of a device array: see the module's docstring."""

    __slots__ = ('_base', '_index')

    def __init__(self, base):
        self._base = base
        self._index = 0

    @property
    def base(self):
        """The array being iterated."""
        return self._base

    @property
    def index(self):
        """The flat position of the next element of the iteration."""
        return self._index

    @property
    def coords(self):
        """The N-d index of the next element of the iteration."""
        return tuple(int(c) for c in numpy.unravel_index(self._index, self._base.shape))

    def __len__(self):
        return self._base.size

    def __iter__(self):
        return self

    def __next__(self):
        if self._index >= self._base.size:
            raise StopIteration
        v = self._element(self._index)
        self._index += 1
        return v

    def __repr__(self):
        return '<gpuarray.flatiter of shape {}>'.format(self._base.shape)

    def copy(self):
        """A 1-D copy of the array (C order)."""
        return self._base.flatten()

    def _element(self, i):
        a = self._base
        if a.ndim == 0:
            return a[()]
        return a[tuple(int(c) for c in numpy.unravel_index(i, a.shape))]

    def _position(self, key):
        n = self._base.size
        i = operator.index(key)
        if not -n <= i < n:
            raise IndexError('index {} is out of bounds for size {}'.format(i, n))
        return i % n

    def __getitem__(self, key):
        if isinstance(key, (int, numpy.integer)) and not isinstance(key, (bool, numpy.bool_)):
            return self._element(self._position(key))
        from gpuarray._manipulation import ravel
        flat = ravel(self._base)
        if key is Ellipsis:
            return flat.copy() if flat.base is not None else flat
        if isinstance(key, tuple):
            if len(key) != 1:
                raise IndexError('unsupported iterator index')
            key = key[0]
        r = flat[key]
        return r.copy() if r.base is not None else r

    def __setitem__(self, key, value):
        from gpuarray._taking import put
        n = self._base.size
        if isinstance(key, tuple):
            if len(key) != 1:
                raise IndexError('unsupported iterator index')
            key = key[0]
        if key is Ellipsis:
            positions = numpy.arange(n, dtype=numpy.int64)
        elif isinstance(key, slice):
            positions = numpy.arange(*key.indices(n), dtype=numpy.int64)
        elif isinstance(key, (int, numpy.integer)) and not isinstance(key, (bool, numpy.bool_)):
            positions = numpy.array([self._position(key)], dtype=numpy.int64)
        elif isinstance(key, _ndarray) and key.dtype.kind == 'b':
            from gpuarray import _indexing
            if key.size != n:
                raise IndexError('boolean index did not match indexed flat array')
            positions = _indexing.nonzero_flat(key)
        elif isinstance(key, _ndarray):
            positions = key
        else:
            positions = numpy.asarray(key)
            if positions.dtype.kind == 'b':
                if positions.size != n:
                    raise IndexError('boolean index did not match indexed flat array')
                positions = numpy.flatnonzero(positions)
        put(self._base, positions, value)
