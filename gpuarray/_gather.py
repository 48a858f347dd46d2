"""gpuarray._gather - the axis-mapped gather: the one kernel that moves data
for tile, repeat, pad, roll, resize, take, compress, delete...

``gather(src, axes)`` makes a new C-contiguous array whose element at
(c_0, ..., c_{n-1}) is the element of `src` at byte offset
off_0(c_0) + ... + off_{n-1}(c_{n-1}) from src's first element. Each output
axis has an :class:`Axis` saying how its coordinate becomes an offset:

- arithmetic, ``((c // div + add) % mod) * stride``: :func:`identity`,
  :func:`cyclic` (tile, roll, resize), :func:`stretched` (repeat by a
  constant) - no memory traffic beyond the data;
- a table of byte offsets, one per coordinate: :func:`table` (a device
  int64 array, e.g. take's indices times the stride) or
  :func:`host_table` (computed here from shapes only, e.g. pad's
  reflections; all host tables of one launch go up in one copy). An entry
  ``FILL - k`` writes fill value k instead of reading `src` (pad's
  constants).

`src` may be any view (negative strides too): the offsets are computed
from its strides, so nothing is copied to make it contiguous first. The
kernel (``kernels/gather.cuh``) depends only on the element size and the
number of axes; it moves bytes, so every dtype shares it.
"""

import numpy

from gpuarray import _core
from gpuarray import _elementwise as _ew

__all__ = ['Axis', 'identity', 'cyclic', 'stretched', 'table', 'host_table', 'gather', 'FILL']

_empty = _core.empty
_asarray = _core.asarray

#: Table entries at or below FILL are "fill value FILL - entry" (kernels/gather.cuh).
FILL = -(1 << 62)

#: Consecutive outputs per thread (about 16 bytes of them).
_VEC = {1: 16, 2: 8, 4: 4, 8: 2, 16: 1}
_ELEM = {1: 'unsigned char', 2: 'unsigned short', 4: 'unsigned int', 8: 'unsigned long long',
         16: 'ga_gather_16'}


class Axis:
    """How one output axis's coordinate c becomes a byte offset into src:
    ``table[c]`` when `table` is set, else ``((c // div + add) % mod) * stride``."""

    __slots__ = ('extent', 'div', 'add', 'mod', 'stride', 'table')

    def __init__(self, extent, div=1, add=0, mod=None, stride=0, table=None):
        self.extent = int(extent)
        self.div = int(div)
        self.add = int(add)
        self.mod = int(mod) if mod is not None else max(self.extent, 1)
        self.stride = int(stride)
        self.table = table

    def plain(self):
        """Whether the map is c * stride."""
        return self.table is None and self.div == 1 and self.add == 0 and \
            self.mod >= self.extent


def identity(extent, stride):
    """Coordinate c reads source index c."""
    return Axis(extent, stride=stride)


def cyclic(extent, period, stride, shift=0):
    """Coordinate c reads source index (c + shift) % period (tile, resize;
    roll with shift = -roll % period)."""
    return Axis(extent, add=shift % period if period else 0, mod=max(period, 1), stride=stride)


def stretched(extent, factor, stride):
    """Coordinate c reads source index c // factor (repeat by a constant)."""
    return Axis(extent, div=max(factor, 1), stride=stride)


def table(offsets):
    """Coordinate c reads at byte offset offsets[c] (a 1-D device int64 array)."""
    return Axis(offsets.shape[0], table=offsets)


def host_table(offsets):
    """As `table`, from a NumPy int64 array (uploaded with the launch's
    other host tables in one copy)."""
    return Axis(len(offsets), table=numpy.asarray(offsets, dtype=numpy.int64))


