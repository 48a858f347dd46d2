/* kernel_params.c - a kernel's declared parameters, read from its CUDA C source or its PTX. */
/* This is not a C++ parser: it reads the one declaration it needs, token by
 * token, after comments, string literals and preprocessor lines are gone.
 * Whatever it cannot name becomes GA_DTYPE_UNKNOWN, which callers treat as
 * "do not check", so a misread costs a check, never a wrong conversion. */
#include "ga_private.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- dtypes */

size_t ga_dtype_size(ga_dtype dtype)
{
    switch (dtype) {
    case GA_BOOL: case GA_INT8: case GA_UINT8: return 1;
    case GA_INT16: case GA_UINT16: case GA_FLOAT16: case GA_BFLOAT16: return 2;
    case GA_INT32: case GA_UINT32: case GA_FLOAT32: return 4;
    case GA_INT64: case GA_UINT64: case GA_FLOAT64: case GA_COMPLEX64: return 8;
    case GA_COMPLEX128: return 16;
    default: return 0;
    }
}

const char *ga_dtype_name(ga_dtype dtype)
{
    /* NumPy's spellings, so Python can pass them to numpy.dtype(). */
    static const char *const names[GA_DTYPE_COUNT] = {
        [GA_DTYPE_UNKNOWN] = "unknown", [GA_BOOL] = "bool", [GA_INT8] = "int8",
        [GA_UINT8] = "uint8", [GA_INT16] = "int16", [GA_UINT16] = "uint16",
        [GA_INT32] = "int32", [GA_UINT32] = "uint32", [GA_INT64] = "int64",
        [GA_UINT64] = "uint64", [GA_FLOAT16] = "float16", [GA_BFLOAT16] = "bfloat16",
        [GA_FLOAT32] = "float32", [GA_FLOAT64] = "float64", [GA_COMPLEX64] = "complex64",
        [GA_COMPLEX128] = "complex128", [GA_DTYPE_VOID] = "void",
    };
    if ((int)dtype < 0 || dtype >= GA_DTYPE_COUNT)
        return "unknown";
    return names[dtype];
}

static size_t align_up(size_t v, size_t a) { return a > 1 ? (v + a - 1) / a * a : v; }

/* A preset size of an UNKNOWN value (from PTX: .b8 name[N]) is kept; its
 * alignment is then the largest power of two dividing it, up to 8, which
 * is what aggregates of scalars get. From C source it is 0. */
void ga_params_layout(ga_param *params, int count)
{
    size_t off = 0;
    for (int i = 0; i < count; i++) {
        ga_param *p = &params[i];
        size_t size, align;
        if (p->kind == GA_PARAM_POINTER) {
            size = align = 8;
        } else if (p->dtype == GA_DTYPE_UNKNOWN || p->dtype == GA_DTYPE_VOID) {
            size = p->dtype == GA_DTYPE_UNKNOWN ? p->size : 0;
            align = 1;
            while (size && align < 8 && size % (align * 2) == 0)
                align *= 2;
        } else {
            size = ga_dtype_size(p->dtype);
            /* A complex number aligns like its components. */
            align = (p->dtype == GA_COMPLEX64 || p->dtype == GA_COMPLEX128) ? size / 2 : size;
        }
        off = align_up(off, align);
        p->offset = off;
        p->size = size;
        off += size;
    }
}

/* ------------------------------------------------------------- lexer */

typedef enum { TK_IDENT, TK_NUMBER, TK_STRING, TK_PUNCT } tok_kind;

typedef struct tok {
    tok_kind kind;
    const char *p;
    size_t n;
} tok;

typedef struct tok_list {
    tok *v;
    size_t n, cap;
} tok_list;

static int push(tok_list *l, tok_kind kind, const char *p, size_t n)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        tok *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return 0;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = (tok){ kind, p, n };
    return 1;
}

static int ident_start(char c) { return isalpha((unsigned char)c) || c == '_' || c == '$'; }
static int ident_char(char c) { return isalnum((unsigned char)c) || c == '_' || c == '$'; }

static int is(const tok *t, const char *s)
{
    size_t n = strlen(s);
    return t->n == n && memcmp(t->p, s, n) == 0;
}

static int same(const tok *a, const tok *b) { return a->n == b->n && memcmp(a->p, b->p, a->n) == 0; }

static int is_one_of(const tok *t, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (is(t, set[i]))
            return 1;
    return 0;
}
#define ONE_OF(t, set) is_one_of((t), (set), sizeof(set) / sizeof((set)[0]))

