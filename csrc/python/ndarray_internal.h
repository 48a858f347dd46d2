/* ndarray_internal.h - what the files of gpuarray.ndarray share beyond
 * pyga_internal.h. The type is spread over one file per concern:
 *   ndarray.c           the type: construction, lifetime, attributes, repr,
 *                       pickling, and the slot and method tables
 *   ndarray_alloc.c     array objects: layout, flags, fresh device memory
 *   ndarray_args.c      the shape=, strides= and order= parsers
 *   dtype.c             NumPy dtypes as ga_dtypes, dtype= arguments
 *   ndarray_transfer.c  host <-> device: get, set, asnumpy, uploads
 *   ndarray_copy.c      on the device: copy, astype, fill, and the fills of
 *                       full, ones and a[...] = scalar
 *   ndarray_elements.c  an array as Python values: item, tolist, int(a)...
 *   ndarray_index.c     basic indexing (views), a[key] = value, _view
 *   ndarray_flags.c     ndarray.flags
 *   ndarray_hooks.c     the calls into gpuarray._indexing (generated kernels)
 *   creation.c          empty, zeros, ones, full, arange, *_like, asarray,
 *                       array, ascontiguousarray */
#ifndef GPUARRAY_PYTHON_NDARRAY_INTERNAL_H
#define GPUARRAY_PYTHON_NDARRAY_INTERNAL_H

#include "pyga_internal.h"

#define ARR(o) ((pyga_ndarray *)(o))
#define STREAM_OF(o) (((pyga_Stream *)(o))->stream)
/* A METH_FASTCALL | METH_KEYWORDS entry of a method or function table. */
#define FAST(name, fn, doc) {name, (PyCFunction)(void (*)(void))fn, METH_FASTCALL | METH_KEYWORDS, doc}

/* ----------------------------------------------------------------- dtype.c */

/* TypeError: `what` cannot take dtype `d` (unsupported, or non-native
 * byte order). Returns -1. */
int pyga_unsupported_dtype(PyArray_Descr *d, const char *what);
/* Fill the dtype caches pyga_descr_arg reads; 0 or -1. */
int pyga_init_dtypes(void);

/* ---------------------------------------------------------- ndarray_args.c */

/* A new tuple of the n ints at v (shape, strides). */
PyObject *pyga_tuple_of(int n, const Py_ssize_t *v);
/* order=: one of `allowed` (a string of letters), NULL/None -> dflt. */
int pyga_order_arg(PyObject *o, char dflt, const char *allowed, const char *fname, char *out);
/* strides=: ndim byte steps, any sign. */
int pyga_strides_arg(PyObject *o, int ndim, Py_ssize_t *strides);

/* --------------------------------------------------------- ndarray_alloc.c */

/* The strides of a C (fortran = 0) or Fortran-ordered array of `shape`. */
void pyga_contiguous_strides(int ndim, const Py_ssize_t *shape, Py_ssize_t itemsize, int fortran,
                             Py_ssize_t *strides);
/* A new array object over `mem` (borrowed). `base` is the array it is a
 * view of, or NULL when it owns `mem`. Shape and strides already checked. */
PyObject *pyga_new_array(PyTypeObject *type, PyObject *mem, ga_devptr ptr, int ndim,
                         const Py_ssize_t *shape, const Py_ssize_t *strides, PyArray_Descr *descr,
                         PyObject *base);
/* Bytes of a shape, or (size_t)-1 with ValueError/TypeError. */
size_t pyga_checked_nbytes(int ndim, const Py_ssize_t *shape, PyArray_Descr *descr, const char *what);
/* Fresh device memory on the current stream of the current device (the
 * null stream when the current stream belongs to another device). */
PyObject *pyga_alloc_array(PyTypeObject *type, int ndim, const Py_ssize_t *shape,
                           PyArray_Descr *descr, int fortran, const char *what);
/* Byte offsets, relative to ptr, of the lowest and one past the highest
 * byte an array touches (for views with any strides). */
void pyga_byte_extent(const pyga_ndarray *a, Py_ssize_t *lo, Py_ssize_t *hi);

static inline int pyga_is_contiguous(const pyga_ndarray *a)
{
    return a->c_contiguous || a->f_contiguous;
}

static inline size_t pyga_array_nbytes(const pyga_ndarray *a)
{
    return (size_t)a->size * (size_t)PyDataType_ELSIZE(a->descr);
}

/* The stream an array's memory was allocated on: where its fills go. */
static inline ga_stream *pyga_alloc_stream(PyObject *a)
{
    PyObject *s = ((pyga_Memory *)ARR(a)->mem)->stream;
    return s ? STREAM_OF(s) : NULL;
}

/* --------------------------------------------------------- ndarray_hooks.c */

/* gpuarray._indexing.<name>(a, b, c), the arguments ending at the first
 * NULL: its result (a new reference), or NULL with its exception. */
PyObject *pyga_call_hook(const char *name, PyObject *a, PyObject *b, PyObject *c);
/* The same for hooks whose result is not used: 0 or -1. */
int pyga_call_hook_int(const char *name, PyObject *a, PyObject *b, PyObject *c);

/* ------------------------------------------------------ ndarray_transfer.c */

