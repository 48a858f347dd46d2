/* wgpu_native.c - the chapter's wgpu example (7.3) in C, on wgpu-native's C
 * API (webgpu.h + wgpu.h), the headers and library the wgpu Python wheel
 * ships (wgpu/resources/): instance, adapter, device, shader, pipeline,
 * buffers, bind group, dispatch, and - what the chapter leaves out - the
 * result read back and checked. Two shaders:
 *
 *   build/wgpu/wgpu_native                 the chapter's WGSL doubling of 1000
 *                                          floats and its WGSL `a + b` (named
 *                                          `matmul` in the chapter), then the
 *                                          doubling timed on 16,776,960 floats
 *   build/wgpu/wgpu_native --spirv F.spv   examples/10_spirv's x * 2 + 1, a
 *                                          SPIR-V module compiled from GLSL
 *                                          (entry point main_cs), same steps
 *
 * It prints the `result:` and `time:` lines of the other versions of
 * examples/09_wgpu (or 10_spirv). The pipelines take their bind group layout
 * from the shader (layout NULL = "auto"); wgpu_version.py spells out the
 * chapter's explicit layout instead.
 * Built by `make demo` (the Makefile's wgpu rule finds the wheel's headers);
 * exit 77 (skipped) when no adapter is found, 1 on any error. */
#define _GNU_SOURCE
#include "webgpu.h"
#include "wgpu.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The second size: 16,776,960 floats, WebGPU's largest 1-D dispatch (65535
 * workgroups of 256), or EXAMPLE_BIG_N (the tests run a smaller one). */
static unsigned big_n(void)
{
    const char *s = getenv("EXAMPLE_BIG_N");
    long v = s ? strtol(s, NULL, 10) : 65535L * 256;
    if (v < 1024 || v > 65535L * 256) {
        fprintf(stderr, "EXAMPLE_BIG_N=%s: must be 1024 .. 16776960\n", s);
        exit(2);
    }
    return (unsigned)v;
}
#define BIG_N big_n()


static const char *double_wgsl =
    "@group(0) @binding(0) var<storage, read> input: array<f32>;\n"
    "@group(0) @binding(1) var<storage, read_write> output: array<f32>;\n"
    "\n"
    "@compute @workgroup_size(256)\n"
    "fn main(@builtin(global_invocation_id) global_id: vec3<u32>) {\n"
    "    let idx = global_id.x;\n"
    "    output[idx] = input[idx] * 2.0;\n"
    "}\n";

static const char *add_wgsl =
    "@group(0) @binding(0) var<storage, read> a: array<f32>;\n"
    "@group(0) @binding(1) var<storage, read> b: array<f32>;\n"
    "@group(0) @binding(2) var<storage, read_write> c: array<f32>;\n"
    "\n"
    "@compute @workgroup_size(256)\n"
    "fn matmul(@builtin(global_invocation_id) global_id: vec3<u32>) {\n"
    "    let idx = global_id.x;\n"
    "    c[idx] = a[idx] + b[idx];\n"
    "}\n";

static WGPUInstance instance;
static WGPUDevice device;
static WGPUQueue queue;

static WGPUStringView sv(const char *s)
{
    return (WGPUStringView){s, WGPU_STRLEN};
}

