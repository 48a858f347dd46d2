/* cuda_solver.c - the CUDA backend's solver slot: cuSOLVER's dense API
 * (loaded at first use) over column-major batches, one call per matrix
 * with one workspace for the whole batch. */
#include "ga_private.h"
#include "handle_pool.h"
#include "libcusolver.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* Idle handles per device (handle_pool.h), as cuda_blas.c keeps cuBLAS's,
 * with the per-handle state of the calls that need some. */
typedef struct solver_handle {
    ga_pooled link;
    cusolverDnHandle_t handle;
    cusolverDnParams_t params;
    gesvdjInfo_t gesvdj;         /* created at the first GESVDJ (defaults: eps, 100 sweeps) */
    cublasHandle_t blas;         /* created at the first GETRF/GETRS_BATCHED */
    syevjInfo_t syevj;           /* created at the first batched SYEVD (defaults) */
} solver_handle;

static ga_handle_pool pool = GA_HANDLE_POOL_INIT;

static ga_status cusolver_fail(cusolverStatus_t s, const char *what)
{
    const char *name = ga_cusolver_status_name(s);
    ga_status st = s == GA_CUSOLVER_STATUS_ALLOC_FAILED ? GA_ERROR_OUT_OF_MEMORY
                   : s == GA_CUSOLVER_STATUS_ARCH_MISMATCH || s == GA_CUSOLVER_STATUS_NOT_SUPPORTED
                       ? GA_ERROR_UNSUPPORTED : GA_ERROR_DRIVER;
    return ga_error_driver(st, s, name, "%s: %s", what, name);
}

#define CHECK(call, what)                                                     \
    do {                                                                      \
        cusolverStatus_t s_ = (call);                                         \
        if (s_ != GA_CUSOLVER_STATUS_SUCCESS) {                               \
            st = cusolver_fail(s_, what);                                     \
            goto done;                                                        \
        }                                                                     \
    } while (0)

/* The device's context is current (ga_device_enter ran). */
static ga_status handle_take(ga_device *dev, solver_handle **out)
{
    solver_handle *n = ga_pool_take(&pool, dev->ordinal);
    if (n) {
        *out = n;
        return GA_OK;
    }
    ga_status st = ga_cusolver_load();
    if (st != GA_OK)
        return st;
    n = calloc(1, sizeof *n);
    if (!n)
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "ga_solver: out of host memory");
    cusolverStatus_t s = ga_cusolver.cusolverDnCreate(&n->handle);
    if (s != GA_CUSOLVER_STATUS_SUCCESS) {
        free(n);
        return cusolver_fail(s, "cusolverDnCreate");
    }
    s = ga_cusolver.cusolverDnCreateParams(&n->params);
    if (s != GA_CUSOLVER_STATUS_SUCCESS) {
        ga_cusolver.cusolverDnDestroy(n->handle);
        free(n);
        return cusolver_fail(s, "cusolverDnCreateParams");
    }
    *out = n;
    return GA_OK;
}

static void handle_give(ga_device *dev, solver_handle *n)
{
    if (ga_pool_give(&pool, dev->ordinal, n))
        return;
    if (n->gesvdj)
        ga_cusolver.cusolverDnDestroyGesvdjInfo(n->gesvdj);
    if (n->blas)
        ga_cublas.cublasDestroy_v2(n->blas);
    if (n->syevj)
        ga_cusolver.cusolverDnDestroySyevjInfo(n->syevj);
    ga_cusolver.cusolverDnDestroyParams(n->params);
    ga_cusolver.cusolverDnDestroy(n->handle);
    free(n);
}

static int data_type(ga_dtype t)
{
    switch (t) {
    case GA_FLOAT32: return GA_CUDA_R_32F;
    case GA_FLOAT64: return GA_CUDA_R_64F;
    case GA_COMPLEX64: return GA_CUDA_C_32F;
    default: return GA_CUDA_C_64F;
    }
}

/* The real type of a (complex) type: singular values and eigenvalues. */
static int real_type(ga_dtype t)
{
    return t == GA_FLOAT32 || t == GA_COMPLEX64 ? GA_CUDA_R_32F : GA_CUDA_R_64F;
}