/* Upload host array `h` (native order, supported dtype, any layout) into a
 * new device array with the same shape. Pinned `h` with blocking=0 is
 * copied asynchronously (the caller keeps it alive and unchanged); any
 * other source may be reused when this returns. */
PyObject *pyga_upload(PyArrayObject *h, int blocking);
/* `obj` as a host array of `descr` (NULL: NumPy's choice) that pyga_upload()
 * takes: native byte order, a supported dtype. */
PyArrayObject *pyga_host_array(PyObject *obj, PyArray_Descr *descr, const char *fname);
/* The stream for a copy to or from `a` (stream_arg NULL/None: the current
 * stream). The current stream of another device gives way to a's
 * device's null stream, so that get(), set() and item() work whatever
 * device is current (as CuPy's do); an explicit stream of another device
 * is a ValueError. */
int pyga_array_stream(pyga_ndarray *a, PyObject *stream_arg, ga_stream **stream, const char *fname);
/* `a` as a host array: into NumPy array `out` when given (with blocking=0
 * and pinned `out`, only queued on the stream), else a new one. */
PyObject *pyga_get_impl(pyga_ndarray *a, PyObject *stream_arg, PyObject *out, int blocking,
                        const char *fname);
/* One element at device address `addr`, as a Python scalar (or NumPy's). */
PyObject *pyga_read_element(pyga_ndarray *a, ga_devptr addr, int numpy_scalar);
/* a.set(arr, stream): copy NumPy array `arr` (a's shape and dtype) in; 0 or -1. */
int pyga_set_impl(pyga_ndarray *a, PyObject *arr, PyObject *stream_arg, const char *fname);
/* Methods get and set. */
PyObject *pyga_ndarray_get(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames);
PyObject *pyga_ndarray_set(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames);
/* Adds asnumpy to the module; 0 or -1. */
int pyga_init_ndarray_transfer(PyObject *m);

/* ---------------------------------------------------------- ndarray_copy.c */

/* Set every element of `a` to `value` (NumPy's casting), on `stream`;
 * 0 or -1. */
int pyga_fill_array(pyga_ndarray *a, PyObject *value, ga_stream *stream, const char *fname);
/* A copy in layout `order` ('C', 'F', or 'K'/'A' = keep a contiguous
 * layout): one device-to-device copy when the layouts agree, else a
 * strided copy kernel. */
PyObject *pyga_copy_array(pyga_ndarray *a, char order);
/* astype: same dtype is a copy (or self with copy=False); a new dtype is
 * a casting copy kernel (NumPy's unsafe casting), in layout `order`. */
PyObject *pyga_astype_impl(pyga_ndarray *a, PyArray_Descr *d, int copy, char order);
/* Methods copy, __copy__, __deepcopy__, fill and astype. */
PyObject *pyga_ndarray_copy(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames);
PyObject *pyga_ndarray_copy_noargs(PyObject *self, PyObject *unused);
PyObject *pyga_ndarray_deepcopy(PyObject *self, PyObject *memo);
PyObject *pyga_ndarray_fill(PyObject *self, PyObject *value);
PyObject *pyga_ndarray_astype(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames);

/* ------------------------------------------------------ ndarray_elements.c */

/* Methods item, tolist, __complex__, __format__ and the number slots
 * bool(a), int(a), float(a), operator.index(a). */
PyObject *pyga_ndarray_item(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *pyga_ndarray_tolist(PyObject *self, PyObject *unused);
int pyga_ndarray_bool(PyObject *self);
PyObject *pyga_ndarray_float(PyObject *self);
PyObject *pyga_ndarray_int(PyObject *self);
PyObject *pyga_ndarray_index(PyObject *self);
PyObject *pyga_ndarray_complex(PyObject *self, PyObject *unused);
PyObject *pyga_ndarray_format(PyObject *self, PyObject *spec);

/* --------------------------------------------------------- ndarray_index.c */

/* A view of a's memory (base: a's base, or a); shape and strides are the
 * caller's to check. */
PyObject *pyga_view_of(pyga_ndarray *a, ga_devptr ptr, int ndim, const Py_ssize_t *shape,
                       const Py_ssize_t *strides);
/* The slots a[key], a[i] and a[key] = value. */
PyObject *pyga_ndarray_subscript(PyObject *self, PyObject *key);
PyObject *pyga_ndarray_sq_item(PyObject *self, Py_ssize_t i);
int pyga_ndarray_ass_subscript(PyObject *self, PyObject *key, PyObject *value);
/* Adds _view to the module; 0 or -1. */
int pyga_init_ndarray_index(PyObject *m);

/* --------------------------------------------------------- ndarray_flags.c */

/* The flags attribute: a new Flags record of a's layout. */
PyObject *pyga_ndarray_get_flags(PyObject *self, void *c);
/* Creates the Flags type; 0 or -1. */
int pyga_init_ndarray_flags(void);

/* -------------------------------------------------------------- creation.c */

/* Adds the creation functions to the module; 0 or -1. */
int pyga_init_creation(PyObject *m);

#endif /* GPUARRAY_PYTHON_NDARRAY_INTERNAL_H */
