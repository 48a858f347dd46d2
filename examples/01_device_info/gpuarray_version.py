# Device discovery and properties (chapter 7.1, "Python (CuPy) 版"): the
# chapter's code, unchanged but for its import line, then the same facts as
# `result:` lines that make demo and tests/test_examples.py compare with the
# C, CuPy and PyTorch versions.
import gpuarray as cp

# デバイス数
device_count = cp.cuda.runtime.getDeviceCount()
print(f"Found {device_count} CUDA devices")

# デバイス0を使用（デフォルト）
cp.cuda.Device(0).use()

# デバイス情報
props = cp.cuda.Device().attributes
print(f"Device: {props['Name'].decode()}")
print(f"Compute Capability: {props['ComputeCapabilityMajor']}.{props['ComputeCapabilityMinor']}")

# Not in the textbook: a few more attributes, and the lines that are checked.
print(f"result: count={device_count}")
print(f"result: name={props['Name'].decode()}")
print(f"result: cc={props['ComputeCapabilityMajor']}.{props['ComputeCapabilityMinor']}")
print(f"result: sm_count={props['MultiProcessorCount']}")
print(f"result: warp_size={props['WarpSize']}")
print(f"result: max_threads_per_block={props['MaxThreadsPerBlock']}")
