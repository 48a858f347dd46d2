/* module.c - loaded modules, their kernels, what each kernel's parameters
 * are, and launches. */
#include "ga_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ga_status module_new(ga_device *device, ga_module **out)
{
    if (!out)
        return ga_error(GA_ERROR_INVALID_VALUE, "module output pointer is NULL");
    if (!device) {
        ga_status st = ga_device_get(0, &device);
        if (st != GA_OK)
            return st;
    }
    ga_status st = ga_device_enter(device);
    if (st != GA_OK)
        return st;
    ga_module *m = calloc(1, sizeof *m);
    if (!m)
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory");
    m->device = device;
    atomic_init(&m->refcount, 1);
    pthread_mutex_init(&m->lock, NULL);
    *out = m;
    return GA_OK;
}

static void module_discard(ga_module *m)
{
    pthread_mutex_destroy(&m->lock);
    free(m->ptx_text);
    free(m);
}

/* Guards every program's `loaded` slots. Loads are rare; one lock is plenty. */
static pthread_mutex_t loaded_lock = PTHREAD_MUTEX_INITIALIZER;

ga_status ga_module_load_program(ga_device *device, ga_program *program, ga_module **module)
{
    if (!program || !module)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_module_load_program: NULL argument");
    if (!device) {
        ga_status st = ga_device_get(0, &device);
        if (st != GA_OK)
            return st;
    }
    /* The same program (a compile-cache hit returns the same object) on the
     * same device shares one loaded module: a kernel built again from the
     * same source costs a lookup, not a module load. */
    int slot = device->ordinal < GA_PROGRAM_MAX_DEVICES ? device->ordinal : -1;
    pthread_mutex_lock(&loaded_lock);
    if (slot >= 0 && program->loaded[slot]) {
        ga_module *shared = program->loaded[slot];
        atomic_fetch_add(&shared->refcount, 1);
        pthread_mutex_unlock(&loaded_lock);
        *module = shared;
        return GA_OK;
    }
    ga_module *m;
    ga_status st = module_new(device, &m);
    if (st == GA_OK) {
        size_t size = 0;
        ga_image_kind kind = GA_IMAGE_NONE;
        const void *image = ga_program_image(program, &size, &kind);
        st = ga_backend->module_load(m->device, kind, image, size, &m->native);
        if (st != GA_OK) {
            module_discard(m);
        } else {
            ga_program_retain(program);
            m->program = program;
            if (slot >= 0)
                program->loaded[slot] = m;
            *module = m;
        }
    }
    pthread_mutex_unlock(&loaded_lock);
    return st;
}

ga_status ga_module_load_data(ga_device *device, ga_image_kind kind, const void *image, size_t size,
                              ga_module **module)
{
    if (!image)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_module_load_data: image is NULL");
    if (kind != GA_IMAGE_PTX && kind != GA_IMAGE_CUBIN && kind != GA_IMAGE_FATBIN &&
        kind != GA_IMAGE_AMDGPU)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_module_load_data: unknown image kind %d", (int)kind);
    if (kind != GA_IMAGE_PTX && size == 0)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_module_load_data: a binary image needs its size");
    ga_module *m;
    ga_status st = module_new(device, &m);
    if (st != GA_OK)
        return st;
    const void *load = image;
    if (kind == GA_IMAGE_PTX) {
        /* Keep a NUL-terminated copy: the driver needs one, and the
         * parameter types of PTX kernels are read from it later. */
        size_t len = size ? strnlen(image, size) : strlen(image);
        m->ptx_text = malloc(len + 1);
        if (!m->ptx_text) {
            module_discard(m);
            return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory");
        }
        memcpy(m->ptx_text, image, len);
        m->ptx_text[len] = '\0';
        load = m->ptx_text;
        size = len + 1;
    }
    st = ga_backend->module_load(m->device, kind, load, size, &m->native);
    if (st != GA_OK) {
        module_discard(m);
        return st;
    }
    *module = m;
    return GA_OK;
}

