/* dtype.c - NumPy dtypes as gpuarray knows them: the ga_dtype of a
 * descriptor, and dtype= arguments resolved through a cache of the
 * supported descriptors and the objects that name them. */
#include "ndarray_internal.h"

static PyArray_Descr *default_descr;             /* float64 */
static PyArray_Descr *descr_for[GA_DTYPE_COUNT]; /* native descr of each ga_dtype */
static struct { PyObject *key; PyArray_Descr *descr; } descr_keys[64];
static int num_descr_keys;

ga_dtype pyga_dtype_from_descr(PyArray_Descr *d)
{
    if (!PyArray_ISNBO(d->byteorder))
        return GA_DTYPE_UNKNOWN;
    Py_ssize_t size = (Py_ssize_t)PyDataType_ELSIZE(d);
    switch (d->type_num) {
    case NPY_BOOL:
        return GA_BOOL;
    case NPY_BYTE: case NPY_SHORT: case NPY_INT: case NPY_LONG: case NPY_LONGLONG:
        return size == 1 ? GA_INT8 : size == 2 ? GA_INT16 : size == 4 ? GA_INT32
             : size == 8 ? GA_INT64 : GA_DTYPE_UNKNOWN;
    case NPY_UBYTE: case NPY_USHORT: case NPY_UINT: case NPY_ULONG: case NPY_ULONGLONG:
        return size == 1 ? GA_UINT8 : size == 2 ? GA_UINT16 : size == 4 ? GA_UINT32
             : size == 8 ? GA_UINT64 : GA_DTYPE_UNKNOWN;
    case NPY_HALF:
        return GA_FLOAT16;
    case NPY_FLOAT:
        return GA_FLOAT32;
    case NPY_DOUBLE:
        return GA_FLOAT64;
    case NPY_CFLOAT:
        return GA_COMPLEX64;
    case NPY_CDOUBLE:
        return GA_COMPLEX128;
    default:
        return GA_DTYPE_UNKNOWN;
    }
}

int pyga_unsupported_dtype(PyArray_Descr *d, const char *what)
{
    if (!PyArray_ISNBO(d->byteorder) && d->type_num < NPY_OBJECT)
        PyErr_Format(PyExc_TypeError, "%s: dtype %R has non-native byte order, which gpuarray does not "
                     "support", what, (PyObject *)d);
    else
        PyErr_Format(PyExc_TypeError, "%s: dtype %R is not supported (gpuarray supports bool, "
                     "int8..int64, uint8..uint64, float16, float32, float64, complex64, complex128)",
                     what, (PyObject *)d);
    return -1;
}

PyArray_Descr *pyga_descr_arg(PyObject *o)
{
    if (!o || o == Py_None)
        return (PyArray_Descr *)Py_NewRef(default_descr);
    for (int i = 0; i < num_descr_keys; i++)
        if (descr_keys[i].key == o)
            return (PyArray_Descr *)Py_NewRef(descr_keys[i].descr);
    PyArray_Descr *d;
    if (!PyArray_DescrConverter(o, &d))
        return NULL;
    if (pyga_dtype_from_descr(d) == GA_DTYPE_UNKNOWN) {
        pyga_unsupported_dtype(d, "dtype");
        Py_DECREF(d);
        return NULL;
    }
    return d;
}

static int add_descr_key(PyObject *key, PyArray_Descr *d)
{
    if (num_descr_keys >= (int)(sizeof descr_keys / sizeof descr_keys[0]))
        return 0;
    descr_keys[num_descr_keys].key = Py_NewRef(key);
    descr_keys[num_descr_keys].descr = (PyArray_Descr *)Py_NewRef(d);
    num_descr_keys++;
    return 0;
}

int pyga_init_dtypes(void)
{
    static const int typenums[] = {
        NPY_BOOL, NPY_BYTE, NPY_UBYTE, NPY_SHORT, NPY_USHORT, NPY_INT, NPY_UINT, NPY_LONG,
        NPY_ULONG, NPY_LONGLONG, NPY_ULONGLONG, NPY_HALF, NPY_FLOAT, NPY_DOUBLE, NPY_CFLOAT,
        NPY_CDOUBLE,
    };
    for (size_t i = 0; i < sizeof typenums / sizeof typenums[0]; i++) {
        PyArray_Descr *d = PyArray_DescrFromType(typenums[i]);
        if (!d)
            return -1;
        ga_dtype g = pyga_dtype_from_descr(d);
        if (!descr_for[g])
            descr_for[g] = (PyArray_Descr *)Py_NewRef(d);
        add_descr_key((PyObject *)d, d);
        add_descr_key((PyObject *)d->typeobj, d);
        Py_DECREF(d);
    }
    default_descr = descr_for[GA_FLOAT64];
    /* Python's own types, as NumPy reads them. */
    add_descr_key((PyObject *)&PyFloat_Type, descr_for[GA_FLOAT64]);
    add_descr_key((PyObject *)&PyBool_Type, descr_for[GA_BOOL]);
    add_descr_key((PyObject *)&PyComplex_Type, descr_for[GA_COMPLEX128]);
    PyArray_Descr *dint;
    if (!PyArray_DescrConverter((PyObject *)&PyLong_Type, &dint))
        return -1;
    add_descr_key((PyObject *)&PyLong_Type, dint);
    Py_DECREF(dint);
    return 0;
}