/* Tokens of s. Comments and string/char literals never yield identifiers;
 * with `c_source`, preprocessor lines are dropped too (a #define that
 * mentions __global__ must not be taken for a kernel). Returns 0 only when
 * out of memory. */
static int lex(const char *s, int c_source, tok_list *out)
{
    size_t len = strlen(s), i = 0;
    int line_start = 1;
    while (i < len) {
        char c = s[i];
        if (c == '\n') {
            line_start = 1;
            i++;
        } else if (isspace((unsigned char)c)) {
            i++;
        } else if (c == '/' && i + 1 < len && s[i + 1] == '/') {
            while (i < len && s[i] != '\n')
                i++;
        } else if (c == '/' && i + 1 < len && s[i + 1] == '*') {
            i += 2;
            while (i + 1 < len && !(s[i] == '*' && s[i + 1] == '/'))
                i++;
            i = i + 2 < len ? i + 2 : len;
        } else if (c == '#' && c_source && line_start) {
            /* To the end of the line, following backslash continuations. */
            while (i < len && s[i] != '\n') {
                if (s[i] == '\\' && i + 1 < len && s[i + 1] == '\n')
                    i++;
                else if (s[i] == '\\' && i + 2 < len && s[i + 1] == '\r' && s[i + 2] == '\n')
                    i += 2;
                i++;
            }
        } else if (c == '"' || c == '\'') {
            size_t j = i + 1;
            while (j < len && s[j] != c && s[j] != '\n')
                j += (s[j] == '\\' && j + 1 < len) ? 2 : 1;
            j = j < len ? j + 1 : len;
            if (!push(out, TK_STRING, s + i, j - i))
                return 0;
            line_start = 0;
            i = j;
        } else if (ident_start(c)) {
            size_t j = i;
            while (j < len && ident_char(s[j]))
                j++;
            /* Raw string literal R"delim( ... )delim" (any encoding prefix). */
            if (j < len && s[j] == '"' && s[j - 1] == 'R' && j - i <= 3) {
                size_t d = j + 1;
                while (d < len && d - j - 1 < 16 && s[d] != '(' && !isspace((unsigned char)s[d]))
                    d++;
                if (d < len && s[d] == '(') {
                    size_t dn = d - j - 1, k = d + 1;
                    while (k < len && !(s[k] == ')' && k + 1 + dn < len &&
                                        memcmp(s + k + 1, s + j + 1, dn) == 0 && s[k + 1 + dn] == '"'))
                        k++;
                    k = k < len ? k + 2 + dn : len;
                    if (!push(out, TK_STRING, s + i, k - i))
                        return 0;
                    line_start = 0;
                    i = k;
                    continue;
                }
            }
            if (!push(out, TK_IDENT, s + i, j - i))
                return 0;
            line_start = 0;
            i = j;
        } else if (isdigit((unsigned char)c) || (c == '.' && i + 1 < len && isdigit((unsigned char)s[i + 1]))) {
            size_t j = i + 1;
            while (j < len && (isalnum((unsigned char)s[j]) || s[j] == '.' || s[j] == '_' || s[j] == '\'' ||
                               ((s[j] == '+' || s[j] == '-') && strchr("eEpP", s[j - 1]))))
                j++;
            if (!push(out, TK_NUMBER, s + i, j - i))
                return 0;
            line_start = 0;
            i = j;
        } else {
            size_t n = (c == ':' && i + 1 < len && s[i + 1] == ':') ? 2 : 1;
            if (!push(out, TK_PUNCT, s + i, n))
                return 0;
            line_start = 0;
            i += n;
        }
    }
    return 1;
}

/* ------------------------------------------------------------ brackets */

/* Index of the ')' (or ']') closing the one at `open`, or n. */
static size_t match_paren(const tok *t, size_t n, size_t open)
{
    const char *o = is(&t[open], "[") ? "[" : "(", *c = is(&t[open], "[") ? "]" : ")";
    int depth = 0;
    for (size_t i = open; i < n; i++) {
        if (is(&t[i], o))
            depth++;
        else if (is(&t[i], c) && --depth == 0)
            return i;
    }
    return n;
}

/* Index of the '>' closing the '<' at `open`, or n. Brackets inside
 * parentheses do not count (a default argument `(a > b)`). */
