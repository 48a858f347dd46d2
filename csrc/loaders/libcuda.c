/* libcuda.c - dlopen of the CUDA driver and resolution of libcuda.fn through cuGetProcAddress. */
#define _GNU_SOURCE /* dlinfo, RTLD_DI_LINKMAP */

#include "libcuda.h"

#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ga_libcuda ga_cu;

/* The two bootstrap entry points: cuGetProcAddress_v2 (CUDA 12.0+) reports
 * why a symbol is missing, cuGetProcAddress (11.3+) has no such argument. */
typedef CUresult (*libcuda_getproc_v2_fn)(const char *symbol, void **pfn, int cudaVersion,
                                          cuuint64_t flags, CUdriverProcAddressQueryResult *status);
typedef CUresult (*libcuda_getproc_v1_fn)(const char *symbol, void **pfn, int cudaVersion,
                                          cuuint64_t flags);
typedef CUresult (*libcuda_version_fn)(int *driverVersion);

static const struct libcuda_entry {
    const char *name;
    const char *symbol;
    int version;
    size_t offset; /* of the pointer in ga_libcuda */
} libcuda_entries[] = {
#define GA_CU_FN_AS(field, name, version, symbol, params) \
    {#name, #symbol, version, offsetof(ga_libcuda, field)},
#include "libcuda.fn"
};

/* Written only inside pthread_once, read after it. */
static pthread_once_t libcuda_once = PTHREAD_ONCE_INIT;
static ga_status libcuda_status;
static char libcuda_detail[1536];
static char libcuda_path_buf[1024];
static int libcuda_version_value;
static void *libcuda_handle;
static libcuda_getproc_v2_fn libcuda_getproc_v2;
static libcuda_getproc_v1_fn libcuda_getproc_v1;

static void libcuda_fail(ga_status status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void libcuda_fail(ga_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(libcuda_detail, sizeof libcuda_detail, fmt, ap);
    va_end(ap);
    libcuda_status = status;
}

static void *libcuda_resolve(const struct libcuda_entry *e)
{
    void *p = NULL;

    /* A driver never has an ABI newer than itself, and cuGetProcAddress
     * answers CUDA_ERROR_INVALID_VALUE when asked for one. */
    if (e->version > libcuda_version_value)
        return NULL;
    /* LEGACY_STREAM, not DEFAULT: a NULL stream must mean the legacy null
     * stream whatever the driver would take DEFAULT to mean. */
    if (libcuda_getproc_v2) {
        CUdriverProcAddressQueryResult found = CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND;
        if (libcuda_getproc_v2(e->name, &p, e->version, CU_GET_PROC_ADDRESS_LEGACY_STREAM, &found)
                != CUDA_SUCCESS
            || found != CU_GET_PROC_ADDRESS_SUCCESS)
            p = NULL;
    } else if (libcuda_getproc_v1) {
        if (libcuda_getproc_v1(e->name, &p, e->version, CU_GET_PROC_ADDRESS_LEGACY_STREAM) != CUDA_SUCCESS)
            p = NULL;
    } else {
        /* 11.2 has no cuGetProcAddress: the exported name of the exact ABI
         * (cuMemcpyHtoDAsync_v2, never the base name) is as good. */
        p = dlsym(libcuda_handle, e->symbol);
    }
    return p;
}

static void libcuda_record_path(const char *asked)
{
    struct link_map *map = NULL;
    const char *path = asked;

    /* The link map holds the path the dynamic loader settled on, which says
     * more than the soname when several drivers are installed. */
    if (dlinfo(libcuda_handle, RTLD_DI_LINKMAP, &map) == 0 && map && map->l_name && map->l_name[0])
        path = map->l_name;
    snprintf(libcuda_path_buf, sizeof libcuda_path_buf, "%s", path);
}

static void libcuda_load_once(void)
{
    const char *env = getenv("GPUARRAY_LIBCUDA");
    const char *asked = env && env[0] ? env : "libcuda.so.1";
    const struct libcuda_entry *missing = NULL;
    libcuda_version_fn get_version;
    void *sym;
    CUresult r;
    size_t i;

    dlerror();
    libcuda_handle = dlopen(asked, RTLD_NOW | RTLD_LOCAL);
    if (!libcuda_handle) {
        const char *why = dlerror();
        libcuda_fail(GA_ERROR_NO_DRIVER, "could not load the CUDA driver library: dlopen(\"%s\")%s failed: %s%s",
                     asked, env && env[0] ? " (from GPUARRAY_LIBCUDA)" : "", why ? why : "unknown error",
                     env && env[0] ? "" : " (is the NVIDIA driver installed? GPUARRAY_LIBCUDA may name the library's full path)");
        goto fail;
    }
    libcuda_record_path(asked);

    /* Never versioned, so the exported name is the only ABI. dlsym gives a
     * void*, which ISO C cannot convert to a function pointer; POSIX
     * guarantees the representation, so the bytes are copied. */
    sym = dlsym(libcuda_handle, "cuDriverGetVersion");
    if (!sym) {
        libcuda_fail(GA_ERROR_NO_DRIVER, "%s is not a CUDA driver library: it has no cuDriverGetVersion",
                     libcuda_path_buf);
        goto fail;
    }
    memcpy(&get_version, &sym, sizeof get_version);
    r = get_version(&libcuda_version_value);
    if (r != CUDA_SUCCESS) {
        libcuda_fail(r == CUDA_ERROR_STUB_LIBRARY ? GA_ERROR_NO_DRIVER : GA_ERROR_DRIVER,
                     r == CUDA_ERROR_STUB_LIBRARY
                         ? "%s is the CUDA toolkit's stub library, not the driver (cuDriverGetVersion: error %d)"
                         : "%s: cuDriverGetVersion failed with CUresult %d",
                     libcuda_path_buf, (int)r);
        goto fail;
    }
    if (libcuda_version_value < GA_LIBCUDA_MIN_VERSION) {
        libcuda_fail(GA_ERROR_DRIVER_TOO_OLD,
                     "the CUDA driver %s supports CUDA %d.%d; gpuarray needs %d.%d or newer "
                     "(stream-ordered allocation, cuMemAllocAsync)",
                     libcuda_path_buf, libcuda_version_value / 1000, libcuda_version_value % 1000 / 10,
                     GA_LIBCUDA_MIN_VERSION / 1000, GA_LIBCUDA_MIN_VERSION % 1000 / 10);
        goto fail;
    }

    sym = dlsym(libcuda_handle, "cuGetProcAddress_v2");
    if (sym) {
        memcpy(&libcuda_getproc_v2, &sym, sizeof libcuda_getproc_v2);
    } else if ((sym = dlsym(libcuda_handle, "cuGetProcAddress")) != NULL) {
        memcpy(&libcuda_getproc_v1, &sym, sizeof libcuda_getproc_v1);
    }

    for (i = 0; i < sizeof libcuda_entries / sizeof libcuda_entries[0]; i++) {
        const struct libcuda_entry *e = &libcuda_entries[i];
        void *p = libcuda_resolve(e);
        memcpy((char *)&ga_cu + e->offset, &p, sizeof p);
        if (!p && e->version <= GA_LIBCUDA_MIN_VERSION && !missing)
            missing = e;
    }
    if (missing) {
        libcuda_fail(GA_ERROR_DRIVER_TOO_OLD,
                     "the CUDA driver %s (CUDA %d.%d) does not provide %s (the CUDA %d.%d ABI, %s)",
                     libcuda_path_buf, libcuda_version_value / 1000, libcuda_version_value % 1000 / 10,
                     missing->name, missing->version / 1000, missing->version % 1000 / 10, missing->symbol);
        goto fail;
    }
    if (!ga_cu.cuEventElapsedTime)
        ga_cu.cuEventElapsedTime = ga_cu.cuEventElapsedTime_v1;
    libcuda_status = GA_OK;
    return;

fail:
    memset(&ga_cu, 0, sizeof ga_cu);
    libcuda_getproc_v2 = NULL;
    libcuda_getproc_v1 = NULL;
    if (libcuda_handle)
        dlclose(libcuda_handle);
    libcuda_handle = NULL;
}

ga_status ga_libcuda_load(void)
{
    pthread_once(&libcuda_once, libcuda_load_once);
    if (libcuda_status != GA_OK)
        return ga_error(libcuda_status, "%s", libcuda_detail);
    return GA_OK;
}

const char *ga_libcuda_path(void)
{
    return libcuda_path_buf;
}

int ga_libcuda_version(void)
{
    return libcuda_version_value;
}

ga_status ga_libcuda_missing(ga_status status, const char *name)
{
    int needs = 0;
    size_t i;

    for (i = 0; i < sizeof libcuda_entries / sizeof libcuda_entries[0]; i++) {
        if (strcmp(libcuda_entries[i].name, name) == 0) {
            needs = libcuda_entries[i].version;
            break;
        }
    }
    return ga_error(status, "%s needs a CUDA %d.%d driver; the driver %s supports CUDA %d.%d", name,
                    needs / 1000, needs % 1000 / 10, libcuda_path_buf, libcuda_version_value / 1000,
                    libcuda_version_value % 1000 / 10);
}
