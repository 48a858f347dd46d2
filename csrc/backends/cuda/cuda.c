/* cuda.c - the CUDA backend's driver half: primary contexts, the stream-ordered pool, copies, streams, events, modules, launches. */
#include "ga_private.h"
#include "cuda_nvrtc.h"
#include "libcuda.h"

#include <limits.h>

#define cuda_likely(x) __builtin_expect(!!(x), 1)

/* ------------------------------------------------------------ errors */

static ga_status cuda_status_of(CUresult r)
{
    switch (r) {
    case CUDA_SUCCESS:
        return GA_OK;
    case CUDA_ERROR_OUT_OF_MEMORY:
        return GA_ERROR_OUT_OF_MEMORY;
    case CUDA_ERROR_NO_DEVICE:
        return GA_ERROR_NO_DEVICE;
    case CUDA_ERROR_INVALID_DEVICE:
        return GA_ERROR_INVALID_DEVICE;
    case CUDA_ERROR_NOT_READY:
        return GA_ERROR_NOT_READY;
    case CUDA_ERROR_INVALID_IMAGE:
    case CUDA_ERROR_INVALID_PTX:
    case CUDA_ERROR_NO_BINARY_FOR_GPU:
    case CUDA_ERROR_UNSUPPORTED_PTX_VERSION:
    case CUDA_ERROR_JIT_COMPILER_NOT_FOUND:
        return GA_ERROR_INVALID_IMAGE;
    case CUDA_ERROR_NOT_FOUND:
        return GA_ERROR_NOT_FOUND;
    case CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES:
        return GA_ERROR_LAUNCH;
    case CUDA_ERROR_CALL_REQUIRES_NEWER_DRIVER: /* the driver API's kin of the runtime's 35 */
        return GA_ERROR_DRIVER_TOO_OLD;
    case CUDA_ERROR_STUB_LIBRARY: /* the toolkit's stub was loaded: no driver at all */
        return GA_ERROR_NO_DRIVER;
    default:
        return GA_ERROR_DRIVER;
    }
}

static void cuda_error_strings(CUresult r, const char **name, const char **text)
{
    *name = NULL;
    *text = NULL;
    if (!ga_cu.cuGetErrorName || ga_cu.cuGetErrorName(r, name) != CUDA_SUCCESS || !*name)
        *name = "CUDA_ERROR_UNRECOGNIZED";
    if (!ga_cu.cuGetErrorString || ga_cu.cuGetErrorString(r, text) != CUDA_SUCCESS || !*text)
        *text = "unrecognized error code";
}

/* The one place a failed CUresult becomes a status and a detail. Kept out
 * of line so the success test inlined at every call site stays small. */
__attribute__((noinline, cold)) static ga_status cuda_fail(CUresult r, ga_status status, const char *what)
{
    const char *name, *text;
    cuda_error_strings(r, &name, &text);
    return ga_error_driver(status, (int)r, name, "%s: %s (%s)", what, name, text);
}

static inline ga_status cuda_check(CUresult r, const char *what)
{
    if (cuda_likely(r == CUDA_SUCCESS))
        return GA_OK;
    return cuda_fail(r, cuda_status_of(r), what);
}

/* --------------------------------------------------------- library, init */

static ga_status cuda_init(void)
{
    int count = 0;
    CUresult r;
    /* Also refuses drivers older than GA_LIBCUDA_MIN_VERSION (11.2, for
     * cuMemAllocAsync), naming the version found. */
    ga_status st = ga_libcuda_load();
    if (st != GA_OK)
        return st;
    r = ga_cu.cuInit(0);
    if (r == CUDA_ERROR_NO_DEVICE)
        return ga_error_driver(GA_ERROR_NO_DEVICE, (int)r, "CUDA_ERROR_NO_DEVICE",
                               "no CUDA device was found (the driver %s loaded, but cuInit found no GPU)",
                               ga_libcuda_path());
    st = cuda_check(r, "cuInit");
    if (st != GA_OK)
        return st;
    st = cuda_check(ga_cu.cuDeviceGetCount(&count), "cuDeviceGetCount");
    if (st != GA_OK)
        return st;
    if (count == 0)
        return ga_error(GA_ERROR_NO_DEVICE, "no CUDA device was found (cuDeviceGetCount is 0)");
    return GA_OK;
}

static int cuda_driver_version(void) { return ga_libcuda_version(); }

static const char *cuda_driver_path(void) { return ga_libcuda_path(); }

/* ----------------------------------------------------------------- devices */

