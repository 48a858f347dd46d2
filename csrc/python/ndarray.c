/* ndarray.c - the gpuarray.ndarray type: construction, lifetime,
 * attributes, repr and pickling, and the slot and method tables that
 * gather what the other ndarray files implement (ndarray_internal.h
 * lists them).
 *
 * Hot paths (empty, get, set, asarray of a NumPy array) are plain C over
 * the core: cached dtypes, no Python-level wrappers, one copy call each.
 * Device views come from basic indexing; what needs a generated kernel
 * (a strided set, fill or copy, a cast, advanced indexing) is done by
 * gpuarray._indexing (ndarray_hooks.c), and get() of any view is exact. */
#include "ndarray_internal.h"

#include <structmember.h>

static PyObject *ndarray_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"shape", "dtype", "memptr", "strides", "order", NULL};
    PyObject *shape_o, *dtype_o = Py_None, *memptr = Py_None, *strides_o = Py_None, *order_o = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|OOOO:ndarray", kwlist, &shape_o, &dtype_o, &memptr,
                                     &strides_o, &order_o))
        return NULL;
    Py_ssize_t shape[PYGA_MAX_NDIM], strides[PYGA_MAX_NDIM];
    int ndim = pyga_shape_arg(shape_o, shape, "ndarray");
    if (ndim < 0)
        return NULL;
    char order;
    if (pyga_order_arg(order_o, 'C', "CF", "ndarray", &order) < 0)
        return NULL;
    PyArray_Descr *descr = pyga_descr_arg(dtype_o);
    if (!descr)
        return NULL;
    PyObject *a = NULL;
    if (memptr == Py_None) {
        if (strides_o != Py_None) {
            PyErr_SetString(PyExc_ValueError, "ndarray: strides need memptr");
        } else {
            a = pyga_alloc_array(type, ndim, shape, descr, order == 'F', "ndarray");
        }
        Py_DECREF(descr);
        return a;
    }
    PyObject *mem;
    ga_devptr ptr;
    if (pyga_memory_pointer_unpack(memptr, &mem, &ptr) < 0
        || pyga_checked_nbytes(ndim, shape, descr, "ndarray") == (size_t)-1)
        goto done;
    if (strides_o == Py_None)
        pyga_contiguous_strides(ndim, shape, (Py_ssize_t)PyDataType_ELSIZE(descr), order == 'F', strides);
    else if (pyga_strides_arg(strides_o, ndim, strides) < 0)
        goto done;
    a = pyga_new_array(type, mem, ptr, ndim, shape, strides, descr, NULL);
    if (a && ARR(a)->size) {
        Py_ssize_t lo, hi;
        pyga_byte_extent(ARR(a), &lo, &hi);
        pyga_Memory *m = (pyga_Memory *)mem;
        if ((Py_ssize_t)(ptr - m->ptr) + lo < 0 || (size_t)((Py_ssize_t)(ptr - m->ptr) + hi) > m->size) {
            PyErr_SetString(PyExc_ValueError, "ndarray: shape and strides run outside memptr's memory");
            Py_CLEAR(a);
        }
    }
done:
    Py_DECREF(descr);
    return a;
}

static int ndarray_traverse(PyObject *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(ARR(self)->mem);
    Py_VISIT(ARR(self)->base);
    return 0;
}

static int ndarray_clear(PyObject *self)
{
    Py_CLEAR(ARR(self)->base);
    return 0;
}

static void ndarray_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    pyga_ndarray *a = ARR(self);
    PyObject_GC_UnTrack(self);
    if (a->weakreflist)
        PyObject_ClearWeakRefs(self);
    Py_CLEAR(a->base);
    Py_CLEAR(a->mem);
    Py_CLEAR(a->descr);
    tp->tp_free(self);
    Py_DECREF(tp);
}

/* ---- attributes */

static PyObject *ndarray_get_shape(PyObject *self, void *c)
{
    (void)c;
    return pyga_tuple_of(ARR(self)->ndim, ARR(self)->shape);
}

static PyObject *ndarray_get_strides(PyObject *self, void *c)
{
    (void)c;
    return pyga_tuple_of(ARR(self)->ndim, ARR(self)->strides);
}

static PyObject *ndarray_get_dtype(PyObject *self, void *c)
{
    (void)c;
    return Py_NewRef(ARR(self)->descr);
}

