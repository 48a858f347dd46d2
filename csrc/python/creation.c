/* creation.c - the array creation functions: empty, zeros, ones, full,
 * their *_like forms, arange, and asarray, array and ascontiguousarray
 * (from host data, from our arrays, from other libraries' device arrays). */
#include "ndarray_internal.h"

static PyObject *numpy_arange;

static PyObject *empty_impl(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames, const char *fname,
                            int zero)
{
    static const char *const names[] = {"shape", "dtype", "order"};
    PyObject *v[3];
    if (pyga_parse_args(fname, args, nargs, kwnames, names, 3, 3, 1, v) < 0)
        return NULL;
    Py_ssize_t shape[PYGA_MAX_NDIM];
    int ndim = pyga_shape_arg(v[0], shape, fname);
    if (ndim < 0)
        return NULL;
    char order;
    if (pyga_order_arg(v[2], 'C', "CF", fname, &order) < 0)
        return NULL;
    PyArray_Descr *descr = pyga_descr_arg(v[1]);
    if (!descr)
        return NULL;
    PyObject *a = pyga_alloc_array(pyga.ndarray, ndim, shape, descr, order == 'F', fname);
    Py_DECREF(descr);
    if (a && zero && ARR(a)->size) {
        size_t nbytes = pyga_array_nbytes(ARR(a));
        ga_status st = ga_memset_async(ARR(a)->device, ARR(a)->ptr, 0, nbytes % 4 ? 1 : 4, nbytes,
                                       pyga_alloc_stream(a));
        if (st != GA_OK) {
            Py_DECREF(a);
            return pyga_raise(st);
        }
    }
    return a;
}

static PyObject *empty(PyObject *m, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    (void)m;
    return empty_impl(args, nargs, kwnames, "empty", 0);
}

static PyObject *zeros(PyObject *m, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    (void)m;
    return empty_impl(args, nargs, kwnames, "zeros", 1);
}

/* The dtype `full` gives a fill value when none is asked for: NumPy's. */
static PyArray_Descr *value_descr(PyObject *value, const char *fname)
{
    if (pyga_ndarray_check(value))
        return (PyArray_Descr *)Py_NewRef(ARR(value)->descr);
    PyArrayObject *h = pyga_host_array(value, NULL, fname);
    if (!h)
        return NULL;
    PyArray_Descr *d = (PyArray_Descr *)Py_NewRef(PyArray_DESCR(h));
    Py_DECREF(h);
    return d;
}

static PyObject *full_impl(int ndim, const Py_ssize_t *shape, PyObject *value, PyObject *dtype, int fortran,
                           const char *fname)
{
    PyArray_Descr *descr = dtype && dtype != Py_None ? pyga_descr_arg(dtype) : value_descr(value, fname);
    if (!descr)
        return NULL;
    PyObject *a = pyga_alloc_array(pyga.ndarray, ndim, shape, descr, fortran, fname);
    Py_DECREF(descr);
    if (a && pyga_fill_array(ARR(a), value, pyga_alloc_stream(a), fname) < 0)
        Py_CLEAR(a);
    return a;
}

static PyObject *ones(PyObject *m, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    (void)m;
    static const char *const names[] = {"shape", "dtype", "order"};
    PyObject *v[3];
    if (pyga_parse_args("ones", args, nargs, kwnames, names, 3, 3, 1, v) < 0)
        return NULL;
    Py_ssize_t shape[PYGA_MAX_NDIM];
    int ndim = pyga_shape_arg(v[0], shape, "ones");
    char order;
    if (ndim < 0 || pyga_order_arg(v[2], 'C', "CF", "ones", &order) < 0)
        return NULL;
    PyArray_Descr *descr = pyga_descr_arg(v[1]);
    if (!descr)
        return NULL;
    PyObject *one = PyLong_FromLong(1);
    PyObject *a = one ? full_impl(ndim, shape, one, (PyObject *)descr, order == 'F', "ones") : NULL;
    Py_XDECREF(one);
    Py_DECREF(descr);
    return a;
}

static PyObject *full(PyObject *m, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    (void)m;
    static const char *const names[] = {"shape", "fill_value", "dtype", "order"};
    PyObject *v[4];
    if (pyga_parse_args("full", args, nargs, kwnames, names, 4, 4, 2, v) < 0)
        return NULL;
    Py_ssize_t shape[PYGA_MAX_NDIM];
    int ndim = pyga_shape_arg(v[0], shape, "full");
    char order;
    if (ndim < 0 || pyga_order_arg(v[3], 'C', "CF", "full", &order) < 0)
        return NULL;
    return full_impl(ndim, shape, v[1], v[2], order == 'F', "full");
}

