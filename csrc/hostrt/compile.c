/* compile.c - where the prelude and the runtime are, and the compiler's
 * command line for a kernel module. */
/* The module links this library by name with an rpath to its directory, so
 * `threadIdx` in the module resolves to the runtime's initial-exec TLS. NVRTC
 * options mean nothing to g++: the few with a meaning on the host are
 * translated, the rest dropped, so a RawModule's options never break the
 * host build. */
#include "hostrt_private.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static char runtime_dir[PATH_MAX];
static char prelude_path[PATH_MAX];
static pthread_once_t paths_once = PTHREAD_ONCE_INIT;

static int is_file(const char *p) { return access(p, R_OK) == 0; }

static void find_paths(void)
{
    Dl_info info;
    if (dladdr((void *)&gahost_runtime_dir, &info) && info.dli_fname) {
        char *real = realpath(info.dli_fname, NULL);
        const char *f = real ? real : info.dli_fname;
        const char *slash = strrchr(f, '/');
        if (slash)
            snprintf(runtime_dir, sizeof runtime_dir, "%.*s", (int)(slash - f), f);
        else if (!getcwd(runtime_dir, sizeof runtime_dir))
            runtime_dir[0] = '\0';
        free(real);
    }
    const char *env = getenv("GPUARRAY_HOST_PRELUDE");
    if (env && *env) {
        if (is_file(env))
            snprintf(prelude_path, sizeof prelude_path, "%s", env);
        return;
    }
    static const char *const rel[] = {"gahost_prelude.h", "host/gahost_prelude.h",
                                      "../kernels/host/gahost_prelude.h"};
    for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/%s", runtime_dir, rel[i]);
        if (is_file(p)) {
            char *real = realpath(p, NULL);
            snprintf(prelude_path, sizeof prelude_path, "%s", real ? real : p);
            free(real);
            return;
        }
    }
}

HOSTRT_API const char *gahost_runtime_dir(void)
{
    pthread_once(&paths_once, find_paths);
    return runtime_dir;
}

HOSTRT_API const char *gahost_prelude_path(void)
{
    pthread_once(&paths_once, find_paths);
    if (!prelude_path[0]) {
        hostrt_error(GAHOST_ERROR_NOT_FOUND, "gahost_prelude.h not found (GPUARRAY_HOST_PRELUDE, "
                     "or next to %s/%s)", runtime_dir, GAHOST_RUNTIME_SONAME);
        return NULL;
    }
    return prelude_path;
}

/* ------------------------------------------------------------- argv */

/* The flags every module and the precompiled prelude are built with. */
static const char *const base_flags[] = {
    "-std=c++17", "-O2", "-fPIC", "-fvisibility=hidden", "-fno-semantic-interposition",
    "-fno-math-errno", "-fno-exceptions", "-fno-rtti", "-fno-plt", "-pthread",
    /* `static __device__ f()`: visibility("default") on a static function;
     * a pragma in the prelude would not survive its PCH (GCC 12) */
    "-Wno-attributes",
    /* A frame larger than a page (a big local array) touches each page in
     * order, so that running past a fiber stack hits its guard page and is
     * reported as a stack overflow (fault.c), never a silent write into
     * the next stack. Costs only functions with such frames. */
    "-fstack-clash-protection",
};
#define NUM_BASE_FLAGS (sizeof base_flags / sizeof base_flags[0])

/* ------------------------------------------------------ precompiled prelude */
/* Parsing the prelude (<cmath> mostly) is 0.2 s of a 0.3 s compile; a
 * precompiled one cuts a module to about 0.15 s. Modules name the prelude
 * as "gahost_prelude.h" found through -iquote <pch dir> -iquote <prelude
 * dir>: g++ takes <pch dir>/gahost_prelude.h.gch when it is there and valid
 * for the command line (same standard, no conflicting -D), else the header
 * itself, so the PCH never changes what compiles, only how fast. The
 * command line is the same whether or not the PCH exists yet (caches keyed
 * on it stay valid); the first process that needs it builds it in the
 * background, detached, written under a temporary name and renamed.
 * GPUARRAY_HOST_PCH=0 turns this off; GPUARRAY_HOST_PCH_DIR places it (else
 * $XDG_CACHE_HOME/gpuarray/host-pch, ~/.cache/gpuarray/host-pch or
 * $GPUARRAY_CACHE_DIR/host-pch, the first writable). */

