/* kernel_program.c - gpuarray._core.Program, what compile() returns: the
 * image (PTX, CUBIN, host library), the log, the source and lowered names. */
#include "kernel_internal.h"

#include <string.h>

static void
program_dealloc(PyObject *o)
{
    PyTypeObject *tp = Py_TYPE(o);
    pyga_Program *self = (pyga_Program *)o;
    if (self->program)
        ga_program_release(self->program);
    tp->tp_free(o);
    Py_DECREF(tp);
}

static PyObject *
program_get_ptx(PyObject *o, void *c)
{
    (void)c;
    size_t size = 0;
    const char *ptx = ga_program_ptx(((pyga_Program *)o)->program, &size);
    if (!ptx)
        Py_RETURN_NONE;
    /* The size may count the terminating NUL; the text ends before it. */
    return PyUnicode_DecodeUTF8(ptx, (Py_ssize_t)strnlen(ptx, size ? size : strlen(ptx)),
                                "replace");
}

static PyObject *
program_image(pyga_Program *self, ga_image_kind want)
{
    size_t size = 0;
    ga_image_kind kind = GA_IMAGE_NONE;
    const void *image = ga_program_image(self->program, &size, &kind);
    if (!image || (want != GA_IMAGE_NONE && kind != want))
        Py_RETURN_NONE;
    return PyBytes_FromStringAndSize(image, (Py_ssize_t)size);
}

static PyObject *
program_get_cubin(PyObject *o, void *c)
{
    (void)c;
    return program_image((pyga_Program *)o, GA_IMAGE_CUBIN);
}

static PyObject *
program_get_image(PyObject *o, void *c)
{
    (void)c;
    return program_image((pyga_Program *)o, GA_IMAGE_NONE);
}

static PyObject *
program_get_image_kind(PyObject *o, void *c)
{
    (void)c;
    size_t size = 0;
    ga_image_kind kind = GA_IMAGE_NONE;
    ga_program_image(((pyga_Program *)o)->program, &size, &kind);
    switch (kind) {
    case GA_IMAGE_CUBIN: return PyUnicode_FromString("cubin");
    case GA_IMAGE_PTX: return PyUnicode_FromString("ptx");
    case GA_IMAGE_FATBIN: return PyUnicode_FromString("fatbin");
    case GA_IMAGE_HOST_SO: return PyUnicode_FromString("host_so");
    case GA_IMAGE_AMDGPU: return PyUnicode_FromString("amdgpu");
    default: Py_RETURN_NONE;
    }
}

static PyObject *
program_get_log(PyObject *o, void *c)
{
    (void)c;
    const char *log = ga_program_log(((pyga_Program *)o)->program);
    return PyUnicode_DecodeUTF8(log ? log : "", (Py_ssize_t)strlen(log ? log : ""), "replace");
}

static PyObject *
program_get_cache_source(PyObject *o, void *c)
{
    (void)c;
    switch (((pyga_Program *)o)->source) {
    case GA_CACHE_MEMORY: return PyUnicode_FromString("memory");
    case GA_CACHE_DISK: return PyUnicode_FromString("disk");
    default: return PyUnicode_FromString("miss");
    }
}

static PyObject *
program_get_arch(PyObject *o, void *c)
{
    (void)c;
    return PyLong_FromLong(ga_program_arch(((pyga_Program *)o)->program));
}

static PyObject *
program_get_source(PyObject *o, void *c)
{
    (void)c;
    const char *src = ga_program_source(((pyga_Program *)o)->program);
    if (!src)
        Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8(src, (Py_ssize_t)strlen(src), "replace");
}

static PyObject *
program_lowered_name(PyObject *o, PyObject *arg)
{
    if (!PyUnicode_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "name expression must be str, not %.100s",
                     Py_TYPE(arg)->tp_name);
        return NULL;
    }
    const char *expr = PyUnicode_AsUTF8(arg);
    if (!expr)
        return NULL;
    const char *low = ga_program_lowered_name(((pyga_Program *)o)->program, expr);
    if (!low)
        Py_RETURN_NONE;
    return PyUnicode_FromString(low);
}

static PyGetSetDef program_getset[] = {
    {"ptx", program_get_ptx, NULL, "PTX text of the program (None when not kept).", NULL},
    {"cubin", program_get_cubin, NULL, "CUBIN (ELF) bytes, or None when the image is PTX.", NULL},
    {"image", program_get_image, NULL, "The loadable image as bytes.", NULL},
    {"image_kind", program_get_image_kind, NULL, "'cubin', 'ptx' or 'fatbin'.", NULL},
    {"log", program_get_log, NULL, "The compiler's log ('' when silent).", NULL},
    {"cache_source", program_get_cache_source, NULL, "'miss', 'memory' or 'disk'.", NULL},
    {"arch", program_get_arch, NULL, "Target architecture, e.g. 90.", NULL},
    {"source", program_get_source, NULL, "CUDA C++ source text.", NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyMethodDef program_methods[] = {
    {"lowered_name", program_lowered_name, METH_O,
     "lowered_name(name_expression) -> the mangled name, or None."},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot program_slots[] = {
    {Py_tp_dealloc, program_dealloc},
    {Py_tp_getset, program_getset},
    {Py_tp_methods, program_methods},
    {Py_tp_doc, "A compiled program (from gpuarray._core.compile)."},
    {0, NULL}
};

static PyType_Spec program_spec = {
    .name = "gpuarray._core.Program",
    .basicsize = sizeof(pyga_Program),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = program_slots,
};

PyTypeObject *pyga_Program_Type;

PyObject *
pyga_program_new_from(ga_program *program, ga_cache_source source)
{
    pyga_Program *self = PyObject_New(pyga_Program, pyga_Program_Type);
    if (!self) {
        ga_program_release(program);
        return NULL;
    }
    self->program = program;   /* takes over the caller's reference */
    self->source = source;
    return (PyObject *)self;
}

int
pyga_init_kernel_program(void)
{
    pyga_Program_Type = (PyTypeObject *)PyType_FromSpec(&program_spec);
    if (!pyga_Program_Type)
        return -1;
    return 0;
}
