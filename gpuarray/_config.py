"""gpuarray.show_config: what gpuarray found on this machine."""

import os
import platform
import sys

from gpuarray import _core


def _version(v):
    """13000 -> '13.0'; 0 -> 'not found'."""
    return '%d.%d' % (v // 1000, v % 1000 // 10) if v else 'not found'


def config_rows():
    """(label, value) pairs that show_config prints."""
    import numpy
    import gpuarray
    c = _core.config()
    backend = c['backend'] if c['available'] else None
    rows = [
        ('gpuarray', gpuarray.__version__),
        ('Backend', backend if backend else 'none (%s)' % c['unavailable_reason']),
    ]
    compiler = _version(c['compiler_version']) + (
        '' if c['compiler_version'] else ' (%s)' % (c['compiler_detail'] or 'not loaded'))
    if backend == 'host':
        # The CPU backend: kernels are compiled by the system C++ compiler
        # and run by the host kernel runtime; CUDA is not used.
        rows += [
            ('CUDA driver', 'not used (host backend)'),
            ('CUDA driver library', '-'),
            ('NVRTC', 'not used (host backend)'),
            ('NVRTC library', '-'),
            ('Host C++ compiler', (os.path.basename(c['compiler_path']) + ' ' + compiler
                                   if c['compiler_version'] else compiler)),
            ('Host C++ compiler path', c['compiler_path'] or '-'),
            ('Host kernel runtime', c['driver_path'] or '-'),
        ]
    elif backend == 'hip':
        v = c['driver_version']
        rows += [
            ('HIP runtime', 'ROCm %d.%d (hipDriverGetVersion %d)' % (v // 10000000,
                                                                    v // 100000 % 100, v)),
            ('HIP runtime library', c['driver_path'] or '-'),
            ('hiprtc', 'ROCm ' + compiler),
            ('hiprtc library', c['compiler_path'] or '-'),
        ]
    else:
        rows += [
            ('CUDA driver', _version(c['driver_version'])),
            ('CUDA driver library', c['driver_path'] or '-'),
            ('NVRTC', compiler),
            ('NVRTC library', c['compiler_path'] or '-'),
        ]
    if backend != 'hip':
        # HIP where it is installed but not used (no AMD GPU), so a user
        # sees that gpuarray.hip.compile_for_target can work here.
        hi = _core.hip_library_info()
        if hi['runtime_error'] is None:
            v = hi['runtime_version']
            rows.append(('HIP (not used)', 'ROCm %d.%d at %s; hiprtc %s' % (
                v // 10000000, v // 100000 % 100, hi['runtime_path'],
                hi['hiprtc_path'] if hi['hiprtc_error'] is None else 'not found')))
    rows.append(('Kernel cache directory', c['cache_dir'] or '-'))
    if c['available']:
        try:
            n = _core.get_device_count()
            for i in range(n):
                d = _core.Device(i)
                if backend == 'host':
                    rows.append(('Device %d' % i, d.name))
                elif backend == 'hip':
                    rows.append(('Device %d' % i, '%s (%s)' % (d.name, _core.hip_device_arch(i))))
                else:
                    rows.append(('Device %d' % i, '%s (compute capability %s)'
                                 % (d.name, d.compute_capability)))
        except Exception as exc:   # show_config must not fail
            rows.append(('Devices', 'error: %s' % exc))
    rows += [
        ('NumPy', numpy.__version__),
        ('Python', sys.version.split()[0]),
        ('OS', platform.platform()),
    ]
    return rows


def show_config(*, _file=None):
    """Print the backend (cuda or host), the driver's and NVRTC's versions
    and library paths (on the host backend: the C++ compiler and the kernel
    runtime), the kernel cache directory, the devices, and NumPy's,
    Python's and the OS's versions."""
    rows = config_rows()
    width = max(len(k) for k, _ in rows)
    out = _file if _file is not None else sys.stdout
    for k, v in rows:
        out.write('%-*s : %s\n' % (width, k, v))