/* The context this thread last made current. Every call that needs one
 * passes here, so the common case is a compare and a branch; the driver
 * is asked only when the thread switches devices. */
static _Thread_local CUcontext cuda_current;

__attribute__((noinline)) static ga_status cuda_set_current(CUcontext ctx)
{
    ga_status st = cuda_check(ga_cu.cuCtxSetCurrent(ctx), "cuCtxSetCurrent");
    if (st == GA_OK)
        cuda_current = ctx;
    return st;
}

static inline ga_status cuda_device_activate(ga_device *dev)
{
    CUcontext ctx = dev->native;
    if (cuda_likely(ctx == cuda_current))
        return GA_OK;
    return cuda_set_current(ctx);
}

/* Pinned host memory belongs to no device but needs some context current:
 * any of ours will do, else device 0's. */
static ga_status cuda_activate_any(void)
{
    ga_device *dev;
    ga_status st;
    if (cuda_current)
        return GA_OK;
    st = ga_device_get(0, &dev);
    if (st != GA_OK)
        return st;
    return cuda_device_activate(dev);
}

static ga_status cuda_device_count(int *count)
{
    return cuda_check(ga_cu.cuDeviceGetCount(count), "cuDeviceGetCount");
}

static ga_status cuda_device_open(ga_device *dev)
{
    CUdevice device;
    CUcontext ctx = NULL;
    CUmemoryPool pool = NULL;
    int pools = 0;
    cuuint64_t keep = UINT64_MAX;
    ga_status st;

    st = cuda_check(ga_cu.cuDeviceGet(&device, dev->ordinal), "cuDeviceGet");
    if (st != GA_OK)
        return st;
    st = cuda_check(ga_cu.cuDevicePrimaryCtxRetain(&ctx, device), "cuDevicePrimaryCtxRetain");
    if (st != GA_OK)
        return st;
    st = cuda_check(ga_cu.cuDeviceGetAttribute(&pools, CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED, device),
                    "cuDeviceGetAttribute(MEMORY_POOLS_SUPPORTED)");
    if (st != GA_OK)
        goto fail;
    /* Some virtualised GPUs lack pools; mem_alloc falls back to cuMemAlloc. */
    if (pools) {
        st = cuda_check(ga_cu.cuDeviceGetDefaultMemPool(&pool, device), "cuDeviceGetDefaultMemPool");
        if (st != GA_OK)
            goto fail;
        /* By default the pool returns freed memory to the driver at every
         * synchronization, making the next allocation a slow cuMemMap;
         * keeping it cached is what makes allocation cost well under a
         * microsecond. ga_mempool_free_all_blocks trims explicitly. */
        st = cuda_check(ga_cu.cuMemPoolSetAttribute(pool, CU_MEMPOOL_ATTR_RELEASE_THRESHOLD, &keep),
                        "cuMemPoolSetAttribute(RELEASE_THRESHOLD)");
        if (st != GA_OK)
            goto fail;
    }
    dev->native = ctx;
    dev->native_device = device;
    dev->pool = pool;
    return GA_OK;

fail:
    ga_cu.cuDevicePrimaryCtxRelease(device);
    return st;
}

static ga_status cuda_device_name(ga_device *dev, char *name, size_t len)
{
    int n = len > INT_MAX ? INT_MAX : (int)len;
    return cuda_check(ga_cu.cuDeviceGetName(name, n, dev->native_device), "cuDeviceGetName");
}

static ga_status cuda_device_attribute(ga_device *dev, int attribute, int *value)
{
    return cuda_check(ga_cu.cuDeviceGetAttribute(value, (CUdevice_attribute)attribute, dev->native_device),
                      "cuDeviceGetAttribute");
}

static ga_status cuda_device_mem_info(ga_device *dev, size_t *free_bytes, size_t *total_bytes)
{
    ga_status st = cuda_device_activate(dev);
    if (st != GA_OK)
        return st;
    return cuda_check(ga_cu.cuMemGetInfo(free_bytes, total_bytes), "cuMemGetInfo");
}

static ga_status cuda_device_synchronize(ga_device *dev)
{
    ga_status st = cuda_device_activate(dev);
    if (st != GA_OK)
        return st;
    return cuda_check(ga_cu.cuCtxSynchronize(), "cuCtxSynchronize");
}

/* ------------------------------------------------------------ device memory */