def _simplify(axes):
    """Fold length-1 arithmetic axes into a constant offset and merge
    neighbouring identity axes that are contiguous in the source, so that
    the kernel divides as little as possible. Returns (axes, base)."""
    base = 0
    kept = []
    for ax in axes:
        if ax.extent == 1 and ax.table is None:
            base += ((0 // ax.div + ax.add) % ax.mod) * ax.stride
            continue
        if kept and ax.plain() and kept[-1].plain() and \
                kept[-1].stride == ax.stride * ax.extent:
            prev = kept[-1]
            kept[-1] = identity(prev.extent * ax.extent, ax.stride)
            continue
        kept.append(ax)
    return kept, base


def _upload_tables(axes):
    """Host tables (NumPy arrays) become device arrays, all in one copy."""
    host = [ax for ax in axes if isinstance(ax.table, numpy.ndarray)]
    if not host:
        return
    if len(host) == 1:
        host[0].table = _asarray(host[0].table)
        return
    joined = _asarray(numpy.concatenate([ax.table for ax in host]))
    start = 0
    for ax in host:
        n = ax.table.shape[0]
        ax.table = joined[start:start + n]
        start += n


def _source(itemsize, ndim, idx):
    """The kernel for `ndim` (>= 1) axes: axis ndim-1 is the fast one, whose
    coordinate each thread steps through its run of outputs."""
    params = []
    for d in range(ndim):
        if d:
            params.append('{} e{}'.format(idx, d))
        params.append('{t} v{d}, {t} a{d}, {t} m{d}, long long s{d}, const long long* t{d}'.format(
            t=idx, d=d))
    last = ndim - 1
    rest = []
    for d in range(last - 1, -1, -1):
        if d:
            coord = 'const {t} c = r % e{d}; r /= e{d};'.format(t=idx, d=d)
        else:
            coord = 'const {t} c = r;'.format(t=idx)
        rest.append(_ew.fill('gather.cuh', 'axis', coord=coord,
                             map=_ew.fill('gather.cuh', 'map', d=d, idx=idx)))
    if last:
        last_coord = 'cl = r % e{d}; r /= e{d};'.format(d=last)
        last_extent = 'e{}'.format(last)
    else:
        last_coord = 'cl = r;'
        last_extent = 'n'        # one axis: the run never wraps
    name = 'ga_gather_{}_{}'.format(itemsize, ndim)
    src = _ew.fill('gather.cuh', 'kernel', name=name, idx=idx, elem=_ELEM[itemsize],
                   vec=_VEC[itemsize], params=''.join(', ' + p for p in params),
                   last_extent=last_extent, last_coord=last_coord, rest=''.join(rest),
                   last=_ew.fill('gather.cuh', 'map', d=last, idx=idx))
    return src, name


def gather(src, axes, fill=None, order='C', dtype=None):
    """A new array of shape (ax.extent for ax in axes), element c read from
    `src` at the byte offset the axes' maps give (see the module's
    docstring). `fill`: a device array of src's dtype holding the values
    table entries FILL - k stand for. order 'F' lays the result out in
    Fortran order. `dtype` (same itemsize as src's) reinterprets nothing:
    it only names the result's dtype when `src` is a byte view."""
    dt = src.dtype if dtype is None else numpy.dtype(dtype)
    axes = list(axes)
    shape = tuple(ax.extent for ax in axes)
    if order == 'F':
        out = gather(src, axes[::-1], fill=fill, order='C', dtype=dt)
        return out.transpose()
    out = _empty(shape, dt)
    n = out.size
    if n == 0:
        return out
    itemsize = dt.itemsize
    if itemsize not in _ELEM:
        raise TypeError('gpuarray: cannot move elements of dtype {!r}'.format(dt))
    kept, base = _simplify(axes)
    if not kept:
        kept = [identity(1, 0)]      # a single element: one trivial axis
    _upload_tables(kept)
    idx = _ew.index_type(n)
    ndim = len(kept)
    kernel = _ew.get_kernel(('gather', itemsize, ndim, idx),
                            lambda: _source(itemsize, ndim, idx))
    # the source pointer at the first element plus the folded offset; a
    # view of a size-0 region is never launched on, so src has an element
    origin = _core._view(src, (), (), base) if base else src
    args = [out, origin, fill, n]
    for d, ax in enumerate(kept):
        if d:
            args.append(ax.extent)
        args.extend((ax.div, ax.add, ax.mod, ax.stride, ax.table))
    runs = -(-n // _VEC[itemsize])
    kernel(_ew.grid_for(runs, _ew.BLOCK), _ew.BLOCK, tuple(args))
    return out
