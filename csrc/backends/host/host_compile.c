/* host_compile.c - the host backend's compiler: CUDA C rewritten by the host
 * kernel runtime, compiled by the system C++ compiler into a shared object
 * whose bytes are the program's image (GA_IMAGE_HOST_SO), so the core's
 * memory and disk caches keep it like a cubin. Also finds and loads the
 * runtime library (libgpuarray_hostrt.so) that modules link against.
 *
 * NVRTC options are translated by the runtime (gahost_compile_argv): -D,
 * -U, -I, -std= and -O pass, --fmad=false turns contraction off, and the
 * rest (-arch, -lineinfo, --use_fast_math, ...) is dropped without error:
 * they describe GPU code generation, which has no host counterpart, and a
 * program that runs on CUDA must compile here unchanged. */
#define _GNU_SOURCE
#include "host_backend.h"

#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* ----------------------------------------------------------------- runtime */

static pthread_once_t runtime_once = PTHREAD_ONCE_INIT;
static const gahost_api *runtime_api;
static char runtime_path[4096];
static char runtime_detail[4096];

/* The directory of the object this code is in (_core*.so, or
 * libgpuarray.so for C programs). */
static int self_dir(char *dir, size_t len)
{
    Dl_info info;
    if (!dladdr((void *)&self_dir, &info) || !info.dli_fname || !info.dli_fname[0])
        return 0;
    char *real = realpath(info.dli_fname, NULL);
    const char *path = real ? real : info.dli_fname;
    const char *slash = strrchr(path, '/');
    int ok = slash != NULL && (size_t)(slash - path) < len;
    if (ok)
        snprintf(dir, len, "%.*s", (int)(slash - path), path);
    free(real);
    return ok;
}

static void runtime_load(void)
{
    char dir[4096], cands[4][4096 + 64];
    int n = 0;
    const char *env = getenv("GPUARRAY_HOST_RUNTIME");
    if (env && *env)
        snprintf(cands[n++], sizeof cands[0], "%s", env);
    if (self_dir(dir, sizeof dir)) {
        /* Installed: next to the extension. In place (make build): the
         * build directory beside the package, or the one we are in. */
        snprintf(cands[n++], sizeof cands[0], "%s/%s", dir, GAHOST_RUNTIME_SONAME);
        const char *leaf = strrchr(dir, '/');
        if (!leaf || strcmp(leaf, "/build") != 0)
            snprintf(cands[n++], sizeof cands[0], "%s/../build/%s", dir, GAHOST_RUNTIME_SONAME);
    }
    snprintf(cands[n++], sizeof cands[0], "%s", GAHOST_RUNTIME_SONAME);

    size_t used = (size_t)snprintf(runtime_detail, sizeof runtime_detail,
                                   "the host kernel runtime %s could not be loaded; tried:",
                                   GAHOST_RUNTIME_SONAME);
    for (int i = 0; i < n; i++) {
        void *h = dlopen(cands[i], RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            const char *why = dlerror();
            if (used < sizeof runtime_detail)
                used += (size_t)snprintf(runtime_detail + used, sizeof runtime_detail - used,
                                         "\n  %s: %s", cands[i], why ? why : "not loadable");
            continue;
        }
        const gahost_api *(*get)(unsigned) = (const gahost_api *(*)(unsigned))dlsym(h, "gahost_get_api");
        const gahost_api *api = get ? get(GAHOST_ABI_VERSION) : NULL;
        if (!api) {
            if (used < sizeof runtime_detail)
                used += (size_t)snprintf(runtime_detail + used, sizeof runtime_detail - used,
                                         "\n  %s: %s", cands[i],
                                         get ? "built for another runtime ABI than this gpuarray"
                                             : "has no gahost_get_api");
            dlclose(h);
            continue;
        }
        struct link_map *lm = NULL;
        if (dlinfo(h, RTLD_DI_LINKMAP, &lm) == 0 && lm && lm->l_name && lm->l_name[0])
            snprintf(runtime_path, sizeof runtime_path, "%s", lm->l_name);
        else
            snprintf(runtime_path, sizeof runtime_path, "%.4000s", cands[i]);
        runtime_api = api;
        runtime_detail[0] = '\0';
        return;   /* kept loaded for the life of the process */
    }
    if (used < sizeof runtime_detail)
        snprintf(runtime_detail + used, sizeof runtime_detail - used,
                 "\n(set GPUARRAY_HOST_RUNTIME to its path)");
}