static size_t match_angle(const tok *t, size_t n, size_t open)
{
    int depth = 0, paren = 0;
    for (size_t i = open; i < n; i++) {
        const tok *x = &t[i];
        if (x->kind != TK_PUNCT)
            continue;
        if (is(x, "(") || is(x, "[") || is(x, "{")) {
            paren++;
        } else if (is(x, ")") || is(x, "]") || is(x, "}")) {
            if (paren-- == 0)
                return n;
        } else if (paren == 0 && is(x, "<")) {
            depth++;
        } else if (paren == 0 && is(x, ">")) {
            if (--depth == 0)
                return i;
        } else if (paren == 0 && is(x, ";")) {
            return n;
        }
    }
    return n;
}

typedef struct span {
    size_t lo, hi;           /* tokens [lo, hi) */
} span;

/* Split [lo, hi) at commas outside any bracket; returns the count written
 * (at most max, the rest are dropped). */
static size_t split_commas(const tok *t, span s, span *out, size_t max)
{
    size_t count = 0, start = s.lo;
    int depth = 0;
    for (size_t i = s.lo; i <= s.hi; i++) {
        if (i < s.hi) {
            const tok *x = &t[i];
            if (x->kind != TK_PUNCT)
                continue;
            if (is(x, "(") || is(x, "[") || is(x, "{") || is(x, "<")) {
                depth++;
                continue;
            }
            if (is(x, ")") || is(x, "]") || is(x, "}") || is(x, ">")) {
                if (depth > 0)
                    depth--;
                continue;
            }
            if (!is(x, ",") || depth > 0)
                continue;
        }
        if (count < max)
            out[count] = (span){ start, i };
        count++;
        start = i + 1;
    }
    return count < max ? count : max;
}

/* ------------------------------------------------------- type mapping */

static const char *const qualifier_words[] = {
    "const", "volatile", "__restrict__", "__restrict", "restrict", "__grid_constant__", "register",
};
static const char *const elaborated_words[] = { "struct", "class", "union", "enum", "typename" };
static const char *const builtin_words[] = {
    "void", "bool", "_Bool", "char", "short", "int", "long", "signed", "unsigned", "float", "double",
};
/* Macros that take a parenthesised argument between __global__ and the
 * name, or inside a parameter. */
static const char *const attribute_words[] = {
    "__launch_bounds__", "__attribute__", "__declspec", "alignas", "__align__",
    "__cluster_dims__", "__maxnreg__", "__block_size__",
};

static const struct { const char *name; ga_dtype dtype; } typedef_names[] = {
    { "int8_t", GA_INT8 },     { "uint8_t", GA_UINT8 },   { "int16_t", GA_INT16 },
    { "uint16_t", GA_UINT16 }, { "int32_t", GA_INT32 },   { "uint32_t", GA_UINT32 },
    { "int64_t", GA_INT64 },   { "uint64_t", GA_UINT64 }, { "size_t", GA_UINT64 },
    { "ssize_t", GA_INT64 },   { "ptrdiff_t", GA_INT64 }, { "intptr_t", GA_INT64 },
    { "uintptr_t", GA_UINT64 }, { "__half", GA_FLOAT16 }, { "half", GA_FLOAT16 },
    { "__nv_bfloat16", GA_BFLOAT16 }, { "nv_bfloat16", GA_BFLOAT16 },
    { "cuComplex", GA_COMPLEX64 }, { "cuFloatComplex", GA_COMPLEX64 },
    { "cuDoubleComplex", GA_COMPLEX128 },
};

/* int, unsigned long long, signed char, ... (LP64: long is 64 bits). */
static ga_dtype map_builtin(const tok *t, size_t n)
{
    int c[sizeof builtin_words / sizeof builtin_words[0]] = { 0 };
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < sizeof c / sizeof c[0] && !is(&t[i], builtin_words[k]))
            k++;
        if (k == sizeof c / sizeof c[0])
            return GA_DTYPE_UNKNOWN;
        c[k]++;
    }
    enum { VOID_, BOOL_, CBOOL_, CHAR_, SHORT_, INT_, LONG_, SIGNED_, UNSIGNED_, FLOAT_, DOUBLE_ };
    int u = c[UNSIGNED_] > 0;
    if (n == 1 && c[FLOAT_]) return GA_FLOAT32;
    if (n == 1 && c[DOUBLE_]) return GA_FLOAT64;
    if (n == 1 && c[VOID_]) return GA_DTYPE_VOID;
    if (n == 1 && (c[BOOL_] || c[CBOOL_])) return GA_BOOL;
    if (c[FLOAT_] || c[DOUBLE_] || c[VOID_] || c[BOOL_] || c[CBOOL_] ||
        (c[SIGNED_] && c[UNSIGNED_]) || c[SIGNED_] > 1 || c[UNSIGNED_] > 1 || c[INT_] > 1)
        return GA_DTYPE_UNKNOWN;
    if (c[CHAR_])
        return (c[CHAR_] > 1 || c[SHORT_] || c[LONG_] || c[INT_]) ? GA_DTYPE_UNKNOWN
               : u ? GA_UINT8 : GA_INT8;
    if (c[SHORT_])
        return (c[SHORT_] > 1 || c[LONG_]) ? GA_DTYPE_UNKNOWN : u ? GA_UINT16 : GA_INT16;
    if (c[LONG_])
        return c[LONG_] > 2 ? GA_DTYPE_UNKNOWN : u ? GA_UINT64 : GA_INT64;
    return u ? GA_UINT32 : GA_INT32;
}

