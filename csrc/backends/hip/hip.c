/* hip.c - the HIP backend: the HIP runtime (libamdhip64, loaded at run time)
 * filling the same table as cuda and host. The compiler half is hip_rtc.c.
 *
 * NEVER RUN ON AMD HARDWARE: everything here that needs a device (module
 * load, launch, copies, events, the pool) was written against ROCm's HIP
 * API documentation and checked only as far as a machine without an AMD
 * GPU allows (the library loads, every symbol resolves, "no AMD GPU" is a
 * clean error). See docs/architecture.md, "The HIP backend".
 *
 * HIP has no contexts to manage: a device is made current per thread with
 * hipSetDevice, and dev->native holds nothing but a non-NULL marker. */
#include "amdgpu_code_object.h"
#include "hip_rtc.h"
#include "libhip.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ga_status hip_check(hipError_t e, const char *what)
{
    if (e == GA_HIP_SUCCESS)
        return GA_OK;
    ga_status st = e == GA_HIP_ERROR_OUT_OF_MEMORY ? GA_ERROR_OUT_OF_MEMORY
                 : e == GA_HIP_ERROR_NO_DEVICE ? GA_ERROR_NO_DEVICE
                 : e == GA_HIP_ERROR_INVALID_DEVICE ? GA_ERROR_INVALID_DEVICE
                 : e == GA_HIP_ERROR_INVALID_VALUE ? GA_ERROR_INVALID_VALUE
                 : GA_ERROR_DRIVER;
    const char *text = ga_hip.hipGetErrorString ? ga_hip.hipGetErrorString(e) : NULL;
    return ga_error_driver(st, e, ga_hip_error_name(e), "%s failed: %s (%d): %s", what,
                           ga_hip_error_name(e), e, text ? text : "");
}

/* ------------------------------------------------------------ init, devices */

static ga_status hip_init(void)
{
    ga_status st = ga_hip_load();
    if (st != GA_OK)
        return st;
    hipError_t e = ga_hip.hipInit(0);
    if (e == GA_HIP_SUCCESS)
        return GA_OK;
    /* With no GPU hipInit says hipErrorInvalidDevice (ROCm 5.2) while the
     * count says what is meant: ask it, to give the reason by its name. */
    int count = 0;
    hipError_t c = ga_hip.hipGetDeviceCount(&count);
    if (c == GA_HIP_ERROR_NO_DEVICE || (c == GA_HIP_SUCCESS && count == 0))
        return ga_error_driver(GA_ERROR_NO_DEVICE, c ? c : GA_HIP_ERROR_NO_DEVICE,
                               ga_hip_error_name(c ? c : GA_HIP_ERROR_NO_DEVICE),
                               "no AMD GPU: hipGetDeviceCount returned %s (%d) with the HIP "
                               "runtime at %s (hipInit: %s); HIP_VISIBLE_DEVICES=%s",
                               ga_hip_error_name(c ? c : GA_HIP_ERROR_NO_DEVICE),
                               c ? c : GA_HIP_ERROR_NO_DEVICE, ga_hip_path(),
                               ga_hip_error_name(e),
                               getenv("HIP_VISIBLE_DEVICES") ? getenv("HIP_VISIBLE_DEVICES")
                                                             : "(unset)");
    return hip_check(e, "hipInit");
}

static int hip_driver_version(void)
{
    int v = 0;
    if (ga_hip_load() != GA_OK || ga_hip.hipDriverGetVersion(&v) != GA_HIP_SUCCESS)
        return 0;
    return v;
}

static const char *hip_driver_path(void) { return ga_hip_path(); }

static ga_status hip_device_count(int *count)
{
    *count = 0;
    hipError_t e = ga_hip.hipGetDeviceCount(count);
    if (e == GA_HIP_ERROR_NO_DEVICE || (e == GA_HIP_SUCCESS && *count == 0)) {
        *count = 0;
        return ga_error_driver(GA_ERROR_NO_DEVICE, GA_HIP_ERROR_NO_DEVICE,
                               ga_hip_error_name(GA_HIP_ERROR_NO_DEVICE),
                               "no AMD GPU: hipGetDeviceCount returned hipErrorNoDevice (100) "
                               "with the HIP runtime at %s", ga_hip_path());
    }
    return hip_check(e, "hipGetDeviceCount");
}

/* The device this thread last made current, so activation is a compare. */
static _Thread_local int hip_current = -1;

