/* pyga_internal.h - helpers shared by module.c, errors.c, device.c,
 * stream.c, memory.c and the ndarray files beyond the contract in pyga.h
 * (which the kernel files also include). Nothing here is needed by the
 * kernel files (kernel_internal.h); the ndarray files share more among
 * themselves in ndarray_internal.h. */
#ifndef GPUARRAY_PYTHON_PYGA_INTERNAL_H
#define GPUARRAY_PYTHON_PYGA_INTERNAL_H

#include "pyga.h"

/* Python 3.9 lacks a few conveniences of 3.10 that these files use. */
#if PY_VERSION_HEX < 0x030A0000
static inline PyObject *pyga_newref_(PyObject *o) { Py_INCREF(o); return o; }
static inline PyObject *pyga_xnewref_(PyObject *o) { Py_XINCREF(o); return o; }
#define Py_NewRef(o) pyga_newref_((PyObject *)(o))
#define Py_XNewRef(o) pyga_xnewref_((PyObject *)(o))
static inline int PyModule_AddObjectRef(PyObject *m, const char *name, PyObject *value)
{
    Py_INCREF(value);
    if (PyModule_AddObject(m, name, value) < 0) {
        Py_DECREF(value);
        return -1;
    }
    return 0;
}
#endif

/* Copies bigger than this release the GIL; smaller ones finish faster than
 * a GIL hand-off costs. */
#define PYGA_GIL_RELEASE_BYTES ((size_t)64 * 1024)

/* ------------------------------------------------------------ module.c */

/* Bind METH_FASTCALL|METH_KEYWORDS arguments to parameter names: the first
 * `npos` names may be given by position, all by keyword, the first
 * `nrequired` must be given. vals[i] is a borrowed reference or NULL when
 * not given. Returns 0, or -1 with a TypeError that names `fname`. */
int pyga_parse_args(const char *fname, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
                    const char *const *names, int nnames, int npos, int nrequired,
                    PyObject **vals);

/* Truth value of an optional argument (NULL = `dflt`); -1 on error. */
int pyga_bool_arg(PyObject *o, int dflt);

/* ------------------------------------------------------------ device.c */

/* New reference to the Device object of ordinal `id` (one per ordinal). */
PyObject *pyga_device_object(int id);
/* Make `id` the calling thread's current device; 0 or -1. */
int pyga_set_current_device(int id);
/* A device= argument: None (-1), a Device or an ordinal (its ordinal);
 * -2 with a TypeError/ValueError naming fname. */
int pyga_device_arg(PyObject *device, const char *fname);

/* ------------------------------------------------------------ stream.c */

/* The device a stream object works on: its own, or for the (device
 * agnostic) null stream the current device. NULL with an exception. */
ga_device *pyga_stream_device(PyObject *stream_obj);

/* ------------------------------------------------------------ memory.c */

/* A new Memory owning `nbytes` of fresh device memory allocated on
 * `stream` (stream_obj is the Python object of the same stream, kept
 * alive by the Memory). */
PyObject *pyga_memory_alloc(ga_device *device, size_t nbytes, PyObject *stream_obj, ga_stream *stream);
/* A new MemoryPointer to `ptr` inside Memory `mem`. */
PyObject *pyga_memory_pointer(PyObject *mem, ga_devptr ptr);
/* For ndarray(memptr=...): the Memory and address of a MemoryPointer;
 * 0, or -1 with a TypeError when `o` is not one. */
int pyga_memory_pointer_unpack(PyObject *o, PyObject **mem, ga_devptr *ptr);

/* --------------------------------------------------------- allocator.c */

/* Memory for a new array of nbytes: from the allocator set_allocator set
 * (its MemoryPointer's Memory, new reference, and address in *ptr), or
 * from the pool. NULL with an exception. */
PyObject *pyga_array_memory(ga_device *dev, size_t nbytes, PyObject *stream_obj, ga_stream *stream,
                            ga_devptr *ptr);
int pyga_init_allocator(PyObject *m);

/* ------------------------------------------------------------- dtype.c */

/* Resolve a `dtype=` argument (NULL or None = float64) to a supported,
 * native-byte-order descriptor: a new reference, or NULL with TypeError. */
PyArray_Descr *pyga_descr_arg(PyObject *o);

/* ------------------------------------------------------ ndarray_args.c */

/* Parse a shape (an int or a sequence of ints); returns ndim or -1. */
int pyga_shape_arg(PyObject *o, Py_ssize_t *shape, const char *what);

/* ------------------------------------------------------ ndarray_copy.c */

/* Write nbytes (a multiple of itemsize) at dst with copies of the
 * `itemsize` bytes at `elem`: one memset when the bytes repeat with period
 * 1, 2 or 4, else one small upload and doubling device-to-device copies. */
ga_status pyga_fill_bytes(ga_device *device, ga_devptr dst, size_t nbytes, const void *elem,
                          size_t itemsize, ga_stream *stream);

#endif /* GPUARRAY_PYTHON_PYGA_INTERNAL_H */
