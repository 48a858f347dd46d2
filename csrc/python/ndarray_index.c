/* ndarray_index.c - basic indexing (ints, slices, ..., None) gives views;
 * a[key] = value; _view(a, shape, strides, offset). Advanced keys go to
 * gpuarray._indexing. */
#include "ndarray_internal.h"

PyObject *pyga_view_of(pyga_ndarray *a, ga_devptr ptr, int ndim, const Py_ssize_t *shape,
                       const Py_ssize_t *strides)
{
    PyObject *base = a->base ? a->base : (PyObject *)a;
    return pyga_new_array(pyga.ndarray, a->mem, ptr, ndim, shape, strides, a->descr, base);
}

static int is_advanced_index(PyObject *o)
{
    return PyList_Check(o) || PyArray_Check(o) || pyga_ndarray_check(o) || PyBool_Check(o);
}

/* Whether `key` asks for advanced indexing (a copy, gpuarray._indexing)
 * rather than a view. */
static int key_is_advanced(PyObject *key)
{
    if (!PyTuple_Check(key))
        return is_advanced_index(key);
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(key); k++)
        if (is_advanced_index(PyTuple_GET_ITEM(key, k)))
            return 1;
    return 0;
}

PyObject *pyga_ndarray_subscript(PyObject *self, PyObject *key)
{
    pyga_ndarray *a = ARR(self);
    if (key_is_advanced(key))
        return pyga_call_hook("_getitem", self, key, NULL);
    PyObject *tuple = PyTuple_Check(key) ? Py_NewRef(key) : PyTuple_Pack(1, key);
    if (!tuple)
        return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(tuple);
    int consumed = 0, ellipsis = -1;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *it = PyTuple_GET_ITEM(tuple, k);
        if (it == Py_Ellipsis) {
            if (ellipsis >= 0) {
                Py_DECREF(tuple);
                PyErr_SetString(PyExc_IndexError, "an index can only have a single ellipsis ('...')");
                return NULL;
            }
            ellipsis = (int)k;
        } else if (it != Py_None) {
            consumed++;
        }
    }
    if (consumed > a->ndim) {
        Py_DECREF(tuple);
        PyErr_Format(PyExc_IndexError, "too many indices for array: array is %d-dimensional, but %d "
                     "were indexed", a->ndim, consumed);
        return NULL;
    }
    Py_ssize_t shape[PYGA_MAX_NDIM], strides[PYGA_MAX_NDIM];
    int ndim = 0, dim = 0;
    ga_devptr ptr = a->ptr;
    PyObject *result = NULL;
    for (Py_ssize_t k = 0; k <= n; k++) {
        PyObject *it = k < n ? PyTuple_GET_ITEM(tuple, k) : NULL;
        if (k == n || it == Py_Ellipsis) {
            /* the rest of the dimensions, whole: at the ellipsis, or at the end */
            int upto = k == n ? a->ndim : a->ndim - (consumed - dim);
            if (k == n && ellipsis >= 0)
                upto = dim;   /* already expanded */
            for (; dim < upto; dim++) {
                if (ndim >= PYGA_MAX_NDIM)
                    goto too_many;
                shape[ndim] = a->shape[dim];
                strides[ndim++] = a->strides[dim];
            }
            continue;
        }
        if (it == Py_None) {
            if (ndim >= PYGA_MAX_NDIM)
                goto too_many;
            shape[ndim] = 1;
            strides[ndim++] = 0;
            continue;
        }
        if (PySlice_Check(it)) {
            Py_ssize_t start, stop, step;
            if (PySlice_Unpack(it, &start, &stop, &step) < 0)
                goto done;
            Py_ssize_t len = PySlice_AdjustIndices(a->shape[dim], &start, &stop, step);
            if (ndim >= PYGA_MAX_NDIM)
                goto too_many;
            if (len > 0)
                ptr += (ga_devptr)(start * a->strides[dim]);
            shape[ndim] = len;
            strides[ndim++] = a->strides[dim] * step;
            dim++;
            continue;
        }
        if (!PyIndex_Check(it)) {
            PyErr_SetString(PyExc_IndexError, "only integers, slices (`:`), ellipsis (`...`), "
                            "numpy.newaxis (`None`) and integer or boolean arrays are valid indices");
            goto done;
        }
        Py_ssize_t i = PyNumber_AsSsize_t(it, PyExc_IndexError);
        if (i == -1 && PyErr_Occurred())
            goto done;
        Py_ssize_t orig = i;
        if (i < 0)
            i += a->shape[dim];
        if (i < 0 || i >= a->shape[dim]) {
            PyErr_Format(PyExc_IndexError, "index %zd is out of bounds for axis %d with size %zd", orig, dim,
                         a->shape[dim]);
            goto done;
        }
        ptr += (ga_devptr)(i * a->strides[dim]);
        dim++;
    }
    result = pyga_view_of(a, ptr, ndim, shape, strides);
    goto done;