static pthread_mutex_t pch_lock = PTHREAD_MUTEX_INITIALIZER;
static int pch_state;                 /* 0 not set up, 1 in use, -1 off */
static char pch_cxx[PATH_MAX];        /* the compiler it is for */
static char pch_dir[PATH_MAX];

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

static int mkdirs(const char *path)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(tmp, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

/* Start `sh -c` building the PCH, detached (the shell backgrounds the
 * work and exits at once, so nothing is left to reap). */
static void pch_spawn_build(const char *cxx, const char *prelude, char *const *extra, int nextra)
{
    char gch[2 * PATH_MAX], tmp[2 * PATH_MAX + 32], lock[PATH_MAX + 32];
    const char *slash = strrchr(prelude, '/');
    snprintf(gch, sizeof gch, "%s/%s.gch", pch_dir, slash ? slash + 1 : prelude);
    snprintf(lock, sizeof lock, "%s/build.lock", pch_dir);
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", gch, (long)getpid());
    int fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        struct stat sb;   /* a lock left by a killed build goes stale */
        if (errno != EEXIST || stat(lock, &sb) != 0 || time(NULL) - sb.st_mtime < 300)
            return;
        unlink(lock);
        if ((fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
            return;
    }
    close(fd);
    /* also drop the PCHs of other preludes/compilers unused for a week */
    const char *script =
        "tmp=$1; gch=$2; lock=$3; shift 3; "
        "( \"$@\" -o \"$tmp\" && mv -f \"$tmp\" \"$gch\" || rm -f \"$tmp\"; rm -f \"$lock\"; "
        "d=$(dirname \"$gch\"); find \"$(dirname \"$d\")\" -mindepth 1 -maxdepth 1 -type d "
        "-regextype posix-extended -regex '.*/[0-9a-f]{16}' ! -path \"$d\" -mtime +7 "
        "-exec rm -rf {} + ) "
        "</dev/null >/dev/null 2>&1 &";
    const char *argv[64];
    int n = 0;
    argv[n++] = "/bin/sh";
    argv[n++] = "-c";
    argv[n++] = script;
    argv[n++] = "sh";
    argv[n++] = tmp;
    argv[n++] = gch;
    argv[n++] = lock;
    argv[n++] = cxx;
    for (size_t i = 0; i < NUM_BASE_FLAGS; i++)
        argv[n++] = base_flags[i];
    for (int i = 0; i < nextra && n < 56; i++)
        argv[n++] = extra[i];
    argv[n++] = "-x";
    argv[n++] = "c++-header";
    argv[n++] = prelude;
    argv[n] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
#ifdef __GLIBC__
#if __GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34)
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);   /* keep the caller's fds out */
#endif
#endif
    pid_t pid;
    if (posix_spawn(&pid, "/bin/sh", &fa, NULL, (char *const *)argv, environ) == 0) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    } else {
        unlink(lock);
    }
    posix_spawn_file_actions_destroy(&fa);
}

static char pch_file[2 * PATH_MAX];   /* the .gch in use, for gahost_pch_discard */

HOSTRT_API void gahost_pch_discard(void)
{
    pthread_mutex_lock(&pch_lock);
    if (pch_state == 1 && pch_file[0])
        unlink(pch_file);
    pch_state = -1;              /* g++ falls back to the header */
    pthread_mutex_unlock(&pch_lock);
}

