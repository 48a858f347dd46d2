/* test_hostrt.c - the host kernel runtime: CUDA C source rewritten, compiled
 * by g++ with the prelude, loaded and run on CPU threads, checked against
 * C references on random inputs; saxpy timed against a plain C loop. */
/* Runs without the rest of gpuarray: it dlopens libgpuarray_hostrt.so from
 * its own directory (or $GAHOST_RUNTIME_LIB) like the backend does. Prints
 * "N passed, M failed" last; exit 0 iff none failed, 77 if no compiler.
 * GAHOST_TEST_NO_TIMING=1 skips the timings, GAHOST_TEST_REPS=n sets how
 * many times each timed run repeats (best of n, default 15). */
#define _GNU_SOURCE
#include "../../csrc/hostrt/gahost_runtime.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int passed, failed;
static const gahost_api *api;
static char tmpdir[] = "/tmp/gahost_test_XXXXXX";
static int module_counter;

#define CHECK(cond, ...)                                   \
    do {                                                   \
        if (cond) {                                        \
            passed++;                                      \
        } else {                                           \
            failed++;                                      \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);    \
            printf(__VA_ARGS__);                           \
            printf("\n");                                  \
        }                                                  \
    } while (0)

/* ------------------------------------------------------------ helpers */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static uint64_t lcg_state = 12345;
static uint32_t lcg(void)
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(lcg_state >> 33);
}
static float frand(void) { return (float)lcg() / 2147483648.0f * 2.0f - 1.0f; }  /* [-1, 1) */

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return strdup("");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = '\0';
    fclose(f);
    return s;
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

/* Run argv with stderr+stdout into log_path; returns the exit status. */
static int run_argv(char **argv, const char *log_path)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 2, 1);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc)
        return -1;
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

typedef struct module {
    void *dl;
    const gahost_module_desc *desc;
    gahost_rewrite rw;
    char *log;
    int status;            /* compiler exit status */
    double compile_s;
} module;

/* Rewrite + compile + dlopen, as the backend does. */
static int build(module *m, const char *src, const char *const *names, int nnames,
                 const char *const *opts, int nopts)
{
    memset(m, 0, sizeof *m);
    char *err = NULL;
    if (api->rewrite_source(src, "kernel.cu", names, nnames, &m->rw, &err)) {
        printf("rewrite failed: %s\n", err ? err : "?");
        free(err);
        return -1;
    }
    char cu[PATH_MAX], so[PATH_MAX], lg[PATH_MAX];
    int id = module_counter++;
    snprintf(cu, sizeof cu, "%s/k%d.cu", tmpdir, id);
    snprintf(so, sizeof so, "%s/k%d.so", tmpdir, id);
    snprintf(lg, sizeof lg, "%s/k%d.log", tmpdir, id);
    write_file(cu, m->rw.source);
    char **argv = api->compile_argv(NULL, cu, so, opts, nopts, &err);
    if (!argv) {
        printf("compile_argv failed: %s\n", err ? err : "?");
        free(err);
        return -1;
    }
    double t0 = now();
    m->status = run_argv(argv, lg);
    m->compile_s = now() - t0;
    api->argv_free(argv);
    m->log = read_file(lg);
    if (m->status != 0)
        return 1;
    m->dl = dlopen(so, RTLD_NOW | RTLD_LOCAL);
    if (!m->dl) {
        printf("dlopen: %s\n", dlerror());
        return -1;
    }
    m->desc = dlsym(m->dl, GAHOST_MODULE_SYMBOL);
    if (!m->desc || m->desc->abi_version != GAHOST_ABI_VERSION) {
        printf("module descriptor missing or wrong ABI\n");
        return -1;
    }
    return 0;
}

static void unload(module *m)
{
    if (m->dl)
        dlclose(m->dl);
    api->rewrite_free(&m->rw);
    free(m->log);
    memset(m, 0, sizeof *m);
}

static const gahost_kernel_desc *kernel(const module *m, const char *name)
{
    if (!m->desc)
        return NULL;
    for (unsigned i = 0; i < m->desc->num_kernels; i++)
        if (!strcmp(m->desc->kernels[i].name, name) || !strcmp(m->desc->kernels[i].symbol, name))
            return &m->desc->kernels[i];
    return NULL;
}

static gahost_dim3 d3(unsigned x, unsigned y, unsigned z) { return (gahost_dim3){x, y, z}; }

static int launch(const gahost_kernel_desc *k, gahost_dim3 g, gahost_dim3 b, size_t shm, void **args)
{
    if (!k)
        return -1;
    int st = k->entry(args, g, b, shm);
    if (st)
        printf("launch of %s: status %d: %s\n", k->name, st, api->last_error());
    return st;
}

static int close_f(const float *a, const float *b, size_t n, float rtol, float atol, size_t *bad)
{
    for (size_t i = 0; i < n; i++)
        if (!(fabsf(a[i] - b[i]) <= atol + rtol * fabsf(b[i]))) {
            *bad = i;
            return 0;
        }
    return 1;
}

/* ------------------------------------------------------------- kernels */

static const char *saxpy_src =
    "extern \"C\" __global__ void saxpy(int n, float a, const float *x, float *y)\n"
    "{\n"
    "    int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
    "    if (i < n) y[i] = a * x[i] + y[i];\n"
    "}\n";

static void test_saxpy(void)
{
    module m;
    int rc = build(&m, saxpy_src, NULL, 0, NULL, 0);
    CHECK(rc == 0, "saxpy compiles (%d): %s", rc, m.log ? m.log : "");
    if (rc) {
        unload(&m);
        return;
    }
    printf("  compile of saxpy: %.3f s\n", m.compile_s);
    const gahost_kernel_desc *k = kernel(&m, "saxpy");
    CHECK(k && k->num_params == 4 && k->param_sizes[0] == 4 && k->param_sizes[1] == 4 &&
          k->param_sizes[2] == 8 && k->param_aligns[3] == 8, "saxpy descriptor and parameter layout");
    int n = 100003;
    float a = 2.5f, *x = malloc(n * 4), *y = malloc(n * 4), *ref = malloc(n * 4);
    for (int i = 0; i < n; i++) {
        x[i] = frand();
        y[i] = frand();
        ref[i] = a * x[i] + y[i];
    }
    void *args[] = {&n, &a, &x, &y};
    CHECK(launch(k, d3((n + 255) / 256, 1, 1), d3(256, 1, 1), 0, args) == 0, "saxpy launch");
    size_t bad = 0;
    CHECK(close_f(y, ref, n, 1e-6f, 1e-7f, &bad), "saxpy result at %zu: %g vs %g", bad, y[bad], ref[bad]);
    free(x);
    free(y);
    free(ref);
    unload(&m);
}