/* The dtype a base type (qualifiers and '*' already gone) names. */
static ga_dtype map_base(const tok *t, size_t n, int depth)
{
    if (depth > 4)
        return GA_DTYPE_UNKNOWN;
    /* std::, cuda::std::, thrust:: and a leading :: name the same types. */
    for (;;) {
        if (n >= 1 && is(&t[0], "::")) {
            t++, n--;
        } else if (n >= 2 && is(&t[1], "::") &&
                   (is(&t[0], "std") || is(&t[0], "cuda") || is(&t[0], "thrust"))) {
            t += 2, n -= 2;
        } else {
            break;
        }
    }
    if (n == 0)
        return GA_DTYPE_UNKNOWN;
    if (n == 1 && t[0].kind == TK_IDENT)
        for (size_t i = 0; i < sizeof typedef_names / sizeof typedef_names[0]; i++)
            if (is(&t[0], typedef_names[i].name))
                return typedef_names[i].dtype;
    if (n >= 4 && is(&t[0], "complex") && is(&t[1], "<") && is(&t[n - 1], ">")) {
        ga_dtype inner = map_base(t + 2, n - 3, depth + 1);
        return inner == GA_FLOAT32 ? GA_COMPLEX64 : inner == GA_FLOAT64 ? GA_COMPLEX128
                                                                       : GA_DTYPE_UNKNOWN;
    }
    return map_builtin(t, n);
}

/* "const float* __restrict__": one space between words, none around the
 * punctuation of a type. Truncated to fit, always terminated. */
static void join_tokens(const tok *t, size_t n, char *buf, size_t cap)
{
    static const char *const tight_before[] = { "*", "&", ",", ">", ")", "]", "::", "<", "(", "[" };
    static const char *const tight_after[] = { "<", "(", "[", "::" };
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        int space = i > 0 && !ONE_OF(&t[i], tight_before) && !ONE_OF(&t[i - 1], tight_after);
        size_t want = (size_t)space + t[i].n;
        if (len + want >= cap)
            want = cap - 1 - len;
        if (space && want) {
            buf[len++] = ' ';
            want--;
        }
        memcpy(buf + len, t[i].p, want);
        len += want;
        buf[len] = '\0';
        if (len + 1 >= cap)
            return;
    }
}

static void copy_name(char *dst, size_t cap, const char *p, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, p, n);
    dst[n] = '\0';
}

/* ---------------------------------------------------- CUDA C kernels */

/* A template type parameter and what the name expression (or the
 * parameter's default) binds it to. */
typedef struct binding {
    const tok *name;
    const tok *to;
    size_t to_n;
} binding;

#define MAX_BINDINGS 32

/* Find `__global__ ... want(`: the first definition, else the first
 * declaration. *tmpl is the template<...> clause that belongs to it, if
 * any (empty span otherwise). */
