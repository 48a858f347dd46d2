"""gpuarray._kernel - RawKernel and RawModule: CuPy's raw-kernel API over gpuarray._core.

Both are lazy, as in CuPy: nothing is compiled or loaded before the first
launch, attribute access or ``compile()``. A RawKernel is itself a
``gpuarray._core.Function``: calling it goes straight to the C launch path
(argument checks against the kernel's declared parameters, packing, launch),
which calls ``_load()`` here only when the kernel is not yet bound to the
launch's device. Compiled modules are kept per device.
"""

import logging as _logging
import os
import sys as _sys
import time as _time
import threading

from gpuarray import _core

__all__ = ['RawKernel', 'RawModule']


# Modules loaded from CUDA source, per (source, options, name expressions,
# source name, device): kept for the life of the process, as CuPy keeps its
# module cache, so that a kernel built again from the same source costs a
# dict lookup instead of a compile-cache lookup and a module load.
# gpuarray.cuda.compiler.clear_memory_cache() empties it.
_loaded_modules = {}


def _compiler():
    # Imported on first use: gpuarray.cuda's package imports gpuarray.
    from gpuarray.cuda import compiler
    return compiler


def _is_ptx(text):
    """True when ``text`` is PTX assembly rather than CUDA C++: its first
    token after comments is a PTX directive (.version, .target). CUDA source
    may open with comments too, so a leading ``//`` alone does not decide."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif text.startswith('//', i):
            j = text.find('\n', i)
            i = n if j < 0 else j + 1
        elif text.startswith('/*', i):
            j = text.find('*/', i + 2)
            i = n if j < 0 else j + 2
        else:
            return text.startswith(('.version', '.target'), i)
    return False


def _check_unsupported(backend, translate_cucomplex, enable_cooperative_groups, jitify):
    if backend != 'nvrtc':
        raise ValueError("backend must be 'nvrtc' (gpuarray does not run nvcc), "
                         "not {!r}".format(backend))
    if translate_cucomplex:
        raise NotImplementedError('translate_cucomplex=True is not supported by gpuarray')
    if enable_cooperative_groups:
        raise NotImplementedError(
            'enable_cooperative_groups=True is not supported by gpuarray yet')
    if jitify:
        raise NotImplementedError('jitify=True is not supported by gpuarray')


class RawModule:
    """A module of CUDA kernels: CUDA C++ ``code`` (compiled with NVRTC), or
    a file at ``path`` (.cu compiled, .ptx, .cubin or .fatbin loaded).

    gpuarray also takes PTX assembly as ``code`` (text whose first token
    after comments is ``.version`` or ``.target``) and loads it as is.
    ``get_function(name)`` takes a kernel name or one of ``name_expressions``
    (e.g. ``'scale<float>'``); ``get_global(name)`` gives a pointer to a
    ``__device__`` or ``__constant__`` variable.
    """

    def __init__(self, code=None, *, path=None, options=(), backend='nvrtc',
                 translate_cucomplex=False, enable_cooperative_groups=False,
                 name_expressions=None, jitify=False):
        if (code is None) == (path is None):
            raise TypeError('Exactly one of `code` and `path` keyword arguments must be given.')
        _check_unsupported(backend, translate_cucomplex, enable_cooperative_groups, jitify)
        compiler = _compiler()
        options = compiler._check_options(options)
        name_expressions = compiler._check_name_expressions(name_expressions)
        self._init_args = dict(code=code, path=path, options=options,
                               name_expressions=name_expressions)

        self._source_name = None
        self._ptx_text = None
        if code is not None:
            if not isinstance(code, str):
                raise TypeError('code must be str, not {}'.format(type(code).__name__))
            self._kind = 'ptx' if _is_ptx(code) else 'cuda'
            if self._kind == 'ptx':
                self._ptx_text = code
            path = None
        else:
            path = os.fspath(path)
            ext = os.path.splitext(path)[1].lower()
            if ext == '.cu':
                with open(path, encoding='utf-8') as f:
                    code = f.read()
                self._kind = 'cuda'
                self._source_name = path
            elif ext == '.ptx':
                with open(path, encoding='utf-8') as f:
                    self._ptx_text = f.read()
                self._kind = 'ptx'
            else:
                if not os.path.exists(path):
                    raise FileNotFoundError(path)
                self._kind = 'file'
        if name_expressions is not None and self._kind != 'cuda':
            raise ValueError('need CUDA C++ code for the requested kernels '
                             '(name_expressions)')

        self.code = code
        self.file_path = path
        self.options = options
        self.name_expressions = name_expressions
        self.backend = backend
        self.translate_cucomplex = translate_cucomplex
        self.enable_cooperative_groups = enable_cooperative_groups
        self.jitify = jitify

        self._lock = threading.RLock()
        self._programs = {}     # device id -> _core.Program
        self._modules = {}      # device id -> _core.Module

    @property
    def path(self):
        return self.file_path

    def __repr__(self):
        what = self.file_path if self.file_path else '<{} code>'.format(
            'PTX' if self._kind == 'ptx' else 'CUDA')
        return '<RawModule {}>'.format(what)

    def __reduce__(self):
        return (_rebuild_module, (self._init_args,))

    # -------------------------------------------------------- compile/load

    def _program(self, device_id=None, explicit=False):
        """The compiled program for ``device_id`` (the current device by
        default). With ``explicit=False`` the compile also works without a
        GPU (for ``ptx``/``cubin``): the newest architecture is targeted."""
        if device_id is None:
            device_id = _core._kernel_current_device()
        prog = self._programs.get(device_id)
        if prog is None:
            with self._lock:
                prog = self._programs.get(device_id)
                if prog is None:
                    t0 = _time.perf_counter()
                    prog = _core.compile(self.code, self.options, self.name_expressions,
                                         self._source_name, 0,
                                         device_id if explicit else None)
                    _log_compile(self, prog, (_time.perf_counter() - t0) * 1e3)
                    self._programs[device_id] = prog
        return prog

    def _module(self, device_id=None):
        """The module loaded on ``device_id`` (the current device by default)."""
        if device_id is None:
            device_id = _core._kernel_current_device()
        mod = self._modules.get(device_id)
        if mod is None:
            with self._lock:
                mod = self._modules.get(device_id)
                if mod is None:
                    if self._kind == 'cuda':
                        key = (self.code, self.options, self.name_expressions,
                               self._source_name, device_id)
                        mod = _loaded_modules.get(key)
                        if mod is None:
                            mod = _core.load_program(self._program(device_id, True), device_id)
                            _loaded_modules[key] = mod
                    elif self._kind == 'ptx':
                        mod = _core.load_data('ptx', self._ptx_text, device_id)
                    else:
                        mod = _core.load_file(self.file_path, device_id)
                    self._modules[device_id] = mod
        return mod

    @property
    def module(self):
        """The ``gpuarray._core.Module`` loaded on the current device."""
        return self._module()

    def compile(self, log_stream=None):
        """Compile (CUDA code) and load the module on the current device now.
        The compiler's log is written to ``log_stream`` when given."""
        mod = self._module()
        if log_stream is not None and self._kind == 'cuda':
            log_stream.write(self._program().log)
        return mod

    # ------------------------------------------------------------- access

    def get_function(self, name):
        """The kernel ``name`` (or name expression) as a :class:`RawKernel`,
        loaded on the current device."""
        if not isinstance(name, str):
            raise TypeError('kernel name must be str, not {}'.format(type(name).__name__))
        kernel = RawKernel._from_module(self, name)
        kernel._load()
        return kernel

    def get_global(self, name):
        """A ``MemoryPointer`` to the ``__device__`` or ``__constant__``
        variable ``name`` on the current device; it keeps the module loaded
        (``.mem.size`` is the variable's size in bytes)."""
        if not isinstance(name, str):
            raise TypeError('global name must be str, not {}'.format(type(name).__name__))
        return self._module().get_global(name)

    @property
    def ptx(self):
        """PTX text: NVRTC's output for CUDA code, the text itself for PTX."""
        if self._kind == 'ptx':
            return self._ptx_text
        if self._kind == 'cuda':
            return self._program().ptx
        return None

    @property
    def cubin(self):
        """CUBIN bytes: NVRTC's output for CUDA code (None where NVRTC is
        older than the device and kept PTX), the file's for a .cubin."""
        if self._kind == 'cuda':
            return self._program().cubin
        if self._kind == 'file' and self.file_path.lower().endswith('.cubin'):
            with open(self.file_path, 'rb') as f:
                return f.read()
        return None

    @property
    def code_object(self):
        """The AMD GPU code object (ELF bytes) hiprtc made, on the hip
        backend (the AMD analogue of ``cubin``; ``llvm-objdump -d
        --mcpu=gfxNNN`` prints its ISA); None on other backends (see
        gpuarray.hip.compile_for_target to make one anywhere)."""
        if self._kind == 'cuda':
            prog = self._program()
            return prog.image if prog.image_kind == 'amdgpu' else None
        return None


