/* libsearch.c - the one search order of the run-time loaded CUDA libraries
 * (see libsearch.h). */
#define _GNU_SOURCE /* dladdr */
#include "libsearch.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *lib_loaded_path(void *symbol, const char *fallback)
{
    Dl_info info;
    const char *where = (symbol && dladdr(symbol, &info) && info.dli_fname && info.dli_fname[0])
                            ? info.dli_fname : fallback;
    return strdup(where);
}

/* Try one candidate; every outcome goes into `tried` so a failure can say
 * why. With not_found, plain absence of a soname only sets it: the caller
 * sums those up in one line. */
static void *try_open(const lib_search *s, const char *path, strbuf *tried, int *not_found)
{
    dlerror();
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        /* Any failure but absence (wrong architecture, missing dependency)
         * is worth a line. */
        if (not_found && (!why || strstr(why, "cannot open shared object file"))) {
            *not_found = 1;
            return NULL;
        }
        sb_add(tried, "  %s: %s\n", path, why ? why : "dlopen failed");
        return NULL;
    }
    if (!s->accept(h, path, tried)) {
        dlclose(h);
        return NULL;
    }
    return h;
}

/* One directory: only the names that exist are dlopen'd, the rest are
 * summarised in one line so the detail stays readable. */
static void *try_dir(const lib_search *s, const char *dir, strbuf *tried)
{
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        sb_add(tried, "  %s/: no such directory\n", dir);
        return NULL;
    }
    int found = 0;
    for (size_t i = 0; i < s->num_names; i++) {
        char path[4096];
        if (snprintf(path, sizeof path, "%s/%s", dir, s->names[i]) >= (int)sizeof path)
            continue;
        if (access(path, F_OK) != 0)
            continue;
        found = 1;
        void *h = try_open(s, path, tried, NULL);
        if (h)
            return h;
    }
    if (!found)
        sb_add(tried, "  %s/: no %s there\n", dir, s->pattern_text);
    return NULL;
}

static void *try_env_dir(const lib_search *s, const char *var, const char *subdir, strbuf *tried)
{
    const char *root = getenv(var);
    if (!root || !root[0])
        return NULL;
    char dir[4096];
    if (snprintf(dir, sizeof dir, "%s/%s", root, subdir) >= (int)sizeof dir)
        return NULL;
    return try_dir(s, dir, tried);
}

/* The CUDA places, used by searches that name none of their own. */
static const char *const cuda_root_envs[] = { "CUDA_PATH", "CUDA_HOME" };
static const char *const cuda_dirs[] = { "/usr/local/cuda/lib64" };

static void search_places(const lib_search *s, const char *const **envs, size_t *num_envs,
                          const char **subdir, const char *const **dirs, size_t *num_dirs)
{
    if (s->root_envs || s->dirs) {
        *envs = s->root_envs;
        *num_envs = s->num_root_envs;
        *subdir = s->root_subdir ? s->root_subdir : "lib";
        *dirs = s->dirs;
        *num_dirs = s->num_dirs;
        return;
    }
    *envs = cuda_root_envs;
    *num_envs = 2;
    *subdir = "lib64";
    *dirs = cuda_dirs;
    *num_dirs = 1;
}

static void *try_wheels(const lib_search *s, strbuf *tried)
{
    if (s->num_wheel_subdirs == 0)
        return NULL;   /* a library no pip wheel ships */
    const char *list = getenv("GPUARRAY_NVRTC_SEARCH_PATH");
    if (!list || !list[0]) {
        sb_add(tried, "  pip wheels: not searched (GPUARRAY_NVRTC_SEARCH_PATH is not set)\n");
        return NULL;
    }
    const char *p = list;
    while (*p) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n > 0 && n < 3000) {
            for (size_t k = 0; k < s->num_wheel_subdirs; k++) {
                char dir[4096];
                snprintf(dir, sizeof dir, "%.*s/%s", (int)n, p, s->wheel_subdirs[k]);
                struct stat st;
                /* Most site-packages have no NVIDIA wheel: not worth a line
                 * each in the detail. */
                if (stat(dir, &st) != 0)
                    continue;
                void *h = try_dir(s, dir, tried);
                if (h)
                    return h;
            }
        }
        p += n;
        if (*p == ':')
            p++;
    }
    sb_add(tried, "  GPUARRAY_NVRTC_SEARCH_PATH: no");
    for (size_t k = 0; k < s->num_wheel_subdirs; k++)
        sb_add(tried, "%s %s", k == 0 ? "" : " or", s->wheel_subdirs[k]);
    sb_add(tried, " under any of %s\n", list);
    return NULL;
}

static void add_stat(strbuf *sb, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        sb_add(sb, "[%s -]", path);
        return;
    }
    sb_add(sb, "[%s %llu %llu %lld %lld.%09ld]", path, (unsigned long long)st.st_dev,
           (unsigned long long)st.st_ino, (long long)st.st_size, (long long)st.st_mtim.tv_sec,
           (long)st.st_mtim.tv_nsec);
}

static void add_env(strbuf *sb, const char *name)
{
    const char *v = getenv(name);
    sb_add(sb, "%s=%s;", name, v ? v : "(unset)");
}