static int find_kernel(const tok *t, size_t n, const tok *want, span *params, span *tmpl)
{
    int found = 0;           /* 1: a declaration, 2: a definition */
    span last_tmpl = { 0, 0 };
    size_t tmpl_end = 0, decl_end = 0;
    int have_tmpl = 0;

    for (size_t i = 0; i < n; i++) {
        if (is(&t[i], ";") || is(&t[i], "{") || is(&t[i], "}")) {
            decl_end = i;
            continue;
        }
        if (is(&t[i], "template") && i + 1 < n && is(&t[i + 1], "<")) {
            size_t c = match_angle(t, n, i + 1);
            if (c < n) {
                last_tmpl = (span){ i + 2, c };
                tmpl_end = c;
                have_tmpl = 1;
                i = c;
            }
            continue;
        }
        if (t[i].kind != TK_IDENT || !is(&t[i], "__global__"))
            continue;

        /* The clause is this kernel's when no declaration ended between. */
        int templated = have_tmpl && tmpl_end > decl_end;
        size_t k = i + 1, name_at = n, open = n;
        for (int steps = 0; k < n && steps < 64; steps++) {
            const tok *x = &t[k];
            if (x->kind == TK_IDENT && ONE_OF(x, attribute_words) && k + 1 < n && is(&t[k + 1], "(")) {
                size_t c = match_paren(t, n, k + 1);
                if (c >= n)
                    break;
                k = c + 1;
            } else if (is(x, "[") && k + 1 < n && is(&t[k + 1], "[")) {
                size_t c = match_paren(t, n, k);
                if (c >= n)
                    break;
                k = c + 1;
            } else if (x->kind == TK_IDENT && k + 1 < n && is(&t[k + 1], "(")) {
                name_at = k;
                open = k + 1;
                break;
            } else if (x->kind == TK_IDENT && k + 1 < n && is(&t[k + 1], "<")) {
                /* An explicit specialisation: f<float>( ... ). */
                size_t c = match_angle(t, n, k + 1);
                if (c + 1 < n && is(&t[c + 1], "(")) {
                    name_at = k;
                    open = c + 1;
                }
                break;
            } else if (x->kind == TK_PUNCT && !is(x, "::") && !is(x, "*") && !is(x, "&")) {
                break;
            } else {
                k++;
            }
        }
        if (name_at >= n || !same(&t[name_at], want))
            continue;
        size_t close = match_paren(t, n, open);
        if (close >= n)
            continue;
        /* Definition or declaration: whichever of '{' and ';' comes first
         * (after e.g. noexcept or an attribute). */
        int def = 0;
        for (size_t k2 = close + 1; k2 < n && k2 < close + 32; k2++) {
            if (is(&t[k2], "{")) {
                def = 1;
                break;
            }
            if (is(&t[k2], ";"))
                break;
        }
        if (found < (def ? 2 : 1)) {
            *params = (span){ open + 1, close };
            *tmpl = templated ? last_tmpl : (span){ 0, 0 };
            found = def ? 2 : 1;
            if (def)
                break;
        }
    }
    return found;
}

/* Bind the template's type parameters to the name expression's arguments
 * (or to their defaults). Non-type parameters take a position, no binding. */
static size_t bind_template(const tok *src, span tmpl, const tok *args_t, const span *args,
                            size_t nargs, binding *out)
{
    span tp[MAX_BINDINGS];
    size_t ntp = split_commas(src, tmpl, tp, MAX_BINDINGS), nb = 0;
    for (size_t i = 0; i < ntp; i++) {
        span s = tp[i];
        if (s.hi - s.lo < 2 || !(is(&src[s.lo], "typename") || is(&src[s.lo], "class")))
            continue;
        if (src[s.lo + 1].kind != TK_IDENT)
            continue; /* unnamed, or a pack (typename...) */
        binding b = { &src[s.lo + 1], NULL, 0 };
        if (i < nargs && args[i].hi > args[i].lo) {
            b.to = args_t + args[i].lo;
            b.to_n = args[i].hi - args[i].lo;
        } else if (s.hi - s.lo > 3 && is(&src[s.lo + 2], "=")) {
            b.to = src + s.lo + 3;
            b.to_n = s.hi - s.lo - 3;
        }
        if (b.to)
            out[nb++] = b;
    }
    return nb;
}