static const char *reduce_src =
    "#define BLOCK 256\n"
    "extern \"C\" __global__ void block_sum(const float *x, float *out, int n)\n"
    "{\n"
    "    __shared__ float s[BLOCK];\n"
    "    unsigned t = threadIdx.x;\n"
    "    unsigned i = blockIdx.x * blockDim.x + t;\n"
    "    s[t] = i < n ? x[i] : 0.0f;\n"
    "    __syncthreads();\n"
    "    for (unsigned st = blockDim.x / 2; st > 0; st >>= 1) {\n"
    "        if (t < st) s[t] += s[t + st];\n"
    "        __syncthreads();\n"
    "    }\n"
    "    if (t == 0) out[blockIdx.x] = s[0];\n"
    "}\n"
    /* dynamic shared memory, block scope, with __align__ */
    "extern \"C\" __global__ void dyn_reverse(float *x, int n)\n"
    "{\n"
    "    extern __shared__ __align__(16) float buf[];\n"
    "    int t = threadIdx.x, i = blockIdx.x * blockDim.x + t;\n"
    "    buf[t] = i < n ? x[i] : -1.0f;\n"
    "    __syncthreads();\n"
    "    int j = blockIdx.x * blockDim.x + (blockDim.x - 1 - t);\n"
    "    if (j < n && i < n) x[i] = buf[blockDim.x - 1 - t];\n"
    "}\n"
    /* dynamic shared memory declared at file scope, used through a cast */
    "extern __shared__ unsigned char smem[];\n"
    "extern \"C\" __global__ void dyn_file_scope(const float *x, float *out)\n"
    "{\n"
    "    float *s = (float *)smem;\n"
    "    double *d = reinterpret_cast<double *>(&smem[0]) + blockDim.x;\n"
    "    s[threadIdx.x] = x[blockIdx.x * blockDim.x + threadIdx.x];\n"
    "    d[threadIdx.x] = 2.0 * s[threadIdx.x];\n"
    "    __syncthreads();\n"
    "    if (threadIdx.x == 0) {\n"
    "        double acc = 0;\n"
    "        for (unsigned k = 0; k < blockDim.x; k++) acc += d[k] + smem[0] * 0.0;\n"
    "        out[blockIdx.x] = (float)acc;\n"
    "    }\n"
    "}\n";

static void test_shared(void)
{
    module m;
    int rc = build(&m, reduce_src, NULL, 0, NULL, 0);
    CHECK(rc == 0, "shared-memory kernels compile: %s", m.log ? m.log : "");
    if (rc) {
        unload(&m);
        return;
    }
    int n = 1 << 20 | 77, nb = (n + 255) / 256;
    float *x = malloc(n * 4), *out = malloc(nb * 4);
    for (int i = 0; i < n; i++)
        x[i] = frand();
    void *args[] = {&x, &out, &n};
    CHECK(launch(kernel(&m, "block_sum"), d3(nb, 1, 1), d3(256, 1, 1), 0, args) == 0, "block_sum launch");
    int ok = 1;
    for (int b = 0; b < nb && ok; b++) {
        double r = 0;
        for (int i = b * 256; i < (b + 1) * 256 && i < n; i++)
            r += x[i];
        if (fabs(out[b] - r) > 1e-4)
            ok = 0, printf("  block %d: %g vs %g\n", b, out[b], r);
    }
    CHECK(ok, "block reduction with static __shared__ + __syncthreads");

    /* dynamic: reverse every block in place */
    int n2 = 128 * 37;
    float *y = malloc(n2 * 4), *ry = malloc(n2 * 4);
    for (int i = 0; i < n2; i++)
        y[i] = frand();
    for (int b = 0; b < 37; b++)
        for (int t = 0; t < 128; t++)
            ry[b * 128 + t] = y[b * 128 + 127 - t];
    void *a2[] = {&y, &n2};
    CHECK(launch(kernel(&m, "dyn_reverse"), d3(37, 1, 1), d3(128, 1, 1), 128 * sizeof(float), a2) == 0,
          "dyn_reverse launch");
    size_t bad = 0;
    CHECK(close_f(y, ry, n2, 0, 0, &bad), "extern __shared__ block scope at %zu", bad);

    /* file-scope extern __shared__, buffer of 64 floats + 64 doubles */
    float *o3 = malloc(16 * 4);
    void *a3[] = {&x, &o3};
    CHECK(launch(kernel(&m, "dyn_file_scope"), d3(16, 1, 1), d3(64, 1, 1), 64 * 4 + 64 * 8, a3) == 0,
          "dyn_file_scope launch");
    ok = 1;
    for (int b = 0; b < 16; b++) {
        double r = 0;
        for (int t = 0; t < 64; t++)
            r += 2.0 * x[b * 64 + t];
        ok &= fabs(o3[b] - r) < 1e-4;
    }
    CHECK(ok, "extern __shared__ at file scope");
    free(x);
    free(out);
    free(y);
    free(ry);
    free(o3);
    unload(&m);
}

static const char *atomic_src =
    "extern \"C\" __global__ void histogram(const unsigned char *x, int n, unsigned *bins, float *fsum,\n"
    "                                      double *dsum, int *imax, unsigned long long *cnt)\n"
    "{\n"
    "    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x) {\n"
    "        atomicAdd(&bins[x[i]], 1u);\n"
    "        atomicAdd(fsum, 0.5f);\n"
    "        atomicAdd(dsum, (double)x[i]);\n"
    "        atomicMax(imax, (int)x[i] * 3 - 100);\n"
    "        atomicAdd(cnt, 1ull);\n"
    "    }\n"
    "}\n"
    "extern \"C\" __global__ void cas_inc(unsigned *ctr, unsigned *wrap, int *exch)\n"
    "{\n"
    "    unsigned old = *ctr, assumed;\n"
    "    do { assumed = old; old = atomicCAS(ctr, assumed, assumed + 2u); } while (old != assumed);\n"
    "    atomicInc(wrap, 9u);\n"
    "    atomicExch(exch, 7);\n"
    "}\n";

static void test_atomics(void)
{
    module m;
    int rc = build(&m, atomic_src, NULL, 0, NULL, 0);
    CHECK(rc == 0, "atomic kernels compile: %s", m.log ? m.log : "");
    if (rc) {
        unload(&m);
        return;
    }
    int n = 1000003;
    unsigned char *x = malloc(n);
    unsigned bins[256] = {0}, ref[256] = {0};
    double dref = 0;
    int mref = -1000;
    for (int i = 0; i < n; i++) {
        x[i] = (unsigned char)(lcg() & 0xff);
        ref[x[i]]++;
        dref += x[i];
        if (x[i] * 3 - 100 > mref)
            mref = x[i] * 3 - 100;
    }
    float fsum = 0;
    double dsum = 0;
    int imax = -1000;
    unsigned long long cnt = 0;
    unsigned *pb = bins;
    float *pf = &fsum;
    double *pd = &dsum;
    int *pi = &imax;
    unsigned long long *pc = &cnt;
    void *args[] = {&x, &n, &pb, &pf, &pd, &pi, &pc};
    CHECK(launch(kernel(&m, "histogram"), d3(64, 1, 1), d3(256, 1, 1), 0, args) == 0, "histogram launch");
    CHECK(!memcmp(bins, ref, sizeof bins), "histogram with atomicAdd on unsigned");
    CHECK(fsum == 0.5f * n || fabsf(fsum - 0.5f * n) < 1.0f, "float atomicAdd: %f vs %f", fsum, 0.5 * n);
    CHECK(dsum == dref, "double atomicAdd: %f vs %f", dsum, dref);
    CHECK(imax == mref, "atomicMax: %d vs %d", imax, mref);
    CHECK(cnt == (unsigned long long)n, "unsigned long long atomicAdd: %llu", cnt);

    unsigned ctr = 0, wrap = 0;
    int exch = 0;
    unsigned *pctr = &ctr, *pwrap = &wrap;
    int *pex = &exch;
    void *a2[] = {&pctr, &pwrap, &pex};
    CHECK(launch(kernel(&m, "cas_inc"), d3(50, 1, 1), d3(100, 1, 1), 0, a2) == 0, "cas launch");
    CHECK(ctr == 10000 && wrap == 5000 % 10 && exch == 7, "atomicCAS loop / atomicInc / atomicExch: %u %u %d",
          ctr, wrap, exch);
    free(x);
    unload(&m);
}

