/* host_blas.c - the host backend's gemm: operands packed into float (or
 * double) planes, a blocked loop the compiler vectorizes, rows split over
 * the cores. float16/bfloat16 accumulate in float and round once, as
 * cuBLAS does with a 32-bit compute type. Blocking: the stream is
 * synchronized first and the product is done when the call returns. */
#pragma GCC optimize("O3")
#include "host_backend.h"

#include <stdlib.h>
#include <string.h>


/* ---------------------------------------------------- 16-bit conversions */

static float half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (man << 13);
    } else if (exp == 0) {
        float f = (float)man * 5.9604644775390625e-08f;   /* 2^-24 */
        return sign ? -f : f;
    } else {
        bits = sign | ((exp + 112) << 23) | (man << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static uint16_t float_to_half(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
    uint32_t ax = x & 0x7fffffffu;
    if (ax >= 0x7f800000u)                       /* inf, nan */
        return sign | 0x7c00 | (ax > 0x7f800000u ? 0x200 : 0);
    if (ax >= 0x477ff000u)                       /* rounds past 65504 */
        return sign | 0x7c00;
    if (ax < 0x38800000u) {                      /* subnormal half (or 0) */
        float a;
        memcpy(&a, &ax, 4);
        float v = a * 16777216.0f;                /* 2^24: units of the smallest subnormal */
        uint32_t i = (uint32_t)v;
        float frac = v - (float)i;
        if (frac > 0.5f || (frac == 0.5f && (i & 1)))   /* ties to even; no libm */
            i++;
        return sign | (uint16_t)i;
    }
    uint32_t r = ax + 0xfffu + ((ax >> 13) & 1); /* round to nearest even */
    return sign | (uint16_t)((r - 0x38000000u) >> 13);
}

static float bf16_to_float(uint16_t h)
{
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static uint16_t float_to_bf16(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    if ((x & 0x7fffffffu) > 0x7f800000u)
        return (uint16_t)((x >> 16) | 0x40);
    x += 0x7fffu + ((x >> 16) & 1);
    return (uint16_t)(x >> 16);
}

/* --------------------------------------------------------------- packing */

/* A packed operand: rows x cols of the compute type, real and (complex
 * only) imaginary planes, row-major. */
typedef struct plane {
    void *re, *im;
} plane;

static int is_double(ga_dtype t) { return t == GA_FLOAT64 || t == GA_COMPLEX128; }
static int is_complex(ga_dtype t) { return t == GA_COMPLEX64 || t == GA_COMPLEX128; }

/* Element (r, c) of op(X), X at `base` with leading dimension ld. */
static void load(ga_dtype t, const char *base, int64_t off, double *re, double *im)
{
    switch (t) {
    case GA_FLOAT16: *re = half_to_float(((const uint16_t *)base)[off]); *im = 0; break;
    case GA_BFLOAT16: *re = bf16_to_float(((const uint16_t *)base)[off]); *im = 0; break;
    case GA_FLOAT32: *re = ((const float *)base)[off]; *im = 0; break;
    case GA_FLOAT64: *re = ((const double *)base)[off]; *im = 0; break;
    case GA_COMPLEX64: *re = ((const float *)base)[2 * off]; *im = ((const float *)base)[2 * off + 1]; break;
    default: *re = ((const double *)base)[2 * off]; *im = ((const double *)base)[2 * off + 1]; break;
    }
}

/* Pack rows [r0, r1) of op(X) (rows x cols overall) into p. */
static void pack(ga_dtype t, const char *x, int64_t ld, ga_blas_op op, int64_t r0, int64_t r1,
                 int64_t cols, plane p)
{
    int dbl = is_double(t), cx = is_complex(t);
    for (int64_t r = r0; r < r1; r++) {
        for (int64_t c = 0; c < cols; c++) {
            int64_t off = op == GA_BLAS_N ? r * ld + c : c * ld + r;
            double re, im;
            load(t, x, off, &re, &im);
            if (op == GA_BLAS_C)
                im = -im;
            int64_t i = (r - r0) * cols + c;
            if (dbl) {
                ((double *)p.re)[i] = re;
                if (cx)
                    ((double *)p.im)[i] = im;
            } else {
                ((float *)p.re)[i] = (float)re;
                if (cx)
                    ((float *)p.im)[i] = (float)im;
            }
        }
    }
}

static ga_status plane_alloc(plane *p, int64_t count, ga_dtype t)
{
    size_t es = is_double(t) ? sizeof(double) : sizeof(float);
    size_t n = (size_t)(count > 0 ? count : 1);
    p->re = calloc(n, es);
    p->im = is_complex(t) ? calloc(n, es) : NULL;
    if (!p->re || (is_complex(t) && !p->im)) {
        free(p->re);
        free(p->im);
        p->re = p->im = NULL;
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "ga_gemm: out of host memory packing operands");
    }
    return GA_OK;
}

static void plane_free(plane *p)
{
    free(p->re);
    free(p->im);
}

/* ------------------------------------------------------------- the loop */

enum { KB = 256, NB = 512 };

/* acc[rows x n] += a[rows x k] b[k x n], all packed; real or complex. */
#define DEFINE_KERNEL(T, NAME)                                                                  \
    static void NAME(int64_t rows, int64_t n, int64_t k, const T *restrict ar, const T *restrict ai, \
                     const T *restrict br, const T *restrict bi, T *restrict cr, T *restrict ci) \
    {                                                                                           \
        for (int64_t p0 = 0; p0 < k; p0 += KB) {                                                \
            int64_t p1 = p0 + KB < k ? p0 + KB : k;                                             \
            for (int64_t j0 = 0; j0 < n; j0 += NB) {                                            \
                int64_t jn = (j0 + NB < n ? j0 + NB : n) - j0;                                  \
                for (int64_t i = 0; i < rows; i++) {                                            \
                    T *restrict c = cr + i * n + j0;                                            \
                    if (!ai) {                                                                  \
                        int64_t p = p0;                                                         \
                        for (; p + 4 <= p1; p += 4) {                                           \
                            const T a0 = ar[i * k + p], a1 = ar[i * k + p + 1];                 \
                            const T a2 = ar[i * k + p + 2], a3 = ar[i * k + p + 3];             \
                            const T *b0 = br + p * n + j0, *b1 = b0 + n, *b2 = b1 + n, *b3 = b2 + n; \
                            for (int64_t j = 0; j < jn; j++)                                    \
                                c[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];      \
                        }                                                                       \
                        for (; p < p1; p++) {                                                   \
                            const T a0 = ar[i * k + p];                                         \
                            const T *b0 = br + p * n + j0;                                      \
                            for (int64_t j = 0; j < jn; j++)                                    \
                                c[j] += a0 * b0[j];                                             \
                        }                                                                       \
                    } else {                                                                    \
                        T *restrict d = ci + i * n + j0;                                        \
                        for (int64_t p = p0; p < p1; p++) {                                     \
                            const T xr = ar[i * k + p], xi = ai[i * k + p];                     \
                            const T *yr = br + p * n + j0, *yi = bi + p * n + j0;               \
                            for (int64_t j = 0; j < jn; j++) {                                  \
                                c[j] += xr * yr[j] - xi * yi[j];                                \
                                d[j] += xr * yi[j] + xi * yr[j];                                \
                            }                                                                   \
                        }                                                                       \
                    }                                                                           \
                }                                                                               \
            }                                                                                   \
        }                                                                                       \
    }

DEFINE_KERNEL(float, kernel_f)
DEFINE_KERNEL(double, kernel_d)

/* C[r0..r1) = alpha acc + beta C. */
static void store(const ga_gemm_desc *g, char *cbase, int64_t r0, int64_t r1, plane acc)
{
    ga_dtype t = g->dtype;
    int dbl = is_double(t), cx = is_complex(t);
    int beta0 = g->beta[0] == 0 && g->beta[1] == 0;
    for (int64_t r = r0; r < r1; r++) {
        for (int64_t j = 0; j < g->n; j++) {
            int64_t i = (r - r0) * g->n + j;
            double xr = dbl ? ((double *)acc.re)[i] : ((float *)acc.re)[i];
            double xi = !cx ? 0 : dbl ? ((double *)acc.im)[i] : ((float *)acc.im)[i];
            double vr = g->alpha[0] * xr - (cx ? g->alpha[1] * xi : 0);
            double vi = cx ? g->alpha[0] * xi + g->alpha[1] * xr : 0;
            int64_t off = r * g->ldc + j;
            if (!beta0) {
                double cr, ci;
                load(t, cbase, off, &cr, &ci);
                vr += g->beta[0] * cr - (cx ? g->beta[1] * ci : 0);
                vi += cx ? g->beta[0] * ci + g->beta[1] * cr : 0;
            }
            switch (t) {
            case GA_FLOAT16: ((uint16_t *)cbase)[off] = float_to_half((float)vr); break;
            case GA_BFLOAT16: ((uint16_t *)cbase)[off] = float_to_bf16((float)vr); break;
            case GA_FLOAT32: ((float *)cbase)[off] = (float)vr; break;
            case GA_FLOAT64: ((double *)cbase)[off] = vr; break;
            case GA_COMPLEX64: ((float *)cbase)[2 * off] = (float)vr; ((float *)cbase)[2 * off + 1] = (float)vi; break;
            default: ((double *)cbase)[2 * off] = vr; ((double *)cbase)[2 * off + 1] = vi; break;
            }
        }
    }
}

/* One unit of work: rows [r0, r1) of batch entries [b0, b1). `bp` is the
 * shared packed B when the work splits rows of one entry, else NULL (the
 * worker packs its own). */
typedef struct work {
    const ga_gemm_desc *g;
    int64_t b0, b1, r0, r1;
    const plane *bp;
    ga_status st;
    pthread_t thread;
} work;

static ga_status run_rows(const ga_gemm_desc *g, int64_t b, int64_t r0, int64_t r1, const plane *shared_b)
{
    size_t es = ga_dtype_size(g->dtype);
    const char *a = (const char *)(uintptr_t)g->a + b * g->stride_a * (int64_t)es;
    const char *bb = (const char *)(uintptr_t)g->b + b * g->stride_b * (int64_t)es;
    char *c = (char *)(uintptr_t)g->c + b * g->stride_c * (int64_t)es;
    plane ap = { 0 }, bp = { 0 }, acc = { 0 };
    ga_status st = plane_alloc(&ap, (r1 - r0) * g->k, g->dtype);
    if (st == GA_OK)
        st = plane_alloc(&acc, (r1 - r0) * g->n, g->dtype);
    if (st == GA_OK && !shared_b) {
        st = plane_alloc(&bp, g->k * g->n, g->dtype);
        if (st == GA_OK)
            pack(g->dtype, bb, g->ldb, g->transb, 0, g->k, g->n, bp);
    }
    if (st == GA_OK) {
        const plane *B = shared_b ? shared_b : &bp;
        pack(g->dtype, a, g->lda, g->transa, r0, r1, g->k, ap);
        if (is_double(g->dtype))
            kernel_d(r1 - r0, g->n, g->k, ap.re, ap.im, B->re, B->im, acc.re, acc.im);
        else
            kernel_f(r1 - r0, g->n, g->k, ap.re, ap.im, B->re, B->im, acc.re, acc.im);
        store(g, c, r0, r1, acc);
    }
    plane_free(&ap);
    plane_free(&bp);
    plane_free(&acc);
    return st;
}

static void *worker(void *arg)
{
    work *w = arg;
    w->st = GA_OK;
    for (int64_t b = w->b0; b < w->b1 && w->st == GA_OK; b++)
        w->st = run_rows(w->g, b, w->r0, w->r1, w->bp);
    return NULL;
}

/* Run works[0..count) on threads (the first on the caller). */
static ga_status run_all(work *works, int count)
{
    int started = 1;
    for (int i = 1; i < count; i++) {
        if (pthread_create(&works[i].thread, NULL, worker, &works[i]) != 0)
            break;
        started++;
    }
    for (int i = started; i < count; i++)   /* no thread to spare: do it here */
        worker(&works[i]);
    worker(&works[0]);
    ga_status st = GA_OK;
    for (int i = 1; i < count; i++) {
        if (i < started)
            pthread_join(works[i].thread, NULL);
        if (works[i].st != GA_OK && st == GA_OK)
            st = works[i].st;
    }
    return works[0].st != GA_OK ? works[0].st : st;
}

ga_status ga_host_gemm(ga_device *dev, void *stream, const ga_gemm_desc *g)
{
    ga_status st = ga_backend->stream_synchronize(dev, stream);
    if (st != GA_OK)
        return st;
    double flops = (double)g->m * (double)g->n * (double)(g->k ? g->k : 1) * (double)g->batch;
    int threads = host_thread_count();
    int want = (int)(flops / (1 << 18)) + 1;   /* ~0.1 ms of work per thread at least */
    if (threads > want)
        threads = want;
    if (threads > 256)
        threads = 256;
    if (threads < 1)
        threads = 1;
    work works[256];
    if (g->batch >= threads) {
        /* Whole entries per thread. */
        for (int i = 0; i < threads; i++)
            works[i] = (work){ .g = g, .b0 = g->batch * i / threads, .b1 = g->batch * (i + 1) / threads,
                               .r0 = 0, .r1 = g->m, .bp = NULL };
        return run_all(works, threads);
    }
    /* Few entries: rows of each split over the threads, sharing packed B. */
    int per = threads;
    if (per > g->m)
        per = (int)g->m;
    size_t es = ga_dtype_size(g->dtype);
    for (int64_t b = 0; b < g->batch; b++) {
        plane bp = { 0 };
        st = plane_alloc(&bp, g->k * g->n, g->dtype);
        if (st != GA_OK)
            return st;
        pack(g->dtype, (const char *)(uintptr_t)g->b + b * g->stride_b * (int64_t)es, g->ldb, g->transb,
             0, g->k, g->n, bp);
        for (int i = 0; i < per; i++)
            works[i] = (work){ .g = g, .b0 = b, .b1 = b + 1, .r0 = g->m * i / per,
                               .r1 = g->m * (i + 1) / per, .bp = &bp };
        st = run_all(works, per);
        plane_free(&bp);
        if (st != GA_OK)
            return st;
    }
    return GA_OK;
}
