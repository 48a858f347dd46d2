/* test_fft.c - the FFT plans and wrapped streams of the public C API on
 * whichever backend is active: layout checks (every backend), cuFFT found
 * without a GPU, and on CUDA batched, strided C2C/R2C/C2R transforms
 * against a direct DFT in double, plus a wrapped foreign stream that
 * gpuarray never destroys. Exit 77 (skipped) where there is no backend. */
#include "gpuarray.h"

#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double PI = 3.14159265358979323846;

static int failures;

static void check(int ok, const char *what)
{
    printf("%s %s", ok ? "ok  " : "FAIL", what);
    if (!ok) {
        printf(" (%s)", ga_last_error());
        failures++;
    }
    putchar('\n');
}

static void expect(ga_status got, ga_status want, const char *what)
{
    int ok = got == want;
    printf("%s %s", ok ? "ok  " : "FAIL", what);
    if (!ok) {
        printf(": got %s, want %s (%s)", ga_status_name(got), ga_status_name(want), ga_last_error());
        failures++;
    }
    putchar('\n');
}

static uint64_t lcg = 0x9E3779B97F4A7C15ULL;

static float rnd(void)
{
    lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
    return (float)(lcg >> 40) / (float)(1 << 24) * 2.0f - 1.0f;
}

static ga_fft_layout contiguous(int64_t n, int64_t batch)
{
    ga_fft_layout l = { .rank = 1, .n = { n }, .inembed = { n }, .istride = 1, .idist = n,
                        .onembed = { n }, .ostride = 1, .odist = n, .batch = batch };
    return l;
}

static void layout_checks(ga_device *dev)
{
    ga_fft_plan *p = NULL;
    ga_fft_layout l = contiguous(16, 2);
    l.rank = 0;
    expect(ga_fft_plan_create(dev, GA_FFT_C2C, GA_FLOAT32, &l, &p), GA_ERROR_INVALID_VALUE, "rank 0");
    l = contiguous(0, 2);
    expect(ga_fft_plan_create(dev, GA_FFT_C2C, GA_FLOAT32, &l, &p), GA_ERROR_INVALID_VALUE, "n = 0");
    l = contiguous(16, 0);
    expect(ga_fft_plan_create(dev, GA_FFT_C2C, GA_FLOAT32, &l, &p), GA_ERROR_INVALID_VALUE, "batch 0");
    l = contiguous(16, 2);
    l.istride = 0;
    expect(ga_fft_plan_create(dev, GA_FFT_C2C, GA_FLOAT32, &l, &p), GA_ERROR_INVALID_VALUE, "stride 0");
    ga_fft_layout l2 = { .rank = 2, .n = { 4, 8 }, .inembed = { 4, 7 }, .istride = 1, .idist = 32,
                         .onembed = { 4, 8 }, .ostride = 1, .odist = 32, .batch = 1 };
    expect(ga_fft_plan_create(dev, GA_FFT_C2C, GA_FLOAT32, &l2, &p), GA_ERROR_INVALID_VALUE,
           "inembed smaller than n");
    l2.inembed[1] = 8;
    l2.onembed[1] = 4;   /* R2C writes 8/2+1 = 5 complex per row */
    expect(ga_fft_plan_create(dev, GA_FFT_R2C, GA_FLOAT32, &l2, &p), GA_ERROR_INVALID_VALUE,
           "R2C onembed smaller than n/2+1");
    l = contiguous(16, 2);
    expect(ga_fft_plan_create(dev, GA_FFT_C2C, GA_FLOAT16, &l, &p), GA_ERROR_UNSUPPORTED, "float16");
}

/* y[b][k] = sum_j x[b][j] exp(-+2 pi i jk/n), in double. */
static void dft(const float complex *x, double complex *y, int n, int batch, int inverse)
{
    for (int b = 0; b < batch; b++)
        for (int k = 0; k < n; k++) {
            double complex s = 0;
            for (int j = 0; j < n; j++)
                s += x[b * n + j] * cexp((inverse ? 2 : -2) * PI * I * j * k / n);
            y[b * n + k] = s;
        }
}

static double max_err_c(const float complex *got, const double complex *want, int count)
{
    double e = 0, m = 1e-30;
    for (int i = 0; i < count; i++) {
        e = fmax(e, cabs(got[i] - want[i]));
        m = fmax(m, cabs(want[i]));
    }
    return e / m;
}

