/* ndarray_copy.c - copies and fills on the device: ndarray.copy, astype
 * and fill, the fills under full/ones and a[...] = scalar, and
 * pyga_fill_bytes (a repeating element as a memset where it can be). */
#include "ndarray_internal.h"

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
        value = tmp = pyga_read_element(ARR(value), ARR(value)->ptr, 0);
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

int pyga_fill_array(pyga_ndarray *a, PyObject *value, ga_stream *stream, const char *fname)
{
    if (!pyga_is_contiguous(a))
        return a->size ? pyga_call_hook_int("_fill", (PyObject *)a, value, NULL) : 0;
    _Alignas(16) unsigned char elem[32];
    if (scalar_bytes(value, a->descr, elem, fname) < 0)
        return -1;
    ga_status st = pyga_fill_bytes(a->device, a->ptr, pyga_array_nbytes(a), elem,
                                   (size_t)PyDataType_ELSIZE(a->descr), stream);
    if (st != GA_OK)
        return pyga_raise_int(st);
    ga_stream *current;
    PyObject *current_obj = pyga_current_stream(&current);
    if (current == stream)
        pyga_capture_keep_args(current_obj, (PyObject *)a);   /* a captured fill writes a */
    return 0;
}

PyObject *pyga_copy_array(pyga_ndarray *a, char order)
{
    int fortran = order == 'F' || ((order == 'K' || order == 'A') && a->f_contiguous && !a->c_contiguous);
    int direct = fortran ? a->f_contiguous : a->c_contiguous;
    if (direct) {
        PyObject *b = pyga_alloc_array(pyga.ndarray, a->ndim, a->shape, a->descr, fortran, "copy");
        if (!b)
            return NULL;
        size_t nbytes = pyga_array_nbytes(a);
        if (nbytes) {
            /* b is on the current device; a may be on another (CuPy's
             * semantics: a copy lands on the current device). */
            ga_status st = ga_memcpy_peer_async(ARR(b)->device, ARR(b)->ptr, a->device, a->ptr, nbytes,
                                                pyga_alloc_stream(b));
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
        PyObject *c = pyga_copy_array(a, fortran ? 'F' : 'C');
        if (pyga_set_current_device(prev) < 0) {
            Py_XDECREF(c);
            return NULL;
        }
        if (!c)
            return NULL;
        PyObject *b = pyga_copy_array(ARR(c), fortran ? 'F' : 'C');
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
        PyObject *c = pyga_alloc_array(pyga.ndarray, a->ndim, pshape, a->descr, 0, "copy");
        if (!c)
            return NULL;
        for (int i = 0; i < a->ndim; i++)
            strides[perm[i]] = ARR(c)->strides[i];
        b = pyga_new_array(pyga.ndarray, ARR(c)->mem, ARR(c)->ptr, a->ndim, a->shape, strides, a->descr, NULL);
        Py_DECREF(c);
    } else {
        b = pyga_alloc_array(pyga.ndarray, a->ndim, a->shape, a->descr, fortran, "copy");
    }
    if (b && a->size && pyga_call_hook_int("_copy_into", (PyObject *)a, b, NULL) < 0)
        Py_CLEAR(b);
    return b;
}

PyObject *pyga_ndarray_copy(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"order"};
    PyObject *v[1];
    if (pyga_parse_args("copy", args, nargs, kwnames, names, 1, 1, 0, v) < 0)
        return NULL;
    char order;
    if (pyga_order_arg(v[0], 'C', "CFAK", "copy", &order) < 0)
        return NULL;
    return pyga_copy_array(ARR(self), order);
}

PyObject *pyga_ndarray_copy_noargs(PyObject *self, PyObject *unused)
{
    (void)unused;
    return pyga_copy_array(ARR(self), 'K');
}

PyObject *pyga_ndarray_deepcopy(PyObject *self, PyObject *memo)
{
    (void)memo;
    return pyga_copy_array(ARR(self), 'K');
}

PyObject *pyga_ndarray_fill(PyObject *self, PyObject *value)
{
    ga_stream *stream;
    if (pyga_array_stream(ARR(self), NULL, &stream, "fill") < 0)
        return NULL;
    if (pyga_fill_array(ARR(self), value, stream, "fill") < 0)
        return NULL;
    Py_RETURN_NONE;
}

PyObject *pyga_astype_impl(pyga_ndarray *a, PyArray_Descr *d, int copy, char order)
{
    int fortran = order == 'F' || ((order == 'K' || order == 'A') && a->f_contiguous && !a->c_contiguous);
    if (PyArray_EquivTypes(d, a->descr)) {
        int layout_ok = order == 'C' ? a->c_contiguous : order == 'F' ? a->f_contiguous : 1;
        if (!copy && layout_ok)
            return Py_NewRef((PyObject *)a);
        return pyga_copy_array(a, fortran ? 'F' : 'C');
    }
    PyObject *b = pyga_alloc_array(pyga.ndarray, a->ndim, a->shape, d, fortran, "astype");
    if (b && a->size && pyga_call_hook_int("_copy_into", (PyObject *)a, b, NULL) < 0)
        Py_CLEAR(b);
    return b;
}

PyObject *pyga_ndarray_astype(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"dtype", "order", "casting", "subok", "copy"};
    PyObject *v[5];
    if (pyga_parse_args("astype", args, nargs, kwnames, names, 5, 5, 1, v) < 0)
        return NULL;
    int copy = pyga_bool_arg(v[4], 1);
    char order;
    if (copy < 0 || pyga_order_arg(v[1], 'K', "CFAK", "astype", &order) < 0)
        return NULL;
    PyArray_Descr *d = pyga_descr_arg(v[0]);
    if (!d)
        return NULL;
    PyObject *r = pyga_astype_impl(ARR(self), d, copy, order);
    Py_DECREF(d);
    return r;
}
