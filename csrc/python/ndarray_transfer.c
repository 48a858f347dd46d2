/* ndarray_transfer.c - copies between host and device: ndarray.get/set,
 * asnumpy, the uploads under asarray and arange, and single elements. */
#include "ndarray_internal.h"

/* Run a copy, without the GIL when it is big. */
#define COPY_CALL(nbytes, st, call)                     \
    do {                                                \
        if ((nbytes) > PYGA_GIL_RELEASE_BYTES) {        \
            Py_BEGIN_ALLOW_THREADS                      \
            st = (call);                                \
            Py_END_ALLOW_THREADS                        \
        } else {                                        \
            st = (call);                                \
        }                                               \
    } while (0)

PyObject *pyga_upload(PyArrayObject *h, int blocking)
{
    PyArrayObject *src = h;
    Py_INCREF(src);
    if (!PyArray_IS_C_CONTIGUOUS(src) && !PyArray_IS_F_CONTIGUOUS(src)) {
        Py_SETREF(src, (PyArrayObject *)PyArray_NewCopy(h, NPY_CORDER));
        if (!src)
            return NULL;
    }
    int fortran = !PyArray_IS_C_CONTIGUOUS(src);
    Py_ssize_t shape[PYGA_MAX_NDIM];
    int ndim = PyArray_NDIM(src);
    if (ndim > PYGA_MAX_NDIM) {
        Py_DECREF(src);
        PyErr_Format(PyExc_ValueError, "%d dimensions; gpuarray supports at most %d", ndim, PYGA_MAX_NDIM);
        return NULL;
    }
    for (int i = 0; i < ndim; i++)
        shape[i] = (Py_ssize_t)PyArray_DIM(src, i);
    PyObject *a = pyga_alloc_array(pyga.ndarray, ndim, shape, PyArray_DESCR(src), fortran, "asarray");
    if (!a) {
        Py_DECREF(src);
        return NULL;
    }
    size_t nbytes = (size_t)PyArray_NBYTES(src);
    if (nbytes) {
        ga_status st;
        ga_stream *stream = pyga_alloc_stream(a);
        const void *data = PyArray_DATA(src);
        if (blocking)
            COPY_CALL(nbytes, st, ga_memcpy_htod(ARR(a)->device, ARR(a)->ptr, data, nbytes, stream));
        else
            COPY_CALL(nbytes, st, ga_memcpy_htod_async(ARR(a)->device, ARR(a)->ptr, data, nbytes, stream));
        if (st != GA_OK) {
            Py_DECREF(src);
            Py_DECREF(a);
            return pyga_raise(st);
        }
    }
    Py_DECREF(src);
    return a;
}

PyArrayObject *pyga_host_array(PyObject *obj, PyArray_Descr *descr, const char *fname)
{
    Py_XINCREF(descr);
    PyArrayObject *h = (PyArrayObject *)PyArray_FromAny(obj, descr, 0, 0,
                                                        NPY_ARRAY_FORCECAST | NPY_ARRAY_ALIGNED, NULL);
    if (!h)
        return NULL;
    PyArray_Descr *hd = PyArray_DESCR(h);
    if (!PyArray_ISNBO(hd->byteorder)) {
        PyArray_Descr *native = PyArray_DescrNewByteorder(hd, NPY_NATIVE);
        if (!native) {
            Py_DECREF(h);
            return NULL;
        }
        Py_SETREF(h, (PyArrayObject *)PyArray_FromAny((PyObject *)h, native, 0, 0,
                                                      NPY_ARRAY_FORCECAST | NPY_ARRAY_ALIGNED, NULL));
        if (!h)
            return NULL;
    }
    if (pyga_dtype_from_descr(PyArray_DESCR(h)) == GA_DTYPE_UNKNOWN) {
        pyga_unsupported_dtype(PyArray_DESCR(h), fname);
        Py_DECREF(h);
        return NULL;
    }
    return h;
}

/* Download the whole of `a` into host array `out` (same shape and dtype,
 * any layout). One dtoh call when the layouts match; otherwise the bytes
 * the array spans are staged and NumPy rearranges them. */