const gahost_api *host_runtime(void)
{
    pthread_once(&runtime_once, runtime_load);
    if (!runtime_api)
        ga_error(GA_ERROR_NO_COMPILER, "%s", runtime_detail);
    return runtime_api;
}

const char *host_runtime_path(void)
{
    pthread_once(&runtime_once, runtime_load);
    return runtime_api ? runtime_path : NULL;
}

/* ------------------------------------------------------ running programs */

/* Run argv (no shell) with environment envp, its stdout and stderr
 * captured together into *out (malloc'd, NUL-terminated). Returns the exit
 * status, or -1 when it could not be run (*out then says why), -2 when the
 * process ran out of file descriptors or processes (an OSError, not a
 * missing compiler). */
static int run_capture(char *const argv[], char *const envp[], char **out)
{
    int fds[2];
    *out = NULL;
    if (pipe2(fds, O_CLOEXEC) != 0) {
        int e = errno;
        if (asprintf(out, "pipe: %s", strerror(e)) < 0)
            *out = NULL;
        return e == EMFILE || e == ENFILE ? -2 : -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
    pid_t pid;
    int r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (r != 0) {
        close(fds[0]);
        if (asprintf(out, "cannot run %s: %s", argv[0], strerror(r)) < 0)
            *out = NULL;
        return r == EMFILE || r == ENFILE || r == EAGAIN || r == ENOMEM ? -2 : -1;
    }
    size_t len = 0, cap = 4096;
    char *buf = malloc(cap);
    for (;;) {
        if (buf && len + 1024 > cap) {
            char *grown = realloc(buf, cap * 2);
            if (!grown) {
                free(buf);
                buf = NULL;
            } else {
                buf = grown;
                cap *= 2;
            }
        }
        char sink[1024];
        ssize_t k = read(fds[0], buf ? buf + len : sink, buf ? cap - len - 1 : sizeof sink);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        if (buf)
            len += (size_t)k;
    }
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (buf)
        buf[len] = '\0';
    *out = buf;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* ---------------------------------------------------------------- compiler */

static pthread_once_t compiler_once = PTHREAD_ONCE_INIT;
static ga_status compiler_status = GA_ERROR_NO_COMPILER;
static char compiler_detail[8192];
static char cxx_path[4096];
static char cxx_version_text[64];
static int cxx_version;             /* major*1000 + minor*10 */
static char fingerprint[65];       /* runtime ABI, prelude, argv, compiler: hex SHA-256 */

/* The full path of `name` (searched in PATH unless it has a '/'). */
static int find_program(const char *name, char *out, size_t len)
{
    if (strchr(name, '/')) {
        if (access(name, X_OK) != 0)
            return 0;
        snprintf(out, len, "%s", name);
        return 1;
    }
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        const char *colon = strchr(path, ':');
        size_t n = colon ? (size_t)(colon - path) : strlen(path);
        char cand[4096];
        if (n > 0 && (size_t)snprintf(cand, sizeof cand, "%.*s/%s", (int)n, path, name) < sizeof cand &&
            access(cand, X_OK) == 0) {
            struct stat sb;
            if (stat(cand, &sb) == 0 && S_ISREG(sb.st_mode)) {
                snprintf(out, len, "%s", cand);
                return 1;
            }
        }
        path += n + (colon ? 1 : 0);
    }
    return 0;
}

static void fingerprint_compute(const gahost_api *api)
{
    /* Everything besides the request that decides what comes out: the
     * runtime's ABI, the prelude's text, the compiler and its version, and
     * the command line (without file names, which are the same dummies
     * here, and the user's options, which the cache key has). */
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        return;
    len += (size_t)snprintf(buf, cap, "abi %d\ncompiler %s %s\n", GAHOST_ABI_VERSION, cxx_path,
                            cxx_version_text);
    char *err = NULL;
    char **argv = api->compile_argv(cxx_path, "SRC", "OUT", NULL, 0, &err);
    for (int i = 0; argv && argv[i]; i++) {
        size_t k = strlen(argv[i]);
        if (len + k + 2 > cap)
            break;
        memcpy(buf + len, argv[i], k);
        len += k;
        buf[len++] = '\n';
    }
    if (argv)
        api->argv_free(argv);
    free(err);
    unsigned char digest[32];
    const char *prelude = api->prelude_path();
    FILE *f = prelude ? fopen(prelude, "rb") : NULL;
    if (f) {
        for (;;) {
            if (len == cap) {
                char *grown = realloc(buf, cap * 2);
                if (!grown)
                    break;
                buf = grown;
                cap *= 2;
            }
            size_t k = fread(buf + len, 1, cap - len, f);
            len += k;
            if (k == 0)
                break;
        }
        fclose(f);
    }
    ga_sha256(buf, len, digest);
    free(buf);
    for (int i = 0; i < 32; i++)
        snprintf(fingerprint + 2 * i, 3, "%02x", digest[i]);
}

static void compiler_find(void)
{
    const char *wanted[3];
    int n = 0;
    const char *env = getenv("GPUARRAY_HOST_CXX");
    const char *which = "GPUARRAY_HOST_CXX";
    if (!env || !*env) {
        env = getenv("CXX");
        which = "CXX";
    }
    if (env && *env) {
        wanted[n++] = env;    /* an explicit choice: only it */
    } else {
        wanted[n++] = "g++";
        wanted[n++] = "c++";
        which = NULL;
    }
    int found = 0;
    for (int i = 0; i < n && !found; i++)
        found = find_program(wanted[i], cxx_path, sizeof cxx_path);
    if (!found) {
        if (which)
            snprintf(compiler_detail, sizeof compiler_detail,
                     "the host backend's C++ compiler '%s' (from $%s) was not found", env, which);
        else
            snprintf(compiler_detail, sizeof compiler_detail,
                     "the host backend needs a C++ compiler to compile kernels: neither g++ nor "
                     "c++ was found in PATH (install g++, or set CXX or GPUARRAY_HOST_CXX)");
        return;
    }

    char *argv[] = {cxx_path, "-dumpfullversion", "-dumpversion", NULL};
    char *text = NULL;
    int rc = run_capture(argv, environ, &text);
    int major = 0, minor = 0;
    if (rc != 0 || !text || sscanf(text, "%d.%d", &major, &minor) < 1) {
        snprintf(compiler_detail, sizeof compiler_detail, "%s did not report its version: %s",
                 cxx_path, text ? text : "no output");
        free(text);
        return;
    }
    text[strcspn(text, "\r\n")] = '\0';
    snprintf(cxx_version_text, sizeof cxx_version_text, "%s", text);
    free(text);
    cxx_version = major * 1000 + minor * 10;

    const gahost_api *api = host_runtime();
    if (!api) {
        snprintf(compiler_detail, sizeof compiler_detail, "%s", runtime_detail);
        return;
    }
    if (!api->prelude_path()) {
        snprintf(compiler_detail, sizeof compiler_detail,
                 "the host kernel prelude gahost_prelude.h was not found next to %s (set "
                 "GPUARRAY_HOST_PRELUDE to its path)", runtime_path);
        return;
    }
    fingerprint_compute(api);
    compiler_status = GA_OK;
}

ga_status host_compiler_load(void)
{
    pthread_once(&compiler_once, compiler_find);
    if (compiler_status != GA_OK)
        return ga_error(GA_ERROR_NO_COMPILER, "%s", compiler_detail);
    return GA_OK;
}

int host_compiler_version(void)
{
    return host_compiler_load() == GA_OK ? cxx_version : 0;
}

const char *host_compiler_path(void)
{
    pthread_once(&compiler_once, compiler_find);
    return cxx_path;
}

/* The architecture is only a label on the host (the same code runs for
 * any): the requested one is echoed, and the module is always "real"
 * (native code). */
/* Everything outside the request that decides the compiled module: see
 * fingerprint_compute. Part of the kernel cache's key. */
const char *host_compiler_fingerprint(void)
{
    return host_compiler_load() == GA_OK ? fingerprint : "";
}

ga_status host_compiler_target(int device_arch, int *arch, int *is_real)
{
    if (!arch || !is_real || device_arch < 0)
        return ga_error(GA_ERROR_INVALID_VALUE, "compiler_target: bad arguments");
    ga_status st = host_compiler_load();
    if (st != GA_OK)
        return st;
    *arch = device_arch;
    *is_real = 1;
    return GA_OK;
}

/* ------------------------------------------------------------------ compile */

static int write_file(const char *path, const void *data, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    const char *p = data;
    while (size > 0) {
        ssize_t w = write(fd, p, size);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            return -1;
        }
        p += w;
        size -= (size_t)w;
    }
    return close(fd);
}