static ga_status cuda_mem_alloc(ga_device *dev, size_t nbytes, void *stream, ga_devptr *ptr)
{
    CUdeviceptr p = 0;
    ga_status st = cuda_device_activate(dev);
    if (st != GA_OK)
        return st;
    /* The driver rejects a zero-byte request; gpuarray.h promises address 0. */
    if (nbytes == 0) {
        *ptr = 0;
        return GA_OK;
    }
    if (cuda_likely(dev->pool != NULL))
        st = cuda_check(ga_cu.cuMemAllocAsync(&p, nbytes, (CUstream)stream), "cuMemAllocAsync");
    else
        st = cuda_check(ga_cu.cuMemAlloc(&p, nbytes), "cuMemAlloc");
    if (st == GA_OK)
        *ptr = p;
    return st;
}

static ga_status cuda_mem_free(ga_device *dev, ga_devptr ptr, void *stream)
{
    ga_status st;
    if (ptr == 0)
        return GA_OK;
    st = cuda_device_activate(dev);
    if (st != GA_OK)
        return st;
    if (cuda_likely(dev->pool != NULL))
        return cuda_check(ga_cu.cuMemFreeAsync(ptr, (CUstream)stream), "cuMemFreeAsync");
    return cuda_check(ga_cu.cuMemFree(ptr), "cuMemFree");
}

static ga_status cuda_pool_reserved(ga_device *dev, size_t *bytes)
{
    cuuint64_t reserved = 0;
    ga_status st;
    if (!dev->pool) {
        /* Without a pool nothing is cached: the driver holds what is live. */
        *bytes = atomic_load(&dev->used_bytes);
        return GA_OK;
    }
    st = cuda_device_activate(dev);
    if (st != GA_OK)
        return st;
    st = cuda_check(ga_cu.cuMemPoolGetAttribute(dev->pool, CU_MEMPOOL_ATTR_RESERVED_MEM_CURRENT, &reserved),
                    "cuMemPoolGetAttribute(RESERVED_MEM_CURRENT)");
    if (st == GA_OK)
        *bytes = (size_t)reserved;
    return st;
}

static ga_status cuda_pool_trim(ga_device *dev)
{
    ga_status st;
    if (!dev->pool)
        return GA_OK;
    st = cuda_device_activate(dev);
    if (st != GA_OK)
        return st;
    return cuda_check(ga_cu.cuMemPoolTrimTo(dev->pool, 0), "cuMemPoolTrimTo");
}

/* ------------------------------------------------------- pinned host memory */

static ga_status cuda_host_alloc(size_t nbytes, void **ptr)
{
    CUresult r;
    ga_status st = cuda_activate_any();
    if (st != GA_OK)
        return st;
    /* PORTABLE: pinned for every context, not only the current one. */
    r = ga_cu.cuMemHostAlloc(ptr, nbytes, CU_MEMHOSTALLOC_PORTABLE);
    if (r == CUDA_ERROR_OUT_OF_MEMORY)
        return cuda_fail(r, GA_ERROR_HOST_OUT_OF_MEMORY, "cuMemHostAlloc");
    return cuda_check(r, "cuMemHostAlloc");
}

static ga_status cuda_host_free(void *ptr)
{
    ga_status st = cuda_activate_any();
    if (st != GA_OK)
        return st;
    return cuda_check(ga_cu.cuMemFreeHost(ptr), "cuMemFreeHost");
}

static int cuda_host_is_pinned(const void *ptr)
{
    unsigned int flags = 0;
    /* A question, not an operation: failing to answer means "no", and the
     * driver's error (for pageable memory) is not the caller's error. */
    if (cuda_activate_any() != GA_OK)
        return 0;
    return ga_cu.cuMemHostGetFlags(&flags, (void *)ptr) == CUDA_SUCCESS;
}

/* ----------------------------------------------------------------- copies */

static ga_status cuda_copy_htod(ga_device *dev, ga_devptr dst, const void *src, size_t n, void *stream)
{
    ga_status st = cuda_device_activate(dev);
    if (st != GA_OK)
        return st;
    return cuda_check(ga_cu.cuMemcpyHtoDAsync(dst, src, n, (CUstream)stream), "cuMemcpyHtoDAsync");
}

static ga_status cuda_copy_dtoh(ga_device *dev, void *dst, ga_devptr src, size_t n, void *stream)
{
    ga_status st = cuda_device_activate(dev);
    if (st != GA_OK)
        return st;
    return cuda_check(ga_cu.cuMemcpyDtoHAsync(dst, src, n, (CUstream)stream), "cuMemcpyDtoHAsync");
}

