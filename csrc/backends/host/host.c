/* host.c - the host backend: CUDA's programming model on the CPU. Device
 * memory is aligned host memory, streams are worker threads
 * (host_stream.c), kernels are CUDA C compiled by the system C++ compiler
 * against the host kernel runtime (host_compile.c) and loaded with dlopen;
 * GPUARRAY_HOST_CHECK=1 adds guard pages around buffers (host_check.c).
 *
 * What the host reports where CUDA has hardware facts, decided once:
 * - compute capability 0.0: no CUDA architecture is emulated, and code
 *   that picks a path by compute capability must not mistake the CPU for
 *   a GPU. (The prelude, not this number, decides which CUDA features
 *   kernels may use.)
 * - limits as on current NVIDIA GPUs, so that launch checks match: 1024
 *   threads per block, block 1024 x 1024 x 64, grid (2^31-1) x 65535 x
 *   65535, warp 32, 48 KiB of shared memory per block by default and
 *   227 KiB after opting in; MultiProcessorCount is the number of threads
 *   kernels run on; Integrated, CanMapHostMemory, UnifiedAddressing and
 *   PageableMemoryAccess are 1 (device memory IS host memory).
 * - kernel attributes: max threads 1024; registers, PTX and binary
 *   versions, local, constant and static shared sizes are 0 (a compiled C++
 *   function has none of them, and the runtime does not measure them).
 * - the driver version is 0 (there is no CUDA driver); driver_path is the
 *   kernel runtime library's. */
#define _GNU_SOURCE
#include "host_backend.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if !defined(__linux__) || !(defined(__x86_64__) || defined(__aarch64__))
#error "the host backend supports Linux on x86-64 and aarch64"
#endif

#define HOST_MAX_DEVICES 64
#define HOST_SHARED_DEFAULT 49152          /* 48 KiB, CUDA's default limit */
#define HOST_SHARED_OPTIN (227 * 1024)     /* what an H100 block can opt in to */
#define HOST_ALIGN 256                     /* cudaMalloc's alignment */

/* ----------------------------------------------------------- init, counts */

static int env_int(const char *name, int fallback, int lo, int hi)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return fallback;
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < lo || n > hi)
        return fallback;
    return (int)n;
}

int host_thread_count(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return env_int("GPUARRAY_HOST_THREADS", cores > 0 ? (int)cores : 1, 1, 4096);
}

static int host_device_total(void)
{
    return env_int("GPUARRAY_HOST_DEVICES", 1, 1, HOST_MAX_DEVICES);
}

static ga_status host_init(void)
{
    /* Memory, streams and events need nothing; the compiler and the kernel
     * runtime are looked for at the first compile (compiler_load), so that
     * a machine without g++ still gets arrays, copies and streams. */
    if (host_check_enabled())
        return host_check_init();
    return GA_OK;
}

static int host_driver_version(void) { return 0; }

static const char *host_driver_path(void)
{
    const char *p = host_runtime_path();
    return p ? p : "";
}

/* ---------------------------------------------------------------- devices */

static host_device *host_devices[HOST_MAX_DEVICES];
static pthread_mutex_t host_devices_lock = PTHREAD_MUTEX_INITIALIZER;

static ga_status host_device_count(int *count)
{
    *count = host_device_total();
    return GA_OK;
}

static ga_status host_device_open(ga_device *gdev)
{
    ga_status st = GA_OK;
    pthread_mutex_lock(&host_devices_lock);
    host_device *dev = host_devices[gdev->ordinal];
    if (!dev) {
        dev = calloc(1, sizeof *dev);
        if (!dev) {
            st = ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory opening a device");
        } else {
            dev->ordinal = gdev->ordinal;
            st = host_streams_init_device(dev);
            if (st == GA_OK)
                host_devices[gdev->ordinal] = dev;
            else
                free(dev);
        }
    }
    pthread_mutex_unlock(&host_devices_lock);
    if (st == GA_OK) {
        gdev->native = dev;
        gdev->native_device = gdev->ordinal;
        gdev->pool = NULL;
    }
    return st;
}

static ga_status host_device_activate(ga_device *gdev)
{
    (void)gdev;
    return GA_OK;
}

static ga_status host_device_name(ga_device *gdev, char *name, size_t len)
{
    int n = host_thread_count();
    snprintf(name, len, "gpuarray host (%d thread%s)", n, n == 1 ? "" : "s");
    return GA_OK;
}

static long cache_size(int which)
{
    long v = sysconf(which);
    return v > 0 ? v : 0;
}

static int cpu_khz(void)
{
    FILE *f = fopen("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", "r");
    long khz = 0;
    if (f) {
        if (fscanf(f, "%ld", &khz) != 1)
            khz = 0;
        fclose(f);
    }
    return khz > 0 && khz < 100000000 ? (int)khz : 0;
}

