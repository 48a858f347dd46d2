# The chapter's wgpu code (7.3, "wgpu の基本コード") carried over from Rust to
# wgpu-py, step by step and under the chapter's own names: instance/adapter,
# device and queue, the WGSL shader, the two buffers, the bind group layout,
# the pipeline, the dispatch. Then what the chapter leaves out:
#   - it never reads the result back (its last line waits for the GPU and
#     returns); here the output is copied back and checked: 1000 floats
#     doubled, last element 1998, sum 999000;
#   - its `bind_group` is used but never created; here it is;
#   - its shader has no bounds check: 4 workgroups of 256 are 1024
#     invocations for 1000 elements. WebGPU's robustness rules make the 24
#     extra invocations harmless (an out-of-range access is discarded or
#     clamped into the buffer, where it writes the value that is there
#     anyway), not the shader: CUDA C would write past the end;
#   - its WGSL `a + b` kernel (7.3, "WGSL の例") is named `matmul`; it adds,
#     and runs here too, beside its CUDA twin in gpuarray_version.py.
# Not in the chapter: the adapter's name and type (the CPU's lavapipe is a
# software adapter and says so), and the doubling timed on 16,776,960 floats,
# the most a 1-D dispatch reaches (65535 workgroups of 256).
# Exit 77 (skipped) when wgpu is not installed or finds no adapter.
import os
import statistics
import sys
import time

import numpy as np

try:
    import wgpu
except ImportError as e:
    print(f"skipped: not installed: wgpu (pip install wgpu==0.32.0): {e}")
    sys.exit(77)

DOUBLE_WGSL = """
            @group(0) @binding(0) var<storage, read> input: array<f32>;
            @group(0) @binding(1) var<storage, read_write> output: array<f32>;

            @compute @workgroup_size(256)
            fn main(@builtin(global_invocation_id) global_id: vec3<u32>) {
                let idx = global_id.x;
                output[idx] = input[idx] * 2.0;
            }
"""

# WGSL の例 (the chapter's name kept: it adds, it does not multiply matrices)
ADD_WGSL = """
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;

@compute @workgroup_size(256)
fn matmul(@builtin(global_invocation_id) global_id: vec3<u32>) {
    let idx = global_id.x;
    c[idx] = a[idx] + b[idx];
}
"""

MAX_WORKGROUPS_1D = 65535            # WebGPU's default maxComputeWorkgroupsPerDimension
# The second size: 16,776,960 floats, WebGPU's largest 1-D dispatch (65535
# workgroups of 256), or EXAMPLE_BIG_N (the tests run a smaller one).
BIG_N = int(os.environ.get("EXAMPLE_BIG_N", MAX_WORKGROUPS_1D * 256))
if not 1024 <= BIG_N <= 65535 * 256:
    sys.exit(f"EXAMPLE_BIG_N={BIG_N}: must be 1024 .. 16776960")

# インスタンス作成 / アダプタ選択（GPU選択）
try:
    adapter = wgpu.gpu.request_adapter_sync(power_preference="high-performance")
except RuntimeError as e:
    print("skipped: no adapter: wgpu found no Vulkan or OpenGL driver (Debian: mesa-vulkan-drivers "
          f"libvulkan1 for lavapipe on the CPU): {str(e).splitlines()[0]}")
    sys.exit(77)
info = adapter.info
print(f"Using GPU: {info['device']}")
software = info["adapter_type"] == "CPU"
print(f"adapter: {info['device']} (type {info['adapter_type']}, backend {info['backend_type']}"
      + (", a SOFTWARE adapter: the GPU here is the CPU)" if software else ")"))
print(f"wgpu-py {wgpu.__version__}, wgpu-native {'.'.join(map(str, wgpu.backends.wgpu_native.lib_version_info))}")

# デバイスとキュー取得
device = adapter.request_device_sync(required_features=[], required_limits={})
queue = device.queue

# コンピュートシェーダーの作成
shader = device.create_shader_module(label="Compute shader", code=DOUBLE_WGSL)

# バインドグループレイアウト + パイプライン作成 (the chapter's explicit layout)
bind_group_layout = device.create_bind_group_layout(entries=[
    {"binding": 0, "visibility": wgpu.ShaderStage.COMPUTE,
     "buffer": {"type": wgpu.BufferBindingType.read_only_storage, "has_dynamic_offset": False,
                "min_binding_size": 0}},
    {"binding": 1, "visibility": wgpu.ShaderStage.COMPUTE,
     "buffer": {"type": wgpu.BufferBindingType.storage, "has_dynamic_offset": False,
                "min_binding_size": 0}},
])
compute_pipeline = device.create_compute_pipeline(
    layout=device.create_pipeline_layout(bind_group_layouts=[bind_group_layout]),
    compute={"module": shader, "entry_point": "main"},
)


