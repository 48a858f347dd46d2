/* pyga.h - what the files of the Python extension (gpuarray._core) share:
 * the module state, the one function that turns a ga_status into an
 * exception, the object layouts the fast paths read, and each file's
 * init function. The extension calls the public C API (gpuarray.h) only. */
#ifndef GPUARRAY_PYTHON_PYGA_H
#define GPUARRAY_PYTHON_PYGA_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#define PY_ARRAY_UNIQUE_SYMBOL pyga_ARRAY_API
#ifndef PYGA_IMPORT_ARRAY_HERE
#define NO_IMPORT_ARRAY
#endif
#include <numpy/arrayobject.h>

#include "gpuarray.h"

/* --------------------------------------------------------- module state */

/* One process-wide state (the module is single-phase initialised and not
 * meant for sub-interpreters): the types and the exception classes. */
typedef struct pyga_state {
    PyObject *module;

    /* exceptions (see errors.c for the hierarchy) */
    PyObject *CUDADriverError;     /* RuntimeError: the driver said no */
    PyObject *CUDAUnavailableError;/* CUDADriverError: no driver/device/too old */
    PyObject *OutOfMemoryError;    /* MemoryError */
    PyObject *CompileException;    /* Exception: .log, .options, .name, .source */

    /* types */
    PyTypeObject *Device;
    PyTypeObject *Stream;
    PyTypeObject *Event;
    PyTypeObject *Memory;          /* owns a ga_buffer */
    PyTypeObject *MemoryPointer;   /* (Memory, offset): ndarray.data */
    PyTypeObject *MemoryPool;
    PyTypeObject *ndarray;
    PyTypeObject *Module;          /* a loaded ga_module (base of RawModule) */
    PyTypeObject *Function;        /* a kernel (base of RawKernel) */

    PyObject *null_stream;         /* Stream.null of device 0 */
} pyga_state;

extern pyga_state pyga;

/* Turn a failed status (and ga_last_error()) into the right exception:
 * OUT_OF_MEMORY -> OutOfMemoryError, HOST_OUT_OF_MEMORY -> MemoryError,
 * NO_DRIVER/NO_DEVICE/DRIVER_TOO_OLD/NO_COMPILER -> CUDAUnavailableError,
 * COMPILE -> CompileException, IO -> OSError; INVALID_VALUE/INVALID_DEVICE/
 * LAUNCH -> ValueError and UNSUPPORTED -> NotImplementedError when the core
 * itself refused (no driver code); NOT_FOUND and anything the driver
 * reported -> CUDADriverError with the driver's error name and text. Always
 * returns NULL so that call sites read `return pyga_raise(st);`. */
PyObject *pyga_raise(ga_status status);
/* Same, for functions returning int (-1). */
int pyga_raise_int(ga_status status);

/* ---------------------------------------------------------- object layouts */

typedef struct pyga_Device {
    PyObject_HEAD
    int id;
    ga_device *device;
} pyga_Device;

typedef struct pyga_Stream {
    PyObject_HEAD
    ga_stream *stream;             /* NULL for the null stream */
    ga_device *device;
    int non_blocking;
    PyObject *weakreflist;
    PyObject *capture_keep;        /* while capturing: what the graph must keep alive (graph.c) */
} pyga_Stream;

typedef struct pyga_Event {
    PyObject_HEAD
    ga_event *event;
    int block, disable_timing;
} pyga_Event;

typedef struct pyga_Memory {
    PyObject_HEAD
    ga_buffer *buffer;             /* NULL for foreign memory */
    ga_devptr ptr;
    size_t size;
    ga_device *device;
    PyObject *owner;               /* keeps foreign memory alive, or NULL */
    PyObject *stream;              /* stream it was allocated on (strong ref) */
} pyga_Memory;

#define PYGA_MAX_NDIM 32

typedef struct pyga_ndarray {
    PyObject_HEAD
    ga_devptr ptr;                 /* address of element [0, 0, ...] */
    int ndim;
    Py_ssize_t shape[PYGA_MAX_NDIM];
    Py_ssize_t strides[PYGA_MAX_NDIM];   /* in bytes */
    Py_ssize_t size;
    PyArray_Descr *descr;          /* NumPy dtype (strong ref) */
    ga_dtype gdtype;               /* the same, as the core knows it */
    PyObject *mem;                 /* pyga_Memory that owns the bytes */
    PyObject *base;                /* the array this is a view of, or NULL */
    ga_device *device;
    int c_contiguous, f_contiguous;
    PyObject *weakreflist;
} pyga_ndarray;

static inline int pyga_ndarray_check(PyObject *o) { return PyObject_TypeCheck(o, pyga.ndarray); }

/* -------------------------------------------------- current device/stream */

/* The calling thread's current device (default: device 0). On failure
 * (no CUDA) raises and returns NULL. */
ga_device *pyga_current_device(void);
int pyga_current_device_id(void);
/* The calling thread's current stream: a borrowed pyga_Stream (the null
 * stream of the current device by default) and its ga_stream (NULL = null
 * stream). Never fails once the module is initialised. */
PyObject *pyga_current_stream(ga_stream **stream);
/* Resolve a `stream=` argument: None -> current stream, a Stream -> it,
 * anything else -> TypeError. Returns 0 or -1. */
