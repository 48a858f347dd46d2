/* ndarray_args.c - the arguments the ndarray type and the array functions
 * share: shape= (also for blas.c, interop.c, memory.c), strides= and
 * order=, and shape tuples back. */
#include "ndarray_internal.h"

int pyga_shape_arg(PyObject *o, Py_ssize_t *shape, const char *what)
{
    if (PyLong_Check(o) || (!PySequence_Check(o) && PyIndex_Check(o))) {
        Py_ssize_t n = PyNumber_AsSsize_t(o, PyExc_ValueError);
        if (n == -1 && PyErr_Occurred())
            return -1;
        if (n < 0) {
            PyErr_Format(PyExc_ValueError, "%s: negative dimensions are not allowed (shape %zd)", what, n);
            return -1;
        }
        shape[0] = n;
        return 1;
    }
    if (!PySequence_Check(o) || PyUnicode_Check(o) || PyBytes_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s: shape must be an int or a sequence of ints, not %.200s",
                     what, Py_TYPE(o)->tp_name);
        return -1;
    }
    PyObject *seq = PySequence_Fast(o, "shape must be a sequence");
    if (!seq)
        return -1;
    Py_ssize_t ndim = PySequence_Fast_GET_SIZE(seq);
    if (ndim > PYGA_MAX_NDIM) {
        Py_DECREF(seq);
        PyErr_Format(PyExc_ValueError, "%s: %zd dimensions; gpuarray supports at most %d", what, ndim,
                     PYGA_MAX_NDIM);
        return -1;
    }
    for (Py_ssize_t i = 0; i < ndim; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        Py_ssize_t n = PyNumber_AsSsize_t(item, PyExc_ValueError);
        if (n == -1 && PyErr_Occurred()) {
            Py_DECREF(seq);
            return -1;
        }
        if (n < 0) {
            Py_DECREF(seq);
            PyErr_Format(PyExc_ValueError, "%s: negative dimensions are not allowed (shape[%zd] = %zd)",
                         what, i, n);
            return -1;
        }
        shape[i] = n;
    }
    Py_DECREF(seq);
    return (int)ndim;
}

PyObject *pyga_tuple_of(int n, const Py_ssize_t *v)
{
    PyObject *t = PyTuple_New(n);
    if (!t)
        return NULL;
    for (int i = 0; i < n; i++) {
        PyObject *x = PyLong_FromSsize_t(v[i]);
        if (!x) {
            Py_DECREF(t);
            return NULL;
        }
        PyTuple_SET_ITEM(t, i, x);
    }
    return t;
}

int pyga_order_arg(PyObject *o, char dflt, const char *allowed, const char *fname, char *out)
{
    if (!o || o == Py_None) {
        *out = dflt;
        return 0;
    }
    const char *s = PyUnicode_Check(o) ? PyUnicode_AsUTF8(o) : NULL;
    if (s && strlen(s) == 1) {
        char c = s[0] >= 'a' && s[0] <= 'z' ? (char)(s[0] - 'a' + 'A') : s[0];
        if (strchr(allowed, c)) {
            *out = c;
            return 0;
        }
    }
    PyErr_Format(PyExc_ValueError, "%s: order must be one of '%s', not %R", fname, allowed, o);
    return -1;
}

int pyga_strides_arg(PyObject *o, int ndim, Py_ssize_t *strides)
{
    PyObject *seq = PySequence_Fast(o, "ndarray: strides must be a sequence of ints");
    if (!seq)
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    if (n != ndim) {
        Py_DECREF(seq);
        PyErr_Format(PyExc_ValueError, "ndarray: %zd strides for %d dimensions", n, ndim);
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        strides[i] = PyNumber_AsSsize_t(PySequence_Fast_GET_ITEM(seq, i), PyExc_ValueError);
        if (strides[i] == -1 && PyErr_Occurred()) {
            Py_DECREF(seq);
            return -1;
        }
    }
    Py_DECREF(seq);
    return 0;
}