/* Each entry of a ':'-separated list, joined with `suffix`. */
static void add_dirs(strbuf *sb, const char *list, const char *suffix)
{
    const char *p = list ? list : "";
    while (*p) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n > 0 && n < 3000) {
            char dir[4096];
            snprintf(dir, sizeof dir, "%.*s%s", (int)n, p, suffix);
            add_stat(sb, dir);
        }
        p += n;
        if (*p == ':')
            p++;
    }
}

void lib_search_fingerprint(const lib_search *s, const char *library, strbuf *sb)
{
    static const char *const vars[] = { "LD_LIBRARY_PATH", "CUDA_PATH", "CUDA_HOME",
                                        "GPUARRAY_NVRTC_SEARCH_PATH" };
    const char *const *envs, *const *dirs, *subdir;
    size_t num_envs, num_dirs;
    search_places(s, &envs, &num_envs, &subdir, &dirs, &num_dirs);
    add_env(sb, s->override_env);
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        add_env(sb, vars[i]);
    for (size_t i = 0; i < num_envs; i++)
        add_env(sb, envs[i]);
    add_stat(sb, "/etc/ld.so.cache");
    add_dirs(sb, getenv("LD_LIBRARY_PATH"), "");
    char slash_subdir[256];
    snprintf(slash_subdir, sizeof slash_subdir, "/%s", subdir);
    for (size_t i = 0; i < num_envs; i++)
        add_dirs(sb, getenv(envs[i]), slash_subdir);
    for (size_t i = 0; i < num_dirs; i++)
        add_stat(sb, dirs[i]);
    for (size_t k = 0; k < s->num_wheel_subdirs; k++) {
        char suffix[256];
        snprintf(suffix, sizeof suffix, "/%s", s->wheel_subdirs[k]);
        add_dirs(sb, getenv("GPUARRAY_NVRTC_SEARCH_PATH"), suffix);
    }
    if (library && library[0]) {
        add_stat(sb, library);
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", library);
        char *slash = strrchr(dir, '/');
        if (slash && slash != dir) {
            *slash = '\0';
            add_stat(sb, dir);
        }
    }
}

void *lib_search_run(const lib_search *s, strbuf *tried)
{
    void *h = NULL;
    const char *override = getenv(s->override_env);
    if (override && override[0]) {
        h = try_open(s, override, tried, NULL);
        if (s->override_only)
            return h;
    }
    int absent = 0;
    for (size_t i = 0; !h && i < s->num_names; i++)
        h = try_open(s, s->names[i], tried, &absent);
    if (!h && absent)
        sb_add(tried, "  the dynamic linker's search path (LD_LIBRARY_PATH, ld.so.cache): no %s\n",
               s->names_text);
    const char *const *envs, *const *dirs, *subdir;
    size_t num_envs, num_dirs;
    search_places(s, &envs, &num_envs, &subdir, &dirs, &num_dirs);
    for (size_t i = 0; !h && i < num_envs; i++)
        h = try_env_dir(s, envs[i], subdir, tried);
    for (size_t i = 0; !h && i < num_dirs; i++)
        h = try_dir(s, dirs[i], tried);
    if (!h)
        h = try_wheels(s, tried);
    return h;
}

void lib_loader_run(lib_loader *l)
{
    const lib_search *s = l->search;
    strbuf tried = { 0 };
    if (lib_search_run(s, &tried)) {
        l->status = GA_OK;
        free(tried.s);
        return;
    }
    strbuf d = { 0 };
    if (s->install_hint)
        sb_add(&d, "%s (%s) was not found; set %s to the path of %s, or %s. Tried:\n%s",
               l->library, l->role, s->override_env, l->file, s->install_hint,
               tried.s ? tried.s : "");
    else
        sb_add(&d, "%s (%s) was not found; set %s to the path of %s, or install the CUDA toolkit "
                   "or the %s wheel. Tried:\n%s", l->library, l->role, s->override_env, l->file,
               l->wheel, tried.s ? tried.s : "");
    const char *override = getenv(s->override_env);
    if (s->override_only && override && override[0] && (s->root_envs || s->dirs)) {
        sb_add(&d, "  (%s is set, so nothing else was searched; unset it to search %s on the "
                   "dynamic linker's path and the install roots)\n", s->override_env,
               s->names_text);
    } else if (s->override_only && override && override[0]) {
        sb_add(&d, "  (%s is set, so nothing else was searched; unset it to search %s on the "
                   "dynamic linker's path, $CUDA_PATH/lib64, $CUDA_HOME/lib64, "
                   "/usr/local/cuda/lib64 and the pip wheels' ", s->override_env, s->names_text);
        for (size_t i = 0; i < s->num_wheel_subdirs; i++)
            sb_add(&d, "%s%s", i == 0 ? "" : (i + 1 == s->num_wheel_subdirs ? " and " : ", "),
                   s->wheel_subdirs[i]);
        sb_add(&d, ")\n");
    }
    free(tried.s);
    l->detail = d.s;
    l->status = l->failure;
}

ga_status lib_loader_status(const lib_loader *l)
{
    if (l->status == GA_OK)
        return GA_OK;
    if (l->detail)
        return ga_error(l->status, "%s", l->detail);
    return ga_error(l->status, "%s was not found", l->library);
}
