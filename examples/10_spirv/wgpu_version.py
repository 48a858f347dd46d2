# The chapter's Rust-GPU shader (7.4) run through wgpu-py, as SPIR-V. The
# SPIR-V is compiled from GLSL (shader.comp), not from Rust: rust-gpu cannot
# be built here (rust_gpu_shader.rs says why). wgpu takes SPIR-V as it takes
# WGSL (create_shader_module(code=bytes)); the pipeline's layout comes from
# the shader ("auto"). output = input * 2 + 1 over 1000 floats (last 1999,
# sum 1000000), then over 16,776,960 floats, timed.
#
#   python examples/10_spirv/wgpu_version.py [path/to/shader.spv]
#                     (default build/wgpu/shader.spv, built by `make demo`)
# Exit 77 (skipped) when wgpu, an adapter or the SPIR-V file is missing.
import os
import statistics
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPV = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "wgpu", "shader.spv")
# The second size: 16,776,960 floats, WebGPU's largest 1-D dispatch (65535
# workgroups of 256), or EXAMPLE_BIG_N (the tests run a smaller one).
BIG_N = int(os.environ.get("EXAMPLE_BIG_N", 65535 * 256))
if not 1024 <= BIG_N <= 65535 * 256:
    sys.exit(f"EXAMPLE_BIG_N={BIG_N}: must be 1024 .. 16776960")

try:
    import wgpu
except ImportError as e:
    print(f"skipped: not installed: wgpu (pip install wgpu==0.32.0): {e}")
    sys.exit(77)
if not os.path.exists(SPV):
    print(f"skipped: no SPIR-V: {os.path.relpath(SPV, ROOT)} is not built (make demo builds it with "
          "glslangValidator, Debian: glslang-tools)")
    sys.exit(77)
with open(SPV, "rb") as f:
    spirv = f.read()

try:
    adapter = wgpu.gpu.request_adapter_sync(power_preference="high-performance")
except RuntimeError as e:
    print("skipped: no adapter: wgpu found no Vulkan or OpenGL driver (Debian: mesa-vulkan-drivers "
          f"libvulkan1 for lavapipe on the CPU): {str(e).splitlines()[0]}")
    sys.exit(77)
info = adapter.info
print(f"adapter: {info['device']} (type {info['adapter_type']}, backend {info['backend_type']}"
      + (", a SOFTWARE adapter: the GPU here is the CPU)" if info["adapter_type"] == "CPU" else ")"))
print(f"shader: {os.path.relpath(SPV, ROOT)}, {len(spirv)} bytes of SPIR-V compiled from GLSL (shader.comp)")
device = adapter.request_device_sync()
queue = device.queue
module = device.create_shader_module(label="x * 2 + 1", code=spirv)
pipeline = device.create_compute_pipeline(layout="auto", compute={"module": module, "entry_point": "main_cs"})


def run(n):
    """output = input * 2 + 1 over input = 0, 1, ..., n-1; returns (input,
    output buffer, a function that dispatches again)."""
    x = np.arange(n, dtype=np.float32)
    inp = device.create_buffer_with_data(data=x, usage=wgpu.BufferUsage.STORAGE)
    out = device.create_buffer(size=x.nbytes, usage=wgpu.BufferUsage.STORAGE | wgpu.BufferUsage.COPY_SRC)
    group = device.create_bind_group(layout=pipeline.get_bind_group_layout(0), entries=[
        {"binding": 0, "resource": {"buffer": inp}}, {"binding": 1, "resource": {"buffer": out}}])

    def dispatch():
        encoder = device.create_command_encoder()
        cpass = encoder.begin_compute_pass()
        cpass.set_pipeline(pipeline)
        cpass.set_bind_group(0, group)
        cpass.dispatch_workgroups((n + 255) // 256)
        cpass.end()
        queue.submit([encoder.finish()])

    dispatch()
    return x, out, dispatch


_, out, _ = run(1000)
result = np.frombuffer(queue.read_buffer(out), dtype=np.float32)
print(f"output[999] = {result[999]}")   # 1999.0
print(f"result: out_last={result[999]}")
print(f"result: out_sum={result.sum(dtype=np.float64)}")

x, out, dispatch = run(BIG_N)
got = np.frombuffer(queue.read_buffer(out), dtype=np.float32)
print(f"result: big_n={BIG_N}")
print(f"result: big_last={got[-1]}")
print(f"result: big_mismatches={int(np.count_nonzero(got != x * np.float32(2) + np.float32(1)))}")
times = []
for _ in range(5):
    t0 = time.perf_counter()
    dispatch()
    queue.read_buffer(out, 0, 4)   # waits for the dispatch (see 09_wgpu/wgpu_version.py)
    times.append((time.perf_counter() - t0) * 1e3)
ms = statistics.median(times)
print(f"time: big_ms={ms:.4f} ms (dispatch + wait, n = {BIG_N}, median of 5)")
print(f"time: big_gbps={2 * 4 * BIG_N / ms / 1e6:.2f} GB/s (read + write)")
