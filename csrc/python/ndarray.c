/* ndarray.c - gpuarray.ndarray, its creation functions (empty, zeros,
 * ones, full, arange, *_like, asarray, array, ascontiguousarray) and the
 * copies between host and device (get, set, asnumpy).
 *
 * Hot paths (empty, get, set, asarray of a NumPy array) are plain C over
 * the core: cached dtypes, no Python-level wrappers, one copy call each.
 * Device views come from basic indexing; operations the device cannot do
 * yet on a view (set, fill, copy of a non-contiguous array) say so rather
 * than guess, and get() of any view is exact. */
#include "pyga_internal.h"

#include <structmember.h>

#define ARR(o) ((pyga_ndarray *)(o))
#define STREAM_OF(o) (((pyga_Stream *)(o))->stream)

/* ------------------------------------------------------------- dtype glue */

static PyArray_Descr *default_descr;             /* float64 */
static PyArray_Descr *descr_for[GA_DTYPE_COUNT]; /* native descr of each ga_dtype */
static struct { PyObject *key; PyArray_Descr *descr; } descr_keys[64];
static int num_descr_keys;
static PyObject *numpy_arange;

/* ndarray.flags: a small read-only record, as CuPy's. */
typedef struct {
    PyObject_HEAD
    int c_contiguous, f_contiguous, owndata;
} Flags;
static PyTypeObject *Flags_Type;

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

static int unsupported_dtype(PyArray_Descr *d, const char *what)
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
        unsupported_dtype(d, "dtype");
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

static int init_dtypes(void)
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

/* ------------------------------------------------------------ small parsers */

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

static PyObject *tuple_of(int n, const Py_ssize_t *v)
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

/* order=: one of `allowed` (a string of letters), NULL/None -> dflt. */
static int order_arg(PyObject *o, char dflt, const char *allowed, const char *fname, char *out)
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

/* ------------------------------------------------------------ array objects */

