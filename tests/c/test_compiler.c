/* test_compiler.c - NVRTC compiles, the kernel cache (memory, disk, corrupt files), SHA-256 and the parameter parsers, with no GPU. */
#define _GNU_SOURCE /* mkdtemp, setenv under -std=c11 */
#include "gpuarray.h"

#include <dirent.h>
#include <dlfcn.h>
#include <sys/wait.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int passed, failed;

static int check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int check(int ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s ", ok ? "ok  " : "FAIL");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    if (ok)
        passed++;
    else
        failed++;
    return ok;
}

/* ------------------------------------------------------------- SHA-256 */

static void hex(const unsigned char *d, char *out)
{
    for (int i = 0; i < 32; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
}

static void sha_is(const void *data, size_t n, const char *want, const char *what)
{
    unsigned char d[32];
    char h[65];
    ga_sha256(data, n, d);
    hex(d, h);
    check(strcmp(h, want) == 0, "sha256(%s) = FIPS 180-4 vector (%s)", what, h);
}

static void test_sha256(void)
{
    sha_is("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "\"\"");
    sha_is("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "\"abc\"");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha_is(two, strlen(two), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
           "448-bit message");
    char *a = malloc(1000000);
    if (!check(a != NULL, "malloc 1 MB"))
        return;
    memset(a, 'a', 1000000);
    sha_is(a, 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
           "1,000,000 x 'a'");
    free(a);
}

/* ----------------------------------------------------- parameter parser */

typedef struct want_param {
    ga_param_kind kind;
    ga_dtype dtype;
    int is_const;
    size_t offset, size;
    const char *name;
    const char *type_text;   /* NULL = not checked */
} want_param;

static void params_are(const char *what, ga_status st, const ga_param *got, int n,
                       const want_param *want, int nwant)
{
    if (!check(st == GA_OK && n == nwant, "%s: %d parameters (status %s, got %d)", what, nwant,
               ga_status_name(st), n))
        return;
    for (int i = 0; i < n; i++) {
        const ga_param *g = &got[i];
        const want_param *w = &want[i];
        int ok = g->kind == w->kind && g->dtype == w->dtype && g->is_const == w->is_const &&
                 g->offset == w->offset && g->size == w->size && strcmp(g->name, w->name) == 0 &&
                 (!w->type_text || strcmp(g->type_text, w->type_text) == 0);
        check(ok, "%s: param %d '%s' %s %s%s @%zu+%zu \"%s\"", what, i, g->name,
              g->kind == GA_PARAM_POINTER ? "pointer to" : "value", g->is_const ? "const " : "",
              ga_dtype_name(g->dtype), g->offset, g->size, g->type_text);
    }
}

static void parse_c(const char *what, const char *src, const char *name, const want_param *want,
                    int nwant)
{
    ga_param *p = NULL;
    int n = -1;
    ga_status st = ga_parse_kernel_params(src, name, &p, &n);
    params_are(what, st, p, n, want, nwant);
    free(p);
}

static void parse_ptx(const char *what, const char *ptx, const char *name, const want_param *want,
                      int nwant)
{
    ga_param *p = NULL;
    int n = -1;
    ga_status st = ga_parse_ptx_params(ptx, name, &p, &n);
    params_are(what, st, p, n, want, nwant);
    free(p);
}

#define V GA_PARAM_VALUE
#define P GA_PARAM_POINTER
#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char saxpy_src[] =
    "extern \"C\" __global__\n"
    "void saxpy(int n, float a, const float* x, float* y) {\n"
    "    int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
    "    if (i < n) {\n"
    "        y[i] = a * x[i] + y[i];\n"
    "    }\n"
    "}\n";

/* The document's hand-written PTX, as printed there. */
static const char textbook_ptx[] =
    ".version 7.0\n"
    ".target sm_80\n"
    ".address_size 64\n"
    "\n"
    ".visible .entry saxpy (\n"
    "    .param .u64 .ptr .global .align 4 n,\n"
    "    .param .f32 a,\n"
    "    .param .u64 .ptr .global .const .align 4 x,\n"
    "    .param .u64 .ptr .global .align 4 y\n"
    ") {\n"
    "    .reg .f32 %f<10>;\n"
    "    .reg .u64 %r<10>;\n"
    "    .reg .pred %p<5>;\n"
    "    \n"
    "    // thread id\n"
    "    mov.u32 %r1, %tid.x;\n"
    "}\n";

static void test_params(void)
{
    static const want_param saxpy[] = {
        { V, GA_INT32, 0, 0, 4, "n", "int" },
        { V, GA_FLOAT32, 0, 4, 4, "a", "float" },
        { P, GA_FLOAT32, 1, 8, 8, "x", "const float*" },
        { P, GA_FLOAT32, 0, 16, 8, "y", "float*" },
    };
    parse_c("saxpy", saxpy_src, "saxpy", saxpy, COUNT(saxpy));

    static const want_param restrict_[] = {
        { P, GA_FLOAT32, 1, 0, 8, "in", "const float* __restrict__" },
        { V, GA_UINT64, 0, 8, 8, "n", "unsigned long long" },
        { P, GA_FLOAT64, 0, 16, 8, "out", "double* __restrict__" },
        { V, GA_INT8, 0, 24, 1, "c", "signed char" },
    };
    parse_c("restrict, unsigned long long",
            "__global__ void k(const float* __restrict__ in, unsigned long long n,\n"
            "                  double *__restrict__ out, signed char c) { }",
            "k", restrict_, COUNT(restrict_));

    static const char tmpl[] =
        "template <typename T, int N>\n"
        "__global__ void scale(T* x, const T a, int n) { }\n";
    static const want_param scale_f[] = {
        { P, GA_FLOAT32, 0, 0, 8, "x", "T*" },
        { V, GA_FLOAT32, 0, 8, 4, "a", "const T" },
        { V, GA_INT32, 0, 12, 4, "n", "int" },
    };
    parse_c("template scale<float, 4>", tmpl, "scale<float, 4>", scale_f, COUNT(scale_f));
    static const want_param scale_d[] = {
        { P, GA_FLOAT64, 0, 0, 8, "x", "T*" },
        { V, GA_FLOAT64, 0, 8, 8, "a", "const T" },
        { V, GA_INT32, 0, 16, 4, "n", "int" },
    };
    parse_c("template scale<double,2>", tmpl, "scale<double,2>", scale_d, COUNT(scale_d));
    static const want_param scale_u[] = {
        { P, GA_DTYPE_UNKNOWN, 0, 0, 8, "x", "T*" },
        { V, GA_DTYPE_UNKNOWN, 0, 8, 0, "a", "const T" },
        { V, GA_INT32, 0, 8, 4, "n", "int" },
    };
    parse_c("template without arguments", tmpl, "scale", scale_u, COUNT(scale_u));

    static const want_param dflt[] = {
        { P, GA_FLOAT64, 0, 0, 8, "p", "T*" },
        { V, GA_COMPLEX64, 0, 8, 8, "z", "complex<T2>" },
    };
    parse_c("template defaults, class keyword",
            "template<class T = double, class T2 = float> __global__ void dflt(T* p, complex<T2> z);",
            "dflt", dflt, COUNT(dflt));

    static const want_param lb[] = {
        { V, GA_INT16, 0, 0, 2, "s", "short" },
        { V, GA_UINT8, 0, 2, 1, "c", "unsigned char" },
        { V, GA_INT64, 0, 8, 8, "l", "long" },
        { V, GA_UINT32, 0, 16, 4, "u", "unsigned" },
    };
    parse_c("__launch_bounds__",
            "__global__ void __launch_bounds__(256, 2) lb(short s, unsigned char c, long l, unsigned u) {}",
            "lb", lb, COUNT(lb));

    static const want_param cm[] = {
        { V, GA_INT32, 0, 0, 4, "n", "int" },
        { P, GA_UINT16, 0, 8, 8, "w", "uint16_t*" },
    };
    parse_c("comments and strings inside",
            "// __global__ void cm(double fake)\n"
            "#define K __global__ void cm(char fake)\n"
            "const char *s = \"__global__ void cm(float fake)\";\n"
            "__global__ void cm(int /* count, not two */ n, // a comma, here\n"
            "                   uint16_t* w) { }\n",
            "cm", cm, COUNT(cm));

    static const want_param un[] = {
        { V, GA_INT32, 0, 0, 4, "", "int" },
        { P, GA_FLOAT32, 0, 8, 8, "", "float*" },
        { V, GA_UINT32, 0, 16, 4, "", "unsigned int" },
        { V, GA_UINT64, 0, 24, 8, "", "size_t" },
    };
    parse_c("unnamed parameters", "__global__ void un(int, float *, unsigned int, size_t);", "un",
            un, COUNT(un));
    parse_c("(void)", "extern \"C\" __global__ void nov(void) {}", "nov", NULL, 0);

    static const want_param cx[] = {
        { P, GA_COMPLEX64, 0, 0, 8, "z", "thrust::complex<float>*" },
        { V, GA_COMPLEX128, 0, 8, 16, "w", "cuda::std::complex<double>" },
        { V, GA_FLOAT16, 0, 24, 2, "h", "__half" },
        { P, GA_BFLOAT16, 1, 32, 8, "b", "const __nv_bfloat16*" },
        { V, GA_COMPLEX128, 0, 40, 16, "d", "cuDoubleComplex" },
        { V, GA_BOOL, 0, 56, 1, "f", "bool" },
    };
    parse_c("complex, half, bfloat16, bool",
            "__global__ void cx(thrust::complex<float>* z, cuda::std::complex<double> w, __half h,\n"
            "                   const __nv_bfloat16* b, cuDoubleComplex d, bool f) {}",
            "cx", cx, COUNT(cx));

    static const want_param st[] = {
        { V, GA_DTYPE_UNKNOWN, 0, 0, 0, "p", "Pair" },
        { P, GA_DTYPE_UNKNOWN, 0, 0, 8, "pp", "float**" },
        { P, GA_DTYPE_VOID, 0, 8, 8, "v", "void*" },
        { P, GA_DTYPE_VOID, 1, 16, 8, "cv", "const void*" },
        { P, GA_INT32, 0, 24, 8, "q", "int* const" },
        { V, GA_UINT64, 0, 32, 8, "n", "unsigned long int" },
        { P, GA_INT64, 1, 40, 8, "arr", "const int64_t*" },
    };
    parse_c("struct, T**, void*, arrays",
            "struct Pair { int a, b; };\n"
            "__global__ void st(Pair p, float** pp, void* v, const void* cv, int* const q,\n"
            "                   unsigned long int n, const int64_t arr[]) {}",
            "st", st, COUNT(st));

    static const want_param dd[] = { { V, GA_INT32, 0, 0, 4, "count", "int" } };
    parse_c("declaration, then definition",
            "__global__ void dd(int);\nvoid other(int x) {}\n__global__ void dd(int count) { }", "dd",
            dd, COUNT(dd));

    ga_param *p = NULL;
    int n = -1;
    check(ga_parse_kernel_params(saxpy_src, "missing", &p, &n) == GA_ERROR_NOT_FOUND && !p && n == 0,
          "unknown kernel name is GA_ERROR_NOT_FOUND");
    check(ga_parse_kernel_params("#define K __global__ void hid(int x)\n", "hid", &p, &n) ==
              GA_ERROR_NOT_FOUND,
          "a __global__ inside #define is not a kernel");

    static const want_param tb[] = {
        { P, GA_DTYPE_UNKNOWN, 0, 0, 8, "n", ".u64 .ptr .global .align 4" },
        { V, GA_FLOAT32, 0, 8, 4, "a", ".f32" },
        { P, GA_DTYPE_UNKNOWN, 0, 16, 8, "x", NULL },
        { P, GA_DTYPE_UNKNOWN, 0, 24, 8, "y", NULL },
    };
    parse_ptx("PTX from the document", textbook_ptx, "saxpy", tb, COUNT(tb));

    static const want_param agg[] = {
        { V, GA_UINT8, 0, 0, 1, "flag", ".b8" },
        { V, GA_DTYPE_UNKNOWN, 0, 8, 16, "s", ".align 8 .b8" },
        { V, GA_INT32, 0, 24, 4, "k", ".s32" },
        { V, GA_FLOAT64, 0, 32, 8, "d", ".f64" },
    };
    parse_ptx("PTX aggregates, comments",
              "// .entry agg( .param .f32 fake )\n"
              ".visible .entry other(.param .u32 o) { ret; }\n"
              ".visible .entry agg(\n"
              "  .param .b8 flag, /* a, comma */\n"
              "  .param .align 8 .b8 s[16],\n"
              "  .param .s32 k,\n"
              "  .param .f64 d\n"
              ")\n{ ret; }\n",
              "agg", agg, COUNT(agg));
    check(ga_parse_ptx_params(textbook_ptx, "nope", &p, &n) == GA_ERROR_NOT_FOUND,
          "unknown PTX entry is GA_ERROR_NOT_FOUND");

    check(ga_dtype_size(GA_COMPLEX128) == 16 && ga_dtype_size(GA_BFLOAT16) == 2 &&
              ga_dtype_size(GA_DTYPE_UNKNOWN) == 0 && ga_dtype_size(GA_DTYPE_VOID) == 0,
          "ga_dtype_size");
    check(strcmp(ga_dtype_name(GA_FLOAT32), "float32") == 0 &&
              strcmp(ga_dtype_name(GA_COMPLEX64), "complex64") == 0 &&
              strcmp(ga_dtype_name((ga_dtype)999), "unknown") == 0,
          "ga_dtype_name");
}

/* --------------------------------------------------------- compilation */

static char cache_dir[256];

/* The single .gak file in the cache dir (tests arrange for there to be
 * exactly one when they call this). */
static int cache_file(char *path, size_t len)
{
    DIR *d = opendir(cache_dir);
    int count = 0;
    struct dirent *e;
    if (!d)
        return 0;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n > 4 && strcmp(e->d_name + n - 4, ".gak") == 0) {
            snprintf(path, len, "%s/%s", cache_dir, e->d_name);
            count++;
        }
    }
    closedir(d);
    return count;
}

