/* test_hip_abi.c - the HIP ABI facts the backend declares itself
 * (csrc/loaders/libhip.h, libhiprtc.h: error codes, attribute numbers,
 * flags, the properties struct's size and gcnArchName offset) against
 * ROCm's real headers, where they are installed (Debian: libamdhip64-dev).
 * Exit 77 (skipped) without them. The backend's own names are renamed on
 * the way in so that both declarations can live in one file. */
#define hipError_t ga_own_hipError_t
#define hipStream_t ga_own_hipStream_t
#define hipEvent_t ga_own_hipEvent_t
#define hipModule_t ga_own_hipModule_t
#define hipFunction_t ga_own_hipFunction_t
#define hipMemPool_t ga_own_hipMemPool_t
#define hipDeviceptr_t ga_own_hipDeviceptr_t
#define hiprtcResult ga_own_hiprtcResult
#define hiprtcProgram ga_own_hiprtcProgram
#include "libhip.h"
#include "libhiprtc.h"
#undef hipError_t
#undef hipStream_t
#undef hipEvent_t
#undef hipModule_t
#undef hipFunction_t
#undef hipMemPool_t
#undef hipDeviceptr_t
#undef hiprtcResult
#undef hiprtcProgram

#include <stddef.h>
#include <stdio.h>

#if defined(__has_include)
#if __has_include(<hip/hip_runtime_api.h>) && __has_include(<hip/hiprtc.h>)
#define HAVE_HIP_HEADERS 1
#endif
#endif

#ifndef HAVE_HIP_HEADERS
int main(void)
{
    printf("test_hip_abi: skipped (no <hip/hip_runtime_api.h>: Debian package libamdhip64-dev)\n");
    return 77;
}
#else
#define __HIP_PLATFORM_AMD__ 1
#include <hip/hip_runtime_api.h>
#include <hip/hiprtc.h>

static int failures, checks;

static void same(const char *what, long long ours, long long theirs)
{
    checks++;
    if (ours != theirs) {
        printf("MISMATCH %s: gpuarray declares %lld, ROCm's header says %lld\n", what, ours,
               theirs);
        failures++;
    }
}

#define SAME(ours, theirs) same(#ours " vs " #theirs, (long long)(ours), (long long)(theirs))