static ga_status cuda_copy_dtod(ga_device *dev, ga_devptr dst, ga_devptr src, size_t n, void *stream)
{
    ga_status st = cuda_device_activate(dev);
    if (st != GA_OK)
        return st;
    return cuda_check(ga_cu.cuMemcpyDtoDAsync(dst, src, n, (CUstream)stream), "cuMemcpyDtoDAsync");
}

/* ------------------------------------------------- copies between devices */

#define CUDA_MAX_PEERS 64   /* device.c's GA_MAX_DEVICES */

/* Guards the tables below. Peer copies are large; one lock costs nothing. */
static pthread_mutex_t cuda_peer_lock = PTHREAD_MUTEX_INITIALIZER;
/* Per unordered pair: whether peer access was set up (or found impossible). */
static unsigned char cuda_peer_done[CUDA_MAX_PEERS][CUDA_MAX_PEERS];
/* Per device, an event that orders peer copies against its legacy null
 * stream (the copy after the source device's work, that work after the
 * copy), recorded and waited for under the lock. */
static CUevent cuda_peer_event[CUDA_MAX_PEERS];

static ga_status cuda_pointer_device(ga_devptr ptr, int *ordinal)
{
    enum { CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL = 9 };
    if (!ga_cu.cuPointerGetAttribute)
        return ga_error(GA_ERROR_UNSUPPORTED, "this driver has no cuPointerGetAttribute");
    int dev = -1;
    CUresult r = ga_cu.cuPointerGetAttribute(&dev, CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL, (CUdeviceptr)ptr);
    if (r == CUDA_ERROR_INVALID_VALUE)
        return ga_error(GA_ERROR_INVALID_VALUE, "0x%llx is not device memory the driver knows",
                        (unsigned long long)ptr);
    ga_status st = cuda_check(r, "cuPointerGetAttribute");
    if (st == GA_OK)
        *ordinal = dev;
    return st;
}

static ga_status cuda_device_can_access_peer(ga_device *dev, ga_device *peer, int *can)
{
    return cuda_check(ga_cu.cuDeviceCanAccessPeer(can, dev->native_device, peer->native_device),
                      "cuDeviceCanAccessPeer");
}

/* Let `dev` address `peer`'s memory directly where the GPUs allow it: the
 * context mapping covers cuMemAlloc memory; pool memory (cuMemAllocAsync)
 * needs the pool's own access grant. A failure is no error: the driver
 * then stages the copy through the host. */
static void cuda_grant_peer(ga_device *dev, ga_device *peer)
{
    int can = 0;
    if (ga_cu.cuDeviceCanAccessPeer(&can, dev->native_device, peer->native_device) != CUDA_SUCCESS || !can)
        return;
    if (cuda_device_activate(dev) != GA_OK)
        return;
    (void)ga_cu.cuCtxEnablePeerAccess(peer->native, 0);   /* ALREADY_ENABLED is fine */
    if (peer->pool && ga_cu.cuMemPoolSetAccess) {
        CUmemAccessDesc d = {{CU_MEM_LOCATION_TYPE_DEVICE, dev->native_device},
                             CU_MEM_ACCESS_FLAGS_PROT_READWRITE};
        (void)ga_cu.cuMemPoolSetAccess(peer->pool, &d, 1);
    }
}

/* Under cuda_peer_lock: record dev's event on `stream` of dev, and make
 * `waiter` (a stream of another device) wait for it. */
static ga_status cuda_peer_order(ga_device *dev, void *stream, ga_device *waiter_dev, void *waiter)
{
    ga_status st = cuda_device_activate(dev);
    if (st == GA_OK && !cuda_peer_event[dev->ordinal])
        st = cuda_check(ga_cu.cuEventCreate(&cuda_peer_event[dev->ordinal], CU_EVENT_DISABLE_TIMING),
                        "cuEventCreate");
    if (st == GA_OK)
        st = cuda_check(ga_cu.cuEventRecord(cuda_peer_event[dev->ordinal], (CUstream)stream), "cuEventRecord");
    if (st == GA_OK)
        st = cuda_device_activate(waiter_dev);
    if (st == GA_OK)
        st = cuda_check(ga_cu.cuStreamWaitEvent((CUstream)waiter, cuda_peer_event[dev->ordinal], 0),
                        "cuStreamWaitEvent");
    return st;
}