/* The shape, dtype and layout of the *_like functions' prototype. */
static int like_args(PyObject *proto, PyObject *dtype, PyObject *order_o, PyObject *shape_o,
                     const char *fname, int *ndim, Py_ssize_t *shape, PyArray_Descr **descr, int *fortran)
{
    char order;
    if (pyga_order_arg(order_o, 'K', "CFAK", fname, &order) < 0)
        return -1;
    int proto_f = 0;
    PyArray_Descr *pd = NULL;
    if (pyga_ndarray_check(proto)) {
        pyga_ndarray *p = ARR(proto);
        *ndim = p->ndim;
        memcpy(shape, p->shape, sizeof(Py_ssize_t) * (size_t)p->ndim);
        pd = (PyArray_Descr *)Py_NewRef(p->descr);
        proto_f = p->f_contiguous && !p->c_contiguous;
    } else {
        PyArrayObject *h = (PyArrayObject *)PyArray_FromAny(proto, NULL, 0, 0, 0, NULL);
        if (!h)
            return -1;
        *ndim = PyArray_NDIM(h);
        if (*ndim > PYGA_MAX_NDIM) {
            Py_DECREF(h);
            PyErr_Format(PyExc_ValueError, "%s: too many dimensions", fname);
            return -1;
        }
        for (int i = 0; i < *ndim; i++)
            shape[i] = (Py_ssize_t)PyArray_DIM(h, i);
        pd = (PyArray_Descr *)Py_NewRef(PyArray_DESCR(h));
        proto_f = PyArray_IS_F_CONTIGUOUS(h) && !PyArray_IS_C_CONTIGUOUS(h);
        Py_DECREF(h);
    }
    if (shape_o && shape_o != Py_None) {
        *ndim = pyga_shape_arg(shape_o, shape, fname);
        if (*ndim < 0) {
            Py_DECREF(pd);
            return -1;
        }
    }
    if (dtype && dtype != Py_None) {
        Py_DECREF(pd);
        pd = pyga_descr_arg(dtype);
        if (!pd)
            return -1;
    } else if (pyga_dtype_from_descr(pd) == GA_DTYPE_UNKNOWN) {
        pyga_unsupported_dtype(pd, fname);
        Py_DECREF(pd);
        return -1;
    }
    *descr = pd;
    *fortran = order == 'F' || ((order == 'K' || order == 'A') && proto_f);
    return 0;
}

static PyObject *like_impl(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames, const char *fname,
                           int kind /* 0 empty, 1 zeros, 2 ones, 3 full */)
{
    static const char *const names[] = {"a", "dtype", "order", "subok", "shape"};
    static const char *const full_names[] = {"a", "fill_value", "dtype", "order", "subok", "shape"};
    PyObject *v[6];
    PyObject *value = NULL, **w = v;
    if (kind == 3) {
        if (pyga_parse_args(fname, args, nargs, kwnames, full_names, 6, 6, 2, v) < 0)
            return NULL;
        value = v[1];
        v[1] = v[0];
        w = v + 1;   /* w = a, dtype, order, subok, shape */
    } else if (pyga_parse_args(fname, args, nargs, kwnames, names, 5, 5, 1, v) < 0) {
        return NULL;
    }
    int ndim, fortran;
    Py_ssize_t shape[PYGA_MAX_NDIM];
    PyArray_Descr *descr;
    if (like_args(w[0], w[1], w[2], w[4], fname, &ndim, shape, &descr, &fortran) < 0)
        return NULL;
    PyObject *a;
    if (kind == 2 || kind == 3) {
        PyObject *one = kind == 2 ? PyLong_FromLong(1) : Py_NewRef(value);
        a = one ? full_impl(ndim, shape, one, (PyObject *)descr, fortran, fname) : NULL;
        Py_XDECREF(one);
    } else {
        a = pyga_alloc_array(pyga.ndarray, ndim, shape, descr, fortran, fname);
        if (a && kind == 1 && ARR(a)->size) {
            size_t nbytes = pyga_array_nbytes(ARR(a));
            ga_status st = ga_memset_async(ARR(a)->device, ARR(a)->ptr, 0, nbytes % 4 ? 1 : 4, nbytes,
                                           pyga_alloc_stream(a));
            if (st != GA_OK) {
                Py_CLEAR(a);
                pyga_raise(st);
            }
        }
    }
    Py_DECREF(descr);
    return a;
}

static PyObject *empty_like(PyObject *m, PyObject *const *a, Py_ssize_t n, PyObject *k)
{
    (void)m;
    return like_impl(a, n, k, "empty_like", 0);
}

