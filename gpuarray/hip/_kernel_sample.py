"""The kernels gpuarray's array layer generates, collected without running
them: ``python -m gpuarray.hip._kernel_sample`` prints them as JSON.

Every generated kernel goes through ``gpuarray._elementwise.get_kernel``.
Here it is replaced by a recorder that keeps (name, source, options) and
hands back a kernel whose launch does nothing, and a sample of operations
runs on whatever backend is active (the host backend anywhere): each
template is filled in for each dtype family, as the real operations fill
it. The results are garbage and the layers' plan caches keep the do-nothing
kernels, which is why this runs only in a process of its own
(:func:`library_kernels` starts one)."""

import json
import os
import subprocess
import sys

#: One dtype per family of the templates (bool, signed, unsigned, half,
#: single, double, complex), plus int64 (its floor_divide and index paths).
FAMILIES = ('bool', 'int32', 'int64', 'uint8', 'float16', 'float32', 'float64', 'complex64')


def _record():
    import numpy as np
    import gpuarray as cp
    from gpuarray import _elementwise as ew
    from gpuarray import _ufuncs

    recorded = {}
    current = ['']          # what the sample is doing, for the labels

    class _NoLaunch:
        def __init__(self, code, name, options):
            self.code, self.name, self.options = code, name, options

        def __call__(self, *args, **kwargs):
            return None

    def recording_get_kernel(key, build, options=()):
        source, name = build()
        recorded.setdefault((name, source, tuple(options)), current[0])
        return _NoLaunch(source, name, tuple(options))

    ew.get_kernel = recording_get_kernel
    # The operators' C fast path wants a real Function: not registered here.
    _ufuncs._record_fast = lambda *a, **k: None

    families = os.environ.get('GPUARRAY_HIP_SAMPLE_FAMILIES')
    for family in (families.split(',') if families else FAMILIES):
        dt = np.dtype(family)
        current[0] = family
        host = np.arange(12).reshape(3, 4)
        host = (host % 2 == 0) if dt.kind == 'b' else host.astype(dt)
        a = cp.asarray(host)
        cp.add(a, a)                                  # dense elementwise
        cp.add(a[:, ::2], a[:, 1::2])                 # strided elementwise
        a.astype(np.float32)                          # cast
        cp.greater(a, a) if dt.kind != 'c' else cp.equal(a, a)
        if dt.kind == 'b':
            cp.logical_not(a)
            a.any()
        else:
            cp.multiply(a, 3)                         # with a scalar
            cp.negative(a) if dt.kind != 'u' else cp.bitwise_not(a)
            a.sum()                                   # full reduction
            a.sum(axis=0)                             # axis reduction
        if dt.kind in 'iu':
            cp.floor_divide(a, a)
        if dt.kind in 'fc':
            cp.true_divide(a, a)
        if dt.kind == 'c':
            cp.absolute(a)
        elif dt.kind != 'b':
            a.max()
            cp.argmax(a)
        if dt.kind == 'f':
            a.mean(axis=1)

    current[0] = 'user'
    x = cp.asarray(np.arange(8, dtype=np.float32))
    cp.ElementwiseKernel('float32 x, float32 y', 'float32 z', 'z = x * y + 1',
                         'sample_elementwise')(x, x)
    cp.ReductionKernel('float32 x', 'float32 y', 'x * x', 'a + b', 'y = sqrt(a)', '0',
                       'sample_l2norm')(x)
    return [{'name': n, 'source': s, 'options': list(o), 'label': '%s %s' % (f, n)}
            for (n, s, o), f in recorded.items()]


def library_kernels(timeout=120, families=None):
    """[{'name', 'source', 'options', 'label'}] of the sample (the dtype
    families given, default FAMILIES), from a child process (see the
    module's docstring for why)."""
    env = dict(os.environ)
    if families:
        env['GPUARRAY_HIP_SAMPLE_FAMILIES'] = ','.join(families)
    r = subprocess.run([sys.executable, '-m', 'gpuarray.hip._kernel_sample'],
                       capture_output=True, text=True, timeout=timeout, env=env)
    if r.returncode != 0:
        raise RuntimeError('collecting gpuarray\'s kernels failed:\n' + r.stderr[-4000:])
    return json.loads(r.stdout)


if __name__ == '__main__':
    json.dump(_record(), sys.stdout)
