"""gpuarray.cuda - devices, streams, events, memory and compilation, under
the names of cupy.cuda."""

from gpuarray._core import (  # noqa: F401
    Device, Stream, Event, Graph, get_current_stream, get_elapsed_time, is_available,
    CUDADriverError, CUDAUnavailableError, OutOfMemoryError, CompileException,
    Memory, MemoryPointer, MemoryPool, PinnedMemory, alloc, alloc_pinned_memory,
)
from gpuarray.cuda import runtime, memory, compiler  # noqa: F401
from gpuarray.cuda.memory import PinnedMemoryPool  # noqa: F401
from gpuarray.cuda.memory import set_allocator, get_allocator, using_allocator  # noqa: F401
from gpuarray.cuda._external_stream import ExternalStream  # noqa: F401  (and Stream.from_external)
from gpuarray._capture import StreamCaptureError  # noqa: F401


def get_device_id():
    """Ordinal of the calling thread's current device."""
    return runtime.getDevice()
