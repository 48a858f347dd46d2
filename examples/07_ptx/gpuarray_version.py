# PTX (chapter 7.5, "PTX の基本" and "SASS 最適化"): a kernel written in PTX by
# hand (saxpy.ptx: the chapter's fragment completed and corrected, the file
# says how), loaded and launched like any other; then the PTX that NVRTC
# makes of the CUDA C saxpy of chapter 7.1, and its SASS (the GPU's machine
# code) via cuobjdump or nvdisasm where one of them is installed.
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

import gpuarray as cp

HERE = os.path.dirname(os.path.abspath(__file__))
SAXPY = r'''
extern "C" __global__
void saxpy(int n, float a, const float* x, float* y) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        y[i] = a * x[i] + y[i];
    }
}
'''

# None (no backend at all) goes on, to fail saying why.
backend = cp.get_backend() if hasattr(cp, "get_backend") else cp._core.config()["backend"]
if backend not in ("cuda", None, "none"):
    print(f"skipped: the {backend} backend cannot load PTX: PTX is NVIDIA's virtual "
          "instruction set, which only the CUDA driver compiles")
    sys.exit(77)

# 1. The hand-written PTX, loaded and launched. gpuarray reads the parameter
#    types from the PTX's .param lines, so a = 2.0 arrives as the .f32 a.
module = cp.RawModule(path=os.path.join(HERE, "saxpy.ptx"))
saxpy = module.get_function("saxpy")
n = 1000000
a = 2.0
x = cp.ones(n, dtype=cp.float32)
y = cp.full(n, 3, dtype=cp.float32)
grid, block = ((n + 255) // 256,), (256,)
saxpy(grid, block, (n, a, x, y))
print(f"hand-written PTX saxpy: result[0] = {y[0]}")
print(f"result: y0={float(y[0])}")
print(f"result: y_sum={cp.asnumpy(y).sum(dtype=np.float64)}")

times = []
for _ in range(20):
    t0 = time.perf_counter()
    saxpy(grid, block, (n, a, x, y))
    cp.cuda.Stream.null.synchronize()
    times.append((time.perf_counter() - t0) * 1e3)
print(f"time: saxpy_ms={statistics.median(times):.4f} ms (hand-written PTX saxpy launch + synchronize)")

# 2. The PTX and the SASS of the CUDA C saxpy, as NVRTC compiled it for this GPU.
kernel = cp.RawKernel(SAXPY, "saxpy")
ptx = kernel.ptx
print("\n---- PTX of the CUDA C saxpy (NVRTC) ----")
print(ptx.strip())
print(f"info: ptx_fma={'yes' if 'fma.rn.f32' in ptx else 'no'}")


def find_tool():
    dirs = os.environ.get("PATH", "").split(os.pathsep)
    dirs += [os.path.join(os.environ[v], "bin") for v in ("CUDA_HOME", "CUDA_PATH") if v in os.environ]
    dirs.append("/usr/local/cuda/bin")
    for name in ("cuobjdump", "nvdisasm"):
        path = shutil.which(name, path=os.pathsep.join(dirs))
        if path:
            return name, path
    return None, None


cubin = kernel.cubin
name, tool = find_tool()
print("\n---- SASS of the CUDA C saxpy ----")
if cubin is None:
    print("info: sass=unavailable (NVRTC is older than this GPU and gave PTX only: no cubin)")
elif tool is None:
    print("info: sass=unavailable (neither cuobjdump nor nvdisasm was found on PATH, "
          "in $CUDA_HOME/bin or in /usr/local/cuda/bin)")
else:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "saxpy.cubin")
        with open(path, "wb") as f:
            f.write(cubin)
        cmd = [tool, "-sass", path] if name == "cuobjdump" else [tool, path]
        sass = subprocess.run(cmd, capture_output=True, text=True).stdout
    print("\n".join(line for line in sass.splitlines() if line.strip()))
    print(f"info: sass={name}")
    print(f"info: sass_ffma={'yes' if 'FFMA' in sass else 'no'}")
