/* cuda_nvrtc_identity.c - NVRTC's version and architectures without loading
 * NVRTC, for kernel-cache hits.
 *
 * Why: a cache key needs NVRTC's version and the architecture it would
 * compile for, and dlopen of NVRTC (a library of tens of megabytes) costs
 * 7 to 12 ms, nearly all of a disk-cache hit. The first process that loads
 * NVRTC writes what it learned to <cache dir>/nvrtc-identity; later ones
 * use it as long as nothing that decides which NVRTC the loader finds has
 * changed: the variables the search reads (GPUARRAY_NVRTC,
 * LD_LIBRARY_PATH, CUDA_PATH, CUDA_HOME, GPUARRAY_NVRTC_SEARCH_PATH), the
 * dynamic linker's cache, the directories searched and the library file
 * itself (device, inode, size, modification time). Any difference makes
 * the record stale and the process loads NVRTC as before. When NVRTC is
 * loaded for a compile, the backend checks the record against it once
 * more (ga_cuda_compiler_confirm). */
#include "cuda_nvrtc_identity.h"
#include "kernel_cache.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RECORD_NAME "nvrtc-identity"
#define RECORD_MAGIC "gpuarray nvrtc identity 1"

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

/* Each directory of a ':'-separated list, with a suffix. */
static void add_dirs(strbuf *sb, const char *list, const char *suffix)
{
    if (!list)
        return;
    const char *p = list;
    while (*p) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n > 0 && n < PATH_MAX - 64) {
            char dir[PATH_MAX];
            snprintf(dir, sizeof dir, "%.*s%s", (int)n, p, suffix);
            add_stat(sb, dir);
        }
        p += n;
        if (*p == ':')
            p++;
    }
}

/* One line that changes when anything the NVRTC search depends on does. */
static char *environment_line(const char *library)
{
    strbuf sb = { 0 };
    add_env(&sb, "GPUARRAY_NVRTC");
    add_env(&sb, "LD_LIBRARY_PATH");
    add_env(&sb, "CUDA_PATH");
    add_env(&sb, "CUDA_HOME");
    add_env(&sb, "GPUARRAY_NVRTC_SEARCH_PATH");
    add_stat(&sb, "/etc/ld.so.cache");
    add_dirs(&sb, getenv("LD_LIBRARY_PATH"), "");
    add_dirs(&sb, getenv("CUDA_PATH"), "/lib64");
    add_dirs(&sb, getenv("CUDA_HOME"), "/lib64");
    add_stat(&sb, "/usr/local/cuda/lib64");
    add_dirs(&sb, getenv("GPUARRAY_NVRTC_SEARCH_PATH"), "");
    if (library && library[0]) {
        add_stat(&sb, library);
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s", library);
        char *slash = strrchr(dir, '/');
        if (slash && slash != dir) {
            *slash = '\0';
            add_stat(&sb, dir);
        }
    }
    /* one line: the record is line-oriented */
    for (char *c = sb.s; c && *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = '?';
    return sb.s;
}

static int record_path(char *buf, size_t len)
{
    const char *dir = ga_cache_dir();
    if (!dir || !dir[0])
        return 0;
    return snprintf(buf, len, "%s/%s", dir, RECORD_NAME) < (int)len;
}

/* The value of "key value" line `line` when it starts with key, else NULL. */
static char *value_of(char *line, const char *key)
{
    size_t n = strlen(key);
    if (strncmp(line, key, n) != 0 || line[n] != ' ')
        return NULL;
    char *v = line + n + 1;
    v[strcspn(v, "\n")] = '\0';
    return v;
}

int nvrtc_identity_read(nvrtc_identity *id)
{
    char path[PATH_MAX];
    if (!record_path(path, sizeof path))
        return 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    nvrtc_identity r;
    memset(&r, 0, sizeof r);
    char *env = NULL;
    int have = 0, ok = 0;
    size_t cap = 0;
    char *line = NULL;
    ssize_t got;
    if ((got = getline(&line, &cap, f)) <= 0 || strncmp(line, RECORD_MAGIC, strlen(RECORD_MAGIC)) != 0)
        goto out;
    while ((got = getline(&line, &cap, f)) > 0) {
        char *v;
        if ((v = value_of(line, "env"))) {
            free(env);
            env = strdup(v);
            have |= 1;
        } else if ((v = value_of(line, "path"))) {
            snprintf(r.path, sizeof r.path, "%s", v);
            have |= 2;
        } else if ((v = value_of(line, "version"))) {
            r.version = atoi(v);
            have |= 4;
        } else if ((v = value_of(line, "cubin"))) {
            r.can_cubin = atoi(v) != 0;
            have |= 8;
        } else if ((v = value_of(line, "archs"))) {
            char *p = v, *end;
            while (r.num_archs < NVRTC_IDENTITY_MAX_ARCHS) {
                long a = strtol(p, &end, 10);
                if (end == p)
                    break;
                r.archs[r.num_archs++] = (int)a;
                p = end;
            }
            have |= 16;
        }
    }
    if (have != 31 || !env || r.version <= 0 || r.num_archs <= 0 || !r.path[0])
        goto out;
    for (int i = 1; i < r.num_archs; i++)
        if (r.archs[i] <= r.archs[i - 1])
            goto out;
    char *now = environment_line(r.path);
    ok = now && strcmp(now, env) == 0;
    free(now);
    if (ok)
        *id = r;
out:
    free(line);
    free(env);
    fclose(f);
    return ok;
}

void nvrtc_identity_write(const nvrtc_identity *id)
{
    char path[PATH_MAX], tmp[PATH_MAX + 32];
    if (!id || !record_path(path, sizeof path) || id->num_archs <= 0)
        return;
    if (!ga_cache_make_dirs(ga_cache_dir()))
        return;
    if (snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid()) >= (int)sizeof tmp)
        return;
    char *env = environment_line(id->path);
    if (!env)
        return;
    FILE *f = fopen(tmp, "w");
    if (!f) {
        free(env);
        return;
    }
    fprintf(f, "%s\nenv %s\npath %s\nversion %d\ncubin %d\narchs", RECORD_MAGIC, env, id->path,
            id->version, id->can_cubin);
    for (int i = 0; i < id->num_archs; i++)
        fprintf(f, " %d", id->archs[i]);
    fputc('\n', f);
    free(env);
    /* written whole, then renamed over the old record: a reader sees one
     * record or the other */
    if (fclose(f) != 0 || rename(tmp, path) != 0)
        unlink(tmp);
}
