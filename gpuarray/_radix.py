"""gpuarray._radix - the device radix sort every sorting function stands on.

``sort_keys(keys, nrows, ...)`` sorts a C-contiguous 1-D device array of
keys (bool, integers, floats: any width) that is ``nrows`` rows of equal
length, each row on its own, stably, ascending or descending, and can give
the permutation as int64 indices along the row (argsort), as flat
positions, or in its internal index type for another round (lexsort).

The kernels are those of ``kernels/sort.cuh`` (LSD radix, 8-bit digits, one
"onesweep" pass per digit with decoupled look-back; see that file): one
module per (key width, index width, payload or keys only), compiled once,
holding the histogram, offsets, pass, gather and widen kernels. A sort is: one histogram launch
(the digit counts of every pass from one read of the keys), one offsets
launch, then one launch per pass. Passes whose digit is the same for every
key (the high bytes of small integers, the row passes of few rows) leave
the order as it is and are skipped, when the keys are many enough for the
look at the histogram (one small device-to-host copy) to pay.

On the host backend the sorting functions call NumPy instead (the memory
is the host's; see ``use_numpy``), unless ``FORCE_DEVICE`` is set (the
environment variable ``GPUARRAY_FORCE_DEVICE_SORT=1``, or the tests),
which runs these same kernels on the CPU: that is how CI tests them.
"""

import os

import numpy

from gpuarray import _core
from gpuarray import _elementwise as _ew

_empty = _core.empty
_zeros = _core.zeros

#: Run the device kernels on the host backend too (tests, debugging).
FORCE_DEVICE = os.environ.get('GPUARRAY_FORCE_DEVICE_SORT', '') not in ('', '0')

#: Threads of a pass block by key width (a multiple of 32, at least 256:
#: one thread per digit in the per-digit steps). On the H200
#: (scripts/sort_tile_sweep.py): 64M float32 sorted in 3.17 ms at 512 x 11
#: keys per thread, 3.45 ms at 256 x 15; 16M float64 in 2.16 ms at 256 x 8,
#: 2.24 ms at 256 x 11.
BLOCKS = {1: 512, 2: 512, 4: 512, 8: 256}
#: Keys per thread of a pass, by key width, at most: the tile (block *
#: items keys) is staged in shared memory, which must stay under
#: SHARED_LIMIT; pass_items() lowers it where the wide index needs room.
ITEMS = {1: 16, 2: 16, 4: 11, 8: 8}
#: Static shared memory one block may declare on every CUDA GPU (48 KiB;
#: more needs the opt-in dynamic attribute).
SHARED_LIMIT = 48 * 1024
#: Below this many keys, every pass runs (reading the histogram back to
#: skip the trivial ones costs more than they do).
SKIP_MIN = 1 << 17
#: Blocks per multiprocessor of the histogram launch.
HIST_BLOCKS_PER_SM = 4
#: Copies of the histogram's shared counters, by key width (shared memory:
#: (width + 4) passes x 256 digits x parts x 4 bytes).
HIST_PARTS = {1: 4, 2: 4, 4: 4, 8: 2}
#: From this many keys on, positions are 64-bit (below, no index or loop
#: bound can overflow 32 bits), and so are the look-back status words
#: (their counts have 30 bits). Tests lower them to run the wide variants.
BIG_INDEX_MIN = 1 << 31
BIG_STATUS_MIN = 1 << 30
#: How the pass finds the lanes of a warp that hold one digit (a tuning
#: knob: all are correct; the tests run each): 0 eight ballots per key,
#: 1 __match_any_sync, 2 a shared-memory atomicOr into per-warp masks
#: (H200, 64M float32: 3.89 ms with ballots, 3.50 with masks, uncapped;
#: 3.16 with __match_any_sync, 2.52 with masks, at 2 blocks).
RANK = 2
#: The pass kernel's __launch_bounds__ minimum of resident blocks per
#: multiprocessor, by key width, (keys only, with a payload): a register
#: cap (1: none beyond the block size's). Occupancy is what the pass lives
#: on: on the H200 (scripts/sort_tile_sweep.py, 2026-12-02) 64M float32
#: keys sorted in 3.50 ms uncapped (80 registers, one 512-thread block per
#: multiprocessor), 2.52 ms at 2 (64), 2.32 ms at 3 (40, a few spilled
#: words); 16M argsort in 0.94 ms at 2, where 3 spills 600 bytes.
MIN_BLOCKS = {1: (3, 2), 2: (3, 2), 4: (3, 2), 8: (4, 3)}
#: The pass kernel's preferred shared-memory carveout in percent of the
#: multiprocessor's unified L1/shared memory (None: the driver's choice,
#: which on the H200 left room for two 48 KiB blocks only).
CARVEOUT = 100
#: How many tiles' status words the pass's decoupled look-back loads at
#: once (1: one at a time, a full memory latency per tile walked back).
#: With EARLY, 1: the pass counts its tile's digits (shared atomics) and
#: publishes the counts to the look-back before ranking, rather than after.
#: Both knobs keep every form correct (the tests run each). H200,
#: scripts/sort_tile_sweep.py, 2026-12-02, medians of 7: 16M argsort
#: 0.912 ms (window 1, late counts), 0.883 (window 4), 0.796 (early
#: counts), 0.762 (both; PyTorch 0.828, CuPy 0.855); 64M float32 keys
#: 2.41, 2.34, 2.38, 2.32 ms (CuPy 1.83).
LOOKBACK = 4
EARLY = 1