int pyga_stream_arg(PyObject *arg, ga_stream **stream, PyObject **stream_obj);

/* ------------------------------------------------------------ dtype glue */

ga_dtype pyga_dtype_from_descr(PyArray_Descr *descr);   /* UNKNOWN if none */

/* A new ndarray owning fresh device memory (contents undefined),
 * allocated on the current stream of the current device. `descr` is
 * borrowed, not stolen. A bad shape is a ValueError, an unsupported dtype a
 * TypeError. */
PyObject *pyga_ndarray_empty(int ndim, const Py_ssize_t *shape, PyArray_Descr *descr, int fortran);

/* ------------------------------------------------------ array operators */

/* kernel_launch.c: launch Function `f` with `params` laid out as the
 * driver takes them, on the current stream, for operators.c. 0; -1 with an
 * exception; 1 (nothing done) when the current stream does not run on `dev`. */
int pyga_function_launch_packed(PyObject *f, ga_device *dev, unsigned grid, unsigned block,
                                void **params);

/* operators.c: ndarray's binary operator and comparison slots. */
PyObject *pyga_nb_add(PyObject *, PyObject *);
PyObject *pyga_nb_subtract(PyObject *, PyObject *);
PyObject *pyga_nb_multiply(PyObject *, PyObject *);
PyObject *pyga_nb_true_divide(PyObject *, PyObject *);
PyObject *pyga_nb_floor_divide(PyObject *, PyObject *);
PyObject *pyga_nb_remainder(PyObject *, PyObject *);
PyObject *pyga_nb_and(PyObject *, PyObject *);
PyObject *pyga_nb_or(PyObject *, PyObject *);
PyObject *pyga_nb_xor(PyObject *, PyObject *);
PyObject *pyga_nb_lshift(PyObject *, PyObject *);
PyObject *pyga_nb_rshift(PyObject *, PyObject *);
PyObject *pyga_nb_power(PyObject *, PyObject *, PyObject *);
PyObject *pyga_nb_inplace_add(PyObject *, PyObject *);
PyObject *pyga_nb_inplace_subtract(PyObject *, PyObject *);
PyObject *pyga_nb_inplace_multiply(PyObject *, PyObject *);
PyObject *pyga_nb_inplace_true_divide(PyObject *, PyObject *);
PyObject *pyga_nb_inplace_floor_divide(PyObject *, PyObject *);
PyObject *pyga_nb_inplace_remainder(PyObject *, PyObject *);
PyObject *pyga_nb_inplace_and(PyObject *, PyObject *);
PyObject *pyga_nb_inplace_or(PyObject *, PyObject *);
PyObject *pyga_nb_inplace_xor(PyObject *, PyObject *);
PyObject *pyga_nb_inplace_lshift(PyObject *, PyObject *);
PyObject *pyga_nb_inplace_rshift(PyObject *, PyObject *);
PyObject *pyga_nb_inplace_power(PyObject *, PyObject *, PyObject *);
PyObject *pyga_tp_richcompare(PyObject *, PyObject *, int);

/* ------------------------------------------------ per-file initialisation */

/* Each adds its types/functions to the module; 0 or -1. */
int pyga_init_errors(PyObject *m);
int pyga_init_device(PyObject *m);
int pyga_init_stream(PyObject *m);   /* Stream and Event */
int pyga_init_memory(PyObject *m);   /* Memory, MemoryPointer, MemoryPool, pinned */
int pyga_init_ndarray(PyObject *m);  /* ndarray, creation, copies */
int pyga_init_kernel(PyObject *m);   /* Module, Function, compile */
int pyga_init_blas(PyObject *m);     /* _gemm_nd (gpuarray.matmul) */
int pyga_init_fft(PyObject *m);      /* FFTPlan, _fft_library (gpuarray.fft) */
int pyga_init_solver(PyObject *m);   /* _solver (gpuarray.linalg on CUDA) */
int pyga_init_interop(PyObject *m);  /* DLPack, __cuda_array_interface__ */
int pyga_init_operators(PyObject *m);/* the operators' kernel tables */
int pyga_init_graph(PyObject *m);    /* Graph (gpuarray.cuda.Graph) */
int pyga_init_hip(PyObject *m);      /* gpuarray.hip's compile and facts (hip.c) */

/* graph.c: Stream's capture methods, and the launches' hook that keeps the
 * arguments of a captured kernel alive with its graph (a no-op unless the
 * stream captures). */
PyObject *pyga_stream_begin_capture(PyObject *self, PyObject *args, PyObject *kwds);
PyObject *pyga_stream_end_capture(PyObject *self, PyObject *unused);
PyObject *pyga_stream_is_capturing(PyObject *self, PyObject *unused);
void pyga_capture_keep_args(PyObject *stream_obj, PyObject *args);

/* interop.c: asarray's hook for foreign device arrays: a zero-copy view of
 * an object with __cuda_array_interface__ (new reference), NULL with an
 * exception, or Py_NotImplemented (new reference) for anything else. */
PyObject *pyga_interop_asarray(PyObject *obj);

#endif /* GPUARRAY_PYTHON_PYGA_H */
