/* ndarray_elements.c - an array as Python values: item(), tolist(),
 * bool(a), int(a), float(a), complex(a), operator.index(a) and format(). */
#include "ndarray_internal.h"

static PyObject *size1_value(PyObject *self, const char *what)
{
    pyga_ndarray *a = ARR(self);
    if (a->size != 1) {
        PyErr_Format(PyExc_TypeError, "only size-1 arrays can be converted to %s (this one has size %zd)",
                     what, a->size);
        return NULL;
    }
    return pyga_read_element(a, a->ptr, 0);
}

PyObject *pyga_ndarray_item(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    pyga_ndarray *a = ARR(self);
    if (nargs == 0) {
        if (a->size != 1) {
            PyErr_Format(PyExc_ValueError, "can only convert an array of size 1 to a Python scalar "
                         "(this one has size %zd)", a->size);
            return NULL;
        }
        return pyga_read_element(a, a->ptr, 0);
    }
    Py_ssize_t idx[PYGA_MAX_NDIM];
    PyObject *const *items = args;
    Py_ssize_t n = nargs;
    if (nargs == 1 && PyTuple_Check(args[0])) {
        items = &PyTuple_GET_ITEM(args[0], 0);
        n = PyTuple_GET_SIZE(args[0]);
    }
    ga_devptr addr = a->ptr;
    if (n == 1) {   /* a flat index, in C order */
        Py_ssize_t flat = PyNumber_AsSsize_t(items[0], PyExc_IndexError);
        if (flat == -1 && PyErr_Occurred())
            return NULL;
        if (flat < 0)
            flat += a->size;
        if (flat < 0 || flat >= a->size) {
            PyErr_Format(PyExc_IndexError, "index %zd is out of bounds for size %zd", flat, a->size);
            return NULL;
        }
        for (int i = a->ndim - 1; i >= 0; i--) {
            idx[i] = flat % a->shape[i];
            flat /= a->shape[i];
        }
    } else {
        if (n != a->ndim) {
            PyErr_Format(PyExc_ValueError, "item: %zd indices for a %d-dimensional array", n, a->ndim);
            return NULL;
        }
        for (int i = 0; i < a->ndim; i++) {
            idx[i] = PyNumber_AsSsize_t(items[i], PyExc_IndexError);
            if (idx[i] == -1 && PyErr_Occurred())
                return NULL;
            if (idx[i] < 0)
                idx[i] += a->shape[i];
            if (idx[i] < 0 || idx[i] >= a->shape[i]) {
                PyErr_Format(PyExc_IndexError, "index %zd is out of bounds for axis %d with size %zd",
                             idx[i], i, a->shape[i]);
                return NULL;
            }
        }
    }
    for (int i = 0; i < a->ndim; i++)
        addr += (ga_devptr)(idx[i] * a->strides[i]);
    return pyga_read_element(a, addr, 0);
}

PyObject *pyga_ndarray_tolist(PyObject *self, PyObject *unused)
{
    (void)unused;
    PyObject *h = pyga_get_impl(ARR(self), NULL, NULL, 1, "tolist");
    if (!h)
        return NULL;
    PyObject *r = PyArray_ToList((PyArrayObject *)h);
    Py_DECREF(h);
    return r;
}

int pyga_ndarray_bool(PyObject *self)
{
    pyga_ndarray *a = ARR(self);
    if (a->size != 1) {
        PyErr_SetString(PyExc_ValueError,
                        a->size == 0 ? "The truth value of an empty array is ambiguous."
                                     : "The truth value of an array with more than one element is "
                                       "ambiguous. Use a.any() or a.all()");
        return -1;
    }
    PyObject *v = pyga_read_element(a, a->ptr, 0);
    if (!v)
        return -1;
    int r = PyObject_IsTrue(v);
    Py_DECREF(v);
    return r;
}

PyObject *pyga_ndarray_float(PyObject *self)
{
    PyObject *v = size1_value(self, "Python scalars");
    if (!v)
        return NULL;
    Py_SETREF(v, PyNumber_Float(v));
    return v;
}

PyObject *pyga_ndarray_int(PyObject *self)
{
    PyObject *v = size1_value(self, "Python scalars");
    if (!v)
        return NULL;
    Py_SETREF(v, PyNumber_Long(v));
    return v;
}

PyObject *pyga_ndarray_index(PyObject *self)
{
    pyga_ndarray *a = ARR(self);
    char kind = a->descr->kind;
    if (a->ndim != 0 || (kind != 'i' && kind != 'u')) {
        PyErr_SetString(PyExc_TypeError, "only integer scalar arrays can be converted to a scalar index");
        return NULL;
    }
    return pyga_read_element(a, a->ptr, 0);
}

PyObject *pyga_ndarray_complex(PyObject *self, PyObject *unused)
{
    (void)unused;
    PyObject *v = size1_value(self, "Python scalars");
    if (!v)
        return NULL;
    Py_SETREF(v, PyObject_CallOneArg((PyObject *)&PyComplex_Type, v));
    return v;
}

/* 0-d arrays format as their element does (f"{y[0]}" prints 5.0);
 * others take only the empty format, as NumPy. */
PyObject *pyga_ndarray_format(PyObject *self, PyObject *spec)
{
    pyga_ndarray *a = ARR(self);
    if (a->ndim == 0) {
        PyObject *sc = pyga_read_element(a, a->ptr, 1);
        if (!sc)
            return NULL;
        PyObject *r = PyObject_Format(sc, spec);
        Py_DECREF(sc);
        return r;
    }
    if (PyUnicode_Check(spec) && PyUnicode_GetLength(spec) == 0)
        return PyObject_Str(self);
    PyErr_SetString(PyExc_TypeError, "unsupported format string passed to gpuarray.ndarray.__format__");
    return NULL;
}