_KIND = {'u': 0, 'i': 1, 'f': 2, 'b': 3}
_UINT = {1: numpy.uint8, 2: numpy.uint16, 4: numpy.uint32, 8: numpy.uint64}
_CT = {1: 'unsigned char', 2: 'unsigned short', 4: 'unsigned int', 8: 'unsigned long long'}
#: The exponent mask of the float type of each width (NaN: magnitude above it).
_INF = {1: '0xffu', 2: '0x7c00u', 4: '0x7f800000u', 8: '0x7ff0000000000000ull'}


def use_numpy():
    """True where NumPy's own algorithm should run on the array's memory:
    the host backend, unless FORCE_DEVICE asks for the kernels."""
    if FORCE_DEVICE:
        return False
    return _ew.device_info()[1]


def sortable(dtype):
    """Whether the radix kernels take keys of `dtype` directly."""
    return dtype.kind in 'buif' and dtype.itemsize in _CT


def index_dtype(n):
    """The internal index type of a sort of n keys (positions and the
    payload): uint32 below BIG_INDEX_MIN (2**31, so that no loop index
    overflows), else uint64."""
    return numpy.dtype(numpy.uint32 if n < BIG_INDEX_MIN else numpy.uint64)


def _stage_bytes(width, big_index):
    """Bytes per key of the shared staging buffer: the key or the index,
    whichever is wider (both pass through it)."""
    return max(width, 8 if big_index else 4)