static void *at(ga_devptr base, int64_t index, size_t elem)
{
    return base ? (void *)(uintptr_t)(base + (ga_devptr)(index * (int64_t)elem)) : NULL;
}

/* cuSOLVER wants a leading dimension >= 1 even for an output it does not
 * compute. */
static int64_t max_ld(int64_t ld) { return ld > 1 ? ld : 1; }

ga_status ga_cuda_solver_library(const char **path)
{
    ga_status st = ga_cusolver_load();
    if (st != GA_OK)
        return st;
    *path = ga_cusolver_path();
    return GA_OK;
}

/* A device array of `count` matrix addresses base + i*stride elements (the
 * batched APIs' input), allocated on `stream`. */
static ga_status pointer_array(ga_device *dev, ga_stream *stream, ga_devptr base, int64_t stride,
                               size_t es, int64_t count, ga_buffer **out)
{
    size_t nbytes = (size_t)count * sizeof(void *);
    void **ptrs = malloc(nbytes);
    if (!ptrs)
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "ga_solver: out of host memory");
    for (int64_t i = 0; i < count; i++)
        ptrs[i] = at(base, i * stride, es);
    ga_status st = ga_buffer_alloc(dev, nbytes, stream, out);
    if (st == GA_OK) {
        /* pageable source: returns once ptrs may be reused */
        st = ga_memcpy_htod_async(dev, (*out)->ptr, ptrs, nbytes, stream);
        if (st != GA_OK) {
            ga_buffer_free(*out);
            *out = NULL;
        }
    }
    free(ptrs);
    return st;
}

typedef cusolverStatus_t (*gesvdj_size_fn)(cusolverDnHandle_t, int, int, int, int, const void *,
                                           int, const void *, const void *, int, const void *, int,
                                           int *, gesvdjInfo_t);
typedef cusolverStatus_t (*gesvdj_fn)(cusolverDnHandle_t, int, int, int, int, void *, int, void *,
                                      void *, int, void *, int, void *, int, int *, gesvdjInfo_t);

static void gesvdj_for(ga_dtype t, gesvdj_size_fn *size, gesvdj_fn *run)
{
    switch (t) {
    case GA_FLOAT32:
        *size = ga_cusolver.cusolverDnSgesvdj_bufferSize, *run = ga_cusolver.cusolverDnSgesvdj;
        break;
    case GA_FLOAT64:
        *size = ga_cusolver.cusolverDnDgesvdj_bufferSize, *run = ga_cusolver.cusolverDnDgesvdj;
        break;
    case GA_COMPLEX64:
        *size = ga_cusolver.cusolverDnCgesvdj_bufferSize, *run = ga_cusolver.cusolverDnCgesvdj;
        break;
    default:
        *size = ga_cusolver.cusolverDnZgesvdj_bufferSize, *run = ga_cusolver.cusolverDnZgesvdj;
        break;
    }
}

/* Matrices up to this order in stacks of at least two go to
 * cusolverDn<t>potrfBatched, one launch for the stack, rather than one
 * Xpotrf per matrix (which pays a launch sequence per matrix). */
#define POTRF_BATCHED_MAX_N 256

typedef cusolverStatus_t (*potrf_batched_fn)(cusolverDnHandle_t, int, int, void **, int, int *,
                                             int);

static potrf_batched_fn potrf_batched_for(const ga_solver_desc *d)
{
    if (d->op != GA_SOLVER_POTRF || d->batch < 2 || d->batch > INT_MAX
        || d->n > POTRF_BATCHED_MAX_N || d->lda > INT_MAX)
        return NULL;
    switch (d->dtype) {
    case GA_FLOAT32: return ga_cusolver.cusolverDnSpotrfBatched;
    case GA_FLOAT64: return ga_cusolver.cusolverDnDpotrfBatched;
    case GA_COMPLEX64: return ga_cusolver.cusolverDnCpotrfBatched;
    default: return ga_cusolver.cusolverDnZpotrfBatched;
    }
}