static void remove_cache_files(void)
{
    DIR *d = opendir(cache_dir);
    struct dirent *e;
    if (!d)
        return;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", cache_dir, e->d_name);
        unlink(path);
    }
    closedir(d);
}

static ga_status compile(const ga_compile_request *req, ga_program **prog)
{
    *prog = NULL;
    return ga_program_compile(NULL, req, prog);
}

static ga_cache_source compile_source(const ga_compile_request *req)
{
    ga_program *prog;
    if (compile(req, &prog) != GA_OK)
        return (ga_cache_source)-1;
    ga_cache_source s = ga_program_cache_source(prog);
    ga_program_release(prog);
    return s;
}

static void corrupt(const char *how, void (*damage)(const char *path), const ga_compile_request *req)
{
    char path[512];
    if (!check(cache_file(path, sizeof path) == 1, "%s: one cache file to damage", how))
        return;
    damage(path);
    ga_cache_clear_memory();
    check(compile_source(req) == GA_CACHE_MISS, "%s: recompiled (MISS), not trusted", how);
    ga_cache_clear_memory();
    check(compile_source(req) == GA_CACHE_DISK, "%s: the rewritten file is a DISK hit", how);
}

static void flip_middle(const char *path)
{
    FILE *f = fopen(path, "r+b");
    if (!f)
        return;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, n / 2, SEEK_SET);
    int c = fgetc(f);
    fseek(f, n / 2, SEEK_SET);
    fputc(c ^ 0x40, f);
    fclose(f);
}