static const char *warp_src =
    "__device__ float warp_sum(float v)\n"
    "{\n"
    "    for (int o = warpSize / 2; o > 0; o /= 2)\n"
    "        v += __shfl_down_sync(0xffffffff, v, o);\n"
    "    return v;\n"
    "}\n"
    "extern \"C\" __global__ void shfl_reduce(const float *x, float *out, int n)\n"
    "{\n"
    "    int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
    "    float v = i < n ? x[i] : 0.0f;\n"
    "    v = warp_sum(v);\n"
    "    if ((threadIdx.x & 31) == 0) out[i / 32] = v;\n"
    "}\n"
    "extern \"C\" __global__ void shfl_misc(int *out)\n"
    "{\n"
    "    int lane = threadIdx.x & 31, w = threadIdx.x / 32;\n"
    "    int *o = out + (blockIdx.x * blockDim.x + threadIdx.x) * 6;\n"
    "    o[0] = __shfl_sync(0xffffffff, lane * 10 + w, 3);\n"
    "    o[1] = __shfl_up_sync(0xffffffff, lane, 2);\n"
    "    o[2] = __shfl_xor_sync(0xffffffff, lane, 5);\n"
    "    o[3] = (int)__ballot_sync(0xffffffff, lane % 3 == 0);\n"
    "    o[4] = __any_sync(0xffffffff, lane == 17) + 2 * __all_sync(0xffffffff, lane < 31);\n"
    "    o[5] = __shfl_down_sync(0xffffffff, (double)lane * 0.5, 1, 16) * 2.0;\n"
    "}\n";

static void test_warp(void)
{
    module m;
    int rc = build(&m, warp_src, NULL, 0, NULL, 0);
    CHECK(rc == 0, "warp kernels compile: %s", m.log ? m.log : "");
    if (rc) {
        unload(&m);
        return;
    }
    int n = 256 * 40 - 5, nw = 256 * 40 / 32;
    float *x = malloc(n * 4), *out = calloc(nw, 4);
    for (int i = 0; i < n; i++)
        x[i] = frand();
    void *args[] = {&x, &out, &n};
    CHECK(launch(kernel(&m, "shfl_reduce"), d3(40, 1, 1), d3(256, 1, 1), 0, args) == 0, "shfl launch");
    int ok = 1;
    for (int w = 0; w < nw; w++) {
        double r = 0;
        for (int i = w * 32; i < w * 32 + 32 && i < n; i++)
            r += x[i];
        ok &= fabs(out[w] - r) < 1e-4;
    }
    CHECK(ok, "warp-shuffle reduction (__shfl_down_sync)");

    int *o = calloc(2 * 64 * 6, sizeof(int));
    void *a2[] = {&o};
    CHECK(launch(kernel(&m, "shfl_misc"), d3(2, 1, 1), d3(64, 1, 1), 0, a2) == 0, "shfl_misc launch");
    ok = 1;
    for (int t = 0; t < 128; t++) {
        int lane = t % 32, w = (t % 64) / 32;
        int *r = o + t * 6;
        unsigned ballot = 0;
        for (int l = 0; l < 32; l += 3)
            ballot |= 1u << l;
        int down = (lane % 16) + 1 < 16 ? lane + 1 : lane;
        int e[6] = {30 + w, lane >= 2 ? lane - 2 : lane, lane ^ 5, (int)ballot, 1, down};
        for (int k = 0; k < 6; k++)
            if (r[k] != e[k]) {
                if (ok)
                    printf("  thread %d op %d: %d vs %d\n", t, k, r[k], e[k]);
                ok = 0;
            }
    }
    CHECK(ok, "__shfl_sync / up / xor / ballot / any / all / width-16 down on double");
    free(x);
    free(out);
    free(o);
    unload(&m);
}

static const char *transpose_src =
    "#define TILE 32\n"
    "#define ROWS 8\n"
    "extern \"C\" __global__ void transpose(float *out, const float *in, int w, int h)\n"
    "{\n"
    "    __shared__ float tile[TILE][TILE + 1];\n"
    "    int x = blockIdx.x * TILE + threadIdx.x, y = blockIdx.y * TILE + threadIdx.y;\n"
    "    for (int j = 0; j < TILE; j += ROWS)\n"
    "        if (x < w && y + j < h) tile[threadIdx.y + j][threadIdx.x] = in[(y + j) * w + x];\n"
    "    __syncthreads();\n"
    "    x = blockIdx.y * TILE + threadIdx.x;\n"
    "    y = blockIdx.x * TILE + threadIdx.y;\n"
    "    for (int j = 0; j < TILE; j += ROWS)\n"
    "        if (x < h && y + j < w) out[(y + j) * h + x] = tile[threadIdx.x][threadIdx.y + j];\n"
    "}\n"
    "extern \"C\" __global__ void index3d(int *out)\n"
    "{\n"
    "    int b = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);\n"
    "    int t = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);\n"
    "    int nt = blockDim.x * blockDim.y * blockDim.z;\n"
    "    out[b * nt + t] = threadIdx.x + 10 * threadIdx.y + 100 * threadIdx.z + 1000 * blockIdx.x\n"
    "                    + 10000 * blockIdx.y + 100000 * blockIdx.z;\n"
    "}\n";