static ga_status hip_device_activate(ga_device *dev)
{
    if (hip_current == dev->native_device)
        return GA_OK;
    ga_status st = hip_check(ga_hip.hipSetDevice(dev->native_device), "hipSetDevice");
    if (st == GA_OK)
        hip_current = dev->native_device;
    return st;
}

static ga_status hip_device_open(ga_device *dev)
{
    dev->native_device = dev->ordinal;
    dev->native = (void *)(intptr_t)(dev->ordinal + 1);
    dev->pool = NULL;
    ga_status st = hip_device_activate(dev);
    if (st != GA_OK)
        return st;
    int pools = 0;
    if (ga_hip.hipMallocAsync && ga_hip.hipFreeAsync && ga_hip.hipDeviceGetDefaultMemPool &&
        ga_hip.hipDeviceGetAttribute(&pools, GA_HIP_ATTR_MEMORY_POOLS_SUPPORTED,
                                     dev->native_device) == GA_HIP_SUCCESS && pools) {
        hipMemPool_t pool = NULL;
        if (ga_hip.hipDeviceGetDefaultMemPool(&pool, dev->native_device) == GA_HIP_SUCCESS &&
            pool) {
            /* Keep freed memory in the pool (as the CUDA backend does):
             * the default threshold of 0 gives it back at every sync. */
            uint64_t keep = UINT64_MAX;
            if (ga_hip.hipMemPoolSetAttribute)
                (void)ga_hip.hipMemPoolSetAttribute(pool, GA_HIP_MEM_POOL_ATTR_RELEASE_THRESHOLD,
                                                    &keep);
            dev->pool = pool;
        }
    }
    return GA_OK;
}

static ga_status hip_device_name(ga_device *dev, char *name, size_t len)
{
    return hip_check(ga_hip.hipDeviceGetName(name, (int)len, dev->native_device),
                     "hipDeviceGetName");
}

/* gpuarray numbers device attributes as CUDA does (CUdevice_attribute);
 * HIP's hipDeviceAttribute_t numbers them differently. */
static const struct { int cuda, hip; } attr_map[] = {
    { 1, GA_HIP_ATTR_MAX_THREADS_PER_BLOCK },
    { 2, GA_HIP_ATTR_MAX_BLOCK_DIM_X }, { 3, GA_HIP_ATTR_MAX_BLOCK_DIM_Y },
    { 4, GA_HIP_ATTR_MAX_BLOCK_DIM_Z }, { 5, GA_HIP_ATTR_MAX_GRID_DIM_X },
    { 6, GA_HIP_ATTR_MAX_GRID_DIM_Y }, { 7, GA_HIP_ATTR_MAX_GRID_DIM_Z },
    { 8, GA_HIP_ATTR_MAX_SHARED_MEMORY_PER_BLOCK },
    { 9, GA_HIP_ATTR_TOTAL_CONSTANT_MEMORY },
    { 10, GA_HIP_ATTR_WARP_SIZE },
    { 12, GA_HIP_ATTR_MAX_REGISTERS_PER_BLOCK },
    { 13, GA_HIP_ATTR_CLOCK_RATE },
    { 14, GA_HIP_ATTR_TEXTURE_ALIGNMENT },
    { 16, GA_HIP_ATTR_MULTIPROCESSOR_COUNT },
    { 17, GA_HIP_ATTR_KERNEL_EXEC_TIMEOUT },
    { 18, GA_HIP_ATTR_INTEGRATED },
    { 19, GA_HIP_ATTR_CAN_MAP_HOST_MEMORY },
    { 20, GA_HIP_ATTR_COMPUTE_MODE },
    { 31, GA_HIP_ATTR_CONCURRENT_KERNELS },
    { 32, GA_HIP_ATTR_ECC_ENABLED },
    { 33, GA_HIP_ATTR_PCI_BUS_ID }, { 34, GA_HIP_ATTR_PCI_DEVICE_ID },
    { 36, GA_HIP_ATTR_MEMORY_CLOCK_RATE },
    { 37, GA_HIP_ATTR_MEMORY_BUS_WIDTH },
    { 38, GA_HIP_ATTR_L2_CACHE_SIZE },
    { 39, GA_HIP_ATTR_MAX_THREADS_PER_MULTIPROCESSOR },
    { 40, GA_HIP_ATTR_ASYNC_ENGINE_COUNT },
    { 41, GA_HIP_ATTR_UNIFIED_ADDRESSING },
    { 50, GA_HIP_ATTR_PCI_DOMAIN_ID },
    { 75, GA_HIP_ATTR_COMPUTE_CAPABILITY_MAJOR },
    { 76, GA_HIP_ATTR_COMPUTE_CAPABILITY_MINOR },
    { 81, GA_HIP_ATTR_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR },
    { 82, GA_HIP_ATTR_MAX_REGISTERS_PER_MULTIPROCESSOR },
    { 83, GA_HIP_ATTR_MANAGED_MEMORY },
    { 95, GA_HIP_ATTR_COOPERATIVE_LAUNCH },
    { 97, GA_HIP_ATTR_SHARED_MEM_PER_BLOCK_OPTIN },
    { 115, GA_HIP_ATTR_MEMORY_POOLS_SUPPORTED },
};

