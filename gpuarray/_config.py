"""gpuarray.show_config: what gpuarray found on this machine."""

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
    rows = [
        ('gpuarray', gpuarray.__version__),
        ('Backend', c['backend'] if c['available'] else 'none (%s)' % c['unavailable_reason']),
        ('CUDA driver', _version(c['driver_version'])),
        ('CUDA driver library', c['driver_path'] or '-'),
        ('NVRTC', _version(c['compiler_version'])
         + ('' if c['compiler_version'] else ' (%s)' % (c['compiler_detail'] or 'not loaded'))),
        ('NVRTC library', c['compiler_path'] or '-'),
        ('Kernel cache directory', c['cache_dir'] or '-'),
    ]
    if c['available']:
        try:
            n = _core.get_device_count()
            for i in range(n):
                d = _core.Device(i)
                rows.append(('Device %d' % i, '%s (compute capability %s)' % (d.name, d.compute_capability)))
        except Exception as exc:   # show_config must not fail
            rows.append(('Devices', 'error: %s' % exc))
    rows += [
        ('NumPy', numpy.__version__),
        ('Python', sys.version.split()[0]),
        ('OS', platform.platform()),
    ]
    return rows


def show_config(*, _file=None):
    """Print the backend, the driver's and NVRTC's versions and library
    paths, the kernel cache directory, the devices, and NumPy's, Python's
    and the OS's versions."""
    rows = config_rows()
    width = max(len(k) for k, _ in rows)
    out = _file if _file is not None else sys.stdout
    for k, v in rows:
        out.write('%-*s : %s\n' % (width, k, v))