def _rebuild_module(init_args):
    return RawModule(**init_args)


class RawKernel(_core.Function):
    """A CUDA kernel from source: ``RawKernel(code, name, options=())``.

    Call it as ``kernel(grid, block, args, shared_mem=0, stream=None)``.
    ``grid`` and ``block`` are ints or tuples of 1 to 3 ints; ``args`` a
    tuple or list, checked against the kernel's declared parameters (Python
    numbers convert to the declared C type; device arrays must match a typed
    pointer). The launch goes to the current stream unless ``stream`` is
    given. The kernel compiles on the first launch or attribute access.
    """

    def __init__(self, code, name, options=(), backend='nvrtc', translate_cucomplex=False,
                 *, enable_cooperative_groups=False, jitify=False):
        if not isinstance(name, str):
            raise TypeError('kernel name must be str, not {}'.format(type(name).__name__))
        if '\0' in name:
            raise ValueError('kernel name {!r} contains a NUL character'.format(name))
        self._rawmodule = RawModule(
            code=code, options=options, backend=backend,
            translate_cucomplex=translate_cucomplex,
            enable_cooperative_groups=enable_cooperative_groups, jitify=jitify)
        self._name = name
        self._functions = {}    # device id -> _core.Function
        self.__name__ = name

    @classmethod
    def _from_module(cls, rawmodule, name):
        self = cls.__new__(cls)
        self._rawmodule = rawmodule
        self._name = name
        self._functions = {}
        self.__name__ = name
        return self

    def _load(self, device_id=None):
        """Bind the C launch path to this kernel on ``device_id`` (the current
        device by default). Called from C on the first launch on a device."""
        if device_id is None:
            device_id = _core._kernel_current_device()
        fn = self._functions.get(device_id)
        if fn is None:
            fn = self._rawmodule._module(device_id).get_function(self._name)
            self._functions[device_id] = fn
        self._bind(fn)

    def compile(self, log_stream=None):
        """Compile and load now (on the current device) instead of at the
        first launch; the compiler's log goes to ``log_stream`` if given."""
        self._functions.clear()
        self._rawmodule.compile(log_stream)
        self._load()

    @property
    def kernel(self):
        """The loaded kernel (CuPy's RawKernel.kernel): the kernel itself."""
        self._load()
        return self

    @property
    def name(self):
        return self._name

    @property
    def code_object(self):
        """The AMD GPU code object on the hip backend (RawModule.code_object)."""
        return self._rawmodule.code_object

    @property
    def code(self):
        return self._rawmodule.code

    @property
    def options(self):
        return self._rawmodule.options

    @property
    def backend(self):
        return self._rawmodule.backend

    @property
    def translate_cucomplex(self):
        return self._rawmodule.translate_cucomplex

    @property
    def enable_cooperative_groups(self):
        return self._rawmodule.enable_cooperative_groups

    @property
    def jitify(self):
        return self._rawmodule.jitify

    @property
    def file_path(self):
        return self._rawmodule.file_path

    @property
    def name_expressions(self):
        return self._rawmodule.name_expressions

    @property
    def ptx(self):
        return self._rawmodule.ptx

    @property
    def cubin(self):
        return self._rawmodule.cubin

    def __repr__(self):
        return '<RawKernel {}>'.format(self._name)

    def __reduce__(self):
        return (_rebuild_kernel, (self._rawmodule._init_args, self._name))