static void truncate_file(const char *path) { (void)truncate(path, 50); }
static void empty_file(const char *path) { (void)truncate(path, 0); }

static void bad_magic(const char *path)
{
    FILE *f = fopen(path, "r+b");
    if (!f)
        return;
    fwrite("XXXX", 1, 4, f);
    fclose(f);
}

/* Valid checksum, but a key that belongs to another request: the file
 * swapped in from another entry. */
static char other_file[1024];
static void swap_other(const char *path)
{
    FILE *in = fopen(other_file, "rb"), *out = fopen(path, "wb");
    char buf[4096];
    size_t n;
    while (in && out && (n = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, n, out);
    if (in)
        fclose(in);
    if (out)
        fclose(out);
}

static int test_compile(void)
{
    ga_compile_request req = { 0 };
    ga_program *prog = NULL, *again = NULL;
    req.source = saxpy_src;

    ga_status st = compile(&req, &prog);
    if (st == GA_ERROR_NO_COMPILER) {
        printf("SKIP: no kernel compiler could be loaded: %s\n", ga_last_error());
        return 0;
    }
    if (!check(st == GA_OK, "saxpy compiles with no device (%s: %s)", ga_status_name(st),
               st ? ga_last_error() : ""))
        return 1;
    /* The compiler is the active backend's: NVRTC (CUDA, or no backend at
     * all) or the system C++ compiler (host). What only NVRTC does is
     * checked with it only. */
    const char *backend = ga_backend_name();
    int nvrtc = !backend || strcmp(backend, "host") != 0;
    printf("compiler: %s\n", nvrtc ? "NVRTC" : "the host backend's C++ compiler");
    size_t size = 0;
    ga_image_kind kind = GA_IMAGE_NONE;
    const unsigned char *image = ga_program_image(prog, &size, &kind);
    if (nvrtc)
        check(kind == GA_IMAGE_CUBIN && size > 64, "image is a cubin (%zu bytes)", size);
    else
        check(kind == GA_IMAGE_HOST_SO && size > 64, "image is a host shared object (%zu bytes)", size);
    check(image && memcmp(image, "\x7f" "ELF", 4) == 0, "the image starts with the ELF magic");
    size_t ptx_size = 0;
    const char *ptx = ga_program_ptx(prog, &ptx_size);
    check(!ptx || (ptx_size > 0 && strstr(ptx, ".entry saxpy")), "PTX text, when given, has the entry (%zu bytes)",
          ptx_size);
    check(ga_program_cache_source(prog) == GA_CACHE_MISS, "first compile is a MISS");
    if (nvrtc)
        check(ga_program_arch(prog) >= 75, "arch is the newest supported (sm_%d)", ga_program_arch(prog));
    else
        check(ga_program_arch(prog) == 0, "the host has no architecture (%d)", ga_program_arch(prog));
    check(ga_program_log(prog) != NULL, "log is a string even when silent");
    check(ga_program_source(prog) && strcmp(ga_program_source(prog), saxpy_src) == 0,
          "program keeps its source");
    check(strcmp(ga_cache_dir(), cache_dir) == 0, "ga_cache_dir() follows GPUARRAY_CACHE_DIR");

    if (ptx) {
        static const want_param nv[] = {
            { V, GA_UINT32, 0, 0, 4, "saxpy_param_0", NULL },
            { V, GA_FLOAT32, 0, 4, 4, "saxpy_param_1", ".f32" },
            { P, GA_DTYPE_UNKNOWN, 0, 8, 8, "saxpy_param_2", NULL },
            { P, GA_DTYPE_UNKNOWN, 0, 16, 8, "saxpy_param_3", NULL },
        };
        ga_param *p = NULL;
        int n = -1;
        st = ga_parse_ptx_params(ptx, "saxpy", &p, &n);
        /* Releases differ in what they write: n as .u32 or .s32, pointers
         * as `.u64 .ptr .align 1` (NVRTC 13) or a bare .u64 (older). */
        for (int i = 0; st == GA_OK && i < n; i++) {
            if (p[i].dtype == GA_INT32)
                p[i].dtype = GA_UINT32;
            if (p[i].kind == GA_PARAM_VALUE && p[i].dtype == GA_UINT64) {
                p[i].kind = GA_PARAM_POINTER;
                p[i].dtype = GA_DTYPE_UNKNOWN;
            }
        }
        params_are("PTX from NVRTC", st, p, n, nv, 4);
        free(p);
    }

    check(compile(&req, &again) == GA_OK && ga_program_cache_source(again) == GA_CACHE_MEMORY,
          "second compile is a MEMORY hit");
    ga_program_release(again);

    ga_cache_clear_memory();
    size_t size2 = 0;
    check(compile(&req, &again) == GA_OK && ga_program_cache_source(again) == GA_CACHE_DISK,
          "after ga_cache_clear_memory it is a DISK hit");
    const void *image2 = ga_program_image(again, &size2, NULL);
    check(size2 == size && image2 && memcmp(image2, image, size) == 0,
          "the disk hit gives the same cubin bytes");
    size_t ptx2 = 0;
    check((ga_program_ptx(again, &ptx2) != NULL) == (ptx != NULL) && ptx2 == ptx_size,
          "the disk hit gives the same PTX");
    ga_program_release(again);
    check(compile_source(&req) == GA_CACHE_MEMORY, "the disk hit was remembered in memory");

    char path[512];
    check(cache_file(path, sizeof path) == 1, "exactly one .gak file was written");
    struct stat stt;
    check(stat(cache_dir, &stt) == 0 && (stt.st_mode & 0777) == 0700, "cache dir is mode 0700");

    corrupt("flipped byte", flip_middle, &req);
    corrupt("truncated to 50 bytes", truncate_file, &req);
    corrupt("empty file", empty_file, &req);
    corrupt("bad magic", bad_magic, &req);

    /* Another valid entry under this entry's name: checksum right, key wrong. */
    {
        ga_compile_request other = req;
        const char *opts[] = { "-DOTHER=1" };
        other.options = opts;
        other.num_options = 1;
        char before[512];
        cache_file(before, sizeof before);
        check(compile_source(&other) == GA_CACHE_MISS, "a new option is a new key (MISS)");
        DIR *d = opendir(cache_dir);
        struct dirent *e;
        other_file[0] = '\0';
        while (d && (e = readdir(d))) {
            char full[512];
            snprintf(full, sizeof full, "%s/%s", cache_dir, e->d_name);
            if (strstr(e->d_name, ".gak") && strcmp(full, before) != 0)
                snprintf(other_file, sizeof other_file, "%s", full);
        }
        if (d)
            closedir(d);
        char tmp[1024];
        snprintf(tmp, sizeof tmp, "%.900s.keep", other_file);
        rename(other_file, tmp);
        snprintf(other_file, sizeof other_file, "%s", tmp);
        corrupt("valid file of another key", swap_other, &req);
        unlink(other_file);
    }

    req.no_cache = 1;
    check(compile_source(&req) == GA_CACHE_MISS, "no_cache = 1 compiles afresh");
    req.no_cache = 0;

    /* A cache directory that cannot exist must not fail the compile. */
    {
        char blocked[300];
        snprintf(blocked, sizeof blocked, "%s/plainfile", cache_dir);
        FILE *f = fopen(blocked, "w");
        if (f)
            fclose(f);
        char sub[400];
        snprintf(sub, sizeof sub, "%s/sub", blocked);
        setenv("GPUARRAY_CACHE_DIR", sub, 1);
        ga_compile_request r2 = req;
        const char *opts[] = { "-DUNWRITABLE=1" };
        r2.options = opts;
        r2.num_options = 1;
        check(compile_source(&r2) == GA_CACHE_MISS, "unusable cache dir: compile still succeeds");
        setenv("GPUARRAY_CACHE_DIR", cache_dir, 1);
        unlink(blocked);
    }

    /* Architectures: explicit, newer than NVRTC (PTX fallback), user's -arch. */
    {
        ga_compile_request r = req;
        r.arch = 80;
        check(compile(&r, &again) == GA_OK && ga_program_arch(again) == 80 &&
                  ga_program_cache_source(again) == GA_CACHE_MISS,
              "arch = 80 compiles for sm_80 under its own key");
        ga_program_image(again, NULL, &kind);
        check(kind == (nvrtc ? GA_IMAGE_CUBIN : GA_IMAGE_HOST_SO), "sm_80 gives a cubin (host: a .so)");
        ga_program_release(again);
    }
    if (nvrtc) {
        ga_compile_request r = req;
        r.arch = 990;
        again = NULL;
        check(compile(&r, &again) == GA_OK, "a device newer than NVRTC still compiles");
        const char *img = ga_program_image(again, &size, &kind);
        check(kind == GA_IMAGE_PTX && img && strstr(img, ".entry saxpy") && size == strlen(img) + 1,
              "... to PTX for the driver to JIT");
        ga_program_release(again);

        const char *opts[] = { "-arch=compute_80" };
        r = req;
        r.options = opts;
        r.num_options = 1;
        again = NULL;
        check(compile(&r, &again) == GA_OK, "the user's -arch=compute_80 is used");
        ga_program_image(again, NULL, &kind);
        check(kind == GA_IMAGE_PTX, "... and gives PTX");
        ga_program_release(again);
    }

    /* Errors. */
    {
        ga_compile_request bad = { 0 };
        bad.source = "extern \"C\" __global__ void broken(float* y) {\n"
                     "    int i = threadIdx.x;\n"
                     "    y[i] = undefined_thing;\n"
                     "}\n";
        bad.source_name = "broken.cu";
        again = NULL;
        st = compile(&bad, &again);
        check(st == GA_ERROR_COMPILE && again == NULL, "a compile error is GA_ERROR_COMPILE");
        /* NVRTC writes broken.cu(3), g++ broken.cu:3:col. */
        check((strstr(ga_compile_error_log(), "broken.cu(3)") != NULL ||
               strstr(ga_compile_error_log(), "broken.cu:3:") != NULL) &&
                  strstr(ga_compile_error_log(), "undefined_thing") != NULL,
              "the compile log names the line: %.60s", ga_compile_error_log());
        check(strstr(ga_last_error(), "broken.cu") && strstr(ga_last_error(), "undefined_thing") &&
                  strstr(ga_last_error(), nvrtc ? "--gpu-architecture" : "options:"),
              "the error detail has the source name, options and log");

        const char *opts[] = { "--no-such-option" };
        bad.source = saxpy_src;
        bad.options = opts;
        bad.num_options = 1;
        /* The host backend drops options it cannot map (GPU code
         * generation): a program that compiles for CUDA compiles there. */
        if (nvrtc)
            check(compile(&bad, &again) == GA_ERROR_COMPILE, "an unknown option is GA_ERROR_COMPILE");
        bad.options = NULL;
        bad.num_options = 2;
        check(compile(&bad, &again) == GA_ERROR_INVALID_VALUE, "options NULL with a count: INVALID_VALUE");
        bad.num_options = 0;
        bad.source = NULL;
        check(compile(&bad, &again) == GA_ERROR_INVALID_VALUE, "NULL source: INVALID_VALUE");
    }

    /* Name expressions: lowered names, also through the disk cache. */
    {
        static const char tsrc[] =
            "template<typename T> __global__ void scale(T* x, T a, int n) {\n"
            "    int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
            "    if (i < n) x[i] *= a;\n"
            "}\n";
        const char *exprs[] = { "scale<float>", "scale<double>" };
        ga_compile_request r = { 0 };
        r.source = tsrc;
        r.name_expressions = exprs;
        r.num_name_expressions = 2;
        again = NULL;
        st = compile(&r, &again);
        check(st == GA_OK, "template compiles with name expressions (%s)", st ? ga_last_error() : "");
        const char *lf = ga_program_lowered_name(again, "scale<float>");
        const char *ld = ga_program_lowered_name(again, "scale<double>");
        check(lf && ld && (!nvrtc || strncmp(lf, "_Z", 2) == 0) && strcmp(lf, ld) != 0,
              "lowered names: %s, %s", lf ? lf : "(null)", ld ? ld : "(null)");
        check(ga_program_lowered_name(again, "scale<int>") == NULL, "no lowered name for an unasked expression");
        char lf_copy[128] = "";
        if (lf)
            snprintf(lf_copy, sizeof lf_copy, "%s", lf);
        ga_program_release(again);
        ga_cache_clear_memory();
        again = NULL;
        check(compile(&r, &again) == GA_OK && ga_program_cache_source(again) == GA_CACHE_DISK &&
                  ga_program_lowered_name(again, "scale<float>") &&
                  strcmp(ga_program_lowered_name(again, "scale<float>"), lf_copy) == 0,
              "lowered names survive the disk cache");
        ga_program_release(again);

        const char *badx[] = { "nonexistent<float>" };
        r.name_expressions = badx;
        r.num_name_expressions = 1;
        again = NULL;
        check(compile(&r, &again) == GA_ERROR_COMPILE, "a name expression naming nothing is GA_ERROR_COMPILE");
    }

    ga_program_release(prog);
    ga_cache_clear_memory();
    return 1;
}

/* ------------------------------------------------ NVRTC's recorded identity */

static const char identity_src[] =
    "extern \"C\" __global__ void scale(float* x, float a) { x[threadIdx.x] *= a; }\n";

/* The library the record names, or "" (its "path" line). */
static void record_library(char *out, size_t len)
{
    char path[1024], line[4096];
    out[0] = '\0';
    snprintf(path, sizeof path, "%s/nvrtc-identity", cache_dir);
    FILE *f = fopen(path, "r");
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "path ", 5) == 0) {
            line[strcspn(line, "\n")] = '\0';
            snprintf(out, len, "%s", line + 5);
        }
    if (f)
        fclose(f);
}

