/* source_rewrite.c - CUDA C source made compilable by g++ with the prelude,
 * and the exported entry of every kernel appended. */
/* This is a token scanner, not a parser: it finds the few constructs that
 * no header can fix (`extern __shared__ T s[];`, kernels named like libc
 * functions, inline asm, `#include <cuda_fp16.h>`) and edits them in place
 * without changing the line structure, so g++ reports the user's own line
 * numbers. Anything it does not recognise is left for g++ to judge. */
#include "hostrt_private.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- buffer */

typedef struct sbuf {
    char *s;
    size_t n, cap;
    int failed;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *p = realloc(b->s, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

static void sb_puts(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if ((size_t)n < sizeof tmp) {
        sb_put(b, tmp, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->failed = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb_put(b, big, (size_t)n);
    free(big);
}

/* A C++ string literal's body. */
static void sb_quoted(sbuf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            sb_put(b, "\\", 1);
        if (*s == '\n')
            sb_puts(b, "\\n");
        else
            sb_put(b, s, 1);
    }
}

/* -------------------------------------------------------------- lexer */

enum { T_IDENT, T_PUNCT, T_NUMBER, T_STRING, T_CHAR };

typedef struct tok {
    int kind;
    size_t start, end;
    int line;
    int pp;          /* directive number, 0 outside directives */
} tok;

typedef struct lexer {
    const char *src;
    tok *t;
    int n, cap;
    int failed;
} lexer;

static void add_tok(lexer *lx, int kind, size_t s, size_t e, int line, int pp)
{
    if (lx->failed)
        return;
    if (lx->n == lx->cap) {
        int cap = lx->cap ? lx->cap * 2 : 1024;
        tok *t = realloc(lx->t, (size_t)cap * sizeof *t);
        if (!t) {
            lx->failed = 1;
            return;
        }
        lx->t = t;
        lx->cap = cap;
    }
    lx->t[lx->n++] = (tok){kind, s, e, line, pp};
}

static int ident_start(int c) { return isalpha(c) || c == '_' || c == '$'; }
static int ident_char(int c) { return isalnum(c) || c == '_' || c == '$'; }

static void lex(lexer *lx)
{
    const char *s = lx->src;
    size_t i = 0;
    int line = 1, bol = 1, pp = 0, ndir = 0;
    while (s[i]) {
        char c = s[i];
        if (c == '\\' && s[i + 1] == '\n') {          /* continuation */
            i += 2;
            line++;
            continue;
        }
        if (c == '\\' && s[i + 1] == '\r' && s[i + 2] == '\n') {
            i += 3;
            line++;
            continue;
        }
        if (c == '\n') {
            i++;
            line++;
            bol = 1;
            pp = 0;
            continue;
        }
        if (isspace((unsigned char)c)) {
            i++;
            continue;
        }
        if (c == '/' && s[i + 1] == '/') {
            while (s[i] && s[i] != '\n') {
                if (s[i] == '\\' && s[i + 1] == '\n') {
                    line++;
                    i++;
                }
                i++;
            }
            continue;
        }
        if (c == '/' && s[i + 1] == '*') {
            i += 2;
            while (s[i] && !(s[i] == '*' && s[i + 1] == '/')) {
                if (s[i] == '\n')
                    line++;
                i++;
            }
            if (s[i])
                i += 2;
            continue;
        }
        size_t st = i;
        if (c == '#' && bol) {
            pp = ++ndir;
            bol = 0;
            add_tok(lx, T_PUNCT, st, st + 1, line, pp);
            i++;
            continue;
        }
        bol = 0;
        if (ident_start((unsigned char)c)) {
            while (ident_char((unsigned char)s[i]))
                i++;
            /* raw string: R"d( ... )d", with an optional u8/u/U/L prefix */
            if (s[i] == '"' && s[i - 1] == 'R' && i - st <= 3) {
                size_t d0 = i + 1, d1 = d0;
                while (s[d1] && s[d1] != '(' && d1 - d0 < 16)
                    d1++;
                if (s[d1] == '(') {
                    size_t dl = d1 - d0, k = d1 + 1;
                    for (; s[k]; k++) {
                        if (s[k] == '\n')
                            line++;
                        if (s[k] == ')' && !strncmp(s + k + 1, s + d0, dl) && s[k + 1 + dl] == '"') {
                            k += dl + 2;
                            break;
                        }
                    }
                    add_tok(lx, T_STRING, st, k, line, pp);
                    i = k;
                    continue;
                }
            }
            if ((s[i] == '"' || s[i] == '\'') &&
                ((i - st == 1 && strchr("uUL", c)) || (i - st == 2 && c == 'u' && s[st + 1] == '8'))) {
                /* prefixed literal: fall through to the quote below */
            } else {
                add_tok(lx, T_IDENT, st, i, line, pp);
                continue;
            }
        }
        if (s[i] == '"' || s[i] == '\'') {
            char q = s[i++];
            while (s[i] && s[i] != q && s[i] != '\n') {
                if (s[i] == '\\' && s[i + 1])
                    i++;
                i++;
            }
            if (s[i] == q)
                i++;
            add_tok(lx, q == '"' ? T_STRING : T_CHAR, st, i, line, pp);
            continue;
        }
        if (isdigit((unsigned char)c) || (c == '.' && isdigit((unsigned char)s[i + 1]))) {
            i++;
            for (;;) {
                if ((s[i] == '+' || s[i] == '-') && strchr("eEpP", s[i - 1]))
                    i++;
                else if (ident_char((unsigned char)s[i]) || s[i] == '.' ||
                         (s[i] == '\'' && ident_char((unsigned char)s[i + 1])))
                    i++;
                else
                    break;
            }
            add_tok(lx, T_NUMBER, st, i, line, pp);
            continue;
        }
        if (c == ':' && s[i + 1] == ':') {
            add_tok(lx, T_PUNCT, st, st + 2, line, pp);
            i += 2;
            continue;
        }
        add_tok(lx, T_PUNCT, st, st + 1, line, pp);
        i++;
    }
}

/* ------------------------------------------------------------- helpers */

typedef struct edit {
    size_t start, end;
    char *text;
} edit;

typedef struct kernel {
    char *qual;       /* "ns::" prefix or "" */
    char *name;
} kernel;

typedef struct rw {
    const char *src;
    lexer lx;
    edit *edits;
    int nedits, capedits;
    kernel *kernels;
    int nkernels, capkernels;
    char **gmacros;   /* object-like macros whose body holds __global__ */
    int ngmacros;
    char **entry_names;   /* per entry placed after a kernel's definition */
    int nentries, capentries;
    int asm_line;
    int failed;
} rw;

static int tok_is(const rw *r, int i, const char *word)
{
    if (i < 0 || i >= r->lx.n)
        return 0;
    const tok *t = &r->lx.t[i];
    size_t n = strlen(word);
    return t->end - t->start == n && !memcmp(r->src + t->start, word, n);
}

static char *tok_dup(const rw *r, int i)
{
    const tok *t = &r->lx.t[i];
    return strndup(r->src + t->start, t->end - t->start);
}

static void add_edit(rw *r, size_t start, size_t end, const char *text)
{
    if (r->failed)
        return;
    if (r->nedits == r->capedits) {
        int cap = r->capedits ? r->capedits * 2 : 64;
        edit *e = realloc(r->edits, (size_t)cap * sizeof *e);
        if (!e) {
            r->failed = 1;
            return;
        }
        r->edits = e;
        r->capedits = cap;
    }
    char *copy = strdup(text);
    if (!copy) {
        r->failed = 1;
        return;
    }
    r->edits[r->nedits++] = (edit){start, end, copy};
}

/* Index of the token closing the group opened at i ('(' '[' '{' '<'),
 * within the same directive state; n if unmatched. Angle brackets count
 * only angles (good enough for template argument lists). */
static int match_close(const rw *r, int i)
{
    const tok *t = r->lx.t;
    char open = r->src[t[i].start], close = open == '(' ? ')' : open == '[' ? ']' : open == '{' ? '}' : '>';
    int depth = 0, pp = t[i].pp;
    for (int k = i; k < r->lx.n; k++) {
        if (t[k].pp != pp)
            continue;
        if (t[k].kind != T_PUNCT || t[k].end - t[k].start != 1)
            continue;
        char c = r->src[t[k].start];
        if (c == open)
            depth++;
        else if (c == close && --depth == 0)
            return k;
    }
    return r->lx.n;
}

static int match_open_angle(const rw *r, int i)
{
    const tok *t = r->lx.t;
    int depth = 0;
    for (int k = i; k >= 0; k--) {
        if (t[k].pp != t[i].pp || t[k].kind != T_PUNCT)
            continue;
        char c = r->src[t[k].start];
        if (c == '>')
            depth++;
        else if (c == '<' && --depth == 0)
            return k;
    }
    return -1;
}

static int is_punct(const rw *r, int i, char c)
{
    return i >= 0 && i < r->lx.n && r->lx.t[i].kind == T_PUNCT &&
           r->lx.t[i].end - r->lx.t[i].start == 1 && r->src[r->lx.t[i].start] == c;
}

/* next/previous token in the same directive state as i */
static int next_tok(const rw *r, int i)
{
    int pp = r->lx.t[i].pp;
    for (int k = i + 1; k < r->lx.n; k++)
        if (r->lx.t[k].pp == pp)
            return k;
    return r->lx.n;
}

static int prev_tok(const rw *r, int i)
{
    int pp = r->lx.t[i].pp;
    for (int k = i - 1; k >= 0; k--)
        if (r->lx.t[k].pp == pp)
            return k;
    return -1;
}

static int is_attr_word(const rw *r, int i)
{
    return tok_is(r, i, "__align__") || tok_is(r, i, "__attribute__") || tok_is(r, i, "alignas") ||
           tok_is(r, i, "__declspec") || tok_is(r, i, "__launch_bounds__") || tok_is(r, i, "__maxnreg__");
}

static int is_global_word(const rw *r, int i)
{
    if (tok_is(r, i, "__global__"))
        return 1;
    for (int m = 0; m < r->ngmacros; m++)
        if (tok_is(r, i, r->gmacros[m]))
            return 1;
    return 0;
}

/* ---------------------------------------------------------- directives */

static const char *const cuda_headers[] = {
    "cuda.h", "cuda_runtime.h", "cuda_runtime_api.h", "cuda_fp16.h", "cuda_fp16.hpp",
    "cuda_bf16.h", "cuda_bf16.hpp", "device_launch_parameters.h", "device_functions.h",
    "device_atomic_functions.h", "vector_types.h", "vector_functions.h", "math_constants.h",
    "sm_20_intrinsics.h", "sm_30_intrinsics.h", "sm_32_intrinsics.h", "sm_35_intrinsics.h",
    "sm_60_atomic_functions.h", "sm_61_intrinsics.h", "crt/math_functions.h", "math_functions.h",
    "cuda_device_runtime_api.h", "hip/hip_runtime.h", "hip/hip_fp16.h",
};

/* A directive starting at token i ('#'): blank CUDA headers, note macros
 * that hide __global__. Returns the index after the directive. */
static int directive(rw *r, int i)
{
    const tok *t = r->lx.t;
    int pp = t[i].pp, end = i;
    while (end < r->lx.n && t[end].pp == pp)
        end++;
    int k = i + 1;
    if (k < end && tok_is(r, k, "include")) {
        size_t a = t[k].end, z = t[end - 1].end;
        const char *p = r->src + a;
        while (p < r->src + z && (*p == ' ' || *p == '\t'))
            p++;
        if (*p == '<' || *p == '"') {
            char close = *p == '<' ? '>' : '"';
            const char *q = memchr(p + 1, close, (size_t)(r->src + z - p - 1));
            if (q) {
                size_t len = (size_t)(q - p - 1);
                for (size_t h = 0; h < sizeof cuda_headers / sizeof cuda_headers[0]; h++)
                    if (strlen(cuda_headers[h]) == len && !memcmp(p + 1, cuda_headers[h], len)) {
                        char msg[160];
                        snprintf(msg, sizeof msg, "/* %s: provided by the host prelude */",
                                 cuda_headers[h]);
                        add_edit(r, t[i].start, z, msg);
                        break;
                    }
            }
        }
    } else if (k + 1 < end && tok_is(r, k, "define") && t[k + 1].kind == T_IDENT &&
               !(k + 2 < end && is_punct(r, k + 2, '(') && t[k + 2].start == t[k + 1].end)) {
        for (int b = k + 2; b < end; b++)
            if (tok_is(r, b, "__global__")) {
                char **g = realloc(r->gmacros, (size_t)(r->ngmacros + 1) * sizeof *g);
                if (!g || !(g[r->ngmacros] = tok_dup(r, k + 1))) {
                    if (g)
                        r->gmacros = g;
                    r->failed = 1;
                    break;
                }
                r->gmacros = g;
                r->ngmacros++;
                break;
            }
    }
    return end;
}

/* ------------------------------------------------------------- __shared__ */

/* Token text [a, b] joined with single spaces. */
static void put_span(const rw *r, sbuf *b, int a, int z, int skip_attrs)
{
    int first = 1;
    for (int k = a; k <= z; k++) {
        if (r->lx.t[k].pp != r->lx.t[a].pp)
            continue;
        if (skip_attrs && is_attr_word(r, k) && is_punct(r, next_tok(r, k), '(')) {
            k = match_close(r, next_tok(r, k));
            continue;
        }
        if (skip_attrs && (tok_is(r, k, "extern") || tok_is(r, k, "__shared__") ||
                           tok_is(r, k, "static")))
            continue;
        if (!first)
            sb_put(b, " ", 1);
        first = 0;
        sb_put(b, r->src + r->lx.t[k].start, r->lx.t[k].end - r->lx.t[k].start);
    }
}

/* `__shared__` at token i. Static: becomes `static thread_local` (every
 * block of an OS thread reuses it, like uninitialised shared memory).
 * `extern`: a pointer to the dynamic buffer (block scope) or an object
 * that converts to one (file scope). Returns the index to go on from. */
static int shared_decl(rw *r, int i, int file_scope)
{
    const tok *t = r->lx.t;
    int start = i, has_extern = 0, has_static = 0;
    for (int k = prev_tok(r, i); k >= 0; k = prev_tok(r, k)) {
        if (is_punct(r, k, ')')) {          /* __align__(16) before __shared__ */
            int depth = 0, o = k;
            for (; o >= 0; o = prev_tok(r, o)) {
                if (is_punct(r, o, ')'))
                    depth++;
                else if (is_punct(r, o, '(') && --depth == 0)
                    break;
            }
            int w = o > 0 ? prev_tok(r, o) : -1;
            if (w >= 0 && is_attr_word(r, w)) {
                start = k = w;
                continue;
            }
            break;
        }
        if (t[k].kind != T_IDENT)
            break;
        if (tok_is(r, k, "extern"))
            has_extern = 1;
        else if (tok_is(r, k, "static"))
            has_static = 1;
        else if (!tok_is(r, k, "volatile") && !tok_is(r, k, "const") && !tok_is(r, k, "__device__") &&
                 !tok_is(r, k, "inline"))
            break;
        start = k;
    }
    int name = -1, semi = -1, lbrack = -1;
    for (int k = next_tok(r, i); k < r->lx.n; k = next_tok(r, k)) {
        if (is_attr_word(r, k) && is_punct(r, next_tok(r, k), '(')) {
            k = match_close(r, next_tok(r, k));
            continue;
        }
        if (tok_is(r, k, "extern"))
            has_extern = 1;
        else if (tok_is(r, k, "static"))
            has_static = 1;
        if (is_punct(r, k, '[') && lbrack < 0) {
            lbrack = k;
            name = prev_tok(r, k);
        }
        if (is_punct(r, k, ';')) {
            semi = k;
            break;
        }
        if (is_punct(r, k, '{') || is_punct(r, k, '}') || is_punct(r, k, '='))
            break;
    }
    if (!has_extern) {
        add_edit(r, t[i].start, t[i].end, has_static ? "thread_local" : "static thread_local");
        return i + 1;
    }
    if (semi < 0 || lbrack < 0 || name < 0 || t[name].kind != T_IDENT) {
        /* not `extern __shared__ T name[];`: g++ will say what is wrong */
        return i + 1;
    }
    int rbrack = match_close(r, lbrack);
    sbuf type = {0}, dims = {0}, out = {0};
    put_span(r, &type, start, prev_tok(r, name), 1);
    if (rbrack + 1 < semi)
        put_span(r, &dims, next_tok(r, rbrack), prev_tok(r, semi), 0);
    const char *ty = type.s ? type.s : "char", *dm = dims.s ? dims.s : "";
    char *nm = tok_dup(r, name);
    if (!nm) {
        r->failed = 1;
        return semi + 1;
    }
    if (file_scope)
        sb_printf(&out, "static ::gahost::dynamic_shared<%s (*)%s> %s;", ty, dm, nm);
    else
        sb_printf(&out, "%s (*%s)%s = (%s (*)%s)::gahost::dyn_shared_ptr();", ty, nm, dm, ty, dm);
    if (type.failed || dims.failed || out.failed)
        r->failed = 1;
    else
        add_edit(r, t[start].start, t[semi].end, out.s);
    free(nm);
    free(type.s);
    free(dims.s);
    free(out.s);
    return semi + 1;
}

/* ------------------------------------------------------------ kernels */

static kernel *kernel_find(rw *r, const char *qual, const char *name)
{
    for (int k = 0; k < r->nkernels; k++)
        if (!strcmp(r->kernels[k].qual, qual) && !strcmp(r->kernels[k].name, name))
            return &r->kernels[k];
    return NULL;
}

static int kernel_name_known(const rw *r, const char *name, size_t len)
{
    for (int k = 0; k < r->nkernels; k++)
        if (strlen(r->kernels[k].name) == len && !memcmp(r->kernels[k].name, name, len))
            return 1;
    return 0;
}

/* The exported entry of kernel K (an expression naming one function), the
 * descriptor of it, on one line. */
static void put_entry(sbuf *b, int n, const char *display, const char *k)
{
    sb_printf(b, "using gahost_kt_%d = ::gahost::launcher<%s>; "
              "extern \"C\" __attribute__((visibility(\"default\"))) int gahost_entry_%d("
              "void **gahost_args_, gahost_dim3 gahost_grid_, gahost_dim3 gahost_block_, "
              "size_t gahost_shmem_) { return gahost_kt_%d::entry(gahost_args_, gahost_grid_, "
              "gahost_block_, gahost_shmem_); } "
              "extern \"C\" const gahost_kernel_desc gahost_desc_%d = {\"", n, k, n, n, n);
    sb_quoted(b, display);
    sb_printf(b, "\", \"gahost_entry_%d\", gahost_entry_%d, gahost_kt_%d::num_params, "
              "gahost_kt_%d::param_sizes, gahost_kt_%d::param_aligns};", n, n, n, n, n);
}

/* A non-template kernel definition gets its entry right after its body, in
 * the same namespace and preprocessor branch: kernels defined twice under
 * #if/#else work, and the pointer is cast to the definition's own
 * parameter list, so an overloaded kernel name is not ambiguous. */
static void place_entry(rw *r, const char *qual, const char *name, int open, int close, int body_end)
{
    if (r->nentries == r->capentries) {
        int cap = r->capentries ? r->capentries * 2 : 16;
        char **e = realloc(r->entry_names, (size_t)cap * sizeof *e);
        if (!e) {
            r->failed = 1;
            return;
        }
        r->entry_names = e;
        r->capentries = cap;
    }
    sbuf params = {0}, k = {0}, text = {0}, display = {0};
    /* the parameter list without default arguments */
    int depth = 0, skipping = 0;
    sb_puts(&params, "");
    for (int t = next_tok(r, open); t < close; t = next_tok(r, t)) {
        char c = r->lx.t[t].kind == T_PUNCT && r->lx.t[t].end - r->lx.t[t].start == 1
               ? r->src[r->lx.t[t].start] : 0;
        if (c == '(' || c == '[' || c == '{')
            depth++;
        else if (c == ')' || c == ']' || c == '}')
            depth--;
        else if (depth == 0 && c == '=')
            skipping = 1;
        else if (depth == 0 && c == ',')
            skipping = 0;
        if (skipping)
            continue;
        if (params.n)
            sb_put(&params, " ", 1);
        sb_put(&params, r->src + r->lx.t[t].start, r->lx.t[t].end - r->lx.t[t].start);
    }
    sb_printf(&k, "static_cast<void (*)(%s)>(&gahost_k_%s)", params.s ? params.s : "", name);
    sb_printf(&display, "%s%s", qual, name);
    sb_puts(&text, " ");
    put_entry(&text, r->nentries, display.s ? display.s : "", k.s ? k.s : "");
    if (params.failed || k.failed || text.failed || display.failed) {
        r->failed = 1;
    } else {
        add_edit(r, r->lx.t[body_end].end, r->lx.t[body_end].end, text.s);
        r->entry_names[r->nentries++] = display.s;
        display.s = NULL;
    }
    free(params.s);
    free(k.s);
    free(text.s);
    free(display.s);
}

/* `__global__` at token i: find the declarator name, rename it, note it. */
static void kernel_decl(rw *r, int i, const char *qual)
{
    int is_template = 0;
    for (int k = prev_tok(r, i); k >= 0; k = prev_tok(r, k)) {
        if (is_punct(r, k, ';') || is_punct(r, k, '{') || is_punct(r, k, '}'))
            break;
        if (tok_is(r, k, "template"))
            is_template = 1;
    }
    int name = -1, open = -1;
    for (int k = next_tok(r, i); k < r->lx.n; k = next_tok(r, k)) {
        if (is_attr_word(r, k) && is_punct(r, next_tok(r, k), '(')) {
            k = match_close(r, next_tok(r, k));
            continue;
        }
        if (is_punct(r, k, ';') || is_punct(r, k, '{') || is_punct(r, k, '}'))
            return;
        if (is_punct(r, k, '(')) {
            int p = prev_tok(r, k);
            if (p >= 0 && is_punct(r, p, '>')) {   /* explicit instantiation f<T>( */
                int lt = match_open_angle(r, p);
                p = lt > 0 ? prev_tok(r, lt) : -1;
                is_template = 1;
            }
            if (p > i && r->lx.t[p].kind == T_IDENT && !is_attr_word(r, p)) {
                name = p;
                open = k;
            }
            break;
        }
    }
    if (name < 0)
        return;
    int close = match_close(r, open);
    int after = close < r->lx.n ? next_tok(r, close) : r->lx.n;
    while (after < r->lx.n && (is_attr_word(r, after) || tok_is(r, after, "noexcept"))) {
        int nx = next_tok(r, after);
        after = is_punct(r, nx, '(') ? next_tok(r, match_close(r, nx)) : nx;
    }
    int is_def = after < r->lx.n && is_punct(r, after, '{');

    char *nm = tok_dup(r, name);
    if (!nm) {
        r->failed = 1;
        return;
    }
    char renamed[512];
    snprintf(renamed, sizeof renamed, "gahost_k_%s", nm);
    add_edit(r, r->lx.t[name].start, r->lx.t[name].end, renamed);
    if (is_def && !is_template) {
        int body_end = match_close(r, after);
        if (body_end < r->lx.n)
            place_entry(r, qual, nm, open, close, body_end);
    }

    kernel *kn = kernel_find(r, qual, nm);
    if (!kn) {
        if (r->nkernels == r->capkernels) {
            int cap = r->capkernels ? r->capkernels * 2 : 16;
            kernel *kk = realloc(r->kernels, (size_t)cap * sizeof *kk);
            if (!kk) {
                free(nm);
                r->failed = 1;
                return;
            }
            r->kernels = kk;
            r->capkernels = cap;
        }
        kn = &r->kernels[r->nkernels++];
        kn->qual = strdup(qual);
        kn->name = nm;
        if (!kn->qual)
            r->failed = 1;
    } else {
        free(nm);
    }
}

/* ---------------------------------------------------------------- asm */

/* `asm [volatile|goto|inline]* ( ... )`: a static_assert that names the
 * problem at the user's line, only if the code is compiled at all. */
static int asm_stmt(rw *r, int i)
{
    int k = next_tok(r, i);
    while (k < r->lx.n && (tok_is(r, k, "volatile") || tok_is(r, k, "__volatile__") ||
                           tok_is(r, k, "goto") || tok_is(r, k, "inline") || tok_is(r, k, "__inline__")))
        k = next_tok(r, k);
    if (k >= r->lx.n || !is_punct(r, k, '('))
        return i + 1;
    int close = match_close(r, k);
    if (close >= r->lx.n)
        return i + 1;
    if (!r->asm_line)
        r->asm_line = r->lx.t[i].line;
    add_edit(r, r->lx.t[i].start, r->lx.t[close].end,
             "static_assert(::gahost::ptx_asm<__LINE__>::unsupported, \"" GAHOST_UNSUPPORTED_MARKER "\")");
    return close + 1;
}

/* ----------------------------------------------------------- the pass */

enum { FR_NS, FR_LINKAGE, FR_OTHER };

typedef struct frame {
    int kind;
    size_t qual_len;   /* length of the qualifier before this frame */
} frame;

static void scan(rw *r)
{
    const tok *t = r->lx.t;
    frame *frames = NULL;
    int nframes = 0, capframes = 0, nother = 0;
    sbuf qual = {0};
    sb_puts(&qual, "");
    int pending_kind = FR_OTHER;     /* what the next '{' opens */
    sbuf pending_ns = {0};

    for (int i = 0; i < r->lx.n && !r->failed;) {
        if (t[i].pp) {
            if (is_punct(r, i, '#') && (i == 0 || t[i - 1].pp != t[i].pp)) {
                int end = directive(r, i);
                for (int k = i; k < end; k++) {
                    if (tok_is(r, k, "asm") || tok_is(r, k, "__asm__") || tok_is(r, k, "__asm"))
                        k = asm_stmt(r, k) - 1;
                    else if (tok_is(r, k, "__noinline__"))
                        add_edit(r, t[k].start, t[k].end, "__attribute__((noinline))");
                }
                i = end;
                continue;
            }
            i++;
            continue;
        }
        if (tok_is(r, i, "namespace")) {
            int k = next_tok(r, i);
            free(pending_ns.s);
            pending_ns = (sbuf){0};
            sb_puts(&pending_ns, "");
            while (k < r->lx.n && (t[k].kind == T_IDENT || tok_is(r, k, "::"))) {
                if (t[k].kind == T_IDENT && !tok_is(r, k, "inline")) {
                    sb_put(&pending_ns, r->src + t[k].start, t[k].end - t[k].start);
                    sb_puts(&pending_ns, "::");
                }
                k = next_tok(r, k);
            }
            if (k < r->lx.n && is_punct(r, k, '{')) {
                pending_kind = FR_NS;
                i = k;
                continue;
            }
            i++;
            continue;
        }
        if (tok_is(r, i, "extern") && next_tok(r, i) < r->lx.n && t[next_tok(r, i)].kind == T_STRING &&
            is_punct(r, next_tok(r, next_tok(r, i)), '{')) {
            pending_kind = FR_LINKAGE;
            i = next_tok(r, next_tok(r, i));
            continue;
        }
        if (is_punct(r, i, '{')) {
            if (nframes == capframes) {
                int cap = capframes ? capframes * 2 : 32;
                frame *f = realloc(frames, (size_t)cap * sizeof *f);
                if (!f) {
                    r->failed = 1;
                    break;
                }
                frames = f;
                capframes = cap;
            }
            frames[nframes++] = (frame){pending_kind, qual.n};
            if (pending_kind == FR_NS && pending_ns.s)
                sb_puts(&qual, pending_ns.s);
            if (pending_kind == FR_OTHER)
                nother++;
            pending_kind = FR_OTHER;
            i++;
            continue;
        }
        if (is_punct(r, i, '}')) {
            if (nframes) {
                frame f = frames[--nframes];
                if (f.kind == FR_OTHER)
                    nother--;
                qual.n = f.qual_len;
                if (qual.s)
                    qual.s[qual.n] = '\0';
            }
            i++;
            continue;
        }
        if (is_punct(r, i, ';'))
            pending_kind = FR_OTHER;
        if (tok_is(r, i, "__shared__")) {
            i = shared_decl(r, i, nother == 0);
            continue;
        }
        if (is_global_word(r, i)) {
            kernel_decl(r, i, qual.s ? qual.s : "");
            i++;
            continue;
        }
        if (tok_is(r, i, "asm") || tok_is(r, i, "__asm__") || tok_is(r, i, "__asm")) {
            i = asm_stmt(r, i);
            continue;
        }
        if (tok_is(r, i, "__noinline__"))
            add_edit(r, t[i].start, t[i].end, "__attribute__((noinline))");
        i++;
    }
    if (qual.failed || pending_ns.failed)
        r->failed = 1;
    free(frames);
    free(qual.s);
    free(pending_ns.s);
}

static int cmp_edit(const void *a, const void *b)
{
    const edit *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return (x->end != x->start) - (y->end != y->start);   /* insertions first */
}

static int count_nl(const char *s, size_t n)
{
    int c = 0;
    for (size_t i = 0; i < n; i++)
        c += s[i] == '\n';
    return c;
}

/* Rename the kernel named in a name expression ("ns::scale<float>"). */
static void put_name_expression(const rw *r, sbuf *b, const char *e)
{
    while (isspace((unsigned char)*e))
        e++;
    if (*e == '&')
        e++;
    const char *lt = strchr(e, '<');
    const char *stop = lt ? lt : e + strlen(e);
    while (stop > e && isspace((unsigned char)stop[-1]))
        stop--;
    const char *id = stop;
    while (id > e && ident_char((unsigned char)id[-1]))
        id--;
    if (id < stop && kernel_name_known(r, id, (size_t)(stop - id))) {
        sb_put(b, e, (size_t)(id - e));
        sb_puts(b, "gahost_k_");
        sb_puts(b, id);
    } else {
        sb_puts(b, e);
    }
}

static void fail_msg(char **error, const char *msg)
{
    if (error)
        *error = strdup(msg);
}

HOSTRT_API void gahost_rewrite_free(gahost_rewrite *rwo)
{
    if (!rwo)
        return;
    for (int i = 0; i < rwo->num_kernels; i++) {
        if (rwo->names)
            free(rwo->names[i]);
        if (rwo->symbols)
            free(rwo->symbols[i]);
    }
    for (int i = 0; i < rwo->num_lowered; i++)
        if (rwo->lowered)
            free(rwo->lowered[i]);
    free(rwo->names);
    free(rwo->symbols);
    free(rwo->lowered);
    free(rwo->source);
    memset(rwo, 0, sizeof *rwo);
}

HOSTRT_API int gahost_rewrite_source(const char *source, const char *source_name,
                                     const char *const *name_expressions, int num_name_expressions,
                                     gahost_rewrite *out, char **error)
{
    if (error)
        *error = NULL;
    if (!out || !source || num_name_expressions < 0 || (num_name_expressions && !name_expressions)) {
        fail_msg(error, "gahost_rewrite_source: NULL source/result or bad name expression list");
        return hostrt_error(GAHOST_ERROR_INVALID, "gahost_rewrite_source: bad argument");
    }
    memset(out, 0, sizeof *out);
    for (int i = 0; i < num_name_expressions; i++)
        if (!name_expressions[i] || !*name_expressions[i]) {
            fail_msg(error, "gahost_rewrite_source: empty name expression");
            return hostrt_error(GAHOST_ERROR_INVALID, "gahost_rewrite_source: empty name expression");
        }
    if (!source_name || !*source_name)
        source_name = "kernel.cu";

    rw r = {0};
    r.src = source;
    r.lx.src = source;
    lex(&r.lx);
    r.failed = r.lx.failed;
    if (!r.failed)
        scan(&r);

    sbuf b = {0};
    int st = GAHOST_OK;
    if (!r.failed) {
        qsort(r.edits, (size_t)r.nedits, sizeof *r.edits, cmp_edit);
        sb_puts(&b, "#line 1 \"");
        sb_quoted(&b, source_name);
        sb_puts(&b, "\"\n");
        size_t pos = 0;
        for (int e = 0; e < r.nedits; e++) {
            edit *ed = &r.edits[e];
            if (ed->start < pos)
                continue;           /* overlapping (cannot happen): keep the first */
            sb_put(&b, source + pos, ed->start - pos);
            sb_puts(&b, ed->text);
            for (int nl = count_nl(source + ed->start, ed->end - ed->start) - count_nl(ed->text, strlen(ed->text));
                 nl > 0; nl--)
                sb_put(&b, "\n", 1);
            pos = ed->end;
        }
        sb_puts(&b, source + pos);

        /* Entries: those placed after kernel definitions (weak: their #if
         * branch may be inactive), then one per name expression; a
         * constructor gathers the ones that exist into the descriptor. */
        int total = r.nentries + num_name_expressions;
        out->names = calloc((size_t)total + 1, sizeof(char *));
        out->symbols = calloc((size_t)total + 1, sizeof(char *));
        out->lowered = calloc((size_t)num_name_expressions + 1, sizeof(char *));
        if (!out->names || !out->symbols || !out->lowered)
            r.failed = 1;
        out->num_lowered = num_name_expressions;
        sb_puts(&b, "\n#line 1 \"<gahost entries>\"\n");
        for (int n = 0; n < total && !r.failed; n++) {
            char sym[32];
            snprintf(sym, sizeof sym, "gahost_entry_%d", n);
            if (n < r.nentries) {
                out->names[n] = r.entry_names[n];
                r.entry_names[n] = NULL;
            } else {
                const char *e = name_expressions[n - r.nentries];
                sbuf target = {0};
                sb_puts(&target, "&");
                put_name_expression(&r, &target, e);
                put_entry(&b, n, e, target.s ? target.s : "");
                sb_puts(&b, "\n");
                free(target.s);
                out->names[n] = strdup(e);
                if (target.failed || !(out->lowered[n - r.nentries] = strdup(sym)))
                    r.failed = 1;
            }
            out->symbols[n] = strdup(sym);
            out->num_kernels = n + 1;
            if (!out->names[n] || !out->symbols[n])
                r.failed = 1;
        }
        sb_printf(&b, "static gahost_kernel_desc gahost_kernels_[%d];\n"
                  "extern \"C\" { __attribute__((visibility(\"default\"))) gahost_module_desc gahost_module = "
                  "{GAHOST_ABI_VERSION, 0, gahost_kernels_}; }\n"
                  "__attribute__((constructor)) static void gahost_module_init_()\n{\n"
                  "    unsigned n = 0;\n", total + 1);
        for (int n = 0; n < total; n++)
            sb_printf(&b, "    if (&gahost_desc_%d) gahost_kernels_[n++] = gahost_desc_%d;\n", n, n);
        sb_puts(&b, "    gahost_module.num_kernels = n;\n}\n");

        /* weak declarations first, before the user's first line */
        sbuf pro = {0};
        sb_puts(&pro, "extern \"C\" {\n");
        for (int n = 0; n < total; n++)
            sb_printf(&pro, "extern const gahost_kernel_desc gahost_desc_%d __attribute__((weak, visibility(\"hidden\")));\n", n);
        sb_puts(&pro, "}\n");
        sb_puts(&pro, b.s ? b.s : "");
        if (pro.failed || b.failed)
            r.failed = 1;
        free(b.s);
        b = pro;
    }
    if (r.failed) {
        free(b.s);
        gahost_rewrite_free(out);
        fail_msg(error, "out of memory while rewriting the kernel source");
        st = hostrt_error(GAHOST_ERROR_NOMEM, "out of memory while rewriting the kernel source");
    } else {
        out->source = b.s;
        out->asm_line = r.asm_line;
        hostrt_clear_error();
    }
    for (int e = 0; e < r.nedits; e++)
        free(r.edits[e].text);
    free(r.edits);
    for (int k = 0; k < r.nkernels; k++) {
        free(r.kernels[k].qual);
        free(r.kernels[k].name);
    }
    free(r.kernels);
    for (int m = 0; m < r.ngmacros; m++)
        free(r.gmacros[m]);
    free(r.gmacros);
    for (int n = 0; n < r.nentries; n++)
        free(r.entry_names[n]);
    free(r.entry_names);
    free(r.lx.t);
    return st;
}