/* The PCH directory for `cxx` (set up on first use), or NULL when off. */
static const char *pch_for(const char *cxx, const char *prelude, char *const *extra, int nextra)
{
    pthread_mutex_lock(&pch_lock);
    if (pch_state == 0) {
        pch_state = -1;
        const char *off = getenv("GPUARRAY_HOST_PCH");
        const char *dir = getenv("GPUARRAY_HOST_PCH_DIR"), *cache = getenv("GPUARRAY_CACHE_DIR");
        const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
        /* one PCH per machine (not per kernel cache: tests that point
         * GPUARRAY_CACHE_DIR at a fresh directory should not rebuild it),
         * the kernel cache's directory only where no home cache is writable */
        char bases[4][PATH_MAX];
        int nb = 0;
        if (dir && *dir)
            snprintf(bases[nb++], PATH_MAX, "%s", dir);
        else {
            if (xdg && *xdg)
                snprintf(bases[nb++], PATH_MAX, "%s/gpuarray/host-pch", xdg);
            if (home && *home)
                snprintf(bases[nb++], PATH_MAX, "%s/.cache/gpuarray/host-pch", home);
            if (cache && *cache)
                snprintf(bases[nb++], PATH_MAX, "%s/host-pch", cache);
        }
        FILE *f = fopen(prelude, "rb");
        if (!(off && !strcmp(off, "0")) && nb && f) {
            uint64_t h = 1469598103934665603ULL;
            char buf[8192];
            size_t k;
            while ((k = fread(buf, 1, sizeof buf, f)) > 0)
                h = fnv1a(h, buf, k);
            h = fnv1a(h, cxx, strlen(cxx) + 1);
            for (size_t i = 0; i < NUM_BASE_FLAGS; i++)
                h = fnv1a(h, base_flags[i], strlen(base_flags[i]) + 1);
            for (int i = 0; i < nextra; i++)
                h = fnv1a(h, extra[i], strlen(extra[i]) + 1);
            for (int i = 0; i < nb && pch_state != 1; i++) {
                snprintf(pch_dir, sizeof pch_dir, "%.*s/%016llx", PATH_MAX - 20, bases[i],
                         (unsigned long long)h);
                if (mkdirs(pch_dir) != 0 || access(pch_dir, W_OK) != 0)
                    continue;
                snprintf(pch_cxx, sizeof pch_cxx, "%s", cxx);
                pch_state = 1;
                utimes(pch_dir, NULL);    /* in use: see the clean-up in pch_spawn_build */
                char gch[2 * PATH_MAX];
                const char *slash = strrchr(prelude, '/');
                snprintf(gch, sizeof gch, "%s/%s.gch", pch_dir, slash ? slash + 1 : prelude);
                snprintf(pch_file, sizeof pch_file, "%s", gch);
                if (access(gch, R_OK) != 0)
                    pch_spawn_build(cxx, prelude, extra, nextra);
            }
        }
        if (f)
            fclose(f);
    }
    const char *r = pch_state == 1 && !strcmp(pch_cxx, cxx) ? pch_dir : NULL;
    pthread_mutex_unlock(&pch_lock);
    return r;
}

typedef struct strvec {
    char **v;
    int n, cap, failed;
} strvec;

static void push(strvec *sv, const char *s)
{
    if (sv->failed)
        return;
    if (sv->n + 2 > sv->cap) {
        int cap = sv->cap ? sv->cap * 2 : 32;
        char **v = realloc(sv->v, (size_t)cap * sizeof *v);
        if (!v) {
            sv->failed = 1;
            return;
        }
        sv->v = v;
        sv->cap = cap;
    }
    if (!(sv->v[sv->n] = strdup(s))) {
        sv->failed = 1;
        return;
    }
    sv->v[++sv->n] = NULL;
}

static void pushf(strvec *sv, const char *fmt, const char *a)
{
    char buf[PATH_MAX + 64];
    snprintf(buf, sizeof buf, fmt, a);
    push(sv, buf);
}

