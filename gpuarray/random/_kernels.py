"""gpuarray.random._kernels - the compiled module of kernels/random.cuh and
one launcher per kernel.

Every kernel runs on the current stream and depends only on (key, block
offset, element index), never on the grid: the grid here is a matter of
speed alone (one thread per Philox block, grid-stride beyond GRID_CAP
blocks per multiprocessor).

The module is compiled without contraction (``--fmad=false``, which the
host backend turns into ``-ffp-contract=off``): a fused multiply-add
rounds once where the other backend rounds twice, and the bits would
differ.
"""

import threading

import numpy

from gpuarray import _core
from gpuarray import _elementwise as _ew

#: Threads per block of every random kernel.
BLOCK = 256
#: Most blocks per multiprocessor (8 x 256 threads: one full wave on
#: sm_90 at the float kernels' register counts); grid-stride beyond it.
GRID_CAP = 8
#: NVRTC option for no contraction (see the module docstring).
NO_CONTRACTION = ('--fmad=false',)

_empty = _core.empty
_lock = threading.Lock()
_modules = {}


def module(with_check=False):
    """The RawModule of random.cuh's core and kernels (and its check
    section, for the tests), compiled once per process."""
    key = bool(with_check)
    mod = _modules.get(key)
    if mod is None:
        with _lock:
            mod = _modules.get(key)
            if mod is None:
                from gpuarray._kernel import RawModule
                sections = _ew.template_sections('random.cuh')
                code = sections['core'] + sections['kernels']
                if with_check:
                    code += sections['check']
                mod = RawModule(code=code, options=NO_CONTRACTION)
                _modules[key] = mod
    return mod


def function(name, with_check=False):
    return module(with_check).get_function(name)


def grid(work):
    """Blocks of BLOCK threads for `work` items (one per thread)."""
    sms = _ew.device_info()[0]
    return max(1, min(-(-work // BLOCK), sms * GRID_CAP))


def blocks_for(n, per_block):
    """Philox blocks a draw of n elements with `per_block` per block spans."""
    return -(-n // per_block)


# ------------------------------------------------------------ the launches

def philox_raw(counter, key, nblocks):
    """uint32 array of 4 * nblocks: Philox4x32-10 of counter + j (128-bit),
    j < nblocks, under key (two words)."""
    out = _empty((4 * nblocks,), numpy.uint32)
    if nblocks:
        c = [int(w) & 0xffffffff for w in counter]
        k = [int(w) & 0xffffffff for w in key]
        function('ga_rand_philox_raw')(grid(nblocks), BLOCK, (c[0], c[1], c[2], c[3], k[0], k[1],
                                                             nblocks, out))
    return out


def bits32(key, off, n, out):
    if n:
        function('ga_rand_bits32')(grid(blocks_for(n, 4)), BLOCK, (key[0], key[1], off, n, out))


def uniform(key, off, n, lo, scale, out):
    """out (float32 or float64, C-contiguous) = lo + scale * u."""
    if not n:
        return
    if out.dtype == numpy.float32:
        function('ga_rand_uniform_f32')(grid(blocks_for(n, 4)), BLOCK,
                                        (key[0], key[1], off, n, lo, scale, out))
    else:
        function('ga_rand_uniform_f64')(grid(blocks_for(n, 2)), BLOCK,
                                        (key[0], key[1], off, n, lo, scale, out))


def normal(key, off, n, loc, scale, out):
    if not n:
        return
    if out.dtype == numpy.float32:
        function('ga_rand_normal_f32')(grid(blocks_for(n, 4)), BLOCK,
                                       (key[0], key[1], off, n, loc, scale, out))
    else:
        function('ga_rand_normal_f64')(grid(blocks_for(n, 2)), BLOCK,
                                       (key[0], key[1], off, n, loc, scale, out))


def exponential(key, off, n, scale, out):
    if not n:
        return
    if out.dtype == numpy.float32:
        function('ga_rand_exponential_f32')(grid(blocks_for(n, 4)), BLOCK,
                                            (key[0], key[1], off, n, scale, out))
    else:
        function('ga_rand_exponential_f64')(grid(blocks_for(n, 2)), BLOCK,
                                            (key[0], key[1], off, n, scale, out))


def integers(key, off, n, lo, rm, out):
    """out (any integer dtype, C-contiguous) = lo + uniform in [0, rm], per
    element sub-streams; lo and rm are Python ints (lo taken mod 2**64) or
    (uint64 device array, step) pairs."""
    if not n:
        return
    width = out.dtype.itemsize
    if isinstance(lo, int):
        args = (key[0], key[1], off, n, lo & 0xFFFFFFFFFFFFFFFF, rm, out, width)
        function('ga_rand_integers_scalar')(grid(n), BLOCK, args)
    else:
        function('ga_rand_integers')(grid(n), BLOCK, (key[0], key[1], off, n, lo[0], lo[1],
                                                     rm[0], rm[1], out, width))


def substream(name, key, off, n, params, out):
    """A rejection-sampled kernel (gamma, beta, binomial, poisson): params
    are (array, step) pairs."""
    if n:
        args = [key[0], key[1], off, n]
        for a, step in params:
            args += [a, step]
        args.append(out)
        function(name)(grid(n), BLOCK, tuple(args))
