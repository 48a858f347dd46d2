/* hip.c - what gpuarray.hip needs of the C side: compile through the hip
 * backend's compiler whichever backend is active (no device, no hipInit),
 * the HIP libraries' facts, and the kernel metadata of an AMD code object
 * (read by the core's reader, the one the backend takes layouts from). */
#include "pyga_internal.h"
#include "kernel_internal.h"

#include "amdgpu_code_object.h"
#include "libhip.h"
#include "libhiprtc.h"
#include "hip_rtc.h"

#include <stdlib.h>
#include <string.h>

/* A tuple of str as a C array (borrowed UTF-8, valid while the tuple is). */
static int str_items(PyObject *tuple, const char *what, const char ***out, int *count)
{
    *out = NULL;
    *count = 0;
    if (tuple == Py_None)
        return 0;
    if (!PyTuple_Check(tuple)) {
        PyErr_Format(PyExc_TypeError, "%s must be a tuple of str", what);
        return -1;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(tuple);
    const char **a = PyMem_Calloc((size_t)n + 1, sizeof *a);
    if (!a) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *s = PyTuple_GET_ITEM(tuple, i);
        if (!PyUnicode_Check(s) || !(a[i] = PyUnicode_AsUTF8(s))) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_TypeError, "%s[%zd] must be str, not %.100s", what, i,
                             Py_TYPE(s)->tp_name);
            PyMem_Free(a);
            return -1;
        }
    }
    *out = a;
    *count = (int)n;
    return 0;
}

static PyObject *hip_compile(PyObject *m, PyObject *args, PyObject *kwds)
{
    (void)m;
    static char *kwlist[] = {"source", "options", "name_expressions", "arch", "source_name",
                             "no_cache", NULL};
    PyObject *source, *options = Py_None, *exprs = Py_None;
    int arch = 0, no_cache = 0;
    const char *source_name = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "U|OOizp:hip_compile", kwlist, &source, &options,
                                     &exprs, &arch, &source_name, &no_cache))
        return NULL;
    const char *src = PyUnicode_AsUTF8(source);
    if (!src)
        return NULL;
    const char **opts = NULL, **names = NULL;
    int nopts = 0, nnames = 0;
    PyObject *result = NULL;
    if (str_items(options, "options", &opts, &nopts) < 0 ||
        str_items(exprs, "name_expressions", &names, &nnames) < 0)
        goto done;
    ga_compile_request req = {
        .source = src, .source_name = source_name, .options = opts, .num_options = nopts,
        .name_expressions = names, .num_name_expressions = nnames, .arch = arch,
        .no_cache = no_cache,
    };
    ga_program *program = NULL;
    ga_cache_source found = GA_CACHE_MISS;
    ga_status st;
    Py_BEGIN_ALLOW_THREADS
    st = ga_program_compile_backend("hip", &req, &program);
    if (st == GA_OK)
        found = ga_program_cache_source(program);
    Py_END_ALLOW_THREADS
    if (st != GA_OK)
        pyga_raise(st);
    else
        result = pyga_program_new_from(program, found);
done:
    PyMem_Free(opts);
    PyMem_Free(names);
    return result;
}

static PyObject *text(const char *s)
{
    return PyUnicode_DecodeUTF8(s ? s : "", (Py_ssize_t)strlen(s ? s : ""), "replace");
}