static int nvrtc_is_loaded(const char *library)
{
    void *h = dlopen(library, RTLD_NOW | RTLD_NOLOAD);
    if (h)
        dlclose(h);
    return h != NULL;
}

/* In a fresh process (re-exec'd): compile the source the parent cached,
 * then a new one. Exit status: bit 0 = the first was a DISK hit, bit 1 =
 * NVRTC was not loaded for it, bit 2 = the second compiled (NVRTC loaded
 * then), bit 3 = the second was a MISS. */
static int identity_child(void)
{
    char library[1024];
    record_library(library, sizeof library);
    ga_compile_request req = { 0 };
    req.source = identity_src;
    ga_program *p = NULL;
    int bits = 0;
    if (compile(&req, &p) == GA_OK && ga_program_cache_source(p) == GA_CACHE_DISK)
        bits |= 1;
    if (library[0] && !nvrtc_is_loaded(library))
        bits |= 2;
    ga_program_release(p);
    char fresh[256];
    snprintf(fresh, sizeof fresh, "extern \"C\" __global__ void k%d(int* x) { x[0] = %d; }\n",
             (int)getpid(), (int)getpid());
    req.source = fresh;
    if (compile(&req, &p) == GA_OK) {
        record_library(library, sizeof library);
        if (library[0] && nvrtc_is_loaded(library))
            bits |= 4;
        if (ga_program_cache_source(p) == GA_CACHE_MISS)
            bits |= 8;
        ga_program_release(p);
    }
    return bits;
}

