/* c_version.c - PTX (chapter 7.5) on gpuarray's C API: the hand-written
 * saxpy.ptx loaded (ga_module_load_file) and launched; then the PTX NVRTC
 * makes of the CUDA C saxpy of chapter 7.1 and its SASS, via cuobjdump or
 * nvdisasm where one is installed (said so where not). Prints `result:
 * key=value` lines that make demo and tests/test_examples.py compare with
 * the other versions.
 *
 *   build/examples/07_ptx [path/to/saxpy.ptx]   (default: examples/07_ptx/saxpy.ptx)
 *
 * Exit 77 (skipped) where there is no backend, or one that cannot run PTX. */
#define _GNU_SOURCE
#include "gpuarray.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHECK(call)                                                           \
    do {                                                                      \
        ga_status st_ = (call);                                               \
        if (st_ != GA_OK)                                                     \
            return fail(st_, #call);                                          \
    } while (0)

static const char *source =
    "extern \"C\" __global__\n"
    "void saxpy(int n, float a, const float* x, float* y) {\n"
    "    int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
    "    if (i < n) {\n"
    "        y[i] = a * x[i] + y[i];\n"
    "    }\n"
    "}\n";

static int fail(ga_status st, const char *what)
{
    fprintf(stderr, "%s: %s: %s\n", what, ga_status_name(st), ga_last_error());
    return 1;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The first of cuobjdump, nvdisasm found on PATH, in $CUDA_HOME/bin or in
 * /usr/local/cuda/bin; *name says which. */
static int find_tool(char *path, size_t len, const char **name)
{
    static const char *const tools[] = {"cuobjdump", "nvdisasm"};
    const char *env_path = getenv("PATH"), *cuda_home = getenv("CUDA_HOME");
    char dirs[4096];
    snprintf(dirs, sizeof dirs, "%s:%s/bin:/usr/local/cuda/bin", env_path ? env_path : "",
             cuda_home ? cuda_home : "/nonexistent");
    for (int t = 0; t < 2; t++) {
        char copy[4096];
        memcpy(copy, dirs, sizeof copy);
        for (char *save, *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
            snprintf(path, len, "%s/%s", dir, tools[t]);
            if (access(path, X_OK) == 0) {
                *name = tools[t];
                return 1;
            }
        }
    }
    return 0;
}

/* The SASS of a cubin, printed by cuobjdump -sass or nvdisasm. */
static int print_sass(const void *cubin, size_t size)
{
    char tool[1024], file[] = "/tmp/saxpy-XXXXXX", cmd[2200], line[512];
    const char *name;
    if (!find_tool(tool, sizeof tool, &name)) {
        printf("info: sass=unavailable (neither cuobjdump nor nvdisasm was found on PATH, "
               "in $CUDA_HOME/bin or in /usr/local/cuda/bin)\n");
        return 0;
    }
    int fd = mkstemp(file);
    if (fd < 0 || write(fd, cubin, size) != (ssize_t)size) {
        perror("writing the cubin");
        return 1;
    }
    close(fd);
    snprintf(cmd, sizeof cmd, "'%s' %s '%s'", tool, strcmp(name, "cuobjdump") ? "" : "-sass", file);
    FILE *p = popen(cmd, "r");
    int ffma = 0;
    while (p && fgets(line, sizeof line, p)) {
        if (strspn(line, " \t\r\n") == strlen(line))
            continue;
        fputs(line, stdout);
        ffma |= strstr(line, "FFMA") != NULL;
    }
    if (p)
        pclose(p);
    unlink(file);
    printf("info: sass=%s\n", name);
    printf("info: sass_ffma=%s\n", ffma ? "yes" : "no");
    return 0;
}

int main(int argc, char **argv)
{
    const char *ptx_path = argc > 1 ? argv[1] : "examples/07_ptx/saxpy.ptx";
    ga_status st = ga_init();
    if (st == GA_ERROR_NO_DRIVER || st == GA_ERROR_NO_DEVICE || st == GA_ERROR_DRIVER_TOO_OLD) {
        printf("skipped: no backend: %s: %s\n", ga_status_name(st), ga_last_error());
        return 77;
    }
    CHECK(st);
    if (strcmp(ga_backend_name(), "cuda") != 0) {
        printf("skipped: the %s backend cannot load PTX: PTX is NVIDIA's virtual instruction "
               "set, which only the CUDA driver compiles\n", ga_backend_name());
        return 77;
    }
    ga_device *dev;
    CHECK(ga_device_get(0, &dev));

    /* 1. The hand-written PTX, loaded and launched. */
    ga_module *mod;
    ga_function *saxpy;
    CHECK(ga_module_load_file(dev, ptx_path, &mod));
    CHECK(ga_module_get_function(mod, "saxpy", &saxpy));

    int n = 1000000;
    float a = 2.0f;
    float *host = malloc(n * sizeof(float));
    ga_buffer *x, *y;
    CHECK(ga_buffer_alloc(dev, n * sizeof(float), NULL, &x));
    CHECK(ga_buffer_alloc(dev, n * sizeof(float), NULL, &y));
    for (int i = 0; i < n; i++)
        host[i] = 1.0f;
    CHECK(ga_memcpy_htod(dev, ga_buffer_ptr(x), host, n * sizeof(float), NULL));
    for (int i = 0; i < n; i++)
        host[i] = 3.0f;
    CHECK(ga_memcpy_htod(dev, ga_buffer_ptr(y), host, n * sizeof(float), NULL));
    unsigned grid[3] = {(unsigned)((n + 255) / 256), 1, 1}, block[3] = {256, 1, 1};
    ga_devptr xp = ga_buffer_ptr(x), yp = ga_buffer_ptr(y);
    void *args[] = {&n, &a, &xp, &yp};
    CHECK(ga_launch(saxpy, grid, block, 0, NULL, args));
    CHECK(ga_memcpy_dtoh(dev, host, yp, n * sizeof(float), NULL));
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += host[i];
    printf("hand-written PTX saxpy: result[0] = %.1f\n", host[0]);
    printf("result: y0=%.1f\n", host[0]);
    printf("result: y_sum=%.1f\n", sum);

    double times[20];
    for (int r = 0; r < 20; r++) {
        double t0 = now_ms();
        CHECK(ga_launch(saxpy, grid, block, 0, NULL, args));
        CHECK(ga_stream_synchronize(dev, NULL));
        times[r] = now_ms() - t0;
    }
    qsort(times, 20, sizeof times[0], cmp);
    printf("time: saxpy_ms=%.4f ms (hand-written PTX saxpy launch + synchronize)\n",
           0.5 * (times[9] + times[10]));

    /* 2. The PTX and the SASS of the CUDA C saxpy, as NVRTC compiled it. */
    ga_compile_request req = {.source = source, .source_name = "saxpy.cu"};
    ga_program *prog;
    CHECK(ga_program_compile(dev, &req, &prog));
    size_t size;
    ga_image_kind kind;
    const char *ptx = ga_program_ptx(prog, &size);
    const void *image = ga_program_image(prog, &size, &kind);
    printf("\n---- PTX of the CUDA C saxpy (NVRTC) ----\n%s\n", ptx ? ptx : "(none)");
    printf("info: ptx_fma=%s\n", ptx && strstr(ptx, "fma.rn.f32") ? "yes" : "no");
    printf("\n---- SASS of the CUDA C saxpy ----\n");
    if (kind != GA_IMAGE_CUBIN)
        printf("info: sass=unavailable (NVRTC is older than this GPU and gave PTX only: no cubin)\n");
    else if (print_sass(image, size))
        return 1;

    ga_program_release(prog);
    ga_buffer_free(x);
    ga_buffer_free(y);
    ga_module_unload(mod);
    free(host);
    return 0;
}