static ga_image_kind image_kind_of(const unsigned char *data, size_t size)
{
    /* An ELF is an AMD code object when its e_machine is EM_AMDGPU (224). */
    if (size >= 20 && memcmp(data, "\x7f" "ELF", 4) == 0 && data[18] == 224 && data[19] == 0)
        return GA_IMAGE_AMDGPU;
    if (size >= 4 && memcmp(data, "\x7f" "ELF", 4) == 0)
        return GA_IMAGE_CUBIN;
    if (size >= 4 && data[0] == 0x50 && data[1] == 0xed && data[2] == 0x55 && data[3] == 0xba)
        return GA_IMAGE_FATBIN;
    return GA_IMAGE_PTX;
}

ga_status ga_module_load_file(ga_device *device, const char *path, ga_module **module)
{
    if (!path)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_module_load_file: path is NULL");
    FILE *f = fopen(path, "rb");
    if (!f)
        return ga_error(GA_ERROR_IO, "cannot open '%s': %s", path, strerror(errno));
    unsigned char *data = NULL;
    size_t size = 0, cap = 0;
    ga_status st = GA_OK;
    for (;;) {
        if (size + 65536 + 1 > cap) {
            size_t ncap = cap ? cap * 2 : 131072;
            unsigned char *grown = realloc(data, ncap);
            if (!grown) {
                st = ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory reading '%s'", path);
                break;
            }
            data = grown;
            cap = ncap;
        }
        size_t n = fread(data + size, 1, 65536, f);
        size += n;
        if (n < 65536) {
            if (ferror(f))
                st = ga_error(GA_ERROR_IO, "cannot read '%s'", path);
            break;
        }
    }
    fclose(f);
    if (st == GA_OK) {
        data[size] = '\0';
        ga_image_kind kind = image_kind_of(data, size);
        st = ga_module_load_data(device, kind, data, kind == GA_IMAGE_PTX ? size + 1 : size, module);
    }
    free(data);
    return st;
}

ga_status ga_module_unload(ga_module *module)
{
    if (!module)
        return GA_OK;
    if (module->program) {
        pthread_mutex_lock(&loaded_lock);
        int last = atomic_fetch_sub(&module->refcount, 1) == 1;
        if (last) {
            ga_program *prog = module->program;
            for (int i = 0; i < GA_PROGRAM_MAX_DEVICES; i++)
                if (prog->loaded[i] == module)
                    prog->loaded[i] = NULL;
        }
        pthread_mutex_unlock(&loaded_lock);
        if (!last)
            return GA_OK;
    }
    ga_status st = ga_device_enter(module->device);
    if (st == GA_OK)
        st = ga_backend->module_unload(module->device, module->native);
    for (ga_function *f = module->functions, *next; f; f = next) {
        next = f->next;
        free(f->name);
        free(f->params);
        free(f);
    }
    if (module->program)
        ga_program_release(module->program);
    module_discard(module);
    return st;
}

ga_device *ga_module_device(const ga_module *module) { return module ? module->device : NULL; }

/* The symbol to ask the driver for: a name expression given at compile
 * time maps to its lowered (mangled) name; anything else is used as is. */
static const char *module_symbol(const ga_module *m, const char *name)
{
    if (m->program) {
        const char *lowered = ga_program_lowered_name(m->program, name);
        if (lowered)
            return lowered;
    }
    return name;
}

ga_status ga_module_get_function(ga_module *module, const char *name, ga_function **function)
{
    if (!module || !name || !function)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_module_get_function: NULL argument");
    pthread_mutex_lock(&module->lock);
    ga_function *f = module->functions;
    while (f && strcmp(f->name, name) != 0)
        f = f->next;
    ga_status st = GA_OK;
    if (!f) {
        void *native = NULL;
        st = ga_device_enter(module->device);
        if (st == GA_OK)
            st = ga_backend->module_get_function(module->device, module->native,
                                                 module_symbol(module, name), &native);
        if (st == GA_ERROR_NOT_FOUND)
            st = ga_error(GA_ERROR_NOT_FOUND, "no kernel named '%s' in the module%s", name,
                          strchr(name, '<') ? " (template kernels need it among name_expressions)"
                                            : "");
        if (st == GA_OK) {
            f = calloc(1, sizeof *f);
            char *copy = strdup(name);
            if (!f || !copy) {
                free(f);
                free(copy);
                f = NULL;
                st = ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory");
            } else {
                f->module = module;
                f->native = native;
                f->name = copy;
                f->next = module->functions;
                module->functions = f;
            }
        }
    }
    pthread_mutex_unlock(&module->lock);
    if (st == GA_OK)
        *function = f;
    return st;
}