/* Values by CUdevice_attribute number (see the banner for the choices).
 * Texture, surface and PCI facts are 0: the host has none. */
static ga_status host_device_attribute(ga_device *gdev, int attribute, int *value)
{
    int v;
    switch (attribute) {
    case 1: v = 1024; break;                              /* MaxThreadsPerBlock */
    case 2: case 3: v = 1024; break;                      /* MaxBlockDimX, Y */
    case 4: v = 64; break;                                /* MaxBlockDimZ */
    case 5: v = 2147483647; break;                        /* MaxGridDimX */
    case 6: case 7: v = 65535; break;                     /* MaxGridDimY, Z */
    case 8: v = HOST_SHARED_DEFAULT; break;               /* MaxSharedMemoryPerBlock */
    case 9: v = 65536; break;                             /* TotalConstantMemory */
    case 10: v = 32; break;                               /* WarpSize */
    case 11: v = 2147483647; break;                       /* MaxPitch */
    case 12: v = 65536; break;                            /* MaxRegistersPerBlock */
    case 13: v = cpu_khz(); break;                        /* ClockRate (kHz) */
    case 14: v = 512; break;                              /* TextureAlignment */
    case 15: v = 1; break;                                /* GpuOverlap */
    case 16: v = host_thread_count(); break;              /* MultiProcessorCount */
    case 17: v = 0; break;                                /* KernelExecTimeout */
    case 18: v = 1; break;                                /* Integrated */
    case 19: v = 1; break;                                /* CanMapHostMemory */
    case 20: v = 0; break;                                /* ComputeMode: default */
    case 31: v = 1; break;                                /* ConcurrentKernels */
    case 38: v = (int)cache_size(_SC_LEVEL2_CACHE_SIZE); break; /* L2CacheSize */
    case 39: v = 1024; break;                             /* MaxThreadsPerMultiProcessor */
    case 40: v = 1; break;                                /* AsyncEngineCount */
    case 41: v = 1; break;                                /* UnifiedAddressing */
    case 75: case 76: v = 0; break;                       /* ComputeCapability: 0.0 */
    case 78: v = 0; break;                                /* StreamPrioritiesSupported */
    case 79: case 80: v = 1; break;                       /* Global/LocalL1CacheSupported */
    case 81: v = HOST_SHARED_OPTIN; break;                /* MaxSharedMemoryPerMultiprocessor */
    case 82: v = 65536; break;                            /* MaxRegistersPerMultiprocessor */
    case 86: v = 1; break;                                /* HostNativeAtomicSupported */
    case 87: v = 2; break;                                /* SingleToDoublePrecisionPerfRatio */
    case 88: v = 1; break;                                /* PageableMemoryAccess */
    case 97: v = HOST_SHARED_OPTIN; break;                /* MaxSharedMemoryPerBlockOptin */
    case 100: v = 1; break;                               /* PageableMemoryAccessUsesHostPageTables */
    case 106: v = 32; break;                              /* MaxBlocksPerMultiprocessor */
    case 115: v = 1; break;                               /* MemoryPoolsSupported */
    default:
        /* Every other attribute CUDA 13 knows: a capability the host does
         * not have, or a hardware figure it has no counterpart of. */
        if (attribute >= 1 && attribute <= 147 && attribute != 44 &&
            !(attribute >= 92 && attribute <= 94)) {
            v = 0;
            break;
        }
        return ga_error(GA_ERROR_INVALID_VALUE, "device attribute %d is not known", attribute);
    }
    *value = v;
    return GA_OK;
}

static size_t meminfo_kb(const char *key)
{
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    size_t kb = 0, n = strlen(key);
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, n) == 0 && line[n] == ':') {
            kb = strtoull(line + n + 1, NULL, 10);
            break;
        }
    fclose(f);
    return kb;
}

static size_t host_total_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    return pages > 0 && size > 0 ? (size_t)pages * (size_t)size : 0;
}

static ga_status host_device_mem_info(ga_device *gdev, size_t *free_bytes, size_t *total_bytes)
{
    size_t total = host_total_memory();
    size_t avail = meminfo_kb("MemAvailable") * 1024;
    if (!avail) {
        long pages = sysconf(_SC_AVPHYS_PAGES), size = sysconf(_SC_PAGESIZE);
        avail = pages > 0 && size > 0 ? (size_t)pages * (size_t)size : 0;
    }
    *total_bytes = total;
    *free_bytes = avail < total ? avail : total;
    return GA_OK;
}

static ga_status host_device_synchronize(ga_device *gdev)
{
    return host_device_sync_all(gdev->native);
}

/* ------------------------------------------------------------ device memory */