static int download(pyga_ndarray *a, PyArrayObject *out, ga_stream *stream, int blocking)
{
    size_t nbytes = pyga_array_nbytes(a);
    if (nbytes == 0)
        return 0;
    ga_status st;
    int same_layout = 1;
    if (!((a->c_contiguous && PyArray_IS_C_CONTIGUOUS(out))
          || (a->f_contiguous && PyArray_IS_F_CONTIGUOUS(out))))
        same_layout = 0;
    if (same_layout) {
        void *dst = PyArray_DATA(out);
        if (blocking)
            COPY_CALL(nbytes, st, ga_memcpy_dtoh(a->device, dst, a->ptr, nbytes, stream));
        else
            COPY_CALL(nbytes, st, ga_memcpy_dtoh_async(a->device, dst, a->ptr, nbytes, stream));
        return st == GA_OK ? 0 : pyga_raise_int(st);
    }
    Py_ssize_t lo, hi;
    pyga_byte_extent(a, &lo, &hi);
    npy_intp span = (npy_intp)(hi - lo);
    PyArrayObject *tmp = (PyArrayObject *)PyArray_SimpleNew(1, &span, NPY_UINT8);
    if (!tmp)
        return -1;
    COPY_CALL((size_t)span, st, ga_memcpy_dtoh(a->device, PyArray_DATA(tmp), a->ptr - (ga_devptr)(-lo),
                                               (size_t)span, stream));
    if (st != GA_OK) {
        Py_DECREF(tmp);
        return pyga_raise_int(st);
    }
    npy_intp dims[PYGA_MAX_NDIM], strides[PYGA_MAX_NDIM];
    for (int i = 0; i < a->ndim; i++) {
        dims[i] = a->shape[i];
        strides[i] = a->strides[i];
    }
    Py_INCREF(a->descr);
    PyObject *view = PyArray_NewFromDescr(&PyArray_Type, a->descr, a->ndim, dims, strides,
                                          (char *)PyArray_DATA(tmp) + (-lo), 0, NULL);
    if (!view) {
        Py_DECREF(tmp);
        return -1;
    }
    if (PyArray_SetBaseObject((PyArrayObject *)view, (PyObject *)tmp) < 0) {
        Py_DECREF(view);
        return -1;
    }
    int rc = PyArray_CopyInto(out, (PyArrayObject *)view);
    Py_DECREF(view);
    return rc;
}

/* A new host array for `a`'s contents: Fortran order for arrays that are
 * only F-contiguous (as CuPy), else C. */
static PyArrayObject *new_host_like(pyga_ndarray *a)
{
    npy_intp dims[PYGA_MAX_NDIM];
    for (int i = 0; i < a->ndim; i++)
        dims[i] = a->shape[i];
    Py_INCREF(a->descr);
    return (PyArrayObject *)PyArray_NewFromDescr(&PyArray_Type, a->descr, a->ndim, dims, NULL, NULL,
                                                 a->f_contiguous && !a->c_contiguous, NULL);
}

/* "(2, 3)" for messages. */
static PyObject *shape_text(int ndim, const npy_intp *shape)
{
    Py_ssize_t s[PYGA_MAX_NDIM];
    for (int i = 0; i < ndim && i < PYGA_MAX_NDIM; i++)
        s[i] = (Py_ssize_t)shape[i];
    PyObject *t = pyga_tuple_of(ndim < PYGA_MAX_NDIM ? ndim : PYGA_MAX_NDIM, s);
    if (!t)
        return NULL;
    PyObject *r = PyObject_Repr(t);
    Py_DECREF(t);
    return r;
}

static int shape_mismatch(const char *fname, const char *what, PyArrayObject *h, const pyga_ndarray *a)
{
    npy_intp ds[PYGA_MAX_NDIM];
    for (int i = 0; i < a->ndim; i++)
        ds[i] = a->shape[i];
    PyObject *hs = shape_text(PyArray_NDIM(h), PyArray_DIMS(h)), *dt = shape_text(a->ndim, ds);
    if (hs && dt)
        PyErr_Format(PyExc_ValueError, "%s: shape mismatch: %s %U, device array %U", fname, what, hs, dt);
    Py_XDECREF(hs);
    Py_XDECREF(dt);
    return -1;
}

static int check_out(pyga_ndarray *a, PyObject *out, const char *fname)
{
    if (!PyArray_Check(out)) {
        PyErr_Format(PyExc_TypeError, "%s: out must be a numpy.ndarray, not %.200s", fname,
                     Py_TYPE(out)->tp_name);
        return -1;
    }
    PyArrayObject *o = (PyArrayObject *)out;
    if (!PyArray_EquivTypes(PyArray_DESCR(o), a->descr)) {
        PyErr_Format(PyExc_TypeError, "%s: out has dtype %R, the array %R", fname,
                     (PyObject *)PyArray_DESCR(o), (PyObject *)a->descr);
        return -1;
    }
    int same = PyArray_NDIM(o) == a->ndim;
    for (int i = 0; same && i < a->ndim; i++)
        same = PyArray_DIM(o, i) == a->shape[i];
    if (!same)
        return shape_mismatch(fname, "out", o, a);
    if (!PyArray_IS_C_CONTIGUOUS(o) && !PyArray_IS_F_CONTIGUOUS(o)) {
        PyErr_Format(PyExc_ValueError, "%s: out must be contiguous", fname);
        return -1;
    }
    if (!PyArray_ISWRITEABLE(o)) {
        PyErr_Format(PyExc_ValueError, "%s: out is read-only", fname);
        return -1;
    }
    return 0;
}