HOSTRT_API void gahost_argv_free(char **argv)
{
    if (!argv)
        return;
    for (char **p = argv; *p; p++)
        free(*p);
    free(argv);
}

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* -std=: the prelude needs C++17, so older standards are raised. */
static void push_std(strvec *sv, const char *v)
{
    if (!strcmp(v, "c++03") || !strcmp(v, "c++11") || !strcmp(v, "c++14") || !strcmp(v, "c++17"))
        push(sv, "-std=c++17");
    else
        pushf(sv, "-std=%s", v);
}

/* One NVRTC option (and maybe its separate value): consumed count. */
static int translate(strvec *sv, const char *const *opt, int left)
{
    const char *o = opt[0];
    static const struct { const char *nvrtc, *gxx; } joined[] = {
        {"--define-macro=", "-D"}, {"--undefine-macro=", "-U"}, {"--include-path=", "-I"},
        {"--pre-include=", "-include"},
    };
    for (size_t i = 0; i < sizeof joined / sizeof joined[0]; i++)
        if (starts(o, joined[i].nvrtc)) {
            const char *v = o + strlen(joined[i].nvrtc);
            if (!strcmp(joined[i].gxx, "-include")) {
                push(sv, "-include");
                push(sv, v);
            } else {
                char buf[PATH_MAX + 8];
                snprintf(buf, sizeof buf, "%s%s", joined[i].gxx, v);
                push(sv, buf);
            }
            return 1;
        }
    if ((!strcmp(o, "-D") || !strcmp(o, "-U") || !strcmp(o, "-I") || !strcmp(o, "-include") ||
         !strcmp(o, "--define-macro") || !strcmp(o, "--undefine-macro") ||
         !strcmp(o, "--include-path") || !strcmp(o, "--pre-include")) && left > 1) {
        const char *g = o[1] != '-' ? o : !strcmp(o, "--define-macro") ? "-D"
                      : !strcmp(o, "--undefine-macro") ? "-U" : !strcmp(o, "--include-path") ? "-I"
                      : "-include";
        if (!strcmp(g, "-include")) {
            push(sv, g);
            push(sv, opt[1]);
        } else {
            char buf[PATH_MAX + 8];
            snprintf(buf, sizeof buf, "%s%s", g, opt[1]);
            push(sv, buf);
        }
        return 2;
    }
    if ((starts(o, "-D") || starts(o, "-U") || starts(o, "-I")) && o[2]) {
        push(sv, o);
        return 1;
    }
    if (starts(o, "-std=") || starts(o, "--std=")) {
        push_std(sv, strchr(o, '=') + 1);
        return 1;
    }
    if ((!strcmp(o, "-std") || !strcmp(o, "--std")) && left > 1) {
        push_std(sv, opt[1]);
        return 2;
    }
    if (!strcmp(o, "-O0") || !strcmp(o, "-O1") || !strcmp(o, "-O2") || !strcmp(o, "-O3")) {
        push(sv, o);
        return 1;
    }
    if (!strcmp(o, "--fmad=false") || !strcmp(o, "-fmad=false")) {
        push(sv, "-ffp-contract=off");
        return 1;
    }
    /* Options with a separate value that are dropped with it. */
    static const char *const with_value[] = {"-arch", "--gpu-architecture", "-maxrregcount",
                                             "--maxrregcount", "-dlto", "--device-c"};
    for (size_t i = 0; i < sizeof with_value / sizeof with_value[0]; i++)
        if (!strcmp(o, with_value[i]) && left > 1 && opt[1][0] != '-')
            return 2;
    return 1;   /* -arch=..., -lineinfo, --use_fast_math, -G, ...: meaningless here */
}

