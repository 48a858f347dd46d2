/* libcufft.c - find and dlopen cuFFT at first use (libsearch.c's order),
 * resolve libcufft.fn. */
#include "libcufft.h"
#include "libsearch.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ga_cufft_api ga_cufft;

/* cuFFT's soname does not follow the toolkit's major version: CUDA 13
 * ships libcufft.so.12, CUDA 12 libcufft.so.11, CUDA 11 libcufft.so.10.
 * .13 comes first in case a later toolkit ships it. */
static const char *const cufft_names[] = {
    "libcufft.so.13", "libcufft.so.12", "libcufft.so.11", "libcufft.so.10", "libcufft.so",
};

/* Where pip's NVIDIA wheels put cuFFT under a site-packages directory
 * (nvidia-cufft-cu12, and the CUDA 13 layout). */
static const char *const wheel_subdirs[] = { "nvidia/cufft/lib", "nvidia/cu13/lib" };

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char *loaded_path;
static int loaded_version;

static int resolve_all(void *h, const char **missing)
{
    ga_cufft_api api;
    memset(&api, 0, sizeof api);
#define CUFFT_REQ(ret, name, params) LIB_SYM_REQUIRED(h, api, name, missing)
#define CUFFT_OPT(ret, name, params) LIB_SYM_OPTIONAL(h, api, name)
#include "libcufft.fn"
#undef CUFFT_REQ
#undef CUFFT_OPT
    ga_cufft = api;
    return 1;
}

/* libsearch's accept: fill ga_cufft from `h`. cufftGetVersion needs no
 * GPU, so the version is known as soon as the library loads. */
static int accept_cufft(void *h, const char *path, strbuf *tried)
{
    const char *missing = NULL;
    if (!resolve_all(h, &missing)) {
        sb_add(tried, "  %s: loaded but has no %s (not cuFFT, or too old)\n", path, missing);
        return 0;
    }
    int version = 0;
    if (ga_cufft.cufftGetVersion(&version) == GA_CUFFT_SUCCESS)
        loaded_version = version;
    void *sym;
    memcpy(&sym, &ga_cufft.cufftCreate, sizeof sym);
    loaded_path = lib_loaded_path(sym, path);
    return 1;
}

/* The wheels' site-packages come from GPUARRAY_NVRTC_SEARCH_PATH too: one
 * list serves every library. */
static const lib_search cufft_search = {
    .override_env = "GPUARRAY_CUFFT",
    .names = cufft_names,
    .num_names = sizeof cufft_names / sizeof cufft_names[0],
    .names_text = "libcufft.so.13/.12/.11/.10 or libcufft.so",
    .pattern_text = "libcufft.so*",
    .wheel_subdirs = wheel_subdirs,
    .num_wheel_subdirs = sizeof wheel_subdirs / sizeof wheel_subdirs[0],
    .accept = accept_cufft,
};

static lib_loader cufft_loader = {
    .search = &cufft_search,
    .library = "cuFFT",
    .role = "needed for gpuarray.fft on CUDA",
    .file = "libcufft.so",
    .wheel = "nvidia-cufft",
    .failure = GA_ERROR_NO_DRIVER,
};

static void load_run(void)
{
    lib_loader_run(&cufft_loader);
}

ga_status ga_cufft_load(void)
{
    pthread_once(&load_once, load_run);
    return lib_loader_status(&cufft_loader);
}

const char *ga_cufft_path(void)
{
    pthread_once(&load_once, load_run);
    return loaded_path ? loaded_path : "";
}

int ga_cufft_version(void)
{
    pthread_once(&load_once, load_run);
    return loaded_version;
}

const char *ga_cufft_result_name(cufftResult result)
{
    switch (result) {
    case GA_CUFFT_SUCCESS: return "CUFFT_SUCCESS";
    case GA_CUFFT_INVALID_PLAN: return "CUFFT_INVALID_PLAN";
    case GA_CUFFT_ALLOC_FAILED: return "CUFFT_ALLOC_FAILED";
    case GA_CUFFT_INVALID_TYPE: return "CUFFT_INVALID_TYPE";
    case GA_CUFFT_INVALID_VALUE: return "CUFFT_INVALID_VALUE";
    case GA_CUFFT_INTERNAL_ERROR: return "CUFFT_INTERNAL_ERROR";
    case GA_CUFFT_EXEC_FAILED: return "CUFFT_EXEC_FAILED";
    case GA_CUFFT_SETUP_FAILED: return "CUFFT_SETUP_FAILED";
    case GA_CUFFT_INVALID_SIZE: return "CUFFT_INVALID_SIZE";
    case GA_CUFFT_UNALIGNED_DATA: return "CUFFT_UNALIGNED_DATA";
    case GA_CUFFT_INVALID_DEVICE: return "CUFFT_INVALID_DEVICE";
    case GA_CUFFT_NO_WORKSPACE: return "CUFFT_NO_WORKSPACE";
    case GA_CUFFT_NOT_IMPLEMENTED: return "CUFFT_NOT_IMPLEMENTED";
    case GA_CUFFT_NOT_SUPPORTED: return "CUFFT_NOT_SUPPORTED";
    case GA_CUFFT_MISSING_DEPENDENCY: return "CUFFT_MISSING_DEPENDENCY";
    case GA_CUFFT_NVRTC_FAILURE: return "CUFFT_NVRTC_FAILURE";
    case GA_CUFFT_NVJITLINK_FAILURE: return "CUFFT_NVJITLINK_FAILURE";
    case GA_CUFFT_NVSHMEM_FAILURE: return "CUFFT_NVSHMEM_FAILURE";
    default: return "CUFFT_UNKNOWN";
    }
}
