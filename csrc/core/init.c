/* init.c - choosing and starting the backend once, and the configuration
 * report (show_config). */
#include "ga_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const ga_backend_ops *ga_backend;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static ga_status init_status;
/* The first failure's detail is kept so every later call reports the same
 * reason (the driver is not retried: a missing library stays missing). */
static char init_detail[2048];
static int init_driver_code;
static char init_driver_name[64];

/* Start one backend: its init, then at least one device. */
static ga_status init_try(const ga_backend_ops *be)
{
    ga_status st = be->init();
    if (st == GA_OK) {
        int count = 0;
        st = be->device_count(&count);
        if (st == GA_OK && count <= 0)
            st = ga_error(GA_ERROR_NO_DEVICE, "the %s driver reports no device", be->name);
    }
    return st;
}

/* GPUARRAY_BACKEND=cuda, =hip or =host forces one (failing, with its
 * reason, where it is not usable); unset, empty or "auto" picks CUDA where
 * a usable CUDA device exists, else HIP where a usable AMD GPU does, else
 * the host backend, which runs everywhere (it needs a C++ compiler only to
 * compile kernels). */
static ga_status init_select(const ga_backend_ops **chosen)
{
    static const ga_backend_ops *const known[] = { &ga_cuda_backend, &ga_hip_backend,
                                                   &ga_host_backend };
    const char *want = getenv("GPUARRAY_BACKEND");
    if (!want || !*want || strcmp(want, "auto") == 0) {
        if (init_try(&ga_cuda_backend) == GA_OK) {
            *chosen = &ga_cuda_backend;
            return GA_OK;
        }
        if (init_try(&ga_hip_backend) == GA_OK) {
            *chosen = &ga_hip_backend;
            return GA_OK;
        }
        ga_status st = init_try(&ga_host_backend);
        if (st == GA_OK)
            *chosen = &ga_host_backend;
        return st;
    }
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (strcmp(want, known[i]->name) != 0)
            continue;
        ga_status st = init_try(known[i]);
        if (st == GA_OK) {
            *chosen = known[i];
            return GA_OK;
        }
        /* Keep the backend's own detail (and driver code), saying that it
         * was forced. */
        char detail[2048];
        snprintf(detail, sizeof detail, "%s", ga_last_error());
        int code = ga_last_driver_error();
        if (code) {
            char name[64];
            snprintf(name, sizeof name, "%s", ga_last_driver_error_name());
            return ga_error_driver(st, code, name, "GPUARRAY_BACKEND=%s: %s", want, detail);
        }
        return ga_error(st, "GPUARRAY_BACKEND=%s: %s", want, detail);
    }
    return ga_error(GA_ERROR_UNSUPPORTED,
                    "GPUARRAY_BACKEND=%s: no such backend in this build (choose 'cuda', 'hip' or "
                    "'host', or leave it unset: CUDA where a usable NVIDIA GPU exists, else HIP "
                    "where a usable AMD GPU does, else host)", want);
}

static void init_run(void)
{
    const ga_backend_ops *be = NULL;
    ga_status st = init_select(&be);
    init_status = st;
    if (st == GA_OK) {
        ga_backend = be;
        return;
    }
    snprintf(init_detail, sizeof init_detail, "%s", ga_last_error());
    init_driver_code = ga_last_driver_error();
    snprintf(init_driver_name, sizeof init_driver_name, "%s", ga_last_driver_error_name());
}

ga_status ga_init(void)
{
    pthread_once(&init_once, init_run);
    if (init_status == GA_OK)
        return GA_OK;
    if (init_driver_code)
        return ga_error_driver(init_status, init_driver_code, init_driver_name, "%s", init_detail);
    return ga_error(init_status, "%s", init_detail);
}

const char *ga_backend_name(void) { return ga_backend ? ga_backend->name : NULL; }

const ga_backend_ops *ga_compiler_ops(void)
{
    if (!ga_backend)
        (void)ga_init();
    return ga_backend ? ga_backend : &ga_cuda_backend;
}

ga_status ga_config(ga_config_info *info)
{
    static char compiler_detail[8192];
    if (!info)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_config: info is NULL");
    memset(info, 0, sizeof *info);
    ga_status st = ga_init();
    info->backend = ga_backend ? ga_backend->name : "none";
    if (st == GA_OK) {
        info->driver_version = ga_backend->driver_version();
        info->driver_path = ga_backend->driver_path();
    } else {
        info->driver_path = "";
    }
    const ga_backend_ops *cc = ga_compiler_ops();
    if (cc->compiler_load() == GA_OK) {
        info->compiler_version = cc->compiler_version();
        info->compiler_path = cc->compiler_path();
        info->compiler_detail = "";
    } else {
        snprintf(compiler_detail, sizeof compiler_detail, "%s", ga_last_error());
        info->compiler_path = "";
        info->compiler_detail = compiler_detail;
    }
    info->cache_dir = ga_cache_dir();
    return GA_OK;
}