static ga_status cuda_copy_peer(ga_device *dst_dev, ga_devptr dst, ga_device *src_dev, ga_devptr src,
                                size_t n, void *stream)
{
    int a = dst_dev->ordinal, b = src_dev->ordinal;
    if (a < 0 || b < 0 || a >= CUDA_MAX_PEERS || b >= CUDA_MAX_PEERS)
        return ga_error(GA_ERROR_INVALID_DEVICE, "peer copy between devices %d and %d", b, a);
    pthread_mutex_lock(&cuda_peer_lock);
    if (!cuda_peer_done[a][b]) {
        cuda_grant_peer(dst_dev, src_dev);
        cuda_grant_peer(src_dev, dst_dev);
        cuda_peer_done[a][b] = cuda_peer_done[b][a] = 1;
    }
    /* After the source device's queued work (its legacy null stream
     * stands for its blocking streams), on the destination's stream. */
    ga_status st = cuda_peer_order(src_dev, NULL, dst_dev, stream);
    if (st == GA_OK)
        st = cuda_check(ga_cu.cuMemcpyPeerAsync(dst, dst_dev->native, src, src_dev->native, n, (CUstream)stream),
                        "cuMemcpyPeerAsync");
    /* The source device's later work (a stream-ordered free of the
     * source, a write to it) waits for the copy. */
    if (st == GA_OK)
        st = cuda_peer_order(dst_dev, stream, src_dev, NULL);
    pthread_mutex_unlock(&cuda_peer_lock);
    return st;
}

static ga_status cuda_memset(ga_device *dev, ga_devptr dst, uint32_t pattern, size_t elem_size,
                             size_t nbytes, void *stream)
{
    ga_status st = cuda_device_activate(dev);
    if (st != GA_OK)
        return st;
    switch (elem_size) {
    case 1:
        return cuda_check(ga_cu.cuMemsetD8Async(dst, (unsigned char)pattern, nbytes, (CUstream)stream),
                          "cuMemsetD8Async");
    case 2:
        return cuda_check(ga_cu.cuMemsetD16Async(dst, (unsigned short)pattern, nbytes / 2, (CUstream)stream),
                          "cuMemsetD16Async");
    case 4:
        return cuda_check(ga_cu.cuMemsetD32Async(dst, pattern, nbytes / 4, (CUstream)stream),
                          "cuMemsetD32Async");
    default:
        return ga_error(GA_ERROR_INVALID_VALUE, "memset: element size %zu is not 1, 2 or 4", elem_size);
    }
}

/* ---------------------------------------------------------------- streams */

static ga_status cuda_stream_create(ga_device *dev, unsigned flags, void **stream)
{
    CUstream s = NULL;
    unsigned cu_flags = (flags & GA_STREAM_NON_BLOCKING) ? CU_STREAM_NON_BLOCKING : CU_STREAM_DEFAULT;
    ga_status st = cuda_device_activate(dev);
    if (st != GA_OK)
        return st;
    st = cuda_check(ga_cu.cuStreamCreate(&s, cu_flags), "cuStreamCreate");
    if (st == GA_OK)
        *stream = s;
    return st;
}

static ga_status cuda_stream_destroy(ga_device *dev, void *stream)
{
    ga_status st;
    if (!stream)
        return GA_OK;
    st = cuda_device_activate(dev);
    if (st != GA_OK)
        return st;
    return cuda_check(ga_cu.cuStreamDestroy((CUstream)stream), "cuStreamDestroy");
}

static ga_status cuda_stream_synchronize(ga_device *dev, void *stream)
{
    ga_status st = cuda_device_activate(dev);
    if (st != GA_OK)
        return st;
    return cuda_check(ga_cu.cuStreamSynchronize((CUstream)stream), "cuStreamSynchronize");
}

static ga_status cuda_stream_query(ga_device *dev, void *stream, int *done)
{
    CUresult r;
    ga_status st = cuda_device_activate(dev);
    if (st != GA_OK)
        return st;
    r = ga_cu.cuStreamQuery((CUstream)stream);
    *done = r == CUDA_SUCCESS;
    return r == CUDA_ERROR_NOT_READY ? GA_OK : cuda_check(r, "cuStreamQuery");
}

static ga_status cuda_stream_wait_event(ga_device *dev, void *stream, void *event)
{
    ga_status st = cuda_device_activate(dev);
    if (st != GA_OK)
        return st;
    return cuda_check(ga_cu.cuStreamWaitEvent((CUstream)stream, (CUevent)event, 0), "cuStreamWaitEvent");
}

/* ----------------------------------------------------------------- events */

