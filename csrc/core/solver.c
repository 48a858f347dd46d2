/* solver.c - ga_solver: argument checks, then the backend's solver slot
 * (cuSOLVER on CUDA; the host backend has none: NumPy's LAPACK runs there
 * from the Python layer). */
#include "ga_private.h"

static int64_t max1(int64_t v) { return v > 1 ? v : 1; }
static int64_t min2(int64_t a, int64_t b) { return a < b ? a : b; }

static const char *op_name(ga_solver_op op)
{
    static const char *const names[] = { "getrf", "getrs", "potrf", "geqrf",
                                         "orgqr", "gesvd", "syevd", "geev", "gesvdj",
                                         "getrf_batched", "getrs_batched" };
    return (unsigned)op < sizeof names / sizeof names[0] ? names[op] : "?";
}

static ga_status bad(const ga_solver_desc *d, const char *what)
{
    return ga_error(GA_ERROR_INVALID_VALUE, "ga_solver(%s): %s (m=%lld n=%lld k=%lld lda=%lld "
                    "ldb=%lld ldu=%lld ldvt=%lld)", op_name(d->op), what, (long long)d->m,
                    (long long)d->n, (long long)d->k, (long long)d->lda, (long long)d->ldb,
                    (long long)d->ldu, (long long)d->ldvt);
}

static int job_ok(char j) { return j == 'A' || j == 'S' || j == 'N'; }

static ga_status check(const ga_solver_desc *d)
{
    if (d->dtype != GA_FLOAT32 && d->dtype != GA_FLOAT64 && d->dtype != GA_COMPLEX64
        && d->dtype != GA_COMPLEX128)
        return ga_error(GA_ERROR_UNSUPPORTED, "ga_solver: dtype %s is not supported (float32, "
                        "float64, complex64 and complex128 are)", ga_dtype_name(d->dtype));
    if (d->m < 0 || d->n < 0 || d->k < 0 || d->batch < 0)
        return bad(d, "negative size");
    int square = d->op == GA_SOLVER_POTRF || d->op == GA_SOLVER_SYEVD || d->op == GA_SOLVER_GEEV
                 || d->op == GA_SOLVER_GETRF_BATCHED || d->op == GA_SOLVER_GETRS_BATCHED;
    if ((d->op == GA_SOLVER_GETRF_BATCHED || d->op == GA_SOLVER_GETRS_BATCHED)
        && (d->n > 2147483647 || d->k > 2147483647 || d->lda > 2147483647
            || d->ldb > 2147483647 || d->batch > 2147483647))
        return ga_error(GA_ERROR_UNSUPPORTED, "ga_solver(%s): a size is more than cuBLAS's int "
                        "can hold", op_name(d->op));
    if (square && d->m != d->n)
        return bad(d, "the matrix must be square");
    if (d->lda < max1(d->m))
        return bad(d, "lda must be >= max(1, m)");
    switch (d->op) {
    case GA_SOLVER_GETRF:
    case GA_SOLVER_POTRF:
    case GA_SOLVER_GEQRF:
    case GA_SOLVER_SYEVD:
        break;
    case GA_SOLVER_GETRF_BATCHED:
        break;
    case GA_SOLVER_GETRS:
    case GA_SOLVER_GETRS_BATCHED:
        if (d->m != d->n)
            return bad(d, "the matrix must be square");
        if (d->ldb < max1(d->n))
            return bad(d, "ldb must be >= max(1, n)");
        if ((unsigned)d->trans > GA_BLAS_C)
            return bad(d, "trans must be GA_BLAS_N, _T or _C");
        break;
    case GA_SOLVER_ORGQR:
        if (!(d->m >= d->n && d->n >= d->k))
            return bad(d, "orgqr needs m >= n >= k");
        break;
    case GA_SOLVER_GESVD:
        if (d->m < d->n)
            return bad(d, "gesvd needs m >= n (pass the transpose)");
        if (!job_ok(d->jobu) || !job_ok(d->jobvt))
            return bad(d, "jobu and jobvt must be 'A', 'S' or 'N'");
        if (d->jobu != 'N' && d->ldu < max1(d->m))
            return bad(d, "ldu must be >= max(1, m)");
        if (d->jobvt == 'A' && d->ldvt < max1(d->n))
            return bad(d, "ldvt must be >= max(1, n)");
        if (d->jobvt == 'S' && d->ldvt < max1(min2(d->m, d->n)))
            return bad(d, "ldvt must be >= max(1, min(m, n))");
        break;
    case GA_SOLVER_GESVDJ: {
        if (d->jobu != 'A' && d->jobu != 'S')
            return bad(d, "jobu must be 'A' or 'S'");
        if (d->vectors && (d->ldu < max1(d->m) || d->ldvt < max1(d->n)))
            return bad(d, "ldu must be >= max(1, m) and ldvt >= max(1, n)");
        if (d->m > 2147483647 || d->n > 2147483647 || d->lda > 2147483647
            || d->ldu > 2147483647 || d->ldvt > 2147483647)
            return ga_error(GA_ERROR_UNSUPPORTED, "ga_solver(gesvdj): a size is more than "
                            "cuSOLVER's int can hold");
        break;
    }
    case GA_SOLVER_GEEV:
        if (d->dtype != GA_COMPLEX64 && d->dtype != GA_COMPLEX128)
            return ga_error(GA_ERROR_UNSUPPORTED, "ga_solver(geev): complex dtypes only (pass a "
                            "real matrix as complex)");
        if (d->vectors && d->ldu < max1(d->n))
            return bad(d, "ldu must be >= max(1, n)");
        break;
    default:
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_solver: unknown op %d", (int)d->op);
    }
    return GA_OK;
}

ga_status ga_solver(ga_device *device, ga_stream *stream, const ga_solver_desc *d)
{
    if (stream)
        device = stream->device;
    if (!device || !d)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_solver: device or descriptor is NULL");
    ga_status st = check(d);
    if (st != GA_OK)
        return st;
    if (d->batch == 0 || d->n == 0 || (d->op == GA_SOLVER_GETRF && d->m == 0)
        || (d->op == GA_SOLVER_GEQRF && d->m == 0) || (d->op == GA_SOLVER_GESVDJ && d->m == 0)
        || ((d->op == GA_SOLVER_GETRS || d->op == GA_SOLVER_GETRS_BATCHED) && d->k == 0))
        return GA_OK;   /* nothing to factor; info stays as the caller set it */
    st = ga_device_enter(device);
    if (st != GA_OK)
        return st;
    if (!ga_backend->solver)
        return ga_error(GA_ERROR_UNSUPPORTED, "ga_solver: the %s backend has no solver "
                        "(gpuarray.linalg uses NumPy's LAPACK there)", ga_backend->name);
    return ga_backend->solver(device, stream, d);
}

ga_status ga_solver_library(const char **path)
{
    return ga_cuda_solver_library(path);
}