/* One parameter `t[0..n)` (already without attributes) into *p. */
static ga_status parse_param(const tok *t, size_t n, const binding *binds, size_t nb, ga_param *p)
{
    ga_status st = GA_OK;
    tok *type = NULL, *subst = NULL, *base = NULL;
    size_t ntype = 0, nsubst = 0, nbase = 0, arrays = 0;

    /* A default argument says nothing about the type. */
    for (size_t i = 0, depth = 0; i < n; i++) {
        if (is(&t[i], "<") || is(&t[i], "("))
            depth++;
        else if ((is(&t[i], ">") || is(&t[i], ")")) && depth)
            depth--;
        else if (depth == 0 && is(&t[i], "=")) {
            n = i;
            break;
        }
    }
    /* Trailing [N] decays to a pointer, as in C. */
    while (n >= 2 && is(&t[n - 1], "]")) {
        size_t i = n - 1;
        while (i > 0 && !is(&t[i], "["))
            i--;
        if (!is(&t[i], "["))
            break;
        n = i;
        arrays++;
    }

    /* The name is the last token when it is an identifier that follows some
     * type word: `float x`, `T* x`, but not `unsigned int` or `const T`. */
    size_t name_at = n;
    if (n >= 2 && t[n - 1].kind == TK_IDENT && !ONE_OF(&t[n - 1], builtin_words) &&
        !ONE_OF(&t[n - 1], qualifier_words) && !is(&t[n - 2], "::")) {
        for (size_t i = 0; i + 1 < n; i++)
            if (!ONE_OF(&t[i], qualifier_words) && !ONE_OF(&t[i], elaborated_words))
                name_at = n - 1;
    }
    if (name_at < n)
        copy_name(p->name, sizeof p->name, t[name_at].p, t[name_at].n);

    size_t extra = 0;
    for (size_t b = 0; b < nb; b++)
        extra += binds[b].to_n;
    type = malloc((n + arrays + 1) * sizeof *type);
    subst = malloc((n * (extra + 1) + arrays + 1) * sizeof *subst);
    base = malloc((n * (extra + 1) + arrays + 1) * sizeof *base);
    if (!type || !subst || !base) {
        st = ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory parsing parameters");
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++)
        if (i != name_at)
            type[ntype++] = t[i];
    for (size_t i = 0; i < arrays; i++)
        type[ntype++] = (tok){ TK_PUNCT, "*", 1 };
    join_tokens(type, ntype, p->type_text, sizeof p->type_text);

    /* Template type parameters replaced by what the name expression says. */
    for (size_t i = 0; i < ntype; i++) {
        size_t b = 0;
        while (b < nb && !(type[i].kind == TK_IDENT && same(&type[i], binds[b].name)))
            b++;
        if (b < nb) {
            memcpy(subst + nsubst, binds[b].to, binds[b].to_n * sizeof *subst);
            nsubst += binds[b].to_n;
        } else {
            subst[nsubst++] = type[i];
        }
    }

    /* const before the first '*' qualifies the pointee; after it, the
     * pointer itself, which the caller does not care about. */
    int pointers = 0, reference = 0, pointee_const = 0, angle = 0;
    for (size_t i = 0; i < nsubst; i++) {
        const tok *x = &subst[i];
        if (is(x, "<"))
            angle++;
        else if (is(x, ">") && angle)
            angle--;
        if (angle == 0 && is(x, "*")) {
            pointers++;
            continue;
        }
        if (angle == 0 && is(x, "&")) {
            reference = 1;
            continue;
        }
        if (is(x, "const") && pointers == 0)
            pointee_const = 1;
        if (ONE_OF(x, qualifier_words) || ONE_OF(x, elaborated_words))
            continue;
        base[nbase++] = *x;
    }
    ga_dtype dtype = map_base(base, nbase, 0);

    if (reference) {
        /* A reference parameter cannot be filled from a value here. */
        p->kind = GA_PARAM_VALUE;
        p->dtype = GA_DTYPE_UNKNOWN;
    } else if (pointers > 0) {
        p->kind = GA_PARAM_POINTER;
        /* T** : the pointee is itself a pointer, which no dtype names. */
        p->dtype = pointers == 1 ? dtype : GA_DTYPE_UNKNOWN;
        p->is_const = pointers == 1 && pointee_const;
    } else {
        p->kind = GA_PARAM_VALUE;
        p->dtype = dtype == GA_DTYPE_VOID ? GA_DTYPE_UNKNOWN : dtype;
    }

cleanup:
    free(type);
    free(subst);
    free(base);
    return st;
}

/* Drop __attribute__((...)), alignas(...), [[...]] from a parameter. */
static size_t strip_attributes(const tok *t, span s, tok *out)
{
    size_t n = 0;
    for (size_t i = s.lo; i < s.hi; i++) {
        if (t[i].kind == TK_IDENT && ONE_OF(&t[i], attribute_words) && i + 1 < s.hi &&
            is(&t[i + 1], "(")) {
            size_t c = match_paren(t, s.hi, i + 1);
            i = c < s.hi ? c : s.hi;
            continue;
        }
        if (is(&t[i], "[") && i + 1 < s.hi && is(&t[i + 1], "[")) {
            size_t c = match_paren(t, s.hi, i);
            i = c < s.hi ? c : s.hi;
            continue;
        }
        out[n++] = t[i];
    }
    return n;
}