/* The whole POTRF stack in one call: the matrices' addresses go to the
 * device as the array the batched API reads. */
static ga_status potrf_batched(ga_device *dev, ga_stream *stream, cusolverDnHandle_t H,
                               potrf_batched_fn fn, const ga_solver_desc *d, ga_devptr info)
{
    ga_buffer *array = NULL;
    ga_status st = pointer_array(dev, stream, d->a, d->stride_a, ga_dtype_size(d->dtype), d->batch,
                                 &array);
    if (st != GA_OK)
        return st;
    cusolverStatus_t s = fn(H, d->lower ? GA_CUBLAS_FILL_MODE_LOWER : GA_CUBLAS_FILL_MODE_UPPER,
                            (int)d->n, (void **)(uintptr_t)array->ptr, (int)d->lda,
                            (int *)(uintptr_t)info, (int)d->batch);
    if (s != GA_CUSOLVER_STATUS_SUCCESS)
        st = cusolver_fail(s, "cusolverDn<t>potrfBatched");
    ga_buffer_free(array);   /* stream-ordered: after the launch that reads it */
    return st;
}

static ga_status cublas_fail_solver(cublasStatus_t s, const char *what)
{
    const char *name = ga_cublas_status_name(s);
    ga_status st = s == GA_CUBLAS_STATUS_ALLOC_FAILED ? GA_ERROR_OUT_OF_MEMORY
                   : s == GA_CUBLAS_STATUS_NOT_SUPPORTED ? GA_ERROR_UNSUPPORTED : GA_ERROR_DRIVER;
    return ga_error_driver(st, s, name, "%s: %s", what, name);
}

/* SYEVD on a stack of at least two contiguous matrices up to 32 x 32 (the
 * Jacobi solver's limit) runs as one <t>syevjBatched/<t>heevjBatched launch
 * instead of one Xsyevd per matrix; its eigenvalues come sorted ascending
 * like syevd's, its info is n + 1 for a matrix that did not converge. */
#define SYEVJ_BATCHED_MAX_N 32

typedef cusolverStatus_t (*syevj_size_fn)(cusolverDnHandle_t, int, int, int, const void *, int,
                                          const void *, int *, syevjInfo_t, int);
typedef cusolverStatus_t (*syevj_fn)(cusolverDnHandle_t, int, int, int, void *, int, void *,
                                     void *, int, int *, syevjInfo_t, int);

static int syevj_batched_fits(const ga_solver_desc *d)
{
    return d->op == GA_SOLVER_SYEVD && d->batch >= 2 && d->batch <= INT_MAX
           && d->n <= SYEVJ_BATCHED_MAX_N && d->stride_a == d->lda * d->n
           && d->stride_w == d->n;
}