too_many:
    PyErr_Format(PyExc_IndexError, "the result would have more than %d dimensions", PYGA_MAX_NDIM);
done:
    Py_DECREF(tuple);
    return result;
}

PyObject *pyga_ndarray_sq_item(PyObject *self, Py_ssize_t i)
{
    pyga_ndarray *a = ARR(self);
    if (a->ndim == 0) {
        PyErr_SetString(PyExc_TypeError, "too many indices for array: array is 0-dimensional");
        return NULL;
    }
    if (i < 0 || i >= a->shape[0]) {
        PyErr_Format(PyExc_IndexError, "index %zd is out of bounds for axis 0 with size %zd", i, a->shape[0]);
        return NULL;
    }
    return pyga_view_of(a, a->ptr + (ga_devptr)(i * a->strides[0]), a->ndim - 1, a->shape + 1, a->strides + 1);
}

static int overlaps(const pyga_ndarray *a, const pyga_ndarray *b)
{
    Py_ssize_t alo, ahi, blo, bhi;
    pyga_byte_extent(a, &alo, &ahi);
    pyga_byte_extent(b, &blo, &bhi);
    return (Py_ssize_t)a->ptr + alo < (Py_ssize_t)b->ptr + bhi
           && (Py_ssize_t)b->ptr + blo < (Py_ssize_t)a->ptr + ahi;
}

/* a[key] = value. Basic keys: a scalar fills the view; a device array of
 * the view's dtype, shape and contiguous layout is one device-to-device
 * copy, a host array of its shape one upload; anything else (casts,
 * broadcasting, strided views, overlap) goes to gpuarray._indexing, which
 * runs a copy kernel. Advanced keys (masks, index arrays) scatter there. */