static PyObject *zeros_like(PyObject *m, PyObject *const *a, Py_ssize_t n, PyObject *k)
{
    (void)m;
    return like_impl(a, n, k, "zeros_like", 1);
}

static PyObject *ones_like(PyObject *m, PyObject *const *a, Py_ssize_t n, PyObject *k)
{
    (void)m;
    return like_impl(a, n, k, "ones_like", 2);
}

static PyObject *full_like(PyObject *m, PyObject *const *a, Py_ssize_t n, PyObject *k)
{
    (void)m;
    return like_impl(a, n, k, "full_like", 3);
}

/* NumPy computes the values (arange's float rounding rules are NumPy's);
 * one upload. */
static PyObject *arange(PyObject *m, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    (void)m;
    PyObject *h = PyObject_Vectorcall(numpy_arange, args, (size_t)nargs, kwnames);
    if (!h)
        return NULL;
    PyArrayObject *ha = pyga_host_array(h, NULL, "arange");
    Py_DECREF(h);
    if (!ha)
        return NULL;
    PyObject *a = pyga_upload(ha, 1);
    Py_DECREF(ha);
    return a;
}

/* Prepend length-1 dimensions up to ndmin (a view). */
static PyObject *with_ndmin(PyObject *a, int ndmin)
{
    pyga_ndarray *x = ARR(a);
    if (ndmin <= x->ndim)
        return a;
    if (ndmin > PYGA_MAX_NDIM) {
        Py_DECREF(a);
        PyErr_Format(PyExc_ValueError, "ndmin %d is more than %d", ndmin, PYGA_MAX_NDIM);
        return NULL;
    }
    Py_ssize_t shape[PYGA_MAX_NDIM], strides[PYGA_MAX_NDIM];
    int pad = ndmin - x->ndim;
    for (int i = 0; i < pad; i++) {
        shape[i] = 1;
        strides[i] = x->ndim ? x->strides[0] * x->shape[0] : (Py_ssize_t)PyDataType_ELSIZE(x->descr);
    }
    for (int i = 0; i < x->ndim; i++) {
        shape[pad + i] = x->shape[i];
        strides[pad + i] = x->strides[i];
    }
    PyObject *v = pyga_view_of(x, x->ptr, ndmin, shape, strides);
    Py_DECREF(a);
    return v;
}

/* asarray/array core. copy: 1 always, 0 only when needed. */
static PyObject *to_device(PyObject *obj, PyObject *dtype, char order, int copy, int blocking,
                           const char *fname)
{
    if (!pyga_ndarray_check(obj)) {
        /* CuPy arrays, torch CUDA tensors, any __cuda_array_interface__
         * object: a zero-copy view first (interop.c), then as for ours. */
        PyObject *view = pyga_interop_asarray(obj);
        if (!view)
            return NULL;
        if (view != Py_NotImplemented) {
            PyObject *r = to_device(view, dtype, order, copy, blocking, fname);
            Py_DECREF(view);
            return r;
        }
        Py_DECREF(view);
    }
    PyArray_Descr *descr = NULL;
    if (dtype && dtype != Py_None) {
        descr = pyga_descr_arg(dtype);
        if (!descr)
            return NULL;
    }
    PyObject *r;
    if (pyga_ndarray_check(obj)) {
        pyga_ndarray *a = ARR(obj);
        int cast = descr && !PyArray_EquivTypes(descr, a->descr);
        int layout_ok = order == 'C' ? a->c_contiguous : order == 'F' ? a->f_contiguous : 1;
        ga_device *here = pyga_current_device();
        if (!here) {
            Py_XDECREF(descr);
            return NULL;
        }
        if (a->device != here)
            copy = 1;   /* an array of another device is copied to the current one, as in CuPy */
        if (cast && a->device != here) {
            /* Brought over first: the cast kernel runs on the current device. */
            PyObject *c = pyga_copy_array(a, 'K');
            r = c ? pyga_astype_impl(ARR(c), descr, 0, order == 'A' ? 'K' : order) : NULL;
            Py_XDECREF(c);
        } else if (cast)
            r = pyga_astype_impl(a, descr, 1, order == 'A' ? 'K' : order);
        else if (copy || !layout_ok)
            r = pyga_copy_array(a, order == 'A' ? 'K' : order);
        else
            r = Py_NewRef(obj);
        if (r && cast && !(order == 'C' ? ARR(r)->c_contiguous : order == 'F' ? ARR(r)->f_contiguous : 1))
            Py_SETREF(r, pyga_copy_array(ARR(r), order));
        Py_XDECREF(descr);
        return r;
    }
    PyArrayObject *h = pyga_host_array(obj, descr, fname);
    Py_XDECREF(descr);
    if (!h)
        return NULL;
    if ((order == 'C' && !PyArray_IS_C_CONTIGUOUS(h)) || (order == 'F' && !PyArray_IS_F_CONTIGUOUS(h)))
        Py_SETREF(h, (PyArrayObject *)PyArray_NewCopy(h, order == 'C' ? NPY_CORDER : NPY_FORTRANORDER));
    if (!h)
        return NULL;
    r = pyga_upload(h, blocking);
    Py_DECREF(h);
    return r;
}