ga_status ga_parse_kernel_params(const char *source, const char *name, ga_param **params, int *count)
{
    ga_status st = GA_OK;
    tok_list src = { 0 }, expr = { 0 };
    span *parts = NULL, args[MAX_BINDINGS];
    tok *scratch = NULL;
    ga_param *ps = NULL;
    binding binds[MAX_BINDINGS];
    size_t nargs = 0, nb = 0, nparts = 0;

    if (!params || !count)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_parse_kernel_params: NULL output");
    *params = NULL;
    *count = 0;
    if (!source || !name)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_parse_kernel_params: NULL source or name");
    if (!lex(source, 1, &src) || !lex(name, 1, &expr)) {
        st = ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory parsing kernel source");
        goto cleanup;
    }

    /* "ns::scale<float, 4>": the kernel is `scale`, the arguments follow. */
    size_t lt = 0;
    while (lt < expr.n && !is(&expr.v[lt], "<"))
        lt++;
    const tok *want = NULL;
    for (size_t i = 0; i < lt; i++)
        if (expr.v[i].kind == TK_IDENT)
            want = &expr.v[i];
    if (!want) {
        st = ga_error(GA_ERROR_INVALID_VALUE, "'%s' is not a kernel name", name);
        goto cleanup;
    }
    if (lt < expr.n) {
        size_t gt = match_angle(expr.v, expr.n, lt);
        if (gt < expr.n && gt > lt + 1)
            nargs = split_commas(expr.v, (span){ lt + 1, gt }, args, MAX_BINDINGS);
    }

    span plist, tmpl;
    if (!find_kernel(src.v, src.n, want, &plist, &tmpl)) {
        st = ga_error(GA_ERROR_NOT_FOUND, "no __global__ function '%.*s' in the source",
                      (int)want->n, want->p);
        goto cleanup;
    }
    if (tmpl.hi > tmpl.lo)
        nb = bind_template(src.v, tmpl, expr.v, args, nargs, binds);

    size_t ntok = plist.hi - plist.lo;
    /* f() and f(void) take nothing. */
    if (ntok == 0 || (ntok == 1 && is(&src.v[plist.lo], "void")))
        goto cleanup;
    if (!(parts = malloc((ntok + 1) * sizeof *parts)) || !(scratch = malloc(ntok * sizeof *scratch))) {
        st = ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory parsing kernel source");
        goto cleanup;
    }
    nparts = split_commas(src.v, plist, parts, ntok + 1);
    if (!(ps = calloc(nparts, sizeof *ps))) {
        st = ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory parsing kernel source");
        goto cleanup;
    }
    for (size_t i = 0; i < nparts; i++) {
        size_t n = strip_attributes(src.v, parts[i], scratch);
        if ((st = parse_param(scratch, n, binds, nb, &ps[i])) != GA_OK)
            goto cleanup;
    }
    ga_params_layout(ps, (int)nparts);
    *params = ps;
    *count = (int)nparts;
    ps = NULL;

cleanup:
    free(ps);
    free(parts);
    free(scratch);
    free(src.v);
    free(expr.v);
    return st;
}

/* ------------------------------------------------------------------ PTX */

static const struct { const char *name; ga_dtype dtype; size_t size; } ptx_types[] = {
    { "u8", GA_UINT8, 1 },    { "s8", GA_INT8, 1 },     { "b8", GA_UINT8, 1 },
    { "u16", GA_UINT16, 2 },  { "s16", GA_INT16, 2 },   { "b16", GA_UINT16, 2 },
    { "u32", GA_UINT32, 4 },  { "s32", GA_INT32, 4 },   { "b32", GA_UINT32, 4 },
    { "u64", GA_UINT64, 8 },  { "s64", GA_INT64, 8 },   { "b64", GA_UINT64, 8 },
    { "f16", GA_FLOAT16, 2 }, { "bf16", GA_BFLOAT16, 2 }, { "f32", GA_FLOAT32, 4 },
    { "f64", GA_FLOAT64, 8 },
};

/* A directive is '.' glued to an identifier: `.param`, `.u64`. */
static int directive(const tok *t, size_t n, size_t i, const char *word)
{
    return i + 1 < n && is(&t[i], ".") && t[i + 1].kind == TK_IDENT && t[i + 1].p == t[i].p + 1 &&
           (!word || is(&t[i + 1], word));
}

/* `.param .TYPE [.ptr] [.space] [.align N] name[[N]]`, in any order PTX
 * writers use (the document's hand-written PTX puts .align after .ptr). */
