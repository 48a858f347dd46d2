/* libhip.c - find and dlopen the HIP runtime at first use, resolve libhip.fn. */
#include "libhip.h"
#include "libsearch.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ga_hip_api ga_hip;

/* Newest first; the unversioned name last (only ROCm's dev files have it). */
static const char *const hip_names[] = {
    "libamdhip64.so.7", "libamdhip64.so.6", "libamdhip64.so.5", "libamdhip64.so",
};

/* $ROCM_PATH/lib, then ROCm's default root and the system library dirs
 * (Debian's package puts it in the multiarch dir, which ld.so.cache has
 * anyway; they are listed so the detail says they were looked at). */
static const char *const hip_root_envs[] = { "ROCM_PATH", "HIP_PATH" };
static const char *const hip_dirs[] = {
    "/opt/rocm/lib", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib",
};

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char *loaded_path;
static int runtime_version;

static int resolve_all(void *h, const char **missing)
{
    ga_hip_api api;
    memset(&api, 0, sizeof api);
#define HIP_REQ(ret, name, params) LIB_SYM_REQUIRED(h, api, name, missing)
#define HIP_OPT(ret, name, params) LIB_SYM_OPTIONAL(h, api, name)
#include "libhip.fn"
#undef HIP_REQ
#undef HIP_OPT
    if (!api.hipGetDevicePropertiesR0600 && !api.hipGetDeviceProperties) {
        *missing = "hipGetDevicePropertiesR0600 or hipGetDeviceProperties";
        return 0;
    }
    ga_hip = api;
    return 1;
}

/* libsearch's accept: every required symbol, and a runtime that can say
 * its version (which needs no GPU and no hipInit). */
static int accept_hip(void *h, const char *path, strbuf *tried)
{
    const char *missing = NULL;
    if (!resolve_all(h, &missing)) {
        sb_add(tried, "  %s: loaded but has no %s (not the HIP runtime, or too old)\n", path,
               missing);
        return 0;
    }
    int v = 0;
    if (ga_hip.hipRuntimeGetVersion(&v) != GA_HIP_SUCCESS || v <= 0) {
        sb_add(tried, "  %s: hipRuntimeGetVersion failed\n", path);
        memset(&ga_hip, 0, sizeof ga_hip);
        return 0;
    }
    runtime_version = v;
    void *sym;
    memcpy(&sym, &ga_hip.hipRuntimeGetVersion, sizeof sym);
    loaded_path = lib_loaded_path(sym, path);
    return 1;
}

static const lib_search hip_search = {
    .override_env = "GPUARRAY_HIP",
    .names = hip_names,
    .num_names = sizeof hip_names / sizeof hip_names[0],
    .names_text = "libamdhip64.so.7/.6/.5 or libamdhip64.so",
    .pattern_text = "libamdhip64.so*",
    .accept = accept_hip,
    .root_envs = hip_root_envs,
    .num_root_envs = sizeof hip_root_envs / sizeof hip_root_envs[0],
    .root_subdir = "lib",
    .dirs = hip_dirs,
    .num_dirs = sizeof hip_dirs / sizeof hip_dirs[0],
    .override_only = 1,
    .install_hint = "install ROCm (Debian/Ubuntu: apt-get install libamdhip64-dev)",
};

static lib_loader hip_loader = {
    .search = &hip_search,
    .library = "The HIP runtime",
    .role = "libamdhip64, needed for the hip backend",
    .file = "libamdhip64.so",
    .wheel = "",
    .failure = GA_ERROR_NO_DRIVER,
};

static void load_run(void)
{
    lib_loader_run(&hip_loader);
}

ga_status ga_hip_load(void)
{
    pthread_once(&load_once, load_run);
    return lib_loader_status(&hip_loader);
}

const char *ga_hip_path(void)
{
    pthread_once(&load_once, load_run);
    return loaded_path ? loaded_path : "";
}

int ga_hip_runtime_version(void)
{
    pthread_once(&load_once, load_run);
    return runtime_version;
}

const char *ga_hip_error_name(hipError_t e)
{
    const char *s = ga_hip.hipGetErrorName ? ga_hip.hipGetErrorName(e) : NULL;
    return s && s[0] ? s : "hipErrorUnknown";
}
