/* cuda_nvrtc.c - the CUDA backend's compiler: CUDA C++ to CUBIN or PTX via NVRTC. */
#include "cuda_nvrtc.h"
#include "cuda_nvrtc_identity.h"
#include "libnvrtc.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What cache keys and targets need of NVRTC: from the record a previous
 * process left (cuda_nvrtc_identity.c), without loading NVRTC, or from
 * NVRTC itself. info_lock guards `info` once a compile has checked a record
 * against NVRTC and replaced it. */
static pthread_once_t info_once = PTHREAD_ONCE_INIT;
static ga_status info_status = GA_ERROR_NO_COMPILER;
static nvrtc_identity info;
static int info_from_record;
static pthread_mutex_t info_lock = PTHREAD_MUTEX_INITIALIZER;

/* NVRTC 11.0 and 11.1 predate nvrtcGetSupportedArchs; their lists are
 * fixed facts of those releases. */
static const int archs_11_0[] = { 35, 37, 50, 52, 53, 60, 61, 62, 70, 72, 75, 80 };
static const int archs_11_1[] = { 35, 37, 50, 52, 53, 60, 61, 62, 70, 72, 75, 80, 86 };

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Ask the loaded NVRTC itself; 1 on success. */
static int identity_of_loaded(nvrtc_identity *id)
{
    int major = 0, minor = 0;
    memset(id, 0, sizeof *id);
    if (ga_nvrtc.nvrtcVersion(&major, &minor) != GA_NVRTC_SUCCESS)
        return 0;
    id->version = major * 1000 + minor * 10;
    int n = 0;
    if (ga_nvrtc.nvrtcGetNumSupportedArchs && ga_nvrtc.nvrtcGetSupportedArchs &&
        ga_nvrtc.nvrtcGetNumSupportedArchs(&n) == GA_NVRTC_SUCCESS && n > 0) {
        int *archs = malloc((size_t)n * sizeof *archs);
        if (!archs || ga_nvrtc.nvrtcGetSupportedArchs(archs) != GA_NVRTC_SUCCESS) {
            free(archs);
            return 0;
        }
        qsort(archs, (size_t)n, sizeof *archs, cmp_int);
        /* the newest ones matter: the oldest are dropped past the limit */
        int skip = n > NVRTC_IDENTITY_MAX_ARCHS ? n - NVRTC_IDENTITY_MAX_ARCHS : 0;
        id->num_archs = n - skip;
        memcpy(id->archs, archs + skip, (size_t)id->num_archs * sizeof *archs);
        free(archs);
    } else {
        const int *fixed = id->version >= 11010 ? archs_11_1 : archs_11_0;
        size_t count = id->version >= 11010 ? sizeof archs_11_1 / sizeof(int)
                                            : sizeof archs_11_0 / sizeof(int);
        memcpy(id->archs, fixed, count * sizeof *fixed);
        id->num_archs = (int)count;
    }
    /* Without nvrtcGetCUBIN (NVRTC 11.0) there is no cubin to be had: PTX
     * always, which the driver compiles at load time. */
    id->can_cubin = ga_nvrtc.nvrtcGetCUBIN && ga_nvrtc.nvrtcGetCUBINSize;
    snprintf(id->path, sizeof id->path, "%s", ga_nvrtc_path());
    return 1;
}

static void info_run(void)
{
    if (nvrtc_identity_read(&info)) {
        info_from_record = 1;
        info_status = GA_OK;
        return;
    }
    if (ga_nvrtc_load() != GA_OK || !identity_of_loaded(&info))
        return;
    nvrtc_identity_write(&info);
    info_status = GA_OK;
}

ga_status ga_cuda_compiler_load(void)
{
    pthread_once(&info_once, info_run);
    if (info_status == GA_OK)
        return GA_OK;
    ga_status st = ga_nvrtc_load();
    if (st != GA_OK)
        return st;
    return ga_error(GA_ERROR_NO_COMPILER, "NVRTC at %s loaded but could not report its "
                    "version and supported architectures", ga_nvrtc_path());
}

