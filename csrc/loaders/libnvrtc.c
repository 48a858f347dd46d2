/* libnvrtc.c - find and dlopen NVRTC at first use, resolve libnvrtc.fn. */
#include "libnvrtc.h"
#include "libsearch.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ga_nvrtc_api ga_nvrtc;

/* Newest first: a machine with several toolkits gets the newest NVRTC. The
 * unversioned name last, as it exists only where a toolkit's dev files are. */
static const char *const nvrtc_names[] = {
    "libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2",
    "libnvrtc.so.11.1", "libnvrtc.so.11.0", "libnvrtc.so",
};

/* Where pip's NVIDIA wheels put NVRTC under a site-packages directory
 * (nvidia-cuda-nvrtc-cu12 and the CUDA 13 layout). */
static const char *const wheel_subdirs[] = { "nvidia/cuda_nvrtc/lib", "nvidia/cu13/lib" };

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char *loaded_path;

static int resolve_all(void *h, const char **missing)
{
    ga_nvrtc_api api;
    memset(&api, 0, sizeof api);
#define NVRTC_REQ(ret, name, params) LIB_SYM_REQUIRED(h, api, name, missing)
#define NVRTC_OPT(ret, name, params) LIB_SYM_OPTIONAL(h, api, name)
#include "libnvrtc.fn"
#undef NVRTC_REQ
#undef NVRTC_OPT
    ga_nvrtc = api;
    return 1;
}

/* libsearch's accept: fill ga_nvrtc from `h`, and ask it its version (a
 * library that cannot answer is not a usable NVRTC). */
static int accept_nvrtc(void *h, const char *path, strbuf *tried)
{
    const char *missing = NULL;
    if (!resolve_all(h, &missing)) {
        sb_add(tried, "  %s: loaded but has no %s (not NVRTC, or too old)\n", path, missing);
        return 0;
    }
    int major = 0, minor = 0;
    if (ga_nvrtc.nvrtcVersion(&major, &minor) != GA_NVRTC_SUCCESS) {
        sb_add(tried, "  %s: nvrtcVersion failed\n", path);
        memset(&ga_nvrtc, 0, sizeof ga_nvrtc);
        return 0;
    }
    void *sym;
    memcpy(&sym, &ga_nvrtc.nvrtcVersion, sizeof sym);
    loaded_path = lib_loaded_path(sym, path);
    return 1;
}

static const lib_search nvrtc_search = {
    .override_env = "GPUARRAY_NVRTC",
    .names = nvrtc_names,
    .num_names = sizeof nvrtc_names / sizeof nvrtc_names[0],
    .names_text = "libnvrtc.so.13/.12/.11.2/.11.1/.11.0 or libnvrtc.so",
    .pattern_text = "libnvrtc.so*",
    .wheel_subdirs = wheel_subdirs,
    .num_wheel_subdirs = sizeof wheel_subdirs / sizeof wheel_subdirs[0],
    .accept = accept_nvrtc,
};

static lib_loader nvrtc_loader = {
    .search = &nvrtc_search,
    .library = "NVRTC",
    .role = "the CUDA runtime compiler",
    .file = "libnvrtc.so",
    .wheel = "nvidia-cuda-nvrtc",
    .failure = GA_ERROR_NO_COMPILER,
};

static void load_run(void)
{
    lib_loader_run(&nvrtc_loader);
}

void ga_nvrtc_search_fingerprint(const char *library, strbuf *sb)
{
    lib_search_fingerprint(&nvrtc_search, library, sb);
}

ga_status ga_nvrtc_load(void)
{
    pthread_once(&load_once, load_run);
    return lib_loader_status(&nvrtc_loader);
}

const char *ga_nvrtc_path(void)
{
    pthread_once(&load_once, load_run);
    return loaded_path ? loaded_path : "";
}

const char *ga_nvrtc_load_detail(void)
{
    pthread_once(&load_once, load_run);
    return nvrtc_loader.detail ? nvrtc_loader.detail : "";
}