ga_status ga_module_get_global(ga_module *module, const char *name, ga_devptr *ptr, size_t *size)
{
    if (!module || !name || !ptr)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_module_get_global: NULL argument");
    size_t dummy;
    ga_status st = ga_device_enter(module->device);
    if (st != GA_OK)
        return st;
    st = ga_backend->module_get_global(module->device, module->native, module_symbol(module, name), ptr,
                                       size ? size : &dummy);
    if (st == GA_ERROR_NOT_FOUND)
        st = ga_error(GA_ERROR_NOT_FOUND, "no global named '%s' in the module", name);
    return st;
}

ga_status ga_function_attribute(ga_function *function, int attribute, int *value)
{
    if (!function || !value)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_function_attribute: NULL argument");
    ga_device *dev = function->module->device;
    ga_status st = ga_device_enter(dev);
    if (st != GA_OK)
        return st;
    return ga_backend->function_attribute(dev, function->native, attribute, value);
}

ga_status ga_function_set_attribute(ga_function *function, int attribute, int value)
{
    if (!function)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_function_set_attribute: function is NULL");
    ga_device *dev = function->module->device;
    ga_status st = ga_device_enter(dev);
    if (st != GA_OK)
        return st;
    return ga_backend->function_set_attribute(dev, function->native, attribute, value);
}

const char *ga_function_name(const ga_function *function) { return function ? function->name : NULL; }
ga_module *ga_function_module(const ga_function *function) { return function ? function->module : NULL; }

/* Ask the driver how many parameters there are and where each sits. -1 in
 * *count when the driver cannot tell (older than CUDA 12.4). With `known`
 * >= 0 (the source or PTX told the count) only parameters 0..known-1 are
 * asked for: the driver answers one past the last with an error, and a
 * call that is expected to fail is noise under compute-sanitizer (one
 * report per kernel) for an answer we have. A driver that knows fewer
 * still shows as a shorter layout. */
static ga_status params_from_driver(ga_function *f, int known, ga_param **out, int *count)
{
    ga_device *dev = f->module->device;
    int cap = 0, n = 0;
    ga_param *ps = NULL;
    *count = -1;
    *out = NULL;
    for (;;) {
        size_t off = 0, size = 0;
        if (known >= 0 && n == known)
            break;
        ga_status st = ga_backend->function_param_layout(dev, f->native, n, &off, &size);
        if (st == GA_ERROR_UNSUPPORTED) {
            free(ps);
            return GA_OK;
        }
        if (st == GA_ERROR_NOT_FOUND)
            break;
        if (st != GA_OK) {
            free(ps);
            return st;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            ga_param *grown = realloc(ps, (size_t)cap * sizeof *ps);
            if (!grown) {
                free(ps);
                return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory");
            }
            ps = grown;
        }
        memset(&ps[n], 0, sizeof ps[n]);
        ps[n].kind = GA_PARAM_VALUE;
        ps[n].dtype = GA_DTYPE_UNKNOWN;
        ps[n].offset = off;
        ps[n].size = size;
        n++;
    }
    *out = ps;
    *count = n;
    return GA_OK;
}

/* Work out the declared parameters once: types from the source (or PTX),
 * offsets and sizes from the driver where it can tell (it is the authority
 * on layout), checked against each other. */
