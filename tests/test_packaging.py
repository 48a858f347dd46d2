"""What a packager and a new user meet first: names, signatures, typing
files, license metadata, and the message when the extension is not built.
(The sdist -> wheel -> fresh venv check is scripts/check_sdist.sh, in CI.)"""
import inspect
import os
import shutil
import subprocess
import sys

import gpuarray as ga

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_public_functions_have_their_names_and_signatures():
    assert ga.sum.__name__ == 'sum' and ga.amax.__name__ == 'amax' and ga.mean.__name__ == 'mean'
    bad = []
    for n in dir(ga):
        f = getattr(ga, n)
        if n.startswith('_') or not callable(f) or inspect.isclass(f) or inspect.ismodule(f):
            continue
        try:
            inspect.signature(f)
        except (ValueError, TypeError):
            bad.append(n)
        assert getattr(f, '__name__', n) != '_' + n, n
    assert bad == [], bad
    assert list(inspect.signature(ga.zeros).parameters)[:2] == ['shape', 'dtype']


def test_typing_files_and_license_ship():
    pkg = os.path.dirname(ga.__file__)
    assert os.path.exists(os.path.join(pkg, 'py.typed'))
    stub = open(os.path.join(pkg, '_core.pyi')).read()
    for name in ('compile', 'config', 'is_available'):
        if hasattr(ga._core, name):
            assert 'def %s(' % name in stub, name
    toml = open(os.path.join(ROOT, 'pyproject.toml')).read()
    assert 'name = "gpuarray-core"' in toml and 'MIT' in toml
    assert 'MIT License' in open(os.path.join(ROOT, 'LICENSE')).read()


def test_import_from_an_unbuilt_tree_says_what_to_do(tmp_path):
    shutil.copytree(os.path.join(ROOT, 'gpuarray'), tmp_path / 'gpuarray',
                    ignore=shutil.ignore_patterns('*.so', '__pycache__'))
    (tmp_path / 'setup.py').write_text('')
    r = subprocess.run([sys.executable, '-c', 'import gpuarray'], cwd=tmp_path,
                       capture_output=True, text=True, timeout=60,
                       env={k: v for k, v in os.environ.items() if k != 'PYTHONPATH'})
    assert r.returncode != 0
    assert 'make build' in r.stderr and 'source tree' in r.stderr, r.stderr[-2000:]


def test_compiles_are_logged(caplog):
    import logging
    import numpy as np
    src = 'extern "C" __global__ void logged_%d(int *p) { p[0] = 1; }' % os.getpid()
    with caplog.at_level(logging.DEBUG, logger='gpuarray'):
        k = ga.RawKernel(src, 'logged_%d' % os.getpid())
        a = ga.zeros(1, np.int32)
        k((1,), (1,), (a,))
    recs = [r.getMessage() for r in caplog.records if r.name == 'gpuarray']
    assert any(m.startswith('compiled ') and ' ms (cache: ' in m for m in recs), recs
