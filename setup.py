"""setup.py - builds gpuarray's one extension, gpuarray._core, from every C
file of the core, the backends, the loaders and the Python glue. Project
metadata lives in pyproject.toml.

The build needs a C compiler, Python's headers and NumPy only: CUDA (and
HIP) libraries are found and loaded at run time.

`make build` runs `setup.py build_ext --inplace`; the build_ext below
compiles in parallel and only the files whose object is out of date (the
source, or any header under csrc/, is newer), so a rebuild after a one-file
change takes seconds. `pip install .` builds from scratch as usual.
"""
import glob
import os
import sys
from concurrent.futures import ThreadPoolExecutor

from setuptools import Extension, find_namespace_packages, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
SRC_DIRS = ["csrc/core", "csrc/backends/cuda", "csrc/backends/hip", "csrc/backends/host", "csrc/loaders", "csrc/python"]
INCLUDE_DIRS = ["csrc/include", "csrc/core", "csrc/loaders", "csrc/backends/cuda", "csrc/backends/hip", "csrc/backends/host", "csrc/python"]


def _rel(path):
    return os.path.relpath(path, HERE)


def _sources():
    files = []
    for d in SRC_DIRS:
        files += sorted(glob.glob(os.path.join(HERE, d, "*.c")))
    return [_rel(f) for f in files]


def _headers():
    files = []
    for pattern in ("*.h", "*.def", "*.inc", "*.fn"):
        files += glob.glob(os.path.join(HERE, "csrc", "**", pattern), recursive=True)
    return sorted(_rel(f) for f in files)


class BuildExt(build_ext):
    """Parallel, incremental compile of the extension's many C files."""

    def build_extensions(self):
        import numpy  # a build requirement (pyproject.toml); imported late
        for ext in self.extensions:
            ext.include_dirs.append(numpy.get_include())
        if self.compiler.compiler_type == "unix":
            self._parallel_incremental(self.compiler)
        super().build_extensions()

    def run(self):
        super().run()
        # After run(): setuptools builds in-place extensions in build/ and
        # copies them over, with self.inplace reading 0 until then.
        self._build_host_runtime()

    def _build_host_runtime(self):
        """libgpuarray_hostrt.so beside the extension, and the prelude it
        force-includes in host kernels under host/ (in place, it is found in
        kernels/host/ instead). A library of its own, not part of _core:
        the kernel modules the host backend compiles link against it, so the
        per-thread CUDA state has one home with initial-exec TLS."""
        sources = [_rel(f) for f in sorted(glob.glob(os.path.join(HERE, "csrc", "hostrt", "*.c")))]
        if not sources:
            return
        objects = self.compiler.compile(
            sources, output_dir=self.build_temp,
            extra_postargs=["-std=c11", "-O2", "-fPIC", "-fvisibility=hidden", "-Wall",
                            "-Wextra", "-Wno-unused-parameter", "-pthread",
                            "-Werror=implicit-function-declaration"])
        out_dir = os.path.dirname(self.get_ext_fullpath("gpuarray._core"))
        self.compiler.link_shared_object(
            objects, os.path.join(out_dir, "libgpuarray_hostrt.so"),
            libraries=["dl", "pthread", "m"],
            extra_postargs=["-Wl,-soname,libgpuarray_hostrt.so", "-pthread"])
        if not self.inplace:
            # The templates gpuarray generates array kernels from: found in
            # kernels/ in place, in gpuarray/kernels/ once installed.
            kernels_dir = os.path.join(out_dir, "kernels")
            os.makedirs(kernels_dir, exist_ok=True)
            for f in sorted(glob.glob(os.path.join(HERE, "kernels", "*.cuh"))):
                self.copy_file(f, os.path.join(kernels_dir, os.path.basename(f)))
            prelude_dir = os.path.join(out_dir, "host")
            os.makedirs(prelude_dir, exist_ok=True)
            self.copy_file(os.path.join(HERE, "kernels", "host", "gahost_prelude.h"),
                           os.path.join(prelude_dir, "gahost_prelude.h"))

    def _parallel_incremental(self, compiler):
        serial_compile = compiler.compile
        headers = [os.path.join(HERE, h) for h in _headers()]
        newest_header = max((os.path.getmtime(h) for h in headers), default=0.0)
        force = self.force
        jobs = int(os.environ.get("GPUARRAY_BUILD_JOBS", "0")) or (os.cpu_count() or 1)

        def compile(sources, output_dir=None, macros=None, include_dirs=None, debug=0,
                    extra_preargs=None, extra_postargs=None, depends=None):
            try:
                macros, objects, extra, pp_opts, build = compiler._setup_compile(
                    output_dir, macros, include_dirs, sources, depends, extra_postargs)
                cc_args = compiler._get_cc_args(pp_opts, debug, extra_preargs)
            except AttributeError:  # a distutils without these internals
                return serial_compile(sources, output_dir, macros, include_dirs, debug,
                                      extra_preargs, extra_postargs, depends)

            def stale(obj):
                src, _ = build[obj]
                if force or not os.path.exists(obj):
                    return True
                t = os.path.getmtime(obj)
                return os.path.getmtime(src) > t or newest_header > t

            todo = [obj for obj in objects if obj in build and stale(obj)]

            def one(obj):
                src, ext = build[obj]
                compiler._compile(obj, src, ext, cc_args, extra, pp_opts)

            if todo:
                print(f"compiling {len(todo)} of {len(objects)} C files ({jobs} jobs)", flush=True)
                with ThreadPoolExecutor(max_workers=jobs) as pool:
                    for f in [pool.submit(one, obj) for obj in todo]:
                        f.result()
            return objects

        compiler.compile = compile


def _extension():
    return Extension(
        "gpuarray._core",
        sources=_sources(),
        depends=_headers(),
        include_dirs=INCLUDE_DIRS,
        extra_compile_args=["-std=c11", "-O2", "-fvisibility=hidden", "-Wall", "-Wextra",
                            "-Wno-unused-parameter",
                            # -std=c11 hides POSIX/GNU declarations unless a file
                            # defines _GNU_SOURCE: an undeclared call must not
                            # compile into a silently int-valued one
                            "-Werror=implicit-function-declaration"],
        extra_link_args=["-pthread"],
        libraries=["dl", "pthread", "m"],
    )


if not _sources() and "egg_info" not in sys.argv and "sdist" not in sys.argv:
    sys.exit("setup.py: no C sources found under " + ", ".join(SRC_DIRS))

setup(
    # namespace-style too: a subpackage folder without __init__.py still ships
    packages=find_namespace_packages(include=["gpuarray", "gpuarray.*"],
                                     exclude=["*.__pycache__"]),
    # kernel sources and headers that gpuarray compiles at run time, if any
    package_data={"gpuarray": ["*.cu", "*.cuh", "*.h", "*.ptx", "*/*.cu", "*/*.cuh",
                               "*/*.h", "*/*.ptx", "py.typed", "*.pyi"]},
    ext_modules=[_extension()],
    cmdclass={"build_ext": BuildExt},
)