static void contiguous_strides(int ndim, const Py_ssize_t *shape, Py_ssize_t itemsize, int fortran,
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

static int is_contiguous(const pyga_ndarray *a)
{
    return a->c_contiguous || a->f_contiguous;
}

static size_t array_nbytes(const pyga_ndarray *a)
{
    return (size_t)a->size * (size_t)PyDataType_ELSIZE(a->descr);
}

/* A new array object over `mem` (borrowed). `base` is the array it is a
 * view of, or NULL when it owns `mem`. Shape and strides already checked. */
static PyObject *new_array(PyTypeObject *type, PyObject *mem, ga_devptr ptr, int ndim,
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

/* Bytes of a shape, or (size_t)-1 with ValueError/TypeError. */
static size_t checked_nbytes(int ndim, const Py_ssize_t *shape, PyArray_Descr *descr, const char *what)
{
    if (ndim < 0 || ndim > PYGA_MAX_NDIM) {
        PyErr_Format(PyExc_ValueError, "%s: %d dimensions; gpuarray supports 0 to %d", what, ndim,
                     PYGA_MAX_NDIM);
        return (size_t)-1;
    }
    if (pyga_dtype_from_descr(descr) == GA_DTYPE_UNKNOWN) {
        unsupported_dtype(descr, what);
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

/* Fresh device memory on the current stream of the current device (the
 * null stream when the current stream belongs to another device). */
static PyObject *alloc_array(PyTypeObject *type, int ndim, const Py_ssize_t *shape,
                             PyArray_Descr *descr, int fortran, const char *what)
{
    size_t nbytes = checked_nbytes(ndim, shape, descr, what);
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
    PyObject *mem = pyga_memory_alloc(dev, nbytes, stream_obj, stream);
    if (!mem)
        return NULL;
    Py_ssize_t strides[PYGA_MAX_NDIM];
    contiguous_strides(ndim, shape, (Py_ssize_t)PyDataType_ELSIZE(descr), fortran, strides);
    PyObject *a = new_array(type, mem, ((pyga_Memory *)mem)->ptr, ndim, shape, strides, descr, NULL);
    Py_DECREF(mem);
    return a;
}

PyObject *pyga_ndarray_empty(int ndim, const Py_ssize_t *shape, PyArray_Descr *descr, int fortran)
{
    return alloc_array(pyga.ndarray, ndim, shape, descr, fortran, "empty");
}

/* The stream an array's memory was allocated on: where its fills go. */
static ga_stream *alloc_stream(PyObject *a)
{
    PyObject *s = ((pyga_Memory *)ARR(a)->mem)->stream;
    return s ? STREAM_OF(s) : NULL;
}

/* Byte offsets, relative to ptr, of the lowest and one past the highest
 * byte an array touches (for views with any strides). */
static void byte_extent(const pyga_ndarray *a, Py_ssize_t *lo, Py_ssize_t *hi)
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

/* ------------------------------------------------------------ copies, fills */

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

ga_status pyga_fill_bytes(ga_device *device, ga_devptr dst, size_t nbytes, const void *elem,
                          size_t itemsize, ga_stream *stream)
{
    if (nbytes == 0)
        return GA_OK;
    const unsigned char *b = elem;
    /* The shortest period (1, 2 or 4 bytes) the element repeats with. */
    size_t period = 0;
    for (size_t p = 1; p <= 4 && !period; p *= 2) {
        if (itemsize % p)
            continue;
        size_t i = p;
        while (i < itemsize && b[i] == b[i % p])
            i++;
        if (i == itemsize)
            period = p;
    }
    if (period) {
        /* Widest memset the period, size and alignment allow. */
        size_t width = 4;
        while (width > period && (nbytes % width || dst % width))
            width /= 2;
        if (nbytes % width == 0 && dst % width == 0) {
            unsigned char pat[4];
            for (size_t i = 0; i < width; i++)
                pat[i] = b[i % period];
            uint32_t pattern = 0;
            memcpy(&pattern, pat, width);   /* memset writes it in host byte order */
            return ga_memset_async(device, dst, pattern, width, nbytes, stream);
        }
    }
    /* Any other element: upload one chunk, then double it on the device. */
    size_t chunk = (size_t)64 * 1024;
    chunk -= chunk % itemsize;
    if (chunk > nbytes)
        chunk = nbytes;
    unsigned char *host = malloc(chunk);
    if (!host)
        return GA_ERROR_HOST_OUT_OF_MEMORY;
    for (size_t i = 0; i < chunk; i += itemsize)
        memcpy(host + i, b, itemsize);
    /* Pageable source: the call returns once `host` may be reused. */
    ga_status st = ga_memcpy_htod_async(device, dst, host, chunk, stream);
    free(host);
    for (size_t done = chunk; st == GA_OK && done < nbytes;) {
        size_t n = done < nbytes - done ? done : nbytes - done;
        st = ga_memcpy_dtod_async(device, dst + done, dst, n, stream);
        done += n;
    }
    return st;
}

static PyObject *read_element(pyga_ndarray *a, ga_devptr addr, int python_scalar);

/* What needs generated kernels (strided fills and copies, casts, advanced
 * indexing) is done in gpuarray._indexing over the elementwise layer; the
 * module is imported on first use, so that _core loads without it. */
static PyObject *indexing_module;

static PyObject *call_hook(const char *name, PyObject *a, PyObject *b, PyObject *c)
{
    if (!indexing_module) {
        indexing_module = PyImport_ImportModule("gpuarray._indexing");
        if (!indexing_module)
            return NULL;
    }
    PyObject *fn = PyObject_GetAttrString(indexing_module, name);
    if (!fn)
        return NULL;
    PyObject *r = PyObject_CallFunctionObjArgs(fn, a, b, c, NULL);
    Py_DECREF(fn);
    return r;
}

static int call_hook_int(const char *name, PyObject *a, PyObject *b, PyObject *c)
{
    PyObject *r = call_hook(name, a, b, c);
    if (!r)
        return -1;
    Py_DECREF(r);
    return 0;
}

/* The bytes of `value` as one element of `descr` (NumPy's casting). */
static int scalar_bytes(PyObject *value, PyArray_Descr *descr, unsigned char *out, const char *fname)
{
    PyObject *tmp = NULL;
    if (pyga_ndarray_check(value)) {
        if (ARR(value)->size != 1) {
            PyErr_Format(PyExc_ValueError, "%s: the value must be a scalar, not an array of size %zd",
                         fname, ARR(value)->size);
            return -1;
        }
        value = tmp = read_element(ARR(value), ARR(value)->ptr, 0);
        if (!tmp)
            return -1;
    }
    Py_INCREF(descr);
    PyArrayObject *arr = (PyArrayObject *)PyArray_FromAny(value, descr, 0, 0,
                                                          NPY_ARRAY_FORCECAST | NPY_ARRAY_CARRAY, NULL);
    Py_XDECREF(tmp);
    if (!arr)
        return -1;
    if (PyArray_NDIM(arr) != 0) {
        PyErr_Format(PyExc_ValueError, "%s: the value must be a scalar, not an array of %d dimensions",
                     fname, PyArray_NDIM(arr));
        Py_DECREF(arr);
        return -1;
    }
    memcpy(out, PyArray_DATA(arr), (size_t)PyDataType_ELSIZE(descr));
    Py_DECREF(arr);
    return 0;
}

static int fill_array(pyga_ndarray *a, PyObject *value, ga_stream *stream, const char *fname)
{
    if (!is_contiguous(a))
        return a->size ? call_hook_int("_fill", (PyObject *)a, value, NULL) : 0;
    _Alignas(16) unsigned char elem[32];
    if (scalar_bytes(value, a->descr, elem, fname) < 0)
        return -1;
    ga_status st = pyga_fill_bytes(a->device, a->ptr, array_nbytes(a), elem,
                                   (size_t)PyDataType_ELSIZE(a->descr), stream);
    return st == GA_OK ? 0 : pyga_raise_int(st);
}

/* Upload host array `h` (native order, supported dtype, any layout) into a
 * new device array with the same shape. Pinned `h` with blocking=0 is
 * copied asynchronously (the caller keeps it alive and unchanged); any
 * other source may be reused when this returns. */
static PyObject *upload(PyArrayObject *h, int blocking)
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
    PyObject *a = alloc_array(pyga.ndarray, ndim, shape, PyArray_DESCR(src), fortran, "asarray");
    if (!a) {
        Py_DECREF(src);
        return NULL;
    }
    size_t nbytes = (size_t)PyArray_NBYTES(src);
    if (nbytes) {
        ga_status st;
        ga_stream *stream = alloc_stream(a);
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

/* `obj` as a host array of `descr` (NULL: NumPy's choice) that upload()
 * takes: native byte order, a supported dtype. */
static PyArrayObject *host_array(PyObject *obj, PyArray_Descr *descr, const char *fname)
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
        unsupported_dtype(PyArray_DESCR(h), fname);
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
    size_t nbytes = array_nbytes(a);
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
    byte_extent(a, &lo, &hi);
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
    PyObject *t = tuple_of(ndim < PYGA_MAX_NDIM ? ndim : PYGA_MAX_NDIM, s);
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

/* The stream for a copy to or from `a` (stream_arg NULL/None: the current
 * stream). The current stream of another device gives way to a's
 * device's null stream, so that get(), set() and item() work whatever
 * device is current (as CuPy's do); an explicit stream of another device
 * is a ValueError. */
static int array_stream(pyga_ndarray *a, PyObject *stream_arg, ga_stream **stream, const char *fname)
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

static PyObject *get_impl(pyga_ndarray *a, PyObject *stream_arg, PyObject *out, int blocking,
                          const char *fname)
{
    ga_stream *stream;
    if (array_stream(a, stream_arg, &stream, fname) < 0)
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

/* One element at device address `addr`, as a Python scalar (or NumPy's). */
static PyObject *read_element(pyga_ndarray *a, ga_devptr addr, int numpy_scalar)
{
    _Alignas(16) unsigned char buf[32];
    ga_stream *stream;
    if (array_stream(a, NULL, &stream, "item") < 0)
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

/* ------------------------------------------------------------ ndarray type */

/* strides=: ndim byte steps, any sign. */
static int strides_arg(PyObject *o, int ndim, Py_ssize_t *strides)
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
    if (order_arg(order_o, 'C', "CF", "ndarray", &order) < 0)
        return NULL;
    PyArray_Descr *descr = pyga_descr_arg(dtype_o);
    if (!descr)
        return NULL;
    PyObject *a = NULL;
    if (memptr == Py_None) {
        if (strides_o != Py_None) {
            PyErr_SetString(PyExc_ValueError, "ndarray: strides need memptr");
        } else {
            a = alloc_array(type, ndim, shape, descr, order == 'F', "ndarray");
        }
        Py_DECREF(descr);
        return a;
    }
    PyObject *mem;
    ga_devptr ptr;
    if (pyga_memory_pointer_unpack(memptr, &mem, &ptr) < 0
        || checked_nbytes(ndim, shape, descr, "ndarray") == (size_t)-1)
        goto done;
    if (strides_o == Py_None)
        contiguous_strides(ndim, shape, (Py_ssize_t)PyDataType_ELSIZE(descr), order == 'F', strides);
    else if (strides_arg(strides_o, ndim, strides) < 0)
        goto done;
    a = new_array(type, mem, ptr, ndim, shape, strides, descr, NULL);
    if (a && ARR(a)->size) {
        Py_ssize_t lo, hi;
        byte_extent(ARR(a), &lo, &hi);
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
    return tuple_of(ARR(self)->ndim, ARR(self)->shape);
}

static PyObject *ndarray_get_strides(PyObject *self, void *c)
{
    (void)c;
    return tuple_of(ARR(self)->ndim, ARR(self)->strides);
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
    return PyLong_FromSize_t(array_nbytes(ARR(self)));
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

static PyObject *ndarray_get_flags(PyObject *self, void *c)
{
    (void)c;
    Flags *f = (Flags *)Flags_Type->tp_alloc(Flags_Type, 0);
    if (!f)
        return NULL;
    f->c_contiguous = ARR(self)->c_contiguous;
    f->f_contiguous = ARR(self)->f_contiguous;
    f->owndata = ARR(self)->base == NULL;
    return (PyObject *)f;
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

/* ---- copies */

static PyObject *ndarray_get(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    if (nargs == 0 && !kwnames)
        return get_impl(ARR(self), NULL, NULL, 1, "get");
    static const char *const names[] = {"stream", "out", "blocking", "order"};
    PyObject *v[4];
    if (pyga_parse_args("get", args, nargs, kwnames, names, 4, 2, 0, v) < 0)
        return NULL;
    int blocking = pyga_bool_arg(v[2], 1);
    if (blocking < 0)
        return NULL;
    char order;
    if (order_arg(v[3], 'K', "CFAK", "get", &order) < 0)
        return NULL;
    PyObject *h = get_impl(ARR(self), v[0], v[1], blocking, "get");
    if (h && (order == 'C' || order == 'F') && !(v[1] && v[1] != Py_None)) {
        PyArrayObject *ha = (PyArrayObject *)h;
        if (order == 'C' ? !PyArray_IS_C_CONTIGUOUS(ha) : !PyArray_IS_F_CONTIGUOUS(ha))
            Py_SETREF(h, PyArray_NewCopy(ha, order == 'C' ? NPY_CORDER : NPY_FORTRANORDER));
    }
    return h;
}

static int set_impl(pyga_ndarray *a, PyObject *arr, PyObject *stream_arg, const char *fname)
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
    if (array_stream(a, stream_arg, &stream, fname) < 0)
        return -1;
    if (!is_contiguous(a))   /* upload, then a strided copy on the device */
        return a->size ? call_hook_int("_set_strided", (PyObject *)a, arr, stream_arg ? stream_arg : Py_None)
                       : 0;
    size_t nbytes = array_nbytes(a);
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

static PyObject *ndarray_set(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"arr", "stream"};
    PyObject *v[2];
    if (pyga_parse_args("set", args, nargs, kwnames, names, 2, 2, 1, v) < 0)
        return NULL;
    if (set_impl(ARR(self), v[0], v[1], "set") < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* A copy in layout `order` ('C', 'F', or 'K'/'A' = keep a contiguous
 * layout): one device-to-device copy when the layouts agree, else a
 * strided copy kernel. */
static PyObject *copy_array(pyga_ndarray *a, char order)
{
    int fortran = order == 'F' || ((order == 'K' || order == 'A') && a->f_contiguous && !a->c_contiguous);
    int direct = fortran ? a->f_contiguous : a->c_contiguous;
    if (direct) {
        PyObject *b = alloc_array(pyga.ndarray, a->ndim, a->shape, a->descr, fortran, "copy");
        if (!b)
            return NULL;
        size_t nbytes = array_nbytes(a);
        if (nbytes) {
            /* b is on the current device; a may be on another (CuPy's
             * semantics: a copy lands on the current device). */
            ga_status st = ga_memcpy_peer_async(ARR(b)->device, ARR(b)->ptr, a->device, a->ptr, nbytes,
                                                alloc_stream(b));
            if (st != GA_OK) {
                Py_DECREF(b);
                return pyga_raise(st);
            }
        }
        return b;
    }
    ga_device *here = pyga_current_device();
    if (!here)
        return NULL;
    if (a->device != here) {
        /* Strided on another device: made contiguous there (kernels run
         * on the device of their arrays), then copied over. */
        int prev = pyga_current_device_id();
        if (pyga_set_current_device(ga_device_ordinal(a->device)) < 0)
            return NULL;
        PyObject *c = copy_array(a, fortran ? 'F' : 'C');
        if (pyga_set_current_device(prev) < 0) {
            Py_XDECREF(c);
            return NULL;
        }
        if (!c)
            return NULL;
        PyObject *b = copy_array(ARR(c), fortran ? 'F' : 'C');
        Py_DECREF(c);
        return b;
    }
    PyObject *b;
    if (order == 'K' && a->ndim > 1) {
        /* NumPy's 'K': the copy's strides in the order of a's (by size) */
        int perm[PYGA_MAX_NDIM];
        Py_ssize_t pshape[PYGA_MAX_NDIM], strides[PYGA_MAX_NDIM];
        for (int i = 0; i < a->ndim; i++) {
            int j = i;
            for (; j > 0; j--) {
                Py_ssize_t sj = a->strides[perm[j - 1]], si = a->strides[i];
                if ((sj < 0 ? -sj : sj) >= (si < 0 ? -si : si))
                    break;
                perm[j] = perm[j - 1];
            }
            perm[j] = i;
        }
        for (int i = 0; i < a->ndim; i++)
            pshape[i] = a->shape[perm[i]];
        PyObject *c = alloc_array(pyga.ndarray, a->ndim, pshape, a->descr, 0, "copy");
        if (!c)
            return NULL;
        for (int i = 0; i < a->ndim; i++)
            strides[perm[i]] = ARR(c)->strides[i];
        b = new_array(pyga.ndarray, ARR(c)->mem, ARR(c)->ptr, a->ndim, a->shape, strides, a->descr, NULL);
        Py_DECREF(c);
    } else {
        b = alloc_array(pyga.ndarray, a->ndim, a->shape, a->descr, fortran, "copy");
    }
    if (b && a->size && call_hook_int("_copy_into", (PyObject *)a, b, NULL) < 0)
        Py_CLEAR(b);
    return b;
}

static PyObject *ndarray_copy(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"order"};
    PyObject *v[1];
    if (pyga_parse_args("copy", args, nargs, kwnames, names, 1, 1, 0, v) < 0)
        return NULL;
    char order;
    if (order_arg(v[0], 'C', "CFAK", "copy", &order) < 0)
        return NULL;
    return copy_array(ARR(self), order);
}

static PyObject *ndarray_copy_noargs(PyObject *self, PyObject *unused)
{
    (void)unused;
    return copy_array(ARR(self), 'K');
}

static PyObject *ndarray_deepcopy(PyObject *self, PyObject *memo)
{
    (void)memo;
    return copy_array(ARR(self), 'K');
}

static PyObject *ndarray_fill(PyObject *self, PyObject *value)
{
    ga_stream *stream;
    if (array_stream(ARR(self), NULL, &stream, "fill") < 0)
        return NULL;
    if (fill_array(ARR(self), value, stream, "fill") < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* astype: same dtype is a copy (or self with copy=False); a new dtype is
 * a casting copy kernel (NumPy's unsafe casting), in layout `order`. */
static PyObject *astype_impl(pyga_ndarray *a, PyArray_Descr *d, int copy, char order)
{
    int fortran = order == 'F' || ((order == 'K' || order == 'A') && a->f_contiguous && !a->c_contiguous);
    if (PyArray_EquivTypes(d, a->descr)) {
        int layout_ok = order == 'C' ? a->c_contiguous : order == 'F' ? a->f_contiguous : 1;
        if (!copy && layout_ok)
            return Py_NewRef((PyObject *)a);
        return copy_array(a, fortran ? 'F' : 'C');
    }
    PyObject *b = alloc_array(pyga.ndarray, a->ndim, a->shape, d, fortran, "astype");
    if (b && a->size && call_hook_int("_copy_into", (PyObject *)a, b, NULL) < 0)
        Py_CLEAR(b);
    return b;
}

static PyObject *ndarray_astype(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"dtype", "order", "casting", "subok", "copy"};
    PyObject *v[5];
    if (pyga_parse_args("astype", args, nargs, kwnames, names, 5, 5, 1, v) < 0)
        return NULL;
    int copy = pyga_bool_arg(v[4], 1);
    char order;
    if (copy < 0 || order_arg(v[1], 'K', "CFAK", "astype", &order) < 0)
        return NULL;
    PyArray_Descr *d = pyga_descr_arg(v[0]);
    if (!d)
        return NULL;
    PyObject *r = astype_impl(ARR(self), d, copy, order);
    Py_DECREF(d);
    return r;
}

/* ---- elements */

static PyObject *size1_value(PyObject *self, const char *what)
{
    pyga_ndarray *a = ARR(self);
    if (a->size != 1) {
        PyErr_Format(PyExc_TypeError, "only size-1 arrays can be converted to %s (this one has size %zd)",
                     what, a->size);
        return NULL;
    }
    return read_element(a, a->ptr, 0);
}

static PyObject *ndarray_item(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    pyga_ndarray *a = ARR(self);
    if (nargs == 0) {
        if (a->size != 1) {
            PyErr_Format(PyExc_ValueError, "can only convert an array of size 1 to a Python scalar "
                         "(this one has size %zd)", a->size);
            return NULL;
        }
        return read_element(a, a->ptr, 0);
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
    return read_element(a, addr, 0);
}

static PyObject *ndarray_tolist(PyObject *self, PyObject *unused)
{
    (void)unused;
    PyObject *h = get_impl(ARR(self), NULL, NULL, 1, "tolist");
    if (!h)
        return NULL;
    PyObject *r = PyArray_ToList((PyArrayObject *)h);
    Py_DECREF(h);
    return r;
}

static int ndarray_bool(PyObject *self)
{
    pyga_ndarray *a = ARR(self);
    if (a->size != 1) {
        PyErr_SetString(PyExc_ValueError,
                        a->size == 0 ? "The truth value of an empty array is ambiguous."
                                     : "The truth value of an array with more than one element is "
                                       "ambiguous. Use a.any() or a.all()");
        return -1;
    }
    PyObject *v = read_element(a, a->ptr, 0);
    if (!v)
        return -1;
    int r = PyObject_IsTrue(v);
    Py_DECREF(v);
    return r;
}

static PyObject *ndarray_float(PyObject *self)
{
    PyObject *v = size1_value(self, "Python scalars");
    if (!v)
        return NULL;
    Py_SETREF(v, PyNumber_Float(v));
    return v;
}

static PyObject *ndarray_int(PyObject *self)
{
    PyObject *v = size1_value(self, "Python scalars");
    if (!v)
        return NULL;
    Py_SETREF(v, PyNumber_Long(v));
    return v;
}

static PyObject *ndarray_index(PyObject *self)
{
    pyga_ndarray *a = ARR(self);
    char kind = a->descr->kind;
    if (a->ndim != 0 || (kind != 'i' && kind != 'u')) {
        PyErr_SetString(PyExc_TypeError, "only integer scalar arrays can be converted to a scalar index");
        return NULL;
    }
    return read_element(a, a->ptr, 0);
}

static PyObject *ndarray_complex(PyObject *self, PyObject *unused)
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
static PyObject *ndarray_format(PyObject *self, PyObject *spec)
{
    pyga_ndarray *a = ARR(self);
    if (a->ndim == 0) {
        PyObject *sc = read_element(a, a->ptr, 1);
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

static PyObject *ndarray_repr(PyObject *self)
{
    PyObject *h = get_impl(ARR(self), NULL, NULL, 1, "repr");
    if (!h)
        return NULL;
    PyObject *r = PyObject_Repr(h);
    Py_DECREF(h);
    return r;
}

static PyObject *ndarray_str(PyObject *self)
{
    PyObject *h = get_impl(ARR(self), NULL, NULL, 1, "str");
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
    PyObject *h = get_impl(ARR(self), NULL, NULL, 1, "pickle");
    if (!h)
        return NULL;
    PyObject *fn = PyObject_GetAttrString(pyga.module, "array");
    PyObject *r = fn ? Py_BuildValue("(O(O))", fn, h) : NULL;
    Py_XDECREF(fn);
    Py_DECREF(h);
    return r;
}

/* ---- indexing: basic (ints, slices, ..., None) gives views */

static Py_ssize_t ndarray_len(PyObject *self)
{
    if (ARR(self)->ndim == 0) {
        PyErr_SetString(PyExc_TypeError, "len() of unsized object");
        return -1;
    }
    return ARR(self)->shape[0];
}

static PyObject *view_of(pyga_ndarray *a, ga_devptr ptr, int ndim, const Py_ssize_t *shape,
                         const Py_ssize_t *strides)
{
    PyObject *base = a->base ? a->base : (PyObject *)a;
    return new_array(pyga.ndarray, a->mem, ptr, ndim, shape, strides, a->descr, base);
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

static PyObject *ndarray_subscript(PyObject *self, PyObject *key)
{
    pyga_ndarray *a = ARR(self);
    if (key_is_advanced(key))
        return call_hook("_getitem", self, key, NULL);
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
    result = view_of(a, ptr, ndim, shape, strides);
    goto done;
too_many:
    PyErr_Format(PyExc_IndexError, "the result would have more than %d dimensions", PYGA_MAX_NDIM);
done:
    Py_DECREF(tuple);
    return result;
}

static PyObject *ndarray_sq_item(PyObject *self, Py_ssize_t i)
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
    return view_of(a, a->ptr + (ga_devptr)(i * a->strides[0]), a->ndim - 1, a->shape + 1, a->strides + 1);
}

static int overlaps(const pyga_ndarray *a, const pyga_ndarray *b)
{
    Py_ssize_t alo, ahi, blo, bhi;
    byte_extent(a, &alo, &ahi);
    byte_extent(b, &blo, &bhi);
    return (Py_ssize_t)a->ptr + alo < (Py_ssize_t)b->ptr + bhi
           && (Py_ssize_t)b->ptr + blo < (Py_ssize_t)a->ptr + ahi;
}

/* a[key] = value. Basic keys: a scalar fills the view; a device array of
 * the view's dtype, shape and contiguous layout is one device-to-device
 * copy, a host array of its shape one upload; anything else (casts,
 * broadcasting, strided views, overlap) goes to gpuarray._indexing, which
 * runs a copy kernel. Advanced keys (masks, index arrays) scatter there. */
static int ndarray_ass_subscript(PyObject *self, PyObject *key, PyObject *value)
{
    if (!value) {
        PyErr_SetString(PyExc_ValueError, "cannot delete array elements");
        return -1;
    }
    if (key_is_advanced(key))
        return call_hook_int("_setitem", self, key, value);
    PyObject *view = ndarray_subscript(self, key);
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
            size_t nbytes = array_nbytes(v);
            ga_status st = nbytes && src->ptr != v->ptr
                               ? ga_memcpy_dtod_async(v->device, v->ptr, src->ptr, nbytes, stream) : GA_OK;
            rc = st == GA_OK ? 0 : pyga_raise_int(st);
        } else {
            rc = call_hook_int("_assign", view, value, NULL);
        }
        goto done;
    }
    if (PyFloat_Check(value) || PyLong_Check(value) || PyComplex_Check(value) || PyArray_IsScalar(value, Generic)) {
        rc = fill_array(v, value, stream, "__setitem__");
        goto done;
    }
    PyArrayObject *h = host_array(value, v->descr, "__setitem__");
    if (!h)
        goto done;
    int same = PyArray_NDIM(h) == v->ndim && is_contiguous(v);
    for (int i = 0; same && i < v->ndim; i++)
        same = PyArray_DIM(h, i) == v->shape[i];
    if (PyArray_NDIM(h) == 0)
        rc = fill_array(v, (PyObject *)h, stream, "__setitem__");
    else if (same)
        rc = set_impl(v, (PyObject *)h, NULL, "__setitem__");
    else
        rc = call_hook_int("_assign", view, (PyObject *)h, NULL);
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
    if (ndim < 0 || strides_arg(v[2], ndim, strides) < 0)
        return NULL;
    Py_ssize_t offset = 0;
    if (v[3] && v[3] != Py_None) {
        offset = PyNumber_AsSsize_t(v[3], PyExc_ValueError);
        if (offset == -1 && PyErr_Occurred())
            return NULL;
    }
    PyObject *r = view_of(a, a->ptr + (ga_devptr)offset, ndim, shape, strides);
    if (r && ARR(r)->size) {
        Py_ssize_t lo, hi;
        byte_extent(ARR(r), &lo, &hi);
        pyga_Memory *mem = (pyga_Memory *)a->mem;
        Py_ssize_t at = (Py_ssize_t)(ARR(r)->ptr - mem->ptr);
        if (at + lo < 0 || (size_t)(at + hi) > mem->size) {
            PyErr_SetString(PyExc_ValueError, "_view: shape and strides run outside the array's memory");
            Py_CLEAR(r);
        }
    }
    return r;
}

static PyObject *ndarray_iter(PyObject *self)
{
    if (ARR(self)->ndim == 0) {
        PyErr_SetString(PyExc_TypeError, "iteration over a 0-d array");
        return NULL;
    }
    return PySeqIter_New(self);
}

#define FAST(name, fn, doc) {name, (PyCFunction)(void (*)(void))fn, METH_FASTCALL | METH_KEYWORDS, doc}

static PyMethodDef ndarray_methods[] = {
    FAST("get", ndarray_get,
         "get(stream=None, out=None, blocking=True)\n--\n\n"
         "A NumPy array with the contents. `out`: a NumPy array of the same shape and dtype to\n"
         "fill; with blocking=False and a pinned `out` the copy is only queued on the stream."),
    FAST("set", ndarray_set,
         "set(arr, stream=None)\n--\n\n"
         "Copy NumPy array arr (same shape and dtype) in. Complete on return without a stream;\n"
         "queued on `stream` when one is given."),
    FAST("copy", ndarray_copy, "copy(order='C')\n--\n\nA device copy."),
    {"fill", ndarray_fill, METH_O, "fill(value)\n--\n\nSet every element to value."},
    FAST("astype", ndarray_astype,
         "astype(dtype, order='K', casting=None, subok=None, copy=True)\n--\n\nA copy cast to dtype."),
    {"item", (PyCFunction)(void (*)(void))ndarray_item, METH_FASTCALL,
     "item(*args)\n--\n\nOne element as a Python scalar (no args: a size-1 array's only one)."},
    {"tolist", ndarray_tolist, METH_NOARGS, "tolist()\n--\n\nThe contents as nested lists."},
    {"__array__", (PyCFunction)(void (*)(void))ndarray_array, METH_VARARGS | METH_KEYWORDS,
     "Implicit conversion to NumPy is an error: use .get()."},
    {"__format__", ndarray_format, METH_O, NULL},
    {"__complex__", ndarray_complex, METH_NOARGS, NULL},
    {"__copy__", ndarray_copy_noargs, METH_NOARGS, NULL},
    {"__deepcopy__", ndarray_deepcopy, METH_O, NULL},
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
    {"flags", ndarray_get_flags, NULL, "c_contiguous, f_contiguous, owndata.", NULL},
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
    {Py_mp_subscript, ndarray_subscript},
    {Py_mp_ass_subscript, ndarray_ass_subscript},
    {Py_sq_length, ndarray_len},
    {Py_sq_item, ndarray_sq_item},
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
    {Py_nb_bool, ndarray_bool},
    {Py_nb_int, ndarray_int},
    {Py_nb_float, ndarray_float},
    {Py_nb_index, ndarray_index},
    {0, NULL}
};

static PyType_Spec ndarray_spec = {
    .name = "gpuarray.ndarray",
    .basicsize = sizeof(pyga_ndarray),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = ndarray_slots,
};

/* ------------------------------------------------------------- Flags type */

static PyObject *Flags_get(PyObject *self, void *which)
{
    Flags *f = (Flags *)self;
    int v = which == (void *)0 ? f->c_contiguous : which == (void *)1 ? f->f_contiguous : f->owndata;
    return PyBool_FromLong(v);
}

static PyObject *Flags_getitem(PyObject *self, PyObject *key)
{
    static const char *const keys[][3] = {
        {"C_CONTIGUOUS", "C", "CONTIGUOUS"}, {"F_CONTIGUOUS", "F", "FORTRAN"}, {"OWNDATA", "O", NULL}};
    const char *k = PyUnicode_Check(key) ? PyUnicode_AsUTF8(key) : NULL;
    for (int i = 0; k && i < 3; i++)
        for (int j = 0; j < 3; j++)
            if (keys[i][j] && !strcmp(k, keys[i][j]))
                return Flags_get(self, (void *)(intptr_t)i);
    PyErr_Format(PyExc_KeyError, "%R", key);
    return NULL;
}

static PyObject *Flags_repr(PyObject *self)
{
    Flags *f = (Flags *)self;
    return PyUnicode_FromFormat("  C_CONTIGUOUS : %s\n  F_CONTIGUOUS : %s\n  OWNDATA : %s",
                                f->c_contiguous ? "True" : "False", f->f_contiguous ? "True" : "False",
                                f->owndata ? "True" : "False");
}

static PyObject *Flags_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    (void)args, (void)kwds;
    return type->tp_alloc(type, 0);
}

static void Flags_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    tp->tp_free(self);
    Py_DECREF(tp);
}

static PyGetSetDef Flags_getset[] = {
    {"c_contiguous", Flags_get, NULL, NULL, (void *)0},
    {"f_contiguous", Flags_get, NULL, NULL, (void *)1},
    {"owndata", Flags_get, NULL, NULL, (void *)2},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyType_Slot Flags_slots[] = {
    {Py_tp_new, Flags_new},
    {Py_tp_dealloc, Flags_dealloc},
    {Py_tp_repr, Flags_repr},
    {Py_tp_getset, Flags_getset},
    {Py_mp_subscript, Flags_getitem},
    {0, NULL}
};

static PyType_Spec Flags_spec = {
    .name = "gpuarray._core.Flags",
    .basicsize = sizeof(Flags),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Flags_slots,
};

/* ------------------------------------------------------- creation functions */

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
    if (order_arg(v[2], 'C', "CF", fname, &order) < 0)
        return NULL;
    PyArray_Descr *descr = pyga_descr_arg(v[1]);
    if (!descr)
        return NULL;
    PyObject *a = alloc_array(pyga.ndarray, ndim, shape, descr, order == 'F', fname);
    Py_DECREF(descr);
    if (a && zero && ARR(a)->size) {
        size_t nbytes = array_nbytes(ARR(a));
        ga_status st = ga_memset_async(ARR(a)->device, ARR(a)->ptr, 0, nbytes % 4 ? 1 : 4, nbytes,
                                       alloc_stream(a));
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
    PyArrayObject *h = host_array(value, NULL, fname);
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
    PyObject *a = alloc_array(pyga.ndarray, ndim, shape, descr, fortran, fname);
    Py_DECREF(descr);
    if (a && fill_array(ARR(a), value, alloc_stream(a), fname) < 0)
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
    if (ndim < 0 || order_arg(v[2], 'C', "CF", "ones", &order) < 0)
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
    if (ndim < 0 || order_arg(v[3], 'C', "CF", "full", &order) < 0)
        return NULL;
    return full_impl(ndim, shape, v[1], v[2], order == 'F', "full");
}

/* The shape, dtype and layout of the *_like functions' prototype. */
static int like_args(PyObject *proto, PyObject *dtype, PyObject *order_o, PyObject *shape_o,
                     const char *fname, int *ndim, Py_ssize_t *shape, PyArray_Descr **descr, int *fortran)
{
    char order;
    if (order_arg(order_o, 'K', "CFAK", fname, &order) < 0)
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
        unsupported_dtype(pd, fname);
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
        a = alloc_array(pyga.ndarray, ndim, shape, descr, fortran, fname);
        if (a && kind == 1 && ARR(a)->size) {
            size_t nbytes = array_nbytes(ARR(a));
            ga_status st = ga_memset_async(ARR(a)->device, ARR(a)->ptr, 0, nbytes % 4 ? 1 : 4, nbytes,
                                           alloc_stream(a));
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
    PyArrayObject *ha = host_array(h, NULL, "arange");
    Py_DECREF(h);
    if (!ha)
        return NULL;
    PyObject *a = upload(ha, 1);
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
    PyObject *v = view_of(x, x->ptr, ndmin, shape, strides);
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
            PyObject *c = copy_array(a, 'K');
            r = c ? astype_impl(ARR(c), descr, 0, order == 'A' ? 'K' : order) : NULL;
            Py_XDECREF(c);
        } else if (cast)
            r = astype_impl(a, descr, 1, order == 'A' ? 'K' : order);
        else if (copy || !layout_ok)
            r = copy_array(a, order == 'A' ? 'K' : order);
        else
            r = Py_NewRef(obj);
        if (r && cast && !(order == 'C' ? ARR(r)->c_contiguous : order == 'F' ? ARR(r)->f_contiguous : 1))
            Py_SETREF(r, copy_array(ARR(r), order));
        Py_XDECREF(descr);
        return r;
    }
    PyArrayObject *h = host_array(obj, descr, fname);
    Py_XDECREF(descr);
    if (!h)
        return NULL;
    if ((order == 'C' && !PyArray_IS_C_CONTIGUOUS(h)) || (order == 'F' && !PyArray_IS_F_CONTIGUOUS(h)))
        Py_SETREF(h, (PyArrayObject *)PyArray_NewCopy(h, order == 'C' ? NPY_CORDER : NPY_FORTRANORDER));
    if (!h)
        return NULL;
    r = upload(h, blocking);
    Py_DECREF(h);
    return r;
}

static PyObject *asarray(PyObject *m, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    (void)m;
    if (nargs == 1 && !kwnames && pyga_ndarray_check(args[0])
        && ARR(args[0])->device == pyga_current_device())
        return Py_NewRef(args[0]);
    static const char *const names[] = {"a", "dtype", "order", "blocking"};
    PyObject *v[4];
    if (pyga_parse_args("asarray", args, nargs, kwnames, names, 4, 3, 1, v) < 0)
        return NULL;
    char order;
    int blocking = pyga_bool_arg(v[3], 0);
    if (blocking < 0 || order_arg(v[2], 'K', "CFAK", "asarray", &order) < 0)
        return NULL;
    return to_device(v[0], v[1], order, 0, blocking, "asarray");
}

static PyObject *array(PyObject *m, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    (void)m;
    static const char *const names[] = {"obj", "dtype", "copy", "order", "subok", "ndmin", "blocking"};
    PyObject *v[7];
    if (pyga_parse_args("array", args, nargs, kwnames, names, 7, 6, 1, v) < 0)
        return NULL;
    int copy = v[2] == Py_None ? 0 : pyga_bool_arg(v[2], 1);
    int blocking = pyga_bool_arg(v[6], 0);
    char order;
    if (copy < 0 || blocking < 0 || order_arg(v[3], 'K', "CFAK", "array", &order) < 0)
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

static PyObject *asnumpy(PyObject *m, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    (void)m;
    static const char *const names[] = {"a", "stream", "order", "out", "blocking"};
    PyObject *v[5];
    if (pyga_parse_args("asnumpy", args, nargs, kwnames, names, 5, 4, 1, v) < 0)
        return NULL;
    int blocking = pyga_bool_arg(v[4], 1);
    char order;
    if (blocking < 0 || order_arg(v[2], 'C', "CFAK", "asnumpy", &order) < 0)
        return NULL;
    PyObject *out = v[3] && v[3] != Py_None ? v[3] : NULL;
    PyObject *h;
    if (pyga_ndarray_check(v[0])) {
        h = get_impl(ARR(v[0]), v[1], out, blocking, "asnumpy");
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

static PyMethodDef ndarray_functions[] = {
    FAST("empty", empty, "empty(shape, dtype=float, order='C')\n--\n\nA new array, contents undefined."),
    FAST("zeros", zeros, "zeros(shape, dtype=float, order='C')\n--\n\nA new array of zeros."),
    FAST("ones", ones, "ones(shape, dtype=float, order='C')\n--\n\nA new array of ones."),
    FAST("full", full,
         "full(shape, fill_value, dtype=None, order='C')\n--\n\nA new array filled with fill_value."),
    FAST("arange", arange,
         "arange(start, stop=None, step=None, dtype=None)\n--\n\nEvenly spaced values, as numpy.arange."),
    FAST("empty_like", empty_like,
         "empty_like(a, dtype=None, order='K', subok=None, shape=None)\n--\n\nA new array like a."),
    FAST("zeros_like", zeros_like,
         "zeros_like(a, dtype=None, order='K', subok=None, shape=None)\n--\n\nZeros shaped like a."),
    FAST("ones_like", ones_like,
         "ones_like(a, dtype=None, order='K', subok=None, shape=None)\n--\n\nOnes shaped like a."),
    FAST("full_like", full_like,
         "full_like(a, fill_value, dtype=None, order='K', subok=None, shape=None)\n--\n\n"
         "fill_value shaped like a."),
    FAST("asarray", asarray,
         "asarray(a, dtype=None, order=None, *, blocking=False)\n--\n\n"
         "a on the device: a gpuarray.ndarray is returned as it is; NumPy arrays, lists and\n"
         "scalars are copied (asynchronously from pinned memory unless blocking=True)."),
    FAST("array", array,
         "array(obj, dtype=None, copy=True, order='K', subok=False, ndmin=0, *, blocking=False)\n--\n\n"
         "A device array from obj, a copy unless copy=False allows otherwise."),
    FAST("ascontiguousarray", ascontiguousarray,
         "ascontiguousarray(a, dtype=None)\n--\n\nA C-contiguous device array."),
    FAST("_view", make_view,
         "_view(a, shape, strides, offset=0)\n--\n\nA view of a's memory (base a) with byte strides."),
    FAST("asnumpy", asnumpy,
         "asnumpy(a, stream=None, order='C', out=None, *, blocking=True)\n--\n\n"
         "a as a NumPy array (a.get() for device arrays)."),
    {NULL, NULL, 0, NULL}
};

int pyga_init_ndarray(PyObject *m)
{
    if (init_dtypes() < 0)
        return -1;
    PyObject *np = PyImport_ImportModule("numpy");
    if (!np)
        return -1;
    numpy_arange = PyObject_GetAttrString(np, "arange");
    Py_DECREF(np);
    if (!numpy_arange)
        return -1;
    Flags_Type = (PyTypeObject *)PyType_FromSpec(&Flags_spec);
    if (!Flags_Type)
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
    return PyModule_AddFunctions(m, ndarray_functions);
}
