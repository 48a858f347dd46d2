/* program.c - ga_program: compile through the backend's compiler, behind the kernel cache. */
#include "kernel_cache.h"

#include <stdlib.h>
#include <string.h>

void ga_compiled_output_clear(ga_compiled_output *out)
{
    if (!out)
        return;
    free(out->image);
    free(out->ptx);
    free(out->log);
    for (int i = 0; i < out->num_lowered_names; i++)
        free(out->lowered_names[i]);
    free(out->lowered_names);
    memset(out, 0, sizeof *out);
}

ga_status ga_compiled_output_set_lowered_names(ga_compiled_output *out,
                                               const ga_compile_request *req, const char *name,
                                               ga_lowered_name_fn lookup, void *program)
{
    if (req->num_name_expressions <= 0)
        return GA_OK;
    out->lowered_names = calloc((size_t)req->num_name_expressions, sizeof(char *));
    if (!out->lowered_names)
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "compile: out of host memory");
    out->num_lowered_names = req->num_name_expressions;
    for (int i = 0; i < req->num_name_expressions; i++) {
        const char *why = "";
        const char *lowered = lookup(program, req->name_expressions[i], &why);
        if (!lowered)
            return ga_error(GA_ERROR_COMPILE, "%s: no lowered name for name expression '%s': %s",
                            name, req->name_expressions[i], why);
        if (!(out->lowered_names[i] = strdup(lowered)))
            return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "compile: out of host memory");
    }
    return GA_OK;
}

static void program_free(ga_program *prog)
{
    ga_compiled_output_clear(&prog->out);
    free(prog->source);
    if (prog->name_expressions) {
        for (int i = 0; prog->name_expressions[i]; i++)
            free(prog->name_expressions[i]);
        free(prog->name_expressions);
    }
    free(prog);
}

/* A program that takes over *out (left empty), with copies of what the
 * request said that the program must answer for later. */
static ga_status program_new(const ga_compile_request *req, int arch, ga_cache_source from,
                             ga_compiled_output *out, ga_program **result)
{
    ga_program *prog = calloc(1, sizeof *prog);
    if (!prog)
        goto oom;
    atomic_init(&prog->refcount, 1);
    prog->arch = arch;
    prog->cache_source = from;
    if (!(prog->source = strdup(req->source)))
        goto oom;
    if (req->num_name_expressions > 0) {
        /* NULL-terminated as well as counted, so program_free needs no
         * count when a copy fails half way. */
        prog->name_expressions = calloc((size_t)req->num_name_expressions + 1, sizeof(char *));
        if (!prog->name_expressions)
            goto oom;
        for (int i = 0; i < req->num_name_expressions; i++)
            if (!(prog->name_expressions[i] = strdup(req->name_expressions[i])))
                goto oom;
    }
    prog->out = *out;
    memset(out, 0, sizeof *out);
    *result = prog;
    return GA_OK;

oom:
    if (prog)
        program_free(prog);
    return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory for a compiled program");
}

static ga_status check_request(const ga_compile_request *req)
{
    if (!req->source)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_program_compile: source is NULL");
    if (req->num_options < 0 || (req->num_options > 0 && !req->options))
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_program_compile: bad options array");
    if (req->num_name_expressions < 0 || (req->num_name_expressions > 0 && !req->name_expressions))
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_program_compile: bad name_expressions array");
    for (int i = 0; i < req->num_options; i++)
        if (!req->options[i])
            return ga_error(GA_ERROR_INVALID_VALUE, "ga_program_compile: option %d is NULL", i);
    for (int i = 0; i < req->num_name_expressions; i++)
        if (!req->name_expressions[i] || !req->name_expressions[i][0])
            return ga_error(GA_ERROR_INVALID_VALUE,
                            "ga_program_compile: name expression %d is NULL or empty", i);
    if (req->arch < 0)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_program_compile: arch %d", req->arch);
    return GA_OK;
}

/* Lookup order: memory, disk, compiler. Whatever the compiler makes goes
 * to both caches; a disk hit is remembered in memory. */
static ga_status compile_with(const ga_backend_ops *ops, ga_device *device,
                              const ga_compile_request *req, ga_program **program);

ga_status ga_program_compile(ga_device *device, const ga_compile_request *req, ga_program **program)
{
    return compile_with(ga_compiler_ops(), device, req, program);
}

ga_status ga_program_compile_backend(const char *backend, const ga_compile_request *req,
                                     ga_program **program)
{
    static const ga_backend_ops *const known[] = { &ga_cuda_backend, &ga_hip_backend,
                                                   &ga_host_backend };
    if (!backend)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_program_compile_backend: backend is NULL");
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(known[i]->name, backend) == 0)
            return compile_with(known[i], NULL, req, program);
    return ga_error(GA_ERROR_INVALID_VALUE, "ga_program_compile_backend: no backend '%s' "
                    "(cuda, hip or host)", backend);
}

