"""The radix sort's pass kernel must fit the 48 KiB of static shared memory
every CUDA GPU gives a block: the host backend has no such limit, so only
ptxas can tell. Each module variant gpuarray builds (key width x index
width) is compiled here for sm_90 with the toolkit's nvcc, and the shared
memory ptxas reports is compared with what gpuarray._radix computes and
with the limit. Skips where no nvcc is installed."""

import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

import gpuarray._kernel as _kernel
from gpuarray import _radix

VARIANTS = [(w, b) for w in (1, 2, 4, 8) for b in (False, True)]


def _nvcc():
    found = shutil.which('nvcc')
    if found:
        return found
    home = os.environ.get('CUDA_HOME', '/usr/local/cuda')
    path = os.path.join(home, 'bin', 'nvcc')
    return path if os.access(path, os.X_OK) else None


class _SourceOnly:
    """Stands in for RawModule: keeps the source, compiles nothing."""

    def __init__(self, code=None, **kwargs):
        self.code = code


def _source(width, big_index, monkeypatch, payload=True):
    monkeypatch.setattr(_kernel, 'RawModule', _SourceOnly)
    monkeypatch.setattr(_radix, '_modules', {})
    return _radix._module(width, big_index, False, payload).code


def _ptxas_smem(nvcc, path):
    """{kernel name: static shared bytes} as ptxas -v reports them."""
    proc = subprocess.run([nvcc, '-cubin', '-arch=sm_90', '-Xptxas', '-v', path,
                           '-o', os.devnull], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    smem, current = {}, None
    for line in proc.stderr.splitlines():
        m = re.search(r"Compiling entry function '(\w+)'", line)
        if m:
            current = m.group(1)
        m = re.search(r'(\d+) bytes smem', line)
        if m and current:
            smem[current] = int(m.group(1))
    return smem


def test_items_fit_the_limit_by_formula():
    for width, big_index in VARIANTS:
        items = _radix.pass_items(width, big_index)
        assert 1 <= items <= _radix.ITEMS[width]
        assert _radix.pass_shared_bytes(width, big_index, items) <= _radix.SHARED_LIMIT
        # the largest count that fits: one more key per thread would not
        if items < _radix.ITEMS[width]:
            assert _radix.pass_shared_bytes(width, big_index, items + 1) > _radix.SHARED_LIMIT


def test_ptxas_accepts_every_variant(tmp_path, monkeypatch):
    nvcc = _nvcc()
    if nvcc is None:
        pytest.skip('nvcc (the CUDA toolkit) is not installed')
    paths = []
    for width, big_index in VARIANTS:
        path = tmp_path / 'sort_{}_{}.cu'.format(width, int(big_index))
        # the payload variant: the keys-only one declares the same arrays
        path.write_text(_source(width, big_index, monkeypatch))
        paths.append(str(path))
    with ThreadPoolExecutor(max_workers=2) as pool:
        reports = list(pool.map(lambda p: _ptxas_smem(nvcc, p), paths))
    for (width, big_index), smem in zip(VARIANTS, reports):
        items = _radix.pass_items(width, big_index)
        assert smem['ga_sort_pass'] == _radix.pass_shared_bytes(width, big_index, items), \
            (width, big_index)
        assert max(smem.values()) <= _radix.SHARED_LIMIT, (width, big_index, smem)