/* The optional runtime entry points and whether this runtime has them. */
static PyObject *optional_symbols(void)
{
    PyObject *d = PyDict_New();
    if (!d)
        return NULL;
#define HIP_REQ(ret, name, params)
#define HIP_OPT(ret, name, params)                                                     \
    if (PyDict_SetItemString(d, #name, ga_hip.name ? Py_True : Py_False) < 0) {        \
        Py_DECREF(d);                                                                  \
        return NULL;                                                                   \
    }
#include "libhip.fn"
#undef HIP_REQ
#undef HIP_OPT
    return d;
}

static PyObject *hip_library_info(PyObject *m, PyObject *unused)
{
    (void)m, (void)unused;
    ga_status rt, rtc;
    Py_BEGIN_ALLOW_THREADS
    rt = ga_hip_load();
    Py_END_ALLOW_THREADS
    PyObject *rt_detail = rt == GA_OK ? Py_NewRef(Py_None) : text(ga_last_error());
    Py_BEGIN_ALLOW_THREADS
    rtc = ga_hiprtc_load();
    Py_END_ALLOW_THREADS
    PyObject *rtc_detail = rtc == GA_OK ? Py_NewRef(Py_None) : text(ga_last_error());
    PyObject *opt = rt == GA_OK ? optional_symbols() : PyDict_New();
    if (!rt_detail || !rtc_detail || !opt) {
        Py_XDECREF(rt_detail);
        Py_XDECREF(rtc_detail);
        Py_XDECREF(opt);
        return NULL;
    }
    int required = 0;
#define HIP_REQ(ret, name, params) required++;
#define HIP_OPT(ret, name, params)
#include "libhip.fn"
#undef HIP_REQ
#undef HIP_OPT
    int rtc_symbols = 0;
#define HIPRTC_REQ(ret, name, params) rtc_symbols++;
#include "libhiprtc.fn"
#undef HIPRTC_REQ
    return Py_BuildValue("{s:N,s:N,s:i,s:i,s:N,s:N,s:N,s:i,s:i,s:N}",
                         "runtime_path", text(ga_hip_path()),
                         "runtime_error", rt_detail,
                         "runtime_version", ga_hip_runtime_version(),
                         "runtime_required_symbols", rt == GA_OK ? required : 0,
                         "runtime_optional_symbols", opt,
                         "hiprtc_path", text(ga_hiprtc_path()),
                         "hiprtc_error", rtc_detail,
                         "hiprtc_rocm_version", ga_hiprtc_rocm_version(),
                         "hiprtc_symbols", rtc == GA_OK ? rtc_symbols : 0,
                         "prelude", text(ga_hip_prelude_text()));
}

static PyObject *kernel_dict(const ga_amdgpu_kernel *k)
{
    PyObject *args = PyList_New(0);
    if (!args)
        return NULL;
    for (int i = 0; i < k->num_args; i++) {
        PyObject *a = Py_BuildValue("{s:K,s:K,s:s}", "offset", (unsigned long long)k->args[i].offset,
                                    "size", (unsigned long long)k->args[i].size, "value_kind",
                                    k->args[i].value_kind);
        if (!a || PyList_Append(args, a) < 0) {
            Py_XDECREF(a);
            Py_DECREF(args);
            return NULL;
        }
        Py_DECREF(a);
    }
    return Py_BuildValue("{s:N,s:N,s:O,s:N,s:L,s:L,s:L,s:L,s:L,s:L,s:L,s:L,s:L,s:L}",
                         "name", text(k->name), "symbol", text(k->symbol),
                         "has_descriptor", k->has_descriptor ? Py_True : Py_False, "args", args,
                         "vgpr_count", (long long)k->vgpr_count,
                         "sgpr_count", (long long)k->sgpr_count,
                         "agpr_count", (long long)k->agpr_count,
                         "vgpr_spill_count", (long long)k->vgpr_spill_count,
                         "sgpr_spill_count", (long long)k->sgpr_spill_count,
                         "group_segment_fixed_size", (long long)k->group_segment_fixed_size,
                         "private_segment_fixed_size", (long long)k->private_segment_fixed_size,
                         "kernarg_segment_size", (long long)k->kernarg_segment_size,
                         "max_flat_workgroup_size", (long long)k->max_flat_workgroup_size,
                         "wavefront_size", (long long)k->wavefront_size);
}

static PyObject *amdgpu_code_object_info(PyObject *m, PyObject *arg)
{
    (void)m;
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    ga_amdgpu_code_object co;
    ga_status st = ga_amdgpu_code_object_read(view.buf, (size_t)view.len, &co);
    PyBuffer_Release(&view);
    if (st != GA_OK) {
        PyErr_SetString(PyExc_ValueError, ga_last_error());
        return NULL;
    }
    PyObject *kernels = PyList_New(0);
    for (int i = 0; kernels && i < co.num_kernels; i++) {
        PyObject *k = kernel_dict(&co.kernels[i]);
        if (!k || PyList_Append(kernels, k) < 0)
            Py_CLEAR(kernels);
        Py_XDECREF(k);
    }
    PyObject *r = kernels ? Py_BuildValue("{s:s,s:N}", "target", co.target, "kernels", kernels)
                          : NULL;
    ga_amdgpu_code_object_clear(&co);
    return r;
}

/* [(offset, size)] of kernel `name`'s parameters as the core lays them out
 * from the source (C ABI), to compare with what the compiler wrote. */
static PyObject *kernel_param_layout(PyObject *m, PyObject *args)
{
    (void)m;
    const char *source, *name;
    if (!PyArg_ParseTuple(args, "ss:kernel_param_layout", &source, &name))
        return NULL;
    ga_param *params = NULL;
    int count = 0;
    ga_status st = ga_parse_kernel_params(source, name, &params, &count);
    if (st != GA_OK)
        return pyga_raise(st);
    PyObject *list = PyList_New(count);
    for (int i = 0; list && i < count; i++) {
        PyObject *t = Py_BuildValue("(nn)", (Py_ssize_t)params[i].offset, (Py_ssize_t)params[i].size);
        if (!t)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, i, t);
    }
    free(params);
    return list;
}

static PyObject *hip_device_arch(PyObject *m, PyObject *arg)
{
    (void)m;
    int ordinal = (int)PyLong_AsLong(arg);
    if (ordinal == -1 && PyErr_Occurred())
        return NULL;
    char name[GA_HIP_GCN_ARCH_NAME_SIZE];
    ga_status st;
    Py_BEGIN_ALLOW_THREADS
    st = ga_hip_device_arch_name(ordinal, name, sizeof name);
    Py_END_ALLOW_THREADS
    if (st != GA_OK)
        return pyga_raise(st);
    return text(name);
}

static PyMethodDef hip_methods[] = {
    {"hip_device_arch", hip_device_arch, METH_O,
     "hip_device_arch(ordinal) -> the AMD device's gcnArchName, e.g. 'gfx90a:sramecc+:xnack-'."},
    {"kernel_param_layout", kernel_param_layout, METH_VARARGS,
     "kernel_param_layout(source, name) -> [(offset, size)] of the kernel's parameters as "
     "gpuarray lays them out from the source."},
    {"hip_compile", (PyCFunction)(void (*)(void))hip_compile, METH_VARARGS | METH_KEYWORDS,
     "hip_compile(source, options=None, name_expressions=None, arch=0, source_name=None, "
     "no_cache=False) -> Program\n\nCompile through the hip backend's compiler (hiprtc) "
     "with no device; arch is the gfx number read as hex (gfx90a = 0x90a)."},
    {"hip_library_info", hip_library_info, METH_NOARGS,
     "hip_library_info() -> dict: the HIP runtime's and hiprtc's paths, versions, symbols, "
     "and why either could not be loaded."},
    {"amdgpu_code_object_info", amdgpu_code_object_info, METH_O,
     "amdgpu_code_object_info(image) -> dict: target and each kernel's metadata (.args, "
     "registers, LDS, spills) from an AMD GPU code object."},
    {NULL, NULL, 0, NULL}
};

int pyga_init_hip(PyObject *m)
{
    return PyModule_AddFunctions(m, hip_methods);
}