static void cuda_transforms(ga_device *dev)
{
    enum { N = 45, B = 7 };    /* odd, not a power of two; batched */
    float complex *h = malloc(sizeof *h * N * B), *got = malloc(sizeof *got * N * B);
    double complex *want = malloc(sizeof *want * N * B);
    for (int i = 0; i < N * B; i++)
        h[i] = rnd() + I * rnd();
    ga_buffer *in, *out;
    size_t bytes = sizeof *h * N * B;
    check(ga_buffer_alloc(dev, bytes, NULL, &in) == GA_OK && ga_buffer_alloc(dev, bytes, NULL, &out) == GA_OK,
          "alloc");
    ga_memcpy_htod(dev, ga_buffer_ptr(in), h, bytes, NULL);

    /* C2C both ways, contiguous batches. */
    ga_fft_layout l = contiguous(N, B);
    ga_fft_plan *p = NULL;
    expect(ga_fft_plan_create(dev, GA_FFT_C2C, GA_FLOAT32, &l, &p), GA_OK, "C2C plan");
    size_t ws = 0;
    expect(ga_fft_plan_work_size(p, &ws), GA_OK, "work size");
    for (int inverse = 0; inverse < 2; inverse++) {
        expect(ga_fft_execute(p, NULL, ga_buffer_ptr(in), ga_buffer_ptr(out), inverse), GA_OK, "C2C execute");
        ga_memcpy_dtoh(dev, got, ga_buffer_ptr(out), bytes, NULL);
        dft(h, want, N, B, inverse);
        check(max_err_c(got, want, N * B) < 1e-5, inverse ? "C2C inverse = DFT" : "C2C forward = DFT");
    }
    expect(ga_fft_plan_destroy(p), GA_OK, "destroy");

    /* Strided: B transforms of N along the columns of an N x B matrix
     * (istride B, idist 1), the layout of numpy's axis=0. */
    ga_fft_layout col = { .rank = 1, .n = { N }, .inembed = { N }, .istride = B, .idist = 1,
                          .onembed = { N }, .ostride = B, .odist = 1, .batch = B };
    expect(ga_fft_plan_create(dev, GA_FFT_C2C, GA_FLOAT32, &col, &p), GA_OK, "strided plan");
    expect(ga_fft_execute(p, NULL, ga_buffer_ptr(in), ga_buffer_ptr(out), 0), GA_OK, "strided execute");
    ga_memcpy_dtoh(dev, got, ga_buffer_ptr(out), bytes, NULL);
    float complex *t = malloc(sizeof *t * N * B), *gt = malloc(sizeof *gt * N * B);
    for (int j = 0; j < N; j++)
        for (int b = 0; b < B; b++)
            t[b * N + j] = h[j * B + b], gt[b * N + j] = got[j * B + b];
    dft(t, want, N, B, 0);
    check(max_err_c(gt, want, N * B) < 1e-5, "strided C2C = DFT of the columns");
    expect(ga_fft_execute(p, NULL, ga_buffer_ptr(in), ga_buffer_ptr(out), 1), GA_OK, "C2C runs inverse too");
    ga_fft_plan_destroy(p);

    /* R2C then C2R: the round trip gives N times the input. */
    float *r = malloc(sizeof *r * N * B), *rb = malloc(sizeof *rb * N * B);
    for (int i = 0; i < N * B; i++)
        r[i] = rnd();
    ga_memcpy_htod(dev, ga_buffer_ptr(in), r, sizeof *r * N * B, NULL);
    int H = N / 2 + 1;
    ga_fft_layout r2c = { .rank = 1, .n = { N }, .inembed = { N }, .istride = 1, .idist = N,
                          .onembed = { H }, .ostride = 1, .odist = H, .batch = B };
    ga_fft_layout c2r = { .rank = 1, .n = { N }, .inembed = { H }, .istride = 1, .idist = H,
                          .onembed = { N }, .ostride = 1, .odist = N, .batch = B };
    ga_fft_plan *pf = NULL, *pb = NULL;
    expect(ga_fft_plan_create(dev, GA_FFT_R2C, GA_FLOAT32, &r2c, &pf), GA_OK, "R2C plan");
    expect(ga_fft_plan_create(dev, GA_FFT_C2R, GA_FLOAT32, &c2r, &pb), GA_OK, "C2R plan");
    expect(ga_fft_execute(pf, NULL, ga_buffer_ptr(in), ga_buffer_ptr(out), 1), GA_ERROR_INVALID_VALUE,
           "R2C refuses inverse");
    expect(ga_fft_execute(pf, NULL, ga_buffer_ptr(in), ga_buffer_ptr(out), 0), GA_OK, "R2C execute");
    expect(ga_fft_execute(pb, NULL, ga_buffer_ptr(out), ga_buffer_ptr(in), 1), GA_OK, "C2R execute");
    ga_memcpy_dtoh(dev, rb, ga_buffer_ptr(in), sizeof *rb * N * B, NULL);
    double e = 0;
    for (int i = 0; i < N * B; i++)
        e = fmax(e, fabs(rb[i] / N - r[i]));
    check(e < 1e-5, "C2R(R2C(x)) = N x");
    ga_fft_plan_destroy(pf);
    ga_fft_plan_destroy(pb);

    /* A stream made elsewhere (here: by gpuarray, standing for another
     * library), wrapped, used, and freed: the original still works. */
    ga_stream *owner = NULL, *wrapped = NULL;
    expect(ga_stream_create(dev, GA_STREAM_NON_BLOCKING, &owner), GA_OK, "stream");
    expect(ga_stream_wrap(dev, ga_stream_native(owner), &wrapped), GA_OK, "wrap");
    check(ga_stream_native(wrapped) == ga_stream_native(owner), "same handle");
    expect(ga_fft_plan_create(dev, GA_FFT_C2C, GA_FLOAT32, &l, &p), GA_OK, "plan for the stream");
    ga_memcpy_htod(dev, ga_buffer_ptr(in), h, bytes, NULL);
    expect(ga_fft_execute(p, wrapped, ga_buffer_ptr(in), ga_buffer_ptr(out), 0), GA_OK,
           "execute on the wrapped stream");
    expect(ga_stream_synchronize(dev, wrapped), GA_OK, "synchronize wrapped");
    ga_memcpy_dtoh(dev, got, ga_buffer_ptr(out), bytes, NULL);
    dft(h, want, N, B, 0);
    check(max_err_c(got, want, N * B) < 1e-5, "FFT on the wrapped stream = DFT");
    ga_fft_plan_destroy(p);
    expect(ga_stream_destroy(wrapped), GA_OK, "free the wrapper");
    expect(ga_stream_synchronize(dev, owner), GA_OK, "the wrapped stream is still alive");
    expect(ga_stream_destroy(owner), GA_OK, "its owner destroys it");

    ga_buffer_free(in);
    ga_buffer_free(out);
    free(h), free(got), free(want), free(t), free(gt), free(r), free(rb);
}