static ga_status function_learn_params(ga_function *f)
{
    ga_module *m = f->module;
    ga_param *parsed = NULL, *layout = NULL;
    int nparsed = -1, nlayout = -1;
    ga_status st;

    const char *source = m->program ? ga_program_source(m->program) : NULL;
    if (source) {
        if (ga_parse_kernel_params(source, f->name, &parsed, &nparsed) != GA_OK) {
            parsed = NULL;
            nparsed = -1;
        }
    } else {
        const char *ptx = m->ptx_text;
        if (!ptx && m->program)
            ptx = ga_program_ptx(m->program, NULL);
        if (ptx && ga_parse_ptx_params(ptx, module_symbol(m, f->name), &parsed, &nparsed) != GA_OK) {
            parsed = NULL;
            nparsed = -1;
        }
    }
    st = params_from_driver(f, nparsed, &layout, &nlayout);
    if (st != GA_OK) {
        free(parsed);
        return st;
    }

    if (nparsed >= 0 && nlayout >= 0 && nparsed == nlayout) {
        /* Both agree on the count: types from the parse, layout from the
         * driver; a size mismatch means the parse misread a type. */
        for (int i = 0; i < nparsed; i++) {
            if (parsed[i].size != layout[i].size) {
                parsed[i].kind = GA_PARAM_VALUE;
                parsed[i].dtype = GA_DTYPE_UNKNOWN;
            }
            parsed[i].offset = layout[i].offset;
            parsed[i].size = layout[i].size;
        }
        free(layout);
        f->params = parsed;
        f->num_params = nparsed;
        f->params_known = 1;
    } else if (nlayout >= 0) {
        /* Only the driver's view (cubin, or a parse that disagrees): the
         * count and sizes are still checked, the types are not. */
        free(parsed);
        f->params = layout;
        f->num_params = nlayout;
        f->params_known = 1;
    } else if (nparsed >= 0) {
        /* Both parsers already laid the parameters out (C ABI / PTX rules). */
        f->params = parsed;
        f->num_params = nparsed;
        f->params_known = 1;
    } else {
        f->params = NULL;
        f->num_params = 0;
        f->params_known = 0;
    }
    return GA_OK;
}

ga_status ga_function_params(ga_function *function, const ga_param **params, int *count, int *known)
{
    if (!function || !params || !count)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_function_params: NULL argument");
    ga_status st = GA_OK;
    pthread_mutex_lock(&function->module->lock);
    if (!function->params_ready) {
        st = ga_device_enter(function->module->device);
        if (st == GA_OK)
            st = function_learn_params(function);
        if (st == GA_OK)
            function->params_ready = 1;
    }
    pthread_mutex_unlock(&function->module->lock);
    if (st != GA_OK)
        return st;
    *params = function->params;
    *count = function->num_params;
    if (known)
        *known = function->params_known;
    return GA_OK;
}

ga_status ga_launch(ga_function *function, const unsigned grid[3], const unsigned block[3],
                    size_t shared_mem, ga_stream *stream, void **args)
{
    if (!function || !grid || !block)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_launch: NULL argument");
    ga_device *dev = function->module->device;
    if (stream && stream->device != dev)
        return ga_error(GA_ERROR_INVALID_VALUE,
                        "ga_launch: kernel '%s' of device %d launched on a stream of device %d",
                        function->name, dev->ordinal, stream->device->ordinal);
    static const char axis[3] = {'x', 'y', 'z'};
    unsigned long long threads = 1;
    for (int i = 0; i < 3; i++) {
        if (grid[i] == 0 || grid[i] > (unsigned)dev->max_grid[i])
            return ga_error(GA_ERROR_LAUNCH, "ga_launch: grid.%c = %u is outside 1..%d", axis[i],
                            grid[i], dev->max_grid[i]);
        if (block[i] == 0 || block[i] > (unsigned)dev->max_block[i])
            return ga_error(GA_ERROR_LAUNCH, "ga_launch: block.%c = %u is outside 1..%d", axis[i],
                            block[i], dev->max_block[i]);
        threads *= block[i];
    }
    if (threads > (unsigned long long)dev->max_threads_per_block)
        return ga_error(GA_ERROR_LAUNCH, "ga_launch: a block of %llu threads exceeds the device's %d",
                        threads, dev->max_threads_per_block);
    if (shared_mem > (size_t)dev->max_shared_per_block_optin)
        return ga_error(GA_ERROR_LAUNCH,
                        "ga_launch: %zu bytes of dynamic shared memory exceed the device's %d",
                        shared_mem, dev->max_shared_per_block_optin);
    return ga_backend->launch(dev, function->native, grid, block, shared_mem,
                              stream ? stream->native : NULL, args);
}
