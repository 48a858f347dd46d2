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

static ga_status init_select(const ga_backend_ops **chosen)
{
    const char *want = getenv("GPUARRAY_BACKEND");
    if (!want || !*want || strcmp(want, "cuda") == 0) {
        *chosen = &ga_cuda_backend;
        return GA_OK;
    }
    return ga_error(GA_ERROR_UNSUPPORTED,
                    "GPUARRAY_BACKEND=%s: this build has only the 'cuda' backend", want);
}

static void init_run(void)
{
    const ga_backend_ops *be = NULL;
    ga_status st = init_select(&be);
    if (st == GA_OK)
        st = be->init();
    if (st == GA_OK) {
        int count = 0;
        st = be->device_count(&count);
        if (st == GA_OK && count <= 0)
            st = ga_error(GA_ERROR_NO_DEVICE, "the %s driver reports no device", be->name);
    }
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
    if (ga_backend)
        return ga_backend;
    return &ga_cuda_backend;
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