def _stage_words(width, big_index, items):
    """32-bit words of the pass kernel's staging buffer: the tile's keys or
    payload, or (RANK 2) the per-warp masks of the ranking, whichever is
    larger (they use it one after the other), rounded to 8 bytes."""
    block = BLOCKS[width]
    words = -(-block * items * _stage_bytes(width, big_index) // 4)
    if RANK == 2:
        words = max(words, (block // 32) * 256)
    return -(-words // 2) * 2


def pass_shared_bytes(width, big_index, items):
    """The static shared memory of ga_sort_pass (kernels/sort.cuh) for a
    tile of BLOCKS[width] * items keys: per-warp digit counts, the per-digit
    counts, starts and global offsets, the warp sums, the tile's digits and
    the staging buffer. Must follow that kernel's __shared__ declarations."""
    idx = 8 if big_index else 4
    block = BLOCKS[width]
    tile = block * items
    fixed = (block // 32) * 256 * 4 + 256 * 4 * 2 + (256 // 32) * 4 + 256 * idx + 4
    return fixed + tile + 4 * _stage_words(width, big_index, items)


def pass_items(width, big_index):
    """Keys per thread of a pass: ITEMS[width], lowered until the pass
    kernel's shared memory fits SHARED_LIMIT (a 64-bit index doubles the
    staging buffer of 1- and 2-byte keys: 16 keys per thread would need
    49 KiB, and ptxas refuses the module)."""
    items = ITEMS[width]
    while items > 1 and pass_shared_bytes(width, big_index, items) > SHARED_LIMIT:
        items -= 1
    return items


_modules = {}


def _module(width, big_index, big_status, payload=True):
    """The compiled module of one (key width, index width, status width,
    payload or keys only) variant at the current knobs."""
    items = pass_items(width, big_index)
    min_blocks = MIN_BLOCKS[width][1 if payload else 0]
    key = (width, big_index, big_status, payload, BLOCKS[width], items, HIST_PARTS[width], RANK,
           min_blocks, LOOKBACK, EARLY)
    mod = _modules.get(key)
    if mod is None:
        from gpuarray._kernel import RawModule
        idx_ct = 'unsigned long long' if big_index else 'unsigned int'
        head = [
            'typedef {} ga_key_t;'.format(_CT[width]),
            'typedef {} ga_idx_t;'.format(idx_ct),
            'typedef {} ga_status_t;'.format('unsigned long long' if big_status else 'unsigned int'),
            '#define GA_SORT_BLOCK {}'.format(BLOCKS[width]),
            '#define GA_SORT_ITEMS {}'.format(items),
            '#define GA_SORT_INF {}'.format(_INF[width]),
            '#define GA_SORT_STAGE_WORDS {}'.format(_stage_words(width, big_index, items)),
            '#define GA_SORT_HIST_PARTS {}'.format(HIST_PARTS[width]),
            '#define GA_SORT_RANK {}'.format(int(RANK)),
            '#define GA_SORT_PAYLOAD {}'.format(int(bool(payload))),
            '#define GA_SORT_MIN_BLOCKS {}'.format(int(min_blocks)),
            '#define GA_SORT_LOOKBACK {}'.format(int(LOOKBACK)),
            '#define GA_SORT_EARLY {}'.format(int(bool(EARLY))),
        ]
        source = (_ew.prelude(False) + '\n'.join(head) + '\n' +
                  _ew.template_sections('sort.cuh')['radix'])
        mod = RawModule(code=source)
        _modules[key] = mod
    return mod


def _kernel(mod, name):
    """Kernel `name` of module `mod`, made once per module (the pass kernel
    with its shared-memory carveout set, on CUDA: the host backend has
    none)."""
    kernels = mod.__dict__.setdefault('_ga_kernels', {})
    f = kernels.get(name)
    if f is None:
        f = mod.get_function(name)
        if name == 'ga_sort_pass' and CARVEOUT is not None and not _ew.device_info()[1]:
            f.preferred_shared_memory_carveout = CARVEOUT
        kernels[name] = f
    return f


def _bytes_for(count):
    """Digits (bytes) needed for the values 0..count-1."""
    b = 0
    while count > 1:
        count = (count + 255) >> 8
        b += 1
    return b


def _grid(n, per_block, cap):
    return max(1, min(-(-n // per_block), cap))


def sort_keys(keys, nrows=1, *, descending=False, keys_out=True, index=None, perm=None,
              out_keys=None, out_idx=None):
    """Sort the rows of `keys` (a C-contiguous 1-D device array of n keys,
    nrows rows of n // nrows) with the radix kernels.

    keys_out: return the sorted keys (a new array of keys' dtype).
    index: None; 'axis' (int64 index of each sorted key along its row);
    'flat' (int64 position in `keys`); 'raw' (the position in the internal
    index type, for another round). perm: an internal-index array the
    payload starts from instead of the positions (lexsort's next key: the
    keys are then in the order perm says, and the result composes).
    out_keys, out_idx: C-contiguous 1-D arrays of n to write the results
    into (a row of a larger result) instead of new ones.
    Returns (sorted keys or None, index array or None)."""
    n = keys.size
    dt = keys.dtype
    width = dt.itemsize
    L = n // nrows if nrows else 0
    idx_dt = index_dtype(n)
    if keys_out and out_keys is None:
        out_keys = _empty((n,), dt)
    if not keys_out:
        out_keys = None
    out_dt = idx_dt if index == 'raw' else numpy.dtype(numpy.int64)
    if index is not None and out_idx is None:
        out_idx = _empty((n,), out_dt)
    if index is None:
        out_idx = None
    if n == 0:
        return out_keys, out_idx
    big_status = n >= BIG_STATUS_MIN
    kind = _KIND[dt.kind]
    flip = ((1 << (8 * width)) - 1) if descending else 0
    nkey = width
    nseg = _bytes_for(nrows)
    # a payload rides along for the index, for the row passes of a batch
    # and for lexsort's running permutation; without one, the keys-only
    # module (no payload registers or code) runs
    payload = index is not None or nseg > 0 or perm is not None
    mod = _module(width, idx_dt.itemsize == 8, big_status, payload)
    P = nkey + nseg
    sms, host = _ew.device_info()

    hist = _zeros((P * 256,), idx_dt)
    block = BLOCKS[width]
    hist_grid = _grid(n, block, sms * HIST_BLOCKS_PER_SM)
    _kernel(mod, 'ga_sort_histogram')(hist_grid, block, (keys, n, L, nkey, nseg, kind, flip, hist))
    offsets = _empty((P * 256,), idx_dt)
    _kernel(mod, 'ga_sort_offsets')(P, 256, (hist, offsets))

    passes = [(8 * p, 0, p) for p in range(nkey)] + [(8 * q, 1, nkey + q) for q in range(nseg)]
    if n >= SKIP_MIN:
        counts = hist.get().reshape(P, 256)
        passes = [ps for ps in passes if counts[ps[2]].max() != n]

    m = len(passes)
    if m == 0:
        # every key has the same digits: the order is the input's
        if keys_out:
            _ew.copy_into(keys, out_keys)
        if index is not None:
            if index == 'raw':
                _ew.copy_into(perm if perm is not None else _core.arange(n, dtype=idx_dt), out_idx)
            else:
                _kernel(mod, 'ga_sort_widen')(_grid(n, 256, 1 << 16), 256,
                                              (perm, n, L, int(index == 'axis'), out_idx))
        return out_keys, out_idx

    tile = block * pass_items(width, idx_dt.itemsize == 8)
    ntiles = -(-n // tile)
    status_dt = numpy.uint64 if big_status else numpy.uint32
    status = _zeros((m, ntiles * 256), status_dt)
    counters = _zeros((m,), numpy.uint32)
    kpass = _kernel(mod, 'ga_sort_pass')

    # Keys are written by every pass when they are wanted, else only up to
    # the pass before the last one that reads their digits; the payload by
    # every pass. Buffers alternate so that no pass reads what it writes,
    # and the last writes land in out_keys and out_idx.
    last_key_pass = m - 1 if keys_out else sum(1 for ps in passes if not ps[1]) - 2
    key_bufs = [out_keys if keys_out else (_empty((n,), dt) if last_key_pass >= 0 else None),
                _empty((n,), dt) if last_key_pass >= 1 else None]
    val_tmp = [_empty((n,), idx_dt) if payload and m > 1 else None,
               _empty((n,), idx_dt) if payload and m > 2 else None]
    vals_out_mode = {None: 0, 'raw': 1, 'axis': 2, 'flat': 3}[index]

    src_k, src_v = keys, perm
    for j, (shift, seg, p) in enumerate(passes):
        dst_k = key_bufs[(last_key_pass - j) % 2] if j <= last_key_pass else None
        if not payload:
            vals_in, dst_v, vmode = 0, None, 0
        else:
            vals_in = 1 if (j == 0 and perm is None) else 2
            if j < m - 1:
                dst_v, vmode = val_tmp[j % 2], 1
            else:
                dst_v, vmode = out_idx, vals_out_mode
        kpass(ntiles, block, (src_k, dst_k, src_v, dst_v, n, L, kind, 0 if seg else flip, shift, seg,
                              vals_in, vmode, offsets[p * 256:(p + 1) * 256], status[j],
                              counters[j:j + 1]))
        src_k, src_v = dst_k, dst_v
    return out_keys, out_idx


def gather(src, perm):
    """src[perm] for a 1-D contiguous key array and an internal-index
    permutation (lexsort: the next key in the current order)."""
    n = perm.size
    out = _empty((n,), src.dtype)
    if n:
        mod = _module(src.dtype.itemsize, perm.dtype.itemsize == 8, n >= BIG_STATUS_MIN)
        _kernel(mod, 'ga_sort_gather')(_grid(n, 256, 1 << 16), 256, (src, perm, n, out))
    return out
