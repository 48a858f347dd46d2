"""gpuarray._capture - what cannot go into a CUDA graph says so by name.

Work whose result size depends on the data (nonzero, boolean indexing,
unique) or that must look at a result on the host (linalg's check for a
singular matrix) cannot be recorded by stream capture: the replay could
not repeat the decision. These call :func:`refuse_while_capturing` first,
so the error names the operation rather than the copy to the host it
would need (which the core refuses too).
"""

from gpuarray import _core


class StreamCaptureError(RuntimeError):
    """An operation that cannot be captured into a graph was called while
    the current stream captures."""


def refuse_while_capturing(what):
    """Raise StreamCaptureError naming `what` when the current stream is
    capturing."""
    if _core.get_current_stream().is_capturing():
        raise StreamCaptureError(
            '{} cannot be captured into a CUDA graph (the current stream is capturing): its '
            'result depends on values read back to the host; run it before begin_capture() '
            'or after end_capture()'.format(what))
