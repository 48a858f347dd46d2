/* blas.c - gpuarray._core._gemm_nd: the batched matrix product under
 * gpuarray.matmul (gpuarray/_linalg.py decides shapes, dtypes and errors;
 * this file turns strided operands into as few ga_gemm calls as it can). */
#include "pyga_internal.h"

#define ARR(o) ((pyga_ndarray *)(o))

/* How one matrix operand (rows x cols, byte strides rs, cs) is read: as
 * stored (row-major, N) or transposed (column-major, T); 0 or -1 when it
 * is neither (the caller makes it contiguous). */
static int matrix_layout(Py_ssize_t rows, Py_ssize_t cols, Py_ssize_t rs, Py_ssize_t cs, Py_ssize_t es,
                         ga_blas_op *op, int64_t *ld)
{
    if ((cols == 1 || cs == es) && (rows == 1 || (rs > 0 && rs % es == 0 && rs / es >= cols))) {
        *op = GA_BLAS_N;
        *ld = rows == 1 ? (cols > 1 ? cols : 1) : rs / es;
        if (*ld < 1)
            *ld = 1;
        return 0;
    }
    if ((rows == 1 || rs == es) && (cols == 1 || (cs > 0 && cs % es == 0 && cs / es >= rows))) {
        *op = GA_BLAS_T;
        *ld = cols == 1 ? (rows > 1 ? rows : 1) : cs / es;
        if (*ld < 1)
            *ld = 1;
        return 0;
    }
    return -1;
}

static int strides_of(PyObject *o, int n, Py_ssize_t *out, const char *what)
{
    PyObject *seq = PySequence_Fast(o, "_gemm_nd: strides must be a sequence");
    if (!seq)
        return -1;
    if (PySequence_Fast_GET_SIZE(seq) != n) {
        Py_DECREF(seq);
        PyErr_Format(PyExc_ValueError, "_gemm_nd: %s needs %d strides", what, n);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        out[i] = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(seq, i));
        if (out[i] == -1 && PyErr_Occurred()) {
            Py_DECREF(seq);
            return -1;
        }
    }
    Py_DECREF(seq);
    return 0;
}

/* _gemm_nd(a, a_strides, b, b_strides, c, c_strides, batch_shape, m, n, k)
 * c[batch..., :, :] = a[batch..., :, :] @ b[batch..., :, :], where each
 * operand is its array's first element plus the given byte strides (batch
 * dims, then rows and columns; 0 for a broadcast dim). Returns -1 when
 * done, or the index (0, 1, 2) of an operand whose matrix layout gemm
 * cannot read (neither rows nor columns contiguous): make it contiguous
 * and call again. */
