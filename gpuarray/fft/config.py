"""gpuarray.fft.config - the FFT plan cache, under cupy.fft.config's names.

Making a cuFFT plan costs far more than running it (tens of microseconds
to milliseconds, and device memory for its work area), so plans are kept,
as CuPy keeps them: one least-recently-used cache per thread and device,
keyed by everything that decides the plan (transform type, precision,
sizes, the advanced layout, the batch and the device). A plan's stream is
set at each execution, so one plan serves every stream of its thread.

On the host backend gpuarray.fft calls NumPy's pocketfft, which makes and
caches its own plans: these caches stay empty there.
"""

import atexit
import collections
import threading

from gpuarray import _core

__all__ = ['PlanCache', 'get_plan_cache', 'set_plan_cache_size', 'get_plan_cache_size',
           'set_plan_cache_max_memsize', 'get_plan_cache_max_memsize', 'clear_plan_cache',
           'show_plan_cache_info', 'enable_nd_planning', 'use_multi_gpus', 'set_cufft_gpus']

#: Whether an n-d transform over up to 3 axes that cuFFT can address
#: together runs as one n-d plan (True, CuPy's default) or as 1-D plans
#: one axis after the other.
enable_nd_planning = True

#: CuPy's multi-GPU cuFFT switch: not supported (one device per plan).
use_multi_gpus = False



def set_cufft_gpus(gpus):
    """CuPy's multi-GPU cuFFT (cufftXt over several devices): not
    supported; each plan runs on the device of its arrays."""
    raise NotImplementedError('gpuarray.fft runs each transform on one device; multi-GPU cuFFT '
                              '(set_cufft_gpus) is not supported')


_DEFAULT_SIZE = 16        # CuPy's default
_DEFAULT_MEMSIZE = -1     # no limit


class PlanCache:
    """A least-recently-used cache of FFT plans of one thread and device
    (cupy.fft._cache.PlanCache's methods). `size` bounds the number of
    plans (0 disables caching: plans are made for each call and freed
    after it), `memsize` the bytes of their work areas (-1: no bound); the
    least recently used plans go first when either is exceeded."""

    def __init__(self, size=_DEFAULT_SIZE, memsize=_DEFAULT_MEMSIZE, device=None):
        self._plans = collections.OrderedDict()
        self._memsize_used = 0
        self._size = self._check_size(size)
        self._memsize = self._check_memsize(memsize)
        self._device = device
        self.hits = 0
        self.misses = 0

    @staticmethod
    def _check_size(size):
        size = int(size)
        if size < -1:
            raise ValueError('PlanCache: size must be -1 (no limit), 0 (disabled) or positive, '
                             'not {}'.format(size))
        return size

    @staticmethod
    def _check_memsize(memsize):
        memsize = int(memsize)
        if memsize < -1:
            raise ValueError('PlanCache: memsize must be -1 (no limit), 0 (disabled) or '
                             'positive, not {}'.format(memsize))
        return memsize

    # --- CuPy's interface
    def get_size(self):
        return self._size

    def set_size(self, size):
        self._size = self._check_size(size)
        self._evict()

    def get_memsize(self):
        return self._memsize

    def set_memsize(self, memsize):
        self._memsize = self._check_memsize(memsize)
        self._evict()

    def get_curr_size(self):
        return len(self._plans)

    def get_curr_memsize(self):
        return self._memsize_used

    def clear(self):
        """Drop every plan; each is freed (with its work area) once no
        running call holds it."""
        self._plans.clear()
        self._memsize_used = 0

    def show_info(self):
        print(self._info())

    def _info(self):
        lines = ['------------------- cuFFT plan cache (device {}) -------------------'.format(
                     self._device),
                 'cache enabled? {}'.format(self.enabled),
                 'current / max size   : {} / {} (counts)'.format(
                     len(self._plans), '(unlimited)' if self._size == -1 else self._size),
                 'current / max memsize: {} / {} (bytes)'.format(
                     self._memsize_used, '(unlimited)' if self._memsize == -1 else self._memsize),
                 'hits / misses: {} / {} (counts)'.format(self.hits, self.misses),
                 '',
                 'cached plans (most recently used first):']
        for key, plan in reversed(self._plans.items()):
            lines.append('key: {}, plan type: {}, memory usage: {}'.format(
                key, getattr(plan, 'fft_type', '?'), getattr(plan, 'work_size', 0)))
        return '\n'.join(lines)

    @property
    def enabled(self):
        return self._size != 0 and self._memsize != 0

    def __len__(self):
        return len(self._plans)

    def __contains__(self, key):
        return key in self._plans

    def __repr__(self):
        return '<PlanCache device {}: {} plans, {} bytes>'.format(
            self._device, len(self._plans), self._memsize_used)

    # --- what gpuarray.fft uses
    def get(self, key, make):
        """The plan for `key`, made by make() on a miss and kept unless the
        cache is disabled or the plan alone exceeds memsize."""
        plan = self._plans.get(key)
        if plan is not None:
            self._plans.move_to_end(key)
            self.hits += 1
            return plan
        self.misses += 1
        plan = make()
        if not self.enabled:
            return plan
        work = int(getattr(plan, 'work_size', 0))
        if self._memsize != -1 and work > self._memsize:
            return plan
        self._plans[key] = plan
        self._memsize_used += work
        self._evict()
        return plan

    def _evict(self):
        if not self.enabled:
            self.clear()
            return
        while self._plans and (
                (self._size != -1 and len(self._plans) > self._size)
                or (self._memsize != -1 and self._memsize_used > self._memsize)):
            _, plan = self._plans.popitem(last=False)
            self._memsize_used -= int(getattr(plan, 'work_size', 0))


_local = threading.local()


def get_plan_cache():
    """The calling thread's plan cache of the current device."""
    caches = getattr(_local, 'caches', None)
    if caches is None:
        caches = _local.caches = {}
    dev = _core.Device().id if _device_known() else 0
    cache = caches.get(dev)
    if cache is None:
        cache = caches[dev] = PlanCache(device=dev)
    return cache


def _device_known():
    try:
        return _core.is_available()
    except Exception:      # no backend: one cache stands for "device 0"
        return False


def set_plan_cache_size(size):
    get_plan_cache().set_size(size)


def get_plan_cache_size():
    return get_plan_cache().get_size()


def set_plan_cache_max_memsize(size):
    get_plan_cache().set_memsize(size)


def get_plan_cache_max_memsize():
    return get_plan_cache().get_memsize()


def clear_plan_cache():
    get_plan_cache().clear()


def show_plan_cache_info():
    """Print the calling thread's caches, one per device it used."""
    for cache in (getattr(_local, 'caches', None) or {}).values():
        cache.show_info()


@atexit.register
def _free_plans_at_exit():
    """Free the main thread's plans while cuFFT and the driver are still
    there (module teardown comes after the libraries' own exit handlers
    may have run)."""
    caches = getattr(_local, 'caches', None)
    if caches:
        for cache in caches.values():
            cache.clear()
