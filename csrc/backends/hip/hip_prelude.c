/* hip_prelude.c - the text hiprtc sees before every kernel source, so that
 * CUDA-spelled kernels (gpuarray's templates, a user's RawKernel) compile
 * for AMD GPUs unchanged.
 *
 * Why each line is there (measured with ROCm 5.2's hiprtc):
 * - hiprtc defines __HIPCC_RTC__/__HIP_DEVICE_COMPILE__, not
 *   __CUDACC_RTC__ or __CUDA_ARCH__: sources that test those take their
 *   generic paths (kernels/elementwise.cuh's software float16), which is
 *   correct on AMD. GPUARRAY_HIP is defined for sources that want to know.
 * - ROCm 5.x has __shfl_down etc. but not CUDA 9's *_sync forms ("did you
 *   mean __shfl_down"). They are mapped as macros (a runtime that declares
 *   them is not contradicted: a macro only renames the call in the source).
 *   The mask is dropped: on AMD every lane of a wavefront runs in lockstep
 *   and the *_sync calls in gpuarray's kernels pass full masks.
 * - __ballot returns 64 bits on wave64; CUDA code keeps 32 of them, so a
 *   kernel that assumes 32 lanes (gpuarray's radix sort, unique) is
 *   CUDA-only; gpuarray's reductions use a shared-memory tree with a
 *   barrier at each level and no warp-synchronous tail, so any warpSize
 *   (64 on CDNA, 32 on RDNA) gives the same result.
 * - #include <hip/hip_fp16.h> fails under hiprtc (redefinition of
 *   __half_raw) while __half works with no include: nothing is included. */
#include "hip_rtc.h"

const char ga_hip_prelude[] =
    "#define GPUARRAY_HIP 1\n"
    "#ifndef __shfl_sync\n"
    "#define __shfl_sync(mask, ...) __shfl(__VA_ARGS__)\n"
    "#define __shfl_up_sync(mask, ...) __shfl_up(__VA_ARGS__)\n"
    "#define __shfl_down_sync(mask, ...) __shfl_down(__VA_ARGS__)\n"
    "#define __shfl_xor_sync(mask, ...) __shfl_xor(__VA_ARGS__)\n"
    "#define __ballot_sync(mask, pred) __ballot(pred)\n"
    "#define __any_sync(mask, pred) __any(pred)\n"
    "#define __all_sync(mask, pred) __all(pred)\n"
    "#define __syncwarp(...) ((void)0)\n"
    "#endif\n";

const char *ga_hip_prelude_text(void)
{
    return ga_hip_prelude;
}
