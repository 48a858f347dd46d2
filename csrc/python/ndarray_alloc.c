/* ndarray_alloc.c - array objects: their layout (strides, contiguity
 * flags, byte extent), making one over existing memory, and allocating
 * one with fresh device memory. */
#include "ndarray_internal.h"

void pyga_contiguous_strides(int ndim, const Py_ssize_t *shape, Py_ssize_t itemsize, int fortran,
                             Py_ssize_t *strides)
{
    Py_ssize_t s = itemsize;
    if (fortran) {
        for (int i = 0; i < ndim; i++) {
            strides[i] = s;
            s *= shape[i] ? shape[i] : 1;
        }
    } else {
        for (int i = ndim - 1; i >= 0; i--) {
            strides[i] = s;
            s *= shape[i] ? shape[i] : 1;
        }
    }
}

/* NumPy's rule: dimensions of length 1 do not matter; empty arrays are both. */
static void update_flags(pyga_ndarray *a)
{
    Py_ssize_t itemsize = (Py_ssize_t)PyDataType_ELSIZE(a->descr);
    int c = 1, f = 1;
    if (a->size != 0) {
        Py_ssize_t s = itemsize;
        for (int i = a->ndim - 1; i >= 0; i--) {
            if (a->shape[i] != 1) {
                if (a->strides[i] != s)
                    c = 0;
                s *= a->shape[i];
            }
        }
        s = itemsize;
        for (int i = 0; i < a->ndim; i++) {
            if (a->shape[i] != 1) {
                if (a->strides[i] != s)
                    f = 0;
                s *= a->shape[i];
            }
        }
    }
    a->c_contiguous = c;
    a->f_contiguous = f;
}

PyObject *pyga_new_array(PyTypeObject *type, PyObject *mem, ga_devptr ptr, int ndim,
                         const Py_ssize_t *shape, const Py_ssize_t *strides, PyArray_Descr *descr,
                         PyObject *base)
{
    pyga_ndarray *a = (pyga_ndarray *)type->tp_alloc(type, 0);
    if (!a)
        return NULL;
    a->ptr = ptr;
    a->ndim = ndim;
    a->size = 1;
    for (int i = 0; i < ndim; i++) {
        a->shape[i] = shape[i];
        a->strides[i] = strides[i];
        a->size *= shape[i];
    }
    a->descr = (PyArray_Descr *)Py_NewRef(descr);
    a->gdtype = pyga_dtype_from_descr(descr);
    a->mem = Py_NewRef(mem);
    a->base = Py_XNewRef(base);
    a->device = ((pyga_Memory *)mem)->device;
    update_flags(a);
    return (PyObject *)a;
}

size_t pyga_checked_nbytes(int ndim, const Py_ssize_t *shape, PyArray_Descr *descr, const char *what)
{
    if (ndim < 0 || ndim > PYGA_MAX_NDIM) {
        PyErr_Format(PyExc_ValueError, "%s: %d dimensions; gpuarray supports 0 to %d", what, ndim,
                     PYGA_MAX_NDIM);
        return (size_t)-1;
    }
    if (pyga_dtype_from_descr(descr) == GA_DTYPE_UNKNOWN) {
        pyga_unsupported_dtype(descr, what);
        return (size_t)-1;
    }
    size_t nbytes = (size_t)PyDataType_ELSIZE(descr);
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0) {
            PyErr_Format(PyExc_ValueError, "%s: negative dimensions are not allowed (shape[%d] = %zd)",
                         what, i, shape[i]);
            return (size_t)-1;
        }
        if (shape[i] && nbytes > (size_t)PY_SSIZE_T_MAX / (size_t)shape[i]) {
            PyErr_Format(PyExc_ValueError, "%s: array is too big", what);
            return (size_t)-1;
        }
        nbytes *= (size_t)shape[i];
    }
    return nbytes;
}

PyObject *pyga_alloc_array(PyTypeObject *type, int ndim, const Py_ssize_t *shape,
                           PyArray_Descr *descr, int fortran, const char *what)
{
    size_t nbytes = pyga_checked_nbytes(ndim, shape, descr, what);
    if (nbytes == (size_t)-1)
        return NULL;
    ga_device *dev = pyga_current_device();
    if (!dev)
        return NULL;
    ga_stream *stream;
    PyObject *stream_obj = pyga_current_stream(&stream);
    ga_device *sdev = ((pyga_Stream *)stream_obj)->device;
    if (sdev && sdev != dev) {
        stream_obj = pyga.null_stream;
        stream = NULL;
    }
    ga_devptr ptr;
    PyObject *mem = pyga_array_memory(dev, nbytes, stream_obj, stream, &ptr);
    if (!mem)
        return NULL;
    Py_ssize_t strides[PYGA_MAX_NDIM];
    pyga_contiguous_strides(ndim, shape, (Py_ssize_t)PyDataType_ELSIZE(descr), fortran, strides);
    PyObject *a = pyga_new_array(type, mem, ptr, ndim, shape, strides, descr, NULL);
    Py_DECREF(mem);
    return a;
}

PyObject *pyga_ndarray_empty(int ndim, const Py_ssize_t *shape, PyArray_Descr *descr, int fortran)
{
    return pyga_alloc_array(pyga.ndarray, ndim, shape, descr, fortran, "empty");
}

void pyga_byte_extent(const pyga_ndarray *a, Py_ssize_t *lo, Py_ssize_t *hi)
{
    Py_ssize_t l = 0, h = 0;
    for (int i = 0; i < a->ndim; i++) {
        Py_ssize_t span = (a->shape[i] - 1) * a->strides[i];
        if (span < 0)
            l += span;
        else
            h += span;
    }
    *lo = l;
    *hi = h + (Py_ssize_t)PyDataType_ELSIZE(a->descr);
}