static void test_transpose(void)
{
    module m;
    int rc = build(&m, transpose_src, NULL, 0, NULL, 0);
    CHECK(rc == 0, "transpose compiles: %s", m.log ? m.log : "");
    if (rc) {
        unload(&m);
        return;
    }
    int w = 300, h = 203;
    float *in = malloc(w * h * 4), *out = malloc(w * h * 4);
    for (int i = 0; i < w * h; i++)
        in[i] = frand(), out[i] = NAN;
    void *args[] = {&out, &in, &w, &h};
    CHECK(launch(kernel(&m, "transpose"), d3((w + 31) / 32, (h + 31) / 32, 1), d3(32, 8, 1), 0, args) == 0,
          "transpose launch");
    int ok = 1;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            ok &= out[x * h + y] == in[y * w + x];
    CHECK(ok, "2-D tiled transpose");

    int nt = 4 * 3 * 2, nb = 3 * 2 * 2;
    int *o = calloc(nt * nb, sizeof(int));
    void *a2[] = {&o};
    CHECK(launch(kernel(&m, "index3d"), d3(3, 2, 2), d3(4, 3, 2), 0, a2) == 0, "index3d launch");
    ok = 1;
    for (int bz = 0; bz < 2; bz++)
        for (int by = 0; by < 2; by++)
            for (int bx = 0; bx < 3; bx++)
                for (int tz = 0; tz < 2; tz++)
                    for (int ty = 0; ty < 3; ty++)
                        for (int tx = 0; tx < 4; tx++) {
                            int b = bx + 3 * (by + 2 * bz), t = tx + 4 * (ty + 3 * tz);
                            ok &= o[b * nt + t] == tx + 10 * ty + 100 * tz + 1000 * bx + 10000 * by + 100000 * bz;
                        }
    CHECK(ok, "3-D grid and block indices");
    free(in);
    free(out);
    free(o);
    unload(&m);
}

static const char *template_src =
    "#include <cuda_fp16.h>\n"
    "namespace ops {\n"
    "template <typename T, int K>\n"
    "__global__ void scale(T *x, T a, int n)\n"
    "{\n"
    "    int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
    "    if (i < n) x[i] = x[i] * a + (T)K;\n"
    "}\n"
    "}\n"
    "template <typename T>\n"
    "__global__ void fill(T *x, T v, int n)\n"
    "{\n"
    "    for (int i = threadIdx.x; i < n; i += blockDim.x) x[i] = v;\n"
    "}\n"
    "__global__ void cpp_kernel(int *x) { x[threadIdx.x] = threadIdx.x; }\n";

static void test_templates(void)
{
    module m;
    const char *names[] = {"ops::scale<float, 3>", "ops::scale<double, 1>", "fill<int>"};
    int rc = build(&m, template_src, names, 3, NULL, 0);
    CHECK(rc == 0, "template kernels compile: %s", m.log ? m.log : "");
    if (rc) {
        unload(&m);
        return;
    }
    CHECK(m.rw.num_lowered == 3 && m.rw.lowered[0] && m.rw.lowered[2], "lowered names for name expressions");
    const gahost_kernel_desc *kf = kernel(&m, m.rw.lowered[0]), *kd = kernel(&m, m.rw.lowered[1]);
    CHECK(kf && kd && kernel(&m, "fill<int>") && kernel(&m, "cpp_kernel"),
          "kernels found by lowered name, name expression and plain name");
    CHECK(kd && kd->param_sizes[0] == 8 && kd->param_sizes[1] == 8 && kd->param_sizes[2] == 4,
          "parameter sizes of scale<double, 1>");
    int n = 1000;
    float *xf = malloc(n * 4), *rf = malloc(n * 4), af = 1.5f;
    double *xd = malloc(n * 8), *rd = malloc(n * 8), ad = -0.25;
    for (int i = 0; i < n; i++) {
        xf[i] = frand();
        rf[i] = xf[i] * af + 3.0f;
        xd[i] = frand();
        rd[i] = xd[i] * ad + 1.0;
    }
    void *a1[] = {&xf, &af, &n}, *a2[] = {&xd, &ad, &n};
    CHECK(launch(kf, d3(4, 1, 1), d3(256, 1, 1), 0, a1) == 0, "scale<float, 3> launch");
    CHECK(launch(kd, d3(4, 1, 1), d3(256, 1, 1), 0, a2) == 0, "scale<double, 1> launch");
    int ok = 1;
    for (int i = 0; i < n; i++)
        ok &= xf[i] == rf[i] && xd[i] == rd[i];
    CHECK(ok, "template kernels through name expressions");
    free(xf);
    free(rf);
    free(xd);
    free(rd);
    unload(&m);
}

static const char *barrier_src =
    "extern \"C\" __global__ void early_return(const float *x, float *out, int n)\n"
    "{\n"
    "    __shared__ float s[128];\n"
    "    int t = threadIdx.x, i = blockIdx.x * blockDim.x + t;\n"
    "    if (i >= n) return;                 /* before the barrier */\n"
    "    s[t] = x[i];\n"
    "    __syncthreads();\n"
    "    int cnt = min((int)blockDim.x, n - (int)(blockIdx.x * blockDim.x));\n"
    "    out[i] = s[(t + 1) % cnt] - s[t];\n"
    "}\n"
    "extern \"C\" __global__ void sync_count(const float *x, int *out, int n)\n"
    "{\n"
    "    int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
    "    float v = i < n ? x[i] : -1.0f;\n"
    "    int c = __syncthreads_count(v > 0.0f);\n"
    "    int a = __syncthreads_and(v > -2.0f);\n"
    "    int o = __syncthreads_or(v > 0.999f);\n"
    "    int a2 = __syncthreads_and(v > 0.0f);\n"
    "    if (threadIdx.x == 0) { out[4 * blockIdx.x] = c; out[4 * blockIdx.x + 1] = a;\n"
    "                            out[4 * blockIdx.x + 2] = o; out[4 * blockIdx.x + 3] = a2; }\n"
    "}\n"
    /* locals of a fiber get the ABI's 16-byte stack alignment */
    "__device__ __noinline__ unsigned misalign(const void *p) { return (unsigned)((unsigned long long)p % 16); }\n"
    "extern \"C\" __global__ void stack_align(unsigned *out)\n"
    "{\n"
    "    __syncthreads();\n"
    "    alignas(16) char buf[16];\n"
    "    buf[0] = 1;\n"
    "    out[threadIdx.x] = misalign(buf) + buf[0] - 1;\n"
    "}\n"
    "extern \"C\" __global__ void divergent(int *out)\n"
    "{\n"
    "    if (threadIdx.x < 16) __syncthreads(); else __syncwarp();\n"
    "    out[threadIdx.x] = 1;\n"
    "}\n";