static ga_status hip_device_attribute(ga_device *dev, int attribute, int *value)
{
    for (size_t i = 0; i < sizeof attr_map / sizeof attr_map[0]; i++) {
        if (attr_map[i].cuda != attribute)
            continue;
        ga_status st = hip_check(ga_hip.hipDeviceGetAttribute(value, attr_map[i].hip,
                                                              dev->native_device),
                                 "hipDeviceGetAttribute");
        /* The opt-in limit is CUDA's notion: AMD has none beyond the
         * plain per-block LDS size. */
        if (attribute == GA_DEV_ATTR_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN && (st != GA_OK || *value <= 0))
            st = hip_check(ga_hip.hipDeviceGetAttribute(value,
                                                        GA_HIP_ATTR_MAX_SHARED_MEMORY_PER_BLOCK,
                                                        dev->native_device),
                           "hipDeviceGetAttribute");
        return st;
    }
    return ga_error(GA_ERROR_UNSUPPORTED, "device attribute %d has no HIP equivalent", attribute);
}

/* gcnArchName ("gfx90a:sramecc+:xnack-"): only in the properties struct,
 * whose layout changed in ROCm 6.0 (libhip.h has both offsets). */
static ga_status hip_gcn_arch_name(int device, char *name, size_t len)
{
    unsigned char *props = calloc(1, GA_HIP_PROPS_BUFFER_SIZE);
    if (!props)
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory");
    ga_status st;
    size_t at;
    if (ga_hip.hipGetDevicePropertiesR0600) {
        st = hip_check(ga_hip.hipGetDevicePropertiesR0600(props, device),
                       "hipGetDevicePropertiesR0600");
        at = GA_HIP_PROPS_R0600_GCN_ARCH_NAME;
    } else {
        st = hip_check(ga_hip.hipGetDeviceProperties(props, device), "hipGetDeviceProperties");
        at = GA_HIP_PROPS_R0000_GCN_ARCH_NAME;
    }
    if (st == GA_OK) {
        snprintf(name, len, "%.*s", GA_HIP_GCN_ARCH_NAME_SIZE - 1, (const char *)props + at);
        if (!ga_hip_arch_parse(name))
            st = ga_error(GA_ERROR_DRIVER, "the HIP runtime at %s gave no gfx name for device "
                          "%d (read '%.32s' where gcnArchName should be: a properties layout "
                          "gpuarray does not know)", ga_hip_path(), device, name);
    }
    free(props);
    return st;
}

ga_status ga_hip_device_arch_name(int device, char *name, size_t len)
{
    ga_status st = ga_hip_load();
    return st != GA_OK ? st : hip_gcn_arch_name(device, name, len);
}

static ga_status hip_device_mem_info(ga_device *dev, size_t *free_bytes, size_t *total_bytes)
{
    ga_status st = hip_device_activate(dev);
    if (st != GA_OK)
        return st;
    return hip_check(ga_hip.hipMemGetInfo(free_bytes, total_bytes), "hipMemGetInfo");
}

static ga_status hip_device_synchronize(ga_device *dev)
{
    ga_status st = hip_device_activate(dev);
    if (st != GA_OK)
        return st;
    return hip_check(ga_hip.hipDeviceSynchronize(), "hipDeviceSynchronize");
}

/* The arch compiled for on this device: its gcnArchName's gfx number,
 * looked up once per ordinal. */
#define HIP_MAX_DEVICES 64
static int hip_arch_of[HIP_MAX_DEVICES];
static pthread_mutex_t hip_arch_lock = PTHREAD_MUTEX_INITIALIZER;