int main(void)
{
    ga_status st = ga_init();
    if (st != GA_OK) {
        printf("skip: no backend (%s)\n", ga_last_error());
        return 77;
    }
    ga_device *dev;
    if (ga_device_get(0, &dev) != GA_OK) {
        printf("skip: no device (%s)\n", ga_last_error());
        return 77;
    }
    const char *path = NULL;
    int version = 0;
    st = ga_fft_library(&path, &version);
    if (st == GA_OK)
        printf("cuFFT %d at %s\n", version, path);
    else
        printf("cuFFT not found: %s\n", ga_last_error());
    layout_checks(dev);
    if (strcmp(ga_backend_name(), "cuda") == 0) {
        cuda_transforms(dev);
    } else {
        ga_fft_plan *p = NULL;
        ga_fft_layout l = contiguous(16, 2);
        expect(ga_fft_plan_create(dev, GA_FFT_C2C, GA_FLOAT32, &l, &p), GA_ERROR_UNSUPPORTED,
               "no plans on the host backend");
        ga_stream *s = NULL, *w = NULL;
        expect(ga_stream_create(dev, 0, &s), GA_OK, "host stream");
        expect(ga_stream_wrap(dev, ga_stream_native(s), &w), GA_ERROR_UNSUPPORTED,
               "no foreign streams on the host backend");
        ga_stream_destroy(s);
    }
    printf("%s\n", failures ? "FAILED" : "all passed");
    return failures ? 1 : 0;
}