static void test_barriers(void)
{
    module m;
    int rc = build(&m, barrier_src, NULL, 0, NULL, 0);
    CHECK(rc == 0, "barrier kernels compile: %s", m.log ? m.log : "");
    if (rc) {
        unload(&m);
        return;
    }
    int n = 128 * 9 + 50;
    float *x = malloc(n * 4), *out = malloc(n * 4);
    for (int i = 0; i < n; i++)
        x[i] = frand();
    void *args[] = {&x, &out, &n};
    CHECK(launch(kernel(&m, "early_return"), d3(10, 1, 1), d3(128, 1, 1), 0, args) == 0, "early_return launch");
    int ok = 1;
    for (int i = 0; i < n; i++) {
        int b = i / 128, t = i % 128, cnt = n - b * 128 < 128 ? n - b * 128 : 128;
        ok &= out[i] == x[b * 128 + (t + 1) % cnt] - x[i];
    }
    CHECK(ok, "early return before __syncthreads");

    int nb = 12;
    n = 192 * nb - 100;
    float *y = malloc(192 * nb * 4);
    for (int i = 0; i < n; i++)
        y[i] = frand();
    int *o = calloc(4 * nb, sizeof(int));
    void *a2[] = {&y, &o, &n};
    CHECK(launch(kernel(&m, "sync_count"), d3(nb, 1, 1), d3(192, 1, 1), 0, a2) == 0, "sync_count launch");
    ok = 1;
    for (int b = 0; b < nb; b++) {
        int c = 0, any = 0, all = 1;
        for (int t = 0; t < 192; t++) {
            int i = b * 192 + t;
            float v = i < n ? y[i] : -1.0f;
            c += v > 0.0f;
            any |= v > 0.999f;
            all &= v > 0.0f;
        }
        ok &= o[4 * b] == c && o[4 * b + 1] == 1 && o[4 * b + 2] == any && o[4 * b + 3] == all;
    }
    CHECK(ok, "__syncthreads_count / _and / _or");

    unsigned al[96];
    unsigned *pal = al;
    memset(al, 0xff, sizeof al);
    void *a4[] = {&pal};
    CHECK(launch(kernel(&m, "stack_align"), d3(1, 1, 1), d3(96, 1, 1), 0, a4) == 0, "stack_align launch");
    ok = 1;
    for (int t = 0; t < 96; t++)
        ok &= al[t] == 0;
    CHECK(ok, "fiber stacks keep the ABI's 16-byte alignment (thread 1: %u)", al[1]);

    int *d = calloc(64, sizeof(int));
    void *a3[] = {&d};
    int st = kernel(&m, "divergent")->entry(a3, d3(2, 1, 1), d3(64, 1, 1), 0);
    CHECK(st == GAHOST_ERROR_DEADLOCK && strstr(api->last_error(), "different barriers"),
          "barriers in divergent code are reported, not a hang (%d: %s)", st, api->last_error());
    free(x);
    free(out);
    free(y);
    free(o);
    free(d);
    unload(&m);
}

static const char *half_src =
    "extern \"C\" __global__ void half_math(const __half *a, const __half *b, __half *c, float *f, int n)\n"
    "{\n"
    "    int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
    "    if (i >= n) return;\n"
    "    __half p = a[i] * b[i];\n"
    "    __half q = __hadd(p, a[i]);\n"
    "    c[i] = q - __float2half(0.5f);\n"
    "    f[i] = __half2float(hsqrt(__habs(a[i]))) + (float)max(a[i], b[i]);\n"
    "}\n"
    /* a kernel named like a libc function */
    "extern \"C\" __global__ void exp(float *y, const float *x, int n)\n"
    "{\n"
    "    int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
    "    if (i < n) y[i] = expf(x[i]) + __expf(0.0f) - 1.0f;\n"
    "}\n"
    "extern \"C\" __global__ void remove(float *y) { y[threadIdx.x] = rsqrtf(4.0f) + __saturatef(3.0f)\n"
    "    + __popc(0xF0u) + __clz(1) + __ffs(8) + (float)__brev(1u) * 0.0f + fminf(1.0f, 2.0f); }\n"
    "__constant__ float coef[4];\n"
    "extern \"C\" __global__ void use_const(float *y) { y[threadIdx.x] = coef[threadIdx.x] * 2.0f; }\n"
    /* the CUDA programming guide's fallback, compiled only below sm_60 */
    "#if __CUDA_ARCH__ < 600\n"
    "__device__ double atomicAdd(double *address, double val) { return 0; }\n"
    "#endif\n";

static void test_half_and_names(void)
{
    module m;
    int rc = build(&m, half_src, NULL, 0, NULL, 0);
    CHECK(rc == 0, "half / exp kernels compile: %s", m.log ? m.log : "");
    if (rc) {
        unload(&m);
        return;
    }
    int n = 1000;
    _Float16 *a = malloc(n * 2), *b = malloc(n * 2), *c = malloc(n * 2);
    float *f = malloc(n * 4);
    for (int i = 0; i < n; i++) {
        a[i] = (_Float16)(frand() * 4.0f);
        b[i] = (_Float16)(frand() * 4.0f);
    }
    void *args[] = {&a, &b, &c, &f, &n};
    CHECK(launch(kernel(&m, "half_math"), d3(4, 1, 1), d3(256, 1, 1), 0, args) == 0, "half launch");
    int ok = 1;
    for (int i = 0; i < n; i++) {
        _Float16 p = (_Float16)((float)a[i] * (float)b[i]);
        _Float16 q = (_Float16)((float)p + (float)a[i]);
        float rc_ = (float)(_Float16)((float)q - 0.5f);
        float rf = (float)(_Float16)sqrtf(fabsf((float)a[i])) + (float)(a[i] > b[i] ? a[i] : b[i]);
        if (fabsf((float)c[i] - rc_) > 1e-2f * (1 + fabsf(rc_)) || fabsf(f[i] - rf) > 1e-3f) {
            if (ok)
                printf("  half %d: %g vs %g, %g vs %g\n", i, (float)c[i], rc_, f[i], rf);
            ok = 0;
        }
    }
    CHECK(ok, "float16 arithmetic");

    float *x = malloc(n * 4), *y = malloc(n * 4);
    for (int i = 0; i < n; i++)
        x[i] = frand() * 3;
    void *a2[] = {&y, &x, &n};
    CHECK(launch(kernel(&m, "exp"), d3(4, 1, 1), d3(256, 1, 1), 0, a2) == 0, "exp launch");
    ok = 1;
    for (int i = 0; i < n; i++)
        ok &= fabsf(y[i] - expf(x[i])) <= 1e-5f * expf(x[i]);
    CHECK(ok, "a kernel named exp");

    float r[32];
    float *pr = r;
    void *a3[] = {&pr};
    CHECK(launch(kernel(&m, "remove"), d3(1, 1, 1), d3(32, 1, 1), 0, a3) == 0, "remove launch");
    CHECK(r[31] == 0.5f + 1 + 4 + 31 + 4 + 0 + 1, "a kernel named remove, intrinsics: %g", r[31]);

    float *coef = dlsym(m.dl, "coef");
    CHECK(coef != NULL, "__constant__ variable is exported for get_global");
    if (coef) {
        for (int i = 0; i < 4; i++)
            coef[i] = (float)i + 0.5f;
        void *a4[] = {&pr};
        launch(kernel(&m, "use_const"), d3(1, 1, 1), d3(4, 1, 1), 0, a4);
        CHECK(r[0] == 1.0f && r[3] == 7.0f, "__constant__ values reach the kernel");
    }
    free(a);
    free(b);
    free(c);
    free(f);
    free(x);
    free(y);
    unload(&m);
}

/* Common CUDA idioms the prelude must accept, with a std header and
 * `using namespace std` in force. */