static void *read_file(const char *path, size_t *size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0)
        return NULL;
    if (fstat(fd, &sb) != 0 || sb.st_size <= 0) {
        close(fd);
        return NULL;
    }
    size_t n = (size_t)sb.st_size, got = 0;
    char *buf = malloc(n);
    while (buf && got < n) {
        ssize_t k = read(fd, buf + got, n - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            free(buf);
            buf = NULL;
            break;
        }
        got += (size_t)k;
    }
    close(fd);
    if (buf)
        *size = n;
    return buf;
}

static char *join_options(const ga_compile_request *req)
{
    size_t len = 1;
    for (int i = 0; i < req->num_options; i++)
        len += strlen(req->options[i]) + 1;
    char *s = malloc(len), *p = s;
    if (!s)
        return NULL;
    for (int i = 0; i < req->num_options; i++) {
        size_t k = strlen(req->options[i]);
        if (i)
            *p++ = ' ';
        memcpy(p, req->options[i], k);
        p += k;
    }
    *p = '\0';
    return s;
}

/* The source file's name in the temporary directory: the user's base name
 * (kept tame), so that any message not redirected by #line still reads
 * naturally. */
static void source_file_name(const char *name, char *out, size_t len)
{
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    size_t k = 0;
    for (; *base && k + 1 < len && k < 100; base++)
        out[k++] = (isalnum((unsigned char)*base) || *base == '.' || *base == '_' || *base == '-')
                 ? *base : '_';
    out[k] = '\0';
    if (k == 0 || strcmp(out, ".") == 0 || strcmp(out, "..") == 0 || strcmp(out, "module.so") == 0)
        snprintf(out, len, "kernel.cu");
}