static PyObject *gemm_nd(PyObject *m_, PyObject *const *args, Py_ssize_t nargs)
{
    (void)m_;
    if (nargs != 10) {
        PyErr_SetString(PyExc_TypeError, "_gemm_nd takes 10 arguments");
        return NULL;
    }
    PyObject *ops[3] = { args[0], args[2], args[4] };
    for (int i = 0; i < 3; i++)
        if (!pyga_ndarray_check(ops[i])) {
            PyErr_SetString(PyExc_TypeError, "_gemm_nd: operands must be gpuarray.ndarray");
            return NULL;
        }
    ga_dtype dt = ARR(ops[2])->gdtype;
    if (ARR(ops[0])->gdtype != dt || ARR(ops[1])->gdtype != dt) {
        PyErr_SetString(PyExc_TypeError, "_gemm_nd: operands must have one dtype");
        return NULL;
    }
    ga_device *dev = ARR(ops[2])->device;
    if (ARR(ops[0])->device != dev || ARR(ops[1])->device != dev) {
        PyErr_SetString(PyExc_ValueError, "matmul: the operands are on different devices");
        return NULL;
    }
    Py_ssize_t bshape[PYGA_MAX_NDIM];
    int nb = pyga_shape_arg(args[6], bshape, "_gemm_nd");
    if (nb < 0)
        return NULL;
    Py_ssize_t M = PyLong_AsSsize_t(args[7]), N = PyLong_AsSsize_t(args[8]), K = PyLong_AsSsize_t(args[9]);
    if (PyErr_Occurred())
        return NULL;
    Py_ssize_t st[3][PYGA_MAX_NDIM + 2];
    if (strides_of(args[1], nb + 2, st[0], "a") < 0 || strides_of(args[3], nb + 2, st[1], "b") < 0
        || strides_of(args[5], nb + 2, st[2], "c") < 0)
        return NULL;
    Py_ssize_t es = (Py_ssize_t)ga_dtype_size(dt);

    ga_blas_op opa, opb, opc;
    int64_t lda, ldb, ldc;
    if (matrix_layout(M, K, st[0][nb], st[0][nb + 1], es, &opa, &lda) < 0)
        return PyLong_FromLong(0);
    if (matrix_layout(K, N, st[1][nb], st[1][nb + 1], es, &opb, &ldb) < 0)
        return PyLong_FromLong(1);
    if (matrix_layout(M, N, st[2][nb], st[2][nb + 1], es, &opc, &ldc) < 0)
        return PyLong_FromLong(2);
    ga_devptr pa = ARR(ops[0])->ptr, pb = ARR(ops[1])->ptr, pc = ARR(ops[2])->ptr;
    int64_t gm = M, gn = N;
    Py_ssize_t *sa = st[0], *sb = st[1];
    if (opc == GA_BLAS_T) {
        /* C stored column-major: compute C^T = op(B)^T op(A)^T instead. */
        ga_devptr tp = pa; pa = pb; pb = tp;
        ga_blas_op to = opa; opa = opb == GA_BLAS_N ? GA_BLAS_T : GA_BLAS_N; opb = to == GA_BLAS_N ? GA_BLAS_T : GA_BLAS_N;
        int64_t tl = lda; lda = ldb; ldb = tl;
        gm = N, gn = M;
        sa = st[1], sb = st[0];
    }

    /* Batch dims: drop the 1s, merge neighbours that step evenly in all
     * three operands; the innermost becomes one strided batched call. */
    Py_ssize_t shp[PYGA_MAX_NDIM], s[3][PYGA_MAX_NDIM];
    int nd = 0;
    for (int i = 0; i < nb; i++) {
        if (bshape[i] == 0)
            return PyLong_FromLong(-1);
        if (bshape[i] == 1)
            continue;
        if (nd > 0 && s[0][nd - 1] == sa[i] * bshape[i] && s[1][nd - 1] == sb[i] * bshape[i]
            && s[2][nd - 1] == st[2][i] * bshape[i]) {
            shp[nd - 1] *= bshape[i];
            s[0][nd - 1] = sa[i], s[1][nd - 1] = sb[i], s[2][nd - 1] = st[2][i];
            continue;
        }
        shp[nd] = bshape[i];
        s[0][nd] = sa[i], s[1][nd] = sb[i], s[2][nd] = st[2][i];
        nd++;
    }
    int64_t inner = 1, isa = 0, isb = 0, isc = 0;
    if (nd > 0 && s[0][nd - 1] % es == 0 && s[1][nd - 1] % es == 0 && s[2][nd - 1] % es == 0) {
        nd--;
        inner = shp[nd];
        isa = s[0][nd] / es, isb = s[1][nd] / es, isc = s[2][nd] / es;
    }
    Py_ssize_t idx[PYGA_MAX_NDIM] = { 0 };
    ga_stream *stream;
    pyga_current_stream(&stream);
    static const double one[2] = { 1, 0 }, zero[2] = { 0, 0 };
    ga_status status = GA_OK;
    Py_BEGIN_ALLOW_THREADS
    for (;;) {
        Py_ssize_t oa = 0, ob = 0, oc = 0;
        for (int i = 0; i < nd; i++)
            oa += idx[i] * s[0][i], ob += idx[i] * s[1][i], oc += idx[i] * s[2][i];
        status = ga_gemm_strided_batched(dev, stream, opa, opb, gm, gn, K, dt, one,
                                         pa + (ga_devptr)oa, lda, isa, pb + (ga_devptr)ob, ldb, isb,
                                         zero, pc + (ga_devptr)oc, ldc, isc, inner);
        if (status != GA_OK)
            break;
        int i = nd - 1;
        while (i >= 0 && ++idx[i] == shp[i])
            idx[i--] = 0;
        if (i < 0)
            break;
    }
    Py_END_ALLOW_THREADS
    if (status != GA_OK)
        return pyga_raise(status);
    return PyLong_FromLong(-1);
}

static PyMethodDef blas_functions[] = {
    {"_gemm_nd", (PyCFunction)(void (*)(void))gemm_nd, METH_FASTCALL,
     "_gemm_nd(a, a_strides, b, b_strides, c, c_strides, batch_shape, m, n, k)\n--\n\n"
     "Batched c = a @ b over strided operands (gpuarray.matmul's engine); -1 when\n"
     "done, else the index of the operand to make contiguous first."},
    {NULL, NULL, 0, NULL}
};

int pyga_init_blas(PyObject *m)
{
    return PyModule_AddFunctions(m, blas_functions);
}