static PyObject *asarray(PyObject *m, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    (void)m;
    if (nargs == 1 && !kwnames && pyga_ndarray_check(args[0])
        && ARR(args[0])->device == pyga_current_device())
        return Py_NewRef(args[0]);
    static const char *const names[] = {"a", "dtype", "order", "blocking", "copy"};
    PyObject *v[5];
    if (pyga_parse_args("asarray", args, nargs, kwnames, names, 5, 3, 1, v) < 0)
        return NULL;
    char order;
    int blocking = pyga_bool_arg(v[3], 0);
    /* the Array API's copy=: None copies where needed, True always, False never */
    int copy = -1;
    if (v[4] && v[4] != Py_None && (copy = PyObject_IsTrue(v[4])) < 0)
        return NULL;
    if (blocking < 0 || pyga_order_arg(v[2], 'K', "CFAK", "asarray", &order) < 0)
        return NULL;
    PyObject *r = to_device(v[0], v[1], order, copy == 1, blocking, "asarray");
    if (r && copy == 0 && r != v[0]) {
        Py_DECREF(r);
        PyErr_SetString(PyExc_ValueError,
                        "asarray: copy=False, but the data must be copied (it is host data, of "
                        "another device, or of another dtype or layout)");
        return NULL;
    }
    return r;
}

static PyObject *array(PyObject *m, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    (void)m;
    static const char *const names[] = {"object", "dtype", "copy", "order", "subok", "ndmin", "blocking"};
    PyObject *v[7];
    if (pyga_parse_args("array", args, nargs, kwnames, names, 7, 6, 1, v) < 0)
        return NULL;
    int copy = v[2] == Py_None ? 0 : pyga_bool_arg(v[2], 1);
    int blocking = pyga_bool_arg(v[6], 0);
    char order;
    if (copy < 0 || blocking < 0 || pyga_order_arg(v[3], 'K', "CFAK", "array", &order) < 0)
        return NULL;
    int ndmin = 0;
    if (v[5]) {
        long n = PyLong_AsLong(v[5]);
        if (n == -1 && PyErr_Occurred())
            return NULL;
        if (n < 0 || n > PYGA_MAX_NDIM) {
            PyErr_Format(PyExc_ValueError, "array: ndmin must be in 0..%d, not %ld", PYGA_MAX_NDIM, n);
            return NULL;
        }
        ndmin = (int)n;
    }
    PyObject *a = to_device(v[0], v[1], order, copy, blocking, "array");
    return a && ndmin ? with_ndmin(a, ndmin) : a;
}

static PyObject *ascontiguousarray(PyObject *m, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    (void)m;
    static const char *const names[] = {"a", "dtype"};
    PyObject *v[2];
    if (pyga_parse_args("ascontiguousarray", args, nargs, kwnames, names, 2, 2, 1, v) < 0)
        return NULL;
    PyObject *a = to_device(v[0], v[1], 'C', 0, 0, "ascontiguousarray");
    return a && ARR(a)->ndim == 0 ? with_ndmin(a, 1) : a;
}

/* ------------------------------------------------------------ device= */

typedef PyObject *(*creation_fn)(PyObject *, PyObject *const *, Py_ssize_t, PyObject *);

/* The Array API's device= keyword, taken by every creation function: it is
 * taken out of the keywords here and the function runs with that device
 * current, as under `with device:` (the current device is restored after),
 * so that no parser below sees it and a call without it pays one scan of
 * its keyword names. */