ga_status ga_cuda_compiler_confirm(int *changed)
{
    *changed = 0;
    ga_status st = ga_cuda_compiler_load();
    if (st == GA_OK)
        st = ga_nvrtc_load();
    if (st != GA_OK)
        return st;
    pthread_mutex_lock(&info_lock);
    if (info_from_record) {
        nvrtc_identity real;
        if (!identity_of_loaded(&real)) {
            pthread_mutex_unlock(&info_lock);
            return ga_error(GA_ERROR_NO_COMPILER, "NVRTC at %s could not report its version "
                            "and supported architectures", ga_nvrtc_path());
        }
        *changed = real.version != info.version || real.can_cubin != info.can_cubin ||
                   real.num_archs != info.num_archs ||
                   memcmp(real.archs, info.archs, (size_t)real.num_archs * sizeof(int)) != 0;
        if (*changed || strcmp(real.path, info.path) != 0)
            nvrtc_identity_write(&real);
        info = real;
        info_from_record = 0;
    }
    pthread_mutex_unlock(&info_lock);
    return GA_OK;
}

int ga_cuda_compiler_version(void)
{
    if (ga_cuda_compiler_load() != GA_OK)
        return 0;
    pthread_mutex_lock(&info_lock);
    int v = info.version;
    pthread_mutex_unlock(&info_lock);
    return v;
}

const char *ga_cuda_compiler_path(void)
{
    /* NVRTC's own answer once it is loaded; the record's until then (a
     * string that stays valid: the record's path is not overwritten with
     * a different one except by a confirm, after which this is it). */
    if (ga_cuda_compiler_load() != GA_OK)
        return ga_nvrtc_path();
    return info_from_record ? info.path : ga_nvrtc_path();
}

static ga_status target_of(const nvrtc_identity *id, int device_arch, int *arch, int *is_real);

ga_status ga_cuda_compiler_target(int device_arch, int *arch, int *is_real)
{
    if (!arch || !is_real || device_arch < 0)
        return ga_error(GA_ERROR_INVALID_VALUE, "compiler_target: bad arguments");
    ga_status st = ga_cuda_compiler_load();
    if (st != GA_OK)
        return st;
    pthread_mutex_lock(&info_lock);
    st = target_of(&info, device_arch, arch, is_real);
    pthread_mutex_unlock(&info_lock);
    return st;
}

static ga_status target_of(const nvrtc_identity *id, int device_arch, int *arch, int *is_real)
{
    const int *archs = id->archs;
    int num_archs = id->num_archs;
    int nvrtc_version = id->version;
    int can_cubin = id->can_cubin;
    int newest = archs[num_archs - 1];

    if (device_arch == 0) {
        *arch = newest;
        *is_real = can_cubin;
        return GA_OK;
    }
    if (device_arch > newest) {
        /* A device newer than this NVRTC: PTX for the newest architecture it
         * knows, which the driver can JIT forward to the device. */
        *arch = newest;
        *is_real = 0;
        return GA_OK;
    }
    int below = 0;
    for (int i = 0; i < num_archs; i++) {
        if (archs[i] == device_arch) {
            *arch = device_arch;
            *is_real = can_cubin;
            return GA_OK;
        }
        if (archs[i] < device_arch)
            below = archs[i];
    }
    if (below) {
        /* Between two supported architectures (e.g. an arch NVRTC does not
         * list): PTX of the closest older one runs on it through the JIT. */
        *arch = below;
        *is_real = 0;
        return GA_OK;
    }
    return ga_error(GA_ERROR_UNSUPPORTED,
                    "NVRTC %d.%d cannot compile for sm_%d: it supports sm_%d to sm_%d",
                    nvrtc_version / 1000, nvrtc_version % 1000 / 10, device_arch, archs[0],
                    newest);
}

/* If the user chose the architecture in the options, it wins; return
 * its value ("sm_80", "compute_90"), or NULL when they did not. */
static const char *user_arch(const ga_compile_request *req)
{
    static const char *const flags[] = { "-arch", "--gpu-architecture" };
    for (int i = 0; i < req->num_options; i++) {
        const char *o = req->options[i];
        if (!o)
            continue;
        for (size_t f = 0; f < 2; f++) {
            size_t n = strlen(flags[f]);
            if (strncmp(o, flags[f], n) != 0)
                continue;
            if (o[n] == '=')
                return o + n + 1;
            if (o[n] == '\0')
                return i + 1 < req->num_options && req->options[i + 1] ? req->options[i + 1] : "";
        }
    }
    return NULL;
}