static const char *sink_src =
    "#include <cstdint>\n"
    "#include <cmath>\n"
    "#include <cuda_runtime.h>\n"
    "#include <math_constants.h>\n"
    "using namespace std;\n"
    "struct __align__(16) Pt { float x, y, z, w; };\n"
    "static __device__ float sq(float v) { return v * v; }\n"
    "__host__ __device__ __forceinline__ float cube(float v) { return v * v * v; }\n"
    "__device__ __noinline__ int twice(int v) { return 2 * v; }\n"
    "template <typename T> __device__ T clampv(T v, T lo, T hi) { return max(lo, min(v, hi)); }\n"
    "__device__ int counter;\n"
    "__constant__ float table[3] = {1.0f, 2.0f, 3.0f};\n"
    "namespace detail { __device__ unsigned hash(unsigned x) { return x * 2654435761u; } }\n"
    "extern \"C\" __global__ void __launch_bounds__(256, 2)\n"
    "sink(const float *__restrict__ in, float *__restrict__ out, int n, Pt *pts)\n"
    "{\n"
    "    __shared__ Pt sp[32];\n"
    "    __shared__ int shared_count;\n"
    "    if (threadIdx.x == 0) shared_count = 0;\n"
    "    __syncthreads();\n"
    "    int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
    "    dim3 b = blockDim;\n"
    "    int lane = threadIdx.x % warpSize;\n"
    "    float v = i < n ? __ldg(&in[i]) : 0.0f;\n"
    "    float2 f2 = make_float2(v, 2.0f);\n"
    "    float4 f4 = make_float4(1, 2, 3, 4);\n"
    "    double d = sqrt((double)fabs(v)) + std::sqrt(2.0f) + sqrt(4.0f) + abs(-3) + fabsf(-1.0f);\n"
    "    if (isnan(v) || std::isinf(v)) d = 0;\n"
    "    int m = max(3, 4u) + min(2.0f, 3.0) + clampv(5, 0, 4);\n"
    "    auto lam = [&](float a) { return a * f2.y; };\n"
    "    #pragma unroll\n"
    "    for (int k = 0; k < 4; k++) d += k;\n"
    "    float w = __shfl_xor_sync(0xffffffffu, v, 1);\n"
    "    __syncwarp();\n"
    "    atomicAdd(&shared_count, 1);\n"
    "    atomicAdd(&counter, 1);\n"
    "    sp[lane].x = v;\n"
    "    __half2 h2 = __floats2half2_rn(1.0f, 2.0f);\n"
    "    __nv_bfloat16 bf = __float2bfloat16(3.0f);\n"
    "    float bsum = (float)bf + __low2float(h2) + CUDART_PI_F * 0.0f + table[2] + (float)b.x * 0.0f;\n"
    "    __syncthreads();\n"
    "    if (i < n) out[i] = (float)d + m + lam(1.0f) + f4.w + sq(2.0f) + cube(1.0f) + twice(1) + w * 0.0f\n"
    "                       + bsum + (shared_count == (int)blockDim.x ? 1.0f : -100.0f) + (detail::hash(1) ? 0.f : 1.f);\n"
    "    if (i == 0) printf(\"kitchen sink: printf from a kernel works (%d)\\n\", 42);\n"
    "    assert(n > 0);\n"
    "}\n";

static void test_kitchen_sink(void)
{
    module m;
    int rc = build(&m, sink_src, NULL, 0, NULL, 0);
    CHECK(rc == 0 && !strstr(m.log, "warning"), "common CUDA idioms compile cleanly: %s", m.log ? m.log : "");
    if (rc) {
        unload(&m);
        return;
    }
    int n = 1000;
    float *in = malloc(n * 4), *out = malloc(n * 4);
    for (int i = 0; i < n; i++)
        in[i] = frand();
    void *pts = NULL;
    void *args[] = {&in, &out, &n, &pts};
    int *counter = dlsym(m.dl, "counter");
    CHECK(launch(kernel(&m, "sink"), d3(4, 1, 1), d3(256, 1, 1), 0, args) == 0, "sink launch");
    int ok = 1;
    for (int i = 0; i < n; i++)
        ok &= fabs(out[i] - (sqrt(fabs((double)in[i])) + sqrt(2.0) + 43.0)) < 1e-4;
    CHECK(ok, "common CUDA idioms compute what they should (out[0] = %g)", out[0]);
    CHECK(counter && *counter == 1024, "__device__ variable counted every thread (%d)", counter ? *counter : -1);
    free(in);
    free(out);
    unload(&m);
}

/* Kernels the scanner must place entries for: in a namespace with a
 * default argument, defined twice under #if/#else, overloaded. */
static const char *variants_src =
    "namespace ns {\n"
    "struct P { float a; };\n"
    "__global__ void k(P *p, int n = 3) { p[threadIdx.x].a = (float)n; }\n"
    "}\n"
    "#ifdef USE_DOUBLE\n"
    "extern \"C\" __global__ void alt(double *x) { x[0] = 1; }\n"
    "#else\n"
    "extern \"C\" __global__ void alt(float *x) { x[0] = 2; }\n"
    "#endif\n"
    "__global__ void ov(int *x) { x[0] = 10; }\n"
    "__global__ void ov(float *x) { x[0] = 20.0f; }\n";

static void test_variants(void)
{
    module m;
    const char *names[] = {"ns::k"};
    int rc = build(&m, variants_src, names, 1, NULL, 0);
    CHECK(rc == 0, "kernel variants compile: %s", m.log ? m.log : "");
    if (rc) {
        unload(&m);
        return;
    }
    int alts = 0, ovs = 0;
    for (unsigned i = 0; i < m.desc->num_kernels; i++) {
        alts += !strcmp(m.desc->kernels[i].name, "alt");
        ovs += !strcmp(m.desc->kernels[i].name, "ov");
    }
    CHECK(m.desc->num_kernels == 5 && alts == 1 && ovs == 2,
          "one entry per live definition (%u kernels, %d alt, %d ov)", m.desc->num_kernels, alts, ovs);
    float p[4] = {0};
    float *pp = p;
    int n = 7;
    void *a1[] = {&pp, &n};
    CHECK(launch(kernel(&m, "ns::k"), d3(1, 1, 1), d3(2, 1, 1), 0, a1) == 0 && p[1] == 7.0f,
          "kernel in a namespace by qualified name");
    CHECK(launch(kernel(&m, m.rw.lowered[0]), d3(1, 1, 1), d3(3, 1, 1), 0, a1) == 0 && p[2] == 7.0f,
          "kernel in a namespace by name expression");
    void *a2[] = {&pp};
    CHECK(launch(kernel(&m, "alt"), d3(1, 1, 1), d3(1, 1, 1), 0, a2) == 0 && p[0] == 2.0f,
          "the #else definition is the live one");
    unload(&m);
}

/* Block-wide inclusive prefix sum from warp scans (__shfl_up_sync) and
 * barriers, on random block shapes (partial warps, 2-D and 3-D blocks) and
 * sizes that leave the last block partly empty (early returns). */
