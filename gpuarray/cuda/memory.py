"""gpuarray.cuda.memory - device memory and its pool, page-locked host
memory, under the names of cupy.cuda.memory.

Device memory is stream-ordered (cuMemAllocAsync/cuMemFreeAsync on the
driver's pool of each device): a Memory is freed, ordered on the stream it
was allocated on, when its last reference goes. Running out raises
OutOfMemoryError (a MemoryError) after the pool's cached blocks were
released and the allocation retried once.
"""

import contextlib

from gpuarray._core import (  # noqa: F401
    Memory, MemoryPointer, MemoryPool, PinnedMemory, OutOfMemoryError,
    alloc, alloc_pinned_memory, get_default_memory_pool, is_pinned,
    set_allocator, get_allocator,
)


@contextlib.contextmanager
def using_allocator(allocator=None):
    """Arrays made inside the block take their memory from `allocator`
    (None: the pool); the previous allocator comes back on exit. As
    set_allocator, it is process-wide here (CuPy's is per thread)."""
    previous = get_allocator()
    set_allocator(allocator)
    try:
        yield
    finally:
        set_allocator(previous)


class PinnedMemoryPool:
    """CuPy's pinned memory pool, for programs that call it. Page-locked
    memory here comes straight from the driver and goes back when freed, so
    the pool never holds blocks."""

    def malloc(self, size):
        return alloc_pinned_memory(size)

    def free_all_blocks(self):
        pass

    def n_free_blocks(self):
        return 0


_default_pinned_pool = PinnedMemoryPool()


def get_default_pinned_memory_pool():
    """The (stateless) pinned memory pool."""
    return _default_pinned_pool