static ga_status cuda_event_create(ga_device *dev, unsigned flags, void **event)
{
    CUevent e = NULL;
    unsigned cu_flags = CU_EVENT_DEFAULT;
    ga_status st = cuda_device_activate(dev);
    if (st != GA_OK)
        return st;
    if (flags & GA_EVENT_BLOCKING_SYNC)
        cu_flags |= CU_EVENT_BLOCKING_SYNC;
    if (flags & GA_EVENT_DISABLE_TIMING)
        cu_flags |= CU_EVENT_DISABLE_TIMING;
    st = cuda_check(ga_cu.cuEventCreate(&e, cu_flags), "cuEventCreate");
    if (st == GA_OK)
        *event = e;
    return st;
}

static ga_status cuda_event_destroy(ga_device *dev, void *event)
{
    ga_status st;
    if (!event)
        return GA_OK;
    st = cuda_device_activate(dev);
    if (st != GA_OK)
        return st;
    return cuda_check(ga_cu.cuEventDestroy((CUevent)event), "cuEventDestroy");
}

static ga_status cuda_event_record(ga_device *dev, void *event, void *stream)
{
    ga_status st = cuda_device_activate(dev);
    if (st != GA_OK)
        return st;
    return cuda_check(ga_cu.cuEventRecord((CUevent)event, (CUstream)stream), "cuEventRecord");
}

static ga_status cuda_event_synchronize(ga_device *dev, void *event)
{
    ga_status st = cuda_device_activate(dev);
    if (st != GA_OK)
        return st;
    return cuda_check(ga_cu.cuEventSynchronize((CUevent)event), "cuEventSynchronize");
}

static ga_status cuda_event_query(ga_device *dev, void *event, int *done)
{
    CUresult r;
    ga_status st = cuda_device_activate(dev);
    if (st != GA_OK)
        return st;
    r = ga_cu.cuEventQuery((CUevent)event);
    *done = r == CUDA_SUCCESS;
    return r == CUDA_ERROR_NOT_READY ? GA_OK : cuda_check(r, "cuEventQuery");
}

static ga_status cuda_event_elapsed(ga_device *dev, void *start, void *end, float *ms)
{
    ga_status st = cuda_device_activate(dev);
    if (st != GA_OK)
        return st;
    return cuda_check(ga_cu.cuEventElapsedTime(ms, (CUevent)start, (CUevent)end), "cuEventElapsedTime");
}

/* ------------------------------------------------------ modules, functions */

static ga_status cuda_module_load(ga_device *dev, ga_image_kind kind, const void *image, size_t size,
                                  void **module)
{
    /* The JIT (PTX) writes its diagnostics here; without them a bad PTX is
     * only "CUDA_ERROR_INVALID_PTX". */
    char error_log[8192];
    char info_log[4096];
    CUjit_option options[4] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
                               CU_JIT_INFO_LOG_BUFFER, CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES};
    void *values[4] = {error_log, (void *)(uintptr_t)sizeof error_log, info_log,
                       (void *)(uintptr_t)sizeof info_log};
    CUmodule m = NULL;
    CUresult r;
    ga_status st;
    const char *name, *text;

    (void)kind; /* the driver tells PTX, cubin and fatbin apart itself */
    (void)size; /* PTX arrives NUL-terminated; cubin and fatbin carry their size */
    error_log[0] = '\0';
    info_log[0] = '\0';
    st = cuda_device_activate(dev);
    if (st != GA_OK)
        return st;
    r = ga_cu.cuModuleLoadDataEx(&m, image, 4, options, values);
    if (cuda_likely(r == CUDA_SUCCESS)) {
        *module = m;
        return GA_OK;
    }
    error_log[sizeof error_log - 1] = '\0';
    info_log[sizeof info_log - 1] = '\0';
    cuda_error_strings(r, &name, &text);
    return ga_error_driver(cuda_status_of(r), (int)r, name, "cuModuleLoadDataEx: %s (%s)%s%s%s%s", name, text,
                           error_log[0] ? "\n" : "", error_log, info_log[0] ? "\n" : "", info_log);
}

static ga_status cuda_module_unload(ga_device *dev, void *module)
{
    ga_status st = cuda_device_activate(dev);
    if (st != GA_OK)
        return st;
    return cuda_check(ga_cu.cuModuleUnload((CUmodule)module), "cuModuleUnload");
}

static ga_status cuda_module_get_function(ga_device *dev, void *module, const char *name, void **function)
{
    CUfunction f = NULL;
    CUresult r;
    ga_status st = cuda_device_activate(dev);
    if (st != GA_OK)
        return st;
    r = ga_cu.cuModuleGetFunction(&f, (CUmodule)module, name);
    if (r == CUDA_ERROR_NOT_FOUND)
        return ga_error_driver(GA_ERROR_NOT_FOUND, (int)r, "CUDA_ERROR_NOT_FOUND",
                               "no kernel named '%s' in the module", name);
    st = cuda_check(r, "cuModuleGetFunction");
    if (st == GA_OK)
        *function = f;
    return st;
}