static PyObject *call_on_device(creation_fn fn, const char *fname, PyObject *m, PyObject *const *args,
                                Py_ssize_t nargs, PyObject *kwnames)
{
    Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0, at = -1;
    for (Py_ssize_t i = 0; i < nkw; i++)
        if (PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(kwnames, i), "device") == 0)
            at = i;
    if (at < 0)
        return fn(m, args, nargs, kwnames);
    int id = pyga_device_arg(args[nargs + at], fname);
    if (id == -2)
        return NULL;
    PyObject *rest[16];   /* the most parameters of a creation function, and then some */
    if (nargs + nkw - 1 > 16) {
        PyErr_Format(PyExc_TypeError, "%s: too many arguments", fname);
        return NULL;
    }
    PyObject *names = PyTuple_New(nkw - 1);
    if (!names)
        return NULL;
    for (Py_ssize_t i = 0, j = 0; i < nargs + nkw; i++) {
        if (i == nargs + at)
            continue;
        rest[j] = args[i];
        if (i >= nargs)
            PyTuple_SET_ITEM(names, j - nargs, Py_NewRef(PyTuple_GET_ITEM(kwnames, i - nargs)));
        j++;
    }
    int prev = pyga_current_device_id();
    PyObject *r = NULL;
    if (id < 0 || pyga_set_current_device(id) == 0) {
        r = fn(m, rest, nargs, nkw - 1 ? names : NULL);
        if (id >= 0 && pyga_set_current_device(prev) < 0)
            Py_CLEAR(r);   /* the previous device was valid: not expected */
    }
    Py_DECREF(names);
    return r;
}

/* name_on_device: `name` with device= (the Python-visible function). */
#define WITH_DEVICE(name)                                                                       \
    static PyObject *name##_on_device(PyObject *m, PyObject *const *args, Py_ssize_t nargs,     \
                                      PyObject *kwnames)                                        \
    {                                                                                           \
        return call_on_device(name, #name, m, args, nargs, kwnames);                            \
    }
WITH_DEVICE(empty)
WITH_DEVICE(zeros)
WITH_DEVICE(ones)
WITH_DEVICE(full)
WITH_DEVICE(arange)
WITH_DEVICE(empty_like)
WITH_DEVICE(zeros_like)
WITH_DEVICE(ones_like)
WITH_DEVICE(full_like)
WITH_DEVICE(asarray)
WITH_DEVICE(array)
WITH_DEVICE(ascontiguousarray)
#undef WITH_DEVICE

static PyMethodDef creation_functions[] = {
    FAST("empty", empty_on_device, "empty(shape, dtype=None, order='C', *, device=None)\n--\n\nA new array, contents undefined."),
    FAST("zeros", zeros_on_device, "zeros(shape, dtype=None, order='C', *, device=None)\n--\n\nA new array of zeros."),
    FAST("ones", ones_on_device, "ones(shape, dtype=None, order='C', *, device=None)\n--\n\nA new array of ones."),
    FAST("full", full_on_device,
         "full(shape, fill_value, dtype=None, order='C', *, device=None)\n--\n\nA new array filled with fill_value."),
    FAST("arange", arange_on_device,
         "arange(start, stop=None, step=None, dtype=None, *, device=None)\n--\n\nEvenly spaced values, as numpy.arange."),
    FAST("empty_like", empty_like_on_device,
         "empty_like(a, dtype=None, order='K', subok=None, shape=None, *, device=None)\n--\n\nA new array like a."),
    FAST("zeros_like", zeros_like_on_device,
         "zeros_like(a, dtype=None, order='K', subok=None, shape=None, *, device=None)\n--\n\nZeros shaped like a."),
    FAST("ones_like", ones_like_on_device,
         "ones_like(a, dtype=None, order='K', subok=None, shape=None, *, device=None)\n--\n\nOnes shaped like a."),
    FAST("full_like", full_like_on_device,
         "full_like(a, fill_value, dtype=None, order='K', subok=None, shape=None, *, device=None)\n--\n\n"
         "fill_value shaped like a."),
    FAST("asarray", asarray_on_device,
         "asarray(a, dtype=None, order=None, *, blocking=False, device=None, copy=None)\n--\n\n"
         "a on the device: a gpuarray.ndarray is returned as it is; NumPy arrays, lists and\n"
         "scalars are copied (asynchronously from pinned memory unless blocking=True).\n"
         "copy=True always copies; copy=False raises ValueError where a copy is needed."),
    FAST("array", array_on_device,
         "array(object, dtype=None, copy=True, order='K', subok=False, ndmin=0, *, blocking=False, device=None)\n--\n\n"
         "A device array from obj, a copy unless copy=False allows otherwise."),
    FAST("ascontiguousarray", ascontiguousarray_on_device,
         "ascontiguousarray(a, dtype=None, *, device=None)\n--\n\nA C-contiguous device array."),
    {NULL, NULL, 0, NULL}
};

int pyga_init_creation(PyObject *m)
{
    PyObject *np = PyImport_ImportModule("numpy");
    if (!np)
        return -1;
    numpy_arange = PyObject_GetAttrString(np, "arange");
    Py_DECREF(np);
    if (!numpy_arange)
        return -1;
    return PyModule_AddFunctions(m, creation_functions);
}
