"""scripts/cupy_coverage.py: its readers of cupy/__init__.py (ast) and of
core.pyx/core.pxd (regular expressions) on small made-up sources, and a run
on the committed name cache (offline, no CuPy needed)."""
import importlib.util
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, 'scripts', 'cupy_coverage.py')

spec = importlib.util.spec_from_file_location('cupy_coverage', SCRIPT)
coverage = importlib.util.module_from_spec(spec)
spec.loader.exec_module(coverage)

INIT = '''
from __future__ import annotations
import sys as _sys
import numpy as _numpy
from cupy import _core
from cupy import fft
from cupy._math.misc import absolute as abs
from cupy._math.misc import absolute
from cupy._manipulation.transpose import transpose
from numpy import pi
PINF = Inf = _numpy.inf
permute_dims = transpose
fuse = _core.fusion.fuse
if _numpy.__version__ < "2":
    from numpy import bool_ as bool
else:
    from numpy import bool
try:
    from cupy._sorting.sort import sort
except ImportError:
    pass

def ndim(a):
    inner = 1          # a function's locals are not module names
    return a.ndim

_private = 1
testing = _lazy_import("cupy.testing")
'''

PYX = '''
cdef class helper:
    def not_ndarray(self):
        pass

class ndarray(_ndarray_base):
    __module__ = 'cupy'
    def view(self, dtype=None):
        pass

@cython.final
cdef class _ndarray_base:
    __array_priority__ = 100
    property shape:
        def __get__(self):
            pass
    @property
    def T(self):
        pass
    cpdef _ndarray_base astype(self, dtype):
        pass
    cpdef tuple nonzero(self):
        pass
    cdef _private_c(self):
        pass
    def _private(self):
        pass
    def __richcmp__(object self, object other, int op):
        pass
    def __add__(x, y):
        pass
    def __iadd__(self, other):
        pass
    def __div__(x, y):
        pass
    def __getbuffer__(self, Py_buffer* buf, int flags):
        pass

cpdef _ndarray_base array(obj):
    def not_a_member(self):
        pass
'''

PXD = '''
cdef class _ndarray_base:
    cdef:
        readonly Py_ssize_t size
        public shape_t _shape
        readonly object dtype
    cpdef item(self)
'''


def test_top_level_names_and_origins():
    names = coverage.top_level_names(INIT)
    assert names == {
        'fft': 'cupy.fft', 'abs': 'cupy._math.misc', 'absolute': 'cupy._math.misc',
        'transpose': 'cupy._manipulation.transpose', 'pi': 'numpy', 'PINF': 'numpy',
        'Inf': 'numpy', 'permute_dims': 'cupy._manipulation.transpose',
        'fuse': 'cupy._core.fusion', 'bool': 'numpy', 'sort': 'cupy._sorting.sort',
        'ndim': 'cupy', 'testing': 'cupy.testing'}
    assert {n: coverage.group_of(n, o) for n, o in names.items()} == {
        'fft': 'submodules', 'abs': '_math', 'absolute': '_math', 'transpose': '_manipulation',
        'pi': 'numpy (re-exported)', 'PINF': 'numpy (re-exported)',
        'Inf': 'numpy (re-exported)', 'permute_dims': '_manipulation', 'fuse': '_core',
        'bool': 'numpy (re-exported)', 'sort': '_sorting', 'ndim': '__init__',
        'testing': 'submodules'}


def test_star_import_is_refused():
    with pytest.raises(SystemExit, match='star import'):
        coverage.top_level_names('from cupy._math import *\n')


def test_ndarray_members():
    assert coverage.ndarray_members(PYX, PXD) == sorted([
        'view', '__array_priority__', 'shape', 'T', 'astype', 'nonzero',
        '__eq__', '__ne__', '__lt__', '__le__', '__gt__', '__ge__',
        '__add__', '__radd__', '__iadd__', 'size', 'dtype'])


def test_committed_cache_runs_offline():
    version, top, members, where = coverage.read_cache(coverage.DEFAULT_VERSION)
    assert version == coverage.DEFAULT_VERSION and 'PyPI sdist' in where
    assert len(top) > 400 and {'sort', 'cumsum', 'ndarray', 'testing'} <= set(top)
    assert len(members) > 100 and {'sort', 'view', '__divmod__', 'shape'} <= set(members)
    run = subprocess.run([sys.executable, SCRIPT, '--source', 'cache', '--json'], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert len(result['top']) == len(top) and len(result['ndarray']) == len(members)
    present = {r['name'] for r in result['top'] if r['present']}
    assert {'testing', 'asarray', 'ndarray', 'sum'} <= present
    markdown = subprocess.run([sys.executable, SCRIPT, '--source', 'cache', '--markdown'],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert markdown.returncode == 0, markdown.stderr
    assert '### Missing top-level names' in markdown.stdout


def test_installed_cupy_is_read_as_source_without_importing_it(tmp_path, monkeypatch):
    package = tmp_path / 'cupy'
    (package / '_core').mkdir(parents=True)
    (package / '__init__.py').write_text(INIT + '\nraise ImportError("must not be imported")\n')
    (package / '_version.py').write_text("__version__ = '99.1.0'\n")
    (package / '_core' / 'core.pyx').write_text(PYX)
    (package / '_core' / 'core.pxd').write_text(PXD)
    monkeypatch.syspath_prepend(str(tmp_path))
    # where the real CuPy is installed, other tests (interop) have imported
    # it, and find_spec would answer from sys.modules: hide it for this test
    for name in [m for m in sys.modules if m == 'cupy' or m.startswith('cupy.')]:
        monkeypatch.delitem(sys.modules, name)
    importlib.invalidate_caches()
    version, top, members, where = coverage.read_installed()
    assert version == '99.1.0' and 'installed cupy 99.1.0' in where
    assert top == coverage.top_level_names(INIT)
    assert members == coverage.ndarray_members(PYX, PXD)
    assert 'cupy' not in sys.modules