static int hip_device_compile_arch(ga_device *dev)
{
    int d = dev->native_device;
    if (d < 0 || d >= HIP_MAX_DEVICES)
        return 0;
    pthread_mutex_lock(&hip_arch_lock);
    int arch = hip_arch_of[d];
    if (!arch) {
        char name[GA_HIP_GCN_ARCH_NAME_SIZE];
        if (hip_gcn_arch_name(d, name, sizeof name) == GA_OK)
            arch = hip_arch_of[d] = ga_hip_arch_parse(name);
    }
    pthread_mutex_unlock(&hip_arch_lock);
    return arch;   /* 0: the compiler's default target */
}

/* ------------------------------------------------------------------- memory */

static ga_status hip_mem_alloc(ga_device *dev, size_t nbytes, void *stream, ga_devptr *ptr)
{
    ga_status st = hip_device_activate(dev);
    if (st != GA_OK)
        return st;
    void *p = NULL;
    if (dev->pool)
        st = hip_check(ga_hip.hipMallocAsync(&p, nbytes, (hipStream_t)stream), "hipMallocAsync");
    else
        st = hip_check(ga_hip.hipMalloc(&p, nbytes), "hipMalloc");
    if (st == GA_OK)
        *ptr = (ga_devptr)(uintptr_t)p;
    return st;
}

static ga_status hip_mem_free(ga_device *dev, ga_devptr ptr, void *stream)
{
    ga_status st = hip_device_activate(dev);
    if (st != GA_OK)
        return st;
    void *p = (void *)(uintptr_t)ptr;
    if (dev->pool)
        return hip_check(ga_hip.hipFreeAsync(p, (hipStream_t)stream), "hipFreeAsync");
    /* hipFree waits for the device, so no queued work still uses it. */
    return hip_check(ga_hip.hipFree(p), "hipFree");
}

static ga_status hip_pointer_device(ga_devptr ptr, int *ordinal)
{
    if (!ga_hip.hipPointerGetAttribute)
        return ga_error(GA_ERROR_UNSUPPORTED, "this HIP runtime has no hipPointerGetAttribute");
    int d = -1;
    ga_status st = hip_check(ga_hip.hipPointerGetAttribute(&d, GA_HIP_POINTER_ATTRIBUTE_DEVICE_ORDINAL,
                                                           (hipDeviceptr_t)(uintptr_t)ptr),
                             "hipPointerGetAttribute");
    if (st == GA_OK)
        *ordinal = d;
    return st;
}

static ga_status hip_pool_reserved(ga_device *dev, size_t *bytes)
{
    uint64_t v = 0;
    if (dev->pool && ga_hip.hipMemPoolGetAttribute &&
        ga_hip.hipMemPoolGetAttribute(dev->pool, GA_HIP_MEM_POOL_ATTR_RESERVED_MEM_CURRENT, &v) ==
            GA_HIP_SUCCESS) {
        *bytes = (size_t)v;
        return GA_OK;
    }
    *bytes = atomic_load(&dev->used_bytes);
    return GA_OK;
}

static ga_status hip_pool_trim(ga_device *dev)
{
    if (!dev->pool || !ga_hip.hipMemPoolTrimTo)
        return GA_OK;
    return hip_check(ga_hip.hipMemPoolTrimTo(dev->pool, 0), "hipMemPoolTrimTo");
}

static ga_status hip_host_alloc(size_t nbytes, void **ptr)
{
    return hip_check(ga_hip.hipHostMalloc(ptr, nbytes, GA_HIP_HOST_MALLOC_DEFAULT), "hipHostMalloc");
}

static ga_status hip_host_free(void *ptr)
{
    return hip_check(ga_hip.hipHostFree(ptr), "hipHostFree");
}

static int hip_host_is_pinned(const void *ptr)
{
    if (!ga_hip.hipPointerGetAttribute || !ptr)
        return 0;
    int type = -1;
    if (ga_hip.hipPointerGetAttribute(&type, GA_HIP_POINTER_ATTRIBUTE_MEMORY_TYPE,
                                      (hipDeviceptr_t)(uintptr_t)ptr) != GA_HIP_SUCCESS)
        return 0;
    int host = ga_hip_runtime_version() >= 60000000 ? GA_HIP6_MEMORY_TYPE_HOST
                                                    : GA_HIP5_MEMORY_TYPE_HOST;
    return type == host;
}