static PyObject *ndarray_get_size(PyObject *self, void *c)
{
    (void)c;
    return PyLong_FromSsize_t(ARR(self)->size);
}

static PyObject *ndarray_get_nbytes(PyObject *self, void *c)
{
    (void)c;
    return PyLong_FromSize_t(pyga_array_nbytes(ARR(self)));
}

static PyObject *ndarray_get_ndim(PyObject *self, void *c)
{
    (void)c;
    return PyLong_FromLong(ARR(self)->ndim);
}

static PyObject *ndarray_get_itemsize(PyObject *self, void *c)
{
    (void)c;
    return PyLong_FromSsize_t((Py_ssize_t)PyDataType_ELSIZE(ARR(self)->descr));
}

static PyObject *ndarray_get_data(PyObject *self, void *c)
{
    (void)c;
    return pyga_memory_pointer(ARR(self)->mem, ARR(self)->ptr);
}

static PyObject *ndarray_get_device(PyObject *self, void *c)
{
    (void)c;
    return pyga_device_object(ga_device_ordinal(ARR(self)->device));
}

static PyObject *ndarray_get_base(PyObject *self, void *c)
{
    (void)c;
    PyObject *b = ARR(self)->base;
    return Py_NewRef(b ? b : Py_None);
}

/* Version 3 of the CUDA Array Interface, with the current stream (1 for
 * the legacy null stream) so that consumers order their work after ours. */
static PyObject *ndarray_get_cai(PyObject *self, void *c)
{
    (void)c;
    const char *backend = ga_backend_name();
    if (!backend || strcmp(backend, "cuda") != 0) {
        /* Host-backend memory is not CUDA memory: claiming it would let
         * CuPy or torch hand it to a GPU. (hasattr() is then False.) */
        PyErr_SetString(PyExc_AttributeError, "__cuda_array_interface__ is only available on the CUDA "
                        "backend (this array lives in host-backend memory; use __dlpack__)");
        return NULL;
    }
    pyga_ndarray *a = ARR(self);
    PyObject *typestr = PyObject_GetAttrString((PyObject *)a->descr, "str");
    if (!typestr)
        return NULL;
    PyObject *shape = ndarray_get_shape(self, NULL);
    PyObject *strides = a->c_contiguous ? Py_NewRef(Py_None) : ndarray_get_strides(self, NULL);
    ga_stream *s;
    pyga_current_stream(&s);
    PyObject *stream = s ? PyLong_FromVoidPtr(ga_stream_native(s)) : PyLong_FromLong(1);
    PyObject *d = NULL;
    if (shape && strides && stream)
        d = Py_BuildValue("{s:O,s:O,s:[(s,O)],s:(KO),s:O,s:i,s:O}", "shape", shape, "typestr", typestr,
                          "descr", "", typestr, "data",
                          (unsigned long long)(a->size ? a->ptr : 0), Py_False, "strides", strides,
                          "version", 3, "stream", stream);
    Py_XDECREF(typestr);
    Py_XDECREF(shape);
    Py_XDECREF(strides);
    Py_XDECREF(stream);
    return d;
}

/* ---- repr, str, __array__, pickling */

static PyObject *ndarray_repr(PyObject *self)
{
    PyObject *h = pyga_get_impl(ARR(self), NULL, NULL, 1, "repr");
    if (!h)
        return NULL;
    PyObject *r = PyObject_Repr(h);
    Py_DECREF(h);
    return r;
}

static PyObject *ndarray_str(PyObject *self)
{
    PyObject *h = pyga_get_impl(ARR(self), NULL, NULL, 1, "str");
    if (!h)
        return NULL;
    PyObject *r = PyObject_Str(h);
    Py_DECREF(h);
    return r;
}

static PyObject *ndarray_array(PyObject *self, PyObject *args, PyObject *kwds)
{
    (void)self, (void)args, (void)kwds;
    PyErr_SetString(PyExc_TypeError,
                    "Implicit conversion to a NumPy array is not allowed. "
                    "Please use `.get()` to construct a NumPy array explicitly.");
    return NULL;
}

