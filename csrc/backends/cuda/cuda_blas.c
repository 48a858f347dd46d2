/* cuda_blas.c - the CUDA backend's gemm: cuBLAS (loaded at first use) on
 * the row-major problem turned column-major, C^T = op(B)^T op(A)^T. */
#include "ga_private.h"
#include "handle_pool.h"
#include "libcublas.h"

#include <limits.h>
#include <stdlib.h>

/* Idle cuBLAS handles per device (handle_pool.h): a busy process holds as
 * many as it runs gemms at once. */
typedef struct handle_node {
    ga_pooled link;
    cublasHandle_t handle;
} handle_node;

static ga_handle_pool pool = GA_HANDLE_POOL_INIT;

static ga_status cublas_fail(cublasStatus_t s, const char *what)
{
    const char *name = ga_cublas_status_name(s);
    const char *text = ga_cublas.cublasGetStatusString ? ga_cublas.cublasGetStatusString(s) : NULL;
    ga_status st = s == GA_CUBLAS_STATUS_ALLOC_FAILED ? GA_ERROR_OUT_OF_MEMORY
                   : s == GA_CUBLAS_STATUS_ARCH_MISMATCH || s == GA_CUBLAS_STATUS_NOT_SUPPORTED
                       ? GA_ERROR_UNSUPPORTED : GA_ERROR_DRIVER;
    return ga_error_driver(st, s, name, "%s: %s (%s)", what, name, text ? text : "cuBLAS error");
}

/* The device's context is current (ga_device_enter ran). */
static ga_status handle_take(ga_device *dev, handle_node **out)
{
    handle_node *n = ga_pool_take(&pool, dev->ordinal);
    if (n) {
        *out = n;
        return GA_OK;
    }
    ga_status st = ga_cublas_load();
    if (st != GA_OK)
        return st;
    n = malloc(sizeof *n);
    if (!n)
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "ga_gemm: out of host memory");
    cublasStatus_t s = ga_cublas.cublasCreate_v2(&n->handle);
    if (s != GA_CUBLAS_STATUS_SUCCESS) {
        free(n);
        return cublas_fail(s, "cublasCreate");
    }
    *out = n;
    return GA_OK;
}

static void handle_give(ga_device *dev, handle_node *n)
{
    if (ga_pool_give(&pool, dev->ordinal, n))
        return;
    ga_cublas.cublasDestroy_v2(n->handle);
    free(n);
}

ga_status ga_cuda_gemm(ga_device *dev, void *stream, const ga_gemm_desc *g)
{
    int dtype, compute;
    union { float f[2]; double d[2]; } alpha, beta;
    switch (g->dtype) {
    case GA_FLOAT16: dtype = GA_CUDA_R_16F; compute = GA_CUBLAS_COMPUTE_32F; break;
    case GA_BFLOAT16: dtype = GA_CUDA_R_16BF; compute = GA_CUBLAS_COMPUTE_32F; break;
    case GA_FLOAT32: dtype = GA_CUDA_R_32F; compute = GA_CUBLAS_COMPUTE_32F; break;
    case GA_FLOAT64: dtype = GA_CUDA_R_64F; compute = GA_CUBLAS_COMPUTE_64F; break;
    case GA_COMPLEX64: dtype = GA_CUDA_C_32F; compute = GA_CUBLAS_COMPUTE_32F; break;
    case GA_COMPLEX128: dtype = GA_CUDA_C_64F; compute = GA_CUBLAS_COMPUTE_64F; break;
    default:
        return ga_error(GA_ERROR_UNSUPPORTED, "ga_gemm: dtype %s not supported by cuBLAS",
                        ga_dtype_name(g->dtype));
    }
    /* The scale type follows the compute type: float (or cuComplex) for
     * 32F, double (or cuDoubleComplex) for 64F. */
    if (compute == GA_CUBLAS_COMPUTE_32F) {
        alpha.f[0] = (float)g->alpha[0], alpha.f[1] = (float)g->alpha[1];
        beta.f[0] = (float)g->beta[0], beta.f[1] = (float)g->beta[1];
    } else {
        alpha.d[0] = g->alpha[0], alpha.d[1] = g->alpha[1];
        beta.d[0] = g->beta[0], beta.d[1] = g->beta[1];
    }
    if (g->m > INT_MAX || g->n > INT_MAX || g->k > INT_MAX || g->lda > INT_MAX || g->ldb > INT_MAX
        || g->ldc > INT_MAX)
        return ga_error(GA_ERROR_UNSUPPORTED, "ga_gemm: a size or leading dimension is more than "
                        "cuBLAS's int can hold");

    handle_node *h = NULL;
    ga_status st = handle_take(dev, &h);
    if (st != GA_OK)
        return st;
    cublasStatus_t s = ga_cublas.cublasSetStream_v2(h->handle, (CUstream)stream);
    if (s != GA_CUBLAS_STATUS_SUCCESS) {
        st = cublas_fail(s, "cublasSetStream");
        goto done;
    }
    /* Row-major C (m x n) is column-major C^T (n x m): swap the operands
     * and their sizes; each operand's op stays what it was. */
    int64_t left = 0;
    while (left < g->batch) {
        int64_t count = g->batch - left;
        if (count > INT_MAX)
            count = INT_MAX;
        ga_devptr a = g->a + (ga_devptr)(left * g->stride_a * (int64_t)ga_dtype_size(g->dtype));
        ga_devptr b = g->b + (ga_devptr)(left * g->stride_b * (int64_t)ga_dtype_size(g->dtype));
        ga_devptr c = g->c + (ga_devptr)(left * g->stride_c * (int64_t)ga_dtype_size(g->dtype));
        if (count == 1)
            s = ga_cublas.cublasGemmEx(h->handle, (int)g->transb, (int)g->transa, (int)g->n, (int)g->m,
                                       (int)g->k, &alpha, (const void *)(uintptr_t)b, dtype,
                                       (int)g->ldb, (const void *)(uintptr_t)a, dtype, (int)g->lda,
                                       &beta, (void *)(uintptr_t)c, dtype, (int)g->ldc, compute,
                                       GA_CUBLAS_GEMM_DEFAULT);
        else
            s = ga_cublas.cublasGemmStridedBatchedEx(
                h->handle, (int)g->transb, (int)g->transa, (int)g->n, (int)g->m, (int)g->k, &alpha,
                (const void *)(uintptr_t)b, dtype, (int)g->ldb, g->stride_b,
                (const void *)(uintptr_t)a, dtype, (int)g->lda, g->stride_a, &beta,
                (void *)(uintptr_t)c, dtype, (int)g->ldc, g->stride_c, (int)count, compute,
                GA_CUBLAS_GEMM_DEFAULT);
        if (s != GA_CUBLAS_STATUS_SUCCESS) {
            st = cublas_fail(s, count == 1 ? "cublasGemmEx" : "cublasGemmStridedBatchedEx");
            goto done;
        }
        left += count;
    }
done:
    handle_give(dev, h);
    return st;
}
