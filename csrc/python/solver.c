/* solver.c - gpuarray._core._solver and _solver_library: the thin binding
 * under gpuarray.linalg's CUDA path (gpuarray/linalg decides layouts,
 * shapes and errors; this file fills a ga_solver_desc and runs it). */
#include "pyga_internal.h"

#define ARR(o) ((pyga_ndarray *)(o))

static const char *const op_names[] = { "getrf", "getrs", "potrf", "geqrf",
                                        "orgqr", "gesvd", "syevd", "geev", "gesvdj",
                                        "getrf_batched", "getrs_batched", NULL };

/* _solver(a, op, *, m, n, k=0, batch=1, lda, stride_a=0, b=0, ldb=1, stride_b=0,
 *         ipiv=0, stride_ipiv=0, w=0, stride_w=0, u=0, ldu=1, stride_u=0, vt=0,
 *         ldvt=1, stride_vt=0, info=0, lower=0, trans=0, jobu='N', jobvt='N',
 *         vectors=0)
 * `a` is the ndarray whose memory is the matrix stack (its dtype and
 * device are the problem's); the other operands are device addresses
 * (data.ptr) of arrays on the same device, 0 for none. */
static PyObject *solver(PyObject *m_, PyObject *args, PyObject *kwargs)
{
    (void)m_;
    static char *kwlist[] = { "a", "op", "m", "n", "k", "batch", "lda", "stride_a", "b", "ldb",
                              "stride_b", "ipiv", "stride_ipiv", "w", "stride_w", "u", "ldu",
                              "stride_u", "vt", "ldvt", "stride_vt", "info", "lower", "trans",
                              "jobu", "jobvt", "vectors", NULL };
    PyObject *a;
    const char *op;
    long long M = 0, N = 0, K = 0, batch = 1, lda = 1, sa = 0, ldb = 1, sb = 0, sipiv = 0, sw = 0,
              ldu = 1, su = 0, ldvt = 1, svt = 0;
    unsigned long long b = 0, ipiv = 0, w = 0, u = 0, vt = 0, info = 0;
    int lower = 0, trans = 0, vectors = 0;
    const char *jobu = "N", *jobvt = "N";
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "Os|$LLLLLLKLLKLKLKLLKLLKiissi", kwlist, &a,
                                     &op, &M, &N, &K, &batch, &lda, &sa, &b, &ldb, &sb, &ipiv,
                                     &sipiv, &w, &sw, &u, &ldu, &su, &vt, &ldvt, &svt, &info,
                                     &lower, &trans, &jobu, &jobvt, &vectors))
        return NULL;
    if (!pyga_ndarray_check(a)) {
        PyErr_SetString(PyExc_TypeError, "_solver: a must be a gpuarray.ndarray");
        return NULL;
    }
    int which = -1;
    for (int i = 0; op_names[i]; i++)
        if (strcmp(op, op_names[i]) == 0)
            which = i;
    if (which < 0) {
        PyErr_Format(PyExc_ValueError, "_solver: unknown op %R", PyTuple_GET_ITEM(args, 1));
        return NULL;
    }
    ga_solver_desc d = {
        .op = (ga_solver_op)which, .dtype = ARR(a)->gdtype, .m = M, .n = N, .k = K,
        .batch = batch, .a = ARR(a)->ptr, .lda = lda, .stride_a = sa, .b = (ga_devptr)b,
        .ldb = ldb, .stride_b = sb, .ipiv = (ga_devptr)ipiv, .stride_ipiv = sipiv,
        .w = (ga_devptr)w, .stride_w = sw, .u = (ga_devptr)u, .ldu = ldu, .stride_u = su,
        .vt = (ga_devptr)vt, .ldvt = ldvt, .stride_vt = svt, .info = (ga_devptr)info,
        .lower = lower, .trans = trans, .jobu = jobu[0], .jobvt = jobvt[0], .vectors = vectors,
    };
    ga_device *dev = ARR(a)->device;
    ga_stream *stream;
    pyga_current_stream(&stream);
    ga_status status;
    Py_BEGIN_ALLOW_THREADS
    status = ga_solver(dev, stream, &d);
    Py_END_ALLOW_THREADS
    if (status != GA_OK)
        return pyga_raise(status);
    Py_RETURN_NONE;
}

static PyObject *solver_library(PyObject *m_, PyObject *unused)
{
    (void)m_, (void)unused;
    const char *path = NULL;
    ga_status status;
    Py_BEGIN_ALLOW_THREADS
    status = ga_solver_library(&path);
    Py_END_ALLOW_THREADS
    if (status != GA_OK)
        return pyga_raise(status);
    return PyUnicode_DecodeFSDefault(path);
}

static PyMethodDef solver_functions[] = {
    {"_solver", (PyCFunction)(void (*)(void))solver, METH_VARARGS | METH_KEYWORDS,
     "_solver(a, op, *, m, n, ...)\n--\n\n"
     "Run one batched cuSOLVER factorization (ga_solver) on the current stream;\n"
     "gpuarray.linalg's CUDA engine."},
    {"_solver_library", solver_library, METH_NOARGS,
     "_solver_library()\n--\n\n"
     "Load cuSOLVER (no GPU needed) and return the path it came from; raises\n"
     "CUDAUnavailableError naming every place searched when it is absent."},
    {NULL, NULL, 0, NULL}
};

int pyga_init_solver(PyObject *m)
{
    return PyModule_AddFunctions(m, solver_functions);
}