/* Each buffer is preceded by a HOST_ALIGN-byte header holding its size, so
 * that the stream-ordered free knows what it gives back. */
typedef struct host_block_header {
    size_t size;
    uint64_t magic;
} host_block_header;

#define HOST_BLOCK_MAGIC 0x67616873746d656dull /* "gahstmem" */

static ga_status host_mem_alloc(ga_device *gdev, size_t nbytes, void *stream, ga_devptr *ptr)
{
    host_device *dev = gdev->native;
    if (nbytes == 0) {
        *ptr = 0;
        return GA_OK;
    }
    size_t total = host_total_memory();
    /* With overcommit, an allocation larger than the machine can succeed and
     * fail only when touched; refuse it here, as a GPU would. */
    if (total && nbytes > total)
        return ga_error(GA_ERROR_OUT_OF_MEMORY,
                        "out of memory: %zu bytes requested, the host has %zu", nbytes, total);
    void *p;
    if (host_check_enabled()) {
        p = host_check_alloc(nbytes);
        if (!p)
            return ga_error(GA_ERROR_OUT_OF_MEMORY, "out of memory allocating %zu bytes", nbytes);
    } else {
        void *base = NULL;
        if (nbytes > SIZE_MAX - HOST_ALIGN || posix_memalign(&base, HOST_ALIGN, nbytes + HOST_ALIGN))
            return ga_error(GA_ERROR_OUT_OF_MEMORY, "out of memory allocating %zu bytes", nbytes);
        host_block_header *h = base;
        h->size = nbytes;
        h->magic = HOST_BLOCK_MAGIC;
        p = (char *)base + HOST_ALIGN;
    }
    atomic_fetch_add(&dev->reserved, nbytes);
    *ptr = (ga_devptr)(uintptr_t)p;
    return GA_OK;
}

void host_mem_release(host_device *dev, void *ptr)
{
    size_t size = 0;
    if (host_check_enabled() && (size = host_check_free(ptr)) != 0) {
        atomic_fetch_sub(&dev->reserved, size);
        return;
    }
    host_block_header *h = (host_block_header *)((char *)ptr - HOST_ALIGN);
    if (h->magic != HOST_BLOCK_MAGIC)
        return;   /* not ours: never free what we did not allocate */
    h->magic = 0;
    atomic_fetch_sub(&dev->reserved, h->size);
    free(h);
}

static ga_status host_mem_free(ga_device *gdev, ga_devptr ptr, void *stream)
{
    host_device *dev = gdev->native;
    if (!ptr)
        return GA_OK;
    host_task *t = host_task_new(HOST_TASK_FREE);
    if (!t)
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory freeing a buffer");
    t->u.free.stream = stream;
    t->u.free.ptr = (void *)(uintptr_t)ptr;
    /* Stream-ordered: the memory goes back once the work queued before on
     * the stream is done (at once when the stream is idle). */
    return host_stream_submit(dev, stream, t, 1, NULL, NULL);
}

static ga_status host_pool_reserved(ga_device *gdev, size_t *bytes)
{
    host_device *dev = gdev->native;
    *bytes = atomic_load(&dev->reserved);
    return GA_OK;
}

static ga_status host_pool_trim(ga_device *gdev)
{
    /* Buffers are freed as their streams reach the free; what glibc keeps
     * cached in its heap goes back to the system here. */
    malloc_trim(0);
    return GA_OK;
}

/* ------------------------------------------------------- pinned host memory */

/* "Pinned" is meaningless on the host, but it means something to the
 * copies: from and to memory of ga_host_alloc they are asynchronous, as on
 * CUDA. The ranges are kept sorted to answer host_is_pinned for pointers
 * into them too (pools hand out pieces of one allocation). */
typedef struct pinned_range {
    uintptr_t start;
    size_t size;
} pinned_range;