static const char *scan_src =
    "extern \"C\" __global__ void block_scan(const int *x, int *out, int *counts, int n)\n"
    "{\n"
    "    __shared__ int s[1024];\n"
    "    int t = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);\n"
    "    int nt = blockDim.x * blockDim.y * blockDim.z;\n"
    "    int i = blockIdx.x * nt + t;\n"
    "    if (i >= n) return;\n"
    "    int v = x[i], lane = t % 32;\n"
    "    for (int d = 1; d < 32; d *= 2) {\n"
    "        int y = __shfl_up_sync(0xffffffffu, v, d);\n"
    "        if (lane >= d) v += y;\n"
    "    }\n"
    "    s[t] = v;\n"
    "    __syncthreads();\n"
    "    int add = 0;\n"
    "    for (int k = 0; k < t / 32; k++) add += s[k * 32 + 31];\n"
    "    int c = __syncthreads_count(x[i] & 1);\n"
    "    out[i] = v + add;\n"
    "    if (t == 0) counts[blockIdx.x] = c;\n"
    "}\n";

static void test_scan_stress(void)
{
    module m;
    int rc = build(&m, scan_src, NULL, 0, NULL, 0);
    CHECK(rc == 0, "block_scan compiles: %s", m.log ? m.log : "");
    if (rc) {
        unload(&m);
        return;
    }
    int ok = 1;
    for (int rep = 0; rep < 40 && ok; rep++) {
        unsigned bx = 1 + lcg() % 64, by = 1 + lcg() % 8, bz = 1 + lcg() % 4;
        while (bx * by * bz > 1024)
            bx = 1 + bx / 2;
        int nt = (int)(bx * by * bz), nb = 1 + (int)(lcg() % 9);
        int n = nb * nt - (int)(lcg() % (unsigned)nt);
        int *x = malloc(n * sizeof(int)), *out = malloc(n * sizeof(int)), *cnt = malloc(nb * sizeof(int));
        for (int i = 0; i < n; i++)
            x[i] = (int)(lcg() % 100);
        void *args[] = {&x, &out, &cnt, &n};
        if (launch(kernel(&m, "block_scan"), d3(nb, 1, 1), d3(bx, by, bz), 0, args) != 0)
            ok = 0;
        for (int b = 0; b < nb && ok; b++) {
            int acc = 0, odd = 0;
            for (int t = 0; t < nt && b * nt + t < n; t++) {
                int i = b * nt + t;
                acc += x[i];
                odd += x[i] & 1;
                if (out[i] != acc) {
                    printf("  block (%u,%u,%u) #%d thread %d: %d vs %d\n", bx, by, bz, b, t, out[i], acc);
                    ok = 0;
                    break;
                }
            }
            if (ok && cnt[b] != odd) {
                printf("  block (%u,%u,%u) #%d count %d vs %d\n", bx, by, bz, b, cnt[b], odd);
                ok = 0;
            }
        }
        free(x);
        free(out);
        free(cnt);
    }
    CHECK(ok, "prefix sums by warp shuffles and barriers on random block shapes");
    unload(&m);
}

static void test_errors(void)
{
    module m;
    const char *bad =
        "extern \"C\" __global__ void k(float *x)\n"
        "{\n"
        "    x[threadIdx.x] = undeclared_thing;\n"
        "}\n";
    int rc = build(&m, bad, NULL, 0, NULL, 0);
    CHECK(rc == 1 && m.log && strstr(m.log, "kernel.cu:3:"), "compile error names the user's line: %s",
          m.log ? m.log : "");
    unload(&m);

    const char *asm_src =
        "extern \"C\" __global__ void k(unsigned *x)\n"
        "{\n"
        "    unsigned lane;\n"
        "    asm volatile(\"mov.u32 %0, %%laneid;\"\n"
        "                 : \"=r\"(lane));\n"
        "    x[threadIdx.x] = lane;\n"
        "}\n"
        "__device__ int after_asm_line(void) { return __LINE__; }\n"
        "extern \"C\" __global__ void line_check(int *x) { x[0] = after_asm_line(); }\n";
    rc = build(&m, asm_src, NULL, 0, NULL, 0);
    CHECK(rc == 1 && strstr(m.log, GAHOST_UNSUPPORTED_MARKER) && strstr(m.log, "kernel.cu:4:") &&
          m.rw.asm_line == 4, "inline asm is a compile error with the marker at its line: %s", m.log);
    unload(&m);

    /* the rewrite keeps lines: __LINE__ after edits is the user's line */
    const char *lines =
        "extern __shared__ float dyn[];   // line 1\n"
        "extern \"C\" __global__ void\n"
        "   lines(int *x)\n"
        "{\n"
        "    extern __shared__\n"
        "        float d2[];\n"
        "    x[0] = __LINE__; d2[0] = dyn[0];\n"
        "}\n";
    rc = build(&m, lines, NULL, 0, NULL, 0);
    CHECK(rc == 0, "multi-line declarations compile: %s", m.log);
    if (!rc) {
        int v = 0, *pv = &v;
        void *a[] = {&pv};
        launch(kernel(&m, "lines"), d3(1, 1, 1), d3(1, 1, 1), 4, a);
        CHECK(v == 7, "__LINE__ after rewritten declarations is the user's line (%d)", v);
    }
    unload(&m);

    /* NVRTC options are translated or dropped */
    const char *opt_src = "extern \"C\" __global__ void k(int *x) { x[0] = FOO + BAR; }\n";
    const char *opts[] = {"-arch=sm_80", "--std=c++14", "-DFOO=40", "--define-macro=BAR=2", "-lineinfo",
                          "--use_fast_math", "-arch", "compute_80"};
    rc = build(&m, opt_src, NULL, 0, opts, 8);
    CHECK(rc == 0, "NVRTC options translated: %s", m.log);
    if (!rc) {
        int v = 0, *pv = &v;
        void *a[] = {&pv};
        launch(kernel(&m, "k"), d3(1, 1, 1), d3(1, 1, 1), 0, a);
        CHECK(v == 42, "-D options reach the source (%d)", v);
        int st = kernel(&m, "k")->entry(a, d3(1, 1, 1), d3(2048, 1, 1), 0);
        CHECK(st == GAHOST_ERROR_LAUNCH, "a 2048-thread block is refused (%d)", st);
    }
    unload(&m);
}

/* Two threads launching at once (two streams): both grids complete. */
typedef struct concurrent_arg {
    const gahost_kernel_desc *k;
    int n;
    float a, *x, *y;
    int status;
} concurrent_arg;

static void *concurrent_main(void *p)
{
    concurrent_arg *c = p;
    for (int r = 0; r < 20 && !c->status; r++) {
        void *args[] = {&c->n, &c->a, &c->x, &c->y};
        c->status = c->k->entry(args, d3((c->n + 127) / 128, 1, 1), d3(128, 1, 1), 0);
    }
    return NULL;
}

