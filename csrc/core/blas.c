/* blas.c - ga_gemm and ga_gemm_strided_batched: argument checks, then the
 * backend's gemm slot (cuBLAS on CUDA, a blocked loop on the host). */
#include "ga_private.h"

#include <limits.h>

static int gemm_dtype_ok(ga_dtype t)
{
    return t == GA_FLOAT16 || t == GA_BFLOAT16 || t == GA_FLOAT32 || t == GA_FLOAT64
           || t == GA_COMPLEX64 || t == GA_COMPLEX128;
}

static int64_t max1(int64_t v) { return v > 1 ? v : 1; }

ga_status ga_gemm_strided_batched(ga_device *device, ga_stream *stream, ga_blas_op transa,
                                  ga_blas_op transb, int64_t m, int64_t n, int64_t k,
                                  ga_dtype dtype, const double alpha[2], ga_devptr A,
                                  int64_t lda, int64_t stride_a, ga_devptr B, int64_t ldb,
                                  int64_t stride_b, const double beta[2], ga_devptr C,
                                  int64_t ldc, int64_t stride_c, int64_t batch)
{
    if (stream)
        device = stream->device;
    if (!device)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_gemm: device is NULL");
    if (!alpha || !beta)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_gemm: alpha or beta is NULL");
    if (!gemm_dtype_ok(dtype))
        return ga_error(GA_ERROR_UNSUPPORTED, "ga_gemm: dtype %s is not supported (float16, "
                        "bfloat16, float32, float64, complex64 and complex128 are)",
                        ga_dtype_name(dtype));
    if ((unsigned)transa > GA_BLAS_C || (unsigned)transb > GA_BLAS_C)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_gemm: transa/transb must be GA_BLAS_N, _T or _C");
    if (m < 0 || n < 0 || k < 0 || batch < 0)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_gemm: negative size (m=%lld n=%lld k=%lld batch=%lld)",
                        (long long)m, (long long)n, (long long)k, (long long)batch);
    int64_t need_a = transa == GA_BLAS_N ? max1(k) : max1(m);
    int64_t need_b = transb == GA_BLAS_N ? max1(n) : max1(k);
    if (lda < need_a || ldb < need_b || ldc < max1(n))
        return ga_error(GA_ERROR_INVALID_VALUE,
                        "ga_gemm: leading dimension too small (lda=%lld needs >= %lld, ldb=%lld "
                        "needs >= %lld, ldc=%lld needs >= %lld; row-major)",
                        (long long)lda, (long long)need_a, (long long)ldb, (long long)need_b,
                        (long long)ldc, (long long)max1(n));
    if (m == 0 || n == 0 || batch == 0)
        return GA_OK;
    ga_status st = ga_device_enter(device);
    if (st != GA_OK)
        return st;
    if (!ga_backend->gemm)
        return ga_error(GA_ERROR_UNSUPPORTED, "ga_gemm: the %s backend has no gemm", ga_backend->name);
    ga_gemm_desc g = {
        .dtype = dtype, .transa = transa, .transb = transb, .m = m, .n = n, .k = k,
        .alpha = { alpha[0], alpha[1] }, .beta = { beta[0], beta[1] },
        .a = A, .b = B, .c = C, .lda = lda, .ldb = ldb, .ldc = ldc,
        .stride_a = stride_a, .stride_b = stride_b, .stride_c = stride_c, .batch = batch,
    };
    return ga_backend->gemm(device, stream ? stream->native : NULL, &g);
}

ga_status ga_gemm(ga_device *device, ga_stream *stream, ga_blas_op transa, ga_blas_op transb,
                  int64_t m, int64_t n, int64_t k, ga_dtype dtype, const double alpha[2],
                  ga_devptr A, int64_t lda, ga_devptr B, int64_t ldb, const double beta[2],
                  ga_devptr C, int64_t ldc)
{
    return ga_gemm_strided_batched(device, stream, transa, transb, m, n, k, dtype, alpha, A, lda, 0,
                                   B, ldb, 0, beta, C, ldc, 0, 1);
}
