/* cuda_nvrtc_identity.c - NVRTC's version and architectures without loading
 * NVRTC, for kernel-cache hits.
 *
 * Why: a cache key needs NVRTC's version and the architecture it would
 * compile for, and dlopen of NVRTC (a library of tens of megabytes) costs
 * 7 to 12 ms, nearly all of a disk-cache hit. The first process that loads
 * NVRTC writes what it learned to <cache dir>/nvrtc-identity; later ones
 * use it as long as nothing that decides which NVRTC the loader finds has
 * changed: the fingerprint of the search (libsearch.c: its variables, the
 * dynamic linker's cache, the directories searched and the library file
 * itself, by device, inode, size and modification time). Any difference makes
 * the record stale and the process loads NVRTC as before. When NVRTC is
 * loaded for a compile, the backend checks the record against it once
 * more (ga_cuda_compiler_confirm). */
#include "cuda_nvrtc_identity.h"
#include "kernel_cache.h"
#include "libnvrtc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RECORD_NAME "nvrtc-identity"
#define RECORD_MAGIC "gpuarray nvrtc identity 1"

/* One line that changes when anything the NVRTC search depends on does. */
static char *environment_line(const char *library)
{
    strbuf sb = { 0 };
    ga_nvrtc_search_fingerprint(library, &sb);
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