static void test_concurrent(void)
{
    module m;
    if (build(&m, saxpy_src, NULL, 0, NULL, 0)) {
        CHECK(0, "saxpy compiles for the concurrency test");
        unload(&m);
        return;
    }
    concurrent_arg c[2];
    pthread_t th[2];
    for (int t = 0; t < 2; t++) {
        c[t].k = kernel(&m, "saxpy");
        c[t].n = 200000 + t * 1111;
        c[t].a = 1.0f;
        c[t].x = malloc(c[t].n * 4);
        c[t].y = calloc(c[t].n, 4);
        c[t].status = 0;
        for (int i = 0; i < c[t].n; i++)
            c[t].x[i] = (float)(i % 7);
        pthread_create(&th[t], NULL, concurrent_main, &c[t]);
    }
    int ok = 1;
    for (int t = 0; t < 2; t++) {
        pthread_join(th[t], NULL);
        ok &= c[t].status == 0;
        for (int i = 0; i < c[t].n; i++)
            ok &= c[t].y[i] == 20.0f * (float)(i % 7);
        free(c[t].x);
        free(c[t].y);
    }
    CHECK(ok, "two threads launching grids concurrently");
    unload(&m);
}

/* ------------------------------------------------------------ timing */

typedef void (*plain_fn)(int lo, int hi, float a, const float *x, float *y);
typedef struct plain_arg {
    plain_fn f;
    int lo, hi;
    float a;
    const float *x;
    float *y;
} plain_arg;

static void *plain_main(void *p)
{
    plain_arg *a = p;
    a->f(a->lo, a->hi, a->a, a->x, a->y);
    return NULL;
}

static void timing(void)
{
    module m, pm;
    const char *plain_src =
        "extern \"C\" __attribute__((visibility(\"default\")))\n"
        "void saxpy_plain(int lo, int hi, float a, const float *x, float *y)\n"
        "{ for (int i = lo; i < hi; i++) y[i] = a * x[i] + y[i]; }\n";
    if (build(&m, saxpy_src, NULL, 0, NULL, 0) || build(&pm, plain_src, NULL, 0, NULL, 0)) {
        CHECK(0, "timing modules compile");
        return;
    }
    plain_fn pf = (plain_fn)dlsym(pm.dl, "saxpy_plain");
    const gahost_kernel_desc *k = kernel(&m, "saxpy");
    int n = 16 << 20, nt = api->num_threads();
    float a = 2.0f, *x, *y;
    if (posix_memalign((void **)&x, 64, (size_t)n * 4) || posix_memalign((void **)&y, 64, (size_t)n * 4))
        return;
    for (int i = 0; i < n; i++)
        x[i] = 1.0f, y[i] = 2.0f;
    void *args[] = {&n, &a, &x, &y};
    double best_k = 1e9, best_p = 1e9;
    const char *reps_env = getenv("GAHOST_TEST_REPS");
    int nrep = reps_env && atoi(reps_env) > 0 ? atoi(reps_env) : 15;
    for (int rep = 0; rep < nrep; rep++) {
        double t0 = now();
        k->entry(args, d3((n + 255) / 256, 1, 1), d3(256, 1, 1), 0);
        double t1 = now();
        pthread_t th[64];
        plain_arg pa[64];
        int per = (n + nt - 1) / nt;
        for (int t = 0; t < nt && t < 64; t++) {
            pa[t] = (plain_arg){pf, t * per, (t + 1) * per < n ? (t + 1) * per : n, a, x, y};
            pthread_create(&th[t], NULL, plain_main, &pa[t]);
        }
        for (int t = 0; t < nt && t < 64; t++)
            pthread_join(th[t], NULL);
        double t2 = now();
        if (t1 - t0 < best_k)
            best_k = t1 - t0;
        if (t2 - t1 < best_p)
            best_p = t2 - t1;
    }
    printf("  saxpy 16M floats, %d threads: host runtime %.2f ms, plain C -O2 loop %.2f ms, ratio %.2fx\n",
           nt, best_k * 1e3, best_p * 1e3, best_k / best_p);

    /* launch overhead: one block, one thread; and 64 blocks of 64 */
    int one = 1;
    void *a1[] = {&one, &a, &x, &y};
    double t0 = now();
    int reps = 20000;
    for (int r = 0; r < reps; r++)
        k->entry(a1, d3(1, 1, 1), d3(1, 1, 1), 0);
    double t1 = now();
    int small = 4096;
    void *a2[] = {&small, &a, &x, &y};
    for (int r = 0; r < reps / 10; r++)
        k->entry(a2, d3(64, 1, 1), d3(64, 1, 1), 0);
    double t2 = now();
    printf("  launch overhead: 1x1 grid %.2f us, 64x64 grid %.2f us\n", (t1 - t0) / reps * 1e6,
           (t2 - t1) / (reps / 10) * 1e6);
    free(x);
    free(y);
    unload(&m);
    unload(&pm);
}

static void timing_barrier(void)
{
    module m;
    if (build(&m, reduce_src, NULL, 0, NULL, 0))
        return;
    int n = 4 << 20, nb = n / 256;
    float *x = malloc((size_t)n * 4), *out = malloc((size_t)nb * 4);
    for (int i = 0; i < n; i++)
        x[i] = 1.0f;
    void *args[] = {&x, &out, &n};
    double best = 1e9;
    for (int r = 0; r < 5; r++) {
        double t0 = now();
        kernel(&m, "block_sum")->entry(args, d3(nb, 1, 1), d3(256, 1, 1), 0);
        double t = now() - t0;
        best = t < best ? t : best;
    }
    /* 9 barriers per thread */
    printf("  block reduction with barriers, 4M floats: %.2f ms (%.1f ns per thread-barrier)\n", best * 1e3,
           best / ((double)n * 9) * 1e9 * api->num_threads());
    free(x);
    free(out);
    unload(&m);
}

/* --------------------------------------------------------------- main */

static int load_runtime(void)
{
    char path[PATH_MAX + 32];
    const char *env = getenv("GAHOST_RUNTIME_LIB");
    if (env && *env) {
        snprintf(path, sizeof path, "%s", env);
    } else {
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n <= 0)
            return -1;
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        *slash = '\0';
        snprintf(path, sizeof path, "%s/" GAHOST_RUNTIME_SONAME, exe);
    }
    void *h = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
    if (!h) {
        printf("cannot load %s: %s\n", path, dlerror());
        return -1;
    }
    const gahost_api *(*get)(unsigned) = (const gahost_api *(*)(unsigned))dlsym(h, "gahost_get_api");
    api = get ? get(GAHOST_ABI_VERSION) : NULL;
    return api ? 0 : -1;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (load_runtime()) {
        printf("0 passed, 1 failed\n");
        return 1;
    }
    if (system("command -v ${GPUARRAY_HOST_CXX:-${CXX:-g++}} >/dev/null 2>&1") != 0) {
        printf("skipped: no C++ compiler (g++) on PATH\n");
        return 77;
    }
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    printf("host runtime: %s, prelude %s, %d threads\n", api->runtime_dir(),
           api->prelude_path() ? api->prelude_path() : "(missing)", api->num_threads());
    test_saxpy();
    test_shared();
    test_atomics();
    test_warp();
    test_transpose();
    test_templates();
    test_barriers();
    test_half_and_names();
    test_kitchen_sink();
    test_variants();
    test_scan_stress();
    test_errors();
    test_concurrent();
    if (!getenv("GAHOST_TEST_NO_TIMING")) {
        timing();
        timing_barrier();
    }
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        printf("note: could not remove %s\n", tmpdir);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