HOSTRT_API char **gahost_compile_argv(const char *cxx, const char *src_path, const char *out_path,
                                      const char *const *options, int num_options, char **error)
{
    if (error)
        *error = NULL;
    if (!src_path || !out_path || num_options < 0 || (num_options && !options)) {
        if (error)
            *error = strdup("gahost_compile_argv: NULL path or bad option list");
        hostrt_error(GAHOST_ERROR_INVALID, "gahost_compile_argv: bad argument");
        return NULL;
    }
    const char *prelude = gahost_prelude_path();
    const char *rtdir = gahost_runtime_dir();
    if (!prelude || !rtdir[0]) {
        if (error)
            *error = strdup(gahost_last_error()[0] ? gahost_last_error()
                                                    : "libgpuarray_hostrt.so location unknown");
        return NULL;
    }
    if (!cxx || !*cxx)
        cxx = getenv("GPUARRAY_HOST_CXX");
    if (!cxx || !*cxx)
        cxx = getenv("CXX");
    if (!cxx || !*cxx)
        cxx = "g++";

    /* GPUARRAY_HOST_CXXFLAGS, split at blanks */
    strvec ex = {0};
    const char *extra = getenv("GPUARRAY_HOST_CXXFLAGS");
    if (extra && *extra) {
        char *copy = strdup(extra), *save = NULL;
        for (char *t = copy ? strtok_r(copy, " \t", &save) : NULL; t; t = strtok_r(NULL, " \t", &save))
            push(&ex, t);
        free(copy);
    }
    const char *pch = ex.failed ? NULL : pch_for(cxx, prelude, ex.v, ex.n);

    strvec sv = {0};
    push(&sv, cxx);
    for (size_t i = 0; i < NUM_BASE_FLAGS; i++)
        push(&sv, base_flags[i]);
    push(&sv, "-shared");
    if (pch) {
        char dir[PATH_MAX];
        const char *slash = strrchr(prelude, '/');
        snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - prelude) : 1, slash ? prelude : ".");
        push(&sv, "-iquote");
        push(&sv, pch);
        push(&sv, "-iquote");
        push(&sv, dir);
        push(&sv, "-include");
        push(&sv, slash ? slash + 1 : prelude);
    } else {
        push(&sv, "-include");
        push(&sv, prelude);
    }
    for (int i = 0; i < ex.n; i++)
        push(&sv, ex.v[i]);
    gahost_argv_free(ex.v);
    for (int i = 0; i < num_options;)
        i += translate(&sv, options + i, num_options - i);
    push(&sv, "-x");
    push(&sv, "c++");
    push(&sv, src_path);
    push(&sv, "-x");
    push(&sv, "none");
    push(&sv, "-o");
    push(&sv, out_path);
    pushf(&sv, "-L%s", rtdir);
    push(&sv, "-lgpuarray_hostrt");
    pushf(&sv, "-Wl,-rpath,%s", rtdir);
    push(&sv, "-Wl,-z,now");
    if (sv.failed) {
        gahost_argv_free(sv.v);   /* push keeps it NULL-terminated */
        if (error)
            *error = strdup("out of memory");
        hostrt_error(GAHOST_ERROR_NOMEM, "out of memory");
        return NULL;
    }
    return sv.v;
}

/* ------------------------------------------------------------- api table */

static const gahost_api api = {
    .abi_version = GAHOST_ABI_VERSION,
    .last_error = gahost_last_error,
    .rewrite_source = gahost_rewrite_source,
    .rewrite_free = gahost_rewrite_free,
    .prelude_path = gahost_prelude_path,
    .runtime_dir = gahost_runtime_dir,
    .compile_argv = gahost_compile_argv,
    .argv_free = gahost_argv_free,
    .num_threads = gahost_num_threads,
    .set_fault_filter = gahost_set_fault_filter,
    .pch_discard = gahost_pch_discard,
};

HOSTRT_API const gahost_api *gahost_get_api(unsigned abi_version)
{
    return abi_version == GAHOST_ABI_VERSION ? &api : NULL;
}
