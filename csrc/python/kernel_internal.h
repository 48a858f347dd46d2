/* kernel_internal.h - what the kernel files share: kernel.c (compile,
 * load_*, init), the types in kernel_program.c, kernel_module.c and
 * kernel_function.c, kernel_launch.c (a launch) and kernel_args.c (its
 * argument packer). They build on pyga.h alone, not pyga_internal.h. */
#ifndef GPUARRAY_PYTHON_KERNEL_INTERNAL_H
#define GPUARRAY_PYTHON_KERNEL_INTERNAL_H

#include "pyga.h"

/* The argument buffer: CUDA caps a kernel's parameters at 4 KiB (32 KiB on
 * recent drivers, but 4 KiB is what every device takes), and each value gets
 * an aligned slot of at least 8 bytes, so 512 slots are the most that fit. */
#define PYGA_ARGBUF_BYTES 4096
#define PYGA_MAX_ARGS (PYGA_ARGBUF_BYTES / 8)

/* ------------------------------------------------------------------ types */

typedef struct pyga_Program {
    PyObject_HEAD
    ga_program *program;
    ga_cache_source source;     /* where the compile that made this object found it */
} pyga_Program;

typedef struct pyga_Module {
    PyObject_HEAD
    ga_module *module;
    ga_device *device;
    PyObject *program;          /* the pyga_Program it was loaded from, or NULL */
} pyga_Module;

/* A kernel. `fn` is NULL in a subclass instance (RawKernel) until the C side
 * has asked the instance's `_load()` to bind one with `_bind()`: this keeps
 * the compile lazy without a Python frame on the launch path. Everything the
 * launch checks against is read once and kept here (ready = 1). */
typedef struct pyga_Function {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    ga_function *fn;
    PyObject *module;           /* pyga_Module owning fn: keeps it loaded */
    ga_device *device;

    int ready;
    int known;                  /* parameters known (count checked) */
    int nparams;
    const ga_param *params;
    unsigned max_threads;       /* min(device limit, this function's limit) */
    unsigned max_block[3];
    unsigned max_grid[3];
    size_t smem_static;         /* the kernel's own __shared__ bytes */
    size_t smem_optin;          /* device's per-block limit after opting in */
    size_t smem_dynamic;        /* the function's current dynamic limit */
} pyga_Function;

/* The kernel's name for messages ("kernel" while none is bound). */
static inline const char *
pyga_function_cname(pyga_Function *self)
{
    const char *name = self->fn ? ga_function_name(self->fn) : NULL;
    return name ? name : "kernel";
}

/* PyLong_AsInt is public only from Python 3.13. */
static inline int
pyga_as_int(PyObject *o, int *out)
{
    long v = PyLong_AsLong(o);
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (v < INT_MIN || v > INT_MAX) {
        PyErr_SetString(PyExc_OverflowError, "value does not fit in a C int");
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* -------------------------------------------------------- kernel_program.c */

/* The Program type (compile() makes its objects). */
extern PyTypeObject *pyga_Program_Type;
/* A new Program object taking over the caller's reference to `program`
 * (released when the object cannot be made). */
PyObject *pyga_program_new_from(ga_program *program, ga_cache_source source);
/* Creates the Program type; 0 or -1. */
int pyga_init_kernel_program(void);

/* --------------------------------------------------------- kernel_module.c */

/* A new Module object owning `module` (unloaded when the object cannot be
 * made), loaded on `dev` from Program object `program` (or NULL). */
PyObject *pyga_module_new_from(ga_module *module, ga_device *dev, PyObject *program);
/* Creates the Module type (pyga.Module); 0 or -1. */
int pyga_init_kernel_module(void);

/* ------------------------------------------------------- kernel_function.c */

/* A new Function for kernel `fn` of Module `mod`. */
PyObject *pyga_function_new_bound(pyga_Module *mod, ga_function *fn);
/* Make sure the kernel is bound to `dev` (NULL: to any device). Unbound
 * subclass instances and those bound to another device ask their _load(). */
int pyga_function_ensure(pyga_Function *self, ga_device *dev);
/* Read once what every launch checks against: the parameters and limits. */
int pyga_function_prepare(pyga_Function *self);
/* Creates the Function type (pyga.Function); 0 or -1. */
int pyga_init_kernel_function(void);

/* --------------------------------------------------------- kernel_launch.c */

/* A launch, f(grid, block, args, shared_mem=0, stream=None): the
 * vectorcall and the tp_call forms. */
PyObject *pyga_function_vectorcall(PyObject *callable, PyObject *const *args, size_t nargsf,
                                   PyObject *kwnames);
PyObject *pyga_function_call(PyObject *callable, PyObject *args, PyObject *kwargs);
/* Interns the launch's keyword names; 0 or -1. */
int pyga_init_kernel_launch(void);

/* ----------------------------------------------------------- kernel_args.c */

/* The declared type as written ("const float*"), or its dtype name. */
void pyga_param_type(const ga_param *p, char *buf, size_t len);
/* Pack argument i, `o`, into dst (cap bytes free) against its declared
 * parameter `p`, its size into *size: 0, or -1 with an exception that
 * names the kernel and the parameter. */
int pyga_store_param(pyga_Function *self, int i, const ga_param *p, PyObject *o, ga_device *dev,
                     void *dst, size_t cap, size_t *size);
/* The same with no parameter information at all: pack as CuPy does (Python
 * int as int64, float as double, bool as one byte, complex as complex128,
 * NumPy scalars by their bytes, arrays and addresses as pointers). */
int pyga_store_blind(pyga_Function *self, int i, PyObject *o, ga_device *dev, void *dst, size_t cap,
                     size_t *size);

#endif /* GPUARRAY_PYTHON_KERNEL_INTERNAL_H */