def _rebuild_kernel(init_args, name):
    return RawKernel._from_module(RawModule(**init_args), name)


# ------------------------------------------------------------------ logging

_log = _logging.getLogger('gpuarray')
_slow_compile_noticed = False


def _log_compile(mod, prog, ms):
    """One DEBUG record per compile: name, backend, milliseconds, cache hit
    (memory or disk) or miss. A first compile over a second in an interactive
    Python is one WARNING line (shown by logging's last-resort handler when
    nothing is configured; logging.getLogger('gpuarray').setLevel(logging.ERROR)
    silences it)."""
    global _slow_compile_noticed
    source = getattr(prog, 'cache_source', None) or 'miss'
    name = getattr(mod, '_source_name', None) or getattr(mod, 'name', None) or '<kernel>'
    backend = _core.config().get('backend') if _log.isEnabledFor(_logging.DEBUG) or ms > 1000 else ''
    _log.debug('compiled %s on %s in %.1f ms (cache: %s)', name, backend, ms, source)
    if ms > 1000 and source == 'miss' and not _slow_compile_noticed and hasattr(_sys, 'ps1'):
        _slow_compile_noticed = True
        _log.warning('gpuarray: compiling %s took %.1f s on the %s backend; it is cached from '
                     'now on', name, ms / 1e3, backend)