/* Lines of the log that mention the inline-asm marker, for the detail. */
static void asm_lines(const char *log, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (const char *line = log; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        if (memmem(line, n, GAHOST_UNSUPPORTED_MARKER, strlen(GAHOST_UNSUPPORTED_MARKER)) &&
            used + n + 2 < len) {
            memcpy(out + used, line, n);
            used += n;
            out[used++] = '\n';
            out[used] = '\0';
        }
        line = end ? end + 1 : NULL;
    }
}

/* A private directory for one compile: under $TMPDIR (else /tmp); where
 * that cannot be written (a TMPDIR that is gone, read-only, full), under
 * the cache directory instead, and then the compiler is given that
 * directory as its TMPDIR too (it writes its own temporary files there),
 * through *envp (malloc'd, NULL when the process's environment serves). */
static ga_status make_work_dir(char **dir_out, char ***envp)
{
    const char *tmp = getenv("TMPDIR");
    const char *first = tmp && *tmp ? tmp : "/tmp";
    char *dir = NULL;
    *envp = NULL;
    *dir_out = NULL;
    if (asprintf(&dir, "%s/gpuarray-host-XXXXXX", first) < 0)
        return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "compile: out of host memory");
    if (mkdtemp(dir) && access(dir, W_OK) == 0) {
        *dir_out = dir;
        return GA_OK;
    }
    int first_errno = errno;
    free(dir);
    dir = NULL;
    const char *cache = ga_cache_dir();
    char fallback[PATH_MAX];
    if (cache && *cache && snprintf(fallback, sizeof fallback, "%s/tmp", cache) < (int)sizeof fallback) {
        mkdir(cache, 0700);
        mkdir(fallback, 0700);
        if (asprintf(&dir, "%s/gpuarray-host-XXXXXX", fallback) < 0)
            return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "compile: out of host memory");
        if (mkdtemp(dir)) {
            size_t n = 0;
            while (environ[n])
                n++;
            char **e = calloc(n + 2, sizeof *e);
            char *t = NULL;
            if (!e || asprintf(&t, "TMPDIR=%s", dir) < 0) {
                free(e);
                rmdir(dir);
                free(dir);
                return ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "compile: out of host memory");
            }
            size_t k = 0;
            for (size_t i = 0; i < n; i++)
                if (strncmp(environ[i], "TMPDIR=", 7) != 0)
                    e[k++] = environ[i];
            e[k++] = t;
            e[k] = NULL;
            *envp = e;
            *dir_out = dir;
            return GA_OK;
        }
        free(dir);
    }
    errno = first_errno;
    return ga_error(GA_ERROR_IO, "compile: cannot create a temporary directory in %s (%s) nor "
                    "in the cache directory %s", first, strerror(first_errno),
                    cache && *cache ? cache : "(none)");
}