static PyObject *ndarray_reduce(PyObject *self, PyObject *unused)
{
    (void)unused;
    PyObject *h = pyga_get_impl(ARR(self), NULL, NULL, 1, "pickle");
    if (!h)
        return NULL;
    PyObject *fn = PyObject_GetAttrString(pyga.module, "array");
    PyObject *r = fn ? Py_BuildValue("(O(O))", fn, h) : NULL;
    Py_XDECREF(fn);
    Py_DECREF(h);
    return r;
}

/* ---- len, iter */

static Py_ssize_t ndarray_len(PyObject *self)
{
    if (ARR(self)->ndim == 0) {
        PyErr_SetString(PyExc_TypeError, "len() of unsized object");
        return -1;
    }
    return ARR(self)->shape[0];
}

static PyObject *ndarray_iter(PyObject *self)
{
    if (ARR(self)->ndim == 0) {
        PyErr_SetString(PyExc_TypeError, "iteration over a 0-d array");
        return NULL;
    }
    return PySeqIter_New(self);
}

static PyMethodDef ndarray_methods[] = {
    FAST("get", pyga_ndarray_get,
         "get(stream=None, out=None, blocking=True)\n--\n\n"
         "A NumPy array with the contents. `out`: a NumPy array of the same shape and dtype to\n"
         "fill; with blocking=False and a pinned `out` the copy is only queued on the stream."),
    FAST("set", pyga_ndarray_set,
         "set(arr, stream=None)\n--\n\n"
         "Copy NumPy array arr (same shape and dtype) in. Complete on return without a stream;\n"
         "queued on `stream` when one is given."),
    FAST("copy", pyga_ndarray_copy, "copy(order='C')\n--\n\nA device copy."),
    {"fill", pyga_ndarray_fill, METH_O, "fill(value)\n--\n\nSet every element to value."},
    FAST("astype", pyga_ndarray_astype,
         "astype(dtype, order='K', casting=None, subok=None, copy=True)\n--\n\nA copy cast to dtype."),
    {"item", (PyCFunction)(void (*)(void))pyga_ndarray_item, METH_FASTCALL,
     "item(*args)\n--\n\nOne element as a Python scalar (no args: a size-1 array's only one)."},
    {"tolist", pyga_ndarray_tolist, METH_NOARGS, "tolist()\n--\n\nThe contents as nested lists."},
    {"__array__", (PyCFunction)(void (*)(void))ndarray_array, METH_VARARGS | METH_KEYWORDS,
     "Implicit conversion to NumPy is an error: use .get()."},
    {"__format__", pyga_ndarray_format, METH_O, NULL},
    {"__complex__", pyga_ndarray_complex, METH_NOARGS, NULL},
    {"__copy__", pyga_ndarray_copy_noargs, METH_NOARGS, NULL},
    {"__deepcopy__", pyga_ndarray_deepcopy, METH_O, NULL},
    {"__reduce__", ndarray_reduce, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyGetSetDef ndarray_getset[] = {
    {"shape", ndarray_get_shape, NULL, "Tuple of dimensions.", NULL},
    {"strides", ndarray_get_strides, NULL, "Tuple of byte steps per dimension.", NULL},
    {"dtype", ndarray_get_dtype, NULL, "The numpy.dtype of the elements.", NULL},
    {"size", ndarray_get_size, NULL, "Number of elements.", NULL},
    {"nbytes", ndarray_get_nbytes, NULL, "Bytes of the elements.", NULL},
    {"ndim", ndarray_get_ndim, NULL, "Number of dimensions.", NULL},
    {"itemsize", ndarray_get_itemsize, NULL, "Bytes per element.", NULL},
    {"data", ndarray_get_data, NULL, "MemoryPointer to the first element.", NULL},
    {"device", ndarray_get_device, NULL, "The Device holding the array.", NULL},
    {"base", ndarray_get_base, NULL, "The array this is a view of, or None.", NULL},
    {"flags", pyga_ndarray_get_flags, NULL, "c_contiguous, f_contiguous, owndata.", NULL},
    {"__cuda_array_interface__", ndarray_get_cai, NULL, "CUDA Array Interface, version 3.", NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyMemberDef ndarray_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, offsetof(pyga_ndarray, weakreflist), READONLY, NULL},
    {NULL, 0, 0, 0, NULL}
};

static PyType_Slot ndarray_slots[] = {
    {Py_tp_doc, "ndarray(shape, dtype=float, memptr=None, strides=None, order='C')\n--\n\n"
                "An array in GPU memory (CuPy's cupy.ndarray)."},
    {Py_tp_new, ndarray_new},
    {Py_tp_dealloc, ndarray_dealloc},
    {Py_tp_traverse, ndarray_traverse},
    {Py_tp_clear, ndarray_clear},
    {Py_tp_repr, ndarray_repr},
    {Py_tp_str, ndarray_str},
    {Py_tp_hash, PyObject_HashNotImplemented},
    {Py_tp_iter, ndarray_iter},
    {Py_tp_methods, ndarray_methods},
    {Py_tp_getset, ndarray_getset},
    {Py_tp_members, ndarray_members},
    {Py_mp_length, ndarray_len},
    {Py_mp_subscript, pyga_ndarray_subscript},
    {Py_mp_ass_subscript, pyga_ndarray_ass_subscript},
    {Py_sq_length, ndarray_len},
    {Py_sq_item, pyga_ndarray_sq_item},
    /* operators.c */
    {Py_nb_add, pyga_nb_add},
    {Py_nb_inplace_add, pyga_nb_inplace_add},
    {Py_nb_subtract, pyga_nb_subtract},
    {Py_nb_inplace_subtract, pyga_nb_inplace_subtract},
    {Py_nb_multiply, pyga_nb_multiply},
    {Py_nb_inplace_multiply, pyga_nb_inplace_multiply},
    {Py_nb_true_divide, pyga_nb_true_divide},
    {Py_nb_inplace_true_divide, pyga_nb_inplace_true_divide},
    {Py_nb_floor_divide, pyga_nb_floor_divide},
    {Py_nb_inplace_floor_divide, pyga_nb_inplace_floor_divide},
    {Py_nb_remainder, pyga_nb_remainder},
    {Py_nb_inplace_remainder, pyga_nb_inplace_remainder},
    {Py_nb_and, pyga_nb_and},
    {Py_nb_inplace_and, pyga_nb_inplace_and},
    {Py_nb_or, pyga_nb_or},
    {Py_nb_inplace_or, pyga_nb_inplace_or},
    {Py_nb_xor, pyga_nb_xor},
    {Py_nb_inplace_xor, pyga_nb_inplace_xor},
    {Py_nb_lshift, pyga_nb_lshift},
    {Py_nb_inplace_lshift, pyga_nb_inplace_lshift},
    {Py_nb_rshift, pyga_nb_rshift},
    {Py_nb_inplace_rshift, pyga_nb_inplace_rshift},
    {Py_nb_power, pyga_nb_power},
    {Py_nb_inplace_power, pyga_nb_inplace_power},
    {Py_tp_richcompare, pyga_tp_richcompare},
    {Py_nb_bool, pyga_ndarray_bool},
    {Py_nb_int, pyga_ndarray_int},
    {Py_nb_float, pyga_ndarray_float},
    {Py_nb_index, pyga_ndarray_index},
    {0, NULL}
};

static PyType_Spec ndarray_spec = {
    .name = "gpuarray.ndarray",
    .basicsize = sizeof(pyga_ndarray),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = ndarray_slots,
};

int pyga_init_ndarray(PyObject *m)
{
    if (pyga_init_dtypes() < 0)
        return -1;
    if (pyga_init_ndarray_flags() < 0)
        return -1;
    pyga.ndarray = (PyTypeObject *)PyType_FromSpec(&ndarray_spec);
    if (!pyga.ndarray)
        return -1;
    /* NumPy's binary operators and ufuncs defer to ours. */
    PyObject *priority = PyLong_FromLong(100);
    int rc = priority ? PyObject_SetAttrString((PyObject *)pyga.ndarray, "__array_priority__", priority) : -1;
    Py_XDECREF(priority);
    if (rc < 0 || PyObject_SetAttrString((PyObject *)pyga.ndarray, "__array_ufunc__", Py_None) < 0)
        return -1;
    if (PyModule_AddObjectRef(m, "ndarray", (PyObject *)pyga.ndarray) < 0)
        return -1;
    if (pyga_init_creation(m) < 0 || pyga_init_ndarray_index(m) < 0)
        return -1;
    return pyga_init_ndarray_transfer(m);
}