static int run_child(const char *self)
{
    pid_t pid = fork();
    if (pid == 0) {
        execl(self, self, "--identity-child", (char *)NULL);
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

static void test_nvrtc_identity(void)
{
    const char *backend = ga_backend_name();
    if (backend && strcmp(backend, "host") == 0) {
        printf("skip NVRTC identity checks: the host backend compiles with its C++ compiler\n");
        return;
    }
    char self[1024];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        printf("skip NVRTC identity checks: /proc/self/exe unreadable\n");
        return;
    }
    self[n] = '\0';
    ga_compile_request req = { 0 };
    req.source = identity_src;
    ga_program *p = NULL;
    if (!check(compile(&req, &p) == GA_OK, "identity: the source compiles"))
        return;
    ga_program_release(p);
    char library[1024];
    record_library(library, sizeof library);
    check(library[0] != '\0', "loading NVRTC recorded its identity in the cache dir (%s)", library);

    int bits = run_child(self);
    check(bits >= 0 && (bits & 1), "a new process finds the program on disk (status %d)", bits);
    check(bits >= 0 && (bits & 2), "... without loading NVRTC for it");
    check(bits >= 0 && (bits & 4) && (bits & 8), "... and loads NVRTC for a source not cached");

    /* A record that no longer matches (here: another environment) is
     * ignored, then replaced by what NVRTC says. */
    char path[1024];
    snprintf(path, sizeof path, "%s/nvrtc-identity", cache_dir);
    FILE *f = fopen(path, "r+");
    if (f) {
        char line[8192], all[65536] = "";
        while (fgets(line, sizeof line, f)) {
            if (strncmp(line, "env ", 4) == 0)
                snprintf(line, sizeof line, "env LD_LIBRARY_PATH=/somewhere/else;\n");
            strncat(all, line, sizeof all - strlen(all) - 1);
        }
        fclose(f);
        f = fopen(path, "w");
        if (f) {
            fputs(all, f);
            fclose(f);
        }
    }
    bits = run_child(self);
    check(bits >= 0 && (bits & 1) && !(bits & 2),
          "with a stale record the disk hit still comes, NVRTC loaded to key it (status %d)", bits);
    bits = run_child(self);
    check(bits >= 0 && (bits & 1) && (bits & 2),
          "the record was rewritten: the next process skips NVRTC again (status %d)", bits);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--identity-child") == 0) {
        const char *dir = getenv("GPUARRAY_CACHE_DIR");
        snprintf(cache_dir, sizeof cache_dir, "%s", dir ? dir : "");
        return identity_child();
    }
    /* Before anything reads the cache location. */
    const char *tmp = getenv("TMPDIR");
    snprintf(cache_dir, sizeof cache_dir, "%s/gpuarray-test-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(cache_dir)) {
        perror("mkdtemp");
        return 1;
    }
    /* The cache makes the leaf itself; start from a missing directory. */
    rmdir(cache_dir);
    setenv("GPUARRAY_CACHE_DIR", cache_dir, 1);

    test_sha256();
    test_params();
    int compiled = test_compile();
    if (compiled)
        test_nvrtc_identity();

    remove_cache_files();
    rmdir(cache_dir);
    printf("%d passed, %d failed\n", passed, failed);
    if (failed)
        return 1;
    return compiled ? 0 : 77;
}