static ga_status nvrtc_status(nvrtcResult r)
{
    switch (r) {
    case GA_NVRTC_ERROR_OUT_OF_MEMORY: return GA_ERROR_HOST_OUT_OF_MEMORY;
    case GA_NVRTC_ERROR_INVALID_INPUT: return GA_ERROR_INVALID_VALUE;
    case GA_NVRTC_ERROR_INVALID_OPTION:
    case GA_NVRTC_ERROR_COMPILATION:
    case GA_NVRTC_ERROR_NAME_EXPRESSION_NOT_VALID:
    case GA_NVRTC_ERROR_BUILTIN_OPERATION_FAILURE: return GA_ERROR_COMPILE;
    default: return GA_ERROR_DRIVER;
    }
}

static const char *nvrtc_name(nvrtcResult r)
{
    const char *s = ga_nvrtc.nvrtcGetErrorString ? ga_nvrtc.nvrtcGetErrorString(r) : NULL;
    return s ? s : "NVRTC_ERROR_UNKNOWN";
}

static const char *nvrtc_lowered_name(void *program, const char *expression, const char **why)
{
    const char *lowered = NULL;
    nvrtcResult r = ga_nvrtc.nvrtcGetLoweredName((nvrtcProgram)program, expression, &lowered);
    if (r != GA_NVRTC_SUCCESS || !lowered) {
        *why = nvrtc_name(r);
        return NULL;
    }
    return lowered;
}

/* Copy an NVRTC output through its size/get pair; *buf stays NULL when
 * NVRTC has none (size 0 or an error), which callers decide about. */
static ga_status fetch(nvrtcProgram prog, nvrtcResult (*size_fn)(nvrtcProgram, size_t *),
                       nvrtcResult (*get_fn)(nvrtcProgram, char *), char **buf, size_t *size)
{
    size_t n = 0;
    *buf = NULL;
    *size = 0;
    if (!size_fn || !get_fn || size_fn(prog, &n) != GA_NVRTC_SUCCESS || n == 0)
        return GA_OK;
    char *p = malloc(n + 1);
    if (!p)
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory for %zu bytes of "
                        "compiler output", n);
    if (get_fn(prog, p) != GA_NVRTC_SUCCESS) {
        free(p);
        return GA_OK;
    }
    p[n] = '\0'; /* text outputs include their NUL already; this guards the rest */
    *buf = p;
    *size = n;
    return GA_OK;
}

/* "a b c" from the options actually passed, for error details. */
static char *join_options(const char *const *opts, int n)
{
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len += strlen(opts[i]) + 1;
    char *s = malloc(len);
    if (!s)
        return NULL;
    s[0] = '\0';
    char *p = s;
    for (int i = 0; i < n; i++) {
        size_t k = strlen(opts[i]);
        if (i)
            *p++ = ' ';
        memcpy(p, opts[i], k);
        p += k;
    }
    *p = '\0';
    return s;
}