static pinned_range *pinned;
static size_t pinned_count, pinned_cap;
static pthread_mutex_t pinned_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t pinned_lower_bound(uintptr_t p)
{
    size_t lo = 0, hi = pinned_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (pinned[mid].start < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static ga_status host_host_alloc(size_t nbytes, void **ptr)
{
    void *p = NULL;
    if (posix_memalign(&p, 4096, nbytes))
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory allocating %zu pinned bytes",
                        nbytes);
    pthread_mutex_lock(&pinned_lock);
    if (pinned_count == pinned_cap) {
        size_t cap = pinned_cap ? pinned_cap * 2 : 64;
        pinned_range *grown = realloc(pinned, cap * sizeof *grown);
        if (!grown) {
            pthread_mutex_unlock(&pinned_lock);
            free(p);
            return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory");
        }
        pinned = grown;
        pinned_cap = cap;
    }
    size_t i = pinned_lower_bound((uintptr_t)p);
    memmove(&pinned[i + 1], &pinned[i], (pinned_count - i) * sizeof *pinned);
    pinned[i].start = (uintptr_t)p;
    pinned[i].size = nbytes;
    pinned_count++;
    pthread_mutex_unlock(&pinned_lock);
    *ptr = p;
    return GA_OK;
}

static ga_status host_host_free(void *ptr)
{
    pthread_mutex_lock(&pinned_lock);
    size_t i = pinned_lower_bound((uintptr_t)ptr);
    int found = i < pinned_count && pinned[i].start == (uintptr_t)ptr;
    if (found) {
        memmove(&pinned[i], &pinned[i + 1], (pinned_count - i - 1) * sizeof *pinned);
        pinned_count--;
    }
    pthread_mutex_unlock(&pinned_lock);
    if (!found)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_host_free: %p is not from ga_host_alloc", ptr);
    free(ptr);
    return GA_OK;
}

static int host_host_is_pinned(const void *ptr)
{
    uintptr_t p = (uintptr_t)ptr;
    pthread_mutex_lock(&pinned_lock);
    size_t i = pinned_lower_bound(p + 1);   /* first range starting after p */
    int in = i > 0 && p - pinned[i - 1].start < (pinned[i - 1].size ? pinned[i - 1].size : 1);
    pthread_mutex_unlock(&pinned_lock);
    return in;
}

/* ----------------------------------------------------------------- copies */

static host_task *copy_task(void *dst, const void *src, size_t n)
{
    host_task *t = host_task_new(HOST_TASK_COPY);
    if (t) {
        t->u.copy.dst = dst;
        t->u.copy.src = src;
        t->u.copy.n = n;
    }
    return t;
}

/* Queue a copy and return only once it is done (pageable memory); a
 * synchronous call, so it reports an earlier kernel's failure too. */
static ga_status copy_and_wait(host_device *dev, void *stream, host_task *t)
{
    host_stream *on;
    uint64_t seq;
    ga_status st = host_stream_submit(dev, stream, t, 1, &on, &seq);
    if (st == GA_OK) {
        host_stream_wait_seq(dev, on, seq);
        st = host_device_take_error(dev);
    }
    return st;
}

#define OOM_TASK() ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory queueing a copy")

static ga_status host_copy_htod(ga_device *gdev, ga_devptr dst, const void *src, size_t n, void *stream)
{
    host_device *dev = gdev->native;
    void *d = (void *)(uintptr_t)dst;
    host_task *t = copy_task(d, src, n);
    if (!t)
        return OOM_TASK();
    if (host_host_is_pinned(src))
        return host_stream_submit(dev, stream, t, 1, NULL, NULL);
    /* Pageable source: CUDA returns once the source has been consumed (into
     * its staging memory), not when the copy is done. Take a private copy
     * so the copy stays asynchronous; without memory for one, wait. (An
     * idle stream runs the copy inline anyway.) */
    int idle = 0;
    host_stream_query(gdev, stream, &idle);
    if (!idle) {
        void *copy = malloc(n);
        if (copy) {
            memcpy(copy, src, n);
            t->u.copy.src = copy;
            t->u.copy.owned = copy;
            return host_stream_submit(dev, stream, t, 1, NULL, NULL);
        }
    }
    return copy_and_wait(dev, stream, t);
}

static ga_status host_copy_dtoh(ga_device *gdev, void *dst, ga_devptr src, size_t n, void *stream)
{
    host_device *dev = gdev->native;
    host_task *t = copy_task(dst, (const void *)(uintptr_t)src, n);
    if (!t)
        return OOM_TASK();
    /* To pinned memory: asynchronous. To pageable memory: CUDA returns only
     * once the copy has completed. */
    if (host_host_is_pinned(dst))
        return host_stream_submit(dev, stream, t, 1, NULL, NULL);
    return copy_and_wait(dev, stream, t);
}

static ga_status host_copy_dtod(ga_device *gdev, ga_devptr dst, ga_devptr src, size_t n, void *stream)
{
    host_task *t = copy_task((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, n);
    if (!t)
        return OOM_TASK();
    return host_stream_submit(gdev->native, stream, t, 1, NULL, NULL);
}

static ga_status host_memset(ga_device *gdev, ga_devptr dst, uint32_t pattern, size_t elem_size,
                             size_t nbytes, void *stream)
{
    host_task *t = host_task_new(HOST_TASK_MEMSET);
    if (!t)
        return OOM_TASK();
    t->u.memset.dst = (void *)(uintptr_t)dst;
    t->u.memset.pattern = pattern;
    t->u.memset.elem_size = elem_size;
    t->u.memset.nbytes = nbytes;
    return host_stream_submit(gdev->native, stream, t, 1, NULL, NULL);
}

static ga_status host_copy_peer(ga_device *dst_dev, ga_devptr dst, ga_device *src_dev, ga_devptr src,
                                size_t n, void *stream)
{
    host_task *t = copy_task((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, n);
    if (!t)
        return OOM_TASK();
    return host_stream_submit_peer(dst_dev->native, stream, t, src_dev->native);
}

/* The simulated devices share the process's address space. */
static ga_status host_device_can_access_peer(ga_device *dev, ga_device *peer, int *can)
{
    *can = dev != peer;
    return GA_OK;
}

/* ------------------------------------------------------ modules, functions */

void host_module_retain(host_module *m) { atomic_fetch_add(&m->refs, 1); }

void host_module_release(host_module *m)
{
    if (atomic_fetch_sub_explicit(&m->refs, 1, memory_order_acq_rel) != 1)
        return;
    for (host_function *f = m->functions, *next; f; f = next) {
        next = f->next;
        free(f->offsets);
        free(f);
    }
    if (m->handle)
        dlclose(m->handle);
    if (m->fd >= 0)
        close(m->fd);
    if (m->path) {
        unlink(m->path);
        free(m->path);
    }
    free(m->image);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

/* The loadable file for a .so image: an anonymous memory file (nothing on
 * disk), else a private temporary file (*tmp_path, to be unlinked).
 * Returns the name to dlopen (malloc'd) or NULL; *fd_out is to be closed
 * once dlopen is done (no descriptor is held per loaded module: 1,000
 * kernel variants would reach the usual limit of open files).
 *
 * glibc's dlopen returns an object already loaded under the same name, and
 * a closed descriptor's number comes back: "/proc/self/fd/7" may still name
 * a module loaded earlier. So a name that dlopen(RTLD_NOLOAD) finds loaded
 * is not used: the memory file moves to another descriptor number. */
static char *image_file(const void *image, size_t size, int *fd_out, char **tmp_path)
{
    char *name = NULL;
    *fd_out = -1;
    *tmp_path = NULL;
    int fd = memfd_create("gpuarray-host-kernel", MFD_CLOEXEC);
    if (fd >= 0) {
        const char *p = image;
        size_t left = size;
        while (left > 0) {
            ssize_t w = write(fd, p, left);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                break;
            p += w;
            left -= (size_t)w;
        }
        for (int tries = 0; left == 0 && tries < 4096; tries++) {
            if (asprintf(&name, "/proc/self/fd/%d", fd) < 0)
                break;
            void *old = dlopen(name, RTLD_LAZY | RTLD_LOCAL | RTLD_NOLOAD);
            if (!old) {
                *fd_out = fd;
                return name;
            }
            dlclose(old);
            free(name);
            name = NULL;
            int moved = fcntl(fd, F_DUPFD_CLOEXEC, fd + 1);
            int e = errno == EINVAL ? EMFILE : errno;   /* fd + 1 is past the limit */
            close(fd);
            if (moved < 0) {
                errno = e;
                return NULL;
            }
            fd = moved;
        }
        close(fd);
        return NULL;
    }
    if (errno == EMFILE || errno == ENFILE)
        return NULL;             /* a file would need a descriptor too */
    const char *tmp = getenv("TMPDIR");
    if (asprintf(&name, "%s/gpuarray-host-XXXXXX.so", tmp && *tmp ? tmp : "/tmp") < 0)
        return NULL;
    fd = mkstemps(name, 3);
    if (fd < 0) {
        free(name);
        return NULL;
    }
    int ok = write(fd, image, size) == (ssize_t)size;
    close(fd);
    if (!ok) {
        unlink(name);
        free(name);
        return NULL;
    }
    *tmp_path = strdup(name);
    return name;
}

static ga_status host_module_load(ga_device *gdev, ga_image_kind kind, const void *image, size_t size,
                                  void **module)
{
    if (kind != GA_IMAGE_HOST_SO)
        return ga_error(GA_ERROR_UNSUPPORTED,
                        "the host backend cannot load %s: it runs kernels compiled from CUDA C "
                        "source only (PTX and cubin are NVIDIA GPU code)",
                        kind == GA_IMAGE_PTX ? "PTX" : kind == GA_IMAGE_CUBIN ? "a cubin"
                        : kind == GA_IMAGE_FATBIN ? "a fatbin" : "this image");
    /* The runtime first, so that the module's DT_NEEDED on it is met by
     * the copy already loaded. */
    const gahost_api *api = host_runtime();
    if (!api)
        return ga_error(GA_ERROR_NO_COMPILER, "%s", ga_last_error());
    host_module *m = calloc(1, sizeof *m);
    if (!m)
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory loading a module");
    atomic_init(&m->refs, 1);
    pthread_mutex_init(&m->lock, NULL);
    m->fd = -1;
    ga_status st = GA_OK;
    char *name = NULL;
    m->image = malloc(size);
    if (!m->image) {
        st = ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory loading a module");
        goto fail;
    }
    memcpy(m->image, image, size);
    m->image_size = size;
    name = image_file(image, size, &m->fd, &m->path);
    if (!name) {
        int e = errno;
        st = ga_error(GA_ERROR_IO, "cannot write a kernel module to load it: %s%s", strerror(e),
                      e == EMFILE || e == ENFILE ? " (the process is out of file descriptors: "
                      "raise `ulimit -n`, or close files)" : "");
        goto fail;
    }
    m->handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    free(name);
    if (m->fd >= 0) {
        close(m->fd);            /* the mapping outlives it */
        m->fd = -1;
    }
    if (!m->handle) {
        const char *why = dlerror();
        st = ga_error(GA_ERROR_INVALID_IMAGE, "dlopen of a compiled kernel module failed: %s",
                      why ? why : "unknown error");
        goto fail;
    }
    if (m->path) {
        unlink(m->path);    /* loaded: the file is no longer needed */
        free(m->path);
        m->path = NULL;
    }
    m->desc = dlsym(m->handle, GAHOST_MODULE_SYMBOL);
    if (!m->desc) {
        st = ga_error(GA_ERROR_INVALID_IMAGE, "the kernel module has no '%s' descriptor",
                      GAHOST_MODULE_SYMBOL);
        goto fail;
    }
    if (m->desc->abi_version != GAHOST_ABI_VERSION) {
        st = ga_error(GA_ERROR_INVALID_IMAGE,
                      "the kernel module was built for host runtime ABI %u, this is ABI %u",
                      m->desc->abi_version, GAHOST_ABI_VERSION);
        goto fail;
    }
    struct link_map *lm = NULL;
    if (dlinfo(m->handle, RTLD_DI_LINKMAP, &lm) == 0 && lm)
        m->load_base = lm->l_addr;
    *module = m;
    return GA_OK;

fail:
    host_module_release(m);
    return st;
}

static ga_status host_module_unload(ga_device *gdev, void *module)
{
    /* Launches still queued keep the module loaded until they have run. */
    host_module_release(module);
    return GA_OK;
}

static ga_status host_module_get_function(ga_device *gdev, void *module, const char *name,
                                          void **function)
{
    host_module *m = module;
    const gahost_kernel_desc *k = NULL;
    for (unsigned i = 0; i < m->desc->num_kernels && !k; i++)
        if (strcmp(m->desc->kernels[i].name, name) == 0 ||
            strcmp(m->desc->kernels[i].symbol, name) == 0)
            k = &m->desc->kernels[i];
    if (!k)
        return GA_ERROR_NOT_FOUND;   /* the core words the detail */
    ga_status st = GA_OK;
    pthread_mutex_lock(&m->lock);
    host_function *f = m->functions;
    while (f && f->desc != k)
        f = f->next;
    if (!f) {
        f = calloc(1, sizeof *f);
        size_t *off = calloc((size_t)(k->num_params > 0 ? k->num_params : 1), sizeof *off);
        if (!f || !off) {
            free(f);
            free(off);
            f = NULL;
            st = ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory");
        } else {
            /* The C ABI layout of the parameters, as a struct would have it. */
            size_t at = 0;
            for (int i = 0; i < k->num_params; i++) {
                size_t a = k->param_aligns[i] ? k->param_aligns[i] : 1;
                at = (at + a - 1) / a * a;
                off[i] = at;
                at += k->param_sizes[i];
            }
            f->module = m;
            f->desc = k;
            f->offsets = off;
            f->args_size = at;
            atomic_init(&f->max_dynamic_shared, HOST_SHARED_DEFAULT);
            f->preferred_carveout = -1;
            f->next = m->functions;
            m->functions = f;
        }
    }
    pthread_mutex_unlock(&m->lock);
    if (st == GA_OK)
        *function = f;
    return st;
}

/* A symbol's value and size from the module's ELF symbol tables (.symtab
 * has the hidden symbols too: kernel modules are built with
 * -fvisibility=hidden, and __device__ variables are not exported). */
static int elf_find_symbol(const host_module *m, const char *name, uintptr_t *value, size_t *size)
{
    const unsigned char *img = m->image;
    if (m->image_size < sizeof(ElfW(Ehdr)))
        return 0;
    const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)img;
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_shentsize != sizeof(ElfW(Shdr)) ||
        eh->e_shoff == 0 || eh->e_shoff + (size_t)eh->e_shnum * sizeof(ElfW(Shdr)) > m->image_size)
        return 0;
    const ElfW(Shdr) *sh = (const ElfW(Shdr) *)(img + eh->e_shoff);
    for (int pass = 0; pass < 2; pass++) {
        unsigned want = pass == 0 ? SHT_SYMTAB : SHT_DYNSYM;
        for (unsigned i = 0; i < eh->e_shnum; i++) {
            if (sh[i].sh_type != want || sh[i].sh_link >= eh->e_shnum)
                continue;
            const ElfW(Shdr) *strs = &sh[sh[i].sh_link];
            if (sh[i].sh_offset + sh[i].sh_size > m->image_size ||
                strs->sh_offset + strs->sh_size > m->image_size || sh[i].sh_entsize != sizeof(ElfW(Sym)))
                continue;
            const ElfW(Sym) *syms = (const ElfW(Sym) *)(img + sh[i].sh_offset);
            const char *str = (const char *)(img + strs->sh_offset);
            size_t n = sh[i].sh_size / sizeof(ElfW(Sym));
            for (size_t j = 0; j < n; j++) {
                if (syms[j].st_name >= strs->sh_size || syms[j].st_shndx == SHN_UNDEF)
                    continue;
                int type = ELF64_ST_TYPE(syms[j].st_info);
                if (type != STT_OBJECT && type != STT_COMMON)
                    continue;
                if (strncmp(str + syms[j].st_name, name, strs->sh_size - syms[j].st_name) == 0) {
                    *value = syms[j].st_value;
                    *size = syms[j].st_size;
                    return 1;
                }
            }
        }
    }
    return 0;
}

static ga_status host_module_get_global(ga_device *gdev, void *module, const char *name, ga_devptr *ptr,
                                        size_t *size)
{
    host_module *m = module;
    uintptr_t value;
    size_t bytes;
    if (!elf_find_symbol(m, name, &value, &bytes))
        return GA_ERROR_NOT_FOUND;
    if (ptr)
        *ptr = (ga_devptr)(m->load_base + value);
    if (size)
        *size = bytes;
    return GA_OK;
}

static ga_status host_function_attribute(ga_device *gdev, void *function, int attribute, int *value)
{
    host_function *f = function;
    switch (attribute) {
    case GA_FUNC_ATTR_MAX_THREADS_PER_BLOCK: *value = 1024; return GA_OK;
    case GA_FUNC_ATTR_SHARED_SIZE_BYTES:
    case GA_FUNC_ATTR_CONST_SIZE_BYTES:
    case GA_FUNC_ATTR_LOCAL_SIZE_BYTES:
    case GA_FUNC_ATTR_NUM_REGS:
    case GA_FUNC_ATTR_PTX_VERSION:
    case GA_FUNC_ATTR_BINARY_VERSION:
    case 7: /* CACHE_MODE_CA */
        *value = 0;
        return GA_OK;
    case GA_FUNC_ATTR_MAX_DYNAMIC_SHARED_SIZE_BYTES:
        *value = atomic_load(&f->max_dynamic_shared);
        return GA_OK;
    case 9: /* PREFERRED_SHARED_MEMORY_CARVEOUT */
        *value = f->preferred_carveout;
        return GA_OK;
    default:
        return ga_error(GA_ERROR_INVALID_VALUE, "function attribute %d is not known", attribute);
    }
}

static ga_status host_function_set_attribute(ga_device *gdev, void *function, int attribute, int value)
{
    host_function *f = function;
    switch (attribute) {
    case GA_FUNC_ATTR_MAX_DYNAMIC_SHARED_SIZE_BYTES:
        if (value < 0 || value > HOST_SHARED_OPTIN)
            return ga_error(GA_ERROR_INVALID_VALUE,
                            "max dynamic shared memory %d is outside 0..%d", value, HOST_SHARED_OPTIN);
        atomic_store(&f->max_dynamic_shared, value);
        return GA_OK;
    case 9:
        if (value < -1 || value > 100)
            return ga_error(GA_ERROR_INVALID_VALUE, "shared memory carveout %d is outside -1..100",
                            value);
        f->preferred_carveout = value;
        return GA_OK;
    default:
        return ga_error(GA_ERROR_INVALID_VALUE, "function attribute %d cannot be set", attribute);
    }
}

static ga_status host_function_param_layout(ga_device *gdev, void *function, int index, size_t *offset,
                                            size_t *size)
{
    host_function *f = function;
    if (index < 0 || index >= f->desc->num_params)
        return GA_ERROR_NOT_FOUND;
    *offset = f->offsets[index];
    *size = f->desc->param_sizes[index];
    return GA_OK;
}

static ga_status host_launch(ga_device *gdev, void *function, const unsigned grid[3],
                             const unsigned block[3], size_t shared_mem, void *stream, void **args)
{
    host_function *f = function;
    host_device *dev = gdev->native;
    const gahost_kernel_desc *k = f->desc;
    ga_status sticky = host_device_sticky_error(dev);
    if (sticky != GA_OK)
        return sticky;
    int limit = atomic_load(&f->max_dynamic_shared);
    if (shared_mem > (size_t)limit)
        return ga_error(GA_ERROR_LAUNCH,
                        "kernel '%s': %zu bytes of dynamic shared memory exceed its limit of %d "
                        "(raise MAX_DYNAMIC_SHARED_SIZE_BYTES first)", k->name, shared_mem, limit);
    if (k->num_params > 0 && !args)
        return ga_error(GA_ERROR_INVALID_VALUE, "kernel '%s' takes %d arguments, none given",
                        k->name, k->num_params);
    host_task *t = host_task_new(HOST_TASK_LAUNCH);
    if (!t)
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory queueing a launch");
    /* The caller's argument memory dies when we return: the task keeps a
     * copy, laid out as the kernel's parameters are. */
    size_t nptr = (size_t)(k->num_params > 0 ? k->num_params : 1);
    size_t head = (nptr * sizeof(void *) + 15) & ~(size_t)15;
    unsigned char *buf = malloc(head + f->args_size + 16);
    if (!buf) {
        host_task_discard(t);
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory queueing a launch");
    }
    void **argv = (void **)buf;
    for (int i = 0; i < k->num_params; i++) {
        if (!args[i]) {
            free(buf);
            host_task_discard(t);
            return ga_error(GA_ERROR_INVALID_VALUE, "kernel '%s': argument %d is a NULL pointer "
                            "(args[i] must point at the value)", k->name, i);
        }
        argv[i] = buf + head + f->offsets[i];
        memcpy(argv[i], args[i], k->param_sizes[i]);
    }
    host_module_retain(f->module);
    t->u.launch.fn = f;
    t->u.launch.argbuf = buf;
    t->u.launch.argv = argv;
    t->u.launch.grid = (gahost_dim3){grid[0], grid[1], grid[2]};
    t->u.launch.block = (gahost_dim3){block[0], block[1], block[2]};
    t->u.launch.shared_mem = shared_mem;
    return host_stream_submit(dev, stream, t, 0, NULL, NULL);
}

/* ------------------------------------------------------------------ table */

const ga_backend_ops ga_host_backend = {
    .name = "host",

    .init = host_init,
    .driver_version = host_driver_version,
    .driver_path = host_driver_path,

    .device_count = host_device_count,
    .device_open = host_device_open,
    .device_activate = host_device_activate,
    .device_name = host_device_name,
    .device_attribute = host_device_attribute,
    .device_mem_info = host_device_mem_info,
    .device_synchronize = host_device_synchronize,

    .mem_alloc = host_mem_alloc,
    .mem_free = host_mem_free,
    .exact_allocations = host_check_enabled,
    .pool_reserved = host_pool_reserved,
    .pool_trim = host_pool_trim,

    .host_alloc = host_host_alloc,
    .host_free = host_host_free,
    .host_is_pinned = host_host_is_pinned,

    .copy_htod = host_copy_htod,
    .copy_dtoh = host_copy_dtoh,
    .copy_dtod = host_copy_dtod,
    .memset = host_memset,
    .copy_peer = host_copy_peer,
    .device_can_access_peer = host_device_can_access_peer,

    .stream_create = host_stream_create,
    .stream_destroy = host_stream_destroy,
    .stream_synchronize = host_stream_synchronize,
    .stream_query = host_stream_query,
    .stream_wait_event = host_stream_wait_event,
    .stream_begin_capture = host_stream_begin_capture,
    .stream_end_capture = host_stream_end_capture,
    .graph_launch = host_graph_launch,
    .graph_upload = host_graph_upload,
    .graph_destroy = host_graph_destroy,

    .event_create = host_event_create,
    .event_destroy = host_event_destroy,
    .event_record = host_event_record,
    .event_synchronize = host_event_synchronize,
    .event_query = host_event_query,
    .event_elapsed = host_event_elapsed,

    .compiler_load = host_compiler_load,
    .compiler_version = host_compiler_version,
    .compiler_path = host_compiler_path,
    .compiler_target = host_compiler_target,
    .compiler_fingerprint = host_compiler_fingerprint,
    .compile = host_compile,

    .module_load = host_module_load,
    .module_unload = host_module_unload,
    .module_get_function = host_module_get_function,
    .module_get_global = host_module_get_global,
    .function_attribute = host_function_attribute,
    .function_set_attribute = host_function_set_attribute,
    .function_param_layout = host_function_param_layout,
    .launch = host_launch,
    .gemm = ga_host_gemm,
};