int pyga_array_stream(pyga_ndarray *a, PyObject *stream_arg, ga_stream **stream, const char *fname)
{
    if (pyga_stream_arg(stream_arg, stream, NULL) < 0)
        return -1;
    ga_device *sdev = ga_stream_device(*stream);
    if (!sdev || sdev == a->device)
        return 0;
    if (stream_arg && stream_arg != Py_None) {
        PyErr_Format(PyExc_ValueError, "%s: the stream belongs to device %d, the array to device %d",
                     fname, ga_device_ordinal(sdev), ga_device_ordinal(a->device));
        return -1;
    }
    *stream = NULL;
    return 0;
}

PyObject *pyga_get_impl(pyga_ndarray *a, PyObject *stream_arg, PyObject *out, int blocking,
                        const char *fname)
{
    ga_stream *stream;
    if (pyga_array_stream(a, stream_arg, &stream, fname) < 0)
        return NULL;
    PyArrayObject *h;
    if (out && out != Py_None) {
        if (check_out(a, out, fname) < 0)
            return NULL;
        h = (PyArrayObject *)Py_NewRef(out);
    } else {
        h = new_host_like(a);
        if (!h)
            return NULL;
        blocking = 1;   /* nobody else could wait for a fresh pageable array */
    }
    if (download(a, h, stream, blocking) < 0) {
        Py_DECREF(h);
        return NULL;
    }
    return (PyObject *)h;
}

PyObject *pyga_read_element(pyga_ndarray *a, ga_devptr addr, int numpy_scalar)
{
    _Alignas(16) unsigned char buf[32];
    ga_stream *stream;
    if (pyga_array_stream(a, NULL, &stream, "item") < 0)
        return NULL;
    ga_status st = ga_memcpy_dtoh(a->device, buf, addr, (size_t)PyDataType_ELSIZE(a->descr), stream);
    if (st != GA_OK)
        return pyga_raise(st);
    PyObject *sc = PyArray_Scalar(buf, a->descr, NULL);
    if (!sc || numpy_scalar)
        return sc;
    PyObject *v = PyObject_CallMethod(sc, "item", NULL);
    Py_DECREF(sc);
    return v;
}

PyObject *pyga_ndarray_get(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    if (nargs == 0 && !kwnames)
        return pyga_get_impl(ARR(self), NULL, NULL, 1, "get");
    static const char *const names[] = {"stream", "out", "blocking", "order"};
    PyObject *v[4];
    if (pyga_parse_args("get", args, nargs, kwnames, names, 4, 2, 0, v) < 0)
        return NULL;
    int blocking = pyga_bool_arg(v[2], 1);
    if (blocking < 0)
        return NULL;
    char order;
    if (pyga_order_arg(v[3], 'K', "CFAK", "get", &order) < 0)
        return NULL;
    PyObject *h = pyga_get_impl(ARR(self), v[0], v[1], blocking, "get");
    if (h && (order == 'C' || order == 'F') && !(v[1] && v[1] != Py_None)) {
        PyArrayObject *ha = (PyArrayObject *)h;
        if (order == 'C' ? !PyArray_IS_C_CONTIGUOUS(ha) : !PyArray_IS_F_CONTIGUOUS(ha))
            Py_SETREF(h, PyArray_NewCopy(ha, order == 'C' ? NPY_CORDER : NPY_FORTRANORDER));
    }
    return h;
}