ga_status ga_cuda_compile(const ga_compile_request *req, int arch, int is_real,
                          ga_compiled_output *out)
{
    ga_status st = GA_OK;
    nvrtcProgram prog = NULL;
    const char **opts = NULL;
    char *log = NULL, *optstr = NULL;
    size_t log_size = 0;
    char arch_opt[48];

    if (!out)
        return ga_error(GA_ERROR_INVALID_VALUE, "compile: out is NULL");
    memset(out, 0, sizeof *out);
    if (!req || !req->source || req->num_options < 0 || req->num_name_expressions < 0 ||
        (req->num_options > 0 && !req->options) ||
        (req->num_name_expressions > 0 && !req->name_expressions))
        return ga_error(GA_ERROR_INVALID_VALUE, "compile: bad request");
    for (int i = 0; i < req->num_options; i++)
        if (!req->options[i])
            return ga_error(GA_ERROR_INVALID_VALUE, "compile: option %d is NULL", i);
    for (int i = 0; i < req->num_name_expressions; i++)
        if (!req->name_expressions[i])
            return ga_error(GA_ERROR_INVALID_VALUE, "compile: name expression %d is NULL", i);
    if ((st = ga_cuda_compiler_load()) != GA_OK || (st = ga_nvrtc_load()) != GA_OK)
        return st;

    const char *name = req->source_name && req->source_name[0] ? req->source_name : "kernel.cu";
    const char *chosen = user_arch(req);
    int nopts = req->num_options;
    opts = malloc(((size_t)nopts + 1) * sizeof *opts);
    if (!opts) {
        st = ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "compile: out of host memory");
        goto cleanup;
    }
    for (int i = 0; i < nopts; i++)
        opts[i] = req->options[i];
    if (chosen) {
        /* The user's -arch decides what comes out: sm_XX gives a cubin,
         * anything else (compute_XX) PTX only. */
        is_real = strncmp(chosen, "sm_", 3) == 0 && ga_nvrtc.nvrtcGetCUBIN != NULL;
    } else {
        snprintf(arch_opt, sizeof arch_opt, "--gpu-architecture=%s_%d",
                 is_real ? "sm" : "compute", arch);
        opts[nopts++] = arch_opt;
    }
    optstr = join_options(opts, nopts);

    nvrtcResult r = ga_nvrtc.nvrtcCreateProgram(&prog, req->source, name, 0, NULL, NULL);
    if (r != GA_NVRTC_SUCCESS) {
        prog = NULL;
        st = ga_error(nvrtc_status(r), "%s: nvrtcCreateProgram failed: %s", name, nvrtc_name(r));
        goto cleanup;
    }
    for (int i = 0; i < req->num_name_expressions; i++) {
        r = ga_nvrtc.nvrtcAddNameExpression(prog, req->name_expressions[i]);
        if (r != GA_NVRTC_SUCCESS) {
            st = ga_error(nvrtc_status(r), "%s: name expression '%s' rejected: %s", name,
                          req->name_expressions[i], nvrtc_name(r));
            goto cleanup;
        }
    }

    r = ga_nvrtc.nvrtcCompileProgram(prog, nopts, opts);
    /* The log matters on success too (warnings). */
    if ((st = fetch(prog, ga_nvrtc.nvrtcGetProgramLogSize, ga_nvrtc.nvrtcGetProgramLog, &log,
                    &log_size)) != GA_OK)
        goto cleanup;
    if (r != GA_NVRTC_SUCCESS) {
        ga_error_set_compile_log(log ? log : "");
        st = ga_error(nvrtc_status(r), "%s: %s (options: %s)\n%s", name, nvrtc_name(r),
                      optstr ? optstr : "?", log ? log : "");
        goto cleanup;
    }

    if ((st = fetch(prog, ga_nvrtc.nvrtcGetPTXSize, ga_nvrtc.nvrtcGetPTX, &out->ptx,
                    &out->ptx_size)) != GA_OK)
        goto cleanup;
    if (is_real) {
        char *cubin = NULL;
        if ((st = fetch(prog, ga_nvrtc.nvrtcGetCUBINSize, ga_nvrtc.nvrtcGetCUBIN, &cubin,
                        &out->image_size)) != GA_OK)
            goto cleanup;
        out->image = cubin;
        out->kind = GA_IMAGE_CUBIN;
    } else if (out->ptx) {
        /* The image is a copy, not an alias, so that image and ptx are
         * freed independently. */
        out->image = malloc(out->ptx_size + 1);
        if (!out->image) {
            st = ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "compile: out of host memory");
            goto cleanup;
        }
        memcpy(out->image, out->ptx, out->ptx_size + 1);
        out->image_size = out->ptx_size;
        out->kind = GA_IMAGE_PTX;
    }
    if (!out->image) {
        st = ga_error(GA_ERROR_COMPILE, "%s: NVRTC reported success but produced no %s "
                      "(options: %s)", name, is_real ? "cubin" : "PTX", optstr ? optstr : "?");
        goto cleanup;
    }

    st = ga_compiled_output_set_lowered_names(out, req, name, nvrtc_lowered_name, prog);
    if (st != GA_OK)
        goto cleanup;

    out->log = log ? log : strdup("");
    log = NULL;
    if (!out->log)
        st = ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "compile: out of host memory");

cleanup:
    if (st != GA_OK)
        ga_compiled_output_clear(out);
    if (prog)
        ga_nvrtc.nvrtcDestroyProgram(&prog);
    free(log);
    free(optstr);
    free(opts);
    return st;
}
