/* hip_rtc.c - the HIP backend's compiler: hiprtc to an AMD GPU code object. */
#include "hip_rtc.h"
#include "libhiprtc.h"
#include "strbuf.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *ga_hip_arch_name(int arch, char *buf, size_t size)
{
    snprintf(buf, size, "gfx%x", (unsigned)arch);
    return buf;
}

int ga_hip_arch_parse(const char *name)
{
    if (!name || strncmp(name, "gfx", 3) != 0)
        return 0;
    const char *p = name + 3;
    size_t n = 0;
    while (isxdigit((unsigned char)p[n]))
        n++;
    if (n < 3 || n > 5 || (p[n] != '\0' && p[n] != ':'))
        return 0;
    return (int)strtol(p, NULL, 16);
}

ga_status ga_hip_compiler_load(void)
{
    return ga_hiprtc_load();
}

/* The ROCm release (major*1000 + minor*10, as the other backends report
 * their compilers): hiprtcVersion itself says 9.0 on ROCm 5.2, which tells
 * nothing about the release. */
int ga_hip_compiler_version(void)
{
    if (ga_hiprtc_load() != GA_OK)
        return 0;
    int v = ga_hiprtc_rocm_version();
    return v / 10000000 * 1000 + v / 100000 % 100 * 10;
}

const char *ga_hip_compiler_path(void)
{
    return ga_hiprtc_path();
}

/* ROCm 5.x's hiprtc predates gfx94x (MI300) and gfx11 (RDNA3): asked for
 * them it aborts the whole process inside hiprtcCompileProgram (gfx940,
 * gfx942, gfx1100, gfx1101 measured). Refused before the call. */
static int aborts_rocm5(int arch)
{
    return (arch >= 0x940 && arch <= 0x9ff) || arch >= 0x1100;
}

static ga_status check_target(int arch)
{
    char name[16];
    int v = ga_hiprtc_rocm_version();
    if (v > 0 && v < 60000000 && aborts_rocm5(arch))
        return ga_error(GA_ERROR_UNSUPPORTED,
                        "hiprtc of ROCm %d.%d (%s) cannot compile for %s: that release predates "
                        "it and aborts the process when asked (gfx94x and gfx11 need ROCm 6.0 "
                        "or later)", v / 10000000, v / 100000 % 100, ga_hiprtc_path(),
                        ga_hip_arch_name(arch, name, sizeof name));
    return GA_OK;
}

ga_status ga_hip_compiler_target(int device_arch, int *arch, int *is_real)
{
    if (!arch || !is_real || device_arch < 0)
        return ga_error(GA_ERROR_INVALID_VALUE, "compiler_target: bad arguments");
    ga_status st = ga_hiprtc_load();
    if (st != GA_OK)
        return st;
    int want = device_arch ? device_arch : GA_HIP_DEFAULT_ARCH;
    if (want < 0x600) {
        /* A CUDA compute capability (e.g. 90 = 0x5a) is no gfx target. */
        return ga_error(GA_ERROR_INVALID_VALUE, "the hip backend's targets are gfx numbers read "
                        "as hex (gfx90a = 0x90a); %d (0x%x) is none", want, (unsigned)want);
    }
    if ((st = check_target(want)) != GA_OK)
        return st;
    *arch = want;
    *is_real = 1;
    return GA_OK;
}

/* The user's --offload-arch=gfxNNN, or NULL. */
static const char *user_arch(const ga_compile_request *req)
{
    for (int i = 0; i < req->num_options; i++) {
        const char *o = req->options[i];
        if (o && strncmp(o, "--offload-arch=", 15) == 0)
            return o + 15;
    }
    return NULL;
}

static ga_status rtc_status(hiprtcResult r)
{
    switch (r) {
    case GA_HIPRTC_ERROR_OUT_OF_MEMORY: return GA_ERROR_HOST_OUT_OF_MEMORY;
    case GA_HIPRTC_ERROR_INVALID_INPUT: return GA_ERROR_INVALID_VALUE;
    case GA_HIPRTC_ERROR_INVALID_OPTION:
    case GA_HIPRTC_ERROR_COMPILATION:
    case GA_HIPRTC_ERROR_NAME_EXPRESSION_NOT_VALID:
    case GA_HIPRTC_ERROR_BUILTIN_OPERATION_FAILURE: return GA_ERROR_COMPILE;
    default: return GA_ERROR_DRIVER;
    }
}

static const char *rtc_name(hiprtcResult r)
{
    const char *s = ga_hiprtc.hiprtcGetErrorString ? ga_hiprtc.hiprtcGetErrorString(r) : NULL;
    return s ? s : "HIPRTC_ERROR_UNKNOWN";
}

static const char *hiprtc_lowered_name(void *program, const char *expression, const char **why)
{
    const char *lowered = NULL;
    hiprtcResult r = ga_hiprtc.hiprtcGetLoweredName((hiprtcProgram)program, expression, &lowered);
    if (r != GA_HIPRTC_SUCCESS || !lowered) {
        *why = rtc_name(r);
        return NULL;
    }
    return lowered;
}

static ga_status fetch(hiprtcProgram prog, hiprtcResult (*size_fn)(hiprtcProgram, size_t *),
                       hiprtcResult (*get_fn)(hiprtcProgram, char *), char **buf, size_t *size)
{
    size_t n = 0;
    *buf = NULL;
    *size = 0;
    if (size_fn(prog, &n) != GA_HIPRTC_SUCCESS || n == 0)
        return GA_OK;
    char *p = malloc(n + 1);
    if (!p)
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory for %zu bytes of "
                        "compiler output", n);
    if (get_fn(prog, p) != GA_HIPRTC_SUCCESS) {
        free(p);
        return GA_OK;
    }
    p[n] = '\0';
    *buf = p;
    *size = n;
    return GA_OK;
}