static ga_status compile_with(const ga_backend_ops *ops, ga_device *device,
                              const ga_compile_request *req, ga_program **program)
{
    ga_status st;
    ga_cache_key key;
    ga_compiled_output out;
    ga_program *prog = NULL;
    int arch = 0, is_real = 0;

    memset(&key, 0, sizeof key);
    memset(&out, 0, sizeof out);
    if (!program || !req)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_program_compile: NULL argument");
    *program = NULL;
    if ((st = check_request(req)) != GA_OK)
        return st;

    if ((st = ops->compiler_load()) != GA_OK)
        return st;
    int want = req->arch ? req->arch
             : !device ? 0
             : ops->device_compile_arch ? ops->device_compile_arch(device)
             : device->cc_major * 10 + device->cc_minor;
    int confirmed = 0;
again:
    if ((st = ops->compiler_target(want, &arch, &is_real)) != GA_OK)
        return st;

    if (!req->no_cache) {
        if ((st = ga_cache_key_make(ops->name,
                                     ops->compiler_fingerprint ? ops->compiler_fingerprint() : NULL,
                                     ops->compiler_version(), arch, is_real, req,
                                    &key)) != GA_OK)
            return st;
        if ((prog = ga_cache_memory_get(&key))) {
            /* The program is shared with earlier callers, so this says how
             * the latest ga_program_compile got it. */
            __atomic_store_n(&prog->cache_source, GA_CACHE_MEMORY, __ATOMIC_RELAXED);
            goto done;
        }
        if (ga_cache_disk_get(&key, req->num_name_expressions, &out)) {
            if ((st = program_new(req, arch, GA_CACHE_DISK, &out, &prog)) != GA_OK)
                goto done;
            ga_cache_memory_put(&key, prog);
            goto done;
        }
    }

    /* A compile needs the compiler itself: a backend that answered from a
     * record so far (NVRTC's identity) checks it now, and when the answers
     * change the target and the key are made again. */
    if (ops->compiler_confirm && !confirmed) {
        int changed = 0;
        confirmed = 1;
        if ((st = ops->compiler_confirm(&changed)) != GA_OK)
            goto done;
        if (changed) {
            ga_cache_key_free(&key);
            memset(&key, 0, sizeof key);
            goto again;
        }
    }
    if ((st = ops->compile(req, arch, is_real, &out)) != GA_OK)
        goto done;
    if (!req->no_cache)
        ga_cache_disk_put(&key, &out);
    if ((st = program_new(req, arch, GA_CACHE_MISS, &out, &prog)) != GA_OK)
        goto done;
    if (!req->no_cache)
        ga_cache_memory_put(&key, prog);

done:
    ga_compiled_output_clear(&out);
    ga_cache_key_free(&key);
    if (st == GA_OK)
        *program = prog;
    return st;
}

void ga_program_retain(ga_program *program)
{
    if (program)
        atomic_fetch_add_explicit(&program->refcount, 1, memory_order_relaxed);
}

void ga_program_release(ga_program *program)
{
    /* acq_rel: the freeing thread must see every other holder's writes. */
    if (program && atomic_fetch_sub_explicit(&program->refcount, 1, memory_order_acq_rel) == 1)
        program_free(program);
}

const void *ga_program_image(const ga_program *program, size_t *size, ga_image_kind *kind)
{
    if (size)
        *size = program ? program->out.image_size : 0;
    if (kind)
        *kind = program ? program->out.kind : GA_IMAGE_NONE;
    return program ? program->out.image : NULL;
}

/* The PTX NVRTC produced alongside the image (NVRTC gives it for real
 * architectures too), or NULL when it had none. *size counts the
 * terminating NUL, as the image size of a PTX image does. */
const char *ga_program_ptx(const ga_program *program, size_t *size)
{
    if (size)
        *size = program && program->out.ptx ? program->out.ptx_size : 0;
    return program ? program->out.ptx : NULL;
}

const char *ga_program_log(const ga_program *program)
{
    return program && program->out.log ? program->out.log : "";
}

const char *ga_program_lowered_name(const ga_program *program, const char *name_expression)
{
    if (!program || !name_expression || !program->name_expressions)
        return NULL;
    for (int i = 0; i < program->out.num_lowered_names; i++)
        if (program->name_expressions[i] && strcmp(program->name_expressions[i], name_expression) == 0)
            return program->out.lowered_names[i];
    return NULL;
}

ga_cache_source ga_program_cache_source(const ga_program *program)
{
    return program ? __atomic_load_n(&program->cache_source, __ATOMIC_RELAXED) : GA_CACHE_MISS;
}

int ga_program_arch(const ga_program *program)
{
    return program ? program->arch : 0;
}

const char *ga_program_source(const ga_program *program)
{
    return program ? program->source : NULL;
}