static ga_status cuda_module_get_global(ga_device *dev, void *module, const char *name, ga_devptr *ptr,
                                        size_t *size)
{
    CUdeviceptr p = 0;
    size_t bytes = 0;
    CUresult r;
    ga_status st = cuda_device_activate(dev);
    if (st != GA_OK)
        return st;
    r = ga_cu.cuModuleGetGlobal(&p, &bytes, (CUmodule)module, name);
    if (r == CUDA_ERROR_NOT_FOUND)
        return ga_error_driver(GA_ERROR_NOT_FOUND, (int)r, "CUDA_ERROR_NOT_FOUND",
                               "no global named '%s' in the module", name);
    st = cuda_check(r, "cuModuleGetGlobal");
    if (st != GA_OK)
        return st;
    if (ptr)
        *ptr = p;
    if (size)
        *size = bytes;
    return GA_OK;
}

static ga_status cuda_function_attribute(ga_device *dev, void *function, int attribute, int *value)
{
    ga_status st = cuda_device_activate(dev);
    if (st != GA_OK)
        return st;
    return cuda_check(ga_cu.cuFuncGetAttribute(value, (CUfunction_attribute)attribute, (CUfunction)function),
                      "cuFuncGetAttribute");
}

static ga_status cuda_function_set_attribute(ga_device *dev, void *function, int attribute, int value)
{
    ga_status st = cuda_device_activate(dev);
    if (st != GA_OK)
        return st;
    return cuda_check(ga_cu.cuFuncSetAttribute((CUfunction)function, (CUfunction_attribute)attribute, value),
                      "cuFuncSetAttribute");
}

static ga_status cuda_function_param_layout(ga_device *dev, void *function, int index, size_t *offset,
                                            size_t *size)
{
    CUresult r;
    ga_status st;
    if (!ga_cu.cuFuncGetParamInfo)
        return ga_libcuda_missing(GA_ERROR_UNSUPPORTED, "cuFuncGetParamInfo");
    if (index < 0)
        return GA_ERROR_NOT_FOUND;
    st = cuda_device_activate(dev);
    if (st != GA_OK)
        return st;
    r = ga_cu.cuFuncGetParamInfo((CUfunction)function, (size_t)index, offset, size);
    /* Asking one past the last parameter is how the count is found: an
     * expected answer, so it leaves the thread's error detail alone. */
    if (r == CUDA_ERROR_INVALID_VALUE)
        return GA_ERROR_NOT_FOUND;
    return cuda_check(r, "cuFuncGetParamInfo");
}

static ga_status cuda_launch(ga_device *dev, void *function, const unsigned grid[3], const unsigned block[3],
                             size_t shared_mem, void *stream, void **args)
{
    CUresult r;
    ga_status st = cuda_device_activate(dev);
    if (st != GA_OK)
        return st;
    if (shared_mem > UINT_MAX)
        return ga_error(GA_ERROR_LAUNCH, "cuLaunchKernel: %zu bytes of shared memory", shared_mem);
    r = ga_cu.cuLaunchKernel((CUfunction)function, grid[0], grid[1], grid[2], block[0], block[1], block[2],
                             (unsigned)shared_mem, (CUstream)stream, args, NULL);
    if (cuda_likely(r == CUDA_SUCCESS))
        return GA_OK;
    /* From a launch, INVALID_VALUE means the configuration was refused. */
    return cuda_fail(r, r == CUDA_ERROR_INVALID_VALUE ? GA_ERROR_LAUNCH : cuda_status_of(r), "cuLaunchKernel");
}

/* ------------------------------------------------------------------ graphs */

static ga_status cuda_stream_begin_capture(ga_device *dev, void *stream, int mode)
{
    ga_status st = cuda_device_activate(dev);
    if (st != GA_OK)
        return st;
    return cuda_check(ga_cu.cuStreamBeginCapture((CUstream)stream, (CUstreamCaptureMode)mode),
                      "cuStreamBeginCapture");
}

/* The captured graph is instantiated at once (and the template dropped):
 * what gpuarray hands out is the executable graph. Memory its alloc nodes
 * leave allocated is freed by the driver before each relaunch. */