ga_status ga_hip_compile(const ga_compile_request *req, int arch, int is_real,
                         ga_compiled_output *out)
{
    ga_status st = GA_OK;
    hiprtcProgram prog = NULL;
    const char **opts = NULL;
    char *log = NULL, *code = NULL;
    size_t log_size = 0, code_size = 0;
    strbuf src = { 0 }, optstr = { 0 };
    char arch_opt[48], name_buf[16];
    (void)is_real;

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
    if ((st = ga_hiprtc_load()) != GA_OK)
        return st;

    const char *name = req->source_name && req->source_name[0] ? req->source_name : "kernel.cu";
    const char *chosen = user_arch(req);
    if (chosen) {
        int a = ga_hip_arch_parse(chosen);
        if (!a)
            return ga_error(GA_ERROR_INVALID_VALUE, "%s: --offload-arch=%s is no gfx target",
                            name, chosen);
        arch = a;
    }
    /* The abort check again: a user's --offload-arch bypassed the target. */
    if ((st = check_target(arch)) != GA_OK)
        return st;

    int nopts = req->num_options;
    opts = malloc(((size_t)nopts + 1) * sizeof *opts);
    if (!opts) {
        st = ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "compile: out of host memory");
        goto cleanup;
    }
    for (int i = 0; i < nopts; i++)
        opts[i] = req->options[i];
    if (!chosen) {
        /* Always: without it ROCm 5.2's hiprtc fails with an empty log. */
        snprintf(arch_opt, sizeof arch_opt, "--offload-arch=%s",
                 ga_hip_arch_name(arch, name_buf, sizeof name_buf));
        opts[nopts++] = arch_opt;
    }
    for (int i = 0; i < nopts; i++)
        sb_add(&optstr, "%s%s", i ? " " : "", opts[i]);

    /* The prelude, then the source with its own line numbers. */
    sb_add(&src, "%s#line 1 \"%s\"\n", ga_hip_prelude, name);
    sb_add(&src, "%s", req->source);
    if (!src.s) {
        st = ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "compile: out of host memory");
        goto cleanup;
    }

    hiprtcResult r = ga_hiprtc.hiprtcCreateProgram(&prog, src.s, name, 0, NULL, NULL);
    if (r != GA_HIPRTC_SUCCESS) {
        prog = NULL;
        st = ga_error(rtc_status(r), "%s: hiprtcCreateProgram failed: %s", name, rtc_name(r));
        goto cleanup;
    }
    for (int i = 0; i < req->num_name_expressions; i++) {
        r = ga_hiprtc.hiprtcAddNameExpression(prog, req->name_expressions[i]);
        if (r != GA_HIPRTC_SUCCESS) {
            st = ga_error(rtc_status(r), "%s: name expression '%s' rejected: %s", name,
                          req->name_expressions[i], rtc_name(r));
            goto cleanup;
        }
    }
    r = ga_hiprtc.hiprtcCompileProgram(prog, nopts, opts);
    if ((st = fetch(prog, ga_hiprtc.hiprtcGetProgramLogSize, ga_hiprtc.hiprtcGetProgramLog, &log,
                    &log_size)) != GA_OK)
        goto cleanup;
    if (r != GA_HIPRTC_SUCCESS) {
        ga_error_set_compile_log(log ? log : "");
        st = ga_error(rtc_status(r), "%s: %s (hiprtc %s, options: %s)\n%s", name, rtc_name(r),
                      ga_hiprtc_path(), optstr.s ? optstr.s : "", log ? log : "");
        goto cleanup;
    }
    if ((st = fetch(prog, ga_hiprtc.hiprtcGetCodeSize, ga_hiprtc.hiprtcGetCode, &code,
                    &code_size)) != GA_OK)
        goto cleanup;
    if (!code || code_size < 4 || memcmp(code, "\177ELF", 4) != 0) {
        st = ga_error(GA_ERROR_COMPILE, "%s: hiprtc reported success but gave %s (options: %s)",
                      name, code ? "no ELF code object" : "no code", optstr.s ? optstr.s : "");
        goto cleanup;
    }
    out->image = code;
    out->image_size = code_size;
    out->kind = GA_IMAGE_AMDGPU;
    code = NULL;

    st = ga_compiled_output_set_lowered_names(out, req, name, hiprtc_lowered_name, prog);
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
        ga_hiprtc.hiprtcDestroyProgram(&prog);
    free(log);
    free(code);
    free(src.s);
    free(optstr.s);
    free(opts);
    return st;
}

/* The cache key must change with the prelude and with the library file
 * (two ROCm installs can report the same release). */
static pthread_once_t fingerprint_once = PTHREAD_ONCE_INIT;
static char *fingerprint_text;

static void fingerprint_make(void)
{
    strbuf sb = { 0 };
    sb_add(&sb, "hiprtc rocm=%d prelude=%s;", ga_hiprtc_rocm_version(), ga_hip_prelude);
    ga_hiprtc_search_fingerprint(&sb);
    fingerprint_text = sb.s;
}

const char *ga_hip_compiler_fingerprint(void)
{
    pthread_once(&fingerprint_once, fingerprint_make);
    return fingerprint_text ? fingerprint_text : "";
}
