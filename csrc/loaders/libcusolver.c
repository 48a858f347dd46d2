/* libcusolver.c - find and dlopen cuSOLVER at first use (libsearch.c's
 * order), resolve libcusolver.fn. */
#include "libcusolver.h"
#include "libsearch.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ga_cusolver_api ga_cusolver;

/* CUDA 13 ships libcusolver.so.12 (cuSOLVER's own major), CUDA 11 .so.11;
 * .so.13 first in case a later toolkit bumps it. */
static const char *const cusolver_names[] = {
    "libcusolver.so.13", "libcusolver.so.12", "libcusolver.so.11", "libcusolver.so",
};

/* Where pip's NVIDIA wheels put cuSOLVER under a site-packages directory
 * (nvidia-cusolver-cu12, and the CUDA 13 layout). */
static const char *const wheel_subdirs[] = { "nvidia/cusolver/lib", "nvidia/cu13/lib" };

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char *loaded_path;

static int resolve_all(void *h, const char **missing)
{
    ga_cusolver_api api;
    memset(&api, 0, sizeof api);
#define CUSOLVER_REQ(ret, name, params) LIB_SYM_REQUIRED(h, api, name, missing)
#define CUSOLVER_OPT(ret, name, params) LIB_SYM_OPTIONAL(h, api, name)
#include "libcusolver.fn"
#undef CUSOLVER_REQ
#undef CUSOLVER_OPT
    ga_cusolver = api;
    return 1;
}

/* libsearch's accept: fill ga_cusolver from `h`. */
static int accept_cusolver(void *h, const char *path, strbuf *tried)
{
    const char *missing = NULL;
    if (!resolve_all(h, &missing)) {
        sb_add(tried, "  %s: loaded but has no %s (not cuSOLVER, or older than 11.1)\n", path,
               missing);
        return 0;
    }
    void *sym;
    memcpy(&sym, &ga_cusolver.cusolverDnCreate, sizeof sym);
    loaded_path = lib_loaded_path(sym, path);
    return 1;
}

/* The wheels' site-packages come from GPUARRAY_NVRTC_SEARCH_PATH too: one
 * list serves every library. */
static const lib_search cusolver_search = {
    .override_env = "GPUARRAY_CUSOLVER",
    .names = cusolver_names,
    .num_names = sizeof cusolver_names / sizeof cusolver_names[0],
    .names_text = "libcusolver.so.13/.12/.11 or libcusolver.so",
    .pattern_text = "libcusolver.so*",
    .wheel_subdirs = wheel_subdirs,
    .num_wheel_subdirs = sizeof wheel_subdirs / sizeof wheel_subdirs[0],
    .accept = accept_cusolver,
    .override_only = 1,
};

static lib_loader cusolver_loader = {
    .search = &cusolver_search,
    .library = "cuSOLVER",
    .role = "needed for gpuarray.linalg on CUDA",
    .file = "libcusolver.so",
    .wheel = "nvidia-cusolver",
    .failure = GA_ERROR_NO_DRIVER,
};

static void load_run(void)
{
    lib_loader_run(&cusolver_loader);
}

ga_status ga_cusolver_load(void)
{
    pthread_once(&load_once, load_run);
    return lib_loader_status(&cusolver_loader);
}

const char *ga_cusolver_path(void)
{
    pthread_once(&load_once, load_run);
    return loaded_path ? loaded_path : "";
}

const char *ga_cusolver_status_name(cusolverStatus_t status)
{
    switch (status) {
    case GA_CUSOLVER_STATUS_SUCCESS: return "CUSOLVER_STATUS_SUCCESS";
    case GA_CUSOLVER_STATUS_NOT_INITIALIZED: return "CUSOLVER_STATUS_NOT_INITIALIZED";
    case GA_CUSOLVER_STATUS_ALLOC_FAILED: return "CUSOLVER_STATUS_ALLOC_FAILED";
    case GA_CUSOLVER_STATUS_INVALID_VALUE: return "CUSOLVER_STATUS_INVALID_VALUE";
    case GA_CUSOLVER_STATUS_ARCH_MISMATCH: return "CUSOLVER_STATUS_ARCH_MISMATCH";
    case GA_CUSOLVER_STATUS_MAPPING_ERROR: return "CUSOLVER_STATUS_MAPPING_ERROR";
    case GA_CUSOLVER_STATUS_EXECUTION_FAILED: return "CUSOLVER_STATUS_EXECUTION_FAILED";
    case GA_CUSOLVER_STATUS_INTERNAL_ERROR: return "CUSOLVER_STATUS_INTERNAL_ERROR";
    case GA_CUSOLVER_STATUS_MATRIX_TYPE_NOT_SUPPORTED:
        return "CUSOLVER_STATUS_MATRIX_TYPE_NOT_SUPPORTED";
    case GA_CUSOLVER_STATUS_NOT_SUPPORTED: return "CUSOLVER_STATUS_NOT_SUPPORTED";
    case GA_CUSOLVER_STATUS_ZERO_PIVOT: return "CUSOLVER_STATUS_ZERO_PIVOT";
    case GA_CUSOLVER_STATUS_INVALID_LICENSE: return "CUSOLVER_STATUS_INVALID_LICENSE";
    default: return "CUSOLVER_STATUS_UNKNOWN";
    }
}