static ga_status syevj_batched(ga_device *dev, ga_stream *stream, solver_handle *h,
                               const ga_solver_desc *d, ga_devptr info)
{
    syevj_size_fn size;
    syevj_fn run;
    switch (d->dtype) {
    case GA_FLOAT32:
        size = ga_cusolver.cusolverDnSsyevjBatched_bufferSize;
        run = ga_cusolver.cusolverDnSsyevjBatched;
        break;
    case GA_FLOAT64:
        size = ga_cusolver.cusolverDnDsyevjBatched_bufferSize;
        run = ga_cusolver.cusolverDnDsyevjBatched;
        break;
    case GA_COMPLEX64:
        size = ga_cusolver.cusolverDnCheevjBatched_bufferSize;
        run = ga_cusolver.cusolverDnCheevjBatched;
        break;
    default:
        size = ga_cusolver.cusolverDnZheevjBatched_bufferSize;
        run = ga_cusolver.cusolverDnZheevjBatched;
        break;
    }
    if (!h->syevj) {
        cusolverStatus_t s = ga_cusolver.cusolverDnCreateSyevjInfo(&h->syevj);
        if (s != GA_CUSOLVER_STATUS_SUCCESS) {
            h->syevj = NULL;
            return cusolver_fail(s, "cusolverDnCreateSyevjInfo");
        }
    }
    const int jobz = d->vectors ? GA_CUSOLVER_EIG_MODE_VECTOR : GA_CUSOLVER_EIG_MODE_NOVECTOR;
    const int uplo = d->lower ? GA_CUBLAS_FILL_MODE_LOWER : GA_CUBLAS_FILL_MODE_UPPER;
    void *A = (void *)(uintptr_t)d->a, *W = (void *)(uintptr_t)d->w;
    int lwork = 0;
    cusolverStatus_t s = size(h->handle, jobz, uplo, (int)d->n, A, (int)d->lda, W, &lwork,
                              h->syevj, (int)d->batch);
    if (s != GA_CUSOLVER_STATUS_SUCCESS)
        return cusolver_fail(s, "cusolverDn<t>syevjBatched_bufferSize");
    ga_buffer *work = NULL;
    ga_status st = GA_OK;
    if (lwork > 0) {
        st = ga_buffer_alloc(dev, (size_t)lwork * ga_dtype_size(d->dtype), stream, &work);
        if (st != GA_OK)
            return st;
    }
    s = run(h->handle, jobz, uplo, (int)d->n, A, (int)d->lda, W,
            work ? (void *)(uintptr_t)work->ptr : NULL, lwork, (int *)(uintptr_t)info, h->syevj,
            (int)d->batch);
    if (s != GA_CUSOLVER_STATUS_SUCCESS)
        st = cusolver_fail(s, "cusolverDn<t>syevjBatched");
    if (work)
        ga_buffer_free(work);
    return st;
}

/* GETRF_BATCHED / GETRS_BATCHED: cuBLAS's batched LU, one launch for the
 * whole stack. */
static ga_status lu_batched(ga_device *dev, ga_stream *stream, solver_handle *h,
                            const ga_solver_desc *d, ga_devptr info)
{
    ga_status st = ga_cublas_load();
    if (st != GA_OK)
        return st;
    if (!h->blas) {
        cublasStatus_t s = ga_cublas.cublasCreate_v2(&h->blas);
        if (s != GA_CUBLAS_STATUS_SUCCESS) {
            h->blas = NULL;
            return cublas_fail_solver(s, "cublasCreate");
        }
    }
    cublasStatus_t s = ga_cublas.cublasSetStream_v2(h->blas,
                                                    stream ? (CUstream)stream->native : NULL);
    if (s != GA_CUBLAS_STATUS_SUCCESS)
        return cublas_fail_solver(s, "cublasSetStream");
    size_t es = ga_dtype_size(d->dtype);
    ga_buffer *aptrs = NULL, *bptrs = NULL;
    st = pointer_array(dev, stream, d->a, d->stride_a, es, d->batch, &aptrs);
    if (st != GA_OK)
        return st;
    void *const *A = (void *const *)(uintptr_t)aptrs->ptr;
    int n = (int)d->n, lda = (int)d->lda, batch = (int)d->batch;
    if (d->op == GA_SOLVER_GETRF_BATCHED) {
        int *P = (int *)(uintptr_t)d->ipiv, *I = (int *)(uintptr_t)info;
        switch (d->dtype) {
        case GA_FLOAT32: s = ga_cublas.cublasSgetrfBatched(h->blas, n, A, lda, P, I, batch); break;
        case GA_FLOAT64: s = ga_cublas.cublasDgetrfBatched(h->blas, n, A, lda, P, I, batch); break;
        case GA_COMPLEX64: s = ga_cublas.cublasCgetrfBatched(h->blas, n, A, lda, P, I, batch); break;
        default: s = ga_cublas.cublasZgetrfBatched(h->blas, n, A, lda, P, I, batch); break;
        }
        if (s != GA_CUBLAS_STATUS_SUCCESS)
            st = cublas_fail_solver(s, "cublas<t>getrfBatched");
    } else {
        st = pointer_array(dev, stream, d->b, d->stride_b, es, d->batch, &bptrs);
        if (st == GA_OK) {
            void *const *B = (void *const *)(uintptr_t)bptrs->ptr;
            const int *P = (const int *)(uintptr_t)d->ipiv;
            int k = (int)d->k, ldb = (int)d->ldb, host_info = 0;
            const void *const *Ac = (const void *const *)A;
            switch (d->dtype) {
            case GA_FLOAT32:
                s = ga_cublas.cublasSgetrsBatched(h->blas, d->trans, n, k, Ac, lda, P, B, ldb,
                                                  &host_info, batch);
                break;
            case GA_FLOAT64:
                s = ga_cublas.cublasDgetrsBatched(h->blas, d->trans, n, k, Ac, lda, P, B, ldb,
                                                  &host_info, batch);
                break;
            case GA_COMPLEX64:
                s = ga_cublas.cublasCgetrsBatched(h->blas, d->trans, n, k, Ac, lda, P, B, ldb,
                                                  &host_info, batch);
                break;
            default:
                s = ga_cublas.cublasZgetrsBatched(h->blas, d->trans, n, k, Ac, lda, P, B, ldb,
                                                  &host_info, batch);
                break;
            }
            if (s != GA_CUBLAS_STATUS_SUCCESS)
                st = cublas_fail_solver(s, "cublas<t>getrsBatched");
            else if (host_info != 0)
                st = ga_error(GA_ERROR_INVALID_VALUE, "cublas<t>getrsBatched rejected argument "
                              "%d (a gpuarray bug)", -host_info);
        }
    }
    /* stream-ordered frees: the arrays live until the launches that read them ran */
    if (bptrs)
        ga_buffer_free(bptrs);
    ga_buffer_free(aptrs);
    return st;
}