int pyga_ndarray_ass_subscript(PyObject *self, PyObject *key, PyObject *value)
{
    if (!value) {
        PyErr_SetString(PyExc_ValueError, "cannot delete array elements");
        return -1;
    }
    if (key_is_advanced(key))
        return pyga_call_hook_int("_setitem", self, key, value);
    PyObject *view = pyga_ndarray_subscript(self, key);
    if (!view)
        return -1;
    pyga_ndarray *v = ARR(view);
    ga_stream *stream;
    pyga_current_stream(&stream);
    int rc = -1;
    if (v->size == 0 && !pyga_ndarray_check(value) && !PyList_Check(value) && !PyArray_Check(value)) {
        rc = 0;   /* nothing to write (a bad scalar still raises in NumPy; rare) */
        goto done;
    }
    if (pyga_ndarray_check(value)) {
        pyga_ndarray *src = ARR(value);
        int same = src->ndim == v->ndim && PyArray_EquivTypes(src->descr, v->descr)
                   && ((src->c_contiguous && v->c_contiguous) || (src->f_contiguous && v->f_contiguous));
        for (int i = 0; same && i < v->ndim; i++)
            same = src->shape[i] == v->shape[i];
        if (same && src->ptr != v->ptr && overlaps(src, v))
            same = 0;
        if (same) {
            size_t nbytes = pyga_array_nbytes(v);
            ga_status st = nbytes && src->ptr != v->ptr
                               ? ga_memcpy_dtod_async(v->device, v->ptr, src->ptr, nbytes, stream) : GA_OK;
            rc = st == GA_OK ? 0 : pyga_raise_int(st);
        } else {
            rc = pyga_call_hook_int("_assign", view, value, NULL);
        }
        goto done;
    }
    if (PyFloat_Check(value) || PyLong_Check(value) || PyComplex_Check(value) || PyArray_IsScalar(value, Generic)) {
        rc = pyga_fill_array(v, value, stream, "__setitem__");
        goto done;
    }
    PyArrayObject *h = pyga_host_array(value, v->descr, "__setitem__");
    if (!h)
        goto done;
    int same = PyArray_NDIM(h) == v->ndim && pyga_is_contiguous(v);
    for (int i = 0; same && i < v->ndim; i++)
        same = PyArray_DIM(h, i) == v->shape[i];
    if (PyArray_NDIM(h) == 0)
        rc = pyga_fill_array(v, (PyObject *)h, stream, "__setitem__");
    else if (same)
        rc = pyga_set_impl(v, (PyObject *)h, NULL, "__setitem__");
    else
        rc = pyga_call_hook_int("_assign", view, (PyObject *)h, NULL);
    Py_DECREF(h);
done:
    Py_DECREF(view);
    return rc;
}

/* _view(a, shape, strides, offset=0): a view of a's memory (base: a's
 * base, or a) with byte strides, starting `offset` bytes after a's first
 * element. Checked against the memory a lives in. */
static PyObject *make_view(PyObject *m, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    (void)m;
    static const char *const names[] = {"a", "shape", "strides", "offset"};
    PyObject *v[4];
    if (pyga_parse_args("_view", args, nargs, kwnames, names, 4, 4, 3, v) < 0)
        return NULL;
    if (!pyga_ndarray_check(v[0])) {
        PyErr_SetString(PyExc_TypeError, "_view: a must be a gpuarray.ndarray");
        return NULL;
    }
    pyga_ndarray *a = ARR(v[0]);
    Py_ssize_t shape[PYGA_MAX_NDIM], strides[PYGA_MAX_NDIM];
    int ndim = pyga_shape_arg(v[1], shape, "_view");
    if (ndim < 0 || pyga_strides_arg(v[2], ndim, strides) < 0)
        return NULL;
    Py_ssize_t offset = 0;
    if (v[3] && v[3] != Py_None) {
        offset = PyNumber_AsSsize_t(v[3], PyExc_ValueError);
        if (offset == -1 && PyErr_Occurred())
            return NULL;
    }
    PyObject *r = pyga_view_of(a, a->ptr + (ga_devptr)offset, ndim, shape, strides);
    if (r && ARR(r)->size) {
        Py_ssize_t lo, hi;
        pyga_byte_extent(ARR(r), &lo, &hi);
        pyga_Memory *mem = (pyga_Memory *)a->mem;
        Py_ssize_t at = (Py_ssize_t)(ARR(r)->ptr - mem->ptr);
        if (at + lo < 0 || (size_t)(at + hi) > mem->size) {
            PyErr_SetString(PyExc_ValueError, "_view: shape and strides run outside the array's memory");
            Py_CLEAR(r);
        }
    }
    return r;
}

static PyMethodDef index_functions[] = {
    FAST("_view", make_view,
         "_view(a, shape, strides, offset=0)\n--\n\nA view of a's memory (base a) with byte strides."),
    {NULL, NULL, 0, NULL}
};

int pyga_init_ndarray_index(PyObject *m)
{
    return PyModule_AddFunctions(m, index_functions);
}
