"""gpuarray.hip - AMD GPUs through the HIP runtime and hiprtc.

On a machine with an AMD GPU and ROCm, ``GPUARRAY_BACKEND=hip`` (or the
default ``auto``, where no CUDA GPU is usable) runs gpuarray on HIP, with
CuPy's ``gpuarray.cuda.*`` names kept (as CuPy on ROCm keeps them;
``gpuarray.cuda.runtime.is_hip`` says which). This module holds what is
HIP's own and works with no AMD GPU at all, because hiprtc needs none:

- :func:`compile_for_target` compiles CUDA-spelled C++ for a gfx target
  through the hip backend's own compile slot and returns the AMD code
  object (ELF) bytes;
- :func:`code_object_info` reads a code object's kernel metadata (``.args``
  layout, registers, LDS, spills) with gpuarray's own reader;
- :func:`library_info` says which HIP runtime and hiprtc were found, or
  why not;
- ``python -m gpuarray.hip.check`` compiles every kernel gpuarray generates
  for the targets given and prints a table.
"""

from gpuarray import _core

__all__ = ['HIPUnavailableError', 'compile_for_target', 'code_object_info', 'library_info',
           'arch_number', 'arch_name', 'DEFAULT_ARCH', 'ROCM5_REFUSED_ARCHS']

#: The target when none is named: gfx90a (MI200), which every ROCm since
#: 4.3 compiles for.
DEFAULT_ARCH = 'gfx90a'

#: Targets ROCm 5.x's hiprtc aborts the whole process on (it predates them):
#: refused with an error before hiprtc is called (gfx94x and gfx11 and later
#: in general; these four were seen to abort).
ROCM5_REFUSED_ARCHS = ('gfx940', 'gfx942', 'gfx1100', 'gfx1101')


class HIPUnavailableError(RuntimeError):
    """The HIP runtime or hiprtc cannot be loaded here; the message names
    the missing library, every place searched and how to install it."""


def arch_number(arch):
    """The gfx target as the backend's int (its number read as hex:
    'gfx90a' -> 0x90a); features after ':' ('gfx90a:xnack-') are dropped."""
    if isinstance(arch, int) and not isinstance(arch, bool):
        if arch < 0x600:
            raise ValueError('arch %d is no gfx target number (gfx90a is 0x90a)' % arch)
        return arch
    if not isinstance(arch, str):
        raise TypeError('arch must be a str such as "gfx90a", not %s' % type(arch).__name__)
    base = arch.split(':', 1)[0]
    digits = base[3:]
    if not base.startswith('gfx') or not 3 <= len(digits) <= 5 or \
            any(c not in '0123456789abcdefABCDEF' for c in digits):
        raise ValueError('arch must name an AMD GPU target such as "gfx90a" or "gfx1030", '
                         'not %r' % (arch,))
    return int(digits, 16)


def arch_name(number):
    """'gfx90a' from 0x90a."""
    return 'gfx%x' % number


def library_info():
    """Where the HIP runtime and hiprtc were found (paths, versions, the
    optional entry points present), or why not (``runtime_error``,
    ``hiprtc_error``: the full search detail). Never raises."""
    return _core.hip_library_info()


def _require_hiprtc():
    info = library_info()
    if info['hiprtc_error']:
        raise HIPUnavailableError(info['hiprtc_error'])
    return info


def code_object_info(image):
    """The metadata of an AMD GPU code object: ``{'target': ..., 'kernels':
    [{'name', 'symbol', 'has_descriptor', 'args': [{'offset', 'size',
    'value_kind'}], 'vgpr_count', 'sgpr_count', 'agpr_count',
    'vgpr_spill_count', 'sgpr_spill_count', 'group_segment_fixed_size'
    (LDS bytes), 'private_segment_fixed_size', 'kernarg_segment_size',
    'max_flat_workgroup_size', 'wavefront_size'}]}`` (-1 where the metadata
    does not say). ValueError when ``image`` is not one."""
    return _core.amdgpu_code_object_info(image)


def compile_program(source, arch=DEFAULT_ARCH, options=(), name_expressions=None,
                    no_cache=False):
    """The compiled program (gpuarray._core.Program: ``image``, ``log``,
    ``lowered_name()``) of ``source`` for ``arch``, through the hip
    backend's compile slot, with no device."""
    _require_hiprtc()
    number = arch_number(arch)
    if isinstance(options, str):
        options = (options,)
    options = tuple(options)
    for o in options:
        if not isinstance(o, str):
            raise TypeError('options must be str, not %s' % type(o).__name__)
    exprs = None if name_expressions is None else tuple(name_expressions)
    return _core.hip_compile(source, options, exprs, number, None, bool(no_cache))


def compile_for_target(source, name, arch=DEFAULT_ARCH, options=()):
    """The AMD GPU code object (ELF bytes) holding kernel ``name`` of
    ``source`` (CUDA-spelled C++, as for RawKernel), compiled for ``arch``
    ('gfx90a', 'gfx1030', ...) by hiprtc through the hip backend's compile
    slot: no AMD GPU, no hipInit needed.

    ``name`` is the kernel's name (``extern "C"``), or a name expression
    such as ``'scale<float>'`` for a template. Raises HIPUnavailableError
    (a RuntimeError) naming the missing library when hiprtc cannot be
    loaded, gpuarray.cuda.compiler.CompileException (with the log) when the
    source does not compile, ValueError for an unknown target or a kernel
    the code object does not hold, and NotImplementedError (a RuntimeError)
    for a target this hiprtc cannot compile (ROCm 5.x and gfx94x/gfx11),
    before hiprtc is asked (it would abort the process)."""
    if not isinstance(source, str):
        raise TypeError('source must be str, not %s' % type(source).__name__)
    if not isinstance(name, str) or not name:
        raise TypeError('name must be a non-empty str')
    is_expression = not name.isidentifier()
    prog = compile_program(source, arch, options, (name,) if is_expression else None)
    image = prog.image
    symbol = prog.lowered_name(name) if is_expression else name
    kernels = [k['name'] for k in code_object_info(image)['kernels']]
    if symbol not in kernels:
        raise ValueError('no kernel %r in the code object compiled for %s (it holds: %s); '
                         'a C++ kernel needs extern "C" or a name expression'
                         % (name, arch if isinstance(arch, str) else arch_name(arch),
                            ', '.join(kernels) or 'no kernel'))
    return image