static ga_status hip_copy_htod(ga_device *dev, ga_devptr dst, const void *src, size_t n, void *stream)
{
    ga_status st = hip_device_activate(dev);
    if (st != GA_OK)
        return st;
    return hip_check(ga_hip.hipMemcpyHtoDAsync((hipDeviceptr_t)(uintptr_t)dst, (void *)src, n,
                                               (hipStream_t)stream), "hipMemcpyHtoDAsync");
}

static ga_status hip_copy_dtoh(ga_device *dev, void *dst, ga_devptr src, size_t n, void *stream)
{
    ga_status st = hip_device_activate(dev);
    if (st != GA_OK)
        return st;
    return hip_check(ga_hip.hipMemcpyDtoHAsync(dst, (hipDeviceptr_t)(uintptr_t)src, n,
                                               (hipStream_t)stream), "hipMemcpyDtoHAsync");
}

static ga_status hip_copy_dtod(ga_device *dev, ga_devptr dst, ga_devptr src, size_t n, void *stream)
{
    ga_status st = hip_device_activate(dev);
    if (st != GA_OK)
        return st;
    return hip_check(ga_hip.hipMemcpyDtoDAsync((hipDeviceptr_t)(uintptr_t)dst,
                                               (hipDeviceptr_t)(uintptr_t)src, n,
                                               (hipStream_t)stream), "hipMemcpyDtoDAsync");
}

static ga_status hip_memset(ga_device *dev, ga_devptr dst, uint32_t pattern, size_t elem_size,
                            size_t nbytes, void *stream)
{
    ga_status st = hip_device_activate(dev);
    if (st != GA_OK)
        return st;
    hipDeviceptr_t d = (hipDeviceptr_t)(uintptr_t)dst;
    switch (elem_size) {
    case 1:
        return hip_check(ga_hip.hipMemsetD8Async(d, (unsigned char)pattern, nbytes,
                                                 (hipStream_t)stream), "hipMemsetD8Async");
    case 2:
        return hip_check(ga_hip.hipMemsetD16Async(d, (unsigned short)pattern, nbytes / 2,
                                                  (hipStream_t)stream), "hipMemsetD16Async");
    case 4:
        return hip_check(ga_hip.hipMemsetD32Async(d, (int)pattern, nbytes / 4,
                                                  (hipStream_t)stream), "hipMemsetD32Async");
    default:
        return ga_error(GA_ERROR_INVALID_VALUE, "memset: element size %zu (1, 2 or 4)", elem_size);
    }
}

/* ------------------------------------------------------------ streams, events */

static ga_status hip_stream_create(ga_device *dev, unsigned flags, void **stream)
{
    ga_status st = hip_device_activate(dev);
    if (st != GA_OK)
        return st;
    unsigned f = (flags & GA_STREAM_NON_BLOCKING) ? GA_HIP_STREAM_NON_BLOCKING : 0;
    return hip_check(ga_hip.hipStreamCreateWithFlags((hipStream_t *)stream, f),
                     "hipStreamCreateWithFlags");
}

static ga_status hip_stream_destroy(ga_device *dev, void *stream)
{
    ga_status st = hip_device_activate(dev);
    if (st != GA_OK)
        return st;
    return hip_check(ga_hip.hipStreamDestroy((hipStream_t)stream), "hipStreamDestroy");
}

static ga_status hip_stream_synchronize(ga_device *dev, void *stream)
{
    ga_status st = hip_device_activate(dev);
    if (st != GA_OK)
        return st;
    return hip_check(ga_hip.hipStreamSynchronize((hipStream_t)stream), "hipStreamSynchronize");
}

static ga_status hip_stream_query(ga_device *dev, void *stream, int *done)
{
    ga_status st = hip_device_activate(dev);
    if (st != GA_OK)
        return st;
    hipError_t e = ga_hip.hipStreamQuery((hipStream_t)stream);
    *done = e == GA_HIP_SUCCESS;
    return e == GA_HIP_ERROR_NOT_READY ? GA_OK : hip_check(e, "hipStreamQuery");
}

static ga_status hip_stream_wait_event(ga_device *dev, void *stream, void *event)
{
    ga_status st = hip_device_activate(dev);
    if (st != GA_OK)
        return st;
    return hip_check(ga_hip.hipStreamWaitEvent((hipStream_t)stream, (hipEvent_t)event, 0),
                     "hipStreamWaitEvent");
}

