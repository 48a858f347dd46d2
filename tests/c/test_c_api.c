/* test_c_api.c - the public C API end to end on a real device: one line per check, then "N passed, M failed". */
#include "gpuarray.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed, failed;

/* Prints the check's line without its end, so a failure can add why. */
static void vreport(int ok, const char *fmt, va_list ap)
{
    printf("%s ", ok ? "ok  " : "FAIL");
    vprintf(fmt, ap);
    if (ok)
        passed++;
    else
        failed++;
}

/* Returns cond, so that checks that depend on it can be skipped. */
static int check(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int check(int cond, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(cond, fmt, ap);
    va_end(ap);
    putchar('\n');
    return cond;
}

/* A status check that, on a mismatch, prints what came back and why. */
static int check_status(ga_status got, ga_status want, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int check_status(ga_status got, ga_status want, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(got == want, fmt, ap);
    va_end(ap);
    if (got != want)
        printf(": got %s, want %s (%s)", ga_status_name(got), ga_status_name(want), ga_last_error());
    putchar('\n');
    return got == want;
}

/* Fixed-seed LCG (Knuth's MMIX constants): the same inputs on every run. */
static uint64_t lcg_state = 0x2545F4914F6CDD1DULL;

static float random_float(void)
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    /* 24 high bits -> [-100, 100): exact in float, never only 0 or 1. */
    return (float)(lcg_state >> 40) / (float)(1 << 24) * 200.0f - 100.0f;
}

static void fill_random(float *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        v[i] = random_float();
}

static const char saxpy_source[] =
    "extern \"C\" __global__ void saxpy(int n, float a, const float* x, float* y)\n"
    "{\n"
    "    int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
    "    if (i < n)\n"
    "        y[i] = a * x[i] + y[i];\n"
    "}\n";

/* Hand-written PTX: data[i] *= factor, with factor a global holding 2.0. */
static const char double_ptx[] =
    ".version 7.0\n"
    ".target sm_52\n"
    ".address_size 64\n"
    "\n"
    ".visible .global .align 4 .f32 factor = 0f40000000;\n"
    "\n"
    ".visible .entry double_floats(\n"
    "    .param .u64 double_floats_param_0,\n"
    "    .param .u32 double_floats_param_1\n"
    ")\n"
    "{\n"
    "    .reg .pred %p<2>;\n"
    "    .reg .f32 %f<4>;\n"
    "    .reg .b32 %r<6>;\n"
    "    .reg .b64 %rd<5>;\n"
    "\n"
    "    ld.param.u64 %rd1, [double_floats_param_0];\n"
    "    ld.param.u32 %r2, [double_floats_param_1];\n"
    "    mov.u32 %r3, %ctaid.x;\n"
    "    mov.u32 %r4, %ntid.x;\n"
    "    mov.u32 %r5, %tid.x;\n"
    "    mad.lo.s32 %r1, %r3, %r4, %r5;\n"
    "    setp.ge.u32 %p1, %r1, %r2;\n"
    "    @%p1 bra $L_done;\n"
    "    cvta.to.global.u64 %rd2, %rd1;\n"
    "    mul.wide.u32 %rd3, %r1, 4;\n"
    "    add.s64 %rd4, %rd2, %rd3;\n"
    "    ld.global.f32 %f1, [%rd4];\n"
    "    ld.global.f32 %f2, [factor];\n"
    "    mul.f32 %f3, %f1, %f2;\n"
    "    st.global.f32 [%rd4], %f3;\n"
    "$L_done:\n"
    "    ret;\n"
    "}\n";

static const char bad_ptx[] =
    ".version 7.0\n"
    ".target sm_52\n"
    ".address_size 64\n"
    ".visible .entry broken()\n"
    "{\n"
    "    bogus.f32 %f1;\n"
    "    ret;\n"
    "}\n";

/* ------------------------------------------------------------ devices */

static void test_devices(ga_device *dev)
{
    int count = 0, major = 0, minor = 0, value = 0;
    char name[256] = "";
    size_t free_b = 0, total_b = 0;
    ga_config_info info;

    if (check_status(ga_device_count(&count), GA_OK, "ga_device_count"))
        check(count > 0, "device count > 0 (%d)", count);
    if (check_status(ga_device_name(dev, name, sizeof name), GA_OK, "ga_device_name"))
        check(name[0] != '\0', "device name is not empty (\"%s\")", name);
    int host = strcmp(ga_backend_name(), "host") == 0;
    if (check_status(ga_device_compute_capability(dev, &major, &minor), GA_OK, "ga_device_compute_capability")) {
        if (host)   /* the host backend emulates no CUDA architecture */
            check(major == 0 && minor == 0, "compute capability is 0.0 on the host (%d.%d)", major, minor);
        else
            check(major >= 3 && minor >= 0, "compute capability is plausible (%d.%d)", major, minor);
    }
    if (check_status(ga_device_attribute(dev, GA_DEV_ATTR_MAX_THREADS_PER_BLOCK, &value), GA_OK,
                     "ga_device_attribute(MAX_THREADS_PER_BLOCK)"))
        check(value >= 64, "max threads per block >= 64 (%d)", value);
    if (check_status(ga_device_mem_info(dev, &free_b, &total_b), GA_OK, "ga_device_mem_info"))
        check(total_b > 0 && free_b <= total_b, "mem info: %zu free of %zu", free_b, total_b);
    /* The host backend has no driver version; its "driver" is the kernel
     * runtime library (named once a compile has loaded it, so not here). */
    if (check_status(ga_config(&info), GA_OK, "ga_config"))
        check(host ? info.driver_version == 0 && info.driver_path != NULL
                   : info.driver_version > 0 && info.driver_path && info.driver_path[0],
              "config names the driver (version %d, %s)", info.driver_version,
              info.driver_path ? info.driver_path : "(null)");
    {
        ga_device *none = NULL;
        check_status(ga_device_get(1 << 20, &none), GA_ERROR_INVALID_DEVICE, "ga_device_get(1<<20) is INVALID_DEVICE");
    }
}

/* ---------------------------------------------------- buffers and copies */

static void test_copies(ga_device *dev)
{
    enum { N = 100003 }; /* odd, so no power-of-two size hides an off-by-one */
    const size_t nbytes = N * sizeof(float);
    float *src = malloc(nbytes), *dst = malloc(nbytes);
    uint32_t *words = malloc(nbytes);
    ga_buffer *a = NULL, *b = NULL;
    size_t i, bad;

    if (!check(src && dst && words, "host buffers"))
        goto done;
    fill_random(src, N);
    if (!check_status(ga_buffer_alloc(dev, nbytes, NULL, &a), GA_OK, "ga_buffer_alloc(%zu)", nbytes)
        || !check_status(ga_buffer_alloc(dev, nbytes, NULL, &b), GA_OK, "ga_buffer_alloc(%zu), second", nbytes))
        goto done;
    check(ga_buffer_ptr(a) != 0 && ga_buffer_size(a) == nbytes && ga_buffer_device(a) == dev,
          "buffer has an address, its size and its device");

    memset(dst, 0xA5, nbytes); /* poison */
    if (check_status(ga_memcpy_htod(dev, ga_buffer_ptr(a), src, nbytes, NULL), GA_OK, "ga_memcpy_htod")
        && check_status(ga_memcpy_dtoh(dev, dst, ga_buffer_ptr(a), nbytes, NULL), GA_OK, "ga_memcpy_dtoh"))
        check(memcmp(src, dst, nbytes) == 0, "htod + dtoh round trip of %d random floats is exact", N);

    memset(dst, 0xA5, nbytes);
    if (check_status(ga_memcpy_dtod_async(dev, ga_buffer_ptr(b), ga_buffer_ptr(a), nbytes, NULL), GA_OK,
                     "ga_memcpy_dtod_async")
        && check_status(ga_memcpy_dtoh(dev, dst, ga_buffer_ptr(b), nbytes, NULL), GA_OK, "ga_memcpy_dtoh after dtod"))
        check(memcmp(src, dst, nbytes) == 0, "dtod copy is exact");

    /* Offsets are plain additions: copy the second half onto the first. */
    memset(dst, 0xA5, nbytes);
    if (check_status(ga_memcpy_dtod_async(dev, ga_buffer_ptr(b), ga_buffer_ptr(a) + (N / 2) * sizeof(float),
                                          (N - N / 2) * sizeof(float), NULL),
                     GA_OK, "ga_memcpy_dtod_async at an offset")
        && check_status(ga_memcpy_dtoh(dev, dst, ga_buffer_ptr(b), nbytes, NULL), GA_OK, "ga_memcpy_dtoh"))
        check(memcmp(src + N / 2, dst, (N - N / 2) * sizeof(float)) == 0
                  && memcmp(src + (N - N / 2), dst + (N - N / 2), (N / 2) * sizeof(float)) == 0,
              "dtod at an offset moves exactly the bytes asked for");

    memset(words, 0, nbytes);
    if (check_status(ga_memset_async(dev, ga_buffer_ptr(a), 0xDEADBEEFu, 4, nbytes, NULL), GA_OK, "ga_memset_async 4 bytes")
        && check_status(ga_memcpy_dtoh(dev, words, ga_buffer_ptr(a), nbytes, NULL), GA_OK, "ga_memcpy_dtoh")) {
        for (i = 0, bad = 0; i < N; i++)
            bad += words[i] != 0xDEADBEEFu;
        check(bad == 0, "memset 4-byte pattern 0xDEADBEEF fills every word (%zu wrong)", bad);
    }
    if (check_status(ga_memset_async(dev, ga_buffer_ptr(a), 0xC0DEu, 2, nbytes - 2, NULL), GA_OK, "ga_memset_async 2 bytes")
        && check_status(ga_memcpy_dtoh(dev, words, ga_buffer_ptr(a), nbytes, NULL), GA_OK, "ga_memcpy_dtoh")) {
        const uint16_t *h = (const uint16_t *)words;
        for (i = 0, bad = 0; i < nbytes / 2 - 1; i++)
            bad += h[i] != 0xC0DEu;
        check(bad == 0 && h[nbytes / 2 - 1] == 0xDEAD, "memset 2-byte pattern stops where asked (%zu wrong)", bad);
    }
    if (check_status(ga_memset_async(dev, ga_buffer_ptr(a) + 1, 0x5Au, 1, 5, NULL), GA_OK, "ga_memset_async 1 byte")
        && check_status(ga_memcpy_dtoh(dev, words, ga_buffer_ptr(a), 8, NULL), GA_OK, "ga_memcpy_dtoh")) {
        const unsigned char *c = (const unsigned char *)words;
        /* bytes of 0xC0DE little-endian are DE C0 */
        check(c[0] == 0xDE && c[1] == 0x5A && c[5] == 0x5A && c[6] == 0xDE, "memset 1-byte pattern at an odd offset");
    }

done:
    ga_buffer_free(a);
    ga_buffer_free(b);
    free(src);
    free(dst);
    free(words);
}

static void test_pinned(ga_device *dev)
{
    enum { N = 1 << 20 };
    const size_t nbytes = N * sizeof(float);
    float *h_in = NULL, *h_out = NULL;
    float pageable[4];
    ga_stream *stream = NULL;
    ga_buffer *buf = NULL;
    ga_event *marker = NULL;
    int done = 0;

    if (!check_status(ga_host_alloc(nbytes, (void **)&h_in), GA_OK, "ga_host_alloc")
        || !check_status(ga_host_alloc(nbytes, (void **)&h_out), GA_OK, "ga_host_alloc, second"))
        goto done;
    check(ga_host_is_pinned(h_in) == 1, "ga_host_is_pinned is 1 for pinned memory");
    check(ga_host_is_pinned(pageable) == 0, "ga_host_is_pinned is 0 for a stack array");
    fill_random(h_in, N);
    memset(h_out, 0xA5, nbytes);

    if (!check_status(ga_stream_create(dev, GA_STREAM_NON_BLOCKING, &stream), GA_OK, "ga_stream_create(NON_BLOCKING)"))
        goto done;
    check(ga_stream_device(stream) == dev && ga_stream_native(stream) != NULL, "stream knows its device and handle");
    if (!check_status(ga_buffer_alloc(dev, nbytes, stream, &buf), GA_OK, "ga_buffer_alloc on a stream"))
        goto done;
    if (check_status(ga_memcpy_htod_async(dev, ga_buffer_ptr(buf), h_in, nbytes, stream), GA_OK, "ga_memcpy_htod_async (pinned)")
        && check_status(ga_memcpy_dtoh_async(dev, h_out, ga_buffer_ptr(buf), nbytes, stream), GA_OK,
                        "ga_memcpy_dtoh_async (pinned)")
        && check_status(ga_stream_synchronize(dev, stream), GA_OK, "ga_stream_synchronize")) {
        check(memcmp(h_in, h_out, nbytes) == 0, "pinned async round trip on a stream is exact");
        if (check_status(ga_stream_query(dev, stream, &done), GA_OK, "ga_stream_query"))
            check(done == 1, "a synchronized stream reports done");
    }
    if (check_status(ga_event_create(dev, GA_EVENT_DISABLE_TIMING, &marker), GA_OK, "ga_event_create(marker)")
        && check_status(ga_event_record(marker, stream), GA_OK, "ga_event_record on a stream")
        && check_status(ga_stream_wait_event(dev, NULL, marker), GA_OK, "the null stream waits for the event")
        && check_status(ga_stream_synchronize(dev, NULL), GA_OK, "ga_stream_synchronize(null stream)")
        && check_status(ga_event_query(marker, &done), GA_OK, "ga_event_query(marker)"))
        check(done == 1, "the awaited event is complete");

done:
    ga_event_destroy(marker);
    ga_buffer_free(buf);
    if (stream)
        check_status(ga_stream_destroy(stream), GA_OK, "ga_stream_destroy");
    if (h_in)
        check_status(ga_host_free(h_in), GA_OK, "ga_host_free");
    ga_host_free(h_out);
}

/* ----------------------------------------------------- kernels from source */

/* A cubin carries no types; the layout comes from the driver (12.4+). */
static void test_cubin_params(ga_device *dev, ga_program *prog)
{
    static const size_t want_offset[4] = {0, 4, 8, 16}, want_size[4] = {4, 4, 8, 8};
    size_t size = 0;
    ga_image_kind kind = GA_IMAGE_NONE;
    const void *image = ga_program_image(prog, &size, &kind);
    ga_module *mod = NULL;
    ga_function *fn = NULL;
    const ga_param *params = NULL;
    int nparams = 0, known = 0, i, same = 1;

    if (kind != GA_IMAGE_CUBIN) {
        printf("note: the compiler gave PTX, not cubin; the driver's parameter layout is not checked\n");
        return;
    }
    if (!check_status(ga_module_load_data(dev, GA_IMAGE_CUBIN, image, size, &mod), GA_OK, "ga_module_load_data(cubin)")
        || !check_status(ga_module_get_function(mod, "saxpy", &fn), GA_OK, "ga_module_get_function(saxpy) from cubin"))
        goto done;
    if (check_status(ga_function_params(fn, &params, &nparams, &known), GA_OK, "ga_function_params(cubin)")
        && check(known && nparams == 4, "the driver reports 4 parameters for the cubin (%d, known=%d)", nparams, known)) {
        for (i = 0; i < 4; i++)
            same &= params[i].offset == want_offset[i] && params[i].size == want_size[i];
        check(same, "cubin parameter offsets 0,4,8,16 and sizes 4,4,8,8");
    }
done:
    if (mod)
        ga_module_unload(mod);
}

static void test_saxpy(ga_device *dev)
{
    enum { N = 1000000 };
    const size_t nbytes = N * sizeof(float);
    float *x = malloc(nbytes), *y = malloc(nbytes), *out = malloc(nbytes);
    ga_compile_request req;
    ga_program *prog = NULL;
    ga_module *mod = NULL;
    ga_function *fn = NULL, *missing = NULL;
    ga_buffer *bx = NULL, *by = NULL;
    ga_event *start = NULL, *end = NULL, *never1 = NULL, *never2 = NULL, *untimed = NULL;
    const ga_param *params = NULL;
    int nparams = 0, known = 0, value = 0, n = N, done = 0;
    float a = 2.0f, ms = -1.0f;
    ga_devptr px, py;
    void *args[4];
    size_t i, bad;

    if (!check(x && y && out, "host buffers"))
        goto done;
    memset(&req, 0, sizeof req);
    req.source = saxpy_source;
    req.source_name = "saxpy.cu";
    if (!check_status(ga_program_compile(dev, &req, &prog), GA_OK, "ga_program_compile(saxpy)"))
        goto done;
    if (!check_status(ga_module_load_program(dev, prog, &mod), GA_OK, "ga_module_load_program")
        || !check_status(ga_module_get_function(mod, "saxpy", &fn), GA_OK, "ga_module_get_function(saxpy)"))
        goto done;
    if (check_status(ga_module_get_function(mod, "no_such_kernel", &missing), GA_ERROR_NOT_FOUND,
                     "a missing kernel is NOT_FOUND"))
        check(strstr(ga_last_error(), "no_such_kernel") != NULL, "NOT_FOUND detail names the kernel (%s)", ga_last_error());
    if (check_status(ga_function_attribute(fn, GA_FUNC_ATTR_MAX_THREADS_PER_BLOCK, &value), GA_OK,
                     "ga_function_attribute(MAX_THREADS_PER_BLOCK)"))
        check(value >= 256, "saxpy takes blocks of 256 (max %d)", value);

    if (check_status(ga_function_params(fn, &params, &nparams, &known), GA_OK, "ga_function_params")
        && check(known && nparams == 4, "saxpy has 4 known parameters (%d, known=%d)", nparams, known)) {
        check(params[0].kind == GA_PARAM_VALUE && params[0].dtype == GA_INT32, "param 0 'n' is an int32 value");
        check(params[1].kind == GA_PARAM_VALUE && params[1].dtype == GA_FLOAT32, "param 1 'a' is a float32 value");
        check(params[2].kind == GA_PARAM_POINTER && params[2].dtype == GA_FLOAT32 && params[2].is_const,
              "param 2 'x' is a const float32 pointer");
        check(params[3].kind == GA_PARAM_POINTER && params[3].dtype == GA_FLOAT32 && !params[3].is_const,
              "param 3 'y' is a float32 pointer");
    }

    test_cubin_params(dev, prog);

    if (!check_status(ga_buffer_alloc(dev, nbytes, NULL, &bx), GA_OK, "ga_buffer_alloc(x)")
        || !check_status(ga_buffer_alloc(dev, nbytes, NULL, &by), GA_OK, "ga_buffer_alloc(y)"))
        goto done;
    px = ga_buffer_ptr(bx);
    py = ga_buffer_ptr(by);
    args[0] = &n;
    args[1] = &a;
    args[2] = &px;
    args[3] = &py;
    {
        const unsigned grid[3] = {(N + 255) / 256, 1, 1}, block[3] = {256, 1, 1};

        /* The document's example: a = 2, x = 1, y = 3 gives 5 everywhere. */
        for (i = 0; i < N; i++) {
            x[i] = 1.0f;
            y[i] = 3.0f;
        }
        memset(out, 0xA5, nbytes);
        if (check_status(ga_memcpy_htod(dev, px, x, nbytes, NULL), GA_OK, "htod x")
            && check_status(ga_memcpy_htod(dev, py, y, nbytes, NULL), GA_OK, "htod y")
            && check_status(ga_launch(fn, grid, block, 0, NULL, args), GA_OK, "ga_launch(saxpy, n=%d)", N)
            && check_status(ga_memcpy_dtoh(dev, out, py, nbytes, NULL), GA_OK, "dtoh y")) {
            for (i = 0, bad = 0; i < N; i++)
                bad += out[i] != 5.0f;
            check(bad == 0, "saxpy 2*1+3 gives 5.0 in all %d elements (%zu wrong)", N, bad);
        }

        /* Random inputs, timed with events. */
        fill_random(x, N);
        fill_random(y, N);
        memset(out, 0xA5, nbytes);
        a = random_float();
        if (check_status(ga_event_create(dev, GA_EVENT_DEFAULT, &start), GA_OK, "ga_event_create(start)")
            && check_status(ga_event_create(dev, GA_EVENT_BLOCKING_SYNC, &end), GA_OK, "ga_event_create(end, BLOCKING_SYNC)")
            && check_status(ga_memcpy_htod(dev, px, x, nbytes, NULL), GA_OK, "htod random x")
            && check_status(ga_memcpy_htod(dev, py, y, nbytes, NULL), GA_OK, "htod random y")
            && check_status(ga_event_record(start, NULL), GA_OK, "ga_event_record(start)")
            && check_status(ga_launch(fn, grid, block, 0, NULL, args), GA_OK, "ga_launch(saxpy, random)")
            && check_status(ga_event_record(end, NULL), GA_OK, "ga_event_record(end)")
            && check_status(ga_event_synchronize(end), GA_OK, "ga_event_synchronize(end)")) {
            if (check_status(ga_event_query(end, &done), GA_OK, "ga_event_query"))
                check(done == 1, "a synchronized event reports done");
            if (check_status(ga_event_elapsed_time(start, end, &ms), GA_OK, "ga_event_elapsed_time"))
                check(ms > 0.0f && ms < 10000.0f, "elapsed time around the kernel is positive (%.4f ms)", ms);
            if (check_status(ga_memcpy_dtoh(dev, out, py, nbytes, NULL), GA_OK, "dtoh random y")) {
                for (i = 0, bad = 0; i < N; i++) {
                    float want = a * x[i] + y[i];
                    /* with or without a fused multiply-add: a few ulp */
                    bad += !(fabsf(out[i] - want) <= 1e-5f * (fabsf(a * x[i]) + fabsf(y[i])) + 1e-30f);
                }
                check(bad == 0, "saxpy on random inputs matches the host (a=%g, %zu wrong)", a, bad);
            }
        }
    }

    if (check_status(ga_event_create(dev, GA_EVENT_DEFAULT, &never1), GA_OK, "ga_event_create")
        && check_status(ga_event_create(dev, GA_EVENT_DEFAULT, &never2), GA_OK, "ga_event_create"))
        check_status(ga_event_elapsed_time(never1, never2, &ms), GA_ERROR_INVALID_VALUE,
                     "elapsed time of unrecorded events is INVALID_VALUE");
    if (start && check_status(ga_event_create(dev, GA_EVENT_DISABLE_TIMING, &untimed), GA_OK,
                              "ga_event_create(DISABLE_TIMING)")
        && check_status(ga_event_record(untimed, NULL), GA_OK, "ga_event_record(untimed)")
        && check_status(ga_event_synchronize(untimed), GA_OK, "ga_event_synchronize(untimed)"))
        check_status(ga_event_elapsed_time(start, untimed, &ms), GA_ERROR_INVALID_VALUE,
                     "elapsed time to a timing-disabled event is INVALID_VALUE");

    {
        const unsigned grid[3] = {1, 1, 1}, block[3] = {2048, 1, 1};
        check_status(ga_launch(fn, grid, block, 0, NULL, args), GA_ERROR_LAUNCH, "a block of 2048 threads is GA_ERROR_LAUNCH");
    }
    check_status(ga_device_synchronize(dev), GA_OK, "ga_device_synchronize");

done:
    ga_event_destroy(start);
    ga_event_destroy(end);
    ga_event_destroy(never1);
    ga_event_destroy(never2);
    ga_event_destroy(untimed);
    ga_buffer_free(bx);
    ga_buffer_free(by);
    if (mod)
        check_status(ga_module_unload(mod), GA_OK, "ga_module_unload");
    if (prog)
        ga_program_release(prog);
    free(x);
    free(y);
    free(out);
}

static void test_compile_error(ga_device *dev)
{
    ga_compile_request req;
    ga_program *prog = NULL;
    const char *log;

    memset(&req, 0, sizeof req);
    req.source = "extern \"C\" __global__ void broken(float *p) { p[0] = undeclared_name; }\n";
    req.source_name = "broken.cu";
    req.no_cache = 1;
    if (check_status(ga_program_compile(dev, &req, &prog), GA_ERROR_COMPILE, "a compile error is GA_ERROR_COMPILE")) {
        log = ga_compile_error_log();
        check(log && log[0] != '\0', "ga_compile_error_log() is not empty");
        check(log && strstr(log, "undeclared_name") != NULL, "the compile log names the culprit");
    } else if (prog) {
        ga_program_release(prog);
    }
}

/* ----------------------------------------------------- kernels from PTX */

static void test_ptx(ga_device *dev)
{
    enum { N = 4099 };
    const size_t nbytes = N * sizeof(float);
    float in[N], out[N], factor = 0.0f;
    ga_module *mod = NULL, *bad = NULL;
    ga_function *fn = NULL;
    ga_buffer *buf = NULL;
    ga_devptr ptr, gptr = 0;
    size_t gsize = 0, i, wrong;
    unsigned n = N;
    void *args[2] = {&ptr, &n};

    if (strcmp(ga_backend_name(), "host") == 0) {
        /* PTX is NVIDIA GPU code: the host backend says so. */
        if (check_status(ga_module_load_data(dev, GA_IMAGE_PTX, double_ptx, 0, &mod), GA_ERROR_UNSUPPORTED,
                         "the host backend refuses PTX with GA_ERROR_UNSUPPORTED"))
            check(strstr(ga_last_error(), "PTX") != NULL, "... saying why: %s", ga_last_error());
        else if (mod)
            ga_module_unload(mod);
        return;
    }
    if (!check_status(ga_module_load_data(dev, GA_IMAGE_PTX, double_ptx, 0, &mod), GA_OK,
                      "ga_module_load_data(hand-written PTX)")
        || !check_status(ga_module_get_function(mod, "double_floats", &fn), GA_OK, "ga_module_get_function(double_floats)"))
        goto done;
    if (check_status(ga_module_get_global(mod, "factor", &gptr, &gsize), GA_OK, "ga_module_get_global(factor)")
        && check(gptr != 0 && gsize == sizeof(float), "global 'factor' has an address and 4 bytes (%zu)", gsize)
        && check_status(ga_memcpy_dtoh(dev, &factor, gptr, sizeof factor, NULL), GA_OK, "dtoh factor"))
        check(factor == 2.0f, "global 'factor' reads 2.0 (%g)", factor);
    check_status(ga_module_get_global(mod, "no_such_global", &gptr, &gsize), GA_ERROR_NOT_FOUND,
                 "a missing global is NOT_FOUND");

    fill_random(in, N);
    memset(out, 0xA5, sizeof out);
    if (!check_status(ga_buffer_alloc(dev, nbytes, NULL, &buf), GA_OK, "ga_buffer_alloc"))
        goto done;
    ptr = ga_buffer_ptr(buf);
    {
        const unsigned grid[3] = {(N + 127) / 128, 1, 1}, block[3] = {128, 1, 1};
        if (check_status(ga_memcpy_htod(dev, ptr, in, nbytes, NULL), GA_OK, "htod")
            && check_status(ga_launch(fn, grid, block, 0, NULL, args), GA_OK, "ga_launch(double_floats)")
            && check_status(ga_memcpy_dtoh(dev, out, ptr, nbytes, NULL), GA_OK, "dtoh")) {
            for (i = 0, wrong = 0; i < N; i++)
                wrong += out[i] != 2.0f * in[i];
            check(wrong == 0, "the PTX kernel doubles all %d random floats exactly (%zu wrong)", N, wrong);
        }
    }

    if (check_status(ga_module_load_data(dev, GA_IMAGE_PTX, bad_ptx, 0, &bad), GA_ERROR_INVALID_IMAGE,
                     "invalid PTX is GA_ERROR_INVALID_IMAGE"))
        check(strstr(ga_last_error(), "bogus") != NULL, "the detail carries the JIT's error log");
    else if (bad)
        ga_module_unload(bad);

done:
    ga_buffer_free(buf);
    if (mod)
        check_status(ga_module_unload(mod), GA_OK, "ga_module_unload(PTX)");
}

/* --------------------------------------------------------- memory pool */

static void test_out_of_memory(ga_device *dev)
{
    ga_buffer *huge = NULL;
    if (!check_status(ga_buffer_alloc(dev, (size_t)1 << 50, NULL, &huge), GA_ERROR_OUT_OF_MEMORY,
                      "allocating 1 PiB is GA_ERROR_OUT_OF_MEMORY"))
        ga_buffer_free(huge);
}

/* Small freed blocks are reused by the next allocation of their size class
 * on the same stream only, and go back when their stream is destroyed. */
static void test_block_cache(ga_device *dev)
{
    const char *off = getenv("GPUARRAY_BLOCK_CACHE");
    const char *hc = getenv("GPUARRAY_HOST_CHECK");
    if (off && strcmp(off, "0") == 0) {
        printf("skip block cache checks: GPUARRAY_BLOCK_CACHE=0\n");
        return;
    }
    if (strcmp(ga_backend_name(), "host") == 0 && hc && *hc && strcmp(hc, "0") != 0) {
        printf("skip block cache checks: off under GPUARRAY_HOST_CHECK (exact sizes)\n");
        return;
    }
    ga_stream *s1 = NULL, *s2 = NULL;
    ga_buffer *a = NULL, *b = NULL, *c = NULL, *d = NULL;
    size_t r0 = 0, r1 = 0, r2 = 0;
    if (!check_status(ga_stream_create(dev, 0, &s1), GA_OK, "block cache: stream 1")
        || !check_status(ga_stream_create(dev, 0, &s2), GA_OK, "block cache: stream 2"))
        goto out;
    check_status(ga_mempool_free_all_blocks(dev), GA_OK, "block cache: free_all_blocks first");
    check_status(ga_mempool_total_bytes(dev, &r0), GA_OK, "block cache: reserved at start");
    if (!check_status(ga_buffer_alloc(dev, 1000, s1, &a), GA_OK, "block cache: 1000 bytes on stream 1"))
        goto out;
    ga_devptr pa = ga_buffer_ptr(a);
    check_status(ga_buffer_free(a), GA_OK, "block cache: free it");
    if (check_status(ga_buffer_alloc(dev, 900, s2, &b), GA_OK, "block cache: 900 bytes on stream 2"))
        check(ga_buffer_ptr(b) != pa, "a block freed on stream 1 is not reused on stream 2");
    if (check_status(ga_buffer_alloc(dev, 700, s1, &c), GA_OK, "block cache: 700 bytes on stream 1"))
        check(ga_buffer_ptr(c) == pa && ga_buffer_size(c) == 700,
              "the block freed on stream 1 comes back for a request of its class, sized as asked");
    if (check_status(ga_buffer_alloc(dev, 4096, s1, &d), GA_OK, "block cache: 4096 bytes on stream 1"))
        check(ga_buffer_ptr(d) != pa, "a bigger class gets another block");
    ga_buffer_free(b);
    ga_buffer_free(c);
    ga_buffer_free(d);
    b = c = d = NULL;
    check_status(ga_mempool_total_bytes(dev, &r1), GA_OK, "block cache: reserved while cached");
    check(r1 > r0, "freed small blocks stay reserved for reuse (%zu -> %zu bytes)", r0, r1);
    check_status(ga_stream_destroy(s1), GA_OK, "block cache: destroy stream 1");
    check_status(ga_stream_destroy(s2), GA_OK, "block cache: destroy stream 2");
    s1 = s2 = NULL;
    check_status(ga_device_synchronize(dev), GA_OK, "block cache: synchronize");
    if (strcmp(ga_backend_name(), "host") == 0) {
        /* exact accounting: the destroyed streams' blocks are gone */
        check_status(ga_mempool_total_bytes(dev, &r2), GA_OK, "block cache: reserved after destroy");
        check(r2 == r0, "destroying the streams gave their cached blocks back (%zu -> %zu bytes)",
              r0, r2);
    }
out:
    ga_buffer_free(b);
    ga_buffer_free(c);
    ga_buffer_free(d);
    if (s1)
        ga_stream_destroy(s1);
    if (s2)
        ga_stream_destroy(s2);
}

int main(void)
{
    ga_status st = ga_init();
    ga_device *dev = NULL;
    size_t used_before = 0, used_after = 0, total_after = 1;

    if (st == GA_ERROR_NO_DRIVER || st == GA_ERROR_NO_DEVICE) {
        printf("SKIP: %s\n", ga_last_error());
        return 77;
    }
    if (check_status(st, GA_OK, "ga_init") && check_status(ga_device_get(0, &dev), GA_OK, "ga_device_get(0)")) {
        printf("backend: %s\n", ga_backend_name());
        check_status(ga_mempool_used_bytes(dev, &used_before), GA_OK, "ga_mempool_used_bytes at start");

        test_devices(dev);
        test_copies(dev);
        test_pinned(dev);
        test_saxpy(dev);
        test_compile_error(dev);
        test_ptx(dev);
        test_out_of_memory(dev);
        test_block_cache(dev);

        if (check_status(ga_mempool_used_bytes(dev, &used_after), GA_OK, "ga_mempool_used_bytes at end"))
            check(used_after == used_before, "pool used bytes back to the start (%zu -> %zu)", used_before, used_after);
        if (check_status(ga_mempool_free_all_blocks(dev), GA_OK, "ga_mempool_free_all_blocks")
            && check_status(ga_mempool_total_bytes(dev, &total_after), GA_OK, "ga_mempool_total_bytes"))
            check(total_after == 0, "nothing stays reserved after free_all_blocks (%zu bytes)", total_after);
    }

    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