int main(void)
{
    SAME(GA_HIP_SUCCESS, hipSuccess);
    SAME(GA_HIP_ERROR_INVALID_VALUE, hipErrorInvalidValue);
    SAME(GA_HIP_ERROR_OUT_OF_MEMORY, hipErrorOutOfMemory);
    SAME(GA_HIP_ERROR_NO_DEVICE, hipErrorNoDevice);
    SAME(GA_HIP_ERROR_INVALID_DEVICE, hipErrorInvalidDevice);
    SAME(GA_HIP_ERROR_NOT_READY, hipErrorNotReady);
    SAME(GA_HIP_ERROR_PEER_ACCESS_ALREADY_ENABLED, hipErrorPeerAccessAlreadyEnabled);
    SAME(GA_HIP_ERROR_NOT_SUPPORTED, hipErrorNotSupported);

    SAME(GA_HIP_ATTR_ECC_ENABLED, hipDeviceAttributeEccEnabled);
    SAME(GA_HIP_ATTR_ASYNC_ENGINE_COUNT, hipDeviceAttributeAsyncEngineCount);
    SAME(GA_HIP_ATTR_CAN_MAP_HOST_MEMORY, hipDeviceAttributeCanMapHostMemory);
    SAME(GA_HIP_ATTR_CLOCK_RATE, hipDeviceAttributeClockRate);
    SAME(GA_HIP_ATTR_COMPUTE_MODE, hipDeviceAttributeComputeMode);
    SAME(GA_HIP_ATTR_CONCURRENT_KERNELS, hipDeviceAttributeConcurrentKernels);
    SAME(GA_HIP_ATTR_COOPERATIVE_LAUNCH, hipDeviceAttributeCooperativeLaunch);
    SAME(GA_HIP_ATTR_INTEGRATED, hipDeviceAttributeIntegrated);
    SAME(GA_HIP_ATTR_KERNEL_EXEC_TIMEOUT, hipDeviceAttributeKernelExecTimeout);
    SAME(GA_HIP_ATTR_L2_CACHE_SIZE, hipDeviceAttributeL2CacheSize);
    SAME(GA_HIP_ATTR_COMPUTE_CAPABILITY_MAJOR, hipDeviceAttributeComputeCapabilityMajor);
    SAME(GA_HIP_ATTR_MANAGED_MEMORY, hipDeviceAttributeManagedMemory);
    SAME(GA_HIP_ATTR_MAX_BLOCK_DIM_X, hipDeviceAttributeMaxBlockDimX);
    SAME(GA_HIP_ATTR_MAX_BLOCK_DIM_Y, hipDeviceAttributeMaxBlockDimY);
    SAME(GA_HIP_ATTR_MAX_BLOCK_DIM_Z, hipDeviceAttributeMaxBlockDimZ);
    SAME(GA_HIP_ATTR_MAX_GRID_DIM_X, hipDeviceAttributeMaxGridDimX);
    SAME(GA_HIP_ATTR_MAX_GRID_DIM_Y, hipDeviceAttributeMaxGridDimY);
    SAME(GA_HIP_ATTR_MAX_GRID_DIM_Z, hipDeviceAttributeMaxGridDimZ);
    SAME(GA_HIP_ATTR_MAX_THREADS_PER_BLOCK, hipDeviceAttributeMaxThreadsPerBlock);
    SAME(GA_HIP_ATTR_MAX_THREADS_PER_MULTIPROCESSOR, hipDeviceAttributeMaxThreadsPerMultiProcessor);
    SAME(GA_HIP_ATTR_MEMORY_BUS_WIDTH, hipDeviceAttributeMemoryBusWidth);
    SAME(GA_HIP_ATTR_MEMORY_CLOCK_RATE, hipDeviceAttributeMemoryClockRate);
    SAME(GA_HIP_ATTR_COMPUTE_CAPABILITY_MINOR, hipDeviceAttributeComputeCapabilityMinor);
    SAME(GA_HIP_ATTR_MULTIPROCESSOR_COUNT, hipDeviceAttributeMultiprocessorCount);
    SAME(GA_HIP_ATTR_PCI_BUS_ID, hipDeviceAttributePciBusId);
    SAME(GA_HIP_ATTR_PCI_DEVICE_ID, hipDeviceAttributePciDeviceId);
    SAME(GA_HIP_ATTR_PCI_DOMAIN_ID, hipDeviceAttributePciDomainID);
    SAME(GA_HIP_ATTR_MAX_REGISTERS_PER_BLOCK, hipDeviceAttributeMaxRegistersPerBlock);
    SAME(GA_HIP_ATTR_MAX_REGISTERS_PER_MULTIPROCESSOR, hipDeviceAttributeMaxRegistersPerMultiprocessor);
    SAME(GA_HIP_ATTR_MAX_SHARED_MEMORY_PER_BLOCK, hipDeviceAttributeMaxSharedMemoryPerBlock);
    SAME(GA_HIP_ATTR_SHARED_MEM_PER_BLOCK_OPTIN, hipDeviceAttributeSharedMemPerBlockOptin);
    SAME(GA_HIP_ATTR_SHARED_MEM_PER_MULTIPROCESSOR, hipDeviceAttributeSharedMemPerMultiprocessor);
    SAME(GA_HIP_ATTR_TEXTURE_ALIGNMENT, hipDeviceAttributeTextureAlignment);
    SAME(GA_HIP_ATTR_TOTAL_CONSTANT_MEMORY, hipDeviceAttributeTotalConstantMemory);
    SAME(GA_HIP_ATTR_UNIFIED_ADDRESSING, hipDeviceAttributeUnifiedAddressing);
    SAME(GA_HIP_ATTR_WARP_SIZE, hipDeviceAttributeWarpSize);
    SAME(GA_HIP_ATTR_MEMORY_POOLS_SUPPORTED, hipDeviceAttributeMemoryPoolsSupported);
    SAME(GA_HIP_ATTR_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR,
         hipDeviceAttributeMaxSharedMemoryPerMultiprocessor);
    SAME(sizeof(int), sizeof(hipDeviceAttribute_t));

    SAME(GA_HIP_FUNC_ATTR_MAX_THREADS_PER_BLOCK, HIP_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK);
    SAME(GA_HIP_FUNC_ATTR_SHARED_SIZE_BYTES, HIP_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES);
    SAME(GA_HIP_FUNC_ATTR_CONST_SIZE_BYTES, HIP_FUNC_ATTRIBUTE_CONST_SIZE_BYTES);
    SAME(GA_HIP_FUNC_ATTR_LOCAL_SIZE_BYTES, HIP_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES);
    SAME(GA_HIP_FUNC_ATTR_NUM_REGS, HIP_FUNC_ATTRIBUTE_NUM_REGS);
    SAME(GA_HIP_FUNC_ATTR_PTX_VERSION, HIP_FUNC_ATTRIBUTE_PTX_VERSION);
    SAME(GA_HIP_FUNC_ATTR_BINARY_VERSION, HIP_FUNC_ATTRIBUTE_BINARY_VERSION);
    SAME(GA_HIP_FUNC_ATTR_MAX_DYNAMIC_SHARED_SIZE_BYTES,
         HIP_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES);

    SAME(GA_HIP_STREAM_NON_BLOCKING, hipStreamNonBlocking);
    SAME(GA_HIP_EVENT_BLOCKING_SYNC, hipEventBlockingSync);
    SAME(GA_HIP_EVENT_DISABLE_TIMING, hipEventDisableTiming);
    SAME(GA_HIP_HOST_MALLOC_DEFAULT, hipHostMallocDefault);
    SAME(GA_HIP_MEM_POOL_ATTR_RELEASE_THRESHOLD, hipMemPoolAttrReleaseThreshold);
    SAME(GA_HIP_MEM_POOL_ATTR_RESERVED_MEM_CURRENT, hipMemPoolAttrReservedMemCurrent);
    SAME(GA_HIP_POINTER_ATTRIBUTE_MEMORY_TYPE, HIP_POINTER_ATTRIBUTE_MEMORY_TYPE);
    SAME(GA_HIP_POINTER_ATTRIBUTE_DEVICE_ORDINAL, HIP_POINTER_ATTRIBUTE_DEVICE_ORDINAL);

    SAME(GA_HIPRTC_SUCCESS, HIPRTC_SUCCESS);
    SAME(GA_HIPRTC_ERROR_OUT_OF_MEMORY, HIPRTC_ERROR_OUT_OF_MEMORY);
    SAME(GA_HIPRTC_ERROR_INVALID_INPUT, HIPRTC_ERROR_INVALID_INPUT);
    SAME(GA_HIPRTC_ERROR_INVALID_OPTION, HIPRTC_ERROR_INVALID_OPTION);
    SAME(GA_HIPRTC_ERROR_COMPILATION, HIPRTC_ERROR_COMPILATION);
    SAME(GA_HIPRTC_ERROR_BUILTIN_OPERATION_FAILURE, HIPRTC_ERROR_BUILTIN_OPERATION_FAILURE);
    SAME(GA_HIPRTC_ERROR_NAME_EXPRESSION_NOT_VALID, HIPRTC_ERROR_NAME_EXPRESSION_NOT_VALID);
    SAME(GA_HIPRTC_ERROR_INTERNAL_ERROR, HIPRTC_ERROR_INTERNAL_ERROR);

#if HIP_VERSION_MAJOR < 6
    /* The layout hipGetDeviceProperties fills before ROCm 6.0. */
    SAME(GA_HIP5_MEMORY_TYPE_HOST, hipMemoryTypeHost);
    SAME(GA_HIP5_MEMORY_TYPE_DEVICE, hipMemoryTypeDevice);
    SAME(GA_HIP_PROPS_R0000_SIZE, sizeof(hipDeviceProp_t));
    SAME(GA_HIP_PROPS_R0000_GCN_ARCH_NAME, offsetof(hipDeviceProp_t, gcnArchName));
#else
    SAME(GA_HIP6_MEMORY_TYPE_HOST, hipMemoryTypeHost);
    SAME(GA_HIP6_MEMORY_TYPE_DEVICE, hipMemoryTypeDevice);
    SAME(GA_HIP_PROPS_R0600_SIZE, sizeof(hipDeviceProp_tR0600));
    SAME(GA_HIP_PROPS_R0600_GCN_ARCH_NAME, offsetof(hipDeviceProp_tR0600, gcnArchName));
#endif
    SAME(GA_HIP_GCN_ARCH_NAME_SIZE, sizeof(((hipDeviceProp_t *)0)->gcnArchName));
    checks++;
    if (GA_HIP_PROPS_BUFFER_SIZE < GA_HIP_PROPS_R0600_SIZE ||
        GA_HIP_PROPS_BUFFER_SIZE < (long)sizeof(hipDeviceProp_t)) {
        printf("MISMATCH: the properties buffer is smaller than a known struct\n");
        failures++;
    }
    printf("test_hip_abi: %d of %d checks agree with ROCm %d.%d's headers\n", checks - failures,
           checks, HIP_VERSION_MAJOR, HIP_VERSION_MINOR);
    return failures ? 1 : 0;
}
#endif
