"""cuSOLVER is loaded at run time through the one library search: found
where the toolkit or a wheel has it (dlopen needs no GPU), and when it is
absent an error that names it and every place searched, raised at first
use, not at import."""
import os
import subprocess
import sys

import pytest

import gpuarray as cp

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _toolkit_has_cusolver():
    for d in (os.environ.get('CUDA_PATH'), os.environ.get('CUDA_HOME'), '/usr/local/cuda'):
        if d and os.path.isdir(os.path.join(d, 'lib64')) and any(
                f.startswith('libcusolver.so') for f in os.listdir(os.path.join(d, 'lib64'))):
            return True
    return False


@pytest.mark.skipif(not _toolkit_has_cusolver(), reason='no CUDA toolkit with libcusolver here')
def test_loader_finds_cusolver_and_names_its_path():
    path = cp._core._solver_library()
    assert 'libcusolver.so' in os.path.basename(path)
    assert os.path.isabs(path) and os.path.exists(path)


def test_bad_override_names_the_places_searched():
    # a subprocess: the library is loaded once per process
    code = ('import gpuarray, gpuarray.linalg\n'
            'try:\n'
            '    gpuarray._core._solver_library()\n'
            'except gpuarray.cuda.CUDAUnavailableError as e:\n'
            '    print("ERROR", e)\n'
            'else:\n'
            '    print("LOADED")\n')
    env = dict(os.environ, GPUARRAY_CUSOLVER='/nonexistent/dir/libcusolver.so.99')
    out = subprocess.run([sys.executable, '-c', code], env=env, cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert text.startswith('ERROR'), text
    assert 'cuSOLVER' in text and 'GPUARRAY_CUSOLVER' in text
    assert '/nonexistent/dir/libcusolver.so.99' in text
    # where it would have looked without the override
    for place in ('libcusolver.so.13/.12/.11', '/usr/local/cuda/lib64', 'nvidia/cusolver/lib',
                  'nvidia/cu13/lib'):
        assert place in text, place


def test_import_does_not_load_cusolver():
    code = ('import os, gpuarray, gpuarray.linalg\n'
            'maps = open("/proc/self/maps").read()\n'
            'print("libcusolver" in maps)\n')
    out = subprocess.run([sys.executable, '-c', code], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == 'False'
