"""Importing gpuarray, its namespaces, its exception classes and
show_config: none of it needs a GPU, and these tests run everywhere.

Where CUDA is missing, what needs it raises CUDAUnavailableError saying why.
That is checked in a fresh interpreter pointed at a driver library that does
not exist, so it runs on GPU machines too."""
import io
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import gpuarray
import gpuarray as cp


def run_without_driver(code):
    """Run `code` in a fresh interpreter whose CUDA driver cannot load;
    returns its stdout (the test fails on a non-zero exit)."""
    env = dict(os.environ, GPUARRAY_BACKEND='cuda',
               GPUARRAY_LIBCUDA='/nonexistent/gpuarray-test/libcuda.so.1')
    r = subprocess.run([sys.executable, '-c', textwrap.dedent(code)], env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


# ------------------------------------------------------------ import, namespaces

def test_import_succeeds_without_a_driver():
    out = run_without_driver('''
        import gpuarray
        print(gpuarray.cuda.is_available())
    ''')
    assert out.strip() == 'False'


def test_is_available_returns_a_bool():
    assert isinstance(gpuarray.cuda.is_available(), bool)
    assert gpuarray.is_available() is gpuarray.cuda.is_available()


def test_cupy_names_exist():
    for name in ['ndarray', 'empty', 'zeros', 'ones', 'full', 'arange', 'empty_like', 'zeros_like',
                 'ones_like', 'full_like', 'asarray', 'array', 'ascontiguousarray', 'asnumpy',
                 'get_default_memory_pool', 'get_default_pinned_memory_pool', 'empty_pinned',
                 'zeros_pinned', 'RawKernel', 'RawModule', 'show_config', 'get_array_module', 'cuda']:
        assert hasattr(cp, name), name
    for name in ['Device', 'Stream', 'Event', 'get_current_stream', 'get_elapsed_time',
                 'is_available', 'runtime', 'compiler', 'memory', 'CUDADriverError',
                 'OutOfMemoryError', 'CUDAUnavailableError', 'Memory', 'MemoryPointer',
                 'MemoryPool', 'alloc', 'alloc_pinned_memory']:
        assert hasattr(cp.cuda, name), name
    assert callable(cp.cuda.runtime.getDeviceCount)
    assert cp.ndarray.__module__ == 'gpuarray' and cp.ndarray.__name__ == 'ndarray'


def test_dtype_names_are_numpys():
    for name in ['bool_', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64',
                 'float16', 'float32', 'float64', 'complex64', 'complex128', 'intp', 'single',
                 'double', 'dtype']:
        assert getattr(cp, name) is getattr(np, name), name
    assert cp.newaxis is None


def test_get_array_module_picks_numpy_for_host_values():
    assert cp.get_array_module(np.zeros(2), 3.0) is np
    assert cp.get_array_module() is np


# ------------------------------------------------------------------ exceptions

def test_exception_hierarchy():
    assert issubclass(cp.cuda.CUDADriverError, RuntimeError)
    assert issubclass(cp.cuda.CUDAUnavailableError, cp.cuda.CUDADriverError)
    assert issubclass(cp.cuda.OutOfMemoryError, MemoryError)
    assert issubclass(cp.cuda.compiler.CompileException, Exception)
    assert cp.cuda.memory.OutOfMemoryError is cp.cuda.OutOfMemoryError
    assert cp.cuda.compiler.CompileException is cp.cuda.CompileException
    assert cp.cuda.runtime.CUDARuntimeError is cp.cuda.CUDADriverError


def test_driver_error_carries_status_and_name():
    e = cp.cuda.CUDADriverError('CUDA_ERROR_INVALID_VALUE: invalid argument', 1,
                                'CUDA_ERROR_INVALID_VALUE', 'GA_ERROR_DRIVER')
    assert (e.status, e.driver_error, e.ga_status) == (1, 'CUDA_ERROR_INVALID_VALUE', 'GA_ERROR_DRIVER')
    assert 'invalid argument' in str(e)
    plain = cp.cuda.CUDADriverError('boom')
    assert (plain.status, plain.driver_error) == (0, '')


def test_compile_exception_shows_the_log():
    log = 'kernel.cu(3): error: identifier "undefined_function" is undefined'
    e = cp.cuda.compiler.CompileException(log, source='int x;\nint y;\n', name='kernel.cu',
                                          options=['-O3', '--std=c++17'])
    assert str(e) == log
    assert e.log == log and e.name == 'kernel.cu' and e.options == ('-O3', '--std=c++17')
    assert e.source.startswith('int x;')
    f = io.StringIO()
    e.dump(f)
    assert log in f.getvalue() and '1 int x;' in f.getvalue()


def test_exceptions_pickle():
    import pickle
    e = pickle.loads(pickle.dumps(cp.cuda.CUDADriverError('m', 2, 'CUDA_ERROR_OUT_OF_MEMORY')))
    assert type(e) is cp.cuda.CUDADriverError and e.status == 2
    c = pickle.loads(pickle.dumps(cp.cuda.compiler.CompileException('the log', 'src', 'k.cu', ('-O3',))))
    assert str(c) == 'the log' and c.options == ('-O3',)


# --------------------------------------------------------- without a driver

def test_without_a_driver_everything_that_needs_cuda_says_why():
    out = run_without_driver('''
        import gpuarray as cp
        def reason(f):
            try:
                f()
            except cp.cuda.CUDAUnavailableError as e:
                return str(e)
            return 'no exception'
        for name, f in [('empty', lambda: cp.empty(3)),
                        ('asarray', lambda: cp.asarray([1.0, 2.0])),
                        ('Device', lambda: cp.cuda.Device(0)),
                        ('getDeviceCount', cp.cuda.runtime.getDeviceCount),
                        ('Stream', lambda: cp.cuda.Stream()),
                        ('used_bytes', lambda: cp.get_default_memory_pool().used_bytes())]:
            print(name, '|', reason(f))
    ''')
    lines = dict(line.split(' | ', 1) for line in out.strip().splitlines())
    assert set(lines) == {'empty', 'asarray', 'Device', 'getDeviceCount', 'Stream', 'used_bytes'}
    for name, why in lines.items():
        assert why != 'no exception', name
        assert 'libcuda' in why, (name, why)     # it names the library it could not load


def test_without_a_driver_stream_null_and_pinned_free_objects_exist():
    out = run_without_driver('''
        import gpuarray as cp
        print(cp.cuda.Stream.null.ptr, cp.cuda.get_current_stream() == cp.cuda.Stream.null)
    ''')
    assert out.split() == ['0', 'True']


def test_show_config_without_a_driver_says_why():
    out = run_without_driver('import gpuarray; gpuarray.show_config()')
    assert 'Backend' in out and 'none' in out and 'libcuda' in out
    assert 'NumPy' in out and np.__version__ in out


# ----------------------------------------------------------------- config

def test_show_config_prints_versions_and_paths(capsys):
    cp.show_config()
    out = capsys.readouterr().out
    for key in ['Backend', 'CUDA driver', 'CUDA driver library', 'NVRTC', 'NVRTC library',
                'Kernel cache directory', 'NumPy', 'Python']:
        assert key in out, key
    assert np.__version__ in out


def test_config_dict_has_the_core_fields():
    c = gpuarray._core.config()
    assert set(c) >= {'backend', 'driver_version', 'driver_path', 'compiler_version',
                      'compiler_path', 'cache_dir', 'available'}
    assert isinstance(c['driver_version'], int) and isinstance(c['compiler_version'], int)
    assert c['available'] == gpuarray.cuda.is_available()
    if c['available'] and c['backend'] == 'cuda':
        assert c['driver_version'] > 0 and c['driver_path']
    elif c['available']:
        # no CUDA driver: the driver path is the host kernel runtime's
        assert c['backend'] == 'host' and c['driver_version'] == 0