ga_status ga_cuda_solver(ga_device *dev, ga_stream *stream, const ga_solver_desc *d)
{
    solver_handle *h = NULL;
    ga_status st = handle_take(dev, &h);
    if (st != GA_OK)
        return st;
    ga_buffer *work = NULL, *scratch_info = NULL;
    void *host_work = NULL;
    size_t dev_bytes = 0, host_bytes = 0;
    const int dt = data_type(d->dtype), rt = real_type(d->dtype);
    const int jobz = d->vectors ? GA_CUSOLVER_EIG_MODE_VECTOR : GA_CUSOLVER_EIG_MODE_NOVECTOR;
    const size_t es = ga_dtype_size(d->dtype), rs = es / (d->dtype == GA_COMPLEX64
                                                           || d->dtype == GA_COMPLEX128 ? 2 : 1);
    /* Leading dimensions of outputs not computed: cuSOLVER may check them
     * as LAPACK's docs state them for computed ones, so give those values. */
    const int64_t ldu = d->op == GA_SOLVER_GESVD && d->jobu == 'N' ? max_ld(d->m)
                        : d->op == GA_SOLVER_GEEV && !d->vectors ? max_ld(d->n) : max_ld(d->ldu);
    const int64_t ldvt = d->op == GA_SOLVER_GESVD && d->jobvt == 'N' ? max_ld(d->n)
                         : max_ld(d->ldvt);
    const int64_t ldvl = max_ld(d->n);   /* geev's left vectors are never computed */
    /* gesvdj: ldu >= m and ldv >= n whether or not vectors are computed */
    const int64_t ldu_j = d->ldu > d->m ? d->ldu : max_ld(d->m);
    const int64_t ldv_j = d->ldvt > d->n ? d->ldvt : max_ld(d->n);
    cusolverDnHandle_t H = h->handle;
    cusolverDnParams_t P = h->params;
    int lwork = 0;   /* orgqr: elements */

    CHECK(ga_cusolver.cusolverDnSetStream(H, stream ? (CUstream)stream->native : NULL),
          "cusolverDnSetStream");

    /* A caller that does not want the infos still has to give cuSOLVER
     * somewhere to write them. */
    ga_devptr info = d->info;
    if (!info) {
        st = ga_buffer_alloc(dev, (size_t)d->batch * sizeof(int), stream, &scratch_info);
        if (st != GA_OK)
            goto done;
        info = scratch_info->ptr;
    }

    /* Stacks of small matrices: one launch for the whole stack. */
    if (d->op == GA_SOLVER_GETRF_BATCHED || d->op == GA_SOLVER_GETRS_BATCHED) {
        st = lu_batched(dev, stream, h, d, info);
        goto done;
    }
    if (syevj_batched_fits(d)) {
        st = syevj_batched(dev, stream, h, d, info);
        goto done;
    }
    potrf_batched_fn batched = potrf_batched_for(d);
    if (batched) {
        st = potrf_batched(dev, stream, H, batched, d, info);
        goto done;
    }

    /* Every matrix of a batch has the same shape, so one query sizes the
     * workspace for all of them. */
    switch (d->op) {
    case GA_SOLVER_GETRF:
        CHECK(ga_cusolver.cusolverDnXgetrf_bufferSize(H, P, d->m, d->n, dt, at(d->a, 0, es),
                                                      d->lda, dt, &dev_bytes, &host_bytes),
              "cusolverDnXgetrf_bufferSize");
        break;
    case GA_SOLVER_GETRS:
    case GA_SOLVER_GETRF_BATCHED:   /* handled above */
    case GA_SOLVER_GETRS_BATCHED:
        break;
    case GA_SOLVER_POTRF:
        CHECK(ga_cusolver.cusolverDnXpotrf_bufferSize(
                  H, P, d->lower ? GA_CUBLAS_FILL_MODE_LOWER : GA_CUBLAS_FILL_MODE_UPPER, d->n,
                  dt, at(d->a, 0, es), d->lda, dt, &dev_bytes, &host_bytes),
              "cusolverDnXpotrf_bufferSize");
        break;
    case GA_SOLVER_GEQRF:
        CHECK(ga_cusolver.cusolverDnXgeqrf_bufferSize(H, P, d->m, d->n, dt, at(d->a, 0, es),
                                                      d->lda, dt, at(d->w, 0, es), dt,
                                                      &dev_bytes, &host_bytes),
              "cusolverDnXgeqrf_bufferSize");
        break;
    case GA_SOLVER_ORGQR: {
        if (d->m > INT_MAX || d->lda > INT_MAX) {
            st = ga_error(GA_ERROR_UNSUPPORTED, "ga_solver(orgqr): a size is more than "
                          "cuSOLVER's int can hold");
            goto done;
        }
        const void *A = at(d->a, 0, es), *tau = at(d->w, 0, es);
        int m = (int)d->m, n = (int)d->n, k = (int)d->k, lda = (int)d->lda;
        switch (d->dtype) {
        case GA_FLOAT32:
            CHECK(ga_cusolver.cusolverDnSorgqr_bufferSize(H, m, n, k, A, lda, tau, &lwork),
                  "cusolverDnSorgqr_bufferSize");
            break;
        case GA_FLOAT64:
            CHECK(ga_cusolver.cusolverDnDorgqr_bufferSize(H, m, n, k, A, lda, tau, &lwork),
                  "cusolverDnDorgqr_bufferSize");
            break;
        case GA_COMPLEX64:
            CHECK(ga_cusolver.cusolverDnCungqr_bufferSize(H, m, n, k, A, lda, tau, &lwork),
                  "cusolverDnCungqr_bufferSize");
            break;
        default:
            CHECK(ga_cusolver.cusolverDnZungqr_bufferSize(H, m, n, k, A, lda, tau, &lwork),
                  "cusolverDnZungqr_bufferSize");
            break;
        }
        dev_bytes = (size_t)lwork * es;
        break;
    }
    case GA_SOLVER_GESVD:
        CHECK(ga_cusolver.cusolverDnXgesvd_bufferSize(
                  H, P, (signed char)d->jobu, (signed char)d->jobvt, d->m, d->n, dt,
                  at(d->a, 0, es), d->lda, rt, at(d->w, 0, rs), dt, at(d->u, 0, es), ldu,
                  dt, at(d->vt, 0, es), ldvt, dt, &dev_bytes, &host_bytes),
              "cusolverDnXgesvd_bufferSize");
        break;
    case GA_SOLVER_SYEVD:
        CHECK(ga_cusolver.cusolverDnXsyevd_bufferSize(
                  H, P, jobz,
                  d->lower ? GA_CUBLAS_FILL_MODE_LOWER : GA_CUBLAS_FILL_MODE_UPPER, d->n, dt,
                  at(d->a, 0, es), d->lda, rt, at(d->w, 0, rs), dt, &dev_bytes, &host_bytes),
              "cusolverDnXsyevd_bufferSize");
        break;
    case GA_SOLVER_GESVDJ: {
        if (!h->gesvdj)
            CHECK(ga_cusolver.cusolverDnCreateGesvdjInfo(&h->gesvdj), "cusolverDnCreateGesvdjInfo");
        gesvdj_size_fn size;
        gesvdj_fn unused;
        gesvdj_for(d->dtype, &size, &unused);
        CHECK(size(H, jobz,
                   d->jobu == 'S', (int)d->m, (int)d->n, at(d->a, 0, es), (int)d->lda,
                   at(d->w, 0, rs), at(d->u, 0, es), (int)ldu_j, at(d->vt, 0, es), (int)ldv_j,
                   &lwork, h->gesvdj),
              "cusolverDn<t>gesvdj_bufferSize");
        dev_bytes = (size_t)lwork * es;
        break;
    }
    case GA_SOLVER_GEEV:
        if (!ga_cusolver.cusolverDnXgeev || !ga_cusolver.cusolverDnXgeev_bufferSize) {
            st = ga_error(GA_ERROR_UNSUPPORTED, "eig/eigvals need cusolverDnXgeev, which the "
                          "loaded cuSOLVER (%s) lacks: it came with CUDA 12.6 (cuSOLVER 11.7)",
                          ga_cusolver_path());
            goto done;
        }
        CHECK(ga_cusolver.cusolverDnXgeev_bufferSize(
                  H, P, GA_CUSOLVER_EIG_MODE_NOVECTOR,
                  jobz, d->n,
                  dt, at(d->a, 0, es), d->lda, dt, at(d->w, 0, es), dt, NULL, ldvl, dt,
                  at(d->u, 0, es), ldu, dt, &dev_bytes, &host_bytes),
              "cusolverDnXgeev_bufferSize");
        break;
    }

    if (dev_bytes) {
        st = ga_buffer_alloc(dev, dev_bytes, stream, &work);
        if (st != GA_OK)
            goto done;
    }
    if (host_bytes) {
        host_work = malloc(host_bytes);
        if (!host_work) {
            st = ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "ga_solver: out of host memory");
            goto done;
        }
    }
    void *W = work ? (void *)(uintptr_t)work->ptr : NULL;

    for (int64_t i = 0; i < d->batch; i++) {
        void *A = at(d->a, i * d->stride_a, es);
        int *inf = (int *)at(info, i, sizeof(int));
        switch (d->op) {
        case GA_SOLVER_GETRF:
            CHECK(ga_cusolver.cusolverDnXgetrf(H, P, d->m, d->n, dt, A, d->lda,
                                               (int64_t *)at(d->ipiv, i * d->stride_ipiv, 8), dt,
                                               W, dev_bytes, host_work, host_bytes, inf),
                  "cusolverDnXgetrf");
            break;
        case GA_SOLVER_GETRS:
            CHECK(ga_cusolver.cusolverDnXgetrs(H, P, d->trans, d->n, d->k, dt, A, d->lda,
                                               (const int64_t *)at(d->ipiv, i * d->stride_ipiv, 8),
                                               dt, at(d->b, i * d->stride_b, es), d->ldb, inf),
                  "cusolverDnXgetrs");
            break;
        case GA_SOLVER_POTRF:
            CHECK(ga_cusolver.cusolverDnXpotrf(
                      H, P, d->lower ? GA_CUBLAS_FILL_MODE_LOWER : GA_CUBLAS_FILL_MODE_UPPER, d->n,
                      dt, A, d->lda, dt, W, dev_bytes, host_work, host_bytes, inf),
                  "cusolverDnXpotrf");
            break;
        case GA_SOLVER_GEQRF:
            CHECK(ga_cusolver.cusolverDnXgeqrf(H, P, d->m, d->n, dt, A, d->lda, dt,
                                               at(d->w, i * d->stride_w, es), dt, W, dev_bytes,
                                               host_work, host_bytes, inf),
                  "cusolverDnXgeqrf");
            break;
        case GA_SOLVER_ORGQR: {
            int m = (int)d->m, n = (int)d->n, k = (int)d->k, lda = (int)d->lda;
            const void *tau = at(d->w, i * d->stride_w, es);
            switch (d->dtype) {
            case GA_FLOAT32:
                CHECK(ga_cusolver.cusolverDnSorgqr(H, m, n, k, A, lda, tau, W, lwork, inf),
                      "cusolverDnSorgqr");
                break;
            case GA_FLOAT64:
                CHECK(ga_cusolver.cusolverDnDorgqr(H, m, n, k, A, lda, tau, W, lwork, inf),
                      "cusolverDnDorgqr");
                break;
            case GA_COMPLEX64:
                CHECK(ga_cusolver.cusolverDnCungqr(H, m, n, k, A, lda, tau, W, lwork, inf),
                      "cusolverDnCungqr");
                break;
            default:
                CHECK(ga_cusolver.cusolverDnZungqr(H, m, n, k, A, lda, tau, W, lwork, inf),
                      "cusolverDnZungqr");
                break;
            }
            break;
        }
        case GA_SOLVER_GESVD:
            CHECK(ga_cusolver.cusolverDnXgesvd(
                      H, P, (signed char)d->jobu, (signed char)d->jobvt, d->m, d->n, dt, A, d->lda,
                      rt, at(d->w, i * d->stride_w, rs), dt, at(d->u, i * d->stride_u, es),
                      ldu, dt, at(d->vt, i * d->stride_vt, es), ldvt, dt, W,
                      dev_bytes, host_work, host_bytes, inf),
                  "cusolverDnXgesvd");
            break;
        case GA_SOLVER_SYEVD:
            CHECK(ga_cusolver.cusolverDnXsyevd(
                      H, P, jobz,
                      d->lower ? GA_CUBLAS_FILL_MODE_LOWER : GA_CUBLAS_FILL_MODE_UPPER, d->n, dt, A,
                      d->lda, rt, at(d->w, i * d->stride_w, rs), dt, W, dev_bytes, host_work,
                      host_bytes, inf),
                  "cusolverDnXsyevd");
            break;
        case GA_SOLVER_GESVDJ: {
            gesvdj_size_fn unused;
            gesvdj_fn fn;
            gesvdj_for(d->dtype, &unused, &fn);
            CHECK(fn(H, jobz,
                     d->jobu == 'S', (int)d->m, (int)d->n, A, (int)d->lda,
                     at(d->w, i * d->stride_w, rs), at(d->u, i * d->stride_u, es), (int)ldu_j,
                     at(d->vt, i * d->stride_vt, es), (int)ldv_j, W, lwork, inf, h->gesvdj),
                  "cusolverDn<t>gesvdj");
            break;
        }
        case GA_SOLVER_GEEV:
            CHECK(ga_cusolver.cusolverDnXgeev(
                      H, P, GA_CUSOLVER_EIG_MODE_NOVECTOR,
                      jobz, d->n,
                      dt, A, d->lda, dt, at(d->w, i * d->stride_w, es), dt, NULL, ldvl, dt,
                      at(d->u, i * d->stride_u, es), ldu, dt, W, dev_bytes, host_work,
                      host_bytes, inf),
                  "cusolverDnXgeev");
            break;
        case GA_SOLVER_GETRF_BATCHED:   /* handled above */
        case GA_SOLVER_GETRS_BATCHED:
            break;
        }
    }
done:
    /* cuSOLVER may still read a host workspace from the work it queued:
     * finish that work before the buffer goes. */
    if (host_work) {
        ga_status sync = ga_stream_synchronize(dev, stream);
        if (st == GA_OK)
            st = sync;
        free(host_work);
    }
    /* Device workspaces are freed in stream order: reused only after the
     * queued factorizations. */
    if (work)
        ga_buffer_free(work);
    if (scratch_info)
        ga_buffer_free(scratch_info);
    handle_give(dev, h);
    return st;
}