def double(input_data):
    """バッファ作成, バインドグループ, 実行 (the chapter's steps) on one
    array; returns (output buffer, a function that dispatches again)."""
    input_buffer = device.create_buffer_with_data(label="Input", data=input_data,
                                                  usage=wgpu.BufferUsage.STORAGE)
    output_buffer = device.create_buffer(label="Output", size=input_data.nbytes,
                                         usage=wgpu.BufferUsage.STORAGE | wgpu.BufferUsage.COPY_SRC)
    # The chapter uses `bind_group` without creating it.
    bind_group = device.create_bind_group(layout=bind_group_layout, entries=[
        {"binding": 0, "resource": {"buffer": input_buffer}},
        {"binding": 1, "resource": {"buffer": output_buffer}},
    ])

    def dispatch():
        encoder = device.create_command_encoder()
        cpass = encoder.begin_compute_pass()
        cpass.set_pipeline(compute_pipeline)
        cpass.set_bind_group(0, bind_group)
        cpass.dispatch_workgroups((len(input_data) + 255) // 256, 1, 1)
        cpass.end()
        queue.submit([encoder.finish()])

    dispatch()
    return output_buffer, dispatch


def wait(buffer):
    # device.poll(Maintain::Wait) in the chapter; wgpu-py 0.32's
    # on_submitted_work_done_sync() fails (a cffi TypeError), and reading 4
    # bytes back waits for the work before it just as well.
    queue.read_buffer(buffer, 0, 4)


input_data = np.arange(1000, dtype=np.float32)
output_buffer, _ = double(input_data)
# Not in the chapter: read the result back.
result = np.frombuffer(queue.read_buffer(output_buffer), dtype=np.float32)
print(f"output[999] = {result[999]}")   # 1998.0
print(f"result: double_last={result[999]}")
print(f"result: double_sum={result.sum(dtype=np.float64)}")

# WGSL の例: c = a + b (entry point `matmul`), layout derived from the shader.
add_module = device.create_shader_module(code=ADD_WGSL)
add_pipeline = device.create_compute_pipeline(layout="auto",
                                              compute={"module": add_module, "entry_point": "matmul"})
a = np.arange(1000, dtype=np.float32)
b = np.float32(2) * a
bufs = [device.create_buffer_with_data(data=a, usage=wgpu.BufferUsage.STORAGE),
        device.create_buffer_with_data(data=b, usage=wgpu.BufferUsage.STORAGE),
        device.create_buffer(size=a.nbytes, usage=wgpu.BufferUsage.STORAGE | wgpu.BufferUsage.COPY_SRC)]
add_group = device.create_bind_group(layout=add_pipeline.get_bind_group_layout(0), entries=[
    {"binding": i, "resource": {"buffer": buf}} for i, buf in enumerate(bufs)])
encoder = device.create_command_encoder()
cpass = encoder.begin_compute_pass()
cpass.set_pipeline(add_pipeline)
cpass.set_bind_group(0, add_group)
cpass.dispatch_workgroups((len(a) + 255) // 256)
cpass.end()
queue.submit([encoder.finish()])
c = np.frombuffer(queue.read_buffer(bufs[2]), dtype=np.float32)
print(f"result: add_last={c[999]}")
print(f"result: add_sum={c.sum(dtype=np.float64)}")

# Not in the chapter: throughput on the largest 1-D dispatch. One workgroup
# more (n = 2**24) fails validation: dispatch_workgroups(65536) exceeds
# maxComputeWorkgroupsPerDimension = 65535.
limit = adapter.limits.get("max-compute-workgroups-per-dimension", MAX_WORKGROUPS_1D)
print(f"limit: a 1-D dispatch of workgroup_size 256 reaches {min(limit, MAX_WORKGROUPS_1D)} workgroups, "
      f"n <= {MAX_WORKGROUPS_1D * 256}")
big = np.arange(BIG_N, dtype=np.float32)
big_out, dispatch = double(big)
got = np.frombuffer(queue.read_buffer(big_out), dtype=np.float32)
print(f"result: big_n={BIG_N}")
print(f"result: big_last={got[-1]}")
print(f"result: big_mismatches={int(np.count_nonzero(got != big * np.float32(2)))}")
times = []
for _ in range(5):
    t0 = time.perf_counter()
    dispatch()
    wait(big_out)
    times.append((time.perf_counter() - t0) * 1e3)
ms = statistics.median(times)
print(f"time: big_ms={ms:.4f} ms (dispatch + wait, n = {BIG_N}, median of 5)")
print(f"time: big_gbps={2 * 4 * BIG_N / ms / 1e6:.2f} GB/s (read + write)")