static ga_status hip_event_create(ga_device *dev, unsigned flags, void **event)
{
    ga_status st = hip_device_activate(dev);
    if (st != GA_OK)
        return st;
    unsigned f = ((flags & GA_EVENT_BLOCKING_SYNC) ? GA_HIP_EVENT_BLOCKING_SYNC : 0) |
                 ((flags & GA_EVENT_DISABLE_TIMING) ? GA_HIP_EVENT_DISABLE_TIMING : 0);
    return hip_check(ga_hip.hipEventCreateWithFlags((hipEvent_t *)event, f),
                     "hipEventCreateWithFlags");
}

static ga_status hip_event_destroy(ga_device *dev, void *event)
{
    return hip_check(ga_hip.hipEventDestroy((hipEvent_t)event), "hipEventDestroy");
}

static ga_status hip_event_record(ga_device *dev, void *event, void *stream)
{
    ga_status st = hip_device_activate(dev);
    if (st != GA_OK)
        return st;
    return hip_check(ga_hip.hipEventRecord((hipEvent_t)event, (hipStream_t)stream),
                     "hipEventRecord");
}

static ga_status hip_event_synchronize(ga_device *dev, void *event)
{
    return hip_check(ga_hip.hipEventSynchronize((hipEvent_t)event), "hipEventSynchronize");
}

static ga_status hip_event_query(ga_device *dev, void *event, int *done)
{
    hipError_t e = ga_hip.hipEventQuery((hipEvent_t)event);
    *done = e == GA_HIP_SUCCESS;
    return e == GA_HIP_ERROR_NOT_READY ? GA_OK : hip_check(e, "hipEventQuery");
}

static ga_status hip_event_elapsed(ga_device *dev, void *start, void *end, float *ms)
{
    return hip_check(ga_hip.hipEventElapsedTime(ms, (hipEvent_t)start, (hipEvent_t)end),
                     "hipEventElapsedTime");
}

/* ---------------------------------------------------------------- peers */

/* `later` (a stream of `to`) waits for the work queued so far on `from`'s
 * stream `earlier` (NULL = its null stream), through an event. */
static ga_status hip_order(ga_device *from, void *earlier, ga_device *to, void *later)
{
    void *ev = NULL;
    ga_status st = hip_event_create(from, GA_EVENT_DISABLE_TIMING, &ev);
    if (st == GA_OK)
        st = hip_event_record(from, ev, earlier);
    if (st == GA_OK)
        st = hip_stream_wait_event(to, later, ev);
    if (ev)
        (void)ga_hip.hipEventDestroy((hipEvent_t)ev);   /* HIP defers it until done */
    return st;
}

static ga_status hip_device_can_access_peer(ga_device *dev, ga_device *peer, int *can)
{
    *can = 0;
    if (dev->native_device == peer->native_device)
        return GA_OK;
    return hip_check(ga_hip.hipDeviceCanAccessPeer(can, dev->native_device, peer->native_device),
                     "hipDeviceCanAccessPeer");
}

static ga_status hip_copy_peer(ga_device *dst_dev, ga_devptr dst, ga_device *src_dev, ga_devptr src,
                               size_t n, void *stream)
{
    /* Peer access lets the copy go over the link rather than through the
     * host; already enabled is fine, unsupported means a staged copy,
     * which hipMemcpyPeerAsync does itself. */
    int can = 0;
    if (hip_device_can_access_peer(dst_dev, src_dev, &can) == GA_OK && can &&
        hip_device_activate(dst_dev) == GA_OK)
        (void)ga_hip.hipDeviceEnablePeerAccess(src_dev->native_device, 0);
    ga_status st = hip_order(src_dev, NULL, dst_dev, stream);
    if (st == GA_OK)
        st = hip_device_activate(dst_dev);
    if (st == GA_OK)
        st = hip_check(ga_hip.hipMemcpyPeerAsync((void *)(uintptr_t)dst, dst_dev->native_device,
                                                 (const void *)(uintptr_t)src,
                                                 src_dev->native_device, n, (hipStream_t)stream),
                       "hipMemcpyPeerAsync");
    if (st == GA_OK)
        st = hip_order(dst_dev, stream, src_dev, NULL);
    return st;
}

/* ---------------------------------------------------------------- modules */

/* A module keeps its code object's metadata: HIP has no cuFuncGetParamInfo,
 * so parameter layouts come from the .args the compiler wrote. */
typedef struct hip_function {
    hipFunction_t native;
    const ga_amdgpu_kernel *meta;    /* into the module's code object, or NULL */
    struct hip_function *next;
} hip_function;