static void die(const char *what)
{
    fprintf(stderr, "wgpu_native: %s\n", what);
    exit(1);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* ------------------------------------------------ asynchronous requests
 * webgpu.h answers requests through callbacks; with AllowProcessEvents they
 * fire inside wgpuInstanceProcessEvents, which these loops call until the
 * answer has come. */
struct answer {
    int done, ok;
    void *handle;
    char message[512];
};

static void keep_message(struct answer *a, WGPUStringView m)
{
    size_t n = m.data ? (m.length == WGPU_STRLEN ? strlen(m.data) : m.length) : 0;
    if (n >= sizeof a->message)
        n = sizeof a->message - 1;
    memcpy(a->message, m.data ? m.data : "", n);
    a->message[n] = 0;
}

static void on_adapter(WGPURequestAdapterStatus status, WGPUAdapter adapter, WGPUStringView message,
                       void *userdata1, void *userdata2)
{
    struct answer *a = userdata1;
    a->ok = status == WGPURequestAdapterStatus_Success;
    a->handle = adapter;
    keep_message(a, message);
    a->done = 1;
}

static void on_device(WGPURequestDeviceStatus status, WGPUDevice dev, WGPUStringView message,
                      void *userdata1, void *userdata2)
{
    struct answer *a = userdata1;
    a->ok = status == WGPURequestDeviceStatus_Success;
    a->handle = dev;
    keep_message(a, message);
    a->done = 1;
}

static void on_mapped(WGPUMapAsyncStatus status, WGPUStringView message, void *userdata1, void *userdata2)
{
    struct answer *a = userdata1;
    a->ok = status == WGPUMapAsyncStatus_Success;
    keep_message(a, message);
    a->done = 1;
}

/* A validation error is a bug of this program: say it and stop. */
static void on_error(WGPUDevice const *dev, WGPUErrorType type, WGPUStringView message,
                     void *userdata1, void *userdata2)
{
    struct answer a;
    keep_message(&a, message);
    fprintf(stderr, "wgpu_native: device error %d: %s\n", (int)type, a.message);
    exit(1);
}

static void wait_for(struct answer *a)
{
    while (!a->done) {
        if (device)
            wgpuDevicePoll(device, 1, NULL);
        wgpuInstanceProcessEvents(instance);
    }
}

/* --------------------------------------------------------- small steps */
static WGPUBuffer buffer(uint64_t size, WGPUBufferUsage usage, const void *data)
{
    WGPUBufferDescriptor d = {.label = sv("buffer"), .usage = usage | WGPUBufferUsage_CopyDst, .size = size};
    WGPUBuffer b = wgpuDeviceCreateBuffer(device, &d);
    if (!b)
        die("wgpuDeviceCreateBuffer failed");
    if (data)
        wgpuQueueWriteBuffer(queue, b, 0, data, size);
    return b;
}

/* Copy `size` bytes of `src` back into `dst`: a staging buffer, a copy, a
 * map; the chapter stops before this. */
static void read_back(WGPUBuffer src, void *dst, uint64_t size)
{
    WGPUBuffer staging = buffer(size, WGPUBufferUsage_MapRead, NULL);
    WGPUCommandEncoder enc = wgpuDeviceCreateCommandEncoder(device, NULL);
    wgpuCommandEncoderCopyBufferToBuffer(enc, src, 0, staging, 0, size);
    WGPUCommandBuffer cmd = wgpuCommandEncoderFinish(enc, NULL);
    wgpuQueueSubmit(queue, 1, &cmd);
    struct answer a = {0};
    WGPUBufferMapCallbackInfo cb = {.mode = WGPUCallbackMode_AllowProcessEvents, .callback = on_mapped,
                                    .userdata1 = &a};
    wgpuBufferMapAsync(staging, WGPUMapMode_Read, 0, size, cb);
    wait_for(&a);
    if (!a.ok)
        die(a.message);
    memcpy(dst, wgpuBufferGetConstMappedRange(staging, 0, size), size);
    wgpuBufferUnmap(staging);
    wgpuBufferRelease(staging);
    wgpuCommandBufferRelease(cmd);
    wgpuCommandEncoderRelease(enc);
}

static WGPUComputePipeline pipeline(WGPUShaderModule module, const char *entry)
{
    WGPUComputePipelineDescriptor d = {.label = sv(entry), .layout = NULL,
                                       .compute = {.module = module, .entryPoint = sv(entry)}};
    WGPUComputePipeline p = wgpuDeviceCreateComputePipeline(device, &d);
    if (!p)
        die("wgpuDeviceCreateComputePipeline failed");
    return p;
}

static WGPUShaderModule wgsl_module(const char *code)
{
    WGPUShaderSourceWGSL src = {.chain = {.sType = WGPUSType_ShaderSourceWGSL}, .code = sv(code)};
    WGPUShaderModuleDescriptor d = {.nextInChain = &src.chain, .label = sv("wgsl")};
    return wgpuDeviceCreateShaderModule(device, &d);
}

static WGPUShaderModule spirv_module(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    if (size <= 0 || size % 4) {
        fprintf(stderr, "wgpu_native: %s: not a SPIR-V module (%ld bytes)\n", path, size);
        exit(1);
    }
    uint32_t *words = malloc(size);
    if (!words || fread(words, 1, size, f) != (size_t)size)
        die("reading the SPIR-V module failed");
    fclose(f);
    if (words[0] != 0x07230203u) {
        fprintf(stderr, "wgpu_native: %s: no SPIR-V magic number\n", path);
        exit(1);
    }
    WGPUShaderSourceSPIRV src = {.chain = {.sType = WGPUSType_ShaderSourceSPIRV},
                                 .codeSize = (uint32_t)(size / 4), .code = words};
    WGPUShaderModuleDescriptor d = {.nextInChain = &src.chain, .label = sv(path)};
    WGPUShaderModule m = wgpuDeviceCreateShaderModule(device, &d);
    free(words);
    return m;
}

/* Bind `nbuf` buffers at bindings 0.. of group 0 and dispatch n / 256
 * workgroups (rounded up), as the chapter does; returns nothing to wait on:
 * wgpuDevicePoll(wait) is the chapter's device.poll(Maintain::Wait). */
static void dispatch(WGPUComputePipeline p, WGPUBuffer *bufs, int nbuf, uint32_t n)
{
    WGPUBindGroupEntry entries[4];
    for (int i = 0; i < nbuf; i++)
        entries[i] = (WGPUBindGroupEntry){.binding = (uint32_t)i, .buffer = bufs[i], .offset = 0,
                                          .size = WGPU_WHOLE_SIZE};
    WGPUBindGroupLayout layout = wgpuComputePipelineGetBindGroupLayout(p, 0);
    WGPUBindGroupDescriptor bd = {.layout = layout, .entryCount = (size_t)nbuf, .entries = entries};
    WGPUBindGroup group = wgpuDeviceCreateBindGroup(device, &bd);
    WGPUCommandEncoder enc = wgpuDeviceCreateCommandEncoder(device, NULL);
    WGPUComputePassEncoder pass = wgpuCommandEncoderBeginComputePass(enc, NULL);
    wgpuComputePassEncoderSetPipeline(pass, p);
    wgpuComputePassEncoderSetBindGroup(pass, 0, group, 0, NULL);
    wgpuComputePassEncoderDispatchWorkgroups(pass, (n + 255) / 256, 1, 1);
    wgpuComputePassEncoderEnd(pass);
    WGPUCommandBuffer cmd = wgpuCommandEncoderFinish(enc, NULL);
    wgpuQueueSubmit(queue, 1, &cmd);
    wgpuCommandBufferRelease(cmd);
    wgpuComputePassEncoderRelease(pass);
    wgpuCommandEncoderRelease(enc);
    wgpuBindGroupRelease(group);
    wgpuBindGroupLayoutRelease(layout);
}

/* y = f(x) over x = 0, 1, ..., n-1 through a one-in one-out shader; the
 * result in `out`. */
static void run_unary(WGPUComputePipeline p, uint32_t n, float *out, WGPUBuffer *keep)
{
    float *x = malloc((size_t)n * sizeof(float));
    if (!x)
        die("out of host memory");
    for (uint32_t i = 0; i < n; i++)
        x[i] = (float)i;
    keep[0] = buffer((uint64_t)n * 4, WGPUBufferUsage_Storage, x);
    keep[1] = buffer((uint64_t)n * 4, WGPUBufferUsage_Storage | WGPUBufferUsage_CopySrc, NULL);
    dispatch(p, keep, 2, n);
    read_back(keep[1], out, (uint64_t)n * 4);
    free(x);
}

/* The unary shader on BIG_N floats: checked against `expect`, then timed
 * (dispatch + wait, median of 5). */
static void big_run(WGPUComputePipeline p, float (*expect)(float))
{
    uint32_t n = BIG_N;
    float *out = malloc((size_t)n * sizeof(float));
    WGPUBuffer bufs[2];
    if (!out)
        die("out of host memory");
    run_unary(p, n, out, bufs);
    long mismatches = 0;
    for (uint32_t i = 0; i < n; i++)
        mismatches += out[i] != expect((float)i);
    printf("result: big_n=%u\nresult: big_last=%.1f\nresult: big_mismatches=%ld\n", n, out[n - 1], mismatches);
    double times[5];
    for (int r = 0; r < 5; r++) {
        double t0 = now_ms();
        dispatch(p, bufs, 2, n);
        wgpuDevicePoll(device, 1, NULL);
        times[r] = now_ms() - t0;
    }
    qsort(times, 5, sizeof times[0], cmp);
    printf("time: big_ms=%.4f ms (dispatch + wait, n = %u, median of 5)\n", times[2], n);
    printf("time: big_gbps=%.2f GB/s (read + write)\n", 2.0 * 4 * n / times[2] / 1e6);
    wgpuBufferRelease(bufs[0]);
    wgpuBufferRelease(bufs[1]);
    free(out);
}

static float twice(float x) { return x * 2.0f; }
static float twice_plus_one(float x) { return x * 2.0f + 1.0f; }

static const char *adapter_type_name(WGPUAdapterType t)
{
    switch (t) {
    case WGPUAdapterType_DiscreteGPU: return "DiscreteGPU";
    case WGPUAdapterType_IntegratedGPU: return "IntegratedGPU";
    case WGPUAdapterType_CPU: return "CPU";
    default: return "Unknown";
    }
}

static const char *backend_name(WGPUBackendType t)
{
    switch (t) {
    case WGPUBackendType_Vulkan: return "Vulkan";
    case WGPUBackendType_OpenGL: return "OpenGL";
    case WGPUBackendType_OpenGLES: return "OpenGLES";
    case WGPUBackendType_Metal: return "Metal";
    case WGPUBackendType_D3D12: return "D3D12";
    default: return "other";
    }
}

int main(int argc, char **argv)
{
    const char *spirv = NULL;
    if (argc == 3 && strcmp(argv[1], "--spirv") == 0)
        spirv = argv[2];
    else if (argc != 1) {
        fprintf(stderr, "usage: %s [--spirv shader.spv]\n", argv[0]);
        return 2;
    }
    uint32_t v = wgpuGetVersion();
    printf("wgpu-native %u.%u.%u.%u\n", v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);

    /* インスタンス作成 / アダプタ選択 */
    instance = wgpuCreateInstance(NULL);
    if (!instance)
        die("wgpuCreateInstance failed");
    WGPURequestAdapterOptions opts = {.powerPreference = WGPUPowerPreference_HighPerformance};
    struct answer a = {0};
    WGPURequestAdapterCallbackInfo acb = {.mode = WGPUCallbackMode_AllowProcessEvents, .callback = on_adapter,
                                          .userdata1 = &a};
    wgpuInstanceRequestAdapter(instance, &opts, acb);
    wait_for(&a);
    if (!a.ok || !a.handle) {
        printf("skipped: no adapter: wgpu-native found no Vulkan or OpenGL driver (Debian: "
               "mesa-vulkan-drivers libvulkan1 for lavapipe on the CPU): %s\n", a.message);
        return 77;
    }
    WGPUAdapter adapter = a.handle;
    WGPUAdapterInfo info = {0};
    wgpuAdapterGetInfo(adapter, &info);
    printf("Using GPU: %.*s\n", (int)info.device.length, info.device.data);
    printf("adapter: %.*s (type %s, backend %s%s\n", (int)info.device.length, info.device.data,
           adapter_type_name(info.adapterType), backend_name(info.backendType),
           info.adapterType == WGPUAdapterType_CPU ? ", a SOFTWARE adapter: the GPU here is the CPU)" : ")");
    wgpuAdapterInfoFreeMembers(info);

    /* デバイスとキュー取得 */
    struct answer d = {0};
    WGPUDeviceDescriptor dd = {.label = sv("device"),
                               .uncapturedErrorCallbackInfo = {.callback = on_error}};
    WGPURequestDeviceCallbackInfo dcb = {.mode = WGPUCallbackMode_AllowProcessEvents, .callback = on_device,
                                         .userdata1 = &d};
    wgpuAdapterRequestDevice(adapter, &dd, dcb);
    wait_for(&d);
    if (!d.ok)
        die(d.message);
    device = d.handle;
    queue = wgpuDeviceGetQueue(device);

    if (spirv) {
        /* examples/10_spirv: output = input * 2 + 1 from SPIR-V. */
        WGPUShaderModule m = spirv_module(spirv);
        WGPUComputePipeline p = pipeline(m, "main_cs");
        float out[1000];
        WGPUBuffer bufs[2];
        run_unary(p, 1000, out, bufs);
        double sum = 0;
        for (int i = 0; i < 1000; i++)
            sum += out[i];
        printf("output[999] = %.1f\n", out[999]);
        printf("result: out_last=%.1f\nresult: out_sum=%.1f\n", out[999], sum);
        wgpuBufferRelease(bufs[0]);
        wgpuBufferRelease(bufs[1]);
        big_run(p, twice_plus_one);
        wgpuComputePipelineRelease(p);
        wgpuShaderModuleRelease(m);
    } else {
        /* The chapter's WGSL doubling of 1000 floats (no bounds check in the
         * shader: 1024 invocations; WebGPU's robustness keeps the extra 24
         * inside the buffers). */
        WGPUShaderModule m = wgsl_module(double_wgsl);
        WGPUComputePipeline p = pipeline(m, "main");
        float out[1000];
        WGPUBuffer bufs[3];
        run_unary(p, 1000, out, bufs);
        double sum = 0;
        for (int i = 0; i < 1000; i++)
            sum += out[i];
        printf("output[999] = %.1f\n", out[999]);
        printf("result: double_last=%.1f\nresult: double_sum=%.1f\n", out[999], sum);
        wgpuBufferRelease(bufs[0]);
        wgpuBufferRelease(bufs[1]);

        /* WGSL の例: c = a + b, a = i, b = 2 i. */
        float av[1000], bv[1000];
        for (int i = 0; i < 1000; i++) {
            av[i] = (float)i;
            bv[i] = 2.0f * (float)i;
        }
        WGPUShaderModule am = wgsl_module(add_wgsl);
        WGPUComputePipeline ap = pipeline(am, "matmul");
        bufs[0] = buffer(sizeof av, WGPUBufferUsage_Storage, av);
        bufs[1] = buffer(sizeof bv, WGPUBufferUsage_Storage, bv);
        bufs[2] = buffer(sizeof av, WGPUBufferUsage_Storage | WGPUBufferUsage_CopySrc, NULL);
        dispatch(ap, bufs, 3, 1000);
        read_back(bufs[2], out, sizeof out);
        sum = 0;
        for (int i = 0; i < 1000; i++)
            sum += out[i];
        printf("result: add_last=%.1f\nresult: add_sum=%.1f\n", out[999], sum);
        for (int i = 0; i < 3; i++)
            wgpuBufferRelease(bufs[i]);
        wgpuComputePipelineRelease(ap);
        wgpuShaderModuleRelease(am);

        big_run(p, twice);
        wgpuComputePipelineRelease(p);
        wgpuShaderModuleRelease(m);
    }
    wgpuQueueRelease(queue);
    wgpuDeviceRelease(device);
    wgpuAdapterRelease(adapter);
    wgpuInstanceRelease(instance);
    return 0;
}