static void parse_ptx_param(const tok *t, span s, ga_param *p, size_t *align_out)
{
    size_t width = 0, align = 0, elems = 1;
    int is_ptr = 0, typed = 0;
    ga_dtype dtype = GA_DTYPE_UNKNOWN;
    tok shown[64] = { { 0 } };
    size_t nshown = 0;

    size_t i = s.lo;
    if (directive(t, s.hi, i, "param"))
        i += 2;
    for (; i < s.hi; i++) {
        if (directive(t, s.hi, i, NULL)) {
            const tok *w = &t[i + 1];
            if (nshown + 2 <= sizeof shown / sizeof shown[0]) {
                /* ".u64" shown as one word */
                shown[nshown++] = (tok){ TK_IDENT, t[i].p, w->n + 1 };
            }
            if (is(w, "ptr")) {
                is_ptr = 1;
            } else if (is(w, "align") && i + 2 < s.hi && t[i + 2].kind == TK_NUMBER) {
                align = strtoul(t[i + 2].p, NULL, 0);
                if (nshown < sizeof shown / sizeof shown[0])
                    shown[nshown++] = t[i + 2];
                i++;
            } else {
                for (size_t k = 0; k < sizeof ptx_types / sizeof ptx_types[0]; k++) {
                    if (is(w, ptx_types[k].name)) {
                        dtype = ptx_types[k].dtype;
                        width = ptx_types[k].size;
                        typed = 1;
                    }
                }
            }
            i++;
        } else if (t[i].kind == TK_IDENT) {
            copy_name(p->name, sizeof p->name, t[i].p, t[i].n);
            if (i + 2 < s.hi && is(&t[i + 1], "[") && t[i + 2].kind == TK_NUMBER)
                elems = strtoul(t[i + 2].p, NULL, 0);
            break;
        }
    }
    join_tokens(shown, nshown, p->type_text, sizeof p->type_text);

    if (is_ptr) {
        p->kind = GA_PARAM_POINTER;
        p->dtype = GA_DTYPE_UNKNOWN;
        p->size = 8;
    } else if (typed && elems == 1) {
        p->kind = GA_PARAM_VALUE;
        p->dtype = dtype;
        p->size = width;
    } else {
        /* An aggregate passed by value (`.align 8 .b8 s[16]`): only its size
         * is known. */
        p->kind = GA_PARAM_VALUE;
        p->dtype = GA_DTYPE_UNKNOWN;
        p->size = (typed ? width : 1) * elems;
        if (p->size > ((size_t)1 << 20))
            p->size = 0;
    }
    /* On a .ptr parameter, .align N is the alignment of the memory pointed
     * to (PTX ISA); the parameter itself is an 8-byte address. */
    *align_out = is_ptr ? 8 : align ? align : width ? width : 1;
}

ga_status ga_parse_ptx_params(const char *ptx, const char *name, ga_param **params, int *count)
{
    ga_status st = GA_OK;
    tok_list tl = { 0 };
    span *parts = NULL;
    ga_param *ps = NULL;

    if (!params || !count)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_parse_ptx_params: NULL output");
    *params = NULL;
    *count = 0;
    if (!ptx || !name)
        return ga_error(GA_ERROR_INVALID_VALUE, "ga_parse_ptx_params: NULL ptx or name");
    if (!lex(ptx, 0, &tl)) {
        st = ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory parsing PTX");
        goto cleanup;
    }
    const tok *t = tl.v;
    size_t n = tl.n, open = n;
    for (size_t i = 0; i + 3 < n; i++) {
        if (directive(t, n, i, "entry") && t[i + 2].kind == TK_IDENT && is(&t[i + 2], name) &&
            is(&t[i + 3], "(")) {
            open = i + 3;
            break;
        }
    }
    size_t close = open < n ? match_paren(t, n, open) : n;
    if (close >= n) {
        st = ga_error(GA_ERROR_NOT_FOUND, "no .entry '%s' in the PTX", name);
        goto cleanup;
    }
    size_t ntok = close - open - 1, nparts = 0;
    if (ntok > 0) {
        if (!(parts = malloc((ntok + 1) * sizeof *parts))) {
            st = ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory parsing PTX");
            goto cleanup;
        }
        nparts = split_commas(t, (span){ open + 1, close }, parts, ntok + 1);
        if (!(ps = calloc(nparts, sizeof *ps))) {
            st = ga_error(GA_ERROR_HOST_OUT_OF_MEMORY, "out of host memory parsing PTX");
            goto cleanup;
        }
    }
    /* PTX states each parameter's alignment, so the layout is done here
     * rather than by ga_params_layout's C rules. */
    size_t off = 0;
    for (size_t i = 0; i < nparts; i++) {
        size_t align = 1;
        parse_ptx_param(t, parts[i], &ps[i], &align);
        off = align_up(off, align);
        ps[i].offset = off;
        off += ps[i].size;
    }
    *params = ps;
    *count = (int)nparts;
    ps = NULL;

cleanup:
    free(ps);
    free(parts);
    free(tl.v);
    return st;
}