typedef struct hip_module {
    hipModule_t native;
    ga_amdgpu_code_object co;        /* empty when the image had no metadata */
    pthread_mutex_t lock;
    hip_function *functions;
} hip_module;

static ga_status hip_module_load(ga_device *dev, ga_image_kind kind, const void *image, size_t size,
                                 void **module)
{
    if (kind != GA_IMAGE_AMDGPU)
        return ga_error(GA_ERROR_INVALID_VALUE, "the hip backend loads AMD GPU code objects "
                        "(hiprtc output or a .hsaco/.co file), not %s",
                        kind == GA_IMAGE_PTX ? "PTX" : kind == GA_IMAGE_CUBIN ? "a CUDA cubin"
                        : kind == GA_IMAGE_FATBIN ? "a CUDA fatbin" : "this image kind");
    ga_status st = hip_device_activate(dev);
    if (st != GA_OK)
        return st;
    hip_module *m = calloc(1, sizeof *m);
    if (!m)
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory");
    pthread_mutex_init(&m->lock, NULL);
    if (ga_amdgpu_code_object_read(image, size, &m->co) != GA_OK)
        memset(&m->co, 0, sizeof m->co);   /* loads, but parameters are unknown */
    st = hip_check(ga_hip.hipModuleLoadData(&m->native, image), "hipModuleLoadData");
    if (st != GA_OK) {
        ga_amdgpu_code_object_clear(&m->co);
        pthread_mutex_destroy(&m->lock);
        free(m);
        return st;
    }
    *module = m;
    return GA_OK;
}

static ga_status hip_module_unload(ga_device *dev, void *module)
{
    hip_module *m = module;
    ga_status st = hip_device_activate(dev);
    if (st == GA_OK)
        st = hip_check(ga_hip.hipModuleUnload(m->native), "hipModuleUnload");
    for (hip_function *f = m->functions, *next; f; f = next) {
        next = f->next;
        free(f);
    }
    ga_amdgpu_code_object_clear(&m->co);
    pthread_mutex_destroy(&m->lock);
    free(m);
    return st;
}

static ga_status hip_module_get_function(ga_device *dev, void *module, const char *name,
                                         void **function)
{
    hip_module *m = module;
    ga_status st = hip_device_activate(dev);
    if (st != GA_OK)
        return st;
    hipFunction_t native = NULL;
    hipError_t e = ga_hip.hipModuleGetFunction(&native, m->native, name);
    if (e != GA_HIP_SUCCESS)
        return e == GA_HIP_ERROR_INVALID_VALUE || e == 500 /* hipErrorNotFound */
                   ? ga_error_driver(GA_ERROR_NOT_FOUND, e, ga_hip_error_name(e),
                                     "no kernel '%s' in the module", name)
                   : hip_check(e, "hipModuleGetFunction");
    pthread_mutex_lock(&m->lock);
    hip_function *f = m->functions;
    while (f && f->native != native)
        f = f->next;
    if (!f && (f = calloc(1, sizeof *f))) {
        f->native = native;
        f->meta = ga_amdgpu_find_kernel(&m->co, name);
        f->next = m->functions;
        m->functions = f;
    }
    pthread_mutex_unlock(&m->lock);
    if (!f)
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory");
    *function = f;
    return GA_OK;
}

static ga_status hip_module_get_global(ga_device *dev, void *module, const char *name,
                                       ga_devptr *ptr, size_t *size)
{
    hip_module *m = module;
    ga_status st = hip_device_activate(dev);
    if (st != GA_OK)
        return st;
    hipDeviceptr_t p = NULL;
    size_t n = 0;
    st = hip_check(ga_hip.hipModuleGetGlobal(&p, &n, m->native, name), "hipModuleGetGlobal");
    if (st == GA_OK) {
        *ptr = (ga_devptr)(uintptr_t)p;
        if (size)
            *size = n;
    }
    return st;
}

static ga_status hip_function_attribute(ga_device *dev, void *function, int attribute, int *value)
{
    hip_function *f = function;
    /* hipFunction_attribute numbers follow CUDA's. */
    return hip_check(ga_hip.hipFuncGetAttribute(value, attribute, f->native), "hipFuncGetAttribute");
}