/* The TMPDIR=... entry make_work_dir added (the last one), then the array. */
static void free_envp(char **envp)
{
    if (!envp)
        return;
    size_t n = 0;
    while (envp[n])
        n++;
    if (n)
        free(envp[n - 1]);
    free(envp);
}

ga_status host_compile(const ga_compile_request *req, int arch, int is_real, ga_compiled_output *out)
{
    char **envp = NULL;
    (void)arch;
    (void)is_real;
    if (!out)
        return ga_error(GA_ERROR_INVALID_VALUE, "compile: out is NULL");
    memset(out, 0, sizeof *out);
    if (!req || !req->source || req->num_options < 0 || req->num_name_expressions < 0 ||
        (req->num_options > 0 && !req->options) ||
        (req->num_name_expressions > 0 && !req->name_expressions))
        return ga_error(GA_ERROR_INVALID_VALUE, "compile: bad request");
    ga_status st = host_compiler_load();
    if (st != GA_OK)
        return st;
    const gahost_api *api = host_runtime();
    const char *name = req->source_name && req->source_name[0] ? req->source_name : "kernel.cu";

    gahost_rewrite rw;
    memset(&rw, 0, sizeof rw);
    char *err = NULL, *log = NULL, *optstr = NULL, *dir = NULL, *src = NULL, *so = NULL;
    char **argv = NULL;
    int r = api->rewrite_source(req->source, name, (const char *const *)req->name_expressions,
                                req->num_name_expressions, &rw, &err);
    if (r != GAHOST_OK) {
        st = ga_error(r == GAHOST_ERROR_NOMEM ? GA_ERROR_HOST_OUT_OF_MEMORY : GA_ERROR_COMPILE,
                      "%s: the host backend could not prepare the source: %s", name,
                      err ? err : "unknown error");
        if (st == GA_ERROR_COMPILE)
            ga_error_set_compile_log(err ? err : "");
        free(err);
        return st;
    }

    char base[128];
    source_file_name(name, base, sizeof base);
    st = make_work_dir(&dir, &envp);
    if (st != GA_OK)
        goto cleanup;
    if (asprintf(&src, "%s/%s", dir, base) < 0 || asprintf(&so, "%s/module.so", dir) < 0) {
        st = ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "compile: out of host memory");
        goto cleanup;
    }
    if (write_file(src, rw.source, strlen(rw.source)) != 0) {
        st = ga_error(GA_ERROR_IO, "compile: cannot write %s: %s", src, strerror(errno));
        goto cleanup;
    }
    argv = api->compile_argv(cxx_path, src, so, (const char *const *)req->options, req->num_options,
                             &err);
    if (!argv) {
        st = ga_error(GA_ERROR_NO_COMPILER, "%s: %s", name, err ? err : "no compiler command");
        goto cleanup;
    }
    optstr = join_options(req);
    int rc = run_capture(argv, envp ? envp : environ, &log);
    if (rc != 0 && log && strstr(log, "precompiled header") && api->pch_discard) {
        /* A damaged precompiled prelude (a full disk, a killed copy): drop
         * it, as a corrupt cache entry is dropped, and compile again from
         * the header; the next process builds a new one. */
        api->pch_discard();
        free(log);
        rc = run_capture(argv, envp ? envp : environ, &log);
    }
    if (rc == -2) {
        errno = EMFILE;
        st = ga_error(GA_ERROR_IO, "%s: cannot run the host compiler: %s", name,
                      log ? log : "too many open files");
        goto cleanup;
    }
    if (rc == -1) {
        st = ga_error(GA_ERROR_NO_COMPILER, "%s: %s", name, log ? log : "cannot run the compiler");
        goto cleanup;
    }
    if (rc != 0) {
        const char *text = log ? log : "";
        if (strstr(text, GAHOST_UNSUPPORTED_MARKER)) {
            char lines[2048];
            asm_lines(text, lines, sizeof lines);
            st = ga_error(GA_ERROR_UNSUPPORTED,
                          "%s: the kernel uses inline PTX assembly (asm), which only an NVIDIA GPU "
                          "can run; the host backend cannot%s%s", name,
                          lines[0] ? ":\n" : "", lines);
        } else {
            ga_error_set_compile_log(text);
            st = ga_error(GA_ERROR_COMPILE, "%s: the host C++ compiler (%s) failed (options: %s)\n%s",
                          name, cxx_path, optstr ? optstr : "", text);
        }
        goto cleanup;
    }
    out->image = read_file(so, &out->image_size);
    if (!out->image) {
        st = ga_error(GA_ERROR_COMPILE, "%s: the host compiler reported success but %s cannot be "
                      "read", name, so);
        goto cleanup;
    }
    out->kind = GA_IMAGE_HOST_SO;
    if (req->num_name_expressions > 0) {
        if (rw.num_lowered != req->num_name_expressions) {
            st = ga_error(GA_ERROR_COMPILE, "%s: %d name expressions but %d entries", name,
                          req->num_name_expressions, rw.num_lowered);
            goto cleanup;
        }
        out->lowered_names = calloc((size_t)rw.num_lowered, sizeof(char *));
        if (!out->lowered_names) {
            st = ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "compile: out of host memory");
            goto cleanup;
        }
        out->num_lowered_names = rw.num_lowered;
        for (int i = 0; i < rw.num_lowered; i++)
            if (!(out->lowered_names[i] = strdup(rw.lowered[i] ? rw.lowered[i] : ""))) {
                st = ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "compile: out of host memory");
                goto cleanup;
            }
    }
    out->log = log ? log : strdup("");
    log = NULL;
    if (!out->log)
        st = ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "compile: out of host memory");

cleanup:
    if (st != GA_OK)
        ga_compiled_output_clear(out);
    if (src)
        unlink(src);
    if (so)
        unlink(so);
    if (dir)
        rmdir(dir);
    if (argv)
        api->argv_free(argv);
    api->rewrite_free(&rw);
    free(err);
    free(log);
    free(optstr);
    free(src);
    free(so);
    free(dir);
    free_envp(envp);
    return st;
}