int pyga_set_impl(pyga_ndarray *a, PyObject *arr, PyObject *stream_arg, const char *fname)
{
    if (!PyArray_Check(arr)) {
        PyErr_Format(PyExc_TypeError, "%s: expected a numpy.ndarray, not %.200s", fname,
                     Py_TYPE(arr)->tp_name);
        return -1;
    }
    PyArrayObject *h = (PyArrayObject *)arr;
    int same = PyArray_NDIM(h) == a->ndim;
    for (int i = 0; same && i < a->ndim; i++)
        same = PyArray_DIM(h, i) == a->shape[i];
    if (!same)
        return shape_mismatch(fname, "host array", h, a);
    if (!PyArray_EquivTypes(PyArray_DESCR(h), a->descr)) {
        PyErr_Format(PyExc_TypeError, "%s: dtype mismatch: host %R, device %R", fname,
                     (PyObject *)PyArray_DESCR(h), (PyObject *)a->descr);
        return -1;
    }
    ga_stream *stream;
    if (pyga_array_stream(a, stream_arg, &stream, fname) < 0)
        return -1;
    if (!pyga_is_contiguous(a))   /* upload, then a strided copy on the device */
        return a->size ? pyga_call_hook_int("_set_strided", (PyObject *)a, arr, stream_arg ? stream_arg : Py_None)
                       : 0;
    size_t nbytes = pyga_array_nbytes(a);
    if (nbytes == 0)
        return 0;
    Py_INCREF(h);
    if (!((a->c_contiguous && PyArray_IS_C_CONTIGUOUS(h)) || (a->f_contiguous && PyArray_IS_F_CONTIGUOUS(h)))) {
        Py_SETREF(h, (PyArrayObject *)PyArray_NewCopy((PyArrayObject *)arr,
                                                      a->c_contiguous ? NPY_CORDER : NPY_FORTRANORDER));
        if (!h)
            return -1;
    }
    ga_status st;
    const void *src = PyArray_DATA(h);
    /* Without a stream the copy is complete on return (as CuPy's set);
     * with one it is queued there (pageable sources are still safe to
     * reuse on return, pinned ones must stay as they are until it runs). */
    if (stream_arg && stream_arg != Py_None && (PyObject *)h == arr)
        COPY_CALL(nbytes, st, ga_memcpy_htod_async(a->device, a->ptr, src, nbytes, stream));
    else
        COPY_CALL(nbytes, st, ga_memcpy_htod(a->device, a->ptr, src, nbytes, stream));
    Py_DECREF(h);
    return st == GA_OK ? 0 : pyga_raise_int(st);
}

PyObject *pyga_ndarray_set(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"arr", "stream"};
    PyObject *v[2];
    if (pyga_parse_args("set", args, nargs, kwnames, names, 2, 2, 1, v) < 0)
        return NULL;
    if (pyga_set_impl(ARR(self), v[0], v[1], "set") < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *asnumpy(PyObject *m, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    (void)m;
    static const char *const names[] = {"a", "stream", "order", "out", "blocking"};
    PyObject *v[5];
    if (pyga_parse_args("asnumpy", args, nargs, kwnames, names, 5, 4, 1, v) < 0)
        return NULL;
    int blocking = pyga_bool_arg(v[4], 1);
    char order;
    if (blocking < 0 || pyga_order_arg(v[2], 'C', "CFAK", "asnumpy", &order) < 0)
        return NULL;
    PyObject *out = v[3] && v[3] != Py_None ? v[3] : NULL;
    PyObject *h;
    if (pyga_ndarray_check(v[0])) {
        h = pyga_get_impl(ARR(v[0]), v[1], out, blocking, "asnumpy");
    } else {
        h = PyArray_FromAny(v[0], NULL, 0, 0, 0, NULL);
        if (h && out) {
            if (!PyArray_Check(out)) {
                PyErr_Format(PyExc_TypeError, "asnumpy: out must be a numpy.ndarray, not %.200s",
                             Py_TYPE(out)->tp_name);
                Py_CLEAR(h);
            } else if (PyArray_CopyInto((PyArrayObject *)out, (PyArrayObject *)h) < 0) {
                Py_CLEAR(h);
            } else {
                Py_SETREF(h, Py_NewRef(out));
            }
        }
    }
    if (h && !out && (order == 'C' || order == 'F')) {
        PyArrayObject *ha = (PyArrayObject *)h;
        if (order == 'C' ? !PyArray_IS_C_CONTIGUOUS(ha) : !PyArray_IS_F_CONTIGUOUS(ha))
            Py_SETREF(h, PyArray_NewCopy(ha, order == 'C' ? NPY_CORDER : NPY_FORTRANORDER));
    }
    return h;
}

static PyMethodDef transfer_functions[] = {
    FAST("asnumpy", asnumpy,
         "asnumpy(a, stream=None, order='C', out=None, *, blocking=True)\n--\n\n"
         "a as a NumPy array (a.get() for device arrays)."),
    {NULL, NULL, 0, NULL}
};

int pyga_init_ndarray_transfer(PyObject *m)
{
    return PyModule_AddFunctions(m, transfer_functions);
}