static ga_status hip_function_set_attribute(ga_device *dev, void *function, int attribute, int value)
{
    /* HIP offers no setter for module functions; AMD needs none for what
     * gpuarray sets (dynamic LDS up to the device's per-block size needs
     * no opt-in), so accept what fits and refuse the rest by name. */
    if (attribute == GA_FUNC_ATTR_MAX_DYNAMIC_SHARED_SIZE_BYTES && value >= 0 &&
        value <= dev->max_shared_per_block)
        return GA_OK;
    return ga_error(GA_ERROR_UNSUPPORTED, "function attribute %d = %d cannot be set on HIP "
                    "(dynamic shared memory up to %d bytes needs no setting)", attribute, value,
                    dev->max_shared_per_block);
}

static ga_status hip_function_param_layout(ga_device *dev, void *function, int index,
                                           size_t *offset, size_t *size)
{
    hip_function *f = function;
    if (!f->meta)
        return ga_error(GA_ERROR_UNSUPPORTED, "the code object has no metadata for this kernel");
    int seen = 0;
    for (int i = 0; i < f->meta->num_args; i++) {
        const ga_amdgpu_arg *a = &f->meta->args[i];
        if (ga_amdgpu_arg_is_hidden(a))
            continue;
        if (seen++ == index) {
            *offset = (size_t)a->offset;
            *size = (size_t)a->size;
            return GA_OK;
        }
    }
    return GA_ERROR_NOT_FOUND;
}

static ga_status hip_launch(ga_device *dev, void *function, const unsigned grid[3],
                            const unsigned block[3], size_t shared_mem, void *stream, void **args)
{
    hip_function *f = function;
    ga_status st = hip_device_activate(dev);
    if (st != GA_OK)
        return st;
    return hip_check(ga_hip.hipModuleLaunchKernel(f->native, grid[0], grid[1], grid[2], block[0],
                                                  block[1], block[2], (unsigned)shared_mem,
                                                  (hipStream_t)stream, args, NULL),
                     "hipModuleLaunchKernel");
}

const ga_backend_ops ga_hip_backend = {
    .name = "hip",

    .init = hip_init,
    .driver_version = hip_driver_version,
    .driver_path = hip_driver_path,

    .device_count = hip_device_count,
    .device_open = hip_device_open,
    .device_activate = hip_device_activate,
    .device_name = hip_device_name,
    .device_attribute = hip_device_attribute,
    .device_mem_info = hip_device_mem_info,
    .device_synchronize = hip_device_synchronize,
    .device_compile_arch = hip_device_compile_arch,

    .mem_alloc = hip_mem_alloc,
    .mem_free = hip_mem_free,
    .pool_reserved = hip_pool_reserved,
    .pool_trim = hip_pool_trim,
    .pointer_device = hip_pointer_device,

    .host_alloc = hip_host_alloc,
    .host_free = hip_host_free,
    .host_is_pinned = hip_host_is_pinned,

    .copy_htod = hip_copy_htod,
    .copy_dtoh = hip_copy_dtoh,
    .copy_dtod = hip_copy_dtod,
    .memset = hip_memset,
    .copy_peer = hip_copy_peer,
    .device_can_access_peer = hip_device_can_access_peer,

    .stream_create = hip_stream_create,
    .stream_destroy = hip_stream_destroy,
    .stream_synchronize = hip_stream_synchronize,
    .stream_query = hip_stream_query,
    .stream_wait_event = hip_stream_wait_event,

    .event_create = hip_event_create,
    .event_destroy = hip_event_destroy,
    .event_record = hip_event_record,
    .event_synchronize = hip_event_synchronize,
    .event_query = hip_event_query,
    .event_elapsed = hip_event_elapsed,

    .compiler_load = ga_hip_compiler_load,
    .compiler_version = ga_hip_compiler_version,
    .compiler_path = ga_hip_compiler_path,
    .compiler_target = ga_hip_compiler_target,
    .compile = ga_hip_compile,
    .compiler_fingerprint = ga_hip_compiler_fingerprint,
    .stage_pageable_copies = 1,

    .module_load = hip_module_load,
    .module_unload = hip_module_unload,
    .module_get_function = hip_module_get_function,
    .module_get_global = hip_module_get_global,
    .function_attribute = hip_function_attribute,
    .function_set_attribute = hip_function_set_attribute,
    .function_param_layout = hip_function_param_layout,
    .launch = hip_launch,
    /* gemm: hip_blas.c (rocBLAS at run time) once written; fft, solver and
     * graphs: none on HIP yet (the core says so by name). */
};
