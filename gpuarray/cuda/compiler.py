"""gpuarray.cuda.compiler - NVRTC compilation through gpuarray's kernel caches, under CuPy's names.

The caches live in the C core: an in-process one and an on-disk one (the
directory is ``$GPUARRAY_CACHE_DIR``, else ``$XDG_CACHE_HOME/gpuarray``, else
``~/.cache/gpuarray``, fixed for the life of the process), keyed by a hash of
the source, options, name expressions, NVRTC version, architecture and
backend. Compiling needs NVRTC but no GPU.
"""

import os
import sys

from gpuarray import _core

__all__ = ['CompileException', 'compile_with_cache', 'get_cache_dir', 'clear_memory_cache']

#: Raised when NVRTC rejects a program. Attributes: ``log`` (the full
#: compiler log), ``options`` (tuple), ``name`` (source name), ``source``.
CompileException = _core.CompileException

_NVRTC_ENV = 'GPUARRAY_NVRTC_SEARCH_PATH'


def _set_nvrtc_search_path():
    """Point the core at NVRTC from pip wheels (nvidia-cuda-nvrtc-cu12 puts it
    in site-packages/nvidia/cuda_nvrtc/lib, the CUDA 13 wheels in
    site-packages/nvidia/cu13/lib) unless the user has set the variable. It
    must happen before the core first loads NVRTC, so it runs on import."""
    if os.environ.get(_NVRTC_ENV):
        return
    found = []
    for entry in sys.path:
        if not entry or not os.path.isdir(os.path.join(entry, 'nvidia')):
            continue
        for sub in (('nvidia', 'cuda_nvrtc', 'lib'), ('nvidia', 'cu13', 'lib')):
            d = os.path.join(os.path.abspath(entry), *sub)
            if os.path.isdir(d) and d not in found:
                found.append(d)
        # The loaders (csrc/loaders/libsearch.c) look for each library's
        # wheel subdirectory (nvidia/cublas/lib, nvidia/cufft/lib, ...)
        # under every entry: the site-packages directory itself.
        root = os.path.abspath(entry)
        if root not in found:
            found.append(root)
    if found:
        os.environ[_NVRTC_ENV] = os.pathsep.join(found)


_set_nvrtc_search_path()


def _check_options(options):
    """Options as a tuple of str (CuPy takes a tuple; a list is accepted,
    None means none)."""
    if options is None:
        return ()
    if isinstance(options, list):
        options = tuple(options)
    if not isinstance(options, tuple):
        raise TypeError(
            'options must be a tuple of str, not {}'.format(type(options).__name__))
    for opt in options:
        if not isinstance(opt, str):
            raise TypeError(
                'options must be str, but {!r} is {}'.format(opt, type(opt).__name__))
    return options


def _check_name_expressions(name_expressions):
    if name_expressions is None:
        return None
    if isinstance(name_expressions, str):
        raise TypeError('name_expressions must be a sequence of str, not a str')
    name_expressions = tuple(name_expressions)
    for expr in name_expressions:
        if not isinstance(expr, str):
            raise TypeError(
                'name_expressions must be str, but {!r} is {}'.format(
                    expr, type(expr).__name__))
    return name_expressions


def _parse_arch(arch):
    """90, '90', 'sm_90' or 'compute_90' -> 90; None -> 0 (the device's own,
    or with no GPU the newest NVRTC supports)."""
    if arch is None:
        return 0
    if isinstance(arch, bool):
        raise TypeError('arch must be an int or a str such as "sm_90"')
    if isinstance(arch, int):
        value = arch
    elif isinstance(arch, str):
        text = arch.strip().lower()
        for prefix in ('sm_', 'compute_', 'sm', 'compute'):
            if text.startswith(prefix):
                text = text[len(prefix):]
                break
        if not text.isdigit():
            raise ValueError('arch {!r} is not an architecture such as "sm_90"'.format(arch))
        value = int(text)
    else:
        raise TypeError('arch must be an int or a str such as "sm_90", not {}'.format(
            type(arch).__name__))
    if value <= 0:
        raise ValueError('arch must be positive, got {!r}'.format(arch))
    return value


def compile_with_cache(source, options=(), arch=None, cache_dir=None,
                       name_expressions=None, *, source_name=None, no_cache=False):
    """Compile CUDA C++ ``source`` with NVRTC, or fetch it from the caches.

    Returns a ``gpuarray._core.Program`` with ``cubin`` (bytes, or None when
    NVRTC is older than the device and PTX was kept instead), ``ptx`` (str),
    ``log``, ``arch`` and ``cache_source`` ('miss', 'memory' or 'disk').
    ``arch`` (e.g. 90 or 'sm_90') targets that architecture without touching
    the GPU; by default the current device's is used, or NVRTC's newest where
    there is no GPU. ``cache_dir`` must be None or the active cache directory
    (it is fixed per process by ``GPUARRAY_CACHE_DIR``). Raises
    :class:`CompileException` carrying the log, options and source name.
    """
    if not isinstance(source, str):
        raise TypeError('source must be str, not {}'.format(type(source).__name__))
    options = _check_options(options)
    name_expressions = _check_name_expressions(name_expressions)
    if cache_dir is not None:
        active = get_cache_dir()
        if os.path.realpath(os.fspath(cache_dir)) != os.path.realpath(active):
            raise ValueError(
                'cache_dir {!r} differs from the active kernel cache {!r}; set '
                'GPUARRAY_CACHE_DIR before gpuarray first compiles'.format(cache_dir, active))
    arch_num = _parse_arch(arch)
    return _core.compile(source, options, name_expressions, source_name, arch_num,
                         -1 if arch_num else None, bool(no_cache))


def get_cache_dir():
    """The directory of the on-disk kernel cache."""
    return _core.compile_cache_dir()


def clear_memory_cache():
    """Drop the in-process kernel cache and the modules kept loaded from it
    (the disk cache stays)."""
    from gpuarray import _kernel
    _kernel._loaded_modules.clear()
    _core.compile_cache_clear_memory()