static ga_status cuda_stream_end_capture(ga_device *dev, void *stream, void **graph)
{
    ga_status st = cuda_device_activate(dev);
    if (st != GA_OK)
        return st;
    CUgraph g = NULL;
    st = cuda_check(ga_cu.cuStreamEndCapture((CUstream)stream, &g), "cuStreamEndCapture");
    if (st != GA_OK)
        return st;
    CUgraphExec exec = NULL;
    if (!ga_cu.cuGraphInstantiateWithFlags)
        st = ga_error(GA_ERROR_DRIVER_TOO_OLD, "graphs need cuGraphInstantiateWithFlags (CUDA 11.4 "
                      "or newer driver)");
    else
        st = cuda_check(ga_cu.cuGraphInstantiateWithFlags(&exec, g,
                                                          CUDA_GRAPH_INSTANTIATE_FLAG_AUTO_FREE_ON_LAUNCH),
                        "cuGraphInstantiateWithFlags");
    ga_cu.cuGraphDestroy(g);
    if (st == GA_OK)
        *graph = exec;
    return st;
}

static ga_status cuda_graph_launch(ga_device *dev, void *graph, void *stream)
{
    return cuda_check(ga_cu.cuGraphLaunch((CUgraphExec)graph, (CUstream)stream), "cuGraphLaunch");
}

static ga_status cuda_graph_upload(ga_device *dev, void *graph, void *stream)
{
    return cuda_check(ga_cu.cuGraphUpload((CUgraphExec)graph, (CUstream)stream), "cuGraphUpload");
}

static ga_status cuda_graph_destroy(ga_device *dev, void *graph)
{
    return cuda_check(ga_cu.cuGraphExecDestroy((CUgraphExec)graph), "cuGraphExecDestroy");
}

/* ------------------------------------------------------------------ table */

const ga_backend_ops ga_cuda_backend = {
    .name = "cuda",

    .init = cuda_init,
    .driver_version = cuda_driver_version,
    .driver_path = cuda_driver_path,

    .device_count = cuda_device_count,
    .device_open = cuda_device_open,
    .device_activate = cuda_device_activate,
    .device_name = cuda_device_name,
    .device_attribute = cuda_device_attribute,
    .device_mem_info = cuda_device_mem_info,
    .device_synchronize = cuda_device_synchronize,

    .mem_alloc = cuda_mem_alloc,
    .mem_free = cuda_mem_free,
    .pool_reserved = cuda_pool_reserved,
    .pool_trim = cuda_pool_trim,

    .host_alloc = cuda_host_alloc,
    .host_free = cuda_host_free,
    .host_is_pinned = cuda_host_is_pinned,

    .copy_htod = cuda_copy_htod,
    .copy_dtoh = cuda_copy_dtoh,
    .copy_dtod = cuda_copy_dtod,
    .memset = cuda_memset,
    .copy_peer = cuda_copy_peer,
    .device_can_access_peer = cuda_device_can_access_peer,
    .pointer_device = cuda_pointer_device,

    .stream_create = cuda_stream_create,
    .stream_destroy = cuda_stream_destroy,
    .stream_synchronize = cuda_stream_synchronize,
    .stream_query = cuda_stream_query,
    .stream_wait_event = cuda_stream_wait_event,

    .event_create = cuda_event_create,
    .event_destroy = cuda_event_destroy,
    .event_record = cuda_event_record,
    .event_synchronize = cuda_event_synchronize,
    .event_query = cuda_event_query,
    .event_elapsed = cuda_event_elapsed,

    .compiler_load = ga_cuda_compiler_load,
    .compiler_confirm = ga_cuda_compiler_confirm,
    .compiler_version = ga_cuda_compiler_version,
    .compiler_path = ga_cuda_compiler_path,
    .compiler_target = ga_cuda_compiler_target,
    .compile = ga_cuda_compile,
    .stage_pageable_copies = 1,

    .module_load = cuda_module_load,
    .module_unload = cuda_module_unload,
    .module_get_function = cuda_module_get_function,
    .module_get_global = cuda_module_get_global,
    .function_attribute = cuda_function_attribute,
    .function_set_attribute = cuda_function_set_attribute,
    .function_param_layout = cuda_function_param_layout,
    .launch = cuda_launch,
    .gemm = ga_cuda_gemm,
    .fft = &ga_cuda_fft_ops,
    .solver = ga_cuda_solver,
    .stream_begin_capture = cuda_stream_begin_capture,
    .stream_end_capture = cuda_stream_end_capture,
    .graph_launch = cuda_graph_launch,
    .graph_upload = cuda_graph_upload,
    .graph_destroy = cuda_graph_destroy,
    .capture_allocs_need_launch = 1,
};
